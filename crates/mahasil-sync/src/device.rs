//! A device's side of issuing offline: the next number, the frozen amounts, the seal, the
//! op and its place in the device's hash chain. The Rust client and the test vectors use
//! it; the browser app does the same in JavaScript, byte for byte.

use jiff::Timestamp;
use mahasil_domain::challan::{Location, Offender};
use mahasil_domain::challan_no::{ChallanNo, IssuerNo};
use mahasil_domain::head::{AmountRule, FeeSchedule, HeadCode, schedule_in_force};
use mahasil_domain::jurisdiction::Slug;
use mahasil_domain::money::Paisa;
use mahasil_domain::time::local_date;
use mahasil_seal::SigningKey;
use uuid::Uuid;

use crate::challan::{ChallanPayload, LocationPayload, OffenderPayload, SealFacts, of_head, seal_claims, seal_text};
use crate::signing::{b64u, op_hash, op_signed_bytes};
use crate::wire::{KIND_CHALLAN_ISSUE, Op};
use crate::{Result, SyncError};

/// Where a device's numbering and chain stand: the last counter it used and the hash of
/// its last op. Persisted by the device with every challan, in the same transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Chain {
    pub last_counter: u32,
    pub head: Option<[u8; 32]>,
}

/// A challan as the officer fills it in on the device.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    pub id: Uuid,
    pub head_code: HeadCode,
    /// Only for heads whose schedule in force is a range.
    pub requested_amount: Option<Paisa>,
    pub district: Slug,
    pub officer: String,
    pub offender: Offender,
    pub location: Location,
    /// The device's clock.
    pub issued_at: Timestamp,
}

/// A challan numbered, sealed and chained on the device, ready for its outbox.
#[derive(Debug, Clone, PartialEq)]
pub struct IssuedOffline {
    pub challan_no: ChallanNo,
    pub seal: Vec<u8>,
    pub payload: ChallanPayload,
    pub op: Op,
    pub op_hash: [u8; 32],
    /// The chain after this challan: to be stored with it.
    pub chain: Chain,
}

/// Numbers, freezes, seals and chains `draft` after `chain`, signing with the device key.
/// Nothing is changed: the caller stores the result and its new chain together.
pub fn issue(key: &SigningKey, issuer: IssuerNo, chain: Chain, schedules: &[FeeSchedule], draft: &Draft, op_id: Uuid) -> Result<IssuedOffline> {
    let counter = chain.last_counter.checked_add(1).ok_or_else(|| SyncError::invalid("counter", "this issuer number has run out"))?;
    let challan_no = ChallanNo::new(issuer, counter).map_err(|_| SyncError::invalid("counter", "this issuer number has run out"))?;
    let issue_date = local_date(draft.issued_at);
    let schedule = schedule_in_force(&of_head(schedules, &draft.head_code), issue_date)
        .cloned()
        .ok_or_else(|| SyncError::invalid("head_code", format!("no schedule of {} is in force on {issue_date}", draft.head_code)))?;
    let requested = match schedule.amount {
        AmountRule::Fixed { .. } => None,
        AmountRule::Range { .. } => draft.requested_amount,
    };
    let amounts = schedule.freeze(requested, issue_date)?;
    let claims = seal_claims(&SealFacts {
        issuer,
        signed_at: draft.issued_at,
        number: challan_no,
        head_code: &draft.head_code,
        amounts,
        district: &draft.district,
        officer: &draft.officer,
        offender: &draft.offender,
    })?;
    let seal = key.sign(&claims)?;
    let payload = ChallanPayload {
        id: draft.id,
        challan_no: challan_no.digits(),
        head_code: draft.head_code.to_string(),
        schedule_version: schedule.version,
        amount_paisa: amounts.amount.get(),
        amount_after_due_paisa: amounts.amount_after_due.get(),
        due_date: amounts.due_date.to_string(),
        district: draft.district.to_string(),
        officer: draft.officer.clone(),
        offender: OffenderPayload::of(&draft.offender),
        location: LocationPayload::of(&draft.location),
        issued_at: draft.issued_at,
        prev_hash: chain.head.map(hex::encode),
        seal: seal_text(&seal),
    };
    let text = serde_json::to_string(&payload).map_err(|e| SyncError::invalid("payload", e.to_string()))?;
    let sig = key.sign_bytes(&op_signed_bytes(op_id, KIND_CHALLAN_ISSUE, &text))?;
    let hash = op_hash(op_id, KIND_CHALLAN_ISSUE, &text);
    Ok(IssuedOffline {
        challan_no,
        seal,
        payload,
        op: Op { op_id, kind: KIND_CHALLAN_ISSUE.into(), payload: text, sig: b64u(&sig) },
        op_hash: hash,
        chain: Chain { last_counter: counter, head: Some(hash) },
    })
}
