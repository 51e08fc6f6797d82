//! `/challans/{challan_no}`: one challan with every field, its history, its cancellation
//! requests and contests, and the forms to request a cancellation (the issuing officer) or
//! record a contest. A challan outside the reader's scope is "not found".

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jiff::Timestamp;
use mahasil_domain::authz::{Action, Principal};
use mahasil_domain::challan::{ChallanStatus, MAX_REASON_CHARS};
use mahasil_domain::notice::Language;
use mahasil_domain::time::local_date;
use mahasil_store::{ChallanRecord, ContestState, RequestState};
use maud::{Markup, html};

use super::catalogue::Catalogue;
use super::form::{FormFields, QueryFields};
use super::staff::Staff;
use super::widgets::{Select, karachi_time, money, notice, status_badge};
use crate::actions;
use crate::documents::{self, Copy, Format};
use crate::error::{ApiError, ApiResult};

/// What the two action forms show after a failed submission.
#[derive(Default)]
struct Pending<'a> {
    reason: &'a str,
    /// The kind of request chosen (`cancel` or `waive`).
    kind: &'a str,
    grounds: &'a str,
    /// Which form failed (`cancellation` or `contest`) and why.
    failure: Option<(&'static str, String)>,
}

/// `GET /challans/{challan_no}`.
pub async fn page(staff: Staff, Path(no): Path<String>, QueryFields(query): QueryFields) -> Response {
    let flash = if query.opt("issued").is_some() {
        Some("Challan issued.")
    } else {
        match query.get("done") {
            "cancellation" => Some("Request sent; a supervisor will decide it."),
            "contest" => Some("Contest recorded; a supervisor will decide it."),
            _ => None,
        }
    };
    let result = render(&staff, &no, flash, &Pending::default(), StatusCode::OK).await;
    staff.finish(result)
}

async fn readable(staff: &Staff, no: &str) -> ApiResult<ChallanRecord> {
    let parsed = actions::parse_challan_no(no).map_err(|e| ApiError::not_found(format!("no challan {no}: {}", e.body.message)))?;
    actions::readable_challan(&staff.state, staff.principal(), parsed).await
}

fn row(label: &str, value: Markup) -> Markup {
    html! { div.kv { dt { (label) } dd { (value) } } }
}

fn facts(c: &ChallanRecord, catalogue: &Catalogue, today: jiff::civil::Date) -> Markup {
    let overdue = c.status.is_overdue(c.due_date, today);
    let o = &c.offender;
    html! {
        section.card {
            h2 { "Demand" }
            dl.facts {
                (row("Revenue head", catalogue.head_name(&c.head_code)))
                (row("Fee schedule", html! { "version " (c.schedule_version) }))
                (row("District", catalogue.district_name(&c.district)))
                (row("Department", catalogue.department_name(&c.department)))
                (row("Amount within due date", html! { strong { (money(c.amount_paisa)) } }))
                (row("Amount after due date", html! { (money(c.amount_after_due_paisa)) }))
                (row("Due date", html! { (c.due_date.to_string()) @if overdue { " " (status_badge(c.status, true)) } }))
                (row("Issued (issuer's clock)", html! { (karachi_time(c.issued_at)) }))
                (row("Received (server's clock)", html! { (karachi_time(c.received_at)) }))
                (row("Issuing officer", html! { (c.officer_username) }))
                (row("Issuer number", html! { (c.issuer_no.to_string()) }))
            }
        }
        section.card {
            h2 { "Offender" }
            dl.facts {
                (row("Name", html! { (o.name.as_str()) }))
                (row("CNIC", html! { (o.cnic.as_str()) }))
                (row("Mobile", html! { (o.mobile.as_str()) }))
                @if let Some(v) = &o.email { (row("Email", html! { (v.as_str()) })) }
                @if let Some(v) = &o.vehicle_no { (row("Vehicle", html! { (v.as_str()) })) }
                @if let Some(v) = &o.business_name { (row("Business", html! { (v.as_str()) })) }
                @if let Some(v) = &o.address { (row("Address", html! { (v.as_str()) })) }
                (row("Messages in", html! {
                    @match o.language {
                        Some(Language::En) => "English (as asked)",
                        Some(Language::Ur) => "Urdu (as asked)",
                        None => "not asked: SMS in Urdu, email in English",
                    }
                }))
                (row("Place", html! { (c.location.text.as_str()) " (" (c.location.lat) ", " (c.location.lon) ")" }))
            }
        }
    }
}

/// The challan's history, and whether a cancellation request is still pending.
async fn history(staff: &Staff, c: &ChallanRecord) -> ApiResult<(Markup, bool)> {
    let store = &staff.state.store;
    let events = store.challan_events(c.id).await?;
    let cancellations = store.challan_cancellations(c.id).await?;
    let contests = store.challan_contests(c.id).await?;
    let cancellation_pending = cancellations.iter().any(|r| r.state == RequestState::Pending);
    let markup = html! {
        section.card {
            h2 { "History" }
            ol.timeline {
                @for e in &events {
                    li { span.when { (karachi_time(e.at)) } " " strong { (e.kind.replace('_', " ")) } " by " (e.actor) " → " (e.status.as_str()) @if let Some(n) = &e.note { br; span.note { (n) } } }
                }
            }
        }
        @if !cancellations.is_empty() {
            section.card {
                h2 { "Cancellation and waiver requests" }
                ul.items { @for r in &cancellations {
                    li {
                        span class={ "badge " (r.state.as_str()) } { (r.state.as_str()) } " " (r.kind.noun()) " requested by " (r.requested_by_username) " on " (karachi_time(r.requested_at))
                        p.note { (r.reason) }
                        @if let (Some(by), Some(at)) = (&r.decided_by_username, r.decided_at) { p { "Decided by " (by) " on " (karachi_time(at)) @if let Some(n) = &r.decision_note { ": " (n) } } }
                    }
                } }
            }
        }
        @if !contests.is_empty() {
            section.card {
                h2 { "Contests" }
                ul.items { @for k in &contests {
                    li {
                        span class={ "badge " (k.state.as_str()) } { (k.state.as_str()) } " recorded by " (k.recorded_by_username) " on " (karachi_time(k.recorded_at))
                        p.note { (k.grounds) }
                        @if let (Some(by), Some(at)) = (&k.decided_by_username, k.decided_at) { p { "Decided by " (by) " on " (karachi_time(at)) @if let Some(n) = &k.decision_note { ": " (n) } } }
                    }
                } }
            }
        }
        @if cancellation_pending || contests.iter().any(|k| k.state == ContestState::Open) {
            p.hint { "A decision is waiting with a supervisor." }
        }
    };
    Ok((markup, cancellation_pending))
}

fn may_request_cancellation(who: &Principal, c: &ChallanRecord) -> bool {
    who.user_id == c.officer_id && who.may(Action::RequestCancellation, &c.district, &c.department) && c.status == ChallanStatus::Issued
}

fn action_form(staff: &Staff, c: &ChallanRecord, kind: &'static str, pending: &Pending<'_>) -> Markup {
    let (heading, name, value, button, help) = match kind {
        "cancellation" => (
            "Request cancellation or waiver",
            "reason",
            pending.reason,
            "Send the request",
            "Why: a cancellation says the challan should not have been issued; a waiver forgives a fine rightly issued. A supervisor decides.",
        ),
        _ => ("Record a contest", "grounds", pending.grounds, "Record contest", "The offender's grounds for contesting. A supervisor upholds or quashes it."),
    };
    let failure = pending.failure.as_ref().filter(|(k, _)| *k == kind).map(|(_, m)| m.as_str());
    html! {
        section.card id=(kind) {
            h2 { (heading) }
            @if let Some(m) = failure { (notice("error", m)) }
            form method="post" action={ "/challans/" (c.challan_no.to_string()) "/" (kind) } {
                (staff.csrf_field())
                @if kind == "cancellation" {
                    (Select {
                        label: "Request",
                        name: "kind",
                        options: vec![("cancel".into(), "Cancel: it should not have been issued".into()), ("waive".into(), "Waive: forgive the fine".into())],
                        selected: pending.kind,
                        error: None,
                    })
                }
                div.field {
                    label for=(name) { (help) }
                    textarea id=(name) name=(name) rows="3" required maxlength=(MAX_REASON_CHARS) { (value) }
                }
                button type="submit" { (button) }
            }
        }
    }
}

async fn render(staff: &Staff, no: &str, flash: Option<&str>, pending: &Pending<'_>, status: StatusCode) -> ApiResult<Response> {
    let c = readable(staff, no).await?;
    let catalogue = Catalogue::load(&staff.state).await?;
    let today = local_date(Timestamp::now());
    let who = staff.principal();
    let (history, cancellation_pending) = history(staff, &c).await?;
    let messages = staff.state.store.challan_messages(c.id).await?;
    let title = format!("Challan {}", c.challan_no);
    let show_cancellation = may_request_cancellation(who, &c) && !cancellation_pending;
    let show_contest = c.status == ChallanStatus::Issued && who.may(Action::RecordContest, &c.district, &c.department);
    // A refusal whose form is no longer offered is said at the top instead.
    let unplaced = pending.failure.as_ref().filter(|(kind, _)| if *kind == "cancellation" { !show_cancellation } else { !show_contest });
    let content = html! {
        h1 { (title) " " (status_badge(c.status, c.status.is_overdue(c.due_date, today))) }
        @if let Some(m) = flash { (notice("ok", m)) }
        @if let Some((_, m)) = unplaced { (notice("error", m)) }
        (facts(&c, &catalogue, today))
        (printing(&c))
        (history)
        (super::messages::section(&messages))
        @if show_cancellation { (action_form(staff, &c, "cancellation", pending)) }
        @if show_contest { (action_form(staff, &c, "contest", pending)) }
        p { a href="/challans" { "Back to challans" } }
    };
    Ok(staff.page(status, &title, content))
}

/// The seal's check page and the notice to print.
fn printing(c: &ChallanRecord) -> Markup {
    html! {
        section.card #printing {
            h2 { "Notice and seal" }
            @match &c.seal {
                Some(seal) => {
                    p { "The QR code on the notice opens " a href={ "/V/" (mahasil_seal::token::token(seal)) } { "its check page" } "." }
                    ul { @for (file, label) in Format::FILES { li { a href={ "/challans/" (c.challan_no) "/print/" (file) } { (label) } } } }
                }
                None => p { "This challan has no seal." }
            }
        }
    }
}

/// `GET /challans/{challan_no}/print/{file}`: the staff copy of the notice (with the
/// offender's name and CNIC), for a challan the reader may see.
pub async fn print(staff: Staff, Path((no, file)): Path<(String, String)>) -> Response {
    let result = async {
        let format = Format::parse(&file).ok_or_else(|| ApiError::not_found(format!("no download named {file}")))?;
        let c = readable(&staff, &no).await?;
        documents::notice(&staff.state, &c, Copy::Staff, format).await
    }
    .await;
    staff.finish(result)
}

/// The answer to a failed action: the page again with the message next to its form, or
/// the error page when the challan itself cannot be shown.
async fn failed(staff: &Staff, no: &str, pending: Pending<'_>, e: ApiError) -> ApiResult<Response> {
    if e.status.is_server_error() {
        return Err(e);
    }
    render(staff, no, None, &pending, e.status).await
}

/// `POST /challans/{challan_no}/cancellation`.
pub async fn request_cancellation(staff: Staff, Path(no): Path<String>, form: FormFields) -> Response {
    let result = async {
        staff.check_csrf(&form)?;
        let parsed = readable(&staff, &no).await?.challan_no;
        match actions::request_cancellation(&staff.state, staff.principal(), parsed, form.opt("kind"), form.get("reason"), Timestamp::now()).await {
            Ok(_) => Ok(Redirect::to(&format!("/challans/{parsed}?done=cancellation")).into_response()),
            Err(e) => {
                let pending = Pending {
                    reason: form.get("reason"),
                    kind: form.get("kind"),
                    failure: Some(("cancellation", e.body.message.clone())),
                    ..Pending::default()
                };
                failed(&staff, &no, pending, e).await
            }
        }
    }
    .await;
    staff.finish(result)
}

/// `POST /challans/{challan_no}/contest`.
pub async fn record_contest(staff: Staff, Path(no): Path<String>, form: FormFields) -> Response {
    let result = async {
        staff.check_csrf(&form)?;
        let parsed = readable(&staff, &no).await?.challan_no;
        match actions::record_contest(&staff.state, staff.principal(), parsed, form.get("grounds"), Timestamp::now()).await {
            Ok(_) => Ok(Redirect::to(&format!("/challans/{parsed}?done=contest")).into_response()),
            Err(e) => {
                let pending = Pending { grounds: form.get("grounds"), failure: Some(("contest", e.body.message.clone())), ..Pending::default() };
                failed(&staff, &no, pending, e).await
            }
        }
    }
    .await;
    staff.finish(result)
}
