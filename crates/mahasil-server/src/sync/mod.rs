//! Field devices (docs/SYNC.md): enrolment and the admin's device list, and the signed
//! pull and push through which devices that issue offline sync exactly once.

pub mod devices;
pub mod judge;
pub mod pull;
pub mod push;
pub mod signed;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use mahasil_sync::wire::MAX_PUSH_BYTES;

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/devices", post(devices::enrol).get(devices::list))
        .route("/api/v1/devices/{id}", get(devices::one))
        .route("/api/v1/devices/{id}/revoke", post(devices::revoke))
        .route("/api/v1/sync/pull", get(pull::pull))
        .route("/api/v1/sync/push", post(push::push).layer(DefaultBodyLimit::max(MAX_PUSH_BYTES)))
}
