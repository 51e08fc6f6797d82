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

/// A `WHERE` clause being built, with its numbered parameters.
struct Conditions {
    sql: String,
    params: Vec<Value>,
    /// The column whose index drives the search, if one was chosen.
    driver: Option<&'static str>,
}

impl Conditions {
    /// The column as written in SQL: `+column` keeps an index other than the driver's out.
    fn column(&self, name: &'static str) -> String {
        if self.driver.is_none_or(|d| d == name) { name.to_string() } else { format!("+{name}") }
    }

    fn push(&mut self, column: &'static str, op: &str, value: Value) {
        self.params.push(value);
        let written = self.column(column);
        self.sql.push_str(&format!(" AND {written} {op} ?{}", self.params.len()));
    }
}

fn text(s: &str) -> Value {
    Value::Text(s.to_string())
}

/// The offender key that drives a search by CNIC, mobile or vehicle number through the
/// side index (`offender_keys.rs`), when the query has one.
fn offender_key(q: &ChallanQuery) -> Option<String> {
    if let Some(cnic) = &q.cnic {
        Some(format!("c:{cnic}"))
    } else if let Some(mobile) = &q.mobile {
        Some(format!("m:{mobile}"))
    } else {
        q.vehicle_no.as_ref().map(|v| format!("v:{v}"))
    }
}

/// Stands for the offender key as the driver: every column is then written `+column`.
const BY_OFFENDER_KEY: &str = "offender key";

/// The one filter that should drive the search through its index, when the query has a
/// selective one. Without statistics SQLite would rather take the index with the most
/// equality columns (the scope's district and department), even next to a CNIC; every
/// other condition is then written `+column` so it cannot steal the plan.
fn driving_column(q: &ChallanQuery) -> Option<&'static str> {
    if offender_key(q).is_some() {
        Some(BY_OFFENDER_KEY)
    } else if q.officer_id.is_some() {
        Some("officer_id")
    } else {
        None
    }
}

/// The statement and parameters of a search for `limit` rows; `None` when nothing can match.
fn search_statement(q: &ChallanQuery, limit: usize) -> Option<(String, Vec<Value>)> {
    let mut w = Conditions { sql: String::new(), params: Vec::new(), driver: driving_column(q) };
    let (district, department) = (w.column("district"), w.column("department"));
    let scope = scope_condition(&q.scope, &district, &department, &mut w.params)?;
    w.sql = format!("SELECT {CHALLAN_COLUMNS} FROM challans WHERE {scope}");
    if let Some(cnic) = &q.cnic {
        w.push("cnic", "=", text(cnic.as_str()));
    }
    if let Some(mobile) = &q.mobile {
        w.push("mobile", "=", text(mobile.as_str()));
    }
    if let Some(vehicle) = &q.vehicle_no {
        w.push("vehicle_no", "=", text(vehicle.as_str()));
    }
    if let Some(status) = q.status {
        w.push("status", "=", text(status.as_str()));
    }
    if let Some(day) = q.overdue_on {
        // Written as the partial index's own condition, so the planner may use that index.
        let status = w.column("status");
        w.sql.push_str(&format!(" AND {status} IN ('issued', 'contested')"));
        w.push("due_date", "<", text(&day.to_string()));
    }
    if let Some(district) = &q.district {
        w.push("district", "=", text(district.as_str()));
    }
    if let Some(head) = &q.head_code {
        w.push("head_code", "=", text(head));
    }
    if let Some(officer) = q.officer_id {
        w.push("officer_id", "=", text(&officer.to_string()));
    }
    if let Some(from) = q.issued_from {
        w.push("issued_on", ">=", text(&from.to_string()));
    }
    if let Some(to) = q.issued_to {
        w.push("issued_on", "<=", text(&to.to_string()));
    }
    if let Some(key) = offender_key(q) {
        // The side index names the candidates; the columns above still decide, so a stale
        // key can never return a row that does not match.
        w.params.push(Value::Text(key));
        w.sql.push_str(&format!(" AND seq IN (SELECT seq FROM search.offender_keys WHERE key = ?{})", w.params.len()));
    }
    if let Some(after) = q.after {
        // The cursor is the rowid: never an index of its own, always usable with any.
        w.params.push(Value::Integer(after));
        w.sql.push_str(&format!(" AND seq < ?{}", w.params.len()));
    }
    // One row more than the page tells whether another page follows.
    w.params.push(Value::Integer(limit as i64 + 1));
    w.sql.push_str(&format!(" ORDER BY seq DESC LIMIT ?{}", w.params.len()));
    Some((w.sql, w.params))
}

pub(crate) fn search(conn: &Connection, q: &ChallanQuery) -> Result<ChallanPage> {
    let limit = q.limit.clamp(1, MAX_PAGE_SIZE) as usize;
    let Some((sql, params)) = search_statement(q, limit) else {
        return Ok(ChallanPage { items: Vec::new(), next: None });
    };
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
    use mahasil_domain::identity::Cnic;
    use mahasil_domain::jurisdiction::Slug;

    use super::*;

    /// The query plan's details, one string per step.
    fn plan(q: &ChallanQuery) -> Result<Vec<String>> {
        let mut conn = Connection::open_in_memory()?;
        super::super::migrate::migrate(&mut conn)?;
        conn.execute_batch("ATTACH DATABASE ':memory:' AS search")?;
        conn.execute_batch(super::super::offender_keys::SCHEMA)?;
        let Some((sql, params)) = search_statement(q, 50) else { return Ok(Vec::new()) };
        let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
        let steps = stmt.query_map(rusqlite::params_from_iter(params), |r| r.get::<_, String>(3))?;
        Ok(steps.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    #[test]
    fn selective_filters_drive_the_plan() -> Result<()> {
        let scope = Scope::Pairs(vec![(Some(Slug::parse("peshawar")?), Some(Slug::parse("district-administration")?))]);
        let by_cnic = ChallanQuery {
            cnic: Some(Cnic::parse("17301-1234567-1")?),
            status: Some(mahasil_domain::challan::ChallanStatus::Issued),
            ..ChallanQuery::new(scope.clone())
        };
        let steps = plan(&by_cnic)?;
        assert!(steps.iter().any(|s| s.contains("offender_keys")), "{steps:?}");
        assert!(steps.iter().any(|s| s.contains("INTEGER PRIMARY KEY")), "challans are then read by seq: {steps:?}");
        assert!(!steps.iter().any(|s| s.contains("TEMP B-TREE")), "{steps:?}");
        // Scope alone reads its own index in cursor order, without sorting.
        let steps = plan(&ChallanQuery { after: Some(100), ..ChallanQuery::new(scope) })?;
        assert!(steps.iter().any(|s| s.contains("challans_district_department")), "{steps:?}");
        assert!(!steps.iter().any(|s| s.contains("TEMP B-TREE")), "{steps:?}");
        Ok(())
    }

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
