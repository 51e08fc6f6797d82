//! The frame of every page: the demo banner, the header with a navigation that shows only
//! what the user's roles allow, and the headers every HTML answer carries. Errors become
//! an HTML page here with the same status and message the JSON API would give.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use mahasil_domain::authz::{Action, Principal};
use maud::{DOCTYPE, Markup, html};

use super::assets;
use crate::auth::WebSession;
use crate::error::ApiError;
use crate::state::ServerConfig;

/// Pages say where their own content may come from: this site only, no scripts at all.
const CONTENT_SECURITY_POLICY: &str =
    "default-src 'none'; style-src 'self'; img-src 'self'; font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The dashboard's pages also run this site's own scripts (the charts).
const SCRIPTED_CONTENT_SECURITY_POLICY: &str =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// One entry of the navigation and the action that makes it appear.
struct NavItem {
    href: &'static str,
    label: &'static str,
    shown_for: &'static [Action],
}

const NAV: [NavItem; 12] = [
    NavItem { href: "/", label: "Home", shown_for: &[] },
    NavItem { href: "/dashboard", label: "Dashboard", shown_for: &[Action::ViewDashboard] },
    NavItem { href: "/challans", label: "Challans", shown_for: &[Action::ReadChallan] },
    NavItem { href: "/challans/new", label: "Issue", shown_for: &[Action::IssueChallan] },
    NavItem { href: "/queue", label: "Queue", shown_for: &[Action::DecideCancellation, Action::DecideContest] },
    NavItem { href: "/treasury", label: "Treasury", shown_for: &[Action::ViewTreasury] },
    NavItem { href: "/admin/users", label: "Users", shown_for: &[Action::ManageUsers] },
    NavItem { href: "/admin/heads", label: "Revenue heads", shown_for: &[Action::ManageHeads] },
    NavItem { href: "/admin/banks", label: "Banks", shown_for: &[Action::ManageBanks] },
    NavItem { href: "/admin/devices", label: "Devices", shown_for: &[Action::ManageDevices] },
    NavItem { href: "/messages/failed", label: "Undelivered", shown_for: &[Action::RetryMessages] },
    NavItem { href: "/admin/templates", label: "Templates", shown_for: &[Action::ManageTemplates] },
];

fn may_anywhere(who: &Principal, actions: &[Action]) -> bool {
    actions.is_empty() || actions.iter().any(|a| !who.scope(*a).is_nowhere())
}

fn demo_banner(config: &ServerConfig) -> Markup {
    html! {
        @if config.demo {
            div.demo-banner role="note" {
                strong { "DEMO — not a real government system." }
                " Names, numbers and money here are made up; nothing is sent to anyone."
            }
        }
    }
}

fn header(session: Option<&WebSession>) -> Markup {
    html! {
        header.site-header {
            a.brand href="/" { "mahasil" span.brand-ur lang="ur" dir="rtl" { "محاصل" } }
            @if let Some(s) = session {
                nav aria-label="Main" {
                    ul {
                        @for item in &NAV {
                            @if may_anywhere(&s.principal, item.shown_for) {
                                li { a href=(item.href) { (item.label) } }
                            }
                        }
                    }
                }
                form.sign-out method="post" action="/logout" {
                    input type="hidden" name="csrf" value=(s.csrf_token);
                    span.who { (s.principal.username) }
                    button.link type="submit" { "Sign out" }
                }
            }
        }
    }
}

/// An HTML document of mahasil's: its head (title, viewport, the stylesheet) and `body`.
/// Staff and citizen pages both use it.
pub(crate) fn document(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="robots" content="noindex";
                title { (title) " — mahasil" }
                link rel="stylesheet" href=(assets::STYLESHEET_PATH);
            }
            body { (body) }
        }
    }
}

/// A whole page around `content`.
pub fn shell(config: &ServerConfig, session: Option<&WebSession>, title: &str, content: Markup) -> Markup {
    document(
        title,
        html! {
            (demo_banner(config))
            (header(session))
            main { (content) }
            footer.site-footer { "mahasil — district revenues of Khyber Pakhtunkhwa. Times are Pakistan time (PKT, UTC+5)." }
        },
    )
}

/// An HTML answer with the headers every page carries: staff pages hold personal data, so
/// nothing is cached, framed or sniffed.
pub fn respond(status: StatusCode, page: Markup) -> Response {
    with_policy(status, page, CONTENT_SECURITY_POLICY)
}

/// [`respond`] for a page that runs this site's own scripts.
pub fn respond_scripted(status: StatusCode, page: Markup) -> Response {
    with_policy(status, page, SCRIPTED_CONTENT_SECURITY_POLICY)
}

fn with_policy(status: StatusCode, page: Markup, policy: &'static str) -> Response {
    let mut response = (status, page).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(policy));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    response
}

/// The body of an error page: what went wrong and each named field.
pub fn error_content(e: &ApiError) -> Markup {
    let heading = match e.status {
        StatusCode::NOT_FOUND => "Not found",
        StatusCode::FORBIDDEN => "Not allowed",
        StatusCode::UNAUTHORIZED => "Not signed in",
        StatusCode::CONFLICT => "Already done",
        s if s.is_server_error() => "Something went wrong",
        _ => "That did not work",
    };
    html! {
        h1 { (heading) }
        p.alert.error role="alert" { (e.body.message) }
        @if let Some(fields) = &e.body.fields {
            ul.field-list { @for (name, reason) in fields { li { code { (name) } ": " (reason) } } }
        }
        p { a href="/" { "Back to the start page" } }
    }
}

/// An error as a page, with the navigation when the user is known.
pub fn error_page(config: &ServerConfig, session: Option<&WebSession>, e: &ApiError) -> Response {
    let title = e.status.canonical_reason().unwrap_or("Error");
    respond(e.status, shell(config, session, title, error_content(e)))
}

/// An error as a page before anyone is known (unreadable forms, failed sign-in look-ups).
pub fn bare_error(config: &ServerConfig, e: &ApiError) -> Response {
    error_page(config, None, e)
}
