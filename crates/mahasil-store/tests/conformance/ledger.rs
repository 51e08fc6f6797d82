//! Cases for the ledger postings the core writes: a CHALLAN_ISSUED transfer in the same
//! transaction as each challan, a WAIVER when one is cancelled, nothing for a challan that
//! was never stored, and a ledger that passes every invariant afterwards.

use mahasil_ledger::{Account, TransferCode};
use mahasil_store::{Actor, ChallanRecord, ChallanSealer, Store};
use uuid::Uuid;

use crate::fixtures::*;

struct RefusingSealer;

impl ChallanSealer for RefusingSealer {
    fn seal(&self, _: &ChallanRecord) -> Result<Vec<u8>, String> {
        Err("no key".into())
    }
}

async fn all_transfers(store: &Store) -> TestResult<Vec<mahasil_ledger::Transfer>> {
    Ok(store.transfers(0, 1_000).await?.into_iter().map(|s| s.transfer).collect())
}

pub async fn issue_and_cancel_post_to_the_ledger(store: Store) -> TestResult {
    let w = world(store).await?;
    let at = t0()?;
    let a = issue_one(&w, &w.officer, 1, at).await?;
    let b = issue_one(&w, &w.officer, 2, at).await?;

    let posted = w.store.challan_transfers(a.challan_no).await?;
    assert_eq!(posted.len(), 1);
    let issued = &posted[0];
    assert_eq!(
        (issued.code, issued.amount.get(), issued.challan_no, issued.at),
        (TransferCode::ChallanIssued, a.amount_paisa, Some(a.challan_no), a.received_at)
    );
    assert_eq!((issued.debit.to_string(), issued.credit.to_string()), ("receivable:DA-ENC-01:peshawar".to_string(), "revenue:DA-ENC-01:peshawar".to_string()));

    let request = w.store.request_cancellation(b.challan_no, "duplicate", &w.officer, Uuid::now_v7(), at).await?;
    let later = days_after(at, 1)?;
    w.store.decide_cancellation(request.id, true, "", &w.supervisor, later).await?;
    let b_posted = w.store.challan_transfers(b.challan_no).await?;
    assert_eq!(b_posted.iter().map(|t| t.code).collect::<Vec<_>>(), [TransferCode::ChallanIssued, TransferCode::Waiver]);
    let waiver = &b_posted[1];
    assert_eq!((waiver.amount.get(), waiver.at), (b.amount_paisa, later));
    assert_eq!(waiver.debit, Account::parse("waived:DA-ENC-01:peshawar")?);

    // A refused issue posts nothing.
    let d = draft_of(&w.store, &w.officer, ENCROACHMENT, "peshawar", 3, None, at).await?;
    let sealer: mahasil_store::Sealer = std::sync::Arc::new(RefusingSealer);
    assert!(w.store.issue_challan(&d, w.issuer, &Actor::from(&w.officer), at, &sealer).await.is_err());

    let transfers = all_transfers(&w.store).await?;
    assert_eq!(transfers.len(), 3, "two issues and one waiver");
    let terms = [mahasil_store::ledger::terms(&a)?, mahasil_store::ledger::terms(&b)?];
    assert_eq!(mahasil_ledger::check_with_terms(&transfers, &terms), vec![]);
    let paged = w.store.transfers(0, 2).await?;
    assert_eq!(paged.len(), 2);
    assert_eq!(w.store.transfers(paged[1].seq, 10).await?.len(), 1);
    Ok(())
}
