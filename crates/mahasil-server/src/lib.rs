//! The HTTP face of mahasil: the JSON API under `/api/v1` with its OpenAPI document, the
//! staff pages, and the operational endpoints (`/healthz`, `/readyz`, `/metrics`).

pub mod actions;
pub mod admin;
pub mod api;
pub mod auth;
pub mod bank;
pub mod cache;
pub mod citizen;
pub mod dashboard;
pub mod documents;
pub mod error;
pub mod notify;
pub mod ops;
pub mod seals;
pub mod state;
pub mod sync;
pub mod testing;
pub mod treasury;
pub mod web;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use tower_http::trace::TraceLayer;

pub use state::{AppState, ServerConfig};

/// Largest request body accepted anywhere, in bytes.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// The whole application.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(api::routes())
        .merge(bank::routes())
        .merge(web::routes())
        .merge(dashboard::routes())
        .merge(treasury::routes())
        .merge(citizen::routes())
        .merge(ops::routes())
        .merge(sync::routes())
        .merge(notify::routes())
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn(ops::track_requests))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
