//! Revenue forecasts with prediction intervals, and the evidence for trusting them.
//!
//! A daily revenue series (paisa per day, oldest first, no gaps) is taken to the log scale,
//! where a weekday pattern and noise that scale with the level become additive. A robust
//! STL decomposition with a weekly period (MSTL with one season) finds the weekly pattern;
//! simple exponential smoothing, ETS(A,N,N), carries the deseasonalised level forward, and
//! the last week of the pattern is added back (`model`).
//!
//! Two things were tried and left out because the backtests said so (figures from
//! synthetic series with 10% daily noise). A yearly season fitted by MSTL from two or three
//! years of daily data memorises last year's zero days and spikes (its seasonal smoother
//! sees each day of the year only two or three times, too few for robustness weights to
//! help): a zero day came back as a 99% dip on the same date a year later, and the mean
//! MASE on three-year series rose from 0.89 to 3.6. The exponentially smoothed level
//! follows a yearly cycle well enough over a few weeks, and the largest seasonal swings in
//! Pakistan (Ramadan, the Eids) move by eleven days a year, which a 365-day season cannot
//! follow anyway. A trend (ETS with an additive or damped trend, chosen by AICc) gave the
//! same errors at five times the cost.
//!
//! Gaussian intervals are not calibrated for revenue: zero days and spikes make the errors
//! heavy-tailed, so the ETS model's 80% intervals held about 92% of the actual days in the
//! backtests of a first, additive version of the model. The intervals are therefore built
//! from the errors of a rolling-origin backtest on the same history (`backtest`,
//! `calibration`): each error is standardised by the model's spread for that day, and the
//! quantiles of these errors, times the spread of the new forecast, give the 80% and 95%
//! intervals (split-conformal in spirit). The mean is the average over the same errors on
//! the paisa scale, so it is the expected revenue of the day, not its median. Nothing is
//! ever below zero.
//!
//! Every forecast carries that backtest, set against the seasonal-naive forecast (each day
//! as the same weekday of the last week, `naive`), so the dashboard can say how much better
//! than "same as last week" the method was, and how often its intervals held the actual
//! revenue. When the model cannot be fitted (a series too flat to estimate, numerical
//! trouble) the seasonal-naive forecast stands in, with intervals from its own week-on-week
//! changes, and `method` says so.

mod backtest;
mod calibration;
mod model;
mod naive;
#[cfg(test)]
pub(crate) mod synthetic;
#[cfg(test)]
mod tests;

use serde::Serialize;

pub use backtest::Backtest;

/// Days in the weekly season.
pub const SEASON_DAYS: usize = 7;
/// Least training data for any fit, backtest origins included: eight weeks, so the weekly
/// pattern is seen eight times and the trend model has more points than parameters to spare.
pub const MIN_TRAINING_DAYS: usize = 8 * SEASON_DAYS;
/// Longest forecast: a quarter. Beyond it a daily forecast says little that a trend does not.
pub const HORIZON_DAYS_MAX: usize = 92;
/// History used: the last two years. Older days do not change a forecast of weeks (the
/// level follows the last weeks, the weekly pattern the last 15) but would cost time.
pub const HISTORY_DAYS_MAX: usize = 730;
/// Backtest origins at most, so that a forecast costs a bounded number of fits (seven with
/// the final one). Six origins of four weeks give 168 errors to calibrate the intervals.
pub const BACKTEST_ORIGINS_MAX: usize = 6;

/// Why no forecast was made.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ForecastError {
    #[error("the horizon must be 1 to {HORIZON_DAYS_MAX} days, not {0}")]
    Horizon(usize),
    #[error(
        "{days} days of history is too short for a {horizon}-day forecast: it needs at least {needed} ({MIN_TRAINING_DAYS} to fit on, {horizon} to test on)"
    )]
    TooShort { days: usize, horizon: usize, needed: usize },
    #[error("day {day} of the history is not a finite number")]
    NotFinite { day: usize },
    #[error("day {day} of the history is negative ({value} paisa)")]
    Negative { day: usize, value: f64 },
}

/// How a forecast was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Robust MSTL with a weekly season on the log scale, simple exponential smoothing of
    /// the deseasonalised level.
    MstlEts,
    /// Each day as the same weekday of the last week; used when the model cannot be fitted.
    SeasonalNaive,
}

impl Method {
    /// The name shown to people.
    pub fn name(self) -> &'static str {
        match self {
            Method::MstlEts => "Weekly pattern (MSTL) with an exponentially smoothed level",
            Method::SeasonalNaive => "Same weekday last week (seasonal naive)",
        }
    }
}

/// One forecast day, paisa per day; `0 <= lo95 <= lo80 <= mean <= hi80 <= hi95`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ForecastPoint {
    /// 1 is the day after the last day of the history.
    pub day_offset: u32,
    /// Expected revenue of the day.
    pub mean: f64,
    /// Central 80% prediction interval: the backtest found about 80% of days inside.
    pub lo80: f64,
    pub hi80: f64,
    /// Central 95% prediction interval.
    pub lo95: f64,
    pub hi95: f64,
}

/// A revenue forecast, the seasonal-naive forecast for the same days, and how both did on
/// the history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Forecast {
    /// How the points were made; `Method::name` says it in words.
    pub method: Method,
    /// The forecast days, in order.
    pub points: Vec<ForecastPoint>,
    /// The seasonal-naive forecast of the same days, paisa per day.
    pub baseline: Vec<f64>,
    /// How the method and the seasonal-naive forecast did on the history.
    pub backtest: Backtest,
}

/// Forecasts the `horizon` days after `history` (daily revenue in paisa, oldest first,
/// one value per day with no gaps; zeros are days without revenue). Only the last
/// [`HISTORY_DAYS_MAX`] days are used.
///
/// # Errors
///
/// A horizon of 0 or above [`HORIZON_DAYS_MAX`], a history shorter than
/// [`MIN_TRAINING_DAYS`] plus the horizon (the backtest needs one origin), or a value
/// that is not finite or is negative.
pub fn forecast(history: &[f64], horizon: usize) -> Result<Forecast, ForecastError> {
    check(history, horizon)?;
    let history = &history[history.len().saturating_sub(HISTORY_DAYS_MAX)..];
    let (backtest, calibration) = backtest::run(history, horizon);
    let trained = Trained::fit(history, horizon);
    let path = trained.to_paisa(&calibration);
    let points = (0..horizon)
        .map(|i| ForecastPoint {
            day_offset: u32::try_from(i + 1).unwrap_or(u32::MAX),
            mean: path.mean[i],
            lo80: path.lo80[i],
            hi80: path.hi80[i],
            lo95: path.lo95[i],
            hi95: path.hi95[i],
        })
        .collect();
    Ok(Forecast { method: trained.method, points, baseline: naive::forecast(history, horizon), backtest })
}

fn check(history: &[f64], horizon: usize) -> Result<(), ForecastError> {
    if horizon == 0 || horizon > HORIZON_DAYS_MAX {
        return Err(ForecastError::Horizon(horizon));
    }
    if let Some(day) = history.iter().position(|v| !v.is_finite()) {
        return Err(ForecastError::NotFinite { day });
    }
    if let Some((day, &value)) = history.iter().enumerate().find(|(_, v)| **v < 0.0) {
        return Err(ForecastError::Negative { day, value });
    }
    let needed = MIN_TRAINING_DAYS + horizon;
    if history.len() < needed {
        return Err(ForecastError::TooShort { days: history.len(), horizon, needed });
    }
    Ok(())
}

/// Forecast means and interval ends of `horizon` days, all of the same length.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Path {
    pub mean: Vec<f64>,
    pub lo80: Vec<f64>,
    pub hi80: Vec<f64>,
    pub lo95: Vec<f64>,
    pub hi95: Vec<f64>,
}

impl Path {
    /// Cuts every value at zero and nests the intervals around the mean.
    pub(super) fn non_negative_and_nested(mut self) -> Self {
        for i in 0..self.mean.len() {
            let mean = self.mean[i].max(0.0);
            self.mean[i] = mean;
            self.lo80[i] = self.lo80[i].clamp(0.0, mean);
            self.lo95[i] = self.lo95[i].clamp(0.0, self.lo80[i]);
            self.hi80[i] = self.hi80[i].max(mean);
            self.hi95[i] = self.hi95[i].max(self.hi80[i]);
        }
        self
    }
}

/// A forecast on the log scale, ready for intervals.
#[derive(Debug, Clone, PartialEq)]
struct Trained {
    method: Method,
    scale: model::LogScale,
    log_path: model::LogPath,
    training_max: f64,
}

impl Trained {
    /// The model's forecast from `training`, or the seasonal-naive one when the model fails.
    fn fit(training: &[f64], horizon: usize) -> Self {
        let scale = model::LogScale::for_history(training);
        let training_log: Vec<f64> = training.iter().map(|&y| scale.to_log(y)).collect();
        let (method, log_path) = match model::fit_and_predict(&training_log, horizon) {
            Ok(log_path) => (Method::MstlEts, log_path),
            Err(_) => (Method::SeasonalNaive, naive::log_path(&training_log, horizon)),
        };
        Self { method, scale, log_path, training_max: training.iter().copied().fold(0.0, f64::max) }
    }

    fn to_paisa(&self, calibration: &calibration::Calibration) -> Path {
        calibration.to_paisa(&self.log_path, self.scale, self.training_max)
    }
}
