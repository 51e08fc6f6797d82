//! `GET /treasury`: the daily deposit view. For each day of a chosen range (the last 14
//! days unless asked), one row per head of account and district: the payments taken, the
//! money paid, how much of it a bank statement has shown arriving in the treasury account,
//! and how much is still in transit; a total per day and for the range. Only what lies in
//! the user's districts and departments is shown.

use std::collections::{BTreeMap, HashMap};

use axum::http::StatusCode;
use axum::response::Response;
use jiff::Timestamp;
use jiff::civil::Date;
use mahasil_domain::authz::{Action, Scope};
use mahasil_domain::head::RevenueHead;
use mahasil_store::DepositRow;
use maud::{Markup, html};

use super::pkr;
use crate::error::ApiResult;
use crate::web::form::{FieldErrors, FormFields, QueryFields, parse_date};
use crate::web::staff::Staff;
use crate::web::widgets::{Input, urdu};

/// The days shown when none are asked for, today included.
pub const DEFAULT_DAYS: i64 = 14;
/// The longest range one page shows.
pub const MAX_DAYS: i64 = 92;

/// One row of the view: a day's money for one head in one district, every channel together.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DepositLine {
    pub payments: u64,
    pub paid_paisa: i64,
    pub deposited_paisa: i64,
}

impl DepositLine {
    fn add(&mut self, payments: u64, paid_paisa: i64, deposited_paisa: i64) {
        self.payments += payments;
        self.paid_paisa = self.paid_paisa.saturating_add(paid_paisa);
        self.deposited_paisa = self.deposited_paisa.saturating_add(deposited_paisa);
    }

    pub fn in_transit_paisa(&self) -> i64 {
        self.paid_paisa.saturating_sub(self.deposited_paisa)
    }
}

/// A day of the view: its rows by (head code, district), and their total.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DepositDay {
    pub rows: BTreeMap<(String, String), DepositLine>,
    pub total: DepositLine,
}

/// The rows within `scope`, grouped by day (newest first) and by head and district; `heads`
/// give each head's department. A row whose head is unknown is shown only to a user whose
/// scope reaches every department of its district.
pub fn group(rows: &[DepositRow], heads: &HashMap<String, RevenueHead>, scope: &Scope) -> (Vec<(Date, DepositDay)>, DepositLine) {
    let mut days: BTreeMap<Date, DepositDay> = BTreeMap::new();
    let mut total = DepositLine::default();
    for row in rows {
        let visible = match heads.get(&row.head_code) {
            Some(head) => scope.contains(&row.district, &head.department),
            None => {
                matches!(scope, Scope::Everywhere)
                    || matches!(scope, Scope::Pairs(pairs) if pairs.iter().any(|(d, p)| p.is_none() && d.as_ref().is_none_or(|d| *d == row.district)))
            }
        };
        if !visible {
            continue;
        }
        let day = days.entry(row.paid_on).or_default();
        day.rows.entry((row.head_code.clone(), row.district.to_string())).or_default().add(row.payments, row.paid_paisa, row.deposited_paisa);
        day.total.add(row.payments, row.paid_paisa, row.deposited_paisa);
        total.add(row.payments, row.paid_paisa, row.deposited_paisa);
    }
    (days.into_iter().rev().collect(), total)
}

/// `GET /treasury?from=YYYY-MM-DD&to=YYYY-MM-DD`.
pub async fn page(staff: Staff, QueryFields(query): QueryFields) -> Response {
    let result = render(&staff, &query).await;
    staff.finish(result)
}

fn days_before(date: Date, days: i64) -> Date {
    jiff::Span::new().try_days(days).ok().and_then(|span| date.checked_sub(span).ok()).unwrap_or(Date::MIN)
}

/// The range asked for, or why it cannot be shown.
fn range(query: &FormFields, today: Date) -> Result<(Date, Date), FieldErrors> {
    let mut errors = FieldErrors::new();
    let mut date = |name: &str, default: Date| match query.opt(name) {
        None => default,
        Some(text) => parse_date(text).unwrap_or_else(|reason| {
            errors.insert(name.into(), reason);
            default
        }),
    };
    let to = date("to", today);
    let from = date("from", days_before(to, DEFAULT_DAYS - 1));
    if errors.is_empty() && from > to {
        errors.insert("from".into(), "must not be after the last day".into());
    } else if errors.is_empty() && days_before(to, MAX_DAYS - 1) > from {
        errors.insert("from".into(), format!("a page shows at most {MAX_DAYS} days"));
    }
    if errors.is_empty() { Ok((from, to)) } else { Err(errors) }
}

async fn render(staff: &Staff, query: &FormFields) -> ApiResult<Response> {
    let scope = staff.require(Action::ViewTreasury)?;
    let today = mahasil_domain::time::local_date(Timestamp::now());
    let (from, to, errors) = match range(query, today) {
        Ok((from, to)) => (from, to, FieldErrors::new()),
        Err(errors) => (days_before(today, DEFAULT_DAYS - 1), today, errors),
    };
    let store = &staff.state.store;
    let heads: HashMap<String, RevenueHead> = store.heads().await?.into_iter().map(|h| (h.code.to_string(), h)).collect();
    let rows = store.deposit_rows(from, to).await?;
    let (days, total) = group(&rows, &heads, &scope);
    let (from_text, to_text) =
        (query.opt("from").map_or_else(|| from.to_string(), str::to_owned), query.opt("to").map_or_else(|| to.to_string(), str::to_owned));
    let content = html! {
        (super::tabs("/treasury"))
        h1 { "Daily deposits " (urdu("روزانہ جمع شدہ رقم")) }
        p { "Money taken per day, head of account and district, and how much of it the treasury account's bank statements have shown arriving. "
            "What is not yet shown is in transit." }
        form.card method="get" action="/treasury" {
            div.pair {
                (Input::text("From", "from", &from_text).kind("date").errors(&errors, &["from"]))
                (Input::text("To", "to", &to_text).kind("date").errors(&errors, &["to"]))
            }
            button type="submit" { "Show" }
        }
        p { "From " strong { (from) } " to " strong { (to) } "." }
        (totals_table(&days, &total, &heads))
    };
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok(staff.page(status, "Daily deposits", content))
}

fn amounts(line: &DepositLine) -> Markup {
    html! {
        td.num data-label="Payments" { (line.payments) }
        td.num data-label="Paid" { (pkr(i128::from(line.paid_paisa))) }
        td.num data-label="Deposited" { (pkr(i128::from(line.deposited_paisa))) }
        td.num data-label="In transit" { (pkr(i128::from(line.in_transit_paisa()))) }
    }
}

fn totals_table(days: &[(Date, DepositDay)], total: &DepositLine, heads: &HashMap<String, RevenueHead>) -> Markup {
    html! {
        @if days.is_empty() {
            p.empty { "No payments in these days." }
        } @else {
            div.table-wrap {
                table.rows #deposits {
                    thead { tr {
                        th { "Day" } th { "Head of account" } th { "District" }
                        th.num { "Payments" } th.num { "Paid" } th.num { "Deposited" } th.num { "In transit" }
                    } }
                    tbody {
                        @for (day, deposits) in days {
                            @for ((head_code, district), line) in &deposits.rows {
                                tr {
                                    td data-label="Day" { (day) }
                                    td data-label="Head of account" {
                                        (head_code)
                                        @if let Some(head) = heads.get(head_code) { " " span.code { "(" (head.account_code) ")" } }
                                    }
                                    td data-label="District" { (district) }
                                    (amounts(line))
                                }
                            }
                            tr.day-total {
                                th scope="row" colspan="3" { "Total " (day) }
                                (amounts(&deposits.total))
                            }
                        }
                    }
                    tfoot {
                        tr #deposit-totals {
                            th scope="row" colspan="3" { "Total of the days shown" }
                            (amounts(total))
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use mahasil_domain::jurisdiction::Slug;

    use super::*;

    fn slug(s: &str) -> Slug {
        Slug::parse(s).unwrap_or_else(|_| unreachable!())
    }

    fn row(day: i8, head: &str, district: &str, channel: &str, paid: i64, deposited: i64) -> DepositRow {
        DepositRow {
            paid_on: Date::constant(2026, 3, day),
            head_code: head.into(),
            district: slug(district),
            channel: channel.into(),
            payments: 1,
            paid_paisa: paid,
            deposited_paisa: deposited,
        }
    }

    #[test]
    fn channels_merge_and_scope_filters() {
        let heads: HashMap<String, RevenueHead> = HashMap::new();
        let rows = [
            row(2, "DA-ENC-01", "peshawar", "bank", 500, 500),
            row(2, "DA-ENC-01", "peshawar", "counter", 300, 0),
            row(3, "DA-ENC-01", "mardan", "bank", 700, 0),
            row(1, "PC-OVR-01", "peshawar", "gateway", 100, 0),
        ];
        let (days, total) = group(&rows, &heads, &Scope::Everywhere);
        assert_eq!(days.iter().map(|(d, _)| d.day()).collect::<Vec<_>>(), [3, 2, 1]);
        let merged = &days[1].1.rows[&("DA-ENC-01".to_string(), "peshawar".to_string())];
        assert_eq!((merged.payments, merged.paid_paisa, merged.deposited_paisa, merged.in_transit_paisa()), (2, 800, 500, 300));
        assert_eq!((total.payments, total.paid_paisa, total.in_transit_paisa()), (4, 1600, 1100));

        let peshawar = Scope::Pairs(vec![(Some(slug("peshawar")), None)]);
        let (days, total) = group(&rows, &heads, &peshawar);
        assert_eq!(days.len(), 2);
        assert_eq!(total.paid_paisa, 900);
    }

    #[test]
    fn ranges() {
        let today = Date::constant(2026, 3, 20);
        assert_eq!(range(&FormFields::default(), today), Ok((Date::constant(2026, 3, 7), today)));
        let asked = FormFields::new(vec![("from".into(), "2026-03-01".into()), ("to".into(), "2026-03-02".into())]);
        assert_eq!(range(&asked, today), Ok((Date::constant(2026, 3, 1), Date::constant(2026, 3, 2))));
        let backwards = FormFields::new(vec![("from".into(), "2026-03-05".into()), ("to".into(), "2026-03-02".into())]);
        assert!(range(&backwards, today).is_err());
        let long = FormFields::new(vec![("from".into(), "2025-01-01".into())]);
        assert!(range(&long, today).is_err());
        let bad = FormFields::new(vec![("to".into(), "yesterday".into())]);
        assert!(range(&bad, today).is_err_and(|e| e.contains_key("to")));
    }
}
