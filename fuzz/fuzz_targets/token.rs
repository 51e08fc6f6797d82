//! Feeds arbitrary bytes through seal verification, both as COSE bytes and (when UTF-8) as
//! a scanned QR text through the URL/token parser, against the fixed trust list and
//! revocation lists of `testdata/seal-vectors/`. Asserts that nothing panics and that
//! nothing is `valid` unless its COSE bytes are exactly one of the valid seals there.

#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use mahasil_seal::{Outcome, PublicKey, RevocationList, RevocationSet, TrustList, parse_qr, verify, verify_qr};
use serde_json::Value;

struct Fixture {
    trust: TrustList,
    revoked: RevocationSet,
    valid_seals: Vec<Vec<u8>>,
}

fn hex_of(v: &Value) -> Vec<u8> {
    v.as_str().and_then(|s| hex::decode(s).ok()).unwrap_or_default()
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let json = |text: &str| -> Value { serde_json::from_str(text).expect("vector JSON") };
        let keys = json(include_str!("../../testdata/seal-vectors/keys.json"));
        let root = PublicKey::from_sec1(&hex_of(&keys["root"]["public_sec1_hex"])).expect("root key");
        let trust_file = json(include_str!("../../testdata/seal-vectors/trust-list.json"));
        let trust = TrustList::verify(&hex_of(&trust_file["document"]["cose_hex"]), &root).expect("trust list");
        let mut revoked = RevocationSet::new();
        let lists = json(include_str!("../../testdata/seal-vectors/revocation-lists.json"));
        for list in lists["apply_in_order"].as_array().expect("lists") {
            let list = RevocationList::verify(&hex_of(&list["document"]["cose_hex"]), &trust).expect("revocation list");
            revoked.apply(list).expect("lists apply in order");
        }
        let cases = json(include_str!("../../testdata/seal-vectors/cases.json"));
        let valid_seals =
            cases["cases"].as_array().expect("cases").iter().filter(|c| c["expected_outcome"] == "valid").map(|c| hex_of(&c["document"]["cose_hex"])).collect();
        Fixture { trust, revoked, valid_seals }
    })
}

fuzz_target!(|data: &[u8]| {
    let f = fixture();
    let checked = verify(data, &f.trust, Some(&f.revoked));
    if checked.outcome == Outcome::Valid {
        assert!(f.valid_seals.iter().any(|s| s == data), "mutated bytes verified as valid");
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let checked = verify_qr(text, &f.trust, Some(&f.revoked));
        if checked.outcome == Outcome::Valid {
            let cose = parse_qr(text).expect("a valid QR text parses");
            assert!(f.valid_seals.contains(&cose), "a mutated QR text verified as valid");
        }
    }
});
