//! Cases for issuers and issuing: numbering per issuer, round trips, concurrency, and a
//! failing write that must leave nothing behind.

use std::collections::HashSet;

use mahasil_domain::challan::ChallanStatus;
use mahasil_domain::challan_no::{ChallanNo, IssuerNo};
use mahasil_domain::time::local_date;
use mahasil_store::{Actor, Store};
use uuid::Uuid;

use crate::fixtures::*;

pub async fn node_issuers(store: Store) -> TestResult {
    let a = store.node_issuer("node-a", t0()?).await?;
    let b = store.node_issuer("node-b", t0()?).await?;
    assert_eq!(store.node_issuer("node-a", t0()?).await?, a, "stable per name");
    assert_eq!(store.node_issuer("node-b", t0()?).await?, b);
    assert_ne!(a, b, "distinct per node");
    assert!(a.get() >= 100_001 && b.get() >= 100_001, "node numbers start at 100001");
    assert_eq!(store.issuer_counter(a).await?, 0);
    assert_eq!(store.issuer_counter(IssuerNo::new(999_998)?).await?, 0, "unknown issuer has used nothing");
    Ok(())
}

pub async fn issue_and_read_back(store: Store) -> TestResult {
    let w = world(store).await?;
    let at = t0()?;
    let mut issued = Vec::new();
    for n in 1..=3 {
        issued.push(issue_one(&w, &w.officer, n, at).await?);
    }
    let counters: Vec<u32> = issued.iter().map(|c| c.challan_no.counter()).collect();
    assert_eq!(counters, [1, 2, 3], "counters run 1, 2, 3 per issuer");
    for c in &issued {
        assert_eq!(c.challan_no.issuer(), w.issuer);
        assert_eq!(c.issuer_no, w.issuer);
        assert_eq!(ChallanNo::parse(&c.challan_no.to_string())?, c.challan_no, "the printed number parses back");
        assert_eq!(ChallanNo::parse(&c.challan_no.digits())?, c.challan_no);
    }
    assert_eq!(w.store.issuer_counter(w.issuer).await?, 3);

    // Another issuer counts on its own.
    let b = w.store.node_issuer("node-b", at).await?;
    let d = draft_of(&w.store, &w.officer, ENCROACHMENT, "peshawar", 4, None, at).await?;
    let other = w.store.issue_challan(&d, b, &Actor::from(&w.officer), at, &mahasil_store::testing::test_sealer()).await?;
    assert_eq!((other.challan_no.issuer(), other.challan_no.counter()), (b, 1));
    assert_eq!(w.store.count_challans().await?, 4);

    // Every field comes back as it went in.
    let first = &issued[0];
    let received = days_after(at, 1)?;
    let d = draft_of(&w.store, &w.mardan_officer, OVERCHARGING, "mardan", 6, Some(250_000), at).await?;
    let ranged = w.store.issue_challan(&d, w.issuer, &Actor::from(&w.mardan_officer), received, &mahasil_store::testing::test_sealer()).await?;
    assert_eq!((ranged.id, ranged.status, ranged.head_code.as_str(), ranged.schedule_version), (d.id, ChallanStatus::Issued, OVERCHARGING, 1));
    assert_eq!((ranged.district.as_str(), ranged.department.as_str()), ("mardan", "price-control"));
    assert_eq!((ranged.officer_id, ranged.officer_username.as_str()), (w.mardan_officer.user_id, "officer.mardan"));
    assert_eq!((ranged.amount_paisa, ranged.amount_after_due_paisa, ranged.due_date), (250_000, 275_000, d.amounts.due_date));
    assert_eq!((ranged.issued_at, ranged.received_at), (at, received));
    assert_eq!((&ranged.offender, &ranged.location), (&d.offender, &d.location));
    assert_eq!(ranged.due_date, local_date(at).checked_add(jiff::Span::new().days(30))?);
    for c in [first, &ranged] {
        assert_eq!(w.store.challan_by_no(c.challan_no).await?.as_ref(), Some(c));
        assert_eq!(w.store.challan(c.id).await?.as_ref(), Some(c));
    }
    let events = w.store.challan_events(first.id).await?;
    assert_eq!(events.len(), 1);
    assert_eq!((events[0].kind.as_str(), events[0].status, events[0].actor.as_str(), events[0].at), ("issued", ChallanStatus::Issued, "officer.peshawar", at));

    assert_eq!(w.store.challan_by_no(ChallanNo::new(w.issuer, 99)?).await?, None);
    assert_eq!(w.store.challan(Uuid::now_v7()).await?, None);
    let unknown_issuer = w.store.issue_challan(&d, IssuerNo::new(999_998)?, &Actor::from(&w.officer), at, &mahasil_store::testing::test_sealer()).await;
    assert!(is_not_found(&unknown_issuer), "{unknown_issuer:?}");
    Ok(())
}

/// Tasks issuing at once: every challan gets its own number, all are stored and readable.
pub async fn concurrent_issues(store: Store) -> TestResult {
    const TASKS: u32 = 64;
    const EACH: u32 = 8;
    let w = std::sync::Arc::new(world(store).await?);
    let mut handles = Vec::new();
    for t in 0..TASKS {
        let w = std::sync::Arc::clone(&w);
        handles.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            for i in 0..EACH {
                let c = issue_one(&w, &w.officer, t * EACH + i, t0()?).await?;
                mine.push(c);
            }
            TestResult::Ok(mine)
        }));
    }
    let mut all = Vec::new();
    for h in handles {
        all.extend(h.await??);
    }
    let numbers: HashSet<ChallanNo> = all.iter().map(|c| c.challan_no).collect();
    assert_eq!(numbers.len(), (TASKS * EACH) as usize, "every number distinct");
    let counters: HashSet<u32> = all.iter().map(|c| c.challan_no.counter()).collect();
    assert_eq!(counters, (1..=TASKS * EACH).collect::<HashSet<u32>>(), "counters without gaps");
    assert_eq!(w.store.issuer_counter(w.issuer).await?, TASKS * EACH);
    assert_eq!(w.store.count_challans().await?, u64::from(TASKS * EACH));
    for c in &all {
        assert_eq!(w.store.challan_by_no(c.challan_no).await?.as_ref(), Some(c));
    }
    Ok(())
}

/// Writes that fail inside a busy stream of writes are refused whole (their counter step
/// and audit entry undone) while the writes around them commit.
pub async fn failed_writes_leave_nothing(store: Store) -> TestResult {
    let w = std::sync::Arc::new(world(store).await?);
    let original = issue_one(&w, &w.officer, 1, t0()?).await?;
    let reused = draft_of(&w.store, &w.officer, ENCROACHMENT, "peshawar", 2, None, t0()?).await?;
    let reused = mahasil_domain::challan::ChallanDraft { id: original.id, ..reused };
    let audit_before = crate::users::all_audit(&w.store).await?.len();
    let mut handles = Vec::new();
    for t in 0..48_u32 {
        let w = std::sync::Arc::clone(&w);
        let reused = reused.clone();
        handles.push(tokio::spawn(async move {
            if t.is_multiple_of(3) {
                // Same id as a stored challan: refused after its counter was taken.
                TestResult::Ok(w.store.issue_challan(&reused, w.issuer, &Actor::from(&w.officer), t0()?, &mahasil_store::testing::test_sealer()).await)
            } else {
                let d = draft_of(&w.store, &w.officer, ENCROACHMENT, "peshawar", 100 + t, None, t0()?).await?;
                TestResult::Ok(w.store.issue_challan(&d, w.issuer, &Actor::from(&w.officer), t0()?, &mahasil_store::testing::test_sealer()).await)
            }
        }));
    }
    let mut stored = vec![original];
    let mut refused = 0;
    for h in handles {
        match h.await?? {
            Ok(c) => stored.push(c),
            Err(e) => {
                assert!(matches!(e, mahasil_store::StoreError::Conflict(_)), "{e:?}");
                refused += 1;
            }
        }
    }
    assert_eq!(refused, 16);
    let n = stored.len() as u32;
    assert_eq!(w.store.issuer_counter(w.issuer).await?, n, "refused writes took no counter");
    let counters: HashSet<u32> = stored.iter().map(|c| c.challan_no.counter()).collect();
    assert_eq!(counters, (1..=n).collect::<HashSet<u32>>());
    assert_eq!(w.store.count_challans().await?, u64::from(n));
    assert_eq!(w.store.challan_events(stored[0].id).await?.len(), 1, "no stray event on the reused id");
    assert_eq!(crate::users::all_audit(&w.store).await?.len(), audit_before + stored.len() - 1);
    assert_eq!(w.store.verify_audit().await?.first_bad, None);
    Ok(())
}

/// Issues from 64 concurrent clients, twice, and prints the rate of each round: the second
/// round runs on top of the first one's challans and should be no slower.
pub async fn issue_throughput(store: Store) -> TestResult {
    const CLIENTS: u32 = 64;
    const EACH: u32 = 250;
    let w = std::sync::Arc::new(world(store).await?);
    for round in 0..2_u32 {
        let mut drafts = Vec::new();
        for n in 0..CLIENTS * EACH {
            drafts.push(draft_of(&w.store, &w.officer, ENCROACHMENT, "peshawar", n, None, t0()?).await?);
        }
        let started = std::time::Instant::now();
        let mut handles = Vec::new();
        for chunk in drafts.chunks(EACH as usize) {
            let (w, chunk) = (std::sync::Arc::clone(&w), chunk.to_vec());
            handles.push(tokio::spawn(async move {
                let actor = Actor::from(&w.officer);
                for d in &chunk {
                    w.store.issue_challan(d, w.issuer, &actor, t0()?, &mahasil_store::testing::test_sealer()).await?;
                }
                TestResult::Ok(())
            }));
        }
        for h in handles {
            h.await??;
        }
        let elapsed = started.elapsed();
        let total = CLIENTS * EACH;
        println!(
            "{} round {round}: {total} challans from {CLIENTS} clients in {elapsed:?}: {:.0}/s",
            w.store.backend(),
            f64::from(total) / elapsed.as_secs_f64()
        );
        assert_eq!(w.store.count_challans().await?, u64::from(total * (round + 1)));
    }
    assert_eq!(w.store.verify_audit().await?.first_bad, None);
    Ok(())
}
