//! The frame of every citizen page — demo banner, header, footer, the headers each answer
//! carries — and the pieces pages share: bilingual headings, statuses, money, masked
//! identity numbers, and errors as pages in both languages.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use mahasil_domain::challan::ChallanStatus;
use mahasil_store::StoreError;
use maud::{Markup, html};

use super::token::LinkProblem;
use crate::error::ApiError;
use crate::state::ServerConfig;

/// Nothing runs, nothing loads from elsewhere, and forms post only here.
const CSP_SELF: &str = "default-src 'none'; style-src 'self'; img-src 'self'; font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The same, for the page whose Pay online form is answered with a redirect to the
/// gateway's hosted page: browsers hold that redirect to `form-action` too, and the
/// gateway picks the page's address. No script can run here to submit a form anywhere.
const CSP_GATEWAY_HTTPS: &str =
    "default-src 'none'; style-src 'self'; img-src 'self'; font-src 'self'; form-action 'self' https:; frame-ancestors 'none'; base-uri 'none'";
const CSP_GATEWAY_ANY: &str =
    "default-src 'none'; style-src 'self'; img-src 'self'; font-src 'self'; form-action 'self' https: http:; frame-ancestors 'none'; base-uri 'none'";

/// Where a page's forms may lead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum FormTargets {
    ThisSite,
    /// This site, and through it to the gateway's hosted payment page.
    Gateway,
}

/// Urdu text, right to left.
pub(super) fn ur(text: &str) -> Markup {
    html! { span.ur lang="ur" dir="rtl" { (text) } }
}

/// A heading's English and Urdu, side by side.
pub(super) fn both(en: &str, urdu: &str) -> Markup {
    html! { (en) " " (ur(urdu)) }
}

/// A whole citizen page around `content`.
pub(super) fn shell(config: &ServerConfig, title: &str, content: Markup) -> Markup {
    crate::web::layout::document(
        title,
        html! {
            @if config.demo {
                div.demo-banner role="note" {
                    strong { "DEMO — not a real government system." }
                    " Names, numbers and money here are made up; no real payment is taken. "
                    (ur("نمائشی نظام — یہ حقیقی سرکاری نظام نہیں۔"))
                }
            }
            header.site-header {
                a.brand href="/pay" { "mahasil" span.brand-ur lang="ur" dir="rtl" { "محاصل" } }
            }
            main.narrow { (content) }
            footer.site-footer {
                "mahasil — district revenues of Khyber Pakhtunkhwa. Times are Pakistan time (PKT, UTC+5). "
                (ur("خیبر پختونخوا کے ضلعی محاصل۔ اوقات پاکستانی وقت کے مطابق ہیں۔"))
            }
        },
    )
}

/// An HTML answer with the headers every citizen page carries. The page's address holds
/// its link, so nothing is cached and no `Referer` carries it to another site.
pub(super) fn respond(config: &ServerConfig, status: StatusCode, page: Markup, targets: FormTargets) -> Response {
    let mut response = (status, page).into_response();
    let csp = match targets {
        FormTargets::ThisSite => CSP_SELF,
        FormTargets::Gateway if config.public_base_url.starts_with("https://") => CSP_GATEWAY_HTTPS,
        FormTargets::Gateway => CSP_GATEWAY_ANY,
    };
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(csp));
    private_headers(&mut response);
    response
}

/// Headers for anything answered about one person's challan: not cached, not sniffed,
/// and no `Referer` leaving with the link in it.
pub(super) fn private_headers(response: &mut Response) {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
}

/// A 303 to `location` with the private headers.
pub(super) fn see_other(location: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    private_headers(&mut response);
    response
}

/// A status as a coloured label in both languages; `overdue` replaces `issued` past the
/// due date.
pub(super) fn status_badge(status: ChallanStatus, overdue: bool) -> Markup {
    let (class, en, urdu) = status_words(status, overdue);
    html! { span class={ "badge " (class) } data-status=(class) { (en) } " " (ur(urdu)) }
}

pub(super) fn status_words(status: ChallanStatus, overdue: bool) -> (&'static str, &'static str, &'static str) {
    match status {
        ChallanStatus::Issued if overdue => ("overdue", "overdue", "مدت گزر چکی"),
        ChallanStatus::Issued => ("issued", "unpaid", "غیر ادا شدہ"),
        ChallanStatus::Contested => ("contested", "contested", "زیر اپیل"),
        ChallanStatus::Paid => ("paid", "paid", "ادا شدہ"),
        ChallanStatus::Cancelled => ("cancelled", "cancelled", "منسوخ"),
        ChallanStatus::Waived => ("waived", "waived", "معاف"),
    }
}

/// Paisa as people read it: `PKR 5,000`.
pub(super) fn money(paisa: i64) -> String {
    mahasil_domain::money::Paisa::new(paisa).map_or_else(|_| format!("{paisa} paisa"), |p| p.to_string())
}

/// Every digit but the last four hidden, separators kept: `•••••-••••567-1`,
/// `+••••••••4567` (the country code too: the last four are all a page may show).
pub(super) fn mask_digits(value: &str) -> String {
    let total = value.chars().filter(char::is_ascii_digit).count();
    let mut seen = 0;
    value
        .chars()
        .map(|ch| {
            if !ch.is_ascii_digit() {
                return ch;
            }
            seen += 1;
            if seen + 4 > total { ch } else { '•' }
        })
        .collect()
}

/// A refusal or failure, shown as a page in both languages.
#[derive(Debug, Clone)]
pub(crate) struct PageError {
    pub status: StatusCode,
    heading_en: &'static str,
    heading_ur: &'static str,
    message: String,
    /// The form field at fault, named on the page.
    field: Option<&'static str>,
    retry_after_secs: Option<i64>,
}

impl PageError {
    fn new(status: StatusCode, heading_en: &'static str, heading_ur: &'static str, message: impl Into<String>) -> Self {
        Self { status, heading_en, heading_ur, message: message.into(), field: None, retry_after_secs: None }
    }

    pub fn bad_link(problem: LinkProblem) -> Self {
        match problem {
            LinkProblem::Invalid => Self::new(
                StatusCode::FORBIDDEN,
                "This link is not valid",
                "یہ لنک درست نہیں",
                "Look up your challan again with its number and the last 4 digits of the CNIC or mobile number.",
            ),
            LinkProblem::Expired => Self::new(
                StatusCode::FORBIDDEN,
                "This link has expired",
                "اس لنک کی مدت ختم ہو چکی ہے",
                "Links to a challan last 30 minutes. Look up your challan again with its number and the last 4 digits.",
            ),
        }
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "Not found", "نہیں ملا", message)
    }

    /// A look-up that matched nothing; it never says which half was wrong.
    pub fn no_match() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "No challan matches",
            "اس نمبر اور ان ہندسوں سے کوئی چالان نہیں ملا",
            "No challan matches this number and these digits. Check both and try again.",
        )
    }

    pub fn bad_field(field: &'static str, message: impl Into<String>) -> Self {
        let mut e = Self::new(StatusCode::BAD_REQUEST, "The form is not complete", "فارم نامکمل یا غلط ہے", message);
        e.field = Some(field);
        e
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "The request could not be read", "درخواست پڑھی نہیں جا سکی", message)
    }

    pub fn too_many(retry_after_secs: i64) -> Self {
        let minutes = (retry_after_secs + 59) / 60;
        let mut e = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "Too many attempts",
            "بہت زیادہ کوششیں",
            format!(
                "Too many look-ups did not match. To protect challan holders, look-ups are paused: try again in {minutes} minute{}.",
                if minutes == 1 { "" } else { "s" }
            ),
        );
        e.retry_after_secs = Some(retry_after_secs);
        e
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "Not possible now", "ابھی ممکن نہیں", message)
    }

    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, "Not available right now", "ابھی دستیاب نہیں", message)
    }

    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Something went wrong",
            "کچھ غلط ہو گیا",
            "Something went wrong on our side; it has been logged. Try again shortly.",
        )
    }

    /// The field at fault, if the form was.
    pub fn field(&self) -> Option<&'static str> {
        self.field
    }

    pub fn heading(&self) -> (&'static str, &'static str) {
        (self.heading_en, self.heading_ur)
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    /// The error as a whole page.
    pub fn page(&self, config: &ServerConfig) -> Response {
        let content = html! {
            h1 { (both(self.heading_en, self.heading_ur)) }
            p.alert.error role="alert" data-status=(self.status.as_u16()) { (self.message) }
            @if let Some(field) = self.field { p { "Field: " code { (field) } } }
            p { a href="/pay" { (both("Look up a challan", "چالان تلاش کریں")) } }
        };
        let mut response = respond(config, self.status, shell(config, self.heading_en, content), FormTargets::ThisSite);
        if let Some(secs) = self.retry_after_secs
            && let Ok(value) = HeaderValue::from_str(&secs.max(1).to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }
}

impl From<ApiError> for PageError {
    fn from(e: ApiError) -> Self {
        match e.status {
            StatusCode::NOT_FOUND => Self::not_found(e.body.message),
            StatusCode::CONFLICT => Self::conflict(e.body.message),
            StatusCode::SERVICE_UNAVAILABLE => Self::unavailable(e.body.message),
            s if s.is_server_error() => Self::internal(),
            s => Self { status: s, ..Self::bad_request(e.body.message) },
        }
    }
}

impl From<StoreError> for PageError {
    fn from(e: StoreError) -> Self {
        // ApiError's conversion logs what a person should not see.
        ApiError::from(e).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_last_four_digits_show() {
        assert_eq!(mask_digits("17301-1234567-1"), "•••••-••••567-1");
        assert_eq!(mask_digits("+923001234567"), "+••••••••4567");
        assert_eq!(mask_digits("12"), "12");
    }

    #[test]
    fn every_status_has_both_languages() {
        for status in ChallanStatus::ALL {
            for overdue in [false, true] {
                let (class, en, urdu) = status_words(status, overdue);
                assert!(!class.is_empty() && !en.is_empty() && !urdu.is_ascii());
            }
        }
        assert_eq!(status_words(ChallanStatus::Issued, true).0, "overdue");
        assert_eq!(status_words(ChallanStatus::Paid, true).0, "paid", "only an open challan is overdue");
    }
}
