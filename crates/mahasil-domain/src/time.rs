//! Times are stored in UTC and shown in Asia/Karachi (UTC+5, no daylight saving).

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::{Offset, TimeZone};

/// Pakistan Standard Time. A fixed offset: Pakistan has kept no daylight saving since 2009,
/// and a fixed zone needs no time-zone database on the host.
pub fn pakistan() -> TimeZone {
    TimeZone::fixed(Offset::constant(5))
}

/// The calendar date in Pakistan at instant `at`.
pub fn local_date(at: Timestamp) -> Date {
    at.to_zoned(pakistan()).date()
}

/// Days since 1970-01-01 (the seal's due-date claim).
pub fn days_since_epoch(date: Date) -> i64 {
    let epoch = Date::constant(1970, 1, 1);
    i64::from((date - epoch).get_days())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_date_crosses_midnight_at_19_utc() -> Result<(), jiff::Error> {
        let before: Timestamp = "2026-03-01T18:59:59Z".parse()?;
        let after: Timestamp = "2026-03-01T19:00:00Z".parse()?;
        assert_eq!(local_date(before), Date::constant(2026, 3, 1));
        assert_eq!(local_date(after), Date::constant(2026, 3, 2));
        assert_eq!(days_since_epoch(Date::constant(1970, 1, 2)), 1);
        Ok(())
    }
}
