//! Tests of the trust list: key rules, signing by the root, strict decoding, updates.

use super::*;
use crate::fixtures::{self, COMPROMISED_AT_S, JAN_2026_S, RETIRED_AT_S};

#[test]
fn signed_list_verifies_with_the_root_only() -> Result<()> {
    let world = fixtures::world()?;
    let bytes = world.trust.sign(&world.root)?;
    let list = TrustList::verify(&bytes, world.root.public_key())?;
    assert_eq!(list.version(), 1);
    assert_eq!(list.keys(), world.trust.keys());
    assert!(list.key(world.challan.kid()).is_some());
    assert!(list.key(world.unknown.kid()).is_none());
    assert!(list.keys().windows(2).all(|w| w[0].kid() < w[1].kid()), "kid order");

    assert_eq!(TrustList::verify(&bytes, world.unknown.public_key()).err(), Some(SealError::UnknownKey));
    let forged = world.trust.sign(&world.challan)?;
    assert_eq!(TrustList::verify(&forged, world.root.public_key()).err(), Some(SealError::UnknownKey));

    let mut flipped = bytes.clone();
    let last = flipped.len() - 1;
    flipped[last] ^= 1;
    assert_eq!(TrustList::verify(&flipped, world.root.public_key()).err(), Some(SealError::InvalidSignature));
    Ok(())
}

#[test]
fn key_checks_follow_usage_validity_and_compromise() -> Result<()> {
    let world = fixtures::world()?;
    let key = |k: &SigningKey| world.trust.key(k.kid()).ok_or(SealError::UnknownKey);
    let day = 86_400;
    assert_eq!(key(&world.challan)?.check(Usage::Challan, JAN_2026_S), Ok(()));
    assert!(matches!(key(&world.challan)?.check(Usage::Receipt, JAN_2026_S), Err(SealError::KeyNotValidForUse(_))));
    assert!(matches!(key(&world.challan)?.check(Usage::Challan, JAN_2026_S - 1), Err(SealError::KeyNotValidForUse(_))));
    assert_eq!(key(&world.retired)?.check(Usage::Challan, RETIRED_AT_S), Ok(()));
    assert!(matches!(key(&world.retired)?.check(Usage::Challan, RETIRED_AT_S + 1), Err(SealError::KeyNotValidForUse(_))));
    assert_eq!(key(&world.compromised)?.check(Usage::Challan, COMPROMISED_AT_S - 1), Ok(()));
    assert!(matches!(key(&world.compromised)?.check(Usage::Challan, COMPROMISED_AT_S), Err(SealError::Revoked(_))));
    assert!(matches!(key(&world.compromised)?.check(Usage::Challan, COMPROMISED_AT_S + day), Err(SealError::Revoked(_))));
    Ok(())
}

#[test]
fn refuses_lists_that_break_rules() -> Result<()> {
    let world = fixtures::world()?;
    let active = fixtures::trusted(&world.challan, 100_001, Usage::Challan, KeyStatus::Active)?;
    assert!(TrustList::new(0, JAN_2026_S, vec![]).is_err(), "version 0");
    assert!(TrustList::new(1, JAN_2026_S, vec![active.clone(), active.clone()]).is_err(), "same kid twice");
    let mut retired = active.clone();
    retired.status = KeyStatus::Retired;
    assert!(TrustList::new(1, JAN_2026_S, vec![retired]).is_err(), "retired without valid_until");
    let mut backwards = active;
    backwards.valid_until_s = Some(JAN_2026_S - 1);
    assert!(TrustList::new(1, JAN_2026_S, vec![backwards]).is_err(), "ends before it starts");
    Ok(())
}

#[test]
fn payload_layout_is_as_documented() -> Result<()> {
    let world = fixtures::world()?;
    let active = world.trust.key(world.challan.kid()).ok_or(SealError::UnknownKey)?.clone();
    let single = TrustList::new(3, JAN_2026_S, vec![active])?;
    let payload = single.payload()?;
    // {1: 3, 2: 1767225600, 3: [{1: h'kid', 2: h'04...', 3: "100001", 4: 1, 5: from, 7: 1}]}
    assert_eq!(payload[..3], [0xa3, 0x01, 0x03]);
    assert_eq!(payload[3..9], [0x02, 0x1a, 0x69, 0x55, 0xb9, 0x00]);
    assert_eq!(payload[9..14], [0x03, 0x81, 0xa6, 0x01, 0x48]);
    assert_eq!(TrustList::decode(&payload)?.keys(), single.keys());
    Ok(())
}

#[test]
fn update_takes_newer_keeps_same_and_refuses_older() -> Result<()> {
    let world = fixtures::world()?;
    let root = world.root.public_key();
    let v1 = world.trust.sign(&world.root)?;
    let v2_list = TrustList::new(2, JAN_2026_S + 10, world.trust.keys()[1..].to_vec())?;
    let v2 = v2_list.sign(&world.root)?;
    let mut held = TrustList::verify(&v1, root)?;
    assert_eq!(held.update(&v1, root), Ok(false));
    assert_eq!(held.update(&v2, root), Ok(true));
    assert_eq!(held.version(), 2);
    assert_eq!(held.update(&v1, root), Err(SealError::StaleVersion { held: 2, offered: 1 }));
    let other_v2 = TrustList::new(2, JAN_2026_S + 11, world.trust.keys().to_vec())?.sign(&world.root)?;
    assert_eq!(held.update(&other_v2, root), Err(SealError::ConflictingVersion { version: 2 }));
    assert_eq!(held.update(&v2_list.sign(&world.challan)?, root), Err(SealError::UnknownKey));
    assert_eq!(held.version(), 2);
    Ok(())
}
