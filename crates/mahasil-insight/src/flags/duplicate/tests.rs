use super::*;

const T0: i64 = 1_772_323_200 + 6 * 3_600; // 2026-03-01 11:00 PKT

fn challan(no: &str, head: &str, cnic: Option<&str>, vehicle: Option<&str>, minutes: i64) -> ChallanFacts {
    ChallanFacts {
        challan_no: no.into(),
        officer: "OFF-1".into(),
        district: "peshawar".into(),
        department: Some("traffic".into()),
        head: head.into(),
        cnic: cnic.map(Into::into),
        vehicle: vehicle.map(Into::into),
        issued_at: T0 + minutes * 60,
        lat: 34.0,
        lon: 71.5,
        issuer_no: 7,
        counter: 1,
        status: "issued".into(),
    }
}

const CNIC_A: &str = "17301-1234567-1";
const CNIC_B: &str = "17301-7654321-9";

#[test]
fn same_head_and_cnic_twelve_minutes_apart_is_one_flag_for_the_pair() {
    let challans = [challan("100000000000001", "DA-ENC-01", Some(CNIC_A), None, 0), challan("100000000000002", "DA-ENC-01", Some("1730112345671"), None, 12)];
    let flags = duplicates(&challans, &DuplicateParams::default());
    assert_eq!(flags.len(), 1);
    let flag = &flags[0];
    assert_eq!(flag.key, "dup:100000000000001:100000000000002");
    assert_eq!(flag.subject, "100000000000001");
    assert_eq!(flag.challans, ["100000000000001", "100000000000002"]);
    assert_eq!(flag.summary_en, "2 challans under DA-ENC-01 for the same CNIC within 12 min, by one officer");
    assert!(flag.summary_ur.contains("12 منٹ") && flag.summary_ur.contains("2 چالان"));
    assert_eq!(
        flag.evidence,
        Evidence::Duplicate {
            head: "DA-ENC-01".into(),
            matched_on: vec![IdentityMatch::Cnic],
            challan_count: 2,
            span_secs: 720,
            shortest_gap_secs: 720,
            officers: vec!["OFF-1".into()]
        }
    );
    assert!(!flag.summary_en.contains("1234567"), "a flag must not print the CNIC");
}

#[test]
fn a_vehicle_written_with_different_spacing_and_case_is_the_same_vehicle() {
    let challans = [challan("1", "TR-SPD-02", None, Some("PSH-1234"), 0), challan("2", "TR-SPD-02", None, Some("psh 12 34"), 5)];
    let flags = duplicates(&challans, &DuplicateParams::default());
    assert_eq!(flags.len(), 1);
    assert!(flags[0].summary_en.contains("for the same vehicle within 5 min"));
}

#[test]
fn three_challans_chained_ten_minutes_apart_make_one_cluster_though_first_and_last_are_twenty_apart() {
    let params = DuplicateParams { window_secs: 15 * 60 };
    let mut second_officer = challan("B", "TR-SPD-02", None, Some("ABC-123"), 10);
    second_officer.officer = "OFF-2".into();
    // A and C share a CNIC too, but 20 minutes is beyond the window: they are linked
    // through B's vehicle alone.
    let challans = [challan("C", "TR-SPD-02", Some(CNIC_A), Some("ABC 123"), 20), second_officer, challan("A", "TR-SPD-02", Some(CNIC_A), Some("abc123"), 0)];
    let flags = duplicates(&challans, &params);
    assert_eq!(flags.len(), 1);
    assert_eq!(flags[0].key, "dup:A:B");
    assert_eq!(flags[0].challans, ["A", "B", "C"]);
    assert!(matches!(&flags[0].evidence, Evidence::Duplicate { challan_count: 3, span_secs: 1_200, shortest_gap_secs: 600, matched_on, officers, .. }
        if matched_on == &[IdentityMatch::Vehicle] && officers == &["OFF-1", "OFF-2"]));
    assert_eq!(flags[0].summary_en, "3 challans under TR-SPD-02 for the same vehicle within 20 min, by 2 officers");
}

#[test]
fn a_pair_matching_on_both_cnic_and_vehicle_says_so() {
    let challans = [challan("1", "TR-SPD-02", Some(CNIC_A), Some("ABC-123"), 0), challan("2", "TR-SPD-02", Some(CNIC_A), Some("ABC123"), 3)];
    let flags = duplicates(&challans, &DuplicateParams::default());
    assert_eq!(flags.len(), 1);
    assert_eq!(flags[0].summary_en, "2 challans under TR-SPD-02 for the same CNIC and vehicle within 3 min, by one officer");
}

#[test]
fn the_same_offender_under_a_different_head_is_not_a_duplicate() {
    let challans = [challan("1", "TR-SPD-02", Some(CNIC_A), Some("ABC-123"), 0), challan("2", "TR-PRK-01", Some(CNIC_A), Some("ABC-123"), 2)];
    assert!(duplicates(&challans, &DuplicateParams::default()).is_empty());
}

#[test]
fn the_same_head_and_offender_three_hours_apart_is_not_a_duplicate() {
    let challans = [challan("1", "TR-SPD-02", Some(CNIC_A), Some("ABC-123"), 0), challan("2", "TR-SPD-02", Some(CNIC_A), Some("ABC-123"), 180)];
    assert!(duplicates(&challans, &DuplicateParams::default()).is_empty());
}

#[test]
fn different_offenders_under_the_same_head_in_the_same_minute_are_not_duplicates() {
    let challans = [challan("1", "TR-SPD-02", Some(CNIC_A), Some("ABC-123"), 0), challan("2", "TR-SPD-02", Some(CNIC_B), Some("ABC-124"), 0)];
    assert!(duplicates(&challans, &DuplicateParams::default()).is_empty());
}

#[test]
fn placeholder_identities_link_nobody() {
    let challans = [
        challan("1", "DA-ENC-01", Some("0000000000000"), Some("N/A"), 0),
        challan("2", "DA-ENC-01", Some("00000-0000000-0"), Some("n/a"), 1),
        challan("3", "DA-ENC-01", Some("12345"), Some("UNKNOWN"), 2),
        challan("4", "DA-ENC-01", Some("12345"), Some("unknown"), 3),
    ];
    assert!(duplicates(&challans, &DuplicateParams::default()).is_empty());
}

#[test]
fn a_cancelled_copy_is_already_put_right() {
    let mut cancelled = challan("2", "DA-ENC-01", Some(CNIC_A), None, 3);
    cancelled.status = "cancelled".into();
    let challans = [challan("1", "DA-ENC-01", Some(CNIC_A), None, 0), cancelled];
    assert!(duplicates(&challans, &DuplicateParams::default()).is_empty());
}

#[test]
fn the_same_challan_listed_twice_is_not_its_own_duplicate() {
    let one = challan("1", "DA-ENC-01", Some(CNIC_A), None, 0);
    assert!(duplicates(&[one.clone(), one], &DuplicateParams::default()).is_empty());
}

#[test]
fn separate_pairs_give_separate_flags_closest_first() {
    let challans = [
        challan("1", "DA-ENC-01", Some(CNIC_A), None, 0),
        challan("2", "DA-ENC-01", Some(CNIC_A), None, 25),
        challan("3", "DA-ENC-01", Some(CNIC_B), None, 0),
        challan("4", "DA-ENC-01", Some(CNIC_B), None, 1),
    ];
    let flags = duplicates(&challans, &DuplicateParams::default());
    let keys: Vec<&str> = flags.iter().map(|f| f.key.as_str()).collect();
    assert_eq!(keys, ["dup:3:4", "dup:1:2"]);
    assert!(flags[0].score > flags[1].score);
}
