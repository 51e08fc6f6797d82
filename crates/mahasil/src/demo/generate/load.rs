//! The bulk load itself, on its own SQLite connection: the journal off and syncing off
//! while it runs (the file is still under its `.generating` name, so an interrupted load is
//! never opened as a database), the two insert triggers set aside, every challan's life
//! written by the pipeline, then the books, the search index and the triggers, and the file
//! put back in WAL mode as the store keeps it.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use indicatif::ProgressBar;
use mahasil_domain::head::HeadCode;
use mahasil_domain::jurisdiction::Slug;
use rand::distributions::WeightedIndex;
use rand::rngs::StdRng;
use rusqlite::{Connection, OpenFlags};

use super::super::catalogue::{DEPARTMENTS, HEADS};
use super::anomalies::{self, DROP_FACTOR};
use super::books::Books;
use super::bulk::Writer;
use super::calendar::{self, Hours};
use super::cast::BANKS;
use super::manifest::{self, Manifest};
use super::province::District;
use super::rows::Accounts;
use super::setup::Prepared;
use super::world::{Dates, DeviceState, State, Tally, World};
use super::{finish, pipeline};

/// Page cache of the bulk connection, in KiB: the hot ends of every index stay in memory.
const BULK_CACHE_KIB: u32 = 2 * 1024 * 1024;
/// How long to wait for the store's own connections to the file to close.
const EXCLUSIVE_WAIT: Duration = Duration::from_secs(30);
/// Days after the window the calendar must know: due dates and late payments.
const CALENDAR_AFTER_DAYS: i64 = 400;

/// What the load asks for.
pub(super) struct Order {
    pub challans: u64,
    pub days: u32,
    pub seed: u64,
    pub first_day: i64,
    pub last_day: i64,
    /// Unix seconds after which nothing happens (the midnight that starts today).
    pub now: i64,
    pub gateway: Slug,
}

pub(super) struct Loaded {
    pub tally: Tally,
    pub manifest: Manifest,
    /// Seconds spent writing the challans, and finishing after them.
    pub writing_secs: f64,
    pub finishing_secs: f64,
}

fn world(prepared: Prepared, districts: Vec<District>, rng: &mut StdRng, order: &Order) -> anyhow::Result<World> {
    let Prepared { node_issuer, keys: _, cast, devices, schedules } = prepared;
    let head_codes = HEADS.iter().map(|h| HeadCode::parse(h.code)).collect::<Result<Vec<_>, _>>()?;
    let head_departments =
        HEADS.iter().map(|h| DEPARTMENTS.iter().position(|d| d.0 == h.department).context("a head of no department")).collect::<anyhow::Result<Vec<_>>>()?;
    let departments = DEPARTMENTS.iter().map(|d| Slug::parse(d.0)).collect::<Result<Vec<_>, _>>()?;
    let district_slugs: Vec<&str> = districts.iter().map(|d| d.slug.as_str()).collect();
    let bank_names: Vec<&str> = BANKS.iter().map(|b| b.0).collect();
    let accounts = Accounts::new(&HEADS.iter().map(|h| h.code).collect::<Vec<_>>(), &district_slugs, &bank_names, order.gateway.as_str());
    let banks = BANKS.iter().map(|b| Ok((Slug::parse(b.0)?, Arc::from(format!("bank:{}", b.0))))).collect::<anyhow::Result<Vec<_>>>()?;
    let anomalies = anomalies::plan(rng, &districts, &cast, order.first_day, order.last_day);
    let officer_heads = cast.officers.iter().map(|o| WeightedIndex::new(&o.head_weights)).collect::<Result<Vec<_>, _>>()?;
    let officer_pick =
        cast.desks.iter().map(|desk| WeightedIndex::new(desk.officers.iter().map(|&o| cast.officers[o].activity))).collect::<Result<Vec<_>, _>>()?;
    let people: Vec<f64> = districts.iter().map(|d| f64::from(d.people_k)).collect();
    let dropped = anomalies.drop.map(|(d, _)| d);
    let after_drop: Vec<f64> = people.iter().enumerate().map(|(i, p)| if Some(i) == dropped { p * DROP_FACTOR } else { *p }).collect();
    Ok(World {
        cast,
        devices,
        schedules,
        head_codes,
        head_departments,
        departments,
        accounts,
        node_issuer,
        banks,
        bank_pick: WeightedIndex::new(BANKS.iter().map(|b| b.2))?,
        gateway_actor: Arc::from(format!("gateway:{}", order.gateway)),
        gateway: order.gateway.clone(),
        hours: Hours::new()?,
        dates: Dates::new(order.first_day - 2, order.last_day + CALENDAR_AFTER_DAYS),
        first_day: order.first_day,
        last_day: order.last_day,
        now: order.now,
        anomalies,
        officer_heads,
        officer_pick,
        district_pick: WeightedIndex::new(&people)?,
        district_pick_after_drop: WeightedIndex::new(&after_drop)?,
        districts,
    })
}

/// Opens the file for the bulk load once the store has let go of it.
fn open_bulk(db: &Path) -> anyhow::Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(db, flags).with_context(|| format!("opening {}", db.display()))?;
    conn.busy_timeout(EXCLUSIVE_WAIT)?;
    let started = Instant::now();
    loop {
        let mode: rusqlite::Result<String> = conn.query_row("PRAGMA journal_mode = OFF", [], |r| r.get(0));
        match mode {
            Ok(m) if m.eq_ignore_ascii_case("off") => break,
            _ if started.elapsed() < EXCLUSIVE_WAIT => std::thread::sleep(Duration::from_millis(100)),
            Ok(m) => anyhow::bail!("{} stays in journal mode {m}: another process has it open", db.display()),
            Err(e) => return Err(e).with_context(|| format!("{} is in use", db.display())),
        }
    }
    conn.execute_batch(&format!("PRAGMA synchronous = OFF; PRAGMA cache_size = -{BULK_CACHE_KIB}; PRAGMA temp_store = MEMORY; PRAGMA foreign_keys = OFF;"))?;
    Ok(conn)
}

/// Loads the province into `db` (and its side database `side`).
pub(super) fn load(
    db: &Path,
    side: &Path,
    prepared: Prepared,
    districts: Vec<District>,
    mut rng: StdRng,
    order: &Order,
    bar: &ProgressBar,
) -> anyhow::Result<Loaded> {
    let keys = Arc::clone(&prepared.keys);
    let world = world(prepared, districts, &mut rng, order)?;
    let conn = open_bulk(db)?;
    finish::drop_triggers(&conn)?;
    let indexes = finish::set_indexes_aside(&conn)?;
    let node_counter: u32 = conn.query_row("SELECT last_counter FROM issuers WHERE issuer_no = ?1", [world.node_issuer.get()], |r| r.get(0))?;
    let people: f64 = world.districts.iter().map(|d| f64::from(d.people_k)).sum();
    let drop_scale = world.anomalies.drop.map(|(d, from)| (from, 1.0 - f64::from(world.districts[d].people_k) / people * (1.0 - DROP_FACTOR)));
    let days = usize::try_from(order.days)?;
    let counts = calendar::daily_counts(&mut rng, order.first_day, days, order.challans, |day| match drop_scale {
        Some((from, scale)) if day >= from => scale,
        _ => 1.0,
    });
    let officer_ids = world.cast.officers.iter().map(|o| o.person.id.hyphenated().to_string()).collect();
    let books = Books::new(
        world.districts.iter().map(|d| d.slug.to_string()).collect(),
        world.departments.iter().map(ToString::to_string).collect(),
        world.head_codes.iter().map(ToString::to_string).collect(),
        officer_ids,
        order.first_day - 1,
    )?;
    let mut state = State {
        rng,
        node_counter,
        devices: vec![DeviceState::default(); world.devices.len()],
        bank_references: vec![0; BANKS.len()],
        gateway_references: 0,
        counter_entries: 0,
        books,
        tally: Tally::default(),
    };
    let mut findings = manifest::Findings::default();
    let writing = Instant::now();
    {
        let mut writer = Writer::new(&conn, &world.accounts)?;
        pipeline::run(&world, &mut state, &mut findings, &counts, &keys, &mut writer, &|n| bar.set_position(n))?;
    }
    bar.finish_and_clear();
    let writing_secs = writing.elapsed().as_secs_f64();
    let finishing_started = Instant::now();
    let finishing = ProgressBar::new_spinner().with_message("building the indexes, the rollups, the treasury statements and the offender search index");
    finishing.enable_steady_tick(Duration::from_millis(200));
    let offender_keys = std::mem::take(&mut state.books.offender_keys);
    std::thread::scope(|scope| {
        let index = scope.spawn(move || finish::write_offender_keys(side, offender_keys));
        let books =
            finish::rebuild_indexes(&conn, &indexes).and_then(|()| finish::write_books(&conn, &world, &state)).and_then(|()| finish::restore_triggers(&conn));
        let indexed = index.join().map_err(|_| anyhow::anyhow!("the search index thread failed"))?;
        books.and(indexed)
    })?;
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    anyhow::ensure!(mode.eq_ignore_ascii_case("wal"), "{} stayed in journal mode {mode}", db.display());
    drop(conn);
    finishing.finish_and_clear();
    Ok(Loaded {
        manifest: manifest::build(&world, findings, order.seed, order.challans, order.days),
        tally: state.tally,
        writing_secs,
        finishing_secs: finishing_started.elapsed().as_secs_f64(),
    })
}
