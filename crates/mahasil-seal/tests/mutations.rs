//! Property: no mutation of a valid seal verifies as `valid`, and nothing panics.
//! Flips any bit pattern of any byte, cuts anywhere, inserts anywhere, and edits the
//! token text.

#![expect(clippy::expect_used, reason = "fixture set-up fails loudly")]

use std::sync::OnceLock;

use mahasil_domain::challan_no::{ChallanNo, IssuerNo};
use mahasil_domain::head::HeadCode;
use mahasil_domain::jurisdiction::Slug;
use mahasil_domain::money::Paisa;
use mahasil_seal::{Claims, Document, KeyStatus, Outcome, RevocationSet, ShortText, SigningKey, TrustList, TrustedKey, Usage, qr_url, verify, verify_qr};
use proptest::prelude::*;

struct Fixture {
    trust: TrustList,
    revoked: RevocationSet,
    cose: Vec<u8>,
    url: String,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let key = SigningKey::from_pkcs8(&SigningKey::generate_pkcs8().expect("key")).expect("key");
        let issuer = IssuerNo::new(100_001).expect("issuer");
        let trusted =
            TrustedKey { public_key: key.public_key().clone(), issuer, usage: Usage::Challan, valid_from_s: 0, valid_until_s: None, status: KeyStatus::Active };
        let claims = Claims {
            issuer,
            issued_at_s: 1_767_225_600,
            number: ChallanNo::new(issuer, 42).expect("number"),
            heads: vec![HeadCode::parse("DA-ENC-01").expect("head")],
            amount_paisa: Paisa::new(500_000).expect("amount"),
            district: Slug::parse("peshawar").expect("slug"),
            subject_id: Some(ShortText::parse("subject_id", "ABC-1234").expect("text")),
            document: Document::Challan {
                amount_after_due_paisa: Paisa::new(600_000).expect("amount"),
                due_date_days: 20_468,
                officer: ShortText::parse("officer", "officer.peshawar").expect("text"),
            },
        };
        let trust = TrustList::new(1, 0, vec![trusted]).expect("trust list");
        let cose = key.sign(&claims).expect("seal");
        let url = qr_url("https://mahasil.kp.gov.pk", &cose);
        Fixture { trust, revoked: RevocationSet::new(), cose, url }
    })
}

fn outcome(bytes: &[u8]) -> Outcome {
    let f = fixture();
    verify(bytes, &f.trust, Some(&f.revoked)).outcome
}

#[test]
fn the_original_is_valid() {
    let f = fixture();
    assert_eq!(outcome(&f.cose), Outcome::Valid);
    assert_eq!(verify_qr(&f.url, &f.trust, Some(&f.revoked)).outcome, Outcome::Valid);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn a_flipped_byte_is_never_valid(index in any::<prop::sample::Index>(), mask in 1u8..=255) {
        let mut bytes = fixture().cose.clone();
        let at = index.index(bytes.len());
        bytes[at] ^= mask;
        prop_assert_ne!(outcome(&bytes), Outcome::Valid);
    }

    #[test]
    fn a_cut_seal_is_never_valid(index in any::<prop::sample::Index>(), from_front in any::<bool>()) {
        let original = &fixture().cose;
        let at = index.index(original.len());
        let cut = if from_front { &original[at + 1..] } else { &original[..at] };
        prop_assert_ne!(outcome(cut), Outcome::Valid);
    }

    #[test]
    fn an_inserted_byte_is_never_valid(index in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let mut bytes = fixture().cose.clone();
        bytes.insert(index.index(bytes.len() + 1), byte);
        prop_assert_ne!(outcome(&bytes), Outcome::Valid);
    }

    #[test]
    fn an_edited_url_is_valid_only_if_it_still_carries_the_same_bytes(index in any::<prop::sample::Index>(), c in any::<char>()) {
        let f = fixture();
        let mut chars: Vec<char> = f.url.chars().collect();
        let at = index.index(chars.len());
        chars[at] = c;
        let edited: String = chars.into_iter().collect();
        let checked = verify_qr(&edited, &f.trust, Some(&f.revoked));
        if checked.outcome == Outcome::Valid {
            prop_assert_eq!(mahasil_seal::parse_qr(&edited).ok(), Some(f.cose.clone()));
        }
    }

    #[test]
    fn random_bytes_are_never_valid(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        prop_assert_ne!(outcome(&bytes), Outcome::Valid);
    }
}
