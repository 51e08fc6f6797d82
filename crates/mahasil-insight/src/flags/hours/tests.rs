use super::*;

/// 2026-03-01 00:00 PKT is 2026-02-28 19:00 UTC.
const MIDNIGHT_PKT: i64 = 1_772_323_200 - 5 * 3_600;
const HOUR: i64 = 3_600;

/// A province's challans by Karachi hour: busy 08:00–20:59, thinner at the edges of the day,
/// about 0.1% in each hour from 23:00 to 05:59.
fn peers() -> [u32; 24] {
    let mut by_hour = [0_u32; 24];
    for (hour, count) in by_hour.iter_mut().enumerate() {
        *count = match hour {
            8..=20 => 7_000,
            6 | 7 | 21 | 22 => 2_000,
            _ => 100,
        };
    }
    by_hour
}

/// An officer who works 09:00–17:59.
fn day_shift_history() -> [u32; 24] {
    let mut by_hour = [0_u32; 24];
    for count in &mut by_hour[9..18] {
        *count = 300;
    }
    by_hour
}

/// `day_shift` challans at 10:00 on successive days, then one challan at each local hour given.
fn officer(day_shift: usize, night_hours: &[i64], history: [u32; 24]) -> OfficerHours {
    let mut recent: Vec<(String, i64)> = (0..day_shift).map(|d| (format!("day-{d:02}"), MIDNIGHT_PKT + d as i64 * 86_400 + 10 * HOUR)).collect();
    recent.extend(night_hours.iter().enumerate().map(|(d, &hour)| (format!("night-{d:02}"), MIDNIGHT_PKT + d as i64 * 86_400 + hour * HOUR)));
    OfficerHours { officer: "OFF-22".into(), district: "kohat".into(), department: None, recent, history_by_hour: history }
}

#[test]
fn six_challans_between_01_and_03_from_a_day_shift_officer_are_flagged() {
    let flags = unusual_hours(&[officer(34, &[1, 2, 3, 1, 2, 2], day_shift_history())], peers(), &UnusualHourParams::default());
    assert_eq!(flags.len(), 1);
    let flag = &flags[0];
    assert_eq!(flag.key, format!("hour:OFF-22:{}", MIDNIGHT_PKT.div_euclid(86_400) + 1));
    assert_eq!(flag.challans, ["night-00", "night-01", "night-02", "night-03", "night-04", "night-05"]);
    let Evidence::UnusualHour { unusual_count, recent_count, ref hours, peer_share, officer_share } = flag.evidence else {
        unreachable!("an hour flag carries hour evidence")
    };
    assert_eq!((unusual_count, recent_count, hours.as_slice()), (6, 40, [1_u8, 2, 3].as_slice()));
    let total: f64 = peers().iter().map(|&c| f64::from(c)).sum();
    assert!((peer_share - 300.0 / total).abs() < 1e-12);
    assert_eq!(officer_share, 0.0);
    assert_eq!(
        flag.summary_en,
        "6 of 40 recent challans by OFF-22 issued at hours when peers issue 0.3% of theirs (01:00, 02:00, 03:00 PKT); the officer's own history 0.0%"
    );
    assert!(flag.summary_ur.contains("40") && flag.summary_ur.contains(" 6 ") && flag.summary_ur.contains("0.3%"));
}

#[test]
fn one_challan_at_02_is_a_late_stop_not_a_pattern() {
    assert!(unusual_hours(&[officer(39, &[2], day_shift_history())], peers(), &UnusualHourParams::default()).is_empty());
}

#[test]
fn four_night_challans_are_one_short_of_a_pattern() {
    assert!(unusual_hours(&[officer(36, &[1, 2, 3, 4], day_shift_history())], peers(), &UnusualHourParams::default()).is_empty());
}

#[test]
fn a_night_patrol_working_its_usual_hours_is_not_flagged() {
    let mut night_patrol = [0_u32; 24];
    for hour in [22, 23, 0, 1, 2, 3] {
        night_patrol[hour] = 400;
    }
    assert!(unusual_hours(&[officer(0, &[1, 2, 3, 1, 2, 23, 0], night_patrol)], peers(), &UnusualHourParams::default()).is_empty());
}

#[test]
fn hours_are_karachi_hours_so_07_pkt_at_02_utc_is_ordinary() {
    // Seven challans at 07:00 PKT (02:00 UTC): a night hour in UTC, a working one in Karachi.
    assert!(unusual_hours(&[officer(10, &[7, 7, 7, 7, 7, 7, 7], day_shift_history())], peers(), &UnusualHourParams::default()).is_empty());
    // The same seven at 02:00 PKT are flagged.
    assert_eq!(unusual_hours(&[officer(10, &[2, 2, 2, 2, 2, 2, 2], day_shift_history())], peers(), &UnusualHourParams::default()).len(), 1);
}

#[test]
fn more_night_challans_score_higher() {
    let mut five = officer(30, &[1, 2, 3, 1, 2], day_shift_history());
    five.officer = "OFF-5".into();
    let ten = officer(30, &[1, 2, 3, 1, 2, 1, 2, 3, 1, 2], day_shift_history());
    let flags = unusual_hours(&[five, ten], peers(), &UnusualHourParams::default());
    let subjects: Vec<&str> = flags.iter().map(|f| f.subject.as_str()).collect();
    assert_eq!(subjects, ["OFF-22", "OFF-5"]);
    assert!(flags[0].score > flags[1].score);
}

#[test]
fn peers_with_too_little_data_say_nothing_about_any_hour() {
    let mut sparse = [0_u32; 24];
    sparse[12] = 500;
    assert!(unusual_hours(&[officer(30, &[1, 2, 3, 1, 2, 1], day_shift_history())], sparse, &UnusualHourParams::default()).is_empty());
}
