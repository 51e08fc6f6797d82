//! Cases for seals: every issued challan is stored with the seal its sealer made (and a
//! sealer that fails stores nothing), trust list versions are appended one at a time, and
//! a cancelled challan joins the revocation list in the cancelling transaction.

use std::sync::Arc;

use mahasil_domain::authz::Principal;
use mahasil_store::testing::test_sealer;
use mahasil_store::{Actor, ChallanRecord, ChallanSealer, Store, TrustListRecord};
use uuid::Uuid;

use crate::fixtures::*;

struct RefusingSealer;

impl ChallanSealer for RefusingSealer {
    fn seal(&self, _: &ChallanRecord) -> Result<Vec<u8>, String> {
        Err("the signing key is unreadable".into())
    }
}

fn expected_seal(c: &ChallanRecord) -> Vec<u8> {
    format!("seal:{}:{}:{}", c.challan_no.digits(), c.amount_paisa, c.amount_after_due_paisa).into_bytes()
}

pub async fn challans_are_stored_sealed(store: Store) -> TestResult {
    let w = world(store).await?;
    let at = t0()?;
    let c = issue_one(&w, &w.officer, 1, at).await?;
    assert_eq!(c.seal, Some(expected_seal(&c)), "the returned record carries its seal");
    let stored = w.store.challan_by_no(c.challan_no).await?.ok_or("challan missing")?;
    assert_eq!(stored.seal, Some(expected_seal(&c)), "the stored row carries the same seal");
    assert_eq!(w.store.challan(c.id).await?.and_then(|r| r.seal), Some(expected_seal(&c)));

    let count_before = w.store.count_challans().await?;
    let counter_before = w.store.issuer_counter(w.issuer).await?;
    let d = draft_of(&w.store, &w.officer, ENCROACHMENT, "peshawar", 2, None, at).await?;
    let refused = w.store.issue_challan(&d, w.issuer, &Actor::from(&w.officer), at, &(Arc::new(RefusingSealer) as mahasil_store::Sealer)).await;
    assert!(matches!(&refused, Err(e) if e.to_string().contains("could not be sealed")), "{refused:?}");
    assert_eq!(w.store.count_challans().await?, count_before, "an unsealed challan is never stored");
    assert_eq!(w.store.issuer_counter(w.issuer).await?, counter_before, "nor is its number used up");
    // The same draft issues once a sealer works.
    let issued = w.store.issue_challan(&d, w.issuer, &Actor::from(&w.officer), at, &test_sealer()).await?;
    assert_eq!(issued.challan_no.counter(), counter_before + 1);
    Ok(())
}

pub async fn trust_list_versions(store: Store) -> TestResult {
    let at = t0()?;
    assert_eq!(store.latest_trust_list().await?, None);
    let v1 = TrustListRecord { version: 1, document: b"signed list one".to_vec(), created_at: at };
    let skipping = TrustListRecord { version: 3, ..v1.clone() };
    assert!(is_conflict(&store.put_trust_list(&skipping, &Actor::system()).await), "versions do not skip");
    let zero = TrustListRecord { version: 0, ..v1.clone() };
    assert!(is_conflict(&store.put_trust_list(&zero, &Actor::system()).await), "the first version is 1");
    store.put_trust_list(&v1, &Actor::system()).await?;
    assert!(is_conflict(&store.put_trust_list(&v1, &Actor::system()).await), "a version is stored once");
    let v2 = TrustListRecord { version: 2, document: b"signed list two".to_vec(), created_at: days_after(at, 1)? };
    store.put_trust_list(&v2, &Actor::system()).await?;
    assert_eq!(store.latest_trust_list().await?, Some(v2));
    let audit = store.audit_entries(0, 100).await?;
    let published: Vec<&str> = audit.iter().filter(|e| e.action == "trust_list.publish").map(|e| e.entity.as_str()).collect();
    assert_eq!(published, ["trust_list:1", "trust_list:2"]);
    assert_eq!(store.verify_audit().await?.first_bad, None);
    Ok(())
}

async fn cancel(w: &World, c: &ChallanRecord, supervisor: &Principal, at: jiff::Timestamp) -> TestResult {
    let request = w.store.request_cancellation(c.challan_no, "duplicate", &w.officer, Uuid::now_v7(), at).await?;
    w.store.decide_cancellation(request.id, true, "", supervisor, at).await?;
    Ok(())
}

pub async fn cancellations_are_revoked(store: Store) -> TestResult {
    let w = world(store).await?;
    let at = t0()?;
    let later = days_after(at, 2)?;
    let a = issue_one(&w, &w.officer, 1, at).await?;
    let b = issue_one(&w, &w.officer, 2, at).await?;
    let c = issue_one(&w, &w.officer, 3, at).await?;
    assert!(w.store.revocations(0, 100).await?.is_empty());
    assert_eq!(w.store.last_revocation_seq().await?, 0);

    // A rejected request and an upheld contest revoke nothing.
    let request = w.store.request_cancellation(a.challan_no, "typo", &w.officer, Uuid::now_v7(), at).await?;
    w.store.decide_cancellation(request.id, false, "", &w.supervisor, at).await?;
    let upheld = w.store.record_contest(c.challan_no, "not me", &w.officer, Uuid::now_v7(), at).await?;
    w.store.decide_contest(upheld.id, true, "", &w.supervisor, at).await?;
    assert!(w.store.revocations(0, 100).await?.is_empty());

    cancel(&w, &b, &w.supervisor, at).await?;
    let quash = w.store.record_contest(c.challan_no, "new evidence", &w.officer, Uuid::now_v7(), later).await?;
    w.store.decide_contest(quash.id, false, "", &w.supervisor, later).await?;
    let all = w.store.revocations(0, 100).await?;
    assert_eq!(all.iter().map(|r| (r.challan_no, r.revoked_at)).collect::<Vec<_>>(), [(b.challan_no, at), (c.challan_no, later)], "in cancellation order");
    assert!(all[0].seq < all[1].seq);
    assert_eq!(w.store.revocations(all[0].seq, 100).await?, all[1..].to_vec(), "only those after the given version");
    assert_eq!(w.store.revocations(0, 1).await?, all[..1].to_vec(), "at most the limit");
    assert!(w.store.revocations(all[1].seq, 100).await?.is_empty());
    assert_eq!(w.store.last_revocation_seq().await?, all[1].seq);
    Ok(())
}
