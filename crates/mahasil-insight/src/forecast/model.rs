//! The model, on the log scale: revenue moves by percentages (a weekday pattern that scales
//! with the level, noise that grows with it), so `ln(revenue + offset)` is decomposed by a
//! robust STL with a weekly period (MSTL with one season), the remainder is winsorised so
//! that a zero day or a one-day spike does not move the level, and ETS(A,N,N), simple
//! exponential smoothing, carries the deseasonalised series forward. The result is a
//! centre and a spread per day on the log scale; `calibration` turns them into intervals.

use augurs_core::Predict;
use augurs_ets::model::{ErrorComponent, ModelType, SeasonalComponent, TrendComponent, Unfit};
use stlrs::{MstlParams, StlParams};

use super::SEASON_DAYS;

/// Offset added before taking logs, as a fraction of the median revenue of the days with
/// revenue: a zero day becomes a low outlier about 4.6 log units below a typical day,
/// which the robust decomposition and the winsorising see for what it is.
const LOG_OFFSET_FRACTION: f64 = 0.01;
/// Remainders beyond this many robust standard deviations are cut back to it before the
/// trend model sees them.
const REMAINDER_CLIP_SIGMAS: f64 = 3.0;
/// Seasonal smoother span of the weekly pattern, in weeks (odd): the pattern may drift over
/// a few months, not from one week to the next. On synthetic series with 10% noise, 15
/// weeks gave a mean backtest MASE of 0.79 where STL's default of 7 gave 0.83.
const WEEKLY_SMOOTHER_WEEKS: usize = 15;
/// Robustness iterations of STL: each reweights the days by how far they fell from the
/// last fit, so zero days and spikes stop bending the weekly pattern. Without them the
/// mean MASE on the same series was 1.5; two to fifteen all gave 0.79, five at a third of
/// the cost of fifteen.
const ROBUSTNESS_ITERATIONS: usize = 5;

/// The log scale: `ln(paisa + offset)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct LogScale {
    offset: f64,
}

impl LogScale {
    pub(super) fn for_history(history: &[f64]) -> Self {
        let mut positive: Vec<f64> = history.iter().copied().filter(|v| *v > 0.0).collect();
        let median = if positive.is_empty() {
            0.0
        } else {
            let mid = positive.len() / 2;
            *positive.select_nth_unstable_by(mid, f64::total_cmp).1
        };
        Self { offset: (median * LOG_OFFSET_FRACTION).max(1.0) }
    }

    pub(super) fn to_log(self, paisa: f64) -> f64 {
        (paisa + self.offset).ln()
    }

    pub(super) fn to_paisa(self, log: f64) -> f64 {
        (log.exp() - self.offset).max(0.0)
    }
}

/// A forecast on the log scale: the centre of each day and the model's standard deviation
/// for it.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct LogPath {
    pub centre: Vec<f64>,
    pub spread: Vec<f64>,
}

/// Why the model could not produce a forecast (a series too flat to fit, numerical
/// trouble); the caller falls back to the seasonal-naive forecast.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(super) struct ModelFailure(String);

/// Fits on `training` (log scale) and forecasts the next `horizon` days.
pub(super) fn fit_and_predict(training: &[f64], horizon: usize) -> Result<LogPath, ModelFailure> {
    let mut stl = StlParams::new();
    stl.robust(true).outer_loops(ROBUSTNESS_ITERATIONS);
    let mut mstl = MstlParams::new();
    mstl.stl_params(stl).seasonal_lengths(&[WEEKLY_SMOOTHER_WEEKS]);
    let decomposition = mstl.fit(training, &[SEASON_DAYS]).map_err(failure)?;
    let deseasonalised = winsorised(decomposition.trend(), decomposition.remainder());

    let level_model = ModelType { error: ErrorComponent::Additive, trend: TrendComponent::None, season: SeasonalComponent::None };
    let fitted = Unfit::new(level_model).fit(&deseasonalised).map_err(failure)?;
    let forecast = fitted.predict(horizon, 0.80).map_err(failure)?;
    let Some(intervals) = forecast.intervals else {
        return Err(ModelFailure("the level model gave no intervals".to_owned()));
    };
    let spread: Vec<f64> = intervals.upper.iter().zip(&forecast.point).map(|(u, p)| (u - p) / super::calibration::Z80).collect();
    let weekly = decomposition.seasonal().first().map(Vec::as_slice).unwrap_or_default();
    let last_week = &weekly[weekly.len().saturating_sub(SEASON_DAYS)..];
    let centre: Vec<f64> = forecast.point.iter().enumerate().map(|(h, p)| p + last_week.get(h % SEASON_DAYS).copied().unwrap_or(0.0)).collect();
    let usable = centre.len() == horizon && spread.len() == horizon && centre.iter().chain(&spread).all(|x| x.is_finite()) && spread.iter().all(|s| *s >= 0.0);
    if usable { Ok(LogPath { centre, spread }) } else { Err(ModelFailure("the model produced unusable values".to_owned())) }
}

/// Trend plus remainder, the remainder cut at `REMAINDER_CLIP_SIGMAS` robust standard
/// deviations (1.4826 times the median absolute remainder).
fn winsorised(trend: &[f64], remainder: &[f64]) -> Vec<f64> {
    let mut magnitudes: Vec<f64> = remainder.iter().map(|r| r.abs()).collect();
    let mid = magnitudes.len() / 2;
    let mad = if magnitudes.is_empty() { 0.0 } else { *magnitudes.select_nth_unstable_by(mid, f64::total_cmp).1 };
    let limit = REMAINDER_CLIP_SIGMAS * 1.4826 * mad;
    trend.iter().zip(remainder).map(|(t, r)| t + r.clamp(-limit, limit)).collect()
}

fn failure(error: impl std::fmt::Display) -> ModelFailure {
    ModelFailure(error.to_string())
}
