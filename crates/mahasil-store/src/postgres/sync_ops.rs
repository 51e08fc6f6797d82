//! Applying one pushed op on PostgreSQL, as one write job: the replay of a stored op id,
//! a stored rejection, the clone and already-stored checks, and the accepted challan
//! stored through the same path as every issue, with its chain checked against its
//! neighbours. The judgement itself is `crate::devices`; this module reads and writes the
//! rows. Batches of every node are serialised by the audit chain's lock, so the checks
//! read before they write without a race.

use jiff::Timestamp;
use mahasil_domain::challan_no::{ChallanNo, IssuerNo};
use sqlx::Row;
use sqlx::postgres::PgRow;
use uuid::Uuid;

use super::devices::issuer_of;
use super::issue::{Numbered, store_numbered};
use super::types::{PgTime, to_micros};
use super::writer::Tx;
use crate::devices::{self, DeviceOp, Holder, Neighbour, NewFlag, OpResult, OpStatus, OpVerdict, Refusal, StoredOp};
use crate::records::{Actor, ChallanRecord};
use crate::{Result, StoreError};

fn challan_no_of(column: &str, text: &str) -> Result<ChallanNo> {
    ChallanNo::parse(text).map_err(|e| StoreError::Corrupt(format!("{column}: {e}")))
}

fn counter_of(n: i64) -> Result<u32> {
    u32::try_from(n).map_err(|_| StoreError::Corrupt(format!("sync_ops.counter {n}")))
}

pub(super) async fn apply(tx: &mut Tx, op: &DeviceOp, actor: &Actor, at: Timestamp) -> Result<OpResult> {
    let at = to_micros(at);
    // Kept to the microsecond, as PostgreSQL keeps it, so the audit entry says what is stored.
    let challan = match &op.verdict {
        OpVerdict::Challan { challan, .. } => {
            Some(ChallanRecord { issued_at: to_micros(challan.issued_at), received_at: to_micros(challan.received_at), ..challan.as_ref().clone() })
        }
        OpVerdict::Rejected { .. } => None,
    };
    let seen = lookup(tx, op, challan.as_ref()).await?;
    if let Some(stored) = &seen.stored {
        let (result, flag) = devices::replay(op, stored);
        if let Some(flag) = flag {
            insert_flags(tx, op.device_id, &[flag], at).await?;
        }
        return Ok(result);
    }
    let (challan, found) = match (&op.verdict, &challan) {
        (OpVerdict::Challan { flags, .. }, Some(challan)) => (challan, flags),
        (OpVerdict::Rejected { reason }, _) => return reject(tx, op, op.counter, None, reason.clone(), at).await,
        (OpVerdict::Challan { .. }, None) => return Err(StoreError::Corrupt("a challan verdict lost its challan".into())),
    };
    devices::check_issuer(challan, seen.issuer)?;
    let counter = challan.challan_no.counter();
    match devices::refusal(op, challan, &seen.holders) {
        Some(Refusal::Cloned { reason, flag }) => {
            sqlx::query("UPDATE devices SET cloned = TRUE WHERE id = $1").bind(op.device_id).execute(&mut tx.conn).await?;
            insert_flags(tx, op.device_id, &[flag], at).await?;
            return reject(tx, op, Some(counter), Some(challan.issued_at), reason, at).await;
        }
        Some(Refusal::AlreadyStored { holder }) => {
            let reason = devices::already_stored_reason(challan, holder, accepted_op_of(tx, holder.challan_no).await?);
            return reject(tx, op, Some(counter), Some(challan.issued_at), reason, at).await;
        }
        None => {}
    }
    let audit_after = devices::challan_audit_json(challan, op.device_id)?;
    store_numbered(tx, vec![Numbered { record: challan, actor, audit_after }]).await?;
    insert_op(tx, op, Some(counter), Some(challan.issued_at), Ok((challan.challan_no, seen.issuer)), at).await?;
    let mut flags = devices::chain_flags(op, challan, &seen.neighbours);
    flags.extend(devices::verdict_flags(op, challan, found));
    insert_flags(tx, op.device_id, &flags, at).await?;
    Ok(OpResult { op_id: op.op_id, status: OpStatus::Accepted, challan_no: Some(challan.challan_no), reason: None })
}

/// Stores the op as rejected and answers so.
async fn reject(tx: &mut Tx, op: &DeviceOp, counter: Option<u32>, issued_at: Option<Timestamp>, reason: String, at: Timestamp) -> Result<OpResult> {
    insert_op(tx, op, counter, issued_at, Err(&reason), at).await?;
    Ok(OpResult { op_id: op.op_id, status: OpStatus::Rejected, challan_no: None, reason: Some(reason) })
}

/// Everything an op is judged against, read in one round trip.
struct Seen {
    issuer: IssuerNo,
    stored: Option<StoredOp>,
    holders: Vec<Holder>,
    neighbours: Vec<Neighbour>,
}

/// Reads the device, the op stored under this op id, the stored challans holding the
/// incoming challan's number or id, and the device's accepted ops either side of its
/// counter. Each join is an equality on a unique key (no OR), so every plan, the generic
/// one PostgreSQL keeps for a prepared statement included, is an index lookup.
async fn lookup(tx: &mut Tx, op: &DeviceOp, challan: Option<&ChallanRecord>) -> Result<Seen> {
    let counter = challan.map(|c| i64::from(c.challan_no.counter()));
    let row = sqlx::query(
        "SELECT d.issuer_no, o.op_hash, o.status, o.challan_no, o.reason,
                by_no.id AS by_no_id, by_no.challan_no AS by_no_challan_no, by_id.id AS by_id_id, by_id.challan_no AS by_id_challan_no,
                p.op_id AS p_op_id, p.counter AS p_counter, p.challan_no AS p_challan_no, p.op_hash AS p_op_hash, p.prev_hash AS p_prev_hash,
                p.issued_at AS p_issued_at,
                s.op_id AS s_op_id, s.counter AS s_counter, s.challan_no AS s_challan_no, s.op_hash AS s_op_hash, s.prev_hash AS s_prev_hash,
                s.issued_at AS s_issued_at
         FROM devices d
         LEFT JOIN sync_ops o ON o.op_id = $2
         LEFT JOIN challans by_no ON by_no.challan_no = $3
         LEFT JOIN challans by_id ON by_id.id = $4
         LEFT JOIN sync_ops p ON p.device_id = d.id AND p.counter = $5 - 1 AND p.status = 'accepted'
         LEFT JOIN sync_ops s ON s.device_id = d.id AND s.counter = $5 + 1 AND s.status = 'accepted'
         WHERE d.id = $1",
    )
    .bind(op.device_id)
    .bind(op.op_id)
    .bind(challan.map(|c| c.challan_no.digits()))
    .bind(challan.map(|c| c.id))
    .bind(counter)
    .fetch_optional(&mut tx.conn)
    .await?;
    let row = row.ok_or_else(|| StoreError::NotFound(format!("device {}", op.device_id)))?;
    let mut holders = Vec::new();
    for prefix in ["by_no", "by_id"] {
        if let Some(id) = row.try_get::<Option<Uuid>, _>(format!("{prefix}_id").as_str())? {
            let no: &str = row.try_get(format!("{prefix}_challan_no").as_str())?;
            holders.push(Holder { id, challan_no: challan_no_of("challans.challan_no", no)? });
        }
    }
    let mut neighbours = Vec::new();
    for prefix in ["p", "s"] {
        if let Some(n) = neighbour(&row, prefix)? {
            neighbours.push(n);
        }
    }
    Ok(Seen { issuer: issuer_of(row.try_get("issuer_no")?)?, stored: stored_op(&row)?, holders, neighbours })
}

/// The neighbour whose columns start with `prefix`, if the join found one.
fn neighbour(row: &PgRow, prefix: &str) -> Result<Option<Neighbour>> {
    let column = |name: &str| format!("{prefix}_{name}");
    let Some(op_id) = row.try_get::<Option<Uuid>, _>(column("op_id").as_str())? else {
        return Ok(None);
    };
    let counter: i64 = row.try_get(column("counter").as_str())?;
    let challan_no: Option<&str> = row.try_get(column("challan_no").as_str())?;
    Ok(Some(Neighbour {
        op_id,
        counter: counter_of(counter)?,
        challan_no: challan_no.map(|n| challan_no_of("sync_ops.challan_no", n)).transpose()?,
        op_hash: row.try_get(column("op_hash").as_str())?,
        prev_hash: row.try_get(column("prev_hash").as_str())?,
        issued_at: row.try_get::<Option<PgTime>, _>(column("issued_at").as_str())?.map(|t| t.0),
    }))
}

/// The stored op in a row of the device joined to the op id (`None` when the id is new).
fn stored_op(row: &PgRow) -> Result<Option<StoredOp>> {
    let Some(op_hash) = row.try_get::<Option<Vec<u8>>, _>("op_hash")? else {
        return Ok(None);
    };
    let status: String = row.try_get("status")?;
    let challan_no = row.try_get::<Option<&str>, _>("challan_no")?.map(|n| challan_no_of("sync_ops.challan_no", n)).transpose()?;
    Ok(Some(StoredOp { op_hash, accepted: status == "accepted", challan_no, reason: row.try_get("reason")? }))
}

/// The accepted op that brought challan `no`, if a device issued it.
async fn accepted_op_of(tx: &mut Tx, no: ChallanNo) -> Result<Option<Uuid>> {
    Ok(sqlx::query_scalar(
        "SELECT o.op_id FROM devices d JOIN sync_ops o ON o.device_id = d.id AND o.counter = $2 AND o.status = 'accepted' WHERE d.issuer_no = $1",
    )
    .bind(i32::try_from(no.issuer().get()).map_err(|_| StoreError::Corrupt(format!("challan number {no}")))?)
    .bind(i64::from(no.counter()))
    .fetch_optional(&mut tx.conn)
    .await?)
}

/// Stores the op with its outcome: the challan it stored (under the device's issuer,
/// whose highest counter and the device's move up in the same statement), or why it was
/// rejected.
async fn insert_op(
    tx: &mut Tx,
    op: &DeviceOp,
    counter: Option<u32>,
    issued_at: Option<Timestamp>,
    outcome: std::result::Result<(ChallanNo, IssuerNo), &str>,
    at: Timestamp,
) -> Result<()> {
    let (status, challan_no, reason, issuer) = match outcome {
        Ok((no, issuer)) => ("accepted", Some(no.digits()), None, Some(issuer)),
        Err(reason) => ("rejected", None, Some(reason), None),
    };
    let issuer = issuer.map(|i| i32::try_from(i.get()).map_err(|_| StoreError::Corrupt(format!("issuer number {i}")))).transpose()?;
    sqlx::query(
        "WITH issuer AS (UPDATE issuers SET last_counter = GREATEST(last_counter, $3) WHERE issuer_no = $14),
              device AS (UPDATE devices SET last_counter_received = GREATEST(last_counter_received, $3) WHERE id = $2 AND $14 IS NOT NULL)
         INSERT INTO sync_ops (op_id, device_id, counter, op_hash, prev_hash, kind, status, challan_no, reason, signed_payload, sig, issued_at, received_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(op.op_id)
    .bind(op.device_id)
    .bind(counter.map(i64::from))
    .bind(op.op_hash.as_slice())
    .bind(op.prev_hash.as_ref().map(<[u8; 32]>::as_slice))
    .bind(&op.kind)
    .bind(status)
    .bind(challan_no)
    .bind(reason)
    .bind(&op.signed_payload)
    .bind(&op.sig)
    .bind(issued_at.map(|t| PgTime(to_micros(t))))
    .bind(PgTime(at))
    .bind(issuer)
    .execute(&mut tx.conn)
    .await?;
    Ok(())
}

async fn insert_flags(tx: &mut Tx, device_id: Uuid, flags: &[NewFlag], at: Timestamp) -> Result<()> {
    if flags.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO device_flags (device_id, op_id, challan_no, kind, detail, at)
         SELECT $1, u.op_id, u.challan_no, u.kind, u.detail, $6 FROM UNNEST($2::uuid[], $3::text[], $4::text[], $5::text[]) AS u(op_id, challan_no, kind, detail)",
    )
    .bind(device_id)
    .bind(flags.iter().map(|f| f.op_id).collect::<Vec<_>>())
    .bind(flags.iter().map(|f| f.challan_no.map(ChallanNo::digits)).collect::<Vec<_>>())
    .bind(flags.iter().map(|f| f.kind.as_str()).collect::<Vec<_>>())
    .bind(flags.iter().map(|f| f.detail.as_str()).collect::<Vec<_>>())
    .bind(PgTime(at))
    .execute(&mut tx.conn)
    .await?;
    Ok(())
}
