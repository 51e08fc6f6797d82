//! The dashboard's rollups (migration 0015): what they hold, the questions the dashboard
//! asks of them, and the proof that they equal the ledger.
//!
//! A trigger on `transfers` adds each transfer to three tables in the transaction that
//! posts it: `insight_officer_days` (Pakistan day × district × department × head ×
//! officer), `insight_area_days` (the same without the officer) and `insight_cohorts`
//! (issue month × district × department × head). The view `insight_transfer_facts` is the
//! one statement of what a transfer adds; [`rebuild`](crate::Storage::insight_rebuild)
//! sums it afresh and [`check`](crate::Storage::insight_check) compares both the tables
//! with it and their totals with the ledger's account balances.
//!
//! The SQL of every question is built here once, for either backend's dialect; the
//! backends only bind and read.

use std::collections::BTreeMap;

use mahasil_domain::authz::Scope;
use mahasil_domain::jurisdiction::Slug;
use mahasil_ledger::Account;
use serde::Serialize;

/// The counted columns, in table order.
pub const MEASURES: [&str; 12] = [
    "issued_n",
    "issued_paisa",
    "surcharge_paisa",
    "paid_n",
    "paid_paisa",
    "overpaid_paisa",
    "cancelled_n",
    "cancelled_paisa",
    "waived_n",
    "waived_paisa",
    "deposited_n",
    "deposited_paisa",
];

/// Most rows one dashboard question returns; a question whose answer would be longer is
/// cut, and says so ([`Answer::truncated`]).
pub const MAX_ROWS: usize = 20_000;
/// Most mismatched rows `insight check` reports per table.
pub const MAX_MISMATCH_EXAMPLES: usize = 20;

/// What the ledger moved for some set of challans, in counts and paisa.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Rollup {
    pub issued_n: i64,
    pub issued_paisa: i64,
    /// Charged on payments after the due date.
    pub surcharge_paisa: i64,
    pub paid_n: i64,
    /// Applied to challans (`PAYMENT_RECEIVED`).
    pub paid_paisa: i64,
    /// Money that came for a challan already settled, owed back.
    pub overpaid_paisa: i64,
    pub cancelled_n: i64,
    pub cancelled_paisa: i64,
    pub waived_n: i64,
    pub waived_paisa: i64,
    /// Seen in the treasury account (`DEPOSITED`).
    pub deposited_n: i64,
    pub deposited_paisa: i64,
}

impl Rollup {
    /// From the measures in [`MEASURES`] order.
    pub fn from_measures(m: [i64; 12]) -> Self {
        let [
            issued_n,
            issued_paisa,
            surcharge_paisa,
            paid_n,
            paid_paisa,
            overpaid_paisa,
            cancelled_n,
            cancelled_paisa,
            waived_n,
            waived_paisa,
            deposited_n,
            deposited_paisa,
        ] = m;
        Self {
            issued_n,
            issued_paisa,
            surcharge_paisa,
            paid_n,
            paid_paisa,
            overpaid_paisa,
            cancelled_n,
            cancelled_paisa,
            waived_n,
            waived_paisa,
            deposited_n,
            deposited_paisa,
        }
    }

    pub fn measures(&self) -> [i64; 12] {
        [
            self.issued_n,
            self.issued_paisa,
            self.surcharge_paisa,
            self.paid_n,
            self.paid_paisa,
            self.overpaid_paisa,
            self.cancelled_n,
            self.cancelled_paisa,
            self.waived_n,
            self.waived_paisa,
            self.deposited_n,
            self.deposited_paisa,
        ]
    }

    pub fn add(&mut self, other: &Rollup) {
        let mut m = self.measures();
        for (a, b) in m.iter_mut().zip(other.measures()) {
            *a = a.saturating_add(b);
        }
        *self = Self::from_measures(m);
    }

    /// Imposed: the challans' amounts and the surcharges charged on them.
    pub fn imposed_paisa(&self) -> i64 {
        self.issued_paisa.saturating_add(self.surcharge_paisa)
    }

    /// What is still owed: the receivable balance.
    pub fn outstanding_paisa(&self) -> i64 {
        self.imposed_paisa() - self.paid_paisa - self.cancelled_paisa - self.waived_paisa
    }

    /// Money received: applied to challans, and overpaid.
    pub fn received_paisa(&self) -> i64 {
        self.paid_paisa.saturating_add(self.overpaid_paisa)
    }

    /// Collected out of what stood to be collected: a cancelled challan was never owed, a
    /// waived one was owed and forgiven. `None` when nothing stood.
    pub fn collection_rate(&self) -> Option<f64> {
        let owed = self.imposed_paisa() - self.cancelled_paisa;
        #[expect(clippy::cast_precision_loss, reason = "a ratio of paisa sums, shown as a percentage")]
        (owed > 0).then(|| self.paid_paisa as f64 / owed as f64)
    }

    /// Cancelled or waived out of issued, by count.
    pub fn cancellation_rate(&self) -> Option<f64> {
        #[expect(clippy::cast_precision_loss, reason = "a ratio of counts, shown as a percentage")]
        (self.issued_n > 0).then(|| self.cancelled_n as f64 / self.issued_n as f64)
    }
}

/// What a question is narrowed to: always the viewer's scope, and optionally one district,
/// department and head (the drill-down).
#[derive(Debug, Clone)]
pub struct InsightFilter {
    pub scope: Scope,
    pub district: Option<Slug>,
    pub department: Option<Slug>,
    pub head: Option<String>,
}

impl InsightFilter {
    pub fn scope(scope: Scope) -> Self {
        Self { scope, district: None, department: None, head: None }
    }
}

/// What rows are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    District,
    Department,
    Head,
}

impl Dimension {
    fn column(self) -> &'static str {
        match self {
            Self::District => "district",
            Self::Department => "department",
            Self::Head => "head_code",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::District => "district",
            Self::Department => "department",
            Self::Head => "head",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::District, Self::Department, Self::Head].into_iter().find(|d| d.as_str() == s)
    }
}

/// Which table a question reads: days the ledger moved, or issue cohorts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    /// Pakistan days since 1970-01-01, both ends included.
    Days { from: i64, to: i64 },
    /// Issue months as YYYYMM, both ends included.
    Cohorts { from: i32, to: i32 },
}

/// One row of an answer: the group's key (a day or month, and a dimension's value) and its
/// sums.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    /// The day (Pakistan days since 1970-01-01) or cohort month (YYYYMM); 0 when the
    /// question is not over time.
    pub period: i64,
    /// The dimension's value; empty when the question is not broken down.
    pub key: String,
    pub rollup: Rollup,
}

/// Rows, and whether [`MAX_ROWS`] cut them.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Answer {
    pub rows: Vec<Row>,
    pub truncated: bool,
}

/// One officer's activity in one district and department over a window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OfficerRow {
    pub officer_id: String,
    pub username: String,
    pub district: String,
    pub department: String,
    pub rollup: Rollup,
}

/// How many rows `insight rebuild` wrote to each table.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RebuildReport {
    pub tables: Vec<(String, u64)>,
}

/// What `insight check` found.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CheckReport {
    /// Per table: rows held, and the groups whose sums differ from the ledger's transfers
    /// (each described as text, at most [`MAX_MISMATCH_EXAMPLES`]).
    pub tables: Vec<TableCheck>,
    /// Ledger accounts whose balance differs from the rollups' totals.
    pub accounts: Vec<String>,
    /// The totals compared, over every cohort.
    pub totals: Rollup,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TableCheck {
    pub table: String,
    pub rows: u64,
    pub mismatched: u64,
    pub examples: Vec<String>,
}

impl CheckReport {
    pub fn is_clean(&self) -> bool {
        self.accounts.is_empty() && self.tables.iter().all(|t| t.mismatched == 0)
    }
}

// ----- SQL, built once for both dialects -----

/// The two SQL dialects the backends speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    Sqlite,
    Postgres,
}

/// A bound value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Param {
    Text(String),
    Int(i64),
}

/// A statement and its parameters, in placeholder order.
#[derive(Debug, Clone)]
pub(crate) struct Query {
    pub sql: String,
    pub params: Vec<Param>,
}

/// A rollup table: its name, the columns it is keyed by, and how the view's rows are keyed
/// for it.
pub(crate) struct Table {
    pub name: &'static str,
    pub key: &'static [&'static str],
    pub from_view: FromView,
}

/// How a table's key is read from `insight_transfer_facts`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FromView {
    /// Columns of the view, by the same names.
    Columns,
    /// The first key is the month of the view's `day`, the rest are columns.
    MonthOfDay,
    /// Each transfer adds to one row per [`Dimension`]: the day, the dimension's name, and
    /// the value of its column.
    Dimensions,
}

pub(crate) const OFFICER_DAYS: Table =
    Table { name: "insight_officer_days", key: &["day", "district", "department", "head_code", "officer_id"], from_view: FromView::Columns };
pub(crate) const OFFICER_MONTHS: Table =
    Table { name: "insight_officer_months", key: &["month", "district", "department", "head_code", "officer_id"], from_view: FromView::MonthOfDay };
pub(crate) const OFFICER_TOTALS: Table =
    Table { name: "insight_officer_totals", key: &["month", "district", "department", "officer_id"], from_view: FromView::MonthOfDay };
pub(crate) const AREA_DAYS: Table = Table { name: "insight_area_days", key: &["day", "district", "department", "head_code"], from_view: FromView::Columns };
pub(crate) const SERIES_DAYS: Table = Table { name: "insight_series_days", key: &["day", "dimension", "member"], from_view: FromView::Dimensions };
pub(crate) const COHORTS: Table =
    Table { name: "insight_cohorts", key: &["cohort_month", "district", "department", "head_code"], from_view: FromView::Columns };
pub(crate) const TABLES: [Table; 6] = [OFFICER_DAYS, OFFICER_MONTHS, OFFICER_TOTALS, AREA_DAYS, SERIES_DAYS, COHORTS];

const DIMENSIONS: [Dimension; 3] = [Dimension::District, Dimension::Department, Dimension::Head];

impl Table {
    /// What the view says the table should hold: its key and the sums, grouped.
    fn due(&self, dialect: Dialect) -> String {
        let sums = dialect.sums("");
        let positions = (1..=self.key.len()).map(|i| i.to_string()).collect::<Vec<_>>().join(", ");
        let grouped = |key: String| format!("SELECT {key}, {sums} FROM insight_transfer_facts GROUP BY {positions}");
        match self.from_view {
            FromView::Columns => grouped(self.key.join(", ")),
            FromView::MonthOfDay => {
                let rest = self.key[1..].join(", ");
                grouped(format!("{} AS {}, {rest}", dialect.month_of_day("day"), self.key[0]))
            }
            FromView::Dimensions => DIMENSIONS
                .iter()
                .map(|d| grouped(format!("day, {} AS dimension, {} AS member", dialect.text(&format!("'{}'", d.as_str())), d.column())))
                .collect::<Vec<_>>()
                .join(" UNION ALL "),
        }
    }
}

impl Dialect {
    fn placeholder(self, n: usize) -> String {
        match self {
            Self::Sqlite => format!("?{n}"),
            Self::Postgres => format!("${n}"),
        }
    }

    /// A sum read back as a 64-bit integer (PostgreSQL sums BIGINT into NUMERIC).
    fn sum(self, expr: &str) -> String {
        match self {
            Self::Sqlite => format!("coalesce(sum({expr}), 0)"),
            Self::Postgres => format!("coalesce(sum({expr}), 0)::bigint"),
        }
    }

    /// The month (YYYYMM) of a day counted from 1970-01-01, as migration 0018 computes it.
    fn month_of_day(self, day: &str) -> String {
        match self {
            Self::Sqlite => format!("CAST(strftime('%Y%m', {day} * 86400, 'unixepoch') AS INTEGER)"),
            Self::Postgres => format!("CAST(to_char(to_timestamp({day}::bigint * 86400) AT TIME ZONE 'UTC', 'YYYYMM') AS INTEGER)"),
        }
    }

    fn text(self, column: &str) -> String {
        match self {
            Self::Sqlite => column.to_string(),
            Self::Postgres => format!("{column}::text"),
        }
    }

    fn sums(self, prefix: &str) -> String {
        MEASURES.iter().map(|m| self.sum(&format!("{prefix}{m}"))).collect::<Vec<_>>().join(", ")
    }
}

/// `WHERE` conditions and their parameters.
struct Conditions {
    dialect: Dialect,
    parts: Vec<String>,
    params: Vec<Param>,
}

impl Conditions {
    fn new(dialect: Dialect) -> Self {
        Self { dialect, parts: Vec::new(), params: Vec::new() }
    }

    fn bind(&mut self, p: Param) -> String {
        self.params.push(p);
        self.dialect.placeholder(self.params.len())
    }

    fn equals(&mut self, column: &str, p: Param) {
        let ph = self.bind(p);
        self.parts.push(format!("{column} = {ph}"));
    }

    fn between(&mut self, column: &str, from: i64, to: i64) {
        let (a, b) = (self.bind(Param::Int(from)), self.bind(Param::Int(to)));
        self.parts.push(format!("{column} BETWEEN {a} AND {b}"));
    }

    /// The filter's scope and drill-down; `false` when the scope is nowhere.
    fn filter(&mut self, f: &InsightFilter) -> bool {
        match &f.scope {
            Scope::Everywhere => {}
            Scope::Pairs(pairs) if pairs.is_empty() => return false,
            Scope::Pairs(pairs) => {
                let mut alternatives = Vec::with_capacity(pairs.len());
                for (district, department) in pairs {
                    let mut both = Vec::new();
                    if let Some(d) = district {
                        both.push(format!("district = {}", self.bind(Param::Text(d.as_str().to_string()))));
                    }
                    if let Some(d) = department {
                        both.push(format!("department = {}", self.bind(Param::Text(d.as_str().to_string()))));
                    }
                    if both.is_empty() {
                        alternatives.clear();
                        break;
                    }
                    alternatives.push(format!("({})", both.join(" AND ")));
                }
                if !alternatives.is_empty() {
                    self.parts.push(format!("({})", alternatives.join(" OR ")));
                }
            }
        }
        if let Some(d) = &f.district {
            self.equals("district", Param::Text(d.as_str().to_string()));
        }
        if let Some(d) = &f.department {
            self.equals("department", Param::Text(d.as_str().to_string()));
        }
        if let Some(h) = &f.head {
            self.equals("head_code", Param::Text(h.clone()));
        }
        true
    }

    fn clause(&self) -> String {
        if self.parts.is_empty() { String::new() } else { format!(" WHERE {}", self.parts.join(" AND ")) }
    }
}

/// Sums over a window, grouped by period (when `over_time`) and by a dimension (when
/// given): the revenue charts, the breakdowns, the cohorts. Ordered by period, then key.
/// `None` when the scope is nowhere.
pub(crate) fn grouped(dialect: Dialect, f: &InsightFilter, window: Window, over_time: bool, by: Option<Dimension>) -> Option<Query> {
    let mut c = Conditions::new(dialect);
    if !c.filter(f) {
        return None;
    }
    // The whole province over days: its series by district, department or head (any one
    // of them, when no dimension is asked for, adds up to the whole).
    let whole_province = matches!(f.scope, Scope::Everywhere) && f.district.is_none() && f.department.is_none() && f.head.is_none();
    let (table, period) = match window {
        Window::Days { from, to } if whole_province => {
            c.equals("dimension", Param::Text(by.unwrap_or(Dimension::District).as_str().to_string()));
            c.between("day", from, to);
            (SERIES_DAYS.name, "day")
        }
        Window::Days { from, to } => {
            c.between("day", from, to);
            (AREA_DAYS.name, "day")
        }
        Window::Cohorts { from, to } => {
            c.between("cohort_month", i64::from(from), i64::from(to));
            (COHORTS.name, "cohort_month")
        }
    };
    let period_expr = if over_time { format!("CAST({period} AS BIGINT)") } else { "CAST(0 AS BIGINT)".to_string() };
    let by_column = by.map(|d| if table == SERIES_DAYS.name { "member" } else { d.column() });
    let key_expr = by_column.map_or_else(|| "''".to_string(), str::to_string);
    let mut group = Vec::new();
    if over_time {
        group.push(period);
    }
    if let Some(column) = by_column {
        group.push(column);
    }
    let group_by = if group.is_empty() { String::new() } else { format!(" GROUP BY {}", group.join(", ")) };
    let order_by = if group.is_empty() { String::new() } else { format!(" ORDER BY {}", group.join(", ")) };
    let limit = c.bind(Param::Int(row_limit()));
    Some(Query {
        sql: format!("SELECT {period_expr}, {key_expr}, {} FROM {table}{}{group_by}{order_by} LIMIT {limit}", dialect.sums(""), c.clause()),
        params: c.params,
    })
}

/// The window of an officers' question: Pakistan days (read from the daily table) or months
/// (YYYYMM, read from the monthly one), both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OfficerWindow {
    Days { from: i64, to: i64 },
    Months { from: i32, to: i32 },
}

/// Each officer's sums over a window, per district and department, most challans first,
/// with the username.
pub(crate) fn officers(dialect: Dialect, f: &InsightFilter, window: OfficerWindow, limit: usize) -> Option<Query> {
    let mut c = Conditions::new(dialect);
    if !c.filter(f) {
        return None;
    }
    let table = match window {
        OfficerWindow::Days { from, to } => {
            c.between("day", from, to);
            OFFICER_DAYS.name
        }
        // Over every head, the table without the head reads a row per officer and month.
        OfficerWindow::Months { from, to } => {
            c.between("month", i64::from(from), i64::from(to));
            if f.head.is_some() { OFFICER_MONTHS.name } else { OFFICER_TOTALS.name }
        }
    };
    let limit = c.bind(Param::Int(i64::try_from(limit.min(MAX_ROWS)).unwrap_or(0)));
    let officer = dialect.text("o.officer_id");
    Some(Query {
        sql: format!(
            "SELECT {officer}, coalesce(u.username, ''), o.district, o.department, {} FROM (SELECT officer_id, district, department, {} FROM {}{} GROUP BY officer_id, district, department) o \
             LEFT JOIN users u ON u.id = o.officer_id ORDER BY o.{} DESC, 1 LIMIT {limit}",
            MEASURES.iter().map(|m| format!("o.{m}")).collect::<Vec<_>>().join(", "),
            sums_named(dialect),
            table,
            c.clause(),
            MEASURES[0],
        ),
        params: c.params,
    })
}

fn sums_named(dialect: Dialect) -> String {
    MEASURES.iter().map(|m| format!("{} AS {m}", dialect.sum(m))).collect::<Vec<_>>().join(", ")
}

/// One more than [`MAX_ROWS`], so a reader can tell a cut answer.
fn row_limit() -> i64 {
    i64::try_from(MAX_ROWS + 1).unwrap_or(i64::MAX)
}

/// Cuts rows read with [`row_limit`] to [`MAX_ROWS`], saying whether it did.
pub(crate) fn answer(mut rows: Vec<Row>) -> Answer {
    let truncated = rows.len() > MAX_ROWS;
    rows.truncate(MAX_ROWS);
    Answer { rows, truncated }
}

/// Empties a table and fills it again from the view.
pub(crate) fn rebuild_statements(dialect: Dialect, t: &Table) -> [String; 2] {
    [format!("DELETE FROM {}", t.name), format!("INSERT INTO {} ({}, {}) {}", t.name, t.key.join(", "), MEASURES.join(", "), t.due(dialect))]
}

/// Groups whose sums differ between a table and the view: each group's key as text, and
/// whether the row is the table's (`1`) or the ledger's (`0`). Read by [`mismatches`].
pub(crate) fn mismatch_query(dialect: Dialect, t: &Table) -> String {
    let key = t.key.join(", ");
    let described = t.key.iter().map(|k| dialect.text(k)).collect::<Vec<_>>().join(" || ' ' || ");
    let held = format!("SELECT {key}, {} FROM {} GROUP BY {key}", dialect.sums(""), t.name);
    let due = format!("SELECT * FROM ({}) due", t.due(dialect));
    format!(
        "SELECT {described}, CAST(1 AS BIGINT) FROM ({held} EXCEPT {due}) a UNION ALL SELECT {described}, CAST(0 AS BIGINT) FROM ({due} EXCEPT {held}) b ORDER BY 1, 2"
    )
}

/// The groups [`mismatch_query`] found, one sentence each.
pub(crate) fn mismatches(rows: Vec<(String, i64)>) -> Vec<String> {
    let mut sides: BTreeMap<String, (bool, bool)> = BTreeMap::new();
    for (group, held) in rows {
        let e = sides.entry(group).or_default();
        if held == 1 { e.0 = true } else { e.1 = true }
    }
    sides
        .into_iter()
        .map(|(group, sides)| match sides {
            (true, true) => format!("{group}: the sums held differ from the ledger's"),
            (true, false) => format!("{group}: held, but the ledger has nothing there"),
            _ => format!("{group}: in the ledger, but not held"),
        })
        .collect()
}

/// The balances the ledger's accounts must have if the rollups are right, from the
/// cohorts' totals per (head, district), compared with the balances read from transfers.
/// `balances` holds (debit, credit, amount) sums grouped by account pair.
pub(crate) fn compare_accounts(cohorts: &[(String, String, Rollup)], pairs: &[(String, String, i64)]) -> (Vec<String>, Rollup) {
    // Each account's balance as debits minus credits.
    let mut balance: BTreeMap<String, i128> = BTreeMap::new();
    for (debit, credit, amount) in pairs {
        *balance.entry(debit.clone()).or_default() += i128::from(*amount);
        *balance.entry(credit.clone()).or_default() -= i128::from(*amount);
    }
    let mut totals = Rollup::default();
    let mut expected: BTreeMap<String, i128> = BTreeMap::new();
    for (head, district, r) in cohorts {
        totals.add(r);
        *expected.entry(format!("receivable:{head}:{district}")).or_default() += i128::from(r.outstanding_paisa());
        *expected.entry(format!("revenue:{head}:{district}")).or_default() -= i128::from(r.imposed_paisa());
        *expected.entry(format!("waived:{head}:{district}")).or_default() += i128::from(r.cancelled_paisa) + i128::from(r.waived_paisa);
    }
    let mut problems = Vec::new();
    let kinds = ["receivable", "revenue", "waived"];
    let names: std::collections::BTreeSet<&String> =
        balance.keys().chain(expected.keys()).filter(|a| kinds.iter().any(|k| a.starts_with(&format!("{k}:")))).collect();
    for name in names {
        let (held, due) = (expected.get(name).copied().unwrap_or(0), balance.get(name).copied().unwrap_or(0));
        if held != due {
            problems.push(format!("{name}: the ledger's balance is {due} paisa, the rollups make it {held}"));
        }
    }
    // Clearing accounts, together: what came in and is not yet deposited.
    let clearing: i128 = balance.iter().filter(|(a, _)| matches!(Account::parse(a), Ok(Account::Clearing(_)))).map(|(_, b)| *b).sum();
    let held = i128::from(totals.received_paisa()) - i128::from(totals.deposited_paisa);
    if clearing != held {
        problems.push(format!("clearing accounts: the ledger holds {clearing} paisa not yet deposited, the rollups make it {held}"));
    }
    (problems, totals)
}

/// (head, district, sums) per cohort group, for [`compare_accounts`].
pub(crate) fn cohort_totals_query(dialect: Dialect) -> String {
    format!("SELECT head_code, district, {} FROM {} GROUP BY head_code, district ORDER BY 1, 2", dialect.sums(""), COHORTS.name)
}

/// The ledger's movements by account pair, for [`compare_accounts`].
pub(crate) fn account_pairs_query(dialect: Dialect) -> String {
    format!("SELECT debit, credit, {} FROM transfers GROUP BY debit, credit", dialect.sum("amount_paisa"))
}

/// Rows per table.
pub(crate) fn count_query(t: &Table) -> String {
    format!("SELECT count(*) FROM {}", t.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_leave_cancelled_challans_out_of_what_was_owed() {
        let r = Rollup { issued_n: 4, issued_paisa: 400, paid_paisa: 150, cancelled_n: 1, cancelled_paisa: 100, waived_paisa: 50, ..Rollup::default() };
        assert_eq!(r.outstanding_paisa(), 100);
        assert_eq!(r.collection_rate(), Some(0.5));
        assert_eq!(r.cancellation_rate(), Some(0.25));
        assert_eq!(Rollup::default().collection_rate(), None);
    }

    #[test]
    fn a_scope_becomes_conditions_in_either_dialect() -> std::result::Result<(), Box<dyn std::error::Error>> {
        let scope = Scope::Pairs(vec![(Some(Slug::parse("peshawar")?), Some(Slug::parse("price-control")?)), (Some(Slug::parse("mardan")?), None)]);
        let f = InsightFilter { head: Some("DA-ENC-01".into()), ..InsightFilter::scope(scope) };
        let q = grouped(Dialect::Postgres, &f, Window::Days { from: 1, to: 2 }, true, Some(Dimension::District)).ok_or("nowhere")?;
        assert!(q.sql.contains("((district = $1 AND department = $2) OR (district = $3)) AND head_code = $4 AND day BETWEEN $5 AND $6"), "{}", q.sql);
        assert!(q.sql.ends_with("LIMIT $7"), "{}", q.sql);
        assert_eq!(q.params.len(), 7);
        let q =
            grouped(Dialect::Sqlite, &InsightFilter::scope(Scope::Everywhere), Window::Cohorts { from: 202601, to: 202612 }, false, None).ok_or("nowhere")?;
        assert!(q.sql.contains("WHERE cohort_month BETWEEN ?1 AND ?2"), "{}", q.sql);
        assert!(!q.sql.contains("GROUP BY"), "{}", q.sql);
        assert!(grouped(Dialect::Sqlite, &InsightFilter::scope(Scope::Pairs(Vec::new())), Window::Days { from: 0, to: 1 }, false, None).is_none());
        // A pair with neither part is everywhere.
        let q =
            grouped(Dialect::Sqlite, &InsightFilter::scope(Scope::Pairs(vec![(None, None)])), Window::Days { from: 0, to: 1 }, false, None).ok_or("nowhere")?;
        assert!(!q.sql.contains("district ="), "{}", q.sql);
        Ok(())
    }

    #[test]
    fn accounts_are_compared_with_the_cohorts() {
        let r = Rollup { issued_paisa: 500, paid_paisa: 300, waived_paisa: 100, deposited_paisa: 300, ..Rollup::default() };
        let cohorts = vec![("H-1".to_string(), "peshawar".to_string(), r)];
        let pairs = vec![
            ("receivable:H-1:peshawar".to_string(), "revenue:H-1:peshawar".to_string(), 500),
            ("clearing:bank:hbl".to_string(), "receivable:H-1:peshawar".to_string(), 300),
            ("waived:H-1:peshawar".to_string(), "receivable:H-1:peshawar".to_string(), 100),
            ("treasury:account-1".to_string(), "clearing:bank:hbl".to_string(), 300),
        ];
        let (problems, totals) = compare_accounts(&cohorts, &pairs);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(totals, r);
        let mut short = pairs.clone();
        short[2].2 = 90;
        let (problems, _) = compare_accounts(&cohorts, &short);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].contains("receivable:H-1:peshawar"), "{problems:?}");
    }
}
