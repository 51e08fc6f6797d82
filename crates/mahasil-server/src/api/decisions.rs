//! Maker-checker cancellation and contests (appeals).

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use jiff::Timestamp;
use mahasil_domain::authz::Action;
use serde::de::DeserializeOwned;
use uuid::Uuid;

use super::dto::{CancellationRequestDto, ContestDto, DecisionInput, GroundsInput, ReasonInput};
use super::{ApiJson, ApiPath};
use crate::actions;
use crate::auth::ApiPrincipal;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::state::AppState;

/// Most items a queue answer lists.
pub const QUEUE_LIMIT: u32 = 200;

/// A JSON body that may be left out entirely.
fn optional_body<T: DeserializeOwned + Default>(body: &Bytes) -> ApiResult<T> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(body).map_err(|e| {
        if e.is_syntax() || e.is_eof() {
            ApiError::bad_request(format!("malformed JSON: {e}"))
        } else {
            ApiError::unprocessable("invalid_json", format!("the JSON does not fit: {e}"))
        }
    })
}

/// An officer asks a supervisor to cancel, or to waive, one of their own challans.
#[utoipa::path(post, path = "/api/v1/challans/{challan_no}/cancellation-requests", tag = "cancellation", security(("bearer" = [])), request_body = ReasonInput,
    params(("challan_no" = String, Path)),
    responses((status = 201, body = CancellationRequestDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "already pending, or the challan can no longer be cancelled")))]
pub async fn request_cancellation(
    State(state): State<AppState>,
    ApiPrincipal(who): ApiPrincipal,
    ApiPath(no): ApiPath<String>,
    ApiJson(input): ApiJson<ReasonInput>,
) -> ApiResult<(StatusCode, Json<CancellationRequestDto>)> {
    let no = actions::parse_challan_no(&no)?;
    let request = actions::request_cancellation(&state, &who, no, input.kind.as_deref(), &input.reason, Timestamp::now()).await?;
    Ok((StatusCode::CREATED, Json(CancellationRequestDto::from(&request))))
}

/// Pending cancellation requests the caller may decide, oldest first.
#[utoipa::path(get, path = "/api/v1/cancellation-requests", tag = "cancellation", security(("bearer" = [])),
    responses((status = 200, body = Vec<CancellationRequestDto>), (status = 403, body = ErrorBody)))]
pub async fn pending_cancellations(State(state): State<AppState>, ApiPrincipal(who): ApiPrincipal) -> ApiResult<Json<Vec<CancellationRequestDto>>> {
    let scope = who.require_somewhere(Action::DecideCancellation)?;
    let pending = state.store.pending_cancellations(&scope, QUEUE_LIMIT).await?;
    Ok(Json(pending.iter().map(CancellationRequestDto::from).collect()))
}

#[utoipa::path(get, path = "/api/v1/cancellation-requests/{id}", tag = "cancellation", security(("bearer" = [])),
    params(("id" = Uuid, Path)), responses((status = 200, body = CancellationRequestDto), (status = 404, body = ErrorBody)))]
pub async fn cancellation_request(
    State(state): State<AppState>,
    ApiPrincipal(who): ApiPrincipal,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<CancellationRequestDto>> {
    let request = state
        .store
        .cancellation_request(id)
        .await?
        .filter(|r| who.may(Action::ReadChallan, &r.district, &r.department))
        .ok_or_else(|| ApiError::not_found(format!("no cancellation request {id}")))?;
    Ok(Json(CancellationRequestDto::from(&request)))
}

async fn decide_cancellation(
    state: &AppState,
    who: &mahasil_domain::authz::Principal,
    id: Uuid,
    approve: bool,
    body: &Bytes,
) -> ApiResult<Json<CancellationRequestDto>> {
    let input: DecisionInput = optional_body(body)?;
    let decided = actions::decide_cancellation(state, who, id, approve, &input.note, Timestamp::now()).await?;
    Ok(Json(CancellationRequestDto::from(&decided)))
}

/// A supervisor of the challan's scope, not the requester, approves: the challan is cancelled.
#[utoipa::path(post, path = "/api/v1/cancellation-requests/{id}/approve", tag = "cancellation", security(("bearer" = [])), request_body(content = DecisionInput, description = "optional"),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = CancellationRequestDto), (status = 403, body = ErrorBody, description = "own request, or outside scope"), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "already decided, or the challan was paid")))]
pub async fn approve_cancellation(
    State(state): State<AppState>,
    ApiPrincipal(who): ApiPrincipal,
    ApiPath(id): ApiPath<Uuid>,
    body: Bytes,
) -> ApiResult<Json<CancellationRequestDto>> {
    decide_cancellation(&state, &who, id, true, &body).await
}

/// A supervisor rejects the request: the challan stands.
#[utoipa::path(post, path = "/api/v1/cancellation-requests/{id}/reject", tag = "cancellation", security(("bearer" = [])), request_body(content = DecisionInput, description = "optional"),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = CancellationRequestDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn reject_cancellation(
    State(state): State<AppState>,
    ApiPrincipal(who): ApiPrincipal,
    ApiPath(id): ApiPath<Uuid>,
    body: Bytes,
) -> ApiResult<Json<CancellationRequestDto>> {
    decide_cancellation(&state, &who, id, false, &body).await
}

/// Records a contest (appeal) with its grounds; the challan becomes `contested`.
#[utoipa::path(post, path = "/api/v1/challans/{challan_no}/contests", tag = "contests", security(("bearer" = [])), request_body = GroundsInput,
    params(("challan_no" = String, Path)),
    responses((status = 201, body = ContestDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn record_contest(
    State(state): State<AppState>,
    ApiPrincipal(who): ApiPrincipal,
    ApiPath(no): ApiPath<String>,
    ApiJson(input): ApiJson<GroundsInput>,
) -> ApiResult<(StatusCode, Json<ContestDto>)> {
    let no = actions::parse_challan_no(&no)?;
    let contest = actions::record_contest(&state, &who, no, &input.grounds, Timestamp::now()).await?;
    Ok((StatusCode::CREATED, Json(ContestDto::from(&contest))))
}

/// Open contests the caller may decide, oldest first.
#[utoipa::path(get, path = "/api/v1/contests", tag = "contests", security(("bearer" = [])), responses((status = 200, body = Vec<ContestDto>), (status = 403, body = ErrorBody)))]
pub async fn open_contests(State(state): State<AppState>, ApiPrincipal(who): ApiPrincipal) -> ApiResult<Json<Vec<ContestDto>>> {
    let scope = who.require_somewhere(Action::DecideContest)?;
    let open = state.store.open_contests(&scope, QUEUE_LIMIT).await?;
    Ok(Json(open.iter().map(ContestDto::from).collect()))
}

async fn decide_contest(state: &AppState, who: &mahasil_domain::authz::Principal, id: Uuid, uphold: bool, body: &Bytes) -> ApiResult<Json<ContestDto>> {
    let input: DecisionInput = optional_body(body)?;
    let decided = actions::decide_contest(state, who, id, uphold, &input.note, Timestamp::now()).await?;
    Ok(Json(ContestDto::from(&decided)))
}

/// Upholds a contest: the challan stands and is `issued` again.
#[utoipa::path(post, path = "/api/v1/contests/{id}/uphold", tag = "contests", security(("bearer" = [])), request_body(content = DecisionInput, description = "optional"),
    params(("id" = Uuid, Path)), responses((status = 200, body = ContestDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn uphold_contest(
    State(state): State<AppState>,
    ApiPrincipal(who): ApiPrincipal,
    ApiPath(id): ApiPath<Uuid>,
    body: Bytes,
) -> ApiResult<Json<ContestDto>> {
    decide_contest(&state, &who, id, true, &body).await
}

/// Quashes a contest: the challan is cancelled.
#[utoipa::path(post, path = "/api/v1/contests/{id}/quash", tag = "contests", security(("bearer" = [])), request_body(content = DecisionInput, description = "optional"),
    params(("id" = Uuid, Path)), responses((status = 200, body = ContestDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn quash_contest(
    State(state): State<AppState>,
    ApiPrincipal(who): ApiPrincipal,
    ApiPath(id): ApiPath<Uuid>,
    body: Bytes,
) -> ApiResult<Json<ContestDto>> {
    decide_contest(&state, &who, id, false, &body).await
}
