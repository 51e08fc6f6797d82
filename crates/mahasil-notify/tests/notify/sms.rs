//! SMS through the sandbox gateway over real HTTP: accepted with the gateway's id, every
//! fault judged as documented, the idempotency key honoured, and the signed delivery
//! report received and checked on a loopback callback server.

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use mahasil_notify::NotifyError;
use mahasil_notify::outcome::SendOutcome;
use mahasil_notify::sandbox::sms::{SandboxSms, SmsFaults, SmsSandbox, SmsSandboxConfig};
use mahasil_notify::signing::{REPORT_SIGNATURE_HEADER, REPORT_TIMESTAMP_HEADER};
use mahasil_notify::sms_gateway::{DeliveryStatus, SmsGateway, SmsGatewayConfig, verify_delivery_report};
use mahasil_notify::sms_length::SmsEncoding;

use crate::support::{R, key, loopback, now, receiver};

const SECRET: &str = "test-sms-secret-0123";
const URDU: &str = "حکومت خیبر پختونخوا: چالان 100001-00000042-3 جاری ہوا ہے۔ 2026-12-11 تک PKR 5,000 ادا کریں۔";

async fn sandbox(faults: SmsFaults) -> R<SmsSandbox> {
    let config = SmsSandboxConfig { callback_secret: SECRET.into(), report_delay_ms: 50, faults, ..SmsSandboxConfig::default() };
    Ok(SmsSandbox::start(loopback().await?, config)?)
}

fn provider_id(outcome: &SendOutcome) -> R<String> {
    match outcome {
        SendOutcome::Accepted { provider_id } => Ok(provider_id.clone()),
        other => Err(format!("not accepted: {other:?}").into()),
    }
}

#[tokio::test]
async fn an_urdu_sms_is_accepted_with_the_gateways_id() -> R {
    let gateway = sandbox(SmsFaults::default()).await?;
    let client = SmsGateway::new(gateway.client_config(None))?;
    let outcome = client.send("0300-1234567", URDU, &key("s-1")?).await;
    let id = provider_id(&outcome)?;
    let taken = gateway.messages();
    assert_eq!(taken.len(), 1);
    assert_eq!((taken[0].provider_id.as_str(), taken[0].to.as_str(), taken[0].text.as_str()), (id.as_str(), "+923001234567", URDU));
    assert_eq!((taken[0].encoding, taken[0].idempotency_key.as_str()), (SmsEncoding::Ucs2, "s-1"));

    // GET /messages shows the same.
    let listed: Vec<serde_json::Value> = reqwest::get(format!("{}/messages", gateway.base_url())).await?.json().await?;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["provider_id"], id.as_str());
    assert_eq!(listed[0]["text"], URDU);
    Ok(())
}

#[tokio::test]
async fn the_same_key_twice_is_one_message_with_one_id() -> R {
    let gateway = sandbox(SmsFaults::default()).await?;
    let client = SmsGateway::new(gateway.client_config(None))?;
    let first = provider_id(&client.send("+923001234567", URDU, &key("s-twice")?).await)?;
    let second = provider_id(&client.send("+92 300 1234567", URDU, &key("s-twice")?).await)?;
    assert_eq!(first, second);
    assert_eq!(gateway.messages().len(), 1);
    // The same key with another text is a conflict, not a second message.
    assert!(client.send("+923001234567", "another text", &key("s-twice")?).await.is_permanent());
    assert_eq!(gateway.messages().len(), 1);
    Ok(())
}

#[tokio::test]
async fn a_5xx_is_retryable() -> R {
    let gateway = sandbox(SmsFaults { server_error: true, ..SmsFaults::default() }).await?;
    let outcome = SmsGateway::new(gateway.client_config(None))?.send("03001234567", URDU, &key("s-503")?).await;
    assert!(matches!(&outcome, SendOutcome::Retryable { reason } if reason.contains("503")), "{outcome:?}");
    assert!(gateway.messages().is_empty());
    Ok(())
}

#[tokio::test]
async fn a_hanging_gateway_is_cut_off_by_the_timeout() -> R {
    let gateway = sandbox(SmsFaults { hang: true, ..SmsFaults::default() }).await?;
    let config = SmsGatewayConfig { timeout_ms: 300, ..gateway.client_config(None) };
    let started = Instant::now();
    let outcome = SmsGateway::new(config)?.send("03001234567", URDU, &key("s-hang")?).await;
    let took = started.elapsed();
    assert!(matches!(&outcome, SendOutcome::Retryable { reason } if reason.contains("300 ms")), "{outcome:?}");
    assert!(took >= Duration::from_millis(300) && took < Duration::from_millis(2_000), "took {took:?}");
    Ok(())
}

#[tokio::test]
async fn a_malformed_answer_is_retryable_and_the_retry_sends_nothing_twice() -> R {
    let gateway = sandbox(SmsFaults { malformed_answer: true, ..SmsFaults::default() }).await?;
    let client = SmsGateway::new(gateway.client_config(None))?;
    let outcome = client.send("03001234567", URDU, &key("s-garbled")?).await;
    assert!(matches!(&outcome, SendOutcome::Retryable { reason } if reason.contains("malformed")), "{outcome:?}");
    // The gateway did take it; the retry with the same key learns its id without a resend.
    gateway.set_faults(SmsFaults::default());
    let id = provider_id(&client.send("03001234567", URDU, &key("s-garbled")?).await)?;
    let taken: Vec<SandboxSms> = gateway.messages();
    assert_eq!(taken.len(), 1);
    assert_eq!(taken[0].provider_id, id);
    Ok(())
}

#[tokio::test]
async fn numbers_refused_by_the_gateway_or_invalid_are_permanent() -> R {
    let gateway = sandbox(SmsFaults { reject_numbers: vec!["+923009999999".into()], ..SmsFaults::default() }).await?;
    let client = SmsGateway::new(gateway.client_config(None))?;
    let refused = client.send("03009999999", URDU, &key("s-rejected")?).await;
    assert!(matches!(&refused, SendOutcome::Permanent { reason } if reason.contains("invalid_number")), "{refused:?}");

    // An invalid number is refused before any request: even a gateway that is not there
    // gives a permanent outcome, not a retryable one.
    let nobody = loopback().await?;
    let base = format!("http://{}", nobody.local_addr()?);
    drop(nobody);
    let outcome = SmsGateway::new(SmsGatewayConfig::sandbox(&base, None))?.send("042-35761234", URDU, &key("s-landline")?).await;
    assert!(matches!(&outcome, SendOutcome::Permanent { reason } if reason.contains("invalid mobile number")), "{outcome:?}");
    assert!(SmsGateway::new(SmsGatewayConfig::sandbox(&base, None))?.send("03001234567", URDU, &key("s-nobody")?).await.is_retryable());
    assert!(gateway.messages().is_empty());
    Ok(())
}

#[tokio::test]
async fn the_delivery_report_is_signed_and_checked() -> R {
    let mut callback = receiver(StatusCode::NO_CONTENT).await?;
    let gateway = sandbox(SmsFaults::default()).await?;
    let client = SmsGateway::new(gateway.client_config(Some(callback.url.clone())))?;
    let id = provider_id(&client.send("03001234567", URDU, &key("s-report")?).await)?;

    let post = callback.next().await?;
    let (timestamp, signature) = (post.header(REPORT_TIMESTAMP_HEADER), post.header(REPORT_SIGNATURE_HEADER));
    let report = verify_delivery_report(SECRET, &timestamp, &signature, &post.body, now())?;
    assert_eq!((report.provider_id.as_str(), report.idempotency_key.as_str(), report.status), (id.as_str(), "s-report", DeliveryStatus::Delivered));

    let tampered = String::from_utf8(post.body.to_vec())?.replace("delivered", "failed");
    assert!(matches!(verify_delivery_report(SECRET, &timestamp, &signature, tampered.as_bytes(), now()), Err(NotifyError::BadSignature)));
    assert!(matches!(verify_delivery_report("another-secret", &timestamp, &signature, &post.body, now()), Err(NotifyError::BadSignature)));
    Ok(())
}
