//! The JSON that mahasil (the merchant) and the gateway exchange, shared by the client and
//! the sandbox so the two sides cannot drift apart. README.md describes each message.

use std::collections::BTreeMap;
use std::fmt;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// Longest `merchant_reference`, in characters.
pub const MAX_MERCHANT_REFERENCE_CHARS: usize = 64;
/// Longest `description`, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 200;
/// Longest `return_url` or `callback_url`, in bytes.
pub const MAX_URL_BYTES: usize = 2048;
/// Largest amount of one payment: PKR 10 billion, in paisa (the ceiling of any one amount in
/// mahasil, so every challan can be paid and a typing error cannot).
pub const MAX_AMOUNT_PAISA: i64 = 1_000_000_000_000;
/// Largest request body the gateway reads, in bytes.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// `POST /v1/payments`: the merchant asks the gateway to collect an amount.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatePayment {
    /// The merchant's own id for what is paid (mahasil: the challan number). One payment per
    /// reference: asking again with the same amount returns the same payment.
    pub merchant_reference: String,
    /// Positive, at most [`MAX_AMOUNT_PAISA`].
    pub amount_paisa: i64,
    /// Shown to the payer on the hosted page; at most [`MAX_DESCRIPTION_CHARS`] characters.
    pub description: String,
    /// Where the payer's browser is sent back to, with `payment_id` and `status` appended.
    pub return_url: String,
    /// Where the gateway POSTs signed status events.
    pub callback_url: String,
}

/// The answer to `POST /v1/payments`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedPayment {
    pub payment_id: String,
    /// The hosted payment page to send the payer to.
    pub redirect_url: String,
    /// `pending` for a new payment; the current status when the same payment is asked for again.
    pub status: Status,
}

/// Where a payment stands. `succeeded` is final; `failed` is final except for a late success
/// (the issuer's approval arriving after the gateway had given up), which turns it into
/// `succeeded`. Nothing ever turns `succeeded` into anything else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pending,
    Succeeded,
    Failed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `GET /v1/payments/{payment_id}`: the truth about one payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentStatus {
    pub payment_id: String,
    pub merchant_reference: String,
    pub amount_paisa: i64,
    pub status: Status,
    /// When the payment succeeded (only when `succeeded`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paid_at: Option<Timestamp>,
    /// Why the payment failed (only when `failed`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_reason: Option<String>,
    /// The gateway's own reference of the card transaction, once a card was tried.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway_reference: Option<String>,
}

/// What the gateway POSTs to `callback_url` after each status change: the payment as it
/// stood at that change, the event's id (the same on every delivery of one event) and
/// when this delivery was sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallbackEvent {
    #[serde(flatten)]
    pub payment: PaymentStatus,
    pub event_id: String,
    pub sent_at: Timestamp,
}

/// The body of every error answer of the merchant API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// Stable machine-readable code: `unauthorized`, `bad_request`, `invalid`, `not_found`,
    /// `conflict`, `too_large`, `unavailable`.
    pub code: String,
    /// What went wrong, for a person.
    pub message: String,
    /// Per-field problems, keyed by the field's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fields: Option<BTreeMap<String, String>>,
}

#[cfg(test)]
mod tests {
    #![expect(clippy::unwrap_used, reason = "a test fails loudly")]

    use super::*;

    #[test]
    fn optional_fields_are_left_out_and_read_back() {
        let status = PaymentStatus {
            payment_id: "pay_1".into(),
            merchant_reference: "000001-00000001-5".into(),
            amount_paisa: 500_000,
            status: Status::Pending,
            paid_at: None,
            failure_reason: None,
            gateway_reference: None,
        };
        let json = serde_json::to_value(&status).unwrap();
        assert_eq!(json, serde_json::json!({"payment_id": "pay_1", "merchant_reference": "000001-00000001-5", "amount_paisa": 500_000, "status": "pending"}));
        assert_eq!(serde_json::from_value::<PaymentStatus>(json).unwrap(), status);
    }

    #[test]
    fn a_callback_event_is_the_payment_plus_event_id_and_sent_at() {
        let body = r#"{"payment_id":"pay_1","merchant_reference":"r","amount_paisa":100,"status":"succeeded",
            "paid_at":"2025-01-02T03:04:05Z","gateway_reference":"gw_1","event_id":"evt_1","sent_at":"2025-01-02T03:04:06Z"}"#;
        let event: CallbackEvent = serde_json::from_str(body).unwrap();
        assert_eq!(event.payment.status, Status::Succeeded);
        assert_eq!(event.payment.paid_at, Some("2025-01-02T03:04:05Z".parse().unwrap()));
        assert_eq!(event.event_id, "evt_1");
    }
}
