//! Cases for field devices: enrolment with device issuer numbers from 500001, a key or
//! kid enrolled once, revocation that is final, and request nonces claimed once. The
//! helpers here make devices for the sync cases too.

#![expect(clippy::panic, reason = "a case fails loudly, naming the outcome, when the store answers what it must not")]

use jiff::{SignedDuration, Timestamp};
use mahasil_store::devices::{FIRST_DEVICE_ISSUER, kid_of};
use mahasil_store::{DeviceRecord, DeviceStatus, NewDevice, Store, StoreError};
use uuid::Uuid;

use crate::fixtures::*;

/// A distinct uncompressed SEC1-shaped key for `n` (the store keeps keys as bytes).
pub fn key(n: u32) -> Vec<u8> {
    let mut key = vec![0x04];
    for i in 0..16_u32 {
        key.extend_from_slice(&(n.wrapping_mul(2_654_435_761).wrapping_add(i)).to_be_bytes());
    }
    key
}

pub fn new_device(officer: Uuid, n: u32) -> NewDevice {
    let public_key = key(n);
    NewDevice { id: Uuid::now_v7(), officer_id: officer, label: format!("Phone {n}"), kid: kid_of(&public_key), public_key }
}

pub async fn enrol(w: &World, n: u32) -> TestResult<DeviceRecord> {
    Ok(w.store.enrol_device(&new_device(w.officer.user_id, n), &w.admin, t0()?).await?)
}

pub fn minutes(t: Timestamp, m: i64) -> TestResult<Timestamp> {
    Ok(t.checked_add(SignedDuration::from_mins(m))?)
}

pub async fn devices_enrol_with_their_own_issuer_numbers(store: Store) -> TestResult {
    let w = world(store).await?;
    let first = enrol(&w, 1).await?;
    let second = enrol(&w, 2).await?;
    assert_eq!((first.issuer_no.get(), second.issuer_no.get()), (FIRST_DEVICE_ISSUER, FIRST_DEVICE_ISSUER + 1), "device numbers from 500001");
    assert_ne!(first.issuer_no, w.issuer, "apart from the node's");
    assert_eq!((first.status, first.cloned, first.last_counter_received, first.last_sync_at), (DeviceStatus::Active, false, 0, None));
    assert_eq!((first.officer_id, first.officer_username.as_str(), first.label.as_str()), (w.officer.user_id, "officer.peshawar", "Phone 1"));
    assert_eq!((first.public_key.clone(), first.kid.clone(), first.enrolled_at), (key(1), kid_of(&key(1)), t0()?));
    assert_eq!(w.store.device(first.id).await?.as_ref(), Some(&first));
    assert_eq!(w.store.device(Uuid::now_v7()).await?, None);
    assert_eq!(w.store.issuer_counter(first.issuer_no).await?, 0);
    // A node asking for its number later still counts among the nodes.
    let node_b = w.store.node_issuer("node-b", t0()?).await?;
    assert_eq!(node_b.get(), w.issuer.get() + 1);

    let again = NewDevice { id: Uuid::now_v7(), ..new_device(w.officer.user_id, 1) };
    let same_key = w.store.enrol_device(&again, &w.admin, t0()?).await;
    match &same_key {
        Err(StoreError::Conflict(why)) => assert!(why.contains(&first.kid) && why.contains(&first.id.to_string()), "{why}"),
        other => panic!("the same key twice must be a conflict naming it, got {other:?}"),
    }
    let same_id = w.store.enrol_device(&NewDevice { id: first.id, ..new_device(w.officer.user_id, 3) }, &w.admin, t0()?).await;
    assert!(is_conflict(&same_id), "{same_id:?}");
    let nobody = w.store.enrol_device(&new_device(Uuid::now_v7(), 4), &w.admin, t0()?).await;
    assert!(is_not_found(&nobody), "{nobody:?}");
    let wrong_kid = w.store.enrol_device(&NewDevice { kid: kid_of(&key(6)), ..new_device(w.officer.user_id, 5) }, &w.admin, t0()?).await;
    assert!(is_domain(&wrong_kid), "{wrong_kid:?}");
    let short_key = w.store.enrol_device(&NewDevice { public_key: key(7)[..33].to_vec(), ..new_device(w.officer.user_id, 7) }, &w.admin, t0()?).await;
    assert!(is_domain(&short_key), "{short_key:?}");

    let third = w.store.enrol_device(&new_device(w.officer2.user_id, 8), &w.admin, days_after(t0()?, 1)?).await?;
    assert_eq!(third.issuer_no.get(), FIRST_DEVICE_ISSUER + 2, "refused enrolments took no number");
    let listed: Vec<Uuid> = w.store.devices().await?.into_iter().map(|s| s.device.id).collect();
    assert_eq!(listed.first(), Some(&third.id), "newest enrolment first");
    assert_eq!(listed.len(), 3);

    let audit = crate::users::all_audit(&w.store).await?;
    let enrolments: Vec<_> = audit.iter().filter(|e| e.action == "device.enrol").collect();
    assert_eq!(enrolments.len(), 3);
    assert_eq!((enrolments[0].entity.clone(), enrolments[0].actor.as_str()), (format!("device:{}", first.id), "admin"));
    assert!(enrolments[0].after.contains(&hex::encode(key(1))) && enrolments[0].after.contains("500001"), "{}", enrolments[0].after);
    assert_eq!(w.store.verify_audit().await?.first_bad, None);
    Ok(())
}

pub async fn revocation_is_final(store: Store) -> TestResult {
    let w = world(store).await?;
    let device = enrol(&w, 1).await?;
    let compromised = minutes(t0()?, -90)?;
    let at = days_after(t0()?, 2)?;
    let revoked = w.store.revoke_device(device.id, compromised, "  phone stolen  ", &w.admin, at).await?;
    assert_eq!(revoked.status, DeviceStatus::Revoked);
    assert_eq!((revoked.revoked_at, revoked.compromised_from, revoked.revoke_reason.as_deref()), (Some(at), Some(compromised), Some("phone stolen")));
    assert_eq!(DeviceRecord { status: DeviceStatus::Active, revoked_at: None, compromised_from: None, revoke_reason: None, ..revoked.clone() }, device);
    assert_eq!(w.store.device(device.id).await?.as_ref(), Some(&revoked));
    let twice = w.store.revoke_device(device.id, t0()?, "again", &w.admin, at).await;
    assert!(is_conflict(&twice), "{twice:?}");
    assert_eq!(w.store.device(device.id).await?.as_ref(), Some(&revoked), "the first revocation stands");
    let unknown = w.store.revoke_device(Uuid::now_v7(), t0()?, "lost", &w.admin, at).await;
    assert!(is_not_found(&unknown), "{unknown:?}");
    let other = enrol(&w, 2).await?;
    let silent = w.store.revoke_device(other.id, t0()?, " ", &w.admin, at).await;
    assert!(is_domain(&silent), "{silent:?}");

    let audit = crate::users::all_audit(&w.store).await?;
    let entry = audit.iter().find(|e| e.action == "device.revoke").ok_or("audited")?;
    assert_eq!((entry.entity.clone(), entry.actor.as_str(), entry.at), (format!("device:{}", device.id), "admin", at));
    assert!(entry.before.contains("\"active\"") && entry.after.contains("phone stolen"), "{} / {}", entry.before, entry.after);
    assert_eq!(w.store.verify_audit().await?.first_bad, None);
    Ok(())
}

pub async fn nonces_are_claimed_once(store: Store) -> TestResult {
    let w = world(store).await?;
    let device = enrol(&w, 1).await?;
    let other = enrol(&w, 2).await?;
    let t = t0()?;
    assert!(w.store.claim_sync_nonce(device.id, "AAAAAAAAAAAAAAAAAAAAAA", t).await?);
    assert!(!w.store.claim_sync_nonce(device.id, "AAAAAAAAAAAAAAAAAAAAAA", minutes(t, 1)?).await?, "used once already");
    assert!(w.store.claim_sync_nonce(other.id, "AAAAAAAAAAAAAAAAAAAAAA", t).await?, "nonces are per device");
    assert!(w.store.claim_sync_nonce(device.id, "BBBBBBBBBBBBBBBBBBBBBB", minutes(t, 2)?).await?);
    // Two hours on, the old nonces are forgotten (the request window refuses them anyway).
    assert!(w.store.claim_sync_nonce(device.id, "AAAAAAAAAAAAAAAAAAAAAA", minutes(t, 120)?).await?);
    assert!(!w.store.claim_sync_nonce(device.id, "AAAAAAAAAAAAAAAAAAAAAA", minutes(t, 121)?).await?);
    let unknown = w.store.claim_sync_nonce(Uuid::now_v7(), "CCCCCCCCCCCCCCCCCCCCCC", t).await;
    assert!(is_not_found(&unknown), "{unknown:?}");
    let empty = w.store.claim_sync_nonce(device.id, "", t).await;
    assert!(is_domain(&empty), "{empty:?}");

    let synced = minutes(t, 30)?;
    w.store.record_device_sync(device.id, synced).await?;
    assert_eq!(w.store.device(device.id).await?.ok_or("device")?.last_sync_at, Some(synced));
    let unknown = w.store.record_device_sync(Uuid::now_v7(), synced).await;
    assert!(is_not_found(&unknown), "{unknown:?}");
    Ok(())
}
