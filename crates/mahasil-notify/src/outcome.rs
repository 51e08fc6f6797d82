//! What one attempt to send a message came to ([`SendOutcome`]), shared by every channel,
//! and the [`IdempotencyKey`] that makes a repeated attempt safe.

use std::fmt;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{NotifyError, Result};

/// Longest idempotency key, in characters. A hyphenated UUID has 36.
pub const MAX_IDEMPOTENCY_KEY_CHARS: usize = 100;
/// Longest reason kept in an outcome, in characters; a provider's error page can be long.
pub const MAX_REASON_CHARS: usize = 300;

/// What happened to one attempt to send one message.
///
/// The outbox records it: `Accepted` is done (a delivery report may follow), `Retryable`
/// is tried again later with the same idempotency key, `Permanent` is given up at once and
/// shown with its reason, because sending the same thing again would get the same answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum SendOutcome {
    /// The other side took the message. `provider_id` is what it calls the message: the
    /// SMS gateway's message id (or the idempotency key when the gateway gives none), the
    /// email's Message-ID, the webhook event's id.
    Accepted { provider_id: String },
    /// Not taken this time, but the same message may be taken later: a timeout, a refused
    /// connection, a 5xx or 429 answer, an SMTP 4xx reply, an answer that cannot be read.
    Retryable { reason: String },
    /// Refused for good: an invalid number or address, a 4xx answer, an SMTP 5xx reply.
    Permanent { reason: String },
}

impl SendOutcome {
    pub(crate) fn retryable(reason: impl AsRef<str>) -> Self {
        Self::Retryable { reason: bounded(reason.as_ref()) }
    }

    pub(crate) fn permanent(reason: impl AsRef<str>) -> Self {
        Self::Permanent { reason: bounded(reason.as_ref()) }
    }

    pub fn is_accepted(&self) -> bool {
        matches!(self, Self::Accepted { .. })
    }

    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Retryable { .. })
    }

    pub fn is_permanent(&self) -> bool {
        matches!(self, Self::Permanent { .. })
    }
}

/// `text` on one line and at most [`MAX_REASON_CHARS`] long.
fn bounded(text: &str) -> String {
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    one_line.chars().take(MAX_REASON_CHARS).collect()
}

/// How an HTTP answer other than the expected success is judged, the same for the SMS
/// gateway and webhooks: the answers that say "later" (408 Request Timeout, 425 Too Early,
/// 429 Too Many Requests, any 5xx) are retryable; every other status means the request
/// itself is wrong, and sending it again cannot help.
pub(crate) fn judge_http_status(status: u16, what: &str, body_start: &str) -> SendOutcome {
    let reason = if body_start.is_empty() { format!("{what} answered {status}") } else { format!("{what} answered {status}: {body_start}") };
    if matches!(status, 408 | 425 | 429) || (500..=599).contains(&status) { SendOutcome::retryable(reason) } else { SendOutcome::permanent(reason) }
}

/// How a failed HTTP exchange is judged: every such failure is retryable (the same request
/// may well go through later) except a request that could not even be made.
pub(crate) fn judge_network_error(e: &reqwest::Error, what: &str, timeout_ms: u64) -> SendOutcome {
    if e.is_timeout() {
        SendOutcome::retryable(format!("{what} did not answer within {timeout_ms} ms"))
    } else if e.is_builder() {
        SendOutcome::permanent(format!("cannot make the request to {what}: {}", error_chain(e)))
    } else if e.is_connect() {
        SendOutcome::retryable(format!("cannot connect to {what}: {}", error_chain(e)))
    } else {
        SendOutcome::retryable(format!("the exchange with {what} broke off: {}", error_chain(e)))
    }
}

/// An error and its causes on one line: the outermost message rarely says what failed.
pub(crate) fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        // Some errors already quote their cause in their own text; it is said once.
        let said = cause.to_string();
        if !text.contains(&said) {
            text.push_str(": ");
            text.push_str(&said);
        }
        source = cause.source();
    }
    text
}

/// The key that names one message across all attempts to send it. The outbox makes it once,
/// when the message row is written (its UUID is a good key), and passes the same key to
/// every attempt: the SMS gateway and webhook receivers see it in `Idempotency-Key`, and
/// the email's Message-ID is made from it.
///
/// 1 to [`MAX_IDEMPOTENCY_KEY_CHARS`] ASCII letters, digits, `-` and `_`: safe in a header,
/// a URL, JSON, and the left side of a Message-ID.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    pub fn parse(input: &str) -> Result<Self> {
        let ok = !input.is_empty() && input.len() <= MAX_IDEMPOTENCY_KEY_CHARS && input.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if ok { Ok(Self(input.to_string())) } else { Err(NotifyError::InvalidIdempotencyKey) }
    }

    /// The hyphenated form of `id`, e.g. an outbox row's id.
    pub fn from_uuid(id: Uuid) -> Self {
        Self(id.hyphenated().to_string())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for IdempotencyKey {
    type Error = NotifyError;
    fn try_from(value: String) -> Result<Self> {
        Self::parse(&value)
    }
}

impl From<IdempotencyKey> for String {
    fn from(key: IdempotencyKey) -> Self {
        key.0
    }
}

impl fmt::Display for IdempotencyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_header_and_message_id_safe() {
        assert!(IdempotencyKey::parse("0190a6f2-7b1c-7d2e-9f00-123456789abc").is_ok());
        assert!(IdempotencyKey::parse("msg_42").is_ok());
        for bad in ["", "a b", "a:b", "a@b", "é", "a\r\nX-Evil: 1"] {
            assert!(IdempotencyKey::parse(bad).is_err(), "{bad:?}");
        }
        assert!(IdempotencyKey::parse(&"k".repeat(MAX_IDEMPOTENCY_KEY_CHARS)).is_ok());
        assert!(IdempotencyKey::parse(&"k".repeat(MAX_IDEMPOTENCY_KEY_CHARS + 1)).is_err());
        assert_eq!(IdempotencyKey::from_uuid(Uuid::nil()).as_str(), "00000000-0000-0000-0000-000000000000");
    }

    #[test]
    fn statuses_that_say_later_are_retryable() {
        for status in [408, 425, 429, 500, 502, 503, 504, 599] {
            assert!(judge_http_status(status, "the gateway", "").is_retryable(), "{status}");
        }
        for status in [300, 301, 400, 401, 403, 404, 409, 422] {
            assert!(judge_http_status(status, "the gateway", "").is_permanent(), "{status}");
        }
    }

    #[test]
    fn reasons_are_one_bounded_line() {
        let outcome = SendOutcome::permanent(format!("a\nb\r\n  c {}", "x".repeat(1000)));
        let reason = match outcome {
            SendOutcome::Permanent { reason } => reason,
            other => format!("{other:?}"),
        };
        assert!(reason.starts_with("a b c x"), "{reason}");
        assert_eq!(reason.chars().count(), MAX_REASON_CHARS);
    }

    #[derive(Debug)]
    struct Failure(&'static str, Option<Box<Failure>>);

    impl fmt::Display for Failure {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.0)
        }
    }

    impl std::error::Error for Failure {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            self.1.as_deref().map(|e| e as &(dyn std::error::Error + 'static))
        }
    }

    #[test]
    fn each_cause_is_said_once() {
        let root = Failure("invalid peer certificate: UnknownIssuer", None);
        let quoting = Failure("Connection error: invalid peer certificate: UnknownIssuer", Some(Box::new(root)));
        let top = Failure("cannot talk to the mail server", Some(Box::new(quoting)));
        assert_eq!(error_chain(&top), "cannot talk to the mail server: Connection error: invalid peer certificate: UnknownIssuer");
        let plain = Failure("timed out", Some(Box::new(Failure("os error 110", None))));
        assert_eq!(error_chain(&plain), "timed out: os error 110");
    }
}
