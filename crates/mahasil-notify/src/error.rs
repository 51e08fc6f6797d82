//! The one error type of this crate: a template or a configuration that cannot be used,
//! and a signed callback that cannot be trusted. Failures to deliver a message are not
//! errors here: they are a [`crate::outcome::SendOutcome`], because the caller must record
//! them and decide whether to try again.

use crate::signing::REPLAY_WINDOW_SECS;

pub type Result<T, E = NotifyError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    /// A `{name}` in a template that is not one of the known placeholders.
    #[error("line {line}, column {column}: unknown placeholder {{{name}}}")]
    UnknownPlaceholder { name: String, line: usize, column: usize },
    /// A known placeholder used in a message kind that has no value for it (a receipt
    /// number in a challan-issued message, say).
    #[error("line {line}, column {column}: placeholder {{{name}}} has no value in {kind} messages")]
    PlaceholderNotAvailable { name: String, kind: &'static str, line: usize, column: usize },
    /// A `{` with no `}` closing it on the same line.
    #[error("line {line}, column {column}: this {{ is never closed (write {{{{ for a literal brace)")]
    UnclosedBrace { line: usize, column: usize },
    /// A `}` that closes nothing.
    #[error("line {line}, column {column}: this }} closes nothing (write }}}} for a literal brace)")]
    UnmatchedClosingBrace { line: usize, column: usize },
    /// An email template whose `[subject]`, `[text]` and `[html]` sections are not all there
    /// exactly once, or that has text before the first section.
    #[error("email template: {0}")]
    EmailSections(String),
    /// A template (or one part of an email template) with nothing in it.
    #[error("the {part} of the template is empty")]
    EmptyTemplate { part: &'static str },
    /// A template longer than the crate accepts.
    #[error("the template is longer than {limit_chars} characters")]
    TemplateTooLong { limit_chars: usize },
    /// Rendering needs a fact the caller did not give (a payment for a receipt message).
    #[error("{kind} messages need {missing}, which the facts do not have")]
    MissingFact { kind: &'static str, missing: &'static str },
    /// A configuration value that cannot work; `field` names it.
    #[error("{field}: {reason}")]
    InvalidConfig { field: &'static str, reason: String },
    /// An idempotency key that is not 1 to 100 letters, digits, `-` and `_`.
    #[error("an idempotency key must be 1 to {max} letters, digits, '-' or '_'", max = crate::outcome::MAX_IDEMPOTENCY_KEY_CHARS)]
    InvalidIdempotencyKey,
    /// The HTTP client could not be made (no TLS roots, say).
    #[error("cannot make an HTTP client: {0}")]
    HttpClient(#[source] reqwest::Error),
    /// A signed callback whose signature does not match its timestamp and body.
    #[error("the signature does not match")]
    BadSignature,
    /// A signed callback whose timestamp is not decimal Unix seconds.
    #[error("the timestamp {0:?} is not Unix seconds")]
    MalformedTimestamp(String),
    /// A signed callback made too long ago, or too far ahead: a replay, or a wrong clock.
    #[error("signed at {signed_at}, more than {REPLAY_WINDOW_SECS} seconds from now ({now})")]
    StaleTimestamp { signed_at: i64, now: i64 },
    /// A signed body larger than a receiver reads.
    #[error("the body is larger than {limit_bytes} bytes")]
    BodyTooLarge { limit_bytes: usize },
    /// A signed body that is not the documented JSON.
    #[error("malformed JSON: {0}")]
    MalformedJson(#[source] serde_json::Error),
}

impl NotifyError {
    pub(crate) fn config(field: &'static str, reason: impl Into<String>) -> Self {
        Self::InvalidConfig { field, reason: reason.into() }
    }
}
