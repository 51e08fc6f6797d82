//! `mahasil field-sim`: officers' phones over a bad network. Signs in, enrols N devices,
//! issues M challans among them offline, then syncs every device through a fault proxy of
//! its own (every fault at the given rate) until every outbox is empty, and checks that
//! the server holds each challan exactly once. With `--state DIR` the devices live in DIR
//! and a run killed at any point resumes there.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::Args;
use mahasil_field::{Client, Clock, Device, FaultProxy, Faults, OpStatus, RetryPolicy, Session, SyncReport};
use rand::SeedableRng;
use rand::rngs::StdRng;
use tokio::task::JoinSet;

/// Most devices one run may enrol.
pub const MAX_DEVICES: usize = 1_000;
/// Most challans one run may issue.
pub const MAX_CHALLANS: usize = 1_000_000;
/// Most sync rounds one run may make.
pub const MAX_ROUNDS: u32 = 1_000;
/// Rejected challans named one by one in the report.
const REJECTED_SHOWN: usize = 20;
/// One request through the proxy may take this long.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);

#[derive(Args)]
pub struct FieldSimArgs {
    /// Base URL of the server, e.g. http://127.0.0.1:8080.
    #[arg(long)]
    server: String,
    /// Devices to enrol (devices already in --state are reused).
    #[arg(long, default_value_t = 3)]
    devices: usize,
    /// Challans to issue offline in all, spread over the devices.
    #[arg(long, default_value_t = 30)]
    challans: usize,
    /// Probability, per request, of each network fault (dropped request, dropped reply,
    /// duplicate, delay, reordering, reply cut off): 0 for none, up to 1.
    #[arg(long, default_value_t = 0.0)]
    fault_rate: f64,
    #[arg(long, default_value = "officer.peshawar")]
    user: String,
    #[arg(long, default_value = "demo-password")]
    password: String,
    /// Seed of the offenders drawn and of the faults.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Keep the devices' state files here; a run on the same directory resumes.
    #[arg(long, value_name = "DIR")]
    state: Option<PathBuf>,
    /// Sync rounds over all devices before giving up.
    #[arg(long, default_value_t = 40)]
    rounds: u32,
}

/// The state directory, removed at the end when the run made it itself.
struct StateDir {
    path: PathBuf,
    temporary: bool,
}

impl Drop for StateDir {
    fn drop(&mut self) {
        if self.temporary {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

fn state_dir(given: Option<PathBuf>) -> anyhow::Result<StateDir> {
    let (path, temporary) = match given {
        Some(path) => (path, false),
        None => (std::env::temp_dir().join(format!("mahasil-field-sim-{}", uuid::Uuid::now_v7().simple())), true),
    };
    std::fs::create_dir_all(&path).with_context(|| format!("cannot create {}", path.display()))?;
    Ok(StateDir { path, temporary })
}

fn device_path(dir: &Path, index: usize) -> PathBuf {
    dir.join(format!("device-{index:04}.json"))
}

/// The devices saved in `dir`, then as many newly enrolled (directly, not through the
/// proxy) as needed to make `count`.
async fn devices(direct: &Client, session: &Session, dir: &Path, count: usize) -> anyhow::Result<Vec<Device>> {
    let mut devices = Vec::with_capacity(count);
    for index in 0..count {
        let path = device_path(dir, index);
        let device = if path.exists() {
            Device::load(&path, Clock::system())?
        } else {
            direct.enrol(session, &format!("field-sim device {index}"), &path, Clock::system()).await.context("enrolment")?
        };
        devices.push(device);
    }
    Ok(devices)
}

/// Syncs each device concurrently; each comes back with what its sync said.
async fn sync_all(client: &Client, devices: Vec<Device>) -> Vec<(Device, mahasil_field::Result<SyncReport>)> {
    let mut tasks = JoinSet::new();
    for (index, mut device) in devices.into_iter().enumerate() {
        let client = client.clone();
        tasks.spawn(async move {
            let outcome = client.sync(&mut device).await;
            (index, device, outcome)
        });
    }
    let mut done = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok(one) => done.push(one),
            Err(e) => tracing::error!(error = %e, "a device's sync task failed"),
        }
    }
    done.sort_by_key(|(index, _, _)| *index);
    done.into_iter().map(|(_, device, outcome)| (device, outcome)).collect()
}

/// Issues challans until the devices hold `total` among them; challan `k` is drawn from
/// the seed and `k`, so a resumed run issues what the killed one would have.
fn issue(devices: &mut [Device], total: usize, seed: u64) -> anyhow::Result<usize> {
    let already: usize = devices.iter().map(|d| d.data().issued.len()).sum();
    for k in already..total {
        let at = k % devices.len();
        let device = &mut devices[at];
        let pulled = &device.data().pulled;
        let (Some(reference), Some(officer)) = (&pulled.reference, &pulled.officer) else { bail!("device {at} has no reference data") };
        let mut rng = StdRng::seed_from_u64(seed.wrapping_mul(1_000_003).wrapping_add(k as u64));
        let form = mahasil_field::offenders::random_form(&mut rng, reference, officer, mahasil_domain::time::local_date(device.clock().now()))?;
        device.issue(&form)?;
    }
    Ok(total.saturating_sub(already))
}

/// Syncs every device whose outbox is not empty (all of them in the first round, so each
/// has pulled), round after round, until none is left or the rounds run out.
async fn sync_until_empty(client: &Client, devices: Vec<Device>, rounds: u32) -> Vec<Device> {
    let mut devices = devices;
    for round in 1..=rounds {
        let (pending, mut idle): (Vec<Device>, Vec<Device>) = devices.into_iter().partition(|d| round == 1 || !d.data().outbox.is_empty());
        if pending.is_empty() {
            return idle;
        }
        for (device, outcome) in sync_all(client, pending).await {
            if let Err(e) = outcome {
                eprintln!("round {round}: device {}: {e}", device.id());
            }
            idle.push(device);
        }
        devices = idle;
    }
    devices
}

#[derive(Default)]
struct Totals {
    issued: usize,
    accepted: usize,
    duplicate: usize,
    rejected: usize,
    unsent: usize,
    on_server: usize,
}

async fn totals(direct: &Client, session: &Session, devices: &[Device]) -> anyhow::Result<Totals> {
    let mut t = Totals::default();
    for device in devices {
        let data = device.data();
        t.issued += data.issued.len();
        t.accepted += data.acknowledged.iter().filter(|a| a.status == OpStatus::Accepted).count();
        t.duplicate += data.acknowledged.iter().filter(|a| a.status == OpStatus::Duplicate).count();
        t.rejected += data.rejected.len();
        t.unsent += data.outbox.len();
        for challan in &data.issued {
            match direct.challan(session, &challan.challan_no).await? {
                Some(stored) if stored["id"].as_str() == Some(challan.id.to_string().as_str()) => t.on_server += 1,
                Some(_) => eprintln!("challan {} on the server is another challan", challan.challan_no),
                None => {}
            }
        }
    }
    Ok(t)
}

pub async fn run(args: FieldSimArgs) -> anyhow::Result<ExitCode> {
    if args.devices == 0 || args.devices > MAX_DEVICES {
        bail!("--devices must be 1 to {MAX_DEVICES}");
    }
    if args.challans > MAX_CHALLANS || args.rounds == 0 || args.rounds > MAX_ROUNDS {
        bail!("--challans must be at most {MAX_CHALLANS} and --rounds 1 to {MAX_ROUNDS}");
    }
    if !(0.0..=1.0).contains(&args.fault_rate) {
        bail!("--fault-rate must be between 0 and 1");
    }
    let state = state_dir(args.state.clone())?;
    let direct = Client::new(&args.server)?;
    let session = direct.login(&args.user, &args.password).await.context("signing in")?;
    let proxy = FaultProxy::start(&args.server, Faults::all(args.fault_rate), args.seed).await?;
    let retry = RetryPolicy { attempts: 12, base_delay_ms: 20, max_delay_ms: 1_000 };
    let through_proxy = Client::with_timeout(&proxy.url(), REQUEST_TIMEOUT)?.retrying(retry);

    let mut devices = devices(&direct, &session, &state.path, args.devices).await?;
    println!("devices: {} enrolled for {} (state in {})", devices.len(), session.username, state.path.display());
    for _ in 0..args.rounds {
        if devices.iter().all(|d| d.data().pulled.reference.is_some()) {
            break;
        }
        devices = sync_until_empty(&through_proxy, devices, 1).await;
    }
    let issued_now = issue(&mut devices, args.challans, args.seed)?;
    println!("issued offline: {issued_now} now, {} in all", devices.iter().map(|d| d.data().issued.len()).sum::<usize>());
    println!("syncing through a fault proxy at {} (fault rate {})", proxy.url(), args.fault_rate);
    let devices = sync_until_empty(&through_proxy, devices, args.rounds).await;

    let t = totals(&direct, &session, &devices).await?;
    println!("issued: {}", t.issued);
    println!("accepted: {}", t.accepted);
    println!("duplicate: {} (answers lost on the way; stored once before)", t.duplicate);
    println!("rejected: {}", t.rejected);
    println!("unsent: {}", t.unsent);
    println!("on server: {} of {}", t.on_server, t.issued);
    println!("proxy: {}", proxy.counts());
    for r in devices.iter().flat_map(|d| d.data().rejected.iter()).take(REJECTED_SHOWN) {
        println!("rejected {}: {}", r.challan_no.as_deref().unwrap_or("?"), r.reason);
    }
    let exactly_once = t.accepted + t.duplicate == t.issued && t.rejected == 0 && t.unsent == 0 && t.on_server == t.issued;
    println!("{}", if exactly_once { "exactly once: yes" } else { "exactly once: NO" });
    Ok(if exactly_once { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
