//! Builders of business events. Each returns the transfers of one event, all sharing one
//! `event_id`, in the order they are to be written, or the reason the ledger refuses the
//! event. They read the ledger as the caller knows it (`ledger` must hold at least every
//! transfer of the challan concerned and, where money leaves a clearing account, every
//! transfer of that account) and change nothing.
//!
//! Ids and time are passed in: `ids` is called once for the event id, then once per
//! transfer, so the caller can make them before the write and a retried write is
//! recognised.

mod challan;
mod reversal;
mod treasury;

use std::collections::HashSet;

use jiff::Timestamp;
use mahasil_domain::challan_no::ChallanNo;
use mahasil_domain::money::Paisa;
use uuid::Uuid;

use crate::account::Account;
use crate::balances::Balances;
use crate::transfer::{Transfer, TransferCode};
use crate::{LedgerError, Result};

pub use challan::{Payment, challan_issued, payment_received, waiver};
pub use reversal::reversal;
pub use treasury::{deposit, refund, unidentified};

/// The transfers of one event as they are drawn up.
struct Draft<'a> {
    ids: &'a mut dyn FnMut() -> Uuid,
    ledger: &'a Balances,
    event_id: Uuid,
    at: Timestamp,
    challan_no: Option<ChallanNo>,
    used: HashSet<Uuid>,
    transfers: Vec<Transfer>,
}

impl<'a> Draft<'a> {
    fn new(ids: &'a mut dyn FnMut() -> Uuid, ledger: &'a Balances, at: Timestamp, challan_no: Option<ChallanNo>) -> Result<Self> {
        let mut draft = Self { ids, ledger, event_id: Uuid::nil(), at, challan_no, used: HashSet::new(), transfers: Vec::new() };
        draft.event_id = draft.fresh_id()?;
        Ok(draft)
    }

    fn fresh_id(&mut self) -> Result<Uuid> {
        let id = (self.ids)();
        if !self.used.insert(id) {
            return Err(LedgerError::RepeatedId { id });
        }
        if self.ledger.transfer(id).is_some() {
            return Err(LedgerError::DuplicateTransfer { id });
        }
        Ok(id)
    }

    fn push(&mut self, code: TransferCode, debit: Account, credit: Account, amount: Paisa, reverses: Option<Uuid>) -> Result<()> {
        let id = self.fresh_id()?;
        self.transfers.push(Transfer { id, event_id: self.event_id, code, debit, credit, amount, challan_no: self.challan_no, reverses, at: self.at });
        Ok(())
    }

    fn finish(self) -> Vec<Transfer> {
        self.transfers
    }
}

/// Refuses a transfer that would take an account the ledger keeps non-negative below
/// zero: a clearing account, a challan's outstanding, a challan's refundable overpayment.
fn ensure_room(ledger: &Balances, t: &Transfer) -> Result<()> {
    let amount_paisa = t.amount.get();
    let need = |what: String, balance_paisa: i64| {
        if balance_paisa < amount_paisa { Err(LedgerError::Insufficient { what, balance_paisa, amount_paisa }) } else { Ok(()) }
    };
    let challan = t.challan_no.map(|no| (no, ledger.challan(no).cloned().unwrap_or_default()));
    match (&t.credit, &challan) {
        (Account::Clearing(_), _) => need(t.credit.to_string(), ledger.balance_paisa(&t.credit))?,
        (Account::Receivable { .. }, Some((no, balance))) => need(format!("the outstanding of challan {no}"), balance.outstanding_paisa)?,
        _ => {}
    }
    if let (Account::RefundPayable { .. }, Some((no, balance))) = (&t.debit, &challan) {
        need(format!("the overpayment of challan {no} not yet refunded"), balance.refundable_paisa)?;
    }
    Ok(())
}

/// A positive amount from a difference the caller has already checked is positive.
fn positive(paisa: i64) -> Result<Paisa> {
    Ok(Paisa::new(paisa)?)
}
