//! `mahasil bench sync`: server ingest of pushed challans, signature checks included.
//! Devices are enrolled and their challans issued offline first (not timed); then every
//! device pushes its whole backlog at once, in batches, and the run reports challans
//! stored per second and how long each device took to empty its outbox.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use jiff::Timestamp;
use mahasil_domain::challan_no::IssuerNo;
use mahasil_domain::time::local_date;
use mahasil_field::offenders::random_form;
use mahasil_seal::SigningKey;
use mahasil_sync::device::{self, Chain, Draft};
use mahasil_sync::signing::{HEADER_DEVICE, HEADER_NONCE, HEADER_SIGNATURE, HEADER_TIMESTAMP, SignedHeaders, b64u, enrol_proof_message};
use mahasil_sync::wire::{Enrolled, Op, OpStatus, PullAnswer, PushAnswer};
use rand::SeedableRng;
use rand::rngs::StdRng;
use serde_json::json;
use uuid::Uuid;

use crate::bench::sign_in;

struct BenchDevice {
    key: SigningKey,
    pkcs8: Vec<u8>,
    id: Uuid,
    issuer: IssuerNo,
}

async fn signed_request(
    http: &reqwest::Client,
    server: &str,
    device: &BenchDevice,
    method: reqwest::Method,
    path: &str,
    body: Vec<u8>,
) -> anyhow::Result<reqwest::Response> {
    let nonce: [u8; 16] = rand::random();
    let h = SignedHeaders::sign(&device.key, device.id, method.as_str(), path, Timestamp::now().as_second(), &nonce, &body)?;
    Ok(http
        .request(method, format!("{server}{path}"))
        .header("content-type", "application/json")
        .header(HEADER_DEVICE, h.device.to_string())
        .header(HEADER_TIMESTAMP, h.timestamp_s.to_string())
        .header(HEADER_NONCE, h.nonce)
        .header(HEADER_SIGNATURE, h.signature)
        .body(body)
        .send()
        .await?)
}

async fn enrol(http: &reqwest::Client, server: &str, token: &str, user: &str, n: usize) -> anyhow::Result<BenchDevice> {
    let pkcs8 = SigningKey::generate_pkcs8()?;
    let key = SigningKey::from_pkcs8(&pkcs8)?;
    let public = hex::encode(key.public_key().sec1());
    let proof = b64u(&key.sign_bytes(&enrol_proof_message(user, &public))?);
    let enrolled: Enrolled = http
        .post(format!("{server}/api/v1/devices"))
        .bearer_auth(token)
        .json(&json!({"public_key": public, "label": format!("bench device {n}"), "proof": proof}))
        .send()
        .await?
        .error_for_status()
        .context("enrolment refused")?
        .json()
        .await?;
    Ok(BenchDevice { key, pkcs8, id: enrolled.device_id, issuer: IssuerNo::new(enrolled.issuer_no)? })
}

pub async fn run(server: &str, devices: usize, challans: u64, batch: usize, user: &str, password: &str) -> anyhow::Result<ExitCode> {
    let server = server.trim_end_matches('/').to_string();
    let http = reqwest::Client::builder().pool_max_idle_per_host(devices).timeout(Duration::from_secs(120)).build()?;
    let token = sign_in(&http, &server, user, password).await?;
    let mut enrolled = Vec::with_capacity(devices);
    for n in 0..devices {
        enrolled.push(enrol(&http, &server, &token, user, n).await?);
    }
    let pulled: PullAnswer = signed_request(&http, &server, &enrolled[0], reqwest::Method::GET, "/api/v1/sync/pull", Vec::new())
        .await?
        .error_for_status()
        .context("pull refused")?
        .json()
        .await?;
    let reference = Arc::new(pulled.reference.context("the first pull carries reference data")?);
    let officer = Arc::new(pulled.officer);
    let schedules: Arc<Vec<_>> = Arc::new(reference.heads.iter().flat_map(|h| h.schedules.clone()).collect());

    // Issue every device's backlog offline, on every core.
    let per_device = challans.div_ceil(devices as u64);
    let started = Instant::now();
    let mut backlogs = Vec::with_capacity(devices);
    let mut jobs = Vec::new();
    for (n, d) in enrolled.iter().enumerate() {
        let (issuer, reference, officer, schedules) = (d.issuer, Arc::clone(&reference), Arc::clone(&officer), Arc::clone(&schedules));
        let count = per_device.min(challans.saturating_sub(per_device * n as u64));
        let key = SigningKey::from_pkcs8(&d.pkcs8)?;
        jobs.push(tokio::task::spawn_blocking(move || -> anyhow::Result<Vec<Op>> {
            // Offenders, heads and amounts drawn like field-sim's, from a seed per device.
            let mut rng = StdRng::seed_from_u64(n as u64);
            let mut chain = Chain::default();
            let now = Timestamp::now();
            let mut ops = Vec::with_capacity(usize::try_from(count)?);
            for _ in 0..count {
                let form = random_form(&mut rng, &reference, &officer, local_date(now))?;
                let draft = Draft {
                    id: Uuid::now_v7(),
                    head_code: form.head_code,
                    requested_amount: form.amount,
                    district: form.district,
                    officer: officer.username.clone(),
                    offender: form.offender,
                    location: form.location,
                    issued_at: now,
                };
                let issued = device::issue(&key, issuer, chain, &schedules, &draft, Uuid::now_v7())?;
                chain = issued.chain;
                ops.push(issued.op);
            }
            Ok(ops)
        }));
    }
    for job in jobs {
        backlogs.push(job.await??);
    }
    eprintln!("issued {challans} challans offline on {devices} devices in {:.1} s (not timed)", started.elapsed().as_secs_f64());

    let started = Instant::now();
    let mut pushes = Vec::with_capacity(devices);
    for (d, ops) in enrolled.into_iter().zip(backlogs) {
        let (http, server) = (http.clone(), server.clone());
        pushes.push(tokio::spawn(async move {
            let t = Instant::now();
            let (mut accepted, mut other) = (0u64, 0u64);
            for chunk in ops.chunks(batch) {
                let body = serde_json::to_vec(&json!({"issuer_no": d.issuer.get(), "ops": chunk}))?;
                let answer: PushAnswer = signed_request(&http, &server, &d, reqwest::Method::POST, "/api/v1/sync/push", body)
                    .await?
                    .error_for_status()
                    .context("push refused")?
                    .json()
                    .await?;
                for r in &answer.results {
                    if r.status == OpStatus::Accepted { accepted += 1 } else { other += 1 }
                }
            }
            anyhow::Ok((accepted, other, t.elapsed()))
        }));
    }
    let (mut accepted, mut other, mut times) = (0u64, 0u64, Vec::new());
    for p in pushes {
        let (a, o, t) = p.await??;
        accepted += a;
        other += o;
        times.push(t);
    }
    let elapsed = started.elapsed();
    times.sort_unstable();
    let median = times.get(times.len() / 2).copied().unwrap_or_default();
    println!(
        "pushed {accepted} challans from {devices} devices in batches of {batch} in {:.2} s: {:.0} challans/s; per-device backlog of {per_device}: median {:.2} s, max {:.2} s; not accepted {other}",
        elapsed.as_secs_f64(),
        accepted as f64 / elapsed.as_secs_f64(),
        median.as_secs_f64(),
        times.last().copied().unwrap_or_default().as_secs_f64(),
    );
    Ok(if other == 0 && accepted == challans { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
