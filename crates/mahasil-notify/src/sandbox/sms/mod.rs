//! The sandbox SMS gateway: `POST /v1/messages` takes the body of
//! [`crate::sms_gateway::SANDBOX_BODY`] with the `Idempotency-Key` header and answers
//! `{"status":"accepted","message_id":"sms_…"}`; `GET /messages` lists what it took. The
//! same key sent again gets the same answer and stores nothing new (with a different number
//! or text, 409). A signed delivery report follows each new message to its `callback_url`.
//! [`SmsFaults`] make it answer 503, hang, garble its answer, or refuse numbers.

mod reports;

use std::collections::HashMap;
use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use jiff::Timestamp;
use mahasil_domain::identity::Mobile;
use serde::{Deserialize, Serialize};
use serde_json::json;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::signing::IDEMPOTENCY_KEY_HEADER;
use crate::sms_gateway::{DeliveryStatus, SANDBOX_SEND_PATH, SmsGatewayConfig};
use crate::sms_length::{self, SmsEncoding};

/// The demo's delivery report secret (set another anywhere but the demo).
pub const DEFAULT_CALLBACK_SECRET: &str = "demo-sms-secret";
/// Most messages the sandbox keeps; past that it forgets the older half (and their keys),
/// as a real gateway keeps idempotency keys for a while, not for ever. A long-running demo
/// and a benchmark of many thousand messages keep being served.
pub const MAX_SANDBOX_MESSAGES: usize = 10_000;
/// Largest request body the sandbox reads, in bytes.
pub const MAX_SANDBOX_BODY_BYTES: usize = 64 * 1024;

/// Ways the sandbox misbehaves on purpose. They can be changed while it runs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SmsFaults {
    /// Answer every send with 503.
    pub server_error: bool,
    /// Never answer a send (the client's timeout must cut it off).
    pub hang: bool,
    /// Take the message, then answer 200 with a body that is not JSON.
    pub malformed_answer: bool,
    /// Numbers (as `+92…`) answered 400 `invalid_number`.
    pub reject_numbers: Vec<String>,
}

/// How the sandbox gateway behaves.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SmsSandboxConfig {
    /// The secret delivery reports are signed with.
    pub callback_secret: String,
    /// Wait before a message's delivery report, in milliseconds.
    pub report_delay_ms: u64,
    /// What every delivery report says.
    pub report_status: DeliveryStatus,
    pub faults: SmsFaults,
}

impl Default for SmsSandboxConfig {
    fn default() -> Self {
        Self { callback_secret: DEFAULT_CALLBACK_SECRET.into(), report_delay_ms: 1_000, report_status: DeliveryStatus::Delivered, faults: SmsFaults::default() }
    }
}

/// One message the sandbox took.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SandboxSms {
    pub provider_id: String,
    pub idempotency_key: String,
    pub to: String,
    pub text: String,
    pub callback_url: Option<String>,
    pub encoding: SmsEncoding,
    pub parts: usize,
    pub received_at: Timestamp,
}

/// The body of a send, as [`crate::sms_gateway::SANDBOX_BODY`] writes it.
#[derive(Debug, Deserialize)]
struct SendRequest {
    to: String,
    text: String,
    #[serde(default)]
    idempotency_key: Option<String>,
    #[serde(default)]
    callback_url: Option<String>,
}

pub(crate) struct Gateway {
    config: SmsSandboxConfig,
    faults: Mutex<SmsFaults>,
    book: Mutex<Book>,
}

#[derive(Default)]
struct Book {
    messages: Vec<SandboxSms>,
    by_key: HashMap<String, usize>,
}

/// Locks a mutex even after a panic elsewhere: every change under these locks is a single
/// push or assignment, so what they guard is never left half-changed.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A running sandbox gateway; dropping it stops it.
#[derive(Debug)]
pub struct SmsSandbox {
    addr: SocketAddr,
    gateway: Arc<Gateway>,
    task: JoinHandle<()>,
}

impl std::fmt::Debug for Gateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gateway").field("report_delay_ms", &self.config.report_delay_ms).finish_non_exhaustive()
    }
}

impl Drop for SmsSandbox {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl SmsSandbox {
    /// Serves the sandbox on `listener`, from within a Tokio runtime.
    pub fn start(listener: TcpListener, config: SmsSandboxConfig) -> io::Result<Self> {
        let addr = listener.local_addr()?;
        let faults = Mutex::new(config.faults.clone());
        let gateway = Arc::new(Gateway { config, faults, book: Mutex::new(Book::default()) });
        let app = router(Arc::clone(&gateway));
        let task = tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                tracing::warn!(error = %e, "the sandbox SMS gateway stopped");
            }
        });
        tracing::info!(%addr, "sandbox SMS gateway listening");
        Ok(Self { addr, gateway, task })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://` and the address, without a trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A client configuration that sends to this sandbox, with reports to `callback_url`.
    pub fn client_config(&self, callback_url: Option<String>) -> SmsGatewayConfig {
        SmsGatewayConfig::sandbox(&self.base_url(), callback_url)
    }

    /// Every message taken so far, oldest first.
    pub fn messages(&self) -> Vec<SandboxSms> {
        lock(&self.gateway.book).messages.clone()
    }

    /// Changes how the sandbox misbehaves from the next request on.
    pub fn set_faults(&self, faults: SmsFaults) {
        *lock(&self.gateway.faults) = faults;
    }

    /// Stops serving; the port is closed when this returns.
    pub async fn stop(mut self) {
        self.task.abort();
        // The task's result says only that it was aborted, which is what was asked.
        let _ = (&mut self.task).await;
    }
}

fn router(gateway: Arc<Gateway>) -> Router {
    Router::new()
        .route(SANDBOX_SEND_PATH, post(send))
        .route("/messages", get(list))
        .route("/healthz", get(|| async { "ok" }))
        .layer(DefaultBodyLimit::max(MAX_SANDBOX_BODY_BYTES))
        .with_state(gateway)
}

async fn list(State(gateway): State<Arc<Gateway>>) -> Json<Vec<SandboxSms>> {
    Json(lock(&gateway.book).messages.clone())
}

fn refusal(status: StatusCode, error: &str, message: &str) -> Response {
    (status, Json(json!({"status": "rejected", "error": error, "message": message}))).into_response()
}

async fn send(State(gateway): State<Arc<Gateway>>, headers: HeaderMap, body: axum::body::Bytes) -> Response {
    let faults = lock(&gateway.faults).clone();
    if faults.hang {
        // Held open until the client gives up and the connection closes.
        std::future::pending::<()>().await;
    }
    if faults.server_error {
        return refusal(StatusCode::SERVICE_UNAVAILABLE, "unavailable", "the sandbox was told to fail");
    }
    let request: SendRequest = match serde_json::from_slice(&body) {
        Ok(request) => request,
        Err(e) => return refusal(StatusCode::BAD_REQUEST, "bad_request", &format!("the body is not a send request: {e}")),
    };
    let header_key = headers.get(IDEMPOTENCY_KEY_HEADER).and_then(|v| v.to_str().ok()).map(str::to_string);
    let Some(key) = header_key.or(request.idempotency_key.clone()).filter(|k| !k.is_empty()) else {
        return refusal(StatusCode::BAD_REQUEST, "bad_request", "an Idempotency-Key is required");
    };
    if faults.reject_numbers.contains(&request.to) || Mobile::parse(&request.to).is_err() {
        return refusal(StatusCode::BAD_REQUEST, "invalid_number", &format!("{} is not a mobile number this gateway can reach", request.to));
    }
    let (message, new) = match take(&gateway, key, request) {
        Ok(taken) => taken,
        Err(NotTaken::KeyReused) => return refusal(StatusCode::CONFLICT, "idempotency_key_reused", "this key was sent before with another number or text"),
    };
    if new {
        reports::schedule(&gateway.config, &message);
    }
    if faults.malformed_answer {
        return (StatusCode::OK, "<html><body>Message queued</body></html>").into_response();
    }
    (StatusCode::OK, Json(json!({"status": "accepted", "message_id": message.provider_id}))).into_response()
}

/// Why a send was not taken.
enum NotTaken {
    /// The key came before with another number or text.
    KeyReused,
}

/// Stores a new message, or finds the one sent before with the same key: the message and
/// whether it is new.
fn take(gateway: &Gateway, key: String, request: SendRequest) -> Result<(SandboxSms, bool), NotTaken> {
    let mut book = lock(&gateway.book);
    if let Some(earlier) = book.by_key.get(&key).and_then(|&i| book.messages.get(i)) {
        if earlier.to != request.to || earlier.text != request.text {
            return Err(NotTaken::KeyReused);
        }
        return Ok((earlier.clone(), false));
    }
    if book.messages.len() >= MAX_SANDBOX_MESSAGES {
        let book = &mut *book;
        book.messages.drain(..MAX_SANDBOX_MESSAGES / 2);
        book.by_key = book.messages.iter().enumerate().map(|(i, m)| (m.idempotency_key.clone(), i)).collect();
    }
    let length = sms_length::measure(&request.text);
    let message = SandboxSms {
        provider_id: format!("sms_{}", uuid::Uuid::now_v7().simple()),
        idempotency_key: key.clone(),
        to: request.to,
        text: request.text,
        callback_url: request.callback_url.filter(|u| !u.is_empty()),
        encoding: length.encoding,
        parts: length.parts,
        received_at: Timestamp::now(),
    };
    let index = book.messages.len();
    book.messages.push(message.clone());
    book.by_key.insert(key, index);
    tracing::info!(provider_id = %message.provider_id, to = %message.to, parts = message.parts, "sandbox SMS taken");
    Ok((message, true))
}
