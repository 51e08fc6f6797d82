//! Measures, on one thread, seals signed and verified per second next to raw ring ECDSA
//! P-256 sign and verify over a message of the same size, in the same run.
//!
//! `cargo run --release -p mahasil-seal --example seal-bench [-- SECONDS_PER_LOOP]`
//!
//! Each pair (seal and raw) is measured in alternating slices, so a busy machine slows
//! both alike and the ratio stays meaningful.
//!
//! "Verified" is the full [`mahasil_seal::verify`]: envelope and claims decoding, the kid
//! lookup in a trust list of 1,000 keys, the signature, the key checks and a revocation
//! set lookup.

use std::hint::black_box;
use std::time::{Duration, Instant};

use coset::CborSerializable;
use mahasil_domain::challan_no::{ChallanNo, IssuerNo};
use mahasil_domain::head::HeadCode;
use mahasil_domain::jurisdiction::Slug;
use mahasil_domain::money::Paisa;
use mahasil_seal::{
    Claims, Document, KeyStatus, Outcome, RevocationEntry, RevocationList, RevocationSet, ShortText, SigningKey, TrustList, TrustedKey, Usage, verify,
};
use ring::rand::SystemRandom;
use ring::signature::{self, EcdsaKeyPair, KeyPair, UnparsedPublicKey};

type Res<T> = Result<T, Box<dyn std::error::Error>>;

const TRUSTED_KEYS: u32 = 1_000;
const REVOKED_CHALLANS: u32 = 10_000;

fn main() -> Res<()> {
    let seconds: f64 = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(2.0);
    let budget = Duration::from_secs_f64(seconds);
    let pkcs8 = SigningKey::generate_pkcs8()?;
    let key = SigningKey::from_pkcs8(&pkcs8)?;
    let (trust, revoked) = world(&key)?;
    let claims = challan()?;
    let cose = key.sign(&claims)?;
    if verify(&cose, &trust, Some(&revoked)).outcome != Outcome::Valid {
        return Err("the benchmark seal does not verify".into());
    }
    let to_be_signed = coset::CoseSign1::from_slice(&cose).map_err(|e| format!("{e:?}"))?.tbs_data(&[]);

    let rng = SystemRandom::new();
    let pair = EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, &pkcs8, &rng).map_err(|e| e.to_string())?;
    let raw_signature = pair.sign(&rng, &to_be_signed).map_err(|e| e.to_string())?;
    let public = UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, pair.public_key().as_ref().to_vec());

    let (sealed, raw_signed) = side_by_side(
        budget,
        || key.sign(black_box(&claims)).map(|c| c.len()).unwrap_or(0),
        || pair.sign(&rng, black_box(&to_be_signed)).map(|s| s.as_ref().len()).unwrap_or(0),
    )?;
    let (verified, raw_verified) = side_by_side(
        budget,
        || usize::from(verify(black_box(&cose), &trust, Some(&revoked)).outcome == Outcome::Valid),
        || usize::from(public.verify(black_box(&to_be_signed), raw_signature.as_ref()).is_ok()),
    )?;
    let stranger = SigningKey::from_pkcs8(&SigningKey::generate_pkcs8()?)?.sign(&claims)?;
    let decoded = rate(budget / 4, || usize::from(verify(black_box(&stranger), &trust, Some(&revoked)).outcome == Outcome::UnknownKey))?;

    println!("seal: {} COSE bytes, Sig_structure {} bytes; trust list {TRUSTED_KEYS} keys; {REVOKED_CHALLANS} revoked", cose.len(), to_be_signed.len());
    println!("sign:   {sealed:>9.0} seals/s   raw ring {raw_signed:>9.0}/s   ratio {:.2}", sealed / raw_signed);
    println!("verify: {verified:>9.0} seals/s   raw ring {raw_verified:>9.0}/s   ratio {:.2}", verified / raw_verified);
    println!("decode and kid lookup alone (unknown key): {decoded:.0}/s, {:.1} µs each", 1e6 / decoded);
    Ok(())
}

/// Calls per second of `ours` and of `raw`, measured in alternating slices of `budget`
/// each, so both see the same interference from whatever else runs on the machine.
fn side_by_side(budget: Duration, mut ours: impl FnMut() -> usize, mut raw: impl FnMut() -> usize) -> Res<(f64, f64)> {
    const SLICES: u32 = 10;
    let (mut ours_total, mut raw_total) = (0.0, 0.0);
    for _ in 0..SLICES {
        ours_total += rate(budget / SLICES, &mut ours)?;
        raw_total += rate(budget / SLICES, &mut raw)?;
    }
    Ok((ours_total / f64::from(SLICES), raw_total / f64::from(SLICES)))
}

/// Calls per second of `f` over `budget`, after a short warm-up.
fn rate(budget: Duration, mut f: impl FnMut() -> usize) -> Res<f64> {
    let warm_up = Instant::now();
    while warm_up.elapsed() < budget / 10 {
        black_box(f());
    }
    let start = Instant::now();
    let mut calls = 0u64;
    let mut checksum = 0usize;
    while start.elapsed() < budget {
        for _ in 0..64 {
            checksum = checksum.wrapping_add(f());
        }
        calls += 64;
    }
    if checksum == 0 {
        return Err("the measured work did nothing".into());
    }
    Ok(calls as f64 / start.elapsed().as_secs_f64())
}

fn world(key: &SigningKey) -> Res<(TrustList, RevocationSet)> {
    let mut keys = vec![trusted(key.public_key().clone(), 100_001)?];
    for i in 1..TRUSTED_KEYS {
        let other = SigningKey::from_pkcs8(&SigningKey::generate_pkcs8()?)?;
        keys.push(trusted(other.public_key().clone(), 200_000 + i)?);
    }
    let trust = TrustList::new(1, 0, keys)?;
    let entries = (1..=REVOKED_CHALLANS).map(|c| Ok(RevocationEntry::of(ChallanNo::new(IssuerNo::new(300_000)?, c)?))).collect::<Res<Vec<_>>>()?;
    let mut revoked = RevocationSet::new();
    revoked.apply(RevocationList::full(1, 0, entries)?)?;
    Ok((trust, revoked))
}

fn trusted(public_key: mahasil_seal::PublicKey, issuer: u32) -> Res<TrustedKey> {
    Ok(TrustedKey { public_key, issuer: IssuerNo::new(issuer)?, usage: Usage::Challan, valid_from_s: 0, valid_until_s: None, status: KeyStatus::Active })
}

fn challan() -> Res<Claims> {
    let issuer = IssuerNo::new(100_001)?;
    Ok(Claims {
        issuer,
        issued_at_s: 1_767_225_600,
        number: ChallanNo::new(issuer, 12_345_678)?,
        heads: vec![HeadCode::parse("DA-ENC-01")?],
        amount_paisa: Paisa::new(2_500_000)?,
        district: Slug::parse("dera-ismail-khan")?,
        subject_id: Some(ShortText::parse("subject_id", "ABC-1234")?),
        document: Document::Challan {
            amount_after_due_paisa: Paisa::new(3_000_000)?,
            due_date_days: 20_468,
            officer: ShortText::parse("officer", "officer.peshawar")?,
        },
    })
}
