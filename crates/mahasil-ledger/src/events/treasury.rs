//! Events of the treasury account: deposits matched in the statement, refunds paid out,
//! and statement credits nobody could match.

use jiff::Timestamp;
use mahasil_domain::challan_no::ChallanNo;
use mahasil_domain::money::Paisa;
use uuid::Uuid;

use super::{Draft, ensure_room};
use crate::account::{Account, Clearing};
use crate::balances::Balances;
use crate::transfer::{Transfer, TransferCode};
use crate::{LedgerError, Result};

/// DESIGN.md row `DEPOSITED` (treasury ← clearing, "matched in the treasury statement"):
/// a statement line matched to money held in `clearing`; `challan_no` when the line
/// matches one payment. Refused if the clearing account holds less than `amount`.
pub fn deposit(
    ids: &mut dyn FnMut() -> Uuid,
    at: Timestamp,
    ledger: &Balances,
    clearing: &Clearing,
    amount: Paisa,
    challan_no: Option<ChallanNo>,
) -> Result<Vec<Transfer>> {
    if let Some(no) = challan_no
        && ledger.challan(no).and_then(|c| c.accounts.as_ref()).is_none()
    {
        return Err(LedgerError::UnknownChallan { challan_no: no });
    }
    let mut draft = Draft::new(ids, ledger, at, challan_no)?;
    draft.push(TransferCode::Deposited, Account::Treasury, Account::Clearing(clearing.clone()), amount, None)?;
    let transfers = draft.finish();
    for t in &transfers {
        ensure_room(ledger, t)?;
    }
    Ok(transfers)
}

/// DESIGN.md row `REFUND` (refund-payable → treasury, "refund paid out"): pays back part
/// or all of a challan's overpayment. Refused beyond what was overpaid and not yet
/// refunded.
pub fn refund(ids: &mut dyn FnMut() -> Uuid, at: Timestamp, ledger: &Balances, challan_no: ChallanNo, amount: Paisa) -> Result<Vec<Transfer>> {
    let accounts = ledger.challan(challan_no).and_then(|c| c.accounts.as_ref()).ok_or(LedgerError::UnknownChallan { challan_no })?;
    let mut draft = Draft::new(ids, ledger, at, Some(challan_no))?;
    draft.push(TransferCode::Refund, accounts.refund_payable(), Account::Treasury, amount, None)?;
    let transfers = draft.finish();
    for t in &transfers {
        ensure_room(ledger, t)?;
    }
    Ok(transfers)
}

/// DESIGN.md row `UNIDENTIFIED` (treasury → suspense, "statement credit with no match"):
/// money seen in the treasury that matches no payment, held in suspense until someone
/// identifies it (then reversed and posted properly).
pub fn unidentified(ids: &mut dyn FnMut() -> Uuid, at: Timestamp, ledger: &Balances, amount: Paisa) -> Result<Vec<Transfer>> {
    let mut draft = Draft::new(ids, ledger, at, None)?;
    draft.push(TransferCode::Unidentified, Account::Treasury, Account::Suspense, amount, None)?;
    Ok(draft.finish())
}
