//! Cases for staff users, their grants, and sessions.

use mahasil_domain::authz::Role;
use mahasil_store::{NewSession, NewUser, SessionKind, Store, StoreError, UserUpdate};
use uuid::Uuid;

use crate::fixtures::*;

/// Every audit entry, oldest first.
pub async fn all_audit(store: &Store) -> TestResult<Vec<mahasil_store::AuditEntry>> {
    let mut out = Vec::new();
    loop {
        let after = out.last().map_or(0, |e: &mahasil_store::AuditEntry| e.seq);
        let page = store.audit_entries(after, 100).await?;
        if page.is_empty() {
            return Ok(out);
        }
        out.extend(page);
    }
}

pub async fn users_and_grants(store: Store) -> TestResult {
    let w = world(store).await?;
    let store = &w.store;
    let officer = store.user_by_username("officer.peshawar").await?.ok_or("officer missing")?;
    assert_eq!(officer.id, w.officer.user_id);
    assert_eq!(officer.display_name, "officer.peshawar (display)");
    assert_eq!(officer.password_hash, PASSWORD_HASH);
    assert_eq!(officer.grants, w.officer.grants);
    assert!(officer.active);
    assert_eq!(officer.created_at, t0()?);
    assert_eq!(store.user(w.officer.user_id).await?, Some(officer.clone()));
    assert_eq!(store.user_by_username("nobody").await?, None);
    assert_eq!(store.user(Uuid::now_v7()).await?, None);
    assert_eq!(store.users().await?.len(), 6);

    // A taken username is a conflict that says so; nothing else is written.
    let clash =
        NewUser { id: Uuid::now_v7(), username: "officer.peshawar".into(), display_name: "Other".into(), password_hash: PASSWORD_HASH.into(), grants: vec![] };
    match store.create_user(&clash, &w.admin, t0()?).await {
        Err(StoreError::Conflict(message)) => assert!(message.contains("username"), "{message}"),
        other => return Err(format!("expected a username conflict, got {other:?}").into()),
    }
    assert_eq!(store.user(clash.id).await?, None);

    // Update replaces display name, grants and the active flag.
    let grants = vec![grant(Role::Supervisor, Some("mardan"), Some("price-control"))?, grant(Role::Auditor, None, None)?];
    let update = UserUpdate { id: w.officer.user_id, display_name: "Officer Khan".into(), grants: grants.clone(), active: false };
    store.update_user(&update, &w.admin, t0()?).await?;
    let updated = store.user(w.officer.user_id).await?.ok_or("officer missing")?;
    assert_eq!((updated.display_name.as_str(), updated.grants.clone(), updated.active), ("Officer Khan", grants, false));
    assert_eq!(updated.username, "officer.peshawar");
    let unknown = UserUpdate { id: Uuid::now_v7(), ..update };
    assert!(is_not_found(&store.update_user(&unknown, &w.admin, t0()?).await));

    store.set_password(w.officer.user_id, "$argon2id$v=19$new-hash", &w.admin, t0()?).await?;
    assert_eq!(store.user(w.officer.user_id).await?.map(|u| u.password_hash), Some("$argon2id$v=19$new-hash".to_string()));
    assert!(is_not_found(&store.set_password(Uuid::now_v7(), "$argon2id$x", &w.admin, t0()?).await));

    for e in all_audit(store).await? {
        for secret in [PASSWORD_HASH, "$argon2id$v=19$new-hash", "argon2"] {
            assert!(!e.before.contains(secret) && !e.after.contains(secret), "audit entry {} leaks a password hash", e.seq);
        }
    }
    Ok(())
}

pub async fn sessions(store: Store) -> TestResult {
    let w = world(store).await?;
    let store = &w.store;
    let now = t0()?;
    let token = [7u8; 32];
    let csrf = "csrf-secret-value-0123456789";
    let session = NewSession {
        token_sha256: token,
        user_id: w.officer.user_id,
        username: w.officer.username.clone(),
        kind: SessionKind::Web,
        csrf_token: csrf.into(),
        expires_at: days_after(now, 1)?,
    };
    store.create_session(&session, now).await?;
    assert!(is_conflict(&store.create_session(&session, now).await), "a token is stored once");

    let (found, user) = store.session(&token, now).await?.ok_or("session missing")?;
    assert_eq!((found.user_id, found.kind, found.csrf_token.as_str()), (w.officer.user_id, SessionKind::Web, csrf));
    assert_eq!((found.created_at, found.expires_at), (now, session.expires_at));
    assert_eq!(user.username, "officer.peshawar");
    assert_eq!(store.session(&[8u8; 32], now).await?, None, "unknown token");
    assert_eq!(store.session(&token, session.expires_at).await?, None, "expired at expires_at");
    assert_eq!(store.session(&token, days_after(now, 2)?).await?, None, "expired");

    // A deactivated user's sessions stop working at once.
    let api = NewSession { token_sha256: [9u8; 32], kind: SessionKind::Api, csrf_token: String::new(), ..session.clone() };
    store.create_session(&api, now).await?;
    assert!(store.session(&api.token_sha256, now).await?.is_some());
    let off = UserUpdate { id: w.officer.user_id, display_name: "x".into(), grants: w.officer.grants.clone(), active: false };
    store.update_user(&off, &w.admin, now).await?;
    assert_eq!(store.session(&api.token_sha256, now).await?, None, "inactive user");
    store.update_user(&UserUpdate { active: true, ..off }, &w.admin, now).await?;
    assert!(store.session(&api.token_sha256, now).await?.is_some());

    store.delete_session(&token, now).await?;
    assert_eq!(store.session(&token, now).await?, None, "signed out");
    store.delete_session(&token, now).await?;
    store.delete_session(&[1u8; 32], now).await?;

    let token_hex = hex_of(&token);
    let entries = all_audit(store).await?;
    assert!(entries.iter().any(|e| e.action == "session.create"));
    for e in entries {
        for secret in [csrf, token_hex.as_str()] {
            assert!(!e.before.contains(secret) && !e.after.contains(secret) && !e.entity.contains(secret), "audit entry {} leaks a session secret", e.seq);
        }
    }
    Ok(())
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
