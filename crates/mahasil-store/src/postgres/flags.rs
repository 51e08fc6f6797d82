//! Anomaly flags and what the anomaly rules read, in PostgreSQL (the rules of storing and
//! deciding are in `crate::flags`): bank bill inquiries, relief requests and recent challans
//! by time, and the flags themselves. Inquiries and found flags are written through the
//! group committer like every write (they share its commits); only a decision is audited.

use std::collections::HashSet;

use jiff::Timestamp;
use mahasil_domain::authz::Scope;
use mahasil_domain::challan::{ChallanStatus, ReliefKind};
use mahasil_domain::challan_no::{ChallanNo, IssuerNo};
use mahasil_domain::identity::{Cnic, VehicleNo};
use mahasil_domain::jurisdiction::Slug;
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, PgPool, Row};
use uuid::Uuid;

use super::audit_log::json;
use super::types::{PgTime, to_micros};
use super::writer::Tx;
use crate::flags::{
    ChallanFacts, FlagRecord, FlagState, MAX_CHALLAN_FACTS_PAGE, MAX_FLAGS_PAGE, MAX_RELIEF_REQUESTS_PAGE, NewFlag, ReliefRequestFacts, check_decision,
    check_inquiry_count, decision, decision_reason, entity, parse_json,
};
use crate::records::Actor;
use crate::{Result, StoreError};

const FLAG_COLUMNS: &str = "f.id, f.key, f.kind, f.subject, f.district, f.department, f.score, f.evidence::text AS evidence, f.summary_en, f.summary_ur, \
     f.challans::text AS challans, f.found_at, f.state, f.decided_by, f.decided_by_username, f.decided_at, f.reason";

/// Whether flag `f` is within the scope bound as `$1` to `$3` (`messages::scope_params`). A flag
/// without a department matches only a pair with none, one that covers the whole district.
const IN_SCOPE: &str = "($1 OR EXISTS (SELECT 1 FROM unnest($2::text[], $3::text[]) AS s (district, department)
                                     WHERE (s.district IS NULL OR s.district = f.district) AND (s.department IS NULL OR s.department = f.department)))";

fn corrupt(column: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{column}: {e}"))
}

fn slug(row: &PgRow, table: &str, column: &str) -> Result<Slug> {
    Slug::parse(row.try_get::<&str, _>(column)?).map_err(|e| corrupt(&format!("{table}.{column}"), e))
}

fn challan_no(row: &PgRow, table: &str) -> Result<ChallanNo> {
    ChallanNo::parse(row.try_get::<&str, _>("challan_no")?).map_err(|e| corrupt(&format!("{table}.challan_no"), e))
}

// ----- bill inquiries -----

pub(super) async fn record_inquiry(tx: &mut Tx, challan_no: ChallanNo, bank: &Slug, at: Timestamp) -> Result<()> {
    sqlx::query("INSERT INTO bill_inquiries (challan_no, bank, at) VALUES ($1, $2, $3)")
        .bind(challan_no.digits())
        .bind(bank.as_str())
        .bind(PgTime(to_micros(at)))
        .execute(&mut tx.conn)
        .await?;
    Ok(())
}

pub(super) async fn inquiries(pool: &PgPool, challan_nos: &[ChallanNo]) -> Result<Vec<(ChallanNo, String, Timestamp)>> {
    check_inquiry_count(challan_nos)?;
    if challan_nos.is_empty() {
        return Ok(Vec::new());
    }
    let numbers: Vec<String> = challan_nos.iter().map(|n| n.digits()).collect();
    let found = sqlx::query("SELECT challan_no, bank, at FROM bill_inquiries WHERE challan_no = ANY($1) ORDER BY challan_no, at, seq")
        .bind(&numbers)
        .fetch_all(pool)
        .await?;
    found.iter().map(|r| Ok((challan_no(r, "bill_inquiries")?, r.try_get("bank")?, r.try_get::<PgTime, _>("at")?.0))).collect()
}

// ----- what the rules read -----

pub(super) async fn relief_requests_since(pool: &PgPool, since: Timestamp, limit: u32) -> Result<Vec<ReliefRequestFacts>> {
    let found = sqlx::query(
        "SELECT r.id, c.challan_no, r.kind, r.requested_by, r.requested_at, c.district, c.department, c.officer_id
         FROM cancellation_requests r JOIN challans c ON c.id = r.challan_id
         WHERE r.requested_at >= $1 ORDER BY r.requested_at DESC, r.seq DESC LIMIT $2",
    )
    .bind(PgTime(to_micros(since)))
    .bind(i64::from(limit.clamp(1, MAX_RELIEF_REQUESTS_PAGE)))
    .fetch_all(pool)
    .await?;
    found
        .iter()
        .map(|r| {
            Ok(ReliefRequestFacts {
                request_id: r.try_get("id")?,
                challan_no: challan_no(r, "challans")?,
                kind: ReliefKind::parse(r.try_get::<&str, _>("kind")?).map_err(|e| corrupt("cancellation_requests.kind", e))?,
                requested_by: r.try_get("requested_by")?,
                requested_at: r.try_get::<PgTime, _>("requested_at")?.0,
                district: slug(r, "challans", "district")?,
                department: slug(r, "challans", "department")?,
                officer_id: r.try_get("officer_id")?,
            })
        })
        .collect()
}

fn challan_facts(r: &PgRow) -> Result<ChallanFacts> {
    let issuer = u32::try_from(r.try_get::<i32, _>("issuer_no")?).map_err(|e| corrupt("challans.issuer_no", e))?;
    let counter = u32::try_from(r.try_get::<i32, _>("counter")?).map_err(|e| corrupt("challans.counter", e))?;
    let vehicle: Option<&str> = r.try_get("vehicle_no")?;
    Ok(ChallanFacts {
        challan_no: challan_no(r, "challans")?,
        officer_id: r.try_get("officer_id")?,
        district: slug(r, "challans", "district")?,
        department: slug(r, "challans", "department")?,
        head_code: r.try_get("head_code")?,
        cnic: Cnic::parse(r.try_get::<&str, _>("cnic")?).map_err(|e| corrupt("challans.cnic", e))?,
        vehicle_no: vehicle.map(VehicleNo::parse).transpose().map_err(|e| corrupt("challans.vehicle_no", e))?,
        issued_at: r.try_get::<PgTime, _>("issued_at")?.0,
        received_at: r.try_get::<PgTime, _>("received_at")?.0,
        lat: r.try_get("lat")?,
        lon: r.try_get("lon")?,
        issuer_no: IssuerNo::new(issuer).map_err(|e| corrupt("challans.issuer_no", e))?,
        counter,
        status: ChallanStatus::parse(r.try_get::<&str, _>("status")?).map_err(|e| corrupt("challans.status", e))?,
    })
}

pub(super) async fn recent_challans(pool: &PgPool, since: Timestamp, limit: u32) -> Result<Vec<ChallanFacts>> {
    // Read in order from `challans_received` (migration 0017).
    let found = sqlx::query(
        "SELECT challan_no, officer_id, district, department, head_code, cnic, vehicle_no, issued_at, received_at, lat, lon, issuer_no, counter, status
         FROM challans WHERE received_at >= $1 ORDER BY received_at, seq LIMIT $2",
    )
    .bind(PgTime(to_micros(since)))
    .bind(i64::from(limit.clamp(1, MAX_CHALLAN_FACTS_PAGE)))
    .fetch_all(pool)
    .await?;
    found.iter().map(challan_facts).collect()
}

// ----- flags -----

/// A flag from a row selected with [`FLAG_COLUMNS`].
fn flag_from_row(r: &PgRow) -> Result<FlagRecord> {
    let department: Option<&str> = r.try_get("department")?;
    Ok(FlagRecord {
        id: r.try_get("id")?,
        key: r.try_get("key")?,
        kind: r.try_get("kind")?,
        subject: r.try_get("subject")?,
        district: slug(r, "insight_flags", "district")?,
        department: department.map(Slug::parse).transpose().map_err(|e| corrupt("insight_flags.department", e))?,
        score: r.try_get("score")?,
        evidence: parse_json("evidence", r.try_get("evidence")?)?,
        summary_en: r.try_get("summary_en")?,
        summary_ur: r.try_get("summary_ur")?,
        challans: parse_json("challans", r.try_get("challans")?)?,
        found_at: r.try_get::<PgTime, _>("found_at")?.0,
        state: FlagState::parse(r.try_get::<&str, _>("state")?).map_err(|e| corrupt("insight_flags.state", e))?,
        decided_by: r.try_get("decided_by")?,
        decided_by_username: r.try_get("decided_by_username")?,
        decided_at: r.try_get::<Option<PgTime>, _>("decided_at")?.map(|t| t.0),
        reason: r.try_get("reason")?,
    })
}

/// The columns of the flags to insert, one array each, in the order of the batch. A key
/// repeated within the batch keeps its first flag, as it would if each were stored in turn.
#[derive(Default)]
struct FlagColumns {
    id: Vec<Uuid>,
    key: Vec<String>,
    kind: Vec<String>,
    subject: Vec<String>,
    district: Vec<String>,
    department: Vec<Option<String>>,
    score: Vec<f64>,
    evidence: Vec<String>,
    summary_en: Vec<String>,
    summary_ur: Vec<String>,
    challans: Vec<String>,
}

impl FlagColumns {
    fn of(flags: &[NewFlag], json: &[(String, String)]) -> Self {
        let mut c = Self::default();
        let mut seen = HashSet::new();
        for (flag, (evidence, challans)) in flags.iter().zip(json) {
            if !seen.insert(flag.key.as_str()) {
                continue;
            }
            c.id.push(Uuid::now_v7());
            c.key.push(flag.key.clone());
            c.kind.push(flag.kind.clone());
            c.subject.push(flag.subject.clone());
            c.district.push(flag.district.as_str().to_owned());
            c.department.push(flag.department.as_ref().map(|d| d.as_str().to_owned()));
            c.score.push(flag.score);
            c.evidence.push(evidence.clone());
            c.summary_en.push(flag.summary_en.clone());
            c.summary_ur.push(flag.summary_ur.clone());
            c.challans.push(challans.clone());
        }
        c
    }
}

/// Stores the flags whose keys are new, in one statement; `json` is each flag's evidence and
/// challans as [`crate::flags::checked_batch`] checked and wrote them.
pub(super) async fn put(tx: &mut Tx, flags: &[NewFlag], json: &[(String, String)], at: Timestamp) -> Result<u32> {
    let c = FlagColumns::of(flags, json);
    let stored = sqlx::query(
        "INSERT INTO insight_flags (id, key, kind, subject, district, department, score, evidence, summary_en, summary_ur, challans, found_at, state)
         SELECT u.id, u.key, u.kind, u.subject, u.district, u.department, u.score, u.evidence::jsonb, u.summary_en, u.summary_ur, u.challans::jsonb, $12, 'open'
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::float8[], $8::text[], $9::text[], $10::text[], $11::text[])
              WITH ORDINALITY AS u (id, key, kind, subject, district, department, score, evidence, summary_en, summary_ur, challans, n)
         ORDER BY u.n
         ON CONFLICT (key) DO NOTHING",
    )
    .bind(&c.id)
    .bind(&c.key)
    .bind(&c.kind)
    .bind(&c.subject)
    .bind(&c.district)
    .bind(&c.department)
    .bind(&c.score)
    .bind(&c.evidence)
    .bind(&c.summary_en)
    .bind(&c.summary_ur)
    .bind(&c.challans)
    .bind(PgTime(to_micros(at)))
    .execute(&mut tx.conn)
    .await?
    .rows_affected();
    u32::try_from(stored).map_err(|e| corrupt("insight_flags", e))
}

async fn flag_on(conn: &mut PgConnection, id: Uuid, lock: bool) -> Result<Option<FlagRecord>> {
    let sql = format!("SELECT {FLAG_COLUMNS} FROM insight_flags f WHERE f.id = $1{}", if lock { " FOR UPDATE" } else { "" });
    sqlx::query(&sql).bind(id).fetch_optional(conn).await?.as_ref().map(flag_from_row).transpose()
}

pub(super) async fn flag(pool: &PgPool, id: Uuid) -> Result<Option<FlagRecord>> {
    let mut conn = pool.acquire().await?;
    flag_on(&mut conn, id, false).await
}

pub(super) async fn list(pool: &PgPool, scope: &Scope, state: Option<FlagState>, limit: u32) -> Result<Vec<FlagRecord>> {
    if scope.is_nowhere() {
        return Ok(Vec::new());
    }
    let (everywhere, districts, departments) = super::messages::scope_params(scope);
    let sql = format!(
        "SELECT {FLAG_COLUMNS} FROM insight_flags f WHERE {IN_SCOPE} AND ($4::text IS NULL OR f.state = $4)
         ORDER BY f.state = 'open' DESC, f.found_at DESC, f.id DESC LIMIT $5"
    );
    let found = sqlx::query(&sql)
        .bind(everywhere)
        .bind(districts)
        .bind(departments)
        .bind(state.map(FlagState::as_str))
        .bind(i64::from(limit.clamp(1, MAX_FLAGS_PAGE)))
        .fetch_all(pool)
        .await?;
    found.iter().map(flag_from_row).collect()
}

pub(super) async fn count_open(pool: &PgPool, scope: &Scope) -> Result<u64> {
    if scope.is_nowhere() {
        return Ok(0);
    }
    let (everywhere, districts, departments) = super::messages::scope_params(scope);
    let n: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM insight_flags f WHERE f.state = 'open' AND {IN_SCOPE}"))
        .bind(everywhere)
        .bind(districts)
        .bind(departments)
        .fetch_one(pool)
        .await?;
    u64::try_from(n).map_err(|e| corrupt("count(insight_flags)", e))
}

pub(super) async fn decide(tx: &mut Tx, id: Uuid, acknowledge: bool, reason: &str, actor: &Actor, scope: &Scope, at: Timestamp) -> Result<FlagRecord> {
    let reason = decision_reason(reason)?;
    let before = flag_on(&mut tx.conn, id, true).await?.ok_or_else(|| StoreError::NotFound(format!("flag {id}")))?;
    check_decision(&before, scope)?;
    let (state, action) = decision(acknowledge);
    let at = to_micros(at);
    let changed = sqlx::query(
        "UPDATE insight_flags SET state = $2, decided_by = $3, decided_by_username = $4, decided_at = $5, reason = $6 WHERE id = $1 AND state = 'open'",
    )
    .bind(id)
    .bind(state.as_str())
    .bind(actor.user_id)
    .bind(&actor.username)
    .bind(PgTime(at))
    .bind(&reason)
    .execute(&mut tx.conn)
    .await?
    .rows_affected();
    if changed != 1 {
        return Err(StoreError::Conflict(format!("flag {id} was decided meanwhile: a flag is decided once")));
    }
    let after = flag_on(&mut tx.conn, id, false).await?.ok_or_else(|| StoreError::Corrupt(format!("flag {id} vanished while being decided")))?;
    tx.audit(at, actor, action, entity(id), json(&before)?, json(&after)?);
    Ok(after)
}
