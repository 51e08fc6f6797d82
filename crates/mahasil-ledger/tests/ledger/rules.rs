//! One test per rule of `check`: a history that breaks exactly that rule, and the exact
//! violation reported.

use jiff::civil::Date;
use mahasil_domain::challan_no::ChallanNo;
use mahasil_ledger::events::{challan_issued, payment_received, reversal, unidentified};
use mahasil_ledger::{Account, Checker, Payment, Transfer, TransferCode, Violation, check, check_with_terms};
use uuid::Uuid;

use crate::fixtures::{Book, TestResult, accounts, at, challan, counter, demo_bank, encroachment, paisa};

/// A transfer in an event of its own (event id = id + 1,000).
fn hand(id: u128, code: TransferCode, debit: Account, credit: Account, amount: i64, challan_no: Option<ChallanNo>, when: &str) -> TestResult<Transfer> {
    let id_ = Uuid::from_u128(id);
    Ok(Transfer { id: id_, event_id: Uuid::from_u128(id + 1_000), code, debit, credit, amount: paisa(amount)?, challan_no, reverses: None, at: at(when)? })
}

fn receivable() -> TestResult<Account> {
    Ok(accounts("DA-ENC-01", "peshawar")?.receivable())
}

fn revenue() -> TestResult<Account> {
    Ok(accounts("DA-ENC-01", "peshawar")?.revenue())
}

fn bank() -> TestResult<Account> {
    Ok(Account::Clearing(demo_bank()?))
}

/// Challan 1 issued on 1 March 2026 (transfer id 2).
fn issued() -> TestResult<Book> {
    let mut book = Book::default();
    book.post(challan_issued(&mut counter(0), at("2026-03-01T05:00:00Z")?, &book.ledger, &encroachment(1)?)?)?;
    Ok(book)
}

/// Challan 1 issued and paid on time (payment transfer id 12).
fn paid() -> TestResult<Book> {
    let mut book = issued()?;
    let payment = Payment { clearing: demo_bank()?, amount: paisa(500_000)?, paid_on: Date::constant(2026, 3, 2) };
    book.post(payment_received(&mut counter(10), at("2026-03-02T05:00:00Z")?, &book.ledger, &encroachment(1)?, &payment)?)?;
    Ok(book)
}

fn with(book: Book, extra: impl IntoIterator<Item = Transfer>) -> Vec<Transfer> {
    book.transfers.into_iter().chain(extra).collect()
}

fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

#[test]
fn duplicate_transfer_id() -> TestResult {
    let book = issued()?;
    let copy = book.transfers[0].clone();
    assert_eq!(check(&with(book, [copy])), [Violation::DuplicateTransferId { transfer_id: id(2) }]);
    Ok(())
}

#[test]
fn wrong_accounts_for_the_code() -> TestResult {
    let odd = hand(50, TransferCode::Unidentified, Account::Treasury, revenue()?, 100, None, "2026-03-05T05:00:00Z")?;
    let found = check(std::slice::from_ref(&odd));
    assert_eq!(found, [Violation::WrongAccounts { transfer_id: id(50), code: TransferCode::Unidentified, debit: Account::Treasury, credit: revenue()? }]);
    // Issuing moves money between accounts of one head and district.
    let split =
        hand(51, TransferCode::ChallanIssued, receivable()?, accounts("DA-ENC-01", "mardan")?.revenue(), 500_000, Some(challan(1)?), "2026-03-01T05:00:00Z")?;
    assert_eq!(check(std::slice::from_ref(&split)).iter().map(Violation::rule).collect::<Vec<_>>(), ["wrong-accounts"]);
    Ok(())
}

#[test]
fn challan_missing() -> TestResult {
    let refund = hand(50, TransferCode::Refund, accounts("DA-ENC-01", "peshawar")?.refund_payable(), Account::Treasury, 100, None, "2026-03-05T05:00:00Z")?;
    assert_eq!(check(&[refund]), [Violation::ChallanMissing { transfer_id: id(50), code: TransferCode::Refund }]);
    Ok(())
}

#[test]
fn challan_not_expected() -> TestResult {
    let named = hand(50, TransferCode::Unidentified, Account::Treasury, Account::Suspense, 100, Some(challan(1)?), "2026-03-05T05:00:00Z")?;
    assert_eq!(check(&with(issued()?, [named])), [Violation::ChallanNotExpected { transfer_id: id(50), code: TransferCode::Unidentified }]);
    Ok(())
}

#[test]
fn misplaced_reverses() -> TestResult {
    let mut claims = hand(50, TransferCode::Unidentified, Account::Treasury, Account::Suspense, 100, None, "2026-03-05T05:00:00Z")?;
    claims.reverses = Some(id(2));
    assert_eq!(check(&with(issued()?, [claims])), [Violation::MisplacedReverses { transfer_id: id(50), code: TransferCode::Unidentified }]);
    let orphan = hand(51, TransferCode::Reversal, Account::Suspense, Account::Treasury, 100, None, "2026-03-05T05:00:00Z")?;
    assert_eq!(check(&[orphan]), [Violation::MisplacedReverses { transfer_id: id(51), code: TransferCode::Reversal }]);
    Ok(())
}

#[test]
fn unknown_challan() -> TestResult {
    let over =
        hand(50, TransferCode::Overpayment, bank()?, accounts("DA-ENC-01", "peshawar")?.refund_payable(), 100, Some(challan(2)?), "2026-03-05T05:00:00Z")?;
    assert_eq!(check(&with(issued()?, [over])), [Violation::UnknownChallan { transfer_id: id(50), challan_no: challan(2)? }]);
    Ok(())
}

#[test]
fn challan_account_mismatch() -> TestResult {
    let mardan = accounts("DA-ENC-01", "mardan")?.receivable();
    let pay = hand(50, TransferCode::PaymentReceived, bank()?, mardan.clone(), 500_000, Some(challan(1)?), "2026-03-05T05:00:00Z")?;
    assert_eq!(check(&with(issued()?, [pay])), [Violation::ChallanAccountMismatch { transfer_id: id(50), challan_no: challan(1)?, account: mardan }]);
    Ok(())
}

#[test]
fn mixed_challans_in_one_event() -> TestResult {
    let first = hand(50, TransferCode::ChallanIssued, receivable()?, revenue()?, 500_000, Some(challan(1)?), "2026-03-01T05:00:00Z")?;
    let mut second = hand(51, TransferCode::ChallanIssued, receivable()?, revenue()?, 500_000, Some(challan(2)?), "2026-03-01T05:00:00Z")?;
    second.event_id = first.event_id;
    assert_eq!(check(&[first.clone(), second]), [Violation::MixedChallans { event_id: first.event_id, challans: vec![challan(1)?, challan(2)?] }]);
    Ok(())
}

#[test]
fn event_split_apart_or_at_two_times() -> TestResult {
    let a = hand(50, TransferCode::Unidentified, Account::Treasury, Account::Suspense, 100, None, "2026-03-05T05:00:00Z")?;
    let b = hand(51, TransferCode::Unidentified, Account::Treasury, Account::Suspense, 100, None, "2026-03-05T06:00:00Z")?;
    let mut late = hand(52, TransferCode::Unidentified, Account::Treasury, Account::Suspense, 100, None, "2026-03-05T07:00:00Z")?;
    late.event_id = a.event_id;
    assert_eq!(check(&[a.clone(), b, late]), [Violation::EventSplit { event_id: a.event_id, transfer_id: id(52) }]);
    let mut later = hand(53, TransferCode::Unidentified, Account::Treasury, Account::Suspense, 100, None, "2026-03-05T05:30:00Z")?;
    later.event_id = a.event_id;
    assert_eq!(check(&[a.clone(), later]), [Violation::EventSplit { event_id: a.event_id, transfer_id: id(53) }]);
    Ok(())
}

#[test]
fn time_went_back_when_pushed_one_by_one() -> TestResult {
    let a = hand(50, TransferCode::Unidentified, Account::Treasury, Account::Suspense, 100, None, "2026-03-05T05:00:00Z")?;
    let b = hand(51, TransferCode::Unidentified, Account::Treasury, Account::Suspense, 100, None, "2026-03-04T05:00:00Z")?;
    let mut checker = Checker::new();
    assert!(checker.push_event(std::slice::from_ref(&a)).is_empty());
    assert_eq!(checker.push_event(std::slice::from_ref(&b)), [Violation::TimeWentBack { transfer_id: id(51) }]);
    // `check` puts the same two in time order first.
    assert!(check(&[a, b]).is_empty());
    Ok(())
}

#[test]
fn challan_issued_twice() -> TestResult {
    let again = hand(50, TransferCode::ChallanIssued, receivable()?, revenue()?, 500_000, Some(challan(1)?), "2026-03-02T05:00:00Z")?;
    assert_eq!(check(&with(issued()?, [again])), [Violation::ChallanIssuedTwice { challan_no: challan(1)?, transfer_ids: vec![id(2), id(50)] }]);
    Ok(())
}

#[test]
fn paid_twice() -> TestResult {
    // A second payment not reversed, here after a surcharge so nothing goes negative.
    let surcharge = hand(50, TransferCode::Surcharge, receivable()?, revenue()?, 100_000, Some(challan(1)?), "2026-03-20T05:00:00Z")?;
    let mut pay = hand(51, TransferCode::PaymentReceived, bank()?, receivable()?, 100_000, Some(challan(1)?), "2026-03-20T05:00:00Z")?;
    pay.event_id = surcharge.event_id;
    assert_eq!(check(&with(paid()?, [surcharge, pay])), [Violation::PaidTwice { challan_no: challan(1)?, transfer_ids: vec![id(12), id(51)] }]);
    Ok(())
}

#[test]
fn outstanding_below_zero() -> TestResult {
    // Undoing the issue of a paid challan.
    let book = paid()?;
    let mut undo = hand(50, TransferCode::Reversal, revenue()?, receivable()?, 500_000, Some(challan(1)?), "2026-03-03T05:00:00Z")?;
    undo.reverses = Some(id(2));
    let found = check(&with(book, [undo]));
    assert_eq!(found, [Violation::OutstandingOutOfRange { challan_no: challan(1)?, transfer_id: id(50), outstanding_paisa: -500_000, max_paisa: 0 }]);
    Ok(())
}

#[test]
fn outstanding_above_the_amount_after_due() -> TestResult {
    let surcharge = hand(50, TransferCode::Surcharge, receivable()?, revenue()?, 200_000, Some(challan(1)?), "2026-03-20T05:00:00Z")?;
    let mut pay = hand(51, TransferCode::PaymentReceived, bank()?, receivable()?, 700_000, Some(challan(1)?), "2026-03-20T05:00:00Z")?;
    pay.event_id = surcharge.event_id;
    let found = check_with_terms(&with(issued()?, [surcharge, pay]), &[encroachment(1)?]);
    assert_eq!(found, [Violation::OutstandingOutOfRange { challan_no: challan(1)?, transfer_id: id(50), outstanding_paisa: 700_000, max_paisa: 600_000 }]);
    Ok(())
}

#[test]
fn unsettled_after_a_payment_or_waiver() -> TestResult {
    let short = hand(50, TransferCode::PaymentReceived, bank()?, receivable()?, 400_000, Some(challan(1)?), "2026-03-05T05:00:00Z")?;
    let event_id = short.event_id;
    assert_eq!(check(&with(issued()?, [short])), [Violation::Unsettled { event_id, challan_no: challan(1)?, outstanding_paisa: 100_000 }]);
    let partial = hand(51, TransferCode::Waiver, accounts("DA-ENC-01", "peshawar")?.waived(), receivable()?, 1, Some(challan(1)?), "2026-03-05T05:00:00Z")?;
    let event_id = partial.event_id;
    assert_eq!(check(&with(issued()?, [partial])), [Violation::Unsettled { event_id, challan_no: challan(1)?, outstanding_paisa: 499_999 }]);
    Ok(())
}

#[test]
fn clearing_negative() -> TestResult {
    let deposit = hand(50, TransferCode::Deposited, Account::Treasury, bank()?, 100, None, "2026-03-05T05:00:00Z")?;
    assert_eq!(check(&[deposit]), [Violation::ClearingNegative { account: bank()?, transfer_id: id(50), balance_paisa: -100 }]);
    Ok(())
}

#[test]
fn refundable_negative() -> TestResult {
    let refund =
        hand(50, TransferCode::Refund, accounts("DA-ENC-01", "peshawar")?.refund_payable(), Account::Treasury, 100, Some(challan(1)?), "2026-03-05T05:00:00Z")?;
    assert_eq!(check(&with(issued()?, [refund])), [Violation::RefundableNegative { challan_no: challan(1)?, transfer_id: id(50), refundable_paisa: -100 }]);
    Ok(())
}

/// Money in suspense (transfer id 102) and its reversal (id 112): nothing else depends
/// on them.
fn suspense_reversed() -> TestResult<Book> {
    let mut book = Book::default();
    book.post(unidentified(&mut counter(100), at("2026-03-05T05:00:00Z")?, &book.ledger, paisa(100)?)?)?;
    book.post(reversal(&mut counter(110), at("2026-03-05T06:00:00Z")?, &book.ledger, id(102))?)?;
    Ok(book)
}

#[test]
fn reversal_of_unknown() -> TestResult {
    let mut undo = hand(50, TransferCode::Reversal, Account::Suspense, Account::Treasury, 100, None, "2026-03-05T05:00:00Z")?;
    undo.reverses = Some(id(999));
    assert_eq!(check(&[undo]), [Violation::ReversalOfUnknown { transfer_id: id(50), original_id: id(999) }]);
    Ok(())
}

#[test]
fn reversal_reversed() -> TestResult {
    let mut again = hand(50, TransferCode::Reversal, Account::Treasury, Account::Suspense, 100, None, "2026-03-05T07:00:00Z")?;
    again.reverses = Some(id(112));
    assert_eq!(check(&with(suspense_reversed()?, [again])), [Violation::ReversalReversed { transfer_id: id(50), original_id: id(112) }]);
    Ok(())
}

#[test]
fn reversed_twice() -> TestResult {
    let mut again = hand(50, TransferCode::Reversal, Account::Suspense, Account::Treasury, 100, None, "2026-03-05T07:00:00Z")?;
    again.reverses = Some(id(102));
    assert_eq!(check(&with(suspense_reversed()?, [again])), [Violation::ReversedTwice { original_id: id(102), reversal_ids: vec![id(112), id(50)] }]);
    Ok(())
}

#[test]
fn reversal_mismatch() -> TestResult {
    type Change = fn(&mut Transfer) -> TestResult;
    let cases: [(Change, &str); 3] = [
        (
            |t| {
                t.amount = paisa(99)?;
                Ok(())
            },
            "its amount differs",
        ),
        (
            |t| {
                std::mem::swap(&mut t.debit, &mut t.credit);
                Ok(())
            },
            "its accounts are not the original's, swapped",
        ),
        (
            |t| {
                t.challan_no = Some(challan(1)?);
                Ok(())
            },
            "it names another challan",
        ),
    ];
    for (change, reason) in cases {
        let mut undo = hand(50, TransferCode::Reversal, Account::Suspense, Account::Treasury, 100, None, "2026-03-05T07:00:00Z")?;
        undo.reverses = Some(id(102));
        change(&mut undo)?;
        // Challan 1 issued, money in suspense, and only the changed reversal of it.
        let mut history = issued()?.transfers;
        history.extend(suspense_reversed()?.transfers.into_iter().take(1));
        history.push(undo);
        assert_eq!(check(&history), [Violation::ReversalMismatch { transfer_id: id(50), original_id: id(102), reason }]);
    }
    Ok(())
}

#[test]
fn terms_mismatch() -> TestResult {
    let cheap = hand(50, TransferCode::ChallanIssued, receivable()?, revenue()?, 400_000, Some(challan(1)?), "2026-03-01T05:00:00Z")?;
    let found = check_with_terms(std::slice::from_ref(&cheap), &[encroachment(1)?]);
    assert_eq!(found.iter().map(Violation::rule).collect::<Vec<_>>(), ["terms-mismatch"]);
    assert!(found[0].to_string().contains("issued for 400000 paisa, the challan says 500000"), "{}", found[0]);
    // Without the terms the ledger cannot know.
    assert!(check(&[cheap]).is_empty());
    Ok(())
}

#[test]
fn surcharge_before_due() -> TestResult {
    let surcharge = hand(50, TransferCode::Surcharge, receivable()?, revenue()?, 100_000, Some(challan(1)?), "2026-03-15T05:00:00Z")?;
    let mut pay = hand(51, TransferCode::PaymentReceived, bank()?, receivable()?, 600_000, Some(challan(1)?), "2026-03-15T05:00:00Z")?;
    pay.event_id = surcharge.event_id;
    let found = check_with_terms(&with(issued()?, [surcharge, pay]), &[encroachment(1)?]);
    assert_eq!(found, [Violation::SurchargeBeforeDue { transfer_id: id(50), challan_no: challan(1)?, due_date: Date::constant(2026, 3, 15) }]);
    Ok(())
}

#[test]
fn every_violation_has_a_rule_and_a_message() -> TestResult {
    let deposit = hand(50, TransferCode::Deposited, Account::Treasury, bank()?, 100, None, "2026-03-05T05:00:00Z")?;
    let found = check(&[deposit]);
    assert_eq!(found.iter().map(Violation::rule).collect::<Vec<_>>(), ["clearing-negative"]);
    assert_eq!(found[0].to_string(), format!("after transfer {}, clearing:bank:demo-bank holds -100 paisa: a clearing account is never negative", id(50)));
    Ok(())
}
