//! Cases for the audit log: every write leaves an entry, the chain verifies, and (on
//! SQLite, where a test can reach the file as an attacker would) edits, removals and
//! reorderings are found.

use std::path::Path;

use mahasil_domain::authz::Scope;
use mahasil_store::{AuditEntry, Store};
use uuid::Uuid;

use crate::fixtures::*;
use crate::users::all_audit;

/// A bit of everything, so the chain holds every kind of entry.
async fn busy_history(w: &World) -> TestResult {
    let s = &w.store;
    let a = issue_one(w, &w.officer, 1, t0()?).await?;
    let b = issue_one(w, &w.officer, 2, t0()?).await?;
    let r = s.request_cancellation(a.challan_no, "issued in error", &w.officer, Uuid::now_v7(), t0()?).await?;
    s.decide_cancellation(r.id, true, "ok", &w.supervisor, t0()?).await?;
    let c = s.record_contest(b.challan_no, "not there", &w.officer, Uuid::now_v7(), t0()?).await?;
    s.decide_contest(c.id, true, "", &w.supervisor, t0()?).await?;
    // Refused writes add nothing to the chain.
    assert!(s.decide_contest(c.id, true, "", &w.supervisor, t0()?).await.is_err());
    assert!(s.search_challans(&mahasil_store::ChallanQuery::new(Scope::Everywhere)).await?.items.len() == 2);
    Ok(())
}

pub async fn audit_chain_verifies(store: Store) -> TestResult {
    assert_eq!(store.verify_audit().await?.first_bad, None, "an empty log verifies");
    let w = world(store).await?;
    busy_history(&w).await?;
    let entries = all_audit(&w.store).await?;
    let seqs: Vec<i64> = entries.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (1..=entries.len() as i64).collect::<Vec<_>>(), "sequence numbers run without gaps");
    assert_eq!(entries[0].prev_hash, mahasil_store::audit::GENESIS_HASH);
    for pair in entries.windows(2) {
        assert_eq!(pair[1].prev_hash, pair[0].hash);
    }
    for action in ["user.create", "challan.issue"] {
        assert!(entries.iter().any(|e| e.action == action), "{action} is audited");
    }
    let issue = entries.iter().find(|e| e.action == "challan.issue").ok_or("no issue entry")?;
    assert_eq!((issue.actor.as_str(), issue.actor_id), ("officer.peshawar", Some(w.officer.user_id)));
    assert!(issue.entity.contains("challan"));
    assert!(serde_json::from_str::<serde_json::Value>(&issue.after)?.is_object());
    assert_eq!(issue.before, "null");

    let verification = w.store.verify_audit().await?;
    assert_eq!((verification.entries, verification.first_bad), (entries.len() as u64, None));
    // Pages start after the given entry and respect the limit.
    let page = w.store.audit_entries(3, 2).await?;
    assert_eq!(page.iter().map(|e| e.seq).collect::<Vec<_>>(), [4, 5]);
    Ok(())
}

// ----- SQLite only: tampering behind the store's back -----

/// Opens the file as an attacker would and removes the append-only guard.
fn attacker(dir: &Path) -> TestResult<rusqlite::Connection> {
    let conn = rusqlite::Connection::open(mahasil_store::testing::sqlite_file(dir))?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.execute_batch("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;")?;
    Ok(conn)
}

async fn tampered_store() -> TestResult<(Store, tempfile::TempDir, Vec<AuditEntry>)> {
    let (store, dir) = mahasil_store::testing::fresh_sqlite().await?;
    let w = world(store).await?;
    busy_history(&w).await?;
    let entries = all_audit(&w.store).await?;
    assert!(entries.len() > 10);
    assert_eq!(w.store.verify_audit().await?.first_bad, None);
    Ok((w.store, dir, entries))
}

pub async fn sqlite_audit_tamper_edit() -> TestResult {
    let (store, dir, _) = tampered_store().await?;
    let guarded = raw(dir.path())?;
    assert!(guarded.execute("UPDATE audit_log SET actor = 'nobody' WHERE seq = 5", []).is_err(), "the trigger refuses edits");
    assert!(guarded.execute("DELETE FROM audit_log WHERE seq = 5", []).is_err(), "the trigger refuses deletes");
    drop(guarded);
    attacker(dir.path())?.execute("UPDATE audit_log SET actor = 'nobody' WHERE seq = 9", [])?;
    let v = store.verify_audit().await?;
    assert_eq!(v.first_bad.map(|f| f.seq), Some(9));
    assert_eq!(v.entries, 8, "entries before the first bad one verify");
    Ok(())
}

pub async fn sqlite_audit_tamper_delete() -> TestResult {
    let (store, dir, _) = tampered_store().await?;
    let conn = attacker(dir.path())?;
    conn.execute("DELETE FROM audit_log WHERE seq = 7", [])?;
    assert_eq!(store.verify_audit().await?.first_bad.map(|f| f.seq), Some(8));
    // Closing the gap by renumbering does not help: entry 8 still names 7's hash.
    conn.execute("UPDATE audit_log SET seq = seq - 1 WHERE seq > 7", [])?;
    assert_eq!(store.verify_audit().await?.first_bad.map(|f| f.seq), Some(7));
    Ok(())
}

pub async fn sqlite_audit_tamper_swap() -> TestResult {
    let (store, dir, _) = tampered_store().await?;
    let conn = attacker(dir.path())?;
    conn.execute_batch(
        "UPDATE audit_log SET seq = -1 WHERE seq = 10; UPDATE audit_log SET seq = 10 WHERE seq = 11; UPDATE audit_log SET seq = 11 WHERE seq = -1;",
    )?;
    assert_eq!(store.verify_audit().await?.first_bad.map(|f| f.seq), Some(10));
    Ok(())
}

/// A raw connection that leaves the guards in place.
fn raw(dir: &Path) -> TestResult<rusqlite::Connection> {
    let conn = rusqlite::Connection::open(mahasil_store::testing::sqlite_file(dir))?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    Ok(conn)
}

/// Schedules, events and challans are protected the same way.
pub async fn sqlite_history_is_append_only() -> TestResult {
    let (store, dir) = mahasil_store::testing::fresh_sqlite().await?;
    let w = world(store).await?;
    issue_one(&w, &w.officer, 1, t0()?).await?;
    let conn = raw(dir.path())?;
    for sql in [
        "UPDATE fee_schedules SET due_days = 1",
        "DELETE FROM fee_schedules",
        "UPDATE challan_events SET actor = 'x'",
        "DELETE FROM challan_events",
        "DELETE FROM challans",
        "UPDATE challans SET amount_paisa = 0",
    ] {
        assert!(conn.execute(sql, []).is_err(), "{sql} must be refused");
    }
    Ok(())
}

/// Data survives closing and reopening, and migrations are applied once.
pub async fn sqlite_reopen_keeps_data() -> TestResult {
    let dir = tempfile::tempdir()?;
    let url = format!("sqlite://{}", dir.path().join("nested").join("data.sqlite3").display());
    let first = mahasil_store::open(&url).await?;
    let w = world(first).await?;
    let c = issue_one(&w, &w.officer, 1, t0()?).await?;
    let migrations = w.store.migrations().await?;
    drop(w);
    let again = mahasil_store::open(&url).await?;
    assert_eq!(again.challan_by_no(c.challan_no).await?, Some(c));
    assert_eq!(again.migrations().await?, migrations);
    assert_eq!(again.verify_audit().await?.first_bad, None);
    assert_eq!(again.node_issuer("node-a", t0()?).await?.get(), mahasil_store::sqlite::FIRST_NODE_ISSUER);
    Ok(())
}
