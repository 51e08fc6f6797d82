//! The proxy in front of a small echo server on loopback: each fault does what it says,
//! counts itself, and a seed replays the same faults.

use std::sync::Arc;
use std::sync::Mutex as StdMutex;
use std::time::Instant;

use axum::Router;
use axum::body::Bytes as AxumBytes;
use axum::extract::State;
use axum::http::{HeaderMap as AxumHeaders, Method, Uri};

use super::*;

type R = std::result::Result<(), Box<dyn std::error::Error + Send + Sync>>;

/// What the echo server saw, in order of arrival: method and path with query.
#[derive(Clone, Default)]
struct Seen(Arc<StdMutex<Vec<String>>>);

impl Seen {
    fn list(&self) -> Vec<String> {
        locked(&self.0).clone()
    }
}

async fn echo(
    State(seen): State<Seen>,
    method: Method,
    uri: Uri,
    headers: AxumHeaders,
    body: AxumBytes,
) -> (StatusCode, [(&'static str, String); 1], AxumBytes) {
    locked(&seen.0).push(format!("{method} {uri}"));
    let marker = headers.get("x-marker").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let status = if uri.path() == "/teapot" { StatusCode::IM_A_TEAPOT } else { StatusCode::OK };
    (status, [("x-echo-marker", marker)], body)
}

async fn echo_server() -> std::result::Result<(String, Seen), Box<dyn std::error::Error + Send + Sync>> {
    let seen = Seen::default();
    let app = Router::new().fallback(echo).with_state(seen.clone());
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok((format!("http://{addr}"), seen))
}

fn client() -> std::result::Result<reqwest::Client, reqwest::Error> {
    reqwest::Client::builder().timeout(Duration::from_secs(10)).build()
}

fn only(set: impl FnOnce(&mut Faults)) -> Faults {
    let mut faults = Faults::none();
    set(&mut faults);
    faults
}

#[tokio::test]
async fn with_no_faults_requests_and_replies_pass_unchanged() -> R {
    let (upstream, seen) = echo_server().await?;
    let proxy = FaultProxy::start(&upstream, Faults::none(), 1).await?;
    let http = client()?;
    let answer = http.post(format!("{}/a/b?since=x%2By", proxy.url())).header("x-marker", "m1").body("hello").send().await?;
    assert_eq!(answer.status(), StatusCode::OK);
    assert_eq!(answer.headers().get("x-echo-marker").and_then(|v| v.to_str().ok()), Some("m1"));
    assert!(answer.headers().get("date").is_some(), "the server's Date reaches the client");
    assert_eq!(answer.text().await?, "hello");
    let teapot = http.get(format!("{}/teapot", proxy.url())).send().await?;
    assert_eq!(teapot.status(), StatusCode::IM_A_TEAPOT);
    assert_eq!(seen.list(), vec!["POST /a/b?since=x%2By".to_string(), "GET /teapot".to_string()]);
    assert_eq!(proxy.counts(), FaultCounts { requests: 2, forwarded: 2, ..FaultCounts::default() });
    Ok(())
}

#[tokio::test]
async fn a_dropped_request_never_reaches_the_server() -> R {
    let (upstream, seen) = echo_server().await?;
    let proxy = FaultProxy::start(&upstream, only(|f| f.drop_request = 1.0), 1).await?;
    assert!(client()?.post(format!("{}/push", proxy.url())).body("x").send().await.is_err());
    assert!(seen.list().is_empty());
    assert_eq!(proxy.counts().dropped_requests, 1);
    assert_eq!(proxy.counts().forwarded, 0);
    Ok(())
}

#[tokio::test]
async fn a_dropped_reply_was_acted_on_but_never_heard() -> R {
    let (upstream, seen) = echo_server().await?;
    let proxy = FaultProxy::start(&upstream, only(|f| f.drop_reply = 1.0), 1).await?;
    assert!(client()?.post(format!("{}/push", proxy.url())).body("x").send().await.is_err());
    assert_eq!(seen.list(), vec!["POST /push".to_string()]);
    assert_eq!(proxy.counts().dropped_replies, 1);
    Ok(())
}

#[tokio::test]
async fn a_duplicated_request_reaches_the_server_twice_and_is_answered_once() -> R {
    let (upstream, seen) = echo_server().await?;
    let proxy = FaultProxy::start(&upstream, only(|f| f.duplicate = 1.0), 1).await?;
    let answer = client()?.post(format!("{}/push", proxy.url())).body("same").send().await?;
    assert_eq!(answer.text().await?, "same");
    assert_eq!(seen.list(), vec!["POST /push".to_string(), "POST /push".to_string()]);
    assert_eq!((proxy.counts().duplicated, proxy.counts().forwarded), (1, 2));
    Ok(())
}

#[tokio::test]
async fn a_truncated_reply_fails_to_read_whole() -> R {
    let (upstream, seen) = echo_server().await?;
    let proxy = FaultProxy::start(&upstream, only(|f| f.truncate = 1.0), 1).await?;
    let big = "0123456789".repeat(10_000);
    let outcome = match client()?.post(format!("{}/pull", proxy.url())).body(big.clone()).send().await {
        Ok(answer) => answer.bytes().await.map(|b| b.len()),
        Err(e) => Err(e),
    };
    assert!(outcome.is_err(), "a cut reply must not read as whole: {outcome:?}");
    assert_eq!(seen.list().len(), 1);
    assert_eq!(proxy.counts().truncated, 1);
    Ok(())
}

#[tokio::test]
async fn a_held_request_goes_after_the_next_one() -> R {
    let (upstream, seen) = echo_server().await?;
    let faults = Faults { hold_ms: 5_000, ..only(|f| f.reorder = 1.0) };
    let proxy = FaultProxy::start(&upstream, faults, 1).await?;
    let http = client()?;
    let first = tokio::spawn({
        let (http, url) = (http.clone(), format!("{}/first", proxy.url()));
        async move { http.get(url).send().await.map(|r| r.status()) }
    });
    while proxy.counts().reordered == 0 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let second = http.get(format!("{}/second", proxy.url())).send().await?;
    assert_eq!(second.status(), StatusCode::OK);
    assert_eq!(first.await??, StatusCode::OK);
    assert_eq!(seen.list(), vec!["GET /second".to_string(), "GET /first".to_string()]);
    Ok(())
}

#[tokio::test]
async fn a_held_request_goes_on_alone_when_no_other_comes() -> R {
    let (upstream, seen) = echo_server().await?;
    let faults = Faults { hold_ms: 50, ..only(|f| f.reorder = 1.0) };
    let proxy = FaultProxy::start(&upstream, faults, 1).await?;
    let http = client()?;
    for n in 0..3 {
        assert_eq!(http.get(format!("{}/{n}", proxy.url())).send().await?.status(), StatusCode::OK);
    }
    assert_eq!(seen.list(), vec!["GET /0".to_string(), "GET /1".to_string(), "GET /2".to_string()]);
    assert_eq!(proxy.counts().reordered, 3);
    Ok(())
}

#[tokio::test]
async fn a_delayed_request_arrives_late() -> R {
    let (upstream, _) = echo_server().await?;
    let faults = Faults { max_delay_ms: 40, ..only(|f| f.delay = 1.0) };
    let proxy = FaultProxy::start(&upstream, faults, 3).await?;
    let http = client()?;
    let started = Instant::now();
    for _ in 0..10 {
        http.get(format!("{}/x", proxy.url())).send().await?;
    }
    assert_eq!(proxy.counts().delayed, 10);
    assert!(started.elapsed() >= Duration::from_millis(40), "ten delays of up to 40 ms took {:?}", started.elapsed());
    Ok(())
}

async fn run_sequence(upstream: &str, seed: u64) -> std::result::Result<FaultCounts, Box<dyn std::error::Error + Send + Sync>> {
    let faults = Faults { max_delay_ms: 2, hold_ms: 2, ..Faults::all(0.3) };
    let proxy = FaultProxy::start(upstream, faults, seed).await?;
    let http = client()?;
    for n in 0..60 {
        if let Ok(answer) = http.post(format!("{}/{n}", proxy.url())).body("a body to cut").send().await {
            let _ = answer.bytes().await;
        }
    }
    Ok(proxy.counts())
}

#[tokio::test]
async fn a_seed_replays_the_same_faults() -> R {
    let (upstream, _) = echo_server().await?;
    let first = run_sequence(&upstream, 42).await?;
    assert_eq!(first, run_sequence(&upstream, 42).await?);
    assert_ne!(first, run_sequence(&upstream, 43).await?);
    assert!(first.dropped_requests > 0 && first.dropped_replies > 0 && first.duplicated > 0 && first.truncated > 0, "{first}");
    Ok(())
}

#[tokio::test]
async fn faults_can_be_changed_while_running() -> R {
    let (upstream, seen) = echo_server().await?;
    let proxy = FaultProxy::start(&upstream, only(|f| f.drop_request = 1.0), 1).await?;
    let http = client()?;
    assert!(http.get(format!("{}/a", proxy.url())).send().await.is_err());
    proxy.set_faults(Faults::none());
    assert_eq!(http.get(format!("{}/b", proxy.url())).send().await?.status(), StatusCode::OK);
    assert_eq!(seen.list(), vec!["GET /b".to_string()]);
    Ok(())
}

#[tokio::test]
async fn an_unreachable_server_is_a_bad_gateway() -> R {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let proxy = FaultProxy::start(&format!("http://127.0.0.1:{port}"), Faults::none(), 1).await?;
    assert_eq!(client()?.get(format!("{}/x", proxy.url())).send().await?.status(), StatusCode::BAD_GATEWAY);
    Ok(())
}
