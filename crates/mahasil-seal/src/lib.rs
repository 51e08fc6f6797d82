//! Seals of mahasil: signed QR codes on challans and receipts, and the signed lists that
//! let anyone verify them, offline too. Pure: no IO, no clock (times are passed in), no
//! async. ECDSA signing draws its nonce from the operating system through ring.
//!
//! - [`claims`]: the signed values of a seal; [`cwt`]: their CWT payload (RFC 8392).
//! - [`envelope`]: the COSE_Sign1 (RFC 9052, ES256, untagged) around every document.
//! - [`keys`]: kids, public keys, signing keys (PKCS#8), usages.
//! - [`token`]: Base32 tokens, `/V/` URLs and QR codes.
//! - [`seal`]: signing seals and [`verify`]ing them to one [`Outcome`].
//! - [`trust_list`], [`revocation`], [`status`]: the signed documents around seals.
//!
//! The byte layouts are fixed by the shared test vectors in `testdata/seal-vectors/`.

mod cbor;
pub mod claims;
pub mod cwt;
pub mod envelope;
pub mod error;
#[cfg(test)]
mod fixtures;
pub mod keys;
pub mod outcome;
pub mod revocation;
#[cfg(feature = "scan")]
pub mod scan;
pub mod seal;
pub mod short_text;
pub mod status;
pub mod token;
pub mod trust_list;

pub use claims::{Claims, Document, DocumentType, PaymentChannel};
pub use error::{Result, SealError};
pub use keys::{Kid, PublicKey, SigningKey, Usage};
pub use outcome::Outcome;
pub use revocation::{RevocationEntry, RevocationList, RevocationSet};
pub use seal::{Verification, verify, verify_qr};
pub use short_text::ShortText;
pub use status::StatusStatement;
pub use token::{parse_qr, qr_code, qr_url};
pub use trust_list::{KeyStatus, TrustList, TrustedKey};
