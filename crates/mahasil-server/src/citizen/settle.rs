//! Applying what the gateway says about an online payment — from a callback, a status
//! query after the payer's return, or the re-check job — to the online payment and, on a
//! success, to the challan: the payment is recorded with its receipt, once.
//!
//! Any number of these may race: the store takes a payment once per key (gateway, payment
//! id, day) and answers a repeat with the payment it took; within this node, one
//! settlement runs at a time so the online payment's row is never overwritten by one
//! holding older news. A `failed` never undoes a `succeeded`, and a `succeeded` after a
//! `failed` (a late approval) still settles.

use jiff::Timestamp;
use mahasil_domain::time::local_date;
use mahasil_gateway::protocol::{PaymentStatus, Status};
use mahasil_ledger::{Channel, Clearing};
use mahasil_store::{Actor, NewPayment, OnlinePayment, OnlineStatus, PaymentOutcome, StoreError};
use sha2::{Digest, Sha256};
use tokio::sync::Mutex;
use uuid::Uuid;

use super::GatewayAccount;
use crate::state::AppState;

/// One settlement at a time on this node: each re-reads the online payment under it.
static SETTLING: Mutex<()> = Mutex::const_new(());

/// Longest failure reason kept from the gateway, in characters.
const MAX_REASON_CHARS: usize = 200;

/// Why news from the gateway was not applied.
#[derive(Debug)]
pub(crate) enum SettleError {
    /// No gateway account is configured on this node.
    NoGateway,
    /// The merchant reference names no online payment of ours.
    NotOurs(String),
    /// The online payment is known under another gateway payment id.
    Mismatch {
        online: Uuid,
        known: String,
        reported: String,
    },
    Store(StoreError),
}

impl From<StoreError> for SettleError {
    fn from(e: StoreError) -> Self {
        Self::Store(e)
    }
}

impl std::fmt::Display for SettleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NoGateway => f.write_str("no payment gateway is configured"),
            Self::NotOurs(reference) => write!(f, "no online payment has reference {reference}"),
            Self::Mismatch { online, known, reported } => write!(f, "online payment {online} is gateway payment {known}, not {reported}"),
            Self::Store(e) => write!(f, "{e}"),
        }
    }
}

/// Who the gateway's news is recorded as.
pub(crate) fn gateway_actor(account: &GatewayAccount) -> Actor {
    Actor { user_id: None, username: format!("gateway:{}", account.name) }
}

/// SHA-256 over the gateway's payment id and amount, each length-prefixed: the same
/// payment reported again has the same fingerprint.
fn fingerprint(payment_id: &str, amount_paisa: i64) -> [u8; 32] {
    let mut h = Sha256::new();
    for field in [payment_id.as_bytes(), amount_paisa.to_string().as_bytes()] {
        h.update((field.len() as u64).to_be_bytes());
        h.update(field);
    }
    h.finalize().into()
}

fn clip(reason: &str) -> String {
    reason.chars().filter(|c| !c.is_control()).take(MAX_REASON_CHARS).collect()
}

/// Applies `reported` (what the gateway says now, or said in a signed callback) and
/// answers the online payment as it then stands.
pub(crate) async fn apply(state: &AppState, reported: &PaymentStatus, now: Timestamp) -> Result<OnlinePayment, SettleError> {
    let account = state.config.gateway.as_ref().ok_or(SettleError::NoGateway)?;
    let id = Uuid::parse_str(&reported.merchant_reference).map_err(|_| SettleError::NotOurs(clip(&reported.merchant_reference)))?;
    let _one_at_a_time = SETTLING.lock().await;
    let mut online = state.store.online_payment(id).await?.ok_or_else(|| SettleError::NotOurs(id.to_string()))?;
    if let Some(known) = &online.gateway_payment_id
        && known != &reported.payment_id
    {
        tracing::error!(online = %id, known, reported = %reported.payment_id, "ALERT: the gateway reports another payment id for an online payment");
        return Err(SettleError::Mismatch { online: id, known: known.clone(), reported: clip(&reported.payment_id) });
    }
    let actor = gateway_actor(account);
    match reported.status {
        Status::Pending => {
            if online.gateway_payment_id.is_none() {
                online.gateway_payment_id = Some(reported.payment_id.clone());
                online.updated_at = now;
                state.store.update_online_payment(&online, &actor).await?;
            }
        }
        Status::Failed => {
            if online.status == OnlineStatus::Pending {
                online.status = OnlineStatus::Failed;
                online.failure_reason = Some(clip(reported.failure_reason.as_deref().unwrap_or("the gateway did not say why")));
                online.gateway_payment_id = Some(reported.payment_id.clone());
                online.updated_at = now;
                state.store.update_online_payment(&online, &actor).await?;
                tracing::info!(online = %id, challan = %online.challan_no, reason = online.failure_reason.as_deref(), "online payment failed");
            }
        }
        Status::Succeeded if online.receipt_no.is_some() => {}
        Status::Succeeded => take(state, account, &actor, &mut online, reported, now).await?,
    }
    Ok(online)
}

/// Records a succeeded payment against its challan and notes the receipt, or — when the
/// money cannot settle the challan as it came — the reason a person must look at it.
async fn take(
    state: &AppState,
    account: &GatewayAccount,
    actor: &Actor,
    online: &mut OnlinePayment,
    reported: &PaymentStatus,
    now: Timestamp,
) -> Result<(), SettleError> {
    if reported.amount_paisa != online.amount_paisa {
        tracing::error!(online = %online.id, asked = online.amount_paisa, taken = reported.amount_paisa,
            "ALERT: the gateway took another amount than was asked; the amount taken is recorded");
    }
    let paid_at = reported.paid_at.unwrap_or(now);
    let payment = NewPayment {
        id: Uuid::now_v7(),
        challan_no: online.challan_no,
        clearing: Clearing { channel: Channel::Gateway, holder: account.name.clone() },
        reference: reported.payment_id.clone(),
        amount_paisa: reported.amount_paisa,
        paid_on: local_date(paid_at),
        paid_at,
        fingerprint: fingerprint(&reported.payment_id, reported.amount_paisa),
        exact_amount: false,
        approved_by: None,
        taken_by: None,
    };
    let outcome = state.store.record_payment(&payment, state.config.issuer, actor, now, &state.receipts).await?;
    let (receipt_no, problem) = match outcome {
        PaymentOutcome::Accepted(p) => {
            metrics::counter!("mahasil_payments_total", "channel" => "gateway").increment(1);
            tracing::info!(online = %online.id, challan = %p.challan_no, receipt = %p.receipt_no, amount_paisa = p.amount_paisa, "online payment taken");
            (Some(p.receipt_no), None)
        }
        PaymentOutcome::Repeated(p) => (Some(p.receipt_no), None),
        PaymentOutcome::KeyReused(p) => {
            (None, Some(format!("gateway payment {} was recorded before with another amount (receipt {})", payment.reference, p.receipt_no)))
        }
        PaymentOutcome::AlreadyPaid(p) => (None, Some(format!("the challan was already paid (receipt {}); the money must be refunded", p.receipt_no))),
        PaymentOutcome::Blocked(status) => (None, Some(format!("the challan is {}; the money must be refunded", status.as_str()))),
        PaymentOutcome::WrongAmount { due_paisa } => (
            None,
            Some(format!("the gateway took {} paisa but {due_paisa} paisa was due on {}; settle or refund by hand", payment.amount_paisa, payment.paid_on)),
        ),
    };
    if let Some(problem) = &problem {
        tracing::error!(online = %online.id, challan = %online.challan_no, gateway_payment = %payment.reference, problem, "ALERT: money taken online did not settle its challan");
    }
    online.status = OnlineStatus::Succeeded;
    online.gateway_payment_id = Some(reported.payment_id.clone());
    online.receipt_no = receipt_no;
    online.failure_reason = problem;
    online.updated_at = now;
    state.store.update_online_payment(online, actor).await?;
    Ok(())
}

/// Notes the gateway's id of a payment just created there (the first answer wins).
pub(crate) async fn note_sent(state: &AppState, id: Uuid, payment_id: &str, now: Timestamp) -> Result<(), SettleError> {
    let account = state.config.gateway.as_ref().ok_or(SettleError::NoGateway)?;
    let _one_at_a_time = SETTLING.lock().await;
    let mut online = state.store.online_payment(id).await?.ok_or_else(|| SettleError::NotOurs(id.to_string()))?;
    match &online.gateway_payment_id {
        Some(known) if known == payment_id => Ok(()),
        Some(known) => Err(SettleError::Mismatch { online: id, known: known.clone(), reported: clip(payment_id) }),
        None => {
            online.gateway_payment_id = Some(payment_id.to_string());
            online.updated_at = now;
            state.store.update_online_payment(&online, &gateway_actor(account)).await?;
            Ok(())
        }
    }
}

/// Marks a payment that is still pending as failed, for `reason` (never sent to the
/// gateway, or abandoned there). A success reported later still settles it.
pub(crate) async fn give_up(state: &AppState, id: Uuid, reason: &str, now: Timestamp) -> Result<Option<OnlinePayment>, SettleError> {
    let account = state.config.gateway.as_ref().ok_or(SettleError::NoGateway)?;
    let _one_at_a_time = SETTLING.lock().await;
    let Some(mut online) = state.store.online_payment(id).await? else { return Ok(None) };
    if online.status != OnlineStatus::Pending {
        return Ok(None);
    }
    online.status = OnlineStatus::Failed;
    online.failure_reason = Some(clip(reason));
    online.updated_at = now;
    state.store.update_online_payment(&online, &gateway_actor(account)).await?;
    tracing::info!(online = %id, challan = %online.challan_no, reason, "online payment given up");
    Ok(Some(online))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_tell_payments_and_amounts_apart() {
        assert_eq!(fingerprint("pay_1", 500), fingerprint("pay_1", 500));
        assert_ne!(fingerprint("pay_1", 500), fingerprint("pay_1", 5000));
        assert_ne!(fingerprint("pay_15", 0), fingerprint("pay_1", 50), "fields are length-prefixed");
    }

    #[test]
    fn reasons_are_clipped_and_printable() {
        assert_eq!(clip("card\ndeclined"), "carddeclined");
        assert_eq!(clip(&"x".repeat(500)).chars().count(), MAX_REASON_CHARS);
    }
}
