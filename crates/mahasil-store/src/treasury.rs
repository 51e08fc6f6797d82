//! What the treasury and online payments keep besides payments themselves: payments
//! citizens start through a gateway (so a job can re-check those still pending), counter
//! payments waiting for a second treasury user, and imported bank statements with the
//! deposits they proved.

use jiff::Timestamp;
use jiff::civil::Date;
use mahasil_domain::challan_no::ChallanNo;
use mahasil_domain::jurisdiction::Slug;
use serde::Serialize;
use uuid::Uuid;

/// The account citizens' own contests are recorded under: made by the migrations,
/// inactive, with no password; left out of the staff list.
pub const CITIZEN_PORTAL_USER: &str = "00000000-0000-0000-0000-00000000c171";
/// Its username, as a challan's history and the audit log show it.
pub const CITIZEN_PORTAL_USERNAME: &str = "citizen-portal";

/// Where an online payment stands, as the gateway last told it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OnlineStatus {
    Pending,
    Succeeded,
    Failed,
}

impl OnlineStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Pending, Self::Succeeded, Self::Failed].into_iter().find(|v| v.as_str() == s)
    }
}

/// A payment a citizen started through the gateway. `id` is the merchant reference sent
/// to the gateway.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OnlinePayment {
    pub id: Uuid,
    pub challan_id: Uuid,
    pub challan_no: ChallanNo,
    pub amount_paisa: i64,
    /// The gateway's id, once it answered.
    pub gateway_payment_id: Option<String>,
    pub status: OnlineStatus,
    pub failure_reason: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// The receipt, once the payment was taken.
    pub receipt_no: Option<ChallanNo>,
}

/// Where a counter payment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CounterStatus {
    Pending,
    Approved,
    Rejected,
}

impl CounterStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Pending, Self::Approved, Self::Rejected].into_iter().find(|v| v.as_str() == s)
    }
}

/// Cash or a cheque taken at a treasury counter, entered by one treasury user and
/// approved (or rejected) by another before it is posted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CounterPayment {
    pub id: Uuid,
    pub challan_id: Uuid,
    pub challan_no: ChallanNo,
    /// The district whose counter took it: its clearing account is `clearing:counter:{district}`.
    pub district: Slug,
    pub amount_paisa: i64,
    pub payer_name: String,
    /// The counter's receipt book entry or cheque number.
    pub reference: String,
    pub paid_on: Date,
    pub requested_by: String,
    pub requested_at: Timestamp,
    pub status: CounterStatus,
    pub decided_by: Option<String>,
    pub decided_at: Option<Timestamp>,
    pub note: Option<String>,
    pub receipt_no: Option<ChallanNo>,
}

/// A second treasury user's decision on a counter payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CounterDecision {
    pub id: Uuid,
    pub approve: bool,
    pub note: String,
}

/// A bank statement as imported: its identity, balances and what it proved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatementRecord {
    /// SHA-256 of the file: the same file twice is recognised.
    #[serde(serialize_with = "hex_digest")]
    pub sha256: [u8; 32],
    pub account: String,
    pub statement_id: String,
    pub format: String,
    pub from_date: Date,
    pub to_date: Date,
    pub opening_paisa: i64,
    pub closing_paisa: i64,
    pub lines: u64,
    pub imported_by: String,
    pub imported_at: Timestamp,
    /// Payments the statement showed arriving (now deposited).
    pub deposited: u64,
    pub deposited_paisa: i64,
    /// Credits nobody could match (now in suspense).
    pub unidentified: u64,
    pub unidentified_paisa: i64,
    /// The reconciliation report, CSV.
    #[serde(skip)]
    pub report_csv: String,
    pub unexplained_paisa: i64,
}

fn hex_digest<S: serde::Serializer>(d: &[u8; 32], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&hex::encode(d))
}

/// What importing a statement writes, decided by reconciling it first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementImport {
    pub record: StatementRecord,
    /// Receipts of the payments the statement matched, with the amount it credited.
    pub matched: Vec<(ChallanNo, i64)>,
    /// Credits with no match: their bank reference and amount.
    pub unidentified: Vec<(String, i64)>,
}

/// How an import ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportOutcome {
    Imported(StatementRecord),
    /// This very file was imported before: nothing changed.
    AlreadyImported(StatementRecord),
}

/// A payment the treasury has not yet seen arrive, with what its challan was for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Undeposited {
    pub payment: crate::PaymentRecord,
    pub head_code: String,
    pub district: Slug,
}

/// A day's money for one head in one district through one channel: what was paid, and
/// how much of it the treasury statement has shown arriving.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DepositRow {
    pub paid_on: Date,
    pub head_code: String,
    pub district: Slug,
    pub channel: String,
    pub payments: u64,
    pub paid_paisa: i64,
    pub deposited_paisa: i64,
}

impl DepositRow {
    /// Paid but not yet seen in the treasury account.
    pub fn in_transit_paisa(&self) -> i64 {
        self.paid_paisa - self.deposited_paisa
    }
}

/// The DEPOSITED transfer of one matched payment: the amount credited leaves the
/// payment's clearing account for the treasury. `challan_transfers` are its challan's.
pub(crate) fn deposit_transfers(
    payment: &crate::PaymentRecord,
    amount_paisa: i64,
    challan_transfers: &[mahasil_ledger::Transfer],
    at: Timestamp,
) -> crate::Result<Vec<mahasil_ledger::Transfer>> {
    let balances = mahasil_ledger::Balances::from_transfers(challan_transfers)
        .map_err(|e| crate::ledger::refused(&format!("the transfers of challan {}", payment.challan_no), e))?;
    let amount = mahasil_domain::money::Paisa::new(amount_paisa)?;
    mahasil_ledger::events::deposit(&mut Uuid::now_v7, at, &balances, &payment.clearing(), amount, Some(payment.challan_no))
        .map_err(|e| crate::ledger::refused(&format!("depositing receipt {}", payment.receipt_no), e))
}

/// The UNIDENTIFIED transfer of a credit nobody could match.
pub(crate) fn unidentified_transfers(amount_paisa: i64, at: Timestamp) -> crate::Result<Vec<mahasil_ledger::Transfer>> {
    let amount = mahasil_domain::money::Paisa::new(amount_paisa)?;
    mahasil_ledger::events::unidentified(&mut Uuid::now_v7, at, &mahasil_ledger::Balances::new(), amount)
        .map_err(|e| crate::ledger::refused("an unidentified credit", e))
}

/// Checks a statement follows the account's previous one: its opening balance is that
/// one's closing balance, and it does not start before that one ended.
pub(crate) fn check_continuity(new: &StatementRecord, previous: Option<&StatementRecord>) -> crate::Result<()> {
    let Some(prev) = previous else { return Ok(()) };
    if new.opening_paisa != prev.closing_paisa {
        return Err(crate::StoreError::Conflict(format!(
            "statement {} opens at {} paisa but statement {} of account {} closed at {} paisa: a statement is missing or wrong",
            new.statement_id, new.opening_paisa, prev.statement_id, prev.account, prev.closing_paisa
        )));
    }
    if new.from_date < prev.to_date {
        return Err(crate::StoreError::Conflict(format!(
            "statement {} starts on {} before statement {} ended on {}",
            new.statement_id, new.from_date, prev.statement_id, prev.to_date
        )));
    }
    Ok(())
}

/// The counter payment's payment, as the approval takes it.
pub(crate) fn counter_new_payment(c: &CounterPayment, approver: &crate::Actor) -> crate::Result<crate::NewPayment> {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    h.update(c.id.as_bytes());
    h.update(c.amount_paisa.to_be_bytes());
    let paid_at = c.requested_at;
    Ok(crate::NewPayment {
        id: Uuid::now_v7(),
        challan_no: c.challan_no,
        clearing: mahasil_ledger::Clearing { channel: mahasil_ledger::Channel::Counter, holder: c.district.clone() },
        reference: c.id.to_string(),
        amount_paisa: c.amount_paisa,
        paid_on: c.paid_on,
        paid_at,
        fingerprint: h.finalize().into(),
        approved_by: Some(approver.username.clone()),
        taken_by: Some(c.requested_by.clone()),
        exact_amount: true,
    })
}

/// Why an approval cannot take its payment.
pub(crate) fn counter_refusal(outcome: &crate::PaymentOutcome) -> Option<String> {
    use crate::PaymentOutcome as O;
    match outcome {
        O::Accepted(_) | O::Repeated(_) => None,
        O::KeyReused(_) => Some("this counter entry was already taken with other details".into()),
        O::AlreadyPaid(p) => Some(format!("the challan is already paid (receipt {})", p.receipt_no)),
        O::Blocked(status) => Some(format!("the challan is {}", status.as_str())),
        O::WrongAmount { due_paisa } => Some(format!("the amount must be {due_paisa} paisa on the day it was paid")),
    }
}

/// The citizen-portal account as a principal that may record a contest anywhere: the
/// public pages have checked the citizen holds the challan before they ask.
pub(crate) fn citizen_portal() -> crate::Result<mahasil_domain::authz::Principal> {
    use mahasil_domain::authz::{Grant, Principal, Role};
    let user_id = Uuid::parse_str(CITIZEN_PORTAL_USER).map_err(|e| crate::StoreError::Corrupt(format!("citizen portal id: {e}")))?;
    Ok(Principal { user_id, username: CITIZEN_PORTAL_USERNAME.into(), grants: vec![Grant { role: Role::Officer, district: None, department: None }] })
}

/// A pending counter payment as decided by `decider`, or why it cannot be decided by them.
pub(crate) fn decided_counter(before: &CounterPayment, decision: &CounterDecision, decider: &crate::Actor, at: Timestamp) -> crate::Result<CounterPayment> {
    if before.status != CounterStatus::Pending {
        return Err(crate::StoreError::Conflict(format!("counter payment {} was already {}", before.id, before.status.as_str())));
    }
    if decider.username == before.requested_by {
        return Err(crate::StoreError::Conflict("a counter payment is approved by a second treasury user, not by the one who entered it".into()));
    }
    let (approve, note) = (decision.approve, decision.note.trim());
    if note.chars().count() > mahasil_domain::challan::MAX_REASON_CHARS {
        return Err(crate::StoreError::Conflict(format!("the note is longer than {} characters", mahasil_domain::challan::MAX_REASON_CHARS)));
    }
    Ok(CounterPayment {
        status: if approve { CounterStatus::Approved } else { CounterStatus::Rejected },
        decided_by: Some(decider.username.clone()),
        decided_at: Some(at),
        note: (!note.is_empty()).then(|| note.to_owned()),
        ..before.clone()
    })
}
