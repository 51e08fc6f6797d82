//! Reference data for clients: jurisdictions, departments, revenue heads and schedules.

use axum::Json;
use axum::extract::State;
use mahasil_domain::head::HeadCode;

use super::ApiPath;
use super::dto::{DepartmentDto, HeadDto, JurisdictionDto};
use crate::auth::ApiPrincipal;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::state::AppState;

#[utoipa::path(get, path = "/api/v1/jurisdictions", tag = "reference", security(("bearer" = [])), responses((status = 200, body = Vec<JurisdictionDto>)))]
pub async fn jurisdictions(State(state): State<AppState>, _who: ApiPrincipal) -> ApiResult<Json<Vec<JurisdictionDto>>> {
    let all = state.store.jurisdictions().await?;
    Ok(Json(
        all.into_iter()
            .map(|j| JurisdictionDto {
                slug: j.slug.to_string(),
                level: j.level.as_str().into(),
                parent: j.parent.map(|p| p.to_string()),
                name_en: j.name_en,
                name_ur: j.name_ur,
            })
            .collect(),
    ))
}

#[utoipa::path(get, path = "/api/v1/departments", tag = "reference", security(("bearer" = [])), responses((status = 200, body = Vec<DepartmentDto>)))]
pub async fn departments(State(state): State<AppState>, _who: ApiPrincipal) -> ApiResult<Json<Vec<DepartmentDto>>> {
    let all = state.store.departments().await?;
    Ok(Json(all.into_iter().map(|d| DepartmentDto { slug: d.slug.to_string(), name_en: d.name_en, name_ur: d.name_ur }).collect()))
}

/// Every revenue head (without schedules; fetch one head for its schedules).
#[utoipa::path(get, path = "/api/v1/heads", tag = "reference", security(("bearer" = [])), responses((status = 200, body = Vec<HeadDto>)))]
pub async fn heads(State(state): State<AppState>, _who: ApiPrincipal) -> ApiResult<Json<Vec<HeadDto>>> {
    let all = state.store.heads().await?;
    Ok(Json(all.iter().map(|h| HeadDto::new(h, &[])).collect()))
}

/// One head with every version of its fee schedule.
#[utoipa::path(get, path = "/api/v1/heads/{code}", tag = "reference", security(("bearer" = [])),
    params(("code" = String, Path, description = "head code, e.g. DA-ENC-01")),
    responses((status = 200, body = HeadDto), (status = 404, body = ErrorBody)))]
pub async fn head(State(state): State<AppState>, _who: ApiPrincipal, ApiPath(code): ApiPath<String>) -> ApiResult<Json<HeadDto>> {
    let code = HeadCode::parse(&code)?;
    let found = state.store.head(&code).await?.ok_or_else(|| ApiError::not_found(format!("no revenue head {code}")))?;
    Ok(Json(HeadDto::new(&found.head, &found.schedules)))
}
