//! Signing in and out of the staff pages. A failed sign-in never says whether the
//! username or the password was wrong, and takes as long either way.

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use jiff::Timestamp;
use mahasil_store::SessionKind;
use maud::{Markup, html};

use super::form::{FormFields, QueryFields};
use super::layout;
use super::staff::Staff;
use super::widgets::{Input, notice};
use crate::auth::extract::safe_next;
use crate::auth::{SESSION_COOKIE, password, session};
use crate::error::{ApiError, ApiResult};
use crate::state::{AppState, ServerConfig};

/// Longest username looked up; longer input cannot be anyone's.
const MAX_USERNAME_CHARS: usize = 64;

const SIGN_IN_FAILED: &str = "Those details do not match an active account. Check them and try again.";

fn login_page(config: &ServerConfig, status: StatusCode, username: &str, next: &str, message: Option<&str>) -> Response {
    let content: Markup = html! {
        section.narrow {
            h1 { "Sign in" }
            p { "Staff of the district administrations and departments sign in here." }
            @if let Some(m) = message { (notice("error", m)) }
            form.card method="post" action="/login" {
                input type="hidden" name="next" value=(next);
                (Input::text("Username", "username", username).required().autocomplete("username").maxlength(MAX_USERNAME_CHARS))
                (Input::text("Password", "password", "").kind("password").required().autocomplete("current-password"))
                button type="submit" { "Sign in" }
            }
        }
    };
    layout::respond(status, layout::shell(config, None, "Sign in", content))
}

/// `GET /login`: the sign-in form.
pub async fn form(State(state): State<AppState>, QueryFields(query): QueryFields) -> Response {
    login_page(&state.config, StatusCode::OK, "", &safe_next(query.get("next")), None)
}

/// Verifies `password` for `username` off the async threads; an unknown or disabled user
/// is checked against a decoy hash so the answer takes as long.
async fn check_credentials(state: &AppState, username: &str, password_input: &str) -> ApiResult<Option<mahasil_store::UserRecord>> {
    let user = if username.is_empty() || username.chars().count() > MAX_USERNAME_CHARS { None } else { state.store.user_by_username(username).await? };
    let phc = user.as_ref().filter(|u| u.active).map(|u| u.password_hash.clone());
    let attempt = if password_input.chars().count() > password::MAX_PASSWORD_CHARS { String::new() } else { password_input.to_string() };
    let matches = tokio::task::spawn_blocking(move || {
        // The decoy is hashed on first use: that too belongs off the async threads.
        let phc = phc.unwrap_or_else(|| password::decoy_hash().to_string());
        !attempt.is_empty() && password::verify(&attempt, &phc)
    })
    .await
    .map_err(|e| {
        tracing::error!(error = %e, "password check did not finish");
        ApiError::internal()
    })?;
    Ok(user.filter(|u| u.active && matches))
}

fn session_cookie(config: &ServerConfig, token: &str, max_age_secs: i64) -> Result<HeaderValue, ApiError> {
    let secure = if config.secure_cookies { "; Secure" } else { "" };
    HeaderValue::from_str(&format!("{SESSION_COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age={max_age_secs}{secure}"))
        .map_err(|_| ApiError::internal())
}

/// `POST /login`: sign in and go where the user was heading.
pub async fn submit(State(state): State<AppState>, form: FormFields) -> Response {
    let username = form.get("username").trim().to_string();
    let next = safe_next(form.get("next"));
    let result = async {
        let Some(user) = check_credentials(&state, &username, form.get("password")).await? else {
            return Ok(None);
        };
        let started = session::start(&state.store, &user, SessionKind::Web, state.config.session_ttl_secs, Timestamp::now()).await?;
        Ok::<_, ApiError>(Some(session_cookie(&state.config, &started.token, state.config.session_ttl_secs)?))
    }
    .await;
    match result {
        Ok(Some(cookie)) => {
            metrics::counter!("mahasil_web_sign_ins_total", "outcome" => "ok").increment(1);
            let mut response = Redirect::to(&next).into_response();
            response.headers_mut().insert(header::SET_COOKIE, cookie);
            response
        }
        Ok(None) => {
            metrics::counter!("mahasil_web_sign_ins_total", "outcome" => "refused").increment(1);
            login_page(&state.config, StatusCode::UNAUTHORIZED, &username, &next, Some(SIGN_IN_FAILED))
        }
        Err(e) => layout::bare_error(&state.config, &e),
    }
}

/// `POST /logout`: end the session and forget the cookie.
pub async fn logout(staff: Staff, form: FormFields) -> Response {
    let result = async {
        staff.check_csrf(&form)?;
        session::end(&staff.state, &staff.session.token, Timestamp::now()).await?;
        let mut response = Redirect::to("/login").into_response();
        response.headers_mut().insert(header::SET_COOKIE, session_cookie(&staff.state.config, "", 0)?);
        Ok(response)
    }
    .await;
    staff.finish(result)
}
