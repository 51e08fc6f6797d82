//! This node's seals: its signing keys (one per usage) in an owner-only key directory,
//! the authority's trust list kept in the database, sealing challans as they are stored,
//! signed status statements, and the signed revocation list.
//!
//! - [`key_dir`]: private key files.
//! - [`trust`]: the trust list as stored, and changing it (enrolment, rotation, compromise).
//! - [`node`]: [`NodeSeals`], what a running node signs with, refreshed from the database.
//! - [`claims`]: what a challan's seal says.
//! - [`revocations`]: the signed revocation list, full or since a version.

pub mod check;
pub mod claims;
pub mod key_dir;
pub mod node;
pub mod revocations;
pub mod trust;

pub use key_dir::KeyDir;
pub use node::NodeSeals;
pub use trust::{KeyChange, TrustBundle};

/// Why a seal operation failed: a key file, the store, or the seal format.
#[derive(Debug, thiserror::Error)]
pub enum SealsError {
    #[error("key directory: {0}")]
    Keys(#[from] std::io::Error),
    #[error(transparent)]
    Store(#[from] mahasil_store::StoreError),
    #[error(transparent)]
    Seal(#[from] mahasil_seal::SealError),
    #[error("{0}")]
    Refused(String),
}

pub type Result<T, E = SealsError> = std::result::Result<T, E>;
