//! Cancellation requests, maker-checker: an officer asks to cancel their own challan, a
//! supervisor other than the requester decides. Every rule is checked by the domain inside
//! the transaction, on the challan and request as locked there.

use jiff::Timestamp;
use mahasil_domain::authz::{Principal, Scope};
use mahasil_domain::challan::{ReliefKind, check_cancellation_decision, check_cancellation_request};
use mahasil_domain::challan_no::ChallanNo;
use sqlx::{PgPool, Postgres, QueryBuilder};
use uuid::Uuid;

use super::audit_log::json;
use super::challans::push_scope;
use super::rows::{self, CANCELLATION_COLUMNS};
use super::transitions::{self, lock_by_id, lock_by_no};
use super::types::{PgTime, to_micros};
use super::writer::Tx;
use crate::records::{Actor, CancellationRequest, RequestState, decision_action, request_action};
use crate::{Result, StoreError};

/// Longest list of pending requests one call returns.
const MAX_LIST: u32 = 500;

const FROM: &str = "FROM cancellation_requests r JOIN challans c ON c.id = r.challan_id";

pub(super) async fn request(
    tx: &mut Tx,
    no: ChallanNo,
    kind: ReliefKind,
    reason: &str,
    requester: &Principal,
    request_id: Uuid,
    at: Timestamp,
) -> Result<CancellationRequest> {
    let reason = transitions::reason("reason", reason)?;
    let challan = lock_by_no(tx, no).await?;
    check_cancellation_request(requester, kind, challan.officer_id, &challan.district, &challan.department, challan.status)?;
    let at = to_micros(at);
    sqlx::query(
        "INSERT INTO cancellation_requests (id, challan_id, reason, requested_by, requested_by_username, requested_at, state, kind)
         VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7)",
    )
    .bind(request_id)
    .bind(challan.id)
    .bind(&reason)
    .bind(requester.user_id)
    .bind(&requester.username)
    .bind(PgTime(at))
    .bind(kind.as_str())
    .execute(&mut tx.conn)
    .await?;
    transitions::record(tx, &challan, challan.status, kind.requested_event(), &requester.username, Some(&reason), at).await?;
    let request = CancellationRequest {
        id: request_id,
        kind,
        challan_id: challan.id,
        challan_no: challan.challan_no,
        district: challan.district,
        department: challan.department,
        reason,
        requested_by: requester.user_id,
        requested_by_username: requester.username.clone(),
        requested_at: at,
        state: RequestState::Pending,
        decided_by_username: None,
        decided_at: None,
        decision_note: None,
    };
    tx.audit(at, &Actor::from(requester), request_action(kind), format!("cancellation:{request_id}"), "null".into(), json(&request)?);
    Ok(request)
}

pub(super) async fn decide(tx: &mut Tx, request_id: Uuid, approve: bool, note: &str, decider: &Principal, at: Timestamp) -> Result<CancellationRequest> {
    let note = transitions::note(note)?;
    let sql = format!("SELECT {CANCELLATION_COLUMNS} {FROM} WHERE r.id = $1 FOR UPDATE OF r");
    let row = sqlx::query(&sql).bind(request_id).fetch_optional(&mut tx.conn).await?;
    let before = row.as_ref().map(rows::cancellation).transpose()?.ok_or_else(|| StoreError::NotFound(format!("cancellation request {request_id}")))?;
    if before.state != RequestState::Pending {
        return Err(StoreError::Conflict(format!("cancellation request {request_id} is already {}", before.state.as_str())));
    }
    let challan = lock_by_id(tx, before.challan_id).await?;
    let status = check_cancellation_decision(decider, before.kind, before.requested_by, &challan.district, &challan.department, challan.status, approve)?;
    let at = to_micros(at);
    let state = if approve { RequestState::Approved } else { RequestState::Rejected };
    sqlx::query("UPDATE cancellation_requests SET state = $2, decided_by = $3, decided_by_username = $4, decided_at = $5, decision_note = $6 WHERE id = $1")
        .bind(request_id)
        .bind(state.as_str())
        .bind(decider.user_id)
        .bind(&decider.username)
        .bind(PgTime(at))
        .bind(note.as_deref())
        .execute(&mut tx.conn)
        .await?;
    let status = if approve { status } else { challan.status };
    transitions::record(tx, &challan, status, before.kind.decided_event(approve), &decider.username, note.as_deref(), at).await?;
    let after = CancellationRequest { state, decided_by_username: Some(decider.username.clone()), decided_at: Some(at), decision_note: note, ..before.clone() };
    tx.audit(at, &Actor::from(decider), decision_action(before.kind, approve), format!("cancellation:{request_id}"), json(&before)?, json(&after)?);
    Ok(after)
}

pub(super) async fn one(pool: &PgPool, request_id: Uuid) -> Result<Option<CancellationRequest>> {
    let sql = format!("SELECT {CANCELLATION_COLUMNS} {FROM} WHERE r.id = $1");
    let row = sqlx::query(&sql).bind(request_id).fetch_optional(pool).await?;
    row.as_ref().map(rows::cancellation).transpose()
}

pub(super) async fn pending(pool: &PgPool, scope: &Scope, limit: u32) -> Result<Vec<CancellationRequest>> {
    let mut qb = QueryBuilder::<Postgres>::new(format!("SELECT {CANCELLATION_COLUMNS} {FROM} WHERE r.state = 'pending'"));
    push_scope(&mut qb, scope);
    qb.push(" ORDER BY r.requested_at, r.seq LIMIT ").push_bind(i64::from(limit.clamp(1, MAX_LIST)));
    let all = qb.build().fetch_all(pool).await?;
    all.iter().map(rows::cancellation).collect()
}

pub(super) async fn of_challan(pool: &PgPool, challan_id: Uuid) -> Result<Vec<CancellationRequest>> {
    let sql = format!("SELECT {CANCELLATION_COLUMNS} {FROM} WHERE r.challan_id = $1 ORDER BY r.seq");
    let all = sqlx::query(&sql).bind(challan_id).fetch_all(pool).await?;
    all.iter().map(rows::cancellation).collect()
}
