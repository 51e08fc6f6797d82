//! The one error type of this crate: what can go wrong talking to a gateway or checking
//! what it sent.

use crate::signing::REPLAY_WINDOW_SECS;

pub type Result<T, E = GatewayError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    /// The base URL given to the client is not an absolute http(s) URL.
    #[error("the gateway URL {url:?} is not usable: {reason}")]
    InvalidBaseUrl { url: String, reason: String },
    /// The gateway could not be reached, or the connection broke or timed out.
    #[error("cannot talk to the payment gateway: {0}")]
    Network(#[source] reqwest::Error),
    /// The gateway answered with an error status; `code` and `message` are its own words.
    #[error("the payment gateway answered {status} ({code}): {message}")]
    Status { status: u16, code: String, message: String },
    /// The gateway's answer was larger than the client reads.
    #[error("the payment gateway's answer is larger than {limit_bytes} bytes")]
    ResponseTooLarge { limit_bytes: usize },
    /// A callback's signature does not match its timestamp and body under our secret.
    #[error("the callback's signature does not match")]
    BadSignature,
    /// A callback's timestamp is not decimal Unix seconds.
    #[error("the callback's timestamp {0:?} is not Unix seconds")]
    MalformedTimestamp(String),
    /// A callback was signed too long ago (or too far ahead): a replay, or a wrong clock.
    #[error("the callback was signed at {signed_at}, more than {REPLAY_WINDOW_SECS} seconds from now ({now})")]
    StaleTimestamp { signed_at: i64, now: i64 },
    /// JSON that does not have the protocol's shape.
    #[error("malformed JSON from the payment gateway: {0}")]
    MalformedJson(#[source] serde_json::Error),
}
