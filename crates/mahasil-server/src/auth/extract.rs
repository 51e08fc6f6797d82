//! Extractors: `ApiPrincipal` (bearer token) for the JSON API and `WebSession` (cookie)
//! for pages. Both check the session on every request; scope checks follow in the
//! handlers through the domain's `Principal::require`.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use jiff::Timestamp;
use mahasil_domain::authz::Principal;
use mahasil_store::SessionKind;
use subtle::ConstantTimeEq;

use super::session;
use crate::error::ApiError;
use crate::state::AppState;

/// The name of the pages' session cookie.
pub const SESSION_COOKIE: &str = "mahasil_session";

/// A request signed in with `Authorization: Bearer <token>`.
pub struct ApiPrincipal(pub Principal);

impl FromRequestParts<AppState> for ApiPrincipal {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let value = parts
            .headers
            .get(header::AUTHORIZATION)
            .ok_or_else(|| ApiError::unauthorized("sign in first: send Authorization: Bearer <token> from POST /api/v1/auth/login"))?;
        let token = value
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or_else(|| ApiError::unauthorized("the Authorization header must be `Bearer <token>`"))?;
        match session::resolve(state, token.trim(), SessionKind::Api, Timestamp::now()).await? {
            Some((principal, _)) => Ok(Self(principal)),
            None => Err(ApiError::unauthorized("the session has expired or is unknown; sign in again")),
        }
    }
}

/// A page request signed in with the session cookie.
pub struct WebSession {
    pub principal: Principal,
    pub csrf_token: String,
    pub token: String,
}

impl WebSession {
    /// Checks a submitted form's CSRF token against the session's, in constant time.
    pub fn check_csrf(&self, submitted: &str) -> Result<(), ApiError> {
        let ok: bool = self.csrf_token.as_bytes().ct_eq(submitted.as_bytes()).into();
        if ok && !submitted.is_empty() {
            Ok(())
        } else {
            Err(ApiError::forbidden("the form has expired or did not come from this site; open the page again and resubmit"))
        }
    }
}

/// Not signed in on a page: off to the sign-in page, then back.
pub struct SignInRedirect(String);

impl IntoResponse for SignInRedirect {
    fn into_response(self) -> Response {
        Redirect::to(&format!("/login?{}", crate::web::form::query_string([("next", self.0.as_str())]))).into_response()
    }
}

pub enum WebRejection {
    SignIn(SignInRedirect),
    Error(ApiError),
}

impl IntoResponse for WebRejection {
    fn into_response(self) -> Response {
        match self {
            Self::SignIn(r) => r.into_response(),
            Self::Error(e) => e.into_response(),
        }
    }
}

impl FromRequestParts<AppState> for WebSession {
    type Rejection = WebRejection;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let jar = CookieJar::from_headers(&parts.headers);
        let back_to = parts.uri.path_and_query().map_or_else(|| "/".to_string(), |p| p.to_string());
        let redirect = || WebRejection::SignIn(SignInRedirect(safe_next(&back_to)));
        let token = jar.get(SESSION_COOKIE).map(|c| c.value().to_string()).ok_or_else(redirect)?;
        match session::resolve(state, &token, SessionKind::Web, Timestamp::now()).await.map_err(WebRejection::Error)? {
            Some((principal, s)) => Ok(Self { principal, csrf_token: s.csrf_token, token }),
            None => Err(redirect()),
        }
    }
}

/// A `next` target that stays on this site (a path, never another host).
pub fn safe_next(next: &str) -> String {
    let ok = next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') && next.parse::<Uri>().is_ok();
    if ok { next.to_string() } else { "/".to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_stays_on_site() {
        assert_eq!(safe_next("/challans?x=1"), "/challans?x=1");
        assert_eq!(safe_next("//evil.example"), "/");
        assert_eq!(safe_next("https://evil.example"), "/");
        assert_eq!(safe_next("/\\evil"), "/");
    }
}
