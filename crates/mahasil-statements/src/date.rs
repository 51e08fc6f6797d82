//! Calendar dates as statements write them: ISO `YYYY-MM-DD` (CSV, camt.053) and SWIFT
//! `YYMMDD` / `MMDD` (MT940). Strict: exactly those digits, and a real calendar day.

use jiff::civil::Date;

/// `2025-01-15`, nothing before or after it.
pub(crate) fn parse_iso(text: &str) -> Option<Date> {
    let bytes = text.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let year = number(&bytes[0..4])?;
    calendar_day(year, number(&bytes[5..7])?, number(&bytes[8..10])?)
}

/// `2025-01-15T10:30:00+05:00` and the like: an ISO date-time, of which the date as written
/// is the bank's booking day. The time part must look like one but is not used.
pub(crate) fn parse_iso_date_time(text: &str) -> Option<Date> {
    let (date, time) = text.split_at_checked(10)?;
    let time = time.strip_prefix('T')?;
    let clock = time.as_bytes().get(..8)?;
    let looks_like_time = clock[2] == b':' && clock[5] == b':' && [0, 1, 3, 4, 6, 7].iter().all(|&i| clock[i].is_ascii_digit());
    if !looks_like_time {
        return None;
    }
    parse_iso(date)
}

/// SWIFT `YYMMDD`: years 80 to 99 are 1980 to 1999, the rest 2000 to 2079.
pub(crate) fn parse_yymmdd(text: &str) -> Option<Date> {
    let bytes = text.as_bytes();
    if bytes.len() != 6 {
        return None;
    }
    let yy = number(&bytes[0..2])?;
    let year = if yy >= 80 { 1900 + yy } else { 2000 + yy };
    calendar_day(year, number(&bytes[2..4])?, number(&bytes[4..6])?)
}

/// SWIFT `MMDD` (the entry date of an MT940 statement line), in the year that puts it
/// nearest the line's value date: a booking on 0102 of a value date 2024-12-31 is in 2025.
pub(crate) fn parse_mmdd_near(text: &str, near: Date) -> Option<Date> {
    let bytes = text.as_bytes();
    if bytes.len() != 4 {
        return None;
    }
    let (month, day) = (number(&bytes[0..2])?, number(&bytes[2..4])?);
    let near_month = u32::try_from(near.month()).ok()?;
    let near_year = u32::try_from(near.year()).ok()?;
    let year = match (near_month, month) {
        (11..=12, 1..=2) => near_year + 1,
        (1..=2, 11..=12) => near_year.checked_sub(1)?,
        _ => near_year,
    };
    calendar_day(year, month, day)
}

fn number(digits: &[u8]) -> Option<u32> {
    digits.iter().try_fold(0u32, |value, &byte| byte.is_ascii_digit().then(|| value * 10 + u32::from(byte - b'0')))
}

fn calendar_day(year: u32, month: u32, day: u32) -> Option<Date> {
    Date::new(i16::try_from(year).ok()?, i8::try_from(month).ok()?, i8::try_from(day).ok()?).ok()
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    #[test]
    fn reads_real_days_only() {
        assert_eq!(parse_iso("2024-02-29"), Some(date(2024, 2, 29)));
        assert_eq!(parse_iso("2025-02-29"), None);
        assert_eq!(parse_iso("2025-13-01"), None);
        assert_eq!(parse_iso("2025-1-15"), None);
        assert_eq!(parse_iso("2025-01-15 "), None);
        assert_eq!(parse_iso("0000-01-01"), Some(date(0, 1, 1)));
        assert_eq!(parse_iso_date_time("2025-01-15T23:59:59+05:00"), Some(date(2025, 1, 15)));
        assert_eq!(parse_iso_date_time("2025-01-15"), None);
        assert_eq!(parse_yymmdd("250115"), Some(date(2025, 1, 15)));
        assert_eq!(parse_yymmdd("991231"), Some(date(1999, 12, 31)));
        assert_eq!(parse_yymmdd("250230"), None);
        assert_eq!(parse_yymmdd("25011"), None);
        assert_eq!(parse_mmdd_near("0116", date(2025, 1, 15)), Some(date(2025, 1, 16)));
        assert_eq!(parse_mmdd_near("0102", date(2024, 12, 31)), Some(date(2025, 1, 2)));
        assert_eq!(parse_mmdd_near("1231", date(2025, 1, 2)), Some(date(2024, 12, 31)));
        assert_eq!(parse_mmdd_near("0229", date(2025, 3, 1)), None);
    }
}
