//! Staff users, their grants and their sessions in SQLite. Password hashes, session tokens
//! and CSRF tokens never reach the audit log.

use jiff::Timestamp;
use mahasil_domain::authz::{Grant, Role};
use mahasil_domain::jurisdiction::Slug;
use rusqlite::{Connection, OptionalExtension, Row, Transaction};
use serde_json::json;
use uuid::Uuid;

use super::audit_log::{self, Change};
use super::rows::{self, bool_int, conflict, micros};
use crate::error::{Result, StoreError};
use crate::records::{Actor, NewSession, NewUser, SessionKind, SessionRecord, UserRecord, UserUpdate};

const USER_COLUMNS: &str = "id, username, display_name, password_hash, active, created_at";

fn user_from_row(conn: &Connection, r: &Row<'_>) -> Result<UserRecord> {
    let id = rows::uuid("users.id", &r.get::<_, String>(0)?)?;
    Ok(UserRecord {
        id,
        username: r.get(1)?,
        display_name: r.get(2)?,
        password_hash: r.get(3)?,
        active: r.get(4)?,
        created_at: rows::timestamp("users.created_at", r.get(5)?)?,
        grants: grants(conn, id)?,
    })
}

fn grants(conn: &Connection, user_id: Uuid) -> Result<Vec<Grant>> {
    let mut stmt = conn.prepare_cached("SELECT role, district, department FROM user_grants WHERE user_id = ?1 ORDER BY rowid")?;
    let mut rows = stmt.query([user_id.to_string()])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let role: String = r.get(0)?;
        let district: Option<String> = r.get(1)?;
        let department: Option<String> = r.get(2)?;
        out.push(Grant {
            role: rows::parsed("user_grants.role", || Role::parse(&role))?,
            district: district.as_deref().map(|d| rows::slug("user_grants.district", d)).transpose()?,
            department: department.as_deref().map(|d| rows::slug("user_grants.department", d)).transpose()?,
        });
    }
    Ok(out)
}

fn insert_grants(tx: &Transaction<'_>, user_id: Uuid, grants: &[Grant]) -> Result<()> {
    let mut stmt = tx.prepare_cached("INSERT INTO user_grants (user_id, role, district, department) VALUES (?1, ?2, ?3, ?4)")?;
    for g in grants {
        stmt.execute(rusqlite::params![user_id.to_string(), g.role.as_str(), g.district.as_ref().map(Slug::as_str), g.department.as_ref().map(Slug::as_str)])
            .map_err(conflict(format!("a grant of {} names a district or department that does not exist", g.role.as_str())))?;
    }
    Ok(())
}

pub(crate) fn user(conn: &Connection, id: Uuid) -> Result<Option<UserRecord>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?1"))?;
    let mut rows = stmt.query([id.to_string()])?;
    rows.next()?.map(|r| user_from_row(conn, r)).transpose()
}

pub(crate) fn user_by_username(conn: &Connection, username: &str) -> Result<Option<UserRecord>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {USER_COLUMNS} FROM users WHERE username = ?1"))?;
    let mut rows = stmt.query([username])?;
    rows.next()?.map(|r| user_from_row(conn, r)).transpose()
}

/// Every user, by username.
pub(crate) fn users(conn: &Connection) -> Result<Vec<UserRecord>> {
    let mut stmt =
        conn.prepare_cached(&format!("SELECT {USER_COLUMNS} FROM users WHERE id <> '{}' ORDER BY username", crate::treasury::CITIZEN_PORTAL_USER))?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(user_from_row(conn, r)?);
    }
    Ok(out)
}

pub(crate) fn create_user(tx: &Transaction<'_>, u: &NewUser, actor: &Actor, at: Timestamp) -> Result<()> {
    let taken = tx.prepare_cached("SELECT 1 FROM users WHERE username = ?1")?.query_row([&u.username], |_| Ok(())).optional()?;
    if taken.is_some() {
        return Err(StoreError::Conflict(format!("username {} is already taken", u.username)));
    }
    tx.prepare_cached(&format!("INSERT INTO users ({USER_COLUMNS}) VALUES (?1, ?2, ?3, ?4, 1, ?5)"))?
        .execute(rusqlite::params![u.id.to_string(), u.username, u.display_name, u.password_hash, micros(at)])
        .map_err(conflict(format!("user {} already exists", u.id)))?;
    insert_grants(tx, u.id, &u.grants)?;
    let created = user(tx, u.id)?.ok_or_else(|| StoreError::NotFound(format!("user {}", u.id)))?;
    // UserRecord never serialises its password hash.
    let change = Change { action: "user.create", entity: format!("user:{}", u.id), before: "null".into(), after: rows::json(&created)? };
    audit_log::append(tx, actor, at, &change)
}

pub(crate) fn update_user(tx: &Transaction<'_>, u: &UserUpdate, actor: &Actor, at: Timestamp) -> Result<()> {
    let before = user(tx, u.id)?.ok_or_else(|| StoreError::NotFound(format!("user {}", u.id)))?;
    tx.prepare_cached("UPDATE users SET display_name = ?2, active = ?3 WHERE id = ?1")?.execute(rusqlite::params![
        u.id.to_string(),
        u.display_name,
        bool_int(u.active)
    ])?;
    tx.prepare_cached("DELETE FROM user_grants WHERE user_id = ?1")?.execute([u.id.to_string()])?;
    insert_grants(tx, u.id, &u.grants)?;
    let after = user(tx, u.id)?.ok_or_else(|| StoreError::NotFound(format!("user {}", u.id)))?;
    let change = Change { action: "user.update", entity: format!("user:{}", u.id), before: rows::json(&before)?, after: rows::json(&after)? };
    audit_log::append(tx, actor, at, &change)
}

pub(crate) fn set_password(tx: &Transaction<'_>, user_id: Uuid, password_hash: &str, actor: &Actor, at: Timestamp) -> Result<()> {
    let changed = tx.prepare_cached("UPDATE users SET password_hash = ?2 WHERE id = ?1")?.execute(rusqlite::params![user_id.to_string(), password_hash])?;
    if changed == 0 {
        return Err(StoreError::NotFound(format!("user {user_id}")));
    }
    // The audit says that the password changed, never what to.
    let change =
        Change { action: "user.set_password", entity: format!("user:{user_id}"), before: "null".into(), after: rows::json(&json!({ "password": "changed" }))? };
    audit_log::append(tx, actor, at, &change)
}

// ----- sessions -----

pub(crate) fn create_session(tx: &Transaction<'_>, s: &NewSession, at: Timestamp) -> Result<()> {
    if user(tx, s.user_id)?.is_none() {
        return Err(StoreError::NotFound(format!("user {}", s.user_id)));
    }
    tx.prepare_cached("INSERT INTO sessions (token_sha256, user_id, kind, csrf_token, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?
        .execute(rusqlite::params![s.token_sha256.as_slice(), s.user_id.to_string(), s.kind.as_str(), s.csrf_token, micros(at), micros(s.expires_at)])
        .map_err(conflict("a session with this token already exists"))?;
    let actor = Actor { user_id: Some(s.user_id), username: s.username.clone() };
    let after = json!({ "user_id": s.user_id, "kind": s.kind, "expires_at": s.expires_at });
    let change = Change { action: "session.create", entity: format!("user:{}", s.user_id), before: "null".into(), after: rows::json(&after)? };
    audit_log::append(tx, &actor, at, &change)
}

fn session_kind(text: &str) -> Result<SessionKind> {
    match text {
        "api" => Ok(SessionKind::Api),
        "web" => Ok(SessionKind::Web),
        other => Err(rows::corrupt("sessions.kind", other)),
    }
}

/// The live session for a token hash: unexpired at `now`, its user active.
pub(crate) fn session(conn: &Connection, token_sha256: &[u8; 32], now: Timestamp) -> Result<Option<(SessionRecord, UserRecord)>> {
    let found = conn
        .prepare_cached("SELECT s.user_id, s.kind, s.csrf_token, s.created_at, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_sha256 = ?1 AND s.expires_at > ?2 AND u.active = 1")?
        .query_row(rusqlite::params![token_sha256.as_slice(), micros(now)], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, i64>(3)?, r.get::<_, i64>(4)?)))
        .optional()?;
    let Some((user_id, kind, csrf_token, created_at, expires_at)) = found else { return Ok(None) };
    let user_id = rows::uuid("sessions.user_id", &user_id)?;
    let record = SessionRecord {
        user_id,
        kind: session_kind(&kind)?,
        csrf_token,
        created_at: rows::timestamp("sessions.created_at", created_at)?,
        expires_at: rows::timestamp("sessions.expires_at", expires_at)?,
    };
    let Some(user) = user(conn, user_id)? else { return Ok(None) };
    Ok(Some((record, user)))
}

pub(crate) fn delete_session(tx: &Transaction<'_>, token_sha256: &[u8; 32], at: Timestamp) -> Result<()> {
    let owner: Option<(String, String, String)> = tx
        .prepare_cached("SELECT s.user_id, u.username, s.kind FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_sha256 = ?1")?
        .query_row([token_sha256.as_slice()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    let Some((user_id, username, kind)) = owner else { return Ok(()) };
    tx.prepare_cached("DELETE FROM sessions WHERE token_sha256 = ?1")?.execute([token_sha256.as_slice()])?;
    let user_id = rows::uuid("sessions.user_id", &user_id)?;
    let actor = Actor { user_id: Some(user_id), username };
    let change = Change {
        action: "session.delete",
        entity: format!("user:{user_id}"),
        before: rows::json(&json!({ "user_id": user_id, "kind": kind }))?,
        after: "null".into(),
    };
    audit_log::append(tx, &actor, at, &change)
}
