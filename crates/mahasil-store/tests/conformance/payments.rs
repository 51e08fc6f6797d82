//! Cases for payments: accepted once with a sealed receipt and its ledger event; the same
//! request again answers the stored payment; a reused key, a second payment, a wrong
//! amount, a blocked or unknown challan write nothing; the amount is judged as of the
//! payment's day; a reversal undoes it once; fifty identical requests at once make one.

#![expect(clippy::panic, reason = "a case fails loudly, naming the outcome, when the store answers what it must not")]

use jiff::civil::Date;
use mahasil_domain::challan::ChallanStatus;
use mahasil_domain::challan_no::ChallanNo;
use mahasil_ledger::{Channel, Clearing, TransferCode};
use mahasil_store::{Actor, ChallanRecord, NewPayment, PaymentOutcome, PaymentReversal, ReversalOutcome, Store};
use uuid::Uuid;

use crate::fixtures::*;

/// A bank's payment of `challan` (demo-bank), as a case builds it.
pub fn bank_payment(challan: &ChallanRecord, reference: &str, amount_paisa: i64, paid_on: Date, fingerprint: u8) -> TestResult<NewPayment> {
    Ok(NewPayment {
        id: Uuid::now_v7(),
        challan_no: challan.challan_no,
        clearing: Clearing { channel: Channel::Bank, holder: slug("demo-bank")? },
        reference: reference.to_string(),
        amount_paisa,
        paid_on,
        paid_at: t0()?,
        fingerprint: [fingerprint; 32],
        approved_by: None,
        taken_by: None,
        exact_amount: true,
    })
}

/// The bank's reversal of `p`.
pub fn reversal_of(p: &NewPayment, fingerprint: u8) -> PaymentReversal {
    PaymentReversal {
        channel: p.clearing.channel,
        holder: p.clearing.holder.clone(),
        reference: p.reference.clone(),
        paid_on: p.paid_on,
        challan_no: p.challan_no,
        amount_paisa: p.amount_paisa,
        fingerprint: [fingerprint; 32],
    }
}

async fn pay(w: &World, p: &NewPayment) -> TestResult<PaymentOutcome> {
    let at = days_after(t0()?, 1)?;
    Ok(w.store.record_payment(p, w.issuer, &Actor::system(), at, &mahasil_store::testing::test_receipt_signer()).await?)
}

async fn transfer_count(store: &Store) -> TestResult<usize> {
    Ok(store.transfers(0, 10_000).await?.len())
}

async fn ledger_is_clean(store: &Store, challans: &[&ChallanRecord]) -> TestResult {
    let transfers: Vec<_> = store.transfers(0, 10_000).await?.into_iter().map(|s| s.transfer).collect();
    let terms = challans.iter().map(|c| mahasil_store::ledger::terms(c)).collect::<Result<Vec<_>, _>>()?;
    assert_eq!(mahasil_ledger::check_with_terms(&transfers, &terms), vec![]);
    Ok(())
}

const PAID_ON: Date = Date::constant(2026, 3, 2);

pub async fn payment_is_taken_once_with_a_sealed_receipt(store: Store) -> TestResult {
    let w = world(store).await?;
    let c = issue_one(&w, &w.officer, 1, t0()?).await?;
    let p = bank_payment(&c, "AUTH-0001", c.amount_paisa, PAID_ON, 1)?;
    let PaymentOutcome::Accepted(paid) = pay(&w, &p).await? else { panic!("the first payment is accepted") };
    assert_eq!((paid.challan_no, paid.amount_paisa, paid.surcharge_paisa, paid.overpaid_paisa), (c.challan_no, 500_000, 0, 0));
    assert_eq!(paid.receipt_no.issuer(), w.issuer);
    assert_ne!(paid.receipt_no, c.challan_no);
    assert_eq!(paid.seal, format!("receipt:{}:{}:500000", paid.receipt_no.digits(), c.challan_no.digits()).into_bytes());
    assert_eq!(w.store.challan_by_no(c.challan_no).await?.map(|c| c.status), Some(ChallanStatus::Paid));
    assert_eq!(w.store.payment_by_receipt(paid.receipt_no).await?.as_ref(), Some(&paid));
    assert_eq!(w.store.challan_payments(c.id).await?, vec![paid.clone()]);
    let codes: Vec<_> = w.store.challan_transfers(c.challan_no).await?.iter().map(|t| (t.code, t.debit.to_string())).collect();
    assert_eq!(
        codes,
        [(TransferCode::ChallanIssued, "receivable:DA-ENC-01:peshawar".into()), (TransferCode::PaymentReceived, "clearing:bank:demo-bank".into())]
    );
    let history = w.store.challan_events(c.id).await?;
    assert_eq!(history.last().map(|e| e.status), Some(ChallanStatus::Paid));

    // The same request again: the same payment, nothing new.
    let before = transfer_count(&w.store).await?;
    assert_eq!(pay(&w, &p).await?, PaymentOutcome::Repeated(paid.clone()));
    // The same key with another request: refused, naming the stored one.
    let mut changed = p.clone();
    changed.fingerprint = [2; 32];
    assert_eq!(pay(&w, &changed).await?, PaymentOutcome::KeyReused(paid.clone()));
    // Another key for the paid challan: not taken.
    let other = bank_payment(&c, "AUTH-0002", c.amount_paisa, PAID_ON, 3)?;
    assert_eq!(pay(&w, &other).await?, PaymentOutcome::AlreadyPaid(paid.clone()));
    assert_eq!(transfer_count(&w.store).await?, before);
    assert_eq!(w.store.challan_payments(c.id).await?.len(), 1);
    ledger_is_clean(&w.store, &[&c]).await
}

pub async fn amounts_are_judged_as_of_the_payment_day(store: Store) -> TestResult {
    let w = world(store).await?;
    let c = issue_one(&w, &w.officer, 1, t0()?).await?;
    let late_day = c.due_date.checked_add(jiff::Span::new().days(1))?;
    let on_due_day = c.due_date;
    // Within the due date (its last day included) the amount; after it the amount after due.
    assert_eq!(pay(&w, &bank_payment(&c, "A1", 600_000, on_due_day, 1)?).await?, PaymentOutcome::WrongAmount { due_paisa: 500_000 });
    assert_eq!(pay(&w, &bank_payment(&c, "A2", 500_000, late_day, 1)?).await?, PaymentOutcome::WrongAmount { due_paisa: 600_000 });
    assert_eq!(transfer_count(&w.store).await?, 1, "refusals write nothing");
    // A late payment is posted at a day after its tran_date, so move the clock past it.
    let p = bank_payment(&c, "A3", 600_000, late_day, 1)?;
    let at = days_after(t0()?, 30)?;
    let PaymentOutcome::Accepted(paid) = w.store.record_payment(&p, w.issuer, &Actor::system(), at, &mahasil_store::testing::test_receipt_signer()).await?
    else {
        panic!("the amount after due is accepted after the due date")
    };
    assert_eq!(paid.surcharge_paisa, 100_000);
    let codes: Vec<_> = w.store.challan_transfers(c.challan_no).await?.iter().map(|t| (t.code, t.amount.get())).collect();
    assert_eq!(codes, [(TransferCode::ChallanIssued, 500_000), (TransferCode::Surcharge, 100_000), (TransferCode::PaymentReceived, 600_000)]);
    ledger_is_clean(&w.store, &[&c]).await
}

pub async fn blocked_and_unknown_challans_are_not_paid(store: Store) -> TestResult {
    let w = world(store).await?;
    let at = t0()?;
    let c = issue_one(&w, &w.officer, 1, at).await?;
    let request = w.store.request_cancellation(c.challan_no, "duplicate", &w.officer, Uuid::now_v7(), at).await?;
    w.store.decide_cancellation(request.id, true, "", &w.supervisor, at).await?;
    assert_eq!(pay(&w, &bank_payment(&c, "B1", 500_000, PAID_ON, 1)?).await?, PaymentOutcome::Blocked(ChallanStatus::Cancelled));
    let mut unknown = bank_payment(&c, "B2", 500_000, PAID_ON, 1)?;
    unknown.challan_no = ChallanNo::new(w.issuer, 999_999)?;
    let unknown_outcome = w.store.record_payment(&unknown, w.issuer, &Actor::system(), at, &mahasil_store::testing::test_receipt_signer()).await;
    assert!(is_not_found(&unknown_outcome), "{unknown_outcome:?}");
    let mut bad = bank_payment(&c, "", 500_000, PAID_ON, 1)?;
    assert!(pay(&w, &bad).await.is_err(), "an empty reference is refused");
    bad.reference = "B3".into();
    bad.amount_paisa = 0;
    assert!(pay(&w, &bad).await.is_err(), "a zero amount is refused");
    assert!(w.store.challan_payments(c.id).await?.is_empty());
    Ok(())
}

pub async fn a_reversal_undoes_a_payment_once(store: Store) -> TestResult {
    let w = world(store).await?;
    let c = issue_one(&w, &w.officer, 1, t0()?).await?;
    let p = bank_payment(&c, "R1", 500_000, PAID_ON, 1)?;
    let PaymentOutcome::Accepted(paid) = pay(&w, &p).await? else { panic!("accepted") };
    let at = days_after(t0()?, 2)?;
    let ReversalOutcome::Reversed(reversed) = w.store.reverse_payment(&reversal_of(&p, 9), &Actor::system(), at).await? else { panic!("reversed") };
    assert_eq!((reversed.id, reversed.reversed_at.is_some()), (paid.id, true));
    assert_eq!(w.store.challan_by_no(c.challan_no).await?.map(|c| c.status), Some(ChallanStatus::Issued));
    let codes: Vec<_> = w.store.challan_transfers(c.challan_no).await?.iter().map(|t| t.code).collect();
    assert_eq!(codes, [TransferCode::ChallanIssued, TransferCode::PaymentReceived, TransferCode::Reversal]);
    // Again: the same answer; another request for the same key: refused; nothing new.
    assert!(matches!(w.store.reverse_payment(&reversal_of(&p, 9), &Actor::system(), at).await?, ReversalOutcome::Repeated(_)));
    assert!(matches!(w.store.reverse_payment(&reversal_of(&p, 8), &Actor::system(), at).await?, ReversalOutcome::KeyReused(_)));
    let mut wrong = reversal_of(&p, 9);
    wrong.reference = "R-unknown".into();
    assert_eq!(w.store.reverse_payment(&wrong, &Actor::system(), at).await?, ReversalOutcome::Unknown);
    assert_eq!(transfer_count(&w.store).await?, 3);
    // The payment's key stays taken; a new payment with a new key settles the challan.
    assert!(matches!(pay(&w, &p).await?, PaymentOutcome::Repeated(_)));
    let again = bank_payment(&c, "R2", 500_000, PAID_ON, 2)?;
    let at = days_after(t0()?, 3)?;
    assert!(matches!(
        w.store.record_payment(&again, w.issuer, &Actor::system(), at, &mahasil_store::testing::test_receipt_signer()).await?,
        PaymentOutcome::Accepted(_)
    ));
    assert_eq!(w.store.challan_payments(c.id).await?.len(), 2);
    ledger_is_clean(&w.store, &[&c]).await
}

pub async fn fifty_identical_payments_at_once_make_one(store: Store) -> TestResult {
    let w = std::sync::Arc::new(world(store).await?);
    let c = issue_one(&w, &w.officer, 1, t0()?).await?;
    let p = bank_payment(&c, "C1", 500_000, PAID_ON, 1)?;
    let mut tasks = Vec::new();
    for _ in 0..50 {
        let (w, p) = (w.clone(), p.clone());
        tasks.push(tokio::spawn(async move { pay(&w, &p).await }));
    }
    let mut accepted = 0;
    let mut receipts = std::collections::BTreeSet::new();
    for t in tasks {
        match t.await?? {
            PaymentOutcome::Accepted(r) => {
                accepted += 1;
                receipts.insert(r.receipt_no);
            }
            PaymentOutcome::Repeated(r) => {
                receipts.insert(r.receipt_no);
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!((accepted, receipts.len()), (1, 1));
    assert_eq!(w.store.challan_payments(c.id).await?.len(), 1);
    ledger_is_clean(&w.store, &[&c]).await
}

pub async fn gateway_money_after_settlement_is_an_overpayment(store: Store) -> TestResult {
    let w = world(store).await?;
    let c = issue_one(&w, &w.officer, 1, t0()?).await?;
    let PaymentOutcome::Accepted(by_bank) = pay(&w, &bank_payment(&c, "G1", 500_000, PAID_ON, 1)?).await? else { panic!("accepted") };
    // The payer also paid online; the gateway reports it after the bank did.
    let mut online = bank_payment(&c, "gw-0001", 500_000, PAID_ON, 2)?;
    online.clearing = Clearing { channel: Channel::Gateway, holder: slug("sandbox")? };
    online.exact_amount = false;
    let PaymentOutcome::Accepted(late) = pay(&w, &online).await? else { panic!("a gateway's money is always taken") };
    assert_eq!((late.overpaid_paisa, late.is_standing(), by_bank.is_standing()), (500_000, false, true));
    assert_eq!(w.store.challan_by_no(c.challan_no).await?.map(|c| c.status), Some(ChallanStatus::Paid));
    let codes: Vec<_> = w.store.challan_transfers(c.challan_no).await?.iter().map(|t| t.code).collect();
    assert_eq!(codes, [TransferCode::ChallanIssued, TransferCode::PaymentReceived, TransferCode::Overpayment]);
    // A cancelled challan's online payment is owed back whole.
    let d = issue_one(&w, &w.officer, 2, t0()?).await?;
    let request = w.store.request_cancellation(d.challan_no, "duplicate", &w.officer, Uuid::now_v7(), t0()?).await?;
    w.store.decide_cancellation(request.id, true, "", &w.supervisor, t0()?).await?;
    let mut for_cancelled = online.clone();
    for_cancelled.challan_no = d.challan_no;
    for_cancelled.reference = "gw-0002".into();
    for_cancelled.id = Uuid::now_v7();
    let PaymentOutcome::Accepted(refundable) = pay(&w, &for_cancelled).await? else { panic!("taken") };
    assert_eq!(refundable.overpaid_paisa, 500_000);
    assert_eq!(w.store.challan_by_no(d.challan_no).await?.map(|c| c.status), Some(ChallanStatus::Cancelled));
    ledger_is_clean(&w.store, &[&c, &d]).await
}
