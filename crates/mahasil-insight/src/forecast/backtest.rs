//! The rolling-origin backtest: the forecast is made again from a few past days (origins),
//! each time from the data before that day only, and compared with what then happened and
//! with what the seasonal-naive forecast would have said. Its standardised errors also
//! calibrate the intervals (see `calibration`); the coverage it reports is measured on
//! each origin with intervals calibrated on the other origins only, so it is not flattered
//! by having seen the days it is scored on.

use serde::Serialize;

use super::calibration::Calibration;
use super::{BACKTEST_ORIGINS_MAX, MIN_TRAINING_DAYS, SEASON_DAYS, Trained, naive};

/// How the forecast method did on the history it was given.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Backtest {
    /// Forecast origins tried: the latest `horizon` days before the end of the history, the
    /// others each a whole number of weeks earlier, so their forecast windows do not overlap.
    pub origins: usize,
    /// Days forecast from each origin.
    pub horizon: usize,
    /// Mean absolute error of the method, paisa per day.
    pub mae_model: f64,
    /// Mean absolute error of the seasonal-naive forecast, paisa per day.
    pub mae_naive: f64,
    /// Mean absolute scaled error of the method: each origin's absolute errors divided by
    /// the mean absolute week-on-week change in that origin's training data (Hyndman and
    /// Koehler, 2006), averaged over origins. Below 1 means better than a naive forecast
    /// made one week ahead in sample. `None` when no training part changed from week to
    /// week (e.g. all zeros), where the scale is zero and MASE undefined.
    pub mase_model: Option<f64>,
    /// The same for the seasonal-naive forecast.
    pub mase_naive: Option<f64>,
    /// Fraction of actual days inside the method's 80% interval.
    pub coverage80: f64,
    /// Fraction of actual days inside the method's 95% interval.
    pub coverage95: f64,
}

/// Days forecast from each origin for the calibration, whatever the horizon: with fewer,
/// six origins of a one-week horizon would leave 42 errors, too few for the tails of a 95%
/// interval.
const CALIBRATION_DAYS_MIN: usize = 28;

/// One origin's forecast, before intervals.
struct OriginRun<'a> {
    trained: Trained,
    training: &'a [f64],
    actual: &'a [f64],
    errors: Vec<f64>,
}

/// Days between two origins: the horizon rounded up to whole weeks.
fn origin_step(horizon: usize) -> usize {
    horizon.div_ceil(SEASON_DAYS) * SEASON_DAYS
}

/// Where each backtest origin falls in `days` days of history, latest first: each leaves
/// at least `MIN_TRAINING_DAYS` before it and `horizon` days after it.
pub(super) fn origins(days: usize, horizon: usize) -> Vec<usize> {
    let step = origin_step(horizon);
    (0..BACKTEST_ORIGINS_MAX).map_while(|k| days.checked_sub(horizon + k * step)).take_while(|&origin| origin >= MIN_TRAINING_DAYS).collect()
}

/// Runs the backtest on `history` (at least `MIN_TRAINING_DAYS + horizon` days) and
/// returns it with the calibration that all its origins together give.
pub(super) fn run(history: &[f64], horizon: usize) -> (Backtest, Calibration) {
    let runs: Vec<OriginRun<'_>> = origins(history.len(), horizon)
        .into_iter()
        .map(|origin| {
            let (training, rest) = history.split_at(origin);
            // Short horizons borrow the errors of a longer forecast from the same origin
            // for the calibration, where the history has the days.
            let calibration_days = horizon.max(CALIBRATION_DAYS_MIN).min(rest.len());
            let trained = Trained::fit(training, calibration_days);
            let errors = standardised_errors(&trained, &rest[..calibration_days]);
            OriginRun { trained, training, actual: &rest[..horizon], errors }
        })
        .collect();
    let all = Calibration::from_errors(runs.iter().flat_map(|r| r.errors.iter().copied()).collect());
    (score(&runs, horizon), all)
}

fn standardised_errors(trained: &Trained, actual: &[f64]) -> Vec<f64> {
    actual
        .iter()
        .zip(trained.log_path.centre.iter().zip(&trained.log_path.spread))
        .map(|(&y, (&centre, &spread))| Calibration::standardised_error(trained.scale.to_log(y), centre, spread))
        .collect()
}

/// Errors and coverage; each origin's intervals are calibrated on the other origins.
fn score(runs: &[OriginRun<'_>], horizon: usize) -> Backtest {
    let (mut abs_model, mut abs_naive, mut inside80, mut inside95) = (0.0, 0.0, 0_usize, 0_usize);
    let (mut mase_model, mut mase_naive, mut scaled) = (0.0, 0.0, 0_usize);
    for (k, run) in runs.iter().enumerate() {
        let others = runs.iter().enumerate().filter(|(j, _)| *j != k).flat_map(|(_, r)| r.errors.iter().copied()).collect();
        let path = run.trained.to_paisa(&Calibration::from_errors(others));
        let baseline = naive::forecast(run.training, horizon);
        let (mut origin_model, mut origin_naive) = (0.0, 0.0);
        for (i, &y) in run.actual.iter().enumerate() {
            origin_model += (y - path.mean[i]).abs();
            origin_naive += (y - baseline[i]).abs();
            inside80 += usize::from(path.lo80[i] <= y && y <= path.hi80[i]);
            inside95 += usize::from(path.lo95[i] <= y && y <= path.hi95[i]);
        }
        abs_model += origin_model;
        abs_naive += origin_naive;
        let scale = naive::mean_absolute_change(run.training);
        if scale > 0.0 {
            mase_model += origin_model / horizon as f64 / scale;
            mase_naive += origin_naive / horizon as f64 / scale;
            scaled += 1;
        }
    }
    let points = (runs.len() * horizon).max(1) as f64;
    Backtest {
        origins: runs.len(),
        horizon,
        mae_model: abs_model / points,
        mae_naive: abs_naive / points,
        mase_model: (scaled > 0).then(|| mase_model / scaled as f64),
        mase_naive: (scaled > 0).then(|| mase_naive / scaled as f64),
        coverage80: inside80 as f64 / points,
        coverage95: inside95 as f64 / points,
    }
}
