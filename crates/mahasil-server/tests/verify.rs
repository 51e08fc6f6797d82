//! Seals over HTTP: the `seal_url` an issued challan answers with, `/api/v1/verify`, the
//! signed status statement, trust list and revocation list, the public check page
//! `/V/<TOKEN>` with its scripts and notice downloads, the staff notice downloads, and what
//! rotating or compromising a key does to seals already printed.

mod web_support;

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use http_body_util::BodyExt;
use jiff::{SignedDuration, Timestamp};
use mahasil_domain::challan::ChallanStatus;
use mahasil_domain::challan_no::ChallanNo;
use mahasil_domain::money::Paisa;
use mahasil_seal::token::token;
use mahasil_seal::{KeyStatus, Outcome, RevocationEntry, RevocationList, RevocationSet, SigningKey, StatusStatement, TrustList, Usage};
use mahasil_server::seals::TrustBundle;
use mahasil_server::testing::{OFFICER, OFFICER_MARDAN, PASSWORD, PUBLIC_BASE_URL, SUPERVISOR};
use mahasil_store::Actor;
use serde_json::{Value, json};
use tower::ServiceExt;
use web_support::{R, Web, issue_as};

/// The offender of every challan here: none of it may reach a seal or a public page.
const NAME: &str = "Gul Khan";
const CNIC: &str = "17301-1234567-1";
const MOBILE: &str = "0300-1234567";
const PLACE: &str = "Saddar Road";
/// How the offender's identifiers may be written anywhere.
const PERSONAL: [&str; 7] = [NAME, CNIC, "1730112345671", MOBILE, "+923001234567", "3001234567", PLACE];

/// One answer with its body as bytes.
struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: header::HeaderName) -> &str {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    fn json(&self) -> R<Value> {
        serde_json::from_slice(&self.body).map_err(|e| format!("not JSON ({e}): {}", self.text()).into())
    }
}

/// Who sends a request.
#[derive(Clone, Copy)]
enum As<'a> {
    Anyone,
    Bearer(&'a str),
    Cookie(&'a str),
}

async fn request(web: &Web, method: Method, uri: &str, who: As<'_>, body: Option<Value>) -> R<Reply> {
    let mut req = Request::builder().method(method).uri(uri);
    match who {
        As::Anyone => {}
        As::Bearer(token) => req = req.header(header::AUTHORIZATION, format!("Bearer {token}")),
        As::Cookie(cookie) => req = req.header(header::COOKIE, cookie),
    }
    let req = match body {
        Some(b) => req.header(header::CONTENT_TYPE, "application/json").body(Body::from(b.to_string()))?,
        None => req.body(Body::empty())?,
    };
    let resp = web.router().oneshot(req).await?;
    let (status, headers) = (resp.status(), resp.headers().clone());
    Ok(Reply { status, headers, body: resp.into_body().collect().await?.to_bytes().to_vec() })
}

async fn get(web: &Web, uri: &str) -> R<Reply> {
    request(web, Method::GET, uri, As::Anyone, None).await
}

async fn login(web: &Web, username: &str) -> R<String> {
    let reply = request(web, Method::POST, "/api/v1/auth/login", As::Anyone, Some(json!({"username": username, "password": PASSWORD}))).await?;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    Ok(reply.json()?["token"].as_str().ok_or("no token")?.to_string())
}

/// Issues a DA-ENC-01 challan (PKR 5,000, PKR 6,000 after 14 days) through the API.
async fn issue(web: &Web, officer: &str) -> R<Value> {
    let body = json!({
        "head_code": "DA-ENC-01", "district": "peshawar",
        "offender": {"name": NAME, "cnic": CNIC, "mobile": MOBILE, "vehicle_no": "pes 1234"},
        "location": {"lat": 34.0, "lon": 71.5, "text": PLACE}
    });
    let reply = request(web, Method::POST, "/api/v1/challans", As::Bearer(officer), Some(body)).await?;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
    reply.json()
}

fn field<'a>(value: &'a Value, name: &str) -> R<&'a str> {
    value[name].as_str().ok_or_else(|| format!("no {name} in {value}").into())
}

/// The officer asks for a cancellation through the API and the supervisor approves it.
async fn cancel(web: &Web, officer: &str, no: &str) -> R {
    let asked = request(
        web,
        Method::POST,
        &format!("/api/v1/challans/{no}/cancellation-requests"),
        As::Bearer(officer),
        Some(json!({"reason": "issued to the wrong shop"})),
    )
    .await?;
    assert_eq!(asked.status, StatusCode::CREATED, "{}", asked.text());
    let supervisor = login(web, SUPERVISOR).await?;
    let approve = format!("/api/v1/cancellation-requests/{}/approve", field(&asked.json()?, "id")?);
    let approved = request(web, Method::POST, &approve, As::Bearer(&supervisor), None).await?;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.text());
    Ok(())
}

/// The trust list as a verifier fetches it, opened with the authority key it comes with.
async fn trust_list(web: &Web) -> R<(TrustBundle, TrustList)> {
    let reply = get(web, "/api/v1/trust-list").await?;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let bundle: TrustBundle = serde_json::from_slice(&reply.body)?;
    let (list, _authority) = bundle.open(None)?;
    assert_eq!(list.version(), bundle.version);
    Ok((bundle, list))
}

/// The token of a `seal_url`, which must be the public base URL, upper-cased, then `/V/`.
fn token_of(seal_url: &str) -> R<String> {
    let prefix = format!("{}/V/", PUBLIC_BASE_URL.to_ascii_uppercase());
    Ok(seal_url.strip_prefix(&prefix).ok_or_else(|| format!("{seal_url} does not start with {prefix}"))?.to_string())
}

/// `GET /api/v1/verify/{token}`, which answers 200 whatever the outcome.
async fn verify(web: &Web, token: &str) -> R<Value> {
    let reply = get(web, &format!("/api/v1/verify/{token}")).await?;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    assert!(reply.header(header::CONTENT_TYPE).starts_with("application/json"));
    reply.json()
}

async fn revocations(web: &Web, since: &str) -> R<Value> {
    let reply = get(web, &format!("/api/v1/revocations?since={since}")).await?;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    reply.json()
}

/// The signed list in a `/api/v1/revocations` answer, verified with `trust`.
fn revocation_list(answer: &Value, trust: &TrustList) -> R<RevocationList> {
    let list = RevocationList::verify(&BASE64.decode(field(answer, "document")?)?, trust)?;
    assert_eq!(Some(list.version()), answer["version"].as_u64(), "{answer}");
    assert_eq!(Some(list.since_version()), answer["since_version"].as_u64(), "{answer}");
    assert_eq!(Some(list.entries().len() as u64), answer["entries"].as_u64(), "{answer}");
    Ok(list)
}

/// The seal's COSE bytes with the CWT payload replaced by `payload`, the original
/// protected header and signature kept: what a forger who edits a printed value makes.
fn with_payload(cose: &[u8], original: &[u8], payload: &[u8]) -> R<Vec<u8>> {
    fn byte_string_head(len: usize) -> R<Vec<u8>> {
        Ok(match len {
            0..=23 => vec![0x40 | u8::try_from(len)?],
            24..=255 => vec![0x58, u8::try_from(len)?],
            _ => [&[0x59][..], &u16::try_from(len)?.to_be_bytes()].concat(),
        })
    }
    let head = byte_string_head(original.len())?;
    let at = cose.windows(original.len()).position(|w| w == original).ok_or("the payload is not in the seal")?;
    let start = at.checked_sub(head.len()).filter(|&s| cose[s..at] == head[..]).ok_or("the payload is not a byte string")?;
    Ok([&cose[..start], &byte_string_head(payload.len())?, payload, &cose[at + original.len()..]].concat())
}

/// The width of a PNG, from its header chunk.
fn png_width(png: &[u8]) -> R<u32> {
    const SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];
    if png.len() < 24 || png[..8] != SIGNATURE || &png[12..16] != b"IHDR" {
        return Err("not a PNG".into());
    }
    Ok(u32::from_be_bytes([png[16], png[17], png[18], png[19]]))
}

fn assert_nothing_personal(what: &str, text: &str) {
    for personal in PERSONAL {
        assert!(!text.contains(personal), "{what} shows {personal:?}");
    }
}

#[tokio::test]
async fn an_issued_challan_answers_with_an_upper_case_seal_url_that_verifies() -> R {
    let web = Web::new().await?;
    let officer = login(&web, OFFICER).await?;
    let issued = issue(&web, &officer).await?;
    let url = field(&issued, "seal_url")?;
    token_of(url)?;
    assert_eq!(url, url.to_ascii_uppercase(), "the whole URL is upper case, so the QR code is alphanumeric");

    let (_, trust) = trust_list(&web).await?;
    let checked = mahasil_seal::verify_qr(url, &trust, None);
    assert_eq!(checked.outcome, Outcome::Valid, "{:?}", checked.error);
    let claims = checked.claims.ok_or("no claims")?;
    let no = field(&issued, "challan_no")?;
    assert_eq!(claims.number.to_string(), no);
    let kid = checked.kid.ok_or("no kid")?;
    assert_eq!(kid, web.state.seals.active().key(Usage::Challan).kid(), "sealed with the node's challan key");
    let key = trust.key(kid).ok_or("the signer is not in the trust list")?;
    assert_eq!((key.usage, key.issuer, key.status), (Usage::Challan, web.state.config.issuer, KeyStatus::Active));

    let read = request(&web, Method::GET, &format!("/api/v1/challans/{no}"), As::Bearer(&officer), None).await?;
    assert_eq!(read.status, StatusCode::OK, "{}", read.text());
    assert_eq!(read.json()?["seal_url"], url);
    Ok(())
}

#[tokio::test]
async fn verify_shows_the_signed_values_of_the_issued_challan_and_its_live_status() -> R {
    let web = Web::new().await?;
    let officer = login(&web, OFFICER).await?;
    let issued = issue(&web, &officer).await?;
    let token = token_of(field(&issued, "seal_url")?)?;
    let checked = verify(&web, &token).await?;
    assert_eq!(checked["outcome"], "valid", "{checked}");
    assert!(checked["reason"].is_null(), "{checked}");
    assert_eq!(checked["kid"], web.state.seals.active().key(Usage::Challan).kid().to_string());

    let claims = &checked["claims"];
    let no = ChallanNo::parse(field(&issued, "challan_no")?)?;
    let due = field(&issued, "due_date")?.parse::<jiff::civil::Date>()?;
    assert_eq!(claims["type"], "challan");
    assert_eq!(claims["cti"], no.digits());
    assert_eq!(claims["iss"], web.state.config.issuer.to_string());
    assert_eq!(claims["heads"], json!(["DA-ENC-01"]));
    assert_eq!(claims["amount_paisa"], issued["amount_paisa"]);
    assert_eq!(claims["amount_after_due_paisa"], issued["amount_after_due_paisa"]);
    assert_eq!((claims["amount_paisa"].as_i64(), claims["amount_after_due_paisa"].as_i64()), (Some(500_000), Some(600_000)));
    assert_eq!(claims["due_date_days"].as_i64(), Some(mahasil_domain::time::days_since_epoch(due)));
    assert_eq!(claims["district"], "peshawar");
    assert_eq!(claims["officer"], OFFICER);
    assert_eq!(claims["subject_id"], "PES-1234");
    assert_nothing_personal("the verification", &checked.to_string());

    assert_eq!(checked["live_status"], json!({"status": "issued", "overdue": false, "label": "unpaid"}));
    let lower = verify(&web, &token.to_ascii_lowercase()).await?;
    assert_eq!(lower["outcome"], "valid", "a token typed in lower case is the same token");
    Ok(())
}

#[tokio::test]
async fn an_altered_seal_is_an_invalid_signature() -> R {
    let web = Web::new().await?;
    let officer = login(&web, OFFICER).await?;
    let cose = mahasil_seal::parse_qr(field(&issue(&web, &officer).await?, "seal_url")?)?;
    let (_, trust) = trust_list(&web).await?;
    let claims = mahasil_seal::verify(&cose, &trust, None).claims.ok_or("no claims")?;

    // A forger lowers the fine to PKR 500, keeping the header and signature.
    let mut cheaper = claims.clone();
    cheaper.amount_paisa = Paisa::new(50_000)?;
    let forged = with_payload(&cose, &mahasil_seal::cwt::encode(&claims)?, &mahasil_seal::cwt::encode(&cheaper)?)?;
    // One bit of the amount's last byte: 500,000 (key 3, uint32 0x0007a120) becomes 500,001.
    let amount = [0x03, 0x1a, 0x00, 0x07, 0xa1, 0x20];
    let at = cose.windows(amount.len()).position(|w| w == amount).ok_or("the amount is not in the seal")?;
    let mut flipped = cose.clone();
    flipped[at + amount.len() - 1] ^= 0x01;
    let mut bad_signature = cose.clone();
    let last = bad_signature.len() - 1;
    bad_signature[last] ^= 0x01;

    for (what, bytes, shown_amount) in [("forged", &forged, 50_000), ("flipped", &flipped, 500_001), ("signature", &bad_signature, 500_000)] {
        let checked = verify(&web, &token(bytes)).await?;
        assert_eq!(checked["outcome"], "invalid-signature", "{what}: {checked}");
        assert_eq!(checked["claims"]["amount_paisa"], shown_amount, "{what}: what it claims is shown, marked untrusted");
        assert!(checked["live_status"].is_null(), "{what}: no live status for a seal that did not verify");
    }

    let page = get(&web, &format!("/V/{}", token(&forged))).await?;
    assert_eq!(page.status, StatusCode::OK);
    let body = page.text();
    assert!(body.contains("data-outcome=\"invalid-signature\""), "{body}");
    assert!(body.contains("did NOT pass the check"), "{body}");
    assert!(!body.contains("/notice.pdf"), "nothing to download for a forged seal");
    assert_eq!(get(&web, &format!("/V/{}/notice.pdf", token(&forged))).await?.status, StatusCode::NOT_FOUND);
    Ok(())
}

#[tokio::test]
async fn damaged_or_garbage_tokens_are_malformed_and_never_a_server_error() -> R {
    let web = Web::new().await?;
    let officer = login(&web, OFFICER).await?;
    let token = token_of(field(&issue(&web, &officer).await?, "seal_url")?)?;
    let cases = [
        ("cut by one character", token[..token.len() - 1].to_string()),
        ("cut by eight characters", token[..token.len() - 8].to_string()),
        ("garbage", "NOT-A-SEAL!".to_string()),
        ("Base32 but not CBOR", "AAAAAAAA".to_string()),
        ("2,000 characters", "A".repeat(2_000)),
        ("3,000 characters", token.repeat(30)[..3_000].to_string()),
        ("a zero byte", "%00".to_string()),
        ("not ASCII", "%D9%85%DB%81%D8%B1".to_string()),
    ];
    for (what, bad) in cases {
        let checked = verify(&web, &bad).await?;
        assert_eq!(checked["outcome"], "malformed", "{what}: {checked}");
        assert!(checked["reason"].is_string() && checked["claims"].is_null() && checked["live_status"].is_null(), "{what}: {checked}");

        let page = get(&web, &format!("/V/{bad}")).await?;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{what}");
        assert!(page.header(header::CONTENT_TYPE).starts_with("text/html"), "{what}");
        assert!(page.text().contains("data-outcome=\"malformed\""), "{what}");
        assert_eq!(get(&web, &format!("/V/{bad}/notice.pdf")).await?.status, StatusCode::NOT_FOUND, "{what}");
    }
    // Bytes that are not UTF-8 cannot even be a path; a client error still.
    for uri in ["/api/v1/verify/%FF%FE", "/V/%FF%FE", "/V/%FF/notice.pdf"] {
        let status = get(&web, uri).await?.status;
        assert!(status.is_client_error(), "{uri}: {status}");
    }
    Ok(())
}

#[tokio::test]
async fn seals_of_strange_or_misused_keys_are_refused() -> R {
    let web = Web::new().await?;
    let officer = login(&web, OFFICER).await?;
    let cose = mahasil_seal::parse_qr(field(&issue(&web, &officer).await?, "seal_url")?)?;
    let (_, trust) = trust_list(&web).await?;
    let claims = mahasil_seal::verify(&cose, &trust, None).claims.ok_or("no claims")?;

    let stranger = SigningKey::from_pkcs8(&SigningKey::generate_pkcs8()?)?;
    let checked = verify(&web, &token(&stranger.sign(&claims)?)).await?;
    assert_eq!(checked["outcome"], "unknown-key", "{checked}");
    assert_eq!(checked["kid"], stranger.kid().to_string());

    let status_key = web.state.seals.active().key(Usage::Status).sign(&claims)?;
    let checked = verify(&web, &token(&status_key)).await?;
    assert_eq!(checked["outcome"], "key-not-valid-for-this-use", "the node's status key may not seal a challan: {checked}");

    // The node's own challan key over a number never stored: genuine, but nothing to show.
    let mut elsewhere = claims;
    elsewhere.number = ChallanNo::new(web.state.config.issuer, 99_999)?;
    let unstored = token(&web.state.seals.active().key(Usage::Challan).sign(&elsewhere)?);
    let checked = verify(&web, &unstored).await?;
    assert_eq!(checked["outcome"], "valid", "{checked}");
    assert!(checked["live_status"].is_null(), "{checked}");
    let page = get(&web, &format!("/V/{unstored}")).await?;
    assert!(page.text().contains("has not reached the server yet"), "{}", page.text());
    assert_eq!(get(&web, &format!("/V/{unstored}/notice.pdf")).await?.status, StatusCode::NOT_FOUND);
    Ok(())
}

#[tokio::test]
async fn a_cancelled_challan_is_revoked_online_offline_and_for_download() -> R {
    let web = Web::new().await?;
    let officer = login(&web, OFFICER).await?;
    let issued = issue(&web, &officer).await?;
    let standing = issue(&web, &officer).await?;
    let url = field(&issued, "seal_url")?;
    let token = token_of(url)?;
    assert_eq!(get(&web, &format!("/V/{token}/notice.pdf")).await?.status, StatusCode::OK, "downloadable before");
    cancel(&web, &officer, field(&issued, "challan_no")?).await?;

    let checked = verify(&web, &token).await?;
    assert_eq!(checked["outcome"], "revoked", "{checked}");
    assert_eq!(checked["live_status"]["status"], "cancelled", "{checked}");
    assert_eq!(checked["claims"]["amount_paisa"], 500_000);
    let page = get(&web, &format!("/V/{token}")).await?;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("data-outcome=\"revoked\""), "{}", page.text());
    assert!(!page.text().contains("/notice.pdf"), "no download links for a cancelled challan");
    for file in ["notice.pdf", "notice-58.png", "notice-80.png"] {
        assert_eq!(get(&web, &format!("/V/{token}/{file}")).await?.status, StatusCode::NOT_FOUND, "{file}");
    }
    assert_eq!(verify(&web, &token_of(field(&standing, "seal_url")?)?).await?["outcome"], "valid", "the other challan stands");

    // Offline: the signed revocation list names it, and a verifier holding it rejects the seal.
    let (_, trust) = trust_list(&web).await?;
    let full = revocations(&web, "0").await?;
    let list = revocation_list(&full, &trust)?;
    assert!(list.is_full());
    let mut set = RevocationSet::new();
    assert!(set.apply(list)?);
    let no = ChallanNo::parse(field(&issued, "challan_no")?)?;
    assert!(set.contains(no));
    assert!(!set.contains(ChallanNo::parse(field(&standing, "challan_no")?)?));
    assert_eq!(mahasil_seal::verify_qr(url, &trust, Some(&set)).outcome, Outcome::Revoked);
    Ok(())
}

#[tokio::test]
async fn revocation_lists_are_full_or_deltas_by_version() -> R {
    let web = Web::new().await?;
    let officer = login(&web, OFFICER).await?;
    let (_, trust) = trust_list(&web).await?;
    let empty = revocation_list(&revocations(&web, "0").await?, &trust)?;
    assert_eq!(empty.entries().len(), 0);
    let (first, second) = (issue(&web, &officer).await?, issue(&web, &officer).await?);
    let first_no = ChallanNo::parse(field(&first, "challan_no")?)?;
    let second_no = ChallanNo::parse(field(&second, "challan_no")?)?;

    cancel(&web, &officer, &first_no.to_string()).await?;
    let full = revocation_list(&revocations(&web, "0").await?, &trust)?;
    assert!(full.version() > empty.version());
    assert_eq!(full.entries(), [RevocationEntry::of(first_no)]);
    let mut held = RevocationSet::new();
    held.apply(empty)?;
    assert!(held.apply(revocation_list(&revocations(&web, &held.version().to_string()).await?, &trust)?)?);
    assert!(held.contains(first_no), "a verifier that held the empty list learns of the cancellation");

    cancel(&web, &officer, &second_no.to_string()).await?;
    let delta = revocation_list(&revocations(&web, &full.version().to_string()).await?, &trust)?;
    assert_eq!(delta.since_version(), full.version(), "a delta since the version held");
    assert!(delta.version() > full.version());
    assert_eq!(delta.entries(), [RevocationEntry::of(second_no)], "only what was revoked since");
    let mut set = RevocationSet::new();
    set.apply(full)?;
    set.apply(delta.clone())?;
    assert!(set.contains(first_no) && set.contains(second_no));

    let current = revocations(&web, &delta.version().to_string()).await?;
    assert_eq!(current["version"].as_u64(), Some(delta.version()));
    assert!(current["document"].is_null(), "nothing to apply at the newest version: {current}");

    // A caller claiming a version this server never had is given the full list to restart from.
    let far_ahead = revocations(&web, &u64::MAX.to_string()).await?;
    assert_eq!((far_ahead["version"].as_u64(), far_ahead["since_version"].as_u64()), (Some(delta.version()), Some(0)), "{far_ahead}");
    assert_eq!(revocation_list(&far_ahead, &trust)?.entries().len(), 2);

    for bad in ["abc", "-1", "1.5", "18446744073709551616", "0&colour=red"] {
        let reply = get(&web, &format!("/api/v1/revocations?since={bad}")).await?;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(reply.json()?["code"], "bad_request", "{bad}");
    }
    Ok(())
}

#[tokio::test]
async fn a_caller_at_the_first_version_has_nothing_to_apply() -> R {
    let web = Web::new().await?;
    let full = revocations(&web, "0").await?;
    assert_eq!(full["version"], 1, "{full}");
    let again = revocations(&web, "1").await?;
    assert!(again["document"].is_null(), "the caller holds version 1 already: {again}");
    Ok(())
}

#[tokio::test]
async fn a_caller_ahead_of_the_server_is_told_the_real_version() -> R {
    let web = Web::new().await?;
    let officer = login(&web, OFFICER).await?;
    cancel(&web, &officer, field(&issue(&web, &officer).await?, "challan_no")?).await?;
    let newest = revocations(&web, "0").await?["version"].as_u64().ok_or("no version")?;
    let ahead = revocations(&web, &(newest + 5).to_string()).await?;
    assert_eq!(ahead["version"].as_u64(), Some(newest), "the server's version, not the caller's claim: {ahead}");
    assert_eq!(ahead["since_version"], 0, "a full list to start again from: {ahead}");
    assert!(ahead["document"].is_string(), "{ahead}");
    Ok(())
}

/// The status `GET /api/v1/status/{as_typed}` signs for `no`, checked against its JSON.
async fn signed_status(web: &Web, trust: &TrustList, no: ChallanNo, as_typed: &str) -> R<ChallanStatus> {
    let reply = get(web, &format!("/api/v1/status/{as_typed}")).await?;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let answer = reply.json()?;
    let statement = StatusStatement::verify(&BASE64.decode(field(&answer, "statement")?)?, trust)?;
    assert_eq!(statement.challan_no, no);
    assert_eq!(statement.receipt_no, None);
    assert_eq!(answer["challan_no"], no.to_string());
    assert_eq!(answer["status"], statement.status.as_str(), "the JSON says what the signature says");
    assert_eq!(field(&answer, "as_of")?.parse::<Timestamp>()?.as_second(), statement.as_of_s);
    let age = Timestamp::now().as_second() - statement.as_of_s;
    assert!((0..60).contains(&age), "signed now, not {age} s ago");
    Ok(statement.status)
}

#[tokio::test]
async fn the_signed_status_follows_the_challan() -> R {
    let web = Web::new().await?;
    let officer = login(&web, OFFICER).await?;
    let no = ChallanNo::parse(field(&issue(&web, &officer).await?, "challan_no")?)?;
    let (_, trust) = trust_list(&web).await?;
    assert_eq!(signed_status(&web, &trust, no, &no.to_string()).await?, ChallanStatus::Issued);
    assert_eq!(signed_status(&web, &trust, no, &no.digits()).await?, ChallanStatus::Issued, "dashes are optional");
    cancel(&web, &officer, &no.to_string()).await?;
    assert_eq!(signed_status(&web, &trust, no, &no.to_string()).await?, ChallanStatus::Cancelled);
    Ok(())
}

#[tokio::test]
async fn status_of_an_unknown_or_malformed_number_is_a_json_error() -> R {
    let web = Web::new().await?;
    let unknown = ChallanNo::new(web.state.config.issuer, 77_777)?;
    let reply = get(&web, &format!("/api/v1/status/{unknown}")).await?;
    assert_eq!(reply.status, StatusCode::NOT_FOUND, "{}", reply.text());
    assert_eq!(reply.json()?["code"], "not_found");

    let digits = unknown.digits();
    let (body, check) = digits.split_at(14);
    let wrong_check = format!("{body}{}", (check.parse::<u8>()? + 1) % 10);
    for bad in ["12345", "abc", wrong_check.as_str(), "1234567890123456"] {
        let reply = get(&web, &format!("/api/v1/status/{bad}")).await?;
        assert!(matches!(reply.status, StatusCode::UNPROCESSABLE_ENTITY | StatusCode::BAD_REQUEST), "{bad}: {}", reply.status);
        let error = reply.json()?;
        assert!(error["code"].is_string() && error["message"].is_string(), "{bad}: {error}");
    }
    Ok(())
}

#[tokio::test]
async fn the_check_page_shows_the_signed_values_and_nothing_personal() -> R {
    let web = Web::new().await?;
    let officer = login(&web, OFFICER).await?;
    let issued = issue(&web, &officer).await?;
    let token = token_of(field(&issued, "seal_url")?)?;
    let page = get(&web, &format!("/V/{token}")).await?;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.header(header::CONTENT_TYPE).starts_with("text/html"));
    assert_eq!(page.header(header::CACHE_CONTROL), "no-store", "the live status changes");
    let csp = page.header(header::CONTENT_SECURITY_POLICY);
    for directive in ["script-src 'self'", "worker-src 'self'", "connect-src 'self'"] {
        assert!(csp.split(';').any(|d| d.trim() == directive), "{directive} missing from {csp}");
    }
    let body = page.text();
    for shown in [
        "data-outcome=\"valid\"",
        "اصلی مہر",
        "PKR 5,000",
        "PKR 6,000",
        field(&issued, "challan_no")?,
        field(&issued, "due_date")?,
        "PES-1234",
        OFFICER,
        "data-status=\"unpaid\"",
        "<script type=\"module\" src=\"/assets/verify/page.js\">",
    ] {
        assert!(body.contains(shown), "{shown:?} not on the page");
    }
    for file in ["notice.pdf", "notice-58.png", "notice-80.png"] {
        assert!(body.contains(&format!("href=\"/V/{token}/{file}\"")), "no link to {file}");
    }
    assert_nothing_personal("the check page", &body);
    // The policy allows no inline script or style: everything must come from files.
    assert_eq!(body.matches("<script").count(), body.matches("<script type=\"module\" src=\"/").count(), "an inline script");
    assert!(!body.contains(" style=\"") && !body.contains("<style"), "inline style");
    Ok(())
}

#[tokio::test]
async fn the_offline_verifier_and_every_module_it_needs_are_served() -> R {
    let web = Web::new().await?;
    let offline = get(&web, "/V/offline").await?;
    assert_eq!(offline.status, StatusCode::OK);
    assert!(offline.header(header::CONTENT_TYPE).starts_with("text/html"));
    assert!(offline.header(header::CONTENT_SECURITY_POLICY).contains("script-src 'self'"));
    let worker = get(&web, "/V/sw.js").await?;
    assert_eq!(worker.status, StatusCode::OK);
    assert!(worker.header(header::CONTENT_TYPE).starts_with("text/javascript"), "{}", worker.header(header::CONTENT_TYPE));
    assert_eq!(worker.header(header::CACHE_CONTROL), "no-cache", "a new worker must reach phones");

    // Every module reachable from the two pages' scripts, following their imports.
    let mut pending = vec!["/assets/verify/offline.js".to_string(), "/assets/verify/page.js".to_string()];
    assert!(offline.text().contains("src=\"/assets/verify/offline.js\""));
    let mut served = std::collections::BTreeSet::new();
    while let Some(path) = pending.pop() {
        if !served.insert(path.clone()) {
            continue;
        }
        let module = get(&web, &path).await?;
        assert_eq!(module.status, StatusCode::OK, "{path}");
        assert!(module.header(header::CONTENT_TYPE).starts_with("text/javascript"), "{path}: {}", module.header(header::CONTENT_TYPE));
        for import in module.text().split("from './").skip(1) {
            let file = import.split('\'').next().ok_or("unterminated import")?;
            pending.push(format!("/assets/verify/{file}"));
        }
    }
    for needed in ["seal.js", "cose.js", "cbor.js", "claims.js", "lists.js"] {
        assert!(served.contains(&format!("/assets/verify/{needed}")), "{needed} not imported: {served:?}");
    }

    // The worker installs only if everything it pre-caches is there.
    let source = worker.text();
    let precache = source.split("const PRECACHE = [").nth(1).and_then(|s| s.split("];").next()).ok_or("no PRECACHE in sw.js")?;
    let paths: Vec<&str> = precache.split('\'').skip(1).step_by(2).collect();
    assert!(paths.len() >= 7, "{paths:?}");
    for path in paths.into_iter().chain(["/V/offline"]) {
        assert_eq!(get(&web, path).await?.status, StatusCode::OK, "{path} is pre-cached but not served");
    }
    assert_eq!(get(&web, "/assets/verify/nope.js").await?.status, StatusCode::NOT_FOUND);
    Ok(())
}

#[tokio::test]
async fn public_notices_carry_the_same_seal() -> R {
    let web = Web::new().await?;
    let officer = login(&web, OFFICER).await?;
    let url = field(&issue(&web, &officer).await?, "seal_url")?.to_string();
    let token = token_of(&url)?;
    for (file, width) in [("notice-58.png", 384), ("notice-80.png", 576)] {
        let slip = get(&web, &format!("/V/{token}/{file}")).await?;
        assert_eq!(slip.status, StatusCode::OK, "{file}: {}", slip.text());
        assert_eq!(slip.header(header::CONTENT_TYPE), "image/png", "{file}");
        assert_eq!(png_width(&slip.body)?, width, "{file}");
        assert_eq!(mahasil_seal::scan::qr_text(&slip.body)?, url, "{file}: the printed QR code is the seal URL");
    }
    let pdf = get(&web, &format!("/V/{token}/notice.pdf")).await?;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(pdf.header(header::CONTENT_TYPE), "application/pdf");
    assert!(pdf.body.starts_with(b"%PDF"));
    for unknown in ["notice.docx", "notice-57.png", "..%2Fsw.js"] {
        assert_eq!(get(&web, &format!("/V/{token}/{unknown}")).await?.status, StatusCode::NOT_FOUND, "{unknown}");
    }
    Ok(())
}

#[tokio::test]
async fn staff_notices_need_a_session_within_scope() -> R {
    let web = Web::new().await?;
    let officer = login(&web, OFFICER).await?;
    let issued = issue(&web, &officer).await?;
    let no = field(&issued, "challan_no")?;
    let pdf = format!("/challans/{no}/print/notice.pdf");

    let session = web.sign_in(OFFICER).await?;
    let own = request(&web, Method::GET, &pdf, As::Cookie(&session.cookie), None).await?;
    assert_eq!(own.status, StatusCode::OK, "{}", own.text());
    assert_eq!(own.header(header::CONTENT_TYPE), "application/pdf");
    assert!(own.body.starts_with(b"%PDF"));
    let slip = request(&web, Method::GET, &format!("/challans/{no}/print/notice-58.png"), As::Cookie(&session.cookie), None).await?;
    assert_eq!(slip.status, StatusCode::OK);
    assert_eq!(mahasil_seal::scan::qr_text(&slip.body)?, field(&issued, "seal_url")?, "the staff copy carries the same seal");
    let unknown = request(&web, Method::GET, &format!("/challans/{no}/print/notice.txt"), As::Cookie(&session.cookie), None).await?;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);

    let mardan = web.sign_in(OFFICER_MARDAN).await?;
    let other = request(&web, Method::GET, &pdf, As::Cookie(&mardan.cookie), None).await?;
    assert_eq!(other.status, StatusCode::NOT_FOUND, "another district's challan is not found, as on its detail page");
    assert!(!other.body.starts_with(b"%PDF"));

    let anonymous = get(&web, &pdf).await?;
    let to_sign_in = anonymous.status.is_redirection() && anonymous.header(header::LOCATION).starts_with("/login");
    assert!(to_sign_in || anonymous.status == StatusCode::UNAUTHORIZED, "{} {}", anonymous.status, anonymous.header(header::LOCATION));
    assert!(!anonymous.body.starts_with(b"%PDF"));
    Ok(())
}

#[tokio::test]
async fn after_a_rotation_old_seals_stay_valid_and_new_ones_use_the_new_key() -> R {
    let web = Web::new().await?;
    let officer = login(&web, OFFICER).await?;
    let before = issue(&web, &officer).await?;
    let (old_bundle, _) = trust_list(&web).await?;
    let old_kid = web.state.seals.active().key(Usage::Challan).kid();

    web.state.seals.rotate(&[Usage::Challan], 60, &Actor::system(), Timestamp::now()).await?;
    let (new_bundle, trust) = trust_list(&web).await?;
    assert!(new_bundle.version > old_bundle.version, "{} then {}", old_bundle.version, new_bundle.version);
    assert_eq!(trust.key(old_kid).map(|k| k.status), Some(KeyStatus::Retired));

    let after = issue(&web, &officer).await?;
    let new_check = verify(&web, &token_of(field(&after, "seal_url")?)?).await?;
    assert_eq!(new_check["outcome"], "valid", "{new_check}");
    assert_ne!(new_check["kid"], old_kid.to_string(), "signed with the successor");
    let old_check = verify(&web, &token_of(field(&before, "seal_url")?)?).await?;
    assert_eq!(old_check["outcome"], "valid", "signed within the retired key's validity: {old_check}");
    assert_eq!(old_check["kid"], old_kid.to_string());
    assert_eq!(mahasil_seal::verify_qr(field(&before, "seal_url")?, &trust, None).outcome, Outcome::Valid, "offline too, with the new list");
    Ok(())
}

#[tokio::test]
async fn a_compromise_revokes_only_what_was_signed_after_it() -> R {
    let web = Web::new().await?;
    let officer = login(&web, OFFICER).await?;
    let kid = web.state.seals.active().key(Usage::Challan).kid();
    let now = Timestamp::now();
    let earlier = issue(&web, &officer).await?;
    let later = issue_as(&web, OFFICER, "DA-ENC-01", None, CNIC, now.checked_add(SignedDuration::from_secs(120))?).await?;
    let later_seal = later.seal.as_deref().ok_or("no seal")?;
    let (old_bundle, _) = trust_list(&web).await?;

    let at = now.checked_add(SignedDuration::from_secs(60))?;
    web.state.seals.compromise(kid, at, &Actor::system(), Timestamp::now()).await?;
    let (new_bundle, trust) = trust_list(&web).await?;
    assert!(new_bundle.version > old_bundle.version);
    assert_eq!(trust.key(kid).map(|k| k.status), Some(KeyStatus::Compromised { at_s: at.as_second() }));

    let checked = verify(&web, &token(later_seal)).await?;
    assert_eq!(checked["outcome"], "revoked", "signed after the compromise: {checked}");
    assert_eq!(checked["kid"], kid.to_string());
    assert!(get(&web, &format!("/V/{}", token(later_seal))).await?.text().contains("data-outcome=\"revoked\""));
    assert_eq!(get(&web, &format!("/V/{}/notice.pdf", token(later_seal))).await?.status, StatusCode::NOT_FOUND);
    let checked = verify(&web, &token_of(field(&earlier, "seal_url")?)?).await?;
    assert_eq!(checked["outcome"], "valid", "signed before the compromise by the same key: {checked}");
    assert_eq!(checked["kid"], kid.to_string());

    let next = verify(&web, &token_of(field(&issue(&web, &officer).await?, "seal_url")?)?).await?;
    assert_eq!(next["outcome"], "valid", "the node stopped signing with the compromised key: {next}");
    assert_ne!(next["kid"], kid.to_string());
    Ok(())
}

#[tokio::test]
async fn the_openapi_document_lists_the_verification_endpoints() -> R {
    let web = Web::new().await?;
    let doc = get(&web, "/api/openapi.json").await?.json()?;
    for path in ["/api/v1/verify/{token}", "/api/v1/status/{challan_no}", "/api/v1/trust-list", "/api/v1/revocations"] {
        assert!(doc["paths"][path]["get"].is_object(), "{path} missing from OpenAPI");
    }
    Ok(())
}
