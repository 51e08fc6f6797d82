//! Challans: issue, fetch one with its history, search.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use jiff::Timestamp;
use jiff::civil::Date;
use mahasil_domain::authz::Action;
use mahasil_domain::challan::ChallanStatus;
use mahasil_domain::head::HeadCode;
use mahasil_domain::identity::{Cnic, Mobile, VehicleNo};
use mahasil_domain::jurisdiction::Slug;
use mahasil_domain::time::local_date;
use mahasil_store::{ChallanQuery, MAX_PAGE_SIZE};
use serde::Deserialize;
use utoipa::IntoParams;

use super::dto::{CancellationRequestDto, ChallanDetailDto, ChallanDto, ChallanPageDto, ContestDto, EventDto, IssuedDto};
use super::{ApiJson, ApiPath, ApiQuery};
use crate::actions::{self, Fields, IssueChallanInput};
use crate::auth::ApiPrincipal;
use crate::error::{ApiResult, ErrorBody};
use crate::state::AppState;

/// Issues a challan in the officer's scope. Amounts are frozen from the head's fee
/// schedule in force today; `amount_paisa` only for heads with a range.
#[utoipa::path(post, path = "/api/v1/challans", tag = "challans", security(("bearer" = [])), request_body = IssueChallanInput,
    responses(
        (status = 201, body = IssuedDto, description = "issued and durably stored"),
        (status = 400, body = ErrorBody, description = "malformed JSON"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody, description = "outside the officer's scope"),
        (status = 409, body = ErrorBody, description = "the id was already used"),
        (status = 413, body = ErrorBody), (status = 422, body = ErrorBody, description = "a field is invalid; `fields` names each")))]
pub async fn issue(
    State(state): State<AppState>,
    ApiPrincipal(who): ApiPrincipal,
    ApiJson(input): ApiJson<IssueChallanInput>,
) -> ApiResult<(StatusCode, Json<IssuedDto>)> {
    let record = actions::issue_challan(&state, &who, &input, Timestamp::now()).await?;
    Ok((StatusCode::CREATED, Json(IssuedDto::new(&record, &state.config.public_base_url))))
}

/// A challan by its number, with its status, history, cancellation requests and contests.
#[utoipa::path(get, path = "/api/v1/challans/{challan_no}", tag = "challans", security(("bearer" = [])),
    params(("challan_no" = String, Path, description = "15 digits, dashes optional")),
    responses((status = 200, body = ChallanDetailDto), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody, description = "not a valid challan number")))]
pub async fn get_one(State(state): State<AppState>, ApiPrincipal(who): ApiPrincipal, ApiPath(no): ApiPath<String>) -> ApiResult<Json<ChallanDetailDto>> {
    let no = actions::parse_challan_no(&no)?;
    let challan = actions::readable_challan(&state, &who, no).await?;
    let history = state.store.challan_events(challan.id).await?;
    let requests = state.store.challan_cancellations(challan.id).await?;
    let contests = state.store.challan_contests(challan.id).await?;
    Ok(Json(ChallanDetailDto {
        challan: ChallanDto::new(&challan, Timestamp::now()),
        seal_url: challan.seal.as_deref().map(|seal| mahasil_seal::qr_url(&state.config.public_base_url, seal)),
        history: history.iter().map(EventDto::from).collect(),
        cancellation_requests: requests.iter().map(CancellationRequestDto::from).collect(),
        contests: contests.iter().map(ContestDto::from).collect(),
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct SearchParams {
    pub cnic: Option<String>,
    pub mobile: Option<String>,
    pub vehicle_no: Option<String>,
    /// `issued`, `contested`, `paid`, `cancelled`, `waived`, or `overdue` (derived).
    pub status: Option<String>,
    pub district: Option<String>,
    pub head_code: Option<String>,
    /// Issue date from, `YYYY-MM-DD` inclusive (Pakistan time).
    pub from: Option<String>,
    /// Issue date to, `YYYY-MM-DD` inclusive.
    pub to: Option<String>,
    /// Cursor from the previous page's `next`.
    pub after: Option<String>,
    /// Page size, 1..=200 (default 50).
    pub limit: Option<u32>,
}

fn nonblank(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn parse_date(field: &'static str, v: &str) -> Result<Date, mahasil_domain::DomainError> {
    v.parse::<Date>().map_err(|_| mahasil_domain::DomainError::Invalid { field, reason: "must be a date YYYY-MM-DD".into() })
}

/// Builds a store query from search parameters, naming every bad one. Shared with pages.
pub fn build_query(p: &SearchParams, scope: mahasil_domain::authz::Scope, now: Timestamp) -> ApiResult<ChallanQuery> {
    let mut f = Fields::default();
    let mut q = ChallanQuery::new(scope);
    q.cnic = nonblank(&p.cnic).and_then(|v| f.take("cnic", Cnic::parse(v)));
    q.mobile = nonblank(&p.mobile).and_then(|v| f.take("mobile", Mobile::parse(v)));
    q.vehicle_no = nonblank(&p.vehicle_no).and_then(|v| f.take("vehicle_no", VehicleNo::parse(v)));
    match nonblank(&p.status) {
        Some("overdue") => q.overdue_on = Some(local_date(now)),
        Some(s) => q.status = f.take("status", ChallanStatus::parse(s)),
        None => {}
    }
    q.district = nonblank(&p.district).and_then(|v| f.take("district", Slug::parse_field("district", v)));
    q.head_code = nonblank(&p.head_code).and_then(|v| f.take("head_code", HeadCode::parse(v))).map(|h| h.to_string());
    q.issued_from = nonblank(&p.from).and_then(|v| f.take("from", parse_date("from", v)));
    q.issued_to = nonblank(&p.to).and_then(|v| f.take("to", parse_date("to", v)));
    q.after = nonblank(&p.after).and_then(|v| v.parse::<i64>().map_err(|_| f.add("after", "must be the `next` value of the previous page")).ok());
    match p.limit {
        Some(n) if n == 0 || n > MAX_PAGE_SIZE => f.add("limit", format!("must be 1..={MAX_PAGE_SIZE}")),
        Some(n) => q.limit = n,
        None => {}
    }
    if let (Some(from), Some(to)) = (q.issued_from, q.issued_to)
        && from > to
    {
        f.add("from", "must not be after `to`");
    }
    if f.is_empty() { Ok(q) } else { Err(f.into_error()) }
}

/// Challans in the caller's scope, newest first, filtered; keyset pagination.
#[utoipa::path(get, path = "/api/v1/challans", tag = "challans", security(("bearer" = [])), params(SearchParams),
    responses((status = 200, body = ChallanPageDto), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn search(
    State(state): State<AppState>,
    ApiPrincipal(who): ApiPrincipal,
    ApiQuery(params): ApiQuery<SearchParams>,
) -> ApiResult<Json<ChallanPageDto>> {
    let scope = who.require_somewhere(Action::ReadChallan)?;
    let now = Timestamp::now();
    let query = build_query(&params, scope, now)?;
    let page = state.store.search_challans(&query).await?;
    Ok(Json(ChallanPageDto { items: page.items.iter().map(|c| ChallanDto::new(c, now)).collect(), next: page.next.map(|n| n.to_string()) }))
}
