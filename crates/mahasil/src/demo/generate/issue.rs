//! One challan slot becomes a challan: the head the officer picks, the spot on their beat,
//! the offender (new, or someone the district has challaned before), the amounts frozen by
//! the schedule, and its number: this node's next one, or, when the officer carries a field
//! device, the device's own, sealed and chained on the device (`mahasil_sync::device`)
//! and received when the device next syncs.

use std::collections::VecDeque;
use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use mahasil_domain::challan::{ChallanStatus, Location, Offender};
use mahasil_domain::challan_no::ChallanNo;
use mahasil_domain::identity::{Text, VehicleNo};
use mahasil_domain::money::Paisa;
use mahasil_store::ChallanRecord;
use rand::Rng;
use rand::distributions::Distribution;
use rand::seq::SliceRandom;

use super::super::catalogue::{Amount, HEADS, Subject};
use super::super::offenders;
use super::anomalies::{GAP_MISSING, PairKind, Slot, Special};
use super::books::Facet;
use super::calendar::day_of;
use super::manifest::{FarChallan, Findings, GapFound, km_from_usual};
use super::rows::{Life, SyncOp};
use super::story::{self, Challan};
use super::world::{DAY, HOUR, MINUTE, State, World, secs, timestamp, us};

/// Offenders a district remembers for repeat challans, per subject kind.
const REMEMBERED: usize = 400;
/// Share of challans issued to someone challaned before (at least a day earlier).
const REPEAT_OFFENDERS: f64 = 0.10;
/// Share of a device-carrying officer's challans issued on the device.
const ON_DEVICE: f64 = 0.7;

/// What the generator remembers between challans.
#[derive(Default)]
pub(super) struct Memory {
    recent: Vec<[VecDeque<(Offender, i64)>; 4]>,
    pairs: Vec<Option<Offender>>,
    /// The planned gap is made; the next challan of the device is the one after it.
    gap_made: bool,
    gap_next_pending: bool,
}

impl Memory {
    pub(super) fn new(districts: usize, pairs: usize) -> Self {
        Self { recent: (0..districts).map(|_| Default::default()).collect(), pairs: vec![None; pairs], ..Self::default() }
    }
}

fn subject_index(s: Subject) -> usize {
    match s {
        Subject::Person => 0,
        Subject::Vehicle => 1,
        Subject::Business => 2,
        Subject::Property => 3,
    }
}

/// The amount an officer writes for a range head: one of the usual amounts.
fn requested(state: &mut State, head: usize) -> anyhow::Result<Option<Paisa>> {
    match HEADS[head].amount {
        Amount::Fixed { .. } => Ok(None),
        Amount::Range { typical, .. } => Ok(Some(Paisa::from_rupees(typical.choose(&mut state.rng).copied().unwrap_or(1_000))?)),
    }
}

fn offender(world: &World, state: &mut State, memory: &mut Memory, slot: &Slot, head: usize, district: usize, spot: &str) -> anyhow::Result<Offender> {
    let field = &world.districts[district].field;
    let subject = subject_index(HEADS[head].subject);
    if let Special::PairSecond(i) = slot.special
        && let Some(first) = memory.pairs.get(i).cloned().flatten()
    {
        let by_vehicle = matches!(world.anomalies.pairs[i].kind, PairKind::Duplicate { by_vehicle: true });
        if !by_vehicle {
            return Ok(first);
        }
        // Another driver of the same vehicle.
        let other = offenders::offender(&mut state.rng, &HEADS[head], field, spot)?;
        return Ok(Offender { vehicle_no: first.vehicle_no.clone(), ..other });
    }
    let recent = &mut memory.recent[district][subject];
    if slot.special == Special::None && state.rng.gen_bool(REPEAT_OFFENDERS) {
        let i = state.rng.gen_range(0..recent.len().max(1));
        if let Some((known, last)) = recent.get_mut(i)
            && *last + DAY < slot.at
        {
            *last = slot.at;
            return Ok(known.clone());
        }
    }
    let new = offenders::offender(&mut state.rng, &HEADS[head], field, spot)?;
    if recent.len() >= REMEMBERED {
        recent.pop_front();
    }
    recent.push_back((new.clone(), slot.at));
    Ok(new)
}

/// Where the challan is written: a spot of the officer's beat (or, for the far anomaly,
/// of the far district), within about 200 m.
fn location(world: &World, state: &mut State, slot: &Slot) -> anyhow::Result<Location> {
    let o = &world.cast.officers[slot.officer];
    let spot = match (slot.special, &world.anomalies.far) {
        (Special::Far, Some((_, _, far))) => world.districts[*far].spots.choose(&mut state.rng),
        _ => o.beat.choose(&mut state.rng).and_then(|&s| world.districts[o.district].spots.get(s)),
    };
    let spot = spot.ok_or_else(|| anyhow::anyhow!("officer {} has no beat", o.person.username))?;
    let lat = spot.lat + state.rng.gen_range(-0.002..0.002);
    let lon = spot.lon + state.rng.gen_range(-0.002..0.002);
    Ok(Location::new(lat, lon, Text::parse(&spot.text)?)?)
}

/// The challan of `slot`, number `seq` in issue order, and its whole life.
pub(super) fn issue(world: &World, state: &mut State, memory: &mut Memory, findings: &mut Findings, slot: &Slot, seq: i64) -> anyhow::Result<Life> {
    let oi = slot.officer;
    let o = &world.cast.officers[oi];
    let district = o.district;
    let head = match slot.special {
        Special::PairFirst(i) => world.anomalies.pairs[i].head,
        Special::PairSecond(i) => world.anomalies.pairs[i].second_head,
        _ => o.heads[world.officer_heads[oi].sample(&mut state.rng)],
    };
    let location = location(world, state, slot)?;
    let offender = offender(world, state, memory, slot, head, district, location.text.as_str())?;
    if let Special::PairFirst(i) = slot.special {
        memory.pairs[i] = Some(offender.clone());
    }
    let issue_day = day_of(slot.at);
    let requested = requested(state, head)?;
    let amounts = world.schedules[head].freeze(requested, world.dates.date(issue_day)?)?;
    let due_day = issue_day + i64::from(world.schedules[head].due_days);
    let id = state.uuid_at(slot.at);
    let on_device = o.device.filter(|_| slot.special == Special::None && state.rng.gen_bool(ON_DEVICE));
    let mut challan = ChallanRecord {
        id,
        challan_no: ChallanNo::new(world.node_issuer, 1)?,
        issuer_no: world.node_issuer,
        status: ChallanStatus::Issued,
        head_code: world.head_codes[head].to_string(),
        department: world.departments[world.head_departments[head]].clone(),
        schedule_version: world.schedules[head].version,
        district: world.districts[district].slug.clone(),
        officer_id: o.person.id,
        officer_username: o.person.username.to_string(),
        offender,
        location,
        issued_at: timestamp(slot.at)?,
        received_at: timestamp(slot.at)?,
        amount_paisa: amounts.amount.get(),
        amount_after_due_paisa: amounts.amount_after_due.get(),
        due_date: amounts.due_date,
        seal: None,
    };
    let (received_s, sync_op) = match on_device {
        Some(d) => {
            let (received, op) = on_device_issue(world, state, memory, findings, d, head, &mut challan, slot.at)?;
            (received, Some(op))
        }
        None => {
            challan.challan_no = ChallanNo::new(world.node_issuer, state.next_node_counter())?;
            (slot.at + secs(&mut state.rng, 1, 20), None)
        }
    };
    challan.received_at = timestamp(received_s)?;
    record_keys(state, &challan, seq);
    let issued_on = world.dates.text(issue_day)?;
    let issue_date = world.dates.date(issue_day)?;
    let cohort = i64::from(issue_date.year()) * 100 + i64::from(issue_date.month());
    let facet = Facet { district, department: world.head_departments[head], head, officer: oi, cohort };
    let c = Challan {
        id,
        no: challan.challan_no,
        facet,
        officer_id: o.person.id,
        officer: Arc::clone(&o.person.username),
        department: Arc::from(challan.department.as_str()),
        offender_name: challan.offender.name.as_str().to_string(),
        amount: challan.amount_paisa,
        after_due: challan.amount_after_due_paisa,
        issue_day,
        due_day,
        received_s,
        special: slot.special,
    };
    note_special(world, findings, slot, &challan, issue_day);
    let mut life = Life {
        seq,
        id_text: challan.id.hyphenated().to_string(),
        no: challan.challan_no.digits(),
        due_on: world.dates.text(due_day)?,
        challan,
        issued_on,
        sync_op,
        events: Vec::with_capacity(4),
        transfers: Vec::with_capacity(4),
        payments: Vec::new(),
        relief: None,
        revoked_at: None,
        inquiries: Vec::new(),
    };
    story::live(world, state, &c, &mut life, findings)?;
    state.tally.challans += 1;
    Ok(life)
}

fn record_keys(state: &mut State, c: &ChallanRecord, seq: i64) {
    state.books.add_key("c:", c.offender.cnic.as_str(), seq);
    state.books.add_key("m:", c.offender.mobile.as_str(), seq);
    if let Some(v) = c.offender.vehicle_no.as_ref().map(VehicleNo::as_str) {
        state.books.add_key("v:", v, seq);
    }
}

fn note_special(world: &World, findings: &mut Findings, slot: &Slot, c: &ChallanRecord, day: i64) {
    let no = c.challan_no.to_string();
    let day_text = world.dates.text(day).map_or_else(|_| day.to_string(), |t| t.to_string());
    match slot.special {
        Special::Night => findings.night.push((no, day_text)),
        Special::Far => findings.far.push(FarChallan {
            challan_no: no,
            day: day_text,
            lat: c.location.lat,
            lon: c.location.lon,
            km_from_usual: (km_from_usual(world, slot.officer, (c.location.lat, c.location.lon)) * 10.0).round() / 10.0,
        }),
        Special::PairFirst(i) | Special::PairSecond(i) => {
            if findings.pairs.len() <= i {
                findings.pairs.resize(i + 1, (None, None, String::new()));
            }
            let by_vehicle = matches!(world.anomalies.pairs[i].kind, PairKind::Duplicate { by_vehicle: true });
            let identity = if by_vehicle { c.offender.vehicle_no.as_ref().map_or("", VehicleNo::as_str) } else { c.offender.cnic.as_str() };
            let entry = &mut findings.pairs[i];
            entry.2 = identity.to_string();
            if matches!(slot.special, Special::PairFirst(_)) { entry.0 = Some(no) } else { entry.1 = Some(no) }
        }
        Special::None | Special::CancelAfterInquiry => {}
    }
}

/// Issues the challan on device `d` (numbered, sealed and chained there) and says when
/// it reached the server; makes the planned gap in the device's numbers first.
#[expect(clippy::too_many_arguments, reason = "the challan, its device and the generator's state")]
fn on_device_issue(
    world: &World,
    state: &mut State,
    memory: &mut Memory,
    findings: &mut Findings,
    d: usize,
    head: usize,
    challan: &mut ChallanRecord,
    at: i64,
) -> anyhow::Result<(i64, SyncOp)> {
    let device = &world.devices[d];
    let draft = mahasil_sync::device::Draft {
        id: challan.id,
        head_code: world.head_codes[head].clone(),
        requested_amount: matches!(HEADS[head].amount, Amount::Range { .. }).then(|| Paisa::new(challan.amount_paisa)).transpose()?,
        district: challan.district.clone(),
        officer: challan.officer_username.clone(),
        offender: challan.offender.clone(),
        location: challan.location.clone(),
        issued_at: challan.issued_at,
    };
    let schedules = std::slice::from_ref(&world.schedules[head]);
    let gap_due = world.anomalies.gap.is_some_and(|(g, day)| g == d && day_of(at) >= day) && !memory.gap_made;
    if gap_due {
        let missing_from = state.devices[d].chain.last_counter + 1;
        for _ in 0..GAP_MISSING {
            let lost = mahasil_sync::device::issue(&device.key, device.issuer, state.devices[d].chain, schedules, &draft, state.uuid_at(at))?;
            state.devices[d].chain = lost.chain;
        }
        memory.gap_made = true;
        memory.gap_next_pending = true;
        findings.gap = Some(GapFound { missing_from, ..GapFound::default() });
    }
    let before = state.devices[d].chain;
    let op_id = state.uuid_at(at);
    let issued = mahasil_sync::device::issue(&device.key, device.issuer, before, schedules, &draft, op_id)?;
    state.devices[d].chain = issued.chain;
    // Most devices sync within the half hour; some are out of coverage for hours or days.
    let delay = match state.rng.gen_range(0..100) {
        0..70 => secs(&mut state.rng, 2 * MINUTE, 30 * MINUTE),
        70..95 => secs(&mut state.rng, HOUR, 8 * HOUR),
        _ => secs(&mut state.rng, DAY, 3 * DAY),
    };
    let received = (at + delay).min(world.now - 2 * MINUTE).max(at + 1);
    challan.challan_no = issued.challan_no;
    challan.issuer_no = device.issuer;
    challan.seal = Some(issued.seal.clone());
    let counter = issued.challan_no.counter();
    let s = &mut state.devices[d];
    s.last_received_counter = s.last_received_counter.max(counter);
    s.last_sync_at = s.last_sync_at.max(received);
    if memory.gap_next_pending && world.anomalies.gap.is_some_and(|(g, _)| g == d) {
        memory.gap_next_pending = false;
        if let Some(gap) = findings.gap.as_mut() {
            gap.next_counter = Some(counter);
            gap.next_challan_no = Some(issued.challan_no.to_string());
            gap.next_received_at = Some(timestamp(received)?.to_string());
        }
    }
    state.tally.device_challans += 1;
    let sig = URL_SAFE_NO_PAD.decode(issued.op.sig.as_bytes())?;
    Ok((
        received,
        SyncOp {
            op_id,
            device_id: device.id,
            counter,
            op_hash: issued.op_hash,
            prev_hash: before.head,
            payload: issued.op.payload,
            sig,
            issued_at: us(at),
            received_at: us(received),
        },
    ))
}
