//! The audit log in SQLite: appending an entry inside a write job, reading entries in
//! pages, and walking the whole chain to verify it.

use std::sync::Arc;

use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension, Transaction};

use super::connection::ReadPool;
use super::rows::{self, micros};
use crate::audit::{GENESIS_HASH, PendingEntry, check_chain, entry_hash};
use crate::error::Result;
use crate::records::{Actor, AuditEntry, AuditVerification};

/// Largest page of entries read at once, by callers and by verification.
pub const MAX_AUDIT_PAGE: u32 = 1_000;

/// What a write method records about itself.
pub(crate) struct Change<'a> {
    pub action: &'a str,
    pub entity: String,
    /// JSON text; `null` for creations.
    pub before: String,
    pub after: String,
}

/// Appends an entry after the chain's current head. The head is read inside the write
/// transaction, so a job rolled back to its savepoint never leaves a stale head behind.
pub(crate) fn append(tx: &Transaction<'_>, actor: &Actor, at: Timestamp, change: &Change<'_>) -> Result<()> {
    let head: Option<(i64, String)> =
        tx.prepare_cached("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")?.query_row([], |r| Ok((r.get(0)?, r.get(1)?))).optional()?;
    let (prev_seq, prev_hash) = head.unwrap_or_else(|| (0, GENESIS_HASH.to_string()));
    let seq = prev_seq + 1;
    let pending = PendingEntry {
        at,
        actor_id: actor.user_id,
        actor: &actor.username,
        action: change.action,
        entity: &change.entity,
        before: &change.before,
        after: &change.after,
    };
    let hash = entry_hash(seq, &prev_hash, &pending);
    tx.prepare_cached(
        "INSERT INTO audit_log (seq, at, actor_id, actor, action, entity, before, after, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(rusqlite::params![
        seq,
        micros(at),
        actor.user_id.map(|u| u.to_string()),
        actor.username,
        change.action,
        change.entity,
        change.before,
        change.after,
        prev_hash,
        hash,
    ])?;
    Ok(())
}

/// Entries with `seq > after_seq`, oldest first.
pub(crate) fn entries(conn: &Connection, after_seq: i64, limit: u32) -> Result<Vec<AuditEntry>> {
    let mut stmt = conn.prepare_cached(
        "SELECT seq, at, actor_id, actor, action, entity, before, after, prev_hash, hash FROM audit_log WHERE seq > ?1 ORDER BY seq LIMIT ?2",
    )?;
    let mut rows = stmt.query(rusqlite::params![after_seq, rows::clamp_limit(limit, MAX_AUDIT_PAGE)])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let actor_id: Option<String> = r.get(2)?;
        out.push(AuditEntry {
            seq: r.get(0)?,
            at: rows::timestamp("audit_log.at", r.get(1)?)?,
            actor_id: actor_id.as_deref().map(|a| rows::uuid("audit_log.actor_id", a)).transpose()?,
            actor: r.get(3)?,
            action: r.get(4)?,
            entity: r.get(5)?,
            before: r.get(6)?,
            after: r.get(7)?,
            prev_hash: r.get(8)?,
            hash: r.get(9)?,
        });
    }
    Ok(out)
}

/// Walks the chain page by page, so memory stays flat however long the log grows.
pub(crate) async fn verify(pool: &Arc<ReadPool>) -> Result<AuditVerification> {
    let mut prev = (0_i64, GENESIS_HASH.to_string());
    let mut checked: u64 = 0;
    loop {
        let after = prev.0;
        let page = pool.read(move |conn| entries(conn, after, MAX_AUDIT_PAGE)).await?;
        if page.is_empty() {
            return Ok(AuditVerification { entries: checked, first_bad: None });
        }
        if let Some(fault) = check_chain(&mut prev, &page) {
            let good = page.iter().take_while(|e| e.seq < fault.seq).count() as u64;
            return Ok(AuditVerification { entries: checked + good, first_bad: Some(fault) });
        }
        checked += page.len() as u64;
    }
}
