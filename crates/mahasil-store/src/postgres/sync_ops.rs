//! Applying one pushed op on PostgreSQL, as one write job: the replay of a stored op id,
//! a stored rejection, the clone and already-stored checks, and the accepted challan
//! stored through the same path as every issue, with its chain checked against its
//! neighbours. The judgement itself is `crate::devices`; this module reads and writes the
//! rows. Batches of every node are serialised by the audit chain's lock, so the checks
//! read before they write without a race.

use jiff::Timestamp;
use mahasil_domain::challan_no::ChallanNo;
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
    // The device and the op stored under this id, if any, in one round trip.
    let row =
        sqlx::query("SELECT d.issuer_no, o.op_hash, o.status, o.challan_no, o.reason FROM devices d LEFT JOIN sync_ops o ON o.op_id = $2 WHERE d.id = $1")
            .bind(op.device_id)
            .bind(op.op_id)
            .fetch_optional(&mut tx.conn)
            .await?;
    let row = row.ok_or_else(|| StoreError::NotFound(format!("device {}", op.device_id)))?;
    let issuer = issuer_of(row.try_get("issuer_no")?)?;
    if let Some(stored) = stored_op(&row)? {
        let (result, flag) = devices::replay(op, &stored);
        if let Some(flag) = flag {
            insert_flags(tx, op.device_id, &[flag], at).await?;
        }
        return Ok(result);
    }
    let (challan, found) = match &op.verdict {
        OpVerdict::Rejected { reason } => return reject(tx, op, op.counter, None, reason.clone(), at).await,
        OpVerdict::Challan { challan, flags } => (challan.as_ref(), flags),
    };
    devices::check_issuer(challan, issuer)?;
    // Kept to the microsecond, as PostgreSQL keeps it, so the audit entry says what is stored.
    let challan = ChallanRecord { issued_at: to_micros(challan.issued_at), received_at: to_micros(challan.received_at), ..challan.clone() };
    let counter = challan.challan_no.counter();
    match devices::refusal(op, &challan, &holders(tx, &challan).await?) {
        Some(Refusal::Cloned { reason, flag }) => {
            sqlx::query("UPDATE devices SET cloned = TRUE WHERE id = $1").bind(op.device_id).execute(&mut tx.conn).await?;
            insert_flags(tx, op.device_id, &[flag], at).await?;
            return reject(tx, op, Some(counter), Some(challan.issued_at), reason, at).await;
        }
        Some(Refusal::AlreadyStored { holder }) => {
            let reason = devices::already_stored_reason(&challan, holder, accepted_op_of(tx, holder.challan_no).await?);
            return reject(tx, op, Some(counter), Some(challan.issued_at), reason, at).await;
        }
        None => {}
    }
    let neighbours = neighbours(tx, op.device_id, counter).await?;
    let audit_after = devices::challan_audit_json(&challan, op.device_id)?;
    store_numbered(tx, vec![Numbered { record: &challan, actor, audit_after }]).await?;
    sqlx::query(
        "WITH issuer AS (UPDATE issuers SET last_counter = GREATEST(last_counter, $2) WHERE issuer_no = $1)
         UPDATE devices SET last_counter_received = GREATEST(last_counter_received, $2) WHERE id = $3",
    )
    .bind(i32::try_from(issuer.get()).map_err(|_| StoreError::Corrupt(format!("issuer number {issuer}")))?)
    .bind(i32::try_from(counter).map_err(|_| StoreError::Corrupt(format!("counter {counter}")))?)
    .bind(op.device_id)
    .execute(&mut tx.conn)
    .await?;
    insert_op(tx, op, Some(counter), Some(challan.issued_at), Ok(challan.challan_no), at).await?;
    let mut flags = devices::chain_flags(op, &challan, &neighbours);
    flags.extend(devices::verdict_flags(op, &challan, found));
    insert_flags(tx, op.device_id, &flags, at).await?;
    Ok(OpResult { op_id: op.op_id, status: OpStatus::Accepted, challan_no: Some(challan.challan_no), reason: None })
}

/// Stores the op as rejected and answers so.
async fn reject(tx: &mut Tx, op: &DeviceOp, counter: Option<u32>, issued_at: Option<Timestamp>, reason: String, at: Timestamp) -> Result<OpResult> {
    insert_op(tx, op, counter, issued_at, Err(&reason), at).await?;
    Ok(OpResult { op_id: op.op_id, status: OpStatus::Rejected, challan_no: None, reason: Some(reason) })
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

/// Stored challans with the incoming one's id or number.
async fn holders(tx: &mut Tx, challan: &ChallanRecord) -> Result<Vec<Holder>> {
    let rows: Vec<(Uuid, String)> = sqlx::query_as("SELECT id, challan_no FROM challans WHERE id = $1 OR challan_no = $2")
        .bind(challan.id)
        .bind(challan.challan_no.digits())
        .fetch_all(&mut tx.conn)
        .await?;
    rows.into_iter().map(|(id, no)| Ok(Holder { id, challan_no: challan_no_of("challans.challan_no", &no)? })).collect()
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

/// The device's accepted ops of counters `counter - 1` and `counter + 1`.
async fn neighbours(tx: &mut Tx, device_id: Uuid, counter: u32) -> Result<Vec<Neighbour>> {
    let rows = sqlx::query(
        "SELECT op_id, counter, challan_no, op_hash, prev_hash, issued_at FROM sync_ops
         WHERE device_id = $1 AND counter IN ($2, $3) AND status = 'accepted'",
    )
    .bind(device_id)
    .bind(i64::from(counter) - 1)
    .bind(i64::from(counter) + 1)
    .fetch_all(&mut tx.conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Neighbour {
                op_id: r.try_get("op_id")?,
                counter: counter_of(r.try_get("counter")?)?,
                challan_no: r.try_get::<Option<&str>, _>("challan_no")?.map(|n| challan_no_of("sync_ops.challan_no", n)).transpose()?,
                op_hash: r.try_get("op_hash")?,
                prev_hash: r.try_get("prev_hash")?,
                issued_at: r.try_get::<Option<PgTime>, _>("issued_at")?.map(|t| t.0),
            })
        })
        .collect()
}

/// Stores the op with its outcome: the challan it stored, or why it was rejected.
async fn insert_op(
    tx: &mut Tx,
    op: &DeviceOp,
    counter: Option<u32>,
    issued_at: Option<Timestamp>,
    outcome: std::result::Result<ChallanNo, &str>,
    at: Timestamp,
) -> Result<()> {
    let (status, challan_no, reason) = match outcome {
        Ok(no) => ("accepted", Some(no.digits()), None),
        Err(reason) => ("rejected", None, Some(reason)),
    };
    sqlx::query(
        "INSERT INTO sync_ops (op_id, device_id, counter, op_hash, prev_hash, kind, status, challan_no, reason, signed_payload, sig, issued_at, received_at)
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
