//! One challan's life after it is issued, decided up front and written as the store would
//! have written it step by step: maybe a cancellation or waiver request (mostly approved),
//! maybe a payment (a bank, the online gateway or a district counter; on time, or late
//! with the schedule's surcharge), a bank's bill inquiry before most bank payments, now
//! and then a bank reversal (and often a second payment), and the treasury statement that
//! shows the money a day or two later. Payment beats cancellation: a challan paid before
//! anyone asked to cancel it stays paid.

use std::sync::Arc;

use mahasil_domain::challan::{ChallanStatus, ReliefKind};
use mahasil_ledger::Channel;
use rand::Rng;
use rand::distributions::Distribution;
use rand::seq::SliceRandom;
use uuid::Uuid;

use super::anomalies::{DROP_FACTOR, JUMP_CANCELLATION_RATE, Special};
use super::books::{Facet, Measure};
use super::calendar::{day_of, day_start};
use super::manifest::Findings;
use super::payment::{self, Paying};
use super::rows::{Code, Decision, Event, Life, Relief, TransferRow};
use super::world::{DAY, HOUR, MINUTE, State, World, secs, us};

/// Share of challans whose payers mean to pay (a few are cancelled first, and the newest
/// are not due yet): about 65% of all challans end up paid.
const PAY_SHARE: f64 = 0.69;
/// Requests asked for; with the approval rates and payments that come first, about 2% of
/// challans end cancelled and 1% waived.
const CANCEL_RATE: f64 = 0.024;
const WAIVE_RATE: f64 = 0.02;
const CANCEL_APPROVED: f64 = 0.85;
const WAIVE_APPROVED: f64 = 0.80;
/// Share of unpaid challans a bank looks up anyway (the payer changed their mind).
const INQUIRY_UNPAID: f64 = 0.12;

const CANCEL_REASONS: [&str; 5] = [
    "Wrong CNIC entered; reissued under the correct identity",
    "Duplicate of a challan issued minutes earlier",
    "Wrong head selected at the spot",
    "Offender exempted by order of the Deputy Commissioner",
    "Violation removed on the spot; a warning was intended",
];
const WAIVE_REASONS: [&str; 3] =
    ["Shop lost in the flood; owner on the relief list", "Widow with no income; union council certificate attached", "Vendor displaced by road widening"];
const APPROVALS: [&str; 3] = ["Verified with the field report; approved", "Record checked; approved", "Order on file; approved"];
const REJECTIONS: [&str; 3] = ["Photographs show the violation; the challan stands", "No order on file", "Reason not supported by the record"];

/// How a relief request and a planned payment fit together.
enum Settled {
    PaidFirst,
    Unpaid,
    PaidAfter(i64, i64),
    AsPlanned,
}

/// What the rest of a life needs to know of its challan.
pub(super) struct Challan {
    pub id: Uuid,
    pub no: mahasil_domain::challan_no::ChallanNo,
    pub facet: Facet,
    pub officer_id: Uuid,
    pub officer: Arc<str>,
    pub department: Arc<str>,
    pub offender_name: String,
    pub amount: i64,
    pub after_due: i64,
    pub issue_day: i64,
    pub due_day: i64,
    pub received_s: i64,
    pub special: Special,
}

/// Posts one transfer of the challan (and adds it to the books); returns its id.
pub(super) fn post(state: &mut State, c: &Challan, life: &mut Life, t: (i64, Code, u32, u32, i64), event_id: Option<Uuid>, reverses: Option<Uuid>) -> Uuid {
    let (at_s, code, debit, credit, amount) = t;
    let id = state.uuid_at(at_s);
    let event_id = event_id.unwrap_or_else(|| state.uuid_at(at_s));
    life.transfers.push(TransferRow { id, event_id, code, debit, credit, amount, reverses, at: us(at_s) });
    let cancelled = life.challan.status == ChallanStatus::Cancelled;
    let (measure, sign) = match code {
        Code::ChallanIssued => (Measure::Issued, 1),
        Code::Surcharge => (Measure::Surcharge, 1),
        Code::PaymentReceived => (Measure::Paid, 1),
        Code::Deposited => (Measure::Deposited, 1),
        Code::Waiver if cancelled => (Measure::Cancelled, 1),
        Code::Waiver => (Measure::Waived, 1),
        Code::Reversal(super::rows::Reversed::Surcharge) => (Measure::Surcharge, -1),
        Code::Reversal(super::rows::Reversed::PaymentReceived) => (Measure::Paid, -1),
    };
    state.books.roll(&c.facet, day_of(at_s), measure, amount, sign);
    id
}

pub(super) fn event(at_s: i64, kind: &'static str, actor: &Arc<str>, status: ChallanStatus, note: Option<String>) -> Event {
    Event { at: us(at_s), kind, actor: Arc::clone(actor), status: status.as_str(), note }
}

/// Lives out the challan issued as `life.challan` (its CHALLAN_ISSUED and `issued` event
/// included), and sets its final status.
pub(super) fn live(world: &World, state: &mut State, c: &Challan, life: &mut Life, findings: &mut Findings) -> anyhow::Result<()> {
    let accounts = &world.accounts;
    let (head, district) = (c.facet.head, c.facet.district);
    life.events.push(event(c.received_s, "issued", &c.officer, ChallanStatus::Issued, None));
    post(state, c, life, (c.received_s, Code::ChallanIssued, accounts.receivable(head, district), accounts.revenue(head, district), c.amount), None, None);
    let forced = c.special == Special::CancelAfterInquiry;
    let mut relief = if forced { forced_relief(world, state, c, life, findings)? } else { chosen_relief(world, state, c) };
    let mut pay_day = if forced || !state.rng.gen_bool(PAY_SHARE) { None } else { Some(payment_day(state, c)) };
    let mut not_before = c.received_s;
    // Payment beats cancellation; a pending or granted request leaves nothing to pay; after
    // a refusal the payer pays once it is decided.
    let settled = match (&relief, pay_day) {
        (Some(r), Some(day)) if day < day_of(r.requested_at) => Settled::PaidFirst,
        (Some(Relief { decision: None, .. }), _) | (Some(Relief { decision: Some(Decision { approve: true, .. }), .. }), _) => Settled::Unpaid,
        (Some(Relief { decision: Some(d), .. }), Some(day)) => Settled::PaidAfter(d.at, day.max(day_of(d.at))),
        _ => Settled::AsPlanned,
    };
    match settled {
        Settled::PaidFirst => relief = None,
        Settled::Unpaid => pay_day = None,
        Settled::PaidAfter(decided_at, day) => {
            not_before = decided_at;
            pay_day = Some(day + state.rng.gen_range(0..4));
        }
        Settled::AsPlanned => {}
    }
    if let (Some(day), Some((dropped, from))) = (pay_day, world.anomalies.drop)
        && dropped == district
        && day >= from
        && state.rng.gen_bool(1.0 - DROP_FACTOR)
    {
        pay_day = None;
    }
    if let Some(r) = relief {
        apply_relief(world, state, c, life, r);
    }
    let paid = match pay_day {
        Some(day) => payment::pay(world, state, c, life, Paying { day, not_before, may_reverse: true })?,
        None => false,
    };
    if !paid && life.relief.as_ref().is_none_or(|r| r.decision.as_ref().is_none_or(|d| !d.approve)) && state.rng.gen_bool(INQUIRY_UNPAID) {
        let at = c.received_s + secs(&mut state.rng, DAY, 20 * DAY);
        if at < world.now {
            let bank = world.bank_pick.sample(&mut state.rng);
            life.inquiries.push((bank_name(bank), us(at)));
            state.tally.inquiries += 1;
        }
    }
    if let Some((officer, from)) = world.anomalies.jump
        && officer == c.facet.officer
        && c.issue_day >= from
    {
        findings.jump.push((c.no.to_string(), life.challan.status == ChallanStatus::Cancelled));
    }
    Ok(())
}

/// A bank's mnemonic by its index among the generated banks.
pub(super) fn bank_name(bank: usize) -> &'static str {
    super::cast::BANKS.get(bank).map_or(super::cast::BANKS[0].0, |b| b.0)
}

fn supervisor(world: &World, state: &mut State, district: usize) -> (Uuid, Arc<str>) {
    let desk = &world.cast.desks[district];
    desk.supervisors.choose(&mut state.rng).map_or((Uuid::nil(), Arc::from("system")), |p| (p.id, Arc::clone(&p.username)))
}

fn chosen_relief(world: &World, state: &mut State, c: &Challan) -> Option<Relief> {
    let jump = world.anomalies.jump.is_some_and(|(o, from)| o == c.facet.officer && c.issue_day >= from);
    let cancel_rate = if jump { JUMP_CANCELLATION_RATE } else { CANCEL_RATE };
    let roll: f64 = state.rng.r#gen();
    let rng = &mut state.rng;
    let (kind, requested_at, decided_at, approve) = if roll < cancel_rate {
        let requested = c.received_s + secs(rng, 30 * MINUTE, 48 * HOUR);
        (ReliefKind::Cancel, requested, requested + secs(rng, 2 * HOUR, 72 * HOUR), jump || rng.gen_bool(CANCEL_APPROVED))
    } else if roll < cancel_rate + WAIVE_RATE {
        let requested = c.received_s + secs(rng, DAY, 20 * DAY);
        (ReliefKind::Waive, requested, requested + secs(rng, DAY, 7 * DAY), rng.gen_bool(WAIVE_APPROVED))
    } else {
        return None;
    };
    relief(world, state, c, kind, requested_at, decided_at, approve)
}

fn relief(world: &World, state: &mut State, c: &Challan, kind: ReliefKind, requested_at: i64, decided_at: i64, approve: bool) -> Option<Relief> {
    if requested_at >= world.now {
        return None;
    }
    let reasons: &[&'static str] = if kind == ReliefKind::Cancel { &CANCEL_REASONS } else { &WAIVE_REASONS };
    let reason = reasons.choose(&mut state.rng).copied().unwrap_or("See file");
    let by = supervisor(world, state, c.facet.district);
    let notes: &[&'static str] = if approve { &APPROVALS } else { &REJECTIONS };
    let note = notes.choose(&mut state.rng).copied().unwrap_or("Decided");
    let decision = (decided_at < world.now).then_some(Decision { by, at: decided_at, approve, note });
    Some(Relief { id: state.uuid_at(requested_at), kind, reason, requested_by: (c.officer_id, Arc::clone(&c.officer)), requested_at, decision })
}

/// The anomaly: a bank looks the challan up, and within hours its own officer asks to
/// cancel it; a supervisor approves.
fn forced_relief(world: &World, state: &mut State, c: &Challan, life: &mut Life, findings: &mut Findings) -> anyhow::Result<Option<Relief>> {
    let inquiry_at = c.received_s + secs(&mut state.rng, DAY, 3 * DAY);
    let requested_at = inquiry_at + secs(&mut state.rng, HOUR, 4 * HOUR);
    let decided_at = requested_at + secs(&mut state.rng, 3 * HOUR, 30 * HOUR);
    if requested_at >= world.now {
        return Ok(None);
    }
    let bank = world.bank_pick.sample(&mut state.rng);
    life.inquiries.push((bank_name(bank), us(inquiry_at)));
    state.tally.inquiries += 1;
    findings.inquiry_cases.push(super::manifest::InquiryCase {
        challan_no: c.no.to_string(),
        bank: bank_name(bank).to_string(),
        inquiry_at: super::world::timestamp(inquiry_at)?.to_string(),
        requested_at: super::world::timestamp(requested_at)?.to_string(),
        hours_after_inquiry: (requested_at - inquiry_at) as f64 / HOUR as f64,
    });
    Ok(relief(world, state, c, ReliefKind::Cancel, requested_at, decided_at, true))
}

fn apply_relief(world: &World, state: &mut State, c: &Challan, life: &mut Life, r: Relief) {
    life.events.push(event(r.requested_at, r.kind.requested_event(), &r.requested_by.1, ChallanStatus::Issued, Some(r.reason.to_string())));
    match &r.decision {
        None => state.tally.pending_requests += 1,
        Some(d) => {
            let status = match (d.approve, r.kind) {
                (false, _) => ChallanStatus::Issued,
                (true, ReliefKind::Cancel) => ChallanStatus::Cancelled,
                (true, ReliefKind::Waive) => ChallanStatus::Waived,
            };
            if d.approve {
                life.challan.status = status;
                let (head, district) = (c.facet.head, c.facet.district);
                let waiver = (d.at, Code::Waiver, world.accounts.waived(head, district), world.accounts.receivable(head, district), c.amount);
                post(state, c, life, waiver, None, None);
                if r.kind == ReliefKind::Cancel {
                    life.revoked_at = Some(us(d.at));
                    state.tally.cancellations += 1;
                } else {
                    state.tally.waivers += 1;
                }
            } else {
                state.tally.rejected_requests += 1;
            }
            life.events.push(event(d.at, r.kind.decided_event(d.approve), &d.by.1, status, Some(d.note.to_string())));
        }
    }
    life.relief = Some(r);
}

/// The Pakistan day a payer pays: most within days, many before the due date, a fifth
/// late (and charged the amount after the due date).
fn payment_day(state: &mut State, c: &Challan) -> i64 {
    let rng = &mut state.rng;
    let due_days = (c.due_day - c.issue_day).max(2);
    let roll: f64 = rng.r#gen();
    let delay = if roll < 0.42 {
        rng.gen_range(0..=2)
    } else if roll < 0.80 {
        rng.gen_range(2..=due_days)
    } else {
        due_days + rng.gen_range(1..=75)
    };
    c.issue_day + delay
}

/// A moment of `day` in office hours, after `not_before`.
pub(super) fn office_moment(state: &mut State, day: i64, not_before: i64, first_hour: i64, last_hour: i64) -> i64 {
    let at = day_start(day) + secs(&mut state.rng, first_hour * HOUR, last_hour * HOUR);
    if at > not_before { at } else { not_before + secs(&mut state.rng, 10 * MINUTE, 3 * HOUR) }
}

/// The payments' channel: banks most, then the gateway, then district counters.
pub(super) fn channel(state: &mut State) -> Channel {
    match state.rng.gen_range(0..100) {
        0..62 => Channel::Bank,
        62..88 => Channel::Gateway,
        _ => Channel::Counter,
    }
}
