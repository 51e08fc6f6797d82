//! What a dashboard page is narrowed to, read from its query string: district, department
//! and head (the drill-down), the window of days, the dimension the revenue chart is broken
//! down by, and the language. Every value is checked; a wrong one is a 400 naming it.

use mahasil_domain::authz::Scope;
use mahasil_domain::head::HeadCode;
use mahasil_domain::jurisdiction::Slug;
use mahasil_store::insight::{Dimension, InsightFilter};

use super::labels::Lang;
use crate::error::{ApiError, ApiResult};
use crate::web::form::FormFields;

/// The windows a page offers, in days.
/// Longer spans are read by issue month (the cohort table), which stays small however long.
pub const WINDOWS: [i64; 3] = [30, 90, 180];
/// The window shown when none is asked for.
pub const DEFAULT_WINDOW: i64 = 90;

#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    pub district: Option<Slug>,
    pub department: Option<Slug>,
    pub head: Option<HeadCode>,
    pub days: i64,
    pub by: Dimension,
    pub lang: Lang,
}

impl Default for Filter {
    fn default() -> Self {
        Self { district: None, department: None, head: None, days: DEFAULT_WINDOW, by: Dimension::District, lang: Lang::En }
    }
}

fn bad(field: &str, value: &str, why: &str) -> ApiError {
    ApiError::bad_request(format!("{field}: {value:?} {why}"))
}

impl Filter {
    pub fn parse(q: &FormFields) -> ApiResult<Self> {
        let mut f = Self::default();
        if let Some(v) = q.opt("district") {
            f.district = Some(Slug::parse(v).map_err(|_| bad("district", v, "is not a district"))?);
        }
        if let Some(v) = q.opt("department") {
            f.department = Some(Slug::parse(v).map_err(|_| bad("department", v, "is not a department"))?);
        }
        if let Some(v) = q.opt("head") {
            f.head = Some(HeadCode::parse(v).map_err(|_| bad("head", v, "is not a revenue head code"))?);
        }
        if let Some(v) = q.opt("days") {
            f.days = v.parse().ok().filter(|d| WINDOWS.contains(d)).ok_or_else(|| bad("days", v, "is not one of 30, 90, 180"))?;
        }
        if let Some(v) = q.opt("by") {
            f.by = Dimension::parse(v).ok_or_else(|| bad("by", v, "is not district, department or head"))?;
        }
        if let Some(v) = q.opt("lang") {
            f.lang = Lang::parse(v).ok_or_else(|| bad("lang", v, "is not en or ur"))?;
        }
        Ok(f)
    }

    /// The store's filter: the viewer's scope, narrowed.
    pub fn store_filter(&self, scope: &Scope) -> InsightFilter {
        InsightFilter {
            scope: scope.clone(),
            district: self.district.clone(),
            department: self.department.clone(),
            head: self.head.as_ref().map(ToString::to_string),
        }
    }

    /// This filter as a query string, with `changes` applied (`None` removes a key).
    pub fn query(&self, changes: &[(&str, Option<&str>)]) -> String {
        let days = self.days.to_string();
        let head = self.head.as_ref().map(ToString::to_string);
        let mut pairs: Vec<(&str, Option<&str>)> = vec![
            ("district", self.district.as_ref().map(Slug::as_str)),
            ("department", self.department.as_ref().map(Slug::as_str)),
            ("head", head.as_deref()),
            ("days", (self.days != DEFAULT_WINDOW).then_some(days.as_str())),
            ("by", (self.by != Dimension::District).then_some(self.by.as_str())),
            ("lang", (self.lang != Lang::En).then_some(self.lang.code())),
        ];
        for (key, value) in changes {
            if let Some(p) = pairs.iter_mut().find(|(k, _)| k == key) {
                p.1 = *value;
            }
        }
        let mut out = form_urlencoded::Serializer::new(String::new());
        for (k, v) in pairs {
            if let Some(v) = v {
                out.append_pair(k, v);
            }
        }
        let s = out.finish();
        if s.is_empty() { s } else { format!("?{s}") }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> FormFields {
        FormFields::new(pairs.iter().map(|(k, v)| ((*k).to_string(), (*v).to_string())).collect())
    }

    #[test]
    fn a_filter_round_trips_through_its_query_string() -> ApiResult<()> {
        let f = Filter::parse(&fields(&[("district", "peshawar"), ("days", "180"), ("by", "head"), ("lang", "ur")]))?;
        assert_eq!(f.query(&[]), "?district=peshawar&days=180&by=head&lang=ur");
        assert_eq!(f.query(&[("district", None), ("head", Some("DA-ENC-01"))]), "?head=DA-ENC-01&days=180&by=head&lang=ur");
        assert_eq!(Filter::default().query(&[]), "");
        Ok(())
    }

    #[test]
    fn a_wrong_value_is_named() {
        for (k, v) in [("days", "7"), ("days", "x"), ("by", "officer"), ("lang", "fr"), ("district", "Not A Slug"), ("head", "bad code!")] {
            let e = Filter::parse(&fields(&[(k, v)])).err().map(|e| e.body.message).unwrap_or_default();
            assert!(e.starts_with(k), "{k}={v}: {e}");
        }
    }
}
