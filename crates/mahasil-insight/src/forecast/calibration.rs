//! Intervals from the backtest's own errors (split-conformal in spirit). The model's
//! Gaussian spread has the right shape over the horizon but not the right size: revenue
//! has zero days and spikes that no Gaussian expects, and the decomposition's own errors
//! are not in it. So each backtest error is divided by the spread the model gave for that
//! day, and the quantiles of these standardised errors, times the spread of a new
//! forecast, make its intervals. The mean is the average of the same errors put back on
//! the paisa scale (Duan's smearing), so it is the expected revenue, not the median.

use super::Path;
use super::model::{LogPath, LogScale};

/// z-scores of the central 80% and 95% of a normal distribution.
pub(super) const Z80: f64 = 1.281_551_565_544_600_4;
pub(super) const Z95: f64 = 1.959_963_984_540_054;
/// Standardised errors needed before their quantiles replace the Gaussian ones: two
/// origins of four weeks.
const MIN_ERRORS: usize = 56;
/// Least spread used to standardise an error, on the log scale (0.1%): a flat history gives
/// a spread of zero, which would make every error infinite.
const SPREAD_FLOOR: f64 = 1e-3;
/// Highest forecast, as a multiple of the highest day of the training data: a bound on
/// what a wild error quantile can make of a flat history.
const CEILING_MULTIPLE: f64 = 10.0;

/// The distribution of standardised errors that turns a spread into intervals.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Calibration {
    /// Sorted standardised errors; empty means Gaussian.
    errors: Vec<f64>,
}

impl Calibration {
    /// From the standardised errors of past forecasts; Gaussian when there are too few.
    pub(super) fn from_errors(mut errors: Vec<f64>) -> Self {
        errors.retain(|e| e.is_finite());
        if errors.len() < MIN_ERRORS {
            errors.clear();
        }
        errors.sort_by(f64::total_cmp);
        Self { errors }
    }

    /// The standardised error of one forecast day.
    pub(super) fn standardised_error(actual_log: f64, centre: f64, spread: f64) -> f64 {
        (actual_log - centre) / spread.max(SPREAD_FLOOR)
    }

    /// The `p` quantile of the standardised errors, or `gaussian`, the standard normal one,
    /// when there are no errors. The rank is the split-conformal one, `p (n + 1)`, which
    /// leans outwards for a small `n`; between two errors it interpolates.
    fn quantile(&self, (p, gaussian): (f64, f64)) -> f64 {
        let Some(last) = self.errors.len().checked_sub(1) else {
            return gaussian;
        };
        let rank = (p * (self.errors.len() + 1) as f64 - 1.0).clamp(0.0, last as f64);
        let below = rank.floor() as usize;
        let above = (below + 1).min(last);
        let weight = rank - below as f64;
        self.errors[below] * (1.0 - weight) + self.errors[above] * weight
    }

    /// The path in paisa: intervals from the error quantiles, the mean by smearing.
    pub(super) fn to_paisa(&self, log_path: &LogPath, scale: LogScale, training_max: f64) -> Path {
        let ceiling = scale.to_log(training_max.max(0.0) * CEILING_MULTIPLE);
        let [q025, q10, q90, q975] = [(0.025, -Z95), (0.10, -Z80), (0.90, Z80), (0.975, Z95)].map(|level| self.quantile(level));
        let at = |centre: f64, spread: f64, q: f64| scale.to_paisa((centre + q * spread.max(SPREAD_FLOOR)).min(ceiling));
        let mut path = Path { mean: Vec::new(), lo80: Vec::new(), hi80: Vec::new(), lo95: Vec::new(), hi95: Vec::new() };
        for (&centre, &spread) in log_path.centre.iter().zip(&log_path.spread) {
            let mean = if self.errors.is_empty() {
                // The mean of a log-normal: exp(centre + spread² / 2).
                at(centre, spread, spread.max(SPREAD_FLOOR) / 2.0)
            } else {
                self.errors.iter().map(|&e| at(centre, spread, e)).sum::<f64>() / self.errors.len() as f64
            };
            path.mean.push(mean);
            path.lo95.push(at(centre, spread, q025));
            path.lo80.push(at(centre, spread, q10));
            path.hi80.push(at(centre, spread, q90));
            path.hi95.push(at(centre, spread, q975));
        }
        path.non_negative_and_nested()
    }
}
