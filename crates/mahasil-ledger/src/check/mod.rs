//! The ledger's invariants (DESIGN.md, "Ledger"), checked over a whole ledger with
//! [`check`] or one transfer at a time with a [`Checker`].
//!
//! - Per transfer: its accounts are those of its code's row; it names a challan where
//!   its code needs one and none where it must not; the challan was issued before and the
//!   accounts are that challan's; only a `REVERSAL` names a transfer it reverses.
//! - Reversals: the original exists earlier, is not a reversal, is reversed at most once,
//!   and is mirrored exactly (accounts swapped, same amount, same challan).
//! - Per event: its transfers are together and at one time, and name at most one challan;
//!   an event that pays or waives a challan leaves nothing outstanding.
//! - Per challan, at every point in time order: 0 ≤ outstanding ≤ charged (and ≤ the
//!   amount after due when its terms are known); issued at most once and paid at most
//!   once, not counting what was reversed; never more refunded than overpaid.
//! - Clearing accounts are never negative at any point in time order.
//! - With terms: the issued amount and accounts are the challan's; no surcharge on or
//!   before the due date.
//!
//! Debits equal credits by construction (a transfer is one amount, debited and credited),
//! hence per event and overall; [`Balances::trial_balance`] shows it for any ledger.
//! Amounts are positive by their type, [`Paisa`](mahasil_domain::money::Paisa), which
//! every transfer read back passes through.

mod reported;
mod rules;

use std::collections::{BTreeSet, HashMap, HashSet};

use jiff::Timestamp;
use mahasil_domain::challan_no::ChallanNo;
use uuid::Uuid;

use crate::balances::Balances;
use crate::challan::ChallanTerms;
use crate::transfer::{Transfer, TransferCode};
use crate::violation::Violation;

pub use reported::{ReportedTotals, check_reported};

/// Every violation in `transfers`, taken in time order (ties keep their given order).
pub fn check(transfers: &[Transfer]) -> Vec<Violation> {
    check_with_terms(transfers, &[])
}

/// Like [`check`], also holding the challans in `terms` to their stored amounts, accounts
/// and due dates.
pub fn check_with_terms(transfers: &[Transfer], terms: &[ChallanTerms]) -> Vec<Violation> {
    let mut ordered: Vec<&Transfer> = transfers.iter().collect();
    ordered.sort_by_key(|t| t.at);
    let mut checker = Checker::with_terms(terms.iter().cloned());
    let mut found: Vec<Violation> = ordered.into_iter().flat_map(|t| checker.push(t)).collect();
    found.extend(checker.end_event());
    found
}

/// The event whose transfers are being checked.
#[derive(Debug, Clone)]
struct OpenEvent {
    id: Uuid,
    at: Timestamp,
    challans: BTreeSet<ChallanNo>,
    /// Challans the event pays or waives, which must be settled when it ends.
    settles: BTreeSet<ChallanNo>,
}

/// Checks transfers one at a time, in time order, keeping the balances so far. An event
/// ends when a transfer of another event arrives, or at [`Checker::end_event`].
#[derive(Debug, Clone, Default)]
pub struct Checker {
    ledger: Balances,
    terms: HashMap<ChallanNo, ChallanTerms>,
    open: Option<OpenEvent>,
    ended: HashSet<Uuid>,
    last_at: Option<Timestamp>,
}

impl Checker {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with_terms(terms: impl IntoIterator<Item = ChallanTerms>) -> Self {
        let mut checker = Self::new();
        for t in terms {
            checker.add_terms(t);
        }
        checker
    }

    /// Holds the challan to `terms` from now on.
    pub fn add_terms(&mut self, terms: ChallanTerms) {
        self.terms.insert(terms.challan_no, terms);
    }

    /// The balances of everything pushed so far (duplicates and overflowing transfers
    /// left out).
    pub fn balances(&self) -> &Balances {
        &self.ledger
    }

    /// Checks and applies one transfer; returns what it breaks.
    pub fn push(&mut self, t: &Transfer) -> Vec<Violation> {
        let mut found = self.enter(t);
        if self.ledger.transfer(t.id).is_some() {
            found.push(Violation::DuplicateTransferId { transfer_id: t.id });
            return found;
        }
        rules::shape(t, &mut found);
        rules::reversal(&self.ledger, t, &mut found);
        rules::challan_reference(&self.ledger, t, &mut found);
        let terms = t.challan_no.and_then(|no| self.terms.get(&no));
        if let Some(terms) = terms {
            rules::terms(terms, t, &mut found);
        }
        if self.ledger.apply(t).is_err() {
            // Duplicates were caught above, so only an overflow is left.
            found.push(Violation::Overflow { transfer_id: t.id });
            return found;
        }
        rules::after(&self.ledger, terms, t, &mut found);
        if let (Some(open), Some(no)) = (self.open.as_mut(), t.challan_no) {
            open.challans.insert(no);
            if matches!(t.code, TransferCode::PaymentReceived | TransferCode::Waiver) {
                open.settles.insert(no);
            }
        }
        found
    }

    /// Checks and applies the transfers of one event, then ends it.
    pub fn push_event(&mut self, event: &[Transfer]) -> Vec<Violation> {
        let mut found: Vec<Violation> = event.iter().flat_map(|t| self.push(t)).collect();
        found.extend(self.end_event());
        found
    }

    /// What `event` would break if pushed now, changing nothing: a store's last look
    /// before it writes. Costs a copy of the checker.
    pub fn would_break(&self, event: &[Transfer]) -> Vec<Violation> {
        self.clone().push_event(event)
    }

    /// Ends the open event, if any, and returns what it breaks as a whole.
    pub fn end_event(&mut self) -> Vec<Violation> {
        let Some(open) = self.open.take() else { return Vec::new() };
        self.ended.insert(open.id);
        let mut found = Vec::new();
        if open.challans.len() > 1 {
            found.push(Violation::MixedChallans { event_id: open.id, challans: open.challans.iter().copied().collect() });
        }
        for no in open.settles {
            let outstanding_paisa = self.ledger.challan(no).map_or(0, |c| c.outstanding_paisa);
            if outstanding_paisa > 0 {
                found.push(Violation::Unsettled { event_id: open.id, challan_no: no, outstanding_paisa });
            }
        }
        found
    }

    /// Moves to `t`'s event, ending the previous one, and checks time order.
    fn enter(&mut self, t: &Transfer) -> Vec<Violation> {
        let mut found = Vec::new();
        if self.last_at.is_some_and(|last| t.at < last) {
            found.push(Violation::TimeWentBack { transfer_id: t.id });
        }
        self.last_at = self.last_at.max(Some(t.at));
        match &self.open {
            Some(open) if open.id == t.event_id => {
                if open.at != t.at {
                    found.push(Violation::EventSplit { event_id: t.event_id, transfer_id: t.id });
                }
            }
            _ => {
                found.extend(self.end_event());
                if self.ended.contains(&t.event_id) {
                    found.push(Violation::EventSplit { event_id: t.event_id, transfer_id: t.id });
                }
                self.open = Some(OpenEvent { id: t.event_id, at: t.at, challans: BTreeSet::new(), settles: BTreeSet::new() });
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {

    use super::*;
    use crate::test_transfers::unidentified;

    #[test]
    fn overflow() -> crate::Result<()> {
        let mut checker = Checker { ledger: Balances::with_debits_total(i64::MAX - 5), ..Checker::default() };
        assert_eq!(checker.push_event(&[unidentified(1, 10)?]), [Violation::Overflow { transfer_id: Uuid::from_u128(1) }]);
        assert!(checker.balances().is_empty());
        Ok(())
    }

    #[test]
    fn would_break_changes_nothing() -> crate::Result<()> {
        let mut checker = Checker::new();
        let event = [unidentified(1, 10)?];
        assert!(checker.would_break(&event).is_empty());
        assert!(checker.balances().is_empty());
        assert!(checker.push_event(&event).is_empty());
        // The same event again: its id reappears after it ended, and so does its transfer.
        let again = checker.would_break(&event);
        assert_eq!(again.iter().map(Violation::rule).collect::<Vec<_>>(), ["event-split", "duplicate-transfer-id"]);
        Ok(())
    }
}
