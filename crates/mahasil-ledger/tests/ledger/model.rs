//! A small in-memory model of the business: challans issued, paid on time or late, paid
//! twice, waived, payments reversed, clearing deposited, overpayments refunded, money
//! nobody can identify. Every operation goes through the event builders, and the model
//! keeps its own simple expectations (what each challan owes, what each clearing account
//! and the treasury hold) to compare the ledger with after every step.

use std::fmt::Display;

use jiff::civil::Date;
use jiff::{SignedDuration, Span, Timestamp};
use mahasil_domain::challan_no::{ChallanNo, IssuerNo};
use mahasil_domain::money::Paisa;
use mahasil_domain::time::{local_date, pakistan};
use mahasil_ledger::events::{challan_issued, deposit, payment_received, refund, reversal, unidentified, waiver};
use mahasil_ledger::{Account, Balances, ChallanTerms, Channel, Checker, Clearing, LedgerError, Payment, Transfer, TransferCode, check, check_with_terms};
use proptest::prelude::*;
use uuid::Uuid;

use crate::fixtures::{Book, accounts};

/// One business operation. `challan` counts back from the newest challan (0 = newest).
#[derive(Debug, Clone)]
pub enum Op {
    Issue { head: usize, district: usize, amount_rupees: i64, surcharge_percent: i64, due_days: i64 },
    PayOnTime { challan: usize, channel: usize, extra_rupees: i64 },
    PayLate { challan: usize, channel: usize, days_late: i64, extra_rupees: i64 },
    PayTwice { challan: usize, channel: usize, again_rupees: i64 },
    Waive { challan: usize },
    ReversePayment { challan: usize },
    Deposit { channel: usize },
    Refund { challan: usize },
    Unidentified { amount_rupees: i64 },
    Wait { hours: i64 },
}

pub fn op() -> impl Strategy<Value = Op> {
    let extra = prop_oneof![3 => Just(0i64), 1 => 1..=2_000i64];
    prop_oneof![
        3 => (0..2usize, 0..2usize, 1..=50_000i64, 0..=30i64, 1..=30i64).prop_map(|(head, district, amount_rupees, surcharge_percent, due_days)| Op::Issue { head, district, amount_rupees, surcharge_percent, due_days }),
        3 => (0..8usize, 0..3usize, extra.clone()).prop_map(|(challan, channel, extra_rupees)| Op::PayOnTime { challan, channel, extra_rupees }),
        2 => (0..8usize, 0..3usize, 1..=20i64, extra).prop_map(|(challan, channel, days_late, extra_rupees)| Op::PayLate { challan, channel, days_late, extra_rupees }),
        1 => (0..8usize, 0..3usize, 1..=5_000i64).prop_map(|(challan, channel, again_rupees)| Op::PayTwice { challan, channel, again_rupees }),
        1 => (0..8usize).prop_map(|challan| Op::Waive { challan }),
        2 => (0..8usize).prop_map(|challan| Op::ReversePayment { challan }),
        1 => (0..3usize).prop_map(|channel| Op::Deposit { channel }),
        1 => (0..8usize).prop_map(|challan| Op::Refund { challan }),
        1 => (1..=10_000i64).prop_map(|amount_rupees| Op::Unidentified { amount_rupees }),
        2 => (1..=240i64).prop_map(|hours| Op::Wait { hours }),
    ]
}

/// Operations that make every transfer code appear at least once, to follow random ones.
pub fn every_code() -> Vec<Op> {
    vec![
        Op::Issue { head: 0, district: 0, amount_rupees: 5_000, surcharge_percent: 20, due_days: 14 },
        Op::Issue { head: 1, district: 1, amount_rupees: 1_000, surcharge_percent: 0, due_days: 30 },
        Op::PayLate { challan: 1, channel: 0, days_late: 1, extra_rupees: 500 },
        Op::ReversePayment { challan: 1 },
        Op::PayOnTime { challan: 1, channel: 1, extra_rupees: 0 },
        Op::PayTwice { challan: 1, channel: 2, again_rupees: 300 },
        Op::Waive { challan: 0 },
        Op::Deposit { channel: 0 },
        Op::Deposit { channel: 1 },
        Op::Deposit { channel: 2 },
        Op::Refund { challan: 1 },
        Op::Unidentified { amount_rupees: 250 },
    ]
}

pub trait OrFail<T> {
    fn or_fail(self) -> Result<T, TestCaseError>;
}

impl<T, E: Display> OrFail<T> for Result<T, E> {
    fn or_fail(self) -> Result<T, TestCaseError> {
        self.map_err(|e| TestCaseError::fail(e.to_string()))
    }
}

/// What the model expects of one challan.
#[derive(Debug, Clone, Default)]
struct Expected {
    outstanding: i64,
    charged: i64,
    refundable: i64,
    /// The payment not reversed: its transfer id, amount and channel.
    payment: Option<(Uuid, i64, usize)>,
}

pub struct Model {
    pub book: Book,
    pub checker: Checker,
    pub terms: Vec<ChallanTerms>,
    pub clock: Timestamp,
    next_id: u128,
    expected: Vec<Expected>,
    clearing: [i64; 3],
    treasury: i64,
}

const HEADS: [&str; 2] = ["DA-ENC-01", "PC-OVR-01"];
const DISTRICTS: [&str; 2] = ["peshawar", "mardan"];

pub fn channel(n: usize) -> Result<Clearing, TestCaseError> {
    let (channel, holder) = [(Channel::Bank, "demo-bank"), (Channel::Gateway, "easypaisa"), (Channel::Counter, "peshawar")][n % 3];
    Ok(Clearing { channel, holder: mahasil_domain::jurisdiction::Slug::parse(holder).or_fail()? })
}

fn paisa(p: i64) -> Result<Paisa, TestCaseError> {
    Paisa::new(p).or_fail()
}

impl Model {
    pub fn new() -> Result<Self, TestCaseError> {
        Ok(Self {
            book: Book::default(),
            checker: Checker::new(),
            terms: Vec::new(),
            clock: "2026-03-01T03:00:00Z".parse().or_fail()?,
            next_id: 0,
            expected: Vec::new(),
            clearing: [0; 3],
            treasury: 0,
        })
    }

    /// Runs `ops` from an empty ledger, checking everything after every step.
    pub fn run(ops: &[Op]) -> Result<Self, TestCaseError> {
        let mut model = Self::new()?;
        for op in ops {
            model.step(op)?;
            model.verify()?;
        }
        Ok(model)
    }

    fn index(&self, challan: usize) -> Option<usize> {
        let len = self.expected.len();
        (len > 0).then(|| len - 1 - challan % len)
    }

    /// Calls `build` with a fresh id source and the ledger so far; returns its result.
    fn build<T>(&mut self, build: impl FnOnce(&mut dyn FnMut() -> Uuid, Timestamp, &Balances) -> T) -> T {
        let next = &mut self.next_id;
        let mut ids = || {
            *next += 1;
            Uuid::from_u128(*next)
        };
        build(&mut ids, self.clock, &self.book.ledger)
    }

    /// Posts an event as a store would, checking it incrementally on the way.
    fn post(&mut self, event: Vec<Transfer>) -> Result<Vec<Transfer>, TestCaseError> {
        let found = self.checker.push_event(&event);
        prop_assert!(found.is_empty(), "incremental check: {found:?}");
        self.book.post(event).or_fail()
    }

    pub fn step(&mut self, op: &Op) -> Result<(), TestCaseError> {
        self.clock = self.clock.checked_add(SignedDuration::from_mins(7)).or_fail()?;
        match *op {
            Op::Issue { head, district, amount_rupees, surcharge_percent, due_days } => {
                self.issue(head, district, amount_rupees * 100, surcharge_percent, due_days)
            }
            Op::PayOnTime { challan, channel, extra_rupees } => match self.index(challan) {
                Some(i) => self.pay(i, channel, extra_rupees * 100).map(|_| ()),
                None => Ok(()),
            },
            Op::PayLate { challan, channel, days_late, extra_rupees } => match self.index(challan) {
                Some(i) => {
                    let day = self.terms[i].due_date.checked_add(Span::new().days(days_late)).or_fail()?;
                    let late = day.at(10, 0, 0, 0).to_zoned(pakistan()).or_fail()?.timestamp();
                    self.clock = self.clock.max(late);
                    self.pay(i, channel, extra_rupees * 100).map(|_| ())
                }
                None => Ok(()),
            },
            Op::PayTwice { challan, channel, again_rupees } => match self.index(challan) {
                Some(i) => {
                    self.pay(i, channel, 0)?;
                    let again = self.pay(i, channel, again_rupees * 100)?;
                    let codes: Vec<TransferCode> = again.iter().map(|t| t.code).collect();
                    prop_assert_eq!(codes, [TransferCode::Overpayment]);
                    Ok(())
                }
                None => Ok(()),
            },
            Op::Waive { challan } => self.index(challan).map_or(Ok(()), |i| self.waive(i)),
            Op::ReversePayment { challan } => self.index(challan).map_or(Ok(()), |i| self.reverse_payment(i)),
            Op::Deposit { channel } => self.deposit(channel),
            Op::Refund { challan } => self.index(challan).map_or(Ok(()), |i| self.refund(i)),
            Op::Unidentified { amount_rupees } => {
                let amount = paisa(amount_rupees * 100)?;
                let event = self.build(|ids, at, ledger| unidentified(ids, at, ledger, amount)).or_fail()?;
                self.post(event)?;
                self.treasury += amount_rupees * 100;
                Ok(())
            }
            Op::Wait { hours } => {
                self.clock = self.clock.checked_add(SignedDuration::from_hours(hours)).or_fail()?;
                Ok(())
            }
        }
    }

    fn issue(&mut self, head: usize, district: usize, amount: i64, surcharge_percent: i64, due_days: i64) -> Result<(), TestCaseError> {
        let counter = u32::try_from(self.terms.len() + 1).or_fail()?;
        let challan_no = ChallanNo::new(IssuerNo::new(100_001).or_fail()?, counter).or_fail()?;
        let accounts = accounts(HEADS[head % 2], DISTRICTS[district % 2]).or_fail()?;
        let due_date: Date = local_date(self.clock).checked_add(Span::new().days(due_days)).or_fail()?;
        let terms =
            ChallanTerms { challan_no, accounts, amount: paisa(amount)?, amount_after_due: paisa(amount + amount * surcharge_percent / 100)?, due_date };
        let event = self.build(|ids, at, ledger| challan_issued(ids, at, ledger, &terms)).or_fail()?;
        self.checker.add_terms(terms.clone());
        self.post(event)?;
        self.terms.push(terms);
        self.expected.push(Expected { outstanding: amount, charged: amount, ..Expected::default() });
        Ok(())
    }

    /// Pays what is due today plus `extra` paisa (something, if nothing is due).
    fn pay(&mut self, i: usize, channel_no: usize, extra: i64) -> Result<Vec<Transfer>, TestCaseError> {
        let terms = self.terms[i].clone();
        let e = self.expected[i].clone();
        let paid_on = local_date(self.clock);
        let surcharge = if e.outstanding > 0 && paid_on > terms.due_date { (terms.amount_after_due.get() - e.charged).max(0) } else { 0 };
        let due = e.outstanding + surcharge;
        let amount = if due + extra > 0 { due + extra } else { 100 };
        let clearing = channel(channel_no)?;
        if due > 1 {
            let short = Payment { clearing: clearing.clone(), amount: paisa(due - 1)?, paid_on };
            let refused = self.build(|ids, at, ledger| payment_received(ids, at, ledger, &terms, &short));
            prop_assert!(matches!(refused, Err(LedgerError::Underpaid { .. })), "{refused:?}");
        }
        let payment = Payment { clearing, amount: paisa(amount)?, paid_on };
        let event = self.build(|ids, at, ledger| payment_received(ids, at, ledger, &terms, &payment)).or_fail()?;
        let mut expected_codes = Vec::new();
        if surcharge > 0 {
            expected_codes.push((TransferCode::Surcharge, surcharge));
        }
        if due > 0 {
            expected_codes.push((TransferCode::PaymentReceived, due));
        }
        if amount > due {
            expected_codes.push((TransferCode::Overpayment, amount - due));
        }
        let codes: Vec<(TransferCode, i64)> = event.iter().map(|t| (t.code, t.amount.get())).collect();
        prop_assert_eq!(codes, expected_codes);
        let event = self.post(event)?;
        let e = &mut self.expected[i];
        e.charged += surcharge;
        e.outstanding = 0;
        e.refundable += amount - due;
        if let Some(paid) = event.iter().find(|t| t.code == TransferCode::PaymentReceived) {
            e.payment = Some((paid.id, due, channel_no % 3));
        }
        self.clearing[channel_no % 3] += amount;
        Ok(event)
    }

    fn waive(&mut self, i: usize) -> Result<(), TestCaseError> {
        let no = self.terms[i].challan_no;
        let built = self.build(|ids, at, ledger| waiver(ids, at, ledger, no));
        if self.expected[i].outstanding == 0 {
            prop_assert!(matches!(built, Err(LedgerError::NothingOutstanding { .. })), "{built:?}");
            return Ok(());
        }
        self.post(built.or_fail()?)?;
        self.expected[i].outstanding = 0;
        Ok(())
    }

    fn reverse_payment(&mut self, i: usize) -> Result<(), TestCaseError> {
        let Some((id, amount, ch)) = self.expected[i].payment else { return Ok(()) };
        let built = self.build(|ids, at, ledger| reversal(ids, at, ledger, id));
        if self.clearing[ch] < amount {
            prop_assert!(matches!(built, Err(LedgerError::Insufficient { .. })), "{built:?}");
            return Ok(());
        }
        self.post(built.or_fail()?)?;
        self.clearing[ch] -= amount;
        let e = &mut self.expected[i];
        e.outstanding += amount;
        e.payment = None;
        Ok(())
    }

    /// Deposits everything the clearing account holds: one statement line for the day.
    fn deposit(&mut self, channel_no: usize) -> Result<(), TestCaseError> {
        let ch = channel_no % 3;
        let clearing = channel(ch)?;
        if self.clearing[ch] == 0 {
            let one = paisa(1)?;
            let refused = self.build(|ids, at, ledger| deposit(ids, at, ledger, &clearing, one, None));
            prop_assert!(matches!(refused, Err(LedgerError::Insufficient { .. })), "{refused:?}");
            return Ok(());
        }
        let amount = paisa(self.clearing[ch])?;
        let event = self.build(|ids, at, ledger| deposit(ids, at, ledger, &clearing, amount, None)).or_fail()?;
        self.post(event)?;
        self.treasury += self.clearing[ch];
        self.clearing[ch] = 0;
        Ok(())
    }

    /// Refunds the whole overpayment of a challan.
    fn refund(&mut self, i: usize) -> Result<(), TestCaseError> {
        let refundable = self.expected[i].refundable;
        if refundable == 0 {
            return Ok(());
        }
        let (no, amount) = (self.terms[i].challan_no, paisa(refundable)?);
        let event = self.build(|ids, at, ledger| refund(ids, at, ledger, no, amount)).or_fail()?;
        self.post(event)?;
        self.treasury -= refundable;
        self.expected[i].refundable = 0;
        Ok(())
    }

    /// The ledger agrees with the model and breaks no rule.
    pub fn verify(&self) -> Result<(), TestCaseError> {
        let transfers = &self.book.transfers;
        let found = check_with_terms(transfers, &self.terms);
        prop_assert!(found.is_empty(), "{found:?}");
        let found = check(transfers);
        prop_assert!(found.is_empty(), "{found:?}");
        let ledger = &self.book.ledger;
        prop_assert!(ledger.trial_balance().is_balanced());
        // Built event by event, by the checker, or from the rows read back: one ledger.
        prop_assert!(self.checker.balances() == ledger);
        prop_assert!(&Balances::from_transfers(transfers).or_fail()? == ledger);
        let mut charged = 0;
        for (terms, e) in self.terms.iter().zip(&self.expected) {
            let c = ledger.challan(terms.challan_no).cloned().unwrap_or_default();
            prop_assert!(c.outstanding_paisa >= 0);
            prop_assert_eq!((c.outstanding_paisa, c.charged_paisa, c.refundable_paisa), (e.outstanding, e.charged, e.refundable));
            prop_assert_eq!(c.paid_by.len(), usize::from(e.payment.is_some()));
            charged += e.charged;
        }
        for (ch, &held) in self.clearing.iter().enumerate() {
            prop_assert_eq!(ledger.balance_paisa(&Account::Clearing(channel(ch)?)), held);
        }
        prop_assert_eq!(ledger.balance_paisa(&Account::Treasury), self.treasury);
        let issued_and_surcharged = ledger.code_total(TransferCode::ChallanIssued).net_paisa() + ledger.code_total(TransferCode::Surcharge).net_paisa();
        prop_assert_eq!(issued_and_surcharged, charged);
        let revenue: i64 = ledger.accounts().filter(|(a, _)| matches!(a, Account::Revenue { .. })).map(|(a, _)| ledger.balance_paisa(a)).sum();
        prop_assert_eq!(revenue, charged);
        Ok(())
    }
}
