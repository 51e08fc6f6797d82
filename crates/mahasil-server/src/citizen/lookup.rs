//! `GET /pay` and `POST /pay`: a citizen finds their challan by its number and the last 4
//! digits of the offender's CNIC or mobile number. A match is answered with a 303 to the
//! challan's page and its link; anything else with one message that does not say which
//! half was wrong. Failures are counted per client and per number (`LookupGuard`).

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::Extension;
use axum::extract::rejection::FormRejection;
use axum::extract::{ConnectInfo, Form, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use jiff::Timestamp;
use mahasil_domain::challan_no::ChallanNo;
use maud::{Markup, html};
use subtle::ConstantTimeEq;

use super::LookupGuard;
use super::page::{self, FormTargets, PageError, both, ur};
use super::token::pay_path;
use crate::state::AppState;
use crate::web::form::FormFields;

/// The key failures of one client are counted under when no address is known.
const UNKNOWN_CLIENT: &str = "unknown-client";

/// Who is asking, as far as can be told: the first `X-Forwarded-For` hop (the proxy in
/// front of the nodes sets it), else the peer's address, else one shared key. An IPv6
/// client is counted by its /64, which one home or phone usually has whole.
pub(crate) struct ClientKey(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientKey {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(addr)| addr.ip());
        Ok(Self(client_key(&parts.headers, peer)))
    }
}

fn client_key(headers: &HeaderMap, peer: Option<IpAddr>) -> String {
    let forwarded =
        headers.get("x-forwarded-for").and_then(|v| v.to_str().ok()).and_then(|v| v.split(',').next()).and_then(|first| first.trim().parse::<IpAddr>().ok());
    match forwarded.or(peer) {
        Some(IpAddr::V4(ip)) => ip.to_string(),
        Some(IpAddr::V6(ip)) => match ip.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = ip.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
        None => UNKNOWN_CLIENT.to_string(),
    }
}

/// What the form shows again after a refusal.
#[derive(Default)]
struct Filled<'a> {
    challan_no: &'a str,
    error: Option<&'a PageError>,
}

fn form_markup(filled: &Filled<'_>) -> Markup {
    let field_error = |name: &str| filled.error.filter(|e| e.field() == Some(name)).map(PageError::message);
    let general = filled.error.filter(|e| e.field().is_none());
    let input_error = |name: &str| field_error(name).map(|m| html! { span.field-error id={ (name) "-error" } { (m) } });
    html! {
        h1 { (both("Pay or check a challan", "چالان کی ادائیگی یا تفصیل")) }
        p {
            "Type the challan number printed on the notice, and the last 4 digits of the offender's CNIC or mobile number. "
            (ur("نوٹس پر درج چالان نمبر، اور شناختی کارڈ یا موبائل نمبر کے آخری 4 ہندسے لکھیں۔"))
        }
        @if let Some(e) = general {
            @let (en, urdu) = e.heading();
            p.alert.error role="alert" { strong { (both(en, urdu)) } br; (e.message()) }
        }
        form.card method="post" action="/pay" {
            div.field.has-error[field_error("challan_no").is_some()] {
                label for="challan_no" { (both("Challan number", "چالان نمبر")) }
                span.hint { "15 digits, dashes allowed: 100001-00000042-7" }
                input #challan_no name="challan_no" type="text" value=(filled.challan_no) required inputmode="numeric"
                    autocomplete="off" maxlength="24" aria-invalid=[field_error("challan_no").map(|_| "true")];
                @if let Some(m) = input_error("challan_no") { (m) }
            }
            div.field.has-error[field_error("last4").is_some()] {
                label for="last4" { (both("Last 4 digits of CNIC or mobile", "شناختی کارڈ یا موبائل کے آخری 4 ہندسے")) }
                input #last4 name="last4" type="text" value="" required inputmode="numeric" autocomplete="off" maxlength="4"
                    aria-invalid=[field_error("last4").map(|_| "true")];
                @if let Some(m) = input_error("last4") { (m) }
            }
            button type="submit" { (both("Find my challan", "چالان تلاش کریں")) }
        }
    }
}

fn form_page(state: &AppState, status: StatusCode, filled: &Filled<'_>) -> Response {
    page::respond(&state.config, status, page::shell(&state.config, "Pay or check a challan", form_markup(filled)), FormTargets::ThisSite)
}

/// `GET /pay`.
pub async fn form(State(state): State<AppState>) -> Response {
    form_page(&state, StatusCode::OK, &Filled::default())
}

/// `POST /pay`.
pub async fn submit(
    State(state): State<AppState>,
    Extension(guard): Extension<Arc<LookupGuard>>,
    ClientKey(client): ClientKey,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let fields = match form {
        Ok(Form(pairs)) => FormFields::new(pairs),
        Err(rejection) => return PageError::bad_request(format!("the form could not be read: {}", rejection.body_text())).page(&state.config),
    };
    let typed = fields.get("challan_no");
    match look_up(&state, &guard, &client, &fields, Timestamp::now()).await {
        Ok(location) => page::see_other(&location),
        Err(e) if e.field().is_some() || e.status == StatusCode::NOT_FOUND => form_page(&state, e.status, &Filled { challan_no: typed, error: Some(&e) }),
        Err(e) => e.page(&state.config),
    }
}

/// The page a matching look-up leads to, or why not.
async fn look_up(state: &AppState, guard: &LookupGuard, client: &str, fields: &FormFields, now: Timestamp) -> Result<String, PageError> {
    let second = now.as_second();
    guard.by_client.check(client, second).map_err(PageError::too_many)?;
    let no = ChallanNo::parse(fields.get("challan_no").trim()).map_err(|e| {
        let reason = match e {
            mahasil_domain::DomainError::Invalid { reason, .. } => reason,
            other => other.to_string(),
        };
        PageError::bad_field("challan_no", format!("The challan number {reason}."))
    })?;
    let last4 = fields.get("last4").trim();
    if last4.len() != 4 || !last4.bytes().all(|b| b.is_ascii_digit()) {
        return Err(PageError::bad_field("last4", "Type exactly 4 digits: the last 4 of the CNIC or of the mobile number."));
    }
    let number_key = no.digits();
    guard.by_challan.check(&number_key, second).map_err(PageError::too_many)?;
    let matched = state.store.challan_by_no(no).await?.is_some_and(|c| {
        let cnic = c.offender.cnic.last4();
        let mobile = c.offender.mobile.last4();
        // Both are compared, whatever the first says, and in constant time.
        let by_cnic = cnic.as_bytes().ct_eq(last4.as_bytes());
        let by_mobile = mobile.as_bytes().ct_eq(last4.as_bytes());
        bool::from(by_cnic | by_mobile)
    });
    if matched {
        return Ok(pay_path(no, now));
    }
    guard.by_client.record_failure(client, second);
    guard.by_challan.record_failure(&number_key, second);
    metrics::counter!("mahasil_citizen_lookup_failures_total").increment(1);
    Err(PageError::no_match())
}

#[cfg(test)]
mod tests {
    #![expect(clippy::unwrap_used, reason = "a test fails loudly")]

    use axum::http::HeaderValue;

    use super::*;

    fn with_forwarded(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn the_client_is_the_first_forwarded_hop_else_the_peer() {
        let peer = Some("192.0.2.9".parse().unwrap());
        assert_eq!(client_key(&with_forwarded("203.0.113.7, 10.0.0.1"), peer), "203.0.113.7");
        assert_eq!(client_key(&with_forwarded(" 203.0.113.8 "), None), "203.0.113.8");
        assert_eq!(client_key(&with_forwarded("not-an-address"), peer), "192.0.2.9");
        assert_eq!(client_key(&HeaderMap::new(), peer), "192.0.2.9");
        assert_eq!(client_key(&HeaderMap::new(), None), UNKNOWN_CLIENT);
    }

    #[test]
    fn an_ipv6_client_is_counted_by_its_64() {
        let a = client_key(&with_forwarded("2001:db8:1:2:aaaa::1"), None);
        let b = client_key(&with_forwarded("2001:db8:1:2:bbbb::9"), None);
        assert_eq!((a.as_str(), b.as_str()), ("2001:db8:1:2::/64", "2001:db8:1:2::/64"));
        assert_eq!(client_key(&with_forwarded("::ffff:198.51.100.4"), None), "198.51.100.4");
    }
}
