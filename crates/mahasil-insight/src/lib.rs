//! The analytics behind `/dashboard`. Everything here is a function of numbers passed in:
//! the store supplies rollups and recent challans, the server renders the results. No IO,
//! no clock, no randomness that a caller does not seed.
//!
//! - `forecast`: revenue forecasts with prediction intervals, and the rolling-origin
//!   backtest that compares them with a seasonal-naive baseline.
//! - `changepoint`: level shifts in a district's daily revenue.
//! - `flags`: the anomaly rules (officer outliers, duplicates, counter gaps, own
//!   cancellations after a payment inquiry, unusual hours and places), each returning its
//!   evidence.
//! - `map`: KP district boundaries projected once into SVG paths, shaded per district.

pub mod changepoint;
pub mod flags;
pub mod forecast;
pub mod map;
