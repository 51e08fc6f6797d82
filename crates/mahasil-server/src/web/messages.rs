//! Notifications on the staff pages: every message of a challan with its status history
//! (the delivery record is the proof of notice), and `/messages/failed`, where supervisors
//! see the messages that could not be delivered within their scope and send one again.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jiff::Timestamp;
use mahasil_domain::authz::Action;
use mahasil_store::{Actor, MessageRecord, MessageStatus};
use maud::{Markup, html};

use super::form::{FormFields, QueryFields};
use super::staff::Staff;
use super::widgets::{karachi_time, notice};
use crate::error::{ApiError, ApiResult};

/// Most failed messages listed on one page.
pub const FAILED_PAGE: u32 = 200;

/// A challan's messages, for its page.
pub(crate) fn section(messages: &[MessageRecord]) -> Markup {
    html! {
        section.card #messages {
            h2 { "Notifications" }
            @if messages.is_empty() { p { "No message for this challan." } }
            ul.items {
                @for m in messages {
                    li data-message=(m.id) data-channel=(m.channel.as_str()) data-status=(m.status.as_str()) {
                        span class={ "badge " (badge_class(m.status)) } { (m.status.as_str()) }
                        " " strong { (m.kind.as_str().replace('_', " ")) } " by " (m.channel.as_str()) " to " code { (m.recipient) }
                        " (" (m.language.as_str()) ", " (m.attempts) " attempt" @if m.attempts != 1 { "s" } ")"
                        @if let Some(reason) = &m.last_error { p.note { (reason) } }
                        ol.timeline {
                            @for h in &m.history {
                                li { span.when { (karachi_time(h.at)) } " " strong { (h.status) } @if let Some(d) = &h.detail { " " span.note { (d) } } }
                            }
                        }
                        @if let Some(sent) = &m.rendered { details { summary { "What was sent" } pre.sent { (sent_text(sent)) } } }
                    }
                }
            }
        }
    }
}

/// The badge colour of a status, borrowed from the challan statuses'.
fn badge_class(status: MessageStatus) -> &'static str {
    match status {
        MessageStatus::Delivered | MessageStatus::Sent => "paid",
        MessageStatus::Failed | MessageStatus::Undeliverable => "cancelled",
        MessageStatus::Sending | MessageStatus::Skipped => "contested",
        MessageStatus::Queued => "issued",
    }
}

/// The stored text as sent, shown as plain text (subject and text part for an email).
fn sent_text(rendered: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(rendered) {
        Ok(v) => match (v.get("subject").and_then(|s| s.as_str()), v.get("text").and_then(|s| s.as_str())) {
            (Some(subject), Some(text)) => format!("Subject: {subject}\n\n{text}"),
            (None, Some(text)) => text.to_string(),
            _ => rendered.to_string(),
        },
        Err(_) => rendered.to_string(),
    }
}

/// `GET /messages/failed`.
pub async fn failed(staff: Staff, QueryFields(query): QueryFields) -> Response {
    let flash = query.opt("retried").map(|id| format!("Message {id} queued again."));
    let result = render_failed(&staff, flash.as_deref().map(|m| notice("ok", m)), StatusCode::OK).await;
    staff.finish(result)
}

async fn render_failed(staff: &Staff, message: Option<Markup>, status: StatusCode) -> ApiResult<Response> {
    let scope = staff.require(Action::RetryMessages)?;
    let failed = staff.state.store.failed_messages(&scope, FAILED_PAGE).await?;
    let content = html! {
        h1 { "Messages not delivered" }
        p { "Notices that could not be sent, newest first. A message that failed for a reason since put right "
            "(the gateway was down, the mail relay refused it) can be sent again; an undeliverable number or address "
            "needs the offender's details corrected first." }
        @if let Some(m) = message { (m) }
        @if failed.is_empty() { p { "Every message was delivered or is still on its way." } }
        table.rows #failed-messages {
            thead { tr { th { "Challan" } th { "Message" } th { "To" } th { "Status" } th { "Why" } th { "Last change" } th { "" } } }
            tbody {
                @for m in &failed {
                    tr data-message=(m.id) {
                        td data-label="Challan" { a href={ "/challans/" (m.challan_no) "#messages" } { (m.challan_no) } }
                        td data-label="Message" { (m.kind.as_str().replace('_', " ")) " (" (m.channel.as_str()) ")" }
                        td data-label="To" { code { (m.recipient) } }
                        td data-label="Status" { span class={ "badge " (badge_class(m.status)) } { (m.status.as_str()) } }
                        td data-label="Why" { (m.last_error.as_deref().unwrap_or("")) }
                        td data-label="Last change" { (karachi_time(m.updated_at)) }
                        td {
                            form method="post" action={ "/messages/" (m.id) "/retry" } {
                                (staff.csrf_field())
                                button type="submit" { "Send again" }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(staff.page(status, "Messages not delivered", content))
}

/// `POST /messages/{id}/retry`: a failed message back in the queue, now (audited).
pub async fn retry(staff: Staff, Path(id): Path<i64>, form: FormFields) -> Response {
    let result = async {
        staff.check_csrf(&form)?;
        let scope = staff.require(Action::RetryMessages)?;
        let actor = Actor::from(staff.principal());
        match staff.state.store.retry_message(id, &scope, &actor, Timestamp::now()).await {
            Ok(_) => Ok(Redirect::to(&format!("/messages/failed?retried={id}")).into_response()),
            Err(e) => {
                let e = ApiError::from(e);
                if e.status.is_server_error() {
                    return Err(e);
                }
                render_failed(&staff, Some(notice("error", &e.body.message)), e.status).await
            }
        }
    }
    .await;
    staff.finish(result)
}
