//! Webhooks to a loopback receiver: the event arrives signed, the signature checks, a
//! tampered body does not, and the receiver's answers are judged as documented.

use axum::http::StatusCode;
use jiff::ToSpan;
use mahasil_notify::NotifyError;
use mahasil_notify::outcome::SendOutcome;
use mahasil_notify::signing::{IDEMPOTENCY_KEY_HEADER, WEBHOOK_SIGNATURE_HEADER, WEBHOOK_TIMESTAMP_HEADER};
use mahasil_notify::template::{Channel, Language, MessageKind, TemplateSet};
use mahasil_notify::webhook::{WebhookConfig, WebhookEvent, WebhookSender, verify_webhook};

use crate::support::{R, facts, key, now, receiver};

const SECRET: &str = "receiver-secret-0123";

fn sender(url: &str) -> R<WebhookSender> {
    Ok(WebhookSender::new(WebhookConfig { url: url.into(), secret: SECRET.into(), timeout_ms: 2_000 })?)
}

fn event() -> R<WebhookEvent> {
    let facts = facts()?;
    let kind = MessageKind::PaymentReceipt;
    let text = TemplateSet::defaults()?.get(kind, Language::En, Channel::Webhook).render(&facts)?.text().to_string();
    Ok(WebhookEvent::new(key("w-1")?, kind, Language::En, &facts, text, now())?)
}

#[tokio::test]
async fn a_signed_event_reaches_the_receiver_and_verifies() -> R {
    let mut hook = receiver(StatusCode::OK).await?;
    let event = event()?;
    assert_eq!(sender(&hook.url)?.send(&event).await, SendOutcome::Accepted { provider_id: "w-1".into() });

    let post = hook.next().await?;
    assert_eq!(post.header(IDEMPOTENCY_KEY_HEADER), "w-1");
    let (timestamp, signature) = (post.header(WEBHOOK_TIMESTAMP_HEADER), post.header(WEBHOOK_SIGNATURE_HEADER));
    let received = verify_webhook(SECRET, &timestamp, &signature, &post.body, now())?;
    assert_eq!(received, event);
    assert_eq!(received.fields.get("receipt_no").map(String::as_str), Some("100001-00000043-7"));
    assert_eq!(received.fields.get("paid_amount").map(String::as_str), Some("PKR 5,000"));
    assert!(!received.fields.contains_key("decision"));

    let tampered = String::from_utf8(post.body.to_vec())?.replace("PKR 5,000", "PKR 50");
    assert!(matches!(verify_webhook(SECRET, &timestamp, &signature, tampered.as_bytes(), now()), Err(NotifyError::BadSignature)));
    let much_later = now().checked_add(1.hour())?;
    assert!(matches!(verify_webhook(SECRET, &timestamp, &signature, &post.body, much_later), Err(NotifyError::StaleTimestamp { .. })));
    Ok(())
}

#[tokio::test]
async fn receiver_answers_are_judged() -> R {
    let busy = receiver(StatusCode::SERVICE_UNAVAILABLE).await?;
    assert!(sender(&busy.url)?.send(&event()?).await.is_retryable());
    let refusing = receiver(StatusCode::UNPROCESSABLE_ENTITY).await?;
    assert!(sender(&refusing.url)?.send(&event()?).await.is_permanent());
    Ok(())
}
