//! `/challans`: find challans within one's scope by number, CNIC, mobile, vehicle, status
//! (including the derived `overdue`), district, head and issue dates, newest first, a page
//! at a time. A typed challan number goes straight to that challan.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jiff::Timestamp;
use mahasil_domain::DomainError;
use mahasil_domain::authz::{Action, Scope};
use mahasil_domain::challan::ChallanStatus;
use mahasil_domain::challan_no::ChallanNo;
use mahasil_domain::head::HeadCode;
use mahasil_domain::identity::{Cnic, Mobile, VehicleNo};
use mahasil_domain::jurisdiction::Slug;
use mahasil_domain::time::local_date;
use mahasil_store::{ChallanPage, ChallanQuery, ChallanRecord, MAX_PAGE_SIZE};
use maud::{Markup, html};

use super::catalogue::Catalogue;
use super::form::{FieldErrors, FormFields, QueryFields, parse_date, query_string};
use super::staff::Staff;
use super::widgets::{Input, Select, karachi_time, money, status_badge};
use crate::error::ApiResult;

/// Rows on one page unless the search asks for another size.
pub const DEFAULT_PAGE_SIZE: u32 = 50;

/// The status filter's choices: the stored statuses and the derived `overdue`.
const STATUS_CHOICES: [&str; 6] = ["issued", "overdue", "contested", "paid", "cancelled", "waived"];

/// `GET /challans`.
pub async fn list(staff: Staff, QueryFields(query): QueryFields) -> Response {
    let result = search(&staff, &query).await;
    staff.finish(result)
}

fn take<T>(errors: &mut FieldErrors, name: &str, parsed: Result<T, DomainError>) -> Option<T> {
    match parsed {
        Ok(v) => Some(v),
        Err(DomainError::Invalid { reason, .. }) => {
            errors.insert(name.into(), reason);
            None
        }
        Err(other) => {
            errors.insert(name.into(), other.to_string());
            None
        }
    }
}

/// The search the form asks for, or every field that is wrong.
fn parse_query(scope: Scope, form: &FormFields, now: Timestamp) -> Result<ChallanQuery, FieldErrors> {
    let mut errors = FieldErrors::new();
    let mut query = ChallanQuery::new(scope);
    query.cnic = form.opt("cnic").and_then(|v| take(&mut errors, "cnic", Cnic::parse(v)));
    query.mobile = form.opt("mobile").and_then(|v| take(&mut errors, "mobile", Mobile::parse(v)));
    query.vehicle_no = form.opt("vehicle_no").and_then(|v| take(&mut errors, "vehicle_no", VehicleNo::parse(v)));
    query.district = form.opt("district").and_then(|v| take(&mut errors, "district", Slug::parse_field("district", v)));
    query.head_code = form.opt("head").and_then(|v| take(&mut errors, "head", HeadCode::parse(v))).map(|c| c.to_string());
    match form.opt("status") {
        None => {}
        Some("overdue") => query.overdue_on = Some(local_date(now)),
        Some(s) => query.status = take(&mut errors, "status", ChallanStatus::parse(s)),
    }
    for (name, slot) in [("from", &mut query.issued_from), ("to", &mut query.issued_to)] {
        if let Some(v) = form.opt(name) {
            match parse_date(v) {
                Ok(d) => *slot = Some(d),
                Err(reason) => {
                    errors.insert(name.into(), reason);
                }
            }
        }
    }
    if let (Some(from), Some(to)) = (query.issued_from, query.issued_to)
        && from > to
    {
        errors.insert("to".into(), "must not be before the from date".into());
    }
    if let Some(v) = form.opt("per_page") {
        match v.parse::<u32>() {
            Ok(n) if (1..=MAX_PAGE_SIZE).contains(&n) => query.limit = n,
            _ => {
                errors.insert("per_page".into(), format!("must be a number from 1 to {MAX_PAGE_SIZE}"));
            }
        }
    } else {
        query.limit = DEFAULT_PAGE_SIZE;
    }
    if let Some(v) = form.opt("after") {
        match v.parse::<i64>() {
            Ok(cursor) => query.after = Some(cursor),
            Err(_) => {
                errors.insert("after".into(), "is not a page of this search; start the search again".into());
            }
        }
    }
    if errors.is_empty() { Ok(query) } else { Err(errors) }
}

async fn search(staff: &Staff, form: &FormFields) -> ApiResult<Response> {
    let scope = staff.require(Action::ReadChallan)?;
    if let Some(typed) = form.opt("challan_no") {
        return match ChallanNo::parse(typed) {
            Ok(no) => Ok(Redirect::to(&format!("/challans/{no}")).into_response()),
            Err(e) => {
                let mut errors = FieldErrors::new();
                take::<()>(&mut errors, "challan_no", Err(e));
                render(staff, form, &scope, &errors, None, StatusCode::BAD_REQUEST).await
            }
        };
    }
    let now = Timestamp::now();
    match parse_query(scope.clone(), form, now) {
        Ok(query) => {
            let page = staff.state.store.search_challans(&query).await?;
            render(staff, form, &scope, &FieldErrors::new(), Some((page, now)), StatusCode::OK).await
        }
        Err(errors) => render(staff, form, &scope, &errors, None, StatusCode::BAD_REQUEST).await,
    }
}

fn search_form(form: &FormFields, catalogue: &Catalogue, scope: &Scope, errors: &FieldErrors) -> Markup {
    let mut districts = vec![(String::new(), "Any district".to_string())];
    districts.extend(catalogue.districts_in(scope).into_iter().map(|d| (d.slug.to_string(), d.name_en.clone())));
    let mut heads = vec![(String::new(), "Any head".to_string())];
    heads.extend(catalogue.heads.iter().map(|h| (h.code.to_string(), format!("{} — {}", h.code, h.title_en))));
    let mut statuses = vec![(String::new(), "Any status".to_string())];
    statuses.extend(STATUS_CHOICES.iter().map(|s| ((*s).to_string(), (*s).to_string())));
    let err = |k: &str| errors.get(k).map(String::as_str);
    html! {
        form.card.search method="get" action="/challans" {
            div.grid {
                (Input::text("Challan number", "challan_no", form.get("challan_no")).hint("15 digits; opens the challan").inputmode("numeric").errors(errors, &["challan_no"]))
                (Input::text("CNIC", "cnic", form.get("cnic")).hint("#####-#######-#").inputmode("numeric").errors(errors, &["cnic"]))
                (Input::text("Mobile", "mobile", form.get("mobile")).kind("tel").errors(errors, &["mobile"]))
                (Input::text("Vehicle no", "vehicle_no", form.get("vehicle_no")).errors(errors, &["vehicle_no"]))
                (Select { label: "Status", name: "status", options: statuses, selected: form.get("status"), error: err("status") })
                (Select { label: "District", name: "district", options: districts, selected: form.get("district"), error: err("district") })
                (Select { label: "Revenue head", name: "head", options: heads, selected: form.get("head"), error: err("head") })
                (Input::text("Issued from", "from", form.get("from")).kind("date").errors(errors, &["from"]))
                (Input::text("Issued to", "to", form.get("to")).kind("date").errors(errors, &["to"]))
            }
            @if let Some(e) = err("per_page").or(err("after")) { p.field-error { (e) } }
            @if let Some(n) = form.opt("per_page") { input type="hidden" name="per_page" value=(n); }
            div.actions { button type="submit" { "Search" } " " a href="/challans" { "Clear" } }
        }
    }
}

fn results(page: &ChallanPage, form: &FormFields, now: Timestamp) -> Markup {
    let today = local_date(now);
    let next_link = page.next.map(|cursor| {
        let cursor = cursor.to_string();
        let mut pairs: Vec<(&str, &str)> = form.non_blank().filter(|(k, _)| *k != "after").collect();
        pairs.push(("after", cursor.as_str()));
        format!("/challans?{}", query_string(pairs))
    });
    html! {
        @if page.items.is_empty() {
            p.empty { "No challans match." }
        } @else {
            div.table-wrap {
                table.rows {
                    thead { tr { th { "Challan no" } th { "Issued" } th { "Head" } th { "Offender" } th { "CNIC" } th { "Vehicle" } th.num { "Amount" } th { "Due" } th { "Status" } th { "District" } } }
                    tbody { @for c in &page.items { (row(c, today)) } }
                }
            }
        }
        nav.pager aria-label="Pages" {
            @if form.opt("after").is_some() {
                a href={ "/challans?" (query_string(form.non_blank().filter(|(k, _)| *k != "after"))) } { "First page" }
            }
            @if let Some(href) = next_link { a rel="next" href=(href) { "Next page" } }
        }
    }
}

fn row(c: &ChallanRecord, today: jiff::civil::Date) -> Markup {
    html! {
        tr {
            td data-label="Challan no" { a href={ "/challans/" (c.challan_no.to_string()) } { (c.challan_no.to_string()) } }
            td data-label="Issued" { (karachi_time(c.issued_at)) }
            td data-label="Head" { (c.head_code) }
            td data-label="Offender" { (c.offender.name.as_str()) }
            td data-label="CNIC" { (c.offender.cnic.as_str()) }
            td data-label="Vehicle" { @if let Some(v) = &c.offender.vehicle_no { (v.as_str()) } }
            td.num data-label="Amount" { (money(c.amount_paisa)) }
            td data-label="Due" { (c.due_date.to_string()) }
            td data-label="Status" { (status_badge(c.status, c.status.is_overdue(c.due_date, today))) }
            td data-label="District" { (c.district.to_string()) }
        }
    }
}

async fn render(
    staff: &Staff,
    form: &FormFields,
    scope: &Scope,
    errors: &FieldErrors,
    page: Option<(ChallanPage, Timestamp)>,
    status: StatusCode,
) -> ApiResult<Response> {
    let catalogue = Catalogue::load(&staff.state).await?;
    let content = html! {
        h1 { "Challans" }
        (search_form(form, &catalogue, scope, errors))
        @if let Some((page, now)) = &page { (results(page, form, *now)) }
    };
    Ok(staff.page(status, "Challans", content))
}
