//! The PostgreSQL migrations: append-only SQL files embedded in the binary, applied in
//! order at connect time, each in its own transaction and recorded by name. Several nodes
//! starting at once take turns under an advisory lock.

use sqlx::{Connection, PgConnection};

use crate::{Result, StoreError};

/// Every migration, oldest first. Never edit or reorder one that has shipped; add a new file.
const MIGRATIONS: &[(&str, &str)] = &[
    ("0001_audit_log", include_str!("../../migrations/postgres/0001_audit_log.sql")),
    ("0002_reference_data", include_str!("../../migrations/postgres/0002_reference_data.sql")),
    ("0003_users_and_sessions", include_str!("../../migrations/postgres/0003_users_and_sessions.sql")),
    ("0004_issuers", include_str!("../../migrations/postgres/0004_issuers.sql")),
    ("0005_challans", include_str!("../../migrations/postgres/0005_challans.sql")),
    ("0006_cancellations_and_contests", include_str!("../../migrations/postgres/0006_cancellations_and_contests.sql")),
    ("0007_seals", include_str!("../../migrations/postgres/0007_seals.sql")),
    ("0008_banks", include_str!("../../migrations/postgres/0008_banks.sql")),
    ("0009_ledger", include_str!("../../migrations/postgres/0009_ledger.sql")),
    ("0010_payments", include_str!("../../migrations/postgres/0010_payments.sql")),
    ("0011_treasury", include_str!("../../migrations/postgres/0011_treasury.sql")),
    ("0012_devices", include_str!("../../migrations/postgres/0012_devices.sql")),
    ("0013_outbox", include_str!("../../migrations/postgres/0013_outbox.sql")),
    ("0014_recipients_and_waivers", include_str!("../../migrations/postgres/0014_recipients_and_waivers.sql")),
    ("0015_insight_rollups", include_str!("../../migrations/postgres/0015_insight_rollups.sql")),
    ("0016_inquiries_and_flags", include_str!("../../migrations/postgres/0016_inquiries_and_flags.sql")),
    ("0017_anomaly_reads_by_time", include_str!("../../migrations/postgres/0017_anomaly_reads_by_time.sql")),
    ("0018_officer_months", include_str!("../../migrations/postgres/0018_officer_months.sql")),
    ("0019_officer_totals", include_str!("../../migrations/postgres/0019_officer_totals.sql")),
    ("0020_series_days", include_str!("../../migrations/postgres/0020_series_days.sql")),
];

/// First key of the advisory lock taken while migrating ("mhsl"); the second is the
/// schema's hash, so separate schemas (tests) migrate side by side.
const MIGRATION_LOCK_CLASS: i32 = 0x6d68_736c;

/// Applies every migration not yet recorded in the connection's current schema.
pub(super) async fn run(conn: &mut PgConnection) -> Result<()> {
    sqlx::query("SELECT pg_advisory_lock($1, hashtext(current_schema()))").bind(MIGRATION_LOCK_CLASS).execute(&mut *conn).await?;
    let outcome = apply_pending(conn).await;
    let unlocked = sqlx::query("SELECT pg_advisory_unlock($1, hashtext(current_schema()))").bind(MIGRATION_LOCK_CLASS).execute(&mut *conn).await;
    outcome?;
    unlocked?;
    Ok(())
}

async fn apply_pending(conn: &mut PgConnection) -> Result<()> {
    sqlx::raw_sql("CREATE TABLE IF NOT EXISTS mahasil_migrations (name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())")
        .execute(&mut *conn)
        .await?;
    let applied: Vec<String> = sqlx::query_scalar("SELECT name FROM mahasil_migrations").fetch_all(&mut *conn).await?;
    if let Some(unknown) = applied.iter().find(|name| !MIGRATIONS.iter().any(|(known, _)| known == name)) {
        return Err(StoreError::Migration(format!("the database has migration {unknown}, which this build does not know; it was written by a newer version")));
    }
    for (name, sql) in MIGRATIONS {
        if applied.iter().any(|a| a == name) {
            continue;
        }
        let mut tx = conn.begin().await?;
        sqlx::raw_sql(sql).execute(&mut *tx).await.map_err(|e| StoreError::Migration(format!("{name}: {e}")))?;
        sqlx::query("INSERT INTO mahasil_migrations (name) VALUES ($1)").bind(*name).execute(&mut *tx).await?;
        tx.commit().await?;
        tracing::info!(migration = name, "applied PostgreSQL migration");
    }
    Ok(())
}

/// Names of the applied migrations, oldest first.
pub(super) async fn applied(pool: &sqlx::PgPool) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar("SELECT name FROM mahasil_migrations ORDER BY name").fetch_all(pool).await?)
}
