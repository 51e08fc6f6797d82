//! Signing in and out of the staff pages, the session cookie, CSRF on sign-out, the demo
//! banner, and errors as HTML pages.

mod web_support;

use std::sync::Arc;

use axum::http::{Method, StatusCode};
use jiff::{SignedDuration, Timestamp};
use mahasil_server::auth::session::token_hash;
use mahasil_server::testing::{OFFICER, PASSWORD};
use mahasil_store::{NewSession, SessionKind};
use web_support::{R, Web};

#[tokio::test]
async fn sign_in_sets_a_strict_cookie_and_goes_where_asked() -> R {
    let web = Web::new().await?;
    let form = web.send(Method::GET, "/login?next=/challans", None, None).await?;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.content_type().starts_with("text/html"));
    assert_eq!(form.hidden("next")?, "/challans");

    let page = web.send(Method::POST, "/login", None, Some(&[("username", OFFICER), ("password", PASSWORD), ("next", "/challans")])).await?;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location(), "/challans");
    let cookie = page.set_cookie();
    for part in ["mahasil_session=", "HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=3600"] {
        assert!(cookie.contains(part), "{part} missing from {cookie}");
    }
    assert!(!cookie.contains("Secure"), "plain-http test config must not mark the cookie Secure");

    let jar = cookie.split(';').next().ok_or("no cookie")?;
    let home = web.send(Method::GET, "/", Some(jar), None).await?;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains(OFFICER));
    assert!(home.body.contains("officer — peshawar"), "roles and scope shown: {}", home.body);
    assert!(home.body.contains("href=\"/challans/new\""));
    assert!(!home.body.contains("href=\"/admin/users\""), "nav shows only what the roles allow");
    Ok(())
}

#[tokio::test]
async fn secure_cookie_when_configured_and_next_stays_on_site() -> R {
    let mut web = Web::new().await?;
    Arc::make_mut(&mut web.state.config).secure_cookies = true;
    let page = web.send(Method::POST, "/login", None, Some(&[("username", OFFICER), ("password", PASSWORD), ("next", "//evil.example/x")])).await?;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location(), "/");
    assert!(page.set_cookie().contains("; Secure"));
    Ok(())
}

#[tokio::test]
async fn wrong_password_and_unknown_user_read_the_same() -> R {
    let web = Web::new().await?;
    let wrong = web.send(Method::POST, "/login", None, Some(&[("username", OFFICER), ("password", "not the password"), ("next", "/")])).await?;
    let unknown = web.send(Method::POST, "/login", None, Some(&[("username", "nobody.here"), ("password", PASSWORD), ("next", "/")])).await?;
    for page in [&wrong, &unknown] {
        assert_eq!(page.status, StatusCode::UNAUTHORIZED);
        assert!(page.set_cookie().is_empty());
        assert!(page.body.contains("Those details do not match an active account"));
        assert!(!page.body.to_lowercase().contains("wrong password"));
        assert!(!page.body.to_lowercase().contains("unknown user"));
    }
    assert_eq!(wrong.body.replace(OFFICER, "U"), unknown.body.replace("nobody.here", "U"), "the two refusals differ only in the username typed");
    Ok(())
}

#[tokio::test]
async fn pages_without_a_session_send_to_sign_in() -> R {
    let web = Web::new().await?;
    let page = web.send(Method::GET, "/challans?cnic=17301-1234567-1", None, None).await?;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location(), "/login?next=%2Fchallans%3Fcnic%3D17301-1234567-1");

    let unknown = web.send(Method::GET, "/queue", Some("mahasil_session=made-up-token"), None).await?;
    assert_eq!(unknown.status, StatusCode::SEE_OTHER);
    assert!(unknown.location().starts_with("/login?next=%2Fqueue"));

    // A session that has expired.
    let user = web.state.store.user_by_username(OFFICER).await?.ok_or("no officer")?;
    let now = Timestamp::now();
    let token = "expired-session-token-for-the-test";
    let session = NewSession {
        token_sha256: token_hash(token),
        user_id: user.id,
        username: user.username.clone(),
        kind: SessionKind::Web,
        csrf_token: "x".into(),
        expires_at: now.checked_sub(SignedDuration::from_secs(60))?,
    };
    web.state.store.create_session(&session, now.checked_sub(SignedDuration::from_secs(7200))?).await?;
    let expired = web.send(Method::GET, "/", Some(&format!("mahasil_session={token}")), None).await?;
    assert_eq!(expired.status, StatusCode::SEE_OTHER);
    assert!(expired.location().starts_with("/login"));
    Ok(())
}

#[tokio::test]
async fn sign_out_needs_the_csrf_token_and_ends_the_session() -> R {
    let web = Web::new().await?;
    let s = web.sign_in(OFFICER).await?;
    let missing = web.send(Method::POST, "/logout", Some(&s.cookie), Some(&[])).await?;
    assert_eq!(missing.status, StatusCode::FORBIDDEN);
    assert!(missing.content_type().starts_with("text/html"));
    let wrong = web.send(Method::POST, "/logout", Some(&s.cookie), Some(&[("csrf", "not-the-token")])).await?;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    assert_eq!(web.get("/", &s).await?.status, StatusCode::OK, "a refused sign-out leaves the session alive");

    let out = web.post("/logout", &s, &[]).await?;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert!(out.set_cookie().contains("Max-Age=0"));
    let after = web.get("/", &s).await?;
    assert_eq!(after.status, StatusCode::SEE_OTHER);
    Ok(())
}

#[tokio::test]
async fn demo_banner_on_every_page_in_demo_mode() -> R {
    let mut web = Web::new().await?;
    let s = web.sign_in(OFFICER).await?;
    assert!(!web.get("/", &s).await?.body.contains("DEMO — not a real government system"));
    Arc::make_mut(&mut web.state.config).demo = true;
    for uri in ["/login", "/", "/challans", "/challans/new", "/challans/100001-00000001-0", "/queue"] {
        let page = web.send(Method::GET, uri, Some(&s.cookie), None).await?;
        assert!(page.body.contains("DEMO — not a real government system"), "{uri} ({}) lacks the banner", page.status);
    }
    Ok(())
}

#[tokio::test]
async fn errors_are_pages_with_the_api_status() -> R {
    let web = Web::new().await?;
    let s = web.sign_in(OFFICER).await?;
    let page = web.get("/challans/12345", &s).await?;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(page.content_type().starts_with("text/html"));
    assert!(page.body.contains("must have 15 digits"));
    assert!(page.headers.get("content-security-policy").is_some());
    assert_eq!(page.headers.get("cache-control").and_then(|v| v.to_str().ok()), Some("no-store"));

    let css = web.send(Method::GET, "/assets/mahasil.css", None, None).await?;
    assert_eq!(css.status, StatusCode::OK);
    assert!(css.content_type().starts_with("text/css"));
    assert!(css.body.contains(".demo-banner"));
    Ok(())
}
