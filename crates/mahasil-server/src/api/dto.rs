//! The shapes the API speaks, with their OpenAPI schemas. Records from the store are
//! converted here, so the API can stay stable while storage changes.

use mahasil_domain::head::{AfterDueRule, AmountRule, FeeSchedule, RevenueHead};
use mahasil_domain::time::local_date;
use mahasil_store::{CancellationRequest, ChallanEvent, ChallanRecord, Contest};
use mahasil_sync::challan::{LocationPayload, OffenderPayload};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginInput {
    pub username: String,
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LoginOutput {
    /// Send as `Authorization: Bearer <token>`. Shown once; only its hash is stored.
    pub token: String,
    /// RFC 3339.
    pub expires_at: String,
    pub username: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GrantDto {
    pub role: String,
    /// `null` means every district.
    pub district: Option<String>,
    /// `null` means every department.
    pub department: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeDto {
    pub user_id: Uuid,
    pub username: String,
    pub grants: Vec<GrantDto>,
}

/// The answer to issuing a challan.
#[derive(Debug, Serialize, ToSchema)]
pub struct IssuedDto {
    pub id: Uuid,
    /// `IIIIII-CCCCCCCC-D`.
    pub challan_no: String,
    pub status: String,
    pub amount_paisa: i64,
    pub amount_after_due_paisa: i64,
    /// `YYYY-MM-DD`, Pakistan time.
    pub due_date: String,
    /// The QR code's content: `<PUBLIC_BASE_URL>/V/<TOKEN>`, upper case, opening the
    /// challan's public check page. `null` only for a challan stored without a seal.
    pub seal_url: Option<String>,
}

impl IssuedDto {
    pub fn new(c: &ChallanRecord, public_base_url: &str) -> Self {
        Self {
            id: c.id,
            challan_no: c.challan_no.to_string(),
            status: c.status.as_str().into(),
            amount_paisa: c.amount_paisa,
            amount_after_due_paisa: c.amount_after_due_paisa,
            due_date: c.due_date.to_string(),
            seal_url: c.seal.as_deref().map(|seal| mahasil_seal::qr_url(public_base_url, seal)),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChallanDto {
    pub id: Uuid,
    pub challan_no: String,
    /// `issued`, `contested`, `paid`, `cancelled` or `waived`.
    pub status: String,
    /// Derived: open and past the due date today (Pakistan time).
    pub overdue: bool,
    pub head_code: String,
    pub department: String,
    pub schedule_version: u32,
    pub district: String,
    pub issuer_no: String,
    pub officer_id: Uuid,
    pub officer: String,
    pub offender: OffenderPayload,
    pub location: LocationPayload,
    /// Issuer's clock, RFC 3339.
    pub issued_at: String,
    /// Server's clock, RFC 3339.
    pub received_at: String,
    pub amount_paisa: i64,
    pub amount_after_due_paisa: i64,
    pub due_date: String,
}

impl ChallanDto {
    pub fn new(c: &ChallanRecord, now: jiff::Timestamp) -> Self {
        Self {
            id: c.id,
            challan_no: c.challan_no.to_string(),
            status: c.status.as_str().into(),
            overdue: c.status.is_overdue(c.due_date, local_date(now)),
            head_code: c.head_code.clone(),
            department: c.department.to_string(),
            schedule_version: c.schedule_version,
            district: c.district.to_string(),
            issuer_no: c.issuer_no.to_string(),
            officer_id: c.officer_id,
            officer: c.officer_username.clone(),
            offender: OffenderPayload::of(&c.offender),
            location: LocationPayload::of(&c.location),
            issued_at: c.issued_at.to_string(),
            received_at: c.received_at.to_string(),
            amount_paisa: c.amount_paisa,
            amount_after_due_paisa: c.amount_after_due_paisa,
            due_date: c.due_date.to_string(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventDto {
    pub at: String,
    pub kind: String,
    pub actor: String,
    pub status: String,
    pub note: Option<String>,
}

impl From<&ChallanEvent> for EventDto {
    fn from(e: &ChallanEvent) -> Self {
        Self { at: e.at.to_string(), kind: e.kind.clone(), actor: e.actor.clone(), status: e.status.as_str().into(), note: e.note.clone() }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CancellationRequestDto {
    pub id: Uuid,
    /// `cancel` or `waive`.
    pub kind: String,
    pub challan_no: String,
    pub district: String,
    pub department: String,
    pub reason: String,
    pub requested_by: String,
    pub requested_at: String,
    /// `pending`, `approved` or `rejected`.
    pub state: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    pub decision_note: Option<String>,
}

impl From<&CancellationRequest> for CancellationRequestDto {
    fn from(r: &CancellationRequest) -> Self {
        Self {
            id: r.id,
            kind: r.kind.as_str().into(),
            challan_no: r.challan_no.to_string(),
            district: r.district.to_string(),
            department: r.department.to_string(),
            reason: r.reason.clone(),
            requested_by: r.requested_by_username.clone(),
            requested_at: r.requested_at.to_string(),
            state: r.state.as_str().into(),
            decided_by: r.decided_by_username.clone(),
            decided_at: r.decided_at.map(|t| t.to_string()),
            decision_note: r.decision_note.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ContestDto {
    pub id: Uuid,
    pub challan_no: String,
    pub district: String,
    pub department: String,
    pub grounds: String,
    pub recorded_by: String,
    pub recorded_at: String,
    /// `open`, `upheld` or `quashed`.
    pub state: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    pub decision_note: Option<String>,
}

impl From<&Contest> for ContestDto {
    fn from(c: &Contest) -> Self {
        Self {
            id: c.id,
            challan_no: c.challan_no.to_string(),
            district: c.district.to_string(),
            department: c.department.to_string(),
            grounds: c.grounds.clone(),
            recorded_by: c.recorded_by_username.clone(),
            recorded_at: c.recorded_at.to_string(),
            state: c.state.as_str().into(),
            decided_by: c.decided_by_username.clone(),
            decided_at: c.decided_at.map(|t| t.to_string()),
            decision_note: c.decision_note.clone(),
        }
    }
}

/// A challan with everything that happened to it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChallanDetailDto {
    #[serde(flatten)]
    pub challan: ChallanDto,
    /// The QR code's content, opening the challan's public check page.
    pub seal_url: Option<String>,
    pub history: Vec<EventDto>,
    pub cancellation_requests: Vec<CancellationRequestDto>,
    pub contests: Vec<ContestDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChallanPageDto {
    pub items: Vec<ChallanDto>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ScheduleDto {
    pub version: u32,
    /// `fixed` or `range`.
    pub amount_type: String,
    pub amount_paisa: Option<i64>,
    pub min_paisa: Option<i64>,
    pub max_paisa: Option<i64>,
    pub due_days: u16,
    /// `same`, `fixed` or `surcharge`.
    pub after_due_type: String,
    pub after_due_paisa: Option<i64>,
    pub after_due_basis_points: Option<u32>,
    pub effective_from: String,
}

impl From<&FeeSchedule> for ScheduleDto {
    fn from(s: &FeeSchedule) -> Self {
        let (amount_type, amount_paisa, min_paisa, max_paisa) = match s.amount {
            AmountRule::Fixed { amount_paisa } => ("fixed", Some(amount_paisa.get()), None, None),
            AmountRule::Range { min_paisa, max_paisa } => ("range", None, Some(min_paisa.get()), Some(max_paisa.get())),
        };
        let (after_due_type, after_due_paisa, after_due_basis_points) = match s.after_due {
            AfterDueRule::Same => ("same", None, None),
            AfterDueRule::Fixed { amount_paisa } => ("fixed", Some(amount_paisa.get()), None),
            AfterDueRule::SurchargeBasisPoints { basis_points } => ("surcharge", None, Some(basis_points)),
        };
        Self {
            version: s.version,
            amount_type: amount_type.into(),
            amount_paisa,
            min_paisa,
            max_paisa,
            due_days: s.due_days,
            after_due_type: after_due_type.into(),
            after_due_paisa,
            after_due_basis_points,
            effective_from: s.effective_from.to_string(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HeadDto {
    pub code: String,
    /// `fine`, `tax` or `fee`.
    pub kind: String,
    pub department: String,
    pub title_en: String,
    pub title_ur: String,
    pub legal_basis: String,
    pub account_code: String,
    pub active: bool,
    /// Every version, oldest first (present on the single-head endpoint).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub schedules: Vec<ScheduleDto>,
}

impl HeadDto {
    pub fn new(h: &RevenueHead, schedules: &[FeeSchedule]) -> Self {
        Self {
            code: h.code.to_string(),
            kind: h.kind.as_str().into(),
            department: h.department.to_string(),
            title_en: h.title_en.clone(),
            title_ur: h.title_ur.clone(),
            legal_basis: h.legal_basis.clone(),
            account_code: h.account_code.clone(),
            active: h.active,
            schedules: schedules.iter().map(ScheduleDto::from).collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct JurisdictionDto {
    pub slug: String,
    /// `province`, `division`, `district` or `tehsil`.
    pub level: String,
    pub parent: Option<String>,
    pub name_en: String,
    pub name_ur: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DepartmentDto {
    pub slug: String,
    pub name_en: String,
    pub name_ur: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonInput {
    pub reason: String,
    /// `cancel` (the default: the challan should not have been issued) or `waive` (it
    /// stands, and the fine is forgiven).
    #[serde(default)]
    pub kind: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroundsInput {
    pub grounds: String,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionInput {
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedDto {
    pub id: Uuid,
}
