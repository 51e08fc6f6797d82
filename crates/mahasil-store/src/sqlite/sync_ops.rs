//! Applying one pushed op in SQLite, as one write job: the replay of a stored op id, a
//! stored rejection, the clone and already-stored checks, and the accepted challan stored
//! through the same path as every issue, with its chain checked against its neighbours.
//! The judgement itself is `crate::devices`; this module reads and writes the rows.

use jiff::Timestamp;
use mahasil_domain::challan_no::{ChallanNo, IssuerNo};
use rusqlite::{OptionalExtension, Transaction};
use uuid::Uuid;

use super::challans::store_numbered;
use super::rows::{self, micros};
use crate::devices::{self, DeviceOp, Holder, Neighbour, NewFlag, OpResult, OpStatus, OpVerdict, Refusal, StoredOp};
use crate::error::{Result, StoreError};
use crate::records::{Actor, ChallanRecord};

pub(crate) fn apply(tx: &Transaction<'_>, op: &DeviceOp, actor: &Actor, at: Timestamp) -> Result<OpResult> {
    let (issuer, stored) = device_and_stored_op(tx, op)?;
    if let Some(stored) = stored {
        let (result, flag) = devices::replay(op, &stored);
        if let Some(flag) = flag {
            insert_flag(tx, op.device_id, &flag, at)?;
        }
        return Ok(result);
    }
    let (challan, found) = match &op.verdict {
        OpVerdict::Rejected { reason } => return reject(tx, op, op.counter, None, reason.clone(), at),
        OpVerdict::Challan { challan, flags } => (challan.as_ref(), flags),
    };
    devices::check_issuer(challan, issuer)?;
    let counter = challan.challan_no.counter();
    match devices::refusal(op, challan, &holders(tx, challan)?) {
        Some(Refusal::Cloned { reason, flag }) => {
            tx.prepare_cached("UPDATE devices SET cloned = 1 WHERE id = ?1")?.execute([op.device_id.to_string()])?;
            insert_flag(tx, op.device_id, &flag, at)?;
            return reject(tx, op, Some(counter), Some(challan.issued_at), reason, at);
        }
        Some(Refusal::AlreadyStored { holder }) => {
            let reason = devices::already_stored_reason(challan, holder, accepted_op_of(tx, holder.challan_no)?);
            return reject(tx, op, Some(counter), Some(challan.issued_at), reason, at);
        }
        None => {}
    }
    let neighbours = neighbours(tx, op.device_id, counter)?;
    store_numbered(tx, challan, actor, devices::challan_audit_json(challan, op.device_id)?)?;
    tx.prepare_cached("UPDATE issuers SET last_counter = max(last_counter, ?2) WHERE issuer_no = ?1")?.execute(rusqlite::params![issuer.get(), counter])?;
    tx.prepare_cached("UPDATE devices SET last_counter_received = max(last_counter_received, ?2) WHERE id = ?1")?
        .execute(rusqlite::params![op.device_id.to_string(), counter])?;
    insert_op(tx, op, Some(counter), Some(challan.issued_at), Ok(challan.challan_no), at)?;
    for flag in devices::chain_flags(op, challan, &neighbours).iter().chain(&devices::verdict_flags(op, challan, found)) {
        insert_flag(tx, op.device_id, flag, at)?;
    }
    Ok(OpResult { op_id: op.op_id, status: OpStatus::Accepted, challan_no: Some(challan.challan_no), reason: None })
}

/// Stores the op as rejected and answers so.
fn reject(tx: &Transaction<'_>, op: &DeviceOp, counter: Option<u32>, issued_at: Option<Timestamp>, reason: String, at: Timestamp) -> Result<OpResult> {
    insert_op(tx, op, counter, issued_at, Err(&reason), at)?;
    Ok(OpResult { op_id: op.op_id, status: OpStatus::Rejected, challan_no: None, reason: Some(reason) })
}

/// The device's issuer number and the op stored under this op id, if any, in one lookup.
fn device_and_stored_op(tx: &Transaction<'_>, op: &DeviceOp) -> Result<(IssuerNo, Option<StoredOp>)> {
    let mut stmt = tx.prepare_cached(
        "SELECT d.issuer_no, o.op_hash, o.status, o.challan_no, o.reason FROM devices d LEFT JOIN sync_ops o ON o.op_id = ?2 WHERE d.id = ?1",
    )?;
    let mut rows = stmt.query([op.device_id.to_string(), op.op_id.to_string()])?;
    let r = rows.next()?.ok_or_else(|| StoreError::NotFound(format!("device {}", op.device_id)))?;
    let issuer: u32 = r.get(0)?;
    let issuer = rows::parsed("devices.issuer_no", || IssuerNo::new(issuer))?;
    let Some(op_hash) = r.get::<_, Option<Vec<u8>>>(1)? else {
        return Ok((issuer, None));
    };
    let status: String = r.get(2)?;
    let challan_no: Option<String> = r.get(3)?;
    let stored = StoredOp {
        op_hash,
        accepted: status == "accepted",
        challan_no: challan_no.map(|n| rows::parsed("sync_ops.challan_no", || ChallanNo::parse(&n))).transpose()?,
        reason: r.get(4)?,
    };
    Ok((issuer, Some(stored)))
}

/// Stored challans with the incoming one's id or number.
fn holders(tx: &Transaction<'_>, challan: &ChallanRecord) -> Result<Vec<Holder>> {
    let mut stmt = tx.prepare_cached("SELECT id, challan_no FROM challans WHERE id = ?1 OR challan_no = ?2")?;
    let mut rows = stmt.query(rusqlite::params![challan.id.to_string(), challan.challan_no.digits()])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let no: String = r.get(1)?;
        out.push(Holder {
            id: rows::uuid("challans.id", &r.get::<_, String>(0)?)?,
            challan_no: rows::parsed("challans.challan_no", || ChallanNo::parse(&no))?,
        });
    }
    Ok(out)
}

/// The accepted op that brought challan `no`, if a device issued it.
fn accepted_op_of(tx: &Transaction<'_>, no: ChallanNo) -> Result<Option<Uuid>> {
    let op: Option<String> = tx
        .prepare_cached(
            "SELECT o.op_id FROM devices d JOIN sync_ops o ON o.device_id = d.id AND o.counter = ?2 AND o.status = 'accepted' WHERE d.issuer_no = ?1",
        )?
        .query_row(rusqlite::params![no.issuer().get(), no.counter()], |r| r.get(0))
        .optional()?;
    op.map(|id| rows::uuid("sync_ops.op_id", &id)).transpose()
}

/// The device's accepted ops of counters `counter - 1` and `counter + 1`.
fn neighbours(tx: &Transaction<'_>, device_id: Uuid, counter: u32) -> Result<Vec<Neighbour>> {
    let mut stmt = tx.prepare_cached(
        "SELECT op_id, counter, challan_no, op_hash, prev_hash, issued_at FROM sync_ops
         WHERE device_id = ?1 AND counter IN (?2, ?3) AND status = 'accepted'",
    )?;
    let mut rows = stmt.query(rusqlite::params![device_id.to_string(), i64::from(counter) - 1, i64::from(counter) + 1])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let challan_no: Option<String> = r.get(2)?;
        out.push(Neighbour {
            op_id: rows::uuid("sync_ops.op_id", &r.get::<_, String>(0)?)?,
            counter: r.get(1)?,
            challan_no: challan_no.map(|n| rows::parsed("sync_ops.challan_no", || ChallanNo::parse(&n))).transpose()?,
            op_hash: r.get(3)?,
            prev_hash: r.get(4)?,
            issued_at: rows::opt_timestamp("sync_ops.issued_at", r.get(5)?)?,
        });
    }
    Ok(out)
}

/// Stores the op with its outcome: the challan it stored, or why it was rejected.
fn insert_op(
    tx: &Transaction<'_>,
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
    tx.prepare_cached(
        "INSERT INTO sync_ops (op_id, device_id, counter, op_hash, prev_hash, kind, status, challan_no, reason, signed_payload, sig, issued_at, received_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?
    .execute(rusqlite::params![
        op.op_id.to_string(),
        op.device_id.to_string(),
        counter,
        op.op_hash.as_slice(),
        op.prev_hash.as_ref().map(<[u8; 32]>::as_slice),
        op.kind,
        status,
        challan_no,
        reason,
        op.signed_payload,
        op.sig,
        issued_at.map(micros),
        micros(at),
    ])?;
    Ok(())
}

fn insert_flag(tx: &Transaction<'_>, device_id: Uuid, flag: &NewFlag, at: Timestamp) -> Result<()> {
    tx.prepare_cached("INSERT INTO device_flags (device_id, op_id, challan_no, kind, detail, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?.execute(
        rusqlite::params![
            device_id.to_string(),
            flag.op_id.map(|id| id.to_string()),
            flag.challan_no.map(ChallanNo::digits),
            flag.kind.as_str(),
            flag.detail,
            micros(at),
        ],
    )?;
    Ok(())
}
