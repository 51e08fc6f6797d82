//! The dashboard's rollups in SQLite: the questions of `crate::insight`, bound and read;
//! the rebuild and the check.

use rusqlite::types::Value;
use rusqlite::{Connection, Row as SqlRow, Transaction};

use crate::error::Result;
use crate::insight::{self, Answer, CheckReport, Dialect, OfficerRow, Param, Query, RebuildReport, Rollup, Row, TableCheck};

use super::rows;

fn values(params: Vec<Param>) -> Vec<Value> {
    params
        .into_iter()
        .map(|p| match p {
            Param::Text(t) => Value::Text(t),
            Param::Int(i) => Value::Integer(i),
        })
        .collect()
}

fn rollup_at(r: &SqlRow<'_>, first: usize) -> rusqlite::Result<Rollup> {
    let mut m = [0i64; 12];
    for (i, v) in m.iter_mut().enumerate() {
        *v = r.get(first + i)?;
    }
    Ok(Rollup::from_measures(m))
}

pub(crate) fn grouped(conn: &Connection, q: Option<Query>) -> Result<Answer> {
    let Some(q) = q else { return Ok(Answer::default()) };
    let mut stmt = conn.prepare_cached(&q.sql)?;
    let mut out = Vec::new();
    let mut found = stmt.query(rusqlite::params_from_iter(values(q.params)))?;
    while let Some(r) = found.next()? {
        out.push(Row { period: r.get(0)?, key: r.get(1)?, rollup: rollup_at(r, 2)? });
    }
    Ok(insight::answer(out))
}

pub(crate) fn officers(conn: &Connection, q: Option<Query>) -> Result<Vec<OfficerRow>> {
    let Some(q) = q else { return Ok(Vec::new()) };
    let mut stmt = conn.prepare_cached(&q.sql)?;
    let mut out = Vec::new();
    let mut found = stmt.query(rusqlite::params_from_iter(values(q.params)))?;
    while let Some(r) = found.next()? {
        out.push(OfficerRow { officer_id: r.get(0)?, username: r.get(1)?, district: r.get(2)?, department: r.get(3)?, rollup: rollup_at(r, 4)? });
    }
    Ok(out)
}

pub(crate) fn rebuild(tx: &Transaction<'_>) -> Result<RebuildReport> {
    let mut report = RebuildReport::default();
    for t in &insight::TABLES {
        for sql in insight::rebuild_statements(Dialect::Sqlite, t) {
            tx.execute(&sql, [])?;
        }
        let n: i64 = tx.query_row(&insight::count_query(t), [], |r| r.get(0))?;
        report.tables.push((t.name.to_string(), rows::count("count(*)", n)?));
    }
    Ok(report)
}

pub(crate) fn check(conn: &Connection) -> Result<CheckReport> {
    let mut report = CheckReport::default();
    for t in &insight::TABLES {
        let n: i64 = conn.query_row(&insight::count_query(t), [], |r| r.get(0))?;
        let mut stmt = conn.prepare(&insight::mismatch_query(Dialect::Sqlite, t))?;
        let found = insight::mismatches(stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?);
        report.tables.push(TableCheck {
            table: t.name.to_string(),
            rows: rows::count("count(*)", n)?,
            mismatched: u64::try_from(found.len()).unwrap_or(u64::MAX),
            examples: found.into_iter().take(insight::MAX_MISMATCH_EXAMPLES).collect(),
        });
    }
    let mut stmt = conn.prepare(&insight::cohort_totals_query(Dialect::Sqlite))?;
    let cohorts = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, rollup_at(r, 2)?)))?.collect::<rusqlite::Result<Vec<_>>>()?;
    let mut stmt = conn.prepare(&insight::account_pairs_query(Dialect::Sqlite))?;
    let pairs = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<rusqlite::Result<Vec<_>>>()?;
    (report.accounts, report.totals) = insight::compare_accounts(&cohorts, &pairs);
    Ok(report)
}
