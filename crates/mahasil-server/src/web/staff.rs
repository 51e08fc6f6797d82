//! `Staff`: a page request from a signed-in user, with what every page handler needs to
//! answer it: the app state, the session (principal and CSRF token), and the page frame.

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use mahasil_domain::authz::{Action, Principal, Scope};
use maud::{Markup, html};

use super::form::FormFields;
use super::layout;
use crate::auth::WebSession;
use crate::auth::extract::WebRejection;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// A signed-in page request. Not signed in (or the session ended): off to `/login`.
pub struct Staff {
    pub state: AppState,
    pub session: WebSession,
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        match WebSession::from_request_parts(parts, state).await {
            Ok(session) => Ok(Self { state: state.clone(), session }),
            Err(WebRejection::SignIn(redirect)) => Err(redirect.into_response()),
            Err(WebRejection::Error(e)) => Err(layout::bare_error(&state.config, &e)),
        }
    }
}

impl Staff {
    pub fn principal(&self) -> &Principal {
        &self.session.principal
    }

    /// The scope of `action`, or 403 when the user may do it nowhere.
    pub fn require(&self, action: Action) -> ApiResult<Scope> {
        self.principal().require_somewhere(action).map_err(ApiError::from)
    }

    /// Checks the form came from one of our pages in this session.
    pub fn check_csrf(&self, form: &FormFields) -> ApiResult<()> {
        self.session.check_csrf(form.get("csrf"))
    }

    /// The hidden field every form carries.
    pub fn csrf_field(&self) -> Markup {
        html! { input type="hidden" name="csrf" value=(self.session.csrf_token); }
    }

    /// A page with the frame, answered with `status`.
    pub fn page(&self, status: StatusCode, title: &str, content: Markup) -> Response {
        layout::respond(status, layout::shell(&self.state.config, Some(&self.session), title, content))
    }

    /// An error as a page with the frame and the same status and message.
    pub fn fail(&self, e: &ApiError) -> Response {
        layout::error_page(&self.state.config, Some(&self.session), e)
    }

    /// The answer of a handler whose work returned `result`.
    pub fn finish(&self, result: ApiResult<Response>) -> Response {
        result.unwrap_or_else(|e| self.fail(&e))
    }
}
