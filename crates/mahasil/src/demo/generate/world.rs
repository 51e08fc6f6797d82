//! The generator's state: what stays fixed while it runs (the province, its staff and
//! catalogue, account names, the calendar) and what it changes as it goes (the random
//! generator, this node's counter, the devices' chains, the books and the tally).

use std::sync::Arc;

use jiff::Timestamp;
use jiff::civil::Date;
use mahasil_domain::challan_no::IssuerNo;
use mahasil_domain::head::{FeeSchedule, HeadCode};
use mahasil_domain::jurisdiction::Slug;
use mahasil_sync::device::Chain;
use rand::Rng;
use rand::distributions::WeightedIndex;
use rand::rngs::StdRng;
use serde::Serialize;
use uuid::Uuid;

use super::anomalies::Plan;
use super::books::Books;
use super::calendar::Hours;
use super::cast::Cast;
use super::province::District;
use super::rows::Accounts;
use super::setup::Device;

/// Calendar dates by Pakistan day, each with its text, made once.
pub(super) struct Dates {
    first: i64,
    dates: Vec<(Date, Arc<str>)>,
}

impl Dates {
    pub(super) fn new(first: i64, last: i64) -> Self {
        let dates = (first..=last)
            .map(|d| {
                let date = super::calendar::date_of(d);
                (date, Arc::from(date.to_string()))
            })
            .collect();
        Self { first, dates }
    }

    fn entry(&self, day: i64) -> anyhow::Result<&(Date, Arc<str>)> {
        usize::try_from(day - self.first).ok().and_then(|i| self.dates.get(i)).ok_or_else(|| anyhow::anyhow!("day {day} is outside the generated calendar"))
    }

    pub(super) fn date(&self, day: i64) -> anyhow::Result<Date> {
        Ok(self.entry(day)?.0)
    }

    pub(super) fn text(&self, day: i64) -> anyhow::Result<Arc<str>> {
        Ok(Arc::clone(&self.entry(day)?.1))
    }
}

/// What the generator reads and never changes.
pub(super) struct World {
    pub districts: Vec<District>,
    pub cast: Cast,
    /// The field devices, with the keys they seal and sign with.
    pub devices: Vec<Device>,
    /// Version 1 of each catalogue head's schedule, and the head's code and department.
    pub schedules: Vec<FeeSchedule>,
    pub head_codes: Vec<HeadCode>,
    pub head_departments: Vec<usize>,
    pub departments: Vec<Slug>,
    pub accounts: Accounts,
    pub node_issuer: IssuerNo,
    /// Bank mnemonics as slugs, with their actors (`bank:<mnemonic>`), and who picks one.
    pub banks: Vec<(Slug, Arc<str>)>,
    pub bank_pick: WeightedIndex<u32>,
    pub gateway: Slug,
    pub gateway_actor: Arc<str>,
    pub hours: Hours,
    pub dates: Dates,
    pub first_day: i64,
    pub last_day: i64,
    /// Unix seconds of the midnight that starts today: nothing happens at or after it.
    pub now: i64,
    pub anomalies: Plan,
    /// Per officer, which of their heads a challan is under, by the heads' weights.
    pub officer_heads: Vec<WeightedIndex<u32>>,
    /// Per district, who of its officers issues a challan, by activity.
    pub officer_pick: Vec<WeightedIndex<f64>>,
    /// Which district a challan is issued in, by population; the second after the district
    /// drop of the anomaly plan.
    pub district_pick: WeightedIndex<f64>,
    pub district_pick_after_drop: WeightedIndex<f64>,
}

/// What the generator did, for the closing summary.
#[derive(Debug, Clone, Default, Serialize)]
pub(super) struct Tally {
    pub challans: u64,
    pub device_challans: u64,
    pub payments: u64,
    pub surcharged: u64,
    pub reversals: u64,
    pub deposited: u64,
    pub cancellations: u64,
    pub waivers: u64,
    pub rejected_requests: u64,
    pub pending_requests: u64,
    pub inquiries: u64,
}

/// A device's place in its numbering and hash chain, and what the server has seen of it.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct DeviceState {
    pub chain: Chain,
    pub last_received_counter: u32,
    pub last_sync_at: i64,
}

/// What the generator changes as it goes.
pub(super) struct State {
    pub rng: StdRng,
    pub node_counter: u32,
    pub devices: Vec<DeviceState>,
    /// Each bank's and the gateway's running reference number, so references never repeat.
    pub bank_references: Vec<u64>,
    pub gateway_references: u64,
    pub counter_entries: u64,
    pub books: Books,
    pub tally: Tally,
}

impl State {
    /// A UUIDv7 of `at_s` with random bits from the seeded generator.
    pub(super) fn uuid_at(&mut self, at_s: i64) -> Uuid {
        let millis = u64::try_from(at_s).unwrap_or(0) * 1_000 + self.rng.gen_range(0..1_000);
        let random: [u8; 10] = self.rng.r#gen();
        uuid::Builder::from_unix_timestamp_millis(millis, &random).into_uuid()
    }

    /// The next receipt or challan number of this node.
    pub(super) fn next_node_counter(&mut self) -> u32 {
        self.node_counter += 1;
        self.node_counter
    }
}

/// Unix seconds as the store's microseconds.
pub(super) fn us(at_s: i64) -> i64 {
    at_s * 1_000_000
}

pub(super) fn timestamp(at_s: i64) -> anyhow::Result<Timestamp> {
    Ok(Timestamp::from_second(at_s)?)
}

/// A uniformly drawn duration in `lo..hi` seconds.
pub(super) fn secs(rng: &mut StdRng, lo: i64, hi: i64) -> i64 {
    rng.gen_range(lo..hi.max(lo + 1))
}

pub(super) const MINUTE: i64 = 60;
pub(super) const HOUR: i64 = 3_600;
pub(super) const DAY: i64 = 86_400;
