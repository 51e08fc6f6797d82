//! The start page: who is signed in, their roles and where they hold them, and the pages
//! they can use.

use axum::http::StatusCode;
use axum::response::Response;
use mahasil_domain::authz::Action;
use maud::html;

use super::catalogue::Catalogue;
use super::staff::Staff;
use crate::error::ApiResult;

/// `GET /`.
pub async fn page(staff: Staff) -> Response {
    let result = render(&staff).await;
    staff.finish(result)
}

async fn render(staff: &Staff) -> ApiResult<Response> {
    let who = staff.principal();
    let user = staff.state.store.user(who.user_id).await?;
    let catalogue = Catalogue::load(&staff.state).await?;
    let may = |a: Action| !who.scope(a).is_nowhere();
    let content = html! {
        h1 { "Assalam-o-alaikum, " (user.as_ref().map_or(who.username.as_str(), |u| u.display_name.as_str())) }
        p { "Signed in as " strong { (who.username) } "." }
        section.card {
            h2 { "Your roles" }
            @if who.grants.is_empty() {
                p { "You hold no roles yet. Ask an administrator to grant you one." }
            } @else {
                ul { @for g in &who.grants { li { (catalogue.grant_text(g)) } } }
            }
        }
        section.card {
            h2 { "What you can do" }
            ul.links {
                @if may(Action::ReadChallan) { li { a href="/challans" { "Find challans" } " — search by number, CNIC, mobile or vehicle" } }
                @if may(Action::IssueChallan) { li { a href="/challans/new" { "Issue a challan" } } }
                @if may(Action::DecideCancellation) || may(Action::DecideContest) { li { a href="/queue" { "Decisions waiting" } " — cancellation requests and contests" } }
                @if may(Action::ManageUsers) { li { a href="/admin/users" { "Staff users" } } }
                @if may(Action::ManageHeads) { li { a href="/admin/heads" { "Revenue heads and fee schedules" } } }
            }
        }
    };
    Ok(staff.page(StatusCode::OK, "Home", content))
}
