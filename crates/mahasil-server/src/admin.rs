//! What administrators can do, shared by the pages and the JSON API: staff users (create,
//! update grants and active flag, reset password) and revenue heads with their versioned
//! fee schedules. Input arrives as plain strings and numbers and is parsed into domain
//! types with every bad field named at once, like `actions`.
//!
//! An administrator acts only within their own scope: they grant roles only over pairs
//! they themselves administer, and manage heads only of departments they hold
//! province-wide (a head applies in every district).

use jiff::Timestamp;
use jiff::civil::Date;
use mahasil_domain::DomainError;
use mahasil_domain::authz::{Action, Grant, Principal, Role, Scope};
use mahasil_domain::head::{AfterDueRule, AmountRule, FeeSchedule, HeadCode, HeadKind, MAX_DUE_DAYS, RevenueHead};
use mahasil_domain::identity::Text;
use mahasil_domain::jurisdiction::{Level, Slug};
use mahasil_domain::money::Paisa;
use mahasil_domain::time::local_date;
use mahasil_store::{Actor, HeadWithSchedules, NewUser, StoreError, UserRecord, UserUpdate};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::actions::Fields;
use crate::auth::password;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Most grants one user may hold.
pub const MAX_GRANTS: usize = 32;
/// Longest username.
pub const MAX_USERNAME_CHARS: usize = 64;
/// Longest display name.
pub const MAX_DISPLAY_NAME_CHARS: usize = 100;
/// Longest legal basis of a head.
pub const MAX_LEGAL_BASIS_CHARS: usize = 500;
/// Longest treasury head-of-account code.
pub const MAX_ACCOUNT_CODE_CHARS: usize = 64;

/// One role over a district and a department; absent means all of them.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantInput {
    /// `officer`, `supervisor`, `treasury`, `auditor` or `admin`.
    pub role: String,
    /// District slug; absent for every district.
    pub district: Option<String>,
    /// Department slug; absent for every department.
    pub department: Option<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUserInput {
    /// Lower-case letters, digits, dots, dashes and underscores, e.g. `officer.peshawar`.
    pub username: String,
    pub display_name: String,
    pub password: String,
    pub grants: Vec<GrantInput>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUserInput {
    pub display_name: String,
    pub grants: Vec<GrantInput>,
    pub active: bool,
}

/// One fee schedule version, amounts in paisa.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleInput {
    /// `fixed` or `range`.
    pub amount_type: String,
    /// The fixed amount (with `fixed`).
    pub amount_paisa: Option<i64>,
    /// The range's bounds (with `range`).
    pub min_paisa: Option<i64>,
    pub max_paisa: Option<i64>,
    pub due_days: i64,
    /// `same`, `fixed` (with `after_due_amount_paisa`) or `surcharge` (with
    /// `surcharge_basis_points`, 1,000 = 10%).
    pub after_due_type: String,
    pub after_due_amount_paisa: Option<i64>,
    pub surcharge_basis_points: Option<i64>,
    /// `YYYY-MM-DD`, Pakistan time.
    pub effective_from: String,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateHeadInput {
    /// e.g. `DA-ENC-01`.
    pub code: String,
    /// `fine`, `tax` or `fee`.
    pub kind: String,
    /// Department slug.
    pub department: String,
    pub title_en: String,
    pub title_ur: String,
    pub legal_basis: String,
    pub account_code: String,
    pub schedule: ScheduleInput,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateHeadInput {
    pub title_en: String,
    pub title_ur: String,
    pub legal_basis: String,
    pub account_code: String,
    pub active: bool,
}

/// A calendar date written `YYYY-MM-DD`.
pub fn parse_date(field: &'static str, input: &str) -> Result<Date, DomainError> {
    let s = input.trim();
    let well_formed = s.len() == 10 && s.bytes().enumerate().all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
    if !well_formed {
        return Err(DomainError::Invalid { field, reason: "must be a date written YYYY-MM-DD".into() });
    }
    s.parse::<Date>().map_err(|_| DomainError::Invalid { field, reason: "is not a real calendar date".into() })
}

fn invalid(field: &'static str, reason: &str) -> DomainError {
    DomainError::Invalid { field, reason: reason.into() }
}

/// A username: 3 to 64 lower-case letters, digits, `.`, `-` or `_`, starting with a letter.
pub fn parse_username(input: &str) -> Result<String, DomainError> {
    let s = input.trim();
    let n = s.chars().count();
    if !(3..=MAX_USERNAME_CHARS).contains(&n) {
        return Err(invalid("username", "must be 3 to 64 characters"));
    }
    if !s.starts_with(|c: char| c.is_ascii_lowercase()) || !s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'_')) {
        return Err(invalid("username", "must start with a letter and use lower-case letters, digits, dots, dashes and underscores"));
    }
    Ok(s.to_string())
}

/// Whether `outer` (None = all) covers `inner` (None = all).
fn covers(outer: Option<&Slug>, inner: Option<&Slug>) -> bool {
    match (outer, inner) {
        (None, _) => true,
        (Some(a), Some(b)) => a == b,
        (Some(_), None) => false,
    }
}

/// Whether a scope holds the whole of a (district, department) pair, `None` meaning all.
pub fn scope_covers(scope: &Scope, district: Option<&Slug>, department: Option<&Slug>) -> bool {
    match scope {
        Scope::Everywhere => true,
        Scope::Pairs(pairs) => pairs.iter().any(|(d, p)| covers(d.as_ref(), district) && covers(p.as_ref(), department)),
    }
}

/// `Some(None)` for every one (blank or `all`), `Some(Some(slug))` for one, `None` when
/// the slug is malformed (the problem is recorded in `f`).
fn optional_slug(f: &mut Fields, key: &str, field: &'static str, value: Option<&str>) -> Option<Option<Slug>> {
    match value.map(str::trim).filter(|v| !v.is_empty() && *v != "all") {
        None => Some(None),
        Some(v) => f.take(key, Slug::parse_field(field, v)).map(Some),
    }
}

/// Parses grants, checking each district and department exists and lies within `scope`.
/// Repeated grants are kept once.
async fn parse_grants(state: &AppState, inputs: &[GrantInput], scope: &Scope, f: &mut Fields) -> ApiResult<Vec<Grant>> {
    if inputs.len() > MAX_GRANTS {
        f.add("grants", format!("at most {MAX_GRANTS} grants"));
        return Ok(Vec::new());
    }
    let districts: Vec<Slug> = state.store.jurisdictions().await?.into_iter().filter(|j| j.level == Level::District).map(|j| j.slug).collect();
    let departments: Vec<Slug> = state.store.departments().await?.into_iter().map(|d| d.slug).collect();
    let mut grants: Vec<Grant> = Vec::new();
    for (i, g) in inputs.iter().enumerate() {
        let key = |part: &str| format!("grants[{i}].{part}");
        let role = f.take(&key("role"), Role::parse(g.role.trim()));
        let district = optional_slug(f, &key("district"), "district", g.district.as_deref());
        let department = optional_slug(f, &key("department"), "department", g.department.as_deref());
        let (Some(role), Some(district), Some(department)) = (role, district, department) else { continue };
        if let Some(d) = district.as_ref().filter(|d| !districts.contains(d)) {
            f.add(&key("district"), format!("unknown district {d}"));
        } else if let Some(d) = department.as_ref().filter(|d| !departments.contains(d)) {
            f.add(&key("department"), format!("unknown department {d}"));
        } else if !scope_covers(scope, district.as_ref(), department.as_ref()) {
            f.add(&format!("grants[{i}]"), "is outside the districts and departments you administer");
        } else {
            let grant = Grant { role, district, department };
            if !grants.contains(&grant) {
                grants.push(grant);
            }
        }
    }
    Ok(grants)
}

fn text(f: &mut Fields, name: &str, field: &'static str, input: &str, max_chars: usize) -> Option<String> {
    f.take(name, Text::parse_field(field, input, max_chars)).map(|t| t.as_str().to_string())
}

/// Hashes a new password off the async threads.
async fn hash_password(new_password: String) -> ApiResult<String> {
    let joined = tokio::task::spawn_blocking(move || password::hash(&new_password)).await.map_err(|e| {
        tracing::error!(error = %e, "password hashing did not finish");
        ApiError::internal()
    })?;
    joined.map_err(|e| {
        tracing::error!(error = %e, "password hashing failed");
        ApiError::internal()
    })
}

/// A store conflict on one field (a taken username or code) as that field's problem.
fn taken(e: StoreError, field: &str) -> ApiError {
    match e {
        StoreError::Conflict(message) => {
            let mut conflict = ApiError::conflict(message);
            conflict.body.fields = Some([(field.to_string(), "is already taken".to_string())].into());
            conflict
        }
        other => other.into(),
    }
}

/// Creates a staff user who can then sign in.
pub async fn create_user(state: &AppState, admin: &Principal, input: &CreateUserInput, now: Timestamp) -> ApiResult<UserRecord> {
    let scope = admin.require_somewhere(Action::ManageUsers)?;
    let mut f = Fields::default();
    let username = f.take("username", parse_username(&input.username));
    let display_name = text(&mut f, "display_name", "display_name", &input.display_name, MAX_DISPLAY_NAME_CHARS);
    if let Err(reason) = password::check_new(&input.password) {
        f.add("password", reason);
    }
    let grants = parse_grants(state, &input.grants, &scope, &mut f).await?;
    let (Some(username), Some(display_name)) = (username, display_name) else { return Err(f.into_error()) };
    if !f.is_empty() {
        return Err(f.into_error());
    }
    let password_hash = hash_password(input.password.clone()).await?;
    let id = Uuid::now_v7();
    let user = NewUser { id, username, display_name, password_hash, grants };
    state.store.create_user(&user, &Actor::from(admin), now).await.map_err(|e| taken(e, "username"))?;
    state.store.user(id).await?.ok_or_else(ApiError::internal)
}

/// The user `id`, if the administrator's scope holds every role they have.
async fn manageable_user(state: &AppState, scope: &Scope, id: Uuid) -> ApiResult<UserRecord> {
    let user = state.store.user(id).await?.ok_or_else(|| ApiError::not_found(format!("no user {id}")))?;
    if user.grants.iter().all(|g| scope_covers(scope, g.district.as_ref(), g.department.as_ref())) {
        Ok(user)
    } else {
        Err(ApiError::forbidden(format!("{} holds roles outside the districts and departments you administer", user.username)))
    }
}

/// Replaces a user's display name, grants and active flag. Administrators cannot lock
/// themselves out: they stay active and keep an admin grant.
pub async fn update_user(state: &AppState, admin: &Principal, id: Uuid, input: &UpdateUserInput, now: Timestamp) -> ApiResult<UserRecord> {
    let scope = admin.require_somewhere(Action::ManageUsers)?;
    manageable_user(state, &scope, id).await?;
    let mut f = Fields::default();
    let display_name = text(&mut f, "display_name", "display_name", &input.display_name, MAX_DISPLAY_NAME_CHARS);
    let grants = parse_grants(state, &input.grants, &scope, &mut f).await?;
    if id == admin.user_id && f.is_empty() {
        if !input.active {
            f.add("active", "you cannot deactivate your own account");
        }
        if !grants.iter().any(|g| g.role == Role::Admin) {
            f.add("grants", "you cannot remove your own administrator role");
        }
    }
    let Some(display_name) = display_name else { return Err(f.into_error()) };
    if !f.is_empty() {
        return Err(f.into_error());
    }
    let update = UserUpdate { id, display_name, grants, active: input.active };
    state.store.update_user(&update, &Actor::from(admin), now).await?;
    state.store.user(id).await?.ok_or_else(ApiError::internal)
}

/// Sets a new password for a user (who signs in with it from now on).
pub async fn reset_password(state: &AppState, admin: &Principal, id: Uuid, new_password: &str, now: Timestamp) -> ApiResult<()> {
    let scope = admin.require_somewhere(Action::ManageUsers)?;
    manageable_user(state, &scope, id).await?;
    if let Err(reason) = password::check_new(new_password) {
        let mut f = Fields::default();
        f.add("password", reason);
        return Err(f.into_error());
    }
    let password_hash = hash_password(new_password.to_string()).await?;
    Ok(state.store.set_password(id, &password_hash, &Actor::from(admin), now).await?)
}

/// Heads apply in every district, so managing one takes a province-wide grant over its
/// department.
fn require_head_scope(admin: &Principal, department: &Slug) -> ApiResult<()> {
    let scope = admin.require_somewhere(Action::ManageHeads)?;
    if scope_covers(&scope, None, Some(department)) {
        Ok(())
    } else {
        Err(ApiError::forbidden(format!("{} may not manage revenue heads of {department} in every district", admin.username)))
    }
}

fn paisa(f: &mut Fields, name: &str, value: Option<i64>) -> Option<Paisa> {
    match value {
        Some(v) => f.take(name, Paisa::new(v)),
        None => {
            f.add(name, "is required");
            None
        }
    }
}

/// Parses one schedule version of `head`; problems are named under `prefix`.
fn parse_schedule(head: &HeadCode, version: u32, s: &ScheduleInput, prefix: &str, f: &mut Fields) -> Option<FeeSchedule> {
    let key = |part: &str| format!("{prefix}{part}");
    let amount = match s.amount_type.trim() {
        "fixed" => paisa(f, &key("amount_paisa"), s.amount_paisa).map(|amount_paisa| AmountRule::Fixed { amount_paisa }),
        "range" => {
            let min = paisa(f, &key("min_paisa"), s.min_paisa);
            let max = paisa(f, &key("max_paisa"), s.max_paisa);
            min.zip(max).map(|(min_paisa, max_paisa)| AmountRule::Range { min_paisa, max_paisa })
        }
        _ => {
            f.add(&key("amount_type"), "must be fixed or range");
            None
        }
    };
    let due_days = match u16::try_from(s.due_days) {
        Ok(d) if (1..=MAX_DUE_DAYS).contains(&d) => Some(d),
        _ => {
            f.add(&key("due_days"), format!("must be 1 to {MAX_DUE_DAYS} days"));
            None
        }
    };
    let after_due = match s.after_due_type.trim() {
        "same" => Some(AfterDueRule::Same),
        "fixed" => paisa(f, &key("after_due_amount_paisa"), s.after_due_amount_paisa).map(|amount_paisa| AfterDueRule::Fixed { amount_paisa }),
        "surcharge" => match s.surcharge_basis_points.map(u32::try_from) {
            Some(Ok(basis_points)) if basis_points <= 10_000 => Some(AfterDueRule::SurchargeBasisPoints { basis_points }),
            _ => {
                f.add(&key("surcharge_basis_points"), "must be 0 to 10,000 basis points (0% to 100%)");
                None
            }
        },
        _ => {
            f.add(&key("after_due_type"), "must be same, fixed or surcharge");
            None
        }
    };
    let effective_from = f.take(&key("effective_from"), parse_date("effective_from", &s.effective_from));
    let schedule = FeeSchedule { head: head.clone(), version, amount: amount?, due_days: due_days?, after_due: after_due?, effective_from: effective_from? };
    match schedule.check() {
        Ok(()) => Some(schedule),
        Err(DomainError::Invalid { field, reason }) => {
            f.add(&key(field), reason);
            None
        }
        Err(other) => {
            f.add(prefix.trim_end_matches('.'), other.to_string());
            None
        }
    }
}

struct HeadTexts {
    title_en: String,
    title_ur: String,
    legal_basis: String,
    account_code: String,
}

fn head_texts(f: &mut Fields, title_en: &str, title_ur: &str, legal_basis: &str, account_code: &str) -> Option<HeadTexts> {
    let title_en = text(f, "title_en", "title_en", title_en, mahasil_domain::identity::MAX_TEXT_CHARS);
    let title_ur = text(f, "title_ur", "title_ur", title_ur, mahasil_domain::identity::MAX_TEXT_CHARS);
    let legal_basis = text(f, "legal_basis", "legal_basis", legal_basis, MAX_LEGAL_BASIS_CHARS);
    let account_code = text(f, "account_code", "account_code", account_code, MAX_ACCOUNT_CODE_CHARS);
    Some(HeadTexts { title_en: title_en?, title_ur: title_ur?, legal_basis: legal_basis?, account_code: account_code? })
}

/// Creates a revenue head with its first fee schedule (version 1).
pub async fn create_head(state: &AppState, admin: &Principal, input: &CreateHeadInput, now: Timestamp) -> ApiResult<HeadWithSchedules> {
    admin.require_somewhere(Action::ManageHeads)?;
    let mut f = Fields::default();
    let code = f.take("code", HeadCode::parse(&input.code));
    let kind = f.take("kind", HeadKind::parse(input.kind.trim()));
    let department = f.take("department", Slug::parse_field("department", &input.department));
    if let Some(d) = &department {
        if !state.store.departments().await?.iter().any(|known| &known.slug == d) {
            f.add("department", format!("unknown department {d}"));
        } else {
            require_head_scope(admin, d)?;
        }
    }
    let texts = head_texts(&mut f, &input.title_en, &input.title_ur, &input.legal_basis, &input.account_code);
    let schedule = code.as_ref().and_then(|c| parse_schedule(c, 1, &input.schedule, "schedule.", &mut f));
    let (Some(code), Some(kind), Some(department), Some(t), Some(schedule)) = (code, kind, department, texts, schedule) else { return Err(f.into_error()) };
    if !f.is_empty() {
        return Err(f.into_error());
    }
    let head = RevenueHead {
        code,
        kind,
        department,
        title_en: t.title_en,
        title_ur: t.title_ur,
        legal_basis: t.legal_basis,
        account_code: t.account_code,
        active: true,
    };
    state.store.create_head(&head, &schedule, &Actor::from(admin), now).await.map_err(|e| taken(e, "code"))?;
    state.store.head(&head.code).await?.ok_or_else(ApiError::internal)
}

async fn managed_head(state: &AppState, admin: &Principal, code: &str) -> ApiResult<HeadWithSchedules> {
    admin.require_somewhere(Action::ManageHeads)?;
    let code = HeadCode::parse(code).map_err(|_| ApiError::not_found(format!("no revenue head {code}")))?;
    let found = state.store.head(&code).await?.ok_or_else(|| ApiError::not_found(format!("no revenue head {code}")))?;
    require_head_scope(admin, &found.head.department)?;
    Ok(found)
}

/// Updates a head's titles, legal basis, account code and active flag.
pub async fn update_head(state: &AppState, admin: &Principal, code: &str, input: &UpdateHeadInput, now: Timestamp) -> ApiResult<RevenueHead> {
    let existing = managed_head(state, admin, code).await?.head;
    let mut f = Fields::default();
    let Some(t) = head_texts(&mut f, &input.title_en, &input.title_ur, &input.legal_basis, &input.account_code) else { return Err(f.into_error()) };
    let head =
        RevenueHead { title_en: t.title_en, title_ur: t.title_ur, legal_basis: t.legal_basis, account_code: t.account_code, active: input.active, ..existing };
    state.store.update_head(&head, &Actor::from(admin), now).await?;
    Ok(head)
}

/// Adds the next fee schedule version of a head, in force from a date not in the past
/// (Pakistan time): schedules are never changed once stored, and challans already issued
/// keep their frozen amounts.
pub async fn add_fee_schedule(state: &AppState, admin: &Principal, code: &str, input: &ScheduleInput, now: Timestamp) -> ApiResult<FeeSchedule> {
    let existing = managed_head(state, admin, code).await?;
    let version = existing.schedules.iter().map(|s| s.version).max().unwrap_or(0) + 1;
    let mut f = Fields::default();
    let schedule = parse_schedule(&existing.head.code, version, input, "", &mut f);
    let Some(schedule) = schedule else { return Err(f.into_error()) };
    if schedule.effective_from < local_date(now) {
        f.add("effective_from", "must be today or later");
        return Err(f.into_error());
    }
    state.store.add_fee_schedule(&schedule, &Actor::from(admin), now).await?;
    Ok(schedule)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slug(s: &str) -> Slug {
        Slug::parse(s).unwrap_or_else(|_| unreachable!())
    }

    #[test]
    fn usernames() {
        assert_eq!(parse_username(" officer.peshawar "), Ok("officer.peshawar".into()));
        for bad in ["ab", "Officer", "1abc", "a b c", "ali@kp", &"a".repeat(65)] {
            assert!(parse_username(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn scope_holds_pairs() {
        let peshawar_all = Scope::Pairs(vec![(Some(slug("peshawar")), None)]);
        assert!(scope_covers(&peshawar_all, Some(&slug("peshawar")), Some(&slug("price-control"))));
        assert!(scope_covers(&peshawar_all, Some(&slug("peshawar")), None));
        assert!(!scope_covers(&peshawar_all, None, Some(&slug("price-control"))));
        assert!(!scope_covers(&peshawar_all, Some(&slug("mardan")), None));
        assert!(scope_covers(&Scope::Everywhere, None, None));
    }

    #[test]
    fn schedule_fields_are_named() {
        let code = HeadCode::parse("PC-OVR-01").unwrap_or_else(|_| unreachable!());
        let input = ScheduleInput {
            amount_type: "range".into(),
            amount_paisa: None,
            min_paisa: Some(500),
            max_paisa: Some(100),
            due_days: 0,
            after_due_type: "same".into(),
            after_due_amount_paisa: None,
            surcharge_basis_points: None,
            effective_from: "2026-13-01".into(),
        };
        let mut f = Fields::default();
        assert!(parse_schedule(&code, 1, &input, "schedule.", &mut f).is_none());
        let e = f.into_error();
        let fields = e.body.fields.unwrap_or_default();
        assert!(fields.contains_key("schedule.due_days"), "{fields:?}");
        assert!(fields.contains_key("schedule.effective_from"), "{fields:?}");
    }
}
