//! Keys: the kid, a P-256 public key in SEC1 form, a signing key held as a PKCS#8
//! document, and what a key may sign (its usage).
//!
//! Signing uses ring's ECDSA P-256 with SHA-256 and fixed-length (r‖s, 64 bytes)
//! signatures, as COSE ES256 requires. ECDSA is randomised: ring draws its nonce from the
//! operating system, so the same claims signed twice give different signature bytes (and a
//! signature is malleable: never use signature bytes as an identity).

use std::fmt;

use ring::rand::SystemRandom;
use ring::signature::{self, EcdsaKeyPair, KeyPair, UnparsedPublicKey};
use serde::{Deserialize, Serialize};

use crate::{Result, SealError};

/// Length of a kid: the first 8 bytes of SHA-256 of the SEC1 public key.
pub const KID_BYTES: usize = 8;
/// Length of an uncompressed SEC1 P-256 public key: `0x04 ‖ x ‖ y`.
pub const PUBLIC_KEY_BYTES: usize = 65;
/// Length of an ES256 signature: `r ‖ s`, 32 bytes each.
pub const SIGNATURE_BYTES: usize = 64;

/// A key id: the first [`KID_BYTES`] bytes of SHA-256 of the signer's SEC1 public key.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Kid([u8; KID_BYTES]);

impl Kid {
    pub fn of_sec1(public_sec1: &[u8]) -> Self {
        let digest = ring::digest::digest(&ring::digest::SHA256, public_sec1);
        let mut kid = [0u8; KID_BYTES];
        kid.copy_from_slice(&digest.as_ref()[..KID_BYTES]);
        Self(kid)
    }

    pub fn from_slice(bytes: &[u8]) -> Result<Self> {
        <[u8; KID_BYTES]>::try_from(bytes).map(Self).map_err(|_| SealError::Malformed("a kid has 8 bytes"))
    }

    pub fn as_bytes(&self) -> &[u8; KID_BYTES] {
        &self.0
    }
}

/// Lower-case hex, as kids are written in logs and test vectors.
impl fmt::Display for Kid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

impl fmt::Debug for Kid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Kid({self})")
    }
}

/// A P-256 public key in uncompressed SEC1 form, with its kid computed once.
#[derive(Clone, PartialEq, Eq)]
pub struct PublicKey {
    sec1: [u8; PUBLIC_KEY_BYTES],
    kid: Kid,
}

impl PublicKey {
    /// Checks the form (65 bytes starting 0x04); whether the point is on the curve is
    /// checked by ring at each verification, which then fails.
    pub fn from_sec1(bytes: &[u8]) -> Result<Self> {
        let sec1 = <[u8; PUBLIC_KEY_BYTES]>::try_from(bytes).map_err(|_| SealError::Malformed("a public key is 65 bytes of uncompressed SEC1"))?;
        if sec1[0] != 0x04 {
            return Err(SealError::Malformed("a public key is 65 bytes of uncompressed SEC1"));
        }
        Ok(Self { kid: Kid::of_sec1(&sec1), sec1 })
    }

    pub fn sec1(&self) -> &[u8; PUBLIC_KEY_BYTES] {
        &self.sec1
    }

    pub fn kid(&self) -> Kid {
        self.kid
    }

    /// Whether `signature` (r‖s) is this key's ES256 signature of `message`.
    pub fn verifies(&self, message: &[u8], signature: &[u8]) -> bool {
        UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, &self.sec1).verify(message, signature).is_ok()
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({})", self.kid)
    }
}

/// A P-256 signing key. Made from a PKCS#8 document; the private key never leaves it.
pub struct SigningKey {
    pair: EcdsaKeyPair,
    public: PublicKey,
    rng: SystemRandom,
}

impl SigningKey {
    /// A new random key as a PKCS#8 document, to be stored by the caller.
    pub fn generate_pkcs8() -> Result<Vec<u8>> {
        let rng = SystemRandom::new();
        let doc = EcdsaKeyPair::generate_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, &rng).map_err(|_| SealError::Random)?;
        Ok(doc.as_ref().to_vec())
    }

    pub fn from_pkcs8(pkcs8: &[u8]) -> Result<Self> {
        let rng = SystemRandom::new();
        let pair = EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8, &rng).map_err(|_| SealError::InvalidKey)?;
        let public = PublicKey::from_sec1(pair.public_key().as_ref()).map_err(|_| SealError::InvalidKey)?;
        Ok(Self { pair, public, rng })
    }

    pub fn public_key(&self) -> &PublicKey {
        &self.public
    }

    pub fn kid(&self) -> Kid {
        self.public.kid
    }

    /// The ES256 signature (r‖s, 64 bytes) of `message`: for documents other than the
    /// COSE ones of this crate, such as a field device's signed sync requests and ops.
    pub fn sign_bytes(&self, message: &[u8]) -> Result<Vec<u8>> {
        let sig = self.pair.sign(&self.rng, message).map_err(|_| SealError::Random)?;
        Ok(sig.as_ref().to_vec())
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SigningKey({})", self.public.kid)
    }
}

/// What a key may sign. A key has exactly one usage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Usage {
    /// Seals on challans.
    Challan,
    /// Seals on receipts.
    Receipt,
    /// Revocation lists and status statements.
    Status,
}

impl Usage {
    pub const ALL: [Usage; 3] = [Self::Challan, Self::Receipt, Self::Status];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Challan => "challan",
            Self::Receipt => "receipt",
            Self::Status => "status",
        }
    }

    /// The number that stands for this usage in a trust list.
    pub fn code(self) -> i64 {
        match self {
            Self::Challan => 1,
            Self::Receipt => 2,
            Self::Status => 3,
        }
    }

    pub fn from_code(code: i64) -> Option<Self> {
        Self::ALL.into_iter().find(|u| u.code() == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kid_is_truncated_sha256_of_sec1_and_signatures_verify() -> Result<()> {
        let key = SigningKey::from_pkcs8(&SigningKey::generate_pkcs8()?)?;
        let sec1 = key.public_key().sec1();
        assert_eq!(sec1.len(), PUBLIC_KEY_BYTES);
        let digest = ring::digest::digest(&ring::digest::SHA256, sec1);
        assert_eq!(key.kid().as_bytes()[..], digest.as_ref()[..KID_BYTES]);
        assert_eq!(key.kid().to_string().len(), 2 * KID_BYTES);

        let sig = key.sign_bytes(b"message")?;
        assert_eq!(sig.len(), SIGNATURE_BYTES);
        assert!(key.public_key().verifies(b"message", &sig));
        assert!(!key.public_key().verifies(b"messagE", &sig));
        Ok(())
    }

    #[test]
    fn refuses_bad_keys() {
        assert_eq!(SigningKey::from_pkcs8(b"not a key").err(), Some(SealError::InvalidKey));
        assert!(PublicKey::from_sec1(&[0x04; 64]).is_err());
        assert!(PublicKey::from_sec1(&[0x02; 65]).is_err());
        assert!(Kid::from_slice(&[0; 7]).is_err());
    }

    #[test]
    fn usage_codes_round_trip() {
        for usage in Usage::ALL {
            assert_eq!(Usage::from_code(usage.code()), Some(usage));
        }
        assert_eq!(Usage::from_code(0), None);
    }
}
