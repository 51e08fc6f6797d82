//! The judgement of a pushed op once its stored surroundings are read, shared by both
//! backends so the rules and their words are the same on SQLite and PostgreSQL: the
//! replay of a stored op id, the refusal of a challan whose number or id is held, the
//! flags of its link to its chain neighbours, and the audit record of what it stored.

use jiff::Timestamp;
use mahasil_domain::challan_no::{ChallanNo, IssuerNo};
use uuid::Uuid;

use super::{DeviceOp, FlagKind, OpResult, OpStatus};
use crate::records::ChallanRecord;
use crate::{Result, StoreError};

/// A flag about to be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NewFlag {
    pub op_id: Option<Uuid>,
    pub challan_no: Option<ChallanNo>,
    pub kind: FlagKind,
    pub detail: String,
}

/// An op already stored under the op id being applied.
#[derive(Debug, Clone)]
pub(crate) struct StoredOp {
    pub op_hash: Vec<u8>,
    pub accepted: bool,
    pub challan_no: Option<ChallanNo>,
    pub reason: Option<String>,
}

/// The answer to an op whose id is stored already, and the flag to raise if the id came
/// back with other content (then nothing else is stored).
pub(crate) fn replay(op: &DeviceOp, stored: &StoredOp) -> (OpResult, Option<NewFlag>) {
    if stored.op_hash.as_slice() != op.op_hash.as_slice() {
        let flag = NewFlag {
            op_id: Some(op.op_id),
            challan_no: None,
            kind: FlagKind::OpIdReused,
            detail: format!("op {} came again with hash {}; the stored op hashes to {}", op.op_id, hex::encode(op.op_hash), hex::encode(&stored.op_hash)),
        };
        return (OpResult::rejected(op.op_id, format!("op {} was already used for different content", op.op_id)), Some(flag));
    }
    let result = if stored.accepted {
        OpResult { op_id: op.op_id, status: OpStatus::Duplicate, challan_no: stored.challan_no, reason: None }
    } else {
        OpResult::rejected(op.op_id, stored.reason.clone().unwrap_or_else(|| "rejected".into()))
    };
    (result, None)
}

/// A stored challan that shares the incoming challan's id or its number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Holder {
    pub id: Uuid,
    pub challan_no: ChallanNo,
}

/// Why a challan that passed the server's checks still cannot be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// Its number is held by another challan: the device is marked cloned and flagged.
    Cloned { reason: String, flag: NewFlag },
    /// The same challan is stored already; `holder` is where.
    AlreadyStored { holder: Holder },
}

/// Judges the incoming challan against the stored ones sharing its id or number.
pub(crate) fn refusal(op: &DeviceOp, challan: &ChallanRecord, holders: &[Holder]) -> Option<Refusal> {
    if let Some(other) = holders.iter().find(|h| h.challan_no == challan.challan_no && h.id != challan.id) {
        let flag = NewFlag {
            op_id: Some(op.op_id),
            challan_no: Some(challan.challan_no),
            kind: FlagKind::Cloned,
            detail: format!(
                "challan number {} is held by challan {}; op {} brought another challan {} with the same number",
                challan.challan_no, other.id, op.op_id, challan.id
            ),
        };
        let reason = format!("challan number {} is already held by another challan: this device is marked cloned", challan.challan_no);
        return Some(Refusal::Cloned { reason, flag });
    }
    holders.iter().find(|h| h.id == challan.id).map(|h| Refusal::AlreadyStored { holder: *h })
}

/// The rejection of a challan stored already, naming the op that brought it when known.
pub(crate) fn already_stored_reason(challan: &ChallanRecord, holder: Holder, first_op: Option<Uuid>) -> String {
    match first_op {
        Some(other) => format!("challan {} was already received in op {other}", challan.id),
        None => format!("challan {} is already stored as {}", challan.id, holder.challan_no),
    }
}

/// An accepted op of the same device next to the incoming one in counter order.
#[derive(Debug, Clone)]
pub(crate) struct Neighbour {
    pub op_id: Uuid,
    pub counter: u32,
    pub challan_no: Option<ChallanNo>,
    pub op_hash: Vec<u8>,
    pub prev_hash: Option<Vec<u8>>,
    pub issued_at: Option<Timestamp>,
}

fn hash_text(h: Option<&[u8]>) -> String {
    h.map_or_else(|| "none".into(), hex::encode)
}

/// Flags of the link between the incoming op and its stored neighbours: the predecessor
/// (counter - 1) and the successor (counter + 1), whichever arrived first. A flag names
/// the op whose link is wrong: the incoming one towards its predecessor, the successor
/// towards the incoming one.
pub(crate) fn chain_flags(op: &DeviceOp, challan: &ChallanRecord, neighbours: &[Neighbour]) -> Vec<NewFlag> {
    let counter = challan.challan_no.counter();
    let mut flags = Vec::new();
    let prev_hash = op.prev_hash.as_ref().map(<[u8; 32]>::as_slice);
    if let Some(pred) = neighbours.iter().find(|n| n.counter + 1 == counter) {
        if prev_hash != Some(pred.op_hash.as_slice()) {
            flags.push(NewFlag {
                op_id: Some(op.op_id),
                challan_no: Some(challan.challan_no),
                kind: FlagKind::ChainBroken,
                detail: format!(
                    "op {} (counter {counter}) names prev_hash {}, but the op of counter {} ({}) hashes to {}",
                    op.op_id,
                    hash_text(prev_hash),
                    pred.counter,
                    pred.op_id,
                    hex::encode(&pred.op_hash)
                ),
            });
        }
        if let Some(before) = pred.issued_at.filter(|t| *t > challan.issued_at) {
            flags.push(NewFlag {
                op_id: Some(op.op_id),
                challan_no: Some(challan.challan_no),
                kind: FlagKind::ClockWentBack,
                detail: format!(
                    "challan {} is dated {}, before its predecessor of counter {} dated {before}",
                    challan.challan_no, challan.issued_at, pred.counter
                ),
            });
        }
    }
    if let Some(succ) = neighbours.iter().find(|n| n.counter == counter + 1) {
        if succ.prev_hash.as_deref() != Some(op.op_hash.as_slice()) {
            flags.push(NewFlag {
                op_id: Some(succ.op_id),
                challan_no: succ.challan_no,
                kind: FlagKind::ChainBroken,
                detail: format!(
                    "op {} (counter {}) names prev_hash {}, but the op of counter {counter} ({}) that arrived after it hashes to {}",
                    succ.op_id,
                    succ.counter,
                    hash_text(succ.prev_hash.as_deref()),
                    op.op_id,
                    hex::encode(op.op_hash)
                ),
            });
        }
        if let Some(after) = succ.issued_at.filter(|t| *t < challan.issued_at) {
            flags.push(NewFlag {
                op_id: Some(succ.op_id),
                challan_no: succ.challan_no,
                kind: FlagKind::ClockWentBack,
                detail: format!(
                    "the challan of counter {} is dated {after}, before its predecessor {} dated {} (which arrived after it)",
                    succ.counter, challan.challan_no, challan.issued_at
                ),
            });
        }
    }
    flags
}

/// The flags the server found, attached to the op and its challan.
pub(crate) fn verdict_flags(op: &DeviceOp, challan: &ChallanRecord, found: &[(FlagKind, String)]) -> Vec<NewFlag> {
    found.iter().map(|(kind, detail)| NewFlag { op_id: Some(op.op_id), challan_no: Some(challan.challan_no), kind: *kind, detail: detail.clone() }).collect()
}

/// Refuses a challan numbered under another issuer than the device's: the server must
/// never hand one over, and storing it would advance someone else's counter.
pub(crate) fn check_issuer(challan: &ChallanRecord, device_issuer: IssuerNo) -> Result<()> {
    if challan.issuer_no != device_issuer || challan.challan_no.issuer() != device_issuer {
        return Err(StoreError::Conflict(format!("challan {} is not numbered under the device's issuer number {device_issuer}", challan.challan_no)));
    }
    Ok(())
}

/// The audit entry's after-JSON of a challan a device issued: the challan as for any
/// issue, and which device it came from (one more field at the end of the object).
pub(crate) fn challan_audit_json(challan: &ChallanRecord, device_id: Uuid) -> Result<String> {
    let mut json = serde_json::to_string(challan).map_err(|e| StoreError::Corrupt(format!("cannot encode an audit record: {e}")))?;
    if json.pop() != Some('}') {
        return Err(StoreError::Corrupt("a challan's audit record is not a JSON object".into()));
    }
    json.push_str(&format!(",\"device\":\"{device_id}\"}}"));
    Ok(json)
}
