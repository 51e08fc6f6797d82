//! Sealing challans and receipts, and verifying seals with one outcome vocabulary.
//!
//! Checks run in this order, and the first that fails decides the outcome: decoding
//! (`malformed`: oversized, not the exact envelope, wrong algorithm, no kid, claims that
//! are not exactly valid) → the kid is in the trust list (`unknown-key`) → the signature
//! (`invalid-signature`) → the key's usage fits the document type, `iss` is the key's
//! issuer number, the number's issuer prefix is `iss`, and `iat` lies within the key's
//! validity (`key-not-valid-for-this-use`) → `iat` is before the key's compromise
//! (`revoked`) → the challan (for a receipt: the challan it pays) is not in the revocation
//! set (`revoked`) → `valid`. Nothing else is ever `valid`.

use crate::claims::Claims;
use crate::envelope::{self, Content, Opened};
use crate::keys::{Kid, SigningKey};
use crate::outcome::Outcome;
use crate::revocation::RevocationSet;
use crate::trust_list::TrustList;
use crate::{Result, SealError, cwt, token};

impl SigningKey {
    /// The seal of `claims`: the bytes of an untagged COSE_Sign1 over their CWT payload.
    pub fn sign(&self, claims: &Claims) -> Result<Vec<u8>> {
        envelope::sign(Content::Seal, self, cwt::encode(claims)?)
    }
}

/// What verifying a seal found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    pub outcome: Outcome,
    /// The signed values whenever they could be decoded, so a verifier can show what the
    /// seal claims; they are to be trusted only when the outcome is `valid`.
    pub claims: Option<Claims>,
    /// The signer's kid, when the envelope could be decoded.
    pub kid: Option<Kid>,
    /// Why the outcome is not `valid`; `None` when it is.
    pub error: Option<SealError>,
}

impl Verification {
    pub fn is_valid(&self) -> bool {
        self.outcome == Outcome::Valid
    }

    fn failed(error: SealError, kid: Option<Kid>, claims: Option<Claims>) -> Self {
        // Every error on this path names an outcome; anything else is still never valid.
        let outcome = error.outcome().unwrap_or(Outcome::Malformed);
        Self { outcome, claims, kid, error: Some(error) }
    }
}

/// Verifies the seal `cose` against `trust` and, when given, the cancelled challans in
/// `revoked`. Never panics; `valid` only when every check passes.
pub fn verify(cose: &[u8], trust: &TrustList, revoked: Option<&RevocationSet>) -> Verification {
    let opened = match envelope::open(Content::Seal, cose) {
        Ok(opened) => opened,
        Err(e) => return Verification::failed(e, None, None),
    };
    let kid = Some(opened.kid());
    let claims = match cwt::decode(opened.payload()) {
        Ok(claims) => claims,
        Err(e) => return Verification::failed(e, kid, None),
    };
    match check(&opened, &claims, trust, revoked) {
        Ok(()) => Verification { outcome: Outcome::Valid, claims: Some(claims), kid, error: None },
        Err(e) => Verification::failed(e, kid, Some(claims)),
    }
}

/// Verifies the seal in a scanned or typed QR text (a `/V/` URL or a bare token).
pub fn verify_qr(text: &str, trust: &TrustList, revoked: Option<&RevocationSet>) -> Verification {
    match token::parse_qr(text) {
        Ok(cose) => verify(&cose, trust, revoked),
        Err(e) => Verification::failed(e, None, None),
    }
}

fn check(opened: &Opened, claims: &Claims, trust: &TrustList, revoked: Option<&RevocationSet>) -> Result<()> {
    let key = trust.key(opened.kid()).ok_or(SealError::UnknownKey)?;
    if !opened.signed_by(&key.public_key) {
        return Err(SealError::InvalidSignature);
    }
    if key.issuer != claims.issuer {
        return Err(SealError::KeyNotValidForUse("iss is not the key's issuer number"));
    }
    if claims.number.issuer() != claims.issuer {
        return Err(SealError::KeyNotValidForUse("the number does not start with iss"));
    }
    key.check(claims.document_type().usage(), claims.issued_at_s)?;
    if revoked.is_some_and(|set| set.contains(claims.challan_no())) {
        return Err(SealError::Revoked("the challan is cancelled"));
    }
    Ok(())
}

#[cfg(test)]
#[path = "seal_tests.rs"]
mod tests;
