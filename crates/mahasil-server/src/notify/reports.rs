//! `POST /api/v1/notify/sms-reports`: the SMS gateway reports what became of a message it
//! accepted. The body is signed with the shared secret (headers `X-Sms-Timestamp`,
//! `X-Sms-Signature`; mahasil-notify's README); a report for an unknown message is
//! answered 404, so the gateway's operators see it, and changes nothing.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use jiff::Timestamp;
use mahasil_notify::NotifyError;
use mahasil_notify::sms_gateway::{DeliveryStatus, verify_delivery_report};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Where the gateway POSTs its reports.
pub const REPORTS_PATH: &str = "/api/v1/notify/sms-reports";

/// Header carrying the report's Unix time, in seconds.
pub const HEADER_TIMESTAMP: &str = "x-sms-timestamp";
/// Header carrying the report's HMAC-SHA256, in hex.
pub const HEADER_SIGNATURE: &str = "x-sms-signature";

/// The answer to a delivery report.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportAnswer {
    /// The outbox message the report was for.
    pub message_id: i64,
    /// `delivered` or `failed`.
    pub status: String,
}

#[utoipa::path(post, path = "/api/v1/notify/sms-reports", tag = "notifications",
    request_body(content = String, content_type = "application/json", description = "`{provider_id, idempotency_key, status: delivered|failed|expired, reason?, at}` (mahasil-notify's README)"),
    description = "A delivery report from the SMS gateway, signed with the shared secret (X-Sms-Timestamp, X-Sms-Signature).",
    responses((status = 200, body = ReportAnswer), (status = 400, body = crate::error::ErrorBody), (status = 401, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 503, body = crate::error::ErrorBody)))]
pub async fn receive(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> ApiResult<Json<ReportAnswer>> {
    let Some(secret) = state.channels.sms_report_secret.as_deref() else {
        return Err(ApiError::unavailable("this node takes no delivery reports: no report secret is configured"));
    };
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let now = Timestamp::now();
    let report = verify_delivery_report(secret, header(HEADER_TIMESTAMP), header(HEADER_SIGNATURE), &body, now).map_err(|e| match e {
        NotifyError::BadSignature | NotifyError::MalformedTimestamp(_) | NotifyError::StaleTimestamp { .. } => {
            ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", format!("the delivery report's signature is not good: {e}"))
        }
        other => ApiError::bad_request(format!("not a delivery report: {other}")),
    })?;
    let delivered = report.status == DeliveryStatus::Delivered;
    let status = report.status.as_str();
    let detail = match &report.reason {
        Some(reason) => format!("{status}: {reason}"),
        None => status.to_string(),
    };
    let message_id = state
        .store
        .record_delivery_report(&report.provider_id, delivered, &detail, report.at)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no message was sent with provider id {}", report.provider_id)))?;
    metrics::counter!("mahasil_notify_delivery_reports_total", "status" => if delivered { "delivered" } else { "failed" }).increment(1);
    Ok(Json(ReportAnswer { message_id, status: if delivered { "delivered" } else { "failed" }.into() }))
}
