//! The dashboard's rollups in PostgreSQL: the questions of `crate::insight`, bound and
//! read; the rebuild and the check.

use sqlx::postgres::{PgArguments, PgRow};
use sqlx::query::Query as SqlxQuery;
use sqlx::{PgConnection, PgPool, Postgres, Row as _};

use super::writer::Tx;
use crate::insight::{self, Answer, CheckReport, Dialect, OfficerRow, Param, Query, RebuildReport, Rollup, Row, TableCheck};
use crate::{Result, StoreError};

fn bound(sql: &str, params: Vec<Param>) -> SqlxQuery<'_, Postgres, PgArguments> {
    let mut q = sqlx::query(sql);
    for p in params {
        q = match p {
            Param::Text(t) => q.bind(t),
            Param::Int(i) => q.bind(i),
        };
    }
    q
}

fn rollup_at(r: &PgRow, first: usize) -> std::result::Result<Rollup, sqlx::Error> {
    let mut m = [0i64; 12];
    for (i, v) in m.iter_mut().enumerate() {
        *v = r.try_get(first + i)?;
    }
    Ok(Rollup::from_measures(m))
}

fn count(n: i64) -> Result<u64> {
    u64::try_from(n).map_err(|e| StoreError::Corrupt(format!("count(*): {e}")))
}

pub(super) async fn grouped(pool: &PgPool, q: Option<Query>) -> Result<Answer> {
    let Some(q) = q else { return Ok(Answer::default()) };
    let found = bound(&q.sql, q.params).fetch_all(pool).await?;
    let rows = found
        .iter()
        .map(|r| Ok(Row { period: r.try_get(0)?, key: r.try_get(1)?, rollup: rollup_at(r, 2)? }))
        .collect::<std::result::Result<_, sqlx::Error>>()?;
    Ok(insight::answer(rows))
}

pub(super) async fn officers(pool: &PgPool, q: Option<Query>) -> Result<Vec<OfficerRow>> {
    let Some(q) = q else { return Ok(Vec::new()) };
    let found = bound(&q.sql, q.params).fetch_all(pool).await?;
    Ok(found
        .iter()
        .map(|r| {
            Ok(OfficerRow { officer_id: r.try_get(0)?, username: r.try_get(1)?, district: r.try_get(2)?, department: r.try_get(3)?, rollup: rollup_at(r, 4)? })
        })
        .collect::<std::result::Result<_, sqlx::Error>>()?)
}

pub(super) async fn rebuild(tx: &mut Tx) -> Result<RebuildReport> {
    let mut report = RebuildReport::default();
    for t in &insight::TABLES {
        for sql in insight::rebuild_statements(Dialect::Postgres, t) {
            sqlx::query(&sql).execute(&mut tx.conn).await?;
        }
        let n: i64 = sqlx::query_scalar(&insight::count_query(t)).fetch_one(&mut tx.conn).await?;
        report.tables.push((t.name.to_string(), count(n)?));
    }
    Ok(report)
}

pub(super) async fn check(conn: &mut PgConnection) -> Result<CheckReport> {
    // One snapshot for every comparison, so a write landing meanwhile cannot look like a
    // mismatch.
    sqlx::query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY").execute(&mut *conn).await?;
    let report = compare(conn).await;
    sqlx::query("ROLLBACK").execute(&mut *conn).await?;
    report
}

async fn compare(conn: &mut PgConnection) -> Result<CheckReport> {
    let mut report = CheckReport::default();
    for t in &insight::TABLES {
        let n: i64 = sqlx::query_scalar(&insight::count_query(t)).fetch_one(&mut *conn).await?;
        let found = insight::mismatches(sqlx::query_as(&insight::mismatch_query(Dialect::Postgres, t)).fetch_all(&mut *conn).await?);
        report.tables.push(TableCheck {
            table: t.name.to_string(),
            rows: count(n)?,
            mismatched: u64::try_from(found.len()).unwrap_or(u64::MAX),
            examples: found.into_iter().take(insight::MAX_MISMATCH_EXAMPLES).collect(),
        });
    }
    let found = sqlx::query(&insight::cohort_totals_query(Dialect::Postgres)).fetch_all(&mut *conn).await?;
    let cohorts = found.iter().map(|r| Ok((r.try_get(0)?, r.try_get(1)?, rollup_at(r, 2)?))).collect::<std::result::Result<Vec<_>, sqlx::Error>>()?;
    let found = sqlx::query(&insight::account_pairs_query(Dialect::Postgres)).fetch_all(&mut *conn).await?;
    let pairs = found.iter().map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?))).collect::<std::result::Result<Vec<_>, sqlx::Error>>()?;
    (report.accounts, report.totals) = insight::compare_accounts(&cohorts, &pairs);
    Ok(report)
}
