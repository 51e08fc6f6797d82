//! `/dashboard/flags`: the anomaly flags within the viewer's scope, each with its evidence
//! and the challans to open, strongest leads first among the open ones. An auditor
//! acknowledges a flag (worth following up) or dismisses it (explained), always with a
//! reason, and the decision is audited. A flag is a lead, never a verdict.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jiff::Timestamp;
use mahasil_domain::authz::Action;
use mahasil_store::{Actor, FlagRecord, FlagState};
use maud::{Markup, html};
use uuid::Uuid;

use super::labels::{self, Lang};
use crate::error::{ApiError, ApiResult};
use crate::web::form::{FormFields, QueryFields};
use crate::web::staff::Staff;
use crate::web::widgets::{karachi_time, notice};

/// Most flags listed on one page.
pub const FLAGS_PAGE: u32 = 200;

fn state_of(q: &FormFields) -> ApiResult<Option<FlagState>> {
    match q.opt("state") {
        None => Ok(Some(FlagState::Open)),
        Some("all") => Ok(None),
        Some(s) => FlagState::parse(s).map(Some).map_err(|_| ApiError::bad_request(format!("state: {s:?} is not open, acknowledged, dismissed or all"))),
    }
}

/// `GET /dashboard/flags`.
pub async fn list(staff: Staff, QueryFields(query): QueryFields) -> Response {
    let result = async {
        let scope = staff.require(Action::ViewDashboard)?;
        let lang = match query.opt("lang") {
            None => Lang::En,
            Some(v) => Lang::parse(v).ok_or_else(|| ApiError::bad_request(format!("lang: {v:?} is not en or ur")))?,
        };
        let state = state_of(&query)?;
        let flags = staff.state.store.flags(&scope, state, FLAGS_PAGE).await?;
        // A flag's subject is an officer's id (named by username) or an issuer; only the
        // officers on this page are looked up, not every user.
        let mut usernames = std::collections::HashMap::new();
        for f in &flags {
            let Ok(id) = Uuid::parse_str(&f.subject) else { continue };
            if let std::collections::hash_map::Entry::Vacant(slot) = usernames.entry(f.subject.as_str())
                && let Some(user) = staff.state.store.user(id).await?
            {
                slot.insert(user.username);
            }
        }
        let name = |id: &str| usernames.get(id).cloned().unwrap_or_else(|| id.to_string());
        let may_decide = !staff.principal().scope(Action::DecideFlag).is_nowhere();
        let flash = query.opt("done").map(|d| notice("ok", &format!("Flag {d}.")));
        let content = html! {
            div.dashboard lang=(lang.code()) dir=(lang.dir()) {
                h1 { (labels::FLAGS.t(lang)) }
                p { "Each flag is a lead for an auditor, never a verdict: it says what looked unusual and the numbers behind it. "
                    "Open the challans it names before acting on it." }
                @if let Some(f) = flash { (f) }
                p.dashboard-links {
                    @for (s, text) in [("open", "Open"), ("acknowledged", "Acknowledged"), ("dismissed", "Dismissed"), ("all", "All")] {
                        a href={ "/dashboard/flags?state=" (s) } { (text) } " "
                    }
                    "· " a href="/dashboard" { (labels::DASHBOARD.t(lang)) }
                }
                @if flags.is_empty() { p { "No flag here." } }
                ol.items #flags {
                    @for f in &flags { (flag_item(&staff, f, lang, may_decide, &name(&f.subject))) }
                }
            }
        };
        Ok(staff.page(StatusCode::OK, labels::FLAGS.t(lang), content))
    }
    .await;
    staff.finish(result)
}

fn flag_item(staff: &Staff, f: &FlagRecord, lang: Lang, may_decide: bool, subject: &str) -> Markup {
    let summary = if lang == Lang::Ur { &f.summary_ur } else { &f.summary_en };
    html! {
        li.card data-flag=(f.id) data-kind=(f.kind) data-state=(f.state.as_str()) {
            p { span class={ "badge " (if f.state == FlagState::Open { "contested" } else { "paid" }) } { (f.state.as_str()) } " " strong { (f.kind.replace('_', " ")) } " · " (f.district) @if let Some(d) = &f.department { " · " (d) } " · " (subject) }
            p.evidence { (summary) }
            p.note { "Found " (karachi_time(f.found_at)) ". Score " (format!("{:.2}", f.score)) "." }
            @if !f.challans.is_empty() {
                p { "Challans: " @for c in &f.challans { a href={ "/challans/" (c) } { (c) } " " } }
            }
            details { summary { "Evidence as recorded" } pre { (serde_json::to_string_pretty(&f.evidence).unwrap_or_default()) } }
            @if let (Some(by), Some(at)) = (&f.decided_by_username, f.decided_at) {
                p { (f.state.as_str()) " by " (by) " on " (karachi_time(at)) ": " (f.reason.as_deref().unwrap_or("")) }
            } @else if may_decide {
                form method="post" action={ "/dashboard/flags/" (f.id) } {
                    (staff.csrf_field())
                    label { "Reason " input type="text" name="reason" required maxlength=(mahasil_store::flags::MAX_FLAG_REASON_CHARS); }
                    button type="submit" name="decision" value="acknowledge" { "Acknowledge (follow up)" }
                    " "
                    button type="submit" name="decision" value="dismiss" { "Dismiss (explained)" }
                }
            }
        }
    }
}

/// `POST /dashboard/flags/{id}`.
pub async fn decide(staff: Staff, Path(id): Path<String>, form: FormFields) -> Response {
    let result = async {
        staff.check_csrf(&form)?;
        let scope = staff.require(Action::DecideFlag)?;
        let id = Uuid::parse_str(&id).map_err(|_| ApiError::not_found(format!("no flag {id}")))?;
        let acknowledge = match form.get("decision") {
            "acknowledge" => true,
            "dismiss" => false,
            _ => return Err(ApiError::bad_request("decision: choose acknowledge or dismiss")),
        };
        let actor = Actor::from(staff.principal());
        let decided = staff.state.store.decide_flag(id, acknowledge, form.get("reason").trim(), &actor, &scope, Timestamp::now()).await?;
        Ok(Redirect::to(&format!("/dashboard/flags?state={}&done={}", decided.state.as_str(), decided.state.as_str())).into_response())
    }
    .await;
    staff.finish(result)
}
