//! The seasonal-naive forecast, each day as the same weekday of the last week: the baseline
//! every forecast is measured against, the scale of MASE, and the stand-in when the model
//! cannot be fitted.

use super::SEASON_DAYS;
use super::model::LogPath;

/// The seasonal-naive forecast of `horizon` days after `training`.
pub(super) fn forecast(training: &[f64], horizon: usize) -> Vec<f64> {
    let last_week = &training[training.len().saturating_sub(SEASON_DAYS)..];
    if last_week.is_empty() {
        return vec![0.0; horizon];
    }
    (0..horizon).map(|h| last_week[h % last_week.len()]).collect()
}

/// Mean absolute week-on-week change: the in-sample error of the seasonal-naive forecast,
/// which scales MASE.
pub(super) fn mean_absolute_change(training: &[f64]) -> f64 {
    let changes = training.len().saturating_sub(SEASON_DAYS);
    if changes == 0 {
        return 0.0;
    }
    training.windows(SEASON_DAYS + 1).map(|w| (w[SEASON_DAYS] - w[0]).abs()).sum::<f64>() / changes as f64
}

/// The seasonal-naive forecast on the log scale with its textbook spread: the root mean
/// square of the week-on-week changes, times the square root of the number of weeks ahead.
pub(super) fn log_path(training_log: &[f64], horizon: usize) -> LogPath {
    let changes = training_log.windows(SEASON_DAYS + 1).map(|w| w[SEASON_DAYS] - w[0]);
    let count = training_log.len().saturating_sub(SEASON_DAYS).max(1) as f64;
    let sigma = (changes.map(|c| c * c).sum::<f64>() / count).sqrt();
    LogPath { centre: forecast(training_log, horizon), spread: (0..horizon).map(|h| sigma * ((h / SEASON_DAYS + 1) as f64).sqrt()).collect() }
}
