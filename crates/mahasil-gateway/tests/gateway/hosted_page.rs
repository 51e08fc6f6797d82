//! The hosted payment page as a payer's browser uses it: what it shows, and where each
//! card or Cancel sends the payer and leaves the payment.

use mahasil_gateway::protocol::Status;
use mahasil_gateway::sandbox::{Fraction, SandboxConfig};
use reqwest::StatusCode;

use crate::support::{CARD_DECLINED, CARD_SUCCEEDS, Gateway, R, Receiver, browser, fast_config, gateway, payment, receiver, submit};

/// A gateway, a receiver, and one pending payment of PKR 5,000: its page URL and id.
async fn pending(config: SandboxConfig) -> R<(Gateway, Receiver, String, String)> {
    let gw = gateway(config).await?;
    let rx = receiver(0).await?;
    let created = gw.client.create_payment(&payment("000001-00000001-5", 500_000, &rx)).await?;
    Ok((gw, rx, created.redirect_url, created.payment_id))
}

fn expected_return(payment_id: &str, status: &str) -> String {
    format!("http://merchant.test/pay/return?lang=en&payment_id={payment_id}&status={status}")
}

#[tokio::test]
async fn the_page_shows_merchant_description_and_amount_with_the_card_form() -> R {
    let (_gw, _rx, page_url, _id) = pending(fast_config()).await?;
    let response = browser()?.get(&page_url).send().await?;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()["content-type"].to_str()?.starts_with("text/html"));
    let policy = response.headers()["content-security-policy"].to_str()?.to_string();
    assert!(policy.starts_with("default-src 'none'") && policy.contains("form-action 'self' http://merchant.test"), "{policy}");
    let html = response.text().await?;
    for shown in ["test-merchant", "Challan 000001-00000001-5: encroachment on a public road", "PKR 5,000.00", "000001-00000001-5"] {
        assert!(html.contains(shown), "{shown} is not on the page");
    }
    assert!(html.contains(r#"name="card_number""#));
    assert!(html.contains(r#"name="action" value="pay""#) && html.contains(r#"name="action" value="cancel""#));
    assert!(html.contains("SANDBOX"));
    // Nothing is loaded from anywhere: no script, no external stylesheet, font or image.
    for absent in ["<script", "<link", "<img", "@import", "url("] {
        assert!(!html.contains(absent), "{absent} is on the page");
    }
    Ok(())
}

#[tokio::test]
async fn the_success_card_sends_the_payer_back_with_succeeded_and_the_status_says_so() -> R {
    let (gw, mut rx, page_url, id) = pending(fast_config()).await?;
    let (status, location) = submit(&browser()?, &page_url, "pay", CARD_SUCCEEDS).await?;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location, Some(expected_return(&id, "succeeded")));

    let now = gw.client.payment_status(&id).await?;
    assert_eq!(now.status, Status::Succeeded);
    assert!(now.paid_at.is_some() && now.failure_reason.is_none());
    assert!(now.gateway_reference.as_deref().is_some_and(|r| r.starts_with("gw_")));

    let event = rx.next().await?.verified()?;
    assert_eq!(event.payment, now);
    assert!(event.event_id.starts_with("evt_"));

    // The page now says what became of the payment, and links back to the merchant.
    let html = browser()?.get(&page_url).send().await?.text().await?;
    assert!(html.contains("This payment has been made"));
    assert!(html.contains(&expected_return(&id, "succeeded").replace('&', "&amp;")));
    Ok(())
}

#[tokio::test]
async fn the_decline_card_fails_the_payment() -> R {
    let (gw, mut rx, page_url, id) = pending(fast_config()).await?;
    let (status, location) = submit(&browser()?, &page_url, "pay", CARD_DECLINED).await?;
    assert_eq!((status, location), (StatusCode::SEE_OTHER, Some(expected_return(&id, "failed"))));
    let now = gw.client.payment_status(&id).await?;
    assert_eq!((now.status, now.failure_reason.as_deref(), now.paid_at), (Status::Failed, Some("card declined"), None));
    assert!(now.gateway_reference.is_some());
    assert_eq!(rx.next().await?.verified()?.payment, now);
    Ok(())
}

#[tokio::test]
async fn cancel_fails_the_payment_as_cancelled_by_payer() -> R {
    let (gw, mut rx, page_url, id) = pending(fast_config()).await?;
    let (status, location) = submit(&browser()?, &page_url, "cancel", "").await?;
    assert_eq!((status, location), (StatusCode::SEE_OTHER, Some(expected_return(&id, "failed"))));
    let now = gw.client.payment_status(&id).await?;
    assert_eq!((now.status, now.failure_reason.as_deref(), now.gateway_reference), (Status::Failed, Some("cancelled by payer"), None));
    assert_eq!(rx.next().await?.verified()?.payment.failure_reason.as_deref(), Some("cancelled by payer"));
    Ok(())
}

#[tokio::test]
async fn a_decided_payment_stays_decided() -> R {
    let (gw, mut rx, page_url, id) = pending(fast_config()).await?;
    let browser = browser()?;
    submit(&browser, &page_url, "pay", CARD_SUCCEEDS).await?;
    rx.next().await?;
    for (action, card) in [("pay", CARD_DECLINED), ("cancel", ""), ("pay", CARD_SUCCEEDS)] {
        let (status, location) = submit(&browser, &page_url, action, card).await?;
        assert_eq!((status, location), (StatusCode::SEE_OTHER, Some(expected_return(&id, "succeeded"))));
    }
    assert_eq!(gw.client.payment_status(&id).await?.status, Status::Succeeded);
    assert!(rx.next_within(std::time::Duration::from_millis(300)).await.is_none(), "no change, no callback");
    Ok(())
}

#[tokio::test]
async fn a_number_that_is_not_a_sandbox_card_decides_nothing() -> R {
    let (gw, _rx, page_url, id) = pending(fast_config()).await?;
    let response = browser()?.post(&page_url).form(&[("action", "pay"), ("card_number", "4111 1111 1111 1111")]).send().await?;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().await?.contains("not a sandbox card number"));
    let response = browser()?.post(&page_url).form(&[("action", "refund")]).send().await?;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(gw.client.payment_status(&id).await?.status, Status::Pending);
    Ok(())
}

#[tokio::test]
async fn an_unknown_payment_has_no_page() -> R {
    let gw = gateway(fast_config()).await?;
    let browser = browser()?;
    assert_eq!(browser.get(format!("{}/pay/pay_nonesuch", gw.base_url)).send().await?.status(), StatusCode::NOT_FOUND);
    let (status, location) = submit(&browser, &format!("{}/pay/pay_nonesuch", gw.base_url), "pay", CARD_SUCCEEDS).await?;
    assert_eq!((status, location), (StatusCode::NOT_FOUND, None));
    Ok(())
}

#[tokio::test]
async fn the_fail_rate_declines_otherwise_successful_payments() -> R {
    let (gw, _rx, page_url, id) = pending(SandboxConfig { fail_rate: Fraction::ALWAYS, ..fast_config() }).await?;
    let (_, location) = submit(&browser()?, &page_url, "pay", CARD_SUCCEEDS).await?;
    assert_eq!(location, Some(expected_return(&id, "failed")));
    assert_eq!(gw.client.payment_status(&id).await?.failure_reason.as_deref(), Some("declined by the issuer"));
    Ok(())
}

#[tokio::test]
async fn redirect_urls_use_the_public_url_when_one_is_set() -> R {
    let config = SandboxConfig { public_url: Some("https://pay.example.test/sandbox/".parse()?), ..fast_config() };
    let (_gw, _rx, page_url, id) = pending(config).await?;
    assert_eq!(page_url, format!("https://pay.example.test/sandbox/pay/{id}"));
    Ok(())
}
