//! Events of a challan's own life: issued, paid, waived or cancelled.

use jiff::Timestamp;
use jiff::civil::Date;
use mahasil_domain::challan_no::ChallanNo;
use mahasil_domain::money::Paisa;
use mahasil_domain::time::local_date;
use uuid::Uuid;

use super::{Draft, positive};
use crate::account::{Account, Clearing};
use crate::balances::{Balances, ChallanBalance};
use crate::challan::{ChallanAccounts, ChallanTerms, Owed};
use crate::transfer::{Transfer, TransferCode};
use crate::{LedgerError, Result};

/// A payment for a challan as the channel reported it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    /// Where the money waits until it reaches the treasury.
    pub clearing: Clearing,
    pub amount: Paisa,
    /// The day the payer paid (the bank's `tran_date`): the amount due is judged as of it.
    pub paid_on: Date,
}

/// DESIGN.md row `CHALLAN_ISSUED` (receivable → revenue, "challan stored"): the amount
/// within the due date becomes owed. Refused if the challan is already issued, or if
/// its terms demand less after the due date than within it.
pub fn challan_issued(ids: &mut dyn FnMut() -> Uuid, at: Timestamp, ledger: &Balances, terms: &ChallanTerms) -> Result<Vec<Transfer>> {
    if terms.amount_after_due < terms.amount {
        return Err(LedgerError::invalid("amount_after_due", "must not be less than the amount within the due date"));
    }
    if let Some(known) = ledger.challan(terms.challan_no) {
        if known.is_issued() {
            return Err(LedgerError::AlreadyIssued { challan_no: terms.challan_no });
        }
        same_accounts(terms, known)?;
    }
    let mut draft = Draft::new(ids, ledger, at, Some(terms.challan_no))?;
    draft.push(TransferCode::ChallanIssued, terms.accounts.receivable(), terms.accounts.revenue(), terms.amount, None)?;
    Ok(draft.finish())
}

/// DESIGN.md rows `SURCHARGE` (receivable → revenue, "paid after due date"),
/// `PAYMENT_RECEIVED` (clearing → receivable, "payment accepted") and `OVERPAYMENT`
/// (clearing → refund-payable, "money arrived for an already settled challan"), in that
/// order within one event:
///
/// - paid after the due date while something is owed, and the amount after due is more
///   than was charged so far: `SURCHARGE` for the difference;
/// - then `PAYMENT_RECEIVED` for everything outstanding, which settles the challan;
/// - then `OVERPAYMENT` for whatever was paid beyond it. A payment for a challan with
///   nothing outstanding is wholly `OVERPAYMENT`.
///
/// Refused if the payment does not cover what is due, if the challan was never issued,
/// if `terms` name other accounts than the ledger, or if the payment is dated after the
/// day it is posted.
pub fn payment_received(ids: &mut dyn FnMut() -> Uuid, at: Timestamp, ledger: &Balances, terms: &ChallanTerms, payment: &Payment) -> Result<Vec<Transfer>> {
    let no = terms.challan_no;
    let known = ledger.challan(no).filter(|c| c.accounts.is_some()).ok_or(LedgerError::UnknownChallan { challan_no: no })?;
    same_accounts(terms, known)?;
    let posted_on = local_date(at);
    if payment.paid_on > posted_on {
        return Err(LedgerError::PaidAfterPosting { paid_on: payment.paid_on, posted_on });
    }
    let Owed { surcharge_paisa: surcharge, due_paisa: due } = terms.owed_on(Some(known), payment.paid_on);
    let paid = payment.amount.get();
    if paid < due {
        return Err(LedgerError::Underpaid { challan_no: no, due_paisa: due, paid_paisa: paid });
    }
    let clearing = Account::Clearing(payment.clearing.clone());
    let mut draft = Draft::new(ids, ledger, at, Some(no))?;
    if surcharge > 0 {
        draft.push(TransferCode::Surcharge, terms.accounts.receivable(), terms.accounts.revenue(), positive(surcharge)?, None)?;
    }
    if due > 0 {
        draft.push(TransferCode::PaymentReceived, clearing.clone(), terms.accounts.receivable(), positive(due)?, None)?;
    }
    if paid > due {
        draft.push(TransferCode::Overpayment, clearing, terms.accounts.refund_payable(), positive(paid - due)?, None)?;
    }
    Ok(draft.finish())
}

/// DESIGN.md row `WAIVER` (waived → receivable, "approved cancellation or waiver"): the
/// whole outstanding is forgiven. Refused if nothing is outstanding: a paid challan is
/// not cancelled (payment beats cancellation).
pub fn waiver(ids: &mut dyn FnMut() -> Uuid, at: Timestamp, ledger: &Balances, challan_no: ChallanNo) -> Result<Vec<Transfer>> {
    let known = ledger.challan(challan_no).ok_or(LedgerError::UnknownChallan { challan_no })?;
    let accounts = known.accounts.as_ref().ok_or(LedgerError::UnknownChallan { challan_no })?;
    if known.outstanding_paisa <= 0 {
        return Err(LedgerError::NothingOutstanding { challan_no });
    }
    let mut draft = Draft::new(ids, ledger, at, Some(challan_no))?;
    draft.push(TransferCode::Waiver, accounts.waived(), accounts.receivable(), positive(known.outstanding_paisa)?, None)?;
    Ok(draft.finish())
}

fn same_accounts(terms: &ChallanTerms, known: &ChallanBalance) -> Result<()> {
    match &known.accounts {
        Some(ChallanAccounts { head, district }) if head != &terms.accounts.head || district != &terms.accounts.district => Err(LedgerError::TermsDisagree {
            challan_no: terms.challan_no,
            reason: format!("the ledger has it under {head} in {district}, the terms under {} in {}", terms.accounts.head, terms.accounts.district),
        }),
        _ => Ok(()),
    }
}
