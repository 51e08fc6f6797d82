//! The shared vectors of the device protocol (`testdata/sync-vectors/vectors.json`): what
//! a device must compute, byte for byte, from given inputs. The browser app's tests run
//! every case; this test checks the file still says what the Rust code computes.
//!
//! Regenerate after a deliberate change: `MAHASIL_WRITE_VECTORS=1 cargo test -p mahasil-sync --test vectors`.

use std::path::PathBuf;

use base64::Engine;
use jiff::Timestamp;
use jiff::civil::Date;
use mahasil_domain::challan::{Location, Offender};
use mahasil_domain::challan_no::IssuerNo;
use mahasil_domain::head::{AfterDueRule, AmountRule, FeeSchedule, HeadCode};
use mahasil_domain::identity::{Cnic, Mobile, Text, VehicleNo};
use mahasil_domain::jurisdiction::Slug;
use mahasil_domain::money::Paisa;
use mahasil_seal::SigningKey;
use mahasil_sync::device::{self, Chain, Draft};
use mahasil_sync::signing::{op_signed_bytes, request_message};
use serde_json::{Value, json};
use uuid::Uuid;

type R<T = ()> = Result<T, Box<dyn std::error::Error>>;

fn path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata/sync-vectors/vectors.json")
}

fn schedule(head: &str, version: u32, amount: AmountRule, due_days: u16, after_due: AfterDueRule, from: Date) -> R<FeeSchedule> {
    Ok(FeeSchedule { head: HeadCode::parse(head)?, version, amount, due_days, after_due, effective_from: from })
}

fn schedules() -> R<Vec<FeeSchedule>> {
    let p = |v| Paisa::new(v);
    Ok(vec![
        schedule(
            "DA-ENC-01",
            1,
            AmountRule::Fixed { amount_paisa: p(500_000)? },
            14,
            AfterDueRule::Fixed { amount_paisa: p(600_000)? },
            Date::new(2025, 1, 1)?,
        )?,
        schedule("DA-ENC-01", 2, AmountRule::Fixed { amount_paisa: p(700_000)? }, 14, AfterDueRule::Same, Date::new(2026, 11, 28)?)?,
        schedule(
            "PC-OVR-01",
            1,
            AmountRule::Range { min_paisa: p(100_000)?, max_paisa: p(5_000_000)? },
            30,
            AfterDueRule::SurchargeBasisPoints { basis_points: 1_000 },
            Date::new(2025, 1, 1)?,
        )?,
    ])
}

struct Input {
    name: &'static str,
    head: &'static str,
    amount: Option<i64>,
    issued_at: &'static str,
    vehicle: Option<&'static str>,
    business: Option<&'static str>,
}

fn offender(i: &Input) -> R<Offender> {
    Ok(Offender {
        name: Text::parse("Gul Khan")?,
        cnic: Cnic::parse("17301-1234567-1")?,
        mobile: Mobile::parse("0300-1234567")?,
        email: None,
        vehicle_no: i.vehicle.map(VehicleNo::parse).transpose()?,
        business_name: i.business.map(Text::parse).transpose()?,
        address: None,
        language: None,
    })
}

/// The COSE_Sign1's protected header bytes.
fn protected(cose: &[u8]) -> R<Vec<u8>> {
    let value: ciborium::Value = ciborium::from_reader(cose)?;
    let items = value.as_array().ok_or("seal is not an array")?;
    Ok(items.first().and_then(ciborium::Value::as_bytes).ok_or("no protected header")?.clone())
}

fn payload_of(cose: &[u8]) -> R<Vec<u8>> {
    let value: ciborium::Value = ciborium::from_reader(cose)?;
    let items = value.as_array().ok_or("seal is not an array")?;
    Ok(items.get(2).and_then(ciborium::Value::as_bytes).ok_or("no payload")?.clone())
}

fn build(key_pkcs8: &[u8]) -> R<Value> {
    let key = SigningKey::from_pkcs8(key_pkcs8)?;
    let issuer = IssuerNo::new(500_001)?;
    let schedules = schedules()?;
    let inputs = [
        Input {
            name: "fixed amount, vehicle plate normalised",
            head: "DA-ENC-01",
            amount: None,
            issued_at: "2026-11-27T10:00:00Z",
            vehicle: Some("les 10  1234"),
            business: None,
        },
        Input {
            name: "range with surcharge rounded up",
            head: "PC-OVR-01",
            amount: Some(123_457),
            issued_at: "2026-11-27T11:00:00Z",
            vehicle: None,
            business: Some("Ali Traders"),
        },
        Input {
            name: "UTC evening is the next day in Pakistan: the newer schedule is in force",
            head: "DA-ENC-01",
            amount: None,
            issued_at: "2026-11-27T20:30:00Z",
            vehicle: None,
            business: Some("A business name longer than sixteen"),
        },
        Input { name: "due date across the year end", head: "DA-ENC-01", amount: None, issued_at: "2026-12-25T06:00:00Z", vehicle: None, business: None },
    ];
    let mut chain = Chain::default();
    let mut cases = Vec::new();
    for (n, i) in inputs.iter().enumerate() {
        let index = u128::try_from(n)?;
        let draft = Draft {
            id: Uuid::from_u128(0x0193_0000_0000_7000_8000_0000_0000_0000 + index),
            head_code: HeadCode::parse(i.head)?,
            requested_amount: i.amount.map(Paisa::new).transpose()?,
            district: Slug::parse("peshawar")?,
            officer: "officer.peshawar".into(),
            offender: offender(i)?,
            location: Location::new(34.0151, 71.5249, Text::parse("Saddar Road")?)?,
            issued_at: i.issued_at.parse::<Timestamp>()?,
        };
        let op_id = Uuid::from_u128(0x0193_0000_0000_7000_9000_0000_0000_0000 + index);
        let issued = device::issue(&key, issuer, chain, &schedules, &draft, op_id)?;
        let claims = mahasil_seal::verify(&issued.seal, &mahasil_seal::TrustList::new(1, 0, vec![trusted(&key, issuer)])?, None);
        assert!(claims.is_valid(), "{}: {claims:?}", i.name);
        cases.push(json!({
            "name": i.name,
            "chain_before": {"last_counter": chain.last_counter, "head": chain.head.map(hex::encode)},
            "input": {
                "issuer_no": issuer.get(), "id": draft.id, "op_id": op_id, "head_code": i.head, "requested_amount_paisa": i.amount,
                "district": "peshawar", "officer": "officer.peshawar", "issued_at": i.issued_at,
                "offender": {"name": "Gul Khan", "cnic": "17301-1234567-1", "mobile": "0300-1234567", "vehicle_no": i.vehicle, "business_name": i.business},
                "location": {"lat": 34.0151, "lon": 71.5249, "text": "Saddar Road"}
            },
            "expect": {
                "challan_no": issued.challan_no.digits(),
                "schedule_version": issued.payload.schedule_version,
                "amount_paisa": issued.payload.amount_paisa,
                "amount_after_due_paisa": issued.payload.amount_after_due_paisa,
                "due_date": issued.payload.due_date,
                "offender": issued.payload.offender,
                "claims": claims.claims,
                "cwt_payload_hex": hex::encode(payload_of(&issued.seal)?),
                "protected_hex": hex::encode(protected(&issued.seal)?),
                "payload_text": issued.op.payload,
                "op_signed_bytes": String::from_utf8(op_signed_bytes(op_id, &issued.op.kind, &issued.op.payload))?,
                "op_hash": hex::encode(issued.op_hash),
                "seal_b64u_signed_by_rust": issued.payload.seal,
                "op_sig_by_rust": issued.op.sig
            }
        }));
        chain = issued.chain;
    }
    let request = request_message("POST", "/api/v1/sync/push", 1_795_000_000, "AAECAwQFBgcICQoLDA0ODw", b"{\"issuer_no\":500001,\"ops\":[]}");
    Ok(json!({
        "about": "Field device protocol vectors (docs/SYNC.md). Written by crates/mahasil-sync/tests/vectors.rs; the browser app's tests run every case.",
        "device_key": {
            "pkcs8_b64": base64::engine::general_purpose::STANDARD.encode(key_pkcs8),
            "public_key": hex::encode(key.public_key().sec1()),
            "kid": key.kid().to_string(),
            "issuer_no": issuer.get()
        },
        "schedules": schedules,
        "cases": cases,
        "request": {
            "method": "POST", "path_and_query": "/api/v1/sync/push", "timestamp_s": 1_795_000_000, "nonce": "AAECAwQFBgcICQoLDA0ODw",
            "body": "{\"issuer_no\":500001,\"ops\":[]}", "message": String::from_utf8(request)?
        },
        "normalisation": [
            {"field": "cnic", "input": "1730112345671", "output": Cnic::parse("1730112345671")?.as_str()},
            {"field": "cnic", "input": "17301 1234567 1", "output": Cnic::parse("17301 1234567 1")?.as_str()},
            {"field": "cnic", "input": "07301-1234567-1", "output": null},
            {"field": "mobile", "input": "0300-1234567", "output": Mobile::parse("0300-1234567")?.as_str()},
            {"field": "mobile", "input": "+92 300 1234567", "output": Mobile::parse("+92 300 1234567")?.as_str()},
            {"field": "mobile", "input": "00923001234567", "output": Mobile::parse("00923001234567")?.as_str()},
            {"field": "mobile", "input": "0400-1234567", "output": null},
            {"field": "vehicle_no", "input": "les 10  1234", "output": VehicleNo::parse("les 10  1234")?.as_str()},
            {"field": "vehicle_no", "input": "ABC--123", "output": VehicleNo::parse("ABC--123")?.as_str()},
            {"field": "vehicle_no", "input": "ABC", "output": null}
        ]
    }))
}

fn trusted(key: &SigningKey, issuer: IssuerNo) -> mahasil_seal::TrustedKey {
    mahasil_seal::TrustedKey {
        public_key: key.public_key().clone(),
        issuer,
        usage: mahasil_seal::Usage::Challan,
        valid_from_s: 0,
        valid_until_s: None,
        status: mahasil_seal::KeyStatus::Active,
    }
}

/// Everything but the signatures, which ECDSA makes differently every time.
fn without_signatures(mut v: Value) -> Value {
    if let Some(cases) = v.get_mut("cases").and_then(Value::as_array_mut) {
        for case in cases {
            // The chain head is the previous op's hash, which covers its seal.
            if let Some(before) = case.get_mut("chain_before").and_then(Value::as_object_mut) {
                before.remove("head");
            }
            if let Some(expect) = case.get_mut("expect").and_then(Value::as_object_mut) {
                expect.remove("seal_b64u_signed_by_rust");
                expect.remove("op_sig_by_rust");
                // The payload text carries the seal, so it differs with it: compare it parsed,
                // without the seal.
                for key in ["payload_text", "op_signed_bytes", "op_hash"] {
                    expect.remove(key);
                }
            }
        }
    }
    v
}

#[test]
fn the_vectors_file_says_what_the_code_computes() -> R {
    let file = path();
    let existing: Option<Value> = std::fs::read(&file).ok().map(|b| serde_json::from_slice(&b)).transpose()?;
    let pkcs8 = match existing.as_ref().and_then(|v| v["device_key"]["pkcs8_b64"].as_str()) {
        Some(b64) => base64::engine::general_purpose::STANDARD.decode(b64)?,
        None => SigningKey::generate_pkcs8()?,
    };
    let fresh = build(&pkcs8)?;
    if std::env::var("MAHASIL_WRITE_VECTORS").is_ok_and(|v| v == "1") {
        std::fs::write(&file, serde_json::to_string_pretty(&fresh)? + "\n")?;
        return Ok(());
    }
    let existing = existing.ok_or_else(|| format!("{} is missing: run with MAHASIL_WRITE_VECTORS=1", file.display()))?;
    assert_eq!(without_signatures(existing.clone()), without_signatures(fresh), "vectors.json is stale: regenerate it and review the diff");
    // The stored payload texts, op hashes and signatures still hold together.
    let key = SigningKey::from_pkcs8(&pkcs8)?;
    for case in existing["cases"].as_array().ok_or("no cases")? {
        let e = &case["expect"];
        let op_id: Uuid = case["input"]["op_id"].as_str().ok_or("op_id")?.parse()?;
        let text = e["payload_text"].as_str().ok_or("payload_text")?;
        let signed = op_signed_bytes(op_id, "challan.issue", text);
        assert_eq!(e["op_signed_bytes"].as_str(), Some(String::from_utf8(signed.clone())?.as_str()));
        assert_eq!(e["op_hash"].as_str(), Some(hex::encode(mahasil_sync::signing::op_hash(op_id, "challan.issue", text)).as_str()));
        let sig = mahasil_sync::signing::from_b64u("sig", e["op_sig_by_rust"].as_str().ok_or("sig")?)?;
        assert!(key.public_key().verifies(&signed, &sig), "{}: stored op signature", case["name"]);
    }
    Ok(())
}
