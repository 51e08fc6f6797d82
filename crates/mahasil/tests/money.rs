//! The path of money through the real binary: `mahasil serve --demo` (with its sandbox
//! gateway), a payment through the bank API and one through the gateway's hosted page, each
//! leaving its challan paid once with a receipt whose seal verifies; then, with the server
//! stopped, `mahasil ledger check`, `mahasil demo statement` and `mahasil reconcile`: a
//! generated statement reconciles to no unexplained difference and is imported once, and a
//! statement with an unidentified credit and a missing one is reported as such (exit 1).

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

mod support;

use support::{command, free_port};

type R<T = ()> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

const READY_TIMEOUT: Duration = Duration::from_secs(60);

fn shown(out: &Output) -> String {
    format!("exit {:?}\n--- stdout\n{}--- stderr\n{}", out.status.code(), String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

fn mahasil(args: &[&str], data: &Path) -> R<Output> {
    Ok(command().args(args).arg("--data").arg(data).output()?)
}

/// A demo server on its own port; killed when dropped.
struct Server {
    child: Child,
    base: String,
    log: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    async fn start(data: &Path, log: PathBuf, http: &reqwest::Client) -> R<Self> {
        let port = free_port()?;
        let base = format!("http://127.0.0.1:{port}");
        let child = command()
            .args(["serve", "--demo", "--bind", &format!("127.0.0.1:{port}"), "--data"])
            .arg(data)
            .env("MAHASIL_PUBLIC_BASE_URL", &base)
            .stdin(Stdio::null())
            .stdout(File::create(&log)?)
            .stderr(Stdio::null())
            .spawn()?;
        let mut server = Self { child, base, log };
        let deadline = Instant::now() + READY_TIMEOUT;
        while !http.get(format!("{}/readyz", server.base)).send().await.is_ok_and(|r| r.status().is_success()) {
            if server.child.try_wait()?.is_some() || Instant::now() > deadline {
                return Err(format!("the server did not start:\n{}", std::fs::read_to_string(&server.log)?).into());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Ok(server)
    }
}

async fn sign_in(http: &reqwest::Client, base: &str) -> R<String> {
    let login: Value =
        http.post(format!("{base}/api/v1/auth/login")).json(&json!({"username": "officer.peshawar", "password": "demo-password"})).send().await?.json().await?;
    Ok(login["token"].as_str().ok_or("no token")?.to_string())
}

/// Issues a challan for offender `n`; its 15 digits and amount.
async fn issue(http: &reqwest::Client, base: &str, token: &str, n: u32) -> R<(String, i64)> {
    let body = json!({"head_code": "DA-ENC-01", "district": "peshawar",
        "offender": {"name": "Money Test", "cnic": format!("17301-{:07}-1", 1_000_000 + n), "mobile": format!("0301{:07}", 2_000_000 + n)},
        "location": {"lat": 34.0, "lon": 71.5, "text": "Saddar Road"}});
    let c: Value = http.post(format!("{base}/api/v1/challans")).bearer_auth(token).json(&body).send().await?.json().await?;
    let digits: String = c["challan_no"].as_str().ok_or("challan_no")?.chars().filter(char::is_ascii_digit).collect();
    Ok((digits, c["amount_paisa"].as_i64().ok_or("amount")?))
}

async fn bank(http: &reqwest::Client, base: &str, path: &str, body: Value) -> R<Value> {
    let (body, timestamp) = (body.to_string(), jiff::Timestamp::now().as_second().to_string());
    let signature = mahasil_server::bank::auth::sign("demo-bank-secret", "POST", path, &timestamp, body.as_bytes());
    let answer = http
        .post(format!("{base}{path}"))
        .header("content-type", "application/json")
        .header("x-bank", "demo-bank")
        .header("x-timestamp", timestamp)
        .header("x-signature", signature)
        .body(body)
        .send()
        .await?;
    Ok(answer.json().await?)
}

fn today() -> String {
    mahasil_domain::time::local_date(jiff::Timestamp::now()).strftime("%Y%m%d").to_string()
}

async fn bank_pays(http: &reqwest::Client, base: &str, no: &str, amount: i64, tran: &str) -> R<Value> {
    let body = json!({"consumer_number": no, "tran_auth_id": tran, "transaction_amount": amount, "tran_date": today(), "tran_time": "101500", "bank_mnemonic": "demo-bank"});
    bank(http, base, "/bank/v1/bill-payment", body).await
}

async fn inquiry(http: &reqwest::Client, base: &str, no: &str) -> R<Value> {
    bank(http, base, "/bank/v1/bill-inquiry", json!({"consumer_number": no, "bank_mnemonic": "demo-bank"})).await
}

/// The seal behind a receipt link checks as a valid receipt.
async fn receipt_verifies(http: &reqwest::Client, base: &str, receipt_url: &str) -> R {
    let token = receipt_url.rsplit('/').next().ok_or("no token")?;
    let checked: Value = http.get(format!("{base}/api/v1/verify/{token}")).send().await?.json().await?;
    assert_eq!((checked["outcome"].as_str(), checked["claims"]["type"].as_str()), (Some("valid"), Some("receipt")), "{checked}");
    Ok(())
}

fn location(resp: &reqwest::Response) -> R<String> {
    Ok(resp.headers().get("location").ok_or_else(|| format!("no redirect from {} ({})", resp.url(), resp.status()))?.to_str()?.to_string())
}

/// A citizen finds challan `no` by its number and the last 4 digits of the CNIC, pays it on
/// the sandbox gateway's page with the card that succeeds, and comes back.
async fn citizen_pays_online(http: &reqwest::Client, base: &str, no: &str, cnic_last4: &str) -> R {
    let found = http.post(format!("{base}/pay")).form(&[("challan_no", no), ("last4", cnic_last4)]).send().await?;
    let page = location(&found)?;
    let page_url = if page.starts_with("http") { page } else { format!("{base}{page}") };
    let k = url_query(&page_url, "k").ok_or("no page token")?;
    let started = http.post(format!("{base}/pay/{no}/online")).form(&[("k", k.as_str())]).send().await?;
    let hosted = location(&started)?;
    let paid = http.post(&hosted).form(&[("card_number", "4242424242424242"), ("action", "pay")]).send().await?;
    let back = location(&paid)?;
    let outcome = http.get(&back).send().await?;
    assert!(outcome.status().is_success(), "the return page answers: {}", outcome.status());
    Ok(())
}

fn url_query(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    query.split('&').find_map(|pair| pair.strip_prefix(&format!("{name}="))).map(str::to_string)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bank_and_gateway_payments_reconcile_and_anomalies_are_reported() -> R {
    let dir = tempfile::tempdir()?;
    let data = dir.path().join("data");
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).timeout(Duration::from_secs(30)).build()?;

    let server = Server::start(&data, dir.path().join("server-1.log"), &http).await?;
    let base = server.base.clone();
    let token = sign_in(&http, &base).await?;
    let (by_bank, amount) = issue(&http, &base, &token, 1).await?;
    let (online, _) = issue(&http, &base, &token, 2).await?;

    // Through the bank API, twice: one payment, one receipt that verifies.
    let paid = bank_pays(&http, &base, &by_bank, amount, "E2E-1").await?;
    assert_eq!(paid["response_code"], "00", "{paid}");
    assert_eq!(bank_pays(&http, &base, &by_bank, amount, "E2E-1").await?["receipt_no"], paid["receipt_no"]);
    receipt_verifies(&http, &base, paid["receipt_url"].as_str().ok_or("receipt_url")?).await?;
    assert_eq!(inquiry(&http, &base, &by_bank).await?["bill_status"], "P");

    // Through the sandbox gateway's hosted page.
    citizen_pays_online(&http, &base, &online, "0021").await?;
    let deadline = Instant::now() + Duration::from_secs(30);
    while inquiry(&http, &base, &online).await?["bill_status"] != "P" {
        assert!(Instant::now() < deadline, "the online payment did not settle the challan:\n{}", std::fs::read_to_string(&server.log)?);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let details: Value = http.get(format!("{base}/api/v1/challans/{online}")).bearer_auth(&token).send().await?.json().await?;
    assert_eq!(details["status"], "paid", "{details}");
    drop(server);

    // The books, with the server stopped.
    let check = mahasil(&["ledger", "check"], &data)?;
    assert_eq!(check.status.code(), Some(0), "{}", shown(&check));
    let statement = dir.path().join("statement-1.csv");
    let wrote = mahasil(&["demo", "statement", "--out", statement.to_str().ok_or("path")?], &data)?;
    assert_eq!(wrote.status.code(), Some(0), "{}", shown(&wrote));
    let reconciled = mahasil(&["reconcile", "--import", "--statement", statement.to_str().ok_or("path")?], &data)?;
    assert_eq!(reconciled.status.code(), Some(0), "a clean statement: {}", shown(&reconciled));
    let out = String::from_utf8_lossy(&reconciled.stdout).to_string();
    assert!(out.contains("2 payments deposited"), "{out}");
    let again = mahasil(&["reconcile", "--import", "--statement", statement.to_str().ok_or("path")?], &data)?;
    assert!(String::from_utf8_lossy(&again.stdout).contains("nothing changed"), "{}", shown(&again));

    // One more payment, then a statement that leaves it out and adds a credit nobody made.
    let server = Server::start(&data, dir.path().join("server-2.log"), &http).await?;
    let token = sign_in(&http, &server.base).await?;
    let (third, amount) = issue(&http, &server.base, &token, 3).await?;
    assert_eq!(bank_pays(&http, &server.base, &third, amount, "E2E-3").await?["response_code"], "00");
    drop(server);
    let statement = dir.path().join("statement-2.csv");
    let wrote = mahasil(&["demo", "statement", "--drop-first", "--unidentified", "700", "--out", statement.to_str().ok_or("path")?], &data)?;
    assert_eq!(wrote.status.code(), Some(0), "{}", shown(&wrote));
    let reported = mahasil(&["reconcile", "--days-in-transit", "0", "--statement", statement.to_str().ok_or("path")?], &data)?;
    assert_eq!(reported.status.code(), Some(1), "an unexplained difference: {}", shown(&reported));
    let out = String::from_utf8_lossy(&reported.stdout).to_string();
    for category in ["unidentified", "missing"] {
        assert!(out.contains(category), "the report names {category}: {out}");
    }
    let check = mahasil(&["ledger", "check"], &data)?;
    assert_eq!(check.status.code(), Some(0), "{}", shown(&check));
    Ok(())
}

/// The server is killed (SIGKILL) while banks are paying; every payment is then sent again
/// to the restarted server, as a bank retries what it got no answer to. Each challan ends
/// with exactly one payment, every retry is answered `00` with that payment's receipt, and
/// the ledger is intact.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn payments_survive_sigkill_and_retries_pay_once() -> R {
    let dir = tempfile::tempdir()?;
    let data = dir.path().join("data");
    let http = reqwest::Client::builder().timeout(Duration::from_secs(10)).build()?;
    let mut server = Server::start(&data, dir.path().join("server-1.log"), &http).await?;
    let base = server.base.clone();
    let token = sign_in(&http, &base).await?;
    let mut challans = Vec::new();
    for n in 0..400 {
        challans.push(issue(&http, &base, &token, 100 + n).await?);
    }
    let challans = std::sync::Arc::new(challans);
    let answered = std::sync::Arc::new(std::sync::Mutex::new(Vec::<(usize, String)>::new()));
    let next = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut clients = Vec::new();
    for _ in 0..16 {
        let (http, base, challans, answered, next) = (http.clone(), base.clone(), challans.clone(), answered.clone(), next.clone());
        clients.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some((no, amount)) = challans.get(i) else { break };
                let Ok(answer) = bank_pays(&http, &base, no, *amount, &format!("KILL-{i}")).await else { break };
                if let (Some("00"), Some(receipt)) = (answer["response_code"].as_str(), answer["receipt_no"].as_str()) {
                    answered.lock().map_err(|_| "poisoned")?.push((i, receipt.to_string()));
                }
            }
            Ok::<(), &'static str>(())
        }));
    }
    // Kill it once some payments are acknowledged and more are in flight.
    let deadline = Instant::now() + Duration::from_secs(60);
    while answered.lock().map_err(|_| "poisoned")?.len() < 50 {
        assert!(Instant::now() < deadline, "no payments were acknowledged");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    server.child.kill()?;
    server.child.wait()?;
    for c in clients {
        let _ = c.await?;
    }
    let sent = next.load(std::sync::atomic::Ordering::Relaxed).min(challans.len());
    let before: Vec<(usize, String)> = answered.lock().map_err(|_| "poisoned")?.clone();
    assert!(sent < challans.len(), "the kill came before every payment was sent");

    let server = Server::start(&data, dir.path().join("server-2.log"), &http).await?;
    for i in 0..sent {
        let (no, amount) = &challans[i];
        let answer = bank_pays(&http, &server.base, no, *amount, &format!("KILL-{i}")).await?;
        assert_eq!(answer["response_code"], "00", "retry of payment {i}: {answer}");
        if let Some((_, receipt)) = before.iter().find(|(j, _)| *j == i) {
            assert_eq!(answer["receipt_no"].as_str(), Some(receipt.as_str()), "an acknowledged payment keeps its receipt");
        }
        assert_eq!(inquiry(&http, &server.base, no).await?["tran_auth_id"], format!("KILL-{i}"));
    }
    drop(server);
    let check = mahasil(&["ledger", "check"], &data)?;
    assert_eq!(check.status.code(), Some(0), "{}", shown(&check));
    let out = String::from_utf8_lossy(&check.stdout).to_string();
    assert!(out.contains("ledger intact"), "{out}");
    Ok(())
}
