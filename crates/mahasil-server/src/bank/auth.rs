//! Who is calling the bank API: every request names its bank (`X-Bank`), the time it was
//! signed (`X-Timestamp`, Unix seconds) and carries `X-Signature`, the lower-case hex of
//! HMAC-SHA256(secret, METHOD "\n" PATH "\n" TIMESTAMP "\n" BODY) (DESIGN.md, "Bank API").
//! A request signed more than five minutes from now, by an unknown or switched-off bank,
//! or with a signature that does not match, is refused before its body is read as JSON.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::HeaderMap;
use hmac::{Hmac, Mac};
use jiff::Timestamp;
use mahasil_domain::jurisdiction::Slug;
use mahasil_store::BankRecord;
use sha2::Sha256;

use crate::error::ApiError;
use crate::state::AppState;

/// How far a request's timestamp may be from the server's clock, in seconds.
pub const REPLAY_WINDOW_SECS: i64 = 300;

/// Largest bank API request body, in bytes.
pub const MAX_BANK_BODY_BYTES: usize = 8 * 1024;

/// The bytes a bank signs.
pub fn signing_input(method: &str, path: &str, timestamp: &str, body: &[u8]) -> Vec<u8> {
    let mut input = Vec::with_capacity(method.len() + path.len() + timestamp.len() + body.len() + 3);
    for part in [method.as_bytes(), b"\n", path.as_bytes(), b"\n", timestamp.as_bytes(), b"\n", body] {
        input.extend_from_slice(part);
    }
    input
}

/// The HMAC of a request, ready to finish or to verify against a claimed signature.
fn mac(secret: &str, method: &str, path: &str, timestamp: &str, body: &[u8]) -> Option<Hmac<Sha256>> {
    // HMAC takes a key of any length, so this is always `Some`.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).ok()?;
    mac.update(&signing_input(method, path, timestamp, body));
    Some(mac)
}

/// The signature a bank with `secret` puts on a request (lower-case hex).
pub fn sign(secret: &str, method: &str, path: &str, timestamp: &str, body: &[u8]) -> String {
    mac(secret, method, path, timestamp, body).map(|m| hex::encode(m.finalize().into_bytes())).unwrap_or_default()
}

/// A request whose signature verified: the bank that sent it and the exact body it signed.
pub struct SignedByBank {
    pub bank: BankRecord,
    pub body: Bytes,
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Result<&'a str, ApiError> {
    headers.get(name).and_then(|v| v.to_str().ok()).filter(|v| !v.is_empty()).ok_or_else(|| ApiError::unauthorized(format!("header {name} is missing")))
}

impl FromRequest<AppState> for SignedByBank {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (parts, body) = req.into_parts();
        let mnemonic = header(&parts.headers, "x-bank")?.to_string();
        let timestamp = header(&parts.headers, "x-timestamp")?.to_string();
        let signature = header(&parts.headers, "x-signature")?.to_string();
        let signed_at: i64 = timestamp.parse().map_err(|_| ApiError::unauthorized("X-Timestamp must be Unix seconds"))?;
        if (Timestamp::now().as_second() - signed_at).abs() > REPLAY_WINDOW_SECS {
            return Err(ApiError::unauthorized(format!("X-Timestamp is more than {REPLAY_WINDOW_SECS} seconds from the server's clock")));
        }
        let bytes = axum::body::to_bytes(body, MAX_BANK_BODY_BYTES).await.map_err(|_| {
            ApiError::new(axum::http::StatusCode::PAYLOAD_TOO_LARGE, "too_large", format!("the body is larger than {MAX_BANK_BODY_BYTES} bytes"))
        })?;
        let slug = Slug::parse(&mnemonic).map_err(|_| ApiError::unauthorized("unknown bank"))?;
        let bank = state.bank(&slug).await?.filter(|b| b.active).ok_or_else(|| ApiError::unauthorized("unknown bank"))?;
        let claimed = hex::decode(&signature).map_err(|_| ApiError::unauthorized("X-Signature must be lower-case hex"))?;
        let expected = mac(bank.secret.as_str(), parts.method.as_str(), parts.uri.path(), &timestamp, &bytes).ok_or_else(ApiError::internal)?;
        // Constant-time comparison: a wrong signature tells nothing about the right one.
        expected.verify_slice(&claimed).map_err(|_| ApiError::unauthorized("the signature does not match"))?;
        Ok(Self { bank, body: bytes })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signing_input_and_signature_are_as_documented() {
        assert_eq!(signing_input("POST", "/bank/v1/bill-inquiry", "1764230400", b"{}"), b"POST\n/bank/v1/bill-inquiry\n1764230400\n{}".to_vec());
        // HMAC-SHA256 with key "key" over "The quick brown fox jumps over the lazy dog" (RFC 4231-style check value).
        let mut mac = Hmac::<Sha256>::new_from_slice(b"key").map_err(|e| e.to_string());
        let expected = "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8";
        if let Ok(m) = mac.as_mut() {
            m.update(b"The quick brown fox jumps over the lazy dog");
        }
        assert_eq!(mac.map(|m| hex::encode(m.finalize().into_bytes())), Ok(expected.to_string()));
        assert_eq!(sign("secret", "POST", "/p", "1", b"").len(), 64);
    }
}
