//! How numbers are written in flag sentences. One writer per kind of number, so the English
//! and the Urdu sentence quote the same figures in the same form, and the tests can look for
//! exactly that text. Urdu sentences keep Western digits, as Pakistani official Urdu does
//! for figures, so an auditor can compare them with the English at a glance.

use super::time::{KARACHI_OFFSET_SECS, SECS_PER_DAY, civil_from_days, karachi_day};

/// A share as a percentage with one decimal: 0.1234 → "12.3%".
pub(crate) fn percent(share: f64) -> String {
    format!("{:.1}%", share * 100.0)
}

/// A probability in scientific notation with two significant figures: "3.2e-9".
pub(crate) fn probability(p: f64) -> String {
    if p >= 0.01 { format!("{p:.2}") } else { format!("{p:.1e}") }
}

/// An amount of paisa as rupees with thousands separators: 12345678 → "PKR 123,456.78".
pub(crate) fn pkr(paisa: i64) -> String {
    let sign = if paisa < 0 { "-" } else { "" };
    let magnitude = paisa.unsigned_abs();
    let rupees = (magnitude / 100).to_string();
    let mut grouped = String::with_capacity(rupees.len() + rupees.len() / 3);
    for (i, digit) in rupees.chars().enumerate() {
        if i > 0 && (rupees.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    format!("{sign}PKR {grouped}.{:02}", magnitude % 100)
}

/// A local day count as an ISO date: "2026-03-14".
pub(crate) fn date(day: i64) -> String {
    let (year, month, day_of_month) = civil_from_days(day);
    format!("{year:04}-{month:02}-{day_of_month:02}")
}

/// An instant as Karachi local date and minute: "2026-03-14 13:05 PKT".
pub(crate) fn local_time(unix_seconds: i64) -> String {
    let local_second = (unix_seconds.rem_euclid(SECS_PER_DAY) + KARACHI_OFFSET_SECS) % SECS_PER_DAY;
    format!("{} {:02}:{:02} PKT", date(karachi_day(unix_seconds)), local_second / 3_600, local_second % 3_600 / 60)
}

/// A span of seconds in the unit a person would use: "40 s", "12 min", "3.5 h", "4.2 days".
pub(crate) fn duration(secs: i64) -> String {
    let secs_f = secs as f64;
    match secs.unsigned_abs() {
        0..60 => format!("{secs} s"),
        60..3_600 => format!("{} min", secs / 60),
        3_600..172_800 => format!("{:.1} h", secs_f / 3_600.0),
        _ => format!("{:.1} days", secs_f / 86_400.0),
    }
}

/// The same span in Urdu units: "40 سیکنڈ", "12 منٹ", "3.5 گھنٹے", "4.2 دن".
pub(crate) fn duration_ur(secs: i64) -> String {
    let secs_f = secs as f64;
    match secs.unsigned_abs() {
        0..60 => format!("{secs} سیکنڈ"),
        60..3_600 => format!("{} منٹ", secs / 60),
        3_600..172_800 => format!("{:.1} گھنٹے", secs_f / 3_600.0),
        _ => format!("{:.1} دن", secs_f / 86_400.0),
    }
}

/// The figure of a duration that both languages share ("12", "3.5"), for tests that check a
/// sentence quotes its evidence.
#[cfg(test)]
pub(crate) fn duration_figure(secs: i64) -> String {
    duration(secs).split(' ').next().unwrap_or_default().to_owned()
}

/// A distance in kilometres with one decimal: "62.3 km".
pub(crate) fn km(distance_km: f64) -> String {
    format!("{distance_km:.1} km")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rupees_are_grouped_in_thousands_with_paisa_after_the_point() {
        assert_eq!(pkr(0), "PKR 0.00");
        assert_eq!(pkr(5), "PKR 0.05");
        assert_eq!(pkr(100_000), "PKR 1,000.00");
        assert_eq!(pkr(12_345_678), "PKR 123,456.78");
        assert_eq!(pkr(-250_050), "-PKR 2,500.50");
        assert_eq!(pkr(i64::MIN), "-PKR 92,233,720,368,547,758.08");
    }

    #[test]
    fn durations_use_the_unit_a_person_would() {
        assert_eq!(duration(40), "40 s");
        assert_eq!(duration(12 * 60 + 30), "12 min");
        assert_eq!(duration(3 * 3_600 + 1_800), "3.5 h");
        assert_eq!(duration(5 * 86_400), "5.0 days");
        assert_eq!(duration_ur(3 * 3_600 + 1_800), "3.5 گھنٹے");
        assert_eq!(duration_figure(3 * 3_600 + 1_800), "3.5");
    }

    #[test]
    fn local_time_is_karachi_time() {
        // 2026-03-01T19:30:00Z is 2026-03-02 00:30 in Karachi.
        assert_eq!(local_time(1_772_323_200 + 19 * 3_600 + 1_800), "2026-03-02 00:30 PKT");
        assert_eq!(percent(0.121), "12.1%");
        assert_eq!(probability(0.5), "0.50");
        assert_eq!(probability(0.000_032), "3.2e-5");
    }
}
