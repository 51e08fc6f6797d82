//! The HTTP side of a device (docs/SYNC.md): signing in, enrolment, signed pull and push,
//! and sync (pull then push) with retries. Every answer's `Date` corrects the device's
//! estimate of the server clock, which signed requests carry; challans keep the device's
//! own clock.

use std::path::Path;
use std::time::Duration;

use mahasil_seal::SigningKey;
use mahasil_sync::signing::{HEADER_DEVICE, HEADER_NONCE, HEADER_SIGNATURE, HEADER_TIMESTAMP, SignedHeaders, b64u, enrol_proof_message};
use mahasil_sync::wire::{EnrolRequest, Enrolled, Op, PullAnswer, PushAnswer, PushRequest};
use reqwest::header::DATE;
use reqwest::{Method, StatusCode};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use uuid::Uuid;

use crate::clock::Clock;
use crate::device::Device;
use crate::retry::RetryPolicy;
use crate::{FieldError, Result};

/// Most ops one push carries (the server takes up to `wire::MAX_OPS_PER_PUSH`).
pub const PUSH_BATCH_OPS: usize = 500;
/// Most bytes of ops one push carries, well under the server's `wire::MAX_PUSH_BYTES`.
pub const PUSH_BATCH_BYTES: usize = 4 * 1024 * 1024;
/// How long one request may take, answer included.
pub const DEFAULT_TIMEOUT_MS: u64 = 30_000;
/// Characters of an error body quoted when it is not the API's JSON.
const QUOTED_BODY_CHARS: usize = 200;

pub const PATH_LOGIN: &str = "/api/v1/auth/login";
pub const PATH_DEVICES: &str = "/api/v1/devices";
pub const PATH_PULL: &str = "/api/v1/sync/pull";
pub const PATH_PUSH: &str = "/api/v1/sync/push";

/// A signed-in officer.
#[derive(Debug, Clone)]
pub struct Session {
    pub username: String,
    pub token: String,
}

/// What pushes did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PushReport {
    pub batches: usize,
    pub accepted: usize,
    pub duplicate: usize,
    pub rejected: usize,
    /// Ops sent whose answer did not name them (they stay in the outbox).
    pub unanswered: usize,
}

/// What a sync did, over all its attempts.
#[derive(Debug, Clone, Default)]
pub struct SyncReport {
    pub attempts: u32,
    pub pulls: usize,
    pub push: PushReport,
    /// The transient failures met on the way, in order.
    pub failures: Vec<String>,
}

/// Talks to one server for any number of devices.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    base: String,
    retry: RetryPolicy,
}

#[derive(Deserialize)]
struct ApiError {
    code: String,
    message: String,
}

#[derive(Deserialize)]
struct Token {
    token: String,
}

/// `text` as a query value: unreserved characters as they are, the rest percent-encoded.
fn query_value(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn refusal(status: StatusCode, body: &[u8]) -> FieldError {
    let (code, message) = match serde_json::from_slice::<ApiError>(body) {
        Ok(e) => (e.code, e.message),
        Err(_) => (String::new(), String::from_utf8_lossy(body).chars().take(QUOTED_BODY_CHARS).collect()),
    };
    if status.is_server_error() {
        FieldError::ServerFailed { status: status.as_u16(), message }
    } else {
        FieldError::Refused { status: status.as_u16(), code, message }
    }
}

fn parse<T: DeserializeOwned>(what: &str, body: &[u8]) -> Result<T> {
    serde_json::from_slice(body).map_err(|e| FieldError::Answer(format!("{what}: {e}")))
}

/// Splits `ops` into pushes of at most [`PUSH_BATCH_OPS`] ops and about
/// [`PUSH_BATCH_BYTES`] bytes.
pub fn batches(ops: &[Op]) -> Vec<Vec<Op>> {
    let mut out: Vec<Vec<Op>> = Vec::new();
    let mut bytes = 0;
    for op in ops {
        let size = op.payload.len() + op.sig.len() + op.kind.len() + 100;
        match out.last_mut() {
            Some(batch) if batch.len() < PUSH_BATCH_OPS && bytes + size <= PUSH_BATCH_BYTES => {
                batch.push(op.clone());
                bytes += size;
            }
            _ => {
                out.push(vec![op.clone()]);
                bytes = size;
            }
        }
    }
    out
}

impl Client {
    /// A client of the server at `base` (e.g. `http://127.0.0.1:8080`).
    pub fn new(base: &str) -> Result<Self> {
        Self::with_timeout(base, Duration::from_millis(DEFAULT_TIMEOUT_MS))
    }

    pub fn with_timeout(base: &str, timeout: Duration) -> Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| FieldError::Transport(e.to_string()))?;
        Ok(Self { http, base: base.trim_end_matches('/').to_string(), retry: RetryPolicy::default() })
    }

    /// The same client retrying by `retry`.
    pub fn retrying(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    /// `POST /api/v1/auth/login`.
    pub async fn login(&self, username: &str, password: &str) -> Result<Session> {
        let body = serde_json::json!({"username": username, "password": password});
        let answer = self.http.post(format!("{}{PATH_LOGIN}", self.base)).json(&body).send().await.map_err(|e| FieldError::Transport(e.to_string()))?;
        let status = answer.status();
        let bytes = answer.bytes().await.map_err(|e| FieldError::Transport(e.to_string()))?;
        if !status.is_success() {
            return Err(refusal(status, &bytes));
        }
        let token: Token = parse("login", &bytes)?;
        Ok(Session { username: username.to_string(), token: token.token })
    }

    /// Makes a key, enrols it for the signed-in officer (`POST /api/v1/devices`), checks
    /// the certificate names it, and saves the new device to `path` before returning it.
    pub async fn enrol(&self, session: &Session, label: &str, path: &Path, clock: Clock) -> Result<Device> {
        let pkcs8 = SigningKey::generate_pkcs8()?;
        let key = SigningKey::from_pkcs8(&pkcs8)?;
        let public_key = hex::encode(key.public_key().sec1());
        let proof = b64u(&key.sign_bytes(&enrol_proof_message(&session.username, &public_key))?);
        let request = EnrolRequest { public_key, label: label.to_string(), proof };
        let answer = self
            .http
            .post(format!("{}{PATH_DEVICES}", self.base))
            .bearer_auth(&session.token)
            .json(&request)
            .send()
            .await
            .map_err(|e| FieldError::Transport(e.to_string()))?;
        let (status, date) = (answer.status(), answer.headers().get(DATE).and_then(|d| d.to_str().ok()).map(str::to_string));
        let bytes = answer.bytes().await.map_err(|e| FieldError::Transport(e.to_string()))?;
        if status != StatusCode::CREATED {
            return Err(refusal(status, &bytes));
        }
        let enrolled: Enrolled = parse("enrolment", &bytes)?;
        if enrolled.kid != key.kid().to_string() {
            return Err(FieldError::Answer(format!("enrolled kid {} is not this key's {}", enrolled.kid, key.kid())));
        }
        let (trust, _) = enrolled.certificate.trust_list.open(None)?;
        let named = trust.key(key.kid()).is_some_and(|k| k.issuer.get() == enrolled.issuer_no);
        if !named {
            return Err(FieldError::Answer(format!("the certificate does not name key {} with issuer {}", key.kid(), enrolled.issuer_no)));
        }
        let mut device = Device::create(path, &enrolled, label, &pkcs8, clock)?;
        device.note_server_date(date.as_deref());
        device.save()?;
        Ok(device)
    }

    /// Sends a request signed by `device` and reads the whole answer. Every answer's `Date`
    /// corrects the device's server clock estimate; a 403 `device_revoked` is noted.
    async fn signed(&self, device: &mut Device, method: Method, path_and_query: &str, body: Vec<u8>) -> Result<Vec<u8>> {
        let nonce: [u8; 16] = rand::random();
        let timestamp_s = device.server_now().as_second();
        let headers = SignedHeaders::sign(device.key(), device.id(), method.as_str(), path_and_query, timestamp_s, &nonce, &body)?;
        let mut request = self
            .http
            .request(method, format!("{}{path_and_query}", self.base))
            .header(HEADER_DEVICE, headers.device.to_string())
            .header(HEADER_TIMESTAMP, headers.timestamp_s.to_string())
            .header(HEADER_NONCE, &headers.nonce)
            .header(HEADER_SIGNATURE, &headers.signature);
        if !body.is_empty() {
            request = request.header(reqwest::header::CONTENT_TYPE, "application/json").body(body);
        }
        let answer = request.send().await.map_err(|e| FieldError::Transport(e.to_string()))?;
        let status = answer.status();
        device.note_server_date(answer.headers().get(DATE).and_then(|d| d.to_str().ok()));
        let bytes = answer.bytes().await.map_err(|e| FieldError::Transport(format!("the answer was cut off: {e}")))?;
        if status.is_success() {
            return Ok(bytes.to_vec());
        }
        let error = refusal(status, &bytes);
        if error.is_revoked() {
            device.note_revoked()?;
        }
        Err(error)
    }

    /// One pull (`GET /api/v1/sync/pull?since=CURSOR`): the whole answer and its cursor
    /// are applied in one save, or nothing is (a pull cut off keeps the old cursor).
    pub async fn pull(&self, device: &mut Device) -> Result<()> {
        let path = match &device.data().pulled.cursor {
            Some(cursor) => format!("{PATH_PULL}?since={}", query_value(cursor)),
            None => PATH_PULL.to_string(),
        };
        let bytes = self.signed(device, Method::GET, &path, Vec::new()).await?;
        let answer: PullAnswer = parse("pull", &bytes)?;
        device.apply_pull(answer)
    }

    /// Pushes the whole outbox once, in batches; each answered batch is saved before the
    /// next is sent. On a failure the ops not yet answered stay and the error is returned.
    pub async fn push(&self, device: &mut Device) -> Result<PushReport> {
        let mut report = PushReport::default();
        self.push_into(device, &mut report).await?;
        Ok(report)
    }

    async fn push_into(&self, device: &mut Device, report: &mut PushReport) -> Result<()> {
        let issuer_no = device.data().issuer_no;
        for ops in batches(&device.data().outbox) {
            let sent: Vec<Uuid> = ops.iter().map(|op| op.op_id).collect();
            let body = serde_json::to_vec(&PushRequest { issuer_no, ops }).map_err(|e| FieldError::Answer(e.to_string()))?;
            let bytes = self.signed(device, Method::POST, PATH_PUSH, body).await?;
            let answer: PushAnswer = parse("push", &bytes)?;
            let tally = device.apply_push(&sent, &answer)?;
            report.batches += 1;
            report.accepted += tally.accepted;
            report.duplicate += tally.duplicate;
            report.rejected += tally.rejected;
            report.unanswered += sent.len() - (tally.accepted + tally.duplicate + tally.rejected);
        }
        Ok(())
    }

    /// Pull once, then push until the outbox is empty: transient failures (and answers
    /// that leave ops unanswered) are tried again after a jittered exponential backoff, up
    /// to the retry policy's attempts in all. A refusal that retrying cannot cure ends it
    /// at once.
    pub async fn sync(&self, device: &mut Device) -> Result<SyncReport> {
        let mut report = SyncReport::default();
        let attempts = self.retry.attempts();
        for attempt in 0..attempts {
            report.attempts = attempt + 1;
            // A pull applied stays applied: later attempts only push what is left.
            let pulled = if report.pulls == 0 { self.pull(device).await.map(|()| report.pulls += 1) } else { Ok(()) };
            let outcome = match pulled {
                Ok(()) => self.push_into(device, &mut report.push).await,
                Err(e) => Err(e),
            };
            let failure = match outcome {
                Ok(()) if device.data().outbox.is_empty() => return Ok(report),
                Ok(()) => format!("{} ops still unanswered", device.data().outbox.len()),
                Err(e) if e.is_transient() => e.to_string(),
                Err(e) => return Err(e),
            };
            tracing::debug!(device = %device.id(), attempt, %failure, "sync attempt failed");
            report.failures.push(failure);
            if attempt + 1 < attempts {
                let wait = self.retry.delay(attempt, &mut rand::thread_rng());
                tokio::time::sleep(wait).await;
            }
        }
        Err(FieldError::Transport(format!("sync gave up after {attempts} attempts: {}", report.failures.last().map_or("", String::as_str))))
    }

    /// `GET /api/v1/challans/{challan_no}` as the signed-in officer: the challan, or `None`
    /// when the server has none with that number.
    pub async fn challan(&self, session: &Session, challan_no: &str) -> Result<Option<serde_json::Value>> {
        let answer = self
            .http
            .get(format!("{}/api/v1/challans/{challan_no}", self.base))
            .bearer_auth(&session.token)
            .send()
            .await
            .map_err(|e| FieldError::Transport(e.to_string()))?;
        let status = answer.status();
        let bytes = answer.bytes().await.map_err(|e| FieldError::Transport(e.to_string()))?;
        match status {
            StatusCode::OK => Ok(Some(parse("challan", &bytes)?)),
            StatusCode::NOT_FOUND => Ok(None),
            _ => Err(refusal(status, &bytes)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_are_encoded_as_query_values() {
        assert_eq!(query_value("abc-1.2_~"), "abc-1.2_~");
        assert_eq!(query_value("a b/c+d=e&f"), "a%20b%2Fc%2Bd%3De%26f");
        assert_eq!(query_value("ü"), "%C3%BC");
    }

    fn op(size: usize) -> Op {
        Op { op_id: Uuid::now_v7(), kind: "challan.issue".into(), payload: "x".repeat(size), sig: String::new() }
    }

    #[test]
    fn pushes_carry_at_most_500_ops_and_a_bounded_size() {
        let many: Vec<Op> = (0..1_201).map(|_| op(10)).collect();
        let sizes: Vec<usize> = batches(&many).iter().map(Vec::len).collect();
        assert_eq!(sizes, vec![500, 500, 201]);
        let big: Vec<Op> = (0..10).map(|_| op(1024 * 1024)).collect();
        let split = batches(&big);
        assert!(split.len() >= 3, "{}", split.len());
        assert!(split.iter().all(|b| b.iter().map(|o| o.payload.len()).sum::<usize>() <= PUSH_BATCH_BYTES));
        assert_eq!(split.iter().map(Vec::len).sum::<usize>(), 10);
        assert!(batches(&[]).is_empty());
    }
}
