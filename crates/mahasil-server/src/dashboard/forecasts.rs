//! The dashboard's forecasts: revenue collected per day for the province, each district,
//! each department and each revenue head, forecast 28 days ahead with the backtest that
//! says how far to trust it. Computed in the background by a scan (`scan.rs`), held in
//! memory, and shown only to a viewer whose scope covers the whole of the series.

use std::collections::BTreeMap;

use jiff::Timestamp;
use mahasil_domain::authz::Scope;
use mahasil_domain::jurisdiction::Slug;
use mahasil_insight::forecast::{Forecast, forecast};
use mahasil_store::Store;
use mahasil_store::insight::{Dimension, InsightFilter, Row, Window};

use super::filter::Filter;
use super::view::pakistan_day;
use crate::error::ApiResult;

/// Days forecast.
pub const HORIZON_DAYS: usize = 28;
/// Days of history read for each series.
pub const HISTORY_DAYS: i64 = 730;
/// Actual days shown before the forecast on the chart.
pub const RECENT_DAYS: usize = 28;

/// Which revenue a series sums: `None` is "all".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeriesKey {
    pub district: Option<Slug>,
    pub department: Option<Slug>,
    pub head: Option<String>,
}

#[derive(Debug, Clone)]
pub struct SeriesForecast {
    pub key: SeriesKey,
    /// The last full day of the history (yesterday when computed).
    pub last_day: i64,
    /// The last [`RECENT_DAYS`] actual days, paisa.
    pub recent: Vec<f64>,
    /// The forecast, or why none could be made.
    pub forecast: Result<Forecast, String>,
}

#[derive(Debug, Clone)]
pub struct Snapshot {
    pub computed_at: Timestamp,
    pub series: Vec<SeriesForecast>,
}

impl Snapshot {
    /// The series matching the page's filter exactly, when the viewer's scope covers it.
    pub fn pick(&self, f: &Filter, scope: &Scope) -> Option<&SeriesForecast> {
        let head = f.head.as_ref().map(ToString::to_string);
        let s = self.series.iter().find(|s| s.key.district == f.district && s.key.head == head && (head.is_some() || s.key.department == f.department))?;
        scope.covers(s.key.district.as_ref(), s.key.department.as_ref()).then_some(s)
    }
}

/// Collected per day, oldest first, from `first` to `last`, zeros where nothing moved;
/// leading days before the first movement are dropped (a district that started later).
fn series(rows: &[&Row], first: i64, last: i64) -> Vec<f64> {
    let by_day: BTreeMap<i64, i64> = rows.iter().map(|r| (r.period, r.rollup.paid_paisa)).collect();
    let start = by_day.iter().find(|(_, v)| **v != 0).map_or(last + 1, |(d, _)| *d).max(first);
    #[expect(clippy::cast_precision_loss, reason = "paisa per day as the model's input")]
    (start..=last).map(|d| by_day.get(&d).copied().unwrap_or(0).max(0) as f64).collect()
}

async fn forecast_one(key: SeriesKey, history: Vec<f64>, last_day: i64) -> SeriesForecast {
    let recent = history[history.len().saturating_sub(RECENT_DAYS)..].to_vec();
    let result = tokio::task::spawn_blocking(move || forecast(&history, HORIZON_DAYS).map_err(|e| e.to_string()))
        .await
        .unwrap_or_else(|e| Err(format!("the forecast could not run: {e}")));
    SeriesForecast { key, last_day, recent, forecast: result }
}

/// Forecasts every series from the rollups, as of `now`.
pub async fn compute(store: &Store, now: Timestamp) -> ApiResult<Snapshot> {
    let last = pakistan_day(now) - 1;
    let first = last - HISTORY_DAYS + 1;
    let everything = InsightFilter::scope(Scope::Everywhere);
    let window = Window::Days { from: first, to: last };
    let heads = store.heads().await?;
    let department_of: BTreeMap<String, Slug> = heads.iter().map(|h| (h.code.to_string(), h.department.clone())).collect();
    let mut out = Vec::new();
    let total = store.insight_grouped(&everything, window, true, None).await?;
    out.push(forecast_one(SeriesKey { district: None, department: None, head: None }, series(&total.rows.iter().collect::<Vec<_>>(), first, last), last).await);
    for by in [Dimension::District, Dimension::Department, Dimension::Head] {
        let answer = store.insight_grouped(&everything, window, true, Some(by)).await?;
        let mut groups: BTreeMap<&str, Vec<&Row>> = BTreeMap::new();
        for r in &answer.rows {
            groups.entry(r.key.as_str()).or_default().push(r);
        }
        for (k, rows) in groups {
            let key = match by {
                Dimension::District => SeriesKey { district: Slug::parse(k).ok(), department: None, head: None },
                Dimension::Department => SeriesKey { district: None, department: Slug::parse(k).ok(), head: None },
                Dimension::Head => SeriesKey { district: None, department: department_of.get(k).cloned(), head: Some(k.to_string()) },
            };
            out.push(forecast_one(key, series(&rows, first, last), last).await);
        }
    }
    Ok(Snapshot { computed_at: now, series: out })
}

#[cfg(test)]
mod tests {
    use super::*;
    use mahasil_store::insight::Rollup;

    #[test]
    fn a_series_starts_at_its_first_movement_and_fills_quiet_days() {
        let row = |period, paid_paisa| Row { period, key: String::new(), rollup: Rollup { paid_paisa, ..Rollup::default() } };
        let rows = [row(12, 500), row(14, 700)];
        assert_eq!(series(&rows.iter().collect::<Vec<_>>(), 10, 15), [500.0, 0.0, 700.0, 0.0]);
        assert!(series(&[], 10, 15).is_empty());
    }
}
