//! What the bulk load writes once, after the last challan: the dashboard's rollups, one
//! treasury statement per day of deposits, each issuer's and device's last counter, the
//! offender search index in its side database (sorted, on its own connection, while the
//! main file is finished), and the two triggers put back exactly as the migrations made them.

use std::path::Path;

use anyhow::Context;
use mahasil_reconcile::generate::StatementParams;
use rusqlite::types::ToSqlOutput;
use rusqlite::{Connection, ToSql, params};
use sha2::{Digest, Sha256};

use super::books::{Books, Measures, OFFICER_BITS, key_text};
use super::payment::{import_time, statement_id};
use super::world::{State, World};

const ROLLUPS_MIGRATION: &str = include_str!("../../../../mahasil-store/migrations/sqlite/0015_insight_rollups.sql");
const MONTHS_MIGRATION: &str = include_str!("../../../../mahasil-store/migrations/sqlite/0018_officer_months.sql");
const TOTALS_MIGRATION: &str = include_str!("../../../../mahasil-store/migrations/sqlite/0019_officer_totals.sql");
const SERIES_MIGRATION: &str = include_str!("../../../../mahasil-store/migrations/sqlite/0020_series_days.sql");
const OUTBOX_MIGRATION: &str = include_str!("../../../../mahasil-store/migrations/sqlite/0014_recipients_and_waivers.sql");

/// The triggers the bulk load does without, and the migration that made each last. Every
/// other trigger the load's inserts would fire is refused: the load would not know what
/// it keeps.
pub(super) const TRIGGERS: [(&str, &str); 5] = [
    ("transfers_roll_up", ROLLUPS_MIGRATION),
    ("transfers_roll_up_months", MONTHS_MIGRATION),
    ("transfers_roll_up_officer_totals", TOTALS_MIGRATION),
    ("transfers_roll_up_series", SERIES_MIGRATION),
    ("challan_events_queue_messages", OUTBOX_MIGRATION),
];

/// The `CREATE TRIGGER` statement of `name` as its migration wrote it last.
pub(super) fn trigger_sql(migration: &'static str, name: &str) -> anyhow::Result<&'static str> {
    let start = migration.rfind(&format!("CREATE TRIGGER {name} ")).with_context(|| format!("the migrations do not create trigger {name}"))?;
    let end = migration[start..].find("\nEND;").with_context(|| format!("trigger {name} has no END"))? + start + "\nEND".len();
    Ok(&migration[start..end])
}

/// Drops the triggers after checking the database holds them exactly as the migrations
/// wrote them (so putting them back from the migrations restores them as they were).
pub(super) fn drop_triggers(conn: &Connection) -> anyhow::Result<()> {
    let mut stmt = conn.prepare("SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger' AND sql LIKE '%INSERT ON%'")?;
    let on_insert = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?.collect::<rusqlite::Result<Vec<_>>>()?;
    for (name, table) in on_insert {
        anyhow::ensure!(
            TRIGGERS.iter().any(|(known, _)| *known == name),
            "trigger {name} on {table} is not one `demo generate` knows how to stand in for; generating now would leave what it keeps incomplete"
        );
    }
    for (name, migration) in TRIGGERS {
        let stored: String = conn
            .query_row("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?1", [name], |r| r.get(0))
            .with_context(|| format!("trigger {name}"))?;
        anyhow::ensure!(stored.trim() == trigger_sql(migration, name)?.trim(), "trigger {name} is not the one its migration made; refusing to drop it");
        conn.execute_batch(&format!("DROP TRIGGER {name}"))?;
    }
    Ok(())
}

pub(super) fn restore_triggers(conn: &Connection) -> anyhow::Result<()> {
    for (name, migration) in TRIGGERS {
        conn.execute_batch(&format!("{};", trigger_sql(migration, name)?))?;
    }
    Ok(())
}

/// Tables the bulk load fills row by row; their own indexes are built once at the end.
const LOADED_TABLES: [&str; 10] = [
    "challans",
    "challan_events",
    "transfers",
    "payments",
    "online_payments",
    "counter_payments",
    "cancellation_requests",
    "revocations",
    "bill_inquiries",
    "sync_ops",
];

/// The indexes created by `CREATE INDEX` on the tables the load fills (constraints' own
/// indexes stay), with the statement that made each, exactly as the database keeps it.
pub(super) fn set_indexes_aside(conn: &Connection) -> anyhow::Result<Vec<(String, String)>> {
    let list = LOADED_TABLES.iter().map(|t| format!("'{t}'")).collect::<Vec<_>>().join(", ");
    let mut stmt =
        conn.prepare(&format!("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({list}) ORDER BY rowid"))?;
    let indexes = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?.collect::<rusqlite::Result<Vec<_>>>()?;
    for (name, _) in &indexes {
        conn.execute_batch(&format!("DROP INDEX {name}"))?;
    }
    Ok(indexes)
}

/// Builds the indexes set aside, each by one sort of its table (several sorter threads).
pub(super) fn rebuild_indexes(conn: &Connection, indexes: &[(String, String)]) -> anyhow::Result<()> {
    conn.execute_batch("PRAGMA threads = 4")?;
    for (name, sql) in indexes {
        conn.execute_batch(sql).with_context(|| format!("building index {name}"))?;
    }
    Ok(())
}

/// Rollups, statements and counters, in one transaction.
pub(super) fn write_books(conn: &Connection, world: &World, state: &State) -> anyhow::Result<()> {
    conn.execute_batch("BEGIN")?;
    write_rollups(conn, &state.books)?;
    write_statements(conn, world, &state.books)?;
    let mut issuer = conn.prepare("UPDATE issuers SET last_counter = ?2 WHERE issuer_no = ?1")?;
    issuer.execute(params![world.node_issuer.get(), state.node_counter])?;
    let mut device = conn.prepare("UPDATE devices SET last_counter_received = ?2, last_sync_at = ?3 WHERE id = ?1")?;
    for (d, s) in world.devices.iter().zip(&state.devices) {
        issuer.execute(params![d.issuer.get(), s.last_received_counter])?;
        let synced = (s.last_sync_at > 0).then_some(s.last_sync_at * 1_000_000);
        device.execute(params![d.id.hyphenated().to_string(), s.last_received_counter, synced])?;
    }
    conn.execute_batch("COMMIT")?;
    Ok(())
}

fn sorted(map: &super::books::KeyMap<Measures>) -> Vec<(u64, &Measures)> {
    let mut rows: Vec<(u64, &Measures)> = map.iter().map(|(k, m)| (*k, m)).collect();
    rows.sort_unstable_by_key(|r| r.0);
    rows
}

const MEASURES: &str = "issued_n, issued_paisa, surcharge_paisa, paid_n, paid_paisa, overpaid_paisa, cancelled_n, cancelled_paisa, waived_n, waived_paisa, deposited_n, deposited_paisa";

/// One value of a rollup row's key.
enum KeyValue<'a> {
    Int(i64),
    Text(&'a str),
}

impl ToSql for KeyValue<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Self::Int(i) => ToSqlOutput::from(*i),
            Self::Text(t) => ToSqlOutput::from(*t),
        })
    }
}

/// Writes `rows` into `table`: each row's key, in the order of `key`, then its measures.
fn insert_rows<'a>(conn: &Connection, table: &str, key: &[&str], rows: impl IntoIterator<Item = (Vec<KeyValue<'a>>, &'a Measures)>) -> anyhow::Result<()> {
    let placeholders = (1..=key.len() + 12).map(|i| format!("?{i}")).collect::<Vec<_>>().join(", ");
    let mut insert = conn.prepare(&format!("INSERT INTO {table} ({}, {MEASURES}) VALUES ({placeholders})", key.join(", ")))?;
    for (mut values, m) in rows {
        values.extend(m.iter().map(|v| KeyValue::Int(*v)));
        insert.execute(rusqlite::params_from_iter(values.iter()))?;
    }
    Ok(())
}

/// Every rollup the triggers keep, from the officer days and the cohorts the load added up.
fn write_rollups(conn: &Connection, books: &Books) -> anyhow::Result<()> {
    let officer_key = |first: &'static str| [first, "district", "department", "head_code", "officer_id"];
    let officer_row = |key: u64, first: i64| {
        let (_, district, department, head) = books.unpack_area(key >> OFFICER_BITS);
        let officer = books.officers.name(key & ((1 << OFFICER_BITS) - 1));
        vec![KeyValue::Int(first), KeyValue::Text(district), KeyValue::Text(department), KeyValue::Text(head), KeyValue::Text(officer)]
    };
    let period = |key: u64| books.unpack_area(key).0;
    let day = |key: u64| period(key) + books.day_base;
    insert_rows(
        conn,
        "insight_officer_days",
        &officer_key("day"),
        sorted(&books.officer_days).into_iter().map(|(k, m)| (officer_row(k, day(k >> OFFICER_BITS)), m)),
    )?;
    let months = books.officer_months();
    insert_rows(
        conn,
        "insight_officer_months",
        &officer_key("month"),
        sorted(&months).into_iter().map(|(k, m)| (officer_row(k, period(k >> OFFICER_BITS)), m)),
    )?;
    let totals = Books::officer_totals(&months);
    let without_head = |k: u64| {
        let mut row = officer_row(k, period(k >> OFFICER_BITS));
        row.remove(3);
        row
    };
    insert_rows(
        conn,
        "insight_officer_totals",
        &["month", "district", "department", "officer_id"],
        sorted(&totals).into_iter().map(|(k, m)| (without_head(k), m)),
    )?;
    let area_row = |key: u64, first: i64| {
        let (_, district, department, head) = books.unpack_area(key);
        vec![KeyValue::Int(first), KeyValue::Text(district), KeyValue::Text(department), KeyValue::Text(head)]
    };
    let area_days = books.area_days();
    insert_rows(
        conn,
        "insight_area_days",
        &["day", "district", "department", "head_code"],
        sorted(&area_days).into_iter().map(|(k, m)| (area_row(k, day(k)), m)),
    )?;
    let cohort_key = ["cohort_month", "district", "department", "head_code"];
    insert_rows(conn, "insight_cohorts", &cohort_key, sorted(&books.cohorts).into_iter().map(|(k, m)| (area_row(k, period(k)), m)))?;
    let series = books.series_days(&area_days);
    insert_rows(
        conn,
        "insight_series_days",
        &["day", "dimension", "member"],
        series.iter().map(|((day, dimension, member), m)| (vec![KeyValue::Int(*day), KeyValue::Text(dimension), KeyValue::Text(member)], m)),
    )
}

/// One imported statement of the treasury account per day money arrived, each opening at
/// the previous one's closing balance, so the next real statement follows on.
fn write_statements(conn: &Connection, world: &World, books: &Books) -> anyhow::Result<()> {
    let first = world.dates.date(world.first_day)?;
    let defaults = StatementParams::new(&[], first, first);
    let mut balance = defaults.opening_balance_paisa;
    let mut insert = conn.prepare(
        "INSERT INTO statements (sha256, account, statement_id, format, from_date, to_date, opening_paisa, closing_paisa, lines, imported_by, imported_at, \
         deposited, deposited_paisa, unidentified, unidentified_paisa, unexplained_paisa, report_csv) \
         VALUES (?1, ?2, ?3, 'csv', ?4, ?4, ?5, ?6, ?7, 'cli:reconcile', ?8, ?7, ?9, 0, 0, 0, ?10)",
    )?;
    for (&day, &(lines, paisa)) in &books.deposits {
        let date = world.dates.text(day)?;
        let id = statement_id(&date);
        let report = format!("category,lines,credited_paisa\r\nmatched,{lines},{paisa}\r\n");
        let sha: [u8; 32] = Sha256::digest(format!("{}\n{id}\n{lines}\n{paisa}\n{balance}", defaults.account_id).as_bytes()).into();
        let closing = balance + paisa;
        insert.execute(params![sha.as_slice(), defaults.account_id, id, &*date, balance, closing, lines, import_time(day) * 1_000_000, paisa, report])?;
        balance = closing;
    }
    Ok(())
}

/// Writes the offender keys, sorted, into the side database at `side` (the store made its
/// table), on a connection of its own.
pub(super) fn write_offender_keys(side: &Path, mut keys: Vec<([u8; super::books::KEY_BYTES], u32)>) -> anyhow::Result<()> {
    keys.sort_unstable();
    let conn = Connection::open(side).with_context(|| format!("opening {}", side.display()))?;
    let mode: String = conn.query_row("PRAGMA journal_mode = OFF", [], |r| r.get(0))?;
    anyhow::ensure!(mode.eq_ignore_ascii_case("off"), "{} is in use", side.display());
    conn.execute_batch("PRAGMA synchronous = OFF; PRAGMA cache_size = -262144; BEGIN")?;
    {
        let mut insert = conn.prepare("INSERT OR IGNORE INTO offender_keys (key, seq) VALUES (?1, ?2)")?;
        for (key, seq) in &keys {
            insert.execute(params![key_text(key), seq])?;
        }
    }
    conn.execute_batch("COMMIT")?;
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    anyhow::ensure!(mode.eq_ignore_ascii_case("wal"), "{} stayed in journal mode {mode}", side.display());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_triggers_are_found_whole_in_their_migrations() -> anyhow::Result<()> {
        for (name, migration) in TRIGGERS {
            let sql = trigger_sql(migration, name)?;
            assert!(sql.starts_with(&format!("CREATE TRIGGER {name} AFTER INSERT ON ")), "{sql}");
            assert!(sql.ends_with("\nEND"), "{sql}");
            assert_eq!(sql.matches("CREATE TRIGGER").count(), 1);
        }
        Ok(())
    }
}
