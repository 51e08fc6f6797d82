//! The bank API's bill payment and reversal through the router: a payment is taken once
//! with a sealed receipt whatever is repeated, at once or after a lost answer; amounts are
//! judged as of `tran_date`; bad requests get their codes and change nothing; a reversal
//! undoes a payment once.

mod web_support;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use jiff::{Span, Timestamp};
use mahasil_domain::bank::BankSecret;
use mahasil_domain::jurisdiction::Slug;
use mahasil_domain::time::local_date;
use mahasil_server::bank::auth::sign;
use mahasil_server::testing::{OFFICER, SUPERVISOR};
use mahasil_store::{Actor, BankRecord, ChallanRecord};
use serde_json::{Value, json};
use tower::ServiceExt;
use uuid::Uuid;
use web_support::{R, Web, issue_as};

const SECRET: &str = "test-bank-secret-0123";
const BANK: &str = "test-bank";

async fn with_bank(web: &Web) -> R {
    let bank = BankRecord { mnemonic: Slug::parse(BANK)?, name: BANK.into(), secret: BankSecret::parse(SECRET)?, active: true, created_at: Timestamp::now() };
    web.state.store.create_bank(&bank, &Actor::system()).await?;
    Ok(())
}

async fn post_signed(web: &Web, path: &str, secret: &str, at: i64, body: &str) -> R<(StatusCode, Value)> {
    let timestamp = at.to_string();
    let req = Request::builder()
        .method("POST")
        .uri(path)
        .header("content-type", "application/json")
        .header("x-bank", BANK)
        .header("x-timestamp", &timestamp)
        .header("x-signature", sign(secret, "POST", path, &timestamp, body.as_bytes()))
        .body(Body::from(body.to_string()))?;
    let resp = web.router().oneshot(req).await?;
    let status = resp.status();
    let bytes = resp.into_body().collect().await?.to_bytes();
    Ok((status, serde_json::from_slice(&bytes)?))
}

fn today() -> String {
    local_date(Timestamp::now()).strftime("%Y%m%d").to_string()
}

fn payment_body(c: &ChallanRecord, tran_auth_id: &str, amount: i64, tran_date: &str) -> String {
    json!({ "consumer_number": c.challan_no.digits(), "tran_auth_id": tran_auth_id, "transaction_amount": amount,
            "tran_date": tran_date, "tran_time": "101500", "bank_mnemonic": BANK })
    .to_string()
}

async fn call(web: &Web, path: &str, body: &str) -> R<Value> {
    let (status, answer) = post_signed(web, path, SECRET, Timestamp::now().as_second(), body).await?;
    assert_eq!(status, StatusCode::OK, "{answer}");
    Ok(answer)
}

async fn pay(web: &Web, body: &str) -> R<Value> {
    call(web, "/bank/v1/bill-payment", body).await
}

async fn inquire(web: &Web, c: &ChallanRecord) -> R<Value> {
    call(web, "/bank/v1/bill-inquiry", &json!({ "consumer_number": c.challan_no.digits(), "bank_mnemonic": BANK }).to_string()).await
}

async fn ledger_is_clean(web: &Web) -> R {
    let transfers: Vec<_> = web.state.store.transfers(0, 10_000).await?.into_iter().map(|s| s.transfer).collect();
    assert_eq!(mahasil_ledger::check(&transfers), vec![]);
    Ok(())
}

async fn standing_payments(web: &Web, c: &ChallanRecord) -> R<usize> {
    Ok(web.state.store.challan_payments(c.id).await?.iter().filter(|p| p.is_standing()).count())
}

#[tokio::test]
async fn a_payment_is_taken_once_and_its_receipt_verifies() -> R {
    let web = Web::new().await?;
    with_bank(&web).await?;
    let c = issue_as(&web, OFFICER, "DA-ENC-01", None, "17301-1234567-1", Timestamp::now()).await?;
    let body = payment_body(&c, "TX-1", 500_000, &today());
    let first = pay(&web, &body).await?;
    assert_eq!(first["response_code"], "00", "{first}");
    assert_eq!(first["identification_parameter"], c.challan_no.to_string());
    let receipt_no = first["receipt_no"].as_str().ok_or("receipt_no")?.to_string();
    assert_eq!(receipt_no.len(), 15);

    // The receipt's seal is a real one: the public check says so and names the challan.
    let url = first["receipt_url"].as_str().ok_or("receipt_url")?;
    let token = url.rsplit('/').next().ok_or("token")?;
    let (status, checked) = web.get_json(&format!("/api/v1/verify/{token}")).await?;
    assert_eq!(status, StatusCode::OK, "{checked}");
    assert_eq!(checked["outcome"], "valid", "{checked}");
    assert_eq!((checked["claims"]["type"].as_str(), checked["claims"]["cti"].as_str()), (Some("receipt"), Some(receipt_no.as_str())), "{checked}");
    assert_eq!(checked["claims"]["challan_no"], c.challan_no.digits());
    assert_eq!(checked["live_status"]["status"], "paid");

    let inquiry = inquire(&web, &c).await?;
    assert_eq!((inquiry["bill_status"].as_str(), inquiry["amount_paid"].as_i64(), inquiry["tran_auth_id"].as_str()), (Some("P"), Some(500_000), Some("TX-1")));
    assert_eq!(inquiry["date_paid"], today());

    // Sent again: the same answer. The same key with another amount: 03. Another key: 06.
    let again = pay(&web, &body).await?;
    assert_eq!((again["response_code"].as_str(), again["receipt_no"].as_str()), (Some("00"), Some(receipt_no.as_str())));
    assert_eq!(pay(&web, &payment_body(&c, "TX-1", 600_000, &today())).await?["response_code"], "03");
    assert_eq!(pay(&web, &payment_body(&c, "TX-2", 500_000, &today())).await?["response_code"], "06");
    assert_eq!(standing_payments(&web, &c).await?, 1);
    ledger_is_clean(&web).await
}

#[tokio::test]
async fn fifty_copies_at_once_make_one_payment() -> R {
    let web = std::sync::Arc::new(Web::new().await?);
    with_bank(&web).await?;
    let c = issue_as(&web, OFFICER, "DA-ENC-01", None, "17301-1234567-1", Timestamp::now()).await?;
    let body = payment_body(&c, "TX-50", 500_000, &today());
    let mut tasks = Vec::new();
    for _ in 0..50 {
        let (web, body) = (web.clone(), body.clone());
        tasks.push(tokio::spawn(async move { pay(&web, &body).await.map_err(|e| e.to_string()) }));
    }
    let mut receipts = std::collections::BTreeSet::new();
    for t in tasks {
        let answer = t.await??;
        assert_eq!(answer["response_code"], "00", "{answer}");
        receipts.insert(answer["receipt_no"].as_str().unwrap_or_default().to_string());
    }
    assert_eq!(receipts.len(), 1);
    assert_eq!(web.state.store.challan_payments(c.id).await?.len(), 1);
    ledger_is_clean(&web).await
}

#[tokio::test]
async fn an_answer_lost_after_the_commit_is_given_again_on_retry() -> R {
    let web = Web::new().await?;
    with_bank(&web).await?;
    let c = issue_as(&web, OFFICER, "DA-ENC-01", None, "17301-1234567-1", Timestamp::now()).await?;
    let body = payment_body(&c, "TX-LOST", 500_000, &today());
    // The request is handled and committed, but its answer never reaches the bank (the
    // connection drops): the handler's future is dropped once the store has committed.
    let handle = tokio::spawn({
        let router = web.router();
        let body = body.clone();
        async move {
            let timestamp = Timestamp::now().as_second().to_string();
            let req = Request::builder()
                .method("POST")
                .uri("/bank/v1/bill-payment")
                .header("content-type", "application/json")
                .header("x-bank", BANK)
                .header("x-timestamp", &timestamp)
                .header("x-signature", sign(SECRET, "POST", "/bank/v1/bill-payment", &timestamp, body.as_bytes()))
                .body(Body::from(body))
                .map_err(|e| e.to_string())?;
            router.oneshot(req).await.map(|_| ()).map_err(|e| e.to_string())
        }
    });
    for _ in 0..200 {
        if standing_payments(&web, &c).await? == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    handle.abort();
    assert_eq!(standing_payments(&web, &c).await?, 1, "the first try committed");
    let retry = pay(&web, &body).await?;
    assert_eq!(retry["response_code"], "00");
    let stored = web.state.store.challan_payments(c.id).await?;
    assert_eq!((stored.len(), retry["receipt_no"].as_str()), (1, Some(stored[0].receipt_no.digits().as_str())));
    Ok(())
}

#[tokio::test]
async fn the_amount_due_is_judged_as_of_tran_date() -> R {
    let web = Web::new().await?;
    with_bank(&web).await?;
    // Issued 20 days ago: due after 14 days, so today it owes the amount after due.
    let issued = Timestamp::now().checked_sub(Span::new().hours(24 * 20))?;
    let c = issue_as(&web, OFFICER, "DA-ENC-01", None, "17301-1234567-1", issued).await?;
    let c = web.state.store.challan_by_no(c.challan_no).await?.ok_or("stored")?;
    assert_eq!(pay(&web, &payment_body(&c, "TX-L1", 500_000, &today())).await?["response_code"], "04");
    // Paid on its due date at the bank, reported today: the amount within due date.
    let due_day = c.due_date.strftime("%Y%m%d").to_string();
    if c.due_date < local_date(Timestamp::now()) {
        assert_eq!(pay(&web, &payment_body(&c, "TX-L2", 600_000, &due_day)).await?["response_code"], "04");
    }
    let late = pay(&web, &payment_body(&c, "TX-L3", 600_000, &today())).await?;
    assert_eq!(late["response_code"], "00", "{late}");
    let p = web.state.store.challan_payments(c.id).await?;
    assert_eq!((p.len(), p[0].surcharge_paisa), (1, 100_000));
    ledger_is_clean(&web).await
}

#[tokio::test]
async fn bad_requests_get_their_codes_and_change_nothing() -> R {
    let web = Web::new().await?;
    with_bank(&web).await?;
    let c = issue_as(&web, OFFICER, "DA-ENC-01", None, "17301-1234567-1", Timestamp::now()).await?;
    let unknown = mahasil_domain::challan_no::ChallanNo::new(c.issuer_no, c.challan_no.counter() + 100)?;
    let unknown_body = json!({ "consumer_number": unknown.digits(), "tran_auth_id": "U1", "transaction_amount": 500_000, "tran_date": today(), "tran_time": "101500", "bank_mnemonic": BANK });
    assert_eq!(pay(&web, &unknown_body.to_string()).await?["response_code"], "01");
    let tomorrow = local_date(Timestamp::now()).checked_add(Span::new().days(1))?.strftime("%Y%m%d").to_string();
    for (body, why) in [
        (payment_body(&c, "B1", 400_000, &today()), "wrong amount"),
        (payment_body(&c, "B2", 500_000, "20260231"), "no such day"),
        (payment_body(&c, "B3", 500_000, "2026-01-01"), "wrong date format"),
        (payment_body(&c, "B4", 500_000, &tomorrow), "future day"),
        (payment_body(&c, "", 500_000, &today()), "empty tran_auth_id"),
        (payment_body(&c, "B5", -5, &today()), "negative amount"),
        (payment_body(&c, "B6", 500_000, &today()).replace("101500", "256000"), "no such time"),
        (payment_body(&c, "B7", 500_000, &today()).replace(&format!("\"{BANK}\""), "\"other-bank\""), "another bank's mnemonic"),
        (payment_body(&c, "B8", 500_000, &today()).replace("500000", "\"500000\""), "amount as text"),
        ("{not json".to_string(), "malformed JSON"),
        (json!({ "consumer_number": c.challan_no.digits() }).to_string(), "missing fields"),
    ] {
        let answer = pay(&web, &body).await?;
        assert_eq!(answer["response_code"], "04", "{why}: {answer}");
        assert!(!answer["message"].as_str().unwrap_or_default().is_empty(), "{why}: a message names the problem");
    }
    // Unsigned, stale and mis-signed requests never reach the payment.
    let body = payment_body(&c, "S1", 500_000, &today());
    let stale = Timestamp::now().as_second() - 600;
    assert_eq!(post_signed(&web, "/bank/v1/bill-payment", SECRET, stale, &body).await?.0, StatusCode::UNAUTHORIZED);
    assert_eq!(post_signed(&web, "/bank/v1/bill-payment", "another-secret-0123", Timestamp::now().as_second(), &body).await?.0, StatusCode::UNAUTHORIZED);
    assert_eq!(web.state.store.challan_payments(c.id).await?.len(), 0);
    assert_eq!(web.state.store.transfers(0, 100).await?.len(), 1, "only the challan's own posting");

    // A cancelled challan is blocked.
    let d = issue_as(&web, OFFICER, "DA-ENC-01", None, "17301-1234567-1", Timestamp::now()).await?;
    let officer = mahasil_server::auth::session::principal_of(&web.state.store.user_by_username(OFFICER).await?.ok_or("officer")?);
    let supervisor = mahasil_server::auth::session::principal_of(&web.state.store.user_by_username(SUPERVISOR).await?.ok_or("supervisor")?);
    let r = web.state.store.request_cancellation(d.challan_no, "wrong person", &officer, Uuid::now_v7(), Timestamp::now()).await?;
    web.state.store.decide_cancellation(r.id, true, "", &supervisor, Timestamp::now()).await?;
    assert_eq!(pay(&web, &payment_body(&d, "C1", 500_000, &today())).await?["response_code"], "02");
    ledger_is_clean(&web).await
}

#[tokio::test]
async fn a_reversal_undoes_a_payment_once() -> R {
    let web = Web::new().await?;
    with_bank(&web).await?;
    let c = issue_as(&web, OFFICER, "DA-ENC-01", None, "17301-1234567-1", Timestamp::now()).await?;
    let body = payment_body(&c, "TX-R", 500_000, &today());
    assert_eq!(pay(&web, &body).await?["response_code"], "00");
    let reversed = call(&web, "/bank/v1/reversal", &body).await?;
    assert_eq!(reversed["response_code"], "00", "{reversed}");
    assert_eq!(inquire(&web, &c).await?["bill_status"], "U");
    assert_eq!(call(&web, "/bank/v1/reversal", &body).await?["response_code"], "00", "the same reversal again");
    assert_eq!(call(&web, "/bank/v1/reversal", &body.replace("101500", "101501")).await?["response_code"], "03", "another reversal of the same payment");
    assert_eq!(call(&web, "/bank/v1/reversal", &payment_body(&c, "TX-NONE", 500_000, &today())).await?["response_code"], "01");
    assert_eq!(call(&web, "/bank/v1/reversal", &payment_body(&c, "TX-R", 400_000, &today())).await?["response_code"], "04");
    // Paid again with a new transaction, the challan is paid.
    assert_eq!(pay(&web, &payment_body(&c, "TX-R2", 500_000, &today())).await?["response_code"], "00");
    assert_eq!(inquire(&web, &c).await?["bill_status"], "P");
    ledger_is_clean(&web).await
}
