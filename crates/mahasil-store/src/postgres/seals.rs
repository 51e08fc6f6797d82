//! The signed trust list's versions and the revocation list of cancelled challans, in
//! PostgreSQL. Both tables are append-only (triggers refuse UPDATE, DELETE and TRUNCATE).

use jiff::Timestamp;
use mahasil_domain::challan_no::ChallanNo;
use sqlx::{PgPool, Row};

use super::audit_log::json;
use super::types::{PgTime, to_micros};
use super::writer::Tx;
use crate::records::{Actor, MAX_REVOCATIONS_PAGE, Revocation, TrustListRecord};
use crate::{Result, StoreError};

fn trust_list(row: &sqlx::postgres::PgRow) -> Result<TrustListRecord> {
    let version: i32 = row.try_get("version")?;
    Ok(TrustListRecord {
        version: u32::try_from(version).map_err(|_| StoreError::Corrupt(format!("trust list version {version}")))?,
        document: row.try_get("document")?,
        created_at: row.try_get::<PgTime, _>("created_at")?.0,
    })
}

pub(super) async fn latest_trust_list(pool: &PgPool) -> Result<Option<TrustListRecord>> {
    let row = sqlx::query("SELECT version, document, created_at FROM trust_lists ORDER BY version DESC LIMIT 1").fetch_optional(pool).await?;
    row.as_ref().map(trust_list).transpose()
}

pub(super) async fn put_trust_list(tx: &mut Tx, list: &TrustListRecord, actor: &Actor) -> Result<()> {
    // The table lock makes "newest + 1" exact when several nodes publish at once.
    sqlx::query("LOCK TABLE trust_lists IN EXCLUSIVE MODE").execute(&mut tx.conn).await?;
    let newest: Option<i32> = sqlx::query_scalar("SELECT max(version) FROM trust_lists").fetch_one(&mut tx.conn).await?;
    let newest = newest.map_or(0, i64::from);
    if i64::from(list.version) != newest + 1 {
        return Err(StoreError::Conflict(format!("trust list version {} is not the next one (the newest stored is {newest})", list.version)));
    }
    let version = i32::try_from(list.version).map_err(|_| StoreError::Conflict(format!("trust list version {} is too large", list.version)))?;
    let at = to_micros(list.created_at);
    sqlx::query("INSERT INTO trust_lists (version, document, created_at) VALUES ($1, $2, $3)")
        .bind(version)
        .bind(&list.document)
        .bind(PgTime(at))
        .execute(&mut tx.conn)
        .await?;
    let after = serde_json::json!({ "version": list.version, "sha256": crate::audit::sha256_hex(&list.document) });
    tx.audit(at, actor, "trust_list.publish", format!("trust_list:{}", list.version), "null".into(), json(&after)?);
    Ok(())
}

/// Adds a cancelled challan to the revocation list (inside the cancelling transaction).
pub(super) async fn revoke(tx: &mut Tx, challan_no: ChallanNo, at: Timestamp) -> Result<()> {
    sqlx::query("INSERT INTO revocations (challan_no, revoked_at) VALUES ($1, $2) ON CONFLICT (challan_no) DO NOTHING")
        .bind(challan_no.digits())
        .bind(PgTime(to_micros(at)))
        .execute(&mut tx.conn)
        .await?;
    Ok(())
}

pub(super) async fn revocations(pool: &PgPool, after_seq: i64, limit: u32) -> Result<Vec<Revocation>> {
    let rows = sqlx::query("SELECT seq, challan_no, revoked_at FROM revocations WHERE seq > $1 ORDER BY seq LIMIT $2")
        .bind(after_seq)
        .bind(i64::from(limit.clamp(1, MAX_REVOCATIONS_PAGE)))
        .fetch_all(pool)
        .await?;
    rows.iter()
        .map(|r| {
            let no: &str = r.try_get("challan_no")?;
            Ok(Revocation {
                seq: r.try_get("seq")?,
                challan_no: ChallanNo::parse(no).map_err(|e| StoreError::Corrupt(format!("revocations.challan_no: {e}")))?,
                revoked_at: r.try_get::<PgTime, _>("revoked_at")?.0,
            })
        })
        .collect()
}
