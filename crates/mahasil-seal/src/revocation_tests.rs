//! Tests of revocation lists and the revocation set.

use super::*;
use crate::fixtures::{self, JAN_2026_S};

fn entries(counters: &[u32]) -> Result<Vec<RevocationEntry>> {
    counters.iter().map(|&c| Ok(RevocationEntry::of(fixtures::number(100_001, c)?))).collect()
}

#[test]
fn entry_is_truncated_sha256_of_the_fifteen_digits() -> Result<()> {
    let no = fixtures::number(100_001, 42)?;
    let digest = ring::digest::digest(&ring::digest::SHA256, no.digits().as_bytes());
    assert_eq!(RevocationEntry::of(no).as_bytes()[..], digest.as_ref()[..8]);
    assert_eq!(no.digits().len(), 15);
    Ok(())
}

#[test]
fn full_then_deltas_in_order() -> Result<()> {
    let world = fixtures::world()?;
    let full = RevocationList::full(3, JAN_2026_S, entries(&[1, 2])?)?.sign(&world.status)?;
    let delta = RevocationList::delta(3, 5, JAN_2026_S + 60, entries(&[3])?)?.sign(&world.status)?;
    let mut set = RevocationSet::new();
    assert_eq!(set.apply(RevocationList::verify(&full, &world.trust)?), Ok(true));
    assert_eq!(set.apply(RevocationList::verify(&delta, &world.trust)?), Ok(true));
    assert_eq!((set.version(), set.len()), (5, 3));
    for counter in [1, 2, 3] {
        assert!(set.contains(fixtures::number(100_001, counter)?));
    }
    assert!(!set.contains(fixtures::number(100_001, 4)?));
    assert_eq!(set.apply(RevocationList::verify(&delta, &world.trust)?), Ok(false), "same version again");
    assert_eq!(set.apply(RevocationList::full(4, JAN_2026_S, vec![])?), Err(SealError::StaleVersion { held: 5, offered: 4 }));
    assert_eq!(set.apply(RevocationList::delta(6, 7, JAN_2026_S, vec![])?), Err(SealError::VersionGap { held: 5, since: 6 }));
    assert_eq!(set.apply(RevocationList::full(9, JAN_2026_S, entries(&[4])?)?), Ok(true));
    assert_eq!((set.version(), set.len()), (9, 1), "a newer full list replaces the set");
    Ok(())
}

#[test]
fn only_valid_status_keys_sign_lists() -> Result<()> {
    let world = fixtures::world()?;
    let list = RevocationList::full(1, JAN_2026_S, entries(&[1])?)?;
    assert_eq!(RevocationList::verify(&list.sign(&world.status)?, &world.trust)?, list);
    assert!(matches!(RevocationList::verify(&list.sign(&world.challan)?, &world.trust), Err(SealError::KeyNotValidForUse(_))));
    assert_eq!(RevocationList::verify(&list.sign(&world.unknown)?, &world.trust), Err(SealError::UnknownKey));
    let mut bytes = list.sign(&world.status)?;
    let last = bytes.len() - 1;
    bytes[last] ^= 0x80;
    assert_eq!(RevocationList::verify(&bytes, &world.trust), Err(SealError::InvalidSignature));
    let seal = world.challan.sign(&fixtures::challan(100_001, 1)?)?;
    assert!(matches!(RevocationList::verify(&seal, &world.trust), Err(SealError::Malformed(_))));
    Ok(())
}

#[test]
fn payload_is_one_byte_string_of_sorted_entries() -> Result<()> {
    let list = RevocationList::delta(2, 3, JAN_2026_S, entries(&[9, 8, 7, 8])?)?;
    assert_eq!(list.entries().len(), 3);
    let payload = list.payload()?;
    // {1: 3, 2: 2, 3: 1767225600, 4: h'<24 bytes>'}
    assert_eq!(payload[..5], [0xa4, 0x01, 0x03, 0x02, 0x02]);
    assert_eq!(payload[11..14], [0x04, 0x58, 24]);
    assert_eq!(RevocationList::decode(&payload)?, list);

    let mut unsorted = payload.clone();
    let (a, b) = (14, 22);
    for i in 0..8 {
        unsorted.swap(a + i, b + i);
    }
    assert!(matches!(RevocationList::decode(&unsorted), Err(SealError::Malformed(_))));
    let mut ragged = payload[..payload.len() - 1].to_vec();
    ragged[13] = 23;
    assert!(matches!(RevocationList::decode(&ragged), Err(SealError::Malformed(_))));
    Ok(())
}
