//! Properties every rule keeps on arbitrary input: it does not panic, it finds the same leads
//! under the same keys whatever order the input comes in, its keys are unique within a scan,
//! its numbers are finite, and its sentences quote the evidence they summarise.

use proptest::prelude::*;

use super::sentence::{date, duration_figure, km, local_time, percent, pkr};
use super::*;

const T0: i64 = 1_772_323_200;

/// The figures a flag's sentences must quote, read from its evidence.
fn figures(evidence: &Evidence) -> Vec<String> {
    match evidence {
        Evidence::Rate { rate, peer_rate, n, k, .. } => vec![percent(*rate), percent(*peer_rate), format!("n={n}"), format!("k={k}")],
        Evidence::Duplicate { head, challan_count, span_secs, .. } => vec![head.clone(), challan_count.to_string(), duration_figure(*span_secs)],
        Evidence::CounterGap { issuer_no, first_missing, last_missing, missing_count, later_counter, later_received_at, waited_secs } => vec![
            issuer_no.to_string(),
            first_missing.to_string(),
            last_missing.to_string(),
            missing_count.to_string(),
            later_counter.to_string(),
            local_time(*later_received_at),
            duration_figure(*waited_secs),
        ],
        Evidence::OwnCancellationAfterInquiry { officer, bank, requested_at, secs_after_inquiry, inquiries_in_window, .. } => {
            vec![officer.clone(), bank.clone(), local_time(*requested_at), duration_figure(*secs_after_inquiry), inquiries_in_window.to_string()]
        }
        Evidence::UnusualHour { unusual_count, recent_count, hours, peer_share, officer_share } => {
            let mut figures = vec![unusual_count.to_string(), recent_count.to_string(), percent(*peer_share), percent(*officer_share)];
            figures.extend(hours.iter().map(|h| format!("{h:02}:00")));
            figures
        }
        Evidence::FarFromUsualArea { radius_km, far_count, recent_count, farthest_km, farthest_challan, .. } => {
            vec![far_count.to_string(), recent_count.to_string(), km(*radius_km), km(*farthest_km), farthest_challan.clone()]
        }
        Evidence::RevenueShift { day, before_paisa_per_day, after_paisa_per_day, detected_day, .. } => {
            vec![pkr(*before_paisa_per_day), pkr(*after_paisa_per_day), date(*day), date(*detected_day)]
        }
    }
}

fn finite_numbers(evidence: &Evidence) -> bool {
    match evidence {
        Evidence::Rate { rate, peer_rate, p_value, p_adjusted, .. } => [rate, peer_rate, p_value, p_adjusted].iter().all(|x| x.is_finite()),
        Evidence::UnusualHour { peer_share, officer_share, .. } => peer_share.is_finite() && officer_share.is_finite(),
        Evidence::FarFromUsualArea { centre_lat, centre_lon, radius_km, farthest_km, .. } => {
            [centre_lat, centre_lon, radius_km, farthest_km].iter().all(|x| x.is_finite())
        }
        Evidence::RevenueShift { change_percent, .. } => change_percent.is_none_or(f64::is_finite),
        Evidence::Duplicate { .. } | Evidence::CounterGap { .. } | Evidence::OwnCancellationAfterInquiry { .. } => true,
    }
}

/// Checks one scan's flags and returns their keys, sorted.
fn checked_keys(flags: &[Flag]) -> Result<Vec<String>, TestCaseError> {
    prop_assert!(flags.len() <= MAX_FLAGS_PER_SCAN);
    for flag in flags {
        prop_assert!(flag.score.is_finite(), "score of {}", flag.key);
        prop_assert!(finite_numbers(&flag.evidence), "evidence of {}", flag.key);
        prop_assert!(flag.challans.len() <= MAX_CHALLANS_PER_FLAG);
        for figure in figures(&flag.evidence) {
            prop_assert!(flag.summary_en.contains(&figure), "{figure:?} missing from {:?}", flag.summary_en);
            prop_assert!(flag.summary_ur.contains(&figure), "{figure:?} missing from {:?}", flag.summary_ur);
        }
        let json = serde_json::to_string(flag).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let back: Flag = serde_json::from_str(&json).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!((&back.kind, &back.key, &back.summary_en, &back.challans), (&flag.kind, &flag.key, &flag.summary_en, &flag.challans));
    }
    let mut keys: Vec<String> = flags.iter().map(|f| f.key.clone()).collect();
    keys.sort();
    let before = keys.len();
    keys.dedup();
    prop_assert_eq!(keys.len(), before, "keys repeat within one scan");
    Ok(keys)
}

/// `items` and the same items in another order.
fn shuffled<T: Clone + std::fmt::Debug>(items: impl Strategy<Value = Vec<T>>) -> impl Strategy<Value = (Vec<T>, Vec<T>)> {
    items.prop_flat_map(|v| (Just(v.clone()), Just(v).prop_shuffle()))
}

fn officer_rate() -> impl Strategy<Value = OfficerRate> {
    (0..40_u32, proptest::option::of(0..3_u8), 0..600_u32, 0.0..1.0_f64).prop_map(|(id, department, n, share)| OfficerRate {
        officer: format!("OFF-{id}"),
        district: "peshawar".into(),
        department: department.map(|d| format!("dept-{d}")),
        n,
        // Mostly near 2%, sometimes anything up to n.
        k: if share < 0.8 { (f64::from(n) * share * 0.05) as u32 } else { (f64::from(n) * share) as u32 },
    })
}

fn challans() -> impl Strategy<Value = Vec<ChallanFacts>> {
    let facts = (0..2_u8, proptest::option::of(0..3_u8), proptest::option::of(0..4_u8), 0..10_800_i64, 0..4_u8);
    proptest::collection::vec(facts, 0..40).prop_map(|rows| {
        rows.into_iter()
            .enumerate()
            .map(|(i, (head, cnic, vehicle, at, status))| ChallanFacts {
                challan_no: format!("{:015}", 260_301_000_000_000_u64 + i as u64),
                officer: format!("OFF-{}", i % 3),
                district: "mardan".into(),
                department: None,
                head: ["DA-ENC-01", "TR-SPD-02"][usize::from(head)].into(),
                cnic: cnic.map(|c| ["17301-1234567-1", "1730112345671", "0000000000000"][usize::from(c)].into()),
                vehicle: vehicle.map(|v| ["PSH-1234", "psh 1234", "ABC-99", "n/a"][usize::from(v)].into()),
                issued_at: T0 + at,
                lat: 34.0,
                lon: 72.0,
                issuer_no: 1,
                counter: u32::try_from(i).unwrap_or(0),
                status: ["issued", "paid", "cancelled", "waived"][usize::from(status)].into(),
            })
            .collect()
    })
}

fn issuer() -> impl Strategy<Value = IssuerCounters> {
    (0..4_u32, proptest::collection::vec((0..60_u32, -400_000..0_i64), 0..30)).prop_map(|(issuer_no, counters)| IssuerCounters {
        issuer_no,
        district: "swat".into(),
        counters: counters.into_iter().map(|(c, ago)| (c, T0 + ago)).collect(),
    })
}

fn requests_and_inquiries() -> impl Strategy<Value = (Vec<ReliefRequest>, Vec<Inquiry>)> {
    let request = (0..4_u8, 0..2_u8, 0..3_u8, 0..1_000_000_i64).prop_map(|(challan, officer, by, at)| ReliefRequest {
        challan_no: format!("C{challan}"),
        officer: format!("OFF-{officer}"),
        requested_by: format!("OFF-{by}"),
        requested_at: T0 + at,
        district: "kohat".into(),
        department: None,
    });
    let inquiry = (0..4_u8, 0..1_000_000_i64, 0..3_u8).prop_map(|(challan, at, bank)| Inquiry {
        challan_no: format!("C{challan}"),
        at: T0 + at,
        bank: ["HBL", "MCB", "UBL"][usize::from(bank)].into(),
    });
    (proptest::collection::vec(request, 0..20), proptest::collection::vec(inquiry, 0..30))
}

/// Counts by hour where each hour is either busy or nearly empty, as days and nights are.
fn by_hour(busy: u32) -> impl Strategy<Value = [u32; 24]> {
    proptest::array::uniform24(prop_oneof![0..4_u32, busy / 2..busy])
}

fn officer_hours() -> impl Strategy<Value = OfficerHours> {
    (0..10_u32, proptest::collection::vec(0..2_000_000_i64, 0..40), by_hour(400)).prop_map(|(id, times, history_by_hour)| OfficerHours {
        officer: format!("OFF-{id}"),
        district: "bannu".into(),
        department: None,
        recent: times.into_iter().enumerate().map(|(i, at)| (format!("{id}-{i}"), T0 + at)).collect(),
        history_by_hour,
    })
}

fn officer_places() -> impl Strategy<Value = OfficerPlaces> {
    let offset = || (-0.05..0.05_f64, -0.05..0.05_f64);
    let far = (-1.5..1.5_f64, -1.5..1.5_f64, 0..1_000_000_i64);
    (0..10_u32, proptest::collection::vec(offset(), 0..40), proptest::collection::vec(far, 0..15)).prop_map(|(id, usual, recent)| OfficerPlaces {
        officer: format!("OFF-{id}"),
        district: "abbottabad".into(),
        department: None,
        usual: usual.into_iter().map(|(dlat, dlon)| (34.15 + dlat, 73.2 + dlon)).collect(),
        recent: recent.into_iter().enumerate().map(|(i, (dlat, dlon, at))| (format!("{id}-{i}"), 34.15 + dlat, 73.2 + dlon, T0 + at)).collect(),
    })
}

proptest! {
    // Failures are reported, not written next to the crate: reproduce them from the seed.
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn rate_outliers_keep_their_keys_in_any_order((rows, reordered) in shuffled(proptest::collection::vec(officer_rate(), 0..60)), waiver in any::<bool>()) {
        let kind = if waiver { RateKind::Waiver } else { RateKind::Cancellation };
        let params = RateParams { min_peer_challans: 100, ..RateParams::default() };
        let keys = checked_keys(&rate_outliers(kind, &rows, 20_513, &params))?;
        prop_assert_eq!(&keys, &checked_keys(&rate_outliers(kind, &rows, 20_513, &params))?);
        prop_assert_eq!(keys, checked_keys(&rate_outliers(kind, &reordered, 20_513, &params))?);
    }

    #[test]
    fn duplicates_keep_their_keys_in_any_order((rows, reordered) in shuffled(challans())) {
        let keys = checked_keys(&duplicates(&rows, &DuplicateParams::default()))?;
        prop_assert_eq!(&keys, &checked_keys(&duplicates(&rows, &DuplicateParams::default()))?);
        prop_assert_eq!(keys, checked_keys(&duplicates(&reordered, &DuplicateParams::default()))?);
    }

    #[test]
    fn counter_gaps_keep_their_keys_in_any_order((rows, reordered) in shuffled(proptest::collection::vec(issuer(), 0..6))) {
        let keys = checked_keys(&counter_gaps(&rows, T0, &CounterGapParams::default()))?;
        prop_assert_eq!(&keys, &checked_keys(&counter_gaps(&rows, T0, &CounterGapParams::default()))?);
        prop_assert_eq!(keys, checked_keys(&counter_gaps(&reordered, T0, &CounterGapParams::default()))?);
    }

    #[test]
    fn own_cancellations_keep_their_keys_in_any_order(((requests, inquiries), reordered) in requests_and_inquiries().prop_flat_map(|(r, i)| (Just((r, i.clone())), Just(i).prop_shuffle()))) {
        let keys = checked_keys(&own_cancellation_after_inquiry(&requests, &inquiries, &InquiryParams::default()))?;
        prop_assert_eq!(&keys, &checked_keys(&own_cancellation_after_inquiry(&requests, &inquiries, &InquiryParams::default()))?);
        prop_assert_eq!(keys, checked_keys(&own_cancellation_after_inquiry(&requests, &reordered, &InquiryParams::default()))?);
    }

    #[test]
    fn unusual_hours_keep_their_keys_in_any_order((rows, reordered) in shuffled(proptest::collection::vec(officer_hours(), 0..8)), peers in by_hour(3_000)) {
        let keys = checked_keys(&unusual_hours(&rows, peers, &UnusualHourParams::default()))?;
        prop_assert_eq!(&keys, &checked_keys(&unusual_hours(&rows, peers, &UnusualHourParams::default()))?);
        prop_assert_eq!(keys, checked_keys(&unusual_hours(&reordered, peers, &UnusualHourParams::default()))?);
    }

    #[test]
    fn far_from_usual_keeps_its_keys_in_any_order((rows, reordered) in shuffled(proptest::collection::vec(officer_places(), 0..8))) {
        let keys = checked_keys(&far_from_usual(&rows, &FarFromUsualParams::default()))?;
        prop_assert_eq!(&keys, &checked_keys(&far_from_usual(&rows, &FarFromUsualParams::default()))?);
        prop_assert_eq!(keys, checked_keys(&far_from_usual(&reordered, &FarFromUsualParams::default()))?);
    }

    #[test]
    fn revenue_shifts_quote_their_levels(day in -100_000..100_000_i64, before in 0..i64::MAX / 2, after in 0..i64::MAX / 2, wait in 0..60_i64) {
        checked_keys(&[Flag::revenue_shift("dir-lower", day, before, after, day + wait)])?;
    }

    #[test]
    fn karachi_days_and_hours_agree_with_a_shifted_clock(unix in -10_000_000_000..10_000_000_000_i64) {
        let shifted = unix + 5 * 3_600;
        prop_assert_eq!(karachi_day(unix), shifted.div_euclid(86_400));
        prop_assert_eq!(i64::from(karachi_hour(unix)), shifted.rem_euclid(86_400) / 3_600);
    }
}
