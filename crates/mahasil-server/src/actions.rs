//! What staff can do, shared by the JSON API and the pages: input arrives as plain
//! strings and numbers, is parsed into domain types (every bad field named at once),
//! checked by the domain, and written through the store.

use std::collections::BTreeMap;

use jiff::Timestamp;
use mahasil_domain::DomainError;
use mahasil_domain::authz::Principal;
use mahasil_domain::challan::{self, IssueRequest, Location, Offender, ReliefKind};
use mahasil_domain::challan_no::ChallanNo;
use mahasil_domain::head::HeadCode;
use mahasil_domain::identity::{Cnic, Email, MAX_TEXT_CHARS, Mobile, Text, VehicleNo};
use mahasil_domain::jurisdiction::Slug;
use mahasil_domain::money::Paisa;
use mahasil_domain::notice::Language;
use mahasil_store::{Actor, CancellationRequest, ChallanRecord, Contest};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Collects every field problem of one input before answering.
#[derive(Default)]
pub struct Fields(BTreeMap<String, String>);

impl Fields {
    pub fn take<T>(&mut self, name: &str, parsed: Result<T, DomainError>) -> Option<T> {
        match parsed {
            Ok(v) => Some(v),
            Err(DomainError::Invalid { reason, .. }) => {
                self.0.insert(name.to_string(), reason);
                None
            }
            Err(other) => {
                self.0.insert(name.to_string(), other.to_string());
                None
            }
        }
    }

    pub fn add(&mut self, name: &str, reason: impl Into<String>) {
        self.0.insert(name.to_string(), reason.into());
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn into_error(self) -> ApiError {
        ApiError::invalid_fields(self.0)
    }
}

/// An optional text field: absent and blank are the same.
fn optional<T>(value: Option<&str>, parse: impl Fn(&str) -> Result<T, DomainError>) -> Result<Option<T>, DomainError> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => parse(v).map(Some),
    }
}

/// Where a challan was issued, as a client sends it.
pub use mahasil_sync::challan::LocationPayload as LocationInput;
/// Who a challan is addressed to, as a client sends it: the same shape whether it comes
/// through the API, a staff page or a field device's op.
pub use mahasil_sync::challan::OffenderPayload as OffenderInput;

/// A challan to issue.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IssueChallanInput {
    /// Optional UUIDv7 chosen by the client before sending, so a retried request cannot
    /// issue twice (a second use of an id is refused with 409).
    pub id: Option<Uuid>,
    pub head_code: String,
    /// Only for heads whose schedule is a range.
    pub amount_paisa: Option<i64>,
    /// District slug, e.g. `peshawar`.
    pub district: String,
    pub offender: OffenderInput,
    pub location: LocationInput,
}

fn parse_offender(o: &OffenderInput, f: &mut Fields) -> Option<Offender> {
    let name = f.take("offender.name", Text::parse_field("name", &o.name, MAX_TEXT_CHARS));
    let cnic = f.take("offender.cnic", Cnic::parse(&o.cnic));
    let mobile = f.take("offender.mobile", Mobile::parse(&o.mobile));
    let email = f.take("offender.email", optional(o.email.as_deref(), Email::parse));
    let vehicle_no = f.take("offender.vehicle_no", optional(o.vehicle_no.as_deref(), VehicleNo::parse));
    let business_name = f.take("offender.business_name", optional(o.business_name.as_deref(), Text::parse));
    let address = f.take("offender.address", optional(o.address.as_deref(), Text::parse));
    let language = f.take("offender.language", optional(o.language.as_deref(), Language::parse));
    Some(Offender {
        name: name?,
        cnic: cnic?,
        mobile: mobile?,
        email: email?,
        vehicle_no: vehicle_no?,
        business_name: business_name?,
        address: address?,
        language: language?,
    })
}

/// Issues a challan for `officer`: parse, look up head and district, let the domain draft
/// it, then store it numbered under this node's issuer number.
pub async fn issue_challan(state: &AppState, officer: &Principal, input: &IssueChallanInput, now: Timestamp) -> ApiResult<ChallanRecord> {
    let mut f = Fields::default();
    let head_code = f.take("head_code", HeadCode::parse(&input.head_code));
    let district = f.take("district", Slug::parse_field("district", &input.district));
    let amount = f.take("amount_paisa", input.amount_paisa.map(Paisa::new).transpose());
    let offender = parse_offender(&input.offender, &mut f);
    let location_text = f.take("location.text", Text::parse_field("text", &input.location.text, MAX_TEXT_CHARS));
    let location = location_text.and_then(|t| f.take("location", Location::new(input.location.lat, input.location.lon, t)));
    let head = match &head_code {
        Some(code) => {
            let found = state.head(code).await?;
            if found.is_none() {
                f.add("head_code", format!("unknown revenue head {code}"));
            }
            found
        }
        None => None,
    };
    let district = match &district {
        Some(slug) => {
            let found = state.jurisdiction(slug).await?;
            if found.is_none() {
                f.add("district", format!("unknown district {slug}"));
            }
            found
        }
        None => None,
    };
    let (Some(head), Some(district), Some(amount), Some(offender), Some(location)) = (head, district, amount, offender, location) else {
        return Err(f.into_error());
    };
    if !f.is_empty() {
        return Err(f.into_error());
    }
    let id = input.id.unwrap_or_else(Uuid::now_v7);
    let request = IssueRequest { amount, offender, location };
    let draft = challan::draft(id, request, &head.head, &head.schedules, &district, officer, now)?;
    let record = state.store.issue_challan(&draft, state.config.issuer, &Actor::from(officer), now, &state.sealer).await?;
    metrics::counter!("mahasil_challans_issued_total", "district" => record.district.to_string()).increment(1);
    Ok(record)
}

/// Parses a challan number typed or carried in a path.
pub fn parse_challan_no(input: &str) -> ApiResult<ChallanNo> {
    ChallanNo::parse(input).map_err(ApiError::from)
}

/// Reads a challan the principal may read; another scope's challan is "not found" so
/// numbers outside one's scope reveal nothing.
pub async fn readable_challan(state: &AppState, who: &Principal, no: ChallanNo) -> ApiResult<ChallanRecord> {
    let challan = state.store.challan_by_no(no).await?.ok_or_else(|| ApiError::not_found(format!("no challan {no}")))?;
    if who.may(mahasil_domain::authz::Action::ReadChallan, &challan.district, &challan.department) {
        Ok(challan)
    } else {
        Err(ApiError::not_found(format!("no challan {no}")))
    }
}

fn reason_text(field: &str, input: &str) -> ApiResult<String> {
    let mut f = Fields::default();
    let parsed = f.take(field, Text::parse_field("reason", input, challan::MAX_REASON_CHARS));
    parsed.map(|t| t.as_str().to_string()).ok_or_else(|| f.into_error())
}

/// An officer's request to cancel (`kind` absent, blank or `cancel`) or to waive (`waive`)
/// one of their challans.
pub async fn request_cancellation(
    state: &AppState,
    officer: &Principal,
    no: ChallanNo,
    kind: Option<&str>,
    reason: &str,
    now: Timestamp,
) -> ApiResult<CancellationRequest> {
    let mut f = Fields::default();
    let kind = f.take("kind", optional(kind, ReliefKind::parse).map(|k| k.unwrap_or(ReliefKind::Cancel)));
    let reason = f.take("reason", Text::parse_field("reason", reason, challan::MAX_REASON_CHARS));
    let (Some(kind), Some(reason)) = (kind, reason) else { return Err(f.into_error()) };
    readable_challan(state, officer, no).await?;
    Ok(state.store.request_relief(no, kind, reason.as_str(), officer, Uuid::now_v7(), now).await?)
}

pub async fn decide_cancellation(
    state: &AppState,
    supervisor: &Principal,
    request_id: Uuid,
    approve: bool,
    note: &str,
    now: Timestamp,
) -> ApiResult<CancellationRequest> {
    if note.chars().count() > challan::MAX_REASON_CHARS {
        return Err(ApiError::invalid_fields(BTreeMap::from([("note".into(), format!("must be at most {} characters", challan::MAX_REASON_CHARS))])));
    }
    Ok(state.store.decide_cancellation(request_id, approve, note.trim(), supervisor, now).await?)
}

pub async fn record_contest(state: &AppState, who: &Principal, no: ChallanNo, grounds: &str, now: Timestamp) -> ApiResult<Contest> {
    let grounds = reason_text("grounds", grounds)?;
    readable_challan(state, who, no).await?;
    Ok(state.store.record_contest(no, &grounds, who, Uuid::now_v7(), now).await?)
}

pub async fn decide_contest(state: &AppState, supervisor: &Principal, contest_id: Uuid, uphold: bool, note: &str, now: Timestamp) -> ApiResult<Contest> {
    if note.chars().count() > challan::MAX_REASON_CHARS {
        return Err(ApiError::invalid_fields(BTreeMap::from([("note".into(), format!("must be at most {} characters", challan::MAX_REASON_CHARS))])));
    }
    Ok(state.store.decide_contest(contest_id, uphold, note.trim(), supervisor, now).await?)
}
