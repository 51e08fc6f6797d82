//! What every change of a challan's state shares: the challan locked for the rest of the
//! transaction, its new status, and the event that records the change in its history.

use jiff::Timestamp;
use mahasil_domain::challan::{ChallanStatus, MAX_REASON_CHARS};
use mahasil_domain::challan_no::ChallanNo;
use mahasil_domain::identity::Text;
use uuid::Uuid;

use super::rows::{self, CHALLAN_COLUMNS};
use super::types::{PgTime, to_micros};
use super::writer::Tx;
use crate::records::ChallanRecord;
use crate::{Result, StoreError};

/// The challan with this number, locked until the transaction ends.
pub(super) async fn lock_by_no(tx: &mut Tx, no: ChallanNo) -> Result<ChallanRecord> {
    let sql = format!("SELECT {CHALLAN_COLUMNS} FROM challans c WHERE c.challan_no = $1 FOR UPDATE");
    let row = sqlx::query(&sql).bind(no.digits()).fetch_optional(&mut tx.conn).await?;
    row.as_ref().map(rows::challan).transpose()?.ok_or_else(|| StoreError::NotFound(format!("challan {no}")))
}

/// The challan with this id, locked until the transaction ends.
pub(super) async fn lock_by_id(tx: &mut Tx, id: Uuid) -> Result<ChallanRecord> {
    let sql = format!("SELECT {CHALLAN_COLUMNS} FROM challans c WHERE c.id = $1 FOR UPDATE");
    let row = sqlx::query(&sql).bind(id).fetch_optional(&mut tx.conn).await?;
    row.as_ref().map(rows::challan).transpose()?.ok_or_else(|| StoreError::NotFound(format!("challan {id}")))
}

/// Moves the challan to `status` (if it changed) and appends the event to its history.
pub(super) async fn record(
    tx: &mut Tx,
    challan: &ChallanRecord,
    status: ChallanStatus,
    kind: &str,
    actor: &str,
    note: Option<&str>,
    at: Timestamp,
) -> Result<()> {
    if status != challan.status {
        sqlx::query("UPDATE challans SET status = $2 WHERE id = $1").bind(challan.id).bind(status.as_str()).execute(&mut tx.conn).await?;
        let effects = crate::ledger::status_effects(status);
        if effects.revoke_seal {
            super::seals::revoke(tx, challan.challan_no, at).await?;
        }
        if effects.waive {
            let existing = super::ledger::of_challan(&mut tx.conn, challan.challan_no).await?;
            super::ledger::insert(&mut tx.conn, &crate::ledger::waived(&existing, challan.challan_no, at)?).await?;
        }
    }
    sqlx::query("INSERT INTO challan_events (challan_id, at, kind, actor, status, note) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(challan.id)
        .bind(PgTime(to_micros(at)))
        .bind(kind)
        .bind(actor)
        .bind(status.as_str())
        .bind(note)
        .execute(&mut tx.conn)
        .await?;
    Ok(())
}

/// A reason or grounds a person wrote: required, bounded.
pub(super) fn reason(field: &'static str, input: &str) -> Result<String> {
    Ok(Text::parse_field(field, input, MAX_REASON_CHARS)?.as_str().to_owned())
}

/// A decision's note: optional (blank is none), bounded.
pub(super) fn note(input: &str) -> Result<Option<String>> {
    if input.trim().is_empty() {
        return Ok(None);
    }
    reason("note", input).map(Some)
}
