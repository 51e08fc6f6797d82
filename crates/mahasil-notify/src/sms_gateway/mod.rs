//! SMS through an HTTP SMS gateway. [`SmsGateway`] makes each request from the configured
//! templates, sends it with the idempotency key, and judges the answer:
//!
//! | what happened | outcome |
//! |---|---|
//! | a success status, the success rule holds, the provider id found | `Accepted` |
//! | a success status, JSON, but the success rule's value differs | `Permanent` (the gateway read the message and said no) |
//! | a success status, but the answer is not JSON, or lacks the rule's value or the provider id | `Retryable` (see below) |
//! | 408, 425, 429, any 5xx | `Retryable` |
//! | any other status (400 invalid number, 401, 404, 409, ...) | `Permanent` |
//! | timeout, refused or broken connection | `Retryable` |
//! | an invalid number, an empty or overlong text | `Permanent`, before any request |
//!
//! A malformed answer to a success status is retryable: the gateway may or may not have
//! taken the message, and a resend carries the same idempotency key, so a gateway that did
//! take it answers with the same message id instead of sending twice. Calling it permanent
//! would risk a legal notice never going out over a glitch in an answer.
//!
//! - `config`: [`SmsGatewayConfig`], as written in the configuration file;
//! - `request_template`: the `{to}`/`{text}` fields and how each is encoded;
//! - `report`: the signed delivery reports the gateway POSTs back.

mod config;
mod report;
mod request_template;

use std::time::Duration;

use mahasil_domain::identity::Mobile;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};

pub use self::config::{
    DEFAULT_TIMEOUT_MS, HttpMethod, MAX_HEADERS, MAX_TIMEOUT_MS, NumberFormat, SANDBOX_BODY, SANDBOX_SEND_PATH, SmsGatewayConfig, SuccessRule,
};
pub use self::report::{DeliveryReport, DeliveryStatus, MAX_REPORT_BYTES, parse_delivery_report, verify_delivery_report};
use self::request_template::{Encoding, RequestTemplate, Values};
use crate::outcome::{IdempotencyKey, SendOutcome, judge_http_status, judge_network_error};
use crate::signing::IDEMPOTENCY_KEY_HEADER;
use crate::sms_length;
use crate::{NotifyError, Result};

/// Most parts one SMS may take; a longer text is refused before sending, as a template
/// that produces it needs shortening, not retrying.
pub const MAX_SMS_PARTS: usize = 8;
/// Largest gateway answer read, in bytes.
pub const MAX_RESPONSE_BYTES: usize = 64 * 1024;
/// Longest wait for a connection, in milliseconds (less when the whole timeout is less).
const CONNECT_TIMEOUT_MS: u64 = 5_000;
/// How much of an unexpected answer is quoted in an outcome's reason, in characters.
const QUOTED_ANSWER_CHARS: usize = 120;

/// A client for one SMS gateway.
#[derive(Debug, Clone)]
pub struct SmsGateway {
    config: SmsGatewayConfig,
    url: RequestTemplate,
    body: Option<RequestTemplate>,
    headers: HeaderMap,
    http: reqwest::Client,
}

impl SmsGateway {
    /// Checks `config` (templates, headers, pointers, limits) and makes the client.
    pub fn new(config: SmsGatewayConfig) -> Result<Self> {
        config.check()?;
        let url = RequestTemplate::parse("url", &config.url, Encoding::Percent)?;
        let encoding = Encoding::for_content_type(&config.content_type);
        let body = config.body.as_deref().map(|b| RequestTemplate::parse("body", b, encoding)).transpose()?;
        let mut headers = HeaderMap::new();
        for (name, value) in &config.headers {
            let name = HeaderName::try_from(name.as_str()).map_err(|_| NotifyError::config("headers", format!("{name:?} is not a header name")))?;
            let mut value =
                HeaderValue::try_from(value.as_str()).map_err(|_| NotifyError::config("headers", format!("the value of {name} is not a header value")))?;
            value.set_sensitive(true);
            headers.insert(name, value);
        }
        if body.is_some() {
            let content_type = HeaderValue::try_from(config.content_type.as_str()).map_err(|_| NotifyError::config("content_type", "is not a header value"))?;
            headers.insert(CONTENT_TYPE, content_type);
        }
        let timeout = Duration::from_millis(config.timeout_ms);
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_millis(CONNECT_TIMEOUT_MS)))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(NotifyError::HttpClient)?;
        Ok(Self { config, url, body, headers, http })
    }

    pub fn config(&self) -> &SmsGatewayConfig {
        &self.config
    }

    /// Sends `text` to the mobile number `to` (any form [`Mobile::parse`] takes). Every
    /// attempt for one message must pass the same `idempotency_key`.
    pub async fn send(&self, to: &str, text: &str, idempotency_key: &IdempotencyKey) -> SendOutcome {
        let mobile = match Mobile::parse(to) {
            Ok(mobile) => mobile,
            Err(e) => return SendOutcome::permanent(format!("invalid mobile number: {e}")),
        };
        if let Some(refusal) = refuse_text(text) {
            return refusal;
        }
        let number = match self.config.to_format {
            NumberFormat::E164 => mobile.as_str().to_string(),
            NumberFormat::Digits => mobile.as_str().trim_start_matches('+').to_string(),
        };
        let values =
            Values { to: &number, text, idempotency_key: idempotency_key.as_str(), callback_url: self.config.callback_url.as_deref().unwrap_or_default() };
        let url = self.url.fill(&values);
        let method = match self.config.method {
            HttpMethod::Get => reqwest::Method::GET,
            HttpMethod::Post => reqwest::Method::POST,
            HttpMethod::Put => reqwest::Method::PUT,
        };
        let mut request = self.http.request(method, &url).headers(self.headers.clone()).header(IDEMPOTENCY_KEY_HEADER, idempotency_key.as_str());
        if let Some(body) = &self.body {
            request = request.body(body.fill(&values));
        }
        let mut response = match request.send().await {
            Ok(response) => response,
            Err(e) => return judge_network_error(&e, "the SMS gateway", self.config.timeout_ms),
        };
        let status = response.status().as_u16();
        let mut answer = Vec::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) if answer.len() + chunk.len() > MAX_RESPONSE_BYTES => {
                    return SendOutcome::retryable(format!("the SMS gateway's answer to {status} is larger than {MAX_RESPONSE_BYTES} bytes"));
                }
                Ok(Some(chunk)) => answer.extend_from_slice(&chunk),
                Ok(None) => break,
                Err(e) => return judge_network_error(&e, "the SMS gateway", self.config.timeout_ms),
            }
        }
        let outcome = judge_answer(&self.config, status, &answer, idempotency_key);
        tracing::debug!(status, idempotency_key = %idempotency_key, ?outcome, "SMS gateway answered");
        outcome
    }
}

/// A text no gateway should be asked to send.
fn refuse_text(text: &str) -> Option<SendOutcome> {
    if text.trim().is_empty() {
        return Some(SendOutcome::permanent("the SMS text is empty"));
    }
    let length = sms_length::measure(text);
    (length.parts > MAX_SMS_PARTS).then(|| SendOutcome::permanent(format!("the SMS needs {} parts; at most {MAX_SMS_PARTS} are sent", length.parts)))
}

/// Judges the gateway's answer (the table in the module documentation).
fn judge_answer(config: &SmsGatewayConfig, status: u16, answer: &[u8], key: &IdempotencyKey) -> SendOutcome {
    let quoted: String = String::from_utf8_lossy(answer).chars().take(QUOTED_ANSWER_CHARS).collect();
    if !config.success.statuses.contains(&status) {
        return judge_http_status(status, "the SMS gateway", quoted.trim());
    }
    let needs_json = config.success.pointer.is_some() || config.provider_id_pointer.is_some();
    if !needs_json {
        return SendOutcome::Accepted { provider_id: key.as_str().to_string() };
    }
    let Ok(json) = serde_json::from_slice::<serde_json::Value>(answer) else {
        return SendOutcome::retryable(format!("malformed answer to {status} from the SMS gateway (not JSON): {quoted}"));
    };
    if let (Some(pointer), Some(expected)) = (&config.success.pointer, &config.success.equals) {
        match json.pointer(pointer) {
            None => return SendOutcome::retryable(format!("malformed answer to {status} from the SMS gateway: no {pointer} in {quoted}")),
            Some(found) if found != expected => {
                return SendOutcome::permanent(format!("the SMS gateway refused the message: {pointer} is {found}, not {expected}: {quoted}"));
            }
            Some(_) => {}
        }
    }
    let Some(pointer) = &config.provider_id_pointer else {
        return SendOutcome::Accepted { provider_id: key.as_str().to_string() };
    };
    match json.pointer(pointer) {
        Some(serde_json::Value::String(id)) if !id.is_empty() => SendOutcome::Accepted { provider_id: id.clone() },
        Some(serde_json::Value::Number(id)) => SendOutcome::Accepted { provider_id: id.to_string() },
        _ => SendOutcome::retryable(format!("malformed answer to {status} from the SMS gateway: no message id at {pointer} in {quoted}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judge(status: u16, answer: &str) -> SendOutcome {
        let config = SmsGatewayConfig::sandbox("http://127.0.0.1:1", None);
        let key = IdempotencyKey::parse("k-1").unwrap_or_else(|_| IdempotencyKey::from_uuid(uuid::Uuid::nil()));
        judge_answer(&config, status, answer.as_bytes(), &key)
    }

    #[test]
    fn answers_are_judged_as_documented() {
        assert_eq!(judge(200, r#"{"status":"accepted","message_id":"sms_1"}"#), SendOutcome::Accepted { provider_id: "sms_1".into() });
        assert_eq!(judge(202, r#"{"status":"accepted","message_id":42}"#), SendOutcome::Accepted { provider_id: "42".into() });
        assert!(judge(200, r#"{"status":"rejected","message_id":"sms_1"}"#).is_permanent());
        assert!(judge(200, "<html>oops</html>").is_retryable());
        assert!(judge(200, r#"{"message_id":"sms_1"}"#).is_retryable());
        assert!(judge(200, r#"{"status":"accepted"}"#).is_retryable());
        assert!(judge(503, "busy").is_retryable());
        assert!(judge(429, "").is_retryable());
        assert!(judge(400, r#"{"error":"invalid_number"}"#).is_permanent());
        assert!(judge(401, "").is_permanent());
    }

    #[test]
    fn without_pointers_any_success_status_is_accepted_under_the_key() {
        let config = SmsGatewayConfig { success: SuccessRule::default(), provider_id_pointer: None, ..SmsGatewayConfig::sandbox("http://h", None) };
        let key = IdempotencyKey::from_uuid(uuid::Uuid::nil());
        assert_eq!(judge_answer(&config, 200, b"OK", &key), SendOutcome::Accepted { provider_id: key.as_str().into() });
    }

    #[test]
    fn empty_and_overlong_texts_are_refused_before_sending() {
        assert!(refuse_text("  ").is_some_and(|o| o.is_permanent()));
        assert!(refuse_text(&"ب".repeat(67 * MAX_SMS_PARTS)).is_none());
        assert!(refuse_text(&"ب".repeat(67 * MAX_SMS_PARTS + 1)).is_some_and(|o| o.is_permanent()));
    }
}
