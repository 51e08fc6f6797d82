//! Anomaly flags and what the anomaly rules read besides the rollups (migration 0016 of each
//! backend): the banks' bill inquiries, the cancellation and waiver requests, and the recent
//! challans. The rules themselves live in mahasil-insight, which this crate does not know:
//! a flag is stored with plain fields (its kind as text, its evidence as JSON).
//!
//! How a flag lives: a scan stores what it found ([`crate::Storage::put_flags`]), once per
//! `key`, as **open**; the same lead found again on a later scan is the same row and changes
//! nothing, so an auditor's decision stands. An auditor then **acknowledges** it (worth
//! following) or **dismisses** it (explained), always with a reason, once
//! ([`crate::Storage::decide_flag`]); the decision is audited. Flags are never removed.
//!
//! Storing what a scan found is not audited: a flag is derived from data already recorded,
//! and its row can change only by an audited decision. Bill inquiries are not audited either:
//! they are reads by a bank, kept for the rules.
//!
//! The SQL lives in `sqlite/flags.rs` and `postgres/flags.rs`; what both check the same way
//! is here.

use jiff::Timestamp;
use mahasil_domain::DomainError;
use mahasil_domain::authz::Scope;
use mahasil_domain::challan::{ChallanStatus, ReliefKind};
use mahasil_domain::challan_no::{ChallanNo, IssuerNo};
use mahasil_domain::identity::{Cnic, Text, VehicleNo};
use mahasil_domain::jurisdiction::Slug;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{Result, StoreError};

/// Most challan numbers one [`crate::Storage::bill_inquiries`] call asks about. A scan asks
/// about the challans of the relief requests it read, at most
/// [`MAX_RELIEF_REQUESTS_PAGE`] of them.
pub const MAX_INQUIRY_CHALLANS: usize = 10_000;
/// Most requests one [`crate::Storage::relief_requests_since`] call returns.
pub const MAX_RELIEF_REQUESTS_PAGE: u32 = 10_000;
/// Most challans one [`crate::Storage::recent_challan_facts`] call returns: several days of
/// the whole province's challans, a few megabytes in memory.
pub const MAX_CHALLAN_FACTS_PAGE: u32 = 50_000;
/// Most flags one [`crate::Storage::put_flags`] call stores: every rule's largest scan
/// (mahasil-insight keeps each to 1,000 flags) with room to spare.
pub const MAX_FLAGS_PER_PUT: usize = 10_000;
/// Most flags one [`crate::Storage::flags`] call returns.
pub const MAX_FLAGS_PAGE: u32 = 1_000;
/// Longest reason an auditor gives for a decision: as long as a cancellation's.
pub const MAX_FLAG_REASON_CHARS: usize = mahasil_domain::challan::MAX_REASON_CHARS;
/// Longest flag key (the rules' keys are a kind, a subject and a day or two).
pub const MAX_FLAG_KEY_CHARS: usize = 256;
/// Longest kind or subject of a flag.
pub const MAX_FLAG_LABEL_CHARS: usize = 128;
/// Longest summary, in either language (the rules write one sentence).
pub const MAX_FLAG_SUMMARY_CHARS: usize = 2_000;
/// Most challan numbers one flag lists (the rules list at most twenty).
pub const MAX_FLAG_CHALLANS: usize = 100;
/// Largest evidence of one flag, as JSON.
pub const MAX_FLAG_EVIDENCE_BYTES: usize = 16 * 1024;

/// Where a flag is in its life (see the module's documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FlagState {
    Open,
    Acknowledged,
    Dismissed,
}

impl FlagState {
    pub const ALL: [FlagState; 3] = [Self::Open, Self::Acknowledged, Self::Dismissed];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Acknowledged => "acknowledged",
            Self::Dismissed => "dismissed",
        }
    }

    pub fn parse(s: &str) -> Result<Self, DomainError> {
        Self::ALL.into_iter().find(|x| x.as_str() == s).ok_or_else(|| DomainError::Invalid { field: "state", reason: format!("{s:?} is not a flag state") })
    }
}

impl std::fmt::Display for FlagState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A flag as a scan found it, to be stored once per `key`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewFlag {
    /// The rule's name for the kind of lead, e.g. `cancellation_rate`.
    pub kind: String,
    /// Whom or what the lead is about: an officer id, a challan number, an issuer number or a
    /// district, depending on the kind.
    pub subject: String,
    /// The same lead found again has the same key.
    pub key: String,
    pub district: Slug,
    /// `None` for a lead about a whole district (a shift in its revenue): only those whose
    /// scope covers every department of the district see it.
    pub department: Option<Slug>,
    /// Larger is stronger; comparable between flags of one kind only. Finite.
    pub score: f64,
    /// The numbers behind the lead.
    pub evidence: serde_json::Value,
    pub summary_en: String,
    pub summary_ur: String,
    /// Challan numbers the auditor should open.
    pub challans: Vec<String>,
}

/// A stored flag.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlagRecord {
    pub id: Uuid,
    pub key: String,
    pub kind: String,
    pub subject: String,
    pub district: Slug,
    pub department: Option<Slug>,
    pub score: f64,
    pub evidence: serde_json::Value,
    pub summary_en: String,
    pub summary_ur: String,
    pub challans: Vec<String>,
    /// When a scan first found it.
    pub found_at: Timestamp,
    pub state: FlagState,
    /// Who decided it, and when and why; all `None` while it is open.
    pub decided_by: Option<Uuid>,
    pub decided_by_username: Option<String>,
    pub decided_at: Option<Timestamp>,
    pub reason: Option<String>,
}

/// A request to cancel or waive a challan, with what the rules need of its challan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReliefRequestFacts {
    pub request_id: Uuid,
    pub challan_no: ChallanNo,
    pub kind: ReliefKind,
    /// The user who asked.
    pub requested_by: Uuid,
    pub requested_at: Timestamp,
    pub district: Slug,
    pub department: Slug,
    /// The officer who issued the challan.
    pub officer_id: Uuid,
}

/// What the rules need to know about one challan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChallanFacts {
    pub challan_no: ChallanNo,
    pub officer_id: Uuid,
    pub district: Slug,
    pub department: Slug,
    pub head_code: String,
    pub cnic: Cnic,
    pub vehicle_no: Option<VehicleNo>,
    /// The issuer's clock.
    pub issued_at: Timestamp,
    /// The server's clock.
    pub received_at: Timestamp,
    pub lat: f64,
    pub lon: f64,
    pub issuer_no: IssuerNo,
    pub counter: u32,
    pub status: ChallanStatus,
}

fn invalid(field: &'static str, reason: String) -> StoreError {
    StoreError::Domain(DomainError::Invalid { field, reason })
}

/// Refuses a call about more than [`MAX_INQUIRY_CHALLANS`] challans.
pub(crate) fn check_inquiry_count(challan_nos: &[ChallanNo]) -> Result<()> {
    if challan_nos.len() > MAX_INQUIRY_CHALLANS {
        return Err(invalid("challan_nos", format!("at most {MAX_INQUIRY_CHALLANS} challans per call, not {}", challan_nos.len())));
    }
    Ok(())
}

fn check_chars(field: &'static str, text: &str, max: usize) -> Result<()> {
    if text.trim().is_empty() {
        return Err(invalid(field, "must not be empty".into()));
    }
    if text.chars().count() > max {
        return Err(invalid(field, format!("must be at most {max} characters")));
    }
    Ok(())
}

/// The evidence and challan list of a flag as JSON text, after checking the whole flag
/// against the bounds above. Nothing of a batch is stored when one of its flags is refused.
pub(crate) fn checked_json(flag: &NewFlag) -> Result<(String, String)> {
    check_chars("key", &flag.key, MAX_FLAG_KEY_CHARS)?;
    check_chars("kind", &flag.kind, MAX_FLAG_LABEL_CHARS)?;
    check_chars("subject", &flag.subject, MAX_FLAG_LABEL_CHARS)?;
    check_chars("summary_en", &flag.summary_en, MAX_FLAG_SUMMARY_CHARS)?;
    check_chars("summary_ur", &flag.summary_ur, MAX_FLAG_SUMMARY_CHARS)?;
    if !flag.score.is_finite() {
        return Err(invalid("score", format!("must be a finite number, not {}", flag.score)));
    }
    if flag.challans.len() > MAX_FLAG_CHALLANS {
        return Err(invalid("challans", format!("at most {MAX_FLAG_CHALLANS} per flag, not {}", flag.challans.len())));
    }
    let evidence = serde_json::to_string(&flag.evidence).map_err(|e| invalid("evidence", e.to_string()))?;
    if evidence.len() > MAX_FLAG_EVIDENCE_BYTES {
        return Err(invalid("evidence", format!("must be at most {MAX_FLAG_EVIDENCE_BYTES} bytes of JSON")));
    }
    let challans = serde_json::to_string(&flag.challans).map_err(|e| invalid("challans", e.to_string()))?;
    Ok((evidence, challans))
}

/// Refuses a batch over [`MAX_FLAGS_PER_PUT`], and checks each of its flags; the JSON of
/// each, in order.
pub(crate) fn checked_batch(flags: &[NewFlag]) -> Result<Vec<(String, String)>> {
    if flags.len() > MAX_FLAGS_PER_PUT {
        return Err(invalid("flags", format!("at most {MAX_FLAGS_PER_PUT} flags per call, not {}", flags.len())));
    }
    flags.iter().map(checked_json).collect()
}

/// A decision's reason as kept: trimmed, not empty, at most [`MAX_FLAG_REASON_CHARS`].
pub(crate) fn decision_reason(reason: &str) -> Result<String> {
    Ok(Text::parse_field("reason", reason, MAX_FLAG_REASON_CHARS)?.as_str().to_owned())
}

/// Whether `flag` may be decided by someone whose scope is `scope`: it must be within it
/// (`NotFound` otherwise, as if it did not exist; a flag about a whole district only for a
/// scope over all of that district), and open (`Conflict`).
pub(crate) fn check_decision(flag: &FlagRecord, scope: &Scope) -> Result<()> {
    if !scope.covers(Some(&flag.district), flag.department.as_ref()) {
        return Err(StoreError::NotFound(format!("no flag {} within your scope", flag.id)));
    }
    if flag.state != FlagState::Open {
        return Err(StoreError::Conflict(format!("flag {} is already {}: a flag is decided once", flag.id, flag.state)));
    }
    Ok(())
}

/// The state a decision leads to, and its audit action.
pub(crate) fn decision(acknowledge: bool) -> (FlagState, &'static str) {
    if acknowledge { (FlagState::Acknowledged, "flag.acknowledged") } else { (FlagState::Dismissed, "flag.dismissed") }
}

/// The audit entity of a flag.
pub(crate) fn entity(id: Uuid) -> String {
    format!("flag:{id}")
}

/// Parses stored JSON (a flag's evidence or challans) back; failure means the row was
/// changed behind the store.
pub(crate) fn parse_json<T: serde::de::DeserializeOwned>(column: &str, text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("insight_flags.{column}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flag() -> Result<NewFlag, Box<dyn std::error::Error>> {
        Ok(NewFlag {
            kind: "duplicate".into(),
            subject: "100001000000017".into(),
            key: "duplicate:100001000000017".into(),
            district: Slug::parse("peshawar")?,
            department: None,
            score: 2.5,
            evidence: serde_json::json!({ "type": "duplicate", "challan_count": 2 }),
            summary_en: "two challans".into(),
            summary_ur: "دو چالان".into(),
            challans: vec!["100001000000017".into()],
        })
    }

    #[test]
    fn every_state_parses_back_from_its_name() -> Result<(), Box<dyn std::error::Error>> {
        for state in FlagState::ALL {
            assert_eq!(FlagState::parse(state.as_str())?, state);
            assert_eq!(serde_json::to_string(&state)?, format!("\"{state}\""));
        }
        assert!(FlagState::parse("closed").is_err());
        Ok(())
    }

    #[test]
    fn flags_out_of_bounds_are_refused_by_field() -> Result<(), Box<dyn std::error::Error>> {
        let field = |f: NewFlag| match checked_json(&f) {
            Err(StoreError::Domain(DomainError::Invalid { field, .. })) => Some(field),
            _ => None,
        };
        assert!(checked_json(&flag()?).is_ok());
        assert_eq!(field(NewFlag { key: " ".into(), ..flag()? }), Some("key"));
        assert_eq!(field(NewFlag { key: "k".repeat(MAX_FLAG_KEY_CHARS + 1), ..flag()? }), Some("key"));
        assert_eq!(field(NewFlag { score: f64::NAN, ..flag()? }), Some("score"));
        assert_eq!(field(NewFlag { challans: vec![String::new(); MAX_FLAG_CHALLANS + 1], ..flag()? }), Some("challans"));
        let large = serde_json::Value::String("x".repeat(MAX_FLAG_EVIDENCE_BYTES));
        assert_eq!(field(NewFlag { evidence: large, ..flag()? }), Some("evidence"));
        assert_eq!(field(NewFlag { summary_ur: String::new(), ..flag()? }), Some("summary_ur"));
        Ok(())
    }

    #[test]
    fn a_district_wide_flag_is_decided_only_within_a_scope_over_the_whole_district() -> Result<(), Box<dyn std::error::Error>> {
        let (peshawar, da) = (Slug::parse("peshawar")?, Slug::parse("district-administration")?);
        let f = flag()?;
        let record = FlagRecord {
            id: Uuid::now_v7(),
            key: f.key,
            kind: f.kind,
            subject: f.subject,
            district: f.district,
            department: f.department,
            score: f.score,
            evidence: f.evidence,
            summary_en: f.summary_en,
            summary_ur: f.summary_ur,
            challans: f.challans,
            found_at: Timestamp::UNIX_EPOCH,
            state: FlagState::Open,
            decided_by: None,
            decided_by_username: None,
            decided_at: None,
            reason: None,
        };
        let one_pair = Scope::Pairs(vec![(Some(peshawar.clone()), Some(da.clone()))]);
        assert!(matches!(check_decision(&record, &one_pair), Err(StoreError::NotFound(_))));
        assert!(check_decision(&record, &Scope::Pairs(vec![(Some(peshawar.clone()), None)])).is_ok());
        let of_department = FlagRecord { department: Some(da), ..record.clone() };
        assert!(check_decision(&of_department, &one_pair).is_ok());
        let decided = FlagRecord { state: FlagState::Dismissed, ..of_department };
        assert!(matches!(check_decision(&decided, &Scope::Everywhere), Err(StoreError::Conflict(_))));
        Ok(())
    }
}
