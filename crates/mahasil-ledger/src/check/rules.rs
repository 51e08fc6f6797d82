//! The rules checked for each transfer: before it is applied (its own shape, what it
//! reverses, the challan it names, the challan's terms) and after (the balances it
//! leaves).

use mahasil_domain::time::local_date;

use crate::account::{Account, AccountKind};
use crate::balances::Balances;
use crate::challan::ChallanTerms;
use crate::transfer::{ChallanRef, Transfer, TransferCode};
use crate::violation::Violation;

/// The transfer agrees with its code's row of the table.
pub(super) fn shape(t: &Transfer, found: &mut Vec<Violation>) {
    if (t.code == TransferCode::Reversal) != t.reverses.is_some() {
        found.push(Violation::MisplacedReverses { transfer_id: t.id, code: t.code });
    }
    if let Some((debit, credit)) = t.code.accounts() {
        let kinds_match = t.debit.kind() == debit && t.credit.kind() == credit;
        // Issuing, surcharging and waiving move money between two accounts of one head
        // and district.
        let paired = matches!(t.code, TransferCode::ChallanIssued | TransferCode::Surcharge | TransferCode::Waiver);
        let same_place = !paired || same_head_and_district(&t.debit, &t.credit);
        if !kinds_match || !same_place {
            found.push(Violation::WrongAccounts { transfer_id: t.id, code: t.code, debit: t.debit.clone(), credit: t.credit.clone() });
        }
    }
    match (t.code.challan_ref(), t.challan_no) {
        (ChallanRef::Required, None) => found.push(Violation::ChallanMissing { transfer_id: t.id, code: t.code }),
        (ChallanRef::Forbidden, Some(_)) => found.push(Violation::ChallanNotExpected { transfer_id: t.id, code: t.code }),
        _ => {}
    }
}

fn same_head_and_district(a: &Account, b: &Account) -> bool {
    let place = |account: &Account| match account {
        Account::Receivable { head, district } | Account::Revenue { head, district } | Account::Waived { head, district } => {
            Some((head.clone(), district.clone()))
        }
        _ => None,
    };
    place(a).is_some() && place(a) == place(b)
}

/// A reversal reverses an earlier transfer that is not a reversal, once, and mirrors it.
pub(super) fn reversal(ledger: &Balances, t: &Transfer, found: &mut Vec<Violation>) {
    let (TransferCode::Reversal, Some(original_id)) = (t.code, t.reverses) else { return };
    let Some(original) = ledger.transfer(original_id) else {
        found.push(Violation::ReversalOfUnknown { transfer_id: t.id, original_id });
        return;
    };
    if original.code == TransferCode::Reversal {
        found.push(Violation::ReversalReversed { transfer_id: t.id, original_id });
    } else if let Some(first) = ledger.reversed_by(original_id) {
        found.push(Violation::ReversedTwice { original_id, reversal_ids: vec![first, t.id] });
    }
    let mismatch = |reason| Violation::ReversalMismatch { transfer_id: t.id, original_id, reason };
    if t.debit != original.credit || t.credit != original.debit {
        found.push(mismatch("its accounts are not the original's, swapped"));
    }
    if t.amount != original.amount {
        found.push(mismatch("its amount differs"));
    }
    if t.challan_no != original.challan_no {
        found.push(mismatch("it names another challan"));
    }
}

/// A named challan was issued before, and its money moves through its own accounts.
pub(super) fn challan_reference(ledger: &Balances, t: &Transfer, found: &mut Vec<Violation>) {
    let Some(no) = t.challan_no else { return };
    let Some(accounts) = ledger.challan(no).and_then(|c| c.accounts.as_ref()) else {
        // The first CHALLAN_ISSUED of a challan is what makes it known.
        if t.code != TransferCode::ChallanIssued {
            found.push(Violation::UnknownChallan { transfer_id: t.id, challan_no: no });
        }
        return;
    };
    for account in [&t.debit, &t.credit] {
        if !accounts.owns(account) {
            found.push(Violation::ChallanAccountMismatch { transfer_id: t.id, challan_no: no, account: account.clone() });
        }
    }
}

/// The challan's issue and surcharges agree with its stored terms.
pub(super) fn terms(terms: &ChallanTerms, t: &Transfer, found: &mut Vec<Violation>) {
    let mismatch = |reason: String| Violation::TermsMismatch { transfer_id: t.id, challan_no: terms.challan_no, reason };
    match t.code {
        TransferCode::ChallanIssued => {
            if t.amount != terms.amount {
                found.push(mismatch(format!("issued for {} paisa, the challan says {}", t.amount.get(), terms.amount.get())));
            }
            if t.debit != terms.accounts.receivable() || t.credit != terms.accounts.revenue() {
                found.push(mismatch(format!("issued under {}, the challan is of {} in {}", t.debit, terms.accounts.head, terms.accounts.district)));
            }
        }
        TransferCode::Surcharge if local_date(t.at) <= terms.due_date => {
            found.push(Violation::SurchargeBeforeDue { transfer_id: t.id, challan_no: terms.challan_no, due_date: terms.due_date });
        }
        _ => {}
    }
}

/// The balances `t` leaves are within their bounds.
pub(super) fn after(ledger: &Balances, terms: Option<&ChallanTerms>, t: &Transfer, found: &mut Vec<Violation>) {
    // Only a credit lowers a clearing account; a debit cannot make it negative.
    if let Account::Clearing(_) = &t.credit {
        let balance_paisa = ledger.balance_paisa(&t.credit);
        if balance_paisa < 0 {
            found.push(Violation::ClearingNegative { account: t.credit.clone(), transfer_id: t.id, balance_paisa });
        }
    }
    let Some(no) = t.challan_no else { return };
    let Some(challan) = ledger.challan(no) else { return };
    let touches = |kind: AccountKind| t.debit.kind() == kind || t.credit.kind() == kind;
    if touches(AccountKind::Receivable) || touches(AccountKind::Revenue) {
        let cap = terms.map_or(i64::MAX, |terms| terms.amount_after_due.get());
        let max_paisa = challan.charged_paisa.min(cap).max(0);
        if !(0..=max_paisa).contains(&challan.outstanding_paisa) {
            found.push(Violation::OutstandingOutOfRange { challan_no: no, transfer_id: t.id, outstanding_paisa: challan.outstanding_paisa, max_paisa });
        }
    }
    if touches(AccountKind::RefundPayable) && challan.refundable_paisa < 0 {
        found.push(Violation::RefundableNegative { challan_no: no, transfer_id: t.id, refundable_paisa: challan.refundable_paisa });
    }
    if t.code == TransferCode::ChallanIssued && challan.issued_by.len() > 1 {
        found.push(Violation::ChallanIssuedTwice { challan_no: no, transfer_ids: challan.issued_by.clone() });
    }
    if t.code == TransferCode::PaymentReceived && challan.paid_by.len() > 1 {
        found.push(Violation::PaidTwice { challan_no: no, transfer_ids: challan.paid_by.clone() });
    }
}
