//! The public check page of a seal, `GET /V/<TOKEN>`: what a phone camera opens from the
//! QR code. In English and Urdu it shows the outcome, every signed value next to the live
//! status, and the notice to download. It also registers the service worker (`/V/sw.js`)
//! that keeps the page working offline, where `/V/offline` checks the seal in the browser.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use mahasil_seal::{Claims, Outcome};
use maud::{Markup, html};

use super::layout;
use crate::documents::{self, Copy, Format};
use crate::error::ApiError;
use crate::seals::check::{self, Checked, LiveStatus};
use crate::seals::claims::signed_values;
use crate::state::AppState;

/// The check pages run the verifier's scripts and its service worker, from this site only.
const VERIFY_CSP: &str = "default-src 'none'; script-src 'self'; connect-src 'self'; worker-src 'self'; style-src 'self'; img-src 'self'; \
     font-src 'self'; manifest-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// One outcome in both languages.
fn outcome_text(outcome: Outcome) -> (&'static str, &'static str, &'static str, &'static str) {
    match outcome {
        Outcome::Valid => ("ok", "Genuine seal", "اصلی مہر", "The signature is genuine. Compare every value below with the paper."),
        Outcome::InvalidSignature => {
            ("error", "Forged or altered", "جعلی یا تبدیل شدہ", "The signature does not match these values. Do not accept this document.")
        }
        Outcome::UnknownKey => {
            ("error", "Unknown signer", "نامعلوم دستخط کنندہ", "The seal was signed by a key mahasil does not know. Do not accept this document.")
        }
        Outcome::KeyNotValidForThisUse => {
            ("error", "Signer not allowed", "دستخط کنندہ مجاز نہیں", "The signing key may not sign this document, for this issuer or at this time.")
        }
        Outcome::Revoked => ("error", "Cancelled", "منسوخ", "This challan has been cancelled, or the key that signed it had been compromised."),
        Outcome::Malformed => ("error", "Not a valid seal", "درست مہر نہیں", "This code is damaged or is not a mahasil seal."),
    }
}

fn live_text(live: LiveStatus) -> (&'static str, &'static str) {
    match live.label() {
        "unpaid" => ("Unpaid: payable by the due date.", "غیر ادا شدہ"),
        "overdue" => ("Unpaid and overdue: the amount after the due date applies.", "غیر ادا شدہ، مدت گزر چکی"),
        "paid" => ("Paid.", "ادا شدہ"),
        "cancelled" => ("Cancelled: nothing is owed.", "منسوخ"),
        "contested" => ("Contested: an appeal is being decided.", "زیر اپیل"),
        _ => ("Waived: nothing is owed.", "معاف"),
    }
}

/// `GET /V/{token}`.
pub async fn page(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let now = Timestamp::now();
    match check::check(&state, &token, now).await {
        Ok(checked) => {
            let status = if checked.verification.outcome == Outcome::Malformed { StatusCode::BAD_REQUEST } else { StatusCode::OK };
            let content = content(&token, &checked);
            respond(status, layout::shell(&state.config, None, "Check a challan", content))
        }
        Err(e) => respond(e.status, layout::shell(&state.config, None, "Check a challan", layout::error_content(&e))),
    }
}

fn content(token: &str, checked: &Checked) -> Markup {
    let v = &checked.verification;
    let (tone, en, ur, detail) = outcome_text(v.outcome);
    html! {
        div #outcome class={ "alert " (tone) } data-outcome=(v.outcome.as_str()) role="status" {
            h1 { (en) }
            p.ur lang="ur" dir="rtl" { (ur) }
            p { (detail) }
        }
        @if let Some(claims) = &v.claims { (claims_table(claims, v.outcome == Outcome::Valid)) }
        section #live-status class="card" {
            h2 { "Live status " span.ur lang="ur" dir="rtl" { "موجودہ صورتحال" } }
            @match (checked.live, &v.claims) {
                (Some(live), _) => {
                    @let (en, ur) = live_text(live);
                    p data-status=(live.label()) { strong { (en) } " " span.ur lang="ur" dir="rtl" { (ur) } }
                }
                (None, Some(_)) if v.outcome == Outcome::Valid => p { "This challan has not reached the server yet (it may have been issued offline)." }
                _ => p { "No live status: the seal did not verify." }
            }
        }
        @if v.outcome == Outcome::Valid && checked.challan.is_some() {
            section.card {
                h2 { "Download the notice " span.ur lang="ur" dir="rtl" { "نوٹس ڈاؤن لوڈ کریں" } }
                ul { @for (file, label) in Format::FILES { li { a href={ "/V/" (token) "/" (file) } { (label) } } } }
            }
        }
        p { "This page also works without a network once opened: it checks the signature on the phone." }
        script type="module" src="/assets/verify/page.js" {}
    }
}

fn claims_table(c: &Claims, trusted: bool) -> Markup {
    let caption =
        if trusted { "Signed values: compare them with the paper." } else { "What this code claims. It did NOT pass the check: do not rely on these values." };
    html! {
        section #claims .card {
            h2 { "Signed values " span.ur lang="ur" dir="rtl" { "دستخط شدہ معلومات" } }
            p { (caption) }
            table {
                tbody {
                    @for v in signed_values(c) {
                        tr { th scope="row" { (v.en) " " span.ur lang="ur" dir="rtl" { (v.ur) } } td { (v.value) } }
                    }
                }
            }
        }
    }
}

/// `GET /V/{token}/{file}`: the public copy of the notice (no personal data), only for a
/// seal that verifies and names a stored challan.
pub async fn download(State(state): State<AppState>, Path((token, file)): Path<(String, String)>) -> Response {
    let result = async {
        let format = Format::parse(&file).ok_or_else(|| ApiError::not_found(format!("no download named {file}")))?;
        let checked = check::check(&state, &token, Timestamp::now()).await?;
        let challan = match (checked.verification.outcome, checked.challan) {
            (Outcome::Valid, Some(c)) => c,
            (outcome, _) => return Err(ApiError::not_found(format!("no notice to download: the seal is {}", outcome.as_str()))),
        };
        documents::notice(&state, &challan, Copy::Public, format).await
    }
    .await;
    result.unwrap_or_else(|e| respond(e.status, layout::shell(&state.config, None, "Check a challan", layout::error_content(&e))))
}

/// `GET /V/offline`: the page the service worker answers with when there is no network.
pub async fn offline() -> Response {
    let mut response = respond(StatusCode::OK, maud::PreEscaped(OFFLINE_HTML.to_string()));
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

/// `GET /V/sw.js`: the service worker, never cached by HTTP so an update reaches phones.
pub async fn service_worker() -> Response {
    script(SERVICE_WORKER, "no-cache")
}

/// `GET /assets/verify/{file}`: the verifier's ES modules.
pub async fn module(Path(file): Path<String>) -> Response {
    match MODULES.iter().find(|(name, _)| *name == file) {
        Some((_, source)) => script(source, "no-cache"),
        None => ApiError::not_found(format!("no script named {file}")).into_response(),
    }
}

const OFFLINE_HTML: &str = include_str!("../../assets/verify/offline.html");
const SERVICE_WORKER: &str = include_str!("../../assets/verify/sw.js");
const MODULES: [(&str, &str); 7] = [
    ("cbor.js", include_str!("../../assets/verify/cbor.js")),
    ("claims.js", include_str!("../../assets/verify/claims.js")),
    ("cose.js", include_str!("../../assets/verify/cose.js")),
    ("lists.js", include_str!("../../assets/verify/lists.js")),
    ("offline.js", include_str!("../../assets/verify/offline.js")),
    ("page.js", include_str!("../../assets/verify/page.js")),
    ("seal.js", include_str!("../../assets/verify/seal.js")),
];

fn script(source: &'static str, cache: &'static str) -> Response {
    let mut response = source.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/javascript; charset=utf-8"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response
}

/// A check page: the staff pages' headers, with the verifier's scripts allowed. Nothing
/// personal is shown, but the live status changes, so nothing is cached.
fn respond(status: StatusCode, page: Markup) -> Response {
    let mut response = layout::respond(status, page);
    response.headers_mut().insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(VERIFY_CSP));
    response
}
