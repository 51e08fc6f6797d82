//! The one error type of the seal crate, and how each error reads in the verification
//! outcome vocabulary.

use crate::outcome::Outcome;

/// Why building, signing, parsing or verifying a seal or a signed list failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    /// The bytes are not a well-formed document of the expected kind; the reason says where.
    #[error("malformed: {0}")]
    Malformed(&'static str),
    /// The signer's kid is not in the trust list (or is not the configured root).
    #[error("the signing key is unknown")]
    UnknownKey,
    /// The signature does not match the signed bytes.
    #[error("the signature is invalid")]
    InvalidSignature,
    /// The key is known but may not sign this document, for this issuer or at this time.
    #[error("the key is not valid for this use: {0}")]
    KeyNotValidForUse(&'static str),
    /// The document was signed after its key was compromised, or the challan is cancelled.
    #[error("revoked: {0}")]
    Revoked(&'static str),
    /// A signed list older than the one already held: refusing it prevents a rollback.
    #[error("version {offered} is older than the version {held} already held")]
    StaleVersion { held: u64, offered: u64 },
    /// The same version as the one held, but different content.
    #[error("version {version} differs from the version {version} already held")]
    ConflictingVersion { version: u64 },
    /// A revocation delta that does not start where the held set ends.
    #[error("the delta starts at version {since} but version {held} is held")]
    VersionGap { held: u64, since: u64 },
    /// A value handed in to be signed breaks a rule; `field` says which.
    #[error("{field}: {reason}")]
    Invalid { field: &'static str, reason: String },
    /// A private key that ring does not accept as a PKCS#8 P-256 key.
    #[error("the key is not a PKCS#8 ECDSA P-256 key")]
    InvalidKey,
    /// The system random source failed while generating a key or signing.
    #[error("the random source failed")]
    Random,
    /// The URL does not fit in a QR code.
    #[error("the QR code cannot hold this URL: {0}")]
    Qr(String),
}

pub type Result<T, E = SealError> = std::result::Result<T, E>;

impl SealError {
    pub(crate) fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Self::Invalid { field, reason: reason.into() }
    }

    /// The verification outcome this error stands for, when it is one.
    pub fn outcome(&self) -> Option<Outcome> {
        match self {
            Self::Malformed(_) => Some(Outcome::Malformed),
            Self::UnknownKey => Some(Outcome::UnknownKey),
            Self::InvalidSignature => Some(Outcome::InvalidSignature),
            Self::KeyNotValidForUse(_) => Some(Outcome::KeyNotValidForThisUse),
            Self::Revoked(_) => Some(Outcome::Revoked),
            _ => None,
        }
    }
}

impl From<mahasil_domain::DomainError> for SealError {
    fn from(e: mahasil_domain::DomainError) -> Self {
        Self::invalid("claims", e.to_string())
    }
}
