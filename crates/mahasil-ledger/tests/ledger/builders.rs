//! One test group per event builder: the transfers it makes, in order, and what it
//! refuses. Every history a builder accepts passes `check`.

use jiff::civil::Date;
use mahasil_ledger::events::{challan_issued, deposit, payment_received, refund, reversal, unidentified, waiver};
use mahasil_ledger::{Account, Balances, Channel, LedgerError, Payment, TransferCode, check, check_with_terms};
use uuid::Uuid;

use crate::fixtures::{Book, TestResult, accounts, at, challan, clearing, counter, demo_bank, encroachment, paisa};

/// A book with challan 1 issued on 1 March 2026.
fn issued() -> TestResult<(Book, impl FnMut() -> Uuid)> {
    let mut book = Book::default();
    let mut ids = counter(0);
    book.post(challan_issued(&mut ids, at("2026-03-01T05:00:00Z")?, &book.ledger, &encroachment(1)?)?)?;
    Ok((book, ids))
}

fn payment(amount: i64, paid_on: Date) -> TestResult<Payment> {
    Ok(Payment { clearing: demo_bank()?, amount: paisa(amount)?, paid_on })
}

fn codes(transfers: &[mahasil_ledger::Transfer]) -> Vec<(TransferCode, i64)> {
    transfers.iter().map(|t| (t.code, t.amount.get())).collect()
}

#[test]
fn challan_issued_owes_the_amount_within_due_date() -> TestResult {
    let (book, _) = issued()?;
    let [t] = book.transfers.as_slice() else { return Err("one transfer expected".into()) };
    assert_eq!((t.event_id, t.id), (Uuid::from_u128(1), Uuid::from_u128(2)));
    assert_eq!(t.code, TransferCode::ChallanIssued);
    assert_eq!((t.debit.to_string(), t.credit.to_string()), ("receivable:DA-ENC-01:peshawar".into(), "revenue:DA-ENC-01:peshawar".into()));
    assert_eq!((t.amount.get(), t.challan_no, t.reverses), (500_000, Some(challan(1)?), None));
    assert_eq!(book.ledger.challan(challan(1)?).map(|c| c.outstanding_paisa), Some(500_000));
    assert!(check_with_terms(&book.transfers, &[encroachment(1)?]).is_empty());
    Ok(())
}

#[test]
fn challan_issued_refuses_a_second_issue_and_incoherent_terms() -> TestResult {
    let (book, mut ids) = issued()?;
    let again = challan_issued(&mut ids, at("2026-03-02T05:00:00Z")?, &book.ledger, &encroachment(1)?);
    assert!(matches!(again, Err(LedgerError::AlreadyIssued { .. })), "{again:?}");
    let mut odd = encroachment(2)?;
    odd.amount_after_due = paisa(400_000)?;
    assert!(matches!(challan_issued(&mut ids, at("2026-03-02T05:00:00Z")?, &book.ledger, &odd), Err(LedgerError::Invalid { .. })));
    Ok(())
}

#[test]
fn payment_on_time_settles_with_one_transfer() -> TestResult {
    let (mut book, mut ids) = issued()?;
    // The due date itself is still on time.
    let event =
        book.post(payment_received(&mut ids, at("2026-03-15T10:00:00Z")?, &book.ledger, &encroachment(1)?, &payment(500_000, Date::constant(2026, 3, 15))?)?)?;
    assert_eq!(codes(&event), [(TransferCode::PaymentReceived, 500_000)]);
    assert_eq!(event[0].debit, Account::Clearing(demo_bank()?));
    assert_eq!(event[0].credit, accounts("DA-ENC-01", "peshawar")?.receivable());
    assert_eq!(book.ledger.challan(challan(1)?).map(|c| (c.outstanding_paisa, c.paid_by.len())), Some((0, 1)));
    assert!(check_with_terms(&book.transfers, &[encroachment(1)?]).is_empty());
    Ok(())
}

#[test]
fn late_payment_is_surcharged_first_and_overpayment_goes_last() -> TestResult {
    let (mut book, mut ids) = issued()?;
    let event =
        book.post(payment_received(&mut ids, at("2026-03-16T10:00:00Z")?, &book.ledger, &encroachment(1)?, &payment(650_000, Date::constant(2026, 3, 16))?)?)?;
    assert_eq!(codes(&event), [(TransferCode::Surcharge, 100_000), (TransferCode::PaymentReceived, 600_000), (TransferCode::Overpayment, 50_000)]);
    let no = Some(challan(1)?);
    assert!(event.iter().all(|t| t.event_id == event[0].event_id && t.challan_no == no));
    assert_eq!(event[2].credit.to_string(), "refund-payable:DA-ENC-01");
    let c = book.ledger.challan(challan(1)?).cloned().unwrap_or_default();
    assert_eq!((c.charged_paisa, c.outstanding_paisa, c.refundable_paisa, c.received_paisa), (600_000, 0, 50_000, 650_000));
    assert!(check_with_terms(&book.transfers, &[encroachment(1)?]).is_empty());
    Ok(())
}

#[test]
fn payment_judged_as_of_the_day_paid_not_posted() -> TestResult {
    let (mut book, mut ids) = issued()?;
    let event =
        book.post(payment_received(&mut ids, at("2026-03-17T10:00:00Z")?, &book.ledger, &encroachment(1)?, &payment(500_000, Date::constant(2026, 3, 15))?)?)?;
    assert_eq!(codes(&event), [(TransferCode::PaymentReceived, 500_000)]);
    let future = payment_received(&mut ids, at("2026-03-17T10:00:00Z")?, &book.ledger, &encroachment(1)?, &payment(500_000, Date::constant(2026, 3, 18))?);
    assert!(matches!(future, Err(LedgerError::PaidAfterPosting { .. })), "{future:?}");
    Ok(())
}

#[test]
fn payment_refuses_too_little_unknown_challans_and_other_accounts() -> TestResult {
    let (book, mut ids) = issued()?;
    let when = at("2026-03-16T10:00:00Z")?;
    let late_but_short = payment_received(&mut ids, when, &book.ledger, &encroachment(1)?, &payment(500_000, Date::constant(2026, 3, 16))?);
    assert!(matches!(late_but_short, Err(LedgerError::Underpaid { due_paisa: 600_000, paid_paisa: 500_000, .. })), "{late_but_short:?}");
    let unknown = payment_received(&mut ids, when, &book.ledger, &encroachment(2)?, &payment(500_000, Date::constant(2026, 3, 16))?);
    assert!(matches!(unknown, Err(LedgerError::UnknownChallan { .. })), "{unknown:?}");
    let mut elsewhere = encroachment(1)?;
    elsewhere.accounts = accounts("DA-ENC-01", "mardan")?;
    let disagree = payment_received(&mut ids, when, &book.ledger, &elsewhere, &payment(600_000, Date::constant(2026, 3, 16))?);
    assert!(matches!(disagree, Err(LedgerError::TermsDisagree { .. })), "{disagree:?}");
    Ok(())
}

#[test]
fn paying_a_settled_challan_is_wholly_overpayment() -> TestResult {
    let (mut book, mut ids) = issued()?;
    let terms = encroachment(1)?;
    book.post(payment_received(&mut ids, at("2026-03-02T10:00:00Z")?, &book.ledger, &terms, &payment(500_000, Date::constant(2026, 3, 2))?)?)?;
    let again = book.post(payment_received(&mut ids, at("2026-03-20T10:00:00Z")?, &book.ledger, &terms, &payment(500_000, Date::constant(2026, 3, 20))?)?)?;
    assert_eq!(codes(&again), [(TransferCode::Overpayment, 500_000)]);
    assert!(check_with_terms(&book.transfers, &[terms]).is_empty());
    Ok(())
}

#[test]
fn a_reversed_late_payment_keeps_its_surcharge_and_is_not_surcharged_again() -> TestResult {
    let (mut book, mut ids) = issued()?;
    let terms = encroachment(1)?;
    let first = book.post(payment_received(&mut ids, at("2026-03-16T10:00:00Z")?, &book.ledger, &terms, &payment(600_000, Date::constant(2026, 3, 16))?)?)?;
    book.post(reversal(&mut ids, at("2026-03-16T11:00:00Z")?, &book.ledger, first[1].id)?)?;
    let second = book.post(payment_received(&mut ids, at("2026-03-17T10:00:00Z")?, &book.ledger, &terms, &payment(600_000, Date::constant(2026, 3, 17))?)?)?;
    assert_eq!(codes(&second), [(TransferCode::PaymentReceived, 600_000)]);
    assert!(check_with_terms(&book.transfers, &[terms]).is_empty());
    Ok(())
}

#[test]
fn waiver_forgives_the_outstanding_and_later_money_is_overpayment() -> TestResult {
    let (mut book, mut ids) = issued()?;
    let event = book.post(waiver(&mut ids, at("2026-03-03T05:00:00Z")?, &book.ledger, challan(1)?)?)?;
    assert_eq!(codes(&event), [(TransferCode::Waiver, 500_000)]);
    assert_eq!(event[0].debit.to_string(), "waived:DA-ENC-01:peshawar");
    let twice = waiver(&mut ids, at("2026-03-04T05:00:00Z")?, &book.ledger, challan(1)?);
    assert!(matches!(twice, Err(LedgerError::NothingOutstanding { .. })), "{twice:?}");
    assert!(matches!(waiver(&mut ids, at("2026-03-04T05:00:00Z")?, &book.ledger, challan(9)?), Err(LedgerError::UnknownChallan { .. })));
    let late =
        book.post(payment_received(&mut ids, at("2026-03-20T10:00:00Z")?, &book.ledger, &encroachment(1)?, &payment(600_000, Date::constant(2026, 3, 20))?)?)?;
    assert_eq!(codes(&late), [(TransferCode::Overpayment, 600_000)]);
    assert!(check_with_terms(&book.transfers, &[encroachment(1)?]).is_empty());
    Ok(())
}

#[test]
fn deposit_moves_clearing_to_treasury_and_never_overdraws() -> TestResult {
    let (mut book, mut ids) = issued()?;
    let bank = demo_bank()?;
    book.post(payment_received(&mut ids, at("2026-03-02T10:00:00Z")?, &book.ledger, &encroachment(1)?, &payment(500_000, Date::constant(2026, 3, 2))?)?)?;
    let too_much = deposit(&mut ids, at("2026-03-03T10:00:00Z")?, &book.ledger, &bank, paisa(500_001)?, None);
    assert!(matches!(too_much, Err(LedgerError::Insufficient { balance_paisa: 500_000, amount_paisa: 500_001, .. })), "{too_much:?}");
    let other = clearing(Channel::Counter, "peshawar")?;
    assert!(deposit(&mut ids, at("2026-03-03T10:00:00Z")?, &book.ledger, &other, paisa(1)?, None).is_err());
    let event = book.post(deposit(&mut ids, at("2026-03-03T10:00:00Z")?, &book.ledger, &bank, paisa(500_000)?, Some(challan(1)?))?)?;
    assert_eq!((event[0].code, &event[0].debit, &event[0].credit), (TransferCode::Deposited, &Account::Treasury, &Account::Clearing(bank.clone())));
    assert_eq!(book.ledger.balance_paisa(&Account::Clearing(bank)), 0);
    assert_eq!(book.ledger.balance_paisa(&Account::Treasury), 500_000);
    assert!(check(&book.transfers).is_empty());
    Ok(())
}

#[test]
fn refund_pays_back_no_more_than_was_overpaid() -> TestResult {
    let (mut book, mut ids) = issued()?;
    book.post(payment_received(&mut ids, at("2026-03-02T10:00:00Z")?, &book.ledger, &encroachment(1)?, &payment(520_000, Date::constant(2026, 3, 2))?)?)?;
    let too_much = refund(&mut ids, at("2026-03-05T10:00:00Z")?, &book.ledger, challan(1)?, paisa(20_001)?);
    assert!(matches!(too_much, Err(LedgerError::Insufficient { balance_paisa: 20_000, .. })), "{too_much:?}");
    let event = book.post(refund(&mut ids, at("2026-03-05T10:00:00Z")?, &book.ledger, challan(1)?, paisa(20_000)?)?)?;
    assert_eq!((event[0].debit.to_string(), event[0].credit.to_string()), ("refund-payable:DA-ENC-01".into(), "treasury:account-1".into()));
    assert_eq!(book.ledger.challan(challan(1)?).map(|c| c.refundable_paisa), Some(0));
    assert!(check(&book.transfers).is_empty());
    Ok(())
}

#[test]
fn unidentified_credit_waits_in_suspense() -> TestResult {
    let mut book = Book::default();
    let mut ids = counter(0);
    let event = book.post(unidentified(&mut ids, at("2026-03-05T10:00:00Z")?, &book.ledger, paisa(12_345)?)?)?;
    assert_eq!(
        (event[0].code, &event[0].debit, &event[0].credit, event[0].challan_no),
        (TransferCode::Unidentified, &Account::Treasury, &Account::Suspense, None)
    );
    assert_eq!(book.ledger.balance_paisa(&Account::Suspense), 12_345);
    assert!(check(&book.transfers).is_empty());
    Ok(())
}

#[test]
fn reversal_mirrors_once_and_only_what_can_be_undone() -> TestResult {
    let (mut book, mut ids) = issued()?;
    let bank = demo_bank()?;
    let paid =
        book.post(payment_received(&mut ids, at("2026-03-02T10:00:00Z")?, &book.ledger, &encroachment(1)?, &payment(500_000, Date::constant(2026, 3, 2))?)?)?;
    let deposited = book.post(deposit(&mut ids, at("2026-03-03T10:00:00Z")?, &book.ledger, &bank, paisa(500_000)?, None)?)?;
    // The money left clearing: the deposit must be undone before the payment.
    let blocked = reversal(&mut ids, at("2026-03-04T10:00:00Z")?, &book.ledger, paid[0].id);
    assert!(matches!(blocked, Err(LedgerError::Insufficient { .. })), "{blocked:?}");
    let issue = book.transfers[0].id;
    assert!(matches!(reversal(&mut ids, at("2026-03-04T10:00:00Z")?, &book.ledger, issue), Err(LedgerError::Insufficient { .. })));
    book.post(reversal(&mut ids, at("2026-03-04T10:00:00Z")?, &book.ledger, deposited[0].id)?)?;
    let undone = book.post(reversal(&mut ids, at("2026-03-04T11:00:00Z")?, &book.ledger, paid[0].id)?)?;
    let (r, p) = (&undone[0], &paid[0]);
    assert_eq!(
        (r.code, &r.debit, &r.credit, r.amount, r.challan_no, r.reverses),
        (TransferCode::Reversal, &p.credit, &p.debit, p.amount, p.challan_no, Some(p.id))
    );
    assert!(matches!(reversal(&mut ids, at("2026-03-05T10:00:00Z")?, &book.ledger, p.id), Err(LedgerError::AlreadyReversed { .. })));
    assert!(matches!(reversal(&mut ids, at("2026-03-05T10:00:00Z")?, &book.ledger, r.id), Err(LedgerError::ReversalOfReversal { .. })));
    assert!(matches!(reversal(&mut ids, at("2026-03-05T10:00:00Z")?, &book.ledger, Uuid::max()), Err(LedgerError::UnknownTransfer { .. })));
    assert!(matches!(reversal(&mut ids, at("2026-02-01T10:00:00Z")?, &book.ledger, issue), Err(LedgerError::Invalid { field: "at", .. })));
    assert_eq!(book.ledger.challan(challan(1)?).map(|c| (c.outstanding_paisa, c.paid_by.len())), Some((500_000, 0)));
    assert!(check_with_terms(&book.transfers, &[encroachment(1)?]).is_empty());
    Ok(())
}

#[test]
fn ids_must_be_fresh() -> TestResult {
    let (book, _) = issued()?;
    let mut same = || Uuid::from_u128(77);
    let repeated = unidentified(&mut same, at("2026-03-05T10:00:00Z")?, &book.ledger, paisa(1)?);
    assert!(matches!(repeated, Err(LedgerError::RepeatedId { .. })), "{repeated:?}");
    let mut reused = counter(0);
    let taken = unidentified(&mut reused, at("2026-03-05T10:00:00Z")?, &book.ledger, paisa(1)?);
    assert!(matches!(taken, Err(LedgerError::DuplicateTransfer { .. })), "{taken:?}");
    assert!(unidentified(&mut counter(100), at("2026-03-05T10:00:00Z")?, &Balances::new(), paisa(1)?).is_ok());
    Ok(())
}
