//! The audit log on PostgreSQL: the chain state a batch transaction extends in memory,
//! written in one statement before the commit, and the reads that page through and verify
//! the stored chain.

use jiff::Timestamp;
use sqlx::{Executor, PgConnection, PgPool, Row};
use uuid::Uuid;

use super::types::{PgTime, to_micros};
use crate::audit::{PendingEntry, check_chain, entry_hash};
use crate::records::{Actor, AuditEntry, AuditFault, AuditVerification};
use crate::{Result, StoreError};

/// Largest page `audit_entries` returns, and the page size of `verify_audit`'s walk.
pub(super) const MAX_AUDIT_PAGE: u32 = 1_000;

/// The chain as one batch transaction sees it: the head it locked, and the entries its
/// jobs appended so far (not yet written).
#[derive(Debug, Default)]
pub(super) struct AuditChain {
    seq: i64,
    hash: String,
    pending: Vec<AuditEntry>,
}

/// Where the chain stood before a job ran, to forget the job's entries if it fails.
#[derive(Debug)]
pub(super) struct ChainMark {
    seq: i64,
    hash: String,
    len: usize,
}

impl AuditChain {
    /// Begins a transaction and locks the chain head row for the rest of it, in one round
    /// trip: batches of every node extend the chain one at a time.
    pub(super) async fn begin_and_lock(conn: &mut PgConnection) -> Result<Self> {
        // A plain-text query (no parameters), so both statements travel together.
        let row = (&mut *conn).fetch_optional("BEGIN; SELECT seq, hash FROM audit_head FOR UPDATE").await?;
        let row = row.ok_or_else(|| StoreError::Corrupt("the audit_head row is missing".into()))?;
        Ok(Self { seq: row.try_get("seq")?, hash: row.try_get("hash")?, pending: Vec::new() })
    }

    pub(super) fn mark(&self) -> ChainMark {
        ChainMark { seq: self.seq, hash: self.hash.clone(), len: self.pending.len() }
    }

    pub(super) fn reset(&mut self, mark: ChainMark) {
        self.seq = mark.seq;
        self.hash = mark.hash;
        self.pending.truncate(mark.len);
    }

    /// Appends an entry; `before` and `after` are JSON text.
    pub(super) fn append(&mut self, at: Timestamp, actor: &Actor, action: &str, entity: String, before: String, after: String) {
        let at = to_micros(at);
        let seq = self.seq + 1;
        let pending = PendingEntry { at, actor_id: actor.user_id, actor: &actor.username, action, entity: &entity, before: &before, after: &after };
        let hash = entry_hash(seq, &self.hash, &pending);
        let prev_hash = std::mem::replace(&mut self.hash, hash.clone());
        self.seq = seq;
        self.pending.push(AuditEntry {
            seq,
            at,
            actor_id: actor.user_id,
            actor: actor.username.clone(),
            action: action.to_string(),
            entity,
            before,
            after,
            prev_hash,
            hash,
        });
    }

    /// Writes the appended entries and moves the head, in one statement.
    pub(super) async fn flush(&mut self, conn: &mut PgConnection) -> Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let entries = std::mem::take(&mut self.pending);
        sqlx::query(
            "WITH appended AS (
                INSERT INTO audit_log (seq, at, actor_id, actor, action, entity, before, after, prev_hash, hash)
                SELECT * FROM UNNEST($1::int8[], $2::timestamptz[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
            )
            UPDATE audit_head SET seq = $11, hash = $12",
        )
        .bind(entries.iter().map(|e| e.seq).collect::<Vec<_>>())
        .bind(entries.iter().map(|e| PgTime(e.at)).collect::<Vec<_>>())
        .bind(entries.iter().map(|e| e.actor_id).collect::<Vec<_>>())
        .bind(entries.iter().map(|e| e.actor.as_str()).collect::<Vec<_>>())
        .bind(entries.iter().map(|e| e.action.as_str()).collect::<Vec<_>>())
        .bind(entries.iter().map(|e| e.entity.as_str()).collect::<Vec<_>>())
        .bind(entries.iter().map(|e| e.before.as_str()).collect::<Vec<_>>())
        .bind(entries.iter().map(|e| e.after.as_str()).collect::<Vec<_>>())
        .bind(entries.iter().map(|e| e.prev_hash.as_str()).collect::<Vec<_>>())
        .bind(entries.iter().map(|e| e.hash.as_str()).collect::<Vec<_>>())
        .bind(self.seq)
        .bind(&self.hash)
        .execute(&mut *conn)
        .await?;
        Ok(())
    }
}

/// JSON text of a record for an audit entry.
pub(super) fn json<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt(format!("cannot encode an audit record: {e}")))
}

pub(super) async fn entries(pool: &PgPool, after_seq: i64, limit: u32) -> Result<Vec<AuditEntry>> {
    let limit = i64::from(limit.clamp(1, MAX_AUDIT_PAGE));
    let rows = sqlx::query(
        "SELECT seq, at, actor_id, actor, action, entity, before, after, prev_hash, hash
         FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2",
    )
    .bind(after_seq)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(AuditEntry {
                seq: r.try_get("seq")?,
                at: r.try_get::<PgTime, _>("at")?.0,
                actor_id: r.try_get::<Option<Uuid>, _>("actor_id")?,
                actor: r.try_get("actor")?,
                action: r.try_get("action")?,
                entity: r.try_get("entity")?,
                before: r.try_get("before")?,
                after: r.try_get("after")?,
                prev_hash: r.try_get("prev_hash")?,
                hash: r.try_get("hash")?,
            })
        })
        .collect()
}

/// Walks the whole chain page by page, then checks the head row points at an entry that
/// exists with that hash (so entries cut from the end are found too).
pub(super) async fn verify(pool: &PgPool) -> Result<AuditVerification> {
    let head = sqlx::query("SELECT seq, hash FROM audit_head").fetch_optional(pool).await?;
    let head = head.ok_or_else(|| StoreError::Corrupt("the audit_head row is missing".into()))?;
    let (head_seq, head_hash): (i64, String) = (head.try_get("seq")?, head.try_get("hash")?);
    let mut prev = (0_i64, crate::audit::GENESIS_HASH.to_string());
    let mut count = 0_u64;
    let mut hash_at_head = (head_seq == 0).then(|| crate::audit::GENESIS_HASH.to_string());
    loop {
        let page = entries(pool, prev.0, MAX_AUDIT_PAGE).await?;
        if page.is_empty() {
            break;
        }
        if let Some(fault) = check_chain(&mut prev, &page) {
            return Ok(AuditVerification { entries: count + page.iter().take_while(|e| e.seq < fault.seq).count() as u64, first_bad: Some(fault) });
        }
        count += page.len() as u64;
        if let Some(e) = page.iter().find(|e| e.seq == head_seq) {
            hash_at_head = Some(e.hash.clone());
        }
    }
    let first_bad = match hash_at_head {
        None => Some(AuditFault {
            seq: prev.0 + 1,
            reason: format!("the chain head records entry {head_seq}, but the log ends at entry {}: entries were removed from the end", prev.0),
        }),
        Some(h) if h != head_hash => Some(AuditFault { seq: head_seq, reason: "the chain head's hash does not match this entry's hash".into() }),
        Some(_) => None,
    };
    Ok(AuditVerification { entries: count, first_bad })
}
