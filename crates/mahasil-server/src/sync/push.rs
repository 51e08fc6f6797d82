//! `POST /api/v1/sync/push`: a device hands over the ops in its outbox. Each op is judged
//! (on every core), then stored in its own savepoint of the writer's batch, committed
//! durably before the answer; an op id seen before gets its stored answer again.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use jiff::Timestamp;
use mahasil_domain::authz::Principal;
use mahasil_domain::head::HeadCode;
use mahasil_domain::jurisdiction::{Level, Slug};
use mahasil_seal::PublicKey;
use mahasil_store::{Actor, DeviceOp, DeviceRecord, HeadWithSchedules, OpResult};
use mahasil_sync::wire::{MAX_OPS_PER_PUSH, Op, OpAnswer, OpStatus, PushAnswer, PushRequest};
use uuid::Uuid;

use super::judge::{self, Context};
use super::signed::{self, SignedDevice};
use crate::auth::session::principal_of;
use crate::error::{ApiError, ApiResult};
use crate::seals::node::Active;
use crate::state::AppState;

/// Most missing-counter ranges an answer lists.
pub const MAX_GAPS_ANSWERED: u32 = 100;

#[utoipa::path(post, path = "/api/v1/sync/push", tag = "devices", request_body = PushRequest,
    description = "Signed by the device key (headers X-Mahasil-Device, -Timestamp, -Nonce, -Signature; see docs/SYNC.md). One result per op, in order.",
    responses((status = 200, body = PushAnswer), (status = 400, body = crate::error::ErrorBody), (status = 401, body = crate::error::ErrorBody), (status = 413, body = crate::error::ErrorBody)))]
pub async fn push(State(state): State<AppState>, uri: Uri, headers: HeaderMap, body: Bytes) -> ApiResult<Json<PushAnswer>> {
    let now = Timestamp::now();
    let path = uri.path_and_query().map_or(uri.path(), |p| p.as_str());
    let SignedDevice { device, key } = signed::authenticate(&state, "POST", path, &headers, &body, now).await?;
    let request: PushRequest =
        serde_json::from_slice(&body).map_err(|e| ApiError::bad_request(format!("the push is not valid JSON of the expected shape: {e}")))?;
    if request.issuer_no != device.issuer_no.get() {
        return Err(ApiError::bad_request(format!("issuer_no {} is not this device's ({})", request.issuer_no, device.issuer_no)));
    }
    if request.ops.len() > MAX_OPS_PER_PUSH {
        return Err(ApiError::bad_request(format!("{} ops in one push; at most {MAX_OPS_PER_PUSH}", request.ops.len())));
    }
    let officer = state.store.user(device.officer_id).await?.ok_or_else(ApiError::internal)?;
    let actor = Actor { user_id: Some(officer.id), username: officer.username.clone() };
    let principal = principal_of(&officer);
    let mut heads = HashMap::new();
    for head in state.store.heads().await? {
        if let Some(found) = state.head(&head.code).await? {
            heads.insert(head.code.clone(), found);
        }
    }
    let districts: Vec<Slug> = state.store.jurisdictions().await?.into_iter().filter(|j| j.level == Level::District).map(|j| j.slug).collect();
    // A device enrolled through another node is in a trust list this node may not have
    // read yet.
    if state.seals.active().trust.list.keys().iter().all(|k| k.kid().to_string() != device.kid) {
        state.seals.refresh(now).await.map_err(|e| ApiError::unavailable(format!("cannot read the trust list: {e}")))?;
    }
    let inputs = Arc::new(Inputs { device, key, trust: Arc::clone(&state.seals.active()), principal, heads, districts, received_at: now });
    let results = judge_and_store(&state, &inputs, request.ops, &actor).await?;
    let device = &inputs.device;
    state.store.record_device_sync(device.id, now).await?;
    let after = state.store.device(device.id).await?.ok_or_else(ApiError::internal)?;
    let gaps = state.store.device_gaps(device.id, MAX_GAPS_ANSWERED).await?;
    for (status, n) in count(&results) {
        metrics::counter!("mahasil_sync_ops_total", "status" => status).increment(n);
    }
    Ok(Json(PushAnswer { results, server_time: now, last_counter_received: after.last_counter_received, gaps }))
}

/// What every op of one push is judged against, owned so that judging can run on other
/// threads while the handler goes on.
struct Inputs {
    device: DeviceRecord,
    key: PublicKey,
    trust: Arc<Active>,
    principal: Principal,
    heads: HashMap<HeadCode, HeadWithSchedules>,
    districts: Vec<Slug>,
    received_at: Timestamp,
}

impl Inputs {
    fn context(&self) -> Context<'_> {
        Context {
            device: &self.device,
            key: &self.key,
            trust: &self.trust.trust.list,
            officer: &self.principal,
            heads: &self.heads,
            districts: &self.districts,
            received_at: self.received_at,
        }
    }
}

/// Judges every op on the machine's cores, then has the store apply them all, queued
/// together so they share the writer's commits. (Handing the store parts of 128 as they
/// were judged, to overlap the two, gave no measurable gain: docs/BENCHMARKS.md.)
async fn judge_and_store(state: &AppState, inputs: &Arc<Inputs>, ops: Vec<Op>, actor: &Actor) -> ApiResult<Vec<OpAnswer>> {
    let judging = Arc::clone(inputs);
    let judged = tokio::task::spawn_blocking(move || judge_all(ops, &judging.context())).await.map_err(|_| ApiError::internal())?;
    let mut results = Vec::with_capacity(judged.len());
    for outcome in state.store.apply_device_ops(judged, actor, inputs.received_at).await? {
        results.push(answer(inputs.device.id, outcome?));
    }
    Ok(results)
}

/// Judges every op, spread over the machine's cores; results in the order of `ops`.
fn judge_all(mut ops: Vec<Op>, cx: &Context<'_>) -> Vec<DeviceOp> {
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let share = ops.len().div_ceil(threads).max(1);
    let mut shares = Vec::with_capacity(threads);
    while ops.len() > share {
        let rest = ops.split_off(share);
        shares.push(std::mem::replace(&mut ops, rest));
    }
    shares.push(ops);
    let mut shares = shares.into_iter();
    let first = shares.next().unwrap_or_default();
    std::thread::scope(|scope| {
        let others: Vec<_> = shares.map(|share| scope.spawn(move || share.into_iter().map(|op| judge::judge(op, cx)).collect::<Vec<_>>())).collect();
        // This thread judges the first share itself.
        let mut judged: Vec<DeviceOp> = first.into_iter().map(|op| judge::judge(op, cx)).collect();
        for other in others {
            match other.join() {
                Ok(part) => judged.extend(part),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        judged
    })
}

fn answer(device: Uuid, result: OpResult) -> OpAnswer {
    let status = match result.status {
        mahasil_store::OpStatus::Accepted => OpStatus::Accepted,
        mahasil_store::OpStatus::Duplicate => OpStatus::Duplicate,
        mahasil_store::OpStatus::Rejected => OpStatus::Rejected,
    };
    if status == OpStatus::Rejected {
        tracing::warn!(op = %result.op_id, %device, reason = result.reason.as_deref().unwrap_or(""), "device op rejected");
    }
    OpAnswer { op_id: result.op_id, status, challan_no: result.challan_no.map(|n| n.digits()), reason: result.reason }
}

fn count(results: &[OpAnswer]) -> Vec<(&'static str, u64)> {
    let n = |s: OpStatus| results.iter().filter(|r| r.status == s).count() as u64;
    vec![("accepted", n(OpStatus::Accepted)), ("duplicate", n(OpStatus::Duplicate)), ("rejected", n(OpStatus::Rejected))]
}
