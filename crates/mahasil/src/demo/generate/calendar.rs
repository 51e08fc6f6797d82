//! When challans are issued: how many on each day of the window, and at what time of day.
//!
//! A day's volume is the product of growth (about 15% a year), the day of the week (offices
//! work Monday to Saturday; Friday afternoons are short, Sunday is nearly idle), the season
//! (short winter days, the summer heat, the busy months after it), Ramadan (shorter office
//! hours) and the Eid holidays (almost nothing), public holidays, and a little noise. Days
//! are Pakistan days, counted from 1970-01-01; times are Unix seconds.

use jiff::Span;
use jiff::civil::Date;
use rand::Rng;
use rand::distributions::{Distribution, WeightedIndex};
use rand::rngs::StdRng;

/// Seconds from midnight UTC to midnight in Pakistan (UTC+5), backwards.
pub(super) const PAKISTAN_OFFSET_SECS: i64 = 5 * 3_600;
pub(super) const SECS_PER_DAY: i64 = 86_400;
pub(super) const HOUR_SECS: i64 = 3_600;

/// The first day of Ramadan 1446 (2025-03-01) in days since 1970-01-01, and the mean
/// length of the Islamic year in days: later and earlier Ramadans are counted from it.
const RAMADAN_1446_DAY: i64 = 20_148;
const ISLAMIC_YEAR_DAYS: f64 = 354.367;

/// Unix seconds of midnight (Pakistan) starting `day`.
pub(super) fn day_start(day: i64) -> i64 {
    day * SECS_PER_DAY - PAKISTAN_OFFSET_SECS
}

/// The Pakistan day of Unix seconds `at`.
pub(super) fn day_of(at: i64) -> i64 {
    (at + PAKISTAN_OFFSET_SECS).div_euclid(SECS_PER_DAY)
}

/// 0 = Monday .. 6 = Sunday (1970-01-01 was a Thursday).
pub(super) fn weekday(day: i64) -> i64 {
    (day + 3).rem_euclid(7)
}

/// The civil date of `day` (days since 1970-01-01); days are always within jiff's range here
/// (the window is at most ten years around today).
pub(super) fn date_of(day: i64) -> Date {
    Date::constant(1970, 1, 1).checked_add(Span::new().days(day)).unwrap_or(Date::constant(1970, 1, 1))
}

/// Month (1..=12) and day of month of `day`.
pub(super) fn month_and_day(day: i64) -> (u32, u32) {
    let date = date_of(day);
    (date.month().unsigned_abs().into(), date.day().unsigned_abs().into())
}

/// The month of `day` as the rollups key it: YYYYMM.
pub(super) fn year_month(day: i64) -> i64 {
    let date = date_of(day);
    i64::from(date.year()) * 100 + i64::from(date.month())
}

/// What kind of day `day` is in the Islamic calendar, approximately (the moon is sighted
/// locally; a day either way does not matter here).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Season {
    Ordinary,
    Ramadan,
    Eid,
}

pub(super) fn season(day: i64) -> Season {
    let k = ((day - RAMADAN_1446_DAY) as f64 / ISLAMIC_YEAR_DAYS).floor() as i64;
    for year in [k - 1, k, k + 1] {
        let start = RAMADAN_1446_DAY + (year as f64 * ISLAMIC_YEAR_DAYS).round() as i64;
        let offset = day - start;
        if (0..30).contains(&offset) {
            return Season::Ramadan;
        }
        // Eid ul-Fitr (three days off) and Eid ul-Adha (three days off, 70 days later).
        if (30..33).contains(&offset) || (99..102).contains(&offset) {
            return Season::Eid;
        }
    }
    Season::Ordinary
}

/// Relative volume by month: short winter days, the heat of June and July, the busy autumn.
const MONTH_FACTOR: [f64; 12] = [0.86, 0.90, 1.0, 1.03, 1.05, 0.95, 0.90, 0.97, 1.04, 1.08, 1.05, 0.90];

/// Relative volume by day of the week, Monday first.
const WEEKDAY_FACTOR: [f64; 7] = [1.0, 1.0, 1.0, 1.0, 0.72, 0.88, 0.30];

/// Public holidays (month, day) with their factor: Kashmir Day, Pakistan Day, Labour Day,
/// Independence Day, Iqbal Day, Quaid-e-Azam Day.
const HOLIDAYS: [(u32, u32, f64); 6] = [(2, 5, 0.4), (3, 23, 0.3), (5, 1, 0.5), (8, 14, 0.2), (11, 9, 0.5), (12, 25, 0.4)];

/// Growth of the volume per year.
pub(super) const YEARLY_GROWTH: f64 = 1.15;

/// The relative volume of `day`, the window starting at `first_day`, without noise.
pub(super) fn day_weight(day: i64, first_day: i64) -> f64 {
    let growth = YEARLY_GROWTH.powf((day - first_day) as f64 / 365.25);
    let (month, dom) = month_and_day(day);
    let month_factor = MONTH_FACTOR[(month as usize).saturating_sub(1).min(11)];
    let weekday_factor = WEEKDAY_FACTOR[weekday(day) as usize];
    let holiday = HOLIDAYS.iter().find(|(m, d, _)| *m == month && *d == dom).map_or(1.0, |h| h.2);
    let islamic = match season(day) {
        Season::Ordinary => 1.0,
        Season::Ramadan => 0.72,
        Season::Eid => 0.12,
    };
    growth * month_factor * weekday_factor * holiday * islamic
}

/// How many challans each day of the window gets: `total` spread by the days' weights
/// (with ±6% noise), each day's share rounded so that the days add up to `total` exactly.
/// `scale(day)` lowers or raises a day's volume further (a district's drop).
pub(super) fn daily_counts(rng: &mut StdRng, first_day: i64, days: usize, total: u64, scale: impl Fn(i64) -> f64) -> Vec<u64> {
    let weights: Vec<f64> = (0..days as i64)
        .map(|i| {
            let noise: f64 = 1.0 + 0.06 * (rng.r#gen::<f64>() + rng.r#gen::<f64>() + rng.r#gen::<f64>() - 1.5) * 2.0;
            day_weight(first_day + i, first_day) * noise.max(0.5) * scale(first_day + i)
        })
        .collect();
    let sum: f64 = weights.iter().sum();
    let exact: Vec<f64> = weights.iter().map(|w| w / sum * total as f64).collect();
    let mut counts: Vec<u64> = exact.iter().map(|e| e.floor() as u64).collect();
    let assigned: u64 = counts.iter().sum();
    let mut by_remainder: Vec<usize> = (0..days).collect();
    by_remainder.sort_by(|&a, &b| (exact[b] - exact[b].floor()).total_cmp(&(exact[a] - exact[a].floor())).then(a.cmp(&b)));
    for &i in by_remainder.iter().cycle().take(usize::try_from(total.saturating_sub(assigned)).unwrap_or(0)) {
        counts[i] += 1;
    }
    counts
}

/// Issue hours, 0..24, by weight: office hours with a peak before noon and the lunch and
/// prayer break, a little early and late work. Friday prayers empty the early afternoon;
/// in Ramadan offices close early.
pub(super) struct Hours {
    ordinary: WeightedIndex<f64>,
    friday: WeightedIndex<f64>,
    ramadan: WeightedIndex<f64>,
}

#[rustfmt::skip]
const ORDINARY_HOURS: [f64; 24] = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.5, 2.0, 6.0, 10.0, 12.0, 11.0, 7.0, 9.0, 9.0, 8.0, 6.0, 3.0, 1.5, 1.0, 0.5, 0.0, 0.0];

impl Hours {
    pub(super) fn new() -> anyhow::Result<Self> {
        let mut friday = ORDINARY_HOURS;
        friday[13] = 0.8;
        friday[14] = 3.0;
        let mut ramadan = ORDINARY_HOURS;
        for (h, w) in ramadan.iter_mut().enumerate() {
            if h >= 15 {
                *w *= 0.25;
            }
        }
        Ok(Self { ordinary: WeightedIndex::new(ORDINARY_HOURS)?, friday: WeightedIndex::new(friday)?, ramadan: WeightedIndex::new(ramadan)? })
    }

    /// A moment of `day` at which challans are issued.
    pub(super) fn moment(&self, rng: &mut StdRng, day: i64) -> i64 {
        let hours = if season(day) == Season::Ramadan {
            &self.ramadan
        } else if weekday(day) == 4 {
            &self.friday
        } else {
            &self.ordinary
        };
        let hour = hours.sample(rng) as i64;
        day_start(day) + hour * 3_600 + rng.gen_range(0..3_600)
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    #[test]
    fn civil_dates_and_weekdays() {
        // 2025-03-01 was a Saturday.
        assert_eq!(month_and_day(RAMADAN_1446_DAY), (3, 1));
        assert_eq!(weekday(RAMADAN_1446_DAY), 5);
        assert_eq!(month_and_day(0), (1, 1));
        assert_eq!(date_of(20_512), Date::constant(2026, 2, 28));
        assert_eq!(year_month(20_513), 202_603);
        assert_eq!(year_month(-1), 196_912);
        assert_eq!(day_of(day_start(20_000)), 20_000);
        assert_eq!(day_of(day_start(20_000) - 1), 19_999);
    }

    #[test]
    fn ramadan_and_eid_move_back_about_eleven_days_a_year() {
        assert_eq!(season(RAMADAN_1446_DAY), Season::Ramadan);
        assert_eq!(season(RAMADAN_1446_DAY + 30), Season::Eid);
        assert_eq!(season(RAMADAN_1446_DAY + 100), Season::Eid);
        assert_eq!(season(RAMADAN_1446_DAY + 60), Season::Ordinary);
        // Ramadan 1447 began on 2026-02-18 or 19: day 20502 is 2026-02-18.
        assert_eq!(season(20_503), Season::Ramadan);
        assert_eq!(season(20_500), Season::Ordinary);
    }

    #[test]
    fn the_days_add_up_and_sundays_are_quiet() {
        let mut rng = StdRng::seed_from_u64(1);
        let counts = daily_counts(&mut rng, 20_000, 28, 100_000, |_| 1.0);
        assert_eq!(counts.iter().sum::<u64>(), 100_000);
        let sundays: u64 = (0..28).filter(|&i| weekday(20_000 + i) == 6).map(|i| counts[i as usize]).sum();
        let mondays: u64 = (0..28).filter(|&i| weekday(20_000 + i) == 0).map(|i| counts[i as usize]).sum();
        assert!(sundays * 2 < mondays, "{sundays} {mondays}");
    }

    #[test]
    fn most_challans_are_issued_in_office_hours() -> anyhow::Result<()> {
        let hours = Hours::new()?;
        let mut rng = StdRng::seed_from_u64(2);
        let day = 20_100;
        let in_office = (0..10_000).filter(|_| (9..18).contains(&((hours.moment(&mut rng, day) - day_start(day)) / 3_600))).count();
        assert!(in_office > 8_500, "{in_office}");
        Ok(())
    }
}
