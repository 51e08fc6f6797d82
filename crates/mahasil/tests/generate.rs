//! `mahasil demo generate` against the real binary: a small generated province passes the
//! normal checks (`insight check`, `ledger check`, `audit verify`), is served by `mahasil
//! serve` (a challan, a search, and seals of a challan, a device's challan and a receipt
//! that verify), its manifest names challans that exist, and a second generation into the
//! same directory is refused without writing anything.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Child, Output, Stdio};
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags, OptionalExtension};
use serde_json::Value;
use support::{command, free_port};

type R<T = ()> = Result<T, Box<dyn std::error::Error>>;

fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

fn mahasil(args: &[&str], data: &Path) -> R<Output> {
    Ok(command().args(args).arg("--data").arg(data).output()?)
}

/// Every string in the manifest under a key naming challan numbers.
fn challan_nos(v: &Value, under_challan_key: bool, out: &mut Vec<String>) {
    match v {
        Value::String(s) if under_challan_key => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|i| challan_nos(i, under_challan_key, out)),
        Value::Object(map) => {
            for (k, v) in map {
                challan_nos(v, under_challan_key || k.contains("challan_no"), out);
            }
        }
        _ => {}
    }
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn serve(data: &Path) -> R<(Server, String)> {
    let port = free_port()?;
    let base = format!("http://127.0.0.1:{port}");
    let child = command().args(["serve", "--bind", &format!("127.0.0.1:{port}"), "--data"]).arg(data).stdout(Stdio::null()).stderr(Stdio::null()).spawn()?;
    let mut server = Server(child);
    let deadline = Instant::now() + Duration::from_secs(60);
    let http = reqwest::Client::new();
    while !http.get(format!("{base}/readyz")).send().await.is_ok_and(|r| r.status().is_success()) {
        if server.0.try_wait()?.is_some() || Instant::now() > deadline {
            return Err("the server did not start on the generated database".into());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    Ok((server, base))
}

async fn served(data: &Path, db: &Connection, manifest: &Value) -> R {
    let (_server, base) = serve(data).await?;
    let http = reqwest::Client::new();
    let login: Value = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"username": "admin", "password": "demo-password"}))
        .send()
        .await?
        .json()
        .await?;
    let token = login["token"].as_str().ok_or("no token")?;
    let duplicate = &manifest["duplicates"][0];
    let first = duplicate["challan_nos"][0].as_str().ok_or("no duplicate")?;
    let challan: Value = http.get(format!("{base}/api/v1/challans/{first}")).bearer_auth(token).send().await?.error_for_status()?.json().await?;
    assert_eq!(challan["challan_no"].as_str().map(|n| n.replace('-', "")), Some(first.replace('-', "")));
    let cnic: String = db.query_row("SELECT cnic FROM challans WHERE challan_no = ?1", [first.replace('-', "")], |r| r.get(0))?;
    let found: Value =
        http.get(format!("{base}/api/v1/challans")).query(&[("cnic", &cnic)]).bearer_auth(token).send().await?.error_for_status()?.json().await?;
    assert!(found["items"].as_array().is_some_and(|items| !items.is_empty()), "{found}");
    let node_no: String = db.query_row("SELECT challan_no FROM challans WHERE status = 'paid' AND issuer_no < 500000 LIMIT 1", [], |r| r.get(0))?;
    let device_no: String = db.query_row("SELECT challan_no FROM challans WHERE status <> 'cancelled' AND issuer_no >= 500000 LIMIT 1", [], |r| r.get(0))?;
    let receipt: Vec<u8> = db.query_row("SELECT seal FROM payments WHERE reversed_at IS NULL LIMIT 1", [], |r| r.get(0))?;
    // The staff pages: sign in with the form, then a challan's page and a search.
    let pages = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build()?;
    let signed_in = pages
        .post(format!("{base}/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("username=admin&password=demo-password")
        .send()
        .await?;
    let cookie = signed_in.headers().get("set-cookie").and_then(|v| v.to_str().ok()).and_then(|v| v.split(';').next()).ok_or("no session cookie")?.to_string();
    for page in [format!("{base}/challans/{node_no}"), format!("{base}/challans?cnic={cnic}")] {
        let html = pages.get(&page).header("cookie", &cookie).send().await?;
        assert_eq!(html.status(), 200, "{page}");
        let body = html.text().await?;
        assert!(body.contains(&node_no[..6]) || body.contains(&cnic), "{page} shows neither the challan nor the CNIC");
    }
    for seal in [seal_of(db, &node_no)?, seal_of(db, &device_no)?, receipt] {
        let token_text = mahasil_seal::token::token(&seal);
        let verdict: Value = http.get(format!("{base}/api/v1/verify/{token_text}")).send().await?.error_for_status()?.json().await?;
        assert_eq!(verdict["outcome"], "valid", "{verdict}");
    }
    Ok(())
}

fn seal_of(db: &Connection, challan_no: &str) -> R<Vec<u8>> {
    Ok(db.query_row("SELECT seal FROM challans WHERE challan_no = ?1", [challan_no], |r| r.get(0))?)
}

fn file_state(data: &Path) -> R<Vec<(PathBuf, u64)>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(data)? {
        let entry = entry?;
        files.push((entry.path(), entry.metadata()?.len()));
    }
    files.sort();
    Ok(files)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_generated_province_is_a_normal_database() -> R {
    let dir = tempfile::tempdir()?;
    let data = dir.path().join("data");
    let out = mahasil(&["demo", "generate", "--challans", "20000", "--days", "120", "--officers", "150", "--seed", "7"], &data)?;
    assert!(out.status.success(), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("generated 20000 challans"), "{}", text(&out));
    for check in [["insight", "check"], ["ledger", "check"], ["audit", "verify"]] {
        let out = mahasil(&check, &data)?;
        assert!(out.status.success(), "{check:?}: {}", text(&out));
    }

    let manifest: Value = serde_json::from_slice(&std::fs::read(data.join("generated-anomalies.json"))?)?;
    let db = Connection::open_with_flags(data.join("mahasil.db"), OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let mut named = Vec::new();
    challan_nos(&manifest, false, &mut named);
    assert!(named.len() >= 20, "{manifest}");
    for no in &named {
        let found = db.query_row("SELECT 1 FROM challans WHERE challan_no = ?1", [no.replace('-', "")], |_| Ok(())).optional()?;
        assert!(found.is_some(), "the manifest names challan {no}, which is not stored");
    }
    for part in ["cancellation_jump", "counter_gap", "night_hours", "far_from_usual", "relief_after_inquiry", "revenue_drop"] {
        assert!(manifest[part].is_object(), "{part} missing from {manifest}");
    }
    assert!(manifest["duplicates"].as_array().is_some_and(|d| d.len() >= 3), "{manifest}");
    assert!(manifest["near_misses"].as_array().is_some_and(|d| d.len() >= 2), "{manifest}");
    let broken: Option<String> = db.query_row("SELECT \"table\" FROM pragma_foreign_key_check LIMIT 1", [], |r| r.get(0)).optional()?;
    assert_eq!(broken, None, "a foreign key does not hold");
    let triggers: i64 = db.query_row(
        "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN ('transfers_roll_up', 'transfers_roll_up_months', \
         'transfers_roll_up_officer_totals', 'transfers_roll_up_series', 'challan_events_queue_messages')",
        [],
        |r| r.get(0),
    )?;
    assert_eq!(triggers, 5, "every trigger the load dropped is back");
    let officers: i64 = db.query_row("SELECT count(*) FROM users WHERE username GLOB 'officer.*.[0-9]*'", [], |r| r.get(0))?;
    assert_eq!(officers, 150, "--officers staffs the province");
    let mode: String = db.query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
    assert_eq!(mode, "wal");
    served(&data, &db, &manifest).await?;
    drop(db);

    let before = file_state(&data)?;
    let again = mahasil(&["demo", "generate", "--challans", "1000", "--days", "30"], &data)?;
    assert_eq!(again.status.code(), Some(2), "{}", text(&again));
    assert!(text(&again).contains("already holds challans"), "{}", text(&again));
    assert_eq!(file_state(&data)?, before, "a refused generation changed the data directory");
    let understaffed = mahasil(&["demo", "generate", "--challans", "1000", "--officers", "5"], &dir.path().join("other"))?;
    assert_eq!(understaffed.status.code(), Some(2), "{}", text(&understaffed));
    assert!(text(&understaffed).contains("--officers"), "{}", text(&understaffed));
    assert!(!dir.path().join("other").exists(), "a refused generation made its data directory");
    let postgres = command().args(["demo", "generate", "--challans", "10", "--database-url", "postgres://u:secret@127.0.0.1:1/x"]).output()?;
    assert_eq!(postgres.status.code(), Some(2));
    assert!(text(&postgres).contains("SQLite") && !text(&postgres).contains("secret"), "{}", text(&postgres));
    Ok(())
}
