//! Cases for the treasury: counter payments need a second treasury user; online payments
//! are kept and listed for re-checking; a statement import deposits matched payments and
//! puts unidentified credits in suspense, once, and only after the previous statement;
//! citizens' contests are recorded under the portal account.

#![expect(clippy::panic, reason = "a case fails loudly, naming the outcome, when the store answers what it must not")]

use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use mahasil_domain::challan::ChallanStatus;
use mahasil_ledger::TransferCode;
use mahasil_store::{
    Actor, CounterDecision, CounterPayment, CounterStatus, ImportOutcome, OnlinePayment, OnlineStatus, PaymentOutcome, StatementImport, StatementRecord, Store,
};
use uuid::Uuid;

use crate::fixtures::*;
use crate::payments::bank_payment;

fn actor(name: &str) -> Actor {
    Actor { user_id: None, username: name.into() }
}

async fn ledger_is_clean(store: &Store) -> TestResult {
    let transfers: Vec<_> = store.transfers(0, 10_000).await?.into_iter().map(|s| s.transfer).collect();
    assert_eq!(mahasil_ledger::check(&transfers), vec![]);
    Ok(())
}

pub async fn counter_payments_need_a_second_treasury_user(store: Store) -> TestResult {
    let w = world(store).await?;
    let c = issue_one(&w, &w.officer, 1, t0()?).await?;
    let request = CounterPayment {
        id: Uuid::now_v7(),
        challan_id: c.id,
        challan_no: c.challan_no,
        district: c.district.clone(),
        amount_paisa: 500_000,
        payer_name: "Sher Ali".into(),
        reference: "RB-0042".into(),
        paid_on: Date::constant(2026, 3, 2),
        requested_by: "treasury.one".into(),
        requested_at: days_after(t0()?, 1)?,
        status: CounterStatus::Pending,
        decided_by: None,
        decided_at: None,
        note: None,
        receipt_no: None,
    };
    w.store.request_counter_payment(&request, &actor("treasury.one")).await?;
    assert_eq!(w.store.pending_counter_payments(None, 10).await?.len(), 1);
    assert_eq!(w.store.pending_counter_payments(Some(vec![slug("mardan")?]), 10).await?.len(), 0);
    let at = days_after(t0()?, 1)?;
    let signer = mahasil_store::testing::test_receipt_signer();
    let own = w
        .store
        .decide_counter_payment(&CounterDecision { id: request.id, approve: true, note: "".into() }, &actor("treasury.one"), w.issuer, at, &signer)
        .await;
    assert!(is_conflict(&own), "the maker never approves: {own:?}");
    assert_eq!(w.store.challan_payments(c.id).await?.len(), 0);
    let approved = w
        .store
        .decide_counter_payment(&CounterDecision { id: request.id, approve: true, note: "cash counted".into() }, &actor("treasury.two"), w.issuer, at, &signer)
        .await?;
    assert_eq!((approved.status, approved.decided_by.as_deref()), (CounterStatus::Approved, Some("treasury.two")));
    let payments = w.store.challan_payments(c.id).await?;
    assert_eq!(payments.len(), 1);
    assert_eq!(
        (payments[0].recorded_by.as_str(), mahasil_ledger::Account::Clearing(payments[0].clearing()).to_string()),
        ("treasury.one", "clearing:counter:peshawar".to_string())
    );
    assert_eq!(approved.receipt_no, Some(payments[0].receipt_no));
    assert_eq!(w.store.challan_by_no(c.challan_no).await?.map(|c| c.status), Some(ChallanStatus::Paid));
    let twice = w
        .store
        .decide_counter_payment(&CounterDecision { id: request.id, approve: true, note: "".into() }, &actor("treasury.three"), w.issuer, at, &signer)
        .await;
    assert!(is_conflict(&twice), "decided once: {twice:?}");

    // An approval that cannot take its payment (wrong amount) refuses and writes nothing.
    let d = issue_one(&w, &w.officer, 2, t0()?).await?;
    let wrong = CounterPayment { id: Uuid::now_v7(), challan_id: d.id, challan_no: d.challan_no, amount_paisa: 400_000, ..request.clone() };
    w.store.request_counter_payment(&wrong, &actor("treasury.one")).await?;
    let refused =
        w.store.decide_counter_payment(&CounterDecision { id: wrong.id, approve: true, note: "".into() }, &actor("treasury.two"), w.issuer, at, &signer).await;
    assert!(is_conflict(&refused), "{refused:?}");
    assert_eq!(w.store.counter_payment(wrong.id).await?.map(|c| c.status), Some(CounterStatus::Pending));
    let rejected = w
        .store
        .decide_counter_payment(
            &CounterDecision { id: wrong.id, approve: false, note: "wrong amount entered".into() },
            &actor("treasury.two"),
            w.issuer,
            at,
            &signer,
        )
        .await?;
    assert_eq!(rejected.status, CounterStatus::Rejected);
    assert!(w.store.challan_payments(d.id).await?.is_empty());
    ledger_is_clean(&w.store).await
}

pub async fn online_payments_are_kept_for_rechecking(store: Store) -> TestResult {
    let w = world(store).await?;
    let c = issue_one(&w, &w.officer, 1, t0()?).await?;
    let now = Timestamp::now();
    let mut p = OnlinePayment {
        id: Uuid::now_v7(),
        challan_id: c.id,
        challan_no: c.challan_no,
        amount_paisa: 500_000,
        gateway_payment_id: None,
        status: OnlineStatus::Pending,
        failure_reason: None,
        created_at: now,
        updated_at: now,
        receipt_no: None,
    };
    w.store.create_online_payment(&p, &Actor::system()).await?;
    assert_eq!(w.store.pending_online_payments(now, 10).await?.iter().map(|o| o.id).collect::<Vec<_>>(), [p.id]);
    p.gateway_payment_id = Some("gw-1".into());
    p.status = OnlineStatus::Failed;
    p.failure_reason = Some("declined".into());
    w.store.update_online_payment(&p, &Actor::system()).await?;
    assert_eq!(w.store.pending_online_payments(now, 10).await?.len(), 1, "a recent failure is still asked about");
    let later = now.checked_add(SignedDuration::from_hours(2))?;
    assert_eq!(w.store.pending_online_payments(later, 10).await?.len(), 0, "an old failure is not");
    p.status = OnlineStatus::Succeeded;
    p.failure_reason = None;
    w.store.update_online_payment(&p, &Actor::system()).await?;
    assert_eq!(w.store.pending_online_payments(later, 10).await?.len(), 1, "a success without its receipt yet");
    let stored = w.store.online_payment(p.id).await?.ok_or("stored")?;
    assert_eq!((stored.status, stored.gateway_payment_id.as_deref()), (OnlineStatus::Succeeded, Some("gw-1")));
    assert_eq!(w.store.challan_online_payments(c.id).await?.len(), 1);
    let mut other = p.clone();
    other.id = Uuid::now_v7();
    other.gateway_payment_id = None;
    w.store.create_online_payment(&other, &Actor::system()).await?;
    other.gateway_payment_id = Some("gw-1".into());
    assert!(is_conflict(&w.store.update_online_payment(&other, &Actor::system()).await), "one gateway id, one online payment");
    Ok(())
}

pub async fn citizens_contest_through_the_portal_account(store: Store) -> TestResult {
    let w = world(store).await?;
    let c = issue_one(&w, &w.officer, 1, t0()?).await?;
    let users_before = w.store.users().await?.len();
    let contest = w.store.record_public_contest(c.challan_no, "I was not there", Uuid::now_v7(), t0()?).await?;
    assert_eq!(contest.recorded_by_username, "citizen-portal");
    assert_eq!(w.store.challan_by_no(c.challan_no).await?.map(|c| c.status), Some(ChallanStatus::Contested));
    assert!(w.store.record_public_contest(c.challan_no, "again", Uuid::now_v7(), t0()?).await.is_err(), "a contested challan is not contested twice");
    assert_eq!(w.store.users().await?.len(), users_before, "the portal account is not staff");
    assert!(w.store.user_by_username("citizen-portal").await?.is_some_and(|u| !u.active));
    Ok(())
}

pub fn statement(id: &str, opening: i64, closing: i64, from: Date, to: Date, sha: u8) -> StatementRecord {
    StatementRecord {
        sha256: [sha; 32],
        account: "PK36SCBL0000001123456702".into(),
        statement_id: id.into(),
        format: "csv".into(),
        from_date: from,
        to_date: to,
        opening_paisa: opening,
        closing_paisa: closing,
        lines: 3,
        imported_by: String::new(),
        imported_at: Timestamp::UNIX_EPOCH,
        deposited: 1,
        deposited_paisa: 500_000,
        unidentified: 1,
        unidentified_paisa: 70_000,
        report_csv: "category\n".into(),
        unexplained_paisa: 70_000,
    }
}

pub async fn statements_deposit_once_and_in_order(store: Store) -> TestResult {
    let w = world(store).await?;
    let c = issue_one(&w, &w.officer, 1, t0()?).await?;
    let paid_on = Date::constant(2026, 3, 2);
    let p = bank_payment(&c, "D1", 500_000, paid_on, 1)?;
    let at = days_after(t0()?, 1)?;
    let PaymentOutcome::Accepted(paid) = w.store.record_payment(&p, w.issuer, &Actor::system(), at, &mahasil_store::testing::test_receipt_signer()).await?
    else {
        panic!("accepted")
    };
    assert_eq!(w.store.undeposited_payments(paid_on).await?.len(), 1);
    assert_eq!(w.store.undeposited_payments(Date::constant(2026, 3, 1)).await?.len(), 0);
    let rows = w.store.deposit_rows(paid_on, paid_on).await?;
    assert_eq!(rows.len(), 1);
    assert_eq!((rows[0].paid_paisa, rows[0].in_transit_paisa(), rows[0].channel.as_str()), (500_000, 500_000, "bank"));

    let first = StatementImport {
        record: statement("S1", 1_000_000, 1_570_000, paid_on, Date::constant(2026, 3, 3), 1),
        matched: vec![(paid.receipt_no, 500_000)],
        unidentified: vec![("FT-UNKNOWN".into(), 70_000)],
    };
    let import_at = days_after(t0()?, 3)?;
    let ImportOutcome::Imported(imported) = w.store.import_statement(&first, &actor("treasury.one"), import_at).await? else { panic!("imported") };
    assert_eq!(imported.imported_by, "treasury.one");
    let after = w.store.payment_by_receipt(paid.receipt_no).await?.ok_or("payment")?;
    assert_eq!(after.statement_id.as_deref(), Some("S1"));
    assert!(after.deposited_at.is_some());
    assert_eq!(w.store.undeposited_payments(paid_on).await?.len(), 0);
    assert_eq!(w.store.deposited_receipts(paid_on).await?, vec![paid.receipt_no]);
    assert_eq!(w.store.deposit_rows(paid_on, paid_on).await?[0].in_transit_paisa(), 0);
    let codes: Vec<_> = w.store.transfers(0, 100).await?.iter().map(|t| t.transfer.code).collect();
    assert_eq!(codes.iter().filter(|c| **c == TransferCode::Deposited).count(), 1);
    assert_eq!(codes.iter().filter(|c| **c == TransferCode::Unidentified).count(), 1);
    let count = w.store.transfers(0, 100).await?.len();

    // The same file again: nothing changes.
    assert!(matches!(w.store.import_statement(&first, &actor("treasury.two"), import_at).await?, ImportOutcome::AlreadyImported(_)));
    assert_eq!(w.store.transfers(0, 100).await?.len(), count);
    // Another file with the same statement id: refused.
    let mut clash = first.clone();
    clash.record.sha256 = [2; 32];
    assert!(is_conflict(&w.store.import_statement(&clash, &actor("treasury.one"), import_at).await));
    // A statement that does not open at the previous closing balance: refused (a gap).
    let gap = StatementImport {
        record: statement("S3", 2_000_000, 2_000_000, Date::constant(2026, 3, 4), Date::constant(2026, 3, 4), 3),
        matched: vec![],
        unidentified: vec![],
    };
    let refused = w.store.import_statement(&gap, &actor("treasury.one"), import_at).await;
    assert!(is_conflict(&refused), "{refused:?}");
    // Depositing the same receipt twice: refused as a whole.
    let again = StatementImport {
        record: statement("S2", 1_570_000, 2_070_000, Date::constant(2026, 3, 4), Date::constant(2026, 3, 4), 4),
        matched: vec![(paid.receipt_no, 500_000)],
        unidentified: vec![],
    };
    assert!(is_conflict(&w.store.import_statement(&again, &actor("treasury.one"), import_at).await));
    assert_eq!(w.store.transfers(0, 100).await?.len(), count);
    let next = StatementImport {
        record: statement("S2", 1_570_000, 1_570_000, Date::constant(2026, 3, 4), Date::constant(2026, 3, 4), 5),
        matched: vec![],
        unidentified: vec![],
    };
    assert!(matches!(w.store.import_statement(&next, &actor("treasury.one"), import_at).await?, ImportOutcome::Imported(_)));
    assert_eq!(w.store.statements(10).await?.iter().map(|s| s.statement_id.as_str()).collect::<Vec<_>>(), ["S2", "S1"]);
    assert!(w.store.statement([1; 32]).await?.is_some());
    ledger_is_clean(&w.store).await
}
