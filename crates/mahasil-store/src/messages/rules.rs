//! What both backends check and compute the same way about messages: a claim's terms, an
//! outcome's columns, the bounds on what is stored, a scheduling pass's dates, and what the
//! audit log records of a message.

use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use mahasil_domain::DomainError;
use mahasil_domain::authz::Scope;
use mahasil_domain::jurisdiction::Slug;
use mahasil_domain::time::{local_date, pakistan};

use super::{
    MAX_CLAIM_BATCH, MAX_DETAIL_CHARS, MAX_LEASE, MAX_PROVIDER_ID_CHARS, MAX_REMIND_BEFORE_DAYS, MAX_RENDERED_BYTES, MAX_SCHEDULED_PER_PASS,
    MAX_TEMPLATE_SOURCE_BYTES, MAX_WEBHOOK_URL_CHARS, MessageOutcome, MessageRecord, MessageStatus, OVERDUE_NOTICE_WINDOW_DAYS, SCHEDULED_SEND_FROM,
    StoredTemplate,
};
use crate::error::{Result, StoreError};

fn invalid(field: &'static str, reason: String) -> StoreError {
    StoreError::Domain(DomainError::Invalid { field, reason })
}

/// Whether a message may be queued again by someone whose scope is `scope`: its challan,
/// in `district` and `department`, must be within it (`NotFound` otherwise, as if it did
/// not exist), and it must have failed (`Conflict`).
pub(crate) fn check_retry(m: &MessageRecord, district: &Slug, department: &Slug, scope: &Scope) -> Result<()> {
    if !scope.contains(district, department) {
        return Err(StoreError::NotFound(format!("no message {} within your scope", m.id)));
    }
    if m.status != MessageStatus::Failed {
        return Err(StoreError::Conflict(format!("message {} is {}: only a failed message is sent again", m.id, m.status)));
    }
    Ok(())
}

/// A webhook receiver's URL as kept: `http://` or `https://`, without credentials (it is
/// every webhook message's recipient, shown to staff), at most [`MAX_WEBHOOK_URL_CHARS`]
/// characters.
pub(crate) fn check_webhook_url(url: &str) -> Result<()> {
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(invalid("webhook_url", "must be an http:// or https:// URL".into()));
    }
    let authority = url.split("://").nth(1).and_then(|rest| rest.split(['/', '?', '#']).next()).unwrap_or("");
    if authority.contains('@') {
        return Err(invalid("webhook_url", "is kept and shown without credentials; give them in webhook_secret".into()));
    }
    if url.chars().count() > MAX_WEBHOOK_URL_CHARS {
        return Err(invalid("webhook_url", format!("is longer than {MAX_WEBHOOK_URL_CHARS} characters")));
    }
    Ok(())
}

/// The end of a claim's lease, after checking it; and the batch size, cut to the maximum.
pub(crate) fn claim_terms(now: Timestamp, lease: SignedDuration, limit: u32) -> Result<(Timestamp, u32)> {
    if lease <= SignedDuration::ZERO || lease > MAX_LEASE {
        return Err(invalid("lease", format!("must be more than zero and at most {MAX_LEASE:#}, not {lease:#}")));
    }
    let until = now.checked_add(lease).map_err(|e| invalid("lease", e.to_string()))?;
    Ok((until, limit.clamp(1, MAX_CLAIM_BATCH)))
}

/// A reason or detail as kept: trimmed, and cut to [`MAX_DETAIL_CHARS`].
pub(crate) fn bounded(text: &str) -> String {
    let text = text.trim();
    match text.char_indices().nth(MAX_DETAIL_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None if text.is_empty() => "no reason was given".to_string(),
        None => text.to_string(),
    }
}

/// What an outcome writes to the message's row and history.
#[derive(Debug)]
pub(crate) struct OutcomeColumns<'a> {
    pub status: MessageStatus,
    /// Set on `sent`; kept as it was otherwise.
    pub provider_id: Option<&'a str>,
    pub rendered: Option<&'a str>,
    /// Set on every outcome but `sent`; kept as it was otherwise.
    pub last_error: Option<String>,
    /// Set on `retry`; kept as it was otherwise.
    pub next_attempt_at: Option<Timestamp>,
    pub detail: String,
}

impl MessageOutcome {
    /// The columns this outcome writes, once its values are checked.
    pub(crate) fn columns(&self) -> Result<OutcomeColumns<'_>> {
        let plain = |status, reason: &str| {
            let reason = bounded(reason);
            OutcomeColumns { status, provider_id: None, rendered: None, last_error: Some(reason.clone()), next_attempt_at: None, detail: reason }
        };
        Ok(match self {
            Self::Sent { provider_id, rendered } => {
                let provider_id = provider_id.trim();
                if provider_id.is_empty() || provider_id.chars().count() > MAX_PROVIDER_ID_CHARS {
                    return Err(invalid("provider_id", format!("must be 1 to {MAX_PROVIDER_ID_CHARS} characters")));
                }
                check_rendered(rendered)?;
                OutcomeColumns {
                    status: MessageStatus::Sent,
                    provider_id: Some(provider_id),
                    rendered: Some(rendered),
                    last_error: None,
                    next_attempt_at: None,
                    detail: format!("provider id {provider_id}"),
                }
            }
            Self::Retry { reason, next_attempt_at } => OutcomeColumns {
                next_attempt_at: Some(*next_attempt_at),
                detail: format!("{} (next attempt at {next_attempt_at})", bounded(reason)),
                ..plain(MessageStatus::Queued, reason)
            },
            Self::Failed { reason } => plain(MessageStatus::Failed, reason),
            Self::Undeliverable { reason } => plain(MessageStatus::Undeliverable, reason),
            Self::Skipped { reason } => plain(MessageStatus::Skipped, reason),
        })
    }
}

/// A rendered message must be a JSON object of bounded size: what a page shows and a court
/// reads back.
fn check_rendered(rendered: &str) -> Result<()> {
    if rendered.len() > MAX_RENDERED_BYTES {
        return Err(invalid("rendered", format!("is {} bytes; at most {MAX_RENDERED_BYTES}", rendered.len())));
    }
    match serde_json::from_str::<serde_json::Value>(rendered) {
        Ok(serde_json::Value::Object(_)) => Ok(()),
        Ok(_) => Err(invalid("rendered", "must be a JSON object".into())),
        Err(e) => Err(invalid("rendered", format!("is not JSON: {e}"))),
    }
}

/// A template's source, checked before it is stored (the caller has parsed it already).
pub(crate) fn check_template(t: &StoredTemplate) -> Result<()> {
    if t.source.trim().is_empty() {
        return Err(invalid("source", "a template must say something".into()));
    }
    if t.source.len() > MAX_TEMPLATE_SOURCE_BYTES {
        return Err(invalid("source", format!("is {} bytes; at most {MAX_TEMPLATE_SOURCE_BYTES}", t.source.len())));
    }
    Ok(())
}

/// The dates a scheduling pass at `now` works with, and when its messages may be sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SchedulePass {
    /// Reminders go to open challans due from `today` to `remind_until`, inclusive.
    pub today: Date,
    pub remind_until: Date,
    /// Overdue notices go to open challans due from `overdue_since` to the day before `today`.
    pub overdue_since: Date,
    /// Their `next_attempt_at`: now, or [`SCHEDULED_SEND_FROM`] today if that is later.
    pub send_at: Timestamp,
    /// Challans per kind in this pass.
    pub limit: u32,
}

pub(crate) fn schedule_pass(now: Timestamp, remind_before_days: u32) -> Result<SchedulePass> {
    if remind_before_days > MAX_REMIND_BEFORE_DAYS {
        return Err(invalid("remind_before_days", format!("at most {MAX_REMIND_BEFORE_DAYS}, not {remind_before_days}")));
    }
    let today = local_date(now);
    let days = |n: u32| jiff::Span::new().days(i64::from(n));
    let remind_until = today.checked_add(days(remind_before_days)).map_err(|e| invalid("remind_before_days", e.to_string()))?;
    let overdue_since = today.checked_sub(days(OVERDUE_NOTICE_WINDOW_DAYS)).map_err(|e| invalid("now", e.to_string()))?;
    let opening = today.to_datetime(SCHEDULED_SEND_FROM).to_zoned(pakistan()).map_err(|e| invalid("now", e.to_string()))?;
    Ok(SchedulePass { today, remind_until, overdue_since, send_at: now.max(opening.timestamp()), limit: MAX_SCHEDULED_PER_PASS })
}

/// What the audit log records of a message a person acted on: who it was for and where it
/// stood, without the text sent (the message's own row keeps that).
pub(crate) fn audit_json(m: &MessageRecord) -> serde_json::Value {
    serde_json::json!({
        "id": m.id,
        "key": m.key,
        "challan_no": m.challan_no,
        "kind": m.kind,
        "channel": m.channel,
        "recipient": m.recipient,
        "status": m.status,
        "attempts": m.attempts,
        "next_attempt_at": m.next_attempt_at,
        "last_error": m.last_error,
    })
}

/// How long the oldest due message has waited at `now`.
pub(crate) fn age(now: Timestamp, oldest_due: Option<Timestamp>) -> Option<SignedDuration> {
    oldest_due.map(|due| now.duration_since(due).max(SignedDuration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_reasons_are_cut_and_empty_ones_named() {
        let long = "x".repeat(MAX_DETAIL_CHARS + 10);
        assert_eq!(bounded(&long).chars().count(), MAX_DETAIL_CHARS + 1);
        assert_eq!(bounded("  timeout \n"), "timeout");
        assert_eq!(bounded(" "), "no reason was given");
    }

    #[test]
    fn outcomes_are_checked() -> Result<()> {
        let sent = |provider_id: &str, rendered: &str| MessageOutcome::Sent { provider_id: provider_id.into(), rendered: rendered.into() };
        assert_eq!(sent("gw-1", r#"{"text":"Challan"}"#).columns()?.status, MessageStatus::Sent);
        assert!(sent("", r#"{"text":"x"}"#).columns().is_err());
        assert!(sent("gw-1", "plain text").columns().is_err());
        assert!(sent("gw-1", r#"["text"]"#).columns().is_err());
        assert!(sent(&"p".repeat(MAX_PROVIDER_ID_CHARS + 1), "{}").columns().is_err());
        let outcome = MessageOutcome::Retry { reason: "timeout".into(), next_attempt_at: Timestamp::UNIX_EPOCH };
        let retry = outcome.columns()?;
        assert_eq!((retry.status, retry.last_error.as_deref(), retry.next_attempt_at), (MessageStatus::Queued, Some("timeout"), Some(Timestamp::UNIX_EPOCH)));
        Ok(())
    }

    #[test]
    fn claims_need_a_sane_lease() -> Result<(), Box<dyn std::error::Error>> {
        let now: Timestamp = "2026-03-01T05:00:00Z".parse()?;
        assert!(claim_terms(now, SignedDuration::ZERO, 10).is_err());
        assert!(claim_terms(now, MAX_LEASE + SignedDuration::from_secs(1), 10).is_err());
        let (until, limit) = claim_terms(now, SignedDuration::from_secs(300), 10_000)?;
        assert_eq!((until, limit), ("2026-03-01T05:05:00Z".parse()?, MAX_CLAIM_BATCH));
        Ok(())
    }

    #[test]
    fn scheduled_messages_wait_for_the_morning() -> Result<(), Box<dyn std::error::Error>> {
        // 00:30 in Peshawar on 2 March: the date has just turned.
        let night: Timestamp = "2026-03-01T19:30:00Z".parse()?;
        let pass = schedule_pass(night, 3)?;
        assert_eq!((pass.today, pass.remind_until, pass.overdue_since), (Date::constant(2026, 3, 2), Date::constant(2026, 3, 5), Date::constant(2026, 1, 31)));
        assert_eq!(pass.send_at, "2026-03-02T04:00:00Z".parse()?);
        let afternoon: Timestamp = "2026-03-02T10:00:00Z".parse()?;
        assert_eq!(schedule_pass(afternoon, 3)?.send_at, afternoon);
        assert!(schedule_pass(night, MAX_REMIND_BEFORE_DAYS + 1).is_err());
        Ok(())
    }
}
