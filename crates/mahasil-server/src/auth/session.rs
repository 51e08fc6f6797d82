//! Session tokens: 32 random bytes, given to the client once, stored only as SHA-256.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jiff::{SignedDuration, Timestamp};
use mahasil_domain::authz::Principal;
use mahasil_store::{NewSession, SessionKind, SessionRecord, Store, UserRecord};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

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
/// another kind, or the user is disabled. Served from the session cache when fresh; the
/// expiry is checked against `now` either way.
pub async fn resolve(state: &AppState, token: &str, kind: SessionKind, now: Timestamp) -> ApiResult<Option<(Principal, SessionRecord)>> {
    if token.is_empty() || token.len() > 128 {
        return Ok(None);
    }
    let hash = token_hash(token);
    let found = match state.caches.sessions.get(&hash) {
        Some(hit) => Some(hit),
        None => {
            let read = state.store.session(&hash, now).await?.filter(|(_, u)| u.active).map(|(s, u)| (principal_of(&u), s));
            if let Some(entry) = &read {
                state.caches.sessions.insert(hash, entry.clone());
            }
            read
        }
    };
    Ok(found.filter(|(_, s)| s.kind == kind && s.expires_at > now))
}

/// Ends the session of `token` (sign-out) here and in the cache.
pub async fn end(state: &AppState, token: &str, now: Timestamp) -> ApiResult<()> {
    let hash = token_hash(token);
    state.caches.sessions.remove(&hash);
    state.store.delete_session(&hash, now).await?;
    Ok(())
}
