//! Sessions: only the SHA-256 of a session token is stored. Neither the token nor the
//! CSRF token ever reaches an audit entry.

use jiff::Timestamp;
use serde::Serialize;
use sqlx::{PgPool, Row};
use uuid::Uuid;

use super::audit_log::json;
use super::types::{PgTime, to_micros};
use super::users::{USER_FIELDS, user_row};
use super::writer::Tx;
use crate::records::{Actor, NewSession, SessionKind, SessionRecord, UserRecord};
use crate::{Result, StoreError};

/// A session as the audit log shows it.
#[derive(Serialize)]
struct AuditedSession {
    user_id: Uuid,
    kind: SessionKind,
    expires_at: Timestamp,
}

pub(super) async fn create_session(tx: &mut Tx, session: &NewSession, at: Timestamp) -> Result<()> {
    let expires_at = to_micros(session.expires_at);
    sqlx::query("INSERT INTO sessions (token_sha256, user_id, kind, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(&session.token_sha256[..])
        .bind(session.user_id)
        .bind(session.kind.as_str())
        .bind(&session.csrf_token)
        .bind(PgTime(to_micros(at)))
        .bind(PgTime(expires_at))
        .execute(&mut tx.conn)
        .await?;
    let actor = Actor { user_id: Some(session.user_id), username: session.username.clone() };
    let after = AuditedSession { user_id: session.user_id, kind: session.kind, expires_at };
    tx.audit(at, &actor, "session.create", format!("user:{}", session.username), "null".into(), json(&after)?);
    Ok(())
}

pub(super) async fn session(pool: &PgPool, token_sha256: &[u8; 32], now: Timestamp) -> Result<Option<(SessionRecord, UserRecord)>> {
    let sql = format!(
        "SELECT s.kind, s.csrf_token, s.created_at AS session_created_at, s.expires_at, {USER_FIELDS}
         FROM sessions s JOIN users u ON u.id = s.user_id
         WHERE s.token_sha256 = $1 AND s.expires_at > $2 AND u.active"
    );
    let Some(row) = sqlx::query(&sql).bind(&token_sha256[..]).bind(PgTime(now)).fetch_optional(pool).await? else {
        return Ok(None);
    };
    let user = user_row(&row)?;
    let kind = match row.try_get::<&str, _>("kind")? {
        "api" => SessionKind::Api,
        "web" => SessionKind::Web,
        other => return Err(StoreError::Corrupt(format!("session kind {other}"))),
    };
    let session = SessionRecord {
        user_id: user.id,
        kind,
        csrf_token: row.try_get("csrf_token")?,
        created_at: row.try_get::<PgTime, _>("session_created_at")?.0,
        expires_at: row.try_get::<PgTime, _>("expires_at")?.0,
    };
    Ok(Some((session, user)))
}

pub(super) async fn delete_session(tx: &mut Tx, token_sha256: &[u8; 32], at: Timestamp) -> Result<()> {
    let row = sqlx::query(
        "DELETE FROM sessions s USING users u WHERE s.token_sha256 = $1 AND u.id = s.user_id
         RETURNING s.user_id, u.username, s.kind",
    )
    .bind(&token_sha256[..])
    .fetch_optional(&mut tx.conn)
    .await?;
    // Signing out of a session that is already gone changes nothing, so nothing is audited.
    let Some(row) = row else {
        return Ok(());
    };
    let actor = Actor { user_id: Some(row.try_get("user_id")?), username: row.try_get("username")? };
    let after = serde_json::json!({ "user_id": actor.user_id, "kind": row.try_get::<&str, _>("kind")?, "ended": true });
    tx.audit(at, &actor, "session.delete", format!("user:{}", actor.username), "null".into(), json(&after)?);
    Ok(())
}
