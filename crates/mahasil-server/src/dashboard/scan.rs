//! The insight scan: every few minutes each node recomputes the forecasts (held in memory)
//! and runs the anomaly rules of `mahasil_insight::flags` over the rollups and the recent
//! challans, storing each lead it finds once (`Storage::put_flags` keeps one row per key,
//! so several nodes scanning store nothing twice, and an auditor's decision stands).
//! `mahasil insight scan` runs the same once.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use mahasil_domain::authz::Scope;
use mahasil_domain::jurisdiction::Slug;
use mahasil_insight::changepoint::{ShiftParams, level_shifts};
use mahasil_insight::flags::{self as rules, Flag};
use mahasil_store::flags::{MAX_CHALLAN_FACTS_PAGE, MAX_FLAGS_PER_PUT, MAX_RELIEF_REQUESTS_PAGE};
use mahasil_store::insight::{Dimension, InsightFilter, OfficerWindow, Window};
use mahasil_store::{ChallanFacts, NewFlag, Store};

use super::forecasts::{self, Snapshot};
use super::view::pakistan_day;
use crate::error::ApiResult;
use crate::state::AppState;

/// Time between scans on a node.
pub const SCAN_INTERVAL: Duration = Duration::from_secs(15 * 60);
/// Days whose cancellations and waivers an officer's rate is judged on.
pub const RATE_WINDOW_DAYS: i64 = 14;
/// Days of challans whose hours, places, numbers and duplicates are looked at.
pub const RECENT_DAYS: i64 = 7;
/// Days before those that tell an officer's usual hours and places.
pub const USUAL_DAYS: i64 = 28;
/// Days of a district's daily revenue watched for a level shift.
pub const SHIFT_HISTORY_DAYS: i64 = 240;
/// Most challans read per scan (the newest are read first when there are more).
pub const MAX_FACTS: usize = 600_000;
/// Most officers judged per scan.
const MAX_OFFICERS: usize = 20_000;
const DAY: SignedDuration = SignedDuration::from_hours(24);

/// What one scan did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScanReport {
    pub forecasts: usize,
    pub challans_read: usize,
    pub flags_found: usize,
    pub flags_new: u32,
}

/// Runs one scan as of `now`: the forecasts, and the flags stored.
pub async fn scan(store: &Store, now: Timestamp) -> ApiResult<(Snapshot, ScanReport)> {
    let snapshot = forecasts::compute(store, now).await?;
    let mut found = rate_flags(store, now).await?;
    found.extend(shift_flags(store, now).await?);
    let facts = challan_facts(store, now).await?;
    // Only a field device's numbers can go missing: a node numbers its challans and its
    // receipts from one counter, advanced in the transaction that stores each, so the
    // numbers its challans skip are its receipts.
    let devices: std::collections::BTreeSet<u32> = store.devices().await?.iter().map(|d| d.device.issuer_no.get()).collect();
    let challan_found = challan_flags(&facts, &devices, now);
    found.extend(confirmed_gaps(store, challan_found).await?);
    found.extend(inquiry_flags(store, now).await?);
    let new: Vec<NewFlag> = found.iter().filter_map(to_new).collect();
    let mut stored = 0;
    for chunk in new.chunks(MAX_FLAGS_PER_PUT) {
        stored += store.put_flags(chunk, now).await?;
    }
    let report = ScanReport { forecasts: snapshot.series.len(), challans_read: facts.len(), flags_found: new.len(), flags_new: stored };
    Ok((snapshot, report))
}

/// Scans now and every [`SCAN_INTERVAL`], keeping the latest forecasts in the state.
pub async fn run(state: AppState) {
    loop {
        match scan(&state.store, Timestamp::now()).await {
            Ok((snapshot, report)) => {
                tracing::info!(
                    forecasts = report.forecasts,
                    challans = report.challans_read,
                    flags = report.flags_found,
                    new = report.flags_new,
                    "insight scan"
                );
                if let Ok(mut slot) = state.caches.forecasts.write() {
                    *slot = Some(Arc::new(snapshot));
                }
            }
            Err(e) => tracing::warn!(error = %e.body.message, "insight scan failed; it runs again at the next interval"),
        }
        tokio::time::sleep(SCAN_INTERVAL).await;
    }
}

fn to_new(f: &Flag) -> Option<NewFlag> {
    Some(NewFlag {
        kind: f.kind.as_str().to_string(),
        subject: f.subject.clone(),
        key: f.key.clone(),
        district: Slug::parse(&f.district).ok()?,
        department: f.department.as_deref().and_then(|d| Slug::parse(d).ok()),
        score: if f.score.is_finite() { f.score } else { 0.0 },
        evidence: serde_json::to_value(&f.evidence).ok()?,
        summary_en: f.summary_en.clone(),
        summary_ur: f.summary_ur.clone(),
        challans: f.challans.clone(),
    })
}

/// Officers whose cancellation or waiver rate over the last fortnight stands out.
async fn rate_flags(store: &Store, now: Timestamp) -> ApiResult<Vec<Flag>> {
    let today = pakistan_day(now);
    let officers = store
        .insight_officers(&InsightFilter::scope(Scope::Everywhere), OfficerWindow::Days { from: today - RATE_WINDOW_DAYS + 1, to: today }, MAX_OFFICERS)
        .await?;
    let count = |n: i64| u32::try_from(n.max(0)).unwrap_or(u32::MAX);
    let rates = |k: fn(&mahasil_store::insight::Rollup) -> i64| -> Vec<rules::OfficerRate> {
        officers
            .iter()
            .map(|o| rules::OfficerRate {
                officer: o.officer_id.clone(),
                district: o.district.clone(),
                department: Some(o.department.clone()),
                n: count(o.rollup.issued_n),
                k: count(k(&o.rollup)),
            })
            .collect()
    };
    let params = rules::RateParams::default();
    let mut flags = rules::rate_outliers(rules::RateKind::Cancellation, &rates(|r| r.cancelled_n), today, &params);
    flags.extend(rules::rate_outliers(rules::RateKind::Waiver, &rates(|r| r.waived_n), today, &params));
    Ok(flags)
}

/// Level shifts in each district's daily collections.
async fn shift_flags(store: &Store, now: Timestamp) -> ApiResult<Vec<Flag>> {
    let last = pakistan_day(now) - 1;
    let first = last - SHIFT_HISTORY_DAYS + 1;
    let answer =
        store.insight_grouped(&InsightFilter::scope(Scope::Everywhere), Window::Days { from: first, to: last }, true, Some(Dimension::District)).await?;
    let mut by_district: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    let len = usize::try_from(SHIFT_HISTORY_DAYS).unwrap_or(0);
    for r in &answer.rows {
        let series = by_district.entry(r.key.as_str()).or_insert_with(|| vec![0.0; len]);
        if let Some(v) = usize::try_from(r.period - first).ok().and_then(|i| series.get_mut(i)) {
            #[expect(clippy::cast_precision_loss, reason = "paisa per day as the detector's input")]
            let paid = r.rollup.paid_paisa.max(0) as f64;
            *v = paid;
        }
    }
    let params = ShiftParams::default();
    let mut flags = Vec::new();
    for (district, series) in by_district {
        for s in level_shifts(&series, &params) {
            let day = |i: usize| first + i64::try_from(i).unwrap_or(0);
            #[expect(clippy::cast_possible_truncation, reason = "paisa per day, rounded")]
            let (before, after) = (s.before_paisa_per_day.round() as i64, s.after_paisa_per_day.round() as i64);
            flags.push(Flag::revenue_shift(district, day(s.start_day), before, after, day(s.detected_day)));
        }
    }
    Ok(flags)
}

/// The challans received over the usual and recent days, newest first when there are more
/// than [`MAX_FACTS`].
async fn challan_facts(store: &Store, now: Timestamp) -> ApiResult<Vec<ChallanFacts>> {
    let mut since = now - DAY * i32::try_from(USUAL_DAYS + RECENT_DAYS).unwrap_or(0);
    let mut out: Vec<ChallanFacts> = Vec::new();
    loop {
        let page = store.recent_challan_facts(since, MAX_CHALLAN_FACTS_PAGE).await?;
        let full = page.len() >= usize::try_from(MAX_CHALLAN_FACTS_PAGE).unwrap_or(usize::MAX);
        let Some(last) = page.last().map(|c| c.received_at) else { break };
        out.extend(page);
        if !full {
            break;
        }
        since = last + SignedDuration::from_micros(1);
        if out.len() > MAX_FACTS {
            let drop = out.len() - MAX_FACTS;
            out.drain(..drop);
        }
    }
    Ok(out)
}

fn facts_for_rules(c: &ChallanFacts) -> rules::ChallanFacts {
    rules::ChallanFacts {
        challan_no: c.challan_no.to_string(),
        officer: c.officer_id.to_string(),
        district: c.district.to_string(),
        department: Some(c.department.to_string()),
        head: c.head_code.clone(),
        cnic: Some(c.cnic.to_string()),
        vehicle: c.vehicle_no.as_ref().map(ToString::to_string),
        issued_at: c.issued_at.as_second(),
        lat: c.lat,
        lon: c.lon,
        issuer_no: c.issuer_no.get(),
        counter: c.counter,
        status: c.status.as_str().to_string(),
    }
}

/// Duplicates, counter gaps, unusual hours and places, from the challans themselves.
fn challan_flags(facts: &[ChallanFacts], devices: &std::collections::BTreeSet<u32>, now: Timestamp) -> Vec<Flag> {
    let recent_from = now - DAY * i32::try_from(RECENT_DAYS).unwrap_or(0);
    let recent: Vec<rules::ChallanFacts> = facts.iter().filter(|c| c.received_at >= recent_from).map(facts_for_rules).collect();
    let mut flags = rules::duplicates(&recent, &rules::DuplicateParams::default());

    let mut issuers: BTreeMap<u32, rules::IssuerCounters> = BTreeMap::new();
    for c in facts.iter().filter(|c| devices.contains(&c.issuer_no.get())) {
        let e = issuers.entry(c.issuer_no.get()).or_insert_with(|| rules::IssuerCounters {
            issuer_no: c.issuer_no.get(),
            district: c.district.to_string(),
            counters: Vec::new(),
        });
        e.counters.push((c.counter, c.received_at.as_second()));
    }
    flags.extend(rules::counter_gaps(&issuers.into_values().collect::<Vec<_>>(), now.as_second(), &rules::CounterGapParams::default()));

    let mut peers_by_hour = [0u32; 24];
    let mut hours: BTreeMap<(String, String, String), rules::OfficerHours> = BTreeMap::new();
    let mut places: BTreeMap<(String, String, String), rules::OfficerPlaces> = BTreeMap::new();
    for c in facts {
        let key = (c.officer_id.to_string(), c.district.to_string(), c.department.to_string());
        let h = hours.entry(key.clone()).or_insert_with(|| rules::OfficerHours {
            officer: key.0.clone(),
            district: key.1.clone(),
            department: Some(key.2.clone()),
            recent: Vec::new(),
            history_by_hour: [0; 24],
        });
        let p = places.entry(key.clone()).or_insert_with(|| rules::OfficerPlaces {
            officer: key.0.clone(),
            district: key.1.clone(),
            department: Some(key.2.clone()),
            usual: Vec::new(),
            recent: Vec::new(),
        });
        let hour = usize::from(rules::karachi_hour(c.issued_at.as_second()));
        if c.received_at >= recent_from {
            h.recent.push((c.challan_no.to_string(), c.issued_at.as_second()));
            p.recent.push((c.challan_no.to_string(), c.lat, c.lon, c.issued_at.as_second()));
        } else {
            if let Some(n) = h.history_by_hour.get_mut(hour) {
                *n += 1;
            }
            if let Some(n) = peers_by_hour.get_mut(hour) {
                *n += 1;
            }
            p.usual.push((c.lat, c.lon));
        }
    }
    flags.extend(rules::unusual_hours(&hours.into_values().collect::<Vec<_>>(), peers_by_hour, &rules::UnusualHourParams::default()));
    flags.extend(rules::far_from_usual(&places.into_values().collect::<Vec<_>>(), &rules::FarFromUsualParams::default()));
    flags
}

/// Most missing numbers looked up, per scan, to confirm counter gaps.
const MAX_GAP_LOOKUPS: u64 = 2_000;

/// Counter gaps are found among the challans received in the scan's window; a number
/// missing there may have arrived before it (a device's batches arrive out of order). Each
/// gap is kept only if none of its numbers is stored at all, looked up one by one (gaps are
/// few and short; the lookups are bounded).
async fn confirmed_gaps(store: &Store, flags: Vec<Flag>) -> ApiResult<Vec<Flag>> {
    let mut kept = Vec::with_capacity(flags.len());
    let mut lookups = 0u64;
    for f in flags {
        let rules::Evidence::CounterGap { issuer_no, first_missing, last_missing, .. } = f.evidence else {
            kept.push(f);
            continue;
        };
        let Ok(issuer) = mahasil_domain::challan_no::IssuerNo::new(issuer_no) else { continue };
        let mut stored = false;
        for counter in first_missing..=last_missing {
            lookups += 1;
            if lookups > MAX_GAP_LOOKUPS {
                break;
            }
            if let Ok(no) = mahasil_domain::challan_no::ChallanNo::new(issuer, counter)
                && store.challan_by_no(no).await?.is_some()
            {
                stored = true;
                break;
            }
        }
        if !stored && lookups <= MAX_GAP_LOOKUPS {
            kept.push(f);
        }
    }
    Ok(kept)
}

/// Officers asking to cancel or waive their own challans soon after a bank asked what was
/// owed on them.
async fn inquiry_flags(store: &Store, now: Timestamp) -> ApiResult<Vec<Flag>> {
    let since = now - DAY * i32::try_from(RATE_WINDOW_DAYS).unwrap_or(0);
    let requests = store.relief_requests_since(since, MAX_RELIEF_REQUESTS_PAGE).await?;
    let own: Vec<_> = requests.iter().filter(|r| r.requested_by == r.officer_id).collect();
    let numbers: Vec<_> = own.iter().map(|r| r.challan_no).collect();
    let mut inquiries = Vec::new();
    for chunk in numbers.chunks(mahasil_store::flags::MAX_INQUIRY_CHALLANS) {
        inquiries.extend(store.bill_inquiries(chunk).await?);
    }
    let requests: Vec<rules::ReliefRequest> = own
        .iter()
        .map(|r| rules::ReliefRequest {
            challan_no: r.challan_no.to_string(),
            officer: r.officer_id.to_string(),
            requested_by: r.requested_by.to_string(),
            requested_at: r.requested_at.as_second(),
            district: r.district.to_string(),
            department: Some(r.department.to_string()),
        })
        .collect();
    let inquiries: Vec<rules::Inquiry> =
        inquiries.into_iter().map(|(no, bank, at)| rules::Inquiry { challan_no: no.to_string(), at: at.as_second(), bank }).collect();
    Ok(rules::own_cancellation_after_inquiry(&requests, &inquiries, &rules::InquiryParams::default()))
}
