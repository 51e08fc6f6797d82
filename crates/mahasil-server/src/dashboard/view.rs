//! What a dashboard page shows, gathered from the rollups in a bounded number of questions
//! (none reads the challan table), as tables that are both the page's and the CSV's.

use std::collections::BTreeMap;

use jiff::Timestamp;
use mahasil_domain::authz::Scope;
use mahasil_store::Store;
use mahasil_store::insight::{Dimension, OfficerWindow, Rollup, Row, Window};

use super::filter::Filter;
use super::labels::{self, L, Lang};
use super::table::{Cell, DataTable};
use crate::error::ApiResult;

/// Seconds east of UTC in Pakistan (no daylight saving).
const PAKISTAN_OFFSET_SECS: i64 = 5 * 3600;
const DAY_SECS: i64 = 86_400;
/// Officers listed on a page, most challans first.
pub const MAX_OFFICERS: usize = 50;
/// Dimension values drawn as their own series in the revenue chart; the rest are "Other".
pub const MAX_SERIES: usize = 6;
/// Issue months in the cohort table (and whose collection shades the map).
pub const COHORT_MONTHS: i32 = 12;

/// The Pakistan day (days since 1970-01-01) of an instant.
pub fn pakistan_day(at: Timestamp) -> i64 {
    (at.as_second() + PAKISTAN_OFFSET_SECS).div_euclid(DAY_SECS)
}

/// Unix seconds of a Pakistan day's midnight.
pub fn day_start(day: i64) -> i64 {
    day * DAY_SECS - PAKISTAN_OFFSET_SECS
}

/// A day as `YYYY-MM-DD`.
pub fn day_text(day: i64) -> String {
    Timestamp::from_second(day * DAY_SECS).map_or_else(|_| day.to_string(), |t| t.strftime("%Y-%m-%d").to_string())
}

/// The month (YYYYMM) of a Pakistan day, and months counted from year 0.
fn month_of(day: i64) -> i32 {
    Timestamp::from_second(day * DAY_SECS).map_or(0, |t| {
        let d = t.to_zoned(jiff::tz::TimeZone::UTC).date();
        i32::from(d.year()) * 100 + i32::from(d.month())
    })
}

fn month_index(yyyymm: i64) -> i64 {
    (yyyymm / 100) * 12 + yyyymm % 100 - 1
}

fn month_text(yyyymm: i64) -> String {
    format!("{}-{:02}", yyyymm / 100, yyyymm % 100)
}

/// The page's figures.
#[derive(Debug, Clone)]
pub struct Overview {
    pub today: i64,
    pub totals: Rollup,
    /// Collected per day over the window, oldest first (paisa), for the chart.
    pub daily: Vec<(i64, Rollup)>,
    /// Per day, per key of the chosen dimension (top keys and "Other").
    pub by_dimension: Vec<(String, Vec<i64>)>,
    /// Collection rate of the last 12 issue months, per district in the viewer's scope.
    pub district_rates: Vec<(String, Rollup)>,
    pub tables: Vec<DataTable>,
}

impl Overview {
    pub fn table(&self, id: &str) -> Option<&DataTable> {
        self.tables.iter().find(|t| t.id == id)
    }
}

pub async fn gather(store: &Store, scope: &Scope, f: &Filter, now: Timestamp) -> ApiResult<Overview> {
    let today = pakistan_day(now);
    let from = today - f.days + 1;
    let sf = f.store_filter(scope);
    let this_month = month_of(today);
    let first_cohort = {
        let i = month_index(i64::from(this_month)) - i64::from(COHORT_MONTHS - 1);
        i32::try_from((i / 12) * 100 + i % 12 + 1).unwrap_or(0)
    };
    let all_cohorts = Window::Cohorts { from: 0, to: 999_912 };
    let days = Window::Days { from, to: today };
    // The breakdowns and officers read whole months: the issue months of the window, and the
    // months the ledger moved in it.
    let window_months = Window::Cohorts { from: month_of(from), to: this_month };
    let officer_months = OfficerWindow::Months { from: month_of(from), to: this_month };
    // The day totals are the sums of the breakdown by day, so the day table is read once.
    let (cohorts, by_dim, districts, departments, heads, officers) = tokio::try_join!(
        store.insight_grouped(&sf, all_cohorts, true, None),
        store.insight_grouped(&sf, days, true, Some(f.by)),
        store.insight_grouped(&sf, Window::Cohorts { from: first_cohort, to: this_month }, false, Some(Dimension::District)),
        store.insight_grouped(&sf, window_months, false, Some(Dimension::Department)),
        store.insight_grouped(&sf, window_months, false, Some(Dimension::Head)),
        store.insight_officers(&sf, officer_months, MAX_OFFICERS),
    )?;
    let mut totals = Rollup::default();
    for r in &cohorts.rows {
        totals.add(&r.rollup);
    }
    let daily_series = fill_days(&by_dim.rows, from, today);
    let by_dimension = top_series(&by_dim.rows, from, today, f.lang);
    let mut tables = vec![
        daily_table(&daily_series),
        cohort_table(&cohorts.rows, i64::from(first_cohort)),
        ageing_table(&cohorts.rows, i64::from(this_month)),
        area_table("districts", labels::MAP, labels::DISTRICT, &districts.rows, |k| f.query(&[("district", Some(k))])),
        area_table("departments", labels::BY_DEPARTMENT, labels::DEPARTMENT, &departments.rows, |k| f.query(&[("department", Some(k))])),
        area_table("heads", labels::TOP_HEADS, labels::HEAD, &heads.rows, |k| f.query(&[("head", Some(k))])),
    ];
    let mut officers_table = DataTable::new(
        "officers",
        labels::OFFICERS,
        vec![
            labels::OFFICER,
            labels::DISTRICT,
            labels::DEPARTMENT,
            labels::CHALLANS,
            labels::IMPOSED,
            labels::COLLECTED,
            labels::CANCELLED,
            labels::CANCELLATION_RATE,
            labels::WAIVED,
        ],
    );
    for o in &officers {
        let r = &o.rollup;
        officers_table.rows.push(vec![
            Cell::Text(if o.username.is_empty() { o.officer_id.clone() } else { o.username.clone() }),
            Cell::Text(o.district.clone()),
            Cell::Text(o.department.clone()),
            Cell::Count(r.issued_n),
            Cell::Money(r.imposed_paisa()),
            Cell::Money(r.paid_paisa),
            Cell::Count(r.cancelled_n),
            Cell::Percent(r.cancellation_rate()),
            Cell::Count(r.waived_n),
        ]);
    }
    tables.push(officers_table);
    let district_rates = districts.rows.iter().map(|r| (r.key.clone(), r.rollup)).collect();
    Ok(Overview { today, totals, daily: daily_series, by_dimension, district_rates, tables })
}

/// One entry per day of the window (the sum of the rows of each day), days without
/// movement as zeros.
fn fill_days(rows: &[Row], from: i64, to: i64) -> Vec<(i64, Rollup)> {
    let mut by_day: BTreeMap<i64, Rollup> = BTreeMap::new();
    for r in rows {
        by_day.entry(r.period).or_default().add(&r.rollup);
    }
    (from..=to).map(|d| (d, by_day.get(&d).copied().unwrap_or_default())).collect()
}

/// Collected per day for the largest keys, the rest summed as "Other".
fn top_series(rows: &[Row], from: i64, to: i64, lang: Lang) -> Vec<(String, Vec<i64>)> {
    let mut totals: BTreeMap<&str, i64> = BTreeMap::new();
    for r in rows {
        *totals.entry(&r.key).or_default() += r.rollup.paid_paisa;
    }
    let mut keys: Vec<(&str, i64)> = totals.into_iter().collect();
    keys.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let top: Vec<&str> = keys.iter().take(MAX_SERIES).map(|(k, _)| *k).collect();
    let len = usize::try_from(to - from + 1).unwrap_or(0);
    let mut series: Vec<(String, Vec<i64>)> = top.iter().map(|k| ((*k).to_string(), vec![0; len])).collect();
    let mut other = vec![0; len];
    for r in rows {
        let Ok(i) = usize::try_from(r.period - from) else { continue };
        let target = match top.iter().position(|k| *k == r.key) {
            Some(s) => &mut series[s].1,
            None => &mut other,
        };
        if let Some(v) = target.get_mut(i) {
            *v += r.rollup.paid_paisa;
        }
    }
    if keys.len() > MAX_SERIES {
        series.push((labels::OTHER.t(lang).to_string(), other));
    }
    series
}

fn daily_table(days: &[(i64, Rollup)]) -> DataTable {
    let mut t = DataTable::new(
        "daily",
        labels::REVENUE_OVER_TIME,
        vec![labels::DATE, labels::CHALLANS, labels::IMPOSED, labels::COLLECTED, labels::CANCELLED, labels::WAIVED, labels::DEPOSITED],
    );
    for (d, r) in days.iter().rev() {
        t.rows.push(vec![
            Cell::Text(day_text(*d)),
            Cell::Count(r.issued_n),
            Cell::Money(r.imposed_paisa()),
            Cell::Money(r.paid_paisa),
            Cell::Money(r.cancelled_paisa),
            Cell::Money(r.waived_paisa),
            Cell::Money(r.deposited_paisa),
        ]);
    }
    t
}

fn cohort_table(rows: &[Row], first: i64) -> DataTable {
    let mut t = DataTable::new(
        "cohorts",
        labels::COHORTS,
        vec![
            labels::COHORT,
            labels::CHALLANS,
            labels::IMPOSED,
            labels::COLLECTED,
            labels::CANCELLED,
            labels::WAIVED,
            labels::OUTSTANDING,
            labels::COLLECTION_RATE,
        ],
    );
    for r in rows.iter().rev().filter(|r| r.period >= first) {
        t.rows.push(standing(Cell::Text(month_text(r.period)), &r.rollup));
    }
    t
}

/// Outstanding by how long ago it was issued, in whole months.
fn ageing_table(rows: &[Row], this_month: i64) -> DataTable {
    const BUCKETS: [(i64, i64, L); 5] =
        [(0, 0, labels::THIS_MONTH), (1, 2, labels::MONTHS_1_2), (3, 5, labels::MONTHS_3_5), (6, 11, labels::MONTHS_6_11), (12, i64::MAX, labels::MONTHS_12)];
    let mut sums = [(0i64, 0i64); 5];
    for r in rows {
        let age = month_index(this_month) - month_index(r.period);
        if let Some(i) = BUCKETS.iter().position(|(lo, hi, _)| (*lo..=*hi).contains(&age)) {
            let x = &r.rollup;
            sums[i].0 += x.issued_n - x.paid_n - x.cancelled_n - x.waived_n;
            sums[i].1 += x.outstanding_paisa();
        }
    }
    let total: i64 = sums.iter().map(|s| s.1).sum();
    let mut t = DataTable::new("ageing", labels::AGEING, vec![labels::AGE, labels::CHALLANS, labels::OUTSTANDING, labels::SHARE]);
    for ((_, _, label), (n, paisa)) in BUCKETS.iter().zip(sums) {
        #[expect(clippy::cast_precision_loss, reason = "a share of paisa sums, shown as a percentage")]
        let share = (total > 0).then(|| paisa as f64 / total as f64);
        t.rows.push(vec![Cell::Text(label.en.to_string()), Cell::Count(n), Cell::Money(paisa), Cell::Percent(share)]);
    }
    t
}

fn area_table(id: &'static str, title: L, key: L, rows: &[Row], link: impl Fn(&str) -> String) -> DataTable {
    let mut t = DataTable::new(
        id,
        title,
        vec![key, labels::CHALLANS, labels::IMPOSED, labels::COLLECTED, labels::CANCELLED, labels::WAIVED, labels::OUTSTANDING, labels::COLLECTION_RATE],
    );
    let mut sorted: Vec<&Row> = rows.iter().collect();
    sorted.sort_by(|a, b| b.rollup.imposed_paisa().cmp(&a.rollup.imposed_paisa()).then(a.key.cmp(&b.key)));
    for r in sorted {
        t.rows.push(standing(Cell::Link(r.key.clone(), format!("/dashboard{}", link(&r.key))), &r.rollup));
    }
    t
}

/// A row of where a group stands: its name, then challans, imposed, collected, cancelled,
/// waived, outstanding and the collection rate (the columns of the cohort and area tables).
fn standing(name: Cell, x: &Rollup) -> Vec<Cell> {
    vec![
        name,
        Cell::Count(x.issued_n),
        Cell::Money(x.imposed_paisa()),
        Cell::Money(x.paid_paisa),
        Cell::Money(x.cancelled_paisa),
        Cell::Money(x.waived_paisa),
        Cell::Money(x.outstanding_paisa()),
        Cell::Percent(x.collection_rate()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pakistan_days_turn_at_pakistan_midnight() -> Result<(), jiff::Error> {
        let before: Timestamp = "2026-03-01T18:59:59Z".parse()?;
        let after: Timestamp = "2026-03-01T19:00:00Z".parse()?;
        assert_eq!(pakistan_day(after) - pakistan_day(before), 1);
        assert_eq!(day_text(pakistan_day(after)), "2026-03-02");
        assert_eq!(day_start(pakistan_day(after)), after.as_second());
        assert_eq!(month_of(pakistan_day(after)), 202603);
        Ok(())
    }

    #[test]
    fn ageing_buckets_outstanding_by_months_since_issue() {
        let row = |period, issued_n, issued_paisa, paid_n, paid_paisa| Row {
            period,
            key: String::new(),
            rollup: Rollup { issued_n, issued_paisa, paid_n, paid_paisa, ..Rollup::default() },
        };
        let t = ageing_table(&[row(202611, 3, 300, 1, 100), row(202609, 2, 200, 0, 0), row(202501, 1, 100, 0, 0)], 202611);
        let outstanding: Vec<&Cell> = t.rows.iter().map(|r| &r[2]).collect();
        assert_eq!(outstanding, [&Cell::Money(200), &Cell::Money(200), &Cell::Money(0), &Cell::Money(0), &Cell::Money(100)]);
        assert_eq!(t.rows[0][1], Cell::Count(2));
    }

    #[test]
    fn the_largest_keys_get_their_own_series_and_the_rest_are_other() {
        let rows: Vec<Row> =
            (0..9).map(|i| Row { period: 10 + i % 2, key: format!("d{i}"), rollup: Rollup { paid_paisa: 100 * (i + 1), ..Rollup::default() } }).collect();
        let s = top_series(&rows, 10, 11, Lang::En);
        assert_eq!(s.len(), MAX_SERIES + 1);
        assert_eq!(s[0].0, "d8");
        assert_eq!(s[MAX_SERIES].0, "Other");
        let total: i64 = s.iter().flat_map(|(_, v)| v.iter()).sum();
        assert_eq!(total, (1..=9).map(|i| 100 * i).sum::<i64>());
    }
}
