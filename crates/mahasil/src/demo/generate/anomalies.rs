//! What the generated province hides for the dashboard to find, chosen from the seed
//! before the first challan: an officer whose cancellations jump, duplicate challans and
//! their near misses, a field device with numbers that never arrived, an officer who issues
//! at night, one who issues far from their beat, one who asks to cancel challans a bank has
//! just looked up, and a district whose revenue drops. Each is planned here and steered
//! into the day's challans as they are laid out; what they became is in `manifest`.

use std::collections::BTreeSet;

use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::{IteratorRandom, SliceRandom};

use super::super::catalogue::{HEADS, Subject};
use super::calendar::{HOUR_SECS, day_start};
use super::cast::Cast;
use super::province::{District, km_between};

/// The cancellation rate of the officer whose rate jumps, over the last days.
pub(super) const JUMP_CANCELLATION_RATE: f64 = 0.15;
const JUMP_DAYS: i64 = 30;
/// The dashboard's scan looks at the hours, places and duplicates of the last week (and at
/// the four weeks before it for what is usual), at relief requests of the last fortnight,
/// and at counter gaps of the last five weeks: the anomalies are planted where it looks.
const RECENT_WEEK: i64 = 6;
const NIGHT_DAYS: usize = 5;
const FAR_CHALLANS: usize = 4;
/// Far challans are issued at least this far from the officer's beat.
pub(super) const FAR_KM: f64 = 80.0;
const RELIEF_CASES: usize = 5;
/// Relief-after-inquiry challans are issued this many days before the end, at most and at
/// least: the inquiry comes a day or three later, the request hours after it.
const RELIEF_FROM_DAYS: i64 = 10;
const RELIEF_TO_DAYS: i64 = 4;
pub(super) const GAP_MISSING: u32 = 3;
const GAP_DAYS_BEFORE_END: i64 = 12;
const DROP_DAYS_BEFORE_END: i64 = 20;
pub(super) const DROP_FACTOR: f64 = 0.65;

/// How a pair of challans for the same offender is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum PairKind {
    /// The same head twice within minutes: a duplicate, by CNIC or by vehicle.
    Duplicate { by_vehicle: bool },
    /// Another head within minutes: not a duplicate.
    DifferentHead,
    /// The same head three hours later: not a duplicate.
    HoursApart,
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Pair {
    pub kind: PairKind,
    pub officer: usize,
    pub day: i64,
    pub first_at: i64,
    pub second_at: i64,
    pub head: usize,
    pub second_head: usize,
}

/// What a challan slot is steered to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Special {
    None,
    Night,
    /// Issued at a spot of another district, far from the officer's beat.
    Far,
    PairFirst(usize),
    PairSecond(usize),
    /// Looked up by a bank, then its officer asks to cancel it.
    CancelAfterInquiry,
}

#[derive(Debug, Clone, Default)]
pub(super) struct Plan {
    /// The officer whose cancellation rate jumps, from this day on.
    pub jump: Option<(usize, i64)>,
    pub night: Option<(usize, BTreeSet<i64>)>,
    /// The far officer, their days, and the district (and its spot) they issue in.
    pub far: Option<(usize, BTreeSet<i64>, usize)>,
    pub pairs: Vec<Pair>,
    pub cancel_after_inquiry: Option<(usize, BTreeSet<i64>)>,
    /// The device that loses numbers, and the day it happens.
    pub gap: Option<(usize, i64)>,
    /// The district whose volume drops, and from which day.
    pub drop: Option<(usize, i64)>,
}

fn days_in(rng: &mut StdRng, first: i64, last: i64, n: usize) -> BTreeSet<i64> {
    (first.min(last)..=last).choose_multiple(rng, n).into_iter().collect()
}

/// Chooses who and when, among officers of districts of at least a million people.
pub(super) fn plan(rng: &mut StdRng, districts: &[District], cast: &Cast, first_day: i64, last_day: i64) -> Plan {
    let recent = |days: i64| (last_day - days + 1).max(first_day);
    let mut eligible: Vec<usize> =
        (0..cast.officers.len()).filter(|&i| !cast.officers[i].person.demo_user && districts[cast.officers[i].district].people_k >= 1_000).collect();
    // The officer whose rate jumps is the busiest, so a fortnight holds enough challans to judge.
    let busiest = eligible.iter().copied().max_by(|&a, &b| cast.officers[a].activity.total_cmp(&cast.officers[b].activity));
    eligible.retain(|&o| Some(o) != busiest);
    eligible.shuffle(rng);
    let mut take = || eligible.pop();
    let mut plan = Plan { jump: busiest.map(|o| (o, recent(JUMP_DAYS))), ..Plan::default() };
    plan.night = take().map(|o| (o, days_in(rng, recent(RECENT_WEEK), last_day, NIGHT_DAYS)));
    if let Some(o) = take() {
        let beat = cast.officers[o].district;
        let far = (0..districts.len()).filter(|&d| km_between(districts[beat].centre(), districts[d].centre()) >= FAR_KM + 20.0).choose(rng);
        plan.far = far.map(|d| (o, days_in(rng, recent(RECENT_WEEK), last_day, FAR_CHALLANS), d));
    }
    let relief_days = days_in(rng, (last_day - RELIEF_FROM_DAYS).max(first_day), (last_day - RELIEF_TO_DAYS).max(first_day), RELIEF_CASES);
    plan.cancel_after_inquiry = take().map(|o| (o, relief_days));
    if let Some(o) = take() {
        plan.pairs = pairs(rng, cast, o, recent(RECENT_WEEK), last_day);
    }
    let planted: Vec<usize> =
        [plan.jump.map(|j| j.0), plan.night.as_ref().map(|n| n.0), plan.far.as_ref().map(|f| f.0), plan.cancel_after_inquiry.as_ref().map(|c| c.0)]
            .into_iter()
            .flatten()
            .chain(plan.pairs.iter().map(|p| p.officer))
            .collect();
    plan.gap = (0..cast.devices.len())
        .filter(|&d| !planted.contains(&cast.devices[d].officer))
        .max_by(|&a, &b| cast.officers[cast.devices[a].officer].activity.total_cmp(&cast.officers[cast.devices[b].officer].activity))
        .map(|d| (d, last_day - GAP_DAYS_BEFORE_END));
    let big: Vec<usize> = {
        let mut by_people: Vec<usize> = (0..districts.len()).collect();
        by_people.sort_by_key(|&d| std::cmp::Reverse(districts[d].people_k));
        by_people.into_iter().skip(1).take(8).collect()
    };
    plan.drop = big.choose(rng).map(|&d| (d, (last_day - DROP_DAYS_BEFORE_END + 1).max(first_day + 1)));
    plan
}

/// Five duplicates (three by CNIC, two by vehicle when the officer issues a vehicle head),
/// two pairs of different heads and two pairs hours apart, on days of the last week.
fn pairs(rng: &mut StdRng, cast: &Cast, officer: usize, first: i64, last: i64) -> Vec<Pair> {
    let o = &cast.officers[officer];
    let vehicle_head = o.heads.iter().copied().find(|&h| HEADS[h].subject == Subject::Vehicle);
    let kinds = [
        PairKind::Duplicate { by_vehicle: false },
        PairKind::Duplicate { by_vehicle: false },
        PairKind::Duplicate { by_vehicle: false },
        PairKind::Duplicate { by_vehicle: vehicle_head.is_some() },
        PairKind::Duplicate { by_vehicle: vehicle_head.is_some() },
        PairKind::DifferentHead,
        PairKind::DifferentHead,
        PairKind::HoursApart,
        PairKind::HoursApart,
    ];
    kinds
        .iter()
        .map(|&kind| {
            let day = rng.gen_range(first.min(last)..=last);
            let head = match kind {
                PairKind::Duplicate { by_vehicle: true } => vehicle_head.unwrap_or(o.heads[0]),
                _ => *o.heads.choose(rng).unwrap_or(&o.heads[0]),
            };
            let second_head = match kind {
                PairKind::DifferentHead => o.heads.iter().copied().find(|&h| h != head).unwrap_or(head),
                _ => head,
            };
            let first_at = day_start(day) + 10 * HOUR_SECS + rng.gen_range(0..2 * HOUR_SECS);
            let second_at = first_at
                + match kind {
                    PairKind::HoursApart => 3 * HOUR_SECS + rng.gen_range(0..300),
                    _ => rng.gen_range(2 * 60..9 * 60),
                };
            Pair { kind, officer, day, first_at, second_at, head, second_head }
        })
        .collect()
}

/// A challan slot of the day: when, by whom, and what it is steered to be.
#[derive(Debug, Clone, Copy)]
pub(super) struct Slot {
    pub at: i64,
    pub officer: usize,
    pub special: Special,
}

impl Plan {
    /// Steers some of `day`'s slots (drawn for ordinary officers) into the planned anomalies.
    pub(super) fn steer(&self, rng: &mut StdRng, day: i64, slots: &mut [Slot]) {
        let mut free = (0..slots.len()).filter(|&i| slots[i].special == Special::None).collect::<Vec<_>>().into_iter();
        let mut claim = |officer: usize, at: i64, special: Special| {
            if let Some(i) = free.next() {
                slots[i] = Slot { at, officer, special };
            }
        };
        if let Some((o, days)) = &self.night
            && days.contains(&day)
        {
            for _ in 0..rng.gen_range(2..=3) {
                claim(*o, day_start(day) + HOUR_SECS + rng.gen_range(0..3 * HOUR_SECS), Special::Night);
            }
        }
        if let Some((o, days, _)) = &self.far
            && days.contains(&day)
        {
            claim(*o, day_start(day) + 11 * HOUR_SECS + rng.gen_range(0..4 * HOUR_SECS), Special::Far);
        }
        if let Some((o, days)) = &self.cancel_after_inquiry
            && days.contains(&day)
        {
            claim(*o, day_start(day) + 10 * HOUR_SECS + rng.gen_range(0..5 * HOUR_SECS), Special::CancelAfterInquiry);
        }
        for (i, p) in self.pairs.iter().enumerate().filter(|(_, p)| p.day == day) {
            claim(p.officer, p.first_at, Special::PairFirst(i));
            claim(p.officer, p.second_at, Special::PairSecond(i));
        }
    }
}
