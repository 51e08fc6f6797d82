//! Field devices in SQLite: enrolment (a device issuer number and the device row, in one
//! job), revocation, request nonces, and the reads of the admin's pages and the push
//! answer (devices with their counts, counter gaps, flags). Applying ops is in `sync_ops`.

use jiff::Timestamp;
use mahasil_domain::challan_no::{ChallanNo, IssuerNo};
use rusqlite::{Connection, OptionalExtension, Row, Transaction};
use uuid::Uuid;

use super::audit_log::{self, Change};
use super::rows::{self, conflict, micros};
use crate::devices::{self, DeviceFlag, DeviceRecord, DeviceStatus, DeviceSummary, FlagKind, MAX_DEVICE_PAGE, NewDevice};
use crate::error::{Result, StoreError};
use crate::records::Actor;

const DEVICE_COLUMNS: &str = "d.id, d.issuer_no, d.officer_id, u.username, d.label, d.public_key, d.kid, d.enrolled_at, d.status, d.revoked_at, \
     d.compromised_from, d.revoke_reason, d.cloned, d.last_sync_at, d.last_counter_received";

fn device_from_row(r: &Row<'_>) -> Result<DeviceRecord> {
    let issuer: u32 = r.get(1)?;
    let status: String = r.get(8)?;
    Ok(DeviceRecord {
        id: rows::uuid("devices.id", &r.get::<_, String>(0)?)?,
        issuer_no: rows::parsed("devices.issuer_no", || IssuerNo::new(issuer))?,
        officer_id: rows::uuid("devices.officer_id", &r.get::<_, String>(2)?)?,
        officer_username: r.get(3)?,
        label: r.get(4)?,
        public_key: r.get(5)?,
        kid: r.get(6)?,
        enrolled_at: rows::timestamp("devices.enrolled_at", r.get(7)?)?,
        status: DeviceStatus::parse(&status)?,
        revoked_at: rows::opt_timestamp("devices.revoked_at", r.get(9)?)?,
        compromised_from: rows::opt_timestamp("devices.compromised_from", r.get(10)?)?,
        revoke_reason: r.get(11)?,
        cloned: r.get::<_, i64>(12)? != 0,
        last_sync_at: rows::opt_timestamp("devices.last_sync_at", r.get(13)?)?,
        last_counter_received: r.get(14)?,
    })
}

pub(crate) fn device(conn: &Connection, id: Uuid) -> Result<Option<DeviceRecord>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {DEVICE_COLUMNS} FROM devices d JOIN users u ON u.id = d.officer_id WHERE d.id = ?1"))?;
    let mut rows = stmt.query([id.to_string()])?;
    rows.next()?.map(device_from_row).transpose()
}

/// Every device with its counts, newest enrolment first. The counts walk each device's
/// part of the (device, counter) index.
pub(crate) fn devices(conn: &Connection) -> Result<Vec<DeviceSummary>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {DEVICE_COLUMNS},
            (SELECT count(*) FROM sync_ops o WHERE o.device_id = d.id AND o.status = 'accepted'),
            (SELECT count(DISTINCT o.counter) FROM sync_ops o WHERE o.device_id = d.id AND o.counter BETWEEN 1 AND d.last_counter_received),
            (SELECT count(*) FROM device_flags f WHERE f.device_id = d.id)
         FROM devices d JOIN users u ON u.id = d.officer_id ORDER BY d.enrolled_at DESC, d.id DESC"
    ))?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let device = device_from_row(r)?;
        let claimed = rows::count("count(sync_ops.counter)", r.get(16)?)?;
        out.push(DeviceSummary {
            challans_received: rows::count("count(sync_ops)", r.get(15)?)?,
            missing_counters: u64::from(device.last_counter_received).saturating_sub(claimed),
            flags: rows::count("count(device_flags)", r.get(17)?)?,
            device,
        });
    }
    Ok(out)
}

pub(crate) fn enrol(tx: &Transaction<'_>, d: &NewDevice, actor: &Actor, at: Timestamp) -> Result<DeviceRecord> {
    d.check()?;
    let active: Option<bool> = tx.prepare_cached("SELECT active FROM users WHERE id = ?1")?.query_row([d.officer_id.to_string()], |r| r.get(0)).optional()?;
    match active {
        None => return Err(StoreError::NotFound(format!("user {}", d.officer_id))),
        Some(false) => return Err(StoreError::Conflict(format!("user {} is not active", d.officer_id))),
        Some(true) => {}
    }
    let taken: Option<(String, Vec<u8>, String)> = tx
        .prepare_cached("SELECT id, public_key, kid FROM devices WHERE id = ?1 OR public_key = ?2 OR kid = ?3 LIMIT 1")?
        .query_row(rusqlite::params![d.id.to_string(), d.public_key, d.kid], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    if let Some((id, key, kid)) = taken {
        return Err(StoreError::Conflict(if key == d.public_key {
            format!("public key {} is already enrolled as device {id}", d.kid)
        } else if kid == d.kid {
            format!("kid {kid} is already enrolled as device {id}")
        } else {
            format!("device id {id} is already enrolled")
        }));
    }
    let highest: Option<u32> =
        tx.prepare_cached("SELECT issuer_no FROM issuers WHERE kind = 'device' ORDER BY issuer_no DESC LIMIT 1")?.query_row([], |r| r.get(0)).optional()?;
    let issuer = devices::next_issuer(highest)?;
    tx.prepare_cached("INSERT INTO issuers (issuer_no, kind, name, last_counter, created_at) VALUES (?1, 'device', ?2, 0, ?3)")?
        .execute(rusqlite::params![issuer.get(), devices::issuer_name(d.id), micros(at)])
        .map_err(conflict(format!("issuer number {issuer} or name {} is already taken", devices::issuer_name(d.id))))?;
    tx.prepare_cached(
        "INSERT INTO devices (id, issuer_no, officer_id, label, public_key, kid, enrolled_at, status) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'active')",
    )?
    .execute(rusqlite::params![d.id.to_string(), issuer.get(), d.officer_id.to_string(), d.label.trim(), d.public_key, d.kid, micros(at)])
    .map_err(conflict(format!("device {} conflicts with an enrolled one", d.id)))?;
    let record = device(tx, d.id)?.ok_or_else(|| StoreError::Corrupt(format!("device {} vanished while it was enrolled", d.id)))?;
    let change = Change { action: "device.enrol", entity: format!("device:{}", d.id), before: "null".into(), after: record.audit_json()? };
    audit_log::append(tx, actor, at, &change)?;
    Ok(record)
}

pub(crate) fn revoke(tx: &Transaction<'_>, id: Uuid, compromised_from: Timestamp, reason: &str, actor: &Actor, at: Timestamp) -> Result<DeviceRecord> {
    let before = device(tx, id)?.ok_or_else(|| StoreError::NotFound(format!("device {id}")))?;
    if before.status == DeviceStatus::Revoked {
        return Err(StoreError::Conflict(format!("device {id} is already revoked")));
    }
    let reason = devices::revoke_reason(reason)?;
    tx.prepare_cached("UPDATE devices SET status = 'revoked', revoked_at = ?2, compromised_from = ?3, revoke_reason = ?4 WHERE id = ?1")?
        .execute(rusqlite::params![id.to_string(), micros(at), micros(compromised_from), reason])?;
    let after = device(tx, id)?.ok_or_else(|| StoreError::Corrupt(format!("device {id} vanished while it was revoked")))?;
    let change = Change { action: "device.revoke", entity: format!("device:{id}"), before: before.audit_json()?, after: after.audit_json()? };
    audit_log::append(tx, actor, at, &change)?;
    Ok(after)
}

pub(crate) fn claim_nonce(tx: &Transaction<'_>, device_id: Uuid, nonce: &str, at: Timestamp) -> Result<bool> {
    let nonce = devices::checked_nonce(nonce)?;
    let device = device_id.to_string();
    tx.prepare_cached("DELETE FROM sync_nonces WHERE device_id = ?1 AND at < ?2")?.execute(rusqlite::params![device, micros(devices::nonce_horizon(at))])?;
    let inserted = tx
        .prepare_cached("INSERT INTO sync_nonces (device_id, nonce, at) VALUES (?1, ?2, ?3) ON CONFLICT (device_id, nonce) DO NOTHING")?
        .execute(rusqlite::params![device, nonce, micros(at)])
        // The key's conflict is absorbed above: what is left is the device's foreign key.
        .map_err(|e| if rows::is_constraint(&e) { StoreError::NotFound(format!("device {device_id}")) } else { e.into() })?;
    Ok(inserted == 1)
}

pub(crate) fn record_sync(tx: &Transaction<'_>, device_id: Uuid, at: Timestamp) -> Result<()> {
    let changed = tx.prepare_cached("UPDATE devices SET last_sync_at = ?2 WHERE id = ?1")?.execute(rusqlite::params![device_id.to_string(), micros(at)])?;
    if changed == 0 {
        return Err(StoreError::NotFound(format!("device {device_id}")));
    }
    Ok(())
}

/// Ranges of counters no op claimed, below the highest received: between two claimed
/// counters in a row more than one apart, found in one ordered walk of the device's part
/// of the (device, counter) index (no sort), and before the first claimed one.
pub(crate) fn gaps(conn: &Connection, device_id: Uuid, limit: u32) -> Result<Vec<(u32, u32)>> {
    let device = device_id.to_string();
    let found: Option<(u32, Option<u32>)> = conn
        .prepare_cached(
            "SELECT d.last_counter_received,
                    (SELECT min(o.counter) FROM sync_ops o WHERE o.device_id = d.id AND o.counter BETWEEN 1 AND d.last_counter_received)
             FROM devices d WHERE d.id = ?1",
        )?
        .query_row([&device], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let (last, first) = found.ok_or_else(|| StoreError::NotFound(format!("device {device_id}")))?;
    let limit = limit.clamp(1, MAX_DEVICE_PAGE) as usize;
    let mut out: Vec<(u32, u32)> = devices::leading_gap(first, last).into_iter().collect();
    let mut stmt = conn.prepare_cached(
        "SELECT counter + 1, next - 1 FROM (
             SELECT counter, lead(counter) OVER (ORDER BY counter) AS next FROM sync_ops WHERE device_id = ?1 AND counter BETWEEN 1 AND ?2
         ) WHERE next > counter + 1 LIMIT ?3",
    )?;
    let rest = i64::try_from(limit - out.len()).unwrap_or(0);
    let ranges = stmt.query_map(rusqlite::params![device, last, rest], |r| Ok((r.get(0)?, r.get(1)?)))?;
    for range in ranges {
        out.push(range?);
    }
    out.truncate(limit);
    Ok(out)
}

pub(crate) fn flags(conn: &Connection, device_id: Uuid, limit: u32) -> Result<Vec<DeviceFlag>> {
    let mut stmt = conn.prepare_cached("SELECT op_id, challan_no, kind, detail, at FROM device_flags WHERE device_id = ?1 ORDER BY seq DESC LIMIT ?2")?;
    let mut rows = stmt.query(rusqlite::params![device_id.to_string(), rows::clamp_limit(limit, MAX_DEVICE_PAGE)])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let op_id: Option<String> = r.get(0)?;
        let challan_no: Option<String> = r.get(1)?;
        let kind: String = r.get(2)?;
        out.push(DeviceFlag {
            device_id,
            op_id: op_id.map(|id| rows::uuid("device_flags.op_id", &id)).transpose()?,
            challan_no: challan_no.map(|n| rows::parsed("device_flags.challan_no", || ChallanNo::parse(&n))).transpose()?,
            kind: FlagKind::parse(&kind).ok_or_else(|| rows::corrupt("device_flags.kind", &kind))?,
            detail: r.get(3)?,
            at: rows::timestamp("device_flags.at", r.get(4)?)?,
        });
    }
    Ok(out)
}
