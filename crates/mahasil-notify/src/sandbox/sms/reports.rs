//! The sandbox's delivery reports: after the configured delay, each new message's report
//! is POSTed to its `callback_url`, signed with the callback secret, and tried again a few
//! times if the receiver does not answer 2xx.

use std::time::Duration;

use jiff::Timestamp;

use super::{SandboxSms, SmsSandboxConfig};
use crate::outcome::IdempotencyKey;
use crate::signing::{REPORT_SIGNATURE_HEADER, REPORT_TIMESTAMP_HEADER, sign};
use crate::sms_gateway::{DeliveryReport, DeliveryStatus};

/// Most tries of one report.
pub const MAX_REPORT_TRIES: u32 = 3;
/// Wait between tries, in milliseconds.
const RETRY_WAIT_MS: u64 = 500;
/// How long one try may take.
const TRY_TIMEOUT: Duration = Duration::from_secs(5);
/// Longest report delay honoured, in milliseconds (ten minutes).
pub const MAX_REPORT_DELAY_MS: u64 = 600_000;

/// Starts sending `message`'s report, if it asked for one.
pub(super) fn schedule(config: &SmsSandboxConfig, message: &SandboxSms) {
    let Some(url) = message.callback_url.clone() else { return };
    let Ok(idempotency_key) = IdempotencyKey::parse(&message.idempotency_key) else {
        tracing::warn!(key = %message.idempotency_key, "no delivery report: the idempotency key is not one mahasil makes");
        return;
    };
    let reason = match config.report_status {
        DeliveryStatus::Delivered => None,
        DeliveryStatus::Failed => Some("absent subscriber".to_string()),
        DeliveryStatus::Expired => Some("validity period expired".to_string()),
    };
    let report = DeliveryReport { provider_id: message.provider_id.clone(), idempotency_key, status: config.report_status, reason, at: Timestamp::now() };
    let secret = config.callback_secret.clone();
    let delay = Duration::from_millis(config.report_delay_ms.min(MAX_REPORT_DELAY_MS));
    tokio::spawn(async move {
        tokio::time::sleep(delay).await;
        deliver(&url, report, &secret).await;
    });
}

async fn deliver(url: &str, mut report: DeliveryReport, secret: &str) {
    let http = match reqwest::Client::builder().timeout(TRY_TIMEOUT).redirect(reqwest::redirect::Policy::none()).build() {
        Ok(http) => http,
        Err(e) => {
            tracing::warn!(error = %e, "no delivery report: cannot make an HTTP client");
            return;
        }
    };
    report.at = Timestamp::now();
    for attempt in 1..=MAX_REPORT_TRIES {
        match try_once(&http, url, &report, secret).await {
            Ok(()) => {
                tracing::info!(provider_id = %report.provider_id, attempt, "sandbox delivery report delivered");
                return;
            }
            Err(problem) => tracing::warn!(provider_id = %report.provider_id, attempt, problem, "sandbox delivery report not accepted"),
        }
        tokio::time::sleep(Duration::from_millis(RETRY_WAIT_MS)).await;
    }
}

/// One signed POST, signed at the moment of the try.
async fn try_once(http: &reqwest::Client, url: &str, report: &DeliveryReport, secret: &str) -> Result<(), String> {
    let body = serde_json::to_vec(report).map_err(|e| e.to_string())?;
    let timestamp = Timestamp::now().as_second().to_string();
    let signature = sign(secret, &timestamp, &body);
    let response = http
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(REPORT_TIMESTAMP_HEADER, &timestamp)
        .header(REPORT_SIGNATURE_HEADER, signature)
        .body(body)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if response.status().is_success() { Ok(()) } else { Err(format!("the receiver answered {}", response.status())) }
}
