//! Delivery reports: what the SMS gateway POSTs to the callback URL once it knows whether a
//! message reached the phone. The body is JSON:
//!
//! ```json
//! {"provider_id":"sms_0190…","idempotency_key":"0190…","status":"delivered","reason":null,"at":"2026-12-01T10:00:05Z"}
//! ```
//!
//! `status` is `delivered`, `failed` or `expired`; `reason` says why when it is not
//! delivered. The POST is signed as [`crate::signing`] describes, with the headers
//! `X-Sms-Timestamp` and `X-Sms-Signature` and the secret shared with the gateway.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::outcome::IdempotencyKey;
use crate::signing::check_signed;
use crate::{NotifyError, Result};

/// Largest delivery report read, in bytes.
pub const MAX_REPORT_BYTES: usize = 16 * 1024;

/// Where a message ended up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryStatus {
    /// The phone has it: the legal proof of notice.
    Delivered,
    /// The network gave up (number off the network, barred, ...).
    Failed,
    /// The phone stayed unreachable for the network's whole validity period.
    Expired,
}

impl DeliveryStatus {
    /// The word the report says it with.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Delivered => "delivered",
            Self::Failed => "failed",
            Self::Expired => "expired",
        }
    }
}

/// One delivery report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryReport {
    /// The gateway's id for the message, as returned when it was accepted.
    pub provider_id: String,
    /// The key the message was sent with.
    pub idempotency_key: IdempotencyKey,
    pub status: DeliveryStatus,
    /// Why it was not delivered, in the gateway's words.
    #[serde(default)]
    pub reason: Option<String>,
    /// When the network reported it.
    pub at: Timestamp,
}

/// Reads a delivery report body, without checking any signature.
pub fn parse_delivery_report(body: &[u8]) -> Result<DeliveryReport> {
    if body.len() > MAX_REPORT_BYTES {
        return Err(NotifyError::BodyTooLarge { limit_bytes: MAX_REPORT_BYTES });
    }
    serde_json::from_slice(body).map_err(NotifyError::MalformedJson)
}

/// Checks a delivery report POSTed to the callback URL and reads it: `timestamp` and
/// `signature` are the values of the `X-Sms-Timestamp` and `X-Sms-Signature` headers,
/// `body` the exact bytes received, `now` the receiver's clock. A report may come more than
/// once; recording it must be idempotent.
pub fn verify_delivery_report(secret: &str, timestamp: &str, signature: &str, body: &[u8], now: Timestamp) -> Result<DeliveryReport> {
    if body.len() > MAX_REPORT_BYTES {
        return Err(NotifyError::BodyTooLarge { limit_bytes: MAX_REPORT_BYTES });
    }
    check_signed(secret, timestamp, signature, body, now)?;
    parse_delivery_report(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signing::sign;

    const BODY: &[u8] = br#"{"provider_id":"sms_1","idempotency_key":"k-1","status":"failed","reason":"absent subscriber","at":"2026-12-01T10:00:05Z"}"#;

    #[test]
    fn a_signed_report_is_read() -> Result<()> {
        let now: Timestamp = "2026-12-01T10:00:06Z".parse().map_err(|_| NotifyError::BadSignature)?;
        let timestamp = now.as_second().to_string();
        let report = verify_delivery_report("s", &timestamp, &sign("s", &timestamp, BODY), BODY, now)?;
        assert_eq!(report.status, DeliveryStatus::Failed);
        assert_eq!(report.reason.as_deref(), Some("absent subscriber"));
        assert_eq!(report.idempotency_key.as_str(), "k-1");
        Ok(())
    }

    #[test]
    fn unknown_statuses_and_huge_bodies_are_refused() {
        assert!(matches!(
            parse_delivery_report(br#"{"provider_id":"a","idempotency_key":"k","status":"lost","at":"2026-12-01T10:00:05Z"}"#),
            Err(NotifyError::MalformedJson(_))
        ));
        assert!(matches!(parse_delivery_report(&vec![b' '; MAX_REPORT_BYTES + 1]), Err(NotifyError::BodyTooLarge { .. })));
        assert!(parse_delivery_report(br#"{"provider_id":"a","idempotency_key":"k","status":"delivered","at":"2026-12-01T10:00:05Z"}"#).is_ok());
    }
}
