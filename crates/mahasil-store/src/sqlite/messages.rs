//! The notification outbox in SQLite (the rules and types are in `crate::messages`). The
//! messages of challan events are queued by the trigger of migration 0013; here are the
//! workers' claims and outcomes, delivery reports, the scheduled messages, the reads for
//! the pages, and the templates. Every write runs in the single writer, so a claim never
//! races another.

use jiff::Timestamp;
use mahasil_domain::authz::Scope;
use mahasil_domain::challan_no::ChallanNo;
use mahasil_domain::notice::{Channel, Language, MessageKind};
use rusqlite::{Connection, OptionalExtension, Row, Transaction};

use super::audit_log::{self, Change};
use super::rows::{self, micros};
use super::search::scope_condition;
use crate::error::{Result, StoreError};
use crate::messages::{
    CausingEvent, ClaimedMessage, MAX_MESSAGES_PAGE, MessageHistoryEntry, MessageOutcome, MessageRecord, MessageStatus, QueueStats, StoredTemplate, age,
    check_webhook_url, claim_terms, schedule_pass,
};
use crate::records::Actor;

/// A new message key from the time in microseconds `?1`: the milliseconds in 12 hex digits,
/// then 80 random bits (the same recipe as the trigger's).
const NEW_KEY: &str = "printf('%012x', ?1 / 1000) || lower(hex(randomblob(10)))";

const COLUMNS: &str = "m.id, m.key, m.event_key, m.challan_id, c.challan_no, m.kind, m.channel, m.recipient, m.language, m.status, m.attempts, \
     m.next_attempt_at, m.claimed_until, m.provider_id, m.rendered, m.last_error, m.created_at, m.updated_at";

fn kind(column: &str, text: &str) -> Result<MessageKind> {
    rows::parsed(column, || MessageKind::parse(text))
}

fn channel(column: &str, text: &str) -> Result<Channel> {
    rows::parsed(column, || Channel::parse(text))
}

fn language(column: &str, text: &str) -> Result<Language> {
    rows::parsed(column, || Language::parse(text))
}

fn status(column: &str, text: &str) -> Result<MessageStatus> {
    rows::parsed(column, || MessageStatus::parse(text))
}

/// A message without its history, from a row selected with [`COLUMNS`].
fn record_from_row(r: &Row<'_>) -> Result<MessageRecord> {
    let text = |i: usize| -> rusqlite::Result<String> { r.get(i) };
    let challan_no = text(4)?;
    Ok(MessageRecord {
        id: r.get(0)?,
        key: text(1)?,
        event_key: text(2)?,
        challan_id: rows::uuid("messages.challan_id", &text(3)?)?,
        challan_no: rows::parsed("challans.challan_no", || ChallanNo::parse(&challan_no))?,
        kind: kind("messages.kind", &text(5)?)?,
        channel: channel("messages.channel", &text(6)?)?,
        recipient: text(7)?,
        language: language("messages.language", &text(8)?)?,
        status: status("messages.status", &text(9)?)?,
        attempts: r.get(10)?,
        next_attempt_at: rows::timestamp("messages.next_attempt_at", r.get(11)?)?,
        claimed_until: rows::opt_timestamp("messages.claimed_until", r.get(12)?)?,
        provider_id: r.get(13)?,
        rendered: r.get(14)?,
        last_error: r.get(15)?,
        created_at: rows::timestamp("messages.created_at", r.get(16)?)?,
        updated_at: rows::timestamp("messages.updated_at", r.get(17)?)?,
        history: Vec::new(),
    })
}

/// Messages matching `condition` (over `m`, the message, and `c`, its challan), each with
/// its history, oldest step first.
fn records_where(conn: &Connection, condition: &str, params: impl rusqlite::Params) -> Result<Vec<MessageRecord>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM messages m JOIN challans c ON c.id = m.challan_id WHERE {condition}"))?;
    let mut rows = stmt.query(params)?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(record_from_row(r)?);
    }
    drop(rows);
    for m in &mut out {
        m.history.push(super::super::messages::first_step(m));
    }
    let ids = serde_json::to_string(&out.iter().map(|m| m.id).collect::<Vec<_>>()).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let mut stmt = conn.prepare_cached(
        "SELECT message_id, at, status, detail FROM message_history WHERE message_id IN (SELECT value FROM json_each(?1)) ORDER BY message_id, seq",
    )?;
    let mut rows = stmt.query([ids])?;
    while let Some(r) = rows.next()? {
        let message_id: i64 = r.get(0)?;
        let entry = MessageHistoryEntry {
            at: rows::timestamp("message_history.at", r.get(1)?)?,
            status: status("message_history.status", &r.get::<_, String>(2)?)?,
            detail: r.get(3)?,
        };
        if let Some(m) = out.iter_mut().find(|m| m.id == message_id) {
            m.history.push(entry);
        }
    }
    Ok(out)
}

fn record(conn: &Connection, id: i64) -> Result<MessageRecord> {
    records_where(conn, "m.id = ?1", [id])?.pop().ok_or_else(|| StoreError::NotFound(format!("message {id}")))
}

fn append_history(tx: &Transaction<'_>, message_id: i64, at: Timestamp, status: MessageStatus, detail: Option<&str>) -> Result<()> {
    tx.prepare_cached("INSERT INTO message_history (message_id, at, status, detail) VALUES (?1, ?2, ?3, ?4)")?.execute(rusqlite::params![
        message_id,
        micros(at),
        status.as_str(),
        detail
    ])?;
    Ok(())
}

// ----- the workers -----

/// Ids (with their due time) of up to `limit` messages matching `condition`, oldest first.
fn due_ids(tx: &Transaction<'_>, condition: &str, now: Timestamp, limit: u32) -> Result<Vec<(i64, i64)>> {
    let mut stmt = tx.prepare_cached(&format!("SELECT next_attempt_at, id FROM messages WHERE {condition} ORDER BY next_attempt_at, id LIMIT ?2"))?;
    let found = stmt.query_map(rusqlite::params![micros(now), limit], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(found.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// A claimed message's row as the claim's update returns it.
struct ClaimedRow {
    key: String,
    event_key: String,
    event_id: Option<i64>,
    challan_id: String,
    kind: String,
    channel: String,
    recipient: String,
    language: String,
    attempts: u32,
}

pub(crate) fn claim(tx: &Transaction<'_>, now: Timestamp, lease: jiff::SignedDuration, limit: u32) -> Result<Vec<ClaimedMessage>> {
    let (until, limit) = claim_terms(now, lease, limit)?;
    // Lapsed claims and due messages, each read oldest first from its own index and merged.
    let mut picked = due_ids(tx, "status = 'sending' AND claimed_until < ?1", now, limit)?;
    picked.extend(due_ids(tx, "status = 'queued' AND next_attempt_at <= ?1", now, limit)?);
    picked.sort_unstable();
    picked.truncate(limit as usize);
    let mut claimed = Vec::with_capacity(picked.len());
    for (_, id) in picked {
        let row = tx
            .prepare_cached(
                "UPDATE messages SET status = 'sending', claimed_until = ?2, attempts = attempts + 1, updated_at = ?3 WHERE id = ?1
                 RETURNING key, event_key, event_id, challan_id, kind, channel, recipient, language, attempts",
            )?
            .query_row(rusqlite::params![id, micros(until), micros(now)], |r| {
                Ok(ClaimedRow {
                    key: r.get(0)?,
                    event_key: r.get(1)?,
                    event_id: r.get(2)?,
                    challan_id: r.get(3)?,
                    kind: r.get(4)?,
                    channel: r.get(5)?,
                    recipient: r.get(6)?,
                    language: r.get(7)?,
                    attempts: r.get(8)?,
                })
            })?;
        append_history(tx, id, now, MessageStatus::Sending, Some(&format!("attempt {}", row.attempts)))?;
        claimed.push(ClaimedMessage {
            id,
            key: row.key,
            event_key: row.event_key,
            challan_id: rows::uuid("messages.challan_id", &row.challan_id)?,
            kind: kind("messages.kind", &row.kind)?,
            channel: channel("messages.channel", &row.channel)?,
            recipient: row.recipient,
            language: language("messages.language", &row.language)?,
            attempts: row.attempts,
            event: row.event_id.map(|e| causing_event(tx, e)).transpose()?,
        });
    }
    Ok(claimed)
}

fn causing_event(conn: &Connection, seq: i64) -> Result<CausingEvent> {
    let (kind, note, at): (String, Option<String>, i64) = conn
        .prepare_cached("SELECT kind, note, at FROM challan_events WHERE seq = ?1")?
        .query_row([seq], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?
        .ok_or_else(|| StoreError::Corrupt(format!("challan event {seq} of a message is missing")))?;
    Ok(CausingEvent { kind, note, at: rows::timestamp("challan_events.at", at)? })
}

pub(crate) fn record_outcome(tx: &Transaction<'_>, id: i64, outcome: &MessageOutcome, at: Timestamp) -> Result<()> {
    let c = outcome.columns()?;
    let changed = tx
        .prepare_cached(
            "UPDATE messages SET status = ?2, provider_id = coalesce(?3, provider_id), rendered = coalesce(?4, rendered),
                 last_error = coalesce(?5, last_error), next_attempt_at = coalesce(?6, next_attempt_at), claimed_until = NULL, updated_at = ?7
             WHERE id = ?1 AND status = 'sending'",
        )?
        .execute(rusqlite::params![id, c.status.as_str(), c.provider_id, c.rendered, c.last_error, c.next_attempt_at.map(micros), micros(at)])?;
    if changed == 0 {
        return Err(not_sending(tx, id)?);
    }
    append_history(tx, id, at, c.status, Some(&c.detail))
}

/// Why message `id` could not take an outcome: it does not exist, or it is not being sent.
fn not_sending(conn: &Connection, id: i64) -> Result<StoreError> {
    let found: Option<String> = conn.prepare_cached("SELECT status FROM messages WHERE id = ?1")?.query_row([id], |r| r.get(0)).optional()?;
    Ok(match found {
        None => StoreError::NotFound(format!("message {id}")),
        Some(s) => StoreError::Conflict(format!("message {id} is {s}, not sending: only a claimed message takes an outcome")),
    })
}

pub(crate) fn delivery_report(tx: &Transaction<'_>, provider_id: &str, delivered: bool, detail: &str, at: Timestamp) -> Result<Option<i64>> {
    let found: Option<(i64, String)> = tx
        .prepare_cached("SELECT id, status FROM messages WHERE provider_id = ?1 ORDER BY id DESC LIMIT 1")?
        .query_row([provider_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let Some((id, current)) = found else { return Ok(None) };
    // A report repeated, or one arriving after a later change, changes nothing.
    if current != MessageStatus::Sent.as_str() {
        return Ok(Some(id));
    }
    let (next, detail) = (if delivered { MessageStatus::Delivered } else { MessageStatus::Failed }, crate::messages::bounded(detail));
    tx.prepare_cached("UPDATE messages SET status = ?2, last_error = CASE WHEN ?3 THEN last_error ELSE ?4 END, updated_at = ?5 WHERE id = ?1")?
        .execute(rusqlite::params![id, next.as_str(), delivered, detail, micros(at)])?;
    append_history(tx, id, at, next, Some(&detail))?;
    Ok(Some(id))
}

/// Queues `kind` messages (`key_prefix` + challan number) for up to `limit` issued challans
/// due from `from` to `to` that have none yet, to each of their recipients (the view
/// `message_recipients` of migration 0014). Returns how many messages it queued.
#[expect(clippy::too_many_arguments, reason = "one pass's parameters, each bound once into its one statement")]
fn queue_for_due_dates(
    tx: &Transaction<'_>,
    kind: MessageKind,
    key_prefix: &str,
    from: jiff::civil::Date,
    to: jiff::civil::Date,
    send_at: Timestamp,
    now: Timestamp,
    limit: u32,
) -> Result<u32> {
    // The due-date range is read from the partial index of open challans by due date; left
    // to itself the planner may walk every issued challan by status instead.
    let queued = tx
        .prepare_cached(&format!(
            "INSERT INTO messages (key, event_key, event_id, challan_id, kind, channel, recipient, language, status, attempts, next_attempt_at, created_at, updated_at)
             SELECT {NEW_KEY}, ?2 || c.challan_no, NULL, c.id, ?3, r.channel, r.recipient, r.language, 'queued', 0, ?1, ?4, ?4
             FROM (SELECT id, challan_no FROM challans INDEXED BY challans_open_due
                   WHERE status IN ('issued', 'contested') AND status = 'issued' AND due_date BETWEEN ?5 AND ?6
                     AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.challan_id = challans.id AND m.event_key = ?2 || challans.challan_no)
                   ORDER BY due_date LIMIT ?7) c
             JOIN message_recipients r ON r.challan_id = c.id
             WHERE r.recipient IS NOT NULL
             ON CONFLICT DO NOTHING"
        ))?
        .execute(rusqlite::params![micros(send_at), key_prefix, kind.as_str(), micros(now), from.to_string(), to.to_string(), limit])?;
    u32::try_from(queued).map_err(|e| StoreError::Corrupt(e.to_string()))
}

pub(crate) fn enqueue_scheduled(tx: &Transaction<'_>, now: Timestamp, remind_before_days: u32) -> Result<u32> {
    let pass = schedule_pass(now, remind_before_days)?;
    let yesterday = pass.today.yesterday().map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let reminders = queue_for_due_dates(tx, MessageKind::DueReminder, "reminder:", pass.today, pass.remind_until, pass.send_at, now, pass.limit)?;
    let overdue = queue_for_due_dates(tx, MessageKind::OverdueNotice, "overdue:", pass.overdue_since, yesterday, pass.send_at, now, pass.limit)?;
    Ok(reminders + overdue)
}

// ----- the pages and the gauges -----

pub(crate) fn challan_messages(conn: &Connection, challan_id: uuid::Uuid) -> Result<Vec<MessageRecord>> {
    records_where(conn, "m.challan_id = ?1 ORDER BY m.id", [challan_id.to_string()])
}

pub(crate) fn failed(conn: &Connection, scope: &Scope, limit: u32) -> Result<Vec<MessageRecord>> {
    let mut params = Vec::new();
    let Some(in_scope) = scope_condition(scope, "c.district", "c.department", &mut params) else { return Ok(Vec::new()) };
    params.push(rows::clamp_limit(limit, MAX_MESSAGES_PAGE).into());
    records_where(
        conn,
        &format!("m.status IN ('failed', 'undeliverable') AND {in_scope} ORDER BY m.updated_at DESC, m.id DESC LIMIT ?{}", params.len()),
        rusqlite::params_from_iter(params),
    )
}

pub(crate) fn queue(conn: &Connection, now: Timestamp) -> Result<QueueStats> {
    // Each count reads one partial index, never the messages already sent.
    let (queued, due, sending, failed, undeliverable, oldest): (i64, i64, i64, i64, i64, Option<i64>) = conn
        .prepare_cached(
            "SELECT (SELECT count(*) FROM messages WHERE status = 'queued'),
                    (SELECT count(*) FROM messages WHERE status = 'queued' AND next_attempt_at <= ?1),
                    (SELECT count(*) FROM messages WHERE status = 'sending'),
                    (SELECT count(*) FROM messages WHERE status IN ('failed', 'undeliverable') AND status = 'failed'),
                    (SELECT count(*) FROM messages WHERE status IN ('failed', 'undeliverable') AND status = 'undeliverable'),
                    (SELECT min(next_attempt_at) FROM messages WHERE status = 'queued' AND next_attempt_at <= ?1)",
        )?
        .query_row([micros(now)], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))?;
    let count = |n: i64| rows::count("count(messages)", n);
    Ok(QueueStats {
        queued: count(queued)?,
        due: count(due)?,
        sending: count(sending)?,
        failed: count(failed)?,
        undeliverable: count(undeliverable)?,
        oldest_due_age: age(now, rows::opt_timestamp("messages.next_attempt_at", oldest)?),
    })
}

// ----- the people's writes, audited -----

pub(crate) fn retry(tx: &Transaction<'_>, id: i64, scope: &Scope, actor: &Actor, at: Timestamp) -> Result<MessageRecord> {
    let before = record(tx, id)?;
    let (district, department): (String, String) = tx
        .prepare_cached("SELECT district, department FROM challans WHERE id = ?1")?
        .query_row([before.challan_id.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))?;
    crate::messages::check_retry(&before, &rows::slug("challans.district", &district)?, &rows::slug("challans.department", &department)?, scope)?;
    // A new key: the gateway may remember the old one and answer it without sending again.
    tx.prepare_cached(&format!(
        "UPDATE messages SET status = 'queued', key = {NEW_KEY}, attempts = 0, next_attempt_at = ?1, claimed_until = NULL, updated_at = ?1
         WHERE id = ?2 AND status = 'failed'"
    ))?
    .execute(rusqlite::params![micros(at), id])?;
    let detail = format!("queued again by {}; the failed attempts used key {}", actor.username, before.key);
    append_history(tx, id, at, MessageStatus::Queued, Some(&detail))?;
    let after = record(tx, id)?;
    let change = Change {
        action: "message.retry",
        entity: format!("message:{id}"),
        before: rows::json(&crate::messages::audit_json(&before))?,
        after: rows::json(&crate::messages::audit_json(&after))?,
    };
    audit_log::append(tx, actor, at, &change)?;
    Ok(after)
}

pub(crate) fn templates(conn: &Connection) -> Result<Vec<StoredTemplate>> {
    let mut stmt =
        conn.prepare_cached("SELECT kind, language, channel, source, updated_at, updated_by FROM message_templates ORDER BY kind, language, channel")?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(StoredTemplate {
            kind: kind("message_templates.kind", &r.get::<_, String>(0)?)?,
            language: language("message_templates.language", &r.get::<_, String>(1)?)?,
            channel: channel("message_templates.channel", &r.get::<_, String>(2)?)?,
            source: r.get(3)?,
            updated_at: rows::timestamp("message_templates.updated_at", r.get(4)?)?,
            updated_by: r.get(5)?,
        });
    }
    Ok(out)
}

pub(crate) fn put_template(tx: &Transaction<'_>, t: &StoredTemplate, actor: &Actor, at: Timestamp) -> Result<()> {
    crate::messages::check_template(t)?;
    let stored = StoredTemplate { updated_at: at, updated_by: actor.username.clone(), ..t.clone() };
    let (k, l, c) = (t.kind.as_str(), t.language.as_str(), t.channel.as_str());
    let before = templates(tx)?.into_iter().find(|s| (s.kind, s.language, s.channel) == (t.kind, t.language, t.channel));
    tx.prepare_cached(
        "INSERT INTO message_templates (kind, language, channel, source, updated_at, updated_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (kind, language, channel) DO UPDATE SET source = excluded.source, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
    )?
    .execute(rusqlite::params![k, l, c, stored.source, micros(at), stored.updated_by])?;
    let change = Change { action: "template.save", entity: format!("template:{k}/{l}/{c}"), before: rows::json(&before)?, after: rows::json(&stored)? };
    audit_log::append(tx, actor, at, &change)
}

pub(crate) fn set_webhook(tx: &Transaction<'_>, url: Option<&str>, at: Timestamp) -> Result<Option<String>> {
    if let Some(url) = url {
        check_webhook_url(url)?;
    }
    let before: Option<String> = tx.prepare_cached("SELECT url FROM notify_webhook")?.query_row([], |r| r.get(0)).optional()?;
    match url {
        Some(url) => tx
            .prepare_cached("INSERT INTO notify_webhook (only_row, url, set_at) VALUES (1, ?1, ?2) ON CONFLICT (only_row) DO UPDATE SET url = ?1, set_at = ?2")?
            .execute(rusqlite::params![url, micros(at)])?,
        None => tx.prepare_cached("DELETE FROM notify_webhook")?.execute([])?,
    };
    Ok(before)
}
