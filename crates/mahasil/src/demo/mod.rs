//! The demo province: Khyber Pakhtunkhwa with its divisions, districts and a few tehsils,
//! the departments and their revenue heads, demo staff who sign in with
//! `demo-password`, and five months of challans with cancellations and contests, so every
//! page, list and chart has something real to show.
//!
//! Seeding writes only through the `Storage` trait, exactly as the server would, so the
//! audit chain covers it. It is deterministic for a given `now` (a fixed random seed) and
//! back-dated: reference data and users are created the day before the window of
//! challans opens.

mod catalogue;
mod challans;
mod generate;
mod localities;
mod offenders;
mod people;
mod places;
#[cfg(test)]
mod tests;

use std::fmt;

use anyhow::Context;
use jiff::{Span, Timestamp};
use mahasil_domain::bank::BankSecret;
use mahasil_domain::challan_no::IssuerNo;
use mahasil_domain::jurisdiction::{Level, Slug};
use mahasil_domain::time::pakistan;
use mahasil_store::{Actor, BankRecord, Sealer, Store};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;
use uuid::Uuid;

pub use generate::{GenerateArgs, run as generate};

/// How many challans a fresh demo gets.
pub const DEMO_CHALLANS: usize = 300;
/// How far back the demo's challans go, in days (about five months).
const WINDOW_DAYS: i64 = 150;

/// The demo bank of DESIGN.md ("Surfaces") and the secret it signs bank API requests with.
pub const DEMO_BANK: &str = "demo-bank";
pub const DEMO_BANK_SECRET: &str = "demo-bank-secret";

/// How far back the demo node's keys are valid from: the demo's challans are back-dated
/// over the past [`WINDOW_DAYS`] and sealed as of then, so the keys must cover that time.
pub const KEY_BACKDATE_SECS: i64 = (WINDOW_DAYS + 2) * 86_400;
/// The seed of the demo's random generator: the same seed, the same demo.
const RNG_SEED: u64 = 0x6d61_6861_7369_6c01;

/// What seeding did; printed by the CLI.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SeedReport {
    /// The province was already there, so nothing was written.
    pub already_seeded: bool,
    pub provinces: usize,
    pub divisions: usize,
    pub districts: usize,
    pub tehsils: usize,
    pub departments: usize,
    pub heads: usize,
    pub users: usize,
    pub banks: usize,
    pub challans: usize,
    pub cancellations_approved: usize,
    pub cancellations_rejected: usize,
    pub cancellations_pending: usize,
    pub waivers_approved: usize,
    pub waivers_rejected: usize,
    pub waivers_pending: usize,
    pub contests_upheld: usize,
    pub contests_quashed: usize,
    pub contests_open: usize,
}

impl fmt::Display for SeedReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.already_seeded {
            return write!(f, "demo province {} is already there; nothing was added", places::PROVINCE.slug);
        }
        writeln!(f, "demo province {} seeded:", places::PROVINCE.slug)?;
        writeln!(f, "  jurisdictions: {} province, {} divisions, {} districts, {} tehsils", self.provinces, self.divisions, self.districts, self.tehsils)?;
        writeln!(f, "  {} departments, {} revenue heads with fee schedules", self.departments, self.heads)?;
        writeln!(
            f,
            "  {} users (password {}): {}",
            self.users,
            people::DEMO_PASSWORD,
            people::USERS.iter().map(|u| u.username).collect::<Vec<_>>().join(", ")
        )?;
        writeln!(f, "  {} bank: {DEMO_BANK} (bank API secret {DEMO_BANK_SECRET})", self.banks)?;
        writeln!(f, "  {} challans", self.challans)?;
        writeln!(
            f,
            "  cancellation requests: {} approved, {} rejected, {} pending",
            self.cancellations_approved, self.cancellations_rejected, self.cancellations_pending
        )?;
        writeln!(f, "  waiver requests: {} approved, {} rejected, {} pending", self.waivers_approved, self.waivers_rejected, self.waivers_pending)?;
        write!(f, "  contests: {} upheld, {} quashed, {} open", self.contests_upheld, self.contests_quashed, self.contests_open)
    }
}

/// Seeds the demo province into `store`, issuing challans as `node_issuer`. Does nothing
/// (and says so) when the province `khyber-pakhtunkhwa` already exists.
pub async fn seed(store: &Store, node_issuer: IssuerNo, sealer: &Sealer, now: Timestamp) -> anyhow::Result<SeedReport> {
    if store.jurisdiction(&Slug::parse(places::PROVINCE.slug)?).await?.is_some() {
        return Ok(SeedReport { already_seeded: true, ..SeedReport::default() });
    }
    // Checked before the first write, so a clock too early for the schedules leaves the
    // store untouched.
    let start = challans::window_start(now, WINDOW_DAYS)?;
    let set_up_at = start.checked_sub(Span::new().days(1))?.at(10, 0, 0, 0).to_zoned(pakistan())?.timestamp();
    let mut rng = StdRng::seed_from_u64(RNG_SEED);
    let mut report = SeedReport::default();

    let system = Actor::system();
    for j in places::jurisdictions()? {
        store.put_jurisdiction(&j, &system, set_up_at).await.with_context(|| format!("storing jurisdiction {}", j.slug))?;
        match j.level {
            Level::Province => report.provinces += 1,
            Level::Division => report.divisions += 1,
            Level::District => report.districts += 1,
            Level::Tehsil => report.tehsils += 1,
        }
    }
    for d in catalogue::departments()? {
        store.put_department(&d, &system, set_up_at).await.with_context(|| format!("storing department {}", d.slug))?;
        report.departments += 1;
    }
    for spec in &catalogue::HEADS {
        store.create_head(&spec.head()?, &spec.schedule()?, &system, set_up_at).await.with_context(|| format!("creating head {}", spec.code))?;
        report.heads += 1;
    }
    let staff = people::create_users(store, &mut rng, set_up_at).await?;
    report.users = staff.len();
    let bank = BankRecord {
        mnemonic: Slug::parse(DEMO_BANK)?,
        name: "Demo Bank".into(),
        secret: BankSecret::parse(DEMO_BANK_SECRET)?,
        active: true,
        created_at: set_up_at,
    };
    store.create_bank(&bank, &system).await.context("registering the demo bank")?;
    report.banks = 1;

    let activity = challans::seed_activity(store, &mut rng, &staff, challans::Issuing { issuer: node_issuer, sealer }, start, now, DEMO_CHALLANS).await?;
    report.challans = activity.challans;
    report.cancellations_approved = activity.cancellations_approved;
    report.cancellations_rejected = activity.cancellations_rejected;
    report.cancellations_pending = activity.cancellations_pending;
    report.waivers_approved = activity.waivers_approved;
    report.waivers_rejected = activity.waivers_rejected;
    report.waivers_pending = activity.waivers_pending;
    report.contests_upheld = activity.contests_upheld;
    report.contests_quashed = activity.contests_quashed;
    report.contests_open = activity.contests_open;
    Ok(report)
}

/// A UUIDv7 for `at` whose random bits come from the demo's generator, so ids repeat
/// with the seed.
fn uuid_v7(rng: &mut StdRng, at: Timestamp) -> anyhow::Result<Uuid> {
    let millis = u64::try_from(at.as_millisecond()).context("a demo time before 1970")?;
    let random: [u8; 10] = rng.r#gen();
    Ok(uuid::Builder::from_unix_timestamp_millis(millis, &random).into_uuid())
}
