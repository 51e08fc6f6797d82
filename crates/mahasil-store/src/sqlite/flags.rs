//! Anomaly flags and what the anomaly rules read, in SQLite (the rules of storing and
//! deciding are in `crate::flags`): bank bill inquiries, relief requests and recent challans
//! by time, and the flags themselves. CNIC and vehicle are read from the challan's own row
//! (the side index in `search` is only for searching by them).

use jiff::Timestamp;
use mahasil_domain::authz::Scope;
use mahasil_domain::challan::{ChallanStatus, ReliefKind};
use mahasil_domain::challan_no::{ChallanNo, IssuerNo};
use mahasil_domain::identity::{Cnic, VehicleNo};
use mahasil_domain::jurisdiction::Slug;
use rusqlite::types::Value;
use rusqlite::{Connection, Row, Transaction};
use uuid::Uuid;

use super::audit_log::{self, Change};
use super::rows::{self, micros};
use super::search::scope_condition;
use crate::error::{Result, StoreError};
use crate::flags::{
    ChallanFacts, FlagRecord, FlagState, MAX_CHALLAN_FACTS_PAGE, MAX_FLAGS_PAGE, MAX_RELIEF_REQUESTS_PAGE, NewFlag, ReliefRequestFacts, check_decision,
    check_inquiry_count, decision, decision_reason, entity, parse_json,
};
use crate::records::Actor;

const FLAG_COLUMNS: &str = "id, key, kind, subject, district, department, score, evidence, summary_en, summary_ur, challans, found_at, state, decided_by, decided_by_username, \
     decided_at, reason";

// ----- bill inquiries -----

pub(crate) fn record_inquiry(tx: &Transaction<'_>, challan_no: ChallanNo, bank: &Slug, at: Timestamp) -> Result<()> {
    tx.prepare_cached("INSERT INTO bill_inquiries (challan_no, bank, at) VALUES (?1, ?2, ?3)")?.execute(rusqlite::params![
        challan_no.digits(),
        bank.as_str(),
        micros(at)
    ])?;
    Ok(())
}

pub(crate) fn inquiries(conn: &Connection, challan_nos: &[ChallanNo]) -> Result<Vec<(ChallanNo, String, Timestamp)>> {
    check_inquiry_count(challan_nos)?;
    if challan_nos.is_empty() {
        return Ok(Vec::new());
    }
    let numbers = serde_json::to_string(&challan_nos.iter().map(|n| n.digits()).collect::<Vec<_>>()).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let mut stmt = conn
        .prepare_cached("SELECT challan_no, bank, at FROM bill_inquiries WHERE challan_no IN (SELECT value FROM json_each(?1)) ORDER BY challan_no, at, seq")?;
    let mut found = stmt.query([numbers])?;
    let mut out = Vec::new();
    while let Some(r) = found.next()? {
        let no: String = r.get(0)?;
        out.push((rows::parsed("bill_inquiries.challan_no", || ChallanNo::parse(&no))?, r.get(1)?, rows::timestamp("bill_inquiries.at", r.get(2)?)?));
    }
    Ok(out)
}

// ----- what the rules read -----

pub(crate) fn relief_requests_since(conn: &Connection, since: Timestamp, limit: u32) -> Result<Vec<ReliefRequestFacts>> {
    let mut stmt = conn.prepare_cached(
        "SELECT r.id, r.challan_no, r.kind, r.requested_by, r.requested_at, r.district, r.department, c.officer_id
         FROM cancellation_requests r JOIN challans c ON c.id = r.challan_id
         WHERE r.requested_at >= ?1 ORDER BY r.requested_at DESC, r.rowid DESC LIMIT ?2",
    )?;
    let mut found = stmt.query(rusqlite::params![micros(since), rows::clamp_limit(limit, MAX_RELIEF_REQUESTS_PAGE)])?;
    let mut out = Vec::new();
    while let Some(r) = found.next()? {
        let text = |i: usize| -> rusqlite::Result<String> { r.get(i) };
        let (no, kind) = (text(1)?, text(2)?);
        out.push(ReliefRequestFacts {
            request_id: rows::uuid("cancellation_requests.id", &text(0)?)?,
            challan_no: rows::parsed("cancellation_requests.challan_no", || ChallanNo::parse(&no))?,
            kind: rows::parsed("cancellation_requests.kind", || ReliefKind::parse(&kind))?,
            requested_by: rows::uuid("cancellation_requests.requested_by", &text(3)?)?,
            requested_at: rows::timestamp("cancellation_requests.requested_at", r.get(4)?)?,
            district: rows::slug("cancellation_requests.district", &text(5)?)?,
            department: rows::slug("cancellation_requests.department", &text(6)?)?,
            officer_id: rows::uuid("challans.officer_id", &text(7)?)?,
        });
    }
    Ok(out)
}

fn challan_facts(r: &Row<'_>) -> Result<ChallanFacts> {
    let text = |i: usize| -> rusqlite::Result<String> { r.get(i) };
    let (issuer, counter): (u32, u32) = (r.get(11)?, r.get(12)?);
    let issuer_no = rows::parsed("challans.issuer_no", || IssuerNo::new(issuer))?;
    let (no, cnic, status) = (text(0)?, text(5)?, text(13)?);
    let vehicle: Option<String> = r.get(6)?;
    Ok(ChallanFacts {
        challan_no: rows::parsed("challans.challan_no", || ChallanNo::parse(&no))?,
        officer_id: rows::uuid("challans.officer_id", &text(1)?)?,
        district: rows::slug("challans.district", &text(2)?)?,
        department: rows::slug("challans.department", &text(3)?)?,
        head_code: text(4)?,
        cnic: rows::parsed("challans.cnic", || Cnic::parse(&cnic))?,
        vehicle_no: vehicle.map(|v| rows::parsed("challans.vehicle_no", || VehicleNo::parse(&v))).transpose()?,
        issued_at: rows::timestamp("challans.issued_at", r.get(7)?)?,
        received_at: rows::timestamp("challans.received_at", r.get(8)?)?,
        lat: r.get(9)?,
        lon: r.get(10)?,
        issuer_no,
        counter,
        status: rows::parsed("challans.status", || ChallanStatus::parse(&status))?,
    })
}

pub(crate) fn recent_challans(conn: &Connection, since: Timestamp, limit: u32) -> Result<Vec<ChallanFacts>> {
    // Read in order from `challans_received` (migration 0017), whose entries end in `seq`.
    let mut stmt = conn.prepare_cached(
        "SELECT challan_no, officer_id, district, department, head_code, cnic, vehicle_no, issued_at, received_at, lat, lon, issuer_no, counter, status
         FROM challans INDEXED BY challans_received WHERE received_at >= ?1 ORDER BY received_at, seq LIMIT ?2",
    )?;
    let mut found = stmt.query(rusqlite::params![micros(since), rows::clamp_limit(limit, MAX_CHALLAN_FACTS_PAGE)])?;
    let mut out = Vec::new();
    while let Some(r) = found.next()? {
        out.push(challan_facts(r)?);
    }
    Ok(out)
}

// ----- flags -----

/// A flag from a row selected with [`FLAG_COLUMNS`].
fn flag_from_row(r: &Row<'_>) -> Result<FlagRecord> {
    let text = |i: usize| -> rusqlite::Result<String> { r.get(i) };
    let opt_text = |i: usize| -> rusqlite::Result<Option<String>> { r.get(i) };
    let state = text(12)?;
    Ok(FlagRecord {
        id: rows::uuid("insight_flags.id", &text(0)?)?,
        key: text(1)?,
        kind: text(2)?,
        subject: text(3)?,
        district: rows::slug("insight_flags.district", &text(4)?)?,
        department: opt_text(5)?.map(|d| rows::slug("insight_flags.department", &d)).transpose()?,
        score: r.get(6)?,
        evidence: parse_json("evidence", &text(7)?)?,
        summary_en: text(8)?,
        summary_ur: text(9)?,
        challans: parse_json("challans", &text(10)?)?,
        found_at: rows::timestamp("insight_flags.found_at", r.get(11)?)?,
        state: rows::parsed("insight_flags.state", || FlagState::parse(&state))?,
        decided_by: opt_text(13)?.map(|u| rows::uuid("insight_flags.decided_by", &u)).transpose()?,
        decided_by_username: opt_text(14)?,
        decided_at: rows::opt_timestamp("insight_flags.decided_at", r.get(15)?)?,
        reason: opt_text(16)?,
    })
}

/// Stores the flags whose keys are new; `json` is each flag's evidence and challans as
/// [`crate::flags::checked_batch`] checked and wrote them.
pub(crate) fn put(tx: &Transaction<'_>, flags: &[NewFlag], json: &[(String, String)], at: Timestamp) -> Result<u32> {
    let mut insert = tx.prepare_cached(
        "INSERT INTO insight_flags (id, key, kind, subject, district, department, score, evidence, summary_en, summary_ur, challans, found_at, state)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 'open')
         ON CONFLICT (key) DO NOTHING",
    )?;
    let mut stored: u32 = 0;
    for (flag, (evidence, challans)) in flags.iter().zip(json) {
        let changed = insert.execute(rusqlite::params![
            Uuid::now_v7().to_string(),
            flag.key,
            flag.kind,
            flag.subject,
            flag.district.as_str(),
            flag.department.as_ref().map(Slug::as_str),
            flag.score,
            evidence,
            flag.summary_en,
            flag.summary_ur,
            challans,
            micros(at),
        ])?;
        if changed > 0 {
            stored += 1;
        }
    }
    Ok(stored)
}

pub(crate) fn flag(conn: &Connection, id: Uuid) -> Result<Option<FlagRecord>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {FLAG_COLUMNS} FROM insight_flags WHERE id = ?1"))?;
    let mut found = stmt.query([id.to_string()])?;
    found.next()?.map(flag_from_row).transpose()
}

pub(crate) fn list(conn: &Connection, scope: &Scope, state: Option<FlagState>, limit: u32) -> Result<Vec<FlagRecord>> {
    let mut params = Vec::new();
    let Some(in_scope) = scope_condition(scope, "district", "department", &mut params) else { return Ok(Vec::new()) };
    let mut sql = format!("SELECT {FLAG_COLUMNS} FROM insight_flags WHERE {in_scope}");
    if let Some(state) = state {
        params.push(Value::Text(state.as_str().to_owned()));
        sql.push_str(&format!(" AND state = ?{}", params.len()));
    }
    params.push(Value::Integer(rows::clamp_limit(limit, MAX_FLAGS_PAGE)));
    sql.push_str(&format!(" ORDER BY state = 'open' DESC, found_at DESC, id DESC LIMIT ?{}", params.len()));
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut found = stmt.query(rusqlite::params_from_iter(params))?;
    let mut out = Vec::new();
    while let Some(r) = found.next()? {
        out.push(flag_from_row(r)?);
    }
    Ok(out)
}

pub(crate) fn count_open(conn: &Connection, scope: &Scope) -> Result<u64> {
    let mut params = Vec::new();
    let Some(in_scope) = scope_condition(scope, "district", "department", &mut params) else { return Ok(0) };
    let n: i64 = conn
        .prepare_cached(&format!("SELECT count(*) FROM insight_flags WHERE state = 'open' AND {in_scope}"))?
        .query_row(rusqlite::params_from_iter(params), |r| r.get(0))?;
    rows::count("count(insight_flags)", n)
}

pub(crate) fn decide(tx: &Transaction<'_>, id: Uuid, acknowledge: bool, reason: &str, actor: &Actor, scope: &Scope, at: Timestamp) -> Result<FlagRecord> {
    let reason = decision_reason(reason)?;
    let before = flag(tx, id)?.ok_or_else(|| StoreError::NotFound(format!("flag {id}")))?;
    check_decision(&before, scope)?;
    let (state, action) = decision(acknowledge);
    let changed = tx
        .prepare_cached(
            "UPDATE insight_flags SET state = ?2, decided_by = ?3, decided_by_username = ?4, decided_at = ?5, reason = ?6 WHERE id = ?1 AND state = 'open'",
        )?
        .execute(rusqlite::params![id.to_string(), state.as_str(), actor.user_id.map(|u| u.to_string()), actor.username, micros(at), reason])?;
    if changed != 1 {
        return Err(StoreError::Conflict(format!("flag {id} was decided meanwhile: a flag is decided once")));
    }
    let after = flag(tx, id)?.ok_or_else(|| StoreError::Corrupt(format!("flag {id} vanished while being decided")))?;
    let change = Change { action, entity: entity(id), before: rows::json(&before)?, after: rows::json(&after)? };
    audit_log::append(tx, actor, at, &change)?;
    Ok(after)
}
