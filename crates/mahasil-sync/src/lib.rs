//! The field device protocol of mahasil (docs/SYNC.md): what a device and the server say
//! to each other, the exact bytes a device signs, and the one rule that turns a challan
//! issued offline into its seal's claims. Pure: no IO, no clock (times are passed in).
//!
//! - [`wire`]: the JSON of enrolment, pull and push.
//! - [`signing`]: signed request headers, op signed bytes and op hashes, enrolment proofs.
//! - [`challan`]: the op payload of an offline challan, checked by the domain rules, and
//!   the claims its seal must carry (the server's own challans use the same rule).
//! - [`device`]: a device's side: numbering, sealing and chaining challans offline.
//!
//! The shared vectors in `testdata/sync-vectors/` fix the bytes for the browser app.

pub mod challan;
pub mod device;
pub mod signing;
pub mod wire;

/// What went wrong building or reading a protocol message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SyncError {
    /// A value breaks a domain rule; `field` names it as the payload does.
    #[error("{field}: {reason}")]
    Invalid { field: String, reason: String },
    #[error("seal: {0}")]
    Seal(#[from] mahasil_seal::SealError),
    #[error("{0}")]
    Domain(String),
}

impl From<mahasil_domain::DomainError> for SyncError {
    fn from(e: mahasil_domain::DomainError) -> Self {
        Self::Domain(e.to_string())
    }
}

impl SyncError {
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::Invalid { field: field.into(), reason: reason.into() }
    }
}

pub type Result<T> = std::result::Result<T, SyncError>;
