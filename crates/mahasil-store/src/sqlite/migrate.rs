//! The SQLite schema's migrations, embedded in the binary and applied in order at open.
//! Migrations are append-only: each applied one is recorded with the SHA-256 of its text,
//! and a database whose history differs from this binary's is refused, not "fixed".

use rusqlite::{Connection, OptionalExtension};
use sha2::{Digest, Sha256};

use crate::error::{Result, StoreError};

/// Every migration, oldest first. Add new files at the end; never edit an applied one.
const MIGRATIONS: &[(&str, &str)] = &[
    ("0001_reference_data", include_str!("../../migrations/sqlite/0001_reference_data.sql")),
    ("0002_users_and_sessions", include_str!("../../migrations/sqlite/0002_users_and_sessions.sql")),
    ("0003_issuers_and_challans", include_str!("../../migrations/sqlite/0003_issuers_and_challans.sql")),
    ("0004_cancellations_and_contests", include_str!("../../migrations/sqlite/0004_cancellations_and_contests.sql")),
    ("0005_audit_log", include_str!("../../migrations/sqlite/0005_audit_log.sql")),
    ("0006_seals", include_str!("../../migrations/sqlite/0006_seals.sql")),
    ("0007_offender_keys_apart", include_str!("../../migrations/sqlite/0007_offender_keys_apart.sql")),
    ("0008_banks", include_str!("../../migrations/sqlite/0008_banks.sql")),
    ("0009_ledger", include_str!("../../migrations/sqlite/0009_ledger.sql")),
    ("0010_payments", include_str!("../../migrations/sqlite/0010_payments.sql")),
    ("0011_treasury", include_str!("../../migrations/sqlite/0011_treasury.sql")),
    ("0012_devices", include_str!("../../migrations/sqlite/0012_devices.sql")),
    ("0013_outbox", include_str!("../../migrations/sqlite/0013_outbox.sql")),
    ("0014_recipients_and_waivers", include_str!("../../migrations/sqlite/0014_recipients_and_waivers.sql")),
    ("0015_insight_rollups", include_str!("../../migrations/sqlite/0015_insight_rollups.sql")),
    ("0016_inquiries_and_flags", include_str!("../../migrations/sqlite/0016_inquiries_and_flags.sql")),
    ("0017_anomaly_reads_by_time", include_str!("../../migrations/sqlite/0017_anomaly_reads_by_time.sql")),
    ("0018_officer_months", include_str!("../../migrations/sqlite/0018_officer_months.sql")),
    ("0019_officer_totals", include_str!("../../migrations/sqlite/0019_officer_totals.sql")),
    ("0020_series_days", include_str!("../../migrations/sqlite/0020_series_days.sql")),
];

const CREATE_SCHEMA_MIGRATIONS: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    sha256     TEXT NOT NULL,
    applied_at INTEGER NOT NULL
) STRICT";

/// Applies the migrations this database lacks, each in its own transaction.
pub(crate) fn migrate(conn: &mut Connection) -> Result<()> {
    conn.execute(CREATE_SCHEMA_MIGRATIONS, [])?;
    let applied = applied(conn)?;
    if applied.len() > MIGRATIONS.len() {
        return Err(StoreError::Migration(format!(
            "the database has {} migrations applied but this program knows only {}; it was written by a newer version",
            applied.len(),
            MIGRATIONS.len()
        )));
    }
    for (i, (name, sha256)) in applied.iter().enumerate() {
        let (known_name, sql) = MIGRATIONS[i];
        if name != known_name || *sha256 != digest(sql) {
            return Err(StoreError::Migration(format!("applied migration {name} differs from this program's {known_name}; migrations must never be edited")));
        }
    }
    for (i, (name, sql)) in MIGRATIONS.iter().enumerate().skip(applied.len()) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql).map_err(|e| StoreError::Migration(format!("{name}: {e}")))?;
        let id = i64::try_from(i + 1).map_err(|e| StoreError::Migration(e.to_string()))?;
        tx.execute(
            "INSERT INTO schema_migrations (id, name, sha256, applied_at) VALUES (?1, ?2, ?3, ?4)",
            rusqlite::params![id, name, digest(sql), jiff::Timestamp::now().as_microsecond()],
        )?;
        tx.commit()?;
        tracing::info!(migration = name, "applied sqlite migration");
    }
    Ok(())
}

/// Names and digests of applied migrations, oldest first.
fn applied(conn: &Connection) -> Result<Vec<(String, String)>> {
    let mut stmt = conn.prepare("SELECT name, sha256 FROM schema_migrations ORDER BY id")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// Names of applied migrations, oldest first.
pub(crate) fn applied_names(conn: &Connection) -> Result<Vec<String>> {
    let exists = conn.query_row("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'", [], |_| Ok(())).optional()?;
    if exists.is_none() {
        return Ok(Vec::new());
    }
    Ok(applied(conn)?.into_iter().map(|(name, _)| name).collect())
}

fn digest(sql: &str) -> String {
    hex::encode(Sha256::digest(sql.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn applies_once_and_refuses_edited_history() -> Result<()> {
        let mut conn = Connection::open_in_memory()?;
        conn.execute_batch("PRAGMA foreign_keys = ON")?;
        migrate(&mut conn)?;
        migrate(&mut conn)?;
        assert_eq!(applied_names(&conn)?.len(), MIGRATIONS.len());
        conn.execute("UPDATE schema_migrations SET sha256 = 'edited' WHERE id = 1", [])?;
        assert!(matches!(migrate(&mut conn), Err(StoreError::Migration(_))));
        Ok(())
    }
}
