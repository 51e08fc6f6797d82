//! Sign-in and sign-out for API clients.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use jiff::Timestamp;
use mahasil_store::SessionKind;

use super::ApiJson;
use super::dto::{GrantDto, LoginInput, LoginOutput, MeDto};
use crate::auth::{ApiPrincipal, password, session};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::state::AppState;

/// Longest username accepted.
pub const MAX_USERNAME_CHARS: usize = 64;

/// Checks a username and password; the user on success. Unknown users are checked
/// against a decoy hash so the answer takes as long either way.
pub async fn check_credentials(state: &AppState, username: &str, pw: &str) -> ApiResult<Option<mahasil_store::UserRecord>> {
    if username.chars().count() > MAX_USERNAME_CHARS || pw.chars().count() > password::MAX_PASSWORD_CHARS {
        return Ok(None);
    }
    let user = state.store.user_by_username(username.trim()).await?;
    let phc = user.as_ref().map_or_else(|| password::decoy_hash().to_string(), |u| u.password_hash.clone());
    let pw = pw.to_string();
    let matches = tokio::task::spawn_blocking(move || password::verify(&pw, &phc)).await.map_err(|_| ApiError::internal())?;
    Ok(user.filter(|u| matches && u.active))
}

/// Signs in and returns a bearer token.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginInput,
    responses((status = 200, body = LoginOutput), (status = 401, body = ErrorBody, description = "wrong username or password")))]
pub async fn login(State(state): State<AppState>, ApiJson(input): ApiJson<LoginInput>) -> ApiResult<Json<LoginOutput>> {
    let user = check_credentials(&state, &input.username, &input.password).await?.ok_or_else(|| ApiError::unauthorized("wrong username or password"))?;
    let started = session::start(&state.store, &user, SessionKind::Api, state.config.session_ttl_secs, Timestamp::now()).await?;
    Ok(Json(LoginOutput { token: started.token, expires_at: started.expires_at.to_string(), username: user.username }))
}

/// Ends the session of the bearer token.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody)))]
pub async fn logout(State(state): State<AppState>, _who: ApiPrincipal, headers: HeaderMap) -> ApiResult<StatusCode> {
    let token = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer ")).unwrap_or_default();
    session::end(&state, token.trim(), Timestamp::now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Who the token belongs to and what they may do where.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth", security(("bearer" = [])), responses((status = 200, body = MeDto), (status = 401, body = ErrorBody)))]
pub async fn me(ApiPrincipal(who): ApiPrincipal) -> Json<MeDto> {
    Json(MeDto {
        user_id: who.user_id,
        username: who.username.clone(),
        grants: who
            .grants
            .iter()
            .map(|g| GrantDto {
                role: g.role.as_str().into(),
                district: g.district.as_ref().map(ToString::to_string),
                department: g.department.as_ref().map(ToString::to_string),
            })
            .collect(),
    })
}
