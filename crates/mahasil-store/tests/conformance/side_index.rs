//! SQLite only: the offender search index lives in a side file that is never fsync'd, so
//! it must come back right from anything a crash can leave: missing, damaged, a batch
//! behind the challans or a batch ahead of them.

use std::path::{Path, PathBuf};

use mahasil_domain::authz::Scope;
use mahasil_store::{ChallanQuery, ChallanRecord, Store};

use crate::fixtures::*;

fn side(main: &Path) -> PathBuf {
    PathBuf::from(format!("{}.search", main.display()))
}

async fn by_cnic(store: &Store, c: &ChallanRecord) -> TestResult<Vec<mahasil_domain::challan_no::ChallanNo>> {
    let q = ChallanQuery { cnic: Some(c.offender.cnic.clone()), ..ChallanQuery::new(Scope::Everywhere) };
    Ok(store.search_challans(&q).await?.items.iter().map(|r| r.challan_no).collect())
}

async fn by_vehicle(store: &Store, c: &ChallanRecord) -> TestResult<Vec<mahasil_domain::challan_no::ChallanNo>> {
    let q = ChallanQuery { vehicle_no: c.offender.vehicle_no.clone(), ..ChallanQuery::new(Scope::Everywhere) };
    Ok(store.search_challans(&q).await?.items.iter().map(|r| r.challan_no).collect())
}

/// A store at `main` holding two challans; returned closed, with the two challans.
async fn two_challans(main: &Path) -> TestResult<(ChallanRecord, ChallanRecord)> {
    let store = mahasil_store::open(&format!("sqlite://{}", main.display())).await?;
    let w = world(store).await?;
    let a = issue_one(&w, &w.officer, 1, t0()?).await?;
    let b = issue_one(&w, &w.officer, 2, t0()?).await?;
    assert_eq!(by_cnic(&w.store, &a).await?, [a.challan_no]);
    drop(w);
    // The writer thread closes its connection once the store is gone.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    Ok((a, b))
}

async fn reopen(main: &Path) -> TestResult<Store> {
    Ok(mahasil_store::open(&format!("sqlite://{}", main.display())).await?)
}

pub async fn sqlite_side_index_rebuilt_when_missing_or_damaged() -> TestResult {
    let dir = tempfile::tempdir()?;
    let main = dir.path().join("data.sqlite3");
    let (a, b) = two_challans(&main).await?;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", side(&main).display()));
    }
    let store = reopen(&main).await?;
    assert_eq!(by_cnic(&store, &a).await?, [a.challan_no], "rebuilt after it was deleted");
    assert_eq!(by_vehicle(&store, &b).await?, [b.challan_no]);
    drop(store);
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;

    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", side(&main).display()));
    }
    std::fs::write(side(&main), vec![0x5a; 8192])?;
    let store = reopen(&main).await?;
    assert_eq!(by_cnic(&store, &b).await?, [b.challan_no], "rebuilt after it was overwritten with garbage");
    Ok(())
}

pub async fn sqlite_side_index_catches_up_and_drops_strays() -> TestResult {
    let dir = tempfile::tempdir()?;
    let main = dir.path().join("data.sqlite3");
    let (a, b) = two_challans(&main).await?;
    // Behind (the last batch's keys lost) and ahead (keys of a challan that never committed).
    {
        let conn = rusqlite::Connection::open(side(&main))?;
        conn.execute("DELETE FROM offender_keys WHERE seq = (SELECT max(seq) FROM offender_keys)", [])?;
        conn.execute("INSERT INTO offender_keys (key, seq) VALUES (?1, 999999)", [format!("c:{}", a.offender.cnic)])?;
    }
    let store = reopen(&main).await?;
    assert_eq!(by_cnic(&store, &b).await?, [b.challan_no], "the missing keys are added back");
    assert_eq!(by_cnic(&store, &a).await?, [a.challan_no], "the stray key is gone");
    drop(store);
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let conn = rusqlite::Connection::open(side(&main))?;
    let strays: i64 = conn.query_row("SELECT count(*) FROM offender_keys WHERE seq = 999999", [], |r| r.get(0))?;
    assert_eq!(strays, 0);
    Ok(())
}

pub async fn sqlite_stale_keys_never_return_wrong_rows() -> TestResult {
    let dir = tempfile::tempdir()?;
    let main = dir.path().join("data.sqlite3");
    let store = mahasil_store::open(&format!("sqlite://{}", main.display())).await?;
    let w = world(store).await?;
    let a = issue_one(&w, &w.officer, 1, t0()?).await?;
    let b = issue_one(&w, &w.officer, 2, t0()?).await?;
    // A key that points at the wrong challan (as damage might leave) while the store runs.
    let conn = rusqlite::Connection::open(side(&main))?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    let b_seq: i64 = conn.query_row("SELECT seq FROM offender_keys WHERE key = ?1", [format!("c:{}", b.offender.cnic)], |r| r.get(0))?;
    conn.execute("INSERT INTO offender_keys (key, seq) VALUES (?1, ?2)", rusqlite::params![format!("c:{}", a.offender.cnic), b_seq])?;
    assert_eq!(by_cnic(&w.store, &a).await?, [a.challan_no], "the challan's own CNIC still decides");
    Ok(())
}
