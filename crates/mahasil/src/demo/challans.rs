//! Five months of demo activity: challans issued by the demo officers, some of them
//! followed by a cancellation request (approved, rejected or still pending) or a contest
//! (upheld, quashed or still open).
//!
//! Everything is planned first from a seeded random generator, then replayed in time
//! order through the `Storage` trait exactly as the server would write it, so the audit
//! log reads chronologically. Peshawar, the pilot district, has challans from the start
//! of the window; the other districts join later, as a rollout would.

use std::collections::HashMap;

use anyhow::Context;
use jiff::civil::Date;
use jiff::{Span, Timestamp};
use mahasil_domain::authz::Role;
use mahasil_domain::challan::{IssueRequest, ReliefKind, draft};
use mahasil_domain::challan_no::{ChallanNo, IssuerNo};
use mahasil_domain::head::HeadCode;
use mahasil_domain::jurisdiction::{Jurisdiction, Slug};
use mahasil_domain::money::Paisa;
use mahasil_domain::time::pakistan;
use mahasil_store::{Actor, HeadWithSchedules, Sealer, Store};
use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use uuid::Uuid;

use super::catalogue::{Amount, HEADS, HeadSpec};
use super::localities::{FieldDistrict, field_district};
use super::people::Staff;
use super::{offenders, uuid_v7};

/// Share of challans each demo officer issues.
const OFFICER_SHARE: [(&str, u32); 6] =
    [("officer.peshawar", 28), ("officer2.peshawar", 16), ("eto.peshawar", 10), ("officer.mardan", 16), ("officer.swat", 15), ("officer.abbottabad", 15)];

/// The pilot district; the others start issuing this far into the window (per cent).
const PILOT_DISTRICT: &str = "peshawar";
const ROLLOUT_AT_PERCENT: i64 = 40;

/// Chance that a challan is followed by a cancellation request, a waiver request, or a
/// contest.
const CANCELLATION_RATE: f64 = 0.05;
const WAIVER_RATE: f64 = 0.025;
const CONTEST_RATE: f64 = 0.04;

const CANCELLATION_REASONS: [&str; 5] = [
    "Wrong CNIC entered; the offender has been challaned again under the correct identity",
    "Duplicate: a challan for the same violation was issued minutes earlier",
    "Wrong head selected; the violation was a missing price list, not overcharging",
    "Offender is a person with a disability exempted by the Deputy Commissioner's order",
    "Encroachment was removed on the spot and a first warning was intended",
];
const CANCELLATION_APPROVALS: [&str; 3] =
    ["Verified with the field report and photographs; approved", "Duplicate confirmed in the register; approved", "Exemption order on file; approved"];
const CANCELLATION_REJECTIONS: [&str; 3] =
    ["Photographs on file show the violation; reason not supported", "No exemption order on file", "The correct head was applied; challan stands"];
const WAIVER_REASONS: [&str; 4] = [
    "Shop destroyed in the flood; the owner is on the relief list",
    "Widow with no income; the union council certificate is attached",
    "Vendor displaced by the road widening; the fine was for the old spot",
    "First offence of a student vendor; the Deputy Commissioner's relief order applies",
];
const WAIVER_APPROVALS: [&str; 2] = ["Relief list entry verified; waived", "Certificate verified with the union council; waived"];
const WAIVER_REJECTIONS: [&str; 2] = ["No relief order covers this head", "Income certificate not on file; the fine stands"];
const CONTEST_GROUNDS: [&str; 5] = [
    "Shop was closed on that date; the offender was away",
    "Prices charged match the rate list notified for that week",
    "The cart belongs to another vendor; the offender only sells from it",
    "Building plan was approved before construction; copy submitted",
    "Vehicle was sold before the date of the challan; transfer papers submitted",
];
const CONTEST_UPHELD: [&str; 3] = [
    "Violation confirmed by the inspection report; challan upheld",
    "Papers submitted do not cover the date; challan upheld",
    "Witness statements support the officer; challan upheld",
];
const CONTEST_QUASHED: [&str; 3] = [
    "Notified rate list of that week supports the offender; challan quashed",
    "Transfer papers verified with the excise registry; challan quashed",
    "Approved plan verified with the TMA record; challan quashed",
];

/// What happened to the demo challans.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Activity {
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

impl Activity {
    /// The counter of requests of `kind` decided that way (`None`: still pending).
    fn relief(&mut self, kind: ReliefKind, decision: Option<bool>) -> &mut usize {
        match (kind, decision) {
            (ReliefKind::Cancel, Some(true)) => &mut self.cancellations_approved,
            (ReliefKind::Cancel, Some(false)) => &mut self.cancellations_rejected,
            (ReliefKind::Cancel, None) => &mut self.cancellations_pending,
            (ReliefKind::Waive, Some(true)) => &mut self.waivers_approved,
            (ReliefKind::Waive, Some(false)) => &mut self.waivers_rejected,
            (ReliefKind::Waive, None) => &mut self.waivers_pending,
        }
    }
}

/// A later step in a challan's life: when, and the decision with its time, if any yet.
#[derive(Debug, Clone, Copy)]
struct FollowUp {
    at: Timestamp,
    text: &'static str,
    decision: Option<(Timestamp, bool, &'static str)>,
}

#[derive(Debug, Clone, Copy)]
enum Sequel {
    None,
    /// A cancellation or a waiver request.
    Relief(ReliefKind, FollowUp),
    Contest(FollowUp),
}

#[derive(Debug)]
struct Planned {
    officer: usize,
    supervisor: usize,
    head: &'static HeadSpec,
    district: &'static FieldDistrict,
    issued_at: Timestamp,
    sequel: Sequel,
}

#[derive(Debug, Clone, Copy)]
enum Step {
    Issue,
    Follow,
    Decide,
}

/// The first day of the window: `window_days` back, never before the schedules' first day.
pub(super) fn window_start(now: Timestamp, window_days: i64) -> anyhow::Result<Date> {
    let today = now.to_zoned(pakistan()).date();
    let earliest = super::catalogue::SCHEDULES_EFFECTIVE_FROM.checked_add(Span::new().days(1))?;
    let start = today.checked_sub(Span::new().days(window_days))?.max(earliest);
    anyhow::ensure!(start < today, "demo challans need at least a day after {earliest}; now is {now}");
    Ok(start)
}

/// A working-hours moment (09:00-17:59 Pakistan time, not on a Sunday) on a day in
/// `[from_day, days)` after `start`, before `until`.
fn working_moment(rng: &mut StdRng, start: Date, from_day: i64, days: i64, until: Timestamp) -> anyhow::Result<Option<Timestamp>> {
    for _ in 0..20 {
        let day = start.checked_add(Span::new().days(rng.gen_range(from_day..days.max(from_day + 1))))?;
        if day.weekday() == jiff::civil::Weekday::Sunday {
            continue;
        }
        let at = day.at(rng.gen_range(9..18), rng.gen_range(0..60), rng.gen_range(0..60), 0).to_zoned(pakistan())?.timestamp();
        if at < until {
            return Ok(Some(at));
        }
    }
    Ok(None)
}

fn hours(h: i64) -> Span {
    Span::new().hours(h)
}

/// What people write when they ask, and when they decide either way.
struct Texts {
    asked: &'static [&'static str],
    granted: &'static [&'static str],
    refused: &'static [&'static str],
}

const CANCELLATION_TEXTS: Texts = Texts { asked: &CANCELLATION_REASONS, granted: &CANCELLATION_APPROVALS, refused: &CANCELLATION_REJECTIONS };
const WAIVER_TEXTS: Texts = Texts { asked: &WAIVER_REASONS, granted: &WAIVER_APPROVALS, refused: &WAIVER_REJECTIONS };
const CONTEST_TEXTS: Texts = Texts { asked: &CONTEST_GROUNDS, granted: &CONTEST_UPHELD, refused: &CONTEST_QUASHED };

/// A follow-up at `at`, decided (`grant` says which way) at `decided_at` if that is
/// before `now`; none when `at` itself is not yet.
fn follow_up(rng: &mut StdRng, texts: &Texts, at: Timestamp, decided_at: Timestamp, now: Timestamp, grant: bool) -> Option<FollowUp> {
    if at >= now {
        return None;
    }
    let notes = if grant { texts.granted } else { texts.refused };
    let decision = if decided_at < now { Some((decided_at, grant, notes.choose(rng).copied().unwrap_or("Decided"))) } else { None };
    Some(FollowUp { at, text: texts.asked.choose(rng).copied().unwrap_or("See file"), decision })
}

/// Plans `count` challans and their sequels over `[start, now)`.
fn plan(rng: &mut StdRng, staff: &[Staff], start: Date, now: Timestamp, count: usize) -> anyhow::Result<Vec<Planned>> {
    let today = now.to_zoned(pakistan()).date();
    let days = i64::from((today - start).get_days()) + 1;
    let until = now.checked_sub(hours(1))?;
    let (mut cancellations, mut waivers, mut contests) = (0usize, 0usize, 0usize);
    let mut out = Vec::with_capacity(count);
    for _ in 0..count.saturating_mul(20) {
        if out.len() == count {
            break;
        }
        let &(username, _) = OFFICER_SHARE.choose_weighted(rng, |(_, w)| *w)?;
        let officer = staff.iter().position(|s| s.principal.username == username).with_context(|| format!("demo officer {username} is missing"))?;
        let district_slug = staff[officer].district.clone().with_context(|| format!("{username} has no district"))?;
        let district = field_district(district_slug.as_str()).with_context(|| format!("no demo localities for {district_slug}"))?;
        let supervisor = staff
            .iter()
            .position(|s| s.is(Role::Supervisor) && s.district.as_ref() == Some(&district_slug))
            .with_context(|| format!("no demo supervisor in {district_slug}"))?;
        let heads: Vec<&'static HeadSpec> = HEADS.iter().filter(|h| issuable(&staff[officer], &district_slug, h)).collect();
        let head = *heads.choose_weighted(rng, |h| h.weight)?;
        let from_day = if district.slug == PILOT_DISTRICT { 0 } else { days * ROLLOUT_AT_PERCENT / 100 };
        let Some(issued_at) = working_moment(rng, start, from_day, days, until)? else { continue };
        let roll: f64 = rng.r#gen();
        let sequel = if roll < CANCELLATION_RATE {
            cancellations += 1;
            // Two in five approved, two rejected, one left pending for the supervisor.
            let outcome = cancellations % 5;
            let at = issued_at.checked_add(hours(rng.gen_range(1..30)))?;
            let decided_at = if outcome == 0 { now } else { at.checked_add(hours(rng.gen_range(2..72)))? };
            follow_up(rng, &CANCELLATION_TEXTS, at, decided_at, now, outcome % 2 == 1).map_or(Sequel::None, |f| Sequel::Relief(ReliefKind::Cancel, f))
        } else if roll < CANCELLATION_RATE + WAIVER_RATE {
            waivers += 1;
            // As cancellations: two in five approved, two rejected, one pending.
            let outcome = waivers % 5;
            let at = issued_at.checked_add(hours(rng.gen_range(24..24 * 10)))?;
            let decided_at = if outcome == 0 { now } else { at.checked_add(hours(rng.gen_range(24..24 * 7)))? };
            follow_up(rng, &WAIVER_TEXTS, at, decided_at, now, outcome % 2 == 1).map_or(Sequel::None, |f| Sequel::Relief(ReliefKind::Waive, f))
        } else if roll < CANCELLATION_RATE + WAIVER_RATE + CONTEST_RATE {
            contests += 1;
            // One in three upheld, one quashed, one left open.
            let outcome = contests % 3;
            let at = issued_at.checked_add(hours(24 * rng.gen_range(2..10)))?;
            let decided_at = if outcome == 0 { now } else { at.checked_add(hours(24 * rng.gen_range(3..20)))? };
            follow_up(rng, &CONTEST_TEXTS, at, decided_at, now, outcome == 1).map_or(Sequel::None, Sequel::Contest)
        } else {
            Sequel::None
        };
        out.push(Planned { officer, supervisor, head, district, issued_at, sequel });
    }
    anyhow::ensure!(out.len() == count, "found working hours for only {} of {count} demo challans", out.len());
    Ok(out)
}

/// Whether the officer may issue under `head` in `district`.
fn issuable(officer: &Staff, district: &Slug, head: &HeadSpec) -> bool {
    Slug::parse(head.department).is_ok_and(|dept| officer.principal.may(mahasil_domain::authz::Action::IssueChallan, district, &dept))
}

/// The steps of every planned challan, in the order they happened.
fn timeline(planned: &[Planned]) -> Vec<(Timestamp, usize, Step)> {
    let mut steps = Vec::with_capacity(planned.len() + planned.len() / 5);
    for (i, p) in planned.iter().enumerate() {
        steps.push((p.issued_at, i, Step::Issue));
        if let Sequel::Relief(_, f) | Sequel::Contest(f) = p.sequel {
            steps.push((f.at, i, Step::Follow));
            if let Some((at, _, _)) = f.decision {
                steps.push((at, i, Step::Decide));
            }
        }
    }
    steps.sort_by_key(|&(at, i, _)| (at, i));
    steps
}

/// Heads and districts as stored, looked up once.
struct Reference {
    heads: HashMap<&'static str, HeadWithSchedules>,
    districts: HashMap<&'static str, Jurisdiction>,
}

async fn reference(store: &Store, planned: &[Planned]) -> anyhow::Result<Reference> {
    let mut r = Reference { heads: HashMap::new(), districts: HashMap::new() };
    for p in planned {
        if !r.heads.contains_key(p.head.code) {
            let head = store.head(&HeadCode::parse(p.head.code)?).await?.with_context(|| format!("head {} is not stored", p.head.code))?;
            r.heads.insert(p.head.code, head);
        }
        if !r.districts.contains_key(p.district.slug) {
            let d = store.jurisdiction(&Slug::parse(p.district.slug)?).await?.with_context(|| format!("district {} is not stored", p.district.slug))?;
            r.districts.insert(p.district.slug, d);
        }
    }
    Ok(r)
}

/// Who issues the demo challans and signs them.
pub(super) struct Issuing<'a> {
    pub issuer: IssuerNo,
    pub sealer: &'a Sealer,
}

/// Plans and writes `count` challans and their sequels.
pub(super) async fn seed_activity(
    store: &Store,
    rng: &mut StdRng,
    staff: &[Staff],
    issuing: Issuing<'_>,
    start: Date,
    now: Timestamp,
    count: usize,
) -> anyhow::Result<Activity> {
    let Issuing { issuer, sealer } = issuing;
    let planned = plan(rng, staff, start, now, count)?;
    let reference = reference(store, &planned).await?;
    let mut numbers: Vec<Option<ChallanNo>> = vec![None; planned.len()];
    let mut follow_ids: Vec<Option<Uuid>> = vec![None; planned.len()];
    let mut activity = Activity::default();
    for (at, i, step) in timeline(&planned) {
        let p = &planned[i];
        let officer = &staff[p.officer].principal;
        let supervisor = &staff[p.supervisor].principal;
        match (step, p.sequel) {
            (Step::Issue, _) => {
                let head = reference.heads.get(p.head.code).with_context(|| format!("head {}", p.head.code))?;
                let district = reference.districts.get(p.district.slug).with_context(|| format!("district {}", p.district.slug))?;
                let (location, spot) = offenders::location(rng, p.district)?;
                let request = IssueRequest { amount: amount(rng, p.head)?, offender: offenders::offender(rng, p.head, p.district, spot)?, location };
                let draft = draft(uuid_v7(rng, at)?, request, &head.head, &head.schedules, district, officer, at)?;
                let received_at = at.checked_add(Span::new().seconds(rng.gen_range(1..20)))?;
                let stored = store
                    .issue_challan(&draft, issuer, &Actor::from(officer), received_at, sealer)
                    .await
                    .with_context(|| format!("issuing demo challan {i}"))?;
                numbers[i] = Some(stored.challan_no);
                activity.challans += 1;
            }
            (Step::Follow, Sequel::Relief(kind, f)) => {
                let no = numbers[i].context("request before issue")?;
                let request = store
                    .request_relief(no, kind, f.text, officer, uuid_v7(rng, at)?, at)
                    .await
                    .with_context(|| format!("requesting the {} of {no}", kind.noun()))?;
                follow_ids[i] = Some(request.id);
                if f.decision.is_none() {
                    *activity.relief(kind, None) += 1;
                }
            }
            (Step::Decide, Sequel::Relief(kind, f)) => {
                let (_, approve, note) = f.decision.context("decision step without a decision")?;
                let id = follow_ids[i].context("decision before request")?;
                store.decide_cancellation(id, approve, note, supervisor, at).await.with_context(|| format!("deciding {} {id}", kind.noun()))?;
                *activity.relief(kind, Some(approve)) += 1;
            }
            (Step::Follow, Sequel::Contest(f)) => {
                let no = numbers[i].context("contest before issue")?;
                let contest =
                    store.record_contest(no, f.text, supervisor, uuid_v7(rng, at)?, at).await.with_context(|| format!("recording contest of {no}"))?;
                follow_ids[i] = Some(contest.id);
                if f.decision.is_none() {
                    activity.contests_open += 1;
                }
            }
            (Step::Decide, Sequel::Contest(f)) => {
                let (_, uphold, note) = f.decision.context("decision step without a decision")?;
                let id = follow_ids[i].context("decision before contest")?;
                store.decide_contest(id, uphold, note, supervisor, at).await.with_context(|| format!("deciding contest {id}"))?;
                if uphold { activity.contests_upheld += 1 } else { activity.contests_quashed += 1 }
            }
            (Step::Follow | Step::Decide, Sequel::None) => anyhow::bail!("a sequel step for a challan without one"),
        }
    }
    Ok(activity)
}

/// The officer's amount: one of the usual amounts for a range, none for a fixed head.
fn amount(rng: &mut StdRng, head: &HeadSpec) -> anyhow::Result<Option<Paisa>> {
    match head.amount {
        Amount::Fixed { .. } => Ok(None),
        Amount::Range { typical, .. } => {
            let rupees = typical.choose(rng).copied().context("a range head without typical amounts")?;
            Ok(Some(Paisa::from_rupees(rupees)?))
        }
    }
}
