//! `mahasil bench`: load generators that drive a running server over real HTTP, for the
//! figures in docs/BENCHMARKS.md. They stop by themselves after a bounded number of
//! requests and only talk to the URL given (loopback in the benchmarks).

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Subcommand;
use serde_json::json;

/// Most concurrent clients a run may use.
pub const MAX_CLIENTS: usize = 1024;
/// Most requests one run may send.
pub const MAX_REQUESTS: u64 = 5_000_000;

#[derive(Subcommand)]
pub enum BenchCommand {
    /// Issue challans through POST /api/v1/challans with N concurrent clients.
    Issue {
        /// Base URL of the server, e.g. http://127.0.0.1:8080.
        #[arg(long)]
        server: String,
        /// Concurrent clients, each with one request in flight.
        #[arg(long, default_value_t = 64)]
        clients: usize,
        /// Challans to issue in all.
        #[arg(long, default_value_t = 50_000)]
        requests: u64,
        #[arg(long, default_value = "officer.peshawar")]
        user: String,
        #[arg(long, default_value = "demo-password")]
        password: String,
        #[arg(long, default_value = "DA-ENC-01")]
        head: String,
        #[arg(long, default_value = "peshawar")]
        district: String,
    },
}

pub async fn run(command: BenchCommand) -> anyhow::Result<ExitCode> {
    match command {
        BenchCommand::Issue { server, clients, requests, user, password, head, district } => {
            anyhow::ensure!((1..=MAX_CLIENTS).contains(&clients), "clients must be 1..={MAX_CLIENTS}");
            anyhow::ensure!((1..=MAX_REQUESTS).contains(&requests), "requests must be 1..={MAX_REQUESTS}");
            issue(&server, clients, requests, &user, &password, &head, &district).await
        }
    }
}

async fn issue(server: &str, clients: usize, requests: u64, user: &str, password: &str, head: &str, district: &str) -> anyhow::Result<ExitCode> {
    let server = server.trim_end_matches('/').to_string();
    let http = reqwest::Client::builder().pool_max_idle_per_host(clients).timeout(Duration::from_secs(30)).build()?;
    let login: serde_json::Value = http
        .post(format!("{server}/api/v1/auth/login"))
        .json(&json!({"username": user, "password": password}))
        .send()
        .await
        .context("sign-in request")?
        .error_for_status()
        .context("sign-in refused")?
        .json()
        .await?;
    let token = login["token"].as_str().context("no token in sign-in answer")?.to_string();
    let next = Arc::new(AtomicU64::new(0));
    let failures = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(clients);
    for _ in 0..clients {
        let (http, server, token, next, failures) = (http.clone(), server.clone(), token.clone(), next.clone(), failures.clone());
        let (head, district) = (head.to_string(), district.to_string());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= requests {
                    break;
                }
                let body = offender_body(&head, &district, i);
                let t = Instant::now();
                let ok = http
                    .post(format!("{server}/api/v1/challans"))
                    .bearer_auth(&token)
                    .json(&body)
                    .send()
                    .await
                    .is_ok_and(|r| r.status() == reqwest::StatusCode::CREATED);
                latencies.push(t.elapsed());
                if !ok {
                    failures.fetch_add(1, Ordering::Relaxed);
                }
            }
            latencies
        }));
    }
    let mut all = Vec::with_capacity(usize::try_from(requests).unwrap_or(0));
    for t in tasks {
        all.extend(t.await?);
    }
    let elapsed = started.elapsed();
    all.sort_unstable();
    let pct = |p: f64| all.get(((all.len() as f64 * p) as usize).min(all.len().saturating_sub(1))).copied().unwrap_or_default();
    let failed = failures.load(Ordering::Relaxed);
    println!(
        "issued {} challans with {clients} clients in {:.2} s: {:.0} challans/s; latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; failures {failed}",
        all.len() as u64 - failed,
        elapsed.as_secs_f64(),
        (all.len() as u64 - failed) as f64 / elapsed.as_secs_f64(),
        pct(0.50).as_secs_f64() * 1e3,
        pct(0.99).as_secs_f64() * 1e3,
        all.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
    );
    Ok(if failed == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// A challan body whose CNIC, mobile and vehicle are spread over their whole ranges, as
/// real offenders' are, so index inserts land all over the indexes rather than at one end.
fn offender_body(head: &str, district: &str, i: u64) -> serde_json::Value {
    let h = spread(i);
    json!({
        "head_code": head, "district": district,
        "offender": {
            "name": "Bench Offender",
            "cnic": format!("1{:04}-{:07}-{}", h % 10_000, (h >> 14) % 10_000_000, (h >> 40) % 10),
            "mobile": format!("03{:02}{:07}", (h >> 20) % 50, (h >> 27) % 10_000_000),
            "vehicle_no": format!("PES-{}", (h >> 44) % 10_000)
        },
        "location": {"lat": 34.0, "lon": 71.5, "text": "Saddar Road"}
    })
}

/// SplitMix64: a fixed, well-mixed permutation of the request number.
fn spread(i: u64) -> u64 {
    let mut z = i.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}
