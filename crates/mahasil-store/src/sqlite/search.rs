//! Challan search in SQLite: every filter ANDed, limited to the viewer's scope, newest
//! first, with `seq` as the keyset cursor so a page costs the same however deep it is.

use mahasil_domain::authz::Scope;
use rusqlite::Connection;
use rusqlite::types::Value;

use super::challans::{CHALLAN_COLUMNS, challan_from_row};
use crate::error::Result;
use crate::records::{ChallanPage, ChallanQuery, MAX_PAGE_SIZE};

/// The SQL condition for "within `scope`" over the given columns, pushing its parameters;
/// `None` when the scope is nowhere (nothing can match).
pub(crate) fn scope_condition(scope: &Scope, district_column: &str, department_column: &str, params: &mut Vec<Value>) -> Option<String> {
    let pairs = match scope {
        Scope::Everywhere => return Some("1 = 1".into()),
        Scope::Pairs(pairs) if pairs.is_empty() => return None,
        Scope::Pairs(pairs) => pairs,
    };
    let mut alternatives = Vec::with_capacity(pairs.len());
    for (district, department) in pairs {
        let mut parts = Vec::with_capacity(2);
        if let Some(d) = district {
            params.push(Value::Text(d.as_str().to_string()));
            parts.push(format!("{district_column} = ?{}", params.len()));
        }
        if let Some(d) = department {
            params.push(Value::Text(d.as_str().to_string()));
            parts.push(format!("{department_column} = ?{}", params.len()));
        }
        if parts.is_empty() {
            return Some("1 = 1".into());
        }
        alternatives.push(format!("({})", parts.join(" AND ")));
    }
    Some(format!("({})", alternatives.join(" OR ")))
}

fn push_filter(sql: &mut String, params: &mut Vec<Value>, condition: &str, value: Value) {
    params.push(value);
    sql.push_str(&format!(" AND {condition} ?{}", params.len()));
}

fn text(s: &str) -> Value {
    Value::Text(s.to_string())
}

pub(crate) fn search(conn: &Connection, q: &ChallanQuery) -> Result<ChallanPage> {
    let mut params = Vec::new();
    let Some(scope) = scope_condition(&q.scope, "district", "department", &mut params) else {
        return Ok(ChallanPage { items: Vec::new(), next: None });
    };
    let mut sql = format!("SELECT {CHALLAN_COLUMNS} FROM challans WHERE {scope}");
    if let Some(cnic) = &q.cnic {
        push_filter(&mut sql, &mut params, "cnic =", text(cnic.as_str()));
    }
    if let Some(mobile) = &q.mobile {
        push_filter(&mut sql, &mut params, "mobile =", text(mobile.as_str()));
    }
    if let Some(vehicle) = &q.vehicle_no {
        push_filter(&mut sql, &mut params, "vehicle_no =", text(vehicle.as_str()));
    }
    if let Some(status) = q.status {
        push_filter(&mut sql, &mut params, "status =", text(status.as_str()));
    }
    if let Some(day) = q.overdue_on {
        // Written exactly as the partial index's condition, so the planner can use it.
        sql.push_str(" AND status IN ('issued', 'contested')");
        push_filter(&mut sql, &mut params, "due_date <", text(&day.to_string()));
    }
    if let Some(district) = &q.district {
        push_filter(&mut sql, &mut params, "district =", text(district.as_str()));
    }
    if let Some(head) = &q.head_code {
        push_filter(&mut sql, &mut params, "head_code =", text(head));
    }
    if let Some(officer) = q.officer_id {
        push_filter(&mut sql, &mut params, "officer_id =", text(&officer.to_string()));
    }
    if let Some(from) = q.issued_from {
        push_filter(&mut sql, &mut params, "issued_on >=", text(&from.to_string()));
    }
    if let Some(to) = q.issued_to {
        push_filter(&mut sql, &mut params, "issued_on <=", text(&to.to_string()));
    }
    if let Some(after) = q.after {
        push_filter(&mut sql, &mut params, "seq <", Value::Integer(after));
    }
    let limit = q.limit.clamp(1, MAX_PAGE_SIZE) as usize;
    // One row more than the page tells whether another page follows.
    params.push(Value::Integer(limit as i64 + 1));
    sql.push_str(&format!(" ORDER BY seq DESC LIMIT ?{}", params.len()));

    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
    let mut items = Vec::with_capacity(limit);
    let mut last_seq = None;
    let mut more = false;
    while let Some(r) = rows.next()? {
        if items.len() == limit {
            more = true;
            break;
        }
        let (seq, record) = challan_from_row(r)?;
        last_seq = Some(seq);
        items.push(record);
    }
    Ok(ChallanPage { items, next: if more { last_seq } else { None } })
}

#[cfg(test)]
mod tests {
    use mahasil_domain::jurisdiction::Slug;

    use super::*;

    #[test]
    fn scope_conditions() -> Result<()> {
        let mut params = Vec::new();
        assert_eq!(scope_condition(&Scope::Pairs(Vec::new()), "d", "p", &mut params), None);
        assert_eq!(scope_condition(&Scope::Everywhere, "d", "p", &mut params).as_deref(), Some("1 = 1"));
        let pairs = Scope::Pairs(vec![(Some(Slug::parse("peshawar")?), Some(Slug::parse("price-control")?)), (Some(Slug::parse("mardan")?), None)]);
        assert_eq!(scope_condition(&pairs, "d", "p", &mut params).as_deref(), Some("((d = ?1 AND p = ?2) OR (d = ?3))"));
        assert_eq!(params.len(), 3);
        Ok(())
    }
}
