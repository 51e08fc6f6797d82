//! The JSON API under `/api/v1`, and its OpenAPI document at `/api/openapi.json` with a
//! human-readable page at `/api/docs`.

pub mod auth;
pub mod challans;
pub mod decisions;
pub mod dto;
pub mod openapi;
pub mod reference;
pub mod verify;

use axum::Router;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::routing::{get, post};
use serde::de::DeserializeOwned;

use crate::error::ApiError;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/auth/login", post(auth::login))
        .route("/api/v1/auth/logout", post(auth::logout))
        .route("/api/v1/me", get(auth::me))
        .route("/api/v1/jurisdictions", get(reference::jurisdictions))
        .route("/api/v1/departments", get(reference::departments))
        .route("/api/v1/heads", get(reference::heads))
        .route("/api/v1/heads/{code}", get(reference::head))
        .route("/api/v1/challans", post(challans::issue).get(challans::search))
        .route("/api/v1/challans/{challan_no}", get(challans::get_one))
        .route("/api/v1/challans/{challan_no}/cancellation-requests", post(decisions::request_cancellation))
        .route("/api/v1/challans/{challan_no}/contests", post(decisions::record_contest))
        .route("/api/v1/cancellation-requests", get(decisions::pending_cancellations))
        .route("/api/v1/cancellation-requests/{id}", get(decisions::cancellation_request))
        .route("/api/v1/cancellation-requests/{id}/approve", post(decisions::approve_cancellation))
        .route("/api/v1/cancellation-requests/{id}/reject", post(decisions::reject_cancellation))
        .route("/api/v1/contests", get(decisions::open_contests))
        .route("/api/v1/contests/{id}/uphold", post(decisions::uphold_contest))
        .route("/api/v1/contests/{id}/quash", post(decisions::quash_contest))
        .route("/api/v1/verify/{token}", get(verify::verify))
        .route("/api/v1/status/{challan_no}", get(verify::status))
        .route("/api/v1/trust-list", get(verify::trust_list))
        .route("/api/v1/revocations", get(verify::revocation_list))
        .route("/api/openapi.json", get(openapi::document))
        .route("/api/docs", get(openapi::docs_page))
}

/// `Json<T>` whose rejections are JSON errors naming the problem.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(Self(v)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

fn json_rejection(r: JsonRejection) -> ApiError {
    match r {
        JsonRejection::JsonDataError(e) => ApiError::unprocessable("invalid_json", format!("the JSON does not fit: {}", e.body_text())),
        JsonRejection::JsonSyntaxError(e) => ApiError::bad_request(format!("malformed JSON: {}", e.body_text())),
        JsonRejection::MissingJsonContentType(_) => {
            ApiError::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", "send Content-Type: application/json")
        }
        JsonRejection::BytesRejection(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", format!("the request body is larger than {} bytes", crate::MAX_BODY_BYTES))
        }
        other => ApiError::bad_request(other.body_text()),
    }
}

/// `Query<T>` whose rejections are JSON errors naming the problem.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(Self(v)),
            Err(QueryRejection::FailedToDeserializeQueryString(e)) => Err(ApiError::bad_request(format!("bad query: {}", e.body_text()))),
            Err(other) => Err(ApiError::bad_request(other.body_text())),
        }
    }
}

/// A path segment parsed by the handler with a JSON error on failure.
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(v)| Self(v))
            .map_err(|e| ApiError::bad_request(format!("bad path: {}", e.body_text())))
    }
}
