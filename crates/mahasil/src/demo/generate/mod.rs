//! `mahasil demo generate`: a whole synthetic province at scale in a new SQLite database,
//! for the dashboard, the search and the benchmarks to work on: the 35 districts weighted
//! by population, the demo catalogue, a few thousand officers (some with field devices),
//! two years of challans with the seasons of a real year, payments through banks, the
//! gateway and counters, deposits, cancellations and waivers, bank inquiries, and a few
//! planted anomalies listed in `generated-anomalies.json`.
//!
//! Reference data, staff, banks, keys and devices go through the store (with their audit
//! entries); the challans and everything after them are written in bulk (`load`) with the
//! store's own columns and the node's real signing keys, and are checked by the normal
//! commands afterwards (`ledger check`, `insight check`, `audit verify`). Generated
//! challans queue no notifications and have no audit entries of their own.

mod anomalies;
mod books;
mod bulk;
mod calendar;
mod cast;
mod finish;
mod issue;
mod load;
mod manifest;
mod payment;
mod pipeline;
mod province;
mod rows;
mod setup;
mod story;
mod world;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use jiff::Timestamp;
use mahasil_domain::jurisdiction::Slug;
use rand::SeedableRng;
use rand::rngs::StdRng;
use rusqlite::{Connection, OpenFlags, OptionalExtension};

use crate::config::Config;
use manifest::MANIFEST_FILE;

/// The most challans one generation makes.
pub const MAX_CHALLANS: u64 = 50_000_000;
/// The longest window of days.
pub const MAX_DAYS: u32 = 3_650;

#[derive(Args, Debug, Clone)]
pub struct GenerateArgs {
    /// How many challans to generate (1 to 50,000,000).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=MAX_CHALLANS))]
    pub challans: u64,
    /// Days of activity, ending yesterday (Asia/Karachi).
    #[arg(long, value_name = "D", default_value_t = 730, value_parser = clap::value_parser!(u32).range(7..=i64::from(MAX_DAYS)))]
    pub days: u32,
    /// Officers to staff the province with (70 to 5,000), shared among the districts by
    /// population, at least two each; by default one per 3,300 challans, at least 70 and
    /// at most 3,000.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(i64::from(cast::FEWEST_OFFICERS)..=i64::from(cast::MOST_OFFICERS)))]
    pub officers: Option<u32>,
    /// Seed of the random generator: the same seed gives the same province (signatures
    /// differ: ECDSA signing is randomised).
    #[arg(long, value_name = "S", default_value_t = 1)]
    pub seed: u64,
}

/// The file a generation builds in, next to the database: renamed to the database's own
/// name only when it is whole.
fn building_path(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_os_string();
    name.push(".generating");
    PathBuf::from(name)
}

fn side_path(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_os_string();
    name.push(".search");
    PathBuf::from(name)
}

/// Refuses a database that is in use or already holds data; `true` if there is an empty
/// one (made by `mahasil migrate`, say) to build on.
fn check_target(db: &Path, building: &Path) -> anyhow::Result<bool> {
    anyhow::ensure!(
        !building.exists(),
        "an earlier `demo generate` into {} was interrupted and left {} unusable: delete it (and {}) and run again",
        db.display(),
        building.display(),
        side_path(building).display()
    );
    if !db.exists() {
        return Ok(false);
    }
    let conn = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY).with_context(|| format!("reading {}", db.display()))?;
    let has = |table: &str| -> anyhow::Result<bool> {
        Ok(conn.query_row("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1", [table], |_| Ok(())).optional()?.is_some())
    };
    if has("challans")? {
        let challans: i64 = conn.query_row("SELECT count(*) FROM (SELECT 1 FROM challans LIMIT 1)", [], |r| r.get(0))?;
        anyhow::ensure!(challans == 0, "{} already holds challans: `demo generate` fills a new database only; choose another --data directory", db.display());
    }
    if has("jurisdictions")? {
        let seeded = conn.query_row("SELECT 1 FROM jurisdictions LIMIT 1", [], |_| Ok(())).optional()?.is_some();
        anyhow::ensure!(!seeded, "{} already holds jurisdictions: `demo generate` fills a new database only; choose another --data directory", db.display());
    }
    let mut wal = db.as_os_str().to_os_string();
    wal.push("-wal");
    anyhow::ensure!(!Path::new(&wal).exists(), "{} is open in another process (or was not closed cleanly): stop it first", db.display());
    Ok(true)
}

fn rename(from: &Path, to: &Path) -> anyhow::Result<()> {
    std::fs::rename(from, to).with_context(|| format!("renaming {} to {}", from.display(), to.display()))
}

fn bytes_of(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

/// `mahasil demo generate`.
pub async fn run(config: &Config, args: GenerateArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let url = config.effective_database_url();
    let Some(path) = url.strip_prefix("sqlite://") else {
        anyhow::bail!(
            "`demo generate` writes an embedded SQLite database only (it loads rows in bulk, beside the store); {} is not one. \
             Generate into a --data directory instead",
            mahasil_store::redact_url(&url)
        );
    };
    let db = PathBuf::from(path);
    let building = building_path(&db);
    let existing = check_target(&db, &building)?;
    let now = Timestamp::now();
    let last_day = calendar::day_of(now.as_second()) - 1;
    let first_day = last_day - i64::from(args.days) + 1;
    let gateway = Slug::parse(&config.gateway_name).map_err(|e| anyhow::anyhow!("gateway_name: {e}"))?;
    if let Some(dir) = db.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    if existing {
        rename(&db, &building)?;
        if side_path(&db).exists() {
            rename(&side_path(&db), &side_path(&building))?;
        }
    }
    let setting_up = ProgressBar::new_spinner().with_message("setting up the province: reference data, staff, banks, keys and devices");
    setting_up.enable_steady_tick(Duration::from_millis(200));
    let mut rng = StdRng::seed_from_u64(args.seed);
    let districts = province::districts()?;
    let officers = match args.officers {
        Some(n) => usize::try_from(n)?,
        None => cast::officer_count(args.challans),
    };
    let prepared = {
        let store = mahasil_store::open(&format!("sqlite://{}", building.display())).await.with_context(|| format!("creating {}", building.display()))?;
        setup::prepare(&store, &config.effective_keys_dir(), &config.node_name, &districts, &mut rng, officers, first_day).await?
    };
    setting_up.finish_and_clear();
    let setup_secs = started.elapsed().as_secs_f64();
    let bar = ProgressBar::new(args.challans).with_style(
        ProgressStyle::with_template("{spinner} challans [{bar:30}] {human_pos}/{human_len} {per_sec} ETA {eta}")
            .map_err(|e| anyhow::anyhow!("progress bar: {e}"))?
            .progress_chars("=> "),
    );
    // Nothing happens after the midnight that starts today (Pakistan): the same seed gives
    // the same province all day.
    let cutoff = calendar::day_start(last_day + 1);
    let order = load::Order { challans: args.challans, days: args.days, seed: args.seed, first_day, last_day, now: cutoff, gateway };
    let loaded = {
        let (building, bar) = (building.clone(), bar.clone());
        tokio::task::spawn_blocking(move || load::load(&building, &side_path(&building), prepared, districts, rng, &order, &bar)).await??
    };
    rename(&building, &db)?;
    rename(&side_path(&building), &side_path(&db))?;
    let manifest_path = db.parent().unwrap_or(Path::new(".")).join(MANIFEST_FILE);
    std::fs::write(&manifest_path, serde_json::to_vec_pretty(&loaded.manifest)?).with_context(|| format!("writing {}", manifest_path.display()))?;
    let store = mahasil_store::open(&url).await.with_context(|| format!("opening {}", db.display()))?;
    let stored = store.count_challans().await?;
    anyhow::ensure!(stored == args.challans, "{} holds {stored} challans, not {}", db.display(), args.challans);
    drop(store);
    let t = &loaded.tally;
    let secs = started.elapsed().as_secs_f64();
    let size_mb = (bytes_of(&db) + bytes_of(&side_path(&db))) / 1_000_000;
    println!(
        "generated {} challans ({} on field devices), {} payments ({} reversed, {} deposited), {} cancellations, {} waivers, {} bank inquiries \
         in {secs:.1} s ({:.0} challans/s; setting up {setup_secs:.1} s, challans {:.1} s, finishing {:.1} s); {} ({size_mb} MB), anomalies in {}",
        t.challans,
        t.device_challans,
        t.payments,
        t.reversals,
        t.deposited,
        t.cancellations,
        t.waivers,
        t.inquiries,
        t.challans as f64 / secs.max(0.001),
        loaded.writing_secs,
        loaded.finishing_secs,
        db.display(),
        manifest_path.display()
    );
    Ok(ExitCode::SUCCESS)
}
