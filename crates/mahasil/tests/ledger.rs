//! `mahasil ledger check` on the demo province: intact after seeding (every challan's
//! CHALLAN_ISSUED and every cancellation's WAIVER posted), and exit 1 naming the broken
//! rule when someone with the database file edits or removes a transfer; `mahasil insight
//! check` finds the dashboard's rollups equal to that ledger, names a rollup edited behind
//! the store's back, and `mahasil insight rebuild` mends it.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

type R<T = ()> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn mahasil(args: &[&str]) -> R<std::process::Output> {
    Ok(Command::new(env!("CARGO_BIN_EXE_mahasil")).args(args).env("MAHASIL_LOG", "warn").output()?)
}

/// Seeds the demo province into `data` by running the server until it is ready.
fn seed_demo(data: &str) -> R {
    let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let bind = format!("127.0.0.1:{port}");
    let server = Server(
        Command::new(env!("CARGO_BIN_EXE_mahasil"))
            .args(["serve", "--demo", "--data", data, "--bind", &bind])
            .env("MAHASIL_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?,
    );
    let deadline = Instant::now() + Duration::from_secs(120);
    while Instant::now() < deadline {
        if std::net::TcpStream::connect(&bind).is_ok() {
            drop(server);
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    Err("the demo server did not start".into())
}

fn unguarded(db: &std::path::Path) -> R<rusqlite::Connection> {
    let conn = rusqlite::Connection::open(db)?;
    for t in ["transfers_never_updated", "transfers_never_deleted"] {
        conn.execute_batch(&format!("DROP TRIGGER IF EXISTS {t}"))?;
    }
    Ok(conn)
}

#[test]
fn the_demo_ledger_is_intact_and_tampering_is_named() -> R {
    let dir = tempfile::tempdir()?;
    let data = dir.path().to_str().ok_or("path")?;
    seed_demo(data)?;
    let out = mahasil(&["ledger", "check", "--data", data])?;
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("over 300 challans") && stdout.contains("ledger intact"), "{stdout}");

    // A transfer's amount edited behind the store's back.
    let db = dir.path().join("mahasil.db");
    let conn = unguarded(&db)?;
    conn.execute("UPDATE transfers SET amount_paisa = amount_paisa + 100 WHERE seq = (SELECT min(seq) FROM transfers WHERE code = 'CHALLAN_ISSUED')", [])?;
    drop(conn);
    let out = mahasil(&["ledger", "check", "--data", data])?;
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("ledger BROKEN"), "{stdout}");
    Ok(())
}

#[test]
fn a_removed_waiver_is_found() -> R {
    let dir = tempfile::tempdir()?;
    let data = dir.path().to_str().ok_or("path")?;
    seed_demo(data)?;
    let conn = unguarded(&dir.path().join("mahasil.db"))?;
    let removed = conn.execute("DELETE FROM transfers WHERE seq = (SELECT min(seq) FROM transfers WHERE code = 'WAIVER')", [])?;
    assert_eq!(removed, 1, "the demo has cancelled challans");
    drop(conn);
    let out = mahasil(&["ledger", "check", "--data", data])?;
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stdout));
    Ok(())
}

#[test]
fn the_rollups_equal_the_demo_ledger_and_an_edited_one_is_named() -> R {
    let dir = tempfile::tempdir()?;
    let data = dir.path().to_str().ok_or("path")?;
    seed_demo(data)?;
    let out = mahasil(&["insight", "check", "--data", data])?;
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("300 challans issued") && stdout.contains("rollups equal the ledger"), "{stdout}");

    // One day's fines in one place, raised by a rupee behind the store's back.
    let conn = rusqlite::Connection::open(dir.path().join("mahasil.db"))?;
    let edited = conn.execute(
        "UPDATE insight_area_days SET issued_paisa = issued_paisa + 100
         WHERE (day, district, department, head_code) = (SELECT day, district, department, head_code FROM insight_area_days WHERE issued_n > 0 LIMIT 1)",
        [],
    )?;
    assert_eq!(edited, 1, "the demo has challans");
    drop(conn);
    let out = mahasil(&["insight", "check", "--data", data])?;
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("insight_area_days:") && stdout.contains("1 group(s) differ") && stdout.contains("the sums held differ from the ledger"),
        "{stdout}"
    );
    assert!(stdout.contains("rollups DIFFER"), "{stdout}");

    let out = mahasil(&["insight", "rebuild", "--data", data])?;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = mahasil(&["insight", "check", "--data", data])?;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    Ok(())
}
