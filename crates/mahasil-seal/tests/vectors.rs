//! Reads the committed test vectors in `testdata/seal-vectors/` and checks every value
//! and outcome in them, so the Rust side and any other verifier reading the same files
//! stay byte-compatible. The files are written by `--example gen-vectors`.

#![expect(clippy::unwrap_used, clippy::expect_used, reason = "a test fails loudly on a broken vector file")]

use std::path::PathBuf;

use coset::CborSerializable;
use mahasil_seal::{
    Outcome, PublicKey, RevocationEntry, RevocationList, RevocationSet, SigningKey, StatusStatement, TrustList, cwt, parse_qr, qr_code, qr_url, token,
    verify_qr,
};
use serde_json::Value;

fn read(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata/seal-vectors").join(name);
    serde_json::from_str(&std::fs::read_to_string(&path).expect("vector file")).expect("vector JSON")
}

fn bytes(v: &Value) -> Vec<u8> {
    hex::decode(v.as_str().expect("hex string")).expect("hex")
}

/// Checks the deterministic parts of a signed document against its COSE bytes.
fn check_document(doc: &Value, expected_protected_start: &[u8]) -> Vec<u8> {
    let cose = bytes(&doc["cose_hex"]);
    let parsed = coset::CoseSign1::from_slice(&cose).expect("COSE_Sign1");
    let protected = parsed.protected.original_data.clone().expect("protected bytes");
    assert_eq!(protected, bytes(&doc["protected_hex"]));
    assert!(protected.starts_with(expected_protected_start));
    assert_eq!(parsed.payload.clone().expect("payload"), bytes(&doc["payload_hex"]));
    assert_eq!(parsed.tbs_data(&[]), bytes(&doc["sig_structure_hex"]));
    assert_eq!(parsed.signature, bytes(&doc["signature_hex"]));
    cose
}

fn root_key() -> PublicKey {
    let keys = read("keys.json");
    PublicKey::from_sec1(&bytes(&keys["root"]["public_sec1_hex"])).expect("root key")
}

fn trust_list() -> TrustList {
    let doc = &read("trust-list.json")["document"];
    TrustList::verify(&bytes(&doc["cose_hex"]), &root_key()).expect("trust list verifies with the root key")
}

fn revocation_set(trust: &TrustList) -> RevocationSet {
    let mut set = RevocationSet::new();
    for list in read("revocation-lists.json")["apply_in_order"].as_array().expect("lists") {
        let verified = RevocationList::verify(&bytes(&list["document"]["cose_hex"]), trust).expect("revocation list verifies");
        assert_eq!(verified.payload().unwrap(), bytes(&list["document"]["payload_hex"]));
        set.apply(verified).expect("lists apply in order");
    }
    set
}

#[test]
fn keys_are_what_they_say() {
    let keys = read("keys.json");
    let all = std::iter::once(&keys["root"]).chain(keys["signing_keys"].as_array().expect("keys"));
    for key in all {
        let signing = SigningKey::from_pkcs8(&bytes(&key["pkcs8_hex"])).expect("PKCS#8");
        assert_eq!(signing.public_key().sec1().to_vec(), bytes(&key["public_sec1_hex"]));
        assert_eq!(signing.kid().to_string(), key["kid_hex"].as_str().unwrap());
        let digest = ring::digest::digest(&ring::digest::SHA256, &bytes(&key["public_sec1_hex"]));
        assert_eq!(bytes(&key["kid_hex"]), digest.as_ref()[..8]);
    }
}

#[test]
fn trust_list_is_signed_by_the_root_and_lists_the_keys() {
    let file = read("trust-list.json");
    let root = root_key();
    let mut header = vec![0xa3, 0x01, 0x26, 0x03];
    header.extend_from_slice(&[0x78, 39]);
    header.extend_from_slice(mahasil_seal::envelope::TRUST_LIST_CONTENT_TYPE.as_bytes());
    header.extend_from_slice(&[0x04, 0x48]);
    header.extend_from_slice(root.kid().as_bytes());
    let cose = check_document(&file["document"], &header);
    let trust = trust_list();
    assert_eq!(trust.payload().unwrap(), bytes(&file["document"]["payload_hex"]));
    assert_eq!(Some(trust.version()), file["version"].as_u64());
    assert_eq!(Some(trust.issued_at_s()), file["issued_at"].as_i64());
    let mut tampered = cose.clone();
    let last = tampered.len() - 1;
    tampered[last] ^= 1;
    assert!(TrustList::verify(&tampered, &root).is_err());

    for key in read("keys.json")["signing_keys"].as_array().unwrap() {
        let kid = mahasil_seal::Kid::from_slice(&bytes(&key["kid_hex"])).unwrap();
        let Some(listed) = trust.key(kid) else {
            assert_eq!(key["in_trust_list"], false, "{} is missing", key["name"]);
            continue;
        };
        assert_eq!(key["in_trust_list"], true);
        assert_eq!(listed.issuer.to_string(), key["issuer"].as_str().unwrap());
        assert_eq!(listed.usage.as_str(), key["usage"].as_str().unwrap());
        assert_eq!(listed.status.as_str(), key["status"].as_str().unwrap());
        assert_eq!(Some(listed.valid_from_s), key["valid_from"].as_i64());
        assert_eq!(listed.valid_until_s, key["valid_until"].as_i64());
        let compromised_at = match listed.status {
            mahasil_seal::KeyStatus::Compromised { at_s } => Some(at_s),
            _ => None,
        };
        assert_eq!(compromised_at, key["compromised_at"].as_i64());
    }
}

#[test]
fn revocation_lists_apply_in_order() {
    let trust = trust_list();
    let set = revocation_set(&trust);
    for list in read("revocation-lists.json")["apply_in_order"].as_array().unwrap() {
        check_document(&list["document"], &[0xa3, 0x01, 0x26, 0x03]);
        let verified = RevocationList::verify(&bytes(&list["document"]["cose_hex"]), &trust).unwrap();
        assert_eq!(Some(verified.version()), list["version"].as_u64());
        assert_eq!(Some(verified.since_version()), list["since_version"].as_u64());
        let challans = list["revoked_challans"].as_array().unwrap();
        let mut expected: Vec<RevocationEntry> =
            challans.iter().map(|n| RevocationEntry::of(mahasil_domain::challan_no::ChallanNo::parse(n.as_str().unwrap()).unwrap())).collect();
        expected.sort();
        assert_eq!(verified.entries(), expected);
        let listed: Vec<String> = verified.entries().iter().map(|e| hex::encode(e.as_bytes())).collect();
        assert_eq!(Value::from(listed), list["entries_hex"]);
        for n in challans {
            assert!(set.contains(mahasil_domain::challan_no::ChallanNo::parse(n.as_str().unwrap()).unwrap()));
        }
    }
}

#[test]
fn status_statements_verify() {
    let trust = trust_list();
    for s in read("status-statements.json")["statements"].as_array().unwrap() {
        let cose = check_document(&s["document"], &[0xa3, 0x01, 0x26, 0x03]);
        let statement = StatusStatement::verify(&cose, &trust).expect("statement verifies");
        assert_eq!(statement.payload().unwrap(), bytes(&s["document"]["payload_hex"]));
        assert_eq!(statement.challan_no.digits(), s["challan_no"].as_str().unwrap());
        assert_eq!(statement.status.as_str(), s["status"].as_str().unwrap());
        assert_eq!(statement.receipt_no.map(|n| n.digits()), s["receipt_no"].as_str().map(str::to_string));
        assert_eq!(Some(statement.as_of_s), s["as_of"].as_i64());
    }
}

#[test]
fn every_case_has_its_bytes_and_outcome() {
    let file = read("cases.json");
    let base_url = file["base_url"].as_str().unwrap();
    let trust = trust_list();
    let revoked = revocation_set(&trust);
    let cases = file["cases"].as_array().unwrap();
    for name in ["valid-challan", "changed-amount-byte", "truncated-token", "bad-base32", "oversized-token", "unknown-kid", "revoked-challan"] {
        assert!(cases.iter().any(|c| c["name"] == name), "case {name} is missing");
    }
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let input = case["input"].as_str().unwrap();
        let expected = Outcome::parse(case["expected_outcome"].as_str().unwrap()).unwrap();
        let checked = verify_qr(input, &trust, Some(&revoked));
        assert_eq!(checked.outcome, expected, "case {name}: {:?}", checked.error);
        if case["document"].is_null() {
            assert_eq!(expected, Outcome::Malformed, "case {name}");
            assert!(checked.claims.is_none());
            continue;
        }
        let kid = checked.kid.expect("a decodable envelope has a kid");
        let mut seal_header = vec![0xa2, 0x01, 0x26, 0x04, 0x48];
        seal_header.extend_from_slice(kid.as_bytes());
        let cose = check_document(&case["document"], &seal_header);
        assert_eq!(bytes(&case["document"]["protected_hex"]), seal_header, "case {name}");
        assert_eq!(parse_qr(input).unwrap(), cose, "case {name}");
        assert_eq!(token::token(&cose), case["token"].as_str().unwrap(), "case {name}");
        assert_eq!(qr_url(base_url, &cose), case["qr_url"].as_str().unwrap(), "case {name}");
        let claims = checked.claims.expect("claims are shown whenever decodable");
        assert_eq!(serde_json::to_value(&claims).unwrap(), case["claims"], "case {name}");
        assert_eq!(cwt::encode(&claims).unwrap(), bytes(&case["document"]["payload_hex"]), "case {name}");
        let qr = qr_code(case["qr_url"].as_str().unwrap()).unwrap();
        assert!(matches!(qr.version(), qrcode::Version::Normal(v) if v <= 13), "case {name}: QR {:?} at level Q", qr.version());
    }
}
