//! [`SmsGatewayConfig`]: how to talk to one HTTP SMS gateway, as it is written in the
//! configuration file, and its checks. README.md has an example.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{NotifyError, Result};

/// Default time one send may take, connection included, in milliseconds.
pub const DEFAULT_TIMEOUT_MS: u64 = 10_000;
/// Longest time one send may be given, in milliseconds.
pub const MAX_TIMEOUT_MS: u64 = 120_000;
/// Most extra headers a configuration may set.
pub const MAX_HEADERS: usize = 32;

/// The HTTP method of a send.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum HttpMethod {
    Get,
    #[default]
    Post,
    Put,
}

/// How the recipient's number is written into `{to}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NumberFormat {
    /// `+923001234567`.
    #[default]
    E164,
    /// `923001234567`, for gateways that want digits only.
    Digits,
}

/// When an answer means the gateway took the message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SuccessRule {
    /// HTTP statuses that may mean success.
    #[serde(default = "default_statuses")]
    pub statuses: Vec<u16>,
    /// A JSON pointer (RFC 6901, e.g. `/status`) into the answer whose value must be
    /// [`SuccessRule::equals`]; both or neither.
    #[serde(default)]
    pub pointer: Option<String>,
    #[serde(default)]
    pub equals: Option<serde_json::Value>,
}

fn default_statuses() -> Vec<u16> {
    vec![200, 201, 202]
}

impl Default for SuccessRule {
    fn default() -> Self {
        Self { statuses: default_statuses(), pointer: None, equals: None }
    }
}

/// One HTTP SMS gateway. The request is made from templates with the fields `{to}`,
/// `{text}`, `{idempotency_key}` and `{callback_url}`: in `url` (percent-encoded) and in
/// `body` (encoded for `content_type`). Every request also carries the header
/// `Idempotency-Key`.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmsGatewayConfig {
    pub url: String,
    #[serde(default)]
    pub method: HttpMethod,
    /// Extra request headers, e.g. `Authorization`. Their values are never logged.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// The body template; none for a gateway that takes everything in the URL.
    #[serde(default)]
    pub body: Option<String>,
    #[serde(default = "default_content_type")]
    pub content_type: String,
    #[serde(default)]
    pub success: SuccessRule,
    /// JSON pointer to the gateway's id for the message in a successful answer. Without it
    /// the idempotency key stands for the provider id.
    #[serde(default)]
    pub provider_id_pointer: Option<String>,
    /// Where the gateway should POST delivery reports, written into `{callback_url}`.
    #[serde(default)]
    pub callback_url: Option<String>,
    #[serde(default)]
    pub to_format: NumberFormat,
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u64,
}

fn default_content_type() -> String {
    "application/json".into()
}

fn default_timeout_ms() -> u64 {
    DEFAULT_TIMEOUT_MS
}

/// Header values can hold credentials, so they are not shown.
impl fmt::Debug for SmsGatewayConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmsGatewayConfig")
            .field("url", &self.url)
            .field("method", &self.method)
            .field("headers", &self.headers.keys().collect::<Vec<_>>())
            .field("body", &self.body)
            .field("content_type", &self.content_type)
            .field("success", &self.success)
            .field("provider_id_pointer", &self.provider_id_pointer)
            .field("callback_url", &self.callback_url)
            .field("to_format", &self.to_format)
            .field("timeout_ms", &self.timeout_ms)
            .finish()
    }
}

/// The body the sandbox gateway takes (and a good shape for a gateway of one's own).
pub const SANDBOX_BODY: &str = r#"{"to":"{to}","text":"{text}","idempotency_key":"{idempotency_key}","callback_url":"{callback_url}"}"#;
/// The sandbox gateway's send path.
pub const SANDBOX_SEND_PATH: &str = "/v1/messages";

impl SmsGatewayConfig {
    /// The configuration that speaks to a sandbox gateway at `base_url` (no trailing
    /// slash), with delivery reports sent to `callback_url`.
    pub fn sandbox(base_url: &str, callback_url: Option<String>) -> Self {
        Self {
            url: format!("{base_url}{SANDBOX_SEND_PATH}"),
            method: HttpMethod::Post,
            headers: BTreeMap::new(),
            body: Some(SANDBOX_BODY.into()),
            content_type: default_content_type(),
            success: SuccessRule { statuses: default_statuses(), pointer: Some("/status".into()), equals: Some(serde_json::Value::String("accepted".into())) },
            provider_id_pointer: Some("/message_id".into()),
            callback_url,
            to_format: NumberFormat::E164,
            timeout_ms: DEFAULT_TIMEOUT_MS,
        }
    }

    /// The checks that do not need the templates parsed: statuses, pointers, limits.
    pub(crate) fn check(&self) -> Result<()> {
        if !(self.url.starts_with("http://") || self.url.starts_with("https://")) {
            return Err(NotifyError::config("url", "must be an http:// or https:// URL"));
        }
        if self.timeout_ms == 0 || self.timeout_ms > MAX_TIMEOUT_MS {
            return Err(NotifyError::config("timeout_ms", format!("must be 1 to {MAX_TIMEOUT_MS}")));
        }
        if self.headers.len() > MAX_HEADERS {
            return Err(NotifyError::config("headers", format!("at most {MAX_HEADERS}")));
        }
        if self.success.statuses.is_empty() || self.success.statuses.iter().any(|s| !(100..=599).contains(s)) {
            return Err(NotifyError::config("success.statuses", "must list HTTP statuses from 100 to 599"));
        }
        if self.success.pointer.is_some() != self.success.equals.is_some() {
            return Err(NotifyError::config("success", "pointer and equals go together"));
        }
        for (field, pointer) in [("success.pointer", &self.success.pointer), ("provider_id_pointer", &self.provider_id_pointer)] {
            if pointer.as_deref().is_some_and(|p| !p.starts_with('/')) {
                return Err(NotifyError::config(field, "a JSON pointer starts with /"));
            }
        }
        if self.method == HttpMethod::Get && self.body.is_some() {
            return Err(NotifyError::config("body", "a GET request has no body; put the fields in the url"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sandbox_configuration_passes_its_checks() {
        assert!(SmsGatewayConfig::sandbox("http://127.0.0.1:8091", None).check().is_ok());
    }

    #[test]
    fn wrong_values_are_named() {
        let good = SmsGatewayConfig::sandbox("http://127.0.0.1:8091", None);
        let field = |config: SmsGatewayConfig| match config.check() {
            Err(NotifyError::InvalidConfig { field, .. }) => field,
            _ => "",
        };
        assert_eq!(field(SmsGatewayConfig { url: "ftp://x".into(), ..good.clone() }), "url");
        assert_eq!(field(SmsGatewayConfig { timeout_ms: 0, ..good.clone() }), "timeout_ms");
        assert_eq!(field(SmsGatewayConfig { timeout_ms: MAX_TIMEOUT_MS + 1, ..good.clone() }), "timeout_ms");
        assert_eq!(field(SmsGatewayConfig { success: SuccessRule { statuses: vec![], ..SuccessRule::default() }, ..good.clone() }), "success.statuses");
        assert_eq!(field(SmsGatewayConfig { success: SuccessRule { pointer: Some("/a".into()), ..SuccessRule::default() }, ..good.clone() }), "success");
        assert_eq!(field(SmsGatewayConfig { provider_id_pointer: Some("id".into()), ..good.clone() }), "provider_id_pointer");
        assert_eq!(field(SmsGatewayConfig { method: HttpMethod::Get, ..good.clone() }), "body");
    }

    #[test]
    fn header_values_stay_out_of_debug_output() {
        let mut config = SmsGatewayConfig::sandbox("http://127.0.0.1:8091", None);
        config.headers.insert("Authorization".into(), "Bearer very-secret".into());
        let shown = format!("{config:?}");
        assert!(shown.contains("Authorization"));
        assert!(!shown.contains("very-secret"));
    }
}
