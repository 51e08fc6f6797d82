//! Challans: how one is drafted from an officer's input, and the status machine that every
//! later event goes through.
//!
//! `issued` → `paid` | `cancelled` | `waived`; `issued` → `contested` → `issued` (upheld) |
//! `cancelled` (quashed). `overdue` is derived, never stored. Payment beats cancellation.

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::authz::{Action, Principal};
use crate::head::{FeeSchedule, FrozenAmounts, RevenueHead, schedule_in_force};
use crate::identity::{Cnic, Email, Mobile, Text, VehicleNo};
use crate::jurisdiction::{Jurisdiction, Level, Slug};
use crate::money::Paisa;
use crate::notice::Language;
use crate::time::local_date;
use crate::{DomainError, Result};

/// Longest reason or grounds a person may write, in characters.
pub const MAX_REASON_CHARS: usize = 2_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChallanStatus {
    Issued,
    Contested,
    Paid,
    Cancelled,
    Waived,
}

impl ChallanStatus {
    pub const ALL: [ChallanStatus; 5] = [Self::Issued, Self::Contested, Self::Paid, Self::Cancelled, Self::Waived];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Issued => "issued",
            Self::Contested => "contested",
            Self::Paid => "paid",
            Self::Cancelled => "cancelled",
            Self::Waived => "waived",
        }
    }

    pub fn parse(s: &str) -> Result<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s).ok_or_else(|| DomainError::invalid("status", "must be issued, contested, paid, cancelled or waived"))
    }

    /// The status after `transition`, or why it is not allowed.
    pub fn apply(self, transition: Transition) -> Result<Self> {
        use ChallanStatus::*;
        use Transition::*;
        let next = match (self, transition) {
            (Issued | Contested, Pay) => Paid,
            (Issued, Cancel) => Cancelled,
            (Issued | Contested, Waive) => Waived,
            (Issued, Contest) => Contested,
            (Contested, Uphold) => Issued,
            (Contested, Quash) => Cancelled,
            _ => return Err(DomainError::IllegalTransition { from: self.as_str(), action: transition.past_participle() }),
        };
        Ok(next)
    }

    /// Whether money is still owed (the challan can be paid).
    pub fn is_open(self) -> bool {
        matches!(self, Self::Issued | Self::Contested)
    }

    /// Overdue is derived: open and past the due date on `today` (Pakistan time).
    pub fn is_overdue(self, due_date: Date, today: Date) -> bool {
        self.is_open() && today > due_date
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Transition {
    Pay,
    Cancel,
    Waive,
    Contest,
    Uphold,
    Quash,
}

impl Transition {
    pub fn past_participle(self) -> &'static str {
        match self {
            Self::Pay => "paid",
            Self::Cancel => "cancelled",
            Self::Waive => "waived",
            Self::Contest => "contested",
            Self::Uphold => "upheld",
            Self::Quash => "quashed",
        }
    }
}

/// Who the challan is addressed to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Offender {
    pub name: Text,
    pub cnic: Cnic,
    pub mobile: Mobile,
    pub email: Option<Email>,
    pub vehicle_no: Option<VehicleNo>,
    pub business_name: Option<Text>,
    pub address: Option<Text>,
    /// The language the offender asked to be written to in, if they said; messages then
    /// follow it on every channel ([`crate::notice::preferred_language`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<Language>,
}

/// Where the challan was issued.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Location {
    pub lat: f64,
    pub lon: f64,
    pub text: Text,
}

impl Location {
    pub fn new(lat: f64, lon: f64, text: Text) -> Result<Self> {
        if !lat.is_finite() || !(-90.0..=90.0).contains(&lat) {
            return Err(DomainError::invalid("location.lat", "must be between -90 and 90"));
        }
        if !lon.is_finite() || !(-180.0..=180.0).contains(&lon) {
            return Err(DomainError::invalid("location.lon", "must be between -180 and 180"));
        }
        Ok(Self { lat, lon, text })
    }
}

/// What an officer asks for when issuing.
#[derive(Debug, Clone, PartialEq)]
pub struct IssueRequest {
    pub amount: Option<Paisa>,
    pub offender: Offender,
    pub location: Location,
}

/// A challan checked by every rule and ready to be numbered and stored.
#[derive(Debug, Clone, PartialEq)]
pub struct ChallanDraft {
    pub id: Uuid,
    pub head_code: String,
    pub department: Slug,
    pub schedule_version: u32,
    pub district: Slug,
    pub officer_id: Uuid,
    /// The issuing officer's username, kept on the challan as it was when issued.
    pub officer_username: String,
    pub offender: Offender,
    pub location: Location,
    pub issued_at: Timestamp,
    pub amounts: FrozenAmounts,
}

/// Drafts a challan: the district is a district, the head is active and in the officer's
/// scope there, a schedule is in force on the issue date, and the amount obeys it.
pub fn draft(
    id: Uuid,
    request: IssueRequest,
    head: &RevenueHead,
    schedules: &[FeeSchedule],
    district: &Jurisdiction,
    officer: &Principal,
    issued_at: Timestamp,
) -> Result<ChallanDraft> {
    if district.level != Level::District {
        return Err(DomainError::invalid("district", format!("{} is a {}, not a district", district.slug, district.level.as_str())));
    }
    officer.require(Action::IssueChallan, &district.slug, &head.department)?;
    if !head.active {
        return Err(DomainError::HeadInactive { head: head.code.to_string() });
    }
    let issue_date = local_date(issued_at);
    let schedule = schedule_in_force(schedules, issue_date)
        .filter(|s| s.head == head.code)
        .ok_or_else(|| DomainError::NoScheduleInForce { head: head.code.to_string(), date: issue_date.to_string() })?;
    let amounts = schedule.freeze(request.amount, issue_date)?;
    Ok(ChallanDraft {
        id,
        head_code: head.code.to_string(),
        department: head.department.clone(),
        schedule_version: schedule.version,
        district: district.slug.clone(),
        officer_id: officer.user_id,
        officer_username: officer.username.clone(),
        offender: request.offender,
        location: request.location,
        issued_at,
        amounts,
    })
}

/// What a maker-checker request asks a supervisor for: to **cancel** a challan (it should
/// not have been issued: wrong person, wrong head, a duplicate), or to **waive** it (it was
/// rightly issued, and the fine is forgiven: hardship, a policy). Both end what is owed and
/// post the same WAIVER transfer; they differ in the challan's status, in what the
/// offender is told, and in what an auditor reads from the rates of each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReliefKind {
    Cancel,
    Waive,
}

impl ReliefKind {
    pub const ALL: [ReliefKind; 2] = [Self::Cancel, Self::Waive];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Cancel => "cancel",
            Self::Waive => "waive",
        }
    }

    pub fn parse(s: &str) -> Result<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s).ok_or_else(|| DomainError::invalid("kind", "must be cancel or waive"))
    }

    /// What the request is called: `cancellation` or `waiver`.
    pub fn noun(self) -> &'static str {
        match self {
            Self::Cancel => "cancellation",
            Self::Waive => "waiver",
        }
    }

    /// The transition an approval makes.
    pub fn transition(self) -> Transition {
        match self {
            Self::Cancel => Transition::Cancel,
            Self::Waive => Transition::Waive,
        }
    }

    /// The challan event that records the request.
    pub fn requested_event(self) -> &'static str {
        match self {
            Self::Cancel => "cancellation_requested",
            Self::Waive => "waiver_requested",
        }
    }

    /// The challan event that records its decision.
    pub fn decided_event(self, approve: bool) -> &'static str {
        match (self, approve) {
            (Self::Cancel, true) => "cancelled",
            (Self::Cancel, false) => "cancellation_rejected",
            (Self::Waive, true) => "waived",
            (Self::Waive, false) => "waiver_rejected",
        }
    }
}

/// Checks an officer may ask to cancel or waive a challan: their own, in scope, and in a
/// status the request's transition can leave.
pub fn check_cancellation_request(
    requester: &Principal,
    kind: ReliefKind,
    issuing_officer: Uuid,
    district: &Slug,
    department: &Slug,
    status: ChallanStatus,
) -> Result<()> {
    requester.require(Action::RequestCancellation, district, department)?;
    if requester.user_id != issuing_officer {
        return Err(DomainError::Forbidden(format!("officers may request the {} of their own challans only", kind.noun())));
    }
    status.apply(kind.transition()).map(|_| ())
}

/// Checks a supervisor may decide a cancellation or waiver request: in scope and not their
/// own. Approval also needs the challan still open (payment beats cancellation).
pub fn check_cancellation_decision(
    decider: &Principal,
    kind: ReliefKind,
    requester: Uuid,
    district: &Slug,
    department: &Slug,
    status: ChallanStatus,
    approve: bool,
) -> Result<ChallanStatus> {
    if decider.user_id == requester {
        return Err(DomainError::OwnRequest);
    }
    decider.require(Action::DecideCancellation, district, department)?;
    if approve { status.apply(kind.transition()) } else { Ok(status) }
}

/// Checks a contest may be recorded by this user.
pub fn check_contest(recorder: &Principal, district: &Slug, department: &Slug, status: ChallanStatus) -> Result<ChallanStatus> {
    recorder.require(Action::RecordContest, district, department)?;
    status.apply(Transition::Contest)
}

/// Checks a supervisor may decide a contest; the issuing officer never decides it.
pub fn check_contest_decision(
    decider: &Principal,
    issuing_officer: Uuid,
    district: &Slug,
    department: &Slug,
    status: ChallanStatus,
    uphold: bool,
) -> Result<ChallanStatus> {
    if decider.user_id == issuing_officer {
        return Err(DomainError::Forbidden("the issuing officer cannot decide a contest of their own challan".into()));
    }
    decider.require(Action::DecideContest, district, department)?;
    status.apply(if uphold { Transition::Uphold } else { Transition::Quash })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn status_machine() {
        use ChallanStatus::*;
        use Transition::*;
        assert_eq!(Issued.apply(Pay), Ok(Paid));
        assert_eq!(Issued.apply(Contest), Ok(Contested));
        assert_eq!(Contested.apply(Uphold), Ok(Issued));
        assert_eq!(Contested.apply(Quash), Ok(Cancelled));
        assert_eq!(Contested.apply(Pay), Ok(Paid));
        // Payment beats cancellation: a paid challan stays paid.
        assert!(Paid.apply(Cancel).is_err());
        assert!(Cancelled.apply(Pay).is_err());
        assert!(Contested.apply(Contest).is_err());
        assert!(Issued.apply(Uphold).is_err());
    }

    fn status() -> impl Strategy<Value = ChallanStatus> {
        proptest::sample::select(ChallanStatus::ALL.to_vec())
    }

    fn transition() -> impl Strategy<Value = Transition> {
        proptest::sample::select(vec![Transition::Pay, Transition::Cancel, Transition::Waive, Transition::Contest, Transition::Uphold, Transition::Quash])
    }

    proptest! {
        #[test]
        fn final_states_are_final(s in status(), t in transition()) {
            if matches!(s, ChallanStatus::Paid | ChallanStatus::Cancelled | ChallanStatus::Waived) {
                prop_assert!(s.apply(t).is_err());
            }
        }

        #[test]
        fn any_walk_pays_at_most_once(walk in proptest::collection::vec(transition(), 0..20)) {
            let mut s = ChallanStatus::Issued;
            let mut paid = 0;
            for t in walk {
                if let Ok(next) = s.apply(t) {
                    if next == ChallanStatus::Paid { paid += 1; }
                    s = next;
                }
            }
            prop_assert!(paid <= 1);
        }
    }
}
