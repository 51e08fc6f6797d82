//! A sandbox hosted-payment gateway: the other side of [`crate::client`], run by the demo
//! (`mahasil sandbox-gateway`) and by the tests so that mahasil talks to a real HTTP party.
//! It keeps its payments in memory, knows one merchant, and misbehaves on request the way
//! real gateways do: late, repeated and lost callbacks, random declines, and a late success
//! after a failure. README.md has the protocol; `cards` the test card numbers.
//!
//! - `merchant_api`: `POST /v1/payments`, `GET /v1/payments/{payment_id}` (signed);
//! - `hosted_page`: `GET`/`POST /pay/{payment_id}`, where the payer pays or cancels;
//! - `callbacks`: the signed status events POSTed to the merchant, with retries;
//! - `payments`: the pure rules of a payment's life.

mod callbacks;
pub mod cards;
mod config;
mod error;
mod hosted_page;
mod merchant_api;
mod payments;

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use jiff::Timestamp;
use rand::SeedableRng;
use rand::rngs::StdRng;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub use self::config::{DEFAULT_MERCHANT, DEFAULT_PORT, DEFAULT_SECRET, Fraction, MAX_CALLBACK_TRIES, MAX_DELAY_MS, SandboxArgs, SandboxConfig};
use self::error::ApiError;
pub use self::payments::MAX_PAYMENTS;
use self::payments::{Decided, Decision, Payment, Payments};
use crate::protocol::MAX_BODY_BYTES;

/// One running sandbox: its settings and its book of payments.
pub(crate) struct Sandbox {
    config: SandboxConfig,
    /// Base of hosted page URLs, without a trailing slash.
    public_base: String,
    book: Mutex<Book>,
}

/// What the sandbox changes as it runs, behind one lock that is never held across an await.
pub(crate) struct Book {
    payments: Payments,
    /// Random declines and dropped or repeated callbacks; seeded by `--seed` when given.
    rng: StdRng,
}

impl Sandbox {
    fn new(config: SandboxConfig, public_base: String) -> Self {
        let rng = config.seed.map_or_else(StdRng::from_entropy, StdRng::seed_from_u64);
        Self { config, public_base, book: Mutex::new(Book { payments: Payments::default(), rng }) }
    }

    fn book(&self) -> MutexGuard<'_, Book> {
        // A panic while holding the lock cannot leave a payment half-changed (each change is
        // a few assignments), so the book stays usable.
        self.book.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn hosted_page_url(&self, payment_id: &str) -> String {
        format!("{}/pay/{payment_id}", self.public_base)
    }

    /// Decides a pending payment and starts what follows a change: its callback, and the
    /// late success when one is due. `None` if there is no such payment; a payment decided
    /// before comes back unchanged.
    fn decide(self: &Arc<Self>, payment_id: &str, decision: Decision, gateway_reference: Option<String>) -> Option<Payment> {
        let late_success_due = matches!(decision, Decision::FailThenSucceed(_));
        let changed = match self.book().payments.decide(payment_id, decision, gateway_reference, Timestamp::now()) {
            Decided::NotFound => return None,
            Decided::Unchanged(payment) => return Some(payment.clone()),
            Decided::Changed(payment) => payment.clone(),
        };
        tracing::info!(payment_id, status = %changed.state.status, reason = changed.state.failure_reason.as_deref(), "sandbox payment decided");
        callbacks::send(self, &changed);
        if late_success_due {
            self.schedule_late_success(changed.state.payment_id.clone());
        }
        Some(changed)
    }

    fn schedule_late_success(self: &Arc<Self>, payment_id: String) {
        let sandbox = Arc::clone(self);
        let delay = Duration::from_millis(self.config.late_success_ms.min(MAX_DELAY_MS));
        tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            let succeeded = sandbox.book().payments.late_success(&payment_id, Timestamp::now()).cloned();
            if let Some(payment) = succeeded {
                tracing::info!(payment_id, "sandbox payment succeeded late, after its failure");
                callbacks::send(&sandbox, &payment);
            }
        });
    }
}

/// The sandbox's routes, with hosted page URLs under `config.public_url`, or else under
/// `http://` and `config.bind`. [`serve`] and [`spawn`] use the address actually bound.
pub fn router(config: SandboxConfig) -> Router {
    let listening = config.bind;
    app(config, listening)
}

fn app(config: SandboxConfig, listening: SocketAddr) -> Router {
    let public_base = config::public_base(config.public_url.as_ref(), listening);
    let sandbox = Arc::new(Sandbox::new(config, public_base));
    Router::new()
        .route("/v1/payments", post(merchant_api::create))
        .route("/v1/payments/{payment_id}", get(merchant_api::status))
        .route("/pay/{payment_id}", get(hosted_page::show).post(hosted_page::submit))
        .route("/healthz", get(|| async { "ok" }))
        .fallback(|| async { ApiError::not_found("no such endpoint") })
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(sandbox)
}

/// Serves the sandbox on `listener` until the listener fails.
pub async fn serve(listener: TcpListener, config: SandboxConfig) -> io::Result<()> {
    let app = app(config, listener.local_addr()?);
    axum::serve(listener, app).await
}

/// Starts a sandbox on a free loopback port (`config.bind` is not used): its address and
/// the task serving it. For tests and tools that need a gateway for a while.
pub async fn spawn(config: SandboxConfig) -> io::Result<(SocketAddr, JoinHandle<io::Result<()>>)> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
    let addr = listener.local_addr()?;
    Ok((addr, tokio::spawn(serve(listener, config))))
}

/// `mahasil sandbox-gateway`: listens on `--bind` until Ctrl-C.
pub async fn run(args: SandboxArgs) -> io::Result<()> {
    let config = SandboxConfig::from(args);
    let listener = TcpListener::bind(config.bind).await?;
    let addr = listener.local_addr()?;
    tracing::info!(%addr, merchant = %config.merchant_id, public_base = %config::public_base(config.public_url.as_ref(), addr), "sandbox payment gateway listening");
    let app = app(config, addr);
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            if let Err(e) = tokio::signal::ctrl_c().await {
                tracing::warn!(error = %e, "cannot wait for Ctrl-C; stopping");
            }
        })
        .await
}
