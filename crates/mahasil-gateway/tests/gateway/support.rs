//! What the end-to-end tests share: a sandbox on a loopback port with fast timings, a
//! merchant's callback receiver (a small axum server that records every POST), and a
//! browser that does not follow redirects, so each test sees where the payer is sent.

use std::net::Ipv4Addr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use mahasil_gateway::client::GatewayClient;
use mahasil_gateway::protocol::{CallbackEvent, CreatePayment};
use mahasil_gateway::sandbox::{self, SandboxConfig};
use mahasil_gateway::signing::{CALLBACK_SIGNATURE_HEADER, CALLBACK_TIMESTAMP_HEADER};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

pub type R<T = ()> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

pub const MERCHANT: &str = "test-merchant";
pub const SECRET: &str = "test-gateway-secret-0123";
/// Card numbers of the sandbox (README.md).
pub const CARD_SUCCEEDS: &str = "4242 4242 4242 4242";
pub const CARD_DECLINED: &str = "4000000000000002";
pub const CARD_LATE_SUCCESS: &str = "4000000000000259";

/// Timings short enough for tests, and a fixed seed.
pub fn fast_config() -> SandboxConfig {
    SandboxConfig {
        merchant_id: MERCHANT.into(),
        secret: SECRET.into(),
        callback_delay_ms: 0,
        callback_retry_ms: 50,
        late_success_ms: 300,
        seed: Some(1),
        ..SandboxConfig::default()
    }
}

/// A running sandbox and a client signed as its merchant.
pub struct Gateway {
    pub base_url: String,
    pub client: GatewayClient,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Drop for Gateway {
    fn drop(&mut self) {
        self.task.abort();
    }
}

pub async fn gateway(config: SandboxConfig) -> R<Gateway> {
    let (addr, task) = sandbox::spawn(config).await?;
    let base_url = format!("http://{addr}");
    let client = GatewayClient::new(&base_url, MERCHANT, SECRET)?;
    Ok(Gateway { base_url, client, task })
}

/// A payment request whose callbacks go to `receiver`.
pub fn payment(reference: &str, amount_paisa: i64, receiver: &Receiver) -> CreatePayment {
    CreatePayment {
        merchant_reference: reference.into(),
        amount_paisa,
        description: "Challan 000001-00000001-5: encroachment on a public road".into(),
        return_url: "http://merchant.test/pay/return?lang=en".into(),
        callback_url: receiver.url.clone(),
    }
}

/// One POST the receiver got, and what it answered.
#[derive(Debug)]
pub struct Received {
    pub timestamp: String,
    pub signature: String,
    pub body: Bytes,
    pub answered: StatusCode,
}

impl Received {
    /// The event, verified with the merchant's secret as mahasil would.
    pub fn verified(&self) -> mahasil_gateway::Result<CallbackEvent> {
        mahasil_gateway::client::verify_callback(SECRET, &self.timestamp, &self.signature, &self.body, jiff::Timestamp::now())
    }
}

#[derive(Clone)]
struct ReceiverState {
    seen: mpsc::UnboundedSender<Received>,
    count: Arc<AtomicUsize>,
    fail_first: usize,
}

/// The merchant's callback endpoint: answers 500 to the first `fail_first` POSTs, 204 after.
pub struct Receiver {
    pub url: String,
    seen: mpsc::UnboundedReceiver<Received>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn record(State(state): State<ReceiverState>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let n = state.count.fetch_add(1, Ordering::SeqCst);
    let answered = if n < state.fail_first { StatusCode::INTERNAL_SERVER_ERROR } else { StatusCode::NO_CONTENT };
    let received = Received { timestamp: header(CALLBACK_TIMESTAMP_HEADER), signature: header(CALLBACK_SIGNATURE_HEADER), body, answered };
    // The test may have finished and dropped its end; then nobody is listening.
    let _ = state.seen.send(received);
    answered
}

pub async fn receiver(fail_first: usize) -> R<Receiver> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
    let addr = listener.local_addr()?;
    let (tx, seen) = mpsc::unbounded_channel();
    let state = ReceiverState { seen: tx, count: Arc::new(AtomicUsize::new(0)), fail_first };
    let app = Router::new().route("/gateway/callback", post(record)).with_state(state);
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(Receiver { url: format!("http://{addr}/gateway/callback"), seen, task })
}

impl Receiver {
    /// The next POST, if one comes within `wait`.
    pub async fn next_within(&mut self, wait: Duration) -> Option<Received> {
        tokio::time::timeout(wait, self.seen.recv()).await.ok().flatten()
    }

    /// The next POST, which must come within five seconds.
    pub async fn next(&mut self) -> R<Received> {
        self.next_within(Duration::from_secs(5)).await.ok_or_else(|| "no callback came within 5 s".into())
    }
}

/// A payer's browser: keeps each redirect for the test to look at.
pub fn browser() -> R<reqwest::Client> {
    Ok(reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build()?)
}

/// Submits the hosted page's form; the status and the `Location` header if any.
pub async fn submit(browser: &reqwest::Client, page_url: &str, action: &str, card_number: &str) -> R<(StatusCode, Option<String>)> {
    let response = browser.post(page_url).form(&[("action", action), ("card_number", card_number)]).send().await?;
    let location = response.headers().get(reqwest::header::LOCATION).and_then(|v| v.to_str().ok()).map(str::to_string);
    Ok((StatusCode::from_u16(response.status().as_u16())?, location))
}
