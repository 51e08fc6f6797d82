//! Field devices against the real binary (`mahasil serve --demo`), through the fault proxy
//! of `mahasil-field`: every challan issued offline reaches the server exactly once over a
//! network that drops, duplicates, delays, reorders and cuts; a sync killed mid-way
//! resumes; a device restored twice from one backup is caught as cloned; a device whose
//! clock is days off still syncs and its challans are flagged; a pull cut off keeps the
//! old cursor; forged and replayed pushes are refused; a revoked device's later challans
//! are rejected. The main fault test runs on PostgreSQL too when
//! `MAHASIL_TEST_DATABASE_URL` is set.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Output, Stdio};
use std::time::{Duration, Instant};

use mahasil_field::device::{DeviceData, file};
use mahasil_field::protocol::signing::{HEADER_DEVICE, HEADER_NONCE, HEADER_SIGNATURE, HEADER_TIMESTAMP, SignedHeaders};
use mahasil_field::protocol::wire::PushRequest;
use mahasil_field::{Client, Clock, Device, FaultProxy, Faults, OpStatus, RetryPolicy, Session};
use rand::SeedableRng;
use rand::rngs::StdRng;
use serde_json::{Value, json};

mod support;

use support::{command, free_port};

type R<T = ()> = Result<T, Box<dyn std::error::Error + Send + Sync>>;
/// The headers of a signed request, by name.
type Headers = Vec<(&'static str, String)>;

const READY_TIMEOUT: Duration = Duration::from_secs(90);
const DAY_S: i64 = 86_400;

/// A demo server on its own port, on SQLite in `dir` or in a PostgreSQL schema of its own;
/// killed when dropped.
struct Server {
    child: Child,
    base: String,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A fresh PostgreSQL schema's URL, or `None` when `MAHASIL_TEST_DATABASE_URL` is unset.
async fn postgres_url() -> R<Option<String>> {
    let Ok(url) = std::env::var(mahasil_store::testing::TEST_DATABASE_URL_VAR) else { return Ok(None) };
    let store = mahasil_store::postgres::PgStore::connect_in_fresh_schema(&url).await?;
    let schema = store.schema().ok_or("no schema")?.to_string();
    drop(store);
    let joiner = if url.contains('?') { '&' } else { '?' };
    Ok(Some(format!("{url}{joiner}options=-csearch_path%3D{schema}")))
}

impl Server {
    async fn start(database_url: Option<&str>) -> R<Self> {
        let dir = tempfile::tempdir()?;
        let port = free_port()?;
        let base = format!("http://127.0.0.1:{port}");
        let log = dir.path().join("server.log");
        let mut cmd = command();
        cmd.args(["serve", "--demo", "--bind", &format!("127.0.0.1:{port}"), "--data"]).arg(dir.path().join("data"));
        if let Some(url) = database_url {
            cmd.args(["--database-url", url]);
        }
        let child = cmd
            .env("MAHASIL_PUBLIC_BASE_URL", &base)
            .stdin(Stdio::null())
            .stdout(File::create(&log)?)
            .stderr(File::create(dir.path().join("server.err"))?)
            .spawn()?;
        let mut server = Self { child, base, log, _dir: dir };
        let http = reqwest::Client::new();
        let deadline = Instant::now() + READY_TIMEOUT;
        while !http.get(format!("{}/readyz", server.base)).send().await.is_ok_and(|r| r.status().is_success()) {
            if server.child.try_wait()?.is_some() || Instant::now() > deadline {
                let err = std::fs::read_to_string(server._dir.path().join("server.err")).unwrap_or_default();
                return Err(format!("the server did not start:\n{}\n{err}", std::fs::read_to_string(&server.log)?).into());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Ok(server)
    }
}

async fn officer(client: &Client) -> R<Session> {
    Ok(client.login("officer.peshawar", "demo-password").await?)
}

async fn admin_token(base: &str) -> R<String> {
    let login: Value = reqwest::Client::new()
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"username": "admin", "password": "demo-password"}))
        .send()
        .await?
        .json()
        .await?;
    Ok(login["token"].as_str().ok_or("no token")?.to_string())
}

/// The admin's view of one device in `GET /api/v1/devices`.
async fn admin_device(base: &str, id: uuid::Uuid) -> R<Value> {
    let list: Value = reqwest::Client::new().get(format!("{base}/api/v1/devices")).bearer_auth(admin_token(base).await?).send().await?.json().await?;
    let found = list.as_array().and_then(|all| all.iter().find(|d| d["id"].as_str() == Some(id.to_string().as_str())).cloned());
    Ok(found.ok_or_else(|| format!("device {id} is not in the admin's list: {list}"))?)
}

/// Issues `n` random challans on `device` from its pulled reference data.
fn issue(device: &mut Device, n: usize, rng: &mut StdRng) -> R<Vec<String>> {
    let mut numbers = Vec::new();
    for _ in 0..n {
        let pulled = &device.data().pulled;
        let (Some(reference), Some(officer)) = (&pulled.reference, &pulled.officer) else { return Err("no reference data".into()) };
        let date = mahasil_domain::time::local_date(device.clock().now());
        let form = mahasil_field::offenders::random_form(rng, reference, officer, date)?;
        numbers.push(device.issue(&form)?.challan_no.digits());
    }
    Ok(numbers)
}

async fn enrolled(client: &Client, session: &Session, dir: &Path, name: &str, clock: Clock) -> R<Device> {
    Ok(client.enrol(session, name, &dir.join(format!("{name}.json")), clock).await?)
}

/// Every challan the devices issued is on the server, with its own id, once: its number
/// holds it and its offender's CNIC finds exactly one challan.
async fn on_server_exactly_once(direct: &Client, session: &Session, devices: &[&DeviceData]) -> R {
    let http = reqwest::Client::new();
    for data in devices {
        for c in &data.issued {
            let stored = direct.challan(session, &c.challan_no).await?.ok_or_else(|| format!("challan {} is not on the server", c.challan_no))?;
            assert_eq!(stored["id"].as_str(), Some(c.id.to_string().as_str()), "challan {} holds another challan", c.challan_no);
            let cnic = stored["offender"]["cnic"].as_str().ok_or("no cnic")?;
            let page: Value = http.get(format!("{}/api/v1/challans?cnic={cnic}", direct.base())).bearer_auth(&session.token).send().await?.json().await?;
            let same: Vec<&Value> = page["items"].as_array().ok_or("no items")?.iter().filter(|i| i["id"] == stored["id"]).collect();
            assert_eq!(same.len(), 1, "challan {} is listed {} times", c.challan_no, same.len());
        }
    }
    Ok(())
}

/// N devices issue M challans offline and sync through a proxy with every fault at 30%.
async fn every_challan_once_through_faults(database_url: Option<&str>) -> R {
    const DEVICES: usize = 4;
    const CHALLANS_EACH: usize = 30;
    let server = Server::start(database_url).await?;
    let dir = tempfile::tempdir()?;
    let direct = Client::new(&server.base)?;
    let session = officer(&direct).await?;
    let proxy = FaultProxy::start(&server.base, Faults { max_delay_ms: 50, hold_ms: 100, ..Faults::all(0.3) }, 7).await?;
    let client = Client::with_timeout(&proxy.url(), Duration::from_secs(15))?.retrying(RetryPolicy { attempts: 40, base_delay_ms: 5, max_delay_ms: 200 });
    let mut devices = Vec::new();
    for n in 0..DEVICES {
        let mut device = enrolled(&direct, &session, dir.path(), &format!("phone-{n}"), Clock::system()).await?;
        client.sync(&mut device).await?;
        devices.push(device);
    }
    let mut rng = StdRng::seed_from_u64(99);
    for device in &mut devices {
        issue(device, CHALLANS_EACH, &mut rng)?;
    }
    // All devices at once, so requests interleave (and the proxy can reorder them).
    let mut tasks = Vec::new();
    for mut device in devices {
        let client = client.clone();
        tasks.push(tokio::spawn(async move {
            let report = client.sync(&mut device).await;
            (device, report)
        }));
    }
    let mut answered: BTreeMap<uuid::Uuid, OpStatus> = BTreeMap::new();
    let mut datas = Vec::new();
    for task in tasks {
        let (device, report) = task.await?;
        let report = report?;
        assert_eq!(report.push.rejected, 0, "{report:?}");
        let data = Device::load(device.path(), Clock::system())?.data().clone();
        assert!(data.outbox.is_empty() && data.rejected.is_empty(), "device {}: outbox {} rejected {:?}", data.device_id, data.outbox.len(), data.rejected);
        assert_eq!(data.acknowledged.len(), CHALLANS_EACH);
        for a in &data.acknowledged {
            assert!(answered.insert(a.op_id, a.status).is_none(), "op {} answered twice", a.op_id);
        }
        let seen = admin_device(&server.base, data.device_id).await?;
        assert_eq!(seen["challans_received"].as_u64(), Some(CHALLANS_EACH as u64), "{seen}");
        assert_eq!(seen["missing_counters"].as_u64(), Some(0), "{seen}");
        assert_eq!(seen["cloned"].as_bool(), Some(false), "{seen}");
        datas.push(data);
    }
    assert_eq!(answered.len(), DEVICES * CHALLANS_EACH);
    on_server_exactly_once(&direct, &session, &datas.iter().collect::<Vec<_>>()).await?;
    let counts = proxy.counts();
    assert!(counts.dropped_requests > 0 && counts.dropped_replies > 0 && counts.duplicated > 0 && counts.truncated > 0 && counts.reordered > 0, "{counts}");
    let duplicates = answered.values().filter(|s| **s == OpStatus::Duplicate).count();
    println!("proxy: {counts}; {duplicates} ops answered duplicate after a lost answer");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_challan_reaches_the_server_once_through_every_fault() -> R {
    every_challan_once_through_faults(None).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_challan_reaches_postgresql_once_through_every_fault() -> R {
    let Some(url) = postgres_url().await? else {
        println!("skipped: {} is not set", mahasil_store::testing::TEST_DATABASE_URL_VAR);
        return Ok(());
    };
    every_challan_once_through_faults(Some(&url)).await
}

fn shown(out: &Output) -> String {
    format!("exit {:?}\n--- stdout\n{}--- stderr\n{}", out.status.code(), String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

fn field_sim_args(base: &str, state: &Path) -> Vec<String> {
    let args = ["field-sim", "--server", base, "--devices", "3", "--challans", "90", "--fault-rate", "0.2", "--seed", "5", "--state"];
    let mut args: Vec<String> = args.iter().map(|a| (*a).to_string()).collect();
    args.push(state.display().to_string());
    args
}

fn state_files(dir: &Path) -> R<Vec<DeviceData>> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "json") {
            found.push(file::load::<DeviceData>(&path)?);
        }
    }
    Ok(found)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn field_sim_reports_every_challan_accepted_once() -> R {
    let server = Server::start(None).await?;
    let out = command().args(["field-sim", "--server", &server.base, "--devices", "3", "--challans", "45", "--fault-rate", "0.3", "--seed", "11"]).output()?;
    assert!(out.status.success(), "{}", shown(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("issued: 45\n") && stdout.contains("rejected: 0\n") && stdout.contains("on server: 45 of 45"), "{}", shown(&out));
    assert!(stdout.contains("exactly once: yes"), "{}", shown(&out));
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_killed_mid_way_resumes_and_delivers_each_challan_once() -> R {
    let server = Server::start(None).await?;
    let state = tempfile::tempdir()?;
    let mut child = command().args(field_sim_args(&server.base, state.path())).stdout(Stdio::piped()).stderr(Stdio::null()).spawn()?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let mut lines = BufReader::new(stdout).lines();
    loop {
        let line = lines.next().ok_or("field-sim ended before syncing")??;
        if line.starts_with("syncing") {
            break;
        }
    }
    // Kill it as soon as some answers are saved, while others are still on the way.
    let deadline = Instant::now() + Duration::from_secs(60);
    while state_files(state.path()).map(|all| all.iter().all(|d| d.acknowledged.is_empty())).unwrap_or(true) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill()?;
    child.wait()?;
    let at_kill = state_files(state.path())?;
    let acknowledged: usize = at_kill.iter().map(|d| d.acknowledged.len()).sum();
    let waiting: usize = at_kill.iter().map(|d| d.outbox.len()).sum();
    assert!(acknowledged > 0, "the kill came before any answer was saved");
    println!("killed with {acknowledged} ops answered and {waiting} still in outboxes");

    let out = command().args(field_sim_args(&server.base, state.path())).output()?;
    assert!(out.status.success(), "{}", shown(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("issued: 90\n") && stdout.contains("exactly once: yes"), "{}", shown(&out));
    let after = state_files(state.path())?;
    assert_eq!(after.iter().map(|d| d.issued.len()).sum::<usize>(), 90);
    let direct = Client::new(&server.base)?;
    on_server_exactly_once(&direct, &officer(&direct).await?, &after.iter().collect::<Vec<_>>()).await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_devices_restored_from_one_backup_are_caught_as_cloned() -> R {
    let server = Server::start(None).await?;
    let dir = tempfile::tempdir()?;
    let client = Client::new(&server.base)?.retrying(RetryPolicy::quick(3));
    let session = officer(&client).await?;
    let mut first = enrolled(&client, &session, dir.path(), "original", Clock::system()).await?;
    client.sync(&mut first).await?;
    let mut rng = StdRng::seed_from_u64(3);
    issue(&mut first, 2, &mut rng)?;
    client.sync(&mut first).await?;
    let backup = dir.path().join("restored.json");
    std::fs::copy(first.path(), &backup)?;
    let mut second = Device::load(&backup, Clock::system())?;

    let a = issue(&mut first, 1, &mut rng)?;
    let b = issue(&mut second, 1, &mut rng)?;
    assert_eq!(a, b, "both copies number their next challan alike");
    let pushed_first = client.push(&mut first).await?;
    assert_eq!((pushed_first.accepted, pushed_first.rejected), (1, 0));
    let pushed_second = client.push(&mut second).await?;
    assert_eq!((pushed_second.accepted, pushed_second.rejected), (0, 1), "{:?}", second.data().rejected);
    let reason = &second.data().rejected[0].reason;
    assert!(reason.contains("clone"), "the rejection says why: {reason}");
    let seen = admin_device(&server.base, first.id()).await?;
    assert_eq!(seen["cloned"].as_bool(), Some(true), "{seen}");
    let stored = client.challan(&session, &a[0]).await?.ok_or("the first copy's challan is missing")?;
    assert_eq!(stored["id"].as_str(), Some(first.data().issued[2].id.to_string().as_str()));
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn devices_whose_clocks_are_days_off_sync_and_their_challans_are_flagged() -> R {
    let server = Server::start(None).await?;
    let dir = tempfile::tempdir()?;
    let client = Client::new(&server.base)?.retrying(RetryPolicy::quick(4));
    let session = officer(&client).await?;
    let mut rng = StdRng::seed_from_u64(4);
    for (name, skew_s, flag) in [("ahead", 2 * DAY_S, "clock_ahead"), ("behind", -3 * DAY_S, "clock_before_enrolment")] {
        let path = enrolled(&client, &session, dir.path(), name, Clock::skewed_by(skew_s)).await?.path().to_path_buf();
        // Forget the estimate the enrolment gave: the first signed request goes out days off,
        // is refused, and its answer's Date corrects the estimate.
        let mut data = file::load::<DeviceData>(&path)?;
        data.server_offset_s = 0;
        file::save(&path, &data)?;
        let mut device = Device::load(&path, Clock::skewed_by(skew_s))?;
        let report = client.sync(&mut device).await?;
        assert!(report.attempts >= 2, "{name}: the first attempt is refused for its timestamp: {report:?}");
        let numbers = issue(&mut device, 2, &mut rng)?;
        let report = client.sync(&mut device).await?;
        assert_eq!((report.push.accepted, report.push.rejected), (2, 0), "{name}: {:?}", device.data().rejected);
        let stored = client.challan(&session, &numbers[0]).await?.ok_or("missing")?;
        let issued_at: jiff::Timestamp = stored["issued_at"].as_str().ok_or("issued_at")?.parse()?;
        let received_at: jiff::Timestamp = stored["received_at"].as_str().ok_or("received_at")?.parse()?;
        let off = issued_at.as_second() - received_at.as_second();
        assert!((off - skew_s).abs() < 600, "{name}: the challan keeps the device's clock ({off} s from its arrival)");
        let detail: Value = reqwest::Client::new()
            .get(format!("{}/api/v1/devices/{}", server.base, device.id()))
            .bearer_auth(admin_token(&server.base).await?)
            .send()
            .await?
            .json()
            .await?;
        let flags = detail["flag_list"].as_array().ok_or("no flag_list")?;
        for no in &numbers {
            let flagged = flags.iter().any(|f| f["kind"] == flag && f["challan_no"].as_str().map(|n| n.replace('-', "")) == Some(no.clone()));
            assert!(flagged, "{name}: challan {no} is flagged {flag}: {detail}");
        }
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pull_cut_off_half_way_keeps_the_old_cursor() -> R {
    let server = Server::start(None).await?;
    let dir = tempfile::tempdir()?;
    let direct = Client::new(&server.base)?;
    let session = officer(&direct).await?;
    let mut device = enrolled(&direct, &session, dir.path(), "phone", Clock::system()).await?;
    let proxy = FaultProxy::start(&server.base, Faults { truncate: 1.0, ..Faults::none() }, 1).await?;
    let client = Client::new(&proxy.url())?;

    let cut = client.pull(&mut device).await;
    assert!(cut.as_ref().is_err_and(mahasil_field::FieldError::is_transient), "{cut:?}");
    assert_eq!(proxy.counts().truncated, 1);
    let on_disk = file::load::<DeviceData>(device.path())?;
    assert_eq!((on_disk.pulled.cursor.as_deref(), on_disk.pulled.reference.is_some()), (None, false));
    assert_eq!(device.data().pulled.cursor, None);

    proxy.set_faults(Faults::none());
    client.pull(&mut device).await?;
    let first = device.data().pulled.cursor.clone().ok_or("no cursor after a whole pull")?;
    assert!(device.data().pulled.reference.is_some());

    proxy.set_faults(Faults { truncate: 1.0, ..Faults::none() });
    assert!(client.pull(&mut device).await.is_err());
    assert_eq!(file::load::<DeviceData>(device.path())?.pulled.cursor.as_deref(), Some(first.as_str()));
    proxy.set_faults(Faults::none());
    client.pull(&mut device).await?;
    assert!(device.data().pulled.reference.is_some());
    Ok(())
}

/// A push of `device`'s outbox signed with `key`, as raw headers and body.
fn signed_push(device: &Device, key: &mahasil_seal::SigningKey, nonce: [u8; 16]) -> R<(Headers, Vec<u8>)> {
    let body = serde_json::to_vec(&PushRequest { issuer_no: device.data().issuer_no, ops: device.data().outbox.clone() })?;
    let signed = SignedHeaders::sign(key, device.id(), "POST", "/api/v1/sync/push", device.server_now().as_second(), &nonce, &body)?;
    let headers = vec![
        (HEADER_DEVICE, signed.device.to_string()),
        (HEADER_TIMESTAMP, signed.timestamp_s.to_string()),
        (HEADER_NONCE, signed.nonce),
        (HEADER_SIGNATURE, signed.signature),
    ];
    Ok((headers, body))
}

async fn send_push(base: &str, headers: &Headers, body: &[u8]) -> R<(reqwest::StatusCode, Value)> {
    let mut request = reqwest::Client::new().post(format!("{base}/api/v1/sync/push")).header("content-type", "application/json").body(body.to_vec());
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    let answer = request.send().await?;
    let status = answer.status();
    Ok((status, answer.json().await.unwrap_or(Value::Null)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_and_replayed_pushes_are_refused_and_change_nothing() -> R {
    let server = Server::start(None).await?;
    let dir = tempfile::tempdir()?;
    let client = Client::new(&server.base)?.retrying(RetryPolicy::quick(3));
    let session = officer(&client).await?;
    let mut device = enrolled(&client, &session, dir.path(), "phone", Clock::system()).await?;
    client.sync(&mut device).await?;
    let numbers = issue(&mut device, 1, &mut StdRng::seed_from_u64(5))?;

    let stranger = mahasil_seal::SigningKey::from_pkcs8(&mahasil_seal::SigningKey::generate_pkcs8()?)?;
    let (forged, body) = signed_push(&device, &stranger, rand::random())?;
    let (status, answer) = send_push(&server.base, &forged, &body).await?;
    assert_eq!(status, reqwest::StatusCode::UNAUTHORIZED, "{answer}");
    assert_eq!(answer["code"].as_str(), Some("unauthorized"));
    let (honest, body) = signed_push(&device, device.key(), rand::random())?;
    let mut tampered_body = body.clone();
    if let Some(last) = tampered_body.iter().rposition(|b| *b == b'}') {
        tampered_body.insert(last, b' ');
    }
    assert_eq!(send_push(&server.base, &honest, &tampered_body).await?.0, reqwest::StatusCode::UNAUTHORIZED);
    assert!(client.challan(&session, &numbers[0]).await?.is_none(), "a refused push stored nothing");

    let (status, answer) = send_push(&server.base, &honest, &body).await?;
    assert_eq!(status, reqwest::StatusCode::OK, "{answer}");
    assert_eq!(answer["results"][0]["status"].as_str(), Some("accepted"));
    let (status, answer) = send_push(&server.base, &honest, &body).await?;
    assert_eq!(status, reqwest::StatusCode::UNAUTHORIZED, "the same nonce again is a replay: {answer}");
    let seen = admin_device(&server.base, device.id()).await?;
    assert_eq!(seen["challans_received"].as_u64(), Some(1), "{seen}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_device_s_later_challans_are_rejected() -> R {
    let server = Server::start(None).await?;
    let dir = tempfile::tempdir()?;
    let client = Client::new(&server.base)?.retrying(RetryPolicy::quick(3));
    let session = officer(&client).await?;
    let mut device = enrolled(&client, &session, dir.path(), "lost-phone", Clock::system()).await?;
    client.sync(&mut device).await?;
    let mut rng = StdRng::seed_from_u64(6);
    let before = issue(&mut device, 1, &mut rng)?;
    // Seals carry whole seconds: keep the revocation clearly after the first challan and
    // clearly before the second.
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let revoked = reqwest::Client::new()
        .post(format!("{}/api/v1/devices/{}/revoke", server.base, device.id()))
        .bearer_auth(admin_token(&server.base).await?)
        .json(&json!({"reason": "reported stolen"}))
        .send()
        .await?;
    assert!(revoked.status().is_success(), "{}", revoked.text().await?);
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let after = issue(&mut device, 1, &mut rng)?;

    // Its requests are still taken (docs/SYNC.md, revocation): its pull says it is
    // revoked, and its ops are judged by when their seals say they were signed.
    let report = client.sync(&mut device).await?;
    assert_eq!((report.push.accepted, report.push.rejected), (1, 1), "{:?}", device.data().rejected);
    assert_eq!(device.data().pulled.device.as_ref().map(|d| d.status.as_str()), Some("revoked"));
    let rejected = &device.data().rejected[0];
    assert_eq!(rejected.challan_no.as_deref(), Some(after[0].as_str()));
    assert!(rejected.reason.contains("revoked"), "the rejection says why: {}", rejected.reason);
    assert!(client.challan(&session, &before[0]).await?.is_some(), "a challan issued before the revocation is kept");
    assert!(client.challan(&session, &after[0]).await?.is_none(), "a challan issued after the revocation is not stored");
    assert_eq!(admin_device(&server.base, device.id()).await?["status"].as_str(), Some("revoked"));
    Ok(())
}
