//! Tests of sealing and verification: every outcome, the order of checks, QR size.

use mahasil_domain::challan_no::IssuerNo;
use qrcode::bits::Bits;
use qrcode::{EcLevel, Version};

use super::*;
use crate::fixtures::{self, COMPROMISED_AT_S, RETIRED_AT_S, World};
use crate::revocation::{RevocationEntry, RevocationList};
use crate::token::{parse_qr, qr_code, qr_url};

fn outcome(world: &World, cose: &[u8], revoked: Option<&RevocationSet>) -> Outcome {
    verify(cose, &world.trust, revoked).outcome
}

#[test]
fn valid_challan_and_receipt_carry_their_claims() -> Result<()> {
    let world = fixtures::world()?;
    let challan = fixtures::challan(100_001, 42)?;
    let receipt = fixtures::receipt(100_001, 43, challan.number)?;
    let checked = verify(&world.challan.sign(&challan)?, &world.trust, None);
    assert_eq!((checked.outcome, checked.error), (Outcome::Valid, None));
    assert_eq!((checked.claims, checked.kid), (Some(challan), Some(world.challan.kid())));
    let checked = verify(&world.receipt.sign(&receipt)?, &world.trust, Some(&RevocationSet::new()));
    assert!(checked.is_valid());
    assert_eq!(checked.claims, Some(receipt));
    Ok(())
}

#[test]
fn a_changed_byte_is_an_invalid_signature_and_still_shows_what_it_claims() -> Result<()> {
    let world = fixtures::world()?;
    let claims = fixtures::challan(100_001, 42)?;
    let mut cose = world.challan.sign(&claims)?;
    // The amount 2,500,000 is encoded 0x1a 00 26 25 a0 under key 3.
    let at = cose.windows(6).position(|w| w == [0x03, 0x1a, 0x00, 0x26, 0x25, 0xa0]).ok_or(SealError::Malformed("test"))?;
    cose[at + 5] = 0xa1;
    let checked = verify(&cose, &world.trust, None);
    assert_eq!(checked.outcome, Outcome::InvalidSignature);
    assert_eq!(checked.claims.map(|c| c.amount_paisa.get()), Some(2_500_001));
    Ok(())
}

#[test]
fn unknown_key_comes_before_the_signature() -> Result<()> {
    let world = fixtures::world()?;
    let mut cose = world.unknown.sign(&fixtures::challan(100_001, 42)?)?;
    assert_eq!(outcome(&world, &cose, None), Outcome::UnknownKey);
    let last = cose.len() - 1;
    cose[last] ^= 1;
    assert_eq!(outcome(&world, &cose, None), Outcome::UnknownKey);
    Ok(())
}

#[test]
fn keys_sign_only_their_own_use_issuer_and_time() -> Result<()> {
    let world = fixtures::world()?;
    let challan = fixtures::challan(100_001, 42)?;
    let not_valid = Outcome::KeyNotValidForThisUse;
    assert_eq!(outcome(&world, &world.receipt.sign(&challan)?, None), not_valid, "receipt key on a challan");
    assert_eq!(outcome(&world, &world.status.sign(&challan)?, None), not_valid, "status key on a challan");
    let receipt = fixtures::receipt(100_001, 43, challan.number)?;
    assert_eq!(outcome(&world, &world.challan.sign(&receipt)?, None), not_valid, "challan key on a receipt");

    let mut other_issuer = fixtures::challan(100_002, 42)?;
    assert_eq!(outcome(&world, &world.challan.sign(&other_issuer)?, None), not_valid, "iss is not the key's");
    other_issuer.issuer = IssuerNo::new(100_001)?;
    assert_eq!(outcome(&world, &world.challan.sign(&other_issuer)?, None), not_valid, "number of another issuer");

    let mut early = challan.clone();
    early.issued_at_s = fixtures::JAN_2026_S - 1;
    assert_eq!(outcome(&world, &world.challan.sign(&early)?, None), not_valid, "before valid_from");

    let mut retired = fixtures::challan(100_002, 1)?;
    retired.issued_at_s = RETIRED_AT_S;
    assert_eq!(outcome(&world, &world.retired.sign(&retired)?, None), Outcome::Valid, "retired key, old seal");
    retired.issued_at_s = RETIRED_AT_S + 1;
    assert_eq!(outcome(&world, &world.retired.sign(&retired)?, None), not_valid, "retired key, after retirement");
    Ok(())
}

#[test]
fn compromise_and_cancellation_revoke() -> Result<()> {
    let world = fixtures::world()?;
    let mut claims = fixtures::challan(100_003, 5)?;
    claims.issued_at_s = COMPROMISED_AT_S - 1;
    assert_eq!(outcome(&world, &world.compromised.sign(&claims)?, None), Outcome::Valid);
    claims.issued_at_s = COMPROMISED_AT_S;
    assert_eq!(outcome(&world, &world.compromised.sign(&claims)?, None), Outcome::Revoked);

    let cancelled = fixtures::challan(100_001, 42)?;
    let mut set = RevocationSet::new();
    set.apply(RevocationList::full(1, fixtures::JAN_2026_S, vec![RevocationEntry::of(cancelled.number)])?)?;
    let cose = world.challan.sign(&cancelled)?;
    assert_eq!(outcome(&world, &cose, None), Outcome::Valid, "no revocation set given");
    assert_eq!(outcome(&world, &cose, Some(&set)), Outcome::Revoked);
    let receipt = fixtures::receipt(100_001, 43, cancelled.number)?;
    assert_eq!(outcome(&world, &world.receipt.sign(&receipt)?, Some(&set)), Outcome::Revoked, "receipts check claim 9");
    Ok(())
}

#[test]
fn garbage_is_malformed() -> Result<()> {
    let world = fixtures::world()?;
    let cose = world.challan.sign(&fixtures::challan(100_001, 42)?)?;
    for bad in [&[][..], &[0xff], &cose[..cose.len() - 1], &cose[1..], &[0x80; 2000]] {
        let checked = verify(bad, &world.trust, None);
        assert_eq!(checked.outcome, Outcome::Malformed);
        assert!(matches!(checked.error, Some(SealError::Malformed(_))));
    }
    let trust_list = world.trust.sign(&world.root)?;
    assert_eq!(outcome(&world, &trust_list, None), Outcome::Malformed, "a trust list is not a seal");
    assert_eq!(verify_qr("HTTPS://X/V/1", &world.trust, None).outcome, Outcome::Malformed);
    Ok(())
}

#[test]
fn realistic_challan_fits_qr_version_13_at_level_q_in_alphanumeric_mode() -> Result<()> {
    let world = fixtures::world()?;
    let mut claims = fixtures::challan(100_001, 99_999_999)?;
    claims.issued_at_s = 4_000_000_000;
    claims.amount_paisa = mahasil_domain::money::Paisa::new(999_999_999)?;
    let cose = world.challan.sign(&claims)?;
    let url = qr_url("https://mahasil.kp.gov.pk", &cose);
    assert_eq!(parse_qr(&url)?, cose);

    let mut bits = Bits::new(Version::Normal(13));
    let alphanumeric = bits.push_alphanumeric_data(url.as_bytes()).and_then(|()| bits.push_terminator(EcLevel::Q));
    assert!(alphanumeric.is_ok(), "{} characters do not fit version 13-Q in alphanumeric mode", url.len());
    let code = qr_code(&url)?;
    assert!(matches!(code.version(), Version::Normal(v) if v <= 13), "version {:?} for {} characters", code.version(), url.len());
    assert_eq!(code.error_correction_level(), EcLevel::Q);
    Ok(())
}
