//! Cases for exactly-once sync: ops stored once (a replay repeats the first answer, a
//! reused op id with other content stores nothing), remembered rejections, clones,
//! counter gaps, chain and clock flags, pushes applied op by op, and a ledger and audit
//! log that stay intact throughout.

use jiff::Timestamp;
use mahasil_domain::challan_no::ChallanNo;
use mahasil_store::{Actor, ChallanRecord, DeviceOp, DeviceRecord, FlagKind, OpResult, OpStatus, OpVerdict, Store, StoreError};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::devices::{enrol, minutes};
use crate::fixtures::*;

const KIND: &str = "challan.issue";

/// An encroachment challan in Peshawar numbered by `device` with `counter`, issued on the
/// device's clock at `issued_at` and received at `received_at`.
async fn device_challan(w: &World, device: &DeviceRecord, counter: u32, issued_at: Timestamp, received_at: Timestamp) -> TestResult<ChallanRecord> {
    let d = draft_of(&w.store, &w.officer, ENCROACHMENT, "peshawar", counter, None, issued_at).await?;
    let no = ChallanNo::new(device.issuer_no, counter)?;
    let mut c = ChallanRecord::issued(&d, no, device.issuer_no, received_at);
    c.seal = Some(format!("device-seal:{}", no.digits()).into_bytes());
    Ok(c)
}

/// The op of a challan as a device builds it: its hash over the signed bytes, chained to
/// `prev_hash`.
fn op_of(device: &DeviceRecord, challan: &ChallanRecord, prev_hash: Option<[u8; 32]>) -> DeviceOp {
    let op_id = Uuid::now_v7();
    let payload = format!(
        r#"{{"id":"{}","challan_no":"{}","issued_at":"{}","prev_hash":{}}}"#,
        challan.id,
        challan.challan_no.digits(),
        challan.issued_at,
        prev_hash.map_or_else(|| "null".to_string(), |h| format!("\"{}\"", hex::encode(h)))
    );
    let op_hash: [u8; 32] = Sha256::digest(format!("mahasil-op\n{op_id}\n{KIND}\n{payload}")).into();
    DeviceOp {
        op_id,
        device_id: device.id,
        kind: KIND.into(),
        op_hash,
        prev_hash,
        counter: Some(challan.challan_no.counter()),
        signed_payload: payload,
        sig: vec![7; 64],
        verdict: OpVerdict::Challan { challan: Box::new(challan.clone()), flags: Vec::new() },
    }
}

fn rejected_op(device: &DeviceRecord, counter: Option<u32>, reason: &str) -> DeviceOp {
    let op_id = Uuid::now_v7();
    let payload = format!(r#"{{"garbled":{}}}"#, counter.unwrap_or(0));
    DeviceOp {
        op_id,
        device_id: device.id,
        kind: KIND.into(),
        op_hash: Sha256::digest(format!("mahasil-op\n{op_id}\n{KIND}\n{payload}")).into(),
        prev_hash: None,
        counter,
        signed_payload: payload,
        sig: vec![9; 64],
        verdict: OpVerdict::Rejected { reason: reason.into() },
    }
}

async fn apply(w: &World, op: &DeviceOp, at: Timestamp) -> TestResult<OpResult> {
    Ok(w.store.apply_device_op(op, &Actor::from(&w.officer), at).await?)
}

/// Applies the op of `counter` chained to `prev_hash`, expecting it accepted; returns its
/// challan and op.
async fn accept(w: &World, device: &DeviceRecord, counter: u32, issued_at: Timestamp, prev_hash: Option<[u8; 32]>) -> TestResult<(ChallanRecord, DeviceOp)> {
    let received = minutes(t0()?, 600)?;
    let c = device_challan(w, device, counter, issued_at, received).await?;
    let op = op_of(device, &c, prev_hash);
    let result = apply(w, &op, received).await?;
    assert_eq!(result, OpResult { op_id: op.op_id, status: OpStatus::Accepted, challan_no: Some(c.challan_no), reason: None });
    Ok((c, op))
}

async fn flag_kinds(w: &World, device: &DeviceRecord) -> TestResult<Vec<FlagKind>> {
    Ok(w.store.device_flags(device.id, 100).await?.into_iter().map(|f| f.kind).collect())
}

/// Every transfer passes the ledger's invariants against the terms of every stored
/// challan, and the audit chain verifies: what `mahasil ledger check` and `mahasil audit
/// verify` look at.
async fn ledger_and_audit_intact(store: &Store, challans: &[&ChallanRecord]) -> TestResult {
    let transfers: Vec<_> = store.transfers(0, 10_000).await?.into_iter().map(|s| s.transfer).collect();
    let terms = challans.iter().map(|c| mahasil_store::ledger::terms(c)).collect::<Result<Vec<_>, _>>()?;
    assert_eq!(mahasil_ledger::check_with_terms(&transfers, &terms), vec![]);
    let balances = mahasil_ledger::Balances::from_transfers(&transfers)?;
    assert!(balances.trial_balance().is_balanced());
    for c in challans {
        assert_eq!(balances.challan(c.challan_no).map(|b| b.outstanding_paisa), Some(c.amount_paisa), "{} owes its amount", c.challan_no);
    }
    assert_eq!(store.verify_audit().await?.first_bad, None);
    Ok(())
}

pub async fn an_op_is_stored_once(store: Store) -> TestResult {
    let w = world(store).await?;
    let device = enrol(&w, 1).await?;
    let node_challan = issue_one(&w, &w.officer, 50, t0()?).await?;
    let (c, op) = accept(&w, &device, 1, t0()?, None).await?;

    let stored = w.store.challan_by_no(c.challan_no).await?.ok_or("the challan is stored")?;
    assert_eq!(stored, c, "stored as the device numbered, sealed and dated it");
    assert_eq!(w.store.challan(c.id).await?.as_ref(), Some(&c));
    assert_eq!(w.store.issuer_counter(device.issuer_no).await?, 1);
    let events = w.store.challan_events(c.id).await?;
    assert_eq!(events.iter().map(|e| e.kind.as_str()).collect::<Vec<_>>(), ["issued"]);

    // The same op again: the stored answer, and nothing new.
    let audit_before = crate::users::all_audit(&w.store).await?.len();
    for _ in 0..3 {
        assert_eq!(
            apply(&w, &op, minutes(t0()?, 700)?).await?,
            OpResult { op_id: op.op_id, status: OpStatus::Duplicate, challan_no: Some(c.challan_no), reason: None }
        );
    }
    assert_eq!(w.store.count_challans().await?, 2);
    assert_eq!(w.store.challan_transfers(c.challan_no).await?.len(), 1, "one CHALLAN_ISSUED");
    assert_eq!(w.store.challan_events(c.id).await?.len(), 1);
    assert_eq!(crate::users::all_audit(&w.store).await?.len(), audit_before);

    // The same op id with other content: rejected, flagged, nothing else stored.
    let other = device_challan(&w, &device, 2, t0()?, t0()?).await?;
    let reused = DeviceOp { op_id: op.op_id, ..op_of(&device, &other, Some(op.op_hash)) };
    let answer = apply(&w, &reused, minutes(t0()?, 701)?).await?;
    assert_eq!(answer.status, OpStatus::Rejected);
    assert_eq!(answer.reason.as_deref(), Some(format!("op {} was already used for different content", op.op_id).as_str()));
    assert_eq!(answer.challan_no, None);
    let flags = w.store.device_flags(device.id, 10).await?;
    assert_eq!(flags.iter().map(|f| (f.kind, f.op_id)).collect::<Vec<_>>(), [(FlagKind::OpIdReused, Some(op.op_id))]);
    assert_eq!(w.store.count_challans().await?, 2);
    assert_eq!(w.store.challan_by_no(other.challan_no).await?, None);
    assert_eq!(w.store.issuer_counter(device.issuer_no).await?, 1);
    // The original answer still stands.
    assert_eq!(apply(&w, &op, minutes(t0()?, 702)?).await?.status, OpStatus::Duplicate);

    let after = w.store.device(device.id).await?.ok_or("device")?;
    assert_eq!(after.last_counter_received, 1);
    let audit = crate::users::all_audit(&w.store).await?;
    let entry = audit.iter().find(|e| e.action == "challan.issue" && e.entity == format!("challan:{}", c.challan_no)).ok_or("audited")?;
    assert_eq!((entry.actor_id, entry.actor.as_str()), (Some(w.officer.user_id), "officer.peshawar"), "the officer issued it");
    let after_json: serde_json::Value = serde_json::from_str(&entry.after)?;
    assert_eq!(after_json["device"], serde_json::Value::String(device.id.to_string()), "from the device");
    assert_eq!(after_json["challan_no"], serde_json::to_value(c.challan_no)?);
    ledger_and_audit_intact(&w.store, &[&node_challan, &c]).await
}

pub async fn rejections_are_remembered(store: Store) -> TestResult {
    let w = world(store).await?;
    let device = enrol(&w, 1).await?;
    let op = rejected_op(&device, Some(2), "the seal does not verify");
    let first = apply(&w, &op, t0()?).await?;
    assert_eq!(first, OpResult { op_id: op.op_id, status: OpStatus::Rejected, challan_no: None, reason: Some("the seal does not verify".into()) });
    // A replay gets the stored answer, whatever the server would judge now.
    let c = device_challan(&w, &device, 2, t0()?, t0()?).await?;
    let replay = DeviceOp { verdict: OpVerdict::Challan { challan: Box::new(c.clone()), flags: Vec::new() }, ..op.clone() };
    assert_eq!(apply(&w, &replay, minutes(t0()?, 5)?).await?, first);
    assert_eq!(apply(&w, &op, minutes(t0()?, 6)?).await?, first);
    assert_eq!(w.store.challan_by_no(c.challan_no).await?, None);
    assert_eq!(w.store.count_challans().await?, 0);
    assert_eq!(w.store.device_flags(device.id, 10).await?, vec![], "a rejection alone raises no flag");

    let unreadable = rejected_op(&device, None, "the payload is not JSON");
    assert_eq!(apply(&w, &unreadable, t0()?).await?.reason.as_deref(), Some("the payload is not JSON"));
    let summary = w.store.devices().await?.into_iter().next().ok_or("listed")?;
    assert_eq!((summary.challans_received, summary.missing_counters, summary.flags), (0, 0, 0));

    let unknown = DeviceOp { device_id: Uuid::now_v7(), ..rejected_op(&device, Some(1), "x") };
    let refused = w.store.apply_device_op(&unknown, &Actor::from(&w.officer), t0()?).await;
    assert!(is_not_found(&refused), "{refused:?}");
    Ok(())
}

pub async fn a_second_challan_with_a_number_marks_the_device_cloned(store: Store) -> TestResult {
    let w = world(store).await?;
    let device = enrol(&w, 1).await?;
    let (c, op) = accept(&w, &device, 1, t0()?, None).await?;

    // Another challan (another id) with the same issuer number and counter.
    let twin = device_challan(&w, &device, 1, minutes(t0()?, 3)?, t0()?).await?;
    assert_ne!(twin.id, c.id);
    let twin_op = op_of(&device, &twin, None);
    let answer = apply(&w, &twin_op, minutes(t0()?, 10)?).await?;
    let expected = format!("challan number {} is already held by another challan: this device is marked cloned", c.challan_no);
    assert_eq!(answer, OpResult { op_id: twin_op.op_id, status: OpStatus::Rejected, challan_no: None, reason: Some(expected.clone()) });
    let marked = w.store.device(device.id).await?.ok_or("device")?;
    assert!(marked.cloned);
    let flags = w.store.device_flags(device.id, 10).await?;
    assert_eq!(flags.len(), 1);
    assert_eq!((flags[0].kind, flags[0].op_id, flags[0].challan_no), (FlagKind::Cloned, Some(twin_op.op_id), Some(c.challan_no)));
    assert!(flags[0].detail.contains(&c.id.to_string()) && flags[0].detail.contains(&twin.id.to_string()), "{}", flags[0].detail);
    assert_eq!(flags[0].at, minutes(t0()?, 10)?);
    assert_eq!(w.store.challan_by_no(c.challan_no).await?.map(|s| s.id), Some(c.id), "the first challan keeps its number");
    assert_eq!(apply(&w, &twin_op, minutes(t0()?, 11)?).await?.reason, Some(expected), "a replay repeats the rejection");

    // The same challan sent again in a new op: rejected, naming the op that brought it.
    let resent = op_of(&device, &c, None);
    let answer = apply(&w, &resent, minutes(t0()?, 12)?).await?;
    assert_eq!(answer.status, OpStatus::Rejected);
    assert_eq!(answer.reason, Some(format!("challan {} was already received in op {}", c.id, op.op_id)));
    // A challan reusing the id of a node's challan, under a new number.
    let node_challan = issue_one(&w, &w.officer, 9, t0()?).await?;
    let impostor = ChallanRecord { id: node_challan.id, ..device_challan(&w, &device, 2, t0()?, t0()?).await? };
    let answer = apply(&w, &op_of(&device, &impostor, Some(op.op_hash)), minutes(t0()?, 13)?).await?;
    assert_eq!(answer.reason, Some(format!("challan {} is already stored as {}", node_challan.id, node_challan.challan_no)));

    assert_eq!(w.store.count_challans().await?, 2);
    assert_eq!(flag_kinds(&w, &device).await?, [FlagKind::Cloned], "only the clone is flagged");
    assert!(w.store.device(device.id).await?.ok_or("device")?.cloned, "a cloned device stays marked");
    let summary = w.store.devices().await?.into_iter().next().ok_or("listed")?;
    assert_eq!((summary.challans_received, summary.flags), (1, 1));
    ledger_and_audit_intact(&w.store, &[&c, &node_challan]).await
}

pub async fn gaps_are_the_counters_nobody_claimed(store: Store) -> TestResult {
    let w = world(store).await?;
    let device = enrol(&w, 1).await?;
    let quiet = enrol(&w, 2).await?;
    assert_eq!(w.store.device_gaps(device.id, 10).await?, vec![]);
    let mut stored = Vec::new();
    let mut prev = None;
    for counter in [1, 2, 5, 9] {
        // Each names the op before it, as a device does across the counters it lost.
        let (c, op) = accept(&w, &device, counter, minutes(t0()?, i64::from(counter))?, prev).await?;
        prev = Some(op.op_hash);
        stored.push(c);
    }
    assert_eq!(w.store.device_gaps(device.id, 10).await?, vec![(3, 4), (6, 8)]);
    assert_eq!(w.store.device_gaps(device.id, 1).await?, vec![(3, 4)], "at most `limit` ranges, oldest first");
    assert_eq!(w.store.device(device.id).await?.ok_or("device")?.last_counter_received, 9);
    assert_eq!(w.store.issuer_counter(device.issuer_no).await?, 9);
    let summaries = w.store.devices().await?;
    let summary = summaries.iter().find(|s| s.device.id == device.id).ok_or("listed")?;
    assert_eq!((summary.challans_received, summary.missing_counters, summary.flags), (4, 5, 0));
    let quiet_summary = summaries.iter().find(|s| s.device.id == quiet.id).ok_or("listed")?;
    assert_eq!((quiet_summary.challans_received, quiet_summary.missing_counters, quiet_summary.flags), (0, 0, 0));

    // A rejected op claimed counter 3: it is accounted for, not missing.
    apply(&w, &rejected_op(&device, Some(3), "amount out of range"), t0()?).await?;
    // A counter claimed beyond the highest accepted one is no gap yet.
    apply(&w, &rejected_op(&device, Some(20), "bad seal"), t0()?).await?;
    assert_eq!(w.store.device_gaps(device.id, 10).await?, vec![(4, 4), (6, 8)]);
    // An earlier counter arriving late fills its place; the highest does not move back.
    stored.push(accept(&w, &device, 7, minutes(t0()?, 7)?, None).await?.0);
    assert_eq!(w.store.device_gaps(device.id, 10).await?, vec![(4, 4), (6, 6), (8, 8)]);
    assert_eq!(w.store.issuer_counter(device.issuer_no).await?, 9);
    let summary = w.store.devices().await?.into_iter().find(|s| s.device.id == device.id).ok_or("listed")?;
    assert_eq!((summary.challans_received, summary.missing_counters, summary.device.last_counter_received), (5, 3, 9));
    assert_eq!(w.store.device_gaps(quiet.id, 10).await?, vec![]);
    // A device whose first challans to arrive are 3 and 6 lacks 1 and 2 as well.
    let late = enrol(&w, 3).await?;
    stored.push(accept(&w, &late, 3, t0()?, None).await?.0);
    stored.push(accept(&w, &late, 6, t0()?, None).await?.0);
    assert_eq!(w.store.device_gaps(late.id, 10).await?, vec![(1, 2), (4, 5)]);
    assert_eq!(w.store.device_gaps(late.id, 1).await?, vec![(1, 2)]);
    let unknown = w.store.device_gaps(Uuid::now_v7(), 10).await;
    assert!(is_not_found(&unknown), "{unknown:?}");
    ledger_and_audit_intact(&w.store, &stored.iter().collect::<Vec<_>>()).await
}

pub async fn broken_chains_and_clocks_are_flagged(store: Store) -> TestResult {
    let w = world(store).await?;
    let device = enrol(&w, 1).await?;
    let t = t0()?;
    // A sound chain raises nothing, whatever order its ops arrive in.
    let (_, op1) = accept(&w, &device, 1, minutes(t, 1)?, None).await?;
    let c3 = device_challan(&w, &device, 3, minutes(t, 3)?, t).await?;
    let c2 = device_challan(&w, &device, 2, minutes(t, 2)?, t).await?;
    let op2 = op_of(&device, &c2, Some(op1.op_hash));
    let op3 = op_of(&device, &c3, Some(op2.op_hash));
    assert_eq!(apply(&w, &op3, t).await?.status, OpStatus::Accepted);
    assert_eq!(apply(&w, &op2, t).await?.status, OpStatus::Accepted);
    assert_eq!(w.store.device_flags(device.id, 10).await?, vec![]);

    // Counter 4 names a prev_hash that is not op 3's hash.
    let (c4, op4) = accept(&w, &device, 4, minutes(t, 4)?, Some([0xAB; 32])).await?;
    let flags = w.store.device_flags(device.id, 10).await?;
    assert_eq!(flags.iter().map(|f| (f.kind, f.op_id, f.challan_no)).collect::<Vec<_>>(), [(FlagKind::ChainBroken, Some(op4.op_id), Some(c4.challan_no))]);
    assert!(flags[0].detail.contains(&hex::encode(op3.op_hash)), "{}", flags[0].detail);

    // The successor arrives first naming a predecessor hash that the predecessor, arriving
    // later, does not have: the successor's link is the broken one.
    let c6 = device_challan(&w, &device, 6, minutes(t, 6)?, t).await?;
    let op6 = op_of(&device, &c6, Some([0xCD; 32]));
    assert_eq!(apply(&w, &op6, t).await?.status, OpStatus::Accepted);
    let c5 = device_challan(&w, &device, 5, minutes(t, 5)?, t).await?;
    let op5 = op_of(&device, &c5, Some(op4.op_hash));
    assert_eq!(apply(&w, &op5, t).await?.status, OpStatus::Accepted);
    let newest = w.store.device_flags(device.id, 1).await?;
    assert_eq!(newest.iter().map(|f| (f.kind, f.op_id, f.challan_no)).collect::<Vec<_>>(), [(FlagKind::ChainBroken, Some(op6.op_id), Some(c6.challan_no))]);

    // Counter 7 is dated before counter 6.
    let (c7, op7) = accept(&w, &device, 7, minutes(t, 5)?, Some(op6.op_hash)).await?;
    let newest = w.store.device_flags(device.id, 1).await?;
    assert_eq!(newest.iter().map(|f| (f.kind, f.op_id, f.challan_no)).collect::<Vec<_>>(), [(FlagKind::ClockWentBack, Some(op7.op_id), Some(c7.challan_no))]);

    // Counter 9 arrives first; its predecessor 8, arriving later, is dated after it.
    let c9 = device_challan(&w, &device, 9, minutes(t, 8)?, t).await?;
    let c8 = device_challan(&w, &device, 8, minutes(t, 30)?, t).await?;
    let op8 = op_of(&device, &c8, Some(op7.op_hash));
    let op9 = op_of(&device, &c9, Some(op8.op_hash));
    assert_eq!(apply(&w, &op9, t).await?.status, OpStatus::Accepted);
    assert_eq!(apply(&w, &op8, t).await?.status, OpStatus::Accepted);
    let newest = w.store.device_flags(device.id, 1).await?;
    assert_eq!(newest.iter().map(|f| (f.kind, f.op_id, f.challan_no)).collect::<Vec<_>>(), [(FlagKind::ClockWentBack, Some(op9.op_id), Some(c9.challan_no))]);

    // The server's own findings travel with the verdict.
    let c10 = device_challan(&w, &device, 10, minutes(t, 900)?, t).await?;
    let mut op10 = op_of(&device, &c10, Some(op9.op_hash));
    op10.verdict = OpVerdict::Challan { challan: Box::new(c10.clone()), flags: vec![(FlagKind::ClockAhead, "dated 15 h after it arrived".into())] };
    assert_eq!(apply(&w, &op10, t).await?.status, OpStatus::Accepted);
    let all = w.store.device_flags(device.id, 100).await?;
    assert_eq!(
        all.iter().map(|f| f.kind).collect::<Vec<_>>(),
        [FlagKind::ClockAhead, FlagKind::ClockWentBack, FlagKind::ClockWentBack, FlagKind::ChainBroken, FlagKind::ChainBroken],
        "newest first"
    );
    assert_eq!((all[0].detail.as_str(), all[0].op_id, all[0].device_id), ("dated 15 h after it arrived", Some(op10.op_id), device.id));
    assert_eq!(w.store.device_flags(Uuid::now_v7(), 10).await?, vec![]);
    let summary = w.store.devices().await?.into_iter().next().ok_or("listed")?;
    assert_eq!((summary.challans_received, summary.missing_counters, summary.flags), (10, 0, 5));
    Ok(())
}

pub async fn a_push_is_applied_op_by_op_in_order(store: Store) -> TestResult {
    let w = world(store).await?;
    let device = enrol(&w, 1).await?;
    let t = t0()?;
    let c1 = device_challan(&w, &device, 1, t, t).await?;
    let op1 = op_of(&device, &c1, None);
    let c2 = device_challan(&w, &device, 2, minutes(t, 1)?, t).await?;
    let op2 = op_of(&device, &c2, Some(op1.op_hash));
    let bad = rejected_op(&device, Some(3), "the seal does not verify");
    let unknown = DeviceOp { device_id: Uuid::now_v7(), ..rejected_op(&device, Some(4), "x") };
    // The same op twice in one push: stored once, the second answered as a duplicate.
    let push = vec![op1.clone(), op2.clone(), op1.clone(), bad.clone(), unknown];
    let answers = w.store.apply_device_ops(push, &Actor::from(&w.officer), t).await?;
    assert_eq!(answers.len(), 5);
    let statuses: Vec<_> = answers.iter().take(4).map(|a| a.as_ref().map(|r| (r.op_id, r.status)).ok()).collect();
    assert_eq!(
        statuses,
        [
            Some((op1.op_id, OpStatus::Accepted)),
            Some((op2.op_id, OpStatus::Accepted)),
            Some((op1.op_id, OpStatus::Duplicate)),
            Some((bad.op_id, OpStatus::Rejected))
        ]
    );
    assert!(matches!(answers[4], Err(StoreError::NotFound(_))), "one op's failure is its own: {:?}", answers[4]);
    assert_eq!(w.store.count_challans().await?, 2);
    assert_eq!(w.store.device_flags(device.id, 10).await?, vec![], "a sound chain within one push");
    assert_eq!(w.store.apply_device_ops(Vec::new(), &Actor::from(&w.officer), t).await?.len(), 0);
    let too_many = vec![bad; mahasil_store::devices::MAX_OPS_PER_PUSH + 1];
    let refused = w.store.apply_device_ops(too_many, &Actor::from(&w.officer), t).await;
    assert!(is_domain(&refused), "{:?}", refused.map(|a| a.len()));
    ledger_and_audit_intact(&w.store, &[&c1, &c2]).await
}

/// Pushes from 64 devices at once, each its own chain in pushes of 250 ops (as the
/// server applies a push: its ops queued together), and prints the rate of ops accepted;
/// then pushes them all again and prints the rate of duplicates.
pub async fn device_op_throughput(store: Store) -> TestResult {
    const DEVICES: u32 = 64;
    const PUSHES: u32 = 2;
    const PUSH_OPS: u32 = 250;
    let w = std::sync::Arc::new(world(store).await?);
    let mut devices = Vec::new();
    for n in 0..DEVICES {
        let device = enrol(&w, n).await?;
        let mut pushes = Vec::new();
        let mut prev = None;
        for p in 0..PUSHES {
            let mut ops = Vec::new();
            for counter in p * PUSH_OPS + 1..=(p + 1) * PUSH_OPS {
                let c = device_challan(&w, &device, counter, t0()?, t0()?).await?;
                let op = op_of(&device, &c, prev);
                prev = Some(op.op_hash);
                ops.push(op);
            }
            pushes.push(ops);
        }
        devices.push(pushes);
    }
    for (round, expected) in [(0, OpStatus::Accepted), (1, OpStatus::Duplicate)] {
        let started = std::time::Instant::now();
        let mut handles = Vec::new();
        for pushes in devices.clone() {
            let w = std::sync::Arc::clone(&w);
            handles.push(tokio::spawn(async move {
                for ops in &pushes {
                    for answer in w.store.apply_device_ops(ops.clone(), &Actor::from(&w.officer), t0()?).await? {
                        assert_eq!(answer?.status, expected);
                    }
                }
                TestResult::Ok(())
            }));
        }
        for h in handles {
            h.await??;
        }
        let elapsed = started.elapsed();
        let total = DEVICES * PUSHES * PUSH_OPS;
        println!("{} round {round}: {total} ops from {DEVICES} devices in {elapsed:?}: {:.0}/s", w.store.backend(), f64::from(total) / elapsed.as_secs_f64());
    }
    assert_eq!(w.store.count_challans().await?, u64::from(DEVICES * PUSHES * PUSH_OPS));
    assert_eq!(w.store.device_flags(devices[0][0][0].device_id, 10).await?, vec![]);
    assert_eq!(w.store.verify_audit().await?.first_bad, None);
    Ok(())
}

/// Sync ops and device flags are never changed or removed, and a device is never removed
/// nor its identity, revocation or cloned mark undone, even by SQL behind the store's back;
/// old nonces may go.
pub async fn sqlite_device_history_is_append_only() -> TestResult {
    let (store, dir) = mahasil_store::testing::fresh_sqlite().await?;
    let w = world(store).await?;
    let device = enrol(&w, 1).await?;
    let (c, op) = accept(&w, &device, 1, t0()?, None).await?;
    let twin = device_challan(&w, &device, 1, t0()?, t0()?).await?;
    assert_eq!(apply(&w, &op_of(&device, &twin, None), t0()?).await?.status, OpStatus::Rejected, "a clone, flagged");
    w.store.revoke_device(device.id, t0()?, "lost", &w.admin, t0()?).await?;
    assert!(w.store.claim_sync_nonce(device.id, "nonce", t0()?).await?);
    let conn = rusqlite::Connection::open(mahasil_store::testing::sqlite_file(dir.path()))?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    for sql in [
        "UPDATE sync_ops SET reason = 'changed'",
        "DELETE FROM sync_ops",
        "UPDATE device_flags SET detail = 'changed'",
        "DELETE FROM device_flags",
        "DELETE FROM devices",
        "UPDATE devices SET kid = '0000000000000000'",
        "UPDATE devices SET status = 'active', revoked_at = NULL, compromised_from = NULL, revoke_reason = NULL",
        "UPDATE devices SET revoke_reason = 'rewritten'",
        "UPDATE devices SET cloned = 0",
    ] {
        assert!(conn.execute(sql, []).is_err(), "{sql} must be refused");
    }
    assert_eq!(conn.execute("DELETE FROM sync_nonces", [])?, 1, "nonces may be forgotten");
    assert_eq!(w.store.apply_device_op(&op, &Actor::from(&w.officer), t0()?).await?.challan_no, Some(c.challan_no), "the first answer stands");
    Ok(())
}
