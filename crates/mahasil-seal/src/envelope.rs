//! The COSE_Sign1 envelope (RFC 9052 §4.2) around every signed document of this crate:
//! seals, trust lists, revocation lists and status statements.
//!
//! Envelopes are **untagged** (no CBOR tag 18): the context (a `/V/` URL, a trust-list
//! download) already says what the bytes are, and a seal is one byte shorter. Tagged input
//! is malformed, so every document has exactly one encoding. The protected header is
//! `{1: -7, 4: kid}` for seals and `{1: -7, 3: content type, 4: kid}` for the other
//! documents, so a signature on one kind of document can never pass for another. The
//! unprotected header is empty, the payload is attached, and the external AAD is empty.

use ciborium::Value;
use coset::{CborSerializable, CoseSign1, CoseSign1Builder, HeaderBuilder, iana};

use crate::cbor;
use crate::keys::{Kid, PublicKey, SIGNATURE_BYTES, SigningKey};
use crate::{Result, SealError};

/// Content type of a trust list envelope.
pub const TRUST_LIST_CONTENT_TYPE: &str = "application/vnd.mahasil.trust-list+cbor";
/// Content type of a revocation list envelope.
pub const REVOCATION_LIST_CONTENT_TYPE: &str = "application/vnd.mahasil.revocation-list+cbor";
/// Content type of a status statement envelope.
pub const STATUS_CONTENT_TYPE: &str = "application/vnd.mahasil.status+cbor";

/// The largest seal accepted, in bytes: what [`crate::token::MAX_TOKEN_CHARS`] Base32 characters hold.
pub const MAX_SEAL_BYTES: usize = crate::token::MAX_TOKEN_CHARS * 5 / 8;
/// The largest trust list accepted, in bytes (thousands of devices fit in a few hundred KiB).
pub const MAX_TRUST_LIST_BYTES: usize = 4 << 20;
/// The largest revocation list accepted, in bytes: about two million entries.
pub const MAX_REVOCATION_LIST_BYTES: usize = 16 << 20;
/// The largest status statement accepted, in bytes.
pub const MAX_STATUS_BYTES: usize = 1 << 10;

/// Which kind of document an envelope holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Content {
    Seal,
    TrustList,
    RevocationList,
    Status,
}

impl Content {
    fn content_type(self) -> Option<&'static str> {
        match self {
            Self::Seal => None,
            Self::TrustList => Some(TRUST_LIST_CONTENT_TYPE),
            Self::RevocationList => Some(REVOCATION_LIST_CONTENT_TYPE),
            Self::Status => Some(STATUS_CONTENT_TYPE),
        }
    }

    fn max_bytes(self) -> usize {
        match self {
            Self::Seal => MAX_SEAL_BYTES,
            Self::TrustList => MAX_TRUST_LIST_BYTES,
            Self::RevocationList => MAX_REVOCATION_LIST_BYTES,
            Self::Status => MAX_STATUS_BYTES,
        }
    }

    fn header(self, kid: Kid) -> coset::Header {
        let builder = HeaderBuilder::new().algorithm(iana::Algorithm::ES256).key_id(kid.as_bytes().to_vec());
        match self.content_type() {
            Some(content_type) => builder.content_type(content_type.to_string()).build(),
            None => builder.build(),
        }
    }
}

/// The serialized protected header of a `content` envelope signed by `kid`.
pub(crate) fn protected_header(content: Content, kid: Kid) -> Result<Vec<u8>> {
    content.header(kid).to_vec().map_err(|_| SealError::Malformed("protected header cannot be encoded"))
}

/// Signs `payload` with `key` into the bytes of an untagged COSE_Sign1.
pub(crate) fn sign(content: Content, key: &SigningKey, payload: Vec<u8>) -> Result<Vec<u8>> {
    let cose = CoseSign1Builder::new()
        .protected(content.header(key.kid()))
        .payload(payload)
        .try_create_signature(&[], |to_be_signed| key.sign_bytes(to_be_signed))?
        .build();
    cose.to_vec().map_err(|_| SealError::Malformed("envelope cannot be encoded"))
}

/// A decoded envelope whose signature has not been checked yet.
pub(crate) struct Opened {
    kid: Kid,
    cose: CoseSign1,
}

/// Decodes `bytes` as an envelope of `content`, refusing anything but the one encoding
/// this crate writes. Checks nothing about the signature.
pub(crate) fn open(content: Content, bytes: &[u8]) -> Result<Opened> {
    if bytes.len() > content.max_bytes() {
        return Err(SealError::Malformed("too large"));
    }
    let cose = CoseSign1::from_slice(bytes).map_err(|_| SealError::Malformed("not an untagged COSE_Sign1"))?;
    if cose.protected.header.alg != Some(coset::RegisteredLabelWithPrivate::Assigned(iana::Algorithm::ES256)) {
        return Err(SealError::Malformed("algorithm is not ES256"));
    }
    if cose.protected.header.key_id.is_empty() {
        return Err(SealError::Malformed("no kid in the protected header"));
    }
    let kid = Kid::from_slice(&cose.protected.header.key_id)?;
    let protected = cose.protected.original_data.as_deref().unwrap_or_default();
    if protected != protected_header(content, kid)? {
        return Err(SealError::Malformed("protected header is not exactly the expected one"));
    }
    if !cose.unprotected.is_empty() {
        return Err(SealError::Malformed("unprotected header is not empty"));
    }
    let Some(payload) = cose.payload.as_deref() else { return Err(SealError::Malformed("payload is detached")) };
    if cose.signature.len() != SIGNATURE_BYTES {
        return Err(SealError::Malformed("signature is not 64 bytes"));
    }
    let canonical =
        Value::Array(vec![Value::Bytes(protected.to_vec()), Value::Map(Vec::new()), Value::Bytes(payload.to_vec()), Value::Bytes(cose.signature.clone())]);
    cbor::require_canonical(bytes, &canonical, "envelope is not deterministically encoded")?;
    Ok(Opened { kid, cose })
}

impl Opened {
    pub(crate) fn kid(&self) -> Kid {
        self.kid
    }

    pub(crate) fn payload(&self) -> &[u8] {
        self.cose.payload.as_deref().unwrap_or_default()
    }

    /// Whether the signature is `key`'s over the Sig_structure of this envelope.
    pub(crate) fn signed_by(&self, key: &PublicKey) -> bool {
        self.cose.verify_signature(&[], |signature, to_be_signed| if key.verifies(to_be_signed, signature) { Ok(()) } else { Err(()) }).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use coset::TaggedCborSerializable;

    use super::*;

    fn key() -> Result<SigningKey> {
        SigningKey::from_pkcs8(&SigningKey::generate_pkcs8()?)
    }

    #[test]
    fn round_trip_and_exact_headers() -> Result<()> {
        let key = key()?;
        let bytes = sign(Content::Seal, &key, vec![0xa0])?;
        let opened = open(Content::Seal, &bytes)?;
        assert_eq!(opened.kid(), key.kid());
        assert_eq!(opened.payload(), &[0xa0]);
        assert!(opened.signed_by(key.public_key()));

        let mut header = vec![0xa2, 0x01, 0x26, 0x04, 0x48];
        header.extend_from_slice(key.kid().as_bytes());
        assert_eq!(protected_header(Content::Seal, key.kid())?, header);
        Ok(())
    }

    #[test]
    fn one_kind_never_opens_as_another() -> Result<()> {
        let key = key()?;
        let status = sign(Content::Status, &key, vec![0xa0])?;
        assert!(matches!(open(Content::Seal, &status), Err(SealError::Malformed(_))));
        assert!(matches!(open(Content::RevocationList, &status), Err(SealError::Malformed(_))));
        assert!(open(Content::Status, &status).is_ok());
        Ok(())
    }

    #[test]
    fn refuses_tagged_detached_and_other_algorithms() -> Result<()> {
        let key = key()?;
        let bytes = sign(Content::Seal, &key, vec![0xa0])?;
        let cose = CoseSign1::from_slice(&bytes).map_err(|_| SealError::Malformed("test"))?;
        let tagged = cose.clone().to_tagged_vec().map_err(|_| SealError::Malformed("test"))?;
        assert!(open(Content::Seal, &tagged).is_err());

        let mut detached = cose.clone();
        detached.payload = None;
        assert!(open(Content::Seal, &detached.to_vec().map_err(|_| SealError::Malformed("test"))?).is_err());

        let es384 = CoseSign1Builder::new()
            .protected(HeaderBuilder::new().algorithm(iana::Algorithm::ES384).key_id(key.kid().as_bytes().to_vec()).build())
            .payload(vec![0xa0])
            .signature(vec![0; 64])
            .build();
        let es384 = es384.to_vec().map_err(|_| SealError::Malformed("test"))?;
        assert_eq!(open(Content::Seal, &es384).err(), Some(SealError::Malformed("algorithm is not ES256")));

        let mut extra = cose;
        extra.unprotected = HeaderBuilder::new().key_id(vec![1]).build();
        assert!(open(Content::Seal, &extra.to_vec().map_err(|_| SealError::Malformed("test"))?).is_err());
        assert!(open(Content::Seal, &vec![0x80; MAX_SEAL_BYTES + 1]).is_err());
        Ok(())
    }
}
