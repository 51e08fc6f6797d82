//! The one error type of the statements crate, and where in a file an error was found.

use std::fmt;

/// Where in a statement file something is wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    /// A line of the file as a text editor numbers it (1-based).
    FileLine(u64),
    /// A statement line by its [`Line::line_no`](crate::Line::line_no), for the checks
    /// made once the whole statement has been read.
    StatementLine(u32),
    /// The statement as a whole (balances, period, size).
    Statement,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::FileLine(line) => write!(f, "file line {line}"),
            Self::StatementLine(line_no) => write!(f, "statement line {line_no}"),
            Self::Statement => f.write_str("statement"),
        }
    }
}

/// Why a statement file was refused. Every variant names the place and the field, so the
/// treasury officer importing the file can find it; none of them carries the file itself.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatementError {
    #[error("the file is {size_bytes} bytes, more than the {max_bytes} accepted")]
    FileTooLarge { size_bytes: usize, max_bytes: usize },
    #[error("the file is empty")]
    Empty,
    #[error("file line {line}: the file is not UTF-8 text")]
    NotUtf8 { line: u64 },
    #[error("the file is not a bank statement in a known format (mahasil CSV, SWIFT MT940 or ISO 20022 camt.053)")]
    UnknownFormat,
    #[error("{at}: {field} is missing")]
    Missing { at: Location, field: &'static str },
    #[error("{at}: {field}: {reason}")]
    Invalid { at: Location, field: &'static str, reason: String },
    #[error("{at}: {field}: currency {found:?} is not PKR")]
    Currency { at: Location, field: &'static str, found: String },
    #[error("{at}: the file ends before {expected}; is it truncated?")]
    Truncated { at: Location, expected: &'static str },
    #[error("{at}: the statement has more than {max} lines")]
    TooManyLines { at: Location, max: usize },
    #[error(
        "balances do not add up: opening {opening_paisa} + credits {credits_paisa} - debits {debits_paisa} = {expected_closing_paisa} paisa, \
         but the closing balance is {closing_paisa} paisa"
    )]
    Unbalanced { opening_paisa: i64, credits_paisa: i128, debits_paisa: i128, expected_closing_paisa: i128, closing_paisa: i64 },
}

pub type Result<T, E = StatementError> = std::result::Result<T, E>;

impl StatementError {
    pub(crate) fn invalid(at: Location, field: &'static str, reason: impl Into<String>) -> Self {
        Self::Invalid { at, field, reason: reason.into() }
    }

    /// The same error placed at `location`, for errors made where only the caller knows
    /// the place.
    pub(crate) fn located(mut self, location: Location) -> Self {
        match &mut self {
            Self::Missing { at, .. } | Self::Invalid { at, .. } | Self::Currency { at, .. } | Self::Truncated { at, .. } | Self::TooManyLines { at, .. } => {
                *at = location;
            }
            Self::NotUtf8 { .. } | Self::FileTooLarge { .. } | Self::Empty | Self::UnknownFormat | Self::Unbalanced { .. } => {}
        }
        self
    }

    /// Where the error is: a file line, a statement line, or the statement as a whole.
    pub fn location(&self) -> Location {
        match self {
            Self::Missing { at, .. } | Self::Invalid { at, .. } | Self::Currency { at, .. } | Self::Truncated { at, .. } | Self::TooManyLines { at, .. } => *at,
            Self::NotUtf8 { line } => Location::FileLine(*line),
            Self::FileTooLarge { .. } | Self::Empty | Self::UnknownFormat | Self::Unbalanced { .. } => Location::Statement,
        }
    }
}
