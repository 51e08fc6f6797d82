use proptest::prelude::*;

use super::*;
use crate::forecast::synthetic::{RevenueShape, daily_revenue, shift_level};

const SEEDS: u64 = 100;
const DAYS: usize = 200;
const SHIFT_DAY: usize = 140;
const MAX_DELAY_DAYS: usize = 3;

/// How a shift of `factor` injected on `SHIFT_DAY` was found across the seeds.
struct ShiftOutcome {
    in_time: usize,
    delays: Vec<usize>,
    changes: Vec<f64>,
}

fn find_injected_shifts(factor: f64, params: &ShiftParams) -> ShiftOutcome {
    let mut outcome = ShiftOutcome { in_time: 0, delays: Vec::new(), changes: Vec::new() };
    for seed in 0..SEEDS {
        let mut series = daily_revenue(&RevenueShape::realistic(DAYS), seed);
        shift_level(&mut series, SHIFT_DAY, factor);
        let shifts = level_shifts(&series, params);
        if shifts.iter().any(|s| s.detected_day < SHIFT_DAY) {
            continue;
        }
        if let Some(first) = shifts.first() {
            let delay = first.detected_day - SHIFT_DAY;
            outcome.in_time += usize::from(delay <= MAX_DELAY_DAYS);
            outcome.delays.push(delay);
            outcome.changes.push(first.relative_change);
        }
    }
    outcome.delays.sort_unstable();
    outcome.changes.sort_by(f64::total_cmp);
    outcome
}

fn assert_found_in_time(factor: f64) {
    let outcome = find_injected_shifts(factor, &ShiftParams::default());
    let median_change = outcome.changes.get(outcome.changes.len() / 2).copied().unwrap_or(f64::NAN);
    eprintln!(
        "shift ×{factor}: found within {MAX_DELAY_DAYS} days in {}/{SEEDS}, delays {:?}, median estimated change {median_change:.3}",
        outcome.in_time, outcome.delays
    );
    assert!(outcome.in_time >= 95, "found in time in only {} of {SEEDS} series", outcome.in_time);
    assert!((median_change - (factor - 1.0)).abs() < 0.1, "estimated change {median_change} for a shift of {}", factor - 1.0);
}

#[test]
fn a_drop_of_35_percent_is_found_within_three_days() {
    assert_found_in_time(0.65);
}

#[test]
fn a_rise_of_35_percent_is_found_within_three_days() {
    assert_found_in_time(1.35);
}

#[test]
fn stationary_revenue_rarely_raises_an_alarm() {
    let alarmed: Vec<u64> =
        (0..SEEDS).filter(|seed| !level_shifts(&daily_revenue(&RevenueShape::stationary(180), 10_000 + seed), &ShiftParams::default()).is_empty()).collect();
    eprintln!("stationary series with an alarm: {}/{SEEDS} ({alarmed:?})", alarmed.len());
    assert!(alarmed.len() < 5, "{} of {SEEDS} stationary series raised an alarm", alarmed.len());
}

#[test]
fn a_weekly_pattern_without_noise_raises_no_alarm() {
    let shape = RevenueShape { noise_sigma: 0.0, zero_day_probability: 0.0, spike_probability: 0.0, ..RevenueShape::stationary(365) };
    for seed in 0..10 {
        assert_eq!(level_shifts(&daily_revenue(&shape, seed), &ShiftParams::default()), Vec::new());
    }
}

/// Series with no alarm of their own, to add one unusual day to.
fn quiet_series(count: usize) -> Vec<Vec<f64>> {
    let clean = RevenueShape { zero_day_probability: 0.0, spike_probability: 0.0, ..RevenueShape::stationary(180) };
    (0..).map(|seed| daily_revenue(&clean, 20_000 + seed)).filter(|series| level_shifts(series, &ShiftParams::default()).is_empty()).take(count).collect()
}

#[test]
fn a_single_day_spike_is_not_a_shift() {
    for series in quiet_series(50) {
        for day in [100, 140] {
            for factor in [2.0, 3.0, 5.0, 20.0] {
                let mut with_spike = series.clone();
                with_spike[day] *= factor;
                assert_eq!(level_shifts(&with_spike, &ShiftParams::default()), Vec::new(), "a spike ×{factor} on day {day}");
            }
        }
    }
}

/// A single day can still tip a run of ordinary luck over the threshold, though it is never
/// more than `SINGLE_DAY_SIGMAS` of it; measured, that happens for about one day in 400.
#[test]
fn a_single_low_or_moderately_high_day_is_rarely_a_shift() {
    let (mut alarms, mut tries) = (0, 0);
    for series in quiet_series(50) {
        for day in [100, 140] {
            for factor in [0.0, 0.5, 1.3, 1.5] {
                let mut with_day = series.clone();
                with_day[day] *= factor;
                alarms += usize::from(!level_shifts(&with_day, &ShiftParams::default()).is_empty());
                tries += 1;
            }
        }
    }
    eprintln!("one unusual day raised an alarm {alarms} times in {tries}");
    assert!(alarms * 100 <= tries, "{alarms} alarms in {tries} series with one unusual day");
}

#[test]
fn collections_that_stop_are_a_fall_of_all_revenue() {
    for seed in 0..10 {
        let mut series = daily_revenue(&RevenueShape::realistic(DAYS), seed);
        shift_level(&mut series, SHIFT_DAY, 0.0);
        let shifts = level_shifts(&series, &ShiftParams::default());
        let first = shifts.iter().find(|s| s.detected_day >= SHIFT_DAY);
        assert!(first.is_some_and(|s| s.detected_day <= SHIFT_DAY + MAX_DELAY_DAYS && s.relative_change == -1.0), "seed {seed}: {shifts:?}");
    }
}

#[test]
fn the_shift_says_where_it_began_and_how_large_it_is() {
    let mut series = daily_revenue(&RevenueShape::stationary(DAYS), 3);
    shift_level(&mut series, SHIFT_DAY, 0.6);
    let shifts = level_shifts(&series, &ShiftParams::default());
    let [shift] = shifts.as_slice() else {
        return assert_eq!(shifts.len(), 1, "{shifts:?}");
    };
    assert!(shift.start_day.abs_diff(SHIFT_DAY) <= 1, "{shift:?}");
    assert!((380_000.0..420_000.0).contains(&shift.before_paisa_per_day), "{shift:?}");
    assert!((shift.relative_change + 0.4).abs() < 0.08, "{shift:?}");
    assert!(shift.score > 3.0, "{shift:?}");
}

#[test]
fn a_fall_and_the_recovery_after_it_are_two_shifts() {
    let mut found_both = 0;
    for seed in 0..20 {
        let mut series = daily_revenue(&RevenueShape::realistic(300), 300 + seed);
        shift_level(&mut series, SHIFT_DAY, 0.6);
        shift_level(&mut series, 220, 1.0 / 0.6);
        let shifts = level_shifts(&series, &ShiftParams::default());
        let fall = shifts.iter().any(|s| (SHIFT_DAY..=SHIFT_DAY + MAX_DELAY_DAYS).contains(&s.detected_day) && s.relative_change < -0.2);
        let recovery = shifts.iter().any(|s| (220..=220 + MAX_DELAY_DAYS).contains(&s.detected_day) && s.relative_change > 0.2);
        found_both += usize::from(fall && recovery && shifts.len() == 2);
    }
    assert!(found_both >= 19, "both shifts, and only they, found in {found_both} of 20 series");
}

#[test]
fn too_little_history_reports_nothing() {
    assert_eq!(level_shifts(&[], &ShiftParams::default()), Vec::new());
    let mut short = daily_revenue(&RevenueShape::stationary(50), 1);
    shift_level(&mut short, 30, 0.2);
    assert_eq!(level_shifts(&short, &ShiftParams::default()), Vec::new());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn shifts_are_ordered_and_inside_the_series(
        series in proptest::collection::vec(prop_oneof![Just(0.0), Just(f64::NAN), -10.0..0.0, 0.0..1e9], 0..300),
    ) {
        let shifts = level_shifts(&series, &ShiftParams::default());
        for pair in shifts.windows(2) {
            prop_assert!(pair[0].detected_day < pair[1].start_day.max(pair[1].detected_day), "{:?}", pair);
        }
        for shift in &shifts {
            prop_assert!(shift.start_day <= shift.detected_day && shift.detected_day < series.len(), "{:?}", shift);
            prop_assert!(shift.relative_change.is_finite() && shift.score.is_finite() && shift.before_paisa_per_day > 0.0, "{:?}", shift);
        }
    }
}
