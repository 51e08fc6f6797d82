//! Karachi local hours and days from Unix seconds. Pakistan keeps UTC+5 all year (no
//! daylight saving since 2009), so a fixed offset is exact and needs no zone database.

/// Seconds Karachi is ahead of UTC.
pub(crate) const KARACHI_OFFSET_SECS: i64 = 5 * 3_600;
pub(crate) const SECS_PER_DAY: i64 = 86_400;
pub(crate) const SECS_PER_HOUR: i64 = 3_600;

/// The hour of the day (0–23) in Karachi at `unix_seconds`.
pub fn karachi_hour(unix_seconds: i64) -> u8 {
    // Work on the second of the UTC day so no instant, however extreme, overflows.
    let local_second = (unix_seconds.rem_euclid(SECS_PER_DAY) + KARACHI_OFFSET_SECS) % SECS_PER_DAY;
    // local_second / 3600 is 0..=23.
    u8::try_from(local_second / SECS_PER_HOUR).unwrap_or(0)
}

/// Days since 1970-01-01 of the Karachi calendar date at `unix_seconds` (the same count the
/// rest of mahasil uses for local days).
pub fn karachi_day(unix_seconds: i64) -> i64 {
    unix_seconds.div_euclid(SECS_PER_DAY) + (unix_seconds.rem_euclid(SECS_PER_DAY) + KARACHI_OFFSET_SECS) / SECS_PER_DAY
}

/// The civil date (year, month, day) of a day count since 1970-01-01 (proleptic Gregorian;
/// Howard Hinnant's `civil_from_days`).
pub(crate) fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    // day is 1..=31 and month 1..=12 by construction.
    (year, u32::try_from(month).unwrap_or(1), u32::try_from(day).unwrap_or(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-03-01T00:00:00Z, checked against `date -u -d 2026-03-01 +%s`.
    const MARCH_1_2026_UTC: i64 = 1_772_323_200;

    #[test]
    fn karachi_is_five_hours_ahead_so_the_local_day_turns_at_19_utc() {
        let before = MARCH_1_2026_UTC + 18 * 3_600 + 59 * 60 + 59; // 18:59:59Z = 23:59:59 PKT
        let after = before + 1; // 19:00:00Z = 00:00 PKT next day
        assert_eq!(karachi_hour(before), 23);
        assert_eq!(karachi_hour(after), 0);
        assert_eq!(karachi_day(after) - karachi_day(before), 1);
        assert_eq!(karachi_day(MARCH_1_2026_UTC), MARCH_1_2026_UTC / 86_400);
        assert_eq!(karachi_hour(MARCH_1_2026_UTC), 5);
    }

    #[test]
    fn the_epoch_and_instants_before_it_fall_on_the_right_local_day() {
        assert_eq!(karachi_day(0), 0);
        assert_eq!(karachi_hour(0), 5);
        // 1969-12-31T19:00:00Z is already 1970-01-01 in Karachi.
        assert_eq!(karachi_day(-5 * 3_600), 0);
        assert_eq!(karachi_day(-5 * 3_600 - 1), -1);
        assert_eq!(karachi_hour(-5 * 3_600 - 1), 23);
    }

    #[test]
    fn extreme_instants_do_not_overflow() {
        assert!(karachi_hour(i64::MAX) < 24);
        assert!(karachi_hour(i64::MIN) < 24);
        assert!(karachi_day(i64::MAX) > 0);
        assert!(karachi_day(i64::MIN) < 0);
    }

    #[test]
    fn day_counts_become_civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(civil_from_days(MARCH_1_2026_UTC / 86_400), (2026, 3, 1));
        assert_eq!(civil_from_days(MARCH_1_2026_UTC / 86_400 - 1), (2026, 2, 28));
        // 2024 is a leap year: 2024-02-29 is day 19782.
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
    }
}
