//! Issuers: each server node and field device numbers its own challans with its own
//! counter. Node numbers are handed out from 100001 upward; the batch transaction holds
//! the audit chain's head, so two nodes asking at once take turns and never collide.

use jiff::Timestamp;
use mahasil_domain::challan_no::IssuerNo;
use sqlx::PgPool;

use super::audit_log::json;
use super::types::{PgTime, to_micros};
use super::writer::Tx;
use crate::records::Actor;
use crate::{Result, StoreError};

/// The first issuer number given to a server node.
const FIRST_NODE_ISSUER: i32 = 100_001;

fn issuer_no(n: i32) -> Result<IssuerNo> {
    u32::try_from(n).ok().and_then(|n| IssuerNo::new(n).ok()).ok_or_else(|| StoreError::Corrupt(format!("issuer number {n}")))
}

/// The node's issuer number if it has one already (a read, no write).
pub(super) async fn find_node(pool: &PgPool, node_name: &str) -> Result<Option<IssuerNo>> {
    let n: Option<i32> = sqlx::query_scalar("SELECT issuer_no FROM issuers WHERE name = $1 AND kind = 'node'").bind(node_name).fetch_optional(pool).await?;
    n.map(issuer_no).transpose()
}

pub(super) async fn node_issuer(tx: &mut Tx, node_name: &str, at: Timestamp) -> Result<IssuerNo> {
    let existing: Option<(i32, String)> =
        sqlx::query_as("SELECT issuer_no, kind FROM issuers WHERE name = $1").bind(node_name).fetch_optional(&mut tx.conn).await?;
    match existing {
        Some((n, kind)) if kind == "node" => return issuer_no(n),
        Some(_) => return Err(StoreError::Conflict(format!("issuer name {node_name} belongs to a device (issuers_name_key)"))),
        None => {}
    }
    let n: i32 = sqlx::query_scalar(
        "INSERT INTO issuers (issuer_no, kind, name, last_counter, created_at)
         SELECT GREATEST(COALESCE(max(issuer_no) + 1, $3), $3), 'node', $1, 0, $2 FROM issuers WHERE kind = 'node'
         RETURNING issuer_no",
    )
    .bind(node_name)
    .bind(PgTime(to_micros(at)))
    .bind(FIRST_NODE_ISSUER)
    .fetch_one(&mut tx.conn)
    .await?;
    let issuer = issuer_no(n)?;
    let after = serde_json::json!({ "issuer_no": issuer.get(), "kind": "node", "name": node_name });
    tx.audit(at, &Actor::system(), "issuer.create", format!("issuer:{issuer}"), "null".into(), json(&after)?);
    Ok(issuer)
}

pub(super) async fn counter(pool: &PgPool, issuer: IssuerNo) -> Result<u32> {
    let last: Option<i32> =
        sqlx::query_scalar("SELECT last_counter FROM issuers WHERE issuer_no = $1").bind(issuer_no_param(issuer)?).fetch_optional(pool).await?;
    last.map_or(Ok(0), |c| u32::try_from(c).map_err(|_| StoreError::Corrupt(format!("counter {c} of issuer {issuer}"))))
}

/// An issuer number as a PostgreSQL integer.
pub(super) fn issuer_no_param(issuer: IssuerNo) -> Result<i32> {
    i32::try_from(issuer.get()).map_err(|_| StoreError::Corrupt(format!("issuer number {issuer}")))
}
