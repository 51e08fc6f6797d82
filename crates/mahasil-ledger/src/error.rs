//! The one error type of the ledger crate: why a string is not an account or a code, and
//! why a builder refused to post an event.

use mahasil_domain::DomainError;
use mahasil_domain::challan_no::ChallanNo;
use uuid::Uuid;

/// Why the ledger refused something. Each variant names the rule that was broken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LedgerError {
    /// A string could not be parsed; `field` says which input and `reason` why.
    #[error("{field}: {reason}")]
    Invalid { field: &'static str, reason: String },
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error("challan {challan_no} is already issued in the ledger")]
    AlreadyIssued { challan_no: ChallanNo },
    #[error("challan {challan_no} was never issued in the ledger")]
    UnknownChallan { challan_no: ChallanNo },
    #[error("the terms of challan {challan_no} disagree with the ledger: {reason}")]
    TermsDisagree { challan_no: ChallanNo, reason: String },
    #[error("{paid_paisa} paisa does not cover the {due_paisa} paisa due on challan {challan_no}")]
    Underpaid { challan_no: ChallanNo, due_paisa: i64, paid_paisa: i64 },
    #[error("a payment made on {paid_on} cannot be posted before that day (posted on {posted_on})")]
    PaidAfterPosting { paid_on: jiff::civil::Date, posted_on: jiff::civil::Date },
    #[error("challan {challan_no} has nothing outstanding")]
    NothingOutstanding { challan_no: ChallanNo },
    #[error("{what} is {balance_paisa} paisa, less than the {amount_paisa} paisa this would take from it")]
    Insufficient { what: String, balance_paisa: i64, amount_paisa: i64 },
    #[error("transfer {id} is not in the ledger")]
    UnknownTransfer { id: Uuid },
    #[error("transfer {id} is already in the ledger")]
    DuplicateTransfer { id: Uuid },
    #[error("transfer {id} is a reversal, and a reversal is never reversed")]
    ReversalOfReversal { id: Uuid },
    #[error("transfer {id} is already reversed by {by}")]
    AlreadyReversed { id: Uuid, by: Uuid },
    #[error("the id source gave {id} twice")]
    RepeatedId { id: Uuid },
    #[error("a running total would overflow at transfer {id}")]
    Overflow { id: Uuid },
}

pub type Result<T, E = LedgerError> = std::result::Result<T, E>;

impl LedgerError {
    pub(crate) fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Self::Invalid { field, reason: reason.into() }
    }
}
