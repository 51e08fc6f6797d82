//! Kills the server with SIGKILL while clients are issuing challans, restarts it on the
//! same data directory, and checks that every challan acknowledged before the kill is
//! there exactly once and the audit chain is intact.

use std::collections::BTreeSet;
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

type R<T = ()> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

const BIN: &str = env!("CARGO_BIN_EXE_mahasil");

fn free_port() -> R<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn start(data: &std::path::Path, port: u16) -> R<Server> {
    let child = Command::new(BIN)
        .args(["serve", "--demo", "--bind", &format!("127.0.0.1:{port}"), "--data"])
        .arg(data)
        .env_remove("MAHASIL_DATABASE_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    let server = Server(child);
    let http = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    while Instant::now() < deadline {
        if http.get(format!("http://127.0.0.1:{port}/readyz")).send().await.is_ok_and(|r| r.status().is_success()) {
            return Ok(server);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err("server did not become ready".into())
}

async fn login(http: &reqwest::Client, base: &str) -> R<String> {
    let body: Value =
        http.post(format!("{base}/api/v1/auth/login")).json(&json!({"username": "officer.peshawar", "password": "demo-password"})).send().await?.json().await?;
    Ok(body["token"].as_str().ok_or("no token")?.to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_challans_survive_sigkill() -> R {
    let dir = tempfile::tempdir()?;
    let port = free_port()?;
    let base = format!("http://127.0.0.1:{port}");
    let mut server = start(dir.path(), port).await?;
    let http = reqwest::Client::builder().timeout(Duration::from_secs(10)).build()?;
    let token = login(&http, &base).await?;

    let acknowledged = Arc::new(Mutex::new(Vec::<(String, String)>::new()));
    let mut clients = Vec::new();
    for c in 0..32u32 {
        let (http, base, token, acknowledged) = (http.clone(), base.clone(), token.clone(), acknowledged.clone());
        clients.push(tokio::spawn(async move {
            for i in 0..100_000u32 {
                let body = json!({
                    "head_code": "DA-ENC-01", "district": "peshawar",
                    "offender": {"name": "Crash Test", "cnic": format!("61101-{:07}-3", c * 100_000 + i), "mobile": "0300-1234567"},
                    "location": {"lat": 34.0, "lon": 71.5, "text": "Saddar"}
                });
                let Ok(resp) = http.post(format!("{base}/api/v1/challans")).bearer_auth(&token).json(&body).send().await else { break };
                if resp.status() != reqwest::StatusCode::CREATED {
                    break;
                }
                let Ok(v) = resp.json::<Value>().await else { break };
                if let (Some(id), Some(no)) = (v["id"].as_str(), v["challan_no"].as_str())
                    && let Ok(mut a) = acknowledged.lock()
                {
                    a.push((id.to_string(), no.to_string()));
                }
            }
        }));
    }
    // Let them issue for a while, then kill the server mid-flight.
    let deadline = Instant::now() + Duration::from_secs(20);
    while acknowledged.lock().map(|a| a.len()).unwrap_or(0) < 500 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    server.0.kill()?;
    server.0.wait()?;
    for c in clients {
        c.await?;
    }
    let acked: Vec<(String, String)> = acknowledged.lock().map_err(|_| "poisoned")?.clone();
    assert!(acked.len() >= 500, "only {} challans were acknowledged before the kill", acked.len());
    let numbers: BTreeSet<&str> = acked.iter().map(|(_, no)| no.as_str()).collect();
    assert_eq!(numbers.len(), acked.len(), "no number was acknowledged twice");

    let server = start(dir.path(), port).await?;
    let token = login(&http, &base).await?;
    for (id, no) in &acked {
        let resp = http.get(format!("{base}/api/v1/challans/{no}")).bearer_auth(&token).send().await?;
        assert_eq!(resp.status(), reqwest::StatusCode::OK, "acknowledged challan {no} is missing after the crash");
        let got: Value = resp.json().await?;
        assert_eq!(got["id"].as_str(), Some(id.as_str()), "challan {no} holds another challan");
    }
    // Exactly once: every acknowledged offender CNIC is stored once.
    for (_, no) in acked.iter().step_by(25) {
        let got: Value = http.get(format!("{base}/api/v1/challans/{no}")).bearer_auth(&token).send().await?.json().await?;
        let cnic = got["offender"]["cnic"].as_str().ok_or("no cnic")?;
        let page: Value = http.get(format!("{base}/api/v1/challans?cnic={cnic}")).bearer_auth(&token).send().await?.json().await?;
        let n = page["items"].as_array().map(Vec::len);
        assert_eq!(n, Some(1), "CNIC {cnic} stored {n:?} times");
    }
    drop(server);

    let verify = Command::new(BIN).args(["audit", "verify", "--data"]).arg(dir.path()).output()?;
    assert!(verify.status.success(), "audit chain broken after crash: {}", String::from_utf8_lossy(&verify.stdout));
    Ok(())
}
