//! What the ledger needs to know about a challan: the accounts its money moves through
//! and, for the builders and the stricter checks, the amounts frozen on it when issued.

use jiff::civil::Date;
use mahasil_domain::challan_no::ChallanNo;
use mahasil_domain::head::{FrozenAmounts, HeadCode};
use mahasil_domain::jurisdiction::Slug;
use mahasil_domain::money::Paisa;

use crate::account::Account;
use crate::balances::ChallanBalance;
use crate::{LedgerError, Result};

/// The head and district of a challan, which name its receivable, revenue, waived and
/// refund-payable accounts.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ChallanAccounts {
    pub head: HeadCode,
    pub district: Slug,
}

impl ChallanAccounts {
    pub fn receivable(&self) -> Account {
        Account::Receivable { head: self.head.clone(), district: self.district.clone() }
    }

    pub fn revenue(&self) -> Account {
        Account::Revenue { head: self.head.clone(), district: self.district.clone() }
    }

    pub fn waived(&self) -> Account {
        Account::Waived { head: self.head.clone(), district: self.district.clone() }
    }

    pub fn refund_payable(&self) -> Account {
        Account::RefundPayable { head: self.head.clone() }
    }

    /// Whether `account` is one this challan's money may pass through, given its kind:
    /// per-head-and-district accounts must be this challan's, refund-payable its head's;
    /// the other kinds are shared by every challan.
    pub fn owns(&self, account: &Account) -> bool {
        match account {
            Account::Receivable { head, district } | Account::Revenue { head, district } | Account::Waived { head, district } => {
                head == &self.head && district == &self.district
            }
            Account::RefundPayable { head } => head == &self.head,
            Account::Clearing(_) | Account::Treasury | Account::Suspense => true,
        }
    }
}

/// The terms of one challan as stored with it: number, head, district and the two frozen
/// amounts with the due date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChallanTerms {
    pub challan_no: ChallanNo,
    pub accounts: ChallanAccounts,
    /// Owed within the due date.
    pub amount: Paisa,
    /// Owed after the due date; never less than `amount`.
    pub amount_after_due: Paisa,
    /// The last day (Pakistan time) on which `amount` is enough.
    pub due_date: Date,
}

impl ChallanTerms {
    pub fn new(challan_no: ChallanNo, head: HeadCode, district: Slug, frozen: FrozenAmounts) -> Result<Self> {
        if frozen.amount_after_due < frozen.amount {
            return Err(LedgerError::invalid("amount_after_due", "must not be less than the amount within the due date"));
        }
        Ok(Self {
            challan_no,
            accounts: ChallanAccounts { head, district },
            amount: frozen.amount,
            amount_after_due: frozen.amount_after_due,
            due_date: frozen.due_date,
        })
    }

    /// What a payment made on `paid_on` must bring, given what the ledger says of the
    /// challan (`None`: nothing posted): everything outstanding and, when paid after the
    /// due date while something is owed, the surcharge that brings what was charged up to
    /// the amount after due.
    pub fn owed_on(&self, balance: Option<&ChallanBalance>, paid_on: Date) -> Owed {
        let (outstanding, charged) = balance.map_or((0, 0), |b| (b.outstanding_paisa.max(0), b.charged_paisa));
        let surcharge_paisa = if outstanding > 0 && paid_on > self.due_date { (self.amount_after_due.get() - charged).max(0) } else { 0 };
        Owed { surcharge_paisa, due_paisa: outstanding + surcharge_paisa }
    }
}

/// What a payment on a given day must bring ([`ChallanTerms::owed_on`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Owed {
    /// Charged for paying after the due date (posted as `SURCHARGE` with the payment).
    pub surcharge_paisa: i64,
    /// Everything the payment must cover, the surcharge included.
    pub due_paisa: i64,
}
