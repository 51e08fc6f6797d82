//! Shared test values: challan numbers, terms, times, clearing accounts, and a small
//! book that posts events the way a store would.

use jiff::Timestamp;
use jiff::civil::Date;
use mahasil_domain::challan_no::{ChallanNo, IssuerNo};
use mahasil_domain::head::HeadCode;
use mahasil_domain::jurisdiction::Slug;
use mahasil_domain::money::Paisa;
use mahasil_ledger::{Balances, ChallanAccounts, ChallanTerms, Channel, Clearing, Transfer};
use uuid::Uuid;

pub type TestResult<T = ()> = Result<T, Box<dyn std::error::Error>>;

/// Ids 1, 2, 3, ... so expected values can be written down.
pub fn counter(start: u128) -> impl FnMut() -> Uuid {
    let mut n = start;
    move || {
        n += 1;
        Uuid::from_u128(n)
    }
}

pub fn challan(counter: u32) -> TestResult<ChallanNo> {
    Ok(ChallanNo::new(IssuerNo::new(100_001)?, counter)?)
}

pub fn paisa(p: i64) -> TestResult<Paisa> {
    Ok(Paisa::new(p)?)
}

pub fn at(s: &str) -> TestResult<Timestamp> {
    Ok(s.parse()?)
}

pub fn accounts(head: &str, district: &str) -> TestResult<ChallanAccounts> {
    Ok(ChallanAccounts { head: HeadCode::parse(head)?, district: Slug::parse(district)? })
}

/// Challan `n` of head DA-ENC-01 in Peshawar: PKR 5,000 until 15 March 2026, PKR 6,000
/// after (the demo catalogue's encroachment fine).
pub fn encroachment(n: u32) -> TestResult<ChallanTerms> {
    Ok(ChallanTerms {
        challan_no: challan(n)?,
        accounts: accounts("DA-ENC-01", "peshawar")?,
        amount: paisa(500_000)?,
        amount_after_due: paisa(600_000)?,
        due_date: Date::constant(2026, 3, 15),
    })
}

pub fn clearing(channel: Channel, holder: &str) -> TestResult<Clearing> {
    Ok(Clearing { channel, holder: Slug::parse(holder)? })
}

pub fn demo_bank() -> TestResult<Clearing> {
    clearing(Channel::Bank, "demo-bank")
}

/// Transfers posted so far and their balances, as a store would keep them.
#[derive(Default)]
pub struct Book {
    pub transfers: Vec<Transfer>,
    pub ledger: Balances,
}

impl Book {
    /// Appends one event's transfers; returns them for inspection.
    pub fn post(&mut self, event: Vec<Transfer>) -> TestResult<Vec<Transfer>> {
        for t in &event {
            self.ledger.apply(t)?;
        }
        self.transfers.extend(event.iter().cloned());
        Ok(event)
    }
}
