//! Public verification: anyone may check a seal, ask a challan's signed status, and fetch
//! the trust list and revocation list that offline verifiers keep. No sign-in: these are
//! what a citizen's phone, a bank teller or an inspector's app call.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use jiff::Timestamp;
use mahasil_seal::StatusStatement;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApiPath, ApiQuery};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::seals::TrustBundle;
use crate::seals::check::{self, LiveStatus};
use crate::seals::revocations::{self, SignedRevocations};
use crate::state::AppState;

/// The result of checking a seal.
#[derive(Debug, Serialize, ToSchema)]
pub struct VerificationDto {
    /// `valid`, `invalid-signature`, `unknown-key`, `key-not-valid-for-this-use`,
    /// `revoked` or `malformed`.
    pub outcome: String,
    /// Why the outcome is not `valid`.
    pub reason: Option<String>,
    /// The signing key's kid (hex), when the seal could be decoded.
    pub kid: Option<String>,
    /// Every signed value, whenever the seal decodes; trust them only when `valid`.
    #[schema(value_type = Option<Object>)]
    pub claims: Option<serde_json::Value>,
    /// The challan's status now, for a seal that verified and a challan that is stored.
    pub live_status: Option<LiveStatusDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LiveStatusDto {
    /// `issued`, `contested`, `paid`, `cancelled` or `waived`.
    pub status: String,
    /// Open and past its due date today (Pakistan time).
    pub overdue: bool,
    /// `unpaid`, `overdue`, `paid`, `cancelled`, `contested` or `waived`.
    pub label: String,
}

impl From<LiveStatus> for LiveStatusDto {
    fn from(l: LiveStatus) -> Self {
        Self { status: l.status.as_str().into(), overdue: l.overdue, label: l.label().into() }
    }
}

/// Checks the seal in a QR code: its signature against the trust list, then the
/// challan's live status. A malformed token is still a 200 with outcome `malformed`.
#[utoipa::path(get, path = "/api/v1/verify/{token}", tag = "verification",
    params(("token" = String, Path, description = "the Base32 token of a /V/ URL")),
    responses((status = 200, body = VerificationDto)))]
pub async fn verify(State(state): State<AppState>, ApiPath(token): ApiPath<String>) -> ApiResult<Json<VerificationDto>> {
    let checked = check::check(&state, &token, Timestamp::now()).await?;
    let v = checked.verification;
    Ok(Json(VerificationDto {
        outcome: v.outcome.as_str().into(),
        reason: v.error.as_ref().map(ToString::to_string),
        kid: v.kid.map(|k| k.to_string()),
        claims: v.claims.as_ref().and_then(|c| serde_json::to_value(c).ok()),
        live_status: checked.live.map(LiveStatusDto::from),
    }))
}

/// A challan's status, signed with the node's status key.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatusDto {
    /// `IIIIII-CCCCCCCC-D`.
    pub challan_no: String,
    pub status: String,
    pub overdue: bool,
    /// When the status was read (RFC 3339).
    pub as_of: String,
    /// Standard Base64 of the signed statement (COSE_Sign1; testdata/seal-vectors).
    pub statement: String,
}

/// A challan's live status as a signed statement anyone can verify with the trust list.
#[utoipa::path(get, path = "/api/v1/status/{challan_no}", tag = "verification",
    params(("challan_no" = String, Path, description = "15 digits, dashes optional")),
    responses((status = 200, body = StatusDto), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn status(State(state): State<AppState>, ApiPath(no): ApiPath<String>) -> ApiResult<Json<StatusDto>> {
    let no = crate::actions::parse_challan_no(&no)?;
    let challan = state.store.challan_by_no(no).await?.ok_or_else(|| ApiError::not_found(format!("no challan {no}")))?;
    let now = Timestamp::now();
    let as_of = Timestamp::from_second(now.as_second()).map_err(|_| ApiError::internal())?;
    let statement = StatusStatement { challan_no: no, status: challan.status, receipt_no: None, as_of_s: as_of.as_second() };
    let signed = state.seals.sign_status(&statement).map_err(|e| {
        tracing::error!(error = %e, "cannot sign a status statement");
        ApiError::internal()
    })?;
    Ok(Json(StatusDto {
        challan_no: no.to_string(),
        status: challan.status.as_str().into(),
        overdue: LiveStatus::of(&challan, now).overdue,
        as_of: as_of.to_string(),
        statement: base64::engine::general_purpose::STANDARD.encode(signed),
    }))
}

/// The newest trust list, with the authority public key that signed it.
#[utoipa::path(get, path = "/api/v1/trust-list", tag = "verification", responses((status = 200, body = TrustBundle)))]
pub async fn trust_list(State(state): State<AppState>) -> Response {
    short_cache(Json(state.seals.bundle()).into_response())
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct RevocationsQuery {
    /// The version the caller holds; 0 (or absent) for the full list.
    #[serde(default)]
    pub since: u64,
}

/// The signed revocation list of cancelled challans: full (`since=0`) or the delta since
/// a version the caller holds (`document` is null when nothing changed).
#[utoipa::path(get, path = "/api/v1/revocations", tag = "verification", params(RevocationsQuery),
    responses((status = 200, body = SignedRevocations), (status = 400, body = ErrorBody)))]
pub async fn revocation_list(State(state): State<AppState>, ApiQuery(q): ApiQuery<RevocationsQuery>) -> ApiResult<Response> {
    let signed = revocations::signed(&state.seals, &state.store, q.since, Timestamp::now()).await.map_err(|e| {
        tracing::error!(error = %e, "cannot build the revocation list");
        ApiError::internal()
    })?;
    Ok(short_cache(Json(signed).into_response()))
}

/// Lists change rarely but must not be stale for long: a minute of caching at most.
fn short_cache(mut response: Response) -> Response {
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=60"));
    response
}
