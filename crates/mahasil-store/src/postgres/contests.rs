//! Contests (appeals): recorded against an issued challan, which becomes contested, then
//! upheld (issued again) or quashed (cancelled) by a supervisor who did not issue it.

use jiff::Timestamp;
use mahasil_domain::authz::{Principal, Scope};
use mahasil_domain::challan::{check_contest, check_contest_decision};
use mahasil_domain::challan_no::ChallanNo;
use sqlx::{PgPool, Postgres, QueryBuilder};
use uuid::Uuid;

use super::audit_log::json;
use super::challans::push_scope;
use super::rows::{self, CONTEST_COLUMNS};
use super::transitions::{self, lock_by_id, lock_by_no};
use super::types::{PgTime, to_micros};
use super::writer::Tx;
use crate::records::{Actor, Contest, ContestState};
use crate::{Result, StoreError};

/// Longest list of open contests one call returns.
const MAX_LIST: u32 = 500;

const FROM: &str = "FROM contests k JOIN challans c ON c.id = k.challan_id";

pub(super) async fn record(tx: &mut Tx, no: ChallanNo, grounds: &str, recorder: &Principal, contest_id: Uuid, at: Timestamp) -> Result<Contest> {
    let grounds = transitions::reason("grounds", grounds)?;
    let challan = lock_by_no(tx, no).await?;
    let status = check_contest(recorder, &challan.district, &challan.department, challan.status)?;
    let at = to_micros(at);
    sqlx::query(
        "INSERT INTO contests (id, challan_id, grounds, recorded_by, recorded_by_username, recorded_at, state)
         VALUES ($1, $2, $3, $4, $5, $6, 'open')",
    )
    .bind(contest_id)
    .bind(challan.id)
    .bind(&grounds)
    .bind(recorder.user_id)
    .bind(&recorder.username)
    .bind(PgTime(at))
    .execute(&mut tx.conn)
    .await?;
    transitions::record(tx, &challan, status, "contested", &recorder.username, Some(&grounds), at).await?;
    let contest = Contest {
        id: contest_id,
        challan_id: challan.id,
        challan_no: challan.challan_no,
        district: challan.district,
        department: challan.department,
        grounds,
        recorded_by_username: recorder.username.clone(),
        recorded_at: at,
        state: ContestState::Open,
        decided_by_username: None,
        decided_at: None,
        decision_note: None,
    };
    tx.audit(at, &Actor::from(recorder), "contest.record", format!("contest:{contest_id}"), "null".into(), json(&contest)?);
    Ok(contest)
}

pub(super) async fn decide(tx: &mut Tx, contest_id: Uuid, uphold: bool, note: &str, decider: &Principal, at: Timestamp) -> Result<Contest> {
    let note = transitions::note(note)?;
    let sql = format!("SELECT {CONTEST_COLUMNS} {FROM} WHERE k.id = $1 FOR UPDATE OF k");
    let row = sqlx::query(&sql).bind(contest_id).fetch_optional(&mut tx.conn).await?;
    let before = row.as_ref().map(rows::contest).transpose()?.ok_or_else(|| StoreError::NotFound(format!("contest {contest_id}")))?;
    if before.state != ContestState::Open {
        return Err(StoreError::Conflict(format!("contest {contest_id} is already {}", before.state.as_str())));
    }
    let challan = lock_by_id(tx, before.challan_id).await?;
    let status = check_contest_decision(decider, challan.officer_id, &challan.district, &challan.department, challan.status, uphold)?;
    let at = to_micros(at);
    let (state, kind, action) = if uphold { (ContestState::Upheld, "upheld", "contest.uphold") } else { (ContestState::Quashed, "quashed", "contest.quash") };
    sqlx::query("UPDATE contests SET state = $2, decided_by = $3, decided_by_username = $4, decided_at = $5, decision_note = $6 WHERE id = $1")
        .bind(contest_id)
        .bind(state.as_str())
        .bind(decider.user_id)
        .bind(&decider.username)
        .bind(PgTime(at))
        .bind(note.as_deref())
        .execute(&mut tx.conn)
        .await?;
    transitions::record(tx, &challan, status, kind, &decider.username, note.as_deref(), at).await?;
    let after = Contest { state, decided_by_username: Some(decider.username.clone()), decided_at: Some(at), decision_note: note, ..before.clone() };
    tx.audit(at, &Actor::from(decider), action, format!("contest:{contest_id}"), json(&before)?, json(&after)?);
    Ok(after)
}

pub(super) async fn one(pool: &PgPool, contest_id: Uuid) -> Result<Option<Contest>> {
    let sql = format!("SELECT {CONTEST_COLUMNS} {FROM} WHERE k.id = $1");
    let row = sqlx::query(&sql).bind(contest_id).fetch_optional(pool).await?;
    row.as_ref().map(rows::contest).transpose()
}

pub(super) async fn open(pool: &PgPool, scope: &Scope, limit: u32) -> Result<Vec<Contest>> {
    let mut qb = QueryBuilder::<Postgres>::new(format!("SELECT {CONTEST_COLUMNS} {FROM} WHERE k.state = 'open'"));
    push_scope(&mut qb, scope);
    qb.push(" ORDER BY k.recorded_at, k.seq LIMIT ").push_bind(i64::from(limit.clamp(1, MAX_LIST)));
    let all = qb.build().fetch_all(pool).await?;
    all.iter().map(rows::contest).collect()
}

pub(super) async fn of_challan(pool: &PgPool, challan_id: Uuid) -> Result<Vec<Contest>> {
    let sql = format!("SELECT {CONTEST_COLUMNS} {FROM} WHERE k.challan_id = $1 ORDER BY k.seq");
    let all = sqlx::query(&sql).bind(challan_id).fetch_all(pool).await?;
    all.iter().map(rows::contest).collect()
}
