//! Rows back into records. Stored values were checked on the way in, so a value that no
//! longer parses means the data was changed behind the store's back: `Corrupt`.

use mahasil_domain::DomainError;
use mahasil_domain::challan::{ChallanStatus, Location, Offender, ReliefKind};
use mahasil_domain::challan_no::{ChallanNo, IssuerNo};
use mahasil_domain::head::{AfterDueRule, AmountRule, FeeSchedule, HeadCode, HeadKind, RevenueHead};
use mahasil_domain::identity::{Cnic, Email, Mobile, Text, VehicleNo};
use mahasil_domain::jurisdiction::{Department, Jurisdiction, Level, Slug};
use mahasil_domain::money::Paisa;
use mahasil_domain::notice::Language;
use sqlx::Row;
use sqlx::postgres::PgRow;

use super::types::{PgDate, PgTime};
use crate::records::{CancellationRequest, ChallanRecord, Contest, ContestState, RequestState};
use crate::{Result, StoreError};

fn corrupt(column: &'static str) -> impl FnOnce(DomainError) -> StoreError {
    move |e| StoreError::Corrupt(format!("{column}: {e}"))
}

/// Stored free text, already checked for length when it was written.
fn text(column: &'static str, s: &str) -> Result<Text> {
    Text::parse_field(column, s, usize::MAX).map_err(corrupt(column))
}

pub(super) fn slug(row: &PgRow, column: &'static str) -> Result<Slug> {
    Slug::parse(row.try_get::<&str, _>(column)?).map_err(corrupt(column))
}

fn opt_slug(row: &PgRow, column: &'static str) -> Result<Option<Slug>> {
    row.try_get::<Option<&str>, _>(column)?.map(|s| Slug::parse(s).map_err(corrupt(column))).transpose()
}

fn paisa(row: &PgRow, column: &'static str) -> Result<Paisa> {
    Paisa::new(row.try_get(column)?).map_err(corrupt(column))
}

fn u32_of(row: &PgRow, column: &'static str) -> Result<u32> {
    u32::try_from(row.try_get::<i32, _>(column)?).map_err(|_| StoreError::Corrupt(format!("{column} is negative")))
}

pub(super) fn status(row: &PgRow, column: &'static str) -> Result<ChallanStatus> {
    ChallanStatus::parse(row.try_get::<&str, _>(column)?).map_err(corrupt(column))
}

pub(super) fn challan_no(row: &PgRow, column: &'static str) -> Result<ChallanNo> {
    ChallanNo::parse(row.try_get::<&str, _>(column)?).map_err(corrupt(column))
}

pub(super) fn jurisdiction(row: &PgRow) -> Result<Jurisdiction> {
    Ok(Jurisdiction {
        slug: slug(row, "slug")?,
        level: Level::parse(row.try_get::<&str, _>("level")?).map_err(corrupt("level"))?,
        parent: opt_slug(row, "parent_slug")?,
        name_en: row.try_get("name_en")?,
        name_ur: row.try_get("name_ur")?,
    })
}

pub(super) fn department(row: &PgRow) -> Result<Department> {
    Ok(Department { slug: slug(row, "slug")?, name_en: row.try_get("name_en")?, name_ur: row.try_get("name_ur")? })
}

pub(super) const HEAD_COLUMNS: &str = "code, kind, department, title_en, title_ur, legal_basis, account_code, active";

pub(super) fn head(row: &PgRow) -> Result<RevenueHead> {
    Ok(RevenueHead {
        code: HeadCode::parse(row.try_get::<&str, _>("code")?).map_err(corrupt("code"))?,
        kind: HeadKind::parse(row.try_get::<&str, _>("kind")?).map_err(corrupt("kind"))?,
        department: slug(row, "department")?,
        title_en: row.try_get("title_en")?,
        title_ur: row.try_get("title_ur")?,
        legal_basis: row.try_get("legal_basis")?,
        account_code: row.try_get("account_code")?,
        active: row.try_get("active")?,
    })
}

pub(super) const SCHEDULE_COLUMNS: &str =
    "head_code, version, amount_type, amount_paisa, min_paisa, max_paisa, due_days, after_due_type, after_due_paisa, after_due_basis_points, effective_from";

pub(super) fn schedule(row: &PgRow) -> Result<FeeSchedule> {
    let amount = match row.try_get::<&str, _>("amount_type")? {
        "fixed" => AmountRule::Fixed { amount_paisa: paisa(row, "amount_paisa")? },
        "range" => AmountRule::Range { min_paisa: paisa(row, "min_paisa")?, max_paisa: paisa(row, "max_paisa")? },
        other => return Err(StoreError::Corrupt(format!("amount_type {other}"))),
    };
    let after_due = match row.try_get::<&str, _>("after_due_type")? {
        "same" => AfterDueRule::Same,
        "fixed" => AfterDueRule::Fixed { amount_paisa: paisa(row, "after_due_paisa")? },
        "surcharge_bp" => AfterDueRule::SurchargeBasisPoints { basis_points: u32_of(row, "after_due_basis_points")? },
        other => return Err(StoreError::Corrupt(format!("after_due_type {other}"))),
    };
    Ok(FeeSchedule {
        head: HeadCode::parse(row.try_get::<&str, _>("head_code")?).map_err(corrupt("head_code"))?,
        version: u32_of(row, "version")?,
        amount,
        due_days: u16::try_from(row.try_get::<i32, _>("due_days")?).map_err(|_| StoreError::Corrupt("due_days out of range".into()))?,
        after_due,
        effective_from: row.try_get::<PgDate, _>("effective_from")?.0,
    })
}

/// The columns `challan` reads, qualified by the `c` alias.
pub(super) const CHALLAN_COLUMNS: &str = "c.seq, c.id, c.challan_no, c.issuer_no, c.status, c.head_code, c.department, c.schedule_version, c.district, \
     c.officer_id, c.officer_username, c.offender_name, c.cnic, c.mobile, c.email, c.vehicle_no, c.business_name, c.address, \
     c.lat, c.lon, c.location_text, c.issued_at, c.received_at, c.amount_paisa, c.amount_after_due_paisa, c.due_date, c.seal, c.language";

pub(super) fn challan(row: &PgRow) -> Result<ChallanRecord> {
    let issuer_no = IssuerNo::new(u32_of(row, "issuer_no")?).map_err(corrupt("issuer_no"))?;
    let offender = Offender {
        name: text("offender_name", row.try_get("offender_name")?)?,
        cnic: Cnic::parse(row.try_get::<&str, _>("cnic")?).map_err(corrupt("cnic"))?,
        mobile: Mobile::parse(row.try_get::<&str, _>("mobile")?).map_err(corrupt("mobile"))?,
        email: row.try_get::<Option<&str>, _>("email")?.map(|s| Email::parse(s).map_err(corrupt("email"))).transpose()?,
        vehicle_no: row.try_get::<Option<&str>, _>("vehicle_no")?.map(|s| VehicleNo::parse(s).map_err(corrupt("vehicle_no"))).transpose()?,
        business_name: row.try_get::<Option<&str>, _>("business_name")?.map(|s| text("business_name", s)).transpose()?,
        address: row.try_get::<Option<&str>, _>("address")?.map(|s| text("address", s)).transpose()?,
        language: row.try_get::<Option<&str>, _>("language")?.map(|s| Language::parse(s).map_err(corrupt("language"))).transpose()?,
    };
    let location = Location { lat: row.try_get("lat")?, lon: row.try_get("lon")?, text: text("location_text", row.try_get("location_text")?)? };
    Ok(ChallanRecord {
        id: row.try_get("id")?,
        challan_no: challan_no(row, "challan_no")?,
        issuer_no,
        status: status(row, "status")?,
        head_code: row.try_get("head_code")?,
        department: slug(row, "department")?,
        schedule_version: u32_of(row, "schedule_version")?,
        district: slug(row, "district")?,
        officer_id: row.try_get("officer_id")?,
        officer_username: row.try_get("officer_username")?,
        offender,
        location,
        issued_at: row.try_get::<PgTime, _>("issued_at")?.0,
        received_at: row.try_get::<PgTime, _>("received_at")?.0,
        amount_paisa: row.try_get("amount_paisa")?,
        amount_after_due_paisa: row.try_get("amount_after_due_paisa")?,
        due_date: row.try_get::<PgDate, _>("due_date")?.0,
        seal: row.try_get("seal")?,
    })
}

/// Columns `cancellation` reads: the request `r` joined to its challan `c`.
pub(super) const CANCELLATION_COLUMNS: &str = "r.id, r.challan_id, c.challan_no, c.district, c.department, r.reason, r.requested_by, \
     r.requested_by_username, r.requested_at, r.state, r.decided_by_username, r.decided_at, r.decision_note, r.kind";

pub(super) fn cancellation(row: &PgRow) -> Result<CancellationRequest> {
    let state = match row.try_get::<&str, _>("state")? {
        "pending" => RequestState::Pending,
        "approved" => RequestState::Approved,
        "rejected" => RequestState::Rejected,
        other => return Err(StoreError::Corrupt(format!("cancellation state {other}"))),
    };
    Ok(CancellationRequest {
        id: row.try_get("id")?,
        kind: ReliefKind::parse(row.try_get::<&str, _>("kind")?).map_err(corrupt("kind"))?,
        challan_id: row.try_get("challan_id")?,
        challan_no: challan_no(row, "challan_no")?,
        district: slug(row, "district")?,
        department: slug(row, "department")?,
        reason: row.try_get("reason")?,
        requested_by: row.try_get("requested_by")?,
        requested_by_username: row.try_get("requested_by_username")?,
        requested_at: row.try_get::<PgTime, _>("requested_at")?.0,
        state,
        decided_by_username: row.try_get("decided_by_username")?,
        decided_at: row.try_get::<Option<PgTime>, _>("decided_at")?.map(|t| t.0),
        decision_note: row.try_get("decision_note")?,
    })
}

/// Columns `contest` reads: the contest `k` joined to its challan `c`.
pub(super) const CONTEST_COLUMNS: &str = "k.id, k.challan_id, c.challan_no, c.district, c.department, k.grounds, k.recorded_by_username, \
     k.recorded_at, k.state, k.decided_by_username, k.decided_at, k.decision_note";

pub(super) fn contest(row: &PgRow) -> Result<Contest> {
    let state = match row.try_get::<&str, _>("state")? {
        "open" => ContestState::Open,
        "upheld" => ContestState::Upheld,
        "quashed" => ContestState::Quashed,
        other => return Err(StoreError::Corrupt(format!("contest state {other}"))),
    };
    Ok(Contest {
        id: row.try_get("id")?,
        challan_id: row.try_get("challan_id")?,
        challan_no: challan_no(row, "challan_no")?,
        district: slug(row, "district")?,
        department: slug(row, "department")?,
        grounds: row.try_get("grounds")?,
        recorded_by_username: row.try_get("recorded_by_username")?,
        recorded_at: row.try_get::<PgTime, _>("recorded_at")?.0,
        state,
        decided_by_username: row.try_get("decided_by_username")?,
        decided_at: row.try_get::<Option<PgTime>, _>("decided_at")?.map(|t| t.0),
        decision_note: row.try_get("decision_note")?,
    })
}
