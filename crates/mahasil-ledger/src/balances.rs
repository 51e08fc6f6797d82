//! Balances computed from transfers: per account, per challan, and totals per code, so
//! a builder can see what the ledger allows next and a dashboard can be checked against
//! the ledger.
//!
//! Every sum is exact `i64` paisa with checked arithmetic: a total that would overflow is
//! refused, never wrapped.

use std::collections::{BTreeMap, HashMap};

use mahasil_domain::challan_no::ChallanNo;
use uuid::Uuid;

use crate::account::{Account, AccountKind, Side};
use crate::challan::ChallanAccounts;
use crate::transfer::{Transfer, TransferCode};
use crate::{LedgerError, Result};

/// The debits and credits posted to one account.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AccountBalance {
    pub debits_paisa: i64,
    pub credits_paisa: i64,
}

impl AccountBalance {
    /// The balance on `side`: debits minus credits for a debit-normal account, credits
    /// minus debits for a credit-normal one. Both sums are non-negative, so this cannot
    /// overflow.
    pub fn on(self, side: Side) -> i64 {
        match side {
            Side::Debit => self.debits_paisa - self.credits_paisa,
            Side::Credit => self.credits_paisa - self.debits_paisa,
        }
    }
}

/// What the ledger says about one challan: balances of the transfers that name it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChallanBalance {
    /// Head and district, from its first `CHALLAN_ISSUED`.
    pub accounts: Option<ChallanAccounts>,
    /// Its revenue: what was demanded (issue and surcharges, less their reversals).
    pub charged_paisa: i64,
    /// Its receivable: what is still owed.
    pub outstanding_paisa: i64,
    /// Its waived balance: what was forgiven.
    pub waived_paisa: i64,
    /// Its refund-payable balance: what was overpaid and not yet refunded.
    pub refundable_paisa: i64,
    /// `PAYMENT_RECEIVED` and `OVERPAYMENT`, less their reversals.
    pub received_paisa: i64,
    /// The `CHALLAN_ISSUED` transfers not reversed (one in a sound ledger).
    pub issued_by: Vec<Uuid>,
    /// The `PAYMENT_RECEIVED` transfers not reversed (at most one in a sound ledger).
    pub paid_by: Vec<Uuid>,
}

impl ChallanBalance {
    /// Whether the challan is issued and not reversed.
    pub fn is_issued(&self) -> bool {
        !self.issued_by.is_empty()
    }
}

/// How much was posted under one code, and how much of it was reversed since.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CodeTotal {
    pub count: u64,
    pub amount_paisa: i64,
    pub reversed_count: u64,
    pub reversed_paisa: i64,
}

impl CodeTotal {
    /// What the code stands for today: posted less reversed.
    pub fn net_paisa(self) -> i64 {
        self.amount_paisa - self.reversed_paisa
    }
}

/// Sums over every account. In a sound ledger debits equal credits, and the debit-normal
/// balances add up to the credit-normal ones.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TrialBalance {
    pub debits_paisa: i64,
    pub credits_paisa: i64,
    pub debit_normal_paisa: i128,
    pub credit_normal_paisa: i128,
}

impl TrialBalance {
    pub fn is_balanced(self) -> bool {
        self.debits_paisa == self.credits_paisa && self.debit_normal_paisa == self.credit_normal_paisa
    }
}

/// Balances of a ledger, built by applying its transfers in time order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Balances {
    accounts: BTreeMap<Account, AccountBalance>,
    challans: BTreeMap<ChallanNo, ChallanBalance>,
    codes: BTreeMap<TransferCode, CodeTotal>,
    transfers: HashMap<Uuid, Transfer>,
    reversed_by: HashMap<Uuid, Uuid>,
    totals: AccountBalance,
}

fn add(total: i64, amount: i64, id: Uuid) -> Result<i64> {
    total.checked_add(amount).ok_or(LedgerError::Overflow { id })
}

impl Balances {
    pub fn new() -> Self {
        Self::default()
    }

    /// Applies `transfers` in time order (ties keep their given order).
    pub fn from_transfers<'a>(transfers: impl IntoIterator<Item = &'a Transfer>) -> Result<Self> {
        let mut ordered: Vec<&Transfer> = transfers.into_iter().collect();
        ordered.sort_by_key(|t| t.at);
        let mut balances = Self::new();
        for t in ordered {
            balances.apply(t)?;
        }
        Ok(balances)
    }

    /// Adds one transfer, all or nothing: on an error nothing has changed.
    pub fn apply(&mut self, t: &Transfer) -> Result<()> {
        if self.transfers.contains_key(&t.id) {
            return Err(LedgerError::DuplicateTransfer { id: t.id });
        }
        let amount = t.amount.get();
        let mut debit = self.account(&t.debit);
        debit.debits_paisa = add(debit.debits_paisa, amount, t.id)?;
        let mut credit = if t.credit == t.debit { debit } else { self.account(&t.credit) };
        credit.credits_paisa = add(credit.credits_paisa, amount, t.id)?;
        let totals =
            AccountBalance { debits_paisa: add(self.totals.debits_paisa, amount, t.id)?, credits_paisa: add(self.totals.credits_paisa, amount, t.id)? };
        // The first reversal of a known transfer that is not itself a reversal undoes it.
        let undone = match (t.code, t.reverses) {
            (TransferCode::Reversal, Some(id)) if !self.reversed_by.contains_key(&id) => {
                self.transfers.get(&id).filter(|original| original.code != TransferCode::Reversal).map(|original| (original.id, original.code))
            }
            _ => None,
        };
        let challan = match t.challan_no {
            Some(no) => Some((no, self.next_challan(no, t, undone)?)),
            None => None,
        };
        let mut code = self.code_total(t.code);
        code.count += 1;
        code.amount_paisa = add(code.amount_paisa, amount, t.id)?;
        let mut undone_code = undone.map(|(_, c)| self.code_total(c));
        if let Some(total) = undone_code.as_mut() {
            total.reversed_count += 1;
            total.reversed_paisa = add(total.reversed_paisa, amount, t.id)?;
        }

        // When both sides are one account, `credit` already carries the debit too.
        if t.credit != t.debit {
            self.accounts.insert(t.debit.clone(), debit);
        }
        self.accounts.insert(t.credit.clone(), credit);
        self.totals = totals;
        if let Some((no, balance)) = challan {
            self.challans.insert(no, balance);
        }
        self.codes.insert(t.code, code);
        if let (Some((original, original_code)), Some(total)) = (undone, undone_code) {
            self.codes.insert(original_code, total);
            self.reversed_by.insert(original, t.id);
        }
        self.transfers.insert(t.id, t.clone());
        Ok(())
    }

    /// The challan's balance after `t`, computed without changing anything.
    fn next_challan(&self, no: ChallanNo, t: &Transfer, undone: Option<(Uuid, TransferCode)>) -> Result<ChallanBalance> {
        let mut next = self.challans.get(&no).cloned().unwrap_or_default();
        let amount = t.amount.get();
        for (account, side) in [(&t.debit, Side::Debit), (&t.credit, Side::Credit)] {
            let signed = if side == account.normal_side() { amount } else { -amount };
            let field = match account.kind() {
                AccountKind::Receivable => &mut next.outstanding_paisa,
                AccountKind::Revenue => &mut next.charged_paisa,
                AccountKind::Waived => &mut next.waived_paisa,
                AccountKind::RefundPayable => &mut next.refundable_paisa,
                AccountKind::Clearing | AccountKind::Treasury | AccountKind::Suspense => continue,
            };
            *field = add(*field, signed, t.id)?;
        }
        match (t.code, undone) {
            (TransferCode::ChallanIssued, _) => {
                if next.accounts.is_none()
                    && let Account::Receivable { head, district } = &t.debit
                {
                    next.accounts = Some(ChallanAccounts { head: head.clone(), district: district.clone() });
                }
                next.issued_by.push(t.id);
            }
            (TransferCode::PaymentReceived, _) => {
                next.received_paisa = add(next.received_paisa, amount, t.id)?;
                next.paid_by.push(t.id);
            }
            (TransferCode::Overpayment, _) => next.received_paisa = add(next.received_paisa, amount, t.id)?,
            (TransferCode::Reversal, Some((original, code))) => {
                if matches!(code, TransferCode::PaymentReceived | TransferCode::Overpayment) {
                    next.received_paisa = add(next.received_paisa, -amount, t.id)?;
                }
                next.issued_by.retain(|id| *id != original);
                next.paid_by.retain(|id| *id != original);
            }
            _ => {}
        }
        Ok(next)
    }

    pub fn account(&self, account: &Account) -> AccountBalance {
        self.accounts.get(account).copied().unwrap_or_default()
    }

    /// The balance of `account` on its normal side.
    pub fn balance_paisa(&self, account: &Account) -> i64 {
        self.account(account).on(account.normal_side())
    }

    /// Every account that was ever posted to, in order.
    pub fn accounts(&self) -> impl Iterator<Item = (&Account, &AccountBalance)> {
        self.accounts.iter()
    }

    pub fn challan(&self, no: ChallanNo) -> Option<&ChallanBalance> {
        self.challans.get(&no)
    }

    pub fn challans(&self) -> impl Iterator<Item = (&ChallanNo, &ChallanBalance)> {
        self.challans.iter()
    }

    pub fn code_total(&self, code: TransferCode) -> CodeTotal {
        self.codes.get(&code).copied().unwrap_or_default()
    }

    pub fn transfer(&self, id: Uuid) -> Option<&Transfer> {
        self.transfers.get(&id)
    }

    /// The reversal that undid transfer `id`, if any.
    pub fn reversed_by(&self, id: Uuid) -> Option<Uuid> {
        self.reversed_by.get(&id).copied()
    }

    /// How many transfers were applied.
    pub fn len(&self) -> usize {
        self.transfers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.transfers.is_empty()
    }

    pub fn trial_balance(&self) -> TrialBalance {
        let mut trial = TrialBalance { debits_paisa: self.totals.debits_paisa, credits_paisa: self.totals.credits_paisa, ..TrialBalance::default() };
        for (account, balance) in &self.accounts {
            let normal = i128::from(balance.on(account.normal_side()));
            match account.normal_side() {
                Side::Debit => trial.debit_normal_paisa += normal,
                Side::Credit => trial.credit_normal_paisa += normal,
            }
        }
        trial
    }
}

#[cfg(test)]
impl Balances {
    /// A ledger whose running total of debits is `paisa`, to reach overflow in tests
    /// without writing nine million transfers.
    pub(crate) fn with_debits_total(paisa: i64) -> Self {
        Self { totals: AccountBalance { debits_paisa: paisa, credits_paisa: 0 }, ..Self::default() }
    }
}

#[cfg(test)]
mod tests {

    use super::*;
    use crate::test_transfers::unidentified;

    #[test]
    fn overflow_is_refused_and_changes_nothing() -> Result<()> {
        let mut ledger = Balances::with_debits_total(i64::MAX - 5);
        assert_eq!(ledger.apply(&unidentified(1, 10)?), Err(LedgerError::Overflow { id: Uuid::from_u128(1) }));
        assert!(ledger.is_empty());
        assert_eq!(ledger.account(&Account::Treasury), AccountBalance::default());
        assert_eq!(ledger.code_total(TransferCode::Unidentified), CodeTotal::default());
        ledger.apply(&unidentified(2, 5)?)?;
        assert_eq!(ledger.balance_paisa(&Account::Suspense), 5);
        Ok(())
    }

    #[test]
    fn duplicates_are_refused() -> Result<()> {
        let mut ledger = Balances::new();
        ledger.apply(&unidentified(1, 10)?)?;
        assert_eq!(ledger.apply(&unidentified(1, 10)?), Err(LedgerError::DuplicateTransfer { id: Uuid::from_u128(1) }));
        assert_eq!((ledger.len(), ledger.balance_paisa(&Account::Treasury)), (1, 10));
        Ok(())
    }

    #[test]
    fn reversals_count_against_their_original_code() -> Result<()> {
        let mut ledger = Balances::new();
        let original = unidentified(1, 10)?;
        ledger.apply(&original)?;
        let undo = Transfer {
            id: Uuid::from_u128(2),
            code: TransferCode::Reversal,
            debit: Account::Suspense,
            credit: Account::Treasury,
            reverses: Some(original.id),
            ..original
        };
        ledger.apply(&undo)?;
        let total = ledger.code_total(TransferCode::Unidentified);
        assert_eq!((total.count, total.amount_paisa, total.reversed_count, total.net_paisa()), (1, 10, 1, 0));
        assert_eq!(ledger.code_total(TransferCode::Reversal).amount_paisa, 10);
        assert_eq!(ledger.reversed_by(Uuid::from_u128(1)), Some(Uuid::from_u128(2)));
        let trial = ledger.trial_balance();
        assert!(trial.is_balanced());
        assert_eq!((trial.debits_paisa, trial.debit_normal_paisa), (20, 0));
        Ok(())
    }
}
