//! A loopback HTTP/1.1 proxy that makes the network as bad as asked: per request, with
//! the configured probabilities, it drops the request (closes the connection without
//! forwarding), forwards it but drops the reply (the server has acted; the client never
//! hears), sends it to the server twice (returning the first reply), delays it, holds it
//! until the next request has gone first (reordering), or cuts the reply body half way.
//! Decisions come from a seeded random source, drawn in a fixed order per request, so a
//! seed replays the same faults for the same sequence of requests. It counts what it did.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, Limited, StreamBody};
use hyper::body::{Bytes, Frame, Incoming};
use hyper::header::{HeaderMap, HeaderName};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::{FieldError, Result};

/// Largest request body the proxy reads (a push is at most 8 MiB).
pub const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;
/// How long the proxy waits for the server's whole answer.
pub const UPSTREAM_TIMEOUT_MS: u64 = 60_000;

/// Headers that belong to one connection, not to the message: never passed on.
const HOP_BY_HOP: &[&str] = &[
    "connection",
    "keep-alive",
    "proxy-connection",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "host",
    "content-length",
];

/// The probability of each fault, per request (0 never, 1 always).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Faults {
    pub drop_request: f64,
    pub drop_reply: f64,
    pub duplicate: f64,
    pub delay: f64,
    pub reorder: f64,
    pub truncate: f64,
    /// A delayed request waits up to this long.
    pub max_delay_ms: u64,
    /// A held request goes on by itself after this long if no other request comes.
    pub hold_ms: u64,
}

impl Default for Faults {
    fn default() -> Self {
        Self::none()
    }
}

impl Faults {
    /// A perfect network.
    pub fn none() -> Self {
        Self::all(0.0)
    }

    /// Every fault with probability `p` (clamped to 0..=1).
    pub fn all(p: f64) -> Self {
        let p = if p.is_finite() { p.clamp(0.0, 1.0) } else { 0.0 };
        Self { drop_request: p, drop_reply: p, duplicate: p, delay: p, reorder: p, truncate: p, max_delay_ms: 100, hold_ms: 200 }
    }
}

/// What the proxy did, since it started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct FaultCounts {
    pub requests: u64,
    /// Requests sent to the server (duplicates included).
    pub forwarded: u64,
    pub dropped_requests: u64,
    pub dropped_replies: u64,
    pub duplicated: u64,
    pub delayed: u64,
    pub reordered: u64,
    pub truncated: u64,
}

impl std::fmt::Display for FaultCounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "requests {}, forwarded {}, dropped requests {}, dropped replies {}, duplicated {}, delayed {}, reordered {}, truncated {}",
            self.requests, self.forwarded, self.dropped_requests, self.dropped_replies, self.duplicated, self.delayed, self.reordered, self.truncated
        )
    }
}

/// The faults drawn for one request.
#[derive(Debug, Clone, Copy)]
struct Plan {
    drop_request: bool,
    delay_ms: Option<u64>,
    reorder: bool,
    duplicate: bool,
    drop_reply: bool,
    truncate: bool,
    hold_ms: u64,
}

struct Dice {
    faults: Faults,
    rng: StdRng,
}

impl Dice {
    fn roll(&mut self, p: f64) -> bool {
        // Always draw, so the sequence does not depend on which probabilities are zero.
        let x: f64 = self.rng.r#gen();
        x < p
    }

    fn plan(&mut self) -> Plan {
        let f = self.faults;
        let drop_request = self.roll(f.drop_request);
        let delayed = self.roll(f.delay);
        let delay_ms = self.rng.gen_range(0..=f.max_delay_ms);
        Plan {
            drop_request,
            delay_ms: delayed.then_some(delay_ms),
            reorder: self.roll(f.reorder),
            duplicate: self.roll(f.duplicate),
            drop_reply: self.roll(f.drop_reply),
            truncate: self.roll(f.truncate),
            hold_ms: f.hold_ms,
        }
    }
}

struct Shared {
    upstream: String,
    http: reqwest::Client,
    dice: Mutex<Dice>,
    counts: Mutex<FaultCounts>,
    /// The request being held back, woken when the next one has been forwarded.
    held: Mutex<Option<oneshot::Sender<()>>>,
}

fn locked<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

type ProxyBody = BoxBody<Bytes, std::io::Error>;

/// A request the proxy chose not to answer: the connection is closed.
fn hang_up(why: &str) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::ConnectionAborted, why.to_string())
}

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

fn passed_on(name: &HeaderName) -> bool {
    !HOP_BY_HOP.contains(&name.as_str())
}

impl Shared {
    fn count(&self, f: impl FnOnce(&mut FaultCounts)) {
        f(&mut locked(&self.counts));
    }

    async fn forward(&self, parts: &hyper::http::request::Parts, body: Bytes) -> std::result::Result<Reply, String> {
        self.count(|c| c.forwarded += 1);
        let path = parts.uri.path_and_query().map_or("/", hyper::http::uri::PathAndQuery::as_str);
        let mut request = self.http.request(parts.method.clone(), format!("{}{path}", self.upstream)).body(body);
        for (name, value) in parts.headers.iter().filter(|(n, _)| passed_on(n)) {
            request = request.header(name, value);
        }
        let answer = request.send().await.map_err(|e| e.to_string())?;
        let status = answer.status();
        let mut headers = HeaderMap::new();
        for (name, value) in answer.headers().iter().filter(|(n, _)| passed_on(n)) {
            headers.append(name, value.clone());
        }
        let body = answer.bytes().await.map_err(|e| e.to_string())?;
        Ok(Reply { status, headers, body })
    }

    async fn handle(self: Arc<Self>, request: Request<Incoming>) -> std::result::Result<Response<ProxyBody>, std::io::Error> {
        let plan = locked(&self.dice).plan();
        self.count(|c| c.requests += 1);
        let (parts, body) = request.into_parts();
        let body = Limited::new(body, MAX_BODY_BYTES).collect().await.map_err(|_| hang_up("request body unreadable or too large"))?.to_bytes();
        if plan.drop_request {
            self.count(|c| c.dropped_requests += 1);
            return Err(hang_up("request dropped"));
        }
        if let Some(ms) = plan.delay_ms {
            self.count(|c| c.delayed += 1);
            tokio::time::sleep(Duration::from_millis(ms)).await;
        }
        // A request held back goes after this one; otherwise this one may be held back.
        let released = locked(&self.held).take();
        if plan.reorder && released.is_none() {
            let (wake, woken) = oneshot::channel();
            *locked(&self.held) = Some(wake);
            self.count(|c| c.reordered += 1);
            let _ = tokio::time::timeout(Duration::from_millis(plan.hold_ms), woken).await;
            // Nobody came: take the slot back so no later request waits on a gone sender.
            locked(&self.held).take_if(|w| w.is_closed());
        }
        let first = self.forward(&parts, body.clone()).await;
        if let Some(wake) = released {
            let _ = wake.send(());
        }
        let reply = match first {
            Ok(reply) => reply,
            Err(e) => return Ok(text(StatusCode::BAD_GATEWAY, format!("proxy: the server did not answer: {e}"))),
        };
        if plan.duplicate {
            self.count(|c| c.duplicated += 1);
            let _ = self.forward(&parts, body).await;
        }
        if plan.drop_reply {
            self.count(|c| c.dropped_replies += 1);
            return Err(hang_up("reply dropped"));
        }
        let mut response = Response::builder().status(reply.status);
        if let Some(headers) = response.headers_mut() {
            headers.extend(reply.headers);
        }
        let body = if plan.truncate && reply.body.len() >= 2 {
            self.count(|c| c.truncated += 1);
            response = response.header(hyper::header::CONTENT_LENGTH, reply.body.len());
            let half = reply.body.slice(..reply.body.len() / 2);
            let frames = vec![Ok(Frame::data(half)), Err(hang_up("reply cut off"))];
            StreamBody::new(futures::stream::iter(frames)).boxed()
        } else {
            full(reply.body)
        };
        response.body(body).map_err(std::io::Error::other)
    }
}

fn full(bytes: Bytes) -> ProxyBody {
    Full::new(bytes).map_err(|never: Infallible| match never {}).boxed()
}

fn text(status: StatusCode, message: String) -> Response<ProxyBody> {
    let mut response = Response::new(full(Bytes::from(message)));
    *response.status_mut() = status;
    response
}

/// A running fault proxy; stops accepting when dropped.
pub struct FaultProxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept: JoinHandle<()>,
}

impl FaultProxy {
    /// Listens on a free loopback port and forwards to `upstream` (e.g.
    /// `http://127.0.0.1:8080`) with `faults`, deciding them from `seed`.
    pub async fn start(upstream: &str, faults: Faults, seed: u64) -> Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_millis(UPSTREAM_TIMEOUT_MS))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| FieldError::Proxy(e.to_string()))?;
        let shared = Arc::new(Shared {
            upstream: upstream.trim_end_matches('/').to_string(),
            http,
            dice: Mutex::new(Dice { faults, rng: StdRng::seed_from_u64(seed) }),
            counts: Mutex::new(FaultCounts::default()),
            held: Mutex::new(None),
        });
        let listener = TcpListener::bind("127.0.0.1:0").await.map_err(|e| FieldError::Proxy(e.to_string()))?;
        let addr = listener.local_addr().map_err(|e| FieldError::Proxy(e.to_string()))?;
        let accept = tokio::spawn(accept_loop(listener, shared.clone()));
        Ok(Self { addr, shared, accept })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL clients use instead of the server's.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Changes the faults from the next request on (the random sequence goes on).
    pub fn set_faults(&self, faults: Faults) {
        locked(&self.shared.dice).faults = faults;
    }

    pub fn faults(&self) -> Faults {
        locked(&self.shared.dice).faults
    }

    pub fn counts(&self) -> FaultCounts {
        *locked(&self.shared.counts)
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(e) => {
                tracing::warn!(error = %e, "fault proxy: accept failed");
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        let shared = shared.clone();
        tokio::spawn(async move {
            let service = service_fn(move |request| shared.clone().handle(request));
            // A connection the proxy hangs up on ends with an error here, on purpose.
            let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
        });
    }
}

#[cfg(test)]
mod tests;
