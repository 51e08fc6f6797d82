//! Webhooks: a JSON [`WebhookEvent`] POSTed to a receiver's URL, signed with the
//! receiver's secret (headers `X-Mahasil-Timestamp` and `X-Mahasil-Signature`, see
//! [`crate::signing`]) and carrying `Idempotency-Key`, the event's id. A 2xx answer is
//! `Accepted`; 408, 425, 429, 5xx, timeouts and connection failures are `Retryable`; any
//! other answer is `Permanent`. A receiver checks an event with [`verify_webhook`].

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use jiff::Timestamp;
use reqwest::header::CONTENT_TYPE;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use crate::outcome::{IdempotencyKey, SendOutcome, judge_http_status, judge_network_error};
use crate::signing::{IDEMPOTENCY_KEY_HEADER, WEBHOOK_SIGNATURE_HEADER, WEBHOOK_TIMESTAMP_HEADER, check_signed, sign};
use crate::template::{Facts, Language, MessageKind};
use crate::{NotifyError, Result};

/// Default time one POST may take, connection included, in milliseconds.
pub const DEFAULT_WEBHOOK_TIMEOUT_MS: u64 = 10_000;
/// Longest time one POST may be given, in milliseconds.
pub const MAX_WEBHOOK_TIMEOUT_MS: u64 = 120_000;
/// Largest event a receiver reads, in bytes.
pub const MAX_WEBHOOK_BYTES: usize = 64 * 1024;
/// How much of a receiver's refusal is quoted in the outcome, in characters.
const QUOTED_ANSWER_CHARS: usize = 120;

/// One webhook receiver.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookConfig {
    pub url: String,
    /// The secret shared with the receiver, which signs every event.
    pub secret: SecretString,
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u64,
}

fn default_timeout_ms() -> u64 {
    DEFAULT_WEBHOOK_TIMEOUT_MS
}

impl fmt::Debug for WebhookConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookConfig").field("url", &self.url).field("timeout_ms", &self.timeout_ms).finish_non_exhaustive()
    }
}

/// The JSON body of a webhook POST.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookEvent {
    /// The message's idempotency key: the same on every attempt.
    pub event_id: IdempotencyKey,
    pub kind: MessageKind,
    pub language: Language,
    /// The printed challan number.
    pub challan_no: String,
    /// The rendered webhook template.
    pub text: String,
    /// Every placeholder of this kind of message with its value, by name.
    pub fields: BTreeMap<String, String>,
    /// When the event was signed; the signature's timestamp.
    pub sent_at: Timestamp,
}

impl WebhookEvent {
    /// The event for a message of `kind` about `facts`, whose rendered text is `text`.
    pub fn new(event_id: IdempotencyKey, kind: MessageKind, language: Language, facts: &Facts, text: String, sent_at: Timestamp) -> Result<Self> {
        Ok(Self { event_id, kind, language, challan_no: facts.challan_no.to_string(), text, fields: facts.fields(kind, language)?, sent_at })
    }
}

/// POSTs events to one receiver.
#[derive(Clone)]
pub struct WebhookSender {
    config: WebhookConfig,
    http: reqwest::Client,
}

impl fmt::Debug for WebhookSender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookSender").field("config", &self.config).finish_non_exhaustive()
    }
}

impl WebhookSender {
    pub fn new(config: WebhookConfig) -> Result<Self> {
        if !(config.url.starts_with("http://") || config.url.starts_with("https://")) {
            return Err(NotifyError::config("url", "must be an http:// or https:// URL"));
        }
        if config.timeout_ms == 0 || config.timeout_ms > MAX_WEBHOOK_TIMEOUT_MS {
            return Err(NotifyError::config("timeout_ms", format!("must be 1 to {MAX_WEBHOOK_TIMEOUT_MS}")));
        }
        if config.secret.expose_secret().is_empty() {
            return Err(NotifyError::config("secret", "must not be empty"));
        }
        let http = reqwest::Client::builder()
            .timeout(Duration::from_millis(config.timeout_ms))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(NotifyError::HttpClient)?;
        Ok(Self { config, http })
    }

    /// The receiver's URL.
    pub fn url(&self) -> &str {
        &self.config.url
    }

    /// POSTs `event`, signed at its `sent_at`.
    pub async fn send(&self, event: &WebhookEvent) -> SendOutcome {
        let body = match serde_json::to_vec(event) {
            Ok(body) => body,
            Err(e) => return SendOutcome::permanent(format!("cannot write the event: {e}")),
        };
        let timestamp = event.sent_at.as_second().to_string();
        let signature = sign(self.config.secret.expose_secret(), &timestamp, &body);
        let sent = self
            .http
            .post(&self.config.url)
            .header(CONTENT_TYPE, "application/json")
            .header(WEBHOOK_TIMESTAMP_HEADER, &timestamp)
            .header(WEBHOOK_SIGNATURE_HEADER, signature)
            .header(IDEMPOTENCY_KEY_HEADER, event.event_id.as_str())
            .body(body)
            .send()
            .await;
        let response = match sent {
            Ok(response) => response,
            Err(e) => return judge_network_error(&e, "the webhook receiver", self.config.timeout_ms),
        };
        let status = response.status().as_u16();
        if response.status().is_success() {
            return SendOutcome::Accepted { provider_id: event.event_id.to_string() };
        }
        // Only the start of a refusal is worth quoting; a receiver's error page can be long.
        let quoted: String = response.text().await.unwrap_or_default().chars().take(QUOTED_ANSWER_CHARS).collect();
        judge_http_status(status, "the webhook receiver", quoted.trim())
    }
}

/// Checks an event a receiver got and reads it: `timestamp` and `signature` are the values
/// of `X-Mahasil-Timestamp` and `X-Mahasil-Signature`, `body` the exact bytes received,
/// `now` the receiver's clock. The same `event_id` may come more than once.
pub fn verify_webhook(secret: &str, timestamp: &str, signature: &str, body: &[u8], now: Timestamp) -> Result<WebhookEvent> {
    if body.len() > MAX_WEBHOOK_BYTES {
        return Err(NotifyError::BodyTooLarge { limit_bytes: MAX_WEBHOOK_BYTES });
    }
    check_signed(secret, timestamp, signature, body, now)?;
    serde_json::from_slice(body).map_err(NotifyError::MalformedJson)
}
