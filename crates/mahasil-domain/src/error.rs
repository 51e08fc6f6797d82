//! The one error type of the domain crate.

/// Why the domain refused something. Each variant names the rule that was broken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// A value could not be parsed; `field` says which input and `reason` why.
    #[error("{field}: {reason}")]
    Invalid { field: &'static str, reason: String },
    #[error("amount {amount_paisa} paisa is outside the range {min_paisa}..={max_paisa} of head {head}")]
    AmountOutOfRange { head: String, amount_paisa: i64, min_paisa: i64, max_paisa: i64 },
    #[error("head {head} has a fixed amount; do not send amount_paisa")]
    AmountNotAllowed { head: String },
    #[error("head {head} has a range; amount_paisa is required")]
    AmountRequired { head: String },
    #[error("head {head} is not active")]
    HeadInactive { head: String },
    #[error("no fee schedule of head {head} is in force on {date}")]
    NoScheduleInForce { head: String, date: String },
    #[error("not allowed: {0}")]
    Forbidden(String),
    #[error("a challan that is {from} cannot be {action}")]
    IllegalTransition { from: &'static str, action: &'static str },
    #[error("a supervisor cannot decide their own request")]
    OwnRequest,
}

pub type Result<T, E = DomainError> = std::result::Result<T, E>;

impl DomainError {
    pub(crate) fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Self::Invalid { field, reason: reason.into() }
    }
}
