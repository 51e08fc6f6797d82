//! Reading what a page sends: urlencoded forms and query strings as ordered name/value
//! pairs (repeated names keep their order, absent names read as blank), and the few
//! conversions people type differently from how the domain stores them: rupees with
//! paisa, and calendar dates.

use std::collections::BTreeMap;

use axum::Form;
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::Response;
use jiff::civil::Date;

use super::layout;
use crate::error::ApiError;
use crate::state::AppState;

/// Most name/value pairs one form or query string may carry.
pub const MAX_FORM_FIELDS: usize = 400;

/// A submitted form (or query string) as ordered name/value pairs.
#[derive(Debug, Default, Clone)]
pub struct FormFields(Vec<(String, String)>);

impl FormFields {
    pub fn new(pairs: Vec<(String, String)>) -> Self {
        Self(pairs)
    }

    /// The first value of `name`, or `""` when absent.
    pub fn get(&self, name: &str) -> &str {
        self.0.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
    }

    /// The first value of `name`, trimmed, or `None` when absent or blank.
    pub fn opt(&self, name: &str) -> Option<&str> {
        Some(self.get(name).trim()).filter(|v| !v.is_empty())
    }

    /// Every value of `name`, in the order sent.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0.iter().filter(move |(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// The pairs whose value is not blank, for carrying a search into the next page's link.
    pub fn non_blank(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().filter(|(_, v)| !v.trim().is_empty()).map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

fn too_many(state: &AppState) -> Response {
    layout::bare_error(&state.config, &ApiError::bad_request(format!("a form may carry at most {MAX_FORM_FIELDS} fields")))
}

impl FromRequest<AppState> for FormFields {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        match Form::<Vec<(String, String)>>::from_request(req, state).await {
            Ok(Form(pairs)) if pairs.len() <= MAX_FORM_FIELDS => Ok(Self(pairs)),
            Ok(_) => Err(too_many(state)),
            Err(rejection) => {
                let status = if rejection.status().is_client_error() { rejection.status() } else { StatusCode::BAD_REQUEST };
                Err(layout::bare_error(&state.config, &ApiError::new(status, "bad_request", format!("the form could not be read: {}", rejection.body_text()))))
            }
        }
    }
}

/// The query string of a page, read the same way as a form.
pub struct QueryFields(pub FormFields);

impl FromRequestParts<AppState> for QueryFields {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        match Query::<Vec<(String, String)>>::from_request_parts(parts, state).await {
            Ok(Query(pairs)) if pairs.len() <= MAX_FORM_FIELDS => Ok(Self(FormFields(pairs))),
            Ok(_) => Err(too_many(state)),
            Err(rejection) => {
                Err(layout::bare_error(&state.config, &ApiError::bad_request(format!("the address could not be read: {}", rejection.body_text()))))
            }
        }
    }
}

/// Pairs as a query string, each name and value percent-encoded.
pub fn query_string<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish()
}

/// Per-field messages of one form, keyed like the JSON API's `fields` (`offender.cnic`).
pub type FieldErrors = BTreeMap<String, String>;

/// The field messages an error carries, or none.
pub fn field_errors(e: &ApiError) -> FieldErrors {
    e.body.fields.clone().unwrap_or_default()
}

/// Rupees as people type them (`5000`, `1,250.50`, `99.5`) to exact paisa, never through
/// a float: `"1250.50"` is 125050. More than two decimals is refused, not rounded.
pub fn rupees_to_paisa(input: &str) -> Result<i64, String> {
    hundredths(input).map_err(|e| e.replace("NUMBER", "an amount in rupees, e.g. 5000 or 1250.50").replace("DECIMALS", "paisa"))
}

/// A percentage (`10`, `12.5`) to exact basis points: `"12.5"` is 1250.
pub fn percent_to_basis_points(input: &str) -> Result<i64, String> {
    hundredths(input).map_err(|e| e.replace("NUMBER", "a percentage, e.g. 10 or 12.5").replace("DECIMALS", "hundredths of a percent"))
}

/// A decimal with at most two places as an integer count of hundredths. Errors carry the
/// placeholders NUMBER and DECIMALS for the caller's words.
fn hundredths(input: &str) -> Result<i64, String> {
    let compact: String = input.trim().chars().filter(|c| *c != ',').collect();
    let (whole, fraction) = compact.split_once('.').unwrap_or((compact.as_str(), ""));
    let digits_only = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits_only(whole) || !digits_only(fraction) || (compact.contains('.') && fraction.is_empty()) {
        return Err("must be NUMBER".into());
    }
    if fraction.len() > 2 {
        return Err("must have at most two decimals (DECIMALS)".into());
    }
    if whole.len() > 13 {
        return Err("is too large".into());
    }
    let units: i64 = whole.parse().map_err(|_| "is too large".to_string())?;
    let cents: i64 = match fraction.len() {
        0 => 0,
        1 => fraction.parse::<i64>().map_err(|_| "must be NUMBER".to_string())? * 10,
        _ => fraction.parse::<i64>().map_err(|_| "must be NUMBER".to_string())?,
    };
    units.checked_mul(100).and_then(|p| p.checked_add(cents)).ok_or_else(|| "is too large".to_string())
}

/// A calendar date typed as `YYYY-MM-DD` (what `<input type=date>` sends).
pub fn parse_date(input: &str) -> Result<Date, String> {
    crate::admin::parse_date("date", input).map_err(|e| match e {
        mahasil_domain::DomainError::Invalid { reason, .. } => reason,
        other => other.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rupees_are_exact() {
        assert_eq!(rupees_to_paisa("1250.50"), Ok(125_050));
        assert_eq!(rupees_to_paisa("1,250.5"), Ok(125_050));
        assert_eq!(rupees_to_paisa(" 5000 "), Ok(500_000));
        assert_eq!(rupees_to_paisa("0.07"), Ok(7));
        assert_eq!(rupees_to_paisa("0.1"), Ok(10));
        assert_eq!(percent_to_basis_points("12.5"), Ok(1250));
        assert_eq!(rupees_to_paisa("1.234"), Err("must have at most two decimals (paisa)".into()));
        for bad in ["", "12.345", "abc", "-5", "1e3", "5.", ".5", "1.2.3", "99999999999999"] {
            assert!(rupees_to_paisa(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn dates() {
        assert_eq!(parse_date("2026-03-01"), Ok(Date::constant(2026, 3, 1)));
        for bad in ["", "2026-3-1", "01-03-2026", "2026-02-30", "2026-03-01T00"] {
            assert!(parse_date(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn query_strings_are_encoded() {
        assert_eq!(query_string([("cnic", "17301-1234567-1"), ("q", "a b&c=d")]), "cnic=17301-1234567-1&q=a+b%26c%3Dd");
        let back: Vec<(String, String)> = form_urlencoded::parse(query_string([("q", "a b&c=d")]).as_bytes()).into_owned().collect();
        assert_eq!(back, [("q".to_string(), "a b&c=d".to_string())]);
    }

    #[test]
    fn repeated_and_absent_fields() {
        let f = FormFields::new(vec![("a".into(), "1".into()), ("b".into(), " ".into()), ("a".into(), "2".into())]);
        assert_eq!(f.get("a"), "1");
        assert_eq!(f.all("a").collect::<Vec<_>>(), ["1", "2"]);
        assert_eq!(f.get("zzz"), "");
        assert_eq!(f.opt("b"), None);
        assert_eq!(f.non_blank().count(), 2);
    }
}
