//! The merchant API over real HTTP on loopback: creating payments (once per reference),
//! asking their status, and how unsigned, mis-signed, stale or malformed requests are refused.

use crate::support::{MERCHANT, R, SECRET, fast_config, gateway, payment, receiver};
use jiff::Timestamp;
use mahasil_gateway::GatewayError;
use mahasil_gateway::client::GatewayClient;
use mahasil_gateway::protocol::{ErrorBody, MAX_BODY_BYTES, Status};
use mahasil_gateway::signing::sign_request;
use reqwest::StatusCode;

/// Sends `body` to `path` signed with `secret` at `signed_at`; the status and error body.
async fn signed_post(base_url: &str, path: &str, secret: &str, signed_at: i64, body: &[u8]) -> R<(StatusCode, Option<ErrorBody>)> {
    let timestamp = signed_at.to_string();
    let response = reqwest::Client::new()
        .post(format!("{base_url}{path}"))
        .header("X-Merchant", MERCHANT)
        .header("X-Timestamp", &timestamp)
        .header("X-Signature", sign_request(secret, "POST", path, &timestamp, body))
        .header("Content-Type", "application/json")
        .body(body.to_vec())
        .send()
        .await?;
    let status = response.status();
    Ok((status, response.json::<ErrorBody>().await.ok()))
}

fn status_of(result: mahasil_gateway::Result<impl std::fmt::Debug>) -> Option<(u16, String)> {
    match result {
        Err(GatewayError::Status { status, code, .. }) => Some((status, code)),
        _ => None,
    }
}

#[tokio::test]
async fn a_new_payment_is_pending_with_a_hosted_page() -> R {
    let gw = gateway(fast_config()).await?;
    let rx = receiver(0).await?;
    let created = gw.client.create_payment(&payment("000001-00000001-5", 500_000, &rx)).await?;
    assert_eq!(created.status, Status::Pending);
    assert!(created.payment_id.starts_with("pay_"));
    assert_eq!(created.redirect_url, format!("{}/pay/{}", gw.base_url, created.payment_id));

    let status = gw.client.payment_status(&created.payment_id).await?;
    assert_eq!(status.payment_id, created.payment_id);
    assert_eq!(status.merchant_reference, "000001-00000001-5");
    assert_eq!(status.amount_paisa, 500_000);
    assert_eq!(status.status, Status::Pending);
    assert_eq!((status.paid_at, status.failure_reason, status.gateway_reference), (None, None, None));
    Ok(())
}

#[tokio::test]
async fn the_same_reference_and_amount_is_the_same_payment_and_another_amount_a_conflict() -> R {
    let gw = gateway(fast_config()).await?;
    let rx = receiver(0).await?;
    let first = gw.client.create_payment(&payment("ref-1", 500_000, &rx)).await?;
    let again = gw.client.create_payment(&payment("ref-1", 500_000, &rx)).await?;
    assert_eq!(again, first);

    // The raw answer: 201 the first time, 200 after.
    let body = serde_json::to_vec(&payment("ref-1", 500_000, &rx))?;
    let (status, _) = signed_post(&gw.base_url, "/v1/payments", SECRET, Timestamp::now().as_second(), &body).await?;
    assert_eq!(status, StatusCode::OK);
    let body = serde_json::to_vec(&payment("ref-2", 500_000, &rx))?;
    let (status, _) = signed_post(&gw.base_url, "/v1/payments", SECRET, Timestamp::now().as_second(), &body).await?;
    assert_eq!(status, StatusCode::CREATED);

    let conflict = gw.client.create_payment(&payment("ref-1", 600_000, &rx)).await;
    assert_eq!(status_of(conflict), Some((409, "conflict".into())));
    assert_eq!(gw.client.payment_status(&first.payment_id).await?.amount_paisa, 500_000);
    Ok(())
}

#[tokio::test]
async fn an_unknown_payment_is_404() -> R {
    let gw = gateway(fast_config()).await?;
    assert_eq!(status_of(gw.client.payment_status("pay_nonesuch").await), Some((404, "not_found".into())));
    assert_eq!(status_of(gw.client.payment_status("../v1/payments").await), Some((404, "not_found".into())));
    Ok(())
}

#[tokio::test]
async fn a_wrong_secret_or_merchant_is_401() -> R {
    let gw = gateway(fast_config()).await?;
    let rx = receiver(0).await?;
    let wrong_secret = GatewayClient::new(&gw.base_url, MERCHANT, "not-the-secret")?;
    assert_eq!(status_of(wrong_secret.create_payment(&payment("r", 100, &rx)).await), Some((401, "unauthorized".into())));
    assert_eq!(status_of(wrong_secret.payment_status("pay_x").await), Some((401, "unauthorized".into())));
    let wrong_merchant = GatewayClient::new(&gw.base_url, "someone-else", SECRET)?;
    assert_eq!(status_of(wrong_merchant.create_payment(&payment("r", 100, &rx)).await), Some((401, "unauthorized".into())));

    // A body changed after signing.
    let signed = serde_json::to_vec(&payment("r", 100, &rx))?;
    let timestamp = Timestamp::now().as_second().to_string();
    let response = reqwest::Client::new()
        .post(format!("{}/v1/payments", gw.base_url))
        .header("X-Merchant", MERCHANT)
        .header("X-Timestamp", &timestamp)
        .header("X-Signature", sign_request(SECRET, "POST", "/v1/payments", &timestamp, &signed))
        .body(serde_json::to_vec(&payment("r", 1, &rx))?)
        .send()
        .await?;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let error: ErrorBody = response.json().await?;
    assert_eq!((error.code.as_str(), error.message.as_str()), ("unauthorized", "the signature does not match"));
    Ok(())
}

#[tokio::test]
async fn missing_headers_are_401() -> R {
    let gw = gateway(fast_config()).await?;
    let response = reqwest::Client::new().get(format!("{}/v1/payments/pay_x", gw.base_url)).send().await?;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let error: ErrorBody = response.json().await?;
    assert_eq!(error.code, "unauthorized");
    assert!(error.message.contains("x-merchant"), "{}", error.message);
    Ok(())
}

#[tokio::test]
async fn a_timestamp_outside_the_five_minute_window_is_401() -> R {
    let gw = gateway(fast_config()).await?;
    let rx = receiver(0).await?;
    let body = serde_json::to_vec(&payment("r", 100, &rx))?;
    let now = Timestamp::now().as_second();
    for signed_at in [now - 400, now + 400] {
        let (status, error) = signed_post(&gw.base_url, "/v1/payments", SECRET, signed_at, &body).await?;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert!(error.is_some_and(|e| e.message.contains("300 seconds")));
    }
    let (status, _) = signed_post(&gw.base_url, "/v1/payments", SECRET, now - 250, &body).await?;
    assert_eq!(status, StatusCode::CREATED);
    Ok(())
}

#[tokio::test]
async fn the_query_string_is_part_of_the_signed_path() -> R {
    let gw = gateway(fast_config()).await?;
    let timestamp = Timestamp::now().as_second().to_string();
    let get = |signed_path: &str| {
        reqwest::Client::new()
            .get(format!("{}/v1/payments/pay_x?verbose=1", gw.base_url))
            .header("X-Merchant", MERCHANT)
            .header("X-Timestamp", &timestamp)
            .header("X-Signature", sign_request(SECRET, "GET", signed_path, &timestamp, b""))
            .send()
    };
    assert_eq!(get("/v1/payments/pay_x").await?.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(get("/v1/payments/pay_x?verbose=1").await?.status(), StatusCode::NOT_FOUND);
    Ok(())
}

#[tokio::test]
async fn malformed_wrongly_typed_invalid_and_oversized_bodies_are_refused() -> R {
    let gw = gateway(fast_config()).await?;
    let now = Timestamp::now().as_second();
    let post = |body: Vec<u8>| {
        let base_url = gw.base_url.clone();
        async move { signed_post(&base_url, "/v1/payments", SECRET, now, &body).await }
    };

    let (status, error) = post(b"{\"merchant_reference\": ".to_vec()).await?;
    assert_eq!((status, error.map(|e| e.code)), (StatusCode::BAD_REQUEST, Some("bad_request".into())));

    let wrong_type = br#"{"merchant_reference":"r","amount_paisa":"5000","description":"","return_url":"http://a.test/","callback_url":"http://a.test/"}"#;
    let (status, error) = post(wrong_type.to_vec()).await?;
    assert_eq!((status, error.map(|e| e.code)), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid".into())));

    let fractional = br#"{"merchant_reference":"r","amount_paisa":50.5,"description":"","return_url":"http://a.test/","callback_url":"http://a.test/"}"#;
    assert_eq!(post(fractional.to_vec()).await?.0, StatusCode::UNPROCESSABLE_ENTITY);

    let invalid = serde_json::json!({
        "merchant_reference": "r".repeat(65), "amount_paisa": 0, "description": "d".repeat(201),
        "return_url": "ftp://a.test/", "callback_url": "not a url"
    });
    let (status, error) = post(serde_json::to_vec(&invalid)?).await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields = error.and_then(|e| e.fields).ok_or("no fields")?;
    assert_eq!(fields.keys().map(String::as_str).collect::<Vec<_>>(), ["amount_paisa", "callback_url", "description", "merchant_reference", "return_url"]);

    let (status, error) = post(vec![b' '; MAX_BODY_BYTES + 1]).await?;
    assert_eq!((status, error.map(|e| e.code)), (StatusCode::PAYLOAD_TOO_LARGE, Some("too_large".into())));
    Ok(())
}
