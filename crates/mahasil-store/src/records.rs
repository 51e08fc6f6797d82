//! Records the store reads and writes: what the server shows and acts on.

use jiff::Timestamp;
use jiff::civil::Date;
use mahasil_domain::authz::{Grant, Scope};
use mahasil_domain::challan::{ChallanDraft, ChallanStatus, Location, Offender, ReliefKind};
use mahasil_domain::challan_no::{ChallanNo, IssuerNo};
use mahasil_domain::head::{FeeSchedule, RevenueHead};
use mahasil_domain::identity::{Cnic, Mobile, VehicleNo};
use mahasil_domain::jurisdiction::Slug;
use serde::Serialize;
use uuid::Uuid;

/// Who did something, as the audit log records it. `user_id` is `None` for the system
/// itself (migrations, demo seeding, scheduled jobs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Actor {
    pub user_id: Option<Uuid>,
    pub username: String,
}

impl Actor {
    pub fn system() -> Self {
        Self { user_id: None, username: "system".into() }
    }
}

impl From<&mahasil_domain::authz::Principal> for Actor {
    fn from(p: &mahasil_domain::authz::Principal) -> Self {
        Self { user_id: Some(p.user_id), username: p.username.clone() }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HeadWithSchedules {
    pub head: RevenueHead,
    pub schedules: Vec<FeeSchedule>,
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    /// Argon2id PHC string. Never logged.
    pub password_hash: String,
    pub grants: Vec<Grant>,
}

#[derive(Debug, Clone)]
pub struct UserUpdate {
    pub id: Uuid,
    pub display_name: String,
    pub grants: Vec<Grant>,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserRecord {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    #[serde(skip)]
    pub password_hash: String,
    pub grants: Vec<Grant>,
    pub active: bool,
    pub created_at: Timestamp,
}

/// `api` sessions are bearer tokens; `web` sessions are cookies with a CSRF token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SessionKind {
    Api,
    Web,
}

impl SessionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Api => "api",
            Self::Web => "web",
        }
    }
}

#[derive(Debug, Clone)]
pub struct NewSession {
    pub token_sha256: [u8; 32],
    pub user_id: Uuid,
    pub username: String,
    pub kind: SessionKind,
    /// The CSRF token of a web session (random, compared in constant time); empty for api.
    pub csrf_token: String,
    pub expires_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    pub user_id: Uuid,
    pub kind: SessionKind,
    pub csrf_token: String,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

/// A stored challan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChallanRecord {
    pub id: Uuid,
    pub challan_no: ChallanNo,
    pub issuer_no: IssuerNo,
    pub status: ChallanStatus,
    pub head_code: String,
    pub department: Slug,
    pub schedule_version: u32,
    pub district: Slug,
    pub officer_id: Uuid,
    pub officer_username: String,
    pub offender: Offender,
    pub location: Location,
    /// The issuer's clock.
    pub issued_at: Timestamp,
    /// The server's clock.
    pub received_at: Timestamp,
    pub amount_paisa: i64,
    pub amount_after_due_paisa: i64,
    pub due_date: Date,
    /// The COSE_Sign1 seal signed when the challan was stored (the QR code's content).
    /// Kept out of the audit entry: it is derived from the values the entry records.
    #[serde(skip)]
    pub seal: Option<Vec<u8>>,
}

impl ChallanRecord {
    /// The record of a draft just numbered `challan_no` under `issuer`: status `issued`,
    /// the draft's frozen amounts, received at `received_at`.
    pub fn issued(d: &ChallanDraft, challan_no: ChallanNo, issuer: IssuerNo, received_at: Timestamp) -> Self {
        Self {
            id: d.id,
            challan_no,
            issuer_no: issuer,
            status: ChallanStatus::Issued,
            head_code: d.head_code.clone(),
            department: d.department.clone(),
            schedule_version: d.schedule_version,
            district: d.district.clone(),
            officer_id: d.officer_id,
            officer_username: d.officer_username.clone(),
            offender: d.offender.clone(),
            location: d.location.clone(),
            issued_at: d.issued_at,
            received_at,
            amount_paisa: d.amounts.amount.get(),
            amount_after_due_paisa: d.amounts.amount_after_due.get(),
            due_date: d.amounts.due_date,
            seal: None,
        }
    }
}

/// Signs a challan the moment it is numbered, inside the transaction that stores it, so
/// no challan is ever stored without its seal. Implemented by the server with its node's
/// challan key; the store only keeps the bytes.
pub trait ChallanSealer: Send + Sync + 'static {
    /// The seal of `challan` (every field is final except `seal`), or why it cannot be made.
    fn seal(&self, challan: &ChallanRecord) -> std::result::Result<Vec<u8>, String>;
}

/// A shared sealer, handed to every `issue_challan`.
pub type Sealer = std::sync::Arc<dyn ChallanSealer>;

/// The seal of a freshly numbered challan; a sealer that cannot sign fails the issue.
pub(crate) fn seal_with(sealer: &Sealer, record: &ChallanRecord) -> crate::Result<Vec<u8>> {
    sealer.seal(record).map_err(|why| crate::StoreError::Config(format!("challan {} could not be sealed: {why}", record.challan_no)))
}

/// One version of the signed trust list, as stored: the signed document's bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustListRecord {
    pub version: u32,
    pub document: Vec<u8>,
    pub created_at: Timestamp,
}

/// A cancelled challan, in the order cancellations happened. `seq` is the revocation
/// list's version: a list at version N holds every revocation with `seq <= N`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revocation {
    pub seq: i64,
    pub challan_no: ChallanNo,
    pub revoked_at: Timestamp,
}

/// A bank that collects bills, with the secret its requests are signed with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankRecord {
    pub mnemonic: Slug,
    pub name: String,
    pub secret: mahasil_domain::bank::BankSecret,
    pub active: bool,
    pub created_at: Timestamp,
}

impl BankRecord {
    /// What the audit log records of a bank: never its secret, only a fingerprint of it.
    pub(crate) fn audit_json(&self) -> serde_json::Value {
        serde_json::json!({
            "mnemonic": self.mnemonic.as_str(),
            "name": self.name,
            "active": self.active,
            "secret_sha256": crate::audit::sha256_hex(self.secret.as_str().as_bytes()),
        })
    }
}

/// Most revocations one read returns.
pub const MAX_REVOCATIONS_PAGE: u32 = 10_000;

/// One step in a challan's history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChallanEvent {
    pub at: Timestamp,
    /// `issued`, `cancellation_requested`, `cancellation_rejected`, `cancelled`,
    /// `contested`, `upheld`, `quashed`.
    pub kind: String,
    pub actor: String,
    /// Status after the event.
    pub status: ChallanStatus,
    pub note: Option<String>,
}

/// Largest page a search returns.
pub const MAX_PAGE_SIZE: u32 = 200;

/// A search. All filters are ANDed; `scope` limits to the viewer's pairs.
#[derive(Debug, Clone)]
pub struct ChallanQuery {
    pub scope: Scope,
    pub cnic: Option<Cnic>,
    pub mobile: Option<Mobile>,
    pub vehicle_no: Option<VehicleNo>,
    pub status: Option<ChallanStatus>,
    /// Only open challans past their due date on this day.
    pub overdue_on: Option<Date>,
    pub district: Option<Slug>,
    pub head_code: Option<String>,
    pub officer_id: Option<Uuid>,
    /// Issue date (Pakistan) from, inclusive.
    pub issued_from: Option<Date>,
    /// Issue date (Pakistan) to, inclusive.
    pub issued_to: Option<Date>,
    /// Opaque cursor from the previous page.
    pub after: Option<i64>,
    /// 1..=MAX_PAGE_SIZE.
    pub limit: u32,
}

impl ChallanQuery {
    pub fn new(scope: Scope) -> Self {
        Self {
            scope,
            cnic: None,
            mobile: None,
            vehicle_no: None,
            status: None,
            overdue_on: None,
            district: None,
            head_code: None,
            officer_id: None,
            issued_from: None,
            issued_to: None,
            after: None,
            limit: 50,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChallanPage {
    pub items: Vec<ChallanRecord>,
    /// Pass as `after` for the next page; `None` on the last page.
    pub next: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RequestState {
    Pending,
    Approved,
    Rejected,
}

impl RequestState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CancellationRequest {
    pub id: Uuid,
    /// A cancellation or a waiver.
    pub kind: ReliefKind,
    pub challan_id: Uuid,
    pub challan_no: ChallanNo,
    pub district: Slug,
    pub department: Slug,
    pub reason: String,
    pub requested_by: Uuid,
    pub requested_by_username: String,
    pub requested_at: Timestamp,
    pub state: RequestState,
    pub decided_by_username: Option<String>,
    pub decided_at: Option<Timestamp>,
    pub decision_note: Option<String>,
}

/// The audit action of a request of `kind`.
pub(crate) fn request_action(kind: ReliefKind) -> &'static str {
    match kind {
        ReliefKind::Cancel => "cancellation.request",
        ReliefKind::Waive => "waiver.request",
    }
}

/// The audit action of a decision on a request of `kind`.
pub(crate) fn decision_action(kind: ReliefKind, approve: bool) -> &'static str {
    match (kind, approve) {
        (ReliefKind::Cancel, true) => "cancellation.approve",
        (ReliefKind::Cancel, false) => "cancellation.reject",
        (ReliefKind::Waive, true) => "waiver.approve",
        (ReliefKind::Waive, false) => "waiver.reject",
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ContestState {
    Open,
    Upheld,
    Quashed,
}

impl ContestState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Upheld => "upheld",
            Self::Quashed => "quashed",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Contest {
    pub id: Uuid,
    pub challan_id: Uuid,
    pub challan_no: ChallanNo,
    pub district: Slug,
    pub department: Slug,
    pub grounds: String,
    pub recorded_by_username: String,
    pub recorded_at: Timestamp,
    pub state: ContestState,
    pub decided_by_username: Option<String>,
    pub decided_at: Option<Timestamp>,
    pub decision_note: Option<String>,
}

/// One entry of the tamper-evident audit log. `hash` = SHA-256 over the previous entry's
/// hash and this entry's fields (see `audit::entry_hash`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: Timestamp,
    pub actor_id: Option<Uuid>,
    pub actor: String,
    /// What happened, e.g. `challan.issue`, `user.create`, `session.create`.
    pub action: String,
    /// What it happened to, e.g. `challan:100001-00000001-7`.
    pub entity: String,
    /// JSON text of the state before (`null` for creations).
    pub before: String,
    /// JSON text of the state after.
    pub after: String,
    pub prev_hash: String,
    pub hash: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditVerification {
    pub entries: u64,
    /// The first entry that does not verify, and why; `None` when the chain is intact.
    pub first_bad: Option<AuditFault>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditFault {
    pub seq: i64,
    pub reason: String,
}
