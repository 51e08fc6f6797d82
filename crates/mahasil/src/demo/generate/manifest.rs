//! `generated-anomalies.json`: what was hidden in the generated province, written next to
//! the database so that tests (and people) can check the dashboard finds each one: the
//! officers and their usernames, the challan numbers, the issuer numbers, the districts
//! and the days. Near misses that must *not* be flagged are listed too.

use serde::Serialize;

use super::anomalies::{DROP_FACTOR, GAP_MISSING, JUMP_CANCELLATION_RATE, PairKind, Plan};
use super::province::km_between;
use super::world::World;

/// The file's name in the data directory.
pub(super) const MANIFEST_FILE: &str = "generated-anomalies.json";

/// A bank inquiry followed by its officer's cancellation request.
#[derive(Debug, Clone, Serialize)]
pub(super) struct InquiryCase {
    pub challan_no: String,
    pub bank: String,
    pub inquiry_at: String,
    pub requested_at: String,
    pub hours_after_inquiry: f64,
}

/// A challan issued far from the officer's beat.
#[derive(Debug, Clone, Serialize)]
pub(super) struct FarChallan {
    pub challan_no: String,
    pub day: String,
    pub lat: f64,
    pub lon: f64,
    pub km_from_usual: f64,
}

/// The device's missing numbers, and the first number that came after them.
#[derive(Debug, Clone, Default, Serialize)]
pub(super) struct GapFound {
    pub missing_from: u32,
    pub missing_to: u32,
    pub next_counter: Option<u32>,
    pub next_challan_no: Option<String>,
    pub next_received_at: Option<String>,
}

/// What the planned anomalies became, as the generator meets them.
#[derive(Debug, Default)]
pub(super) struct Findings {
    /// The jumping officer's challans of the last days: number, and whether cancelled.
    pub jump: Vec<(String, bool)>,
    pub night: Vec<(String, String)>,
    pub far: Vec<FarChallan>,
    /// Per planned pair: the two challan numbers and the identity they share.
    pub pairs: Vec<(Option<String>, Option<String>, String)>,
    pub inquiry_cases: Vec<InquiryCase>,
    pub gap: Option<GapFound>,
}

#[derive(Debug, Clone, Serialize)]
pub(super) struct Officer {
    pub officer_id: String,
    pub username: String,
    pub district: String,
}

#[derive(Debug, Serialize)]
pub(super) struct CancellationJump {
    #[serde(flatten)]
    pub officer: Officer,
    pub from_day: String,
    pub to_day: String,
    pub planned_rate: f64,
    pub challans: usize,
    pub cancelled: usize,
    pub cancelled_challan_nos: Vec<String>,
}

#[derive(Debug, Serialize)]
pub(super) struct PairEntry {
    /// `duplicate`, `different_head` or `hours_apart`.
    pub kind: &'static str,
    /// `cnic` or `vehicle`: what the two challans share.
    pub identity: &'static str,
    pub value: String,
    pub heads: [String; 2],
    #[serde(flatten)]
    pub officer: Officer,
    pub day: String,
    pub minutes_apart: i64,
    pub challan_nos: [String; 2],
    pub should_be_flagged: bool,
}

#[derive(Debug, Serialize)]
pub(super) struct CounterGap {
    pub issuer_no: u32,
    pub device_id: String,
    #[serde(flatten)]
    pub officer: Officer,
    pub day: String,
    #[serde(flatten)]
    pub found: GapFound,
}

#[derive(Debug, Serialize)]
pub(super) struct OfficerChallans {
    #[serde(flatten)]
    pub officer: Officer,
    pub days: Vec<String>,
    pub challan_nos: Vec<String>,
}

#[derive(Debug, Serialize)]
pub(super) struct FarFromUsual {
    #[serde(flatten)]
    pub officer: Officer,
    pub usual_lat: f64,
    pub usual_lon: f64,
    pub issued_in_place_of: String,
    pub challans: Vec<FarChallan>,
}

#[derive(Debug, Serialize)]
pub(super) struct ReliefAfterInquiry {
    #[serde(flatten)]
    pub officer: Officer,
    pub cases: Vec<InquiryCase>,
}

#[derive(Debug, Serialize)]
pub(super) struct RevenueDrop {
    pub district: String,
    /// The first day at the lower level.
    pub day: String,
    pub factor: f64,
    pub what: &'static str,
}

/// The whole file.
#[derive(Debug, Serialize)]
pub(super) struct Manifest {
    pub seed: u64,
    pub challans: u64,
    pub days: u32,
    pub first_day: String,
    pub last_day: String,
    pub node_issuer_no: u32,
    pub cancellation_jump: Option<CancellationJump>,
    pub duplicates: Vec<PairEntry>,
    pub near_misses: Vec<PairEntry>,
    pub counter_gap: Option<CounterGap>,
    pub night_hours: Option<OfficerChallans>,
    pub far_from_usual: Option<FarFromUsual>,
    pub relief_after_inquiry: Option<ReliefAfterInquiry>,
    pub revenue_drop: Option<RevenueDrop>,
}

fn officer(world: &World, i: usize) -> Officer {
    let o = &world.cast.officers[i];
    Officer { officer_id: o.person.id.to_string(), username: o.person.username.to_string(), district: world.districts[o.district].slug.to_string() }
}

fn day_text(world: &World, day: i64) -> String {
    world.dates.text(day).map_or_else(|_| day.to_string(), |t| t.to_string())
}

fn pair_entry(world: &World, plan: &Plan, i: usize, found: &(Option<String>, Option<String>, String)) -> Option<PairEntry> {
    let p = plan.pairs.get(i)?;
    let (Some(first), Some(second)) = (&found.0, &found.1) else { return None };
    let (kind, by_vehicle) = match p.kind {
        PairKind::Duplicate { by_vehicle } => ("duplicate", by_vehicle),
        PairKind::DifferentHead => ("different_head", false),
        PairKind::HoursApart => ("hours_apart", false),
    };
    Some(PairEntry {
        kind,
        identity: if by_vehicle { "vehicle" } else { "cnic" },
        value: found.2.clone(),
        heads: [world.head_codes[p.head].to_string(), world.head_codes[p.second_head].to_string()],
        officer: officer(world, p.officer),
        day: day_text(world, p.day),
        minutes_apart: (p.second_at - p.first_at) / 60,
        challan_nos: [first.clone(), second.clone()],
        should_be_flagged: matches!(p.kind, PairKind::Duplicate { .. }),
    })
}

pub(super) fn build(world: &World, findings: Findings, seed: u64, challans: u64, days: u32) -> Manifest {
    let plan = &world.anomalies;
    let pairs: Vec<PairEntry> = findings.pairs.iter().enumerate().filter_map(|(i, f)| pair_entry(world, plan, i, f)).collect();
    let (duplicates, near_misses) = pairs.into_iter().partition(|p| p.should_be_flagged);
    Manifest {
        seed,
        challans,
        days,
        first_day: day_text(world, world.first_day),
        last_day: day_text(world, world.last_day),
        node_issuer_no: world.node_issuer.get(),
        cancellation_jump: plan.jump.map(|(o, from)| CancellationJump {
            officer: officer(world, o),
            from_day: day_text(world, from),
            to_day: day_text(world, world.last_day),
            planned_rate: JUMP_CANCELLATION_RATE,
            challans: findings.jump.len(),
            cancelled: findings.jump.iter().filter(|j| j.1).count(),
            cancelled_challan_nos: findings.jump.iter().filter(|j| j.1).map(|j| j.0.clone()).collect(),
        }),
        duplicates,
        near_misses,
        counter_gap: plan.gap.zip(findings.gap).map(|((d, day), found)| {
            let device = &world.devices[d];
            CounterGap {
                issuer_no: device.issuer.get(),
                device_id: device.id.to_string(),
                officer: officer(world, device.officer),
                day: day_text(world, day),
                found: GapFound { missing_to: found.missing_from + GAP_MISSING - 1, ..found },
            }
        }),
        night_hours: plan.night.as_ref().map(|(o, _)| OfficerChallans {
            officer: officer(world, *o),
            days: dedup(findings.night.iter().map(|n| n.1.clone()).collect()),
            challan_nos: findings.night.iter().map(|n| n.0.clone()).collect(),
        }),
        far_from_usual: plan.far.as_ref().map(|(o, _, d)| {
            let usual = usual_place(world, *o);
            FarFromUsual {
                officer: officer(world, *o),
                usual_lat: usual.0,
                usual_lon: usual.1,
                issued_in_place_of: world.districts[*d].slug.to_string(),
                challans: findings.far,
            }
        }),
        relief_after_inquiry: plan
            .cancel_after_inquiry
            .as_ref()
            .map(|(o, _)| ReliefAfterInquiry { officer: officer(world, *o), cases: findings.inquiry_cases }),
        revenue_drop: plan.drop.map(|(d, day)| RevenueDrop {
            district: world.districts[d].slug.to_string(),
            day: day_text(world, day),
            factor: DROP_FACTOR,
            what: "challans issued in the district and payments for its challans, from this day on",
        }),
    }
}

fn dedup(mut days: Vec<String>) -> Vec<String> {
    days.sort();
    days.dedup();
    days
}

/// The centre of an officer's beat.
pub(super) fn usual_place(world: &World, o: usize) -> (f64, f64) {
    let officer = &world.cast.officers[o];
    let spots = &world.districts[officer.district].spots;
    let beat: Vec<(f64, f64)> = officer.beat.iter().filter_map(|&s| spots.get(s)).map(|s| (s.lat, s.lon)).collect();
    let n = beat.len().max(1) as f64;
    (beat.iter().map(|p| p.0).sum::<f64>() / n, beat.iter().map(|p| p.1).sum::<f64>() / n)
}

/// How far a spot is from the officer's beat.
pub(super) fn km_from_usual(world: &World, o: usize, at: (f64, f64)) -> f64 {
    km_between(usual_place(world, o), at)
}
