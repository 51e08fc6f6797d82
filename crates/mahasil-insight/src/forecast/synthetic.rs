//! Seeded synthetic daily revenue for the tests of `forecast` and `changepoint`: a level of
//! about 4,000 PKR a day with a weekly pattern (Monday high, Friday low), slow growth, a
//! yearly cycle, multiplicative noise, and the occasional zero day and one-day spike that
//! real district collections show (a holiday, a bank outage, a bulk deposit).

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Day-of-week multipliers, Monday first; they average to one.
const WEEKDAY_FACTORS: [f64; 7] = [1.25, 1.10, 1.05, 1.00, 0.60, 0.95, 1.05];

/// What a synthetic series looks like.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RevenueShape {
    pub days: usize,
    pub level_paisa: f64,
    pub growth_per_year: f64,
    /// Relative amplitude of the yearly cycle (0.1 is ±10%).
    pub yearly_amplitude: f64,
    /// Standard deviation of the daily log-normal noise. The realistic 8% is the noise at
    /// which a 35% level shift is about four standard deviations, so that finding it
    /// within three days is possible at all; `changepoint` says how detection slows with
    /// more noise.
    pub noise_sigma: f64,
    pub zero_day_probability: f64,
    pub spike_probability: f64,
}

impl RevenueShape {
    /// Growing revenue with every feature switched on.
    pub(crate) fn realistic(days: usize) -> Self {
        Self {
            days,
            level_paisa: 400_000.0,
            growth_per_year: 0.08,
            yearly_amplitude: 0.10,
            noise_sigma: 0.08,
            zero_day_probability: 0.01,
            spike_probability: 0.01,
        }
    }

    /// Weekly pattern, noise, zero days and spikes, but no growth and no yearly cycle.
    pub(crate) fn stationary(days: usize) -> Self {
        Self { growth_per_year: 0.0, yearly_amplitude: 0.0, ..Self::realistic(days) }
    }
}

/// A series of `shape.days` days; the weekday of day 0 and the phase of the year are drawn
/// from the seed too, so no test depends on an alignment.
pub(crate) fn daily_revenue(shape: &RevenueShape, seed: u64) -> Vec<f64> {
    let mut rng = StdRng::seed_from_u64(seed);
    let first_weekday = rng.gen_range(0..7_usize);
    let year_phase = rng.gen_range(0.0..std::f64::consts::TAU);
    (0..shape.days)
        .map(|day| {
            let years = day as f64 / 365.25;
            let trend = shape.level_paisa * (1.0 + shape.growth_per_year).powf(years);
            let yearly = 1.0 + shape.yearly_amplitude * (std::f64::consts::TAU * years + year_phase).sin();
            let weekly = WEEKDAY_FACTORS[(first_weekday + day) % 7];
            let sigma = shape.noise_sigma;
            let noise = (sigma * standard_normal(&mut rng) - sigma * sigma / 2.0).exp();
            let unusual = rng.r#gen::<f64>();
            let day_factor = if unusual < shape.zero_day_probability {
                0.0
            } else if unusual < shape.zero_day_probability + shape.spike_probability {
                rng.gen_range(2.0..4.0)
            } else {
                1.0
            };
            (trend * yearly * weekly * noise * day_factor).round()
        })
        .collect()
}

/// Multiplies every day from `from_day` on by `factor`: a level shift of `factor - 1`.
pub(crate) fn shift_level(series: &mut [f64], from_day: usize, factor: f64) {
    for value in series.iter_mut().skip(from_day) {
        *value = (*value * factor).round();
    }
}

/// Box–Muller, so the tests need no distribution crate.
fn standard_normal(rng: &mut StdRng) -> f64 {
    let u1 = rng.r#gen::<f64>().max(f64::MIN_POSITIVE);
    let u2 = rng.r#gen::<f64>();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}
