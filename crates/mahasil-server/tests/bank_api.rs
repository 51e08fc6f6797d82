//! The bank API's bill inquiry through the router: what a signed request from a known
//! bank is told for each kind of challan, and how unsigned, mis-signed, stale or foreign
//! requests are refused.

mod web_support;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use jiff::Timestamp;
use mahasil_domain::bank::BankSecret;
use mahasil_domain::jurisdiction::Slug;
use mahasil_server::bank::auth::sign;
use mahasil_server::testing::{OFFICER, SUPERVISOR};
use mahasil_store::{Actor, BankRecord};
use serde_json::{Value, json};
use tower::ServiceExt;
use uuid::Uuid;
use web_support::{R, Web, issue_as};

const PATH: &str = "/bank/v1/bill-inquiry";
const SECRET: &str = "test-bank-secret-0123";

async fn with_bank(web: &Web, mnemonic: &str, active: bool) -> R {
    let bank = BankRecord { mnemonic: Slug::parse(mnemonic)?, name: mnemonic.into(), secret: BankSecret::parse(SECRET)?, active, created_at: Timestamp::now() };
    web.state.store.create_bank(&bank, &Actor::system()).await?;
    Ok(())
}

/// Sends `body` as `bank` signed with `secret` at `at` (Unix seconds).
async fn send(web: &Web, bank: &str, secret: &str, at: i64, body: &str) -> R<(StatusCode, Value)> {
    let timestamp = at.to_string();
    let req = Request::builder()
        .method("POST")
        .uri(PATH)
        .header("content-type", "application/json")
        .header("x-bank", bank)
        .header("x-timestamp", &timestamp)
        .header("x-signature", sign(secret, "POST", PATH, &timestamp, body.as_bytes()))
        .body(Body::from(body.to_string()))?;
    let resp = web.router().oneshot(req).await?;
    let status = resp.status();
    let bytes = resp.into_body().collect().await?.to_bytes();
    Ok((status, serde_json::from_slice(&bytes)?))
}

async fn inquire(web: &Web, consumer_number: &str) -> R<Value> {
    let body = json!({ "consumer_number": consumer_number, "bank_mnemonic": "test-bank" }).to_string();
    let (status, answer) = send(web, "test-bank", SECRET, Timestamp::now().as_second(), &body).await?;
    assert_eq!(status, StatusCode::OK, "{answer}");
    Ok(answer)
}

#[tokio::test]
async fn an_unpaid_challan_is_described_with_both_amounts() -> R {
    let web = Web::new().await?;
    with_bank(&web, "test-bank", true).await?;
    let c = issue_as(&web, OFFICER, "DA-ENC-01", None, "17301-1234567-1", Timestamp::now()).await?;
    let answer = inquire(&web, &c.challan_no.digits()).await?;
    assert_eq!(answer["response_code"], "00");
    assert_eq!(answer["bill_status"], "U");
    assert_eq!(answer["consumer_detail"], "Sher Ali");
    assert_eq!((answer["amount_within_due_date"].as_i64(), answer["amount_after_due_date"].as_i64()), (Some(500_000), Some(600_000)));
    assert_eq!(answer["due_date"], c.due_date.strftime("%Y%m%d").to_string());
    assert_eq!(answer["billing_month"].as_str().map(str::len), Some(4));
    assert_eq!((answer["date_paid"].as_str(), answer["amount_paid"].as_i64()), (Some(""), Some(0)));
    Ok(())
}

#[tokio::test]
async fn unknown_cancelled_and_malformed_numbers_get_their_codes() -> R {
    let web = Web::new().await?;
    with_bank(&web, "test-bank", true).await?;
    let c = issue_as(&web, OFFICER, "DA-ENC-01", None, "17301-1234567-1", Timestamp::now()).await?;
    let unknown = mahasil_domain::challan_no::ChallanNo::new(c.issuer_no, c.challan_no.counter() + 100)?;
    assert_eq!(inquire(&web, &unknown.digits()).await?["response_code"], "01");
    for bad in ["12345", "abcdefghijklmno", &format!("{}0", &c.challan_no.digits()[..14]), "100001-00000001-5"] {
        let code = inquire(&web, bad).await?["response_code"].clone();
        assert!(code == "04" || code == "01", "{bad}: {code}");
    }
    let officer = web.state.store.user_by_username(OFFICER).await?.ok_or("no officer")?;
    let supervisor = web.state.store.user_by_username(SUPERVISOR).await?.ok_or("no supervisor")?;
    let (maker, checker) = (mahasil_server::auth::session::principal_of(&officer), mahasil_server::auth::session::principal_of(&supervisor));
    let request = web.state.store.request_cancellation(c.challan_no, "duplicate", &maker, Uuid::now_v7(), Timestamp::now()).await?;
    web.state.store.decide_cancellation(request.id, true, "", &checker, Timestamp::now()).await?;
    let cancelled = inquire(&web, &c.challan_no.digits()).await?;
    assert_eq!((cancelled["response_code"].as_str(), cancelled["bill_status"].as_str()), (Some("02"), Some("B")));
    Ok(())
}

#[tokio::test]
async fn inquiries_about_known_challans_are_recorded_for_the_anomaly_rules() -> R {
    let web = Web::new().await?;
    with_bank(&web, "test-bank", true).await?;
    let before = Timestamp::now();
    let c = issue_as(&web, OFFICER, "DA-ENC-01", None, "17301-1234567-1", before).await?;
    assert_eq!(inquire(&web, &c.challan_no.digits()).await?["response_code"], "00");
    let recorded = web.state.store.bill_inquiries(&[c.challan_no]).await?;
    let [(no, bank, at)] = recorded.as_slice() else { return Err(format!("one inquiry expected: {recorded:?}").into()) };
    assert_eq!((*no, bank.as_str()), (c.challan_no, "test-bank"));
    assert!(*at >= before.checked_sub(jiff::SignedDuration::from_secs(1))? && *at <= Timestamp::now(), "{at}");

    // A blocked challan is still a known one: its inquiry is recorded too.
    let officer = web.state.store.user_by_username(OFFICER).await?.ok_or("no officer")?;
    let supervisor = web.state.store.user_by_username(SUPERVISOR).await?.ok_or("no supervisor")?;
    let (maker, checker) = (mahasil_server::auth::session::principal_of(&officer), mahasil_server::auth::session::principal_of(&supervisor));
    let request = web.state.store.request_cancellation(c.challan_no, "duplicate", &maker, Uuid::now_v7(), Timestamp::now()).await?;
    web.state.store.decide_cancellation(request.id, true, "", &checker, Timestamp::now()).await?;
    assert_eq!(inquire(&web, &c.challan_no.digits()).await?["response_code"], "02");
    assert_eq!(web.state.store.bill_inquiries(&[c.challan_no]).await?.len(), 2);

    let unknown = mahasil_domain::challan_no::ChallanNo::new(c.issuer_no, c.challan_no.counter() + 100)?;
    assert_eq!(inquire(&web, &unknown.digits()).await?["response_code"], "01");
    assert!(web.state.store.bill_inquiries(&[unknown]).await?.is_empty(), "an unknown consumer number records nothing");
    Ok(())
}

#[tokio::test]
async fn bodies_that_are_not_an_inquiry_are_invalid_data() -> R {
    let web = Web::new().await?;
    with_bank(&web, "test-bank", true).await?;
    let now = Timestamp::now().as_second();
    for body in [
        "not json",
        "{}",
        r#"{"consumer_number": 1, "bank_mnemonic": "test-bank"}"#,
        r#"{"consumer_number":"100001000000011","bank_mnemonic":"other-bank"}"#,
        r#"{"consumer_number":"100001000000011","bank_mnemonic":"test-bank","extra":1}"#,
    ] {
        let (status, answer) = send(&web, "test-bank", SECRET, now, body).await?;
        assert_eq!((status, answer["response_code"].as_str()), (StatusCode::OK, Some("04")), "{body}");
    }
    Ok(())
}

#[tokio::test]
async fn unsigned_missigned_stale_and_unknown_requests_are_refused() -> R {
    let web = Web::new().await?;
    with_bank(&web, "test-bank", true).await?;
    with_bank(&web, "closed-bank", false).await?;
    let body = json!({ "consumer_number": "100001000000011", "bank_mnemonic": "test-bank" }).to_string();
    let now = Timestamp::now().as_second();
    let cases = [
        ("test-bank", "the-wrong-secret-value", now, "the signature does not match"),
        ("test-bank", SECRET, now - 301, "seconds from the server's clock"),
        ("test-bank", SECRET, now + 301, "seconds from the server's clock"),
        ("no-such-bank", SECRET, now, "unknown bank"),
        ("closed-bank", SECRET, now, "unknown bank"),
    ];
    for (bank, secret, at, words) in cases {
        let (status, answer) = send(&web, bank, secret, at, &body).await?;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{bank} {at}: {answer}");
        assert!(answer["message"].as_str().is_some_and(|m| m.contains(words)), "{answer}");
    }
    // A signature over another body does not carry over to this one.
    let timestamp = now.to_string();
    let req = Request::builder()
        .method("POST")
        .uri(PATH)
        .header("x-bank", "test-bank")
        .header("x-timestamp", &timestamp)
        .header("x-signature", sign(SECRET, "POST", PATH, &timestamp, b"{}"))
        .body(Body::from(body.clone()))?;
    assert_eq!(web.router().oneshot(req).await?.status(), StatusCode::UNAUTHORIZED);
    let unsigned = Request::builder().method("POST").uri(PATH).body(Body::from(body))?;
    assert_eq!(web.router().oneshot(unsigned).await?.status(), StatusCode::UNAUTHORIZED);
    let oversized = "x".repeat(9 * 1024);
    let (status, _) = send(&web, "test-bank", SECRET, now, &oversized).await?;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    Ok(())
}
