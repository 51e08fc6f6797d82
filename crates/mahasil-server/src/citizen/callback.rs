//! `POST /gateway/callback`: the gateway's signed status events. The signature over the
//! exact bytes and its 5-minute window are checked first (401 otherwise, nothing
//! changes); then the event is applied like any other news of the payment, so a repeated
//! event, or one older than what is known, changes nothing. The answer is 2xx once
//! applied, and 5xx when it could not be stored, so the gateway tries again.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use mahasil_gateway::GatewayError;
use mahasil_gateway::client::verify_callback;
use mahasil_gateway::signing::{CALLBACK_SIGNATURE_HEADER, CALLBACK_TIMESTAMP_HEADER};
use serde_json::json;

use super::settle::{self, SettleError};
use crate::error::ApiError;
use crate::state::AppState;

/// Largest callback body read, in bytes (the gateway's own request limit).
pub const MAX_CALLBACK_BYTES: usize = mahasil_gateway::protocol::MAX_BODY_BYTES;

/// `POST /gateway/callback`.
pub async fn receive(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let now = Timestamp::now();
    let Some(account) = &state.config.gateway else {
        return ApiError::not_found("this node takes no online payments").into_response();
    };
    if body.len() > MAX_CALLBACK_BYTES {
        return ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", format!("a callback is at most {MAX_CALLBACK_BYTES} bytes")).into_response();
    }
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("");
    let event = match verify_callback(&account.callback_secret, header(CALLBACK_TIMESTAMP_HEADER), header(CALLBACK_SIGNATURE_HEADER), &body, now) {
        Ok(event) => event,
        Err(GatewayError::MalformedJson(e)) => return ApiError::bad_request(format!("the callback is not a payment event: {e}")).into_response(),
        Err(e) => {
            metrics::counter!("mahasil_gateway_callbacks_refused_total").increment(1);
            tracing::warn!(error = %e, "gateway callback refused");
            return ApiError::unauthorized(format!("callback refused: {e}")).into_response();
        }
    };
    match settle::apply(&state, &event.payment, now).await {
        Ok(online) => {
            tracing::debug!(event = %event.event_id, online = %online.id, status = online.status.as_str(), "gateway callback applied");
            Json(json!({ "status": "applied", "online_status": online.status.as_str() })).into_response()
        }
        Err(e @ (SettleError::NotOurs(_) | SettleError::NoGateway)) => ApiError::not_found(e.to_string()).into_response(),
        Err(e @ SettleError::Mismatch { .. }) => ApiError::conflict(e.to_string()).into_response(),
        Err(SettleError::Store(e)) => ApiError::from(e).into_response(),
    }
}
