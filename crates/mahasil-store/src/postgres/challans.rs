//! Reading challans: by number or id, their history, and the search with its scope and
//! filters, newest first, paged by the `seq` cursor.

use mahasil_domain::authz::Scope;
use mahasil_domain::challan::ChallanStatus;
use mahasil_domain::challan_no::ChallanNo;
use sqlx::{PgPool, Postgres, QueryBuilder, Row};
use uuid::Uuid;

use super::rows::{self, CHALLAN_COLUMNS};
use super::types::{PgDate, PgTime};
use crate::Result;
use crate::records::{ChallanEvent, ChallanPage, ChallanQuery, ChallanRecord, MAX_PAGE_SIZE};

pub(super) async fn by_no(pool: &PgPool, no: ChallanNo) -> Result<Option<ChallanRecord>> {
    let sql = format!("SELECT {CHALLAN_COLUMNS} FROM challans c WHERE c.challan_no = $1");
    let row = sqlx::query(&sql).bind(no.digits()).fetch_optional(pool).await?;
    row.as_ref().map(rows::challan).transpose()
}

pub(super) async fn by_id(pool: &PgPool, id: Uuid) -> Result<Option<ChallanRecord>> {
    let sql = format!("SELECT {CHALLAN_COLUMNS} FROM challans c WHERE c.id = $1");
    let row = sqlx::query(&sql).bind(id).fetch_optional(pool).await?;
    row.as_ref().map(rows::challan).transpose()
}

pub(super) async fn events(pool: &PgPool, challan_id: Uuid) -> Result<Vec<ChallanEvent>> {
    let all =
        sqlx::query("SELECT at, kind, actor, status, note FROM challan_events WHERE challan_id = $1 ORDER BY id").bind(challan_id).fetch_all(pool).await?;
    all.iter()
        .map(|r| {
            Ok(ChallanEvent {
                at: r.try_get::<PgTime, _>("at")?.0,
                kind: r.try_get("kind")?,
                actor: r.try_get("actor")?,
                status: rows::status(r, "status")?,
                note: r.try_get("note")?,
            })
        })
        .collect()
}

pub(super) async fn count(pool: &PgPool) -> Result<u64> {
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM challans").fetch_one(pool).await?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// Appends ` AND (<scope>)` on the columns `district` and `department` of alias `c`.
/// An empty scope matches nothing.
pub(super) fn push_scope(qb: &mut QueryBuilder<'_, Postgres>, scope: &Scope) {
    let Scope::Pairs(pairs) = scope else {
        return;
    };
    if pairs.is_empty() {
        qb.push(" AND FALSE");
        return;
    }
    qb.push(" AND (");
    for (i, (district, department)) in pairs.iter().enumerate() {
        if i > 0 {
            qb.push(" OR ");
        }
        qb.push("(TRUE");
        if let Some(d) = district {
            qb.push(" AND c.district = ").push_bind(d.as_str().to_owned());
        }
        if let Some(d) = department {
            qb.push(" AND c.department = ").push_bind(d.as_str().to_owned());
        }
        qb.push(")");
    }
    qb.push(")");
}

pub(super) async fn search(pool: &PgPool, q: &ChallanQuery) -> Result<ChallanPage> {
    if q.scope.is_nowhere() {
        return Ok(ChallanPage { items: Vec::new(), next: None });
    }
    let limit = q.limit.clamp(1, MAX_PAGE_SIZE);
    let mut qb = QueryBuilder::<Postgres>::new(format!("SELECT {CHALLAN_COLUMNS} FROM challans c WHERE TRUE"));
    push_scope(&mut qb, &q.scope);
    if let Some(cnic) = &q.cnic {
        qb.push(" AND c.cnic = ").push_bind(cnic.as_str().to_owned());
    }
    if let Some(mobile) = &q.mobile {
        qb.push(" AND c.mobile = ").push_bind(mobile.as_str().to_owned());
    }
    if let Some(vehicle) = &q.vehicle_no {
        qb.push(" AND c.vehicle_no = ").push_bind(vehicle.as_str().to_owned());
    }
    if let Some(status) = q.status {
        qb.push(" AND c.status = ").push_bind(status.as_str());
    }
    if let Some(day) = q.overdue_on {
        // Overdue is derived: open, and the due date has passed on that day.
        qb.push(" AND c.status IN (").push_bind(ChallanStatus::Issued.as_str()).push(", ").push_bind(ChallanStatus::Contested.as_str()).push(")");
        qb.push(" AND c.due_date < ").push_bind(PgDate(day));
    }
    if let Some(district) = &q.district {
        qb.push(" AND c.district = ").push_bind(district.as_str().to_owned());
    }
    if let Some(head) = &q.head_code {
        qb.push(" AND c.head_code = ").push_bind(head.clone());
    }
    if let Some(officer) = q.officer_id {
        qb.push(" AND c.officer_id = ").push_bind(officer);
    }
    if let Some(from) = q.issued_from {
        qb.push(" AND c.issued_on >= ").push_bind(PgDate(from));
    }
    if let Some(to) = q.issued_to {
        qb.push(" AND c.issued_on <= ").push_bind(PgDate(to));
    }
    if let Some(after) = q.after {
        qb.push(" AND c.seq < ").push_bind(after);
    }
    // One row more than asked tells whether another page follows.
    qb.push(" ORDER BY c.seq DESC LIMIT ").push_bind(i64::from(limit) + 1);
    let fetched = qb.build().fetch_all(pool).await?;
    let mut items = Vec::with_capacity(fetched.len());
    let mut last_seq = None;
    for row in fetched.iter().take(limit as usize) {
        items.push(rows::challan(row)?);
        last_seq = Some(row.try_get::<i64, _>("seq")?);
    }
    let next = if fetched.len() > limit as usize { last_seq } else { None };
    Ok(ChallanPage { items, next })
}
