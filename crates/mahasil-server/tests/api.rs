//! The JSON API through the router: sign-in, issuing, bad input, search, maker-checker
//! cancellation, contests and the operational endpoints.

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use jiff::Timestamp;
use mahasil_domain::authz::{Grant, Role};
use mahasil_domain::jurisdiction::Slug;
use mahasil_server::AppState;
use mahasil_server::testing::{self, ADMIN, AUDITOR, OFFICER, OFFICER_MARDAN, OFFICER2, PASSWORD, SUPERVISOR, SUPERVISOR_MARDAN};
use mahasil_store::{Actor, NewSession, NewUser, SessionKind};
use serde_json::{Value, json};
use tower::ServiceExt;
use uuid::Uuid;

type R<T = ()> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

struct App {
    state: AppState,
    router: Router,
    _dir: tempfile::TempDir,
}

async fn app() -> R<App> {
    let (state, dir) = testing::sqlite_app().await?;
    Ok(App { router: mahasil_server::router(state.clone()), state, _dir: dir })
}

impl App {
    async fn raw(&self, req: Request<Body>) -> R<(StatusCode, Value)> {
        let resp = self.router.clone().oneshot(req).await?;
        let status = resp.status();
        let bytes = resp.into_body().collect().await?.to_bytes();
        let value = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()))
        };
        Ok((status, value))
    }

    async fn call(&self, method: Method, uri: &str, token: Option<&str>, body: Option<Value>) -> R<(StatusCode, Value)> {
        let mut req = Request::builder().method(method).uri(uri);
        if let Some(t) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let req = match body {
            Some(b) => req.header(header::CONTENT_TYPE, "application/json").body(Body::from(b.to_string()))?,
            None => req.body(Body::empty())?,
        };
        self.raw(req).await
    }

    async fn login(&self, username: &str) -> R<String> {
        let (status, body) = self.call(Method::POST, "/api/v1/auth/login", None, Some(json!({"username": username, "password": PASSWORD}))).await?;
        assert_eq!(status, StatusCode::OK, "{body}");
        Ok(body["token"].as_str().ok_or("no token")?.to_string())
    }

    async fn count(&self) -> R<u64> {
        Ok(self.state.store.count_challans().await?)
    }

    async fn issue(&self, token: &str, body: Value) -> R<(StatusCode, Value)> {
        self.call(Method::POST, "/api/v1/challans", Some(token), Some(body)).await
    }
}

fn encroachment(cnic: &str) -> Value {
    json!({
        "head_code": "DA-ENC-01", "district": "peshawar",
        "offender": {"name": "Gul Khan", "cnic": cnic, "mobile": "0300-1234567", "vehicle_no": "pes 1234"},
        "location": {"lat": 34.0, "lon": 71.5, "text": "Saddar Road"}
    })
}

#[tokio::test]
async fn sign_in_and_out() -> R {
    let app = app().await?;
    let (status, body) = app.call(Method::POST, "/api/v1/auth/login", None, Some(json!({"username": OFFICER, "password": "wrong password!"}))).await?;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["code"], "unauthorized");
    let (status, _) = app.call(Method::POST, "/api/v1/auth/login", None, Some(json!({"username": "nobody", "password": PASSWORD}))).await?;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let token = app.login(OFFICER).await?;
    let (status, me) = app.call(Method::GET, "/api/v1/me", Some(&token), None).await?;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["username"], OFFICER);
    assert_eq!(me["grants"][0]["role"], "officer");

    let (status, _) = app.call(Method::POST, "/api/v1/auth/logout", Some(&token), None).await?;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = app.call(Method::GET, "/api/v1/me", Some(&token), None).await?;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(body["message"].as_str().unwrap_or("").contains("expired"));

    let (status, _) = app.call(Method::GET, "/api/v1/me", None, None).await?;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = app.call(Method::GET, "/api/v1/me", Some("made-up-token"), None).await?;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    Ok(())
}

#[tokio::test]
async fn expired_session_is_refused() -> R {
    let app = app().await?;
    let user = app.state.store.user_by_username(OFFICER).await?.ok_or("no officer")?;
    let token = "an-expired-token-for-the-test";
    let past = Timestamp::now().checked_sub(jiff::SignedDuration::from_secs(1))?;
    let session = NewSession {
        token_sha256: mahasil_server::auth::session::token_hash(token),
        user_id: user.id,
        username: user.username,
        kind: SessionKind::Api,
        csrf_token: String::new(),
        expires_at: past,
    };
    app.state.store.create_session(&session, Timestamp::now()).await?;
    let (status, body) = app.call(Method::GET, "/api/v1/me", Some(token), None).await?;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    Ok(())
}

#[tokio::test]
async fn issue_fixed_head_then_read_it() -> R {
    let app = app().await?;
    let token = app.login(OFFICER).await?;
    let (status, issued) = app.issue(&token, encroachment("17301-1234567-1")).await?;
    assert_eq!(status, StatusCode::CREATED, "{issued}");
    assert_eq!(issued["status"], "issued");
    assert_eq!(issued["amount_paisa"], 500_000);
    assert_eq!(issued["amount_after_due_paisa"], 600_000);
    let today = mahasil_domain::time::local_date(Timestamp::now());
    assert_eq!(issued["due_date"], today.checked_add(jiff::Span::new().days(14))?.to_string());
    let no = issued["challan_no"].as_str().ok_or("no number")?;
    let parsed = mahasil_domain::challan_no::ChallanNo::parse(no)?;
    assert_eq!(parsed.issuer(), app.state.config.issuer);
    assert_eq!(parsed.counter(), 1);

    let (status, got) = app.call(Method::GET, &format!("/api/v1/challans/{}", parsed.digits()), Some(&token), None).await?;
    assert_eq!(status, StatusCode::OK, "{got}");
    assert_eq!(got["challan_no"], no);
    assert_eq!(got["offender"]["cnic"], "17301-1234567-1");
    assert_eq!(got["offender"]["mobile"], "+923001234567");
    assert_eq!(got["offender"]["vehicle_no"], "PES-1234");
    assert_eq!(got["overdue"], false);
    assert_eq!(got["history"][0]["kind"], "issued");
    assert_eq!(got["history"][0]["actor"], OFFICER);

    let (status, second) = app.issue(&token, encroachment("17301-1234567-1")).await?;
    assert_eq!(status, StatusCode::CREATED);
    assert_ne!(second["challan_no"], issued["challan_no"]);
    Ok(())
}

#[tokio::test]
async fn range_head_amounts() -> R {
    let app = app().await?;
    let token = app.login(OFFICER).await?;
    let mut body = encroachment("17301-1234567-1");
    body["head_code"] = json!("PC-OVR-01");
    let (status, err) = app.issue(&token, body.clone()).await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(err["fields"]["amount_paisa"].is_string(), "{err}");
    body["amount_paisa"] = json!(99_999);
    let (status, err) = app.issue(&token, body.clone()).await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(err["message"].as_str().unwrap_or("").contains("outside the range"), "{err}");
    body["amount_paisa"] = json!(5_000_001);
    assert_eq!(app.issue(&token, body.clone()).await?.0, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count().await?, 0);
    body["amount_paisa"] = json!(250_000);
    let (status, ok) = app.issue(&token, body).await?;
    assert_eq!(status, StatusCode::CREATED, "{ok}");
    assert_eq!(ok["amount_after_due_paisa"], 275_000);
    Ok(())
}

#[tokio::test]
async fn bad_input_is_named_and_writes_nothing() -> R {
    let app = app().await?;
    let token = app.login(OFFICER).await?;
    let send = |body: &'static str, ctype: Option<&'static str>| {
        let mut req = Request::builder().method(Method::POST).uri("/api/v1/challans").header(header::AUTHORIZATION, format!("Bearer {token}"));
        if let Some(c) = ctype {
            req = req.header(header::CONTENT_TYPE, c);
        }
        req.body(Body::from(body))
    };
    let (status, err) = app.raw(send("{\"head_code\": ", Some("application/json"))?).await?;
    assert_eq!((status, err["code"].as_str()), (StatusCode::BAD_REQUEST, Some("bad_request")), "{err}");
    let (status, _) = app.raw(send("{}", None)?).await?;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);

    let mut wrong_type = encroachment("17301-1234567-1");
    wrong_type["amount_paisa"] = json!("five thousand");
    let (status, err) = app.issue(&token, wrong_type).await?;
    assert_eq!((status, err["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_json")), "{err}");

    let mut unknown_field = encroachment("17301-1234567-1");
    unknown_field["colour"] = json!("red");
    let (status, err) = app.issue(&token, unknown_field).await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(err["message"].as_str().unwrap_or("").contains("colour"), "{err}");

    let mut bad_ids = encroachment("12345");
    bad_ids["offender"]["mobile"] = json!("0423-5761234");
    bad_ids["offender"]["email"] = json!("not-an-email");
    bad_ids["offender"]["language"] = json!("fr");
    let (status, err) = app.issue(&token, bad_ids).await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["offender.cnic", "offender.mobile", "offender.email", "offender.language"] {
        assert!(err["fields"][field].is_string(), "{field} not named in {err}");
    }

    let mut unknown_head = encroachment("17301-1234567-1");
    unknown_head["head_code"] = json!("XX-NOPE-01");
    let (status, err) = app.issue(&token, unknown_head).await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(err["fields"]["head_code"].as_str().unwrap_or("").contains("unknown"), "{err}");

    let mut unknown_district = encroachment("17301-1234567-1");
    unknown_district["district"] = json!("atlantis");
    assert_eq!(app.issue(&token, unknown_district).await?.0, StatusCode::UNPROCESSABLE_ENTITY);

    let mut other_district = encroachment("17301-1234567-1");
    other_district["district"] = json!("mardan");
    let (status, err) = app.issue(&token, other_district).await?;
    assert_eq!(status, StatusCode::FORBIDDEN, "{err}");
    assert!(err["message"].as_str().unwrap_or("").contains("mardan"));

    let mut bad_location = encroachment("17301-1234567-1");
    bad_location["location"]["lat"] = json!(91.0);
    assert_eq!(app.issue(&token, bad_location).await?.0, StatusCode::UNPROCESSABLE_ENTITY);

    let huge = format!("{{\"head_code\": \"{}\"}}", "x".repeat(mahasil_server::MAX_BODY_BYTES + 1));
    let req = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/challans")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(huge))?;
    let (status, err) = app.raw(req).await?;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(err["code"], "too_large");

    let supervisor = app.login(SUPERVISOR).await?;
    let (status, _) = app.issue(&supervisor, encroachment("17301-1234567-1")).await?;
    assert_eq!(status, StatusCode::FORBIDDEN, "supervisors do not issue");

    assert_eq!(app.count().await?, 0, "no bad request may write");
    let audit = app.state.store.audit_entries(0, 10_000).await?;
    assert!(audit.iter().all(|e| e.action != "challan.issue"), "no challan audit entry either");
    Ok(())
}

#[tokio::test]
async fn reused_id_is_refused_once_stored() -> R {
    let app = app().await?;
    let token = app.login(OFFICER).await?;
    let mut body = encroachment("17301-1234567-1");
    body["id"] = json!(Uuid::now_v7());
    assert_eq!(app.issue(&token, body.clone()).await?.0, StatusCode::CREATED);
    let (status, err) = app.issue(&token, body).await?;
    assert_eq!(status, StatusCode::CONFLICT, "{err}");
    assert_eq!(app.count().await?, 1);
    Ok(())
}

#[tokio::test]
async fn search_filters_scope_and_pages() -> R {
    let app = app().await?;
    let officer = app.login(OFFICER).await?;
    for i in 0..7 {
        let (status, _) = app.issue(&officer, encroachment(&format!("17301-000000{i}-1"))).await?;
        assert_eq!(status, StatusCode::CREATED);
    }
    let mardan = app.login(OFFICER_MARDAN).await?;
    let mut m = encroachment("17301-0000000-1");
    m["district"] = json!("mardan");
    assert_eq!(app.issue(&mardan, m).await?.0, StatusCode::CREATED);

    let (status, page) = app.call(Method::GET, "/api/v1/challans?cnic=1730100000031", Some(&officer), None).await?;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(page["items"][0]["offender"]["cnic"], "17301-0000003-1");

    let mut seen = std::collections::BTreeSet::new();
    let mut uri = "/api/v1/challans?limit=3&district=peshawar".to_string();
    loop {
        let (status, page) = app.call(Method::GET, &uri, Some(&officer), None).await?;
        assert_eq!(status, StatusCode::OK, "{page}");
        for item in page["items"].as_array().ok_or("items")? {
            assert!(seen.insert(item["challan_no"].as_str().ok_or("no")?.to_string()), "duplicate across pages");
        }
        match page["next"].as_str() {
            Some(next) => uri = format!("/api/v1/challans?limit=3&district=peshawar&after={next}"),
            None => break,
        }
    }
    assert_eq!(seen.len(), 7);

    // The Peshawar officer's scope never shows Mardan's challan, even unfiltered.
    let (_, all) = app.call(Method::GET, "/api/v1/challans?limit=200", Some(&officer), None).await?;
    assert_eq!(all["items"].as_array().map(Vec::len), Some(7));
    let auditor = app.login(AUDITOR).await?;
    let (_, all) = app.call(Method::GET, "/api/v1/challans?limit=200", Some(&auditor), None).await?;
    assert_eq!(all["items"].as_array().map(Vec::len), Some(8));

    for (filter, n) in [("mobile=03001234567", 7), ("vehicle_no=PES-1234", 7), ("status=issued", 7), ("status=paid", 0), ("status=overdue", 0)] {
        let (status, page) = app.call(Method::GET, &format!("/api/v1/challans?{filter}&limit=200"), Some(&officer), None).await?;
        assert_eq!(status, StatusCode::OK, "{filter}: {page}");
        assert_eq!(page["items"].as_array().map(Vec::len), Some(n), "{filter}");
    }
    let today = mahasil_domain::time::local_date(Timestamp::now());
    let (_, page) = app.call(Method::GET, &format!("/api/v1/challans?from={today}&to={today}"), Some(&officer), None).await?;
    assert_eq!(page["items"].as_array().map(Vec::len), Some(7));

    for bad in ["limit=0", "limit=201", "status=lost", "cnic=123", "from=yesterday", "after=abc", "colour=red"] {
        let (status, err) = app.call(Method::GET, &format!("/api/v1/challans?{bad}"), Some(&officer), None).await?;
        assert!(status.is_client_error(), "{bad}: {status} {err}");
    }

    // A challan of another scope is simply not found.
    let mardan_no = app.call(Method::GET, "/api/v1/challans", Some(&mardan), None).await?.1["items"][0]["challan_no"].as_str().ok_or("none")?.to_string();
    let (status, _) = app.call(Method::GET, &format!("/api/v1/challans/{mardan_no}"), Some(&officer), None).await?;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, err) = app.call(Method::GET, "/api/v1/challans/100001-00000001-0", Some(&officer), None).await?;
    assert!(status == StatusCode::UNPROCESSABLE_ENTITY || status == StatusCode::NOT_FOUND, "{err}");
    Ok(())
}

#[tokio::test]
async fn cancellation_is_maker_checker() -> R {
    let app = app().await?;
    // A user who is both officer and supervisor in Peshawar: the one who could try to
    // approve their own request.
    let hash = mahasil_server::auth::password::hash(PASSWORD).map_err(|e| e.to_string())?;
    let peshawar = Some(Slug::parse("peshawar")?);
    let both = NewUser {
        id: Uuid::now_v7(),
        username: "both.peshawar".into(),
        display_name: "Both".into(),
        password_hash: hash,
        grants: vec![
            Grant { role: Role::Officer, district: peshawar.clone(), department: None },
            Grant { role: Role::Supervisor, district: peshawar, department: None },
        ],
    };
    app.state.store.create_user(&both, &Actor::system(), Timestamp::now()).await?;
    let both = app.login("both.peshawar").await?;
    let officer = app.login(OFFICER).await?;
    let officer2 = app.login(OFFICER2).await?;
    let supervisor = app.login(SUPERVISOR).await?;
    let supervisor_mardan = app.login(SUPERVISOR_MARDAN).await?;

    let (_, mine) = app.issue(&both, encroachment("17301-1234567-1")).await?;
    let my_no = mine["challan_no"].as_str().ok_or("no")?;
    let (status, req) =
        app.call(Method::POST, &format!("/api/v1/challans/{my_no}/cancellation-requests"), Some(&both), Some(json!({"reason": "wrong vehicle"}))).await?;
    assert_eq!(status, StatusCode::CREATED, "{req}");
    let id = req["id"].as_str().ok_or("no id")?;
    let (status, err) = app.call(Method::POST, &format!("/api/v1/cancellation-requests/{id}/approve"), Some(&both), None).await?;
    assert_eq!(status, StatusCode::FORBIDDEN, "{err}");
    assert!(err["message"].as_str().unwrap_or("").contains("own request"), "{err}");
    let (_, got) = app.call(Method::GET, &format!("/api/v1/challans/{my_no}"), Some(&both), None).await?;
    assert_eq!(got["status"], "issued", "a refused approval changes nothing");

    let (_, issued) = app.issue(&officer, encroachment("17301-1234567-1")).await?;
    let no = issued["challan_no"].as_str().ok_or("no")?;
    let path = format!("/api/v1/challans/{no}/cancellation-requests");
    let (status, _) = app.call(Method::POST, &path, Some(&officer2), Some(json!({"reason": "not mine"}))).await?;
    assert_eq!(status, StatusCode::FORBIDDEN, "officers request cancellation of their own challans only");
    let (status, err) = app.call(Method::POST, &path, Some(&officer), Some(json!({"reason": "  "}))).await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    let (status, req) = app.call(Method::POST, &path, Some(&officer), Some(json!({"reason": "issued to the wrong shop"}))).await?;
    assert_eq!(status, StatusCode::CREATED, "{req}");
    let (status, _) = app.call(Method::POST, &path, Some(&officer), Some(json!({"reason": "again"}))).await?;
    assert_eq!(status, StatusCode::CONFLICT, "one pending request per challan");
    let id = req["id"].as_str().ok_or("no id")?;

    let (status, queue) = app.call(Method::GET, "/api/v1/cancellation-requests", Some(&supervisor), None).await?;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(queue.as_array().map(Vec::len), Some(2));
    let (_, queue) = app.call(Method::GET, "/api/v1/cancellation-requests", Some(&supervisor_mardan), None).await?;
    assert_eq!(queue.as_array().map(Vec::len), Some(0));
    let (status, _) = app.call(Method::GET, "/api/v1/cancellation-requests", Some(&officer), None).await?;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let approve = format!("/api/v1/cancellation-requests/{id}/approve");
    let (status, _) = app.call(Method::POST, &approve, Some(&officer), None).await?;
    assert_eq!(status, StatusCode::FORBIDDEN, "officers do not decide");
    let (status, _) = app.call(Method::POST, &approve, Some(&supervisor_mardan), None).await?;
    assert_eq!(status, StatusCode::FORBIDDEN, "another district's supervisor does not decide");
    let (status, decided) = app.call(Method::POST, &approve, Some(&supervisor), Some(json!({"note": "checked the photo"}))).await?;
    assert_eq!(status, StatusCode::OK, "{decided}");
    assert_eq!(decided["state"], "approved");
    assert_eq!(decided["decided_by"], SUPERVISOR);
    let (status, _) = app.call(Method::POST, &approve, Some(&supervisor), None).await?;
    assert_eq!(status, StatusCode::CONFLICT, "decided once");
    let (_, got) = app.call(Method::GET, &format!("/api/v1/challans/{no}"), Some(&officer), None).await?;
    assert_eq!(got["status"], "cancelled");
    let kinds: Vec<&str> = got["history"].as_array().ok_or("history")?.iter().filter_map(|e| e["kind"].as_str()).collect();
    assert_eq!(kinds, ["issued", "cancellation_requested", "cancelled"]);
    let (status, _) = app.call(Method::POST, &path, Some(&officer), Some(json!({"reason": "again"}))).await?;
    assert_eq!(status, StatusCode::CONFLICT, "a cancelled challan cannot be cancelled again");

    let (status, _) = app.call(Method::POST, &format!("/api/v1/cancellation-requests/{}/approve", Uuid::now_v7()), Some(&supervisor), None).await?;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app.call(Method::POST, "/api/v1/cancellation-requests/not-a-uuid/approve", Some(&supervisor), None).await?;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // Reject leaves the challan standing.
    let (_, issued) = app.issue(&officer, encroachment("17301-1234567-1")).await?;
    let no = issued["challan_no"].as_str().ok_or("no")?;
    let (_, req) = app.call(Method::POST, &format!("/api/v1/challans/{no}/cancellation-requests"), Some(&officer), Some(json!({"reason": "r"}))).await?;
    let (status, decided) =
        app.call(Method::POST, &format!("/api/v1/cancellation-requests/{}/reject", req["id"].as_str().ok_or("id")?), Some(&supervisor), None).await?;
    assert_eq!((status, decided["state"].as_str()), (StatusCode::OK, Some("rejected")));
    let (_, got) = app.call(Method::GET, &format!("/api/v1/challans/{no}"), Some(&officer), None).await?;
    assert_eq!(got["status"], "issued");

    // A waiver is asked for the same way, with its kind; an unknown kind is named.
    let waive = format!("/api/v1/challans/{no}/cancellation-requests");
    let (status, err) = app.call(Method::POST, &waive, Some(&officer), Some(json!({"reason": "hardship", "kind": "forgive"}))).await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert!(err["fields"]["kind"].as_str().is_some_and(|m| m.contains("cancel or waive")), "{err}");
    let (status, req) = app.call(Method::POST, &waive, Some(&officer), Some(json!({"reason": "hardship", "kind": "waive"}))).await?;
    assert_eq!((status, req["kind"].as_str()), (StatusCode::CREATED, Some("waive")), "{req}");
    let (status, decided) =
        app.call(Method::POST, &format!("/api/v1/cancellation-requests/{}/approve", req["id"].as_str().ok_or("id")?), Some(&supervisor), None).await?;
    assert_eq!((status, decided["kind"].as_str(), decided["state"].as_str()), (StatusCode::OK, Some("waive"), Some("approved")));
    let (_, got) = app.call(Method::GET, &format!("/api/v1/challans/{no}"), Some(&officer), None).await?;
    assert_eq!(got["status"], "waived");

    assert_eq!(app.state.store.verify_audit().await?.first_bad, None);
    Ok(())
}

#[tokio::test]
async fn contests_are_upheld_or_quashed() -> R {
    let app = app().await?;
    let officer = app.login(OFFICER).await?;
    let supervisor = app.login(SUPERVISOR).await?;
    let (_, issued) = app.issue(&officer, encroachment("17301-1234567-1")).await?;
    let no = issued["challan_no"].as_str().ok_or("no")?;
    let (status, contest) = app
        .call(Method::POST, &format!("/api/v1/challans/{no}/contests"), Some(&officer), Some(json!({"grounds": "the stall was inside the shop line"})))
        .await?;
    assert_eq!(status, StatusCode::CREATED, "{contest}");
    let (status, _) = app.call(Method::POST, &format!("/api/v1/challans/{no}/contests"), Some(&officer), Some(json!({"grounds": "again"}))).await?;
    assert_eq!(status, StatusCode::CONFLICT);
    let (_, open) = app.call(Method::GET, "/api/v1/contests", Some(&supervisor), None).await?;
    assert_eq!(open.as_array().map(Vec::len), Some(1));
    let id = contest["id"].as_str().ok_or("id")?;
    let (status, _) = app.call(Method::POST, &format!("/api/v1/contests/{id}/uphold"), Some(&officer), None).await?;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, decided) =
        app.call(Method::POST, &format!("/api/v1/contests/{id}/uphold"), Some(&supervisor), Some(json!({"note": "photo shows the road"}))).await?;
    assert_eq!((status, decided["state"].as_str()), (StatusCode::OK, Some("upheld")), "{decided}");
    let (_, got) = app.call(Method::GET, &format!("/api/v1/challans/{no}"), Some(&officer), None).await?;
    assert_eq!(got["status"], "issued");

    let (_, contest) = app.call(Method::POST, &format!("/api/v1/challans/{no}/contests"), Some(&officer), Some(json!({"grounds": "new evidence"}))).await?;
    let (status, decided) = app.call(Method::POST, &format!("/api/v1/contests/{}/quash", contest["id"].as_str().ok_or("id")?), Some(&supervisor), None).await?;
    assert_eq!((status, decided["state"].as_str()), (StatusCode::OK, Some("quashed")));
    let (_, got) = app.call(Method::GET, &format!("/api/v1/challans/{no}"), Some(&officer), None).await?;
    assert_eq!(got["status"], "cancelled");
    let kinds: Vec<&str> = got["history"].as_array().ok_or("history")?.iter().filter_map(|e| e["kind"].as_str()).collect();
    assert_eq!(kinds, ["issued", "contested", "upheld", "contested", "quashed"]);
    Ok(())
}

#[tokio::test]
async fn reference_data_and_operations() -> R {
    let app = app().await?;
    let token = app.login(ADMIN).await?;
    let (status, heads) = app.call(Method::GET, "/api/v1/heads", Some(&token), None).await?;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(heads.as_array().map(Vec::len), Some(2));
    let (status, head) = app.call(Method::GET, "/api/v1/heads/DA-ENC-01", Some(&token), None).await?;
    assert_eq!(status, StatusCode::OK, "{head}");
    assert_eq!(head["schedules"][0]["amount_paisa"], 500_000);
    assert_eq!(head["schedules"][0]["after_due_paisa"], 600_000);
    assert_eq!(app.call(Method::GET, "/api/v1/heads/XX-NONE-01", Some(&token), None).await?.0, StatusCode::NOT_FOUND);
    let (_, places) = app.call(Method::GET, "/api/v1/jurisdictions", Some(&token), None).await?;
    assert!(places.as_array().ok_or("list")?.iter().any(|j| j["slug"] == "peshawar" && j["level"] == "district"));

    let (status, doc) = app.call(Method::GET, "/api/openapi.json", None, None).await?;
    assert_eq!(status, StatusCode::OK);
    assert!(doc["openapi"].as_str().unwrap_or("").starts_with("3."));
    for path in ["/api/v1/auth/login", "/api/v1/challans", "/api/v1/challans/{challan_no}", "/api/v1/cancellation-requests/{id}/approve"] {
        assert!(doc["paths"][path].is_object(), "{path} missing from OpenAPI");
    }
    let (status, page) = app.call(Method::GET, "/api/docs", None, None).await?;
    assert_eq!(status, StatusCode::OK);
    assert!(page.as_str().unwrap_or("").contains("/api/v1/challans"));

    assert_eq!(app.call(Method::GET, "/healthz", None, None).await?.0, StatusCode::OK);
    let (status, ready) = app.call(Method::GET, "/readyz", None, None).await?;
    assert_eq!((status, ready["backend"].as_str()), (StatusCode::OK, Some("sqlite")));
    let (status, metrics) = app.call(Method::GET, "/metrics", None, None).await?;
    assert_eq!(status, StatusCode::OK);
    assert!(metrics.as_str().unwrap_or("").contains("mahasil_http_requests_total"), "{metrics}");
    Ok(())
}
