//! Notifications (DESIGN.md "Notifications"): the channels this node sends through, the
//! workers that take messages from the outbox the store fills in the same transaction as
//! each event, and the endpoint the SMS gateway reports deliveries to.
//!
//! - [`channels`]: the configured SMS gateway, mail relay and webhook;
//! - [`render`]: a message's text from its challan, its cause and the templates;
//! - [`worker`]: claim, render, send, record; retries with backoff; scheduled reminders;
//! - [`reports`]: `POST /api/v1/notify/sms-reports`, signed by the gateway.

pub mod channels;
pub mod render;
pub mod reports;
pub mod worker;

pub use channels::Channels;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::post;
use mahasil_notify::sms_gateway::MAX_REPORT_BYTES;

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route(reports::REPORTS_PATH, post(reports::receive).layer(DefaultBodyLimit::max(MAX_REPORT_BYTES)))
}

/// Publishes the outbox's depth by status and its lag (the age of the oldest due message).
pub fn publish_queue(q: &mahasil_store::QueueStats) {
    for (status, n) in q.by_status() {
        metrics::gauge!("mahasil_notify_queue", "status" => status.as_str()).set(n as f64);
    }
    metrics::gauge!("mahasil_notify_due").set(q.due as f64);
    metrics::gauge!("mahasil_notify_lag_seconds").set(q.oldest_due_age.map_or(0.0, |age| age.as_secs_f64()));
}
