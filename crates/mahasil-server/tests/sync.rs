//! Field devices through the router (docs/SYNC.md): enrolment, signed pull and push, and
//! what the server refuses — forged, replayed and stale requests, tampered ops and seals,
//! amounts that the schedule does not give, a cloned device's second challan, and ops of a
//! revoked device signed after its compromise. Devices are `mahasil_sync::device`, the
//! same code the Rust client uses.

mod web_support;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use jiff::{SignedDuration, Timestamp};
use mahasil_domain::challan::{Location, Offender};
use mahasil_domain::challan_no::IssuerNo;
use mahasil_domain::head::{FeeSchedule, HeadCode};
use mahasil_domain::identity::{Cnic, Mobile, Text, VehicleNo};
use mahasil_domain::jurisdiction::Slug;
use mahasil_seal::SigningKey;
use mahasil_server::testing::{ADMIN, OFFICER, PASSWORD};
use mahasil_sync::challan::Reference;
use mahasil_sync::device::{self, Chain, Draft, IssuedOffline};
use mahasil_sync::signing::{HEADER_DEVICE, HEADER_NONCE, HEADER_SIGNATURE, HEADER_TIMESTAMP, SignedHeaders, b64u, enrol_proof_message};
use mahasil_sync::wire::{Op, PullAnswer, PushAnswer};
use serde_json::{Value, json};
use tower::ServiceExt;
use uuid::Uuid;
use web_support::{R, Web};

/// A device as the tests drive it: its key, identity, chain and the reference it pulled.
struct Phone {
    key: SigningKey,
    pkcs8: Vec<u8>,
    id: Uuid,
    issuer: IssuerNo,
    chain: Chain,
    schedules: Vec<FeeSchedule>,
}

impl Phone {
    fn copy(&self) -> R<Self> {
        Ok(Self {
            key: SigningKey::from_pkcs8(&self.pkcs8)?,
            pkcs8: self.pkcs8.clone(),
            id: self.id,
            issuer: self.issuer,
            chain: self.chain,
            schedules: self.schedules.clone(),
        })
    }

    /// Issues a challan offline, at `at` by the device's clock.
    fn issue(&mut self, vehicle: &str, at: Timestamp) -> R<IssuedOffline> {
        let draft = Draft {
            id: Uuid::now_v7(),
            head_code: HeadCode::parse("DA-ENC-01")?,
            requested_amount: None,
            district: Slug::parse("peshawar")?,
            officer: OFFICER.into(),
            offender: Offender {
                name: Text::parse("Gul Khan")?,
                cnic: Cnic::parse("17301-1234567-1")?,
                mobile: Mobile::parse("0300-1234567")?,
                email: None,
                vehicle_no: Some(VehicleNo::parse(vehicle)?),
                business_name: None,
                address: None,
                language: None,
            },
            location: Location::new(34.0, 71.5, Text::parse("Saddar Road")?)?,
            issued_at: at,
        };
        let issued = device::issue(&self.key, self.issuer, self.chain, &self.schedules, &draft, Uuid::now_v7())?;
        self.chain = issued.chain;
        Ok(issued)
    }
}

async fn exchange(web: &Web, req: Request<Body>) -> R<(StatusCode, Value)> {
    let resp = web.router().oneshot(req).await?;
    let status = resp.status();
    let bytes = resp.into_body().collect().await?.to_bytes();
    let value =
        if bytes.is_empty() { Value::Null } else { serde_json::from_slice(&bytes).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into())) };
    Ok((status, value))
}

async fn api(web: &Web, method: Method, uri: &str, token: Option<&str>, body: Option<Value>) -> R<(StatusCode, Value)> {
    let mut req = Request::builder().method(method).uri(uri);
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let req = match body {
        Some(b) => req.header(header::CONTENT_TYPE, "application/json").body(Body::from(b.to_string()))?,
        None => req.body(Body::empty())?,
    };
    exchange(web, req).await
}

async fn login(web: &Web, username: &str) -> R<String> {
    let (status, body) = api(web, Method::POST, "/api/v1/auth/login", None, Some(json!({"username": username, "password": PASSWORD}))).await?;
    assert_eq!(status, StatusCode::OK, "{body}");
    Ok(body["token"].as_str().ok_or("no token")?.to_string())
}

fn nonce() -> [u8; 16] {
    rand::random()
}

/// A request signed by `phone` at `at` (by the server's clock as the phone estimates it).
fn signed(phone: &Phone, method: &str, uri: &str, body: &[u8], at: Timestamp, nonce: [u8; 16]) -> R<Request<Body>> {
    let h = SignedHeaders::sign(&phone.key, phone.id, method, uri, at.as_second(), &nonce, body)?;
    Ok(Request::builder()
        .method(method)
        .uri(uri)
        .header(header::CONTENT_TYPE, "application/json")
        .header(HEADER_DEVICE, h.device.to_string())
        .header(HEADER_TIMESTAMP, h.timestamp_s.to_string())
        .header(HEADER_NONCE, h.nonce)
        .header(HEADER_SIGNATURE, h.signature)
        .body(Body::from(body.to_vec()))?)
}

async fn enrol(web: &Web, token: &str) -> R<Phone> {
    let pkcs8 = SigningKey::generate_pkcs8()?;
    let key = SigningKey::from_pkcs8(&pkcs8)?;
    let public = hex::encode(key.public_key().sec1());
    let proof = b64u(&key.sign_bytes(&enrol_proof_message(OFFICER, &public))?);
    let (status, body) =
        api(web, Method::POST, "/api/v1/devices", Some(token), Some(json!({"public_key": public, "label": "Test phone", "proof": proof}))).await?;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let id: Uuid = body["device_id"].as_str().ok_or("device_id")?.parse()?;
    let issuer = IssuerNo::new(u32::try_from(body["issuer_no"].as_u64().ok_or("issuer_no")?)?)?;
    let mut phone = Phone { key, pkcs8, id, issuer, chain: Chain::default(), schedules: Vec::new() };
    let pulled = pull(web, &phone, None).await?;
    let reference: Reference = pulled.reference.ok_or("the first pull carries the reference data")?;
    phone.schedules = reference.heads.into_iter().flat_map(|h| h.schedules).collect();
    Ok(phone)
}

async fn pull(web: &Web, phone: &Phone, since: Option<&str>) -> R<PullAnswer> {
    let uri = since.map_or_else(|| "/api/v1/sync/pull".to_string(), |c| format!("/api/v1/sync/pull?since={c}"));
    let (status, body) = exchange(web, signed(phone, "GET", &uri, b"", Timestamp::now(), nonce())?).await?;
    assert_eq!(status, StatusCode::OK, "{body}");
    Ok(serde_json::from_value(body)?)
}

fn push_body(phone: &Phone, ops: &[&Op]) -> R<Vec<u8>> {
    Ok(serde_json::to_vec(&json!({"issuer_no": phone.issuer.get(), "ops": ops}))?)
}

async fn push(web: &Web, phone: &Phone, ops: &[&Op]) -> R<PushAnswer> {
    let body = push_body(phone, ops)?;
    let (status, answer) = exchange(web, signed(phone, "POST", "/api/v1/sync/push", &body, Timestamp::now(), nonce())?).await?;
    assert_eq!(status, StatusCode::OK, "{answer}");
    Ok(serde_json::from_value(answer)?)
}

fn statuses(answer: &PushAnswer) -> Vec<String> {
    answer.results.iter().map(|r| format!("{:?}", r.status).to_lowercase()).collect()
}

#[tokio::test]
async fn an_enrolled_device_pushes_each_challan_once_and_its_seals_verify() -> R {
    let web = Web::new().await?;
    let token = login(&web, OFFICER).await?;
    let mut phone = enrol(&web, &token).await?;
    assert!(phone.issuer.get() >= 500_001, "device issuer numbers start at 500001: {}", phone.issuer);

    // The trust list served to everyone now names the device key for challans.
    let (_, bundle) = api(&web, Method::GET, "/api/v1/trust-list", None, None).await?;
    let bundle: mahasil_sync::wire::TrustBundle = serde_json::from_value(bundle)?;
    let (trust, _) = bundle.open(None)?;
    assert!(trust.keys().iter().any(|k| k.kid() == phone.key.kid() && k.issuer == phone.issuer), "the device key is in the trust list");

    let now = Timestamp::now();
    let issued: Vec<IssuedOffline> = (0..3).map(|i| phone.issue(&format!("PES-{i}"), now)).collect::<R<_>>()?;
    let ops: Vec<&Op> = issued.iter().map(|i| &i.op).collect();
    let before = web.state.store.count_challans().await?;
    let answer = push(&web, &phone, &ops).await?;
    assert_eq!(statuses(&answer), ["accepted"; 3]);
    assert_eq!(answer.last_counter_received, 3);
    assert!(answer.gaps.is_empty());
    assert_eq!(web.state.store.count_challans().await?, before + 3);

    // The same ops again (a lost reply): duplicates with the same numbers, nothing new.
    let again = push(&web, &phone, &ops).await?;
    assert_eq!(statuses(&again), ["duplicate"; 3]);
    for (first, second) in answer.results.iter().zip(&again.results) {
        assert_eq!(first.challan_no, second.challan_no);
    }
    assert_eq!(web.state.store.count_challans().await?, before + 3);

    // Each is a challan like any other, with the device's seal.
    for i in &issued {
        let stored = web.state.store.challan_by_no(i.challan_no).await?.ok_or("stored")?;
        assert_eq!(stored.seal.as_deref(), Some(i.seal.as_slice()));
        assert_eq!(stored.issuer_no, phone.issuer);
        let (status, body) = api(&web, Method::GET, &format!("/api/v1/challans/{}", i.challan_no.digits()), Some(&token), None).await?;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["status"], "issued");
        let check = mahasil_seal::verify(&i.seal, &web.state.seals.active().trust.list, None);
        assert!(check.is_valid(), "{check:?}");
    }

    // A second pull with the cursor: nothing changed, nothing sent.
    let first = pull(&web, &phone, None).await?;
    let second = pull(&web, &phone, Some(&first.cursor)).await?;
    assert!(second.reference.is_none() && second.trust_list.is_none() && second.revocations.is_none(), "{second:?}");
    assert_eq!(second.device.last_counter_received, 3);
    Ok(())
}

#[tokio::test]
async fn forged_replayed_and_stale_requests_are_refused_and_change_nothing() -> R {
    let web = Web::new().await?;
    let token = login(&web, OFFICER).await?;
    let mut phone = enrol(&web, &token).await?;
    let issued = phone.issue("LES-1", Timestamp::now())?;
    let body = push_body(&phone, &[&issued.op])?;
    let before = web.state.store.count_challans().await?;

    // Signed by another key.
    let mut thief = phone.copy()?;
    thief.key = SigningKey::from_pkcs8(&SigningKey::generate_pkcs8()?)?;
    let (status, answer) = exchange(&web, signed(&thief, "POST", "/api/v1/sync/push", &body, Timestamp::now(), nonce())?).await?;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{answer}");
    assert!(answer["message"].as_str().unwrap_or("").contains("signature"), "{answer}");

    // The body changed after signing.
    let mut req = signed(&phone, "POST", "/api/v1/sync/push", &body, Timestamp::now(), nonce())?;
    *req.body_mut() = Body::from(push_body(&phone, &[])?);
    assert_eq!(exchange(&web, req).await?.0, StatusCode::UNAUTHORIZED);

    // Ten minutes off the server's clock.
    let stale = Timestamp::now() - SignedDuration::from_mins(10);
    let (status, answer) = exchange(&web, signed(&phone, "POST", "/api/v1/sync/push", &body, stale, nonce())?).await?;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(answer["message"].as_str().unwrap_or("").contains("timestamp"), "{answer}");

    // Missing headers, an unknown device.
    let bare = Request::builder().method("POST").uri("/api/v1/sync/push").body(Body::from(body.clone()))?;
    assert_eq!(exchange(&web, bare).await?.0, StatusCode::UNAUTHORIZED);
    let mut stranger = phone.copy()?;
    stranger.id = Uuid::now_v7();
    assert_eq!(exchange(&web, signed(&stranger, "POST", "/api/v1/sync/push", &body, Timestamp::now(), nonce())?).await?.0, StatusCode::UNAUTHORIZED);
    assert_eq!(web.state.store.count_challans().await?, before, "nothing was stored by a refused request");

    // The genuine request once, then replayed with its nonce: refused.
    let once = nonce();
    let (status, _) = exchange(&web, signed(&phone, "POST", "/api/v1/sync/push", &body, Timestamp::now(), once)?).await?;
    assert_eq!(status, StatusCode::OK);
    let (status, answer) = exchange(&web, signed(&phone, "POST", "/api/v1/sync/push", &body, Timestamp::now(), once)?).await?;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(answer["message"].as_str().unwrap_or("").contains("nonce"), "{answer}");
    assert_eq!(web.state.store.count_challans().await?, before + 1);
    Ok(())
}

/// An op whose payload was changed and re-signed with the device key, so only the deeper
/// checks can catch it.
fn altered(phone: &Phone, op: &Op, change: impl FnOnce(&mut Value)) -> R<Op> {
    let mut payload: Value = serde_json::from_str(&op.payload)?;
    change(&mut payload);
    let text = payload.to_string();
    let sig = phone.key.sign_bytes(&mahasil_sync::signing::op_signed_bytes(op.op_id, &op.kind, &text))?;
    Ok(Op { op_id: op.op_id, kind: op.kind.clone(), payload: text, sig: b64u(&sig) })
}

#[tokio::test]
async fn tampered_ops_are_rejected_with_a_reason_and_never_stored() -> R {
    let web = Web::new().await?;
    let token = login(&web, OFFICER).await?;
    let mut phone = enrol(&web, &token).await?;
    let now = Timestamp::now();
    let base = (0..6).map(|i| phone.issue(&format!("KHI-{i}"), now)).collect::<R<Vec<_>>>()?;
    let bad_sig = Op { sig: base[0].op.sig.replace(|c: char| c.is_ascii_uppercase(), "A"), ..base[0].op.clone() };
    let cheaper = altered(&phone, &base[1].op, |p| {
        p["amount_paisa"] = json!(100);
        p["amount_after_due_paisa"] = json!(100);
    })?;
    let other_seal = altered(&phone, &base[2].op, |p| p["seal"] = json!(mahasil_sync::challan::seal_text(&base[3].seal)))?;
    let wrong_version = altered(&phone, &base[4].op, |p| p["schedule_version"] = json!(99))?;
    let unknown_kind = {
        let sig = phone.key.sign_bytes(&mahasil_sync::signing::op_signed_bytes(base[5].op.op_id, "challan.delete", &base[5].op.payload))?;
        Op { kind: "challan.delete".into(), sig: b64u(&sig), ..base[5].op.clone() }
    };
    let before = web.state.store.count_challans().await?;
    let answer = push(&web, &phone, &[&bad_sig, &cheaper, &other_seal, &wrong_version, &unknown_kind]).await?;
    assert_eq!(statuses(&answer), ["rejected"; 5]);
    let reasons: Vec<&str> = answer.results.iter().map(|r| r.reason.as_deref().unwrap_or("")).collect();
    assert!(reasons[0].contains("signature"), "{reasons:?}");
    assert!(reasons[1].contains("seal") || reasons[1].contains("amount"), "{reasons:?}");
    assert!(reasons[2].contains("seal"), "{reasons:?}");
    assert!(reasons[3].contains("schedule") || reasons[3].contains("seal"), "{reasons:?}");
    assert!(reasons[4].contains("kind"), "{reasons:?}");
    assert_eq!(web.state.store.count_challans().await?, before);

    // A rejected op sent again gets the same answer, and is still not stored.
    let again = push(&web, &phone, &[&cheaper]).await?;
    assert_eq!(statuses(&again), ["rejected"]);
    assert_eq!(again.results[0].reason, answer.results[1].reason);
    assert_eq!(web.state.store.count_challans().await?, before);
    Ok(())
}

#[tokio::test]
async fn a_cloned_device_is_caught_gaps_are_reported_and_odd_clocks_are_flagged() -> R {
    let web = Web::new().await?;
    let token = login(&web, OFFICER).await?;
    let admin = login(&web, ADMIN).await?;
    let mut phone = enrol(&web, &token).await?;
    let now = Timestamp::now();
    let first = phone.issue("ISB-1", now)?;
    // Restored from one backup onto two phones: both issue counter 2.
    let mut twin = phone.copy()?;
    let mine = phone.issue("ISB-2", now)?;
    let theirs = twin.issue("ISB-3", now)?;
    assert_eq!(mine.challan_no, theirs.challan_no);
    // Counters 3 and 4 never arrive; 5 comes from a clock three days ahead.
    phone.issue("ISB-4", now)?;
    phone.issue("ISB-5", now)?;
    let ahead = phone.issue("ISB-6", now + SignedDuration::from_hours(72))?;

    let answer = push(&web, &phone, &[&first.op, &mine.op, &ahead.op]).await?;
    assert_eq!(statuses(&answer), ["accepted"; 3]);
    assert_eq!(answer.gaps, vec![(3, 4)]);
    let clone_answer = push(&web, &twin, &[&theirs.op]).await?;
    assert_eq!(statuses(&clone_answer), ["rejected"]);
    assert!(clone_answer.results[0].reason.as_deref().unwrap_or("").contains("cloned"), "{clone_answer:?}");

    let (status, devices) = api(&web, Method::GET, "/api/v1/devices", Some(&admin), None).await?;
    assert_eq!(status, StatusCode::OK, "{devices}");
    let listed = devices.as_array().and_then(|all| all.iter().find(|d| d["id"] == phone.id.to_string())).ok_or("listed")?.clone();
    assert_eq!(listed["cloned"], true);
    assert_eq!(listed["missing_counters"], 2);
    let (_, detail) = api(&web, Method::GET, &format!("/api/v1/devices/{}", phone.id), Some(&admin), None).await?;
    let kinds: Vec<&str> = detail["flag_list"].as_array().ok_or("flags")?.iter().filter_map(|f| f["kind"].as_str()).collect();
    assert!(kinds.contains(&"cloned") && kinds.contains(&"clock_ahead"), "{detail}");
    // An officer may not see the device list.
    assert_eq!(api(&web, Method::GET, "/api/v1/devices", Some(&token), None).await?.0, StatusCode::FORBIDDEN);
    Ok(())
}

#[tokio::test]
async fn a_revoked_device_cannot_add_challans_signed_after_its_compromise() -> R {
    let web = Web::new().await?;
    let token = login(&web, OFFICER).await?;
    let admin = login(&web, ADMIN).await?;
    let mut phone = enrol(&web, &token).await?;
    let before_loss = phone.issue("MRD-1", Timestamp::now() - SignedDuration::from_mins(30))?;
    let lost_at = Timestamp::now() - SignedDuration::from_mins(10);
    let after_loss = phone.issue("MRD-2", Timestamp::now())?;

    let (status, body) = api(
        &web,
        Method::POST,
        &format!("/api/v1/devices/{}/revoke", phone.id),
        Some(&admin),
        Some(json!({"compromised_from": lost_at.to_string(), "reason": "phone lost"})),
    )
    .await?;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "revoked");
    let (status, _) = api(&web, Method::POST, &format!("/api/v1/devices/{}/revoke", phone.id), Some(&admin), Some(json!({"reason": "again"}))).await?;
    assert_eq!(status, StatusCode::CONFLICT);

    let answer = push(&web, &phone, &[&before_loss.op, &after_loss.op]).await?;
    assert_eq!(statuses(&answer), ["accepted", "rejected"]);
    assert!(answer.results[1].reason.as_deref().unwrap_or("").contains("revoked"), "{answer:?}");
    let pulled = pull(&web, &phone, None).await?;
    assert_eq!(pulled.device.status, "revoked");
    // Verifiers see the key compromised from the time the admin gave.
    let check = mahasil_seal::verify(&after_loss.seal, &web.state.seals.active().trust.list, None);
    assert_eq!(check.outcome, mahasil_seal::Outcome::Revoked);
    Ok(())
}

#[tokio::test]
async fn enrolment_needs_a_proof_from_the_key_and_a_key_enrols_once() -> R {
    let web = Web::new().await?;
    let token = login(&web, OFFICER).await?;
    let key = SigningKey::from_pkcs8(&SigningKey::generate_pkcs8()?)?;
    let public = hex::encode(key.public_key().sec1());
    let wrong_user = b64u(&key.sign_bytes(&enrol_proof_message("someone.else", &public))?);
    let (status, body) =
        api(&web, Method::POST, "/api/v1/devices", Some(&token), Some(json!({"public_key": public, "label": "x", "proof": wrong_user}))).await?;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, _) =
        api(&web, Method::POST, "/api/v1/devices", Some(&token), Some(json!({"public_key": "04abcd", "label": "x", "proof": wrong_user}))).await?;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = api(&web, Method::POST, "/api/v1/devices", None, Some(json!({"public_key": public, "label": "x", "proof": wrong_user}))).await?;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let proof = b64u(&key.sign_bytes(&enrol_proof_message(OFFICER, &public))?);
    let body = json!({"public_key": public, "label": "Phone", "proof": proof});
    assert_eq!(api(&web, Method::POST, "/api/v1/devices", Some(&token), Some(body.clone())).await?.0, StatusCode::CREATED);
    assert_eq!(api(&web, Method::POST, "/api/v1/devices", Some(&token), Some(body)).await?.0, StatusCode::CONFLICT);
    // Only officers enrol devices.
    let admin = login(&web, ADMIN).await?;
    let other = SigningKey::from_pkcs8(&SigningKey::generate_pkcs8()?)?;
    let other_public = hex::encode(other.public_key().sec1());
    let proof = b64u(&other.sign_bytes(&enrol_proof_message(ADMIN, &other_public))?);
    let (status, _) = api(&web, Method::POST, "/api/v1/devices", Some(&admin), Some(json!({"public_key": other_public, "label": "x", "proof": proof}))).await?;
    assert_eq!(status, StatusCode::FORBIDDEN);
    Ok(())
}

#[tokio::test]
async fn the_field_app_is_served_with_its_worker_and_manifest_but_not_its_tests() -> R {
    let web = Web::new().await?;
    for (path, kind) in [
        ("/field/", "text/html"),
        ("/field/sw.js", "text/javascript"),
        ("/field/manifest.webmanifest", "application/manifest+json"),
        ("/assets/field/app.js", "text/javascript"),
    ] {
        let req = Request::builder().uri(path).body(Body::empty())?;
        let resp = web.router().oneshot(req).await?;
        assert_eq!(resp.status(), StatusCode::OK, "{path}");
        let content_type = resp.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
        assert!(content_type.starts_with(kind), "{path}: {content_type}");
        let csp = resp.headers().get(header::CONTENT_SECURITY_POLICY).and_then(|v| v.to_str().ok()).unwrap_or("");
        assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe"), "{path}: {csp}");
    }
    let req = Request::builder().uri("/field").body(Body::empty())?;
    let resp = web.router().oneshot(req).await?;
    assert_eq!(resp.status(), StatusCode::PERMANENT_REDIRECT);
    assert_eq!(resp.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()), Some("/field/"));
    for path in ["/assets/field/issue.test.mjs", "/assets/field/icons/make-icons.py", "/assets/field/field-support.mjs", "/assets/field/nothing.js"] {
        let req = Request::builder().uri(path).body(Body::empty())?;
        assert_eq!(web.router().oneshot(req).await?.status(), StatusCode::NOT_FOUND, "{path}");
    }
    Ok(())
}

#[tokio::test]
async fn the_devices_page_lists_devices_with_their_flags_and_revokes_one() -> R {
    let web = Web::new().await?;
    let token = login(&web, OFFICER).await?;
    let mut phone = enrol(&web, &token).await?;
    let now = Timestamp::now();
    let first = phone.issue("SWT-1", now)?;
    phone.issue("SWT-2", now)?;
    let third = phone.issue("SWT-3", now)?;
    push(&web, &phone, &[&first.op, &third.op]).await?;

    // Officers do not see the page; the admin does, with the missing counter.
    let officer = web.sign_in(OFFICER).await?;
    assert_eq!(web.get("/admin/devices", &officer).await?.status, StatusCode::FORBIDDEN);
    let admin = web.sign_in(ADMIN).await?;
    let page = web.get("/admin/devices", &admin).await?;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains(&format!("data-device=\"{}\"", phone.id)), "{}", page.body);
    assert!(page.body.contains(&phone.issuer.to_string()));
    assert!(page.body.contains("data-status=\"active\""));
    assert!(page.body.contains("1: 2"), "the missing counter 2 is shown: {}", page.body);

    // Revoking needs the page's CSRF token and a reason; then the key is compromised.
    let path = format!("/admin/devices/{}/revoke", phone.id);
    let forged = web.send(Method::POST, &path, Some(&admin.cookie), Some(&[("reason", "lost")])).await?;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let blank = web.post(&path, &admin, &[("reason", "")]).await?;
    assert!(blank.status.is_client_error(), "{}", blank.status);
    assert!(web.state.store.device(phone.id).await?.ok_or("device")?.revoked_at.is_none());
    let done = web.post(&path, &admin, &[("reason", "phone lost in the bazaar"), ("compromised_from", "")]).await?;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(done.body.contains("data-status=\"revoked\""), "{}", done.body);
    let key = web.state.seals.active().trust.list.key(phone.key.kid()).ok_or("listed")?.status;
    assert!(matches!(key, mahasil_seal::KeyStatus::Compromised { .. }), "{key:?}");
    Ok(())
}
