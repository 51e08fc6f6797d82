//! What `check` finds: one variant per broken rule, naming the transfers, events,
//! challans and accounts involved, with a message a person can act on.

use jiff::civil::Date;
use mahasil_domain::challan_no::ChallanNo;
use uuid::Uuid;

use crate::account::Account;
use crate::transfer::TransferCode;

fn join_ids(ids: &[Uuid]) -> String {
    ids.iter().map(Uuid::to_string).collect::<Vec<_>>().join(", ")
}

fn join_challans(challans: &[ChallanNo]) -> String {
    challans.iter().map(ChallanNo::to_string).collect::<Vec<_>>().join(", ")
}

/// A broken ledger invariant.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Violation {
    #[error("transfer {transfer_id} appears more than once")]
    DuplicateTransferId { transfer_id: Uuid },
    #[error("transfer {transfer_id}: {code} cannot debit {debit} and credit {credit}")]
    WrongAccounts { transfer_id: Uuid, code: TransferCode, debit: Account, credit: Account },
    #[error("transfer {transfer_id}: {code} must name its challan")]
    ChallanMissing { transfer_id: Uuid, code: TransferCode },
    #[error("transfer {transfer_id}: {code} must not name a challan")]
    ChallanNotExpected { transfer_id: Uuid, code: TransferCode },
    #[error("transfer {transfer_id}: only a REVERSAL names a transfer it reverses, and every REVERSAL names one ({code})")]
    MisplacedReverses { transfer_id: Uuid, code: TransferCode },
    #[error("transfer {transfer_id} names challan {challan_no}, which was never issued before it")]
    UnknownChallan { transfer_id: Uuid, challan_no: ChallanNo },
    #[error("transfer {transfer_id} moves money of challan {challan_no} through {account}, which is not that challan's")]
    ChallanAccountMismatch { transfer_id: Uuid, challan_no: ChallanNo, account: Account },
    #[error("event {event_id} names several challans: {}", join_challans(.challans))]
    MixedChallans { event_id: Uuid, challans: Vec<ChallanNo> },
    #[error("event {event_id}: transfer {transfer_id} is apart from the event's other transfers or at another time")]
    EventSplit { event_id: Uuid, transfer_id: Uuid },
    #[error("transfer {transfer_id} is dated before the transfer checked before it")]
    TimeWentBack { transfer_id: Uuid },
    #[error("challan {challan_no} is issued more than once: {}", join_ids(.transfer_ids))]
    ChallanIssuedTwice { challan_no: ChallanNo, transfer_ids: Vec<Uuid> },
    #[error("challan {challan_no} has more than one payment not reversed: {}", join_ids(.transfer_ids))]
    PaidTwice { challan_no: ChallanNo, transfer_ids: Vec<Uuid> },
    #[error("after transfer {transfer_id}, challan {challan_no} has {outstanding_paisa} paisa outstanding, outside 0..={max_paisa}")]
    OutstandingOutOfRange { challan_no: ChallanNo, transfer_id: Uuid, outstanding_paisa: i64, max_paisa: i64 },
    #[error("event {event_id} pays or waives challan {challan_no} but leaves {outstanding_paisa} paisa outstanding")]
    Unsettled { event_id: Uuid, challan_no: ChallanNo, outstanding_paisa: i64 },
    #[error("after transfer {transfer_id}, {account} holds {balance_paisa} paisa: a clearing account is never negative")]
    ClearingNegative { account: Account, transfer_id: Uuid, balance_paisa: i64 },
    #[error("after transfer {transfer_id}, challan {challan_no} has refunded {} paisa more than was overpaid", -.refundable_paisa)]
    RefundableNegative { challan_no: ChallanNo, transfer_id: Uuid, refundable_paisa: i64 },
    #[error("reversal {transfer_id} reverses {original_id}, which is not earlier in the ledger")]
    ReversalOfUnknown { transfer_id: Uuid, original_id: Uuid },
    #[error("reversal {transfer_id} reverses {original_id}, itself a reversal: a reversal is never reversed")]
    ReversalReversed { transfer_id: Uuid, original_id: Uuid },
    #[error("transfer {original_id} is reversed more than once: {}", join_ids(.reversal_ids))]
    ReversedTwice { original_id: Uuid, reversal_ids: Vec<Uuid> },
    #[error("reversal {transfer_id} does not mirror {original_id}: {reason}")]
    ReversalMismatch { transfer_id: Uuid, original_id: Uuid, reason: &'static str },
    #[error("transfer {transfer_id} disagrees with the terms of challan {challan_no}: {reason}")]
    TermsMismatch { transfer_id: Uuid, challan_no: ChallanNo, reason: String },
    #[error("transfer {transfer_id} surcharges challan {challan_no} on or before its due date {due_date}")]
    SurchargeBeforeDue { transfer_id: Uuid, challan_no: ChallanNo, due_date: Date },
    #[error("transfer {transfer_id} would take a running total past the largest number")]
    Overflow { transfer_id: Uuid },
    #[error("{figure}: the ledger says {ledger_paisa} paisa, the report {reported_paisa}")]
    ReportedTotalMismatch { figure: String, ledger_paisa: i64, reported_paisa: i64 },
}

impl Violation {
    /// The rule's short name, stable for logs, alerts and the `ledger check` command.
    pub fn rule(&self) -> &'static str {
        match self {
            Self::DuplicateTransferId { .. } => "duplicate-transfer-id",
            Self::WrongAccounts { .. } => "wrong-accounts",
            Self::ChallanMissing { .. } => "challan-missing",
            Self::ChallanNotExpected { .. } => "challan-not-expected",
            Self::MisplacedReverses { .. } => "misplaced-reverses",
            Self::UnknownChallan { .. } => "unknown-challan",
            Self::ChallanAccountMismatch { .. } => "challan-account-mismatch",
            Self::MixedChallans { .. } => "mixed-challans",
            Self::EventSplit { .. } => "event-split",
            Self::TimeWentBack { .. } => "time-went-back",
            Self::ChallanIssuedTwice { .. } => "challan-issued-twice",
            Self::PaidTwice { .. } => "paid-twice",
            Self::OutstandingOutOfRange { .. } => "outstanding-out-of-range",
            Self::Unsettled { .. } => "unsettled",
            Self::ClearingNegative { .. } => "clearing-negative",
            Self::RefundableNegative { .. } => "refundable-negative",
            Self::ReversalOfUnknown { .. } => "reversal-of-unknown",
            Self::ReversalReversed { .. } => "reversal-reversed",
            Self::ReversedTwice { .. } => "reversed-twice",
            Self::ReversalMismatch { .. } => "reversal-mismatch",
            Self::TermsMismatch { .. } => "terms-mismatch",
            Self::SurchargeBeforeDue { .. } => "surcharge-before-due",
            Self::Overflow { .. } => "overflow",
            Self::ReportedTotalMismatch { .. } => "reported-total-mismatch",
        }
    }
}
