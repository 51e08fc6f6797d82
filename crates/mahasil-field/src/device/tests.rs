//! A device's state through issuing and answers, against its file on disk.

use mahasil_sync::signing::op_hash;
use mahasil_sync::wire::{Certificate, OpAnswer, TrustBundle};
use rand::SeedableRng;
use rand::rngs::StdRng;
use serde_json::json;

use super::*;
use crate::offenders::random_form;

type R<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

fn enrolled() -> R<Enrolled> {
    Ok(Enrolled {
        device_id: Uuid::now_v7(),
        issuer_no: 500_001,
        kid: "00".repeat(8),
        officer: "officer.peshawar".into(),
        enrolled_at: "2026-11-27T09:00:00Z".parse()?,
        certificate: Certificate {
            trust_list: TrustBundle { version: 1, authority_kid: String::new(), authority_public_key: String::new(), document: String::new() },
        },
    })
}

fn reference() -> serde_json::Value {
    let head = |code: &str, amount: serde_json::Value, after_due: serde_json::Value| {
        json!({"code": code, "kind": "fine", "department": "district-administration", "title_en": code, "title_ur": code,
            "legal_basis": "test", "account_code": "C02", "active": true,
            "schedules": [{"head": code, "version": 1, "amount": amount, "due_days": 14, "after_due": after_due, "effective_from": "2025-01-01"}]})
    };
    json!({
        "districts": [{"slug": "peshawar", "name_en": "Peshawar", "name_ur": "پشاور"}],
        "heads": [
            head("DA-ENC-01", json!({"type": "fixed", "amount_paisa": 500_000}), json!({"type": "fixed", "amount_paisa": 600_000})),
            head("PC-OVR-01", json!({"type": "range", "min_paisa": 100_000, "max_paisa": 5_000_000}), json!({"type": "surcharge_basis_points", "basis_points": 1_000})),
        ]
    })
}

fn pull_answer(cursor: &str, reference: Option<serde_json::Value>) -> R<PullAnswer> {
    Ok(serde_json::from_value(json!({
        "cursor": cursor, "server_time": "2026-11-27T09:30:00Z", "max_age_hours": 72,
        "device": {"status": "active", "issuer_no": 500_001, "last_counter_received": 0},
        "officer": {"username": "officer.peshawar", "user_id": Uuid::now_v7(), "display_name": "Officer",
                    "scope": [{"district": "peshawar", "department": "district-administration"}]},
        "reference": reference, "trust_list": null, "revocations": null
    }))?)
}

fn device(dir: &Path) -> R<Device> {
    Ok(Device::create(&dir.join("device.json"), &enrolled()?, "test phone", &SigningKey::generate_pkcs8()?, Clock::system())?)
}

fn form(device: &Device, rng: &mut StdRng) -> R<Form> {
    let pulled = &device.data().pulled;
    let (Some(reference), Some(officer)) = (&pulled.reference, &pulled.officer) else { return Err("no reference".into()) };
    Ok(random_form(rng, reference, officer, mahasil_domain::time::local_date(device.clock().now()))?)
}

#[test]
fn issuing_needs_reference_data() -> R {
    let dir = tempfile::tempdir()?;
    let mut device = device(dir.path())?;
    let mut rng = StdRng::seed_from_u64(1);
    device.apply_pull(pull_answer("c1", Some(reference()))?)?;
    let form = form(&device, &mut rng)?;
    let mut bare = Device::create(&dir.path().join("bare.json"), &enrolled()?, "bare", &SigningKey::generate_pkcs8()?, Clock::system())?;
    assert!(matches!(bare.issue(&form), Err(FieldError::CannotIssue(_))));
    assert!(bare.data().outbox.is_empty());
    Ok(())
}

#[test]
fn an_issued_challan_is_on_disk_with_its_op_and_chain_before_it_is_returned() -> R {
    let dir = tempfile::tempdir()?;
    let mut device = device(dir.path())?;
    let mut rng = StdRng::seed_from_u64(1);
    device.apply_pull(pull_answer("c1", Some(reference()))?)?;
    let mut issued = Vec::new();
    for _ in 0..3 {
        let form = form(&device, &mut rng)?;
        issued.push(device.issue(&form)?);
        let on_disk = Device::load(device.path(), Clock::system())?;
        assert_eq!(on_disk.data(), device.data(), "memory and disk agree after each challan");
    }
    let data = device.data();
    assert_eq!(data.chain.last_counter, 3);
    assert_eq!(data.outbox.len(), 3);
    assert_eq!(data.issued.iter().map(|c| c.challan_no.clone()).collect::<Vec<_>>(), issued.iter().map(|i| i.challan_no.digits()).collect::<Vec<_>>());
    assert_eq!(issued[0].payload.prev_hash, None);
    for pair in issued.windows(2) {
        let before = &pair[0].op;
        assert_eq!(pair[1].payload.prev_hash, Some(hex::encode(op_hash(before.op_id, &before.kind, &before.payload))));
    }
    assert_eq!(data.chain.head, Some(issued[2].op_hash));
    Ok(())
}

#[test]
fn a_change_whose_save_fails_is_undone_in_memory() -> R {
    let dir = tempfile::tempdir()?;
    let sub = dir.path().join("gone");
    std::fs::create_dir(&sub)?;
    let mut device = device(&sub)?;
    let mut rng = StdRng::seed_from_u64(2);
    device.apply_pull(pull_answer("c1", Some(reference()))?)?;
    let form = form(&device, &mut rng)?;
    let before = device.data().clone();
    std::fs::remove_dir_all(&sub)?;
    assert!(matches!(device.issue(&form), Err(FieldError::State { .. })));
    assert_eq!(device.data(), &before);
    assert!(device.apply_pull(pull_answer("c2", None)?).is_err());
    assert_eq!(device.data(), &before);
    Ok(())
}

#[test]
fn a_push_answer_takes_out_exactly_the_ops_it_answers() -> R {
    let dir = tempfile::tempdir()?;
    let mut device = device(dir.path())?;
    let mut rng = StdRng::seed_from_u64(3);
    device.apply_pull(pull_answer("c1", Some(reference()))?)?;
    for _ in 0..4 {
        let form = form(&device, &mut rng)?;
        device.issue(&form)?;
    }
    let ops: Vec<Uuid> = device.data().outbox.iter().map(|o| o.op_id).collect();
    let answer = |op_id, status, reason: Option<&str>| OpAnswer { op_id, status, challan_no: None, reason: reason.map(str::to_string) };
    let push = PushAnswer {
        results: vec![
            answer(ops[0], OpStatus::Accepted, None),
            answer(ops[1], OpStatus::Duplicate, None),
            answer(ops[2], OpStatus::Rejected, Some("cloned")),
            answer(Uuid::now_v7(), OpStatus::Accepted, None),
        ],
        server_time: "2026-11-27T10:00:00Z".parse()?,
        last_counter_received: 3,
        gaps: vec![],
    };
    let tally = device.apply_push(&ops, &push)?;
    assert_eq!(tally, PushTally { accepted: 1, duplicate: 1, rejected: 1 });
    let data = Device::load(device.path(), Clock::system())?.data().clone();
    assert_eq!(data.outbox.iter().map(|o| o.op_id).collect::<Vec<_>>(), vec![ops[3]]);
    assert_eq!(data.acknowledged.iter().map(|a| (a.op_id, a.status)).collect::<Vec<_>>(), vec![(ops[0], OpStatus::Accepted), (ops[1], OpStatus::Duplicate)]);
    assert_eq!(data.rejected.len(), 1);
    assert_eq!(data.rejected[0].reason, "cloned");
    assert_eq!(data.rejected[0].challan_no.as_deref(), Some(data.issued[2].challan_no.as_str()));
    assert_eq!(data.received.last_counter_received, 3);
    Ok(())
}

#[test]
fn a_pull_without_reference_data_keeps_the_cached_data_and_moves_the_cursor() -> R {
    let dir = tempfile::tempdir()?;
    let mut device = device(dir.path())?;
    device.apply_pull(pull_answer("c1", Some(reference()))?)?;
    let cached = device.data().pulled.reference.clone();
    device.apply_pull(pull_answer("c2", None)?)?;
    assert_eq!(device.data().pulled.reference, cached);
    assert_eq!(device.data().pulled.cursor.as_deref(), Some("c2"));
    let now: Timestamp = "2026-11-27T10:00:00Z".parse()?;
    assert!(!device.reference_is_stale(now));
    assert!(device.reference_is_stale("2026-12-01T10:00:00Z".parse()?));
    Ok(())
}

#[test]
fn the_server_clock_estimate_follows_the_date_header() -> R {
    let dir = tempfile::tempdir()?;
    let mut device = device(dir.path())?;
    device.set_clock(Clock::skewed_by(-3 * 86_400));
    let server_now = jiff::fmt::rfc2822::DateTimePrinter::new().timestamp_to_rfc9110_string(&Timestamp::now())?;
    device.note_server_date(Some(&server_now));
    let off = (device.server_now().as_second() - Timestamp::now().as_second()).abs();
    assert!(off <= 2, "the estimate is {off} s off");
    assert!(Timestamp::now().as_second() - device.clock().now().as_second() >= 3 * 86_400 - 1, "the device clock stays wrong");
    Ok(())
}
