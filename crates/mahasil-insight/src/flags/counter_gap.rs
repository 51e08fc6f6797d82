//! Counter numbers of an issuer that never arrived.
//!
//! Every issuer (a field device or a challan book) numbers its challans 1, 2, 3, ... A number
//! missing between two received ones is a challan that was written and never reached the
//! books: a device lost, a sync stuck, or a challan torn up after the offender paid in cash.
//! Field devices sync late (a day out of coverage is common), so a gap is only flagged when
//! the number after it arrived more than [`CounterGapParams::grace_secs`] ago: by then the
//! missing ones would have come in had they been merely late. A gap at the top (numbers
//! issued but nothing later received yet) cannot be seen and is not guessed at.

use std::collections::BTreeMap;

use super::flag::{Evidence, Flag, FlagKind};
use super::time::SECS_PER_HOUR;
use super::{by_subject, sentence, strongest_first};

/// The counters received from one issuer, with the time each arrived.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IssuerCounters {
    pub issuer_no: u32,
    pub district: String,
    /// (counter, received_at): any order, repeats allowed (the earliest arrival counts).
    pub counters: Vec<(u32, i64)>,
}

/// Thresholds of [`counter_gaps`].
#[derive(Clone, Debug, PartialEq)]
pub struct CounterGapParams {
    /// How long after the later number arrived a gap before it is still excused. Devices
    /// queue challans offline and upload when they next see coverage; 48 hours covers a
    /// weekend posting out of coverage, while a week would let a torn-up challan's trail
    /// go cold.
    pub grace_secs: i64,
}

impl Default for CounterGapParams {
    fn default() -> Self {
        Self { grace_secs: 48 * SECS_PER_HOUR }
    }
}

/// One flag per run of missing counters whose next received number arrived more than the
/// grace period before `now`.
pub fn counter_gaps(issuers: &[IssuerCounters], now: i64, params: &CounterGapParams) -> Vec<Flag> {
    let mut flags = Vec::new();
    for (issuer_no, (main, entries)) in by_subject(issuers, |i| i.issuer_no, |i| (i.counters.len(), i.district.as_str(), None)) {
        // Each counter's earliest arrival, over every entry of the issuer.
        let mut counters: BTreeMap<u32, i64> = BTreeMap::new();
        for &(counter, at) in entries.iter().flat_map(|e| e.counters.iter()) {
            counters.entry(counter).and_modify(|earliest| *earliest = (*earliest).min(at)).or_insert(at);
        }
        let district = main.district.as_str();
        let mut previous: Option<u32> = None;
        for (&counter, &received_at) in &counters {
            let settled = now.saturating_sub(received_at) > params.grace_secs;
            match previous {
                Some(before) if counter > before.saturating_add(1) && settled => {
                    flags.push(flag(issuer_no, district, before + 1, counter - 1, counter, received_at, now));
                }
                _ => {}
            }
            previous = Some(counter);
        }
    }
    strongest_first(flags)
}

fn flag(issuer_no: u32, district: &str, first_missing: u32, last_missing: u32, later_counter: u32, later_received_at: i64, now: i64) -> Flag {
    let missing_count = u64::from(last_missing - first_missing) + 1;
    let waited_secs = now.saturating_sub(later_received_at);
    let range = if first_missing == last_missing { format!("{first_missing}") } else { format!("{first_missing}–{last_missing}") };
    let (arrived, waited_en, waited_ur) = (sentence::local_time(later_received_at), sentence::duration(waited_secs), sentence::duration_ur(waited_secs));
    Flag {
        kind: FlagKind::CounterGap,
        subject: issuer_no.to_string(),
        key: format!("gap:{issuer_no}:{first_missing}-{last_missing}"),
        district: district.to_owned(),
        department: None,
        // Each missing number is a challan nobody has accounted for.
        score: missing_count as f64,
        evidence: Evidence::CounterGap { issuer_no, first_missing, last_missing, missing_count, later_counter, later_received_at, waited_secs },
        summary_en: format!(
            "issuer {issuer_no}: counter {range} never arrived ({missing_count} missing), though {later_counter} arrived {arrived}, {waited_en} ago"
        ),
        summary_ur: format!(
            "جاری کنندہ {issuer_no}: کاؤنٹر {range} موصول نہیں ہوئے ({missing_count} غائب)، حالانکہ {later_counter} {arrived} کو، {waited_ur} پہلے موصول ہو چکا"
        ),
        challans: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_772_323_200; // 2026-03-01 05:00 PKT
    const HOUR: i64 = 3_600;

    fn issuer(issuer_no: u32, counters: &[(u32, i64)]) -> IssuerCounters {
        IssuerCounters { issuer_no, district: "mardan".into(), counters: counters.to_vec() }
    }

    #[test]
    fn four_numbers_missing_before_one_that_arrived_three_days_ago_are_one_flag() {
        let issuers = [issuer(41, &[(55, NOW - 80 * HOUR), (56, NOW - 80 * HOUR), (61, NOW - 72 * HOUR), (62, NOW - HOUR)])];
        let flags = counter_gaps(&issuers, NOW, &CounterGapParams::default());
        assert_eq!(flags.len(), 1);
        let flag = &flags[0];
        assert_eq!(flag.key, "gap:41:57-60");
        assert_eq!(flag.subject, "41");
        assert_eq!(flag.district, "mardan");
        assert_eq!(
            flag.evidence,
            Evidence::CounterGap {
                issuer_no: 41,
                first_missing: 57,
                last_missing: 60,
                missing_count: 4,
                later_counter: 61,
                later_received_at: NOW - 72 * HOUR,
                waited_secs: 72 * HOUR
            }
        );
        assert_eq!(flag.summary_en, "issuer 41: counter 57–60 never arrived (4 missing), though 61 arrived 2026-02-26 05:00 PKT, 3.0 days ago");
        for figure in ["57–60", "(4 ", "61", "2026-02-26 05:00 PKT", "3.0 دن"] {
            assert!(flag.summary_ur.contains(figure), "{figure} missing from {}", flag.summary_ur);
        }
    }

    #[test]
    fn a_gap_whose_later_number_arrived_an_hour_ago_is_a_late_sync_not_a_flag() {
        let issuers = [issuer(41, &[(1, NOW - 100 * HOUR), (5, NOW - HOUR)])];
        assert!(counter_gaps(&issuers, NOW, &CounterGapParams::default()).is_empty());
    }

    #[test]
    fn a_gap_just_inside_the_grace_period_waits_and_just_outside_is_flagged() {
        let inside = [issuer(9, &[(1, NOW - 100 * HOUR), (3, NOW - 48 * HOUR)])];
        assert!(counter_gaps(&inside, NOW, &CounterGapParams::default()).is_empty());
        let outside = [issuer(9, &[(1, NOW - 100 * HOUR), (3, NOW - 48 * HOUR - 1)])];
        let flags = counter_gaps(&outside, NOW, &CounterGapParams::default());
        assert_eq!(flags.len(), 1);
        assert!(flags[0].summary_en.starts_with("issuer 9: counter 2 never arrived (1 missing)"));
    }

    #[test]
    fn each_run_is_its_own_flag_and_the_earliest_arrival_of_a_repeat_counts() {
        let old = NOW - 96 * HOUR;
        // 3 is missing, 6–7 are missing; 8 arrived late once and again just now.
        let issuers = [issuer(5, &[(8, NOW), (1, old), (2, old), (4, old), (5, old), (8, old)]), issuer(6, &[(1, old), (2, old), (3, old)])];
        let flags = counter_gaps(&issuers, NOW, &CounterGapParams::default());
        let keys: Vec<&str> = flags.iter().map(|f| f.key.as_str()).collect();
        assert_eq!(keys, ["gap:5:6-7", "gap:5:3-3"]);
    }

    #[test]
    fn numbers_before_the_lowest_received_are_not_guessed_at() {
        let issuers = [issuer(5, &[(1_000, NOW - 96 * HOUR), (1_001, NOW - 96 * HOUR)])];
        assert!(counter_gaps(&issuers, NOW, &CounterGapParams::default()).is_empty());
    }

    #[test]
    fn a_huge_gap_is_counted_not_walked() {
        let issuers = [issuer(5, &[(0, NOW - 96 * HOUR), (u32::MAX, NOW - 96 * HOUR)])];
        let flags = counter_gaps(&issuers, NOW, &CounterGapParams::default());
        assert!(matches!(flags[0].evidence, Evidence::CounterGap { missing_count: 4_294_967_294, .. }));
    }
}
