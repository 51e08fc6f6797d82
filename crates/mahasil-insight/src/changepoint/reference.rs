//! What a day is compared with: the weekday pattern and the level of the recent past, on
//! the log scale, and the size of the daily noise, all from medians or from means trimmed
//! around a median, so that zero days and spikes barely move them.
//!
//! Zero days are `-inf` on the log scale and days without data `NaN`; medians order `-inf`
//! below everything and skip `NaN`.

use super::ShiftParams;

/// Days each side of a day in the running median that stands for its local level when the
/// weekday pattern is estimated: one week in all, so every weekday is in it once.
const LOCAL_HALF_WIDTH: usize = 3;
/// Days of each weekday needed before its offset is trusted.
const MIN_DAYS_PER_WEEKDAY: usize = 8;
/// Values further than this many robust standard deviations from the median are left out
/// of a robust mean.
const TRIM_SIGMAS: f64 = 3.0;
/// Variance of a standard normal variable cut at ±`TRIM_SIGMAS` (3): 1 − 6φ(3)/(2Φ(3) − 1).
const TRIMMED_VARIANCE: f64 = 0.973_3;
/// 1.4826 times the median absolute deviation estimates the standard deviation of normal noise.
const MAD_TO_SIGMA: f64 = 1.4826;

/// The level of each day: the running median of the week around it (days after the end of
/// the series are left out, so the last days' levels lean on the past).
pub(super) fn local_levels(logs: &[f64]) -> Vec<f64> {
    (0..logs.len())
        .map(|i| {
            let from = i.saturating_sub(LOCAL_HALF_WIDTH);
            let to = (i + LOCAL_HALF_WIDTH + 1).min(logs.len());
            median(logs[from..to].to_vec())
        })
        .collect()
}

/// The expectation for day `t` from the days before it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Reference {
    /// Log offset of each weekday class (`day % 7`), averaging zero.
    pub weekday_offsets: [f64; 7],
    /// Robust mean deseasonalised log revenue.
    pub level: f64,
    /// Robust standard deviation of a day's relative deviation from what was expected of
    /// it, at least the floor.
    pub sigma: f64,
}

impl Reference {
    /// The reference for day `t`, with a level taken no earlier than `segment_start` (the
    /// start of the last shift); `None` until there is enough data for both.
    pub(super) fn at(logs: &[f64], local: &[f64], t: usize, segment_start: usize, params: &ShiftParams) -> Option<Self> {
        let weekday_offsets = weekday_offsets(logs, local, t, params.season_window_days)?;
        let from = t.saturating_sub(params.level_window_days).max(segment_start);
        let deseasonalised: Vec<f64> = (from..t).filter(|&i| !logs[i].is_nan()).map(|i| logs[i] - weekday_offsets[i % 7]).collect();
        if deseasonalised.len() < params.min_level_days {
            return None;
        }
        let level = robust_mean(&deseasonalised);
        // Day-to-day changes do not see a level shift, so the noise window may reach back
        // past the segment's start; on the log scale they do not depend on the level either.
        let from = t.saturating_sub(params.noise_window_days);
        let deseasonalised_noise: Vec<f64> = (from..t).map(|i| logs[i] - weekday_offsets[i % 7]).collect();
        let log_sigma = day_to_day_sigma(&deseasonalised_noise);
        // The standard deviation of exp(X) − 1 for X normal with standard deviation `log_sigma`.
        let variance = log_sigma * log_sigma;
        let sigma = ((variance.exp() - 1.0) * variance.exp()).sqrt().max(params.noise_floor);
        (level.is_finite() && sigma.is_finite()).then_some(Self { weekday_offsets, level, sigma })
    }

    /// A day's relative deviation from what was expected of it, in standard deviations:
    /// 3.5 is a day 3.5 σ above its weekday's usual share of the level. Relative rather
    /// than logarithmic so that a rise and a fall of the same percentage weigh the same.
    pub(super) fn standardised(&self, logs: &[f64], t: usize) -> f64 {
        ((logs[t] - self.weekday_offsets[t % 7] - self.level).exp() - 1.0) / self.sigma
    }

    /// Median deseasonalised log revenue of days `from..to`, or `None` if none has data.
    pub(super) fn level_of(&self, logs: &[f64], from: usize, to: usize) -> Option<f64> {
        let values: Vec<f64> = (from..to).filter(|&i| !logs[i].is_nan()).map(|i| logs[i] - self.weekday_offsets[i % 7]).collect();
        (!values.is_empty()).then(|| median(values))
    }

    /// Average daily revenue, paisa, of a deseasonalised log level: the weekday factors
    /// average over a week.
    pub(super) fn paisa_per_day(&self, level: f64) -> f64 {
        let week: f64 = self.weekday_offsets.iter().map(|o| o.exp()).sum();
        level.exp() * week / 7.0
    }
}

/// Log offset of each weekday class from the days of the last `window` before `t` whose
/// local week is complete, each day measured from its local level; `None` while some
/// weekday has fewer than `MIN_DAYS_PER_WEEKDAY` such days.
fn weekday_offsets(logs: &[f64], local: &[f64], t: usize, window: usize) -> Option<[f64; 7]> {
    let to = t.checked_sub(LOCAL_HALF_WIDTH)?;
    let from = t.saturating_sub(window);
    let mut by_weekday: [Vec<f64>; 7] = Default::default();
    for i in from..to {
        let deviation = logs[i] - local[i];
        if deviation.is_finite() {
            by_weekday[i % 7].push(deviation);
        }
    }
    if by_weekday.iter().any(|days| days.len() < MIN_DAYS_PER_WEEKDAY) {
        return None;
    }
    let offsets = by_weekday.map(|days| robust_mean(&days));
    let mean = offsets.iter().sum::<f64>() / 7.0;
    Some(offsets.map(|o| o - mean))
}

/// Standard deviation of daily noise from day-to-day changes, which slow drift and a level
/// shift barely touch: the root mean square of the changes within `TRIM_SIGMAS` of zero
/// (measured by their median absolute size), divided by √2 and corrected for the trimming.
/// Much steadier than a median absolute deviation of the same days.
fn day_to_day_sigma(deviations: &[f64]) -> f64 {
    let changes: Vec<f64> = deviations.windows(2).map(|w| w[1] - w[0]).filter(|c| c.is_finite()).collect();
    let rough = MAD_TO_SIGMA * median(changes.iter().map(|c| c.abs()).collect());
    let kept: Vec<f64> = changes.into_iter().filter(|c| c.abs() <= TRIM_SIGMAS * rough).collect();
    if kept.is_empty() {
        return rough / std::f64::consts::SQRT_2;
    }
    let mean_square = kept.iter().map(|c| c * c).sum::<f64>() / kept.len() as f64;
    (mean_square / TRIMMED_VARIANCE / 2.0).sqrt()
}

/// Mean of the values within `TRIM_SIGMAS` robust standard deviations of their median: as
/// steady as a mean on well-behaved days, as indifferent as a median to outliers.
pub(super) fn robust_mean(values: &[f64]) -> f64 {
    let centre = median(values.to_vec());
    let spread = MAD_TO_SIGMA * median(values.iter().map(|v| (v - centre).abs()).collect());
    if !centre.is_finite() || !spread.is_finite() {
        return centre;
    }
    let kept: Vec<f64> = values.iter().copied().filter(|v| (v - centre).abs() <= TRIM_SIGMAS * spread).collect();
    if kept.is_empty() { centre } else { kept.iter().sum::<f64>() / kept.len() as f64 }
}

/// Median of the values that are not `NaN`; `NaN` if there are none.
pub(super) fn median(mut values: Vec<f64>) -> f64 {
    values.retain(|v| !v.is_nan());
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 1 { values[mid] } else { (values[mid - 1] + values[mid]) / 2.0 }
}
