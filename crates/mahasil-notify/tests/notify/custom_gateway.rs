//! A gateway of another shape than the sandbox's, configured from TOML: a form-encoded
//! POST with the fields in the URL and the body, a bearer token, digits-only numbers, and
//! an answer whose success flag and message id sit deeper in the JSON.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use axum::routing::post;
use mahasil_notify::outcome::SendOutcome;
use mahasil_notify::sms_gateway::{SmsGateway, SmsGatewayConfig};

use crate::support::{R, key, loopback};

type Seen = Arc<Mutex<Vec<(Uri, HeaderMap, Bytes)>>>;

async fn answer(State(seen): State<Seen>, uri: Uri, headers: HeaderMap, body: Bytes) -> String {
    let refused = String::from_utf8_lossy(&body).contains("to=923009999999");
    if let Ok(mut seen) = seen.lock() {
        seen.push((uri, headers, body));
    }
    if refused { r#"{"result":{"code":"ERR_NUMBER"}}"#.into() } else { r#"{"result":{"code":"OK","id":98765}}"#.into() }
}

#[tokio::test]
async fn a_form_encoded_gateway_configured_from_toml() -> R {
    let listener = loopback().await?;
    let addr = listener.local_addr()?;
    let seen: Seen = Arc::default();
    let app = Router::new().route("/api/send", post(answer)).with_state(Arc::clone(&seen));
    let server = tokio::spawn(async move { axum::serve(listener, app).await });

    let toml_text = format!(
        r#"
url = "http://{addr}/api/send?ref={{idempotency_key}}"
method = "POST"
content_type = "application/x-www-form-urlencoded"
body = "to={{to}}&message={{text}}&dlr={{callback_url}}"
callback_url = "https://mahasil.example/sms/report"
to_format = "digits"
provider_id_pointer = "/result/id"
timeout_ms = 5000

[headers]
Authorization = "Bearer test-token"

[success]
statuses = [200]
pointer = "/result/code"
equals = "OK"
"#
    );
    let config: SmsGatewayConfig = toml::from_str(&toml_text)?;
    let gateway = SmsGateway::new(config)?;
    let outcome = gateway.send("0300 1234567", "Pay PKR 5,000 & keep the receipt", &key("c-1")?).await;
    assert_eq!(outcome, SendOutcome::Accepted { provider_id: "98765".into() });
    let refused = gateway.send("03009999999", "x", &key("c-2")?).await;
    assert!(matches!(&refused, SendOutcome::Permanent { reason } if reason.contains("ERR_NUMBER")), "{refused:?}");

    let seen = seen.lock().map_err(|_| "poisoned")?.clone();
    let (uri, headers, body) = seen.first().ok_or("nothing reached the gateway")?;
    assert_eq!(uri.query(), Some("ref=c-1"));
    assert_eq!(headers.get("authorization").and_then(|v| v.to_str().ok()), Some("Bearer test-token"));
    assert_eq!(headers.get("idempotency-key").and_then(|v| v.to_str().ok()), Some("c-1"));
    assert_eq!(headers.get("content-type").and_then(|v| v.to_str().ok()), Some("application/x-www-form-urlencoded"));
    assert_eq!(body.as_ref(), b"to=923001234567&message=Pay%20PKR%205%2C000%20%26%20keep%20the%20receipt&dlr=https%3A%2F%2Fmahasil.example%2Fsms%2Freport");
    server.abort();
    Ok(())
}
