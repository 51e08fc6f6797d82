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

/// Tells the store which webhook receiver this node sends to (none, when it has none
/// configured), so that every message from now on is also queued for it. Every node says
/// so at start: they must all be configured alike, and a change is logged.
pub async fn register_webhook(state: &AppState) -> Result<(), mahasil_store::StoreError> {
    let url = state.channels.webhook_url();
    let before = state.store.set_webhook_receiver(url, jiff::Timestamp::now()).await?;
    if before.as_deref() != url {
        tracing::warn!(before = before.as_deref().unwrap_or("none"), now = url.unwrap_or("none"), "the webhook receiver changed");
    }
    Ok(())
}
