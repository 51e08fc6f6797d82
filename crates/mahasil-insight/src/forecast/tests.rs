use proptest::prelude::*;

use super::synthetic::{RevenueShape, daily_revenue};
use super::*;

const SEEDS: u64 = 20;
const DAYS: usize = 730;
const HORIZON: usize = 28;

fn forecast_of_seed(seed: u64) -> Result<Forecast, ForecastError> {
    forecast(&daily_revenue(&RevenueShape::realistic(DAYS), seed), HORIZON)
}

#[test]
fn beats_seasonal_naive_on_realistic_revenue() -> Result<(), ForecastError> {
    let (mut mase_below_one, mut beats_naive, mut mase_sum, mut naive_mase_sum) = (0, 0, 0.0, 0.0);
    for seed in 0..SEEDS {
        let backtest = forecast_of_seed(seed)?.backtest;
        assert_eq!((backtest.origins, backtest.horizon), (BACKTEST_ORIGINS_MAX, HORIZON));
        // MASE is defined on a series that varies; an undefined one fails the counts below.
        let mase = backtest.mase_model.unwrap_or(f64::INFINITY);
        let naive_mase = backtest.mase_naive.unwrap_or(f64::INFINITY);
        mase_below_one += usize::from(mase < 1.0);
        beats_naive += usize::from(backtest.mae_model < backtest.mae_naive);
        mase_sum += mase;
        naive_mase_sum += naive_mase;
    }
    let seeds = SEEDS as f64;
    eprintln!(
        "MASE < 1 on {mase_below_one}/{SEEDS}, beats naive on {beats_naive}/{SEEDS}, mean MASE {:.3} (naive {:.3})",
        mase_sum / seeds,
        naive_mase_sum / seeds
    );
    assert!(mase_below_one >= 18, "MASE below 1 on only {mase_below_one} of {SEEDS} seeds");
    assert!(beats_naive >= 19, "better than seasonal naive on only {beats_naive} of {SEEDS} seeds");
    assert!(mase_sum / seeds < 0.85, "mean MASE {}", mase_sum / seeds);
    assert!(mase_sum < 0.8 * naive_mase_sum, "mean MASE {} against naive {}", mase_sum / seeds, naive_mase_sum / seeds);
    Ok(())
}

#[test]
fn backtest_intervals_cover_about_their_level() -> Result<(), ForecastError> {
    let (mut cover80, mut cover95) = (0.0, 0.0);
    for seed in 0..SEEDS {
        let backtest = forecast_of_seed(seed)?.backtest;
        cover80 += backtest.coverage80 / SEEDS as f64;
        cover95 += backtest.coverage95 / SEEDS as f64;
    }
    eprintln!("backtest coverage: 80% intervals {cover80:.3}, 95% intervals {cover95:.3}");
    assert!((0.70..=0.90).contains(&cover80), "80% intervals held {cover80}");
    assert!((0.90..=0.99).contains(&cover95), "95% intervals held {cover95}");
    Ok(())
}

#[test]
fn a_one_week_horizon_is_calibrated_too() -> Result<(), ForecastError> {
    let (mut cover80, mut cover95) = (0.0, 0.0);
    for seed in 0..SEEDS {
        let backtest = forecast(&daily_revenue(&RevenueShape::realistic(DAYS), 500 + seed), 7)?.backtest;
        cover80 += backtest.coverage80 / SEEDS as f64;
        cover95 += backtest.coverage95 / SEEDS as f64;
    }
    eprintln!("one-week backtest coverage: 80% intervals {cover80:.3}, 95% intervals {cover95:.3}");
    assert!((0.70..=0.90).contains(&cover80), "80% intervals held {cover80}");
    assert!((0.88..=0.99).contains(&cover95), "95% intervals held {cover95}");
    Ok(())
}

/// The intervals of the forecast itself, on days the forecast never saw.
#[test]
fn forecast_intervals_cover_held_out_days() -> Result<(), ForecastError> {
    let (mut inside80, mut inside95, mut abs_model, mut abs_naive) = (0, 0, 0.0, 0.0);
    for seed in 0..SEEDS {
        let series = daily_revenue(&RevenueShape::realistic(DAYS + HORIZON), 1_000 + seed);
        let (history, future) = series.split_at(DAYS);
        let made = forecast(history, HORIZON)?;
        for ((point, actual), naive) in made.points.iter().zip(future).zip(&made.baseline) {
            inside80 += usize::from(point.lo80 <= *actual && *actual <= point.hi80);
            inside95 += usize::from(point.lo95 <= *actual && *actual <= point.hi95);
            abs_model += (actual - point.mean).abs();
            abs_naive += (actual - naive).abs();
        }
    }
    let days = (SEEDS as usize * HORIZON) as f64;
    let (cover80, cover95) = (inside80 as f64 / days, inside95 as f64 / days);
    eprintln!("held out: 80% intervals {cover80:.3}, 95% intervals {cover95:.3}, MAE {:.0} against naive {:.0}", abs_model / days, abs_naive / days);
    assert!((0.70..=0.90).contains(&cover80), "80% intervals held {cover80}");
    assert!((0.88..=0.99).contains(&cover95), "95% intervals held {cover95}");
    assert!(abs_model < 0.85 * abs_naive, "MAE {abs_model} against naive {abs_naive}");
    Ok(())
}

#[test]
fn baseline_repeats_the_last_week() -> Result<(), ForecastError> {
    let history = daily_revenue(&RevenueShape::realistic(120), 7);
    let made = forecast(&history, 10)?;
    let last_week = &history[113..];
    let expected: Vec<f64> = (0..10).map(|h| last_week[h % 7]).collect();
    assert_eq!(made.baseline, expected);
    assert_eq!(made.points.iter().map(|p| p.day_offset).collect::<Vec<_>>(), (1..=10).collect::<Vec<u32>>());
    Ok(())
}

#[test]
fn a_flat_history_forecasts_the_same_flat_revenue() -> Result<(), ForecastError> {
    for level in [0.0, 250_000.0] {
        let made = forecast(&[level; 100], 14)?;
        for point in &made.points {
            assert!((point.mean - level).abs() <= 1e-6 * level.max(1.0), "{point:?} from {level}");
            assert!(point.lo95 >= 0.0 && point.hi95 <= level * 1.01 + 1.0, "{point:?} from {level}");
        }
    }
    Ok(())
}

#[test]
fn bad_input_is_refused_with_the_reason() {
    let history = daily_revenue(&RevenueShape::realistic(200), 1);
    assert_eq!(forecast(&history, 0), Err(ForecastError::Horizon(0)));
    assert_eq!(forecast(&history, HORIZON_DAYS_MAX + 1), Err(ForecastError::Horizon(HORIZON_DAYS_MAX + 1)));
    let needed = MIN_TRAINING_DAYS + HORIZON;
    assert_eq!(forecast(&history[..needed - 1], HORIZON), Err(ForecastError::TooShort { days: needed - 1, horizon: HORIZON, needed }));
    assert!(forecast(&history[..needed], HORIZON).is_ok());
    for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let mut with_bad = history.clone();
        with_bad[42] = bad;
        assert_eq!(forecast(&with_bad, HORIZON), Err(ForecastError::NotFinite { day: 42 }));
    }
    let mut with_negative = history;
    with_negative[17] = -5.0;
    assert_eq!(forecast(&with_negative, HORIZON), Err(ForecastError::Negative { day: 17, value: -5.0 }));
}

#[test]
fn origins_are_whole_weeks_apart_and_leave_enough_training() {
    assert_eq!(backtest::origins(730, 28), vec![702, 674, 646, 618, 590, 562]);
    assert_eq!(backtest::origins(730, 10), vec![720, 706, 692, 678, 664, 650]);
    assert_eq!(backtest::origins(MIN_TRAINING_DAYS + 28, 28), vec![MIN_TRAINING_DAYS]);
    assert_eq!(backtest::origins(MIN_TRAINING_DAYS + 28 + 27, 28), vec![MIN_TRAINING_DAYS + 27]);
}

#[test]
fn serialises_for_the_dashboard() -> Result<(), Box<dyn std::error::Error>> {
    let made = forecast(&daily_revenue(&RevenueShape::realistic(200), 3), 7)?;
    let json = serde_json::to_value(&made)?;
    assert_eq!(json["method"], "mstl_ets");
    assert_eq!(json["points"].as_array().map(Vec::len), Some(7));
    assert_eq!(json["points"][0]["day_offset"], 1);
    assert_eq!(json["backtest"]["horizon"], 7);
    assert!(json["backtest"]["mase_model"].is_f64());
    Ok(())
}

fn revenue_day() -> impl Strategy<Value = f64> {
    prop_oneof![Just(0.0), 0.0..1_000.0, 100_000.0..1_000_000.0, 0.0..1e12]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn intervals_are_nested_and_never_negative(
        history in proptest::collection::vec(revenue_day(), MIN_TRAINING_DAYS + 35..200),
        horizon in 1..=35_usize,
    ) {
        let made = forecast(&history, horizon).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(made.points.len(), horizon);
        prop_assert_eq!(made.baseline.len(), horizon);
        for p in &made.points {
            let ends = [p.lo95, p.lo80, p.mean, p.hi80, p.hi95];
            prop_assert!(ends.iter().all(|v| v.is_finite()), "{:?}", p);
            prop_assert!(0.0 <= p.lo95 && p.lo95 <= p.lo80 && p.lo80 <= p.mean && p.mean <= p.hi80 && p.hi80 <= p.hi95, "{:?}", p);
        }
        let b = &made.backtest;
        prop_assert!((0.0..=1.0).contains(&b.coverage80) && b.coverage80 <= b.coverage95 + 1e-12 && b.coverage95 <= 1.0, "{:?}", b);
        prop_assert!(b.mae_model.is_finite() && b.mae_naive.is_finite(), "{:?}", b);
    }
}
