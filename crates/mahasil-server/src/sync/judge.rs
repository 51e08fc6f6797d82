//! Judging a pushed op before it reaches the store: its signature, its payload by the
//! domain's rules, its seal, the officer's scope and the amounts against the schedule the
//! device used. Pure and CPU-bound (two ECDSA verifications per op), so a push is judged
//! on every core while the store writes.

use std::collections::HashMap;

use jiff::{SignedDuration, Timestamp};
use mahasil_domain::authz::{Action, Principal};
use mahasil_domain::challan::ChallanStatus;
use mahasil_domain::head::HeadCode;
use mahasil_domain::jurisdiction::Slug;
use mahasil_seal::{PublicKey, TrustList};
use mahasil_store::{ChallanRecord, DeviceOp, DeviceRecord, FlagKind, HeadWithSchedules, OpVerdict};
use mahasil_sync::challan::{ChallanPayload, CheckedChallan};
use mahasil_sync::signing::{from_b64u, op_hash, op_signed_bytes};
use mahasil_sync::wire::{KIND_CHALLAN_ISSUE, Op};

/// How far ahead of the server a challan's time may be before it is flagged.
pub const CLOCK_AHEAD_TOLERANCE: SignedDuration = SignedDuration::from_secs(300);

/// What every op of one push is judged against.
pub struct Context<'a> {
    pub device: &'a DeviceRecord,
    pub key: &'a PublicKey,
    pub trust: &'a TrustList,
    pub officer: &'a Principal,
    pub heads: &'a HashMap<HeadCode, HeadWithSchedules>,
    /// District slugs that exist.
    pub districts: &'a [Slug],
    pub received_at: Timestamp,
}

/// The op as the store must record it: a challan to store, or why it is rejected.
pub fn judge(op: Op, cx: &Context<'_>) -> DeviceOp {
    let hash = op_hash(op.op_id, &op.kind, &op.payload);
    let mut out = DeviceOp {
        op_id: op.op_id,
        device_id: cx.device.id,
        kind: op.kind,
        op_hash: hash,
        prev_hash: None,
        counter: None,
        signed_payload: op.payload,
        sig: Vec::new(),
        verdict: OpVerdict::Rejected { reason: String::new() },
    };
    out.verdict = match verdict(&op.sig, cx, &mut out) {
        Ok(verdict) => verdict,
        Err(reason) => OpVerdict::Rejected { reason },
    };
    out
}

/// The verdict on `out`, whose signature is `sig` (base64url); fills in what it reads.
fn verdict(sig: &str, cx: &Context<'_>, out: &mut DeviceOp) -> Result<OpVerdict, String> {
    out.sig = from_b64u("sig", sig).map_err(|e| e.to_string())?;
    if !cx.key.verifies(&op_signed_bytes(out.op_id, &out.kind, &out.signed_payload), &out.sig) {
        return Err("the op's signature does not verify with the device's key".into());
    }
    if out.kind != KIND_CHALLAN_ISSUE {
        return Err(format!("unknown op kind {:?}", out.kind));
    }
    let payload = ChallanPayload::parse(&out.signed_payload).map_err(|e| e.to_string())?;
    let checked = payload.checked(cx.device.issuer_no).map_err(|e| e.to_string())?;
    out.counter = Some(checked.challan_no.counter());
    out.prev_hash = checked.prev_hash;
    check_seal(&checked, cx)?;
    let head = cx.heads.get(&checked.head_code).ok_or_else(|| format!("unknown revenue head {}", checked.head_code))?;
    if !cx.districts.contains(&checked.district) {
        return Err(format!("unknown district {}", checked.district));
    }
    if checked.officer != cx.device.officer_username {
        return Err(format!("the challan names officer {}, but the device is enrolled to {}", checked.officer, cx.device.officer_username));
    }
    cx.officer.require(Action::IssueChallan, &checked.district, &head.head.department).map_err(|e| e.to_string())?;
    checked.check_amounts(&head.schedules).map_err(|e| e.to_string())?;
    let flags = clock_flags(&checked, cx);
    Ok(OpVerdict::Challan { challan: Box::new(record(checked, head, cx)), flags })
}

/// The seal verifies with the device's key, against the trust list, and says exactly
/// what the payload says.
fn check_seal(checked: &CheckedChallan, cx: &Context<'_>) -> Result<(), String> {
    let verification = mahasil_seal::verify(&checked.seal, cx.trust, None);
    if !verification.is_valid() {
        let why = verification.error.map(|e| e.to_string()).unwrap_or_default();
        return Err(format!("the seal is {}: {why}", verification.outcome.as_str()));
    }
    if verification.kid.map(|k| k.to_string()).as_deref() != Some(cx.device.kid.as_str()) {
        return Err("the seal is not signed by this device's key".into());
    }
    let expected = checked.claims().map_err(|e| e.to_string())?;
    if verification.claims.as_ref() != Some(&expected) {
        return Err("the seal's claims differ from the challan's values".into());
    }
    Ok(())
}

fn clock_flags(checked: &CheckedChallan, cx: &Context<'_>) -> Vec<(FlagKind, String)> {
    let mut flags = Vec::new();
    if checked.issued_at > cx.received_at + CLOCK_AHEAD_TOLERANCE {
        flags.push((FlagKind::ClockAhead, format!("issued at {} by the device's clock, received at {}", checked.issued_at, cx.received_at)));
    }
    if checked.issued_at < cx.device.enrolled_at - CLOCK_AHEAD_TOLERANCE {
        flags.push((FlagKind::ClockBeforeEnrolment, format!("issued at {}, but the device was enrolled at {}", checked.issued_at, cx.device.enrolled_at)));
    }
    flags
}

fn record(c: CheckedChallan, head: &HeadWithSchedules, cx: &Context<'_>) -> ChallanRecord {
    ChallanRecord {
        id: c.id,
        challan_no: c.challan_no,
        issuer_no: c.challan_no.issuer(),
        status: ChallanStatus::Issued,
        head_code: c.head_code.to_string(),
        department: head.head.department.clone(),
        schedule_version: c.schedule_version,
        district: c.district,
        officer_id: cx.device.officer_id,
        officer_username: c.officer,
        offender: c.offender,
        location: c.location,
        issued_at: c.issued_at,
        received_at: cx.received_at,
        amount_paisa: c.amounts.amount.get(),
        amount_after_due_paisa: c.amounts.amount_after_due.get(),
        due_date: c.amounts.due_date,
        seal: Some(c.seal),
    }
}
