//! Field devices and their sync ops (docs/SYNC.md), shared by both backends: the records
//! the store keeps of each enrolled device, the ops it pushes (each stored once, so a
//! replay gets the first answer again) and the flags raised about it, with the checks of
//! what is enrolled; the judgement of an op is in `judgement.rs`.

mod judgement;

pub(crate) use judgement::{
    Holder, Neighbour, NewFlag, Refusal, StoredOp, already_stored_reason, chain_flags, challan_audit_json, check_issuer, refusal, replay, verdict_flags,
};

use jiff::{SignedDuration, Timestamp};
use mahasil_domain::DomainError;
use mahasil_domain::challan_no::{ChallanNo, IssuerNo};
use serde::Serialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::records::ChallanRecord;
use crate::{Result, StoreError};

/// The first issuer number given to a field device; devices count up from it (server
/// nodes count up from 100001).
pub const FIRST_DEVICE_ISSUER: u32 = 500_001;

/// How long a device's request nonces are kept. The server refuses timestamps more than
/// five minutes off, so an older nonce can never be replayed anyway.
pub const NONCE_RETENTION_S: i64 = 3_600;

/// Most ops one push carries (docs/SYNC.md), and so one `apply_device_ops` call.
pub const MAX_OPS_PER_PUSH: usize = 2_000;

/// Most gap ranges or flags one read returns.
pub const MAX_DEVICE_PAGE: u32 = 1_000;

/// Longest device label kept, in characters.
pub const MAX_LABEL_CHARS: usize = 200;

/// Longest request nonce kept, in bytes (the protocol's are 22 characters).
pub const MAX_NONCE_BYTES: usize = 64;

/// Bytes of an uncompressed SEC1 P-256 public key (`04 || X || Y`).
pub const PUBLIC_KEY_BYTES: usize = 65;

/// A device to enrol, as the server checked it: its key and the officer it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDevice {
    pub id: Uuid,
    pub officer_id: Uuid,
    pub label: String,
    /// 65-byte uncompressed SEC1 P-256 public key.
    pub public_key: Vec<u8>,
    /// First 8 bytes of SHA-256 of `public_key`, 16 lower-case hex digits.
    pub kid: String,
}

impl NewDevice {
    /// Refuses a key that is not 65 uncompressed SEC1 bytes, a kid that is not the key's,
    /// and an empty or overlong label.
    pub(crate) fn check(&self) -> Result<()> {
        let invalid = |field: &'static str, reason: String| StoreError::Domain(DomainError::Invalid { field, reason });
        if self.public_key.len() != PUBLIC_KEY_BYTES || self.public_key.first() != Some(&0x04) {
            return Err(invalid("public_key", format!("must be {PUBLIC_KEY_BYTES} bytes of uncompressed SEC1 (04 || X || Y)")));
        }
        let expected = kid_of(&self.public_key);
        if self.kid != expected {
            return Err(invalid("kid", format!("{} is not the key's kid {expected} (first 8 bytes of SHA-256 of the key, lower-case hex)", self.kid)));
        }
        let chars = self.label.trim().chars().count();
        if chars == 0 || chars > MAX_LABEL_CHARS {
            return Err(invalid("label", format!("must be 1 to {MAX_LABEL_CHARS} characters")));
        }
        Ok(())
    }
}

/// The kid of a public key: first 8 bytes of its SHA-256, lower-case hex.
pub fn kid_of(public_key: &[u8]) -> String {
    hex::encode(&Sha256::digest(public_key)[..8])
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DeviceStatus {
    Active,
    Revoked,
}

impl DeviceStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Revoked => "revoked",
        }
    }

    pub(crate) fn parse(s: &str) -> Result<Self> {
        match s {
            "active" => Ok(Self::Active),
            "revoked" => Ok(Self::Revoked),
            other => Err(StoreError::Corrupt(format!("devices.status {other}"))),
        }
    }
}

/// An enrolled device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeviceRecord {
    pub id: Uuid,
    pub issuer_no: IssuerNo,
    pub officer_id: Uuid,
    pub officer_username: String,
    pub label: String,
    #[serde(serialize_with = "hex_bytes")]
    pub public_key: Vec<u8>,
    pub kid: String,
    pub enrolled_at: Timestamp,
    pub status: DeviceStatus,
    pub revoked_at: Option<Timestamp>,
    /// Seals and ops dated from this instant on are not to be trusted.
    pub compromised_from: Option<Timestamp>,
    pub revoke_reason: Option<String>,
    /// A second challan with one of this device's numbers arrived: its key is in two places.
    pub cloned: bool,
    pub last_sync_at: Option<Timestamp>,
    /// The highest counter of a challan accepted from this device (0 before the first).
    pub last_counter_received: u32,
}

fn hex_bytes<S: serde::Serializer>(bytes: &[u8], s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&hex::encode(bytes))
}

impl DeviceRecord {
    /// What the audit log records of a device.
    pub(crate) fn audit_json(&self) -> Result<String> {
        serde_json::to_string(self).map_err(|e| StoreError::Corrupt(format!("cannot encode an audit record: {e}")))
    }
}

/// A device with what it has sent, for the admin's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeviceSummary {
    pub device: DeviceRecord,
    /// Ops accepted, each one challan stored.
    pub challans_received: u64,
    /// Counters in `1..=last_counter_received` that no op (accepted or rejected) claimed.
    pub missing_counters: u64,
    /// Flags raised about the device.
    pub flags: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OpStatus {
    Accepted,
    Duplicate,
    Rejected,
}

impl OpStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Accepted => "accepted",
            Self::Duplicate => "duplicate",
            Self::Rejected => "rejected",
        }
    }
}

/// The answer to one op of a push.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OpResult {
    pub op_id: Uuid,
    pub status: OpStatus,
    /// The challan the op stored (accepted, or a duplicate of an accepted op).
    pub challan_no: Option<ChallanNo>,
    /// Why it was rejected.
    pub reason: Option<String>,
}

impl OpResult {
    fn rejected(op_id: Uuid, reason: String) -> Self {
        Self { op_id, status: OpStatus::Rejected, challan_no: None, reason: Some(reason) }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FlagKind {
    /// A challan dated more than 5 minutes after it arrived.
    ClockAhead,
    /// A challan dated before its device was enrolled.
    ClockBeforeEnrolment,
    /// A challan dated earlier than its chain predecessor.
    ClockWentBack,
    /// A `prev_hash` that is not the stored predecessor's op hash.
    ChainBroken,
    /// A second challan with one of the device's numbers.
    Cloned,
    /// An op id sent again with other content.
    OpIdReused,
}

impl FlagKind {
    pub const ALL: [Self; 6] = [Self::ClockAhead, Self::ClockBeforeEnrolment, Self::ClockWentBack, Self::ChainBroken, Self::Cloned, Self::OpIdReused];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ClockAhead => "clock_ahead",
            Self::ClockBeforeEnrolment => "clock_before_enrolment",
            Self::ClockWentBack => "clock_went_back",
            Self::ChainBroken => "chain_broken",
            Self::Cloned => "cloned",
            Self::OpIdReused => "op_id_reused",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Something about a device an admin should look at; it rejects nothing by itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeviceFlag {
    pub device_id: Uuid,
    pub op_id: Option<Uuid>,
    pub challan_no: Option<ChallanNo>,
    pub kind: FlagKind,
    pub detail: String,
    pub at: Timestamp,
}

/// One op of a push, judged by the server before it reaches the store.
#[derive(Debug, Clone, PartialEq)]
pub struct DeviceOp {
    pub op_id: Uuid,
    pub device_id: Uuid,
    pub kind: String,
    /// SHA-256 of the op's signed bytes: its content identity.
    pub op_hash: [u8; 32],
    pub prev_hash: Option<[u8; 32]>,
    /// The counter the op claims (None when the payload could not even be read).
    pub counter: Option<u32>,
    /// The payload as the device signed it (JSON text): kept as evidence.
    pub signed_payload: String,
    pub sig: Vec<u8>,
    pub verdict: OpVerdict,
}

#[derive(Debug, Clone, PartialEq)]
pub enum OpVerdict {
    /// Every check passed: store this challan (issuer_no = the device's,
    /// challan_no/counter/seal/issued_at (device clock)/received_at set) and raise these
    /// flags found by the server (clock_ahead, clock_before_enrolment).
    Challan { challan: Box<ChallanRecord>, flags: Vec<(FlagKind, String)> },
    /// The server rejected it before storage (bad payload, seal, amount, scope...):
    /// remember the rejection so a replay gets the same answer.
    Rejected { reason: String },
}

/// Refuses a push of more ops than [`MAX_OPS_PER_PUSH`].
pub(crate) fn check_push_size(ops: usize) -> Result<()> {
    if ops > MAX_OPS_PER_PUSH {
        return Err(StoreError::Domain(DomainError::Invalid { field: "ops", reason: format!("a push carries at most {MAX_OPS_PER_PUSH} ops, not {ops}") }));
    }
    Ok(())
}

/// A revocation's reason, trimmed; it must say something.
pub(crate) fn revoke_reason(reason: &str) -> Result<&str> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(StoreError::Domain(DomainError::Invalid { field: "reason", reason: "say why the device is revoked".into() }));
    }
    Ok(reason)
}

/// A nonce as the store keeps it: 1 to [`MAX_NONCE_BYTES`] bytes.
pub(crate) fn checked_nonce(nonce: &str) -> Result<&str> {
    if nonce.is_empty() || nonce.len() > MAX_NONCE_BYTES {
        return Err(StoreError::Domain(DomainError::Invalid { field: "nonce", reason: format!("must be 1 to {MAX_NONCE_BYTES} bytes") }));
    }
    Ok(nonce)
}

/// The instant before which a device's nonces are forgotten.
pub(crate) fn nonce_horizon(at: Timestamp) -> Timestamp {
    at.checked_sub(SignedDuration::from_secs(NONCE_RETENTION_S)).unwrap_or(Timestamp::MIN)
}

/// The gap before the first counter claimed in `1..=last` (`first`), if it is not 1: the
/// one gap an ordered walk over the claimed counters cannot see.
pub(crate) fn leading_gap(first: Option<u32>, last: u32) -> Option<(u32, u32)> {
    match first {
        _ if last == 0 => None,
        None => Some((1, last)),
        Some(f) if f > 1 => Some((1, f - 1)),
        Some(_) => None,
    }
}

/// The name of a device's row in `issuers`.
pub(crate) fn issuer_name(device_id: Uuid) -> String {
    format!("device:{device_id}")
}

/// The device issuer number after `highest` (the highest given so far, if any).
pub(crate) fn next_issuer(highest: Option<u32>) -> Result<IssuerNo> {
    let next = highest.map_or(FIRST_DEVICE_ISSUER, |h| h.saturating_add(1)).max(FIRST_DEVICE_ISSUER);
    IssuerNo::new(next).map_err(|_| StoreError::Conflict("no device issuer numbers are left".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flag_kinds_round_trip_their_names() {
        for k in FlagKind::ALL {
            assert_eq!(FlagKind::parse(k.as_str()), Some(k));
            assert_eq!(serde_json::to_value(k).ok(), Some(serde_json::Value::String(k.as_str().into())));
        }
        assert_eq!(FlagKind::parse("clock"), None);
    }

    #[test]
    fn device_issuers_start_at_500001() {
        assert_eq!(next_issuer(None).ok().map(IssuerNo::get), Some(FIRST_DEVICE_ISSUER));
        assert_eq!(next_issuer(Some(500_007)).ok().map(IssuerNo::get), Some(500_008));
        assert!(next_issuer(Some(999_999)).is_err());
    }

    #[test]
    fn the_leading_gap_is_what_lies_below_the_first_claimed_counter() {
        assert_eq!(leading_gap(Some(1), 9), None);
        assert_eq!(leading_gap(Some(4), 9), Some((1, 3)));
        assert_eq!(leading_gap(None, 0), None);
        assert_eq!(leading_gap(None, 2), Some((1, 2)));
    }

    #[test]
    fn kid_and_key_are_checked() {
        let mut key = vec![4_u8; PUBLIC_KEY_BYTES];
        key[1] = 9;
        let good = NewDevice { id: Uuid::nil(), officer_id: Uuid::nil(), label: "phone".into(), kid: kid_of(&key), public_key: key.clone() };
        assert!(good.check().is_ok());
        assert!(NewDevice { kid: "0011223344556677".into(), ..good.clone() }.check().is_err());
        assert!(NewDevice { public_key: key[..64].to_vec(), ..good.clone() }.check().is_err());
        assert!(NewDevice { label: " ".into(), ..good }.check().is_err());
    }
}
