//! Callbacks: after each status change the sandbox POSTs the payment to the merchant's
//! `callback_url`, signed (`X-Gateway-Timestamp`, `X-Gateway-Signature`). The first try
//! waits `--callback-delay-ms`; a try that does not get a 2xx is repeated after
//! `--callback-retry-ms`, doubled each time up to [`MAX_RETRY_DELAY_MS`], for at most
//! `--max-callback-tries` tries. On purpose, a share of events is never sent
//! (`--drop-callbacks`) and a share is sent twice (`--duplicate-callbacks`), both with the
//! same `event_id`, so that merchants learn to query the status and to be idempotent.

use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;
use rand::Rng;
use reqwest::Url;
use uuid::Uuid;

use super::payments::Payment;
use super::{MAX_CALLBACK_TRIES, MAX_DELAY_MS, Sandbox};
use crate::protocol::{CallbackEvent, PaymentStatus};
use crate::signing::{CALLBACK_SIGNATURE_HEADER, CALLBACK_TIMESTAMP_HEADER, sign_callback};

/// Longest wait between two tries of one delivery, in milliseconds.
pub const MAX_RETRY_DELAY_MS: u64 = 60_000;
/// How long one try may take.
const TRY_TIMEOUT: Duration = Duration::from_secs(10);

/// One event on its way to the merchant.
struct Delivery {
    url: Url,
    payment: PaymentStatus,
    event_id: String,
    secret: String,
    delay_ms: u64,
    retry_ms: u64,
    tries: u32,
    /// How many times the event is delivered (2 when repeated on purpose).
    copies: u32,
}

/// Sends the callback for `payment`'s new status, unless this one is to be dropped.
pub(super) fn send(sandbox: &Arc<Sandbox>, payment: &Payment) {
    let config = &sandbox.config;
    let event_id = format!("evt_{}", Uuid::now_v7().simple());
    let (dropped, repeated) = {
        let mut book = sandbox.book();
        let dropped = book.rng.gen_bool(config.drop_callbacks.get());
        (dropped, book.rng.gen_bool(config.duplicate_callbacks.get()))
    };
    if dropped {
        tracing::info!(payment_id = %payment.state.payment_id, event_id, "callback dropped on purpose (--drop-callbacks)");
        return;
    }
    let delivery = Delivery {
        url: payment.callback_url.clone(),
        payment: payment.state.clone(),
        event_id,
        secret: config.secret.clone(),
        delay_ms: config.callback_delay_ms.min(MAX_DELAY_MS),
        retry_ms: config.callback_retry_ms.clamp(1, MAX_DELAY_MS),
        tries: config.max_callback_tries.clamp(1, MAX_CALLBACK_TRIES),
        copies: if repeated { 2 } else { 1 },
    };
    tokio::spawn(delivery.run());
}

impl Delivery {
    async fn run(self) {
        let http = match reqwest::Client::builder().timeout(TRY_TIMEOUT).redirect(reqwest::redirect::Policy::none()).build() {
            Ok(http) => http,
            Err(e) => {
                tracing::warn!(error = %e, event_id = %self.event_id, "cannot make an HTTP client for a callback; it is not sent");
                return;
            }
        };
        tokio::time::sleep(Duration::from_millis(self.delay_ms)).await;
        for _ in 0..self.copies {
            if !self.deliver(&http).await {
                return;
            }
        }
    }

    /// Tries until the merchant answers 2xx or the tries run out; whether it was delivered.
    async fn deliver(&self, http: &reqwest::Client) -> bool {
        let mut wait_ms = self.retry_ms;
        for attempt in 1..=self.tries {
            match self.try_once(http).await {
                Ok(()) => {
                    tracing::info!(payment_id = %self.payment.payment_id, event_id = %self.event_id, status = %self.payment.status, attempt, "callback delivered");
                    return true;
                }
                Err(problem) => tracing::warn!(payment_id = %self.payment.payment_id, event_id = %self.event_id, attempt, problem, "callback not accepted"),
            }
            if attempt < self.tries {
                tokio::time::sleep(Duration::from_millis(wait_ms)).await;
                wait_ms = wait_ms.saturating_mul(2).min(MAX_RETRY_DELAY_MS);
            }
        }
        tracing::warn!(payment_id = %self.payment.payment_id, event_id = %self.event_id, tries = self.tries, "callback given up");
        false
    }

    /// One POST, signed afresh: `sent_at` and the timestamp are this try's.
    async fn try_once(&self, http: &reqwest::Client) -> Result<(), String> {
        let now = Timestamp::now();
        let event = CallbackEvent { payment: self.payment.clone(), event_id: self.event_id.clone(), sent_at: now };
        let body = serde_json::to_vec(&event).map_err(|e| e.to_string())?;
        let timestamp = now.as_second().to_string();
        let signature = sign_callback(&self.secret, &timestamp, &body);
        let response = http
            .post(self.url.clone())
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(CALLBACK_TIMESTAMP_HEADER, &timestamp)
            .header(CALLBACK_SIGNATURE_HEADER, signature)
            .body(body)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if response.status().is_success() { Ok(()) } else { Err(format!("the merchant answered {}", response.status())) }
    }
}
