//! `/admin/devices`: every enrolled field device — its officer, issuer number, last sync,
//! challans received, missing counters and flags (a cloned device stands out) — and
//! revoking one: its key is marked compromised from a time, so later ops and seals are
//! refused.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use jiff::Timestamp;
use mahasil_domain::authz::Action;
use maud::{Markup, html};
use uuid::Uuid;

use super::form::FormFields;
use super::staff::Staff;
use super::widgets::{karachi_time, notice};
use crate::error::{ApiError, ApiResult};
use crate::sync::devices::{self, RevokeInput};

/// `GET /admin/devices`.
pub async fn list(staff: Staff) -> Response {
    let result = render(&staff, None, StatusCode::OK).await;
    staff.finish(result)
}

fn when(t: Option<Timestamp>) -> String {
    t.map_or_else(|| "never".into(), karachi_time)
}

async fn render(staff: &Staff, message: Option<Markup>, status: StatusCode) -> ApiResult<Response> {
    staff.require(Action::ManageDevices)?;
    let all = staff.state.store.devices().await?;
    let mut details = Vec::new();
    for summary in &all {
        details.push(devices::detail_of(&staff.state, summary).await?);
    }
    let content = html! {
        h1 { "Field devices" }
        p { "Phones enrolled by officers to issue sealed challans offline. Each has its own issuer number and key; "
            "a device whose challans arrive with a number already used was copied (cloned) and needs revoking." }
        @if let Some(m) = message { (m) }
        @if details.is_empty() { p { "No device is enrolled yet." } }
        table.rows #devices {
            thead { tr { th { "Device" } th { "Officer" } th { "Issuer" } th { "Status" } th { "Last sync" } th { "Received" } th { "Missing counters" } th { "Flags" } th { "Revoke" } } }
            tbody {
                @for d in &details {
                    tr data-device=(d.device.id) data-status=(d.device.status) data-cloned=(d.device.cloned) {
                        td data-label="Device" { (d.device.label) br; small { code { (d.device.kid) } } }
                        td data-label="Officer" { (d.device.officer) }
                        td data-label="Issuer" { code { (d.device.issuer_no) } }
                        td data-label="Status" {
                            @if d.device.status == "revoked" {
                                span.badge.cancelled { "revoked" }
                                @if let Some(from) = d.device.compromised_from { br; small { "from " (karachi_time(from)) } }
                            } @else { span.badge.issued { "active" } }
                            @if d.device.cloned { br; span.badge.contested { "cloned" } }
                        }
                        td data-label="Last sync" { (when(d.device.last_sync_at)) }
                        td data-label="Received" { (d.device.challans_received) " (highest counter " (d.device.last_counter_received) ")" }
                        td data-label="Missing counters" {
                            @if d.gaps.is_empty() { "none" } @else {
                                (d.device.missing_counters) ": "
                                @for (i, (from, to)) in d.gaps.iter().enumerate() {
                                    @if i > 0 { ", " }
                                    @if from == to { (from) } @else { (from) "–" (to) }
                                }
                            }
                        }
                        td data-label="Flags" {
                            @if d.flag_list.is_empty() { "none" }
                            ul.flags {
                                @for f in d.flag_list.iter().take(10) {
                                    li data-flag=(f.kind) { strong { (f.kind) } ": " (f.detail) " (" (karachi_time(f.at)) ")" }
                                }
                            }
                        }
                        td data-label="Revoke" {
                            @if d.device.status != "revoked" {
                                form method="post" action={ "/admin/devices/" (d.device.id) "/revoke" } {
                                    (staff.csrf_field())
                                    input type="text" name="reason" required aria-label="Reason" placeholder="Reason, e.g. phone lost";
                                    input type="datetime-local" name="compromised_from" aria-label="Compromised from (Pakistan time; blank for now)";
                                    button type="submit" { "Revoke" }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(staff.page(status, "Field devices", content))
}

/// A `datetime-local` value (`YYYY-MM-DDTHH:MM`), read as Pakistan time.
fn parse_local_minute(text: &str) -> Option<Timestamp> {
    let civil: jiff::civil::DateTime = text.parse().ok()?;
    civil.to_zoned(mahasil_domain::time::pakistan()).ok().map(|z| z.timestamp())
}

/// `POST /admin/devices/{id}/revoke`.
pub async fn revoke(staff: Staff, Path(id): Path<Uuid>, form: FormFields) -> Response {
    let result = async {
        staff.check_csrf(&form)?;
        staff.require(Action::ManageDevices)?;
        let now = Timestamp::now();
        let compromised_from = match form.get("compromised_from").trim() {
            "" => None,
            text => Some(parse_local_minute(text).ok_or_else(|| ApiError::bad_request(format!("{text:?} is not a date and time")))?),
        };
        let input = RevokeInput { compromised_from, reason: form.get("reason").into() };
        match devices::revoke_device(&staff.state, &mahasil_store::Actor::from(staff.principal()), id, &input, now).await {
            Ok(device) => render(&staff, Some(notice("ok", &format!("Revoked {} (issuer {}).", device.label, device.issuer_no))), StatusCode::OK).await,
            Err(e) if e.status.is_client_error() && e.status != StatusCode::FORBIDDEN => render(&staff, Some(notice("error", &e.body.message)), e.status).await,
            Err(e) => Err(e),
        }
    }
    .await;
    staff.finish(result)
}
