//! Reference data in SQLite: the jurisdiction tree, departments, revenue heads and their
//! immutable fee schedules.

use jiff::Timestamp;
use mahasil_domain::DomainError;
use mahasil_domain::head::{AfterDueRule, AmountRule, FeeSchedule, HeadCode, HeadKind, RevenueHead};
use mahasil_domain::jurisdiction::{Department, Jurisdiction, Level, Slug};
use mahasil_domain::money::Paisa;
use rusqlite::{Connection, Row, Transaction};

use super::audit_log::{self, Change};
use super::rows::{self, bool_int, conflict};
use crate::error::{Result, StoreError};
use crate::records::{Actor, HeadWithSchedules};

const JURISDICTION_COLUMNS: &str = "slug, level, parent_slug, name_en, name_ur";

fn jurisdiction_from_row(r: &Row<'_>) -> Result<Jurisdiction> {
    let level: String = r.get(1)?;
    let parent: Option<String> = r.get(2)?;
    Ok(Jurisdiction {
        slug: rows::slug("jurisdictions.slug", &r.get::<_, String>(0)?)?,
        level: rows::parsed("jurisdictions.level", || Level::parse(&level))?,
        parent: parent.as_deref().map(|p| rows::slug("jurisdictions.parent_slug", p)).transpose()?,
        name_en: r.get(3)?,
        name_ur: r.get(4)?,
    })
}

pub(crate) fn jurisdiction(conn: &Connection, slug: &Slug) -> Result<Option<Jurisdiction>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {JURISDICTION_COLUMNS} FROM jurisdictions WHERE slug = ?1"))?;
    let mut rows = stmt.query([slug.as_str()])?;
    rows.next()?.map(jurisdiction_from_row).transpose()
}

/// The tree from the top down: provinces, then divisions, districts and tehsils, by slug.
pub(crate) fn jurisdictions(conn: &Connection) -> Result<Vec<Jurisdiction>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {JURISDICTION_COLUMNS} FROM jurisdictions
         ORDER BY CASE level WHEN 'province' THEN 0 WHEN 'division' THEN 1 WHEN 'district' THEN 2 ELSE 3 END, slug"
    ))?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(jurisdiction_from_row(r)?);
    }
    Ok(out)
}

pub(crate) fn put_jurisdiction(tx: &Transaction<'_>, j: &Jurisdiction, actor: &Actor, at: Timestamp) -> Result<()> {
    let parent_level = match &j.parent {
        Some(parent) => Some(jurisdiction(tx, parent)?.ok_or_else(|| StoreError::NotFound(format!("parent jurisdiction {parent}")))?.level),
        None => None,
    };
    j.check_parent(parent_level)?;
    let before = jurisdiction(tx, &j.slug)?;
    tx.prepare_cached(
        "INSERT INTO jurisdictions (slug, level, parent_slug, name_en, name_ur) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (slug) DO UPDATE SET level = excluded.level, parent_slug = excluded.parent_slug, name_en = excluded.name_en, name_ur = excluded.name_ur",
    )?
    .execute(rusqlite::params![j.slug.as_str(), j.level.as_str(), j.parent.as_ref().map(Slug::as_str), j.name_en, j.name_ur])
    .map_err(conflict(format!("jurisdiction {} conflicts with stored data", j.slug)))?;
    let change = Change { action: "jurisdiction.put", entity: format!("jurisdiction:{}", j.slug), before: rows::json(&before)?, after: rows::json(j)? };
    audit_log::append(tx, actor, at, &change)
}

fn department(conn: &Connection, slug: &Slug) -> Result<Option<Department>> {
    let mut stmt = conn.prepare_cached("SELECT slug, name_en, name_ur FROM departments WHERE slug = ?1")?;
    let mut rows = stmt.query([slug.as_str()])?;
    rows.next()?.map(department_from_row).transpose()
}

fn department_from_row(r: &Row<'_>) -> Result<Department> {
    Ok(Department { slug: rows::slug("departments.slug", &r.get::<_, String>(0)?)?, name_en: r.get(1)?, name_ur: r.get(2)? })
}

pub(crate) fn departments(conn: &Connection) -> Result<Vec<Department>> {
    let mut stmt = conn.prepare_cached("SELECT slug, name_en, name_ur FROM departments ORDER BY slug")?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(department_from_row(r)?);
    }
    Ok(out)
}

pub(crate) fn put_department(tx: &Transaction<'_>, d: &Department, actor: &Actor, at: Timestamp) -> Result<()> {
    let before = department(tx, &d.slug)?;
    tx.prepare_cached("INSERT INTO departments (slug, name_en, name_ur) VALUES (?1, ?2, ?3) ON CONFLICT (slug) DO UPDATE SET name_en = excluded.name_en, name_ur = excluded.name_ur")?
        .execute(rusqlite::params![d.slug.as_str(), d.name_en, d.name_ur])?;
    let change = Change { action: "department.put", entity: format!("department:{}", d.slug), before: rows::json(&before)?, after: rows::json(d)? };
    audit_log::append(tx, actor, at, &change)
}

// ----- revenue heads -----

const HEAD_COLUMNS: &str = "code, kind, department, title_en, title_ur, legal_basis, account_code, active";

fn head_from_row(r: &Row<'_>) -> Result<RevenueHead> {
    let code: String = r.get(0)?;
    let kind: String = r.get(1)?;
    Ok(RevenueHead {
        code: rows::parsed("revenue_heads.code", || HeadCode::parse(&code))?,
        kind: rows::parsed("revenue_heads.kind", || HeadKind::parse(&kind))?,
        department: rows::slug("revenue_heads.department", &r.get::<_, String>(2)?)?,
        title_en: r.get(3)?,
        title_ur: r.get(4)?,
        legal_basis: r.get(5)?,
        account_code: r.get(6)?,
        active: r.get(7)?,
    })
}

fn stored_head(conn: &Connection, code: &HeadCode) -> Result<Option<RevenueHead>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {HEAD_COLUMNS} FROM revenue_heads WHERE code = ?1"))?;
    let mut rows = stmt.query([code.as_str()])?;
    rows.next()?.map(head_from_row).transpose()
}

pub(crate) fn heads(conn: &Connection) -> Result<Vec<RevenueHead>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {HEAD_COLUMNS} FROM revenue_heads ORDER BY code"))?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(head_from_row(r)?);
    }
    Ok(out)
}

pub(crate) fn head(conn: &Connection, code: &HeadCode) -> Result<Option<HeadWithSchedules>> {
    let Some(head) = stored_head(conn, code)? else { return Ok(None) };
    Ok(Some(HeadWithSchedules { schedules: schedules(conn, code)?, head }))
}

pub(crate) fn create_head(tx: &Transaction<'_>, head: &RevenueHead, schedule: &FeeSchedule, actor: &Actor, at: Timestamp) -> Result<()> {
    if schedule.head != head.code {
        return Err(DomainError::Invalid { field: "schedule.head", reason: format!("is {}, not the new head {}", schedule.head, head.code) }.into());
    }
    if schedule.version != 1 {
        return Err(StoreError::Conflict(format!("the first fee schedule of {} must be version 1, not {}", head.code, schedule.version)));
    }
    schedule.check()?;
    if department(tx, &head.department)?.is_none() {
        return Err(StoreError::NotFound(format!("department {}", head.department)));
    }
    tx.prepare_cached(&format!("INSERT INTO revenue_heads ({HEAD_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"))?
        .execute(rusqlite::params![
            head.code.as_str(),
            head.kind.as_str(),
            head.department.as_str(),
            head.title_en,
            head.title_ur,
            head.legal_basis,
            head.account_code,
            bool_int(head.active)
        ])
        .map_err(conflict(format!("revenue head {} already exists", head.code)))?;
    insert_schedule(tx, schedule)?;
    let after = serde_json::json!({ "head": head, "schedule": schedule });
    let change = Change { action: "head.create", entity: format!("head:{}", head.code), before: "null".into(), after: rows::json(&after)? };
    audit_log::append(tx, actor, at, &change)
}

pub(crate) fn update_head(tx: &Transaction<'_>, head: &RevenueHead, actor: &Actor, at: Timestamp) -> Result<()> {
    let before = stored_head(tx, &head.code)?.ok_or_else(|| StoreError::NotFound(format!("revenue head {}", head.code)))?;
    if before.kind != head.kind {
        return Err(DomainError::Invalid { field: "kind", reason: "a revenue head's kind never changes".into() }.into());
    }
    if before.department != head.department {
        return Err(DomainError::Invalid { field: "department", reason: "a revenue head's department never changes".into() }.into());
    }
    tx.prepare_cached("UPDATE revenue_heads SET title_en = ?2, title_ur = ?3, legal_basis = ?4, account_code = ?5, active = ?6 WHERE code = ?1")?
        .execute(rusqlite::params![head.code.as_str(), head.title_en, head.title_ur, head.legal_basis, head.account_code, bool_int(head.active)])?;
    let change = Change { action: "head.update", entity: format!("head:{}", head.code), before: rows::json(&before)?, after: rows::json(head)? };
    audit_log::append(tx, actor, at, &change)
}

pub(crate) fn add_fee_schedule(tx: &Transaction<'_>, schedule: &FeeSchedule, actor: &Actor, at: Timestamp) -> Result<()> {
    if stored_head(tx, &schedule.head)?.is_none() {
        return Err(StoreError::NotFound(format!("revenue head {}", schedule.head)));
    }
    schedule.check()?;
    let highest: i64 =
        tx.prepare_cached("SELECT coalesce(max(version), 0) FROM fee_schedules WHERE head_code = ?1")?.query_row([schedule.head.as_str()], |r| r.get(0))?;
    if i64::from(schedule.version) != highest + 1 {
        return Err(StoreError::Conflict(format!("the next fee schedule of {} is version {}, not {}", schedule.head, highest + 1, schedule.version)));
    }
    insert_schedule(tx, schedule)?;
    let change = Change {
        action: "schedule.add",
        entity: format!("schedule:{}:{}", schedule.head, schedule.version),
        before: "null".into(),
        after: rows::json(schedule)?,
    };
    audit_log::append(tx, actor, at, &change)
}

// ----- fee schedules -----

fn insert_schedule(tx: &Transaction<'_>, s: &FeeSchedule) -> Result<()> {
    let (amount_type, amount, min, max) = match s.amount {
        AmountRule::Fixed { amount_paisa } => ("fixed", Some(amount_paisa.get()), None, None),
        AmountRule::Range { min_paisa, max_paisa } => ("range", None, Some(min_paisa.get()), Some(max_paisa.get())),
    };
    let (after_type, after_paisa, after_bp) = match s.after_due {
        AfterDueRule::Same => ("same", None, None),
        AfterDueRule::Fixed { amount_paisa } => ("fixed", Some(amount_paisa.get()), None),
        AfterDueRule::SurchargeBasisPoints { basis_points } => ("surcharge_bp", None, Some(basis_points)),
    };
    tx.prepare_cached(
        "INSERT INTO fee_schedules (head_code, version, amount_type, amount_paisa, min_paisa, max_paisa, due_days, after_due_type, after_due_paisa, after_due_basis_points, effective_from)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?
    .execute(rusqlite::params![s.head.as_str(), s.version, amount_type, amount, min, max, s.due_days, after_type, after_paisa, after_bp, s.effective_from.to_string()])
    .map_err(conflict(format!("fee schedule {} version {} already exists", s.head, s.version)))?;
    Ok(())
}

fn paisa(column: &str, value: Option<i64>) -> Result<Paisa> {
    let value = value.ok_or_else(|| rows::corrupt(column, "missing"))?;
    rows::parsed(column, || Paisa::new(value))
}

fn schedule_from_row(r: &Row<'_>) -> Result<FeeSchedule> {
    let code: String = r.get(0)?;
    let amount_type: String = r.get(2)?;
    let amount = match amount_type.as_str() {
        "fixed" => AmountRule::Fixed { amount_paisa: paisa("fee_schedules.amount_paisa", r.get(3)?)? },
        "range" => AmountRule::Range { min_paisa: paisa("fee_schedules.min_paisa", r.get(4)?)?, max_paisa: paisa("fee_schedules.max_paisa", r.get(5)?)? },
        other => return Err(rows::corrupt("fee_schedules.amount_type", other)),
    };
    let after_type: String = r.get(7)?;
    let after_due = match after_type.as_str() {
        "same" => AfterDueRule::Same,
        "fixed" => AfterDueRule::Fixed { amount_paisa: paisa("fee_schedules.after_due_paisa", r.get(8)?)? },
        "surcharge_bp" => {
            let bp: Option<u32> = r.get(9)?;
            AfterDueRule::SurchargeBasisPoints { basis_points: bp.ok_or_else(|| rows::corrupt("fee_schedules.after_due_basis_points", "missing"))? }
        }
        other => return Err(rows::corrupt("fee_schedules.after_due_type", other)),
    };
    Ok(FeeSchedule {
        head: rows::parsed("fee_schedules.head_code", || HeadCode::parse(&code))?,
        version: r.get(1)?,
        amount,
        due_days: r.get(6)?,
        after_due,
        effective_from: rows::date("fee_schedules.effective_from", &r.get::<_, String>(10)?)?,
    })
}

/// A head's schedules, oldest version first.
pub(crate) fn schedules(conn: &Connection, code: &HeadCode) -> Result<Vec<FeeSchedule>> {
    let mut stmt = conn.prepare_cached(
        "SELECT head_code, version, amount_type, amount_paisa, min_paisa, max_paisa, due_days, after_due_type, after_due_paisa, after_due_basis_points, effective_from
         FROM fee_schedules WHERE head_code = ?1 ORDER BY version",
    )?;
    let mut rows = stmt.query([code.as_str()])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(schedule_from_row(r)?);
    }
    Ok(out)
}
