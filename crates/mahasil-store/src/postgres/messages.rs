//! The notification outbox in PostgreSQL (the rules and types are in `crate::messages`).
//! The messages of challan events are queued by the trigger of migration 0013.
//!
//! The workers' writes (claims, outcomes, delivery reports, scheduled messages) are not
//! audited, so they need not wait for the group committer and the audit chain's lock: each
//! is one statement on a pooled connection. That lets the claims of many workers on many
//! nodes run truly at once, kept apart by `FOR UPDATE SKIP LOCKED`. The people's writes (a
//! retry, a template) are audited and go through the committer like every other.

use jiff::{SignedDuration, Timestamp};
use mahasil_domain::authz::Scope;
use mahasil_domain::challan_no::ChallanNo;
use mahasil_domain::jurisdiction::Slug;
use mahasil_domain::notice::{Channel, Language, MessageKind};
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, PgPool, Row};
use uuid::Uuid;

use super::audit_log::json;
use super::constraint::classify;
use super::types::{PgDate, PgTime, to_micros};
use super::writer::Tx;
use crate::messages::{
    CausingEvent, ClaimedMessage, MAX_MESSAGES_PAGE, MessageHistoryEntry, MessageOutcome, MessageRecord, MessageStatus, QueueStats, StoredTemplate, age,
    audit_json, bounded, check_retry, check_template, check_webhook_url, claim_terms, schedule_pass,
};
use crate::records::Actor;
use crate::{Result, StoreError};

const COLUMNS: &str = "m.id, m.key, m.event_key, m.challan_id, c.challan_no, m.kind, m.channel, m.recipient, m.language, m.status, m.attempts, \
     m.next_attempt_at, m.claimed_until, m.provider_id, m.rendered::text AS rendered, m.last_error, m.created_at, m.updated_at";

fn corrupt(column: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("messages.{column}: {e}"))
}

fn kind(row: &PgRow, column: &str) -> Result<MessageKind> {
    MessageKind::parse(row.try_get::<&str, _>(column)?).map_err(|e| corrupt(column, e))
}

fn channel(row: &PgRow, column: &str) -> Result<Channel> {
    Channel::parse(row.try_get::<&str, _>(column)?).map_err(|e| corrupt(column, e))
}

fn language(row: &PgRow, column: &str) -> Result<Language> {
    Language::parse(row.try_get::<&str, _>(column)?).map_err(|e| corrupt(column, e))
}

fn status(row: &PgRow, column: &str) -> Result<MessageStatus> {
    MessageStatus::parse(row.try_get::<&str, _>(column)?).map_err(|e| corrupt(column, e))
}

fn attempts(row: &PgRow) -> Result<u32> {
    u32::try_from(row.try_get::<i32, _>("attempts")?).map_err(|e| corrupt("attempts", e))
}

fn count(row: &PgRow, column: &str) -> Result<u64> {
    u64::try_from(row.try_get::<i64, _>(column)?).map_err(|e| corrupt(column, e))
}

/// A message without its history, from a row selected with [`COLUMNS`].
fn record_from_row(row: &PgRow) -> Result<MessageRecord> {
    Ok(MessageRecord {
        id: row.try_get("id")?,
        key: row.try_get("key")?,
        event_key: row.try_get("event_key")?,
        challan_id: row.try_get("challan_id")?,
        challan_no: ChallanNo::parse(row.try_get::<&str, _>("challan_no")?).map_err(|e| corrupt("challan_no", e))?,
        kind: kind(row, "kind")?,
        channel: channel(row, "channel")?,
        recipient: row.try_get("recipient")?,
        language: language(row, "language")?,
        status: status(row, "status")?,
        attempts: attempts(row)?,
        next_attempt_at: row.try_get::<PgTime, _>("next_attempt_at")?.0,
        claimed_until: row.try_get::<Option<PgTime>, _>("claimed_until")?.map(|t| t.0),
        provider_id: row.try_get("provider_id")?,
        rendered: row.try_get("rendered")?,
        last_error: row.try_get("last_error")?,
        created_at: row.try_get::<PgTime, _>("created_at")?.0,
        updated_at: row.try_get::<PgTime, _>("updated_at")?.0,
        history: Vec::new(),
    })
}

/// A query with its parameters, as [`records_where`] hands it to be bound.
type Query<'q> = sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>;

/// Messages matching `condition` (over `m`, the message, and `c`, its challan; `$1` and
/// `$2` bound by `bind`), each with its history, oldest step first.
async fn records_where(conn: &mut PgConnection, condition: &str, bind: impl for<'q> FnOnce(Query<'q>) -> Query<'q>) -> Result<Vec<MessageRecord>> {
    let sql = format!("SELECT {COLUMNS} FROM messages m JOIN challans c ON c.id = m.challan_id WHERE {condition}");
    let rows = bind(sqlx::query(&sql)).fetch_all(&mut *conn).await?;
    let mut out = rows.iter().map(record_from_row).collect::<Result<Vec<_>>>()?;
    for m in &mut out {
        m.history.push(crate::messages::first_step(m));
    }
    let ids: Vec<i64> = out.iter().map(|m| m.id).collect();
    let history = sqlx::query("SELECT message_id, at, status, detail FROM message_history WHERE message_id = ANY($1) ORDER BY id")
        .bind(&ids)
        .fetch_all(&mut *conn)
        .await?;
    for h in &history {
        let message_id: i64 = h.try_get("message_id")?;
        let entry = MessageHistoryEntry { at: h.try_get::<PgTime, _>("at")?.0, status: status(h, "status")?, detail: h.try_get("detail")? };
        if let Some(m) = out.iter_mut().find(|m| m.id == message_id) {
            m.history.push(entry);
        }
    }
    Ok(out)
}

async fn record(conn: &mut PgConnection, id: i64) -> Result<MessageRecord> {
    records_where(conn, "m.id = $1", |q| q.bind(id)).await?.pop().ok_or_else(|| StoreError::NotFound(format!("message {id}")))
}

// ----- the workers -----

/// Lapsed claims and due messages, each read oldest first from its own index with the rows
/// locked (rows another claim holds are skipped, not waited for), merged, the oldest
/// `limit` taken, and claimed with their history rows: one statement.
const CLAIM: &str = "
    WITH lapsed AS (
        SELECT id, next_attempt_at FROM messages WHERE status = 'sending' AND claimed_until < $1
        ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED
    ), due AS (
        SELECT id, next_attempt_at FROM messages WHERE status = 'queued' AND next_attempt_at <= $1
        ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED
    ), picked AS (
        SELECT id FROM (SELECT * FROM lapsed UNION ALL SELECT * FROM due) AS candidates ORDER BY next_attempt_at, id LIMIT $3
    ), claimed AS (
        UPDATE messages m SET status = 'sending', claimed_until = $2, attempts = m.attempts + 1, updated_at = $1
        FROM picked WHERE m.id = picked.id
        RETURNING m.id, m.key, m.event_key, m.event_id, m.challan_id, m.kind, m.channel, m.recipient, m.language, m.attempts, m.next_attempt_at
    ), history AS (
        INSERT INTO message_history (message_id, at, status, detail) SELECT id, $1, 'sending', 'attempt ' || attempts FROM claimed
    )
    SELECT claimed.*, e.kind AS event_kind, e.note AS event_note, e.at AS event_at
    FROM claimed LEFT JOIN challan_events e ON e.id = claimed.event_id
    ORDER BY claimed.next_attempt_at, claimed.id";

pub(super) async fn claim(pool: &PgPool, now: Timestamp, lease: SignedDuration, limit: u32) -> Result<Vec<ClaimedMessage>> {
    let (until, limit) = claim_terms(to_micros(now), lease, limit)?;
    let rows = sqlx::query(CLAIM).bind(PgTime(to_micros(now))).bind(PgTime(to_micros(until))).bind(i64::from(limit)).fetch_all(pool).await.map_err(db)?;
    rows.iter()
        .map(|row| {
            let event = match row.try_get::<Option<String>, _>("event_kind")? {
                Some(kind) => Some(CausingEvent { kind, note: row.try_get("event_note")?, at: row.try_get::<PgTime, _>("event_at")?.0 }),
                None => None,
            };
            Ok(ClaimedMessage {
                id: row.try_get("id")?,
                key: row.try_get("key")?,
                event_key: row.try_get("event_key")?,
                challan_id: row.try_get("challan_id")?,
                kind: kind(row, "kind")?,
                channel: channel(row, "channel")?,
                recipient: row.try_get("recipient")?,
                language: language(row, "language")?,
                attempts: attempts(row)?,
                event,
            })
        })
        .collect()
}

/// A database error of a statement run outside the committer, constraint failures named.
fn db(e: sqlx::Error) -> StoreError {
    classify(StoreError::Postgres(e))
}

pub(super) async fn record_outcome(pool: &PgPool, id: i64, outcome: &MessageOutcome, at: Timestamp) -> Result<()> {
    let c = outcome.columns()?;
    let changed: i64 = sqlx::query_scalar(
        "WITH updated AS (
            UPDATE messages SET status = $2, provider_id = coalesce($3, provider_id), rendered = coalesce($4::json, rendered),
                last_error = coalesce($5, last_error), next_attempt_at = coalesce($6, next_attempt_at), claimed_until = NULL, updated_at = $7
            WHERE id = $1 AND status = 'sending'
            RETURNING id
        ), history AS (
            INSERT INTO message_history (message_id, at, status, detail) SELECT id, $7, $2, $8 FROM updated
        )
        SELECT count(*) FROM updated",
    )
    .bind(id)
    .bind(c.status.as_str())
    .bind(c.provider_id)
    .bind(c.rendered)
    .bind(c.last_error.as_deref())
    .bind(c.next_attempt_at.map(|t| PgTime(to_micros(t))))
    .bind(PgTime(to_micros(at)))
    .bind(&c.detail)
    .fetch_one(pool)
    .await
    .map_err(db)?;
    if changed > 0 {
        return Ok(());
    }
    let found: Option<String> = sqlx::query_scalar("SELECT status FROM messages WHERE id = $1").bind(id).fetch_optional(pool).await?;
    Err(match found {
        None => StoreError::NotFound(format!("message {id}")),
        Some(s) => StoreError::Conflict(format!("message {id} is {s}, not sending: only a claimed message takes an outcome")),
    })
}

pub(super) async fn delivery_report(pool: &PgPool, provider_id: &str, delivered: bool, detail: &str, at: Timestamp) -> Result<Option<i64>> {
    let next = if delivered { MessageStatus::Delivered } else { MessageStatus::Failed };
    // The message is locked, so the same report twice at once changes it once: the second
    // finds it no longer `sent`.
    let id: Option<i64> = sqlx::query_scalar(
        "WITH target AS (
            SELECT id, status FROM messages WHERE provider_id = $1 ORDER BY id DESC LIMIT 1 FOR UPDATE
        ), updated AS (
            UPDATE messages m SET status = $2, last_error = CASE WHEN $3 THEN m.last_error ELSE $4 END, updated_at = $5
            FROM target WHERE m.id = target.id AND target.status = 'sent'
            RETURNING m.id
        ), history AS (
            INSERT INTO message_history (message_id, at, status, detail) SELECT id, $5, $2, $4 FROM updated
        )
        SELECT id FROM target",
    )
    .bind(provider_id)
    .bind(next.as_str())
    .bind(delivered)
    .bind(bounded(detail))
    .bind(PgTime(to_micros(at)))
    .fetch_optional(pool)
    .await
    .map_err(db)?;
    Ok(id)
}

/// Queues `kind` messages (`key_prefix` + challan number) for up to `limit` issued challans
/// due from `from` to `to` that have none yet, to each of their recipients (the view
/// `message_recipients` of migration 0014). Two nodes doing it at once queue each message once (the unique key of
/// `messages` settles it). Returns how many messages it queued.
const QUEUE_FOR_DUE_DATES: &str = "
    WITH due AS (
        SELECT id, challan_no FROM challans
        WHERE status = 'issued' AND due_date BETWEEN $5 AND $6
          AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.challan_id = challans.id AND m.event_key = $2 || challans.challan_no)
        ORDER BY due_date LIMIT $7
    ), queued AS (
        INSERT INTO messages (key, event_key, event_id, challan_id, kind, channel, recipient, language, status, attempts, next_attempt_at, created_at, updated_at)
        SELECT message_key($1), $2 || c.challan_no, NULL, c.id, $3, r.channel, r.recipient, r.language, 'queued', 0, $1, $4, $4
        FROM due c JOIN message_recipients r ON r.challan_id = c.id
        WHERE r.recipient IS NOT NULL
        ON CONFLICT (challan_id, event_key, channel, recipient) DO NOTHING
        RETURNING id
    )
    SELECT count(*) FROM queued";

pub(super) async fn enqueue_scheduled(pool: &PgPool, now: Timestamp, remind_before_days: u32) -> Result<u32> {
    let pass = schedule_pass(to_micros(now), remind_before_days)?;
    let yesterday = pass.today.yesterday().map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let mut queued = 0_i64;
    for (kind, prefix, from, to) in
        [(MessageKind::DueReminder, "reminder:", pass.today, pass.remind_until), (MessageKind::OverdueNotice, "overdue:", pass.overdue_since, yesterday)]
    {
        let n: i64 = sqlx::query_scalar(QUEUE_FOR_DUE_DATES)
            .bind(PgTime(to_micros(pass.send_at)))
            .bind(prefix)
            .bind(kind.as_str())
            .bind(PgTime(to_micros(now)))
            .bind(PgDate(from))
            .bind(PgDate(to))
            .bind(i64::from(pass.limit))
            .fetch_one(pool)
            .await
            .map_err(db)?;
        queued += n;
    }
    u32::try_from(queued).map_err(|e| StoreError::Corrupt(e.to_string()))
}

// ----- the pages and the gauges -----

pub(super) async fn challan_messages(pool: &PgPool, challan_id: Uuid) -> Result<Vec<MessageRecord>> {
    let mut conn = pool.acquire().await?;
    records_where(&mut conn, "m.challan_id = $1 ORDER BY m.id", |q| q.bind(challan_id)).await
}

/// A scope as SQL parameters: everywhere, or its (district, department) pairs as two
/// arrays whose NULLs mean "any" (read by [`IN_SCOPE`]).
pub(super) fn scope_params(scope: &Scope) -> (bool, Vec<Option<String>>, Vec<Option<String>>) {
    match scope {
        Scope::Everywhere => (true, Vec::new(), Vec::new()),
        Scope::Pairs(pairs) => (
            false,
            pairs.iter().map(|(d, _)| d.as_ref().map(|d| d.as_str().to_owned())).collect(),
            pairs.iter().map(|(_, p)| p.as_ref().map(|p| p.as_str().to_owned())).collect(),
        ),
    }
}

/// Whether challan `c` is within the scope bound as `$1` to `$3` ([`scope_params`]).
const IN_SCOPE: &str = "($1 OR EXISTS (SELECT 1 FROM unnest($2::text[], $3::text[]) AS s (district, department)
                                     WHERE (s.district IS NULL OR s.district = c.district) AND (s.department IS NULL OR s.department = c.department)))";

pub(super) async fn failed(pool: &PgPool, scope: &Scope, limit: u32) -> Result<Vec<MessageRecord>> {
    let (everywhere, districts, departments) = scope_params(scope);
    let limit = i64::from(limit.clamp(1, MAX_MESSAGES_PAGE));
    let mut conn = pool.acquire().await?;
    records_where(&mut conn, &format!("m.status IN ('failed', 'undeliverable') AND {IN_SCOPE} ORDER BY m.updated_at DESC, m.id DESC LIMIT $4"), |q| {
        q.bind(everywhere).bind(districts).bind(departments).bind(limit)
    })
    .await
}

pub(super) async fn queue(pool: &PgPool, now: Timestamp) -> Result<QueueStats> {
    // Each count reads one partial index, never the messages already sent.
    let row = sqlx::query(
        "SELECT (SELECT count(*) FROM messages WHERE status = 'queued') AS queued,
                (SELECT count(*) FROM messages WHERE status = 'queued' AND next_attempt_at <= $1) AS due,
                (SELECT count(*) FROM messages WHERE status = 'sending') AS sending,
                (SELECT count(*) FROM messages WHERE status = 'failed') AS failed,
                (SELECT count(*) FROM messages WHERE status = 'undeliverable') AS undeliverable,
                (SELECT min(next_attempt_at) FROM messages WHERE status = 'queued' AND next_attempt_at <= $1) AS oldest_due",
    )
    .bind(PgTime(to_micros(now)))
    .fetch_one(pool)
    .await?;
    Ok(QueueStats {
        queued: count(&row, "queued")?,
        due: count(&row, "due")?,
        sending: count(&row, "sending")?,
        failed: count(&row, "failed")?,
        undeliverable: count(&row, "undeliverable")?,
        oldest_due_age: age(now, row.try_get::<Option<PgTime>, _>("oldest_due")?.map(|t| t.0)),
    })
}

// ----- the people's writes, audited -----

pub(super) async fn retry(tx: &mut Tx, id: i64, scope: &Scope, actor: &Actor, at: Timestamp) -> Result<MessageRecord> {
    let before = record(&mut tx.conn, id).await?;
    let (district, department): (String, String) =
        sqlx::query_as("SELECT district, department FROM challans WHERE id = $1").bind(before.challan_id).fetch_one(&mut tx.conn).await?;
    let slug = |column: &str, s: &str| Slug::parse(s).map_err(|e| StoreError::Corrupt(format!("{column}: {e}")));
    check_retry(&before, &slug("district", &district)?, &slug("department", &department)?, scope)?;
    let at = to_micros(at);
    // A new key: the gateway may remember the old one and answer it without sending again.
    let detail = format!("queued again by {}; the failed attempts used key {}", actor.username, before.key);
    sqlx::query(
        "WITH updated AS (
            UPDATE messages SET status = 'queued', key = message_key($2), attempts = 0, next_attempt_at = $2, claimed_until = NULL, updated_at = $2
            WHERE id = $1 AND status = 'failed'
            RETURNING id
        )
        INSERT INTO message_history (message_id, at, status, detail) SELECT id, $2, 'queued', $3 FROM updated",
    )
    .bind(id)
    .bind(PgTime(at))
    .bind(&detail)
    .execute(&mut tx.conn)
    .await?;
    let after = record(&mut tx.conn, id).await?;
    tx.audit(at, actor, "message.retry", format!("message:{id}"), json(&audit_json(&before))?, json(&audit_json(&after))?);
    Ok(after)
}

fn template_from_row(row: &PgRow) -> Result<StoredTemplate> {
    Ok(StoredTemplate {
        kind: kind(row, "kind")?,
        language: language(row, "language")?,
        channel: channel(row, "channel")?,
        source: row.try_get("source")?,
        updated_at: row.try_get::<PgTime, _>("updated_at")?.0,
        updated_by: row.try_get("updated_by")?,
    })
}

pub(super) async fn templates(pool: &PgPool) -> Result<Vec<StoredTemplate>> {
    let rows = sqlx::query("SELECT kind, language, channel, source, updated_at, updated_by FROM message_templates ORDER BY kind, language, channel")
        .fetch_all(pool)
        .await?;
    rows.iter().map(template_from_row).collect()
}

pub(super) async fn put_template(tx: &mut Tx, t: &StoredTemplate, actor: &Actor, at: Timestamp) -> Result<()> {
    check_template(t)?;
    let at = to_micros(at);
    let stored = StoredTemplate { updated_at: at, updated_by: actor.username.clone(), ..t.clone() };
    let (k, l, c) = (t.kind.as_str(), t.language.as_str(), t.channel.as_str());
    let before = sqlx::query(
        "SELECT kind, language, channel, source, updated_at, updated_by FROM message_templates WHERE kind = $1 AND language = $2 AND channel = $3 FOR UPDATE",
    )
    .bind(k)
    .bind(l)
    .bind(c)
    .fetch_optional(&mut tx.conn)
    .await?
    .as_ref()
    .map(template_from_row)
    .transpose()?;
    sqlx::query(
        "INSERT INTO message_templates (kind, language, channel, source, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (kind, language, channel) DO UPDATE SET source = excluded.source, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
    )
    .bind(k)
    .bind(l)
    .bind(c)
    .bind(&stored.source)
    .bind(PgTime(at))
    .bind(&stored.updated_by)
    .execute(&mut tx.conn)
    .await?;
    tx.audit(at, actor, "template.save", format!("template:{k}/{l}/{c}"), json(&before)?, json(&stored)?);
    Ok(())
}

pub(super) async fn set_webhook(tx: &mut Tx, url: Option<&str>, at: Timestamp) -> Result<Option<String>> {
    if let Some(url) = url {
        check_webhook_url(url)?;
    }
    let before: Option<String> = sqlx::query_scalar("SELECT url FROM notify_webhook FOR UPDATE").fetch_optional(&mut tx.conn).await?;
    match url {
        Some(url) => {
            sqlx::query("INSERT INTO notify_webhook (only_row, url, set_at) VALUES (1, $1, $2) ON CONFLICT (only_row) DO UPDATE SET url = $1, set_at = $2")
                .bind(url)
                .bind(PgTime(to_micros(at)))
                .execute(&mut tx.conn)
                .await?
        }
        None => sqlx::query("DELETE FROM notify_webhook").execute(&mut tx.conn).await?,
    };
    Ok(before)
}
