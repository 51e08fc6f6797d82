//! The two HMAC-SHA256 signatures of the protocol, both lower-case hex:
//!
//! - merchant → gateway: `X-Signature` = HMAC(secret, METHOD "\n" PATH "\n" TIMESTAMP "\n" BODY),
//!   PATH with its query string if any — the scheme of mahasil's bank API;
//! - gateway → merchant (callbacks): `X-Gateway-Signature` = HMAC(secret, TIMESTAMP "\n" BODY).
//!
//! TIMESTAMP is the decimal Unix seconds sent in `X-Timestamp` / `X-Gateway-Timestamp`; a
//! signature is accepted only within [`REPLAY_WINDOW_SECS`] of the receiver's clock.
//! Signatures are compared in constant time.

use hmac::{Hmac, Mac};
use jiff::Timestamp;
use sha2::Sha256;

/// How far a signed timestamp may be from the receiver's clock, either way, in seconds.
pub const REPLAY_WINDOW_SECS: i64 = 300;

/// Header naming the merchant on a merchant request.
pub const MERCHANT_HEADER: &str = "x-merchant";
/// Header with the Unix seconds a merchant request was signed at.
pub const TIMESTAMP_HEADER: &str = "x-timestamp";
/// Header with a merchant request's signature.
pub const SIGNATURE_HEADER: &str = "x-signature";
/// Header with the Unix seconds a callback was signed at.
pub const CALLBACK_TIMESTAMP_HEADER: &str = "x-gateway-timestamp";
/// Header with a callback's signature.
pub const CALLBACK_SIGNATURE_HEADER: &str = "x-gateway-signature";

/// The bytes a merchant signs: METHOD "\n" PATH "\n" TIMESTAMP "\n" BODY.
pub fn request_signing_input(method: &str, path_and_query: &str, timestamp: &str, body: &[u8]) -> Vec<u8> {
    let mut input = Vec::with_capacity(method.len() + path_and_query.len() + timestamp.len() + body.len() + 3);
    for part in [method.as_bytes(), b"\n", path_and_query.as_bytes(), b"\n", timestamp.as_bytes(), b"\n", body] {
        input.extend_from_slice(part);
    }
    input
}

/// The bytes the gateway signs on a callback: TIMESTAMP "\n" BODY.
pub fn callback_signing_input(timestamp: &str, body: &[u8]) -> Vec<u8> {
    let mut input = Vec::with_capacity(timestamp.len() + body.len() + 1);
    for part in [timestamp.as_bytes(), b"\n", body] {
        input.extend_from_slice(part);
    }
    input
}

fn mac(secret: &str, input: &[u8]) -> Option<Hmac<Sha256>> {
    // HMAC takes a key of any length, so this is always `Some`.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).ok()?;
    mac.update(input);
    Some(mac)
}

fn sign(secret: &str, input: &[u8]) -> String {
    mac(secret, input).map(|m| hex::encode(m.finalize().into_bytes())).unwrap_or_default()
}

/// Whether `signature` (hex) is the HMAC of `input`, compared in constant time.
fn verify(secret: &str, input: &[u8], signature: &str) -> bool {
    let Ok(claimed) = hex::decode(signature) else { return false };
    mac(secret, input).is_some_and(|m| m.verify_slice(&claimed).is_ok())
}

/// `X-Signature` of a merchant request.
pub fn sign_request(secret: &str, method: &str, path_and_query: &str, timestamp: &str, body: &[u8]) -> String {
    sign(secret, &request_signing_input(method, path_and_query, timestamp, body))
}

/// Whether `signature` is the right `X-Signature` for this request.
pub fn verify_request(secret: &str, method: &str, path_and_query: &str, timestamp: &str, body: &[u8], signature: &str) -> bool {
    verify(secret, &request_signing_input(method, path_and_query, timestamp, body), signature)
}

/// `X-Gateway-Signature` of a callback.
pub fn sign_callback(secret: &str, timestamp: &str, body: &[u8]) -> String {
    sign(secret, &callback_signing_input(timestamp, body))
}

/// Whether `signature` is the right `X-Gateway-Signature` for this callback.
pub fn verify_callback_signature(secret: &str, timestamp: &str, body: &[u8], signature: &str) -> bool {
    verify(secret, &callback_signing_input(timestamp, body), signature)
}

/// Whether a signature made at `signed_at` (Unix seconds) may still be accepted at `now`.
pub fn within_replay_window(signed_at: i64, now: Timestamp) -> bool {
    now.as_second().checked_sub(signed_at).is_some_and(|d| d.abs() <= REPLAY_WINDOW_SECS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signing_inputs_are_as_documented() {
        assert_eq!(request_signing_input("POST", "/v1/payments?x=1", "1764230400", b"{}"), b"POST\n/v1/payments?x=1\n1764230400\n{}".to_vec());
        assert_eq!(callback_signing_input("1764230400", b"{}"), b"1764230400\n{}".to_vec());
    }

    #[test]
    fn signatures_match_independently_computed_values() {
        // HMAC-SHA256("key", "The quick brown fox jumps over the lazy dog"), the well-known check value.
        assert_eq!(sign("key", b"The quick brown fox jumps over the lazy dog"), "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8");
        // The examples of README.md, computed with Python's hmac module.
        assert_eq!(
            sign_request("demo-gateway-secret", "GET", "/v1/payments/pay_1", "1764230400", b""),
            "d755820ca1513ed2c6b0b7e46966eba2cca15b750ff763b4d7195ea14cdb16b9"
        );
        assert_eq!(sign_callback("demo-gateway-secret", "1764230400", b"{}"), "f998f444973932de013a2258fdc423eacff668eeacd05edf49d6db733573c879");
    }

    #[test]
    fn verification_accepts_only_the_exact_signature() {
        let sig = sign_callback("s", "100", b"{\"a\":1}");
        assert!(verify_callback_signature("s", "100", b"{\"a\":1}", &sig));
        assert!(!verify_callback_signature("s", "100", b"{\"a\":2}", &sig));
        assert!(!verify_callback_signature("s", "101", b"{\"a\":1}", &sig));
        assert!(!verify_callback_signature("t", "100", b"{\"a\":1}", &sig));
        let mut one_digit_off = sig.clone();
        one_digit_off.replace_range(0..1, if sig.starts_with('0') { "1" } else { "0" });
        assert!(!verify_callback_signature("s", "100", b"{\"a\":1}", &one_digit_off));
        assert!(!verify_callback_signature("s", "100", b"{\"a\":1}", &sig[..62]));
        assert!(!verify_callback_signature("s", "100", b"{\"a\":1}", ""));
        let req = sign_request("s", "POST", "/v1/payments", "100", b"{}");
        assert!(verify_request("s", "POST", "/v1/payments", "100", b"{}", &req));
        assert!(!verify_request("s", "GET", "/v1/payments", "100", b"{}", &req));
        assert!(!verify_request("s", "POST", "/v1/payments?", "100", b"{}", &req));
    }

    #[test]
    fn the_replay_window_is_300_seconds_either_way() {
        let now = Timestamp::from_second(1_000_000).unwrap_or(Timestamp::UNIX_EPOCH);
        assert!(within_replay_window(1_000_000 - 300, now));
        assert!(within_replay_window(1_000_000 + 300, now));
        assert!(!within_replay_window(1_000_000 - 301, now));
        assert!(!within_replay_window(1_000_000 + 301, now));
        assert!(!within_replay_window(i64::MIN, now));
    }
}
