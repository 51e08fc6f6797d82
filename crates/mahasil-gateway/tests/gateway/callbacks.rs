//! Callbacks as a merchant's receiver gets them: signed, retried until accepted, sometimes
//! repeated or never sent, and a late success after a failure.

use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use mahasil_gateway::GatewayError;
use mahasil_gateway::client::verify_callback;
use mahasil_gateway::protocol::Status;
use mahasil_gateway::sandbox::{Fraction, SandboxConfig};
use reqwest::StatusCode;

use crate::support::{CARD_LATE_SUCCESS, CARD_SUCCEEDS, R, SECRET, browser, fast_config, gateway, payment, receiver, submit};

#[tokio::test]
async fn the_late_success_card_fails_then_succeeds_and_both_are_reported() -> R {
    let gw = gateway(SandboxConfig { late_success_ms: 1000, ..fast_config() }).await?;
    let mut rx = receiver(0).await?;
    let created = gw.client.create_payment(&payment("late-1", 250_000, &rx)).await?;
    let (_, location) = submit(&browser()?, &created.redirect_url, "pay", CARD_LATE_SUCCESS).await?;
    assert!(location.is_some_and(|l| l.ends_with("&status=failed")));

    let failed = rx.next().await?.verified()?;
    assert_eq!((failed.payment.status, failed.payment.failure_reason.as_deref()), (Status::Failed, Some("the issuer did not answer in time")));
    assert_eq!(gw.client.payment_status(&created.payment_id).await?.status, Status::Failed);

    let succeeded = rx.next().await?.verified()?;
    assert_eq!((succeeded.payment.status, succeeded.payment.failure_reason.as_deref()), (Status::Succeeded, None));
    assert_ne!(succeeded.event_id, failed.event_id);
    assert_eq!(succeeded.payment.gateway_reference, failed.payment.gateway_reference);
    assert_eq!(gw.client.payment_status(&created.payment_id).await?, succeeded.payment);
    assert!(rx.next_within(Duration::from_millis(300)).await.is_none());
    Ok(())
}

#[tokio::test]
async fn a_tampered_or_replayed_callback_does_not_verify() -> R {
    let gw = gateway(fast_config()).await?;
    let mut rx = receiver(0).await?;
    let created = gw.client.create_payment(&payment("tamper-1", 100_000, &rx)).await?;
    submit(&browser()?, &created.redirect_url, "pay", CARD_SUCCEEDS).await?;
    let received = rx.next().await?;
    assert!(received.verified().is_ok());

    let tampered = String::from_utf8(received.body.to_vec())?.replace("100000", "1");
    assert_ne!(tampered.as_bytes(), &received.body[..]);
    let result = verify_callback(SECRET, &received.timestamp, &received.signature, tampered.as_bytes(), Timestamp::now());
    assert!(matches!(result, Err(GatewayError::BadSignature)), "{result:?}");
    let result = verify_callback("another-secret", &received.timestamp, &received.signature, &received.body, Timestamp::now());
    assert!(matches!(result, Err(GatewayError::BadSignature)), "{result:?}");
    let later = Timestamp::now().checked_add(SignedDuration::from_secs(301))?;
    let result = verify_callback(SECRET, &received.timestamp, &received.signature, &received.body, later);
    assert!(matches!(result, Err(GatewayError::StaleTimestamp { .. })), "{result:?}");
    Ok(())
}

#[tokio::test]
async fn dropped_callbacks_never_come_but_the_status_tells_the_truth() -> R {
    let gw = gateway(SandboxConfig { drop_callbacks: Fraction::ALWAYS, ..fast_config() }).await?;
    let mut rx = receiver(0).await?;
    let created = gw.client.create_payment(&payment("drop-1", 100_000, &rx)).await?;
    submit(&browser()?, &created.redirect_url, "pay", CARD_SUCCEEDS).await?;
    assert!(rx.next_within(Duration::from_millis(1000)).await.is_none(), "a dropped callback arrived");
    assert_eq!(gw.client.payment_status(&created.payment_id).await?.status, Status::Succeeded);
    Ok(())
}

#[tokio::test]
async fn a_callback_is_retried_until_the_merchant_answers_2xx() -> R {
    let gw = gateway(fast_config()).await?;
    let mut rx = receiver(2).await?;
    let created = gw.client.create_payment(&payment("retry-1", 100_000, &rx)).await?;
    submit(&browser()?, &created.redirect_url, "pay", CARD_SUCCEEDS).await?;

    let mut tries = Vec::new();
    for _ in 0..3 {
        tries.push(rx.next().await?);
    }
    assert_eq!(
        tries.iter().map(|t| t.answered).collect::<Vec<_>>(),
        [StatusCode::INTERNAL_SERVER_ERROR, StatusCode::INTERNAL_SERVER_ERROR, StatusCode::NO_CONTENT]
    );
    let events = tries.iter().map(|t| t.verified()).collect::<Result<Vec<_>, _>>()?;
    assert!(events.iter().all(|e| e.event_id == events[0].event_id && e.payment == events[0].payment));
    assert_eq!(events[0].payment.status, Status::Succeeded);
    assert!(rx.next_within(Duration::from_millis(500)).await.is_none(), "delivered again after a 2xx");
    Ok(())
}

#[tokio::test]
async fn retries_stop_after_the_configured_number_of_tries() -> R {
    let gw = gateway(SandboxConfig { max_callback_tries: 3, callback_retry_ms: 20, ..fast_config() }).await?;
    let mut rx = receiver(usize::MAX).await?;
    let created = gw.client.create_payment(&payment("give-up-1", 100_000, &rx)).await?;
    submit(&browser()?, &created.redirect_url, "cancel", "").await?;
    for _ in 0..3 {
        assert_eq!(rx.next().await?.answered, StatusCode::INTERNAL_SERVER_ERROR);
    }
    assert!(rx.next_within(Duration::from_millis(500)).await.is_none(), "a fourth try");
    Ok(())
}

#[tokio::test]
async fn a_repeated_callback_carries_the_same_event_id() -> R {
    let gw = gateway(SandboxConfig { duplicate_callbacks: Fraction::ALWAYS, ..fast_config() }).await?;
    let mut rx = receiver(0).await?;
    let created = gw.client.create_payment(&payment("dup-1", 100_000, &rx)).await?;
    submit(&browser()?, &created.redirect_url, "pay", CARD_SUCCEEDS).await?;
    let first = rx.next().await?.verified()?;
    let second = rx.next().await?.verified()?;
    assert_eq!((first.event_id, first.payment), (second.event_id, second.payment));
    Ok(())
}

#[tokio::test]
async fn the_first_callback_waits_for_the_configured_delay() -> R {
    let gw = gateway(SandboxConfig { callback_delay_ms: 700, ..fast_config() }).await?;
    let mut rx = receiver(0).await?;
    let created = gw.client.create_payment(&payment("delay-1", 100_000, &rx)).await?;
    submit(&browser()?, &created.redirect_url, "pay", CARD_SUCCEEDS).await?;
    assert!(rx.next_within(Duration::from_millis(400)).await.is_none(), "came before the delay");
    assert_eq!(rx.next().await?.verified()?.payment.status, Status::Succeeded);
    Ok(())
}
