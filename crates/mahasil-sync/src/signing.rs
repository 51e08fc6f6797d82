//! The bytes a device signs: its requests, its ops and its enrolment proof. Every
//! signature is ES256 as the 64-byte `r‖s`, carried as base64url without padding.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use mahasil_seal::{PublicKey, SigningKey};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{Result, SyncError};

/// The device id of a signed request.
pub const HEADER_DEVICE: &str = "x-mahasil-device";
/// Unix seconds by the server's clock as the device estimates it.
pub const HEADER_TIMESTAMP: &str = "x-mahasil-timestamp";
/// 16 random bytes, base64url: never used twice by one device.
pub const HEADER_NONCE: &str = "x-mahasil-nonce";
/// The signature of [`request_message`].
pub const HEADER_SIGNATURE: &str = "x-mahasil-signature";

/// How far a signed request's timestamp may be from the server's clock, in seconds.
pub const REQUEST_WINDOW_S: i64 = 300;
/// Characters of a nonce: 16 bytes in base64url without padding.
pub const NONCE_CHARS: usize = 22;

pub fn b64u(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

pub fn from_b64u(field: &str, text: &str) -> Result<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(text).map_err(|_| SyncError::invalid(field, "is not base64url without padding"))
}

/// What a signed request's signature covers.
pub fn request_message(method: &str, path_and_query: &str, timestamp_s: i64, nonce: &str, body: &[u8]) -> Vec<u8> {
    let mut message = format!("{method}\n{path_and_query}\n{timestamp_s}\n{nonce}\n").into_bytes();
    message.extend_from_slice(body);
    message
}

/// The four headers of a request signed by a device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedHeaders {
    pub device: Uuid,
    pub timestamp_s: i64,
    pub nonce: String,
    pub signature: String,
}

impl SignedHeaders {
    /// Signs a request with the device key; `nonce` comes from the caller's random source.
    pub fn sign(key: &SigningKey, device: Uuid, method: &str, path_and_query: &str, timestamp_s: i64, nonce: &[u8; 16], body: &[u8]) -> Result<Self> {
        let nonce = b64u(nonce);
        let signature = key.sign_bytes(&request_message(method, path_and_query, timestamp_s, &nonce, body))?;
        Ok(Self { device, timestamp_s, nonce, signature: b64u(&signature) })
    }

    /// Reads the headers as received (each may be missing or garbled: the error names it).
    pub fn parse(device: Option<&str>, timestamp: Option<&str>, nonce: Option<&str>, signature: Option<&str>) -> Result<Self> {
        let missing = |name: &str| SyncError::invalid(name, "header is missing");
        let device = Uuid::parse_str(device.ok_or_else(|| missing(HEADER_DEVICE))?).map_err(|_| SyncError::invalid(HEADER_DEVICE, "is not a device id"))?;
        let timestamp_s = timestamp
            .ok_or_else(|| missing(HEADER_TIMESTAMP))?
            .parse::<i64>()
            .map_err(|_| SyncError::invalid(HEADER_TIMESTAMP, "is not whole Unix seconds"))?;
        let nonce = nonce.ok_or_else(|| missing(HEADER_NONCE))?;
        if nonce.len() != NONCE_CHARS || from_b64u(HEADER_NONCE, nonce)?.len() != 16 {
            return Err(SyncError::invalid(HEADER_NONCE, "must be 16 bytes in base64url (22 characters)"));
        }
        let signature = signature.ok_or_else(|| missing(HEADER_SIGNATURE))?;
        Ok(Self { device, timestamp_s, nonce: nonce.to_string(), signature: signature.to_string() })
    }

    /// Whether `key` signed this request; the timestamp and nonce are the caller's to judge.
    pub fn verifies(&self, key: &PublicKey, method: &str, path_and_query: &str, body: &[u8]) -> bool {
        let Ok(signature) = from_b64u(HEADER_SIGNATURE, &self.signature) else { return false };
        key.verifies(&request_message(method, path_and_query, self.timestamp_s, &self.nonce, body), &signature)
    }
}

/// What an op's `sig` covers; its SHA-256 is the op hash.
pub fn op_signed_bytes(op_id: Uuid, kind: &str, payload: &str) -> Vec<u8> {
    format!("mahasil-op\n{}\n{kind}\n{payload}", op_id.hyphenated()).into_bytes()
}

/// The op's content identity (same op id and same hash: the same op) and the next op's
/// `prev_hash`.
pub fn op_hash(op_id: Uuid, kind: &str, payload: &str) -> [u8; 32] {
    Sha256::digest(op_signed_bytes(op_id, kind, payload)).into()
}

/// What an enrolment's `proof` signs: the officer's username and the key's SEC1 hex.
pub fn enrol_proof_message(username: &str, public_key_hex: &str) -> Vec<u8> {
    format!("mahasil-enrol\n{username}\n{public_key_hex}").into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    type R = std::result::Result<(), Box<dyn std::error::Error>>;

    fn key() -> mahasil_seal::Result<SigningKey> {
        SigningKey::from_pkcs8(&SigningKey::generate_pkcs8()?)
    }

    #[test]
    fn a_signed_request_verifies_and_any_change_breaks_it() -> R {
        let key = key()?;
        let device = Uuid::now_v7();
        let signed = SignedHeaders::sign(&key, device, "POST", "/api/v1/sync/push", 1_800_000_000, &[7; 16], b"{\"ops\":[]}")?;
        assert!(signed.verifies(key.public_key(), "POST", "/api/v1/sync/push", b"{\"ops\":[]}"));
        assert!(!signed.verifies(key.public_key(), "POST", "/api/v1/sync/push", b"{\"ops\":[1]}"));
        assert!(!signed.verifies(key.public_key(), "GET", "/api/v1/sync/push", b"{\"ops\":[]}"));
        assert!(!signed.verifies(key.public_key(), "POST", "/api/v1/sync/pull", b"{\"ops\":[]}"));
        let later = SignedHeaders { timestamp_s: signed.timestamp_s + 1, ..signed.clone() };
        assert!(!later.verifies(key.public_key(), "POST", "/api/v1/sync/push", b"{\"ops\":[]}"));
        let other_nonce = SignedHeaders { nonce: b64u(&[8; 16]), ..signed.clone() };
        assert!(!other_nonce.verifies(key.public_key(), "POST", "/api/v1/sync/push", b"{\"ops\":[]}"));
        assert!(!signed.verifies(self::key()?.public_key(), "POST", "/api/v1/sync/push", b"{\"ops\":[]}"));
        Ok(())
    }

    #[test]
    fn headers_are_parsed_or_named_as_wrong() {
        let id = Uuid::now_v7().to_string();
        let nonce = b64u(&[1; 16]);
        assert!(SignedHeaders::parse(Some(&id), Some("12"), Some(&nonce), Some("sig")).is_ok());
        let named = |r: Result<SignedHeaders>| match r {
            Err(SyncError::Invalid { field, .. }) => field,
            other => format!("{other:?}"),
        };
        assert_eq!(named(SignedHeaders::parse(None, Some("12"), Some(&nonce), Some("s"))), HEADER_DEVICE);
        assert_eq!(named(SignedHeaders::parse(Some("x"), Some("12"), Some(&nonce), Some("s"))), HEADER_DEVICE);
        assert_eq!(named(SignedHeaders::parse(Some(&id), Some("1.5"), Some(&nonce), Some("s"))), HEADER_TIMESTAMP);
        assert_eq!(named(SignedHeaders::parse(Some(&id), Some("12"), Some("short"), Some("s"))), HEADER_NONCE);
        assert_eq!(named(SignedHeaders::parse(Some(&id), Some("12"), Some(&nonce), None)), HEADER_SIGNATURE);
    }

    #[test]
    fn the_op_hash_covers_id_kind_and_payload() {
        let id = Uuid::now_v7();
        let base = op_hash(id, "challan.issue", "{}");
        assert_ne!(base, op_hash(Uuid::now_v7(), "challan.issue", "{}"));
        assert_ne!(base, op_hash(id, "challan.other", "{}"));
        assert_ne!(base, op_hash(id, "challan.issue", "{ }"));
        assert_eq!(base, op_hash(id, "challan.issue", "{}"));
    }
}
