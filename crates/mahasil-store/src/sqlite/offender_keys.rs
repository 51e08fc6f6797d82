//! The offender search index of SQLite: each challan's CNIC, mobile and vehicle number as
//! keys (`c:`, `m:`, `v:` + the number) pointing at its `seq`, in a side database attached
//! as `search` next to the main file.
//!
//! Why apart: these numbers are spread over their whole ranges, so their index pages are
//! dirtied all over at every commit. In the main database each such page had to reach the
//! disk twice per commit window (WAL fsync, then the checkpoint's fsync); at a million
//! challans that random I/O, not the inserts, set the pace of issuing. The side database
//! is written in the same transaction but never fsync'd (`synchronous=OFF`): the page
//! cache absorbs the rewrites and the kernel writes each hot page back once in a while.
//!
//! It is derived data, so it is never trusted blindly: on every open it is checked, and
//! keys are added for challans it lacks and dropped for challans that do not exist (a
//! crash can leave it a batch behind or ahead of the main file; an operating-system crash
//! can leave it damaged, and then it is rebuilt). Searches still compare the challan's own
//! columns, so a stale key can never return a wrong row.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, Transaction};

use crate::error::Result;

/// The side database's file next to `main`: `mahasil.db` → `mahasil.db.search`.
pub(crate) fn side_path(main: &Path) -> PathBuf {
    let mut name = main.as_os_str().to_os_string();
    name.push(".search");
    PathBuf::from(name)
}

pub(crate) const SCHEMA: &str =
    "CREATE TABLE IF NOT EXISTS search.offender_keys (key TEXT NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (key, seq)) WITHOUT ROWID";

/// Keys of every challan with `seq > ?1`, as the writer adds them one challan at a time.
const KEYS_OF_CHALLANS_AFTER: &str = "INSERT OR IGNORE INTO search.offender_keys (key, seq)
     SELECT 'c:' || cnic, seq FROM main.challans WHERE seq > ?1
     UNION ALL SELECT 'm:' || mobile, seq FROM main.challans WHERE seq > ?1
     UNION ALL SELECT 'v:' || vehicle_no, seq FROM main.challans WHERE seq > ?1 AND vehicle_no IS NOT NULL";

/// Attaches the side database to the writer, creating, checking, repairing or rebuilding
/// it so that it holds exactly the keys of the stored challans.
pub(crate) fn attach_for_writing(conn: &Connection, main: &Path) -> Result<()> {
    let side = side_path(main);
    let attached = match attach(conn, &side) {
        Ok(()) => true,
        Err(crate::StoreError::Sqlite(e)) if damaged(&e) => false,
        Err(e) => return Err(e),
    };
    if !attached || !intact(conn)? {
        tracing::warn!(file = %side.display(), "the offender search index is damaged; rebuilding it from the challans");
        if attached {
            conn.execute_batch("DETACH DATABASE search")?;
        }
        for suffix in ["", "-wal", "-shm"] {
            let mut file = side.clone().into_os_string();
            file.push(suffix);
            match std::fs::remove_file(&file) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
                _ => {}
            }
        }
        attach(conn, &side)?;
    }
    conn.execute_batch(&format!(
        "PRAGMA search.journal_mode = WAL; PRAGMA search.synchronous = OFF; PRAGMA search.journal_size_limit = {}; {SCHEMA};",
        64 * 1024 * 1024
    ))?;
    reconcile(conn)
}

/// Attaches the side database to a read-only connection.
pub(crate) fn attach_for_reading(conn: &Connection, main: &Path) -> Result<()> {
    attach(conn, &side_path(main))
}

fn attach(conn: &Connection, side: &Path) -> Result<()> {
    let name = side.to_str().ok_or_else(|| crate::StoreError::Config(format!("{} is not a UTF-8 path", side.display())))?;
    conn.execute("ATTACH DATABASE ?1 AS search", [name])?;
    Ok(())
}

fn intact(conn: &Connection) -> Result<bool> {
    match conn.query_row("PRAGMA search.quick_check", [], |r| r.get::<_, String>(0)) {
        Ok(verdict) => Ok(verdict == "ok"),
        Err(e) if damaged(&e) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

fn damaged(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _) if matches!(f.code, rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase))
}

/// Drops keys of challans that are not stored and adds the keys of those not yet indexed.
fn reconcile(conn: &Connection) -> Result<()> {
    let last_challan: i64 = conn.query_row("SELECT coalesce(max(seq), 0) FROM main.challans", [], |r| r.get(0))?;
    let dropped = conn.execute("DELETE FROM search.offender_keys WHERE seq > ?1", [last_challan])?;
    let last_indexed: i64 = conn.query_row("SELECT coalesce(max(seq), 0) FROM search.offender_keys", [], |r| r.get(0))?;
    let added = conn.execute(KEYS_OF_CHALLANS_AFTER, [last_indexed])?;
    if dropped > 0 || added > 0 {
        tracing::info!(dropped, added, "offender search index brought up to the stored challans");
    }
    Ok(())
}

/// Adds the keys of the challan just stored as `seq` (inside its transaction).
pub(crate) fn add(tx: &Transaction<'_>, seq: i64, cnic: &str, mobile: &str, vehicle_no: Option<&str>) -> Result<()> {
    let mut stmt = tx.prepare_cached("INSERT OR IGNORE INTO search.offender_keys (key, seq) VALUES (?1, ?2)")?;
    stmt.execute(rusqlite::params![format!("c:{cnic}"), seq])?;
    stmt.execute(rusqlite::params![format!("m:{mobile}"), seq])?;
    if let Some(vehicle) = vehicle_no {
        stmt.execute(rusqlite::params![format!("v:{vehicle}"), seq])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn side_file_sits_next_to_the_main_one() {
        assert_eq!(side_path(Path::new("/data/mahasil.db")), PathBuf::from("/data/mahasil.db.search"));
    }
}
