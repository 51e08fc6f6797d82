//! mahasil's side of the protocol: [`GatewayClient`] signs merchant requests and reads the
//! answers; [`verify_callback`] checks what the gateway POSTs to the callback URL.
//!
//! ```no_run
//! # async fn example() -> mahasil_gateway::Result<()> {
//! use mahasil_gateway::client::GatewayClient;
//! use mahasil_gateway::protocol::CreatePayment;
//!
//! let gateway = GatewayClient::new("http://127.0.0.1:8090", "mahasil-demo", "demo-gateway-secret")?;
//! let created = gateway
//!     .create_payment(&CreatePayment {
//!         merchant_reference: "000001-00000001-5".into(),
//!         amount_paisa: 500_000,
//!         description: "Challan 000001-00000001-5".into(),
//!         return_url: "http://127.0.0.1:8080/pay/return".into(),
//!         callback_url: "http://127.0.0.1:8080/gateway/callback".into(),
//!     })
//!     .await?;
//! // Send the payer to created.redirect_url; later, ask for the truth:
//! let status = gateway.payment_status(&created.payment_id).await?;
//! # let _ = status;
//! # Ok(())
//! # }
//! ```

use std::fmt;
use std::time::Duration;

use jiff::Timestamp;
use reqwest::{Method, Url};
use serde::de::DeserializeOwned;

use crate::error::{GatewayError, Result};
use crate::protocol::{CallbackEvent, CreatePayment, CreatedPayment, ErrorBody, PaymentStatus};
use crate::signing::{self, MERCHANT_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER};

/// How long one request to the gateway may take, connection included.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);
/// How long connecting to the gateway may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Largest gateway answer the client reads, in bytes.
pub const MAX_RESPONSE_BYTES: usize = 64 * 1024;
/// Longest error message from the gateway kept in [`GatewayError::Status`], in characters.
const MAX_ERROR_MESSAGE_CHARS: usize = 500;

/// A merchant's signed connection to one payment gateway.
#[derive(Clone)]
pub struct GatewayClient {
    base_url: Url,
    merchant_id: String,
    secret: String,
    http: reqwest::Client,
}

impl fmt::Debug for GatewayClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GatewayClient").field("base_url", &self.base_url.as_str()).field("merchant_id", &self.merchant_id).finish_non_exhaustive()
    }
}

impl GatewayClient {
    /// A client for the gateway at `base_url` (http or https; a path prefix is kept),
    /// signing as `merchant_id` with `secret`.
    pub fn new(base_url: &str, merchant_id: impl Into<String>, secret: impl Into<String>) -> Result<Self> {
        let invalid = |reason: &str| GatewayError::InvalidBaseUrl { url: base_url.to_string(), reason: reason.to_string() };
        let parsed = Url::parse(base_url).map_err(|e| invalid(&e.to_string()))?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.cannot_be_a_base() || parsed.host().is_none() {
            return Err(invalid("it must be an absolute http or https URL"));
        }
        if parsed.query().is_some() || parsed.fragment().is_some() {
            return Err(invalid("it must not have a query or a fragment"));
        }
        // The gateway's answers are read as they are: a redirect is an error, not somewhere to go.
        let http = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .connect_timeout(CONNECT_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(GatewayError::Network)?;
        Ok(Self { base_url: parsed, merchant_id: merchant_id.into(), secret: secret.into(), http })
    }

    /// `POST /v1/payments`: a new payment, or the same payment again for a
    /// `merchant_reference` already used with the same amount (a different amount is a
    /// [`GatewayError::Status`] 409).
    pub async fn create_payment(&self, payment: &CreatePayment) -> Result<CreatedPayment> {
        let body = serde_json::to_vec(payment).map_err(GatewayError::MalformedJson)?;
        self.call(Method::POST, &["v1", "payments"], body).await
    }

    /// `GET /v1/payments/{payment_id}`: where the payment stands now. This is the truth;
    /// callbacks can be late, repeated or never arrive.
    pub async fn payment_status(&self, payment_id: &str) -> Result<PaymentStatus> {
        self.call(Method::GET, &["v1", "payments", payment_id], Vec::new()).await
    }

    /// The URL of `segments` under the base URL, each segment percent-encoded.
    fn endpoint(&self, segments: &[&str]) -> Result<Url> {
        let mut url = self.base_url.clone();
        url.path_segments_mut()
            .map_err(|()| GatewayError::InvalidBaseUrl { url: self.base_url.to_string(), reason: "it cannot take a path".into() })?
            .pop_if_empty()
            .extend(segments);
        Ok(url)
    }

    async fn call<T: DeserializeOwned>(&self, method: Method, segments: &[&str], body: Vec<u8>) -> Result<T> {
        let url = self.endpoint(segments)?;
        let path_and_query = match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_string(),
        };
        let timestamp = Timestamp::now().as_second().to_string();
        let signature = signing::sign_request(&self.secret, method.as_str(), &path_and_query, &timestamp, &body);
        let mut request = self
            .http
            .request(method, url)
            .header(MERCHANT_HEADER, &self.merchant_id)
            .header(TIMESTAMP_HEADER, &timestamp)
            .header(SIGNATURE_HEADER, signature)
            .header(reqwest::header::ACCEPT, "application/json");
        if !body.is_empty() {
            request = request.header(reqwest::header::CONTENT_TYPE, "application/json").body(body);
        }
        let mut response = request.send().await.map_err(GatewayError::Network)?;
        let status = response.status();
        let mut bytes = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(GatewayError::Network)? {
            if bytes.len() + chunk.len() > MAX_RESPONSE_BYTES {
                return Err(GatewayError::ResponseTooLarge { limit_bytes: MAX_RESPONSE_BYTES });
            }
            bytes.extend_from_slice(&chunk);
        }
        if !status.is_success() {
            return Err(status_error(status.as_u16(), &bytes));
        }
        serde_json::from_slice(&bytes).map_err(GatewayError::MalformedJson)
    }
}

/// The error for a non-2xx answer, in the gateway's own words when it gave them as
/// `{code, message}`, else the start of whatever it sent.
fn status_error(status: u16, body: &[u8]) -> GatewayError {
    match serde_json::from_slice::<ErrorBody>(body) {
        Ok(e) => GatewayError::Status { status, code: e.code, message: e.message.chars().take(MAX_ERROR_MESSAGE_CHARS).collect() },
        Err(_) => GatewayError::Status {
            status,
            code: String::new(),
            message: String::from_utf8_lossy(body).chars().take(MAX_ERROR_MESSAGE_CHARS).collect::<String>().trim().to_string(),
        },
    }
}

/// Checks a callback the gateway POSTed: `timestamp` and `signature` are the values of the
/// `X-Gateway-Timestamp` and `X-Gateway-Signature` headers, `body` the exact bytes
/// received, `now` the receiver's clock. The signature is compared in constant time and
/// must have been made within [`signing::REPLAY_WINDOW_SECS`] of `now`; only then is the
/// body read as a [`CallbackEvent`].
///
/// A verified event may still be a repeat (same `event_id`) or out of date (a `failed`
/// arriving after a `succeeded`): handle it idempotently, and never let `failed` undo
/// `succeeded`.
pub fn verify_callback(secret: &str, timestamp: &str, signature: &str, body: &[u8], now: Timestamp) -> Result<CallbackEvent> {
    let signed_at: i64 = timestamp.trim().parse().map_err(|_| GatewayError::MalformedTimestamp(timestamp.chars().take(32).collect()))?;
    if !signing::verify_callback_signature(secret, timestamp, body, signature.trim()) {
        return Err(GatewayError::BadSignature);
    }
    if !signing::within_replay_window(signed_at, now) {
        return Err(GatewayError::StaleTimestamp { signed_at, now: now.as_second() });
    }
    serde_json::from_slice(body).map_err(GatewayError::MalformedJson)
}

#[cfg(test)]
mod tests {
    #![expect(clippy::unwrap_used, reason = "a test fails loudly")]

    use super::*;
    use crate::protocol::Status;
    use crate::signing::sign_callback;

    const SECRET: &str = "callback-test-secret";
    const BODY: &[u8] = br#"{"payment_id":"pay_1","merchant_reference":"r-1","amount_paisa":500000,"status":"failed","failure_reason":"card declined","event_id":"evt_1","sent_at":"2025-06-01T10:00:00Z"}"#;

    fn at(second: i64) -> Timestamp {
        Timestamp::from_second(second).unwrap()
    }

    #[test]
    fn a_well_signed_fresh_callback_is_read() {
        let signature = sign_callback(SECRET, "1748772000", BODY);
        let event = verify_callback(SECRET, "1748772000", &signature, BODY, at(1_748_772_010)).unwrap();
        assert_eq!(event.payment.status, Status::Failed);
        assert_eq!(event.payment.failure_reason.as_deref(), Some("card declined"));
        assert_eq!(event.event_id, "evt_1");
    }

    #[test]
    fn tampering_wrong_secrets_and_old_or_odd_timestamps_are_refused() {
        let signature = sign_callback(SECRET, "1748772000", BODY);
        let tampered = String::from_utf8(BODY.to_vec()).unwrap().replace("500000", "5000000");
        assert!(matches!(verify_callback(SECRET, "1748772000", &signature, tampered.as_bytes(), at(1_748_772_000)), Err(GatewayError::BadSignature)));
        assert!(matches!(verify_callback("other", "1748772000", &signature, BODY, at(1_748_772_000)), Err(GatewayError::BadSignature)));
        assert!(matches!(verify_callback(SECRET, "1748772001", &signature, BODY, at(1_748_772_000)), Err(GatewayError::BadSignature)));
        assert!(matches!(verify_callback(SECRET, "1748772000", "zz", BODY, at(1_748_772_000)), Err(GatewayError::BadSignature)));
        assert!(matches!(
            verify_callback(SECRET, "1748772000", &signature, BODY, at(1_748_772_301)),
            Err(GatewayError::StaleTimestamp { signed_at: 1_748_772_000, now: 1_748_772_301 })
        ));
        assert!(matches!(verify_callback(SECRET, "soon", &signature, BODY, at(1_748_772_000)), Err(GatewayError::MalformedTimestamp(_))));
    }

    #[test]
    fn a_signed_body_that_is_not_an_event_is_malformed_json() {
        let signature = sign_callback(SECRET, "1748772000", b"{\"status\":1}");
        assert!(matches!(verify_callback(SECRET, "1748772000", &signature, b"{\"status\":1}", at(1_748_772_000)), Err(GatewayError::MalformedJson(_))));
    }

    #[test]
    fn base_urls_must_be_absolute_http_and_keep_their_path() {
        assert!(matches!(GatewayClient::new("ftp://x", "m", "s"), Err(GatewayError::InvalidBaseUrl { .. })));
        assert!(matches!(GatewayClient::new("/relative", "m", "s"), Err(GatewayError::InvalidBaseUrl { .. })));
        assert!(matches!(GatewayClient::new("http://x/?q=1", "m", "s"), Err(GatewayError::InvalidBaseUrl { .. })));
        let client = GatewayClient::new("http://gw.example/prefix/", "m", "s").unwrap();
        assert_eq!(client.endpoint(&["v1", "payments", "a/b c"]).unwrap().as_str(), "http://gw.example/prefix/v1/payments/a%2Fb%20c");
        let client = GatewayClient::new("http://gw.example", "m", "top-secret-value").unwrap();
        assert_eq!(client.endpoint(&["v1", "payments"]).unwrap().as_str(), "http://gw.example/v1/payments");
        assert!(!format!("{client:?}").contains("top-secret-value"));
    }

    #[test]
    fn error_answers_keep_the_gateways_words() {
        let e = status_error(409, br#"{"code":"conflict","message":"amount differs"}"#);
        assert!(matches!(e, GatewayError::Status { status: 409, ref code, ref message } if code == "conflict" && message == "amount differs"));
        let e = status_error(502, b"Bad Gateway\n");
        assert!(matches!(e, GatewayError::Status { status: 502, ref code, ref message } if code.is_empty() && message == "Bad Gateway"));
    }
}
