//! Enrolling a field device (its officer, online, once), and the admin's view of every
//! device: last sync, missing counters, flags, and revocation.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use jiff::Timestamp;
use mahasil_domain::authz::Action;
use mahasil_domain::identity::Text;
use mahasil_seal::PublicKey;
use mahasil_store::{Actor, DeviceRecord, DeviceSummary, NewDevice, StoreError};
use mahasil_sync::signing::{enrol_proof_message, from_b64u};
use mahasil_sync::wire::{Certificate, EnrolRequest, Enrolled};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::api::{ApiJson, ApiPath};
use crate::auth::extract::ApiPrincipal;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Longest device label.
pub const MAX_LABEL_CHARS: usize = 100;
/// Most missing-counter ranges and flags one device's page shows.
pub const DETAIL_LIMIT: u32 = 200;

#[utoipa::path(post, path = "/api/v1/devices", tag = "devices", request_body = EnrolRequest, security(("bearer" = [])),
    responses((status = 201, body = Enrolled), (status = 400, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn enrol(
    State(state): State<AppState>,
    ApiPrincipal(who): ApiPrincipal,
    ApiJson(input): ApiJson<EnrolRequest>,
) -> ApiResult<(StatusCode, Json<Enrolled>)> {
    who.require_somewhere(Action::IssueChallan)?;
    let now = Timestamp::now();
    if input.public_key.bytes().any(|b| b.is_ascii_uppercase()) {
        return Err(ApiError::bad_request("public_key must be lower-case hex"));
    }
    let sec1 = hex::decode(&input.public_key).map_err(|_| ApiError::bad_request("public_key is not hex"))?;
    let key = PublicKey::from_sec1(&sec1).map_err(|_| ApiError::bad_request("public_key is not a P-256 public key (65-byte uncompressed SEC1)"))?;
    let label = Text::parse_field("label", &input.label, MAX_LABEL_CHARS)?;
    let proof = from_b64u("proof", &input.proof).map_err(|e| ApiError::bad_request(e.to_string()))?;
    if !key.verifies(&enrol_proof_message(&who.username, &input.public_key), &proof) {
        return Err(ApiError::bad_request("proof does not verify: sign \"mahasil-enrol\\n\" + username + \"\\n\" + public_key with the device key"));
    }
    let actor = Actor::from(&who);
    let new = NewDevice { id: Uuid::now_v7(), officer_id: who.user_id, label: label.as_str().into(), public_key: sec1, kid: key.kid().to_string() };
    let device = state.store.enrol_device(&new, &actor, now).await?;
    state.seals.enrol_device(&key, device.issuer_no, &actor, now).await.map_err(|e| {
        tracing::error!(device = %device.id, error = %e, "a device was registered but its key could not be added to the trust list");
        ApiError::unavailable(format!("the device's key could not be added to the trust list ({e}); enrol again"))
    })?;
    tracing::info!(device = %device.id, issuer = %device.issuer_no, officer = %who.username, "field device enrolled");
    Ok((
        StatusCode::CREATED,
        Json(Enrolled {
            device_id: device.id,
            issuer_no: device.issuer_no.get(),
            kid: device.kid.clone(),
            officer: who.username.clone(),
            enrolled_at: device.enrolled_at,
            certificate: Certificate { trust_list: state.seals.bundle() },
        }),
    ))
}

/// A device as the admin sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeviceDto {
    pub id: Uuid,
    pub issuer_no: u32,
    pub kid: String,
    pub label: String,
    pub officer: String,
    #[schema(value_type = String)]
    pub enrolled_at: Timestamp,
    /// `active` or `revoked`.
    pub status: String,
    #[schema(value_type = Option<String>)]
    pub revoked_at: Option<Timestamp>,
    #[schema(value_type = Option<String>)]
    pub compromised_from: Option<Timestamp>,
    pub revoke_reason: Option<String>,
    /// Two challans arrived with one number: the device's state was copied.
    pub cloned: bool,
    #[schema(value_type = Option<String>)]
    pub last_sync_at: Option<Timestamp>,
    pub last_counter_received: u32,
    pub challans_received: u64,
    pub missing_counters: u64,
    pub flags: u64,
}

impl DeviceDto {
    pub fn new(d: &DeviceRecord, challans_received: u64, missing_counters: u64, flags: u64) -> Self {
        Self {
            id: d.id,
            issuer_no: d.issuer_no.get(),
            kid: d.kid.clone(),
            label: d.label.clone(),
            officer: d.officer_username.clone(),
            enrolled_at: d.enrolled_at,
            status: d.status.as_str().into(),
            revoked_at: d.revoked_at,
            compromised_from: d.compromised_from,
            revoke_reason: d.revoke_reason.clone(),
            cloned: d.cloned,
            last_sync_at: d.last_sync_at,
            last_counter_received: d.last_counter_received,
            challans_received,
            missing_counters,
            flags,
        }
    }
}

impl From<&DeviceSummary> for DeviceDto {
    fn from(s: &DeviceSummary) -> Self {
        Self::new(&s.device, s.challans_received, s.missing_counters, s.flags)
    }
}

/// One device with its missing counters and flags.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeviceDetailDto {
    #[serde(flatten)]
    pub device: DeviceDto,
    /// Counters below the highest received that never arrived (inclusive ranges).
    pub gaps: Vec<(u32, u32)>,
    pub flag_list: Vec<FlagDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FlagDto {
    pub kind: String,
    pub detail: String,
    pub op_id: Option<Uuid>,
    pub challan_no: Option<String>,
    #[schema(value_type = String)]
    pub at: Timestamp,
}

#[utoipa::path(get, path = "/api/v1/devices", tag = "devices", security(("bearer" = [])),
    responses((status = 200, body = Vec<DeviceDto>), (status = 403, body = crate::error::ErrorBody)))]
pub async fn list(State(state): State<AppState>, ApiPrincipal(who): ApiPrincipal) -> ApiResult<Json<Vec<DeviceDto>>> {
    who.require_somewhere(Action::ManageDevices)?;
    Ok(Json(state.store.devices().await?.iter().map(DeviceDto::from).collect()))
}

/// One device, with its gaps and flags.
pub async fn detail(state: &AppState, id: Uuid) -> ApiResult<DeviceDetailDto> {
    let summary = state.store.devices().await?.into_iter().find(|s| s.device.id == id).ok_or_else(|| ApiError::not_found(format!("no device {id}")))?;
    detail_of(state, &summary).await
}

/// A listed device's gaps and flags.
pub async fn detail_of(state: &AppState, summary: &DeviceSummary) -> ApiResult<DeviceDetailDto> {
    let id = summary.device.id;
    let gaps = state.store.device_gaps(id, DETAIL_LIMIT).await?;
    let flags = state.store.device_flags(id, DETAIL_LIMIT).await?;
    Ok(DeviceDetailDto {
        device: DeviceDto::from(summary),
        gaps,
        flag_list: flags
            .into_iter()
            .map(|f| FlagDto { kind: f.kind.as_str().into(), detail: f.detail, op_id: f.op_id, challan_no: f.challan_no.map(|n| n.digits()), at: f.at })
            .collect(),
    })
}

#[utoipa::path(get, path = "/api/v1/devices/{id}", tag = "devices", security(("bearer" = [])), params(("id" = Uuid, Path, description = "device id")),
    responses((status = 200, body = DeviceDetailDto), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn one(State(state): State<AppState>, ApiPrincipal(who): ApiPrincipal, ApiPath(id): ApiPath<Uuid>) -> ApiResult<Json<DeviceDetailDto>> {
    who.require_somewhere(Action::ManageDevices)?;
    Ok(Json(detail(&state, id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevokeInput {
    /// From when the key is to be treated as in other hands; default now. Ops and seals
    /// dated from then on are rejected.
    #[schema(value_type = Option<String>)]
    pub compromised_from: Option<Timestamp>,
    pub reason: String,
}

/// Revokes a device: the store records it, and a new trust list marks its key compromised.
pub async fn revoke_device(state: &AppState, actor: &Actor, id: Uuid, input: &RevokeInput, now: Timestamp) -> ApiResult<DeviceRecord> {
    let reason = Text::parse_field("reason", &input.reason, mahasil_domain::challan::MAX_REASON_CHARS)?;
    let from = input.compromised_from.unwrap_or(now);
    if from > now {
        return Err(ApiError::bad_request("compromised_from is in the future"));
    }
    let device = state.store.revoke_device(id, from, reason.as_str(), actor, now).await.map_err(|e| match e {
        StoreError::NotFound(_) => ApiError::not_found(format!("no device {id}")),
        other => other.into(),
    })?;
    let kid = PublicKey::from_sec1(&device.public_key).map_err(|_| ApiError::internal())?.kid();
    state.seals.compromise(kid, from, actor, now).await.map_err(|e| {
        tracing::error!(device = %id, error = %e, "a device was revoked but its key could not be marked compromised in the trust list");
        ApiError::unavailable(format!("the device is revoked, but the trust list could not be changed ({e}); revoke it again"))
    })?;
    tracing::warn!(device = %id, kid = %kid, from = %from, "field device revoked");
    Ok(device)
}

#[utoipa::path(post, path = "/api/v1/devices/{id}/revoke", tag = "devices", security(("bearer" = [])), request_body = RevokeInput,
    params(("id" = Uuid, Path, description = "device id")),
    responses((status = 200, body = DeviceDetailDto), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn revoke(
    State(state): State<AppState>,
    ApiPrincipal(who): ApiPrincipal,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<RevokeInput>,
) -> ApiResult<Json<DeviceDetailDto>> {
    who.require_somewhere(Action::ManageDevices)?;
    revoke_device(&state, &Actor::from(&who), id, &input, Timestamp::now()).await?;
    Ok(Json(detail(&state, id).await?))
}
