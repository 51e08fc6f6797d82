//! The JSON of the device protocol, as the server answers and devices send it.

use base64::Engine;
use jiff::Timestamp;
use mahasil_seal::{PublicKey, TrustList};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{Result, SyncError};

/// The only op kind so far: a challan issued on the device.
pub const KIND_CHALLAN_ISSUE: &str = "challan.issue";
/// Most ops one push may carry.
pub const MAX_OPS_PER_PUSH: usize = 2_000;
/// Largest push body, in bytes.
pub const MAX_PUSH_BYTES: usize = 8 * 1024 * 1024;
/// Reference data older than this makes the field app warn.
pub const MAX_REFERENCE_AGE_HOURS: u32 = 72;

/// `POST /api/v1/devices`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnrolRequest {
    /// Hex of the device key's 65-byte uncompressed SEC1 public key.
    pub public_key: String,
    /// What the officer calls the device, e.g. "Khan's phone".
    pub label: String,
    /// Base64url signature of `signing::enrol_proof_message(username, public_key)`.
    pub proof: String,
}

/// The answer to an enrolment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Enrolled {
    pub device_id: Uuid,
    pub issuer_no: u32,
    /// Hex of the key's kid.
    pub kid: String,
    pub officer: String,
    #[schema(value_type = String)]
    pub enrolled_at: Timestamp,
    pub certificate: Certificate,
}

/// The device's certificate: the authority-signed trust list that names its key, issuer
/// number and usage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Certificate {
    pub trust_list: TrustBundle,
}

/// The trust list as served to verifiers and devices (`GET /api/v1/trust-list`) and
/// exported for offline use: the signed document with the authority key that verifies it.
/// A verifier pins the authority kid it was given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TrustBundle {
    pub version: u64,
    /// Hex of the authority key's kid.
    pub authority_kid: String,
    /// Hex of the authority's 65-byte SEC1 public key.
    pub authority_public_key: String,
    /// Standard Base64 of the trust list's COSE_Sign1 bytes.
    pub document: String,
}

impl TrustBundle {
    /// The trust list in this bundle, verified with the bundle's authority key; with
    /// `pinned_kid`, that key must be the pinned one.
    pub fn open(&self, pinned_kid: Option<&str>) -> Result<(TrustList, PublicKey)> {
        let sec1 = hex::decode(&self.authority_public_key).map_err(|_| SyncError::invalid("authority_public_key", "is not hex"))?;
        let authority = PublicKey::from_sec1(&sec1)?;
        if authority.kid().to_string() != self.authority_kid {
            return Err(SyncError::invalid("authority_kid", "does not belong to authority_public_key"));
        }
        if let Some(pinned) = pinned_kid
            && !pinned.eq_ignore_ascii_case(&self.authority_kid)
        {
            return Err(SyncError::invalid("authority_kid", format!("the trust list is signed by authority {}, not the pinned {pinned}", self.authority_kid)));
        }
        let document = base64::engine::general_purpose::STANDARD.decode(&self.document).map_err(|_| SyncError::invalid("document", "is not Base64"))?;
        Ok((TrustList::verify(&document, &authority)?, authority))
    }
}

/// A signed revocation list as served (`GET /api/v1/revocations?since=N`): `document` is
/// `None` when the caller is already at the newest version (nothing to apply).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SignedRevocations {
    pub version: u64,
    /// 0 for a full list; otherwise the version the delta follows.
    pub since_version: u64,
    /// Revoked challans in this document.
    pub entries: usize,
    /// Standard Base64 of the list's COSE_Sign1 bytes.
    pub document: Option<String>,
}

/// One op of a push.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Op {
    pub op_id: Uuid,
    /// `challan.issue`.
    pub kind: String,
    /// The op's content as JSON text (for `challan.issue`, a [`crate::challan::ChallanPayload`]):
    /// the signed bytes are exactly the bytes sent.
    pub payload: String,
    /// Base64url signature of `signing::op_signed_bytes(op_id, kind, payload)`.
    pub sig: String,
}

/// `POST /api/v1/sync/push`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PushRequest {
    pub issuer_no: u32,
    pub ops: Vec<Op>,
}

/// What became of one op.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OpStatus {
    /// Stored now.
    Accepted,
    /// Stored before: the same op id with the same content.
    Duplicate,
    /// Never stored as a challan; never to be sent again.
    Rejected,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct OpAnswer {
    pub op_id: Uuid,
    pub status: OpStatus,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub challan_no: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub reason: Option<String>,
}

/// The answer to a push: one result per op, in the order sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PushAnswer {
    pub results: Vec<OpAnswer>,
    #[schema(value_type = String)]
    pub server_time: Timestamp,
    /// The highest counter of this device the server holds.
    pub last_counter_received: u32,
    /// Counters below it that never arrived, as inclusive ranges (at most 100).
    pub gaps: Vec<(u32, u32)>,
}

/// The device as the server sees it, in every pull.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DeviceState {
    /// `active` or `revoked`.
    pub status: String,
    pub issuer_no: u32,
    pub last_counter_received: u32,
}

/// One (district, department) pair an officer works in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ScopePair {
    pub district: String,
    pub department: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct OfficerState {
    pub user_id: Uuid,
    pub username: String,
    pub display_name: String,
    pub scope: Vec<ScopePair>,
}

/// `GET /api/v1/sync/pull?since=CURSOR`. `reference`, `trust_list` and `revocations` are
/// `null` when unchanged since the cursor; a device applies the whole answer and the new
/// cursor together, or nothing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PullAnswer {
    pub cursor: String,
    #[schema(value_type = String)]
    pub server_time: Timestamp,
    pub max_age_hours: u32,
    pub device: DeviceState,
    pub officer: OfficerState,
    /// The districts and active heads (with every schedule version) of the officer's scope.
    pub reference: Option<crate::challan::Reference>,
    pub trust_list: Option<TrustBundle>,
    pub revocations: Option<SignedRevocations>,
}
