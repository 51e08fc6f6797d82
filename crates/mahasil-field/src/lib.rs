//! A field device of mahasil in Rust, speaking the device protocol of docs/SYNC.md: what
//! `mahasil field-sim` and the end-to-end tests use to stand in for officers' phones.
//!
//! - [`device`]: a device's local state (key, numbering chain, issued challans, outbox,
//!   answers, pull cursor and reference data, server clock offset), saved atomically to a
//!   JSON file so a killed process resumes where it stood; issuing offline.
//! - [`client`]: the HTTP side: sign-in, enrolment, signed pull and push, and sync with
//!   retries and backoff.
//! - [`clock`]: the device's own clock (which may be wrong) and the server clock estimate.
//! - [`offenders`]: made-up offenders and challan forms for simulations and tests.
//! - [`proxy`]: a loopback HTTP proxy that drops, duplicates, delays, reorders and cuts
//!   requests and replies on purpose, reproducibly from a seed.

pub mod client;
pub mod clock;
pub mod device;
pub mod offenders;
pub mod proxy;
pub mod retry;

pub use client::{Client, PushReport, Session, SyncReport};
pub use clock::Clock;
pub use device::{Device, DeviceData, Form};
/// The protocol's own types and signed bytes, for callers that build requests by hand.
pub use mahasil_sync as protocol;
pub use mahasil_sync::wire::OpStatus;
pub use proxy::{FaultCounts, FaultProxy, Faults};
pub use retry::RetryPolicy;

/// What went wrong on a device.
#[derive(Debug, thiserror::Error)]
pub enum FieldError {
    /// No answer: the connection failed, was cut, or the body did not arrive whole.
    #[error("no answer from the server: {0}")]
    Transport(String),
    /// The server refused the request; `code` and `message` are its own.
    #[error("the server refused ({status}): {code}: {message}")]
    Refused { status: u16, code: String, message: String },
    /// The server failed (5xx): nothing can be assumed about what it did.
    #[error("the server failed ({status}): {message}")]
    ServerFailed { status: u16, message: String },
    /// An answer that does not say what the protocol says it must.
    #[error("unreadable answer: {0}")]
    Answer(String),
    /// The device's state file could not be read or written.
    #[error("device state {path}: {reason}")]
    State { path: String, reason: String },
    /// The device has no reference data (or no schedule) to issue from: pull first.
    #[error("cannot issue: {0}")]
    CannotIssue(String),
    #[error(transparent)]
    Protocol(#[from] mahasil_sync::SyncError),
    #[error("key: {0}")]
    Key(#[from] mahasil_seal::SealError),
    #[error("proxy: {0}")]
    Proxy(String),
}

impl FieldError {
    /// Whether trying again later may succeed: no answer, a server failure, a cut or
    /// garbled answer, or a refusal that a fresh request can cure (401: a stale clock
    /// estimate is corrected from every answer's `Date`; 408 and 429: wait).
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Transport(_) | Self::ServerFailed { .. } | Self::Answer(_) => true,
            Self::Refused { status, .. } => matches!(status, 401 | 408 | 429),
            Self::State { .. } | Self::CannotIssue(_) | Self::Protocol(_) | Self::Key(_) | Self::Proxy(_) => false,
        }
    }

    /// Whether the server said this device is revoked.
    pub fn is_revoked(&self) -> bool {
        matches!(self, Self::Refused { status: 403, code, .. } if code == "device_revoked")
    }
}

pub type Result<T, E = FieldError> = std::result::Result<T, E>;
