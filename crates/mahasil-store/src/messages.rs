//! The notification outbox (DESIGN.md, "Notifications"): what the store keeps about each
//! message to send, what the sending workers claim and report back, and the limits of it
//! all. The SQL lives in `sqlite/messages.rs` and `postgres/messages.rs`.
//!
//! How a message lives:
//!
//! 1. **queued**: written in the transaction of its cause. A challan event's messages are
//!    written by a trigger on `challan_events` (migration 0013 of each backend) following
//!    [`EVENT_MESSAGES`], so no code path that appends an event can forget them; due-date
//!    reminders and overdue notices are queued by [`crate::Storage::enqueue_scheduled`].
//!    One message per cause, channel and recipient, however often the cause is seen.
//! 2. **sending**: a worker claimed it for a lease ([`crate::Storage::claim_messages`]).
//!    A worker that dies mid-send loses nothing: when the lease runs out the message is
//!    claimed again, with the same idempotency key, which the gateway recognises.
//! 3. the worker's [`MessageOutcome`]: **sent** (with the text as sent, the proof of
//!    notice), back to **queued** for a later attempt, **failed** (attempts used up) or
//!    **undeliverable** (a number or address that can never receive).
//! 4. a delivery report turns **sent** into **delivered** or **failed**; a supervisor may
//!    queue a **failed** message again ([`crate::Storage::retry_message`]).
//!
//! Every change appends a row to the message's history, which is never rewritten. The
//! workers' writes are not in the audit log (they are many, and the history records them);
//! the people's (a retry, a template) are.

mod rules;

use jiff::civil::Time;
use jiff::{SignedDuration, Timestamp};
use mahasil_domain::DomainError;
use mahasil_domain::challan_no::ChallanNo;
use mahasil_domain::notice::{Channel, Language, MessageKind};
use serde::Serialize;
use uuid::Uuid;

pub(crate) use self::rules::{age, audit_json, bounded, check_retry, check_template, check_webhook_url, claim_terms, schedule_pass};

/// Most messages one claim takes; larger limits are cut to this.
pub const MAX_CLAIM_BATCH: u32 = 100;
/// The longest lease a claim may ask for. A lease is a guess at the slowest send; one this
/// long would only keep a crashed worker's messages waiting.
pub const MAX_LEASE: SignedDuration = SignedDuration::from_hours(1);
/// Most messages one list returns ([`crate::Storage::failed_messages`]).
pub const MAX_MESSAGES_PAGE: u32 = 500;
/// The longest reminder notice [`crate::Storage::enqueue_scheduled`] accepts, in days.
pub const MAX_REMIND_BEFORE_DAYS: u32 = 30;
/// How long after its due date a challan still gets its overdue notice, in days. Bounds
/// each scheduling pass to recent due dates (an index range, not every unpaid challan
/// ever), and keeps a database that predates the outbox from noticing years-old challans.
pub const OVERDUE_NOTICE_WINDOW_DAYS: u32 = 30;
/// Most challans one scheduling pass queues messages for, per kind; the next pass takes
/// the rest. Bounds the write transaction on a day when many challans fall due at once.
pub const MAX_SCHEDULED_PER_PASS: u32 = 5_000;
/// Scheduled messages are not sent before this time of day, Pakistan time: reminders fall
/// due when the date turns at midnight, and an official SMS at midnight is no kindness.
pub const SCHEDULED_SEND_FROM: Time = Time::constant(9, 0, 0, 0);
/// Longest reason or detail kept (longer ones are cut): gateway errors can be whole pages.
pub const MAX_DETAIL_CHARS: usize = 1_000;
/// Longest provider id accepted (a gateway's message id, an email's Message-ID).
pub const MAX_PROVIDER_ID_CHARS: usize = 256;
/// Longest webhook receiver URL kept (it is each webhook message's recipient).
pub const MAX_WEBHOOK_URL_CHARS: usize = 2_048;
/// Largest rendered message accepted, as JSON. An email from the largest template
/// mahasil-notify accepts (20,000 characters) with its values stays well below it.
pub const MAX_RENDERED_BYTES: usize = 256 * 1024;
/// Largest template source stored. mahasil-notify refuses templates over 20,000
/// characters (80,000 bytes at most in UTF-8); this is only the store's own ceiling.
pub const MAX_TEMPLATE_SOURCE_BYTES: usize = 128 * 1024;
/// Length of a message key: 32 lower-case hex digits.
pub const MESSAGE_KEY_CHARS: usize = 32;

/// The challan events that cause messages, and the kind of message each causes. The
/// `challan_events` trigger (migration 0014 on both backends) implements this table; the
/// conformance suite holds it to it. Each goes to every recipient of the challan (the view
/// `message_recipients` of migration 0014).
/// Overpayments and reversed payments cause none: they concern the bank and the treasury.
pub const EVENT_MESSAGES: [(&str, MessageKind); 8] = [
    ("issued", MessageKind::ChallanIssued),
    ("paid", MessageKind::PaymentReceipt),
    ("cancelled", MessageKind::CancellationDecided),
    ("cancellation_rejected", MessageKind::CancellationDecided),
    ("waived", MessageKind::WaiverDecided),
    ("waiver_rejected", MessageKind::WaiverDecided),
    ("upheld", MessageKind::ContestDecided),
    ("quashed", MessageKind::ContestDecided),
];

/// The kind of message a challan event of `event_kind` causes, if any.
pub fn message_kind_for_event(event_kind: &str) -> Option<MessageKind> {
    EVENT_MESSAGES.iter().find(|(event, _)| *event == event_kind).map(|(_, kind)| *kind)
}

/// The `event_key` of messages caused by the challan event stored with id `event_id`.
pub fn event_key(event_id: i64) -> String {
    format!("event:{event_id}")
}

/// The `event_key` of a challan's due-date reminders.
pub fn reminder_key(challan_no: ChallanNo) -> String {
    format!("reminder:{}", challan_no.digits())
}

/// The `event_key` of a challan's overdue notices.
pub fn overdue_key(challan_no: ChallanNo) -> String {
    format!("overdue:{}", challan_no.digits())
}

/// Where a message is in its life (see the module's documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MessageStatus {
    Queued,
    Sending,
    Sent,
    Delivered,
    Failed,
    Undeliverable,
    /// Not sent, and rightly: a reminder or overdue notice whose challan was settled
    /// (paid, cancelled, contested) between being queued and being sent.
    Skipped,
}

impl MessageStatus {
    pub const ALL: [MessageStatus; 7] = [Self::Queued, Self::Sending, Self::Sent, Self::Delivered, Self::Failed, Self::Undeliverable, Self::Skipped];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Sending => "sending",
            Self::Sent => "sent",
            Self::Delivered => "delivered",
            Self::Failed => "failed",
            Self::Undeliverable => "undeliverable",
            Self::Skipped => "skipped",
        }
    }

    pub fn parse(s: &str) -> Result<Self, DomainError> {
        Self::ALL
            .into_iter()
            .find(|x| x.as_str() == s)
            .ok_or_else(|| DomainError::Invalid { field: "status", reason: format!("{s:?} is not a message status") })
    }
}

impl std::fmt::Display for MessageStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The challan event that caused a message, for the renderer: the decision behind a
/// decision notice is `kind` (`cancelled`, `cancellation_rejected`, `upheld`, `quashed`)
/// with the supervisor's `note`; a receipt's payment is the challan's payment recorded
/// at `at`, and its `note` names the receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CausingEvent {
    pub kind: String,
    pub note: Option<String>,
    pub at: Timestamp,
}

/// A message a worker claimed: it is `sending` until the worker records its outcome or
/// the lease runs out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClaimedMessage {
    pub id: i64,
    /// The idempotency key to send with it: the same on every attempt.
    pub key: String,
    /// `event:<id>`, `reminder:<challan_no>` or `overdue:<challan_no>`.
    pub event_key: String,
    pub challan_id: Uuid,
    pub kind: MessageKind,
    pub channel: Channel,
    /// A mobile number (`+923XXXXXXXXX`) or an email address, as stored on the challan.
    pub recipient: String,
    pub language: Language,
    /// Attempts so far, this one included (1 on the first claim).
    pub attempts: u32,
    /// The event behind an `event:` key; `None` for scheduled messages.
    pub event: Option<CausingEvent>,
}

/// What came of an attempt to send a claimed message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MessageOutcome {
    /// The gateway took it. `provider_id` is its id for the message (delivery reports name
    /// it); `rendered` is the message exactly as sent, a JSON object: `{"text": ...}` for
    /// an SMS or a webhook, `{"subject": ..., "text": ..., "html": ...}` for an email.
    Sent { provider_id: String, rendered: String },
    /// Not taken this time; queued again for `next_attempt_at`.
    Retry { reason: String, next_attempt_at: Timestamp },
    /// Not taken, and no attempts are left.
    Failed { reason: String },
    /// Can never be taken (not a mobile number, not an address): never tried again.
    Undeliverable { reason: String },
    /// Not to be sent after all (a reminder for a challan paid since): ends it, no error.
    Skipped { reason: String },
}

/// One step in a message's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MessageHistoryEntry {
    pub at: Timestamp,
    /// The status the message took.
    pub status: MessageStatus,
    /// Why, or what with: the attempt's number, the provider id, the error, the report.
    pub detail: Option<String>,
}

/// A stored message with its whole history, oldest step first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MessageRecord {
    pub id: i64,
    pub key: String,
    pub event_key: String,
    pub challan_id: Uuid,
    pub challan_no: ChallanNo,
    pub kind: MessageKind,
    pub channel: Channel,
    pub recipient: String,
    pub language: Language,
    pub status: MessageStatus,
    pub attempts: u32,
    /// When it is (or was) due to be tried.
    pub next_attempt_at: Timestamp,
    /// The end of the current claim's lease, while `sending`.
    pub claimed_until: Option<Timestamp>,
    pub provider_id: Option<String>,
    /// The message exactly as last sent (see [`MessageOutcome::Sent`]).
    pub rendered: Option<String>,
    pub last_error: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub history: Vec<MessageHistoryEntry>,
}

/// The outbox's depth and lag, for `/metrics`. Sent and delivered messages are not
/// counted: they only ever grow, and counting them would read the whole table.
/// A message's first step, `queued` at its creation: kept as the message's `created_at`
/// rather than as a history row, which would double the rows every event writes.
pub(crate) fn first_step(m: &MessageRecord) -> MessageHistoryEntry {
    MessageHistoryEntry { at: m.created_at, status: MessageStatus::Queued, detail: None }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct QueueStats {
    pub queued: u64,
    /// Queued messages already due (`next_attempt_at` at or before now).
    pub due: u64,
    pub sending: u64,
    pub failed: u64,
    pub undeliverable: u64,
    /// How long the oldest due queued message has waited; `None` when none is due.
    pub oldest_due_age: Option<SignedDuration>,
}

impl QueueStats {
    /// The counts by status, for a gauge labelled by status.
    pub fn by_status(&self) -> [(MessageStatus, u64); 4] {
        [
            (MessageStatus::Queued, self.queued),
            (MessageStatus::Sending, self.sending),
            (MessageStatus::Failed, self.failed),
            (MessageStatus::Undeliverable, self.undeliverable),
        ]
    }
}

/// A template an admin saved for one kind, language and channel, in mahasil-notify's
/// template syntax. Where none is stored the built-in template serves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredTemplate {
    pub kind: MessageKind,
    pub language: Language,
    pub channel: Channel,
    pub source: String,
    pub updated_at: Timestamp,
    /// The username of whoever saved it.
    pub updated_by: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Result;

    #[test]
    fn statuses_round_trip() -> Result<()> {
        for s in MessageStatus::ALL {
            assert_eq!(MessageStatus::parse(s.as_str())?, s);
        }
        assert!(MessageStatus::parse("lost").is_err());
        Ok(())
    }

    #[test]
    fn every_event_names_one_kind() {
        assert_eq!(message_kind_for_event("issued"), Some(MessageKind::ChallanIssued));
        assert_eq!(message_kind_for_event("quashed"), Some(MessageKind::ContestDecided));
        assert_eq!(message_kind_for_event("overpayment"), None);
        assert_eq!(message_kind_for_event("contested"), None);
    }
}
