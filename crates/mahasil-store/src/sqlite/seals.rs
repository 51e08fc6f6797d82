//! The signed trust list's versions and the revocation list of cancelled challans, in
//! SQLite. Both tables are append-only (triggers refuse UPDATE and DELETE).

use jiff::Timestamp;
use mahasil_domain::challan_no::ChallanNo;
use rusqlite::{Connection, OptionalExtension, Transaction};

use super::audit_log::{self, Change};
use super::rows::{self, conflict, micros};
use crate::error::{Result, StoreError};
use crate::records::{Actor, MAX_REVOCATIONS_PAGE, Revocation, TrustListRecord};

pub(crate) fn latest_trust_list(conn: &Connection) -> Result<Option<TrustListRecord>> {
    let row: Option<(u32, Vec<u8>, i64)> = conn
        .prepare_cached("SELECT version, document, created_at FROM trust_lists ORDER BY version DESC LIMIT 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    row.map(|(version, document, at)| Ok(TrustListRecord { version, document, created_at: rows::timestamp("trust_lists.created_at", at)? })).transpose()
}

pub(crate) fn put_trust_list(tx: &Transaction<'_>, list: &TrustListRecord, actor: &Actor) -> Result<()> {
    let newest = latest_trust_list(tx)?.map_or(0, |l| l.version);
    if list.version != newest + 1 {
        return Err(StoreError::Conflict(format!("trust list version {} is not the next one (the newest stored is {newest})", list.version)));
    }
    tx.prepare_cached("INSERT INTO trust_lists (version, document, created_at) VALUES (?1, ?2, ?3)")?
        .execute(rusqlite::params![list.version, list.document, micros(list.created_at)])
        .map_err(conflict(format!("trust list version {} is already stored", list.version)))?;
    let after = serde_json::json!({ "version": list.version, "sha256": crate::audit::sha256_hex(&list.document) });
    let change = Change { action: "trust_list.publish", entity: format!("trust_list:{}", list.version), before: "null".into(), after: rows::json(&after)? };
    audit_log::append(tx, actor, list.created_at, &change)
}

/// Adds a cancelled challan to the revocation list (inside the cancelling transaction).
pub(crate) fn revoke(tx: &Transaction<'_>, challan_no: ChallanNo, at: Timestamp) -> Result<()> {
    tx.prepare_cached("INSERT INTO revocations (challan_no, revoked_at) VALUES (?1, ?2) ON CONFLICT (challan_no) DO NOTHING")?
        .execute(rusqlite::params![challan_no.digits(), micros(at)])?;
    Ok(())
}

pub(crate) fn last_revocation_seq(conn: &Connection) -> Result<i64> {
    Ok(conn.prepare_cached("SELECT coalesce(max(seq), 0) FROM revocations")?.query_row([], |r| r.get(0))?)
}

pub(crate) fn revocations(conn: &Connection, after_seq: i64, limit: u32) -> Result<Vec<Revocation>> {
    let mut stmt = conn.prepare_cached("SELECT seq, challan_no, revoked_at FROM revocations WHERE seq > ?1 ORDER BY seq LIMIT ?2")?;
    let mut rows = stmt.query(rusqlite::params![after_seq, rows::clamp_limit(limit, MAX_REVOCATIONS_PAGE)])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let no: String = r.get(1)?;
        out.push(Revocation {
            seq: r.get(0)?,
            challan_no: rows::parsed("revocations.challan_no", || ChallanNo::parse(&no))?,
            revoked_at: rows::timestamp("revocations.revoked_at", r.get(2)?)?,
        });
    }
    Ok(out)
}
