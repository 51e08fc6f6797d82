//! Revenue heads and their versioned fee schedules. A schedule is never changed once
//! stored (the database refuses UPDATE and DELETE); a change is the next version.

use jiff::Timestamp;
use mahasil_domain::DomainError;
use mahasil_domain::head::{AfterDueRule, AmountRule, FeeSchedule, HeadCode, RevenueHead};
use sqlx::PgPool;

use super::audit_log::json;
use super::rows::{self, HEAD_COLUMNS, SCHEDULE_COLUMNS};
use super::types::PgDate;
use super::writer::Tx;
use crate::records::{Actor, HeadWithSchedules};
use crate::{Result, StoreError};

fn schedule_of(head: &HeadCode, schedule: &FeeSchedule) -> Result<()> {
    schedule.check()?;
    if &schedule.head != head {
        return Err(DomainError::Invalid { field: "schedule.head", reason: format!("the schedule is for {}, not {head}", schedule.head) }.into());
    }
    Ok(())
}

pub(super) async fn create_head(tx: &mut Tx, head: &RevenueHead, schedule: &FeeSchedule, actor: &Actor, at: Timestamp) -> Result<()> {
    schedule_of(&head.code, schedule)?;
    if schedule.version != 1 {
        return Err(StoreError::Conflict(format!("the first fee schedule of {} is version 1, not {}", head.code, schedule.version)));
    }
    let department: Option<String> =
        sqlx::query_scalar("SELECT slug FROM departments WHERE slug = $1").bind(head.department.as_str()).fetch_optional(&mut tx.conn).await?;
    if department.is_none() {
        return Err(StoreError::NotFound(format!("department {}", head.department)));
    }
    sqlx::query(
        "INSERT INTO revenue_heads (code, kind, department, title_en, title_ur, legal_basis, account_code, active)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(head.code.as_str())
    .bind(head.kind.as_str())
    .bind(head.department.as_str())
    .bind(&head.title_en)
    .bind(&head.title_ur)
    .bind(&head.legal_basis)
    .bind(&head.account_code)
    .bind(head.active)
    .execute(&mut tx.conn)
    .await?;
    insert_schedule(tx, schedule).await?;
    let after = HeadWithSchedules { head: head.clone(), schedules: vec![schedule.clone()] };
    tx.audit(at, actor, "head.create", format!("head:{}", head.code), "null".into(), json(&after)?);
    Ok(())
}

async fn insert_schedule(tx: &mut Tx, s: &FeeSchedule) -> Result<()> {
    let (amount_type, amount, min, max) = match s.amount {
        AmountRule::Fixed { amount_paisa } => ("fixed", Some(amount_paisa.get()), None, None),
        AmountRule::Range { min_paisa, max_paisa } => ("range", None, Some(min_paisa.get()), Some(max_paisa.get())),
    };
    let (after_type, after_paisa, basis_points) = match s.after_due {
        AfterDueRule::Same => ("same", None, None),
        AfterDueRule::Fixed { amount_paisa } => ("fixed", Some(amount_paisa.get()), None),
        AfterDueRule::SurchargeBasisPoints { basis_points } => (
            "surcharge_bp",
            None,
            Some(i32::try_from(basis_points).map_err(|_| DomainError::Invalid { field: "after_due", reason: "surcharge too large".into() })?),
        ),
    };
    sqlx::query(
        "INSERT INTO fee_schedules (head_code, version, amount_type, amount_paisa, min_paisa, max_paisa, due_days,
                                    after_due_type, after_due_paisa, after_due_basis_points, effective_from)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(s.head.as_str())
    .bind(i32::try_from(s.version).map_err(|_| DomainError::Invalid { field: "version", reason: "too large".into() })?)
    .bind(amount_type)
    .bind(amount)
    .bind(min)
    .bind(max)
    .bind(i32::from(s.due_days))
    .bind(after_type)
    .bind(after_paisa)
    .bind(basis_points)
    .bind(PgDate(s.effective_from))
    .execute(&mut tx.conn)
    .await?;
    Ok(())
}

pub(super) async fn update_head(tx: &mut Tx, head: &RevenueHead, actor: &Actor, at: Timestamp) -> Result<()> {
    let sql = format!("SELECT {HEAD_COLUMNS} FROM revenue_heads WHERE code = $1 FOR UPDATE");
    let row = sqlx::query(&sql).bind(head.code.as_str()).fetch_optional(&mut tx.conn).await?;
    let before = row.as_ref().map(rows::head).transpose()?.ok_or_else(|| StoreError::NotFound(format!("head {}", head.code)))?;
    if head.kind != before.kind || head.department != before.department {
        return Err(StoreError::Conflict(format!("the kind and department of head {} never change; create a new head instead", head.code)));
    }
    let after = head.clone();
    sqlx::query("UPDATE revenue_heads SET title_en = $2, title_ur = $3, legal_basis = $4, account_code = $5, active = $6 WHERE code = $1")
        .bind(after.code.as_str())
        .bind(&after.title_en)
        .bind(&after.title_ur)
        .bind(&after.legal_basis)
        .bind(&after.account_code)
        .bind(after.active)
        .execute(&mut tx.conn)
        .await?;
    tx.audit(at, actor, "head.update", format!("head:{}", head.code), json(&before)?, json(&after)?);
    Ok(())
}

pub(super) async fn add_fee_schedule(tx: &mut Tx, schedule: &FeeSchedule, actor: &Actor, at: Timestamp) -> Result<()> {
    schedule_of(&schedule.head, schedule)?;
    // Locking the head makes concurrent additions take turns.
    let head: Option<String> =
        sqlx::query_scalar("SELECT code FROM revenue_heads WHERE code = $1 FOR UPDATE").bind(schedule.head.as_str()).fetch_optional(&mut tx.conn).await?;
    if head.is_none() {
        return Err(StoreError::NotFound(format!("head {}", schedule.head)));
    }
    let highest: Option<i32> =
        sqlx::query_scalar("SELECT max(version) FROM fee_schedules WHERE head_code = $1").bind(schedule.head.as_str()).fetch_one(&mut tx.conn).await?;
    let next = i64::from(highest.unwrap_or(0)) + 1;
    if i64::from(schedule.version) != next {
        return Err(StoreError::Conflict(format!("the next fee schedule version of {} is {next}, not {}", schedule.head, schedule.version)));
    }
    insert_schedule(tx, schedule).await?;
    tx.audit(at, actor, "fee_schedule.add", format!("fee_schedule:{}:{}", schedule.head, schedule.version), "null".into(), json(schedule)?);
    Ok(())
}

pub(super) async fn heads(pool: &PgPool) -> Result<Vec<RevenueHead>> {
    let sql = format!("SELECT {HEAD_COLUMNS} FROM revenue_heads ORDER BY code");
    let all = sqlx::query(&sql).fetch_all(pool).await?;
    all.iter().map(rows::head).collect()
}

pub(super) async fn head(pool: &PgPool, code: &HeadCode) -> Result<Option<HeadWithSchedules>> {
    let sql = format!("SELECT {HEAD_COLUMNS} FROM revenue_heads WHERE code = $1");
    let Some(row) = sqlx::query(&sql).bind(code.as_str()).fetch_optional(pool).await? else {
        return Ok(None);
    };
    let head = rows::head(&row)?;
    let sql = format!("SELECT {SCHEDULE_COLUMNS} FROM fee_schedules WHERE head_code = $1 ORDER BY version");
    let schedules = sqlx::query(&sql).bind(code.as_str()).fetch_all(pool).await?;
    let schedules = schedules.iter().map(rows::schedule).collect::<Result<Vec<_>>>()?;
    Ok(Some(HeadWithSchedules { head, schedules }))
}
