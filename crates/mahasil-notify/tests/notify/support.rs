//! What the tests share: the facts of one challan, loopback listeners, and a receiver that
//! records every POST (a delivery-report callback or a webhook endpoint).

use std::net::Ipv4Addr;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use jiff::Timestamp;
use jiff::civil::Date;
use mahasil_domain::challan_no::{ChallanNo, IssuerNo};
use mahasil_domain::head::HeadCode;
use mahasil_domain::money::Paisa;
use mahasil_notify::outcome::IdempotencyKey;
use mahasil_notify::template::{Bilingual, Decision, DecisionFacts, Facts, PaymentFacts};
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

pub type R<T = ()> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// The facts of the demo's encroachment challan, with a payment and a decision so that
/// every kind of message can be rendered from them.
pub fn facts() -> R<Facts> {
    Ok(Facts {
        challan_no: ChallanNo::new(IssuerNo::new(100_001)?, 42)?,
        head_code: HeadCode::parse("DA-ENC-01")?,
        head: Bilingual::new("Encroachment on a public road", "سرکاری سڑک پر تجاوزات"),
        amount: Paisa::from_rupees(5_000)?,
        amount_after_due: Paisa::from_rupees(6_000)?,
        due_date: Date::new(2026, 12, 11)?,
        // As long as a real one: a sealed challan's token is about 160 Base32 characters.
        verify_url: format!("https://mahasil.kp.gov.pk/V/{}", "AB12CD34".repeat(20)),
        pay_url: "https://mahasil.kp.gov.pk/pay/100001000000420".into(),
        offender_name: "Muhammad <Ali> & Sons".into(),
        district: Bilingual::new("Peshawar", "پشاور"),
        payment: Some(PaymentFacts {
            receipt_no: "100001-00000043-7".into(),
            paid_amount: Paisa::from_rupees(5_000)?,
            paid_at: "2026-12-01T09:15:00Z".parse()?,
        }),
        decision: Some(DecisionFacts { decision: Decision::Refused, reason: "the road was blocked for three days".into() }),
    })
}

pub fn key(name: &str) -> R<IdempotencyKey> {
    Ok(IdempotencyKey::parse(name)?)
}

pub async fn loopback() -> R<TcpListener> {
    Ok(TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?)
}

/// One POST the receiver got.
#[derive(Debug)]
pub struct Received {
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Received {
    pub fn header(&self, name: &str) -> String {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string()
    }
}

#[derive(Clone)]
struct ReceiverState {
    seen: mpsc::UnboundedSender<Received>,
    answer: StatusCode,
}

/// An endpoint at `url` that records each POST and answers `answer`.
pub struct Receiver {
    pub url: String,
    seen: mpsc::UnboundedReceiver<Received>,
    task: JoinHandle<()>,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn record(State(state): State<ReceiverState>, headers: HeaderMap, body: Bytes) -> StatusCode {
    // The test may already have stopped listening; then nobody needs the POST.
    let _ = state.seen.send(Received { headers, body });
    state.answer
}

pub async fn receiver(answer: StatusCode) -> R<Receiver> {
    let listener = loopback().await?;
    let addr = listener.local_addr()?;
    let (tx, seen) = mpsc::unbounded_channel();
    let app = Router::new().route("/hook", post(record)).with_state(ReceiverState { seen: tx, answer });
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(Receiver { url: format!("http://{addr}/hook"), seen, task })
}

impl Receiver {
    /// The next POST, which must come within five seconds.
    pub async fn next(&mut self) -> R<Received> {
        let next = tokio::time::timeout(Duration::from_secs(5), self.seen.recv()).await;
        next.ok().flatten().ok_or_else(|| "nothing was POSTed within 5 s".into())
    }
}

pub fn now() -> Timestamp {
    Timestamp::now()
}
