//! Field devices on PostgreSQL: enrolment (a device issuer number and the device row, in
//! one job), revocation, request nonces, and the reads of the admin's pages and the push
//! answer (devices with their counts, counter gaps, flags). Applying ops is in `sync_ops`.

use jiff::Timestamp;
use mahasil_domain::challan_no::{ChallanNo, IssuerNo};
use sqlx::postgres::PgRow;
use sqlx::{PgExecutor, PgPool, Row};
use uuid::Uuid;

use super::types::{PgTime, to_micros};
use super::writer::Tx;
use crate::devices::{self, DeviceFlag, DeviceRecord, DeviceStatus, DeviceSummary, FlagKind, MAX_DEVICE_PAGE, NewDevice};
use crate::records::Actor;
use crate::{Result, StoreError};

/// SQLSTATE of a foreign key the row does not satisfy.
const FOREIGN_KEY_VIOLATION: &str = "23503";

const DEVICE_COLUMNS: &str = "d.id, d.issuer_no, d.officer_id, u.username AS officer_username, d.label, d.public_key, d.kid, d.enrolled_at, d.status, \
     d.revoked_at, d.compromised_from, d.revoke_reason, d.cloned, d.last_sync_at, d.last_counter_received";

fn corrupt(column: &str) -> StoreError {
    StoreError::Corrupt(format!("devices.{column} out of range"))
}

pub(super) fn issuer_of(n: i32) -> Result<IssuerNo> {
    u32::try_from(n).ok().and_then(|n| IssuerNo::new(n).ok()).ok_or_else(|| corrupt("issuer_no"))
}

fn device_row(r: &PgRow) -> Result<DeviceRecord> {
    Ok(DeviceRecord {
        id: r.try_get("id")?,
        issuer_no: issuer_of(r.try_get("issuer_no")?)?,
        officer_id: r.try_get("officer_id")?,
        officer_username: r.try_get("officer_username")?,
        label: r.try_get("label")?,
        public_key: r.try_get("public_key")?,
        kid: r.try_get("kid")?,
        enrolled_at: r.try_get::<PgTime, _>("enrolled_at")?.0,
        status: DeviceStatus::parse(r.try_get("status")?)?,
        revoked_at: r.try_get::<Option<PgTime>, _>("revoked_at")?.map(|t| t.0),
        compromised_from: r.try_get::<Option<PgTime>, _>("compromised_from")?.map(|t| t.0),
        revoke_reason: r.try_get("revoke_reason")?,
        cloned: r.try_get("cloned")?,
        last_sync_at: r.try_get::<Option<PgTime>, _>("last_sync_at")?.map(|t| t.0),
        last_counter_received: u32::try_from(r.try_get::<i32, _>("last_counter_received")?).map_err(|_| corrupt("last_counter_received"))?,
    })
}

fn count(r: &PgRow, column: &str) -> Result<u64> {
    u64::try_from(r.try_get::<i64, _>(column)?).map_err(|_| StoreError::Corrupt(format!("{column} is negative")))
}

pub(super) async fn device<'e>(ex: impl PgExecutor<'e>, id: Uuid) -> Result<Option<DeviceRecord>> {
    let sql = format!("SELECT {DEVICE_COLUMNS} FROM devices d JOIN users u ON u.id = d.officer_id WHERE d.id = $1");
    let row = sqlx::query(&sql).bind(id).fetch_optional(ex).await?;
    row.as_ref().map(device_row).transpose()
}

/// Every device with its counts, newest enrolment first. The counts walk each device's
/// part of the (device, counter) index.
pub(super) async fn devices(pool: &PgPool) -> Result<Vec<DeviceSummary>> {
    let sql = format!(
        "SELECT {DEVICE_COLUMNS},
            (SELECT count(*) FROM sync_ops o WHERE o.device_id = d.id AND o.status = 'accepted') AS challans_received,
            (SELECT count(DISTINCT o.counter) FROM sync_ops o WHERE o.device_id = d.id AND o.counter BETWEEN 1 AND d.last_counter_received) AS claimed,
            (SELECT count(*) FROM device_flags f WHERE f.device_id = d.id) AS flags
         FROM devices d JOIN users u ON u.id = d.officer_id ORDER BY d.enrolled_at DESC, d.id DESC"
    );
    let rows = sqlx::query(&sql).fetch_all(pool).await?;
    rows.iter()
        .map(|r| {
            let device = device_row(r)?;
            Ok(DeviceSummary {
                challans_received: count(r, "challans_received")?,
                missing_counters: u64::from(device.last_counter_received).saturating_sub(count(r, "claimed")?),
                flags: count(r, "flags")?,
                device,
            })
        })
        .collect()
}

pub(super) async fn enrol(tx: &mut Tx, d: &NewDevice, actor: &Actor, at: Timestamp) -> Result<DeviceRecord> {
    d.check()?;
    let active: Option<bool> = sqlx::query_scalar("SELECT active FROM users WHERE id = $1").bind(d.officer_id).fetch_optional(&mut tx.conn).await?;
    match active {
        None => return Err(StoreError::NotFound(format!("user {}", d.officer_id))),
        Some(false) => return Err(StoreError::Conflict(format!("user {} is not active", d.officer_id))),
        Some(true) => {}
    }
    let taken: Option<(Uuid, Vec<u8>, String)> = sqlx::query_as("SELECT id, public_key, kid FROM devices WHERE id = $1 OR public_key = $2 OR kid = $3 LIMIT 1")
        .bind(d.id)
        .bind(&d.public_key)
        .bind(&d.kid)
        .fetch_optional(&mut tx.conn)
        .await?;
    if let Some((id, key, kid)) = taken {
        return Err(StoreError::Conflict(if key == d.public_key {
            format!("public key {} is already enrolled as device {id}", d.kid)
        } else if kid == d.kid {
            format!("kid {kid} is already enrolled as device {id}")
        } else {
            format!("device id {id} is already enrolled")
        }));
    }
    let highest: Option<i32> =
        sqlx::query_scalar("SELECT issuer_no FROM issuers WHERE kind = 'device' ORDER BY issuer_no DESC LIMIT 1").fetch_optional(&mut tx.conn).await?;
    let issuer = devices::next_issuer(highest.map(|h| u32::try_from(h).unwrap_or(0)))?;
    let issuer_param = i32::try_from(issuer.get()).map_err(|_| corrupt("issuer_no"))?;
    let at = to_micros(at);
    sqlx::query("INSERT INTO issuers (issuer_no, kind, name, last_counter, created_at) VALUES ($1, 'device', $2, 0, $3)")
        .bind(issuer_param)
        .bind(devices::issuer_name(d.id))
        .bind(PgTime(at))
        .execute(&mut tx.conn)
        .await?;
    sqlx::query("INSERT INTO devices (id, issuer_no, officer_id, label, public_key, kid, enrolled_at, status) VALUES ($1, $2, $3, $4, $5, $6, $7, 'active')")
        .bind(d.id)
        .bind(issuer_param)
        .bind(d.officer_id)
        .bind(d.label.trim())
        .bind(&d.public_key)
        .bind(&d.kid)
        .bind(PgTime(at))
        .execute(&mut tx.conn)
        .await?;
    let record = device(&mut tx.conn, d.id).await?.ok_or_else(|| StoreError::Corrupt(format!("device {} vanished while it was enrolled", d.id)))?;
    tx.audit(at, actor, "device.enrol", format!("device:{}", d.id), "null".into(), record.audit_json()?);
    Ok(record)
}

pub(super) async fn revoke(tx: &mut Tx, id: Uuid, compromised_from: Timestamp, reason: &str, actor: &Actor, at: Timestamp) -> Result<DeviceRecord> {
    let before = device(&mut tx.conn, id).await?.ok_or_else(|| StoreError::NotFound(format!("device {id}")))?;
    if before.status == DeviceStatus::Revoked {
        return Err(StoreError::Conflict(format!("device {id} is already revoked")));
    }
    let reason = devices::revoke_reason(reason)?;
    let at = to_micros(at);
    sqlx::query("UPDATE devices SET status = 'revoked', revoked_at = $2, compromised_from = $3, revoke_reason = $4 WHERE id = $1")
        .bind(id)
        .bind(PgTime(at))
        .bind(PgTime(to_micros(compromised_from)))
        .bind(reason)
        .execute(&mut tx.conn)
        .await?;
    let after = device(&mut tx.conn, id).await?.ok_or_else(|| StoreError::Corrupt(format!("device {id} vanished while it was revoked")))?;
    tx.audit(at, actor, "device.revoke", format!("device:{id}"), before.audit_json()?, after.audit_json()?);
    Ok(after)
}

pub(super) async fn claim_nonce(tx: &mut Tx, device_id: Uuid, nonce: &str, at: Timestamp) -> Result<bool> {
    let nonce = devices::checked_nonce(nonce)?;
    sqlx::query("DELETE FROM sync_nonces WHERE device_id = $1 AND at < $2")
        .bind(device_id)
        .bind(PgTime(to_micros(devices::nonce_horizon(at))))
        .execute(&mut tx.conn)
        .await?;
    let inserted = sqlx::query("INSERT INTO sync_nonces (device_id, nonce, at) VALUES ($1, $2, $3) ON CONFLICT (device_id, nonce) DO NOTHING")
        .bind(device_id)
        .bind(nonce)
        .bind(PgTime(to_micros(at)))
        .execute(&mut tx.conn)
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(db) if db.code().as_deref() == Some(FOREIGN_KEY_VIOLATION) => StoreError::NotFound(format!("device {device_id}")),
            _ => StoreError::from(e),
        })?;
    Ok(inserted.rows_affected() == 1)
}

pub(super) async fn record_sync(tx: &mut Tx, device_id: Uuid, at: Timestamp) -> Result<()> {
    let changed = sqlx::query("UPDATE devices SET last_sync_at = $2 WHERE id = $1").bind(device_id).bind(PgTime(to_micros(at))).execute(&mut tx.conn).await?;
    if changed.rows_affected() == 0 {
        return Err(StoreError::NotFound(format!("device {device_id}")));
    }
    Ok(())
}

/// Ranges of counters no op claimed, below the highest received: between two claimed
/// counters in a row more than one apart, found in one ordered walk of the device's part
/// of the (device, counter) index (no sort), and before the first claimed one.
pub(super) async fn gaps(pool: &PgPool, device_id: Uuid, limit: u32) -> Result<Vec<(u32, u32)>> {
    let found: Option<(i32, Option<i64>)> = sqlx::query_as(
        "SELECT d.last_counter_received,
                (SELECT min(o.counter) FROM sync_ops o WHERE o.device_id = d.id AND o.counter BETWEEN 1 AND d.last_counter_received)
         FROM devices d WHERE d.id = $1",
    )
    .bind(device_id)
    .fetch_optional(pool)
    .await?;
    let (last, first) = found.ok_or_else(|| StoreError::NotFound(format!("device {device_id}")))?;
    let counter = |n: i64| u32::try_from(n).map_err(|_| StoreError::Corrupt(format!("sync_ops.counter {n}")));
    let limit = limit.clamp(1, MAX_DEVICE_PAGE) as usize;
    let mut out: Vec<(u32, u32)> = devices::leading_gap(first.map(counter).transpose()?, counter(i64::from(last))?).into_iter().collect();
    let ranges: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT counter + 1, next - 1 FROM (
             SELECT counter, lead(counter) OVER (ORDER BY counter) AS next FROM sync_ops WHERE device_id = $1 AND counter BETWEEN 1 AND $2
         ) g WHERE next > counter + 1 LIMIT $3",
    )
    .bind(device_id)
    .bind(i64::from(last))
    .bind(i64::try_from(limit - out.len()).unwrap_or(0))
    .fetch_all(pool)
    .await?;
    for (first, last) in ranges {
        out.push((counter(first)?, counter(last)?));
    }
    out.truncate(limit);
    Ok(out)
}

pub(super) async fn flags(pool: &PgPool, device_id: Uuid, limit: u32) -> Result<Vec<DeviceFlag>> {
    let rows = sqlx::query("SELECT op_id, challan_no, kind, detail, at FROM device_flags WHERE device_id = $1 ORDER BY seq DESC LIMIT $2")
        .bind(device_id)
        .bind(i64::from(limit.clamp(1, MAX_DEVICE_PAGE)))
        .fetch_all(pool)
        .await?;
    rows.iter()
        .map(|r| {
            let kind: &str = r.try_get("kind")?;
            let challan_no: Option<&str> = r.try_get("challan_no")?;
            Ok(DeviceFlag {
                device_id,
                op_id: r.try_get("op_id")?,
                challan_no: challan_no.map(|n| ChallanNo::parse(n).map_err(|e| StoreError::Corrupt(format!("device_flags.challan_no: {e}")))).transpose()?,
                kind: FlagKind::parse(kind).ok_or_else(|| StoreError::Corrupt(format!("device_flags.kind {kind}")))?,
                detail: r.try_get("detail")?,
                at: r.try_get::<PgTime, _>("at")?.0,
            })
        })
        .collect()
}
