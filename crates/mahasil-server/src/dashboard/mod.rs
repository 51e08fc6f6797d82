//! `/dashboard`: where leadership sees revenue at a glance, where it is heading, and what
//! looks wrong, within their own districts and departments. Every figure comes from the
//! rollups (`mahasil_store::insight`), never from the challan table; every table can be
//! downloaded as CSV; every chart is also a table; English and Urdu.

pub mod filter;
mod flags;
pub mod forecasts;
pub mod labels;
mod render;
pub mod scan;
pub mod table;
pub mod view;

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use jiff::Timestamp;
use mahasil_domain::authz::{Action, Scope};
use mahasil_domain::jurisdiction::Level;

use self::filter::Filter;
use self::render::Choices;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::web::form::QueryFields;
use crate::web::layout;
use crate::web::staff::Staff;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/dashboard", get(page))
        .route("/dashboard/export/{file}", get(export))
        .route("/dashboard/flags", get(flags::list))
        .route("/dashboard/flags/{id}", axum::routing::post(flags::decide))
        .route("/assets/dashboard/{*path}", get(asset))
}

/// The filter's district, department and head must exist; the form offers what does.
async fn choices(staff: &Staff, scope: &Scope, f: &Filter) -> ApiResult<Choices> {
    let store = &staff.state.store;
    let (places, departments, heads) = tokio::try_join!(store.jurisdictions(), store.departments(), store.heads())?;
    let in_scope_district = |d: &str| match scope {
        Scope::Everywhere => true,
        Scope::Pairs(pairs) => pairs.iter().any(|(district, _)| district.as_ref().is_none_or(|x| x.as_str() == d)),
    };
    let mut c = Choices {
        districts: places
            .iter()
            .filter(|p| p.level == Level::District && in_scope_district(p.slug.as_str()))
            .map(|p| (p.slug.to_string(), label(f, &p.name_en, &p.name_ur)))
            .collect(),
        departments: departments.iter().map(|d| (d.slug.to_string(), label(f, &d.name_en, &d.name_ur))).collect(),
        heads: heads.iter().map(|h| (h.code.to_string(), format!("{} {}", h.code, label(f, &h.title_en, &h.title_ur)))).collect(),
    };
    c.districts.sort_by(|a, b| a.1.cmp(&b.1));
    let known = |list: &[(String, String)], v: Option<String>, what: &str| match v {
        Some(v) if !list.iter().any(|(k, _)| *k == v) => Err(ApiError::not_found(format!("{what} {v} is not one of yours"))),
        _ => Ok(()),
    };
    known(&c.districts, f.district.as_ref().map(ToString::to_string), "district")?;
    known(&c.departments, f.department.as_ref().map(ToString::to_string), "department")?;
    known(&c.heads, f.head.as_ref().map(ToString::to_string), "revenue head")?;
    Ok(c)
}

fn label(f: &Filter, en: &str, ur: &str) -> String {
    if f.lang == labels::Lang::Ur && !ur.is_empty() { ur.to_string() } else { en.to_string() }
}

/// `GET /dashboard`.
async fn page(staff: Staff, QueryFields(query): QueryFields) -> Response {
    let result = async {
        let scope = staff.require(Action::ViewDashboard)?;
        let f = Filter::parse(&query)?;
        let choices = choices(&staff, &scope, &f).await?;
        let overview = view::gather(&staff.state.store, &scope, &f, Timestamp::now()).await?;
        let snapshot = staff.state.caches.forecasts.read().ok().and_then(|s| s.clone());
        let forecast = snapshot.as_deref().and_then(|s| s.pick(&f, &scope));
        let note = match &snapshot {
            None => "Forecasts are being computed; they appear here within a few minutes of start-up.",
            Some(_) if forecast.is_none() => "No forecast for this choice: forecasts are made for the province, each district, each department and each revenue head (choose one of them alone), and shown only within your scope.",
            Some(_) => "",
        };
        let open_flags = staff.state.store.count_open_flags(&scope).await?;
        let content = render::page(&overview, &f, &choices, forecast, note, Some(open_flags));
        Ok(layout::respond_scripted(StatusCode::OK, layout::shell(&staff.state.config, Some(&staff.session), labels::DASHBOARD.t(f.lang), content)))
    }
    .await;
    staff.finish(result)
}

/// `GET /dashboard/export/{id}.csv`: one of the page's tables, with the page's filter.
async fn export(staff: Staff, Path(file): Path<String>, QueryFields(query): QueryFields) -> Response {
    let result = async {
        let scope = staff.require(Action::ViewDashboard)?;
        let f = Filter::parse(&query)?;
        choices(&staff, &scope, &f).await?;
        let id = file.strip_suffix(".csv").ok_or_else(|| ApiError::not_found(format!("no export {file}: exports end in .csv")))?;
        let overview = view::gather(&staff.state.store, &scope, &f, Timestamp::now()).await?;
        let csv = match id {
            "kpis" => render::kpi_table(&overview).csv(),
            "series" => render::series_table(&overview).csv(),
            "forecast" => {
                let snapshot = staff.state.caches.forecasts.read().ok().and_then(|s| s.clone());
                let fc = snapshot.as_deref().and_then(|s| s.pick(&f, &scope)).ok_or_else(|| ApiError::not_found("no forecast for this choice"))?;
                let made = fc.forecast.as_ref().map_err(|e| ApiError::not_found(format!("no forecast for this choice: {e}")))?;
                render::forecast_table(fc, made).csv()
            }
            other => overview.table(other).ok_or_else(|| ApiError::not_found(format!("no table {other}")))?.csv(),
        };
        let mut response = csv.into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"mahasil-{id}.csv\"")) {
            headers.insert(header::CONTENT_DISPOSITION, v);
        }
        Ok(response)
    }
    .await;
    staff.finish(result)
}

/// The browser side, embedded: nothing is loaded from another host.
const ASSETS: [(&str, &str, &str); 6] = [
    ("dashboard.js", "text/javascript; charset=utf-8", include_str!("../../assets/dashboard/dashboard.js")),
    ("chartspec.js", "text/javascript; charset=utf-8", include_str!("../../assets/dashboard/chartspec.js")),
    ("dashboard.css", "text/css; charset=utf-8", include_str!("../../assets/dashboard/dashboard.css")),
    ("vendor/uPlot.iife.min.js", "text/javascript; charset=utf-8", include_str!("../../assets/dashboard/vendor/uPlot.iife.min.js")),
    ("vendor/uPlot.min.css", "text/css; charset=utf-8", include_str!("../../assets/dashboard/vendor/uPlot.min.css")),
    ("vendor/uPlot.LICENSE", "text/plain; charset=utf-8", include_str!("../../assets/dashboard/vendor/uPlot.LICENSE")),
];

/// `GET /assets/dashboard/{path}`.
async fn asset(Path(path): Path<String>) -> Response {
    let found = if path == "map.css" {
        Some(("text/css; charset=utf-8", mahasil_insight::map::MAP_CSS))
    } else {
        ASSETS.iter().find(|(name, _, _)| *name == path).map(|(_, kind, body)| (*kind, *body))
    };
    let Some((kind, body)) = found else { return (StatusCode::NOT_FOUND, "no such file").into_response() };
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response
}
