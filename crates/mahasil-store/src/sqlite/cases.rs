//! Cancellation requests (maker-checker) and contests in SQLite. Every decision reads the
//! current challan and request inside the write job and asks the domain's `check_*` rules,
//! so two supervisors deciding at once cannot both win.

use jiff::Timestamp;
use mahasil_domain::authz::{Principal, Scope};
use mahasil_domain::challan::{
    ChallanStatus, MAX_REASON_CHARS, ReliefKind, check_cancellation_decision, check_cancellation_request, check_contest, check_contest_decision,
};
use mahasil_domain::challan_no::ChallanNo;
use mahasil_domain::identity::Text;
use rusqlite::{Connection, Row, Transaction};
use serde_json::json;
use uuid::Uuid;

use super::audit_log::{self, Change};
use super::challans::{self, append_event, set_status};
use super::rows::{self, conflict, micros};
use super::search::scope_condition;
use crate::error::{Result, StoreError};
use crate::records::{Actor, CancellationRequest, ChallanRecord, Contest, ContestState, MAX_PAGE_SIZE, RequestState};

/// Free text a person wrote, trimmed and bounded like every reason.
fn reason(field: &'static str, input: &str) -> Result<String> {
    Ok(Text::parse_field(field, input, MAX_REASON_CHARS)?.as_str().to_string())
}

/// An optional decision note: blank means none.
fn note(input: &str) -> Result<Option<String>> {
    if input.trim().is_empty() { Ok(None) } else { reason("note", input).map(Some) }
}

fn challan_for(tx: &Transaction<'_>, no: ChallanNo) -> Result<ChallanRecord> {
    challans::challan_by_no(tx, no)?.ok_or_else(|| StoreError::NotFound(format!("challan {no}")))
}

fn challan_by_id(tx: &Transaction<'_>, id: Uuid) -> Result<ChallanRecord> {
    challans::challan(tx, id)?.ok_or_else(|| StoreError::Corrupt(format!("challan {id} of a stored request is missing")))
}

fn status_json(c: &ChallanRecord, status: ChallanStatus) -> serde_json::Value {
    json!({ "challan_no": c.challan_no, "status": status })
}

// ----- cancellation requests -----

const REQUEST_COLUMNS: &str = "id, challan_id, challan_no, district, department, reason, requested_by, requested_by_username, requested_at, state, decided_by_username, decided_at, decision_note, kind";

fn request_from_row(r: &Row<'_>) -> Result<CancellationRequest> {
    let no: String = r.get(2)?;
    let state: String = r.get(9)?;
    let kind: String = r.get(13)?;
    Ok(CancellationRequest {
        id: rows::uuid("cancellation_requests.id", &r.get::<_, String>(0)?)?,
        challan_id: rows::uuid("cancellation_requests.challan_id", &r.get::<_, String>(1)?)?,
        challan_no: rows::parsed("cancellation_requests.challan_no", || ChallanNo::parse(&no))?,
        district: rows::slug("cancellation_requests.district", &r.get::<_, String>(3)?)?,
        department: rows::slug("cancellation_requests.department", &r.get::<_, String>(4)?)?,
        reason: r.get(5)?,
        requested_by: rows::uuid("cancellation_requests.requested_by", &r.get::<_, String>(6)?)?,
        requested_by_username: r.get(7)?,
        requested_at: rows::timestamp("cancellation_requests.requested_at", r.get(8)?)?,
        state: match state.as_str() {
            "pending" => RequestState::Pending,
            "approved" => RequestState::Approved,
            "rejected" => RequestState::Rejected,
            other => return Err(rows::corrupt("cancellation_requests.state", other)),
        },
        decided_by_username: r.get(10)?,
        decided_at: rows::opt_timestamp("cancellation_requests.decided_at", r.get(11)?)?,
        decision_note: r.get(12)?,
        kind: rows::parsed("cancellation_requests.kind", || ReliefKind::parse(&kind))?,
    })
}

fn requests_where(conn: &Connection, condition: &str, params: Vec<rusqlite::types::Value>) -> Result<Vec<CancellationRequest>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {REQUEST_COLUMNS} FROM cancellation_requests WHERE {condition}"))?;
    let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(request_from_row(r)?);
    }
    Ok(out)
}

pub(crate) fn cancellation_request(conn: &Connection, id: Uuid) -> Result<Option<CancellationRequest>> {
    Ok(requests_where(conn, "id = ?1", vec![id.to_string().into()])?.into_iter().next())
}

pub(crate) fn challan_cancellations(conn: &Connection, challan_id: Uuid) -> Result<Vec<CancellationRequest>> {
    requests_where(conn, "challan_id = ?1 ORDER BY requested_at, rowid", vec![challan_id.to_string().into()])
}

pub(crate) fn pending_cancellations(conn: &Connection, scope: &Scope, limit: u32) -> Result<Vec<CancellationRequest>> {
    let mut params = Vec::new();
    let Some(in_scope) = scope_condition(scope, "district", "department", &mut params) else { return Ok(Vec::new()) };
    params.push(rows::clamp_limit(limit, MAX_PAGE_SIZE).into());
    requests_where(conn, &format!("state = 'pending' AND {in_scope} ORDER BY requested_at, rowid LIMIT ?{}", params.len()), params)
}

pub(crate) fn request_relief(
    tx: &Transaction<'_>,
    no: ChallanNo,
    kind: ReliefKind,
    reason_text: &str,
    requester: &Principal,
    request_id: Uuid,
    at: Timestamp,
) -> Result<CancellationRequest> {
    let c = challan_for(tx, no)?;
    check_cancellation_request(requester, kind, c.officer_id, &c.district, &c.department, c.status)?;
    let reason = reason("reason", reason_text)?;
    if let Some(pending) = requests_where(tx, "challan_id = ?1 AND state = 'pending'", vec![c.id.to_string().into()])?.first() {
        return Err(StoreError::Conflict(format!("challan {no} already has a pending {} request", pending.kind.noun())));
    }
    tx.prepare_cached(&format!(
        "INSERT INTO cancellation_requests ({REQUEST_COLUMNS}, decided_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'pending', NULL, NULL, NULL, ?10, NULL)"
    ))?
    .execute(rusqlite::params![
        request_id.to_string(),
        c.id.to_string(),
        no.digits(),
        c.district.as_str(),
        c.department.as_str(),
        reason,
        requester.user_id.to_string(),
        requester.username,
        micros(at),
        kind.as_str()
    ])
    .map_err(conflict(format!("request {request_id} already exists, or challan {no} already has a pending one")))?;
    append_event(tx, c.id, at, kind.requested_event(), &requester.username, c.status, Some(&reason))?;
    let request = cancellation_request(tx, request_id)?.ok_or_else(|| StoreError::NotFound(format!("cancellation request {request_id}")))?;
    let change = Change {
        action: crate::records::request_action(kind),
        entity: format!("cancellation:{request_id}"),
        before: "null".into(),
        after: rows::json(&request)?,
    };
    audit_log::append(tx, &Actor::from(requester), at, &change)?;
    Ok(request)
}

pub(crate) fn decide_cancellation(
    tx: &Transaction<'_>,
    request_id: Uuid,
    approve: bool,
    note_text: &str,
    decider: &Principal,
    at: Timestamp,
) -> Result<CancellationRequest> {
    let before = cancellation_request(tx, request_id)?.ok_or_else(|| StoreError::NotFound(format!("cancellation request {request_id}")))?;
    if before.state != RequestState::Pending {
        return Err(StoreError::Conflict(format!("cancellation request {request_id} is already {}", before.state.as_str())));
    }
    let c = challan_by_id(tx, before.challan_id)?;
    let status = check_cancellation_decision(decider, before.kind, before.requested_by, &c.district, &c.department, c.status, approve)?;
    let note = note(note_text)?;
    let state = if approve { RequestState::Approved } else { RequestState::Rejected };
    tx.prepare_cached("UPDATE cancellation_requests SET state = ?2, decided_by = ?3, decided_by_username = ?4, decided_at = ?5, decision_note = ?6 WHERE id = ?1 AND state = 'pending'")?
        .execute(rusqlite::params![request_id.to_string(), state.as_str(), decider.user_id.to_string(), decider.username, micros(at), note])?;
    set_status(tx, &c, status, at)?;
    append_event(tx, c.id, at, before.kind.decided_event(approve), &decider.username, status, note.as_deref())?;
    let after = cancellation_request(tx, request_id)?.ok_or_else(|| StoreError::NotFound(format!("cancellation request {request_id}")))?;
    let change = Change {
        action: crate::records::decision_action(before.kind, approve),
        entity: format!("cancellation:{request_id}"),
        before: rows::json(&json!({ "request": before, "challan": status_json(&c, c.status) }))?,
        after: rows::json(&json!({ "request": after, "challan": status_json(&c, status) }))?,
    };
    audit_log::append(tx, &Actor::from(decider), at, &change)?;
    Ok(after)
}

// ----- contests -----

const CONTEST_COLUMNS: &str =
    "id, challan_id, challan_no, district, department, grounds, recorded_by_username, recorded_at, state, decided_by_username, decided_at, decision_note";

fn contest_from_row(r: &Row<'_>) -> Result<Contest> {
    let no: String = r.get(2)?;
    let state: String = r.get(8)?;
    Ok(Contest {
        id: rows::uuid("contests.id", &r.get::<_, String>(0)?)?,
        challan_id: rows::uuid("contests.challan_id", &r.get::<_, String>(1)?)?,
        challan_no: rows::parsed("contests.challan_no", || ChallanNo::parse(&no))?,
        district: rows::slug("contests.district", &r.get::<_, String>(3)?)?,
        department: rows::slug("contests.department", &r.get::<_, String>(4)?)?,
        grounds: r.get(5)?,
        recorded_by_username: r.get(6)?,
        recorded_at: rows::timestamp("contests.recorded_at", r.get(7)?)?,
        state: match state.as_str() {
            "open" => ContestState::Open,
            "upheld" => ContestState::Upheld,
            "quashed" => ContestState::Quashed,
            other => return Err(rows::corrupt("contests.state", other)),
        },
        decided_by_username: r.get(9)?,
        decided_at: rows::opt_timestamp("contests.decided_at", r.get(10)?)?,
        decision_note: r.get(11)?,
    })
}

fn contests_where(conn: &Connection, condition: &str, params: Vec<rusqlite::types::Value>) -> Result<Vec<Contest>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {CONTEST_COLUMNS} FROM contests WHERE {condition}"))?;
    let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(contest_from_row(r)?);
    }
    Ok(out)
}

pub(crate) fn contest(conn: &Connection, id: Uuid) -> Result<Option<Contest>> {
    Ok(contests_where(conn, "id = ?1", vec![id.to_string().into()])?.into_iter().next())
}

pub(crate) fn challan_contests(conn: &Connection, challan_id: Uuid) -> Result<Vec<Contest>> {
    contests_where(conn, "challan_id = ?1 ORDER BY recorded_at, rowid", vec![challan_id.to_string().into()])
}

pub(crate) fn open_contests(conn: &Connection, scope: &Scope, limit: u32) -> Result<Vec<Contest>> {
    let mut params = Vec::new();
    let Some(in_scope) = scope_condition(scope, "district", "department", &mut params) else { return Ok(Vec::new()) };
    params.push(rows::clamp_limit(limit, MAX_PAGE_SIZE).into());
    contests_where(conn, &format!("state = 'open' AND {in_scope} ORDER BY recorded_at, rowid LIMIT ?{}", params.len()), params)
}

pub(crate) fn record_contest(
    tx: &Transaction<'_>,
    no: ChallanNo,
    grounds_text: &str,
    recorder: &Principal,
    contest_id: Uuid,
    at: Timestamp,
) -> Result<Contest> {
    let c = challan_for(tx, no)?;
    let status = check_contest(recorder, &c.district, &c.department, c.status)?;
    let grounds = reason("grounds", grounds_text)?;
    tx.prepare_cached(&format!(
        "INSERT INTO contests ({CONTEST_COLUMNS}, recorded_by, decided_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'open', NULL, NULL, NULL, ?9, NULL)"
    ))?
    .execute(rusqlite::params![
        contest_id.to_string(),
        c.id.to_string(),
        no.digits(),
        c.district.as_str(),
        c.department.as_str(),
        grounds,
        recorder.username,
        micros(at),
        recorder.user_id.to_string()
    ])
    .map_err(conflict(format!("contest {contest_id} already exists, or challan {no} already has an open one")))?;
    set_status(tx, &c, status, at)?;
    append_event(tx, c.id, at, "contested", &recorder.username, status, Some(&grounds))?;
    let contest = contest(tx, contest_id)?.ok_or_else(|| StoreError::NotFound(format!("contest {contest_id}")))?;
    let change = Change {
        action: "contest.record",
        entity: format!("contest:{contest_id}"),
        before: "null".into(),
        after: rows::json(&json!({ "contest": contest, "challan": status_json(&c, status) }))?,
    };
    audit_log::append(tx, &Actor::from(recorder), at, &change)?;
    Ok(contest)
}

pub(crate) fn decide_contest(tx: &Transaction<'_>, contest_id: Uuid, uphold: bool, note_text: &str, decider: &Principal, at: Timestamp) -> Result<Contest> {
    let before = contest(tx, contest_id)?.ok_or_else(|| StoreError::NotFound(format!("contest {contest_id}")))?;
    if before.state != ContestState::Open {
        return Err(StoreError::Conflict(format!("contest {contest_id} is already {}", before.state.as_str())));
    }
    let c = challan_by_id(tx, before.challan_id)?;
    let status = check_contest_decision(decider, c.officer_id, &c.district, &c.department, c.status, uphold)?;
    let note = note(note_text)?;
    let state = if uphold { ContestState::Upheld } else { ContestState::Quashed };
    tx.prepare_cached(
        "UPDATE contests SET state = ?2, decided_by = ?3, decided_by_username = ?4, decided_at = ?5, decision_note = ?6 WHERE id = ?1 AND state = 'open'",
    )?
    .execute(rusqlite::params![contest_id.to_string(), state.as_str(), decider.user_id.to_string(), decider.username, micros(at), note])?;
    set_status(tx, &c, status, at)?;
    append_event(tx, c.id, at, if uphold { "upheld" } else { "quashed" }, &decider.username, status, note.as_deref())?;
    let after = contest(tx, contest_id)?.ok_or_else(|| StoreError::NotFound(format!("contest {contest_id}")))?;
    let change = Change {
        action: if uphold { "contest.uphold" } else { "contest.quash" },
        entity: format!("contest:{contest_id}"),
        before: rows::json(&json!({ "contest": before, "challan": status_json(&c, c.status) }))?,
        after: rows::json(&json!({ "contest": after, "challan": status_json(&c, status) }))?,
    };
    audit_log::append(tx, &Actor::from(decider), at, &change)?;
    Ok(after)
}
