//! A device's own clock, which may be wrong by days, and the server clock it estimates
//! from the `Date` header of every answer (docs/SYNC.md, signed requests).

use jiff::{SignedDuration, Timestamp};

/// The device's clock: the system clock moved by a fixed skew (zero on a correct device;
/// tests set days to play a phone whose clock is off).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Clock {
    skew_s: i64,
}

impl Clock {
    /// The system clock as it is.
    pub fn system() -> Self {
        Self { skew_s: 0 }
    }

    /// A clock `skew_s` seconds ahead of the system clock (behind when negative).
    pub fn skewed_by(skew_s: i64) -> Self {
        Self { skew_s }
    }

    pub fn skew_s(self) -> i64 {
        self.skew_s
    }

    /// What the device believes the time is.
    pub fn now(self) -> Timestamp {
        let now = Timestamp::now();
        now.checked_add(SignedDuration::from_secs(self.skew_s)).unwrap_or(now)
    }
}

/// The server's clock minus the device's when an answer arrived, in whole seconds, from
/// the answer's `Date` header (IMF-fixdate, e.g. `Sun, 06 Nov 1994 08:49:37 GMT`).
/// `None` when the header is missing or unreadable.
pub fn server_offset_s(date_header: Option<&str>, device_now: Timestamp) -> Option<i64> {
    let server = jiff::fmt::rfc2822::parse(date_header?.trim()).ok()?.timestamp();
    Some(server.as_second() - device_now.as_second())
}

#[cfg(test)]
mod tests {
    use super::*;

    type R = std::result::Result<(), Box<dyn std::error::Error>>;

    #[test]
    fn the_offset_is_read_from_an_http_date() -> R {
        let device: Timestamp = "2026-11-24T09:00:00Z".parse()?;
        let offset = server_offset_s(Some("Fri, 27 Nov 2026 09:00:30 GMT"), device);
        assert_eq!(offset, Some(3 * 86_400 + 30));
        assert_eq!(server_offset_s(Some("yesterday"), device), None);
        assert_eq!(server_offset_s(None, device), None);
        Ok(())
    }

    #[test]
    fn a_skewed_clock_is_off_by_its_skew() {
        let skewed = Clock::skewed_by(-2 * 86_400).now();
        let system = Clock::system().now();
        let off = system.as_second() - skewed.as_second();
        assert!((2 * 86_400..=2 * 86_400 + 1).contains(&off), "{off}");
    }
}
