//! Session tokens: 32 random bytes, given to the client once, stored only as SHA-256.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jiff::{SignedDuration, Timestamp};
use mahasil_domain::authz::Principal;
use mahasil_store::{NewSession, SessionKind, SessionRecord, Store, UserRecord};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::error::{ApiError, ApiResult};

/// A fresh random token, URL-safe base64.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

pub fn token_hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

pub fn principal_of(user: &UserRecord) -> Principal {
    Principal { user_id: user.id, username: user.username.clone(), grants: user.grants.clone() }
}

/// A session just started: the token to hand out (once) and its CSRF token.
pub struct Started {
    pub token: String,
    pub csrf_token: String,
    pub expires_at: Timestamp,
}

/// Starts a session for `user`, lasting `ttl_secs` from `now`.
pub async fn start(store: &Store, user: &UserRecord, kind: SessionKind, ttl_secs: i64, now: Timestamp) -> ApiResult<Started> {
    let token = new_token();
    let csrf_token = if kind == SessionKind::Web { new_token() } else { String::new() };
    let expires_at = now.checked_add(SignedDuration::from_secs(ttl_secs)).map_err(|_| ApiError::internal())?;
    let session =
        NewSession { token_sha256: token_hash(&token), user_id: user.id, username: user.username.clone(), kind, csrf_token: csrf_token.clone(), expires_at };
    store.create_session(&session, now).await?;
    Ok(Started { token, csrf_token, expires_at })
}

/// The principal behind a token of the expected kind, or `None` when unknown, expired, of
/// another kind, or the user is disabled.
pub async fn resolve(store: &Store, token: &str, kind: SessionKind, now: Timestamp) -> ApiResult<Option<(Principal, SessionRecord)>> {
    if token.is_empty() || token.len() > 128 {
        return Ok(None);
    }
    let found = store.session(&token_hash(token), now).await?;
    Ok(found.filter(|(s, u)| s.kind == kind && u.active).map(|(s, u)| (principal_of(&u), s)))
}
