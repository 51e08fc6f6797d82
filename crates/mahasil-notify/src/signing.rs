//! HMAC-SHA256 signatures on what one side POSTs to the other, both lower-case hex over
//! TIMESTAMP "\n" BODY, the scheme of mahasil-gateway's callbacks:
//!
//! - SMS delivery reports, gateway → mahasil: headers [`REPORT_TIMESTAMP_HEADER`] and
//!   [`REPORT_SIGNATURE_HEADER`], with the secret shared with the SMS gateway;
//! - webhook events, mahasil → a receiver: headers [`WEBHOOK_TIMESTAMP_HEADER`] and
//!   [`WEBHOOK_SIGNATURE_HEADER`], with the receiver's secret.
//!
//! TIMESTAMP is decimal Unix seconds. A receiver accepts a signature only within
//! [`REPLAY_WINDOW_SECS`] of its own clock, and compares it in constant time.

use hmac::{Hmac, Mac};
use jiff::Timestamp;
use sha2::Sha256;

use crate::{NotifyError, Result};

/// How far a signed timestamp may be from the receiver's clock, either way, in seconds.
pub const REPLAY_WINDOW_SECS: i64 = 300;
/// Header with the Unix seconds a delivery report was signed at.
pub const REPORT_TIMESTAMP_HEADER: &str = "x-sms-timestamp";
/// Header with a delivery report's signature.
pub const REPORT_SIGNATURE_HEADER: &str = "x-sms-signature";
/// Header with the Unix seconds a webhook event was signed at.
pub const WEBHOOK_TIMESTAMP_HEADER: &str = "x-mahasil-timestamp";
/// Header with a webhook event's signature.
pub const WEBHOOK_SIGNATURE_HEADER: &str = "x-mahasil-signature";
/// Header carrying the idempotency key on every send.
pub const IDEMPOTENCY_KEY_HEADER: &str = "idempotency-key";
/// Longest timestamp header read, in characters; Unix seconds need 10 or 11.
const MAX_TIMESTAMP_CHARS: usize = 20;

/// The bytes signed: TIMESTAMP "\n" BODY.
pub fn signing_input(timestamp: &str, body: &[u8]) -> Vec<u8> {
    let mut input = Vec::with_capacity(timestamp.len() + 1 + body.len());
    input.extend_from_slice(timestamp.as_bytes());
    input.push(b'\n');
    input.extend_from_slice(body);
    input
}

fn mac(secret: &str, input: &[u8]) -> Option<Hmac<Sha256>> {
    // HMAC takes a key of any length, so this is always `Some`.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).ok()?;
    mac.update(input);
    Some(mac)
}

/// The signature of `body` signed at `timestamp` (decimal Unix seconds).
pub fn sign(secret: &str, timestamp: &str, body: &[u8]) -> String {
    mac(secret, &signing_input(timestamp, body)).map(|m| hex::encode(m.finalize().into_bytes())).unwrap_or_default()
}

/// Whether `signature` (hex) is the signature of `body` at `timestamp`, in constant time.
pub fn verify_signature(secret: &str, timestamp: &str, body: &[u8], signature: &str) -> bool {
    let Ok(claimed) = hex::decode(signature.trim()) else { return false };
    mac(secret, &signing_input(timestamp, body)).is_some_and(|m| m.verify_slice(&claimed).is_ok())
}

/// Checks a signed POST: the signature first, then that it was made within
/// [`REPLAY_WINDOW_SECS`] of `now`. Only a body that passes is worth parsing.
pub fn check_signed(secret: &str, timestamp: &str, signature: &str, body: &[u8], now: Timestamp) -> Result<()> {
    let signed_at: i64 = timestamp.trim().parse().map_err(|_| NotifyError::MalformedTimestamp(timestamp.chars().take(MAX_TIMESTAMP_CHARS).collect()))?;
    if !verify_signature(secret, timestamp, body, signature) {
        return Err(NotifyError::BadSignature);
    }
    let fresh = now.as_second().checked_sub(signed_at).is_some_and(|d| d.abs() <= REPLAY_WINDOW_SECS);
    if !fresh {
        return Err(NotifyError::StaleTimestamp { signed_at, now: now.as_second() });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(second: i64) -> Timestamp {
        Timestamp::from_second(second).unwrap_or(Timestamp::UNIX_EPOCH)
    }

    #[test]
    fn the_signing_input_is_timestamp_newline_body() {
        assert_eq!(signing_input("1764230400", b"{}"), b"1764230400\n{}".to_vec());
    }

    #[test]
    fn signatures_match_an_independent_computation() {
        // HMAC-SHA256 with key "key" of "1764230400\n{}", computed with Python's hmac module.
        assert_eq!(sign("key", "1764230400", b"{}"), "11aa140011a79f37fe599ee40e55d0f17c5b3115c06543bfbbc18df688b12421");
        // The example in README.md.
        assert_eq!(sign("demo-sms-secret", "1764230400", b"{}"), "7c230f729e9f300a62e390eb3ed55a367208fc2cac3b4aa6ff5eead073b566ed");
    }

    #[test]
    fn only_the_exact_signature_within_the_window_passes() {
        let signature = sign("s", "1000000", b"{\"a\":1}");
        assert!(check_signed("s", "1000000", &signature, b"{\"a\":1}", at(1_000_000)).is_ok());
        assert!(check_signed("s", "1000000", &signature, b"{\"a\":1}", at(1_000_300)).is_ok());
        assert!(check_signed("s", "1000000", &signature, b"{\"a\":1}", at(999_700)).is_ok());
        assert!(matches!(check_signed("s", "1000000", &signature, b"{\"a\":2}", at(1_000_000)), Err(NotifyError::BadSignature)));
        assert!(matches!(check_signed("t", "1000000", &signature, b"{\"a\":1}", at(1_000_000)), Err(NotifyError::BadSignature)));
        assert!(matches!(check_signed("s", "1000001", &signature, b"{\"a\":1}", at(1_000_000)), Err(NotifyError::BadSignature)));
        assert!(matches!(check_signed("s", "1000000", &signature[..62], b"{\"a\":1}", at(1_000_000)), Err(NotifyError::BadSignature)));
        assert!(matches!(check_signed("s", "1000000", &signature, b"{\"a\":1}", at(1_000_301)), Err(NotifyError::StaleTimestamp { .. })));
        assert!(matches!(check_signed("s", "soon", &signature, b"{\"a\":1}", at(1_000_000)), Err(NotifyError::MalformedTimestamp(_))));
    }
}
