//! Staff users: create, update display name, grants and active flag, reset password.

use jiff::Timestamp;
use mahasil_domain::DomainError;
use mahasil_domain::authz::{Action, Grant, Principal, Role, Scope};
use mahasil_domain::jurisdiction::{Level, Slug};
use mahasil_store::{Actor, NewUser, UserRecord, UserUpdate};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{invalid, scope_covers, taken, text};
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
    // Grants or the active flag changed: sessions must be read again.
    state.caches.sessions.clear();
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
    state.store.set_password(id, &password_hash, &Actor::from(admin), now).await?;
    state.caches.sessions.clear();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames() {
        assert_eq!(parse_username(" officer.peshawar "), Ok("officer.peshawar".into()));
        for bad in ["ab", "Officer", "1abc", "a b c", "ali@kp", &"a".repeat(65)] {
            assert!(parse_username(bad).is_err(), "{bad}");
        }
    }
}
