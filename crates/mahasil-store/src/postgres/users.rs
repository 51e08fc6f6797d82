//! Staff users and their grants. Password hashes are stored but never put in an audit
//! entry or a log line.

use jiff::Timestamp;
use mahasil_domain::authz::{Grant, Role};
use mahasil_domain::jurisdiction::Slug;
use serde::Serialize;
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, PgPool, Row};
use uuid::Uuid;

use super::audit_log::json;
use super::types::{PgTime, to_micros};
use super::writer::Tx;
use crate::records::{Actor, NewUser, UserRecord, UserUpdate};
use crate::{Result, StoreError};

/// A user as the audit log shows it: everything but the password hash.
#[derive(Serialize)]
struct AuditedUser<'a> {
    id: Uuid,
    username: &'a str,
    display_name: &'a str,
    grants: &'a [Grant],
    active: bool,
}

impl<'a> From<&'a UserRecord> for AuditedUser<'a> {
    fn from(u: &'a UserRecord) -> Self {
        Self { id: u.id, username: &u.username, display_name: &u.display_name, grants: &u.grants, active: u.active }
    }
}

pub(super) async fn create_user(tx: &mut Tx, user: &NewUser, actor: &Actor, at: Timestamp) -> Result<()> {
    sqlx::query("INSERT INTO users (id, username, display_name, password_hash, active, created_at) VALUES ($1, $2, $3, $4, TRUE, $5)")
        .bind(user.id)
        .bind(&user.username)
        .bind(&user.display_name)
        .bind(&user.password_hash)
        .bind(PgTime(to_micros(at)))
        .execute(&mut tx.conn)
        .await?;
    insert_grants(&mut tx.conn, user.id, &user.grants).await?;
    let after = AuditedUser { id: user.id, username: &user.username, display_name: &user.display_name, grants: &user.grants, active: true };
    tx.audit(at, actor, "user.create", format!("user:{}", user.username), "null".into(), json(&after)?);
    Ok(())
}

async fn insert_grants(conn: &mut PgConnection, user_id: Uuid, grants: &[Grant]) -> Result<()> {
    if grants.is_empty() {
        return Ok(());
    }
    let positions = (0..grants.len()).map(|i| i32::try_from(i).map_err(|_| StoreError::Conflict("too many grants".into()))).collect::<Result<Vec<_>>>()?;
    sqlx::query(
        "INSERT INTO user_grants (user_id, position, role, district, department)
         SELECT $1, * FROM UNNEST($2::int4[], $3::text[], $4::text[], $5::text[])",
    )
    .bind(user_id)
    .bind(positions)
    .bind(grants.iter().map(|g| g.role.as_str()).collect::<Vec<_>>())
    .bind(grants.iter().map(|g| g.district.as_ref().map(Slug::as_str)).collect::<Vec<_>>())
    .bind(grants.iter().map(|g| g.department.as_ref().map(Slug::as_str)).collect::<Vec<_>>())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub(super) async fn update_user(tx: &mut Tx, update: &UserUpdate, actor: &Actor, at: Timestamp) -> Result<()> {
    let row = sqlx::query(&format!("SELECT {USER_FIELDS} FROM users u WHERE u.id = $1 FOR UPDATE OF u")).bind(update.id).fetch_optional(&mut tx.conn).await?;
    let before = row.as_ref().map(user_row).transpose()?.ok_or_else(|| StoreError::NotFound(format!("user {}", update.id)))?;
    sqlx::query("UPDATE users SET display_name = $2, active = $3 WHERE id = $1")
        .bind(update.id)
        .bind(&update.display_name)
        .bind(update.active)
        .execute(&mut tx.conn)
        .await?;
    sqlx::query("DELETE FROM user_grants WHERE user_id = $1").bind(update.id).execute(&mut tx.conn).await?;
    insert_grants(&mut tx.conn, update.id, &update.grants).await?;
    let after = UserRecord { display_name: update.display_name.clone(), grants: update.grants.clone(), active: update.active, ..before.clone() };
    tx.audit(at, actor, "user.update", format!("user:{}", before.username), json(&AuditedUser::from(&before))?, json(&AuditedUser::from(&after))?);
    Ok(())
}

pub(super) async fn set_password(tx: &mut Tx, user_id: Uuid, password_hash: &str, actor: &Actor, at: Timestamp) -> Result<()> {
    let username: Option<String> = sqlx::query_scalar("UPDATE users SET password_hash = $2 WHERE id = $1 RETURNING username")
        .bind(user_id)
        .bind(password_hash)
        .fetch_optional(&mut tx.conn)
        .await?;
    let username = username.ok_or_else(|| StoreError::NotFound(format!("user {user_id}")))?;
    let after = serde_json::json!({ "id": user_id, "password": "changed" });
    tx.audit(at, actor, "user.set_password", format!("user:{username}"), "null".into(), json(&after)?);
    Ok(())
}

/// Every column of user `u`, and its grants as three arrays in grant order.
pub(super) const USER_FIELDS: &str = "u.id, u.username, u.display_name, u.password_hash, u.active, u.created_at,
        ARRAY(SELECT g.role FROM user_grants g WHERE g.user_id = u.id ORDER BY g.position) AS grant_roles,
        ARRAY(SELECT g.district FROM user_grants g WHERE g.user_id = u.id ORDER BY g.position) AS grant_districts,
        ARRAY(SELECT g.department FROM user_grants g WHERE g.user_id = u.id ORDER BY g.position) AS grant_departments";

pub(super) fn user_row(row: &PgRow) -> Result<UserRecord> {
    let roles: Vec<String> = row.try_get("grant_roles")?;
    let districts: Vec<Option<String>> = row.try_get("grant_districts")?;
    let departments: Vec<Option<String>> = row.try_get("grant_departments")?;
    let slug = |s: Option<String>| s.map(|s| Slug::parse(&s).map_err(|e| StoreError::Corrupt(format!("user_grants: {e}")))).transpose();
    let grants = roles
        .into_iter()
        .zip(districts.into_iter().zip(departments))
        .map(|(role, (district, department))| {
            let role = Role::parse(&role).map_err(|e| StoreError::Corrupt(format!("user_grants.role: {e}")))?;
            Ok(Grant { role, district: slug(district)?, department: slug(department)? })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(UserRecord {
        id: row.try_get("id")?,
        username: row.try_get("username")?,
        display_name: row.try_get("display_name")?,
        password_hash: row.try_get("password_hash")?,
        grants,
        active: row.try_get("active")?,
        created_at: row.try_get::<PgTime, _>("created_at")?.0,
    })
}

pub(super) async fn user_by_username(pool: &PgPool, username: &str) -> Result<Option<UserRecord>> {
    let row = sqlx::query(&format!("SELECT {USER_FIELDS} FROM users u WHERE u.username = $1")).bind(username).fetch_optional(pool).await?;
    row.as_ref().map(user_row).transpose()
}

pub(super) async fn user(pool: &PgPool, id: Uuid) -> Result<Option<UserRecord>> {
    let row = sqlx::query(&format!("SELECT {USER_FIELDS} FROM users u WHERE u.id = $1")).bind(id).fetch_optional(pool).await?;
    row.as_ref().map(user_row).transpose()
}

pub(super) async fn users(pool: &PgPool) -> Result<Vec<UserRecord>> {
    let rows = sqlx::query(&format!("SELECT {USER_FIELDS} FROM users u WHERE u.id <> '{}' ORDER BY u.username", crate::treasury::CITIZEN_PORTAL_USER))
        .fetch_all(pool)
        .await?;
    rows.iter().map(user_row).collect()
}
