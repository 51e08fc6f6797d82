//! `/queue`: what waits for a supervisor's decision within their scope: pending
//! cancellation requests (approve or reject) and open contests (uphold or quash), each
//! with a note. A refusal by the domain is shown on the queue with its own status.

use std::collections::HashMap;

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jiff::Timestamp;
use mahasil_domain::DomainError;
use mahasil_domain::authz::Action;
use mahasil_domain::challan::{MAX_REASON_CHARS, ReliefKind};
use mahasil_store::{CancellationRequest, ChallanRecord, Contest};
use maud::{Markup, html};
use uuid::Uuid;

use super::form::{FormFields, QueryFields};
use super::staff::Staff;
use super::widgets::{karachi_time, money, notice, status_badge};
use crate::actions;
use crate::error::{ApiError, ApiResult};

/// Most items of each kind listed at once, oldest first.
pub const QUEUE_LIMIT: u32 = 100;

/// `GET /queue`.
pub async fn page(staff: Staff, QueryFields(query): QueryFields) -> Response {
    let flash = match query.get("done") {
        "approved" => Some("Request approved; the challan is cancelled."),
        "rejected" => Some("Request rejected; the challan stands."),
        "upheld" => Some("Contest upheld; the challan is due again."),
        "quashed" => Some("Contest quashed; the challan is cancelled."),
        _ => None,
    };
    let result = render(&staff, flash.map(|m| ("ok", m.to_string())), StatusCode::OK).await;
    staff.finish(result)
}

fn decision_form(staff: &Staff, action: String, choices: [(&str, &str); 2]) -> Markup {
    html! {
        form.decide method="post" action=(action) {
            (staff.csrf_field())
            label { "Note " input type="text" name="note" maxlength=(MAX_REASON_CHARS); }
            @for (value, label) in choices { button type="submit" name="decision" value=(value) { (label) } " " }
        }
    }
}

/// What the supervisor needs to know of the challan itself: head, amount, offender, status.
fn challan_line(c: Option<&ChallanRecord>) -> Markup {
    html! {
        @if let Some(c) = c {
            p.hint { (c.head_code) " · " (money(c.amount_paisa)) " · " (c.offender.name.as_str()) " · issued by " (c.officer_username) " on " (karachi_time(c.issued_at)) " · " (status_badge(c.status, false)) }
        }
    }
}

fn cancellation_item(staff: &Staff, r: &CancellationRequest, c: Option<&ChallanRecord>) -> Markup {
    let own = r.requested_by == staff.principal().user_id;
    html! {
        li.card {
            a href={ "/challans/" (r.challan_no.to_string()) } { strong { (r.challan_no.to_string()) } }
            " · " span class={ "badge " (r.kind.as_str()) } { (r.kind.noun()) }
            " · " (r.district.to_string()) " · requested by " (r.requested_by_username) " on " (karachi_time(r.requested_at))
            (challan_line(c))
            p.note { (r.reason) }
            @if own {
                p.hint { "Your own request: another supervisor decides it." }
            } @else {
                @let approve = match r.kind { ReliefKind::Cancel => "Approve (cancel the challan)", ReliefKind::Waive => "Approve (waive the fine)" };
                (decision_form(staff, format!("/queue/cancellations/{}", r.id), [("approve", approve), ("reject", "Reject")]))
            }
        }
    }
}

fn contest_item(staff: &Staff, k: &Contest, c: Option<&ChallanRecord>) -> Markup {
    html! {
        li.card {
            a href={ "/challans/" (k.challan_no.to_string()) } { strong { (k.challan_no.to_string()) } }
            " · " (k.district.to_string()) " · recorded by " (k.recorded_by_username) " on " (karachi_time(k.recorded_at))
            (challan_line(c))
            p.note { (k.grounds) }
            (decision_form(staff, format!("/queue/contests/{}", k.id), [("uphold", "Uphold (challan stands)"), ("quash", "Quash (cancel the challan)")]))
        }
    }
}

async fn render(staff: &Staff, message: Option<(&str, String)>, status: StatusCode) -> ApiResult<Response> {
    let who = staff.principal();
    let cancel_scope = who.scope(Action::DecideCancellation);
    let contest_scope = who.scope(Action::DecideContest);
    if cancel_scope.is_nowhere() && contest_scope.is_nowhere() {
        return Err(ApiError::forbidden(format!("{} may not decide cancellations or contests", who.username)));
    }
    let store = &staff.state.store;
    let cancellations = if cancel_scope.is_nowhere() { Vec::new() } else { store.pending_cancellations(&cancel_scope, QUEUE_LIMIT).await? };
    let contests = if contest_scope.is_nowhere() { Vec::new() } else { store.open_contests(&contest_scope, QUEUE_LIMIT).await? };
    let mut challans: HashMap<Uuid, ChallanRecord> = HashMap::new();
    for id in cancellations.iter().map(|r| r.challan_id).chain(contests.iter().map(|k| k.challan_id)) {
        if let Some(c) = store.challan(id).await? {
            challans.insert(id, c);
        }
    }
    let content = html! {
        h1 { "Decisions waiting" }
        @if let Some((kind, m)) = &message { (notice(kind, m)) }
        section {
            h2 { "Cancellation and waiver requests (" (cancellations.len()) ")" }
            @if cancellations.is_empty() { p.empty { "None pending." } }
            ul.queue { @for r in &cancellations { (cancellation_item(staff, r, challans.get(&r.challan_id))) } }
        }
        section {
            h2 { "Contests (" (contests.len()) ")" }
            @if contests.is_empty() { p.empty { "None open." } }
            ul.queue { @for k in &contests { (contest_item(staff, k, challans.get(&k.challan_id))) } }
        }
    };
    Ok(staff.page(status, "Queue", content))
}

/// The queue again with the refusal at the top, under the refusal's own status.
async fn refused(staff: &Staff, e: ApiError) -> ApiResult<Response> {
    if e.status.is_server_error() {
        return Err(e);
    }
    let message =
        if e.body.message == DomainError::OwnRequest.to_string() { "You cannot decide your own request.".to_string() } else { e.body.message.clone() };
    render(staff, Some(("error", message)), e.status).await
}

fn item_id(id: &str) -> ApiResult<Uuid> {
    Uuid::parse_str(id).map_err(|_| ApiError::not_found(format!("nothing waits under {id}")))
}

fn decision(form: &FormFields, yes: &str, no: &str) -> ApiResult<bool> {
    match form.get("decision") {
        d if d == yes => Ok(true),
        d if d == no => Ok(false),
        _ => Err(ApiError::bad_request(format!("choose {yes} or {no}"))),
    }
}

/// `POST /queue/cancellations/{id}`.
pub async fn decide_cancellation(staff: Staff, Path(id): Path<String>, form: FormFields) -> Response {
    let result = async {
        staff.check_csrf(&form)?;
        let id = item_id(&id)?;
        let approve = decision(&form, "approve", "reject")?;
        match actions::decide_cancellation(&staff.state, staff.principal(), id, approve, form.get("note"), Timestamp::now()).await {
            Ok(_) => Ok(Redirect::to(if approve { "/queue?done=approved" } else { "/queue?done=rejected" }).into_response()),
            Err(e) => refused(&staff, e).await,
        }
    }
    .await;
    staff.finish(result)
}

/// `POST /queue/contests/{id}`.
pub async fn decide_contest(staff: Staff, Path(id): Path<String>, form: FormFields) -> Response {
    let result = async {
        staff.check_csrf(&form)?;
        let id = item_id(&id)?;
        let uphold = decision(&form, "uphold", "quash")?;
        match actions::decide_contest(&staff.state, staff.principal(), id, uphold, form.get("note"), Timestamp::now()).await {
            Ok(_) => Ok(Redirect::to(if uphold { "/queue?done=upheld" } else { "/queue?done=quashed" }).into_response()),
            Err(e) => refused(&staff, e).await,
        }
    }
    .await;
    staff.finish(result)
}
