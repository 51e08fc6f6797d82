//! The trust list: a versioned document, signed by the authority root key, listing every
//! signing key with its issuer number, usage, validity and status.
//!
//! Payload (CBOR, deterministic): `{1: version, 2: issued_at, 3: [key, ...]}` with keys in
//! ascending kid order, each `{1: kid, 2: SEC1 public key (65 bytes), 3: issuer number
//! (6 digits, text), 4: usage (1 challan, 2 receipt, 3 status), 5: valid_from, 6:
//! valid_until (if any), 7: status (1 active, 2 retired, 3 compromised), 8: compromised_at
//! (compromised keys only)}`. Times are seconds since the Unix epoch; versions start at 1.

use std::collections::HashMap;

use ciborium::Value;
use mahasil_domain::challan_no::IssuerNo;

use crate::cbor::{self, Fields};
use crate::envelope::{self, Content, Opened};
use crate::keys::{Kid, PublicKey, SigningKey, Usage};
use crate::{Result, SealError};

/// The most keys one trust list holds.
pub const MAX_TRUSTED_KEYS: usize = 100_000;

/// Whether a key still signs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyStatus {
    /// Signs now.
    Active,
    /// No longer signs; what it signed up to its `valid_until_s` still verifies.
    Retired,
    /// Its private key may be known to others: what claims to be signed at or after
    /// `at_s` is revoked.
    Compromised { at_s: i64 },
}

impl KeyStatus {
    fn code(self) -> i64 {
        match self {
            Self::Active => 1,
            Self::Retired => 2,
            Self::Compromised { .. } => 3,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Retired => "retired",
            Self::Compromised { .. } => "compromised",
        }
    }
}

/// One signing key the authority vouches for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedKey {
    pub public_key: PublicKey,
    pub issuer: IssuerNo,
    pub usage: Usage,
    pub valid_from_s: i64,
    /// The end of the key's validity; a retired key must have one.
    pub valid_until_s: Option<i64>,
    pub status: KeyStatus,
}

impl TrustedKey {
    pub fn kid(&self) -> Kid {
        self.public_key.kid()
    }

    /// Whether this key may sign a document needing `usage` that says it was signed at
    /// `signed_at_s`: [`SealError::KeyNotValidForUse`] for another usage or a time outside
    /// the key's validity, then [`SealError::Revoked`] for a time at or after a compromise.
    pub fn check(&self, usage: Usage, signed_at_s: i64) -> Result<()> {
        if usage != self.usage {
            return Err(SealError::KeyNotValidForUse("the key is for another use"));
        }
        if signed_at_s < self.valid_from_s {
            return Err(SealError::KeyNotValidForUse("signed before the key was valid"));
        }
        if self.valid_until_s.is_some_and(|until| signed_at_s > until) {
            return Err(SealError::KeyNotValidForUse("signed after the key's validity ended"));
        }
        match self.status {
            KeyStatus::Compromised { at_s } if signed_at_s >= at_s => Err(SealError::Revoked("signed after the key was compromised")),
            _ => Ok(()),
        }
    }

    fn rule_broken(&self) -> Option<&'static str> {
        match (self.status, self.valid_until_s) {
            (KeyStatus::Retired, None) => Some("a retired key needs valid_until"),
            (_, Some(until)) if until < self.valid_from_s => Some("valid_until is before valid_from"),
            (KeyStatus::Compromised { at_s }, _) if at_s < 0 => Some("compromised_at is before 1970"),
            _ if self.valid_from_s < 0 => Some("valid_from is before 1970"),
            _ => None,
        }
    }
}

/// A trust list: the keys, looked up by kid.
#[derive(Debug, Clone)]
pub struct TrustList {
    version: u64,
    issued_at_s: i64,
    keys: Vec<TrustedKey>,
    by_kid: HashMap<Kid, usize>,
}

impl TrustList {
    /// A list of `keys` (any order; kept in kid order). Versions start at 1.
    pub fn new(version: u64, issued_at_s: i64, mut keys: Vec<TrustedKey>) -> Result<Self> {
        if version == 0 || issued_at_s < 0 {
            return Err(SealError::invalid("trust_list", "version starts at 1 and issued_at is not before 1970"));
        }
        if keys.len() > MAX_TRUSTED_KEYS {
            return Err(SealError::invalid("trust_list", format!("at most {MAX_TRUSTED_KEYS} keys")));
        }
        if let Some(reason) = keys.iter().find_map(TrustedKey::rule_broken) {
            return Err(SealError::invalid("trust_list", reason));
        }
        keys.sort_by_key(TrustedKey::kid);
        let by_kid: HashMap<Kid, usize> = keys.iter().enumerate().map(|(i, k)| (k.kid(), i)).collect();
        if by_kid.len() != keys.len() {
            return Err(SealError::invalid("trust_list", "a kid is listed twice"));
        }
        Ok(Self { version, issued_at_s, keys, by_kid })
    }

    pub fn version(&self) -> u64 {
        self.version
    }

    pub fn issued_at_s(&self) -> i64 {
        self.issued_at_s
    }

    pub fn keys(&self) -> &[TrustedKey] {
        &self.keys
    }

    pub fn key(&self, kid: Kid) -> Option<&TrustedKey> {
        self.by_kid.get(&kid).and_then(|&i| self.keys.get(i))
    }

    /// The deterministic CBOR payload of this list.
    pub fn payload(&self) -> Result<Vec<u8>> {
        let keys = self.keys.iter().map(key_value).collect::<Result<Vec<_>>>()?;
        cbor::encode(&cbor::int_map(vec![(1, version_value(self.version)?), (2, cbor::uint_value(self.issued_at_s)), (3, Value::Array(keys))]))
    }

    /// This list signed by the authority root key, as COSE_Sign1 bytes.
    pub fn sign(&self, root: &SigningKey) -> Result<Vec<u8>> {
        envelope::sign(Content::TrustList, root, self.payload()?)
    }

    /// The trust list in `bytes` if `root` signed it.
    pub fn verify(bytes: &[u8], root: &PublicKey) -> Result<Self> {
        let opened = envelope::open(Content::TrustList, bytes)?;
        let list = Self::decode(opened.payload())?;
        if opened.kid() != root.kid() {
            return Err(SealError::UnknownKey);
        }
        if !opened.signed_by(root) {
            return Err(SealError::InvalidSignature);
        }
        Ok(list)
    }

    /// Replaces this list with the one in `bytes` if `root` signed it and it is newer.
    /// The same version again is no change (`Ok(false)`); an older one is refused, so a
    /// replayed old list cannot bring back a compromised key.
    pub fn update(&mut self, bytes: &[u8], root: &PublicKey) -> Result<bool> {
        let offered = Self::verify(bytes, root)?;
        match offered.version.cmp(&self.version) {
            std::cmp::Ordering::Less => Err(SealError::StaleVersion { held: self.version, offered: offered.version }),
            std::cmp::Ordering::Equal if offered.keys == self.keys && offered.issued_at_s == self.issued_at_s => Ok(false),
            std::cmp::Ordering::Equal => Err(SealError::ConflictingVersion { version: self.version }),
            std::cmp::Ordering::Greater => {
                *self = offered;
                Ok(true)
            }
        }
    }

    /// The listed key that signed `opened`, allowed to sign for `usage` at `signed_at_s`.
    pub(crate) fn signer(&self, opened: &Opened, usage: Usage, signed_at_s: i64) -> Result<&TrustedKey> {
        let key = self.key(opened.kid()).ok_or(SealError::UnknownKey)?;
        if !opened.signed_by(&key.public_key) {
            return Err(SealError::InvalidSignature);
        }
        key.check(usage, signed_at_s)?;
        Ok(key)
    }

    fn decode(payload: &[u8]) -> Result<Self> {
        let mut fields = Fields::of(cbor::decode(payload)?, "unknown key in the trust list")?;
        let version = version_of(&fields.required(1, "trust list version is missing")?)?;
        let issued_at_s = cbor::uint(&fields.required(2, "trust list time is missing")?, "trust list time is not an integer")?;
        let entries = cbor::array(fields.required(3, "trust list keys are missing")?, "trust list keys are not an array")?;
        fields.finish()?;
        if entries.len() > MAX_TRUSTED_KEYS {
            return Err(SealError::Malformed("too many keys"));
        }
        let keys = entries.into_iter().map(decode_key).collect::<Result<Vec<_>>>()?;
        let list = Self::new(version, issued_at_s, keys).map_err(|_| SealError::Malformed("the trust list breaks a rule"))?;
        if list.payload()? != payload {
            return Err(SealError::Malformed("trust list is not deterministically encoded"));
        }
        Ok(list)
    }
}

pub(crate) fn version_value(version: u64) -> Result<Value> {
    i64::try_from(version).map(cbor::uint_value).map_err(|_| SealError::invalid("version", "too large"))
}

pub(crate) fn version_of(value: &Value) -> Result<u64> {
    u64::try_from(cbor::uint(value, "version is not an integer")?).map_err(|_| SealError::Malformed("version is not an integer"))
}

fn key_value(key: &TrustedKey) -> Result<Value> {
    let mut pairs = vec![
        (1, Value::Bytes(key.kid().as_bytes().to_vec())),
        (2, Value::Bytes(key.public_key.sec1().to_vec())),
        (3, Value::Text(key.issuer.to_string())),
        (4, cbor::uint_value(key.usage.code())),
        (5, cbor::uint_value(key.valid_from_s)),
    ];
    if let Some(until) = key.valid_until_s {
        pairs.push((6, cbor::uint_value(until)));
    }
    pairs.push((7, cbor::uint_value(key.status.code())));
    if let KeyStatus::Compromised { at_s } = key.status {
        pairs.push((8, cbor::uint_value(at_s)));
    }
    Ok(cbor::int_map(pairs))
}

fn decode_key(value: Value) -> Result<TrustedKey> {
    let mut fields = Fields::of(value, "unknown key in a trust list entry")?;
    let kid = Kid::from_slice(&cbor::bytes(fields.required(1, "kid is missing")?, "kid is not bytes")?)?;
    let public_key = PublicKey::from_sec1(&cbor::bytes(fields.required(2, "public key is missing")?, "public key is not bytes")?)?;
    if public_key.kid() != kid {
        return Err(SealError::Malformed("kid is not the public key's"));
    }
    let issuer = crate::cwt::issuer_no(&cbor::text(fields.required(3, "issuer is missing")?, "issuer is not text")?)?;
    let usage = cbor::int(&fields.required(4, "usage is missing")?, "usage is not an integer")?;
    let usage = Usage::from_code(usage).ok_or(SealError::Malformed("unknown usage"))?;
    let valid_from_s = cbor::uint(&fields.required(5, "valid_from is missing")?, "valid_from is not an integer")?;
    let valid_until_s = fields.optional(6).map(|v| cbor::uint(&v, "valid_until is not an integer")).transpose()?;
    let status = match cbor::int(&fields.required(7, "status is missing")?, "status is not an integer")? {
        1 => KeyStatus::Active,
        2 => KeyStatus::Retired,
        3 => KeyStatus::Compromised { at_s: cbor::uint(&fields.required(8, "compromised_at is missing")?, "compromised_at is not an integer")? },
        _ => return Err(SealError::Malformed("unknown key status")),
    };
    fields.finish()?;
    Ok(TrustedKey { public_key, issuer, usage, valid_from_s, valid_until_s, status })
}

#[cfg(test)]
#[path = "trust_list_tests.rs"]
mod tests;
