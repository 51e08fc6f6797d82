//! Roles, scopes and what each role may do. Every staff user holds grants of a role over
//! a (district, department) pair; `None` in a grant means every district or department.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::jurisdiction::Slug;
use crate::{DomainError, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Officer,
    Supervisor,
    Treasury,
    Auditor,
    Admin,
}

impl Role {
    pub const ALL: [Role; 5] = [Role::Officer, Role::Supervisor, Role::Treasury, Role::Auditor, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Officer => "officer",
            Self::Supervisor => "supervisor",
            Self::Treasury => "treasury",
            Self::Auditor => "auditor",
            Self::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Result<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s).ok_or_else(|| DomainError::invalid("role", "must be officer, supervisor, treasury, auditor or admin"))
    }
}

/// What a request wants to do. Each action is allowed to a fixed set of roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    IssueChallan,
    ReadChallan,
    RequestCancellation,
    DecideCancellation,
    RecordContest,
    DecideContest,
    ManageUsers,
    ManageHeads,
    ManageBanks,
    ReadAudit,
    /// Enter money taken at a treasury counter (the maker).
    EnterCounterPayment,
    /// Approve or reject another user's counter payment (the checker).
    ApproveCounterPayment,
    /// Import and reconcile a treasury bank statement.
    ImportStatement,
    /// See deposits, counter payments waiting and imported statements.
    ViewTreasury,
    /// See every enrolled field device, and revoke one.
    ManageDevices,
    /// Edit the notification templates.
    ManageTemplates,
    /// See the notifications that were not delivered, and send one again.
    RetryMessages,
    /// See the dashboard: revenue, forecasts and anomaly flags.
    ViewDashboard,
    /// Acknowledge or dismiss an anomaly flag, with a reason.
    DecideFlag,
}

impl Action {
    pub fn roles(self) -> &'static [Role] {
        use Role::*;
        match self {
            Self::IssueChallan | Self::RequestCancellation => &[Officer],
            Self::ReadChallan => &[Officer, Supervisor, Treasury, Auditor, Admin],
            Self::DecideCancellation | Self::DecideContest => &[Supervisor],
            Self::RecordContest => &[Officer, Supervisor],
            Self::ManageUsers | Self::ManageHeads | Self::ManageBanks | Self::ManageDevices | Self::ManageTemplates => &[Admin],
            Self::RetryMessages => &[Supervisor],
            Self::ViewDashboard => &[Supervisor, Treasury, Auditor, Admin],
            Self::DecideFlag => &[Auditor],
            Self::ReadAudit => &[Auditor, Admin],
            Self::EnterCounterPayment | Self::ApproveCounterPayment | Self::ImportStatement => &[Treasury],
            Self::ViewTreasury => &[Treasury, Auditor],
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Self::IssueChallan => "issue challans",
            Self::ReadChallan => "read challans",
            Self::RequestCancellation => "request cancellations",
            Self::DecideCancellation => "decide cancellations",
            Self::RecordContest => "record contests",
            Self::DecideContest => "decide contests",
            Self::ManageUsers => "manage users",
            Self::ManageHeads => "manage revenue heads",
            Self::ManageBanks => "manage banks",
            Self::ReadAudit => "read the audit log",
            Self::EnterCounterPayment => "enter counter payments",
            Self::ApproveCounterPayment => "approve counter payments",
            Self::ImportStatement => "import treasury statements",
            Self::ViewTreasury => "view the treasury",
            Self::ManageDevices => "manage field devices",
            Self::ManageTemplates => "edit notification templates",
            Self::RetryMessages => "send undelivered notifications again",
            Self::ViewDashboard => "see the dashboard",
            Self::DecideFlag => "acknowledge or dismiss anomaly flags",
        }
    }
}

/// One role over one (district, department) pair; `None` stands for all of them.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Grant {
    pub role: Role,
    pub district: Option<Slug>,
    pub department: Option<Slug>,
}

impl Grant {
    fn covers(&self, district: &Slug, department: &Slug) -> bool {
        self.district.as_ref().is_none_or(|d| d == district) && self.department.as_ref().is_none_or(|d| d == department)
    }
}

/// The (district, department) pairs an action is allowed in, for filtering lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    Everywhere,
    /// Pairs with `None` meaning any; empty means nowhere.
    Pairs(Vec<(Option<Slug>, Option<Slug>)>),
}

impl Scope {
    pub fn is_nowhere(&self) -> bool {
        matches!(self, Self::Pairs(p) if p.is_empty())
    }

    pub fn contains(&self, district: &Slug, department: &Slug) -> bool {
        match self {
            Self::Everywhere => true,
            Self::Pairs(pairs) => pairs.iter().any(|(d, p)| d.as_ref().is_none_or(|d| d == district) && p.as_ref().is_none_or(|p| p == department)),
        }
    }

    /// Whether the scope holds the whole of the `district` given (every department) and the
    /// whole of the `department` given (every district); `None` asks for all of them. A
    /// figure summed over such a whole may be shown only when this holds.
    pub fn covers(&self, district: Option<&Slug>, department: Option<&Slug>) -> bool {
        match self {
            Self::Everywhere => true,
            Self::Pairs(pairs) => pairs.iter().any(|(d, p)| {
                let district_ok = d.as_ref().is_none_or(|d| district == Some(d));
                let department_ok = p.as_ref().is_none_or(|p| department == Some(p));
                district_ok && department_ok
            }),
        }
    }
}

/// A signed-in staff user and what they hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub user_id: Uuid,
    pub username: String,
    pub grants: Vec<Grant>,
}

impl Principal {
    pub fn has_role(&self, role: Role) -> bool {
        self.grants.iter().any(|g| g.role == role)
    }

    pub fn may(&self, action: Action, district: &Slug, department: &Slug) -> bool {
        self.grants.iter().any(|g| action.roles().contains(&g.role) && g.covers(district, department))
    }

    pub fn require(&self, action: Action, district: &Slug, department: &Slug) -> Result<()> {
        if self.may(action, district, department) {
            Ok(())
        } else {
            Err(DomainError::Forbidden(format!("{} may not {} in district {district}, department {department}", self.username, action.describe())))
        }
    }

    /// Requires the action somewhere (for pages and lists that are then filtered by scope).
    pub fn require_somewhere(&self, action: Action) -> Result<Scope> {
        let scope = self.scope(action);
        if scope.is_nowhere() { Err(DomainError::Forbidden(format!("{} may not {}", self.username, action.describe()))) } else { Ok(scope) }
    }

    pub fn scope(&self, action: Action) -> Scope {
        let grants: Vec<&Grant> = self.grants.iter().filter(|g| action.roles().contains(&g.role)).collect();
        if grants.iter().any(|g| g.district.is_none() && g.department.is_none()) {
            return Scope::Everywhere;
        }
        Scope::Pairs(grants.into_iter().map(|g| (g.district.clone(), g.department.clone())).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slug(s: &str) -> Slug {
        Slug::parse(s).unwrap_or_else(|_| unreachable!())
    }

    fn officer_of(district: &str, dept: &str) -> Principal {
        Principal {
            user_id: Uuid::nil(),
            username: "o".into(),
            grants: vec![Grant { role: Role::Officer, district: Some(slug(district)), department: Some(slug(dept)) }],
        }
    }

    #[test]
    fn officer_is_scoped() {
        let o = officer_of("peshawar", "district-administration");
        assert!(o.may(Action::IssueChallan, &slug("peshawar"), &slug("district-administration")));
        assert!(!o.may(Action::IssueChallan, &slug("mardan"), &slug("district-administration")));
        assert!(!o.may(Action::IssueChallan, &slug("peshawar"), &slug("price-control")));
        assert!(!o.may(Action::DecideCancellation, &slug("peshawar"), &slug("district-administration")));
        assert!(o.require_somewhere(Action::ManageUsers).is_err());
    }

    #[test]
    fn a_whole_is_covered_only_by_a_scope_over_all_of_it() {
        let (p, m, da) = (slug("peshawar"), slug("mardan"), slug("district-administration"));
        let district_wide = Scope::Pairs(vec![(Some(p.clone()), None)]);
        assert!(district_wide.covers(Some(&p), None));
        assert!(district_wide.covers(Some(&p), Some(&da)));
        assert!(!district_wide.covers(Some(&m), None));
        assert!(!district_wide.covers(None, None), "the province is more than Peshawar");
        let one_pair = Scope::Pairs(vec![(Some(p.clone()), Some(da.clone()))]);
        assert!(!one_pair.covers(Some(&p), None), "Peshawar's other departments are not in it");
        assert!(one_pair.covers(Some(&p), Some(&da)));
        let department_wide = Scope::Pairs(vec![(None, Some(da.clone()))]);
        assert!(department_wide.covers(None, Some(&da)));
        assert!(!department_wide.covers(Some(&p), None));
        assert!(Scope::Everywhere.covers(None, None));
        assert!(!Scope::Pairs(Vec::new()).covers(Some(&p), Some(&da)));
    }

    #[test]
    fn wildcard_grants() {
        let a = Principal { user_id: Uuid::nil(), username: "a".into(), grants: vec![Grant { role: Role::Auditor, district: None, department: None }] };
        assert_eq!(a.scope(Action::ReadChallan), Scope::Everywhere);
        assert!(!a.may(Action::IssueChallan, &slug("peshawar"), &slug("x")));
        let s = Principal {
            user_id: Uuid::nil(),
            username: "s".into(),
            grants: vec![Grant { role: Role::Supervisor, district: Some(slug("peshawar")), department: None }],
        };
        assert!(s.may(Action::DecideCancellation, &slug("peshawar"), &slug("price-control")));
        assert!(!s.may(Action::DecideCancellation, &slug("mardan"), &slug("price-control")));
        assert!(s.scope(Action::ReadChallan).contains(&slug("peshawar"), &slug("anything")));
    }

    #[test]
    fn treasury_works_in_its_districts_and_the_auditor_only_looks() {
        let t = Principal {
            user_id: Uuid::nil(),
            username: "t".into(),
            grants: vec![Grant { role: Role::Treasury, district: Some(slug("peshawar")), department: None }],
        };
        for action in [Action::EnterCounterPayment, Action::ApproveCounterPayment, Action::ImportStatement, Action::ViewTreasury] {
            assert!(t.may(action, &slug("peshawar"), &slug("district-administration")), "{action:?}");
            assert!(!t.may(action, &slug("mardan"), &slug("district-administration")), "{action:?}");
        }
        assert!(!t.may(Action::IssueChallan, &slug("peshawar"), &slug("district-administration")));

        let a = Principal { user_id: Uuid::nil(), username: "a".into(), grants: vec![Grant { role: Role::Auditor, district: None, department: None }] };
        assert_eq!(a.scope(Action::ViewTreasury), Scope::Everywhere);
        for action in [Action::EnterCounterPayment, Action::ApproveCounterPayment, Action::ImportStatement] {
            assert!(a.require_somewhere(action).is_err(), "{action:?}");
        }

        let o = officer_of("peshawar", "district-administration");
        for action in [Action::EnterCounterPayment, Action::ApproveCounterPayment, Action::ImportStatement, Action::ViewTreasury] {
            assert!(o.require_somewhere(action).is_err(), "{action:?}");
        }
    }
}
