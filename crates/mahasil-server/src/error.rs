//! The one place errors become HTTP: JSON `{code, message, fields?}` with a 4xx that names
//! the problem, or a 5xx that says nothing internal while the log says everything.

use std::collections::BTreeMap;

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use mahasil_domain::DomainError;
use mahasil_store::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

/// The body of every error answer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Stable machine-readable code, e.g. `invalid`, `not_found`, `forbidden`.
    pub code: String,
    /// What went wrong, for a person.
    pub message: String,
    /// Per-field problems, keyed by the field's JSON path (`offender.cnic`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub body: ErrorBody,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        Self { status, body: ErrorBody { code: code.into(), message: message.into(), fields: None } }
    }

    pub fn invalid_fields(fields: BTreeMap<String, String>) -> Self {
        let message = fields.iter().map(|(k, v)| format!("{k}: {v}")).collect::<Vec<_>>().join("; ");
        Self { status: StatusCode::UNPROCESSABLE_ENTITY, body: ErrorBody { code: "invalid".into(), message, fields: Some(fields) } }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "conflict", message)
    }

    pub fn unprocessable(code: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
    }

    pub fn internal() -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "something went wrong on our side; it has been logged")
    }

    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body)).into_response()
    }
}

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        match &e {
            DomainError::Invalid { field, reason } => Self::invalid_fields(BTreeMap::from([((*field).to_string(), reason.clone())])),
            DomainError::AmountOutOfRange { .. } => Self::invalid_fields(BTreeMap::from([("amount_paisa".to_string(), e.to_string())])),
            DomainError::AmountNotAllowed { .. } | DomainError::AmountRequired { .. } => {
                Self::invalid_fields(BTreeMap::from([("amount_paisa".to_string(), e.to_string())]))
            }
            DomainError::HeadInactive { .. } | DomainError::NoScheduleInForce { .. } => Self::unprocessable("head_unavailable", e.to_string()),
            DomainError::Forbidden(_) | DomainError::OwnRequest => Self::forbidden(e.to_string()),
            DomainError::IllegalTransition { .. } => Self::conflict(e.to_string()),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Domain(d) => d.into(),
            StoreError::NotFound(m) => Self::not_found(m),
            StoreError::Conflict(m) => Self::conflict(m),
            StoreError::WriterGone => {
                tracing::error!(error = %e, "store writer is gone");
                Self::unavailable("the database writer has stopped; try again shortly")
            }
            other => {
                tracing::error!(error = %other, "storage failure");
                Self::internal()
            }
        }
    }
}
