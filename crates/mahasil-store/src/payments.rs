//! Payments, as both backends take them: what a payment request carries, what is stored,
//! and the decisions made inside the writing transaction (idempotency, the challan's
//! state, the amount due as of the payment's day, the ledger event). The backends only
//! read and write rows; every rule is here, so both decide alike.
//!
//! A payment's idempotency key is `(channel, holder, reference, paid_on)`: for a bank the
//! bank's mnemonic, its `tran_auth_id` and its `tran_date`. The key is claimed by the
//! payment's own row, in the transaction that posts it, and stays forever (a reversed
//! payment keeps its row). The same key with the same request (by SHA-256 fingerprint)
//! answers the stored payment again; with another request it is refused.

use jiff::Timestamp;
use jiff::civil::Date;
use mahasil_domain::challan::ChallanStatus;
use mahasil_domain::challan_no::ChallanNo;
use mahasil_domain::jurisdiction::Slug;
use mahasil_domain::money::Paisa;
use mahasil_ledger::{Balances, Channel, Clearing, Transfer, TransferCode, events};
use serde::Serialize;
use uuid::Uuid;

use crate::ledger::{refused, terms};
use crate::records::ChallanRecord;
use crate::{Result, StoreError};

/// Most characters of a payment reference (`tran_auth_id`, gateway id, counter entry).
pub const MAX_REFERENCE_CHARS: usize = 64;

/// A payment as its channel reports it, before it is judged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPayment {
    /// Made by the caller, so a retried write is recognised.
    pub id: Uuid,
    pub challan_no: ChallanNo,
    /// Where the money waits for the treasury: `clearing:{channel}:{holder}`.
    pub clearing: Clearing,
    /// The channel's own reference: a bank's `tran_auth_id`, a gateway's payment id, a
    /// counter payment's approval id.
    pub reference: String,
    pub amount_paisa: i64,
    /// The payer's day (a bank's `tran_date`): the amount due is judged as of it.
    pub paid_on: Date,
    pub paid_at: Timestamp,
    /// SHA-256 of the request as the channel sent it; a repeat must match it.
    pub fingerprint: [u8; 32],
    /// For counter payments, the second treasury user who approved it.
    pub approved_by: Option<String>,
    /// For counter payments, the treasury user who took the money (the acting user
    /// otherwise).
    pub taken_by: Option<String>,
    /// Whether the amount must equal what is due (banks, counters), and the challan must
    /// be open. A gateway's money has already moved when it is reported: it is always
    /// taken, and whatever the challan no longer owes (paid meanwhile by a bank,
    /// cancelled) is an overpayment to refund.
    pub exact_amount: bool,
}

impl NewPayment {
    /// Checks what the store cannot: a reference of sensible length and a positive amount.
    pub fn validate(&self) -> Result<()> {
        let chars = self.reference.chars().count();
        if chars == 0 || chars > MAX_REFERENCE_CHARS || self.reference.chars().any(char::is_control) {
            return Err(StoreError::Conflict(format!("a payment reference must be 1 to {MAX_REFERENCE_CHARS} printable characters")));
        }
        Paisa::new(self.amount_paisa)?;
        Ok(())
    }
}

/// A stored payment and its receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PaymentRecord {
    pub id: Uuid,
    /// The receipt's number: 15 digits from the accepting node's issuer counter.
    pub receipt_no: ChallanNo,
    pub challan_id: Uuid,
    pub challan_no: ChallanNo,
    #[serde(serialize_with = "channel_text")]
    pub channel: Channel,
    pub holder: Slug,
    pub reference: String,
    pub amount_paisa: i64,
    /// Of `amount_paisa`, what was charged for paying after the due date.
    pub surcharge_paisa: i64,
    /// Of `amount_paisa`, what was more than was due (a refund is owed).
    pub overpaid_paisa: i64,
    pub paid_on: Date,
    pub paid_at: Timestamp,
    pub received_at: Timestamp,
    pub recorded_by: String,
    pub approved_by: Option<String>,
    #[serde(skip)]
    pub fingerprint: [u8; 32],
    /// The ledger event that posted it.
    pub event_id: Uuid,
    pub reversed_at: Option<Timestamp>,
    #[serde(skip)]
    pub reversal_fingerprint: Option<[u8; 32]>,
    pub deposited_at: Option<Timestamp>,
    /// The statement that showed it in the treasury account.
    pub statement_id: Option<String>,
    /// The receipt's seal (the QR code's content); not part of the audit entry.
    #[serde(skip)]
    pub seal: Vec<u8>,
}

fn channel_text<S: serde::Serializer>(channel: &Channel, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(channel.as_str())
}

impl PaymentRecord {
    pub fn clearing(&self) -> Clearing {
        Clearing { channel: self.channel, holder: self.holder.clone() }
    }

    /// Whether this payment settles its challan now: not reversed, and not wholly an
    /// overpayment (money that came after the challan was settled).
    pub fn is_standing(&self) -> bool {
        self.reversed_at.is_none() && self.overpaid_paisa < self.amount_paisa
    }
}

/// How a payment request ended. Only `Accepted` wrote anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentOutcome {
    /// Stored now: the challan is paid and the receipt sealed.
    Accepted(PaymentRecord),
    /// The same request again: the payment stored the first time.
    Repeated(PaymentRecord),
    /// The key was used before for a different request: nothing written.
    KeyReused(PaymentRecord),
    /// The challan was already paid by another payment (this one is not taken).
    AlreadyPaid(PaymentRecord),
    /// The challan cannot be paid in this status (cancelled, waived, contested).
    Blocked(ChallanStatus),
    /// The amount is not what is due on the payment's day.
    WrongAmount { due_paisa: i64 },
}

/// Signs a receipt inside the transaction that stores its payment.
pub trait ReceiptSealer: Send + Sync + 'static {
    /// The seal of `payment` (every field final except `seal`) for `challan`.
    fn seal_receipt(&self, payment: &PaymentRecord, challan: &ChallanRecord) -> std::result::Result<Vec<u8>, String>;
}

/// A shared receipt sealer.
pub type ReceiptSigner = std::sync::Arc<dyn ReceiptSealer>;

/// What the store holds when a payment request arrives, read inside the transaction.
/// The idempotency key is looked up before this (see [`repeat_of`]).
pub(crate) struct Seen {
    pub challan: ChallanRecord,
    /// The challan's standing (not reversed) payment, if any.
    pub standing: Option<PaymentRecord>,
    pub transfers: Vec<Transfer>,
}

/// What to write for an accepted payment: the record (without receipt number and seal)
/// and its ledger event; `settles` when it pays what the challan owed (it becomes paid).
pub(crate) struct Posting {
    pub record: PaymentRecord,
    pub transfers: Vec<Transfer>,
    pub settles: bool,
}

/// The decision on a payment: an outcome that writes nothing, or the posting to write.
pub(crate) enum Decision {
    Answer(PaymentOutcome),
    Post(Posting),
}

/// The answer to a request whose key is already stored: the payment again for the same
/// request, a refusal for another.
pub(crate) fn repeat_of(p: &NewPayment, stored: PaymentRecord) -> PaymentOutcome {
    if stored.fingerprint == p.fingerprint { PaymentOutcome::Repeated(stored) } else { PaymentOutcome::KeyReused(stored) }
}

/// Judges `p` against what the store holds. An accepted payment's record carries the
/// challan's number as its receipt number until the backend draws the real one.
pub(crate) fn decide(p: &NewPayment, seen: Seen, recorded_by: &str, received_at: Timestamp) -> Result<Decision> {
    let challan = seen.challan;
    if p.exact_amount {
        if let Some(standing) = seen.standing {
            return Ok(Decision::Answer(PaymentOutcome::AlreadyPaid(standing)));
        }
        if challan.status != ChallanStatus::Issued {
            return Ok(Decision::Answer(PaymentOutcome::Blocked(challan.status)));
        }
    }
    let terms = terms(&challan)?;
    let balances = Balances::from_transfers(&seen.transfers).map_err(|e| refused(&format!("the transfers of challan {}", challan.challan_no), e))?;
    let due = terms.owed_on(balances.challan(challan.challan_no), p.paid_on).due_paisa;
    if p.amount_paisa < due || (p.exact_amount && p.amount_paisa != due) {
        return Ok(Decision::Answer(PaymentOutcome::WrongAmount { due_paisa: due }));
    }
    let payment = mahasil_ledger::Payment { clearing: p.clearing.clone(), amount: Paisa::new(p.amount_paisa)?, paid_on: p.paid_on };
    let transfers = events::payment_received(&mut Uuid::now_v7, received_at, &balances, &terms, &payment)
        .map_err(|e| refused(&format!("the payment for challan {}", challan.challan_no), e))?;
    let sum = |code: TransferCode| transfers.iter().filter(|t| t.code == code).map(|t| t.amount.get()).sum::<i64>();
    let event_id =
        transfers.first().map(|t| t.event_id).ok_or_else(|| StoreError::Conflict(format!("the payment for challan {} posts nothing", challan.challan_no)))?;
    let record = PaymentRecord {
        id: p.id,
        receipt_no: challan.challan_no,
        challan_id: challan.id,
        challan_no: challan.challan_no,
        channel: p.clearing.channel,
        holder: p.clearing.holder.clone(),
        reference: p.reference.clone(),
        amount_paisa: p.amount_paisa,
        surcharge_paisa: sum(TransferCode::Surcharge),
        overpaid_paisa: sum(TransferCode::Overpayment),
        paid_on: p.paid_on,
        paid_at: p.paid_at,
        received_at,
        recorded_by: p.taken_by.clone().unwrap_or_else(|| recorded_by.to_owned()),
        approved_by: p.approved_by.clone(),
        fingerprint: p.fingerprint,
        event_id,
        reversed_at: None,
        reversal_fingerprint: None,
        deposited_at: None,
        statement_id: None,
        seal: Vec::new(),
    };
    let settles = transfers.iter().any(|t| t.code == TransferCode::PaymentReceived);
    Ok(Decision::Post(Posting { record, transfers, settles }))
}

/// The amount a challan demands if paid on `on`, judged from its frozen amounts alone (for
/// pages and forms that show it before anything is posted): within the due date its
/// amount, after it the amount after due. The payment itself is judged by the ledger
/// (`ChallanTerms::owed_on`), which gives the same for an unpaid challan.
pub fn amount_due_on(challan: &ChallanRecord, on: Date) -> i64 {
    if on > challan.due_date { challan.amount_after_due_paisa } else { challan.amount_paisa }
}

/// Seals the receipt of an accepted payment; a sealer that cannot sign fails the payment.
pub(crate) fn seal_receipt(signer: &ReceiptSigner, record: &PaymentRecord, challan: &ChallanRecord) -> Result<Vec<u8>> {
    signer.seal_receipt(record, challan).map_err(|why| StoreError::Config(format!("receipt {} could not be sealed: {why}", record.receipt_no)))
}

/// A request to undo a payment the channel reported in error (a bank's reversal).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentReversal {
    pub channel: Channel,
    pub holder: Slug,
    pub reference: String,
    pub paid_on: Date,
    /// The consumer number and amount the reversal names; they must be the payment's.
    pub challan_no: ChallanNo,
    pub amount_paisa: i64,
    pub fingerprint: [u8; 32],
}

/// How a reversal request ended. Only `Reversed` wrote anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReversalOutcome {
    Reversed(PaymentRecord),
    /// The same reversal again: answered as the first time.
    Repeated(PaymentRecord),
    /// The payment was reversed before by a different request.
    KeyReused(PaymentRecord),
    /// No payment has this key.
    Unknown,
    /// The reversal names another consumer number or amount than the payment.
    Mismatch(PaymentRecord),
    /// The money was already seen in the treasury: it is refunded, not reversed.
    Deposited(PaymentRecord),
}

/// The REVERSAL transfers of a payment's event, newest first, or why it cannot be undone.
pub(crate) fn reversal_transfers(payment: &PaymentRecord, challan_transfers: &[Transfer], at: Timestamp) -> Result<Vec<Transfer>> {
    let mut balances = Balances::from_transfers(challan_transfers).map_err(|e| refused(&format!("the transfers of challan {}", payment.challan_no), e))?;
    let mut out = Vec::new();
    let originals: Vec<&Transfer> = challan_transfers.iter().filter(|t| t.event_id == payment.event_id).rev().collect();
    for original in originals {
        let event =
            events::reversal(&mut Uuid::now_v7, at, &balances, original.id).map_err(|e| refused(&format!("reversing payment {}", payment.receipt_no), e))?;
        for t in &event {
            balances.apply(t).map_err(|e| refused(&format!("reversing payment {}", payment.receipt_no), e))?;
        }
        out.extend(event);
    }
    Ok(out)
}

/// What a reversal request comes to before anything is written.
pub(crate) enum ReversalJudgement {
    /// Reverse this payment.
    Proceed(PaymentRecord),
    /// Answer this, writing nothing.
    Answer(ReversalOutcome),
}

/// Decides a reversal request given the payment stored under its key, if any.
pub(crate) fn judge_reversal(r: &PaymentReversal, stored: Option<PaymentRecord>) -> ReversalJudgement {
    use ReversalJudgement::{Answer, Proceed};
    let Some(payment) = stored else { return Answer(ReversalOutcome::Unknown) };
    if payment.challan_no != r.challan_no || payment.amount_paisa != r.amount_paisa {
        return Answer(ReversalOutcome::Mismatch(payment));
    }
    if payment.reversed_at.is_some() {
        return Answer(if payment.reversal_fingerprint == Some(r.fingerprint) {
            ReversalOutcome::Repeated(payment)
        } else {
            ReversalOutcome::KeyReused(payment)
        });
    }
    if payment.deposited_at.is_some() {
        return Answer(ReversalOutcome::Deposited(payment));
    }
    Proceed(payment)
}
