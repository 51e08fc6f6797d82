//! The workers: each claims a few due messages from the outbox, renders and sends each one
//! once, and records what came of it — sent (with the text as sent, the proof of notice),
//! retried later with exponential backoff and jitter, failed after [`MAX_ATTEMPTS`], or
//! undeliverable at once when the recipient cannot be a mobile number or an address. A
//! claim is a lease: a worker that dies between claim and send loses nothing, because the
//! message is claimed again when the lease ends and re-sent with the same idempotency key,
//! which the gateway (or the mail's Message-ID) recognises. Beside them, a scheduler queues
//! due-date reminders and overdue notices, and a gauge task publishes queue depth and lag.

use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use mahasil_domain::challan::ChallanStatus;
use mahasil_domain::identity::{Email, Mobile};
use mahasil_domain::notice::{Channel, MessageKind};
use mahasil_notify::outcome::{IdempotencyKey, SendOutcome};
use mahasil_notify::template::{Rendered, TemplateSet};
use mahasil_store::{ChallanRecord, ClaimedMessage, MessageOutcome};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::render;
use crate::state::AppState;

/// Messages one worker claims at a time.
pub const CLAIM_BATCH: u32 = 16;
/// How long a claim lasts before another worker may take the message: longer than the
/// slowest channel's timeout, so a live worker never loses its claim mid-send.
pub const LEASE: SignedDuration = SignedDuration::from_secs(300);
/// Attempts before a message is given up as failed.
pub const MAX_ATTEMPTS: u32 = 8;
/// The first retry's delay; each later one doubles, up to [`MAX_BACKOFF`].
pub const FIRST_BACKOFF: SignedDuration = SignedDuration::from_secs(30);
pub const MAX_BACKOFF: SignedDuration = SignedDuration::from_secs(6 * 3600);
/// How far, as a fraction, a retry's delay is moved at random either way, so messages
/// that failed together do not all come back together.
pub const BACKOFF_JITTER: f64 = 0.2;
/// Wait between claims when the outbox had nothing due.
pub const IDLE_POLL: Duration = Duration::from_millis(500);
/// How often reminders and overdue notices are computed.
pub const SCHEDULE_EVERY: Duration = Duration::from_secs(60);
/// How often queue depth and lag are published.
pub const GAUGE_EVERY: Duration = Duration::from_secs(10);

/// How a node's workers run.
#[derive(Debug, Clone, Copy)]
pub struct WorkerConfig {
    pub workers: u32,
    pub remind_before_days: u32,
}

/// The delay before attempt `attempts + 1`, for a message tried `attempts` times; `unit`
/// in [0, 1) picks the jitter.
pub fn backoff(attempts: u32, unit: f64) -> SignedDuration {
    let doublings = attempts.saturating_sub(1).min(20);
    let base = FIRST_BACKOFF.as_secs_f64() * f64::from(1_u32 << doublings);
    let capped = base.min(MAX_BACKOFF.as_secs_f64());
    let jittered = capped * (1.0 + BACKOFF_JITTER * (2.0 * unit.clamp(0.0, 1.0) - 1.0));
    SignedDuration::from_secs_f64(jittered.max(1.0))
}

/// Starts the workers, the scheduler and the gauges; they stop when `stop` turns true,
/// each worker after finishing the batch in hand (every send is bounded by its channel's
/// timeout), so no claimed message is left waiting for its lease.
pub fn spawn(state: &AppState, config: WorkerConfig, stop: &watch::Receiver<bool>) -> Vec<JoinHandle<()>> {
    let mut tasks = Vec::new();
    if !state.channels.any() {
        tracing::warn!("no notification channel is configured: messages stay queued");
        return tasks;
    }
    for n in 0..config.workers {
        tasks.push(tokio::spawn(work(state.clone(), n, stop.clone())));
    }
    tasks.push(tokio::spawn(schedule(state.clone(), config.remind_before_days, stop.clone())));
    tasks.push(tokio::spawn(gauges(state.clone(), stop.clone())));
    tasks
}

async fn work(state: AppState, n: u32, mut stop: watch::Receiver<bool>) {
    tracing::info!(worker = n, "notification worker started");
    while !*stop.borrow() {
        let claimed = match state.store.claim_messages(Timestamp::now(), LEASE, CLAIM_BATCH).await {
            Ok(claimed) => claimed,
            Err(e) => {
                tracing::error!(error = %e, "cannot claim messages");
                Vec::new()
            }
        };
        if claimed.is_empty() {
            let _ = tokio::time::timeout(IDLE_POLL, stop.changed()).await;
            continue;
        }
        let templates = match render::templates(&state).await {
            Ok(t) => t,
            Err(e) => {
                tracing::error!(error = %e, "cannot read the templates");
                hand_back(&state, &claimed, "the templates could not be read").await;
                continue;
            }
        };
        // The batch is sent at once: each message waits on its own gateway call and on
        // the commit of its outcome, and their commits share the writer's batches.
        futures::future::join_all(claimed.iter().map(|m| deliver(&state, &templates, m))).await;
    }
    tracing::info!(worker = n, "notification worker stopped");
}

/// Returns claimed messages to the queue at once, when they cannot be sent now.
async fn hand_back(state: &AppState, messages: &[ClaimedMessage], reason: &str) {
    for m in messages {
        let outcome = MessageOutcome::Retry { reason: reason.into(), next_attempt_at: Timestamp::now() };
        if let Err(e) = state.store.record_message_outcome(m.id, &outcome, Timestamp::now()).await {
            tracing::warn!(message = m.id, error = %e, "cannot hand a message back; its lease will");
        }
    }
}

/// Sends one claimed message and records the outcome.
pub async fn deliver(state: &AppState, templates: &TemplateSet, message: &ClaimedMessage) {
    let now = Timestamp::now();
    let outcome = attempt(state, templates, message, now).await;
    let result = match &outcome {
        MessageOutcome::Sent { .. } => "sent",
        MessageOutcome::Retry { .. } => "retry",
        MessageOutcome::Failed { .. } => "failed",
        MessageOutcome::Undeliverable { .. } => "undeliverable",
        MessageOutcome::Skipped { .. } => "skipped",
    };
    metrics::counter!("mahasil_notify_messages_total", "channel" => message.channel.as_str(), "result" => result).increment(1);
    if let Err(e) = state.store.record_message_outcome(message.id, &outcome, Timestamp::now()).await {
        tracing::error!(message = message.id, error = %e, "cannot record a message's outcome; its lease will bring it back");
    }
}

async fn attempt(state: &AppState, templates: &TemplateSet, m: &ClaimedMessage, now: Timestamp) -> MessageOutcome {
    if let Some(reason) = undeliverable(m.channel, &m.recipient) {
        return MessageOutcome::Undeliverable { reason };
    }
    let challan = match render::challan_of(state, m).await {
        Ok(c) => c,
        Err(e) => return MessageOutcome::Failed { reason: format!("cannot write the message: {e}") },
    };
    if let Some(reason) = settled_since(m.kind, &challan) {
        return MessageOutcome::Skipped { reason };
    }
    let written = render::facts_of(state, m, challan).await.and_then(|facts| Ok((render::render(templates, m.kind, m.language, m.channel, &facts)?, facts)));
    let (rendered, facts) = match written {
        Ok(r) => r,
        Err(e) => return MessageOutcome::Failed { reason: format!("cannot write the message: {e}") },
    };
    let key = match IdempotencyKey::parse(&m.key) {
        Ok(k) => k,
        Err(e) => return MessageOutcome::Failed { reason: format!("message key: {e}") },
    };
    match state.channels.send(m, &facts, &rendered, &key, now).await {
        SendOutcome::Accepted { provider_id } => MessageOutcome::Sent { provider_id, rendered: as_json(&rendered) },
        SendOutcome::Permanent { reason } => MessageOutcome::Failed { reason },
        SendOutcome::Retryable { reason } if m.attempts >= MAX_ATTEMPTS => {
            MessageOutcome::Failed { reason: format!("{reason} (gave up after {} attempts)", m.attempts) }
        }
        SendOutcome::Retryable { reason } => MessageOutcome::Retry { reason, next_attempt_at: now + backoff(m.attempts, rand::random::<f64>()) },
    }
}

/// For a reminder or an overdue notice: why it is no longer to be sent, if the challan was
/// settled (paid, cancelled, contested) after it was queued.
fn settled_since(kind: MessageKind, challan: &ChallanRecord) -> Option<String> {
    let reminder = matches!(kind, MessageKind::DueReminder | MessageKind::OverdueNotice);
    (reminder && challan.status != ChallanStatus::Issued).then(|| format!("not sent: the challan is {} now", challan.status.as_str()))
}

/// Why `recipient` can never receive on `channel`, if it cannot.
fn undeliverable(channel: Channel, recipient: &str) -> Option<String> {
    match channel {
        Channel::Sms => Mobile::parse(recipient).err().map(|e| format!("{recipient:?} is not a mobile number: {e}")),
        Channel::Email => Email::parse(recipient).err().map(|e| format!("{recipient:?} is not an email address: {e}")),
        Channel::Webhook => None,
    }
}

/// The message as sent, kept as the proof of what the offender was told.
fn as_json(rendered: &Rendered) -> String {
    let value = match rendered {
        Rendered::Sms { text } | Rendered::Webhook { text } => serde_json::json!({ "text": text }),
        Rendered::Email(e) => serde_json::json!({ "subject": e.subject, "text": e.text, "html": e.html }),
    };
    value.to_string()
}

async fn schedule(state: AppState, remind_before_days: u32, mut stop: watch::Receiver<bool>) {
    while !*stop.borrow() {
        match state.store.enqueue_scheduled(Timestamp::now(), remind_before_days).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(queued = n, "reminders and overdue notices queued"),
            Err(e) => tracing::error!(error = %e, "cannot queue reminders"),
        }
        let _ = tokio::time::timeout(SCHEDULE_EVERY, stop.changed()).await;
    }
}

async fn gauges(state: AppState, mut stop: watch::Receiver<bool>) {
    while !*stop.borrow() {
        match state.store.message_queue(Timestamp::now()).await {
            Ok(q) => super::publish_queue(&q),
            Err(e) => tracing::warn!(error = %e, "cannot read the outbox's depth"),
        }
        let _ = tokio::time::timeout(GAUGE_EVERY, stop.changed()).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap_and_jitters_within_its_band() {
        let mid = |n| backoff(n, 0.5).as_secs_f64();
        assert_eq!(mid(1), 30.0);
        assert_eq!(mid(2), 60.0);
        assert_eq!(mid(5), 480.0);
        assert_eq!(mid(40), MAX_BACKOFF.as_secs_f64());
        for n in 1..12 {
            let (low, high) = (backoff(n, 0.0).as_secs_f64(), backoff(n, 0.999).as_secs_f64());
            assert!(low >= mid(n) * 0.8 - 1e-9 && high <= mid(n) * 1.2 + 1e-9 && low < high, "{n}: {low}..{high}");
        }
    }

    #[test]
    fn recipients_that_can_never_receive_are_named() {
        assert!(undeliverable(Channel::Sms, "03001234567").is_none());
        assert!(undeliverable(Channel::Sms, "12").is_some_and(|r| r.contains("not a mobile number")));
        assert!(undeliverable(Channel::Email, "not-an-address").is_some());
        assert!(undeliverable(Channel::Email, "a@example.pk").is_none());
    }
}
