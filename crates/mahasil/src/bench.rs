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
    /// Ask the bank API about issued challans (POST /bank/v1/bill-inquiry, signed as a bank)
    /// with N concurrent clients.
    Inquiry {
        #[command(flatten)]
        bank: BankClient,
        /// Inquiries to send in all.
        #[arg(long, default_value_t = 100_000)]
        requests: u64,
    },
    /// Pay challans through the bank API (POST /bank/v1/bill-payment, signed as a bank)
    /// with N concurrent clients. The challans are issued first through the API (not
    /// timed), one per payment.
    Payment {
        #[command(flatten)]
        bank: BankClient,
        /// Payments to make in all (as many challans are issued first).
        #[arg(long, default_value_t = 20_000)]
        requests: u64,
    },
    /// Field device sync: enrol N devices (software keys), issue M challans among them
    /// offline (numbered, sealed and signed before the clock starts), then time every
    /// device pushing its whole backlog at once through POST /api/v1/sync/push.
    Sync {
        /// Base URL of the server, e.g. http://127.0.0.1:8080.
        #[arg(long)]
        server: String,
        /// Devices pushing at the same time.
        #[arg(long, default_value_t = 8)]
        devices: usize,
        /// Challans in all, spread evenly over the devices.
        #[arg(long, default_value_t = 80_000)]
        challans: u64,
        /// Ops per push (at most 2,000).
        #[arg(long, default_value_t = 1_000)]
        batch: usize,
        /// The officer the devices are enrolled to.
        #[arg(long, default_value = "officer.peshawar")]
        user: String,
        #[arg(long, default_value = "demo-password")]
        password: String,
    },
    /// Notifications: watch a server's workers send the messages already queued (read from
    /// its /metrics) and report messages per minute, queue depth and lag.
    Notify {
        /// Base URL of the server, e.g. http://127.0.0.1:8080.
        #[arg(long)]
        server: String,
        /// Messages to wait for.
        #[arg(long, default_value_t = 20_000)]
        messages: u64,
    },
}

/// A bank client's settings: the server, its concurrency, the bank's credentials and the
/// staff user who finds or issues the challans it works on.
#[derive(clap::Args)]
pub struct BankClient {
    /// Base URL of the server, e.g. http://127.0.0.1:8080.
    #[arg(long)]
    server: String,
    #[arg(long, default_value_t = 64)]
    clients: usize,
    /// The bank's mnemonic and secret (the demo bank's by default).
    #[arg(long, default_value = "demo-bank")]
    bank: String,
    #[arg(long, default_value = "demo-bank-secret")]
    secret: String,
    /// An officer: lists the challans asked about, or issues the challans paid.
    #[arg(long, default_value = "officer.peshawar")]
    user: String,
    #[arg(long, default_value = "demo-password")]
    password: String,
}

pub async fn run(command: BenchCommand) -> anyhow::Result<ExitCode> {
    match command {
        BenchCommand::Issue { server, clients, requests, user, password, head, district } => {
            anyhow::ensure!((1..=MAX_CLIENTS).contains(&clients), "clients must be 1..={MAX_CLIENTS}");
            anyhow::ensure!((1..=MAX_REQUESTS).contains(&requests), "requests must be 1..={MAX_REQUESTS}");
            issue(&server, clients, requests, &user, &password, &head, &district).await
        }
        BenchCommand::Inquiry { bank, requests } => {
            anyhow::ensure!((1..=MAX_CLIENTS).contains(&bank.clients), "clients must be 1..={MAX_CLIENTS}");
            anyhow::ensure!((1..=MAX_REQUESTS).contains(&requests), "requests must be 1..={MAX_REQUESTS}");
            inquiry(&bank, requests).await
        }
        BenchCommand::Payment { bank, requests } => {
            anyhow::ensure!((1..=MAX_CLIENTS).contains(&bank.clients), "clients must be 1..={MAX_CLIENTS}");
            anyhow::ensure!((1..=MAX_REQUESTS).contains(&requests), "requests must be 1..={MAX_REQUESTS}");
            payment(&bank, requests).await
        }
        BenchCommand::Notify { server, messages } => {
            anyhow::ensure!((1..=MAX_REQUESTS).contains(&messages), "messages must be 1..={MAX_REQUESTS}");
            crate::bench_notify::run(&server, messages).await
        }
        BenchCommand::Sync { server, devices, challans, batch, user, password } => {
            anyhow::ensure!((1..=MAX_CLIENTS).contains(&devices), "devices must be 1..={MAX_CLIENTS}");
            anyhow::ensure!((1..=MAX_REQUESTS).contains(&challans), "challans must be 1..={MAX_REQUESTS}");
            anyhow::ensure!((1..=mahasil_sync::wire::MAX_OPS_PER_PUSH).contains(&batch), "batch must be 1..={}", mahasil_sync::wire::MAX_OPS_PER_PUSH);
            crate::bench_sync::run(&server, devices, challans, batch, &user, &password).await
        }
    }
}

pub(crate) async fn sign_in(http: &reqwest::Client, server: &str, user: &str, password: &str) -> anyhow::Result<String> {
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
    Ok(login["token"].as_str().context("no token in sign-in answer")?.to_string())
}

/// What a run measured: every request's latency, how many failed, and how long it took.
struct Run {
    latencies: Vec<Duration>,
    failures: u64,
    elapsed: Duration,
}

/// Sends `requests` requests from `clients` concurrent clients, each keeping one in
/// flight; `send(i)` sends request `i` and says whether it succeeded.
async fn drive<F, Fut>(clients: usize, requests: u64, send: F) -> anyhow::Result<Run>
where
    F: Fn(u64) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let next = Arc::new(AtomicU64::new(0));
    let failures = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(clients);
    for _ in 0..clients {
        let (next, failures, send) = (next.clone(), failures.clone(), send.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= requests {
                    break;
                }
                let t = Instant::now();
                let ok = send(i).await;
                latencies.push(t.elapsed());
                if !ok {
                    failures.fetch_add(1, Ordering::Relaxed);
                }
            }
            latencies
        }));
    }
    let mut latencies = Vec::with_capacity(usize::try_from(requests).unwrap_or(0));
    for t in tasks {
        latencies.extend(t.await?);
    }
    latencies.sort_unstable();
    Ok(Run { latencies, failures: failures.load(Ordering::Relaxed), elapsed: started.elapsed() })
}

/// Prints one line: `{verb} N {noun} with C clients in S s: R {noun}/s; latency ...`.
fn report(run: &Run, verb: &str, noun: &str, clients: usize) -> ExitCode {
    let all = &run.latencies;
    let pct = |p: f64| all.get(((all.len() as f64 * p) as usize).min(all.len().saturating_sub(1))).copied().unwrap_or_default();
    let done = all.len() as u64 - run.failures;
    println!(
        "{verb} {done} {noun} with {clients} clients in {:.2} s: {:.0} {noun}/s; latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; failures {}",
        run.elapsed.as_secs_f64(),
        done as f64 / run.elapsed.as_secs_f64(),
        pct(0.50).as_secs_f64() * 1e3,
        pct(0.99).as_secs_f64() * 1e3,
        all.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
        run.failures,
    );
    if run.failures == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) }
}

async fn issue(server: &str, clients: usize, requests: u64, user: &str, password: &str, head: &str, district: &str) -> anyhow::Result<ExitCode> {
    let server = server.trim_end_matches('/').to_string();
    let http = reqwest::Client::builder().pool_max_idle_per_host(clients).timeout(Duration::from_secs(30)).build()?;
    let token = sign_in(&http, &server, user, password).await?;
    let (head, district) = (Arc::new(head.to_string()), Arc::new(district.to_string()));
    let run = drive(clients, requests, move |i| {
        let (http, server, token, head, district) = (http.clone(), server.clone(), token.clone(), head.clone(), district.clone());
        async move {
            let body = offender_body(&head, &district, i);
            http.post(format!("{server}/api/v1/challans"))
                .bearer_auth(&token)
                .json(&body)
                .send()
                .await
                .is_ok_and(|r| r.status() == reqwest::StatusCode::CREATED)
        }
    })
    .await?;
    Ok(report(&run, "issued", "challans", clients))
}

/// Challan numbers to ask about: the newest issued challans the user can see.
async fn consumer_numbers(http: &reqwest::Client, server: &str, token: &str) -> anyhow::Result<Vec<String>> {
    let page: serde_json::Value = http
        .get(format!("{server}/api/v1/challans?status=issued&limit=200"))
        .bearer_auth(token)
        .send()
        .await?
        .error_for_status()
        .context("listing challans")?
        .json()
        .await?;
    let numbers: Vec<String> = page["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["challan_no"].as_str())
        .map(|n| n.chars().filter(char::is_ascii_digit).collect())
        .collect();
    anyhow::ensure!(!numbers.is_empty(), "no issued challans to ask about");
    Ok(numbers)
}

async fn inquiry(args: &BankClient, requests: u64) -> anyhow::Result<ExitCode> {
    const PATH: &str = "/bank/v1/bill-inquiry";
    let BankClient { server, clients, bank, secret, user, password } = args;
    let clients = *clients;
    let server = server.trim_end_matches('/').to_string();
    let http = reqwest::Client::builder().pool_max_idle_per_host(clients).timeout(Duration::from_secs(30)).build()?;
    let token = sign_in(&http, &server, user, password).await?;
    let numbers = Arc::new(consumer_numbers(&http, &server, &token).await?);
    let (bank, secret) = (Arc::new(bank.to_string()), Arc::new(secret.to_string()));
    let run = drive(clients, requests, move |i| {
        let (http, server, numbers, bank, secret) = (http.clone(), server.clone(), numbers.clone(), bank.clone(), secret.clone());
        async move {
            let number = &numbers[(i % numbers.len() as u64) as usize];
            let body = json!({"consumer_number": number, "bank_mnemonic": bank.as_str()}).to_string();
            bank_call(&http, &server, PATH, &bank, &secret, body).await.is_some_and(|code| code == "00")
        }
    })
    .await?;
    Ok(report(&run, "answered", "inquiries", clients))
}

/// Sends one request to the bank API, signed as `bank`; the answer's `response_code`.
async fn bank_call(http: &reqwest::Client, server: &str, path: &str, bank: &str, secret: &str, body: String) -> Option<String> {
    let timestamp = jiff::Timestamp::now().as_second().to_string();
    let signature = mahasil_server::bank::auth::sign(secret, "POST", path, &timestamp, body.as_bytes());
    let answer = http
        .post(format!("{server}{path}"))
        .header("content-type", "application/json")
        .header("x-bank", bank)
        .header("x-timestamp", timestamp)
        .header("x-signature", signature)
        .body(body)
        .send()
        .await
        .ok()?;
    if answer.status() != reqwest::StatusCode::OK {
        return None;
    }
    let value: serde_json::Value = answer.json().await.ok()?;
    value["response_code"].as_str().map(str::to_owned)
}

async fn payment(args: &BankClient, requests: u64) -> anyhow::Result<ExitCode> {
    const PATH: &str = "/bank/v1/bill-payment";
    let BankClient { server, clients, bank, secret, user, password } = args;
    let clients = *clients;
    let server = server.trim_end_matches('/').to_string();
    let http = reqwest::Client::builder().pool_max_idle_per_host(clients).timeout(Duration::from_secs(30)).build()?;
    let token = sign_in(&http, &server, user, password).await?;
    // The challans to pay, issued first and not timed: (number, amount within due date).
    let issued = Arc::new(std::sync::Mutex::new(Vec::with_capacity(usize::try_from(requests).unwrap_or(0))));
    let setup = drive(clients, requests, {
        let (http, server, token, issued) = (http.clone(), server.clone(), token.clone(), issued.clone());
        move |i| {
            let (http, server, token, issued) = (http.clone(), server.clone(), token.clone(), issued.clone());
            async move {
                let body = offender_body("DA-ENC-01", "peshawar", i);
                let Ok(r) = http.post(format!("{server}/api/v1/challans")).bearer_auth(&token).json(&body).send().await else { return false };
                let Ok(v) = r.json::<serde_json::Value>().await else { return false };
                let (Some(no), Some(amount)) = (v["challan_no"].as_str(), v["amount_paisa"].as_i64()) else { return false };
                let digits: String = no.chars().filter(char::is_ascii_digit).collect();
                issued.lock().map(|mut list| list.push((digits, amount))).is_ok()
            }
        }
    })
    .await?;
    anyhow::ensure!(setup.failures == 0, "{} of the challans to pay could not be issued", setup.failures);
    let challans: Arc<Vec<(String, i64)>> = Arc::new(std::mem::take(&mut *issued.lock().map_err(|_| anyhow::anyhow!("issue list poisoned"))?));
    let run_id = jiff::Timestamp::now().as_millisecond();
    let today = mahasil_domain::time::local_date(jiff::Timestamp::now()).strftime("%Y%m%d").to_string();
    let (bank, secret, today) = (Arc::new(bank.to_string()), Arc::new(secret.to_string()), Arc::new(today));
    let run = drive(clients, requests, move |i| {
        let (http, server, challans, bank, secret, today) = (http.clone(), server.clone(), challans.clone(), bank.clone(), secret.clone(), today.clone());
        async move {
            let Some((number, amount)) = challans.get(usize::try_from(i).unwrap_or(usize::MAX)) else { return false };
            let body = json!({"consumer_number": number, "tran_auth_id": format!("B{run_id}-{i}"), "transaction_amount": amount,
                              "tran_date": today.as_str(), "tran_time": "120000", "bank_mnemonic": bank.as_str()})
            .to_string();
            bank_call(&http, &server, PATH, &bank, &secret, body).await.is_some_and(|code| code == "00")
        }
    })
    .await?;
    Ok(report(&run, "paid", "challans", clients))
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
