//! The merchant API: `POST /v1/payments` and `GET /v1/payments/{payment_id}`, each signed by
//! the merchant (`X-Merchant`, `X-Timestamp`, `X-Signature`; see [`crate::signing`]).
//! A request is refused with 401 before its body is read as JSON unless it is signed by the
//! configured merchant within the replay window.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::{HeaderMap, StatusCode};
use jiff::Timestamp;
use serde::de::DeserializeOwned;
use serde_json::error::Category;
use uuid::Uuid;

use super::Sandbox;
use super::error::ApiError;
use super::payments::{Created, NewPayment, Payment};
use crate::protocol::{CreatePayment, CreatedPayment, MAX_BODY_BYTES, PaymentStatus};
use crate::signing::{self, MERCHANT_HEADER, REPLAY_WINDOW_SECS, SIGNATURE_HEADER, TIMESTAMP_HEADER};

/// A request the merchant signed: the exact body it signed.
pub(crate) struct SignedRequest {
    body: Bytes,
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Result<&'a str, ApiError> {
    headers.get(name).and_then(|v| v.to_str().ok()).filter(|v| !v.is_empty()).ok_or_else(|| ApiError::unauthorized(format!("header {name} is missing")))
}

impl FromRequest<Arc<Sandbox>> for SignedRequest {
    type Rejection = ApiError;

    async fn from_request(req: Request, sandbox: &Arc<Sandbox>) -> Result<Self, Self::Rejection> {
        let (parts, body) = req.into_parts();
        let merchant = header(&parts.headers, MERCHANT_HEADER)?;
        let timestamp = header(&parts.headers, TIMESTAMP_HEADER)?;
        let signature = header(&parts.headers, SIGNATURE_HEADER)?;
        let signed_at: i64 = timestamp.parse().map_err(|_| ApiError::unauthorized("X-Timestamp must be Unix seconds"))?;
        if !signing::within_replay_window(signed_at, Timestamp::now()) {
            return Err(ApiError::unauthorized(format!("X-Timestamp is more than {REPLAY_WINDOW_SECS} seconds from the gateway's clock")));
        }
        if merchant != sandbox.config.merchant_id {
            return Err(ApiError::unauthorized("unknown merchant"));
        }
        let body = axum::body::to_bytes(body, MAX_BODY_BYTES).await.map_err(|_| ApiError::too_large(MAX_BODY_BYTES))?;
        let path_and_query = parts.uri.path_and_query().map_or_else(|| parts.uri.path(), |pq| pq.as_str());
        if !signing::verify_request(&sandbox.config.secret, parts.method.as_str(), path_and_query, timestamp, &body, signature) {
            return Err(ApiError::unauthorized("the signature does not match"));
        }
        Ok(Self { body })
    }
}

/// Syntax errors are 400; JSON of the wrong shape (missing fields, wrong types) is 422.
fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| match e.classify() {
        Category::Data => ApiError::unprocessable(format!("the body does not have the expected fields and types: {e}")),
        Category::Syntax | Category::Eof | Category::Io => ApiError::bad_request(format!("the body is not JSON: {e}")),
    })
}

fn created(sandbox: &Sandbox, payment: &Payment) -> CreatedPayment {
    CreatedPayment {
        payment_id: payment.state.payment_id.clone(),
        redirect_url: sandbox.hosted_page_url(&payment.state.payment_id),
        status: payment.state.status,
    }
}

/// `POST /v1/payments`: 201 for a new payment, 200 for the same payment asked for again,
/// 409 for a reference already used with another amount.
pub(crate) async fn create(State(sandbox): State<Arc<Sandbox>>, signed: SignedRequest) -> Result<(StatusCode, Json<CreatedPayment>), ApiError> {
    let request: CreatePayment = parse_json(&signed.body)?;
    let new = NewPayment::parse(request).map_err(ApiError::invalid_fields)?;
    let payment_id = format!("pay_{}", Uuid::now_v7().simple());
    let created_or_not = sandbox.book().payments.create(new, payment_id, Timestamp::now());
    match created_or_not {
        Created::New(payment) => {
            tracing::info!(payment_id = %payment.state.payment_id, merchant_reference = %payment.state.merchant_reference, amount_paisa = payment.state.amount_paisa, "sandbox payment created");
            Ok((StatusCode::CREATED, Json(created(&sandbox, &payment))))
        }
        Created::Existing(payment) => Ok((StatusCode::OK, Json(created(&sandbox, &payment)))),
        Created::AmountConflict { existing_amount_paisa } => Err(ApiError::conflict(format!(
            "this merchant_reference is already a payment of {existing_amount_paisa} paisa; a different amount needs a different reference"
        ))),
        Created::Full => Err(ApiError::unavailable(format!("the sandbox holds its limit of {} payments; restart it", super::MAX_PAYMENTS))),
    }
}

/// `GET /v1/payments/{payment_id}`: the payment as it stands.
pub(crate) async fn status(
    State(sandbox): State<Arc<Sandbox>>,
    payment_id: Result<Path<String>, PathRejection>,
    _signed: SignedRequest,
) -> Result<Json<PaymentStatus>, ApiError> {
    let Path(payment_id) = payment_id.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let book = sandbox.book();
    book.payments.get(&payment_id).map(|payment| Json(payment.state.clone())).ok_or_else(|| ApiError::not_found("no such payment"))
}
