//! The one correction the ledger knows: reversing a transfer.

use jiff::Timestamp;
use uuid::Uuid;

use super::{Draft, ensure_room};
use crate::balances::Balances;
use crate::transfer::{Transfer, TransferCode};
use crate::{LedgerError, Result};

/// DESIGN.md row `REVERSAL` (original credit → original debit, "correction of one
/// transfer, once"): the same amount back between the same accounts, naming the same
/// challan, with `reverses` = the original's id.
///
/// Refused if the original is unknown, is itself a reversal, is already reversed, is
/// later than `at`, or if undoing it would take a clearing account, a challan's
/// outstanding or its refundable overpayment below zero (reverse what came after first,
/// e.g. the deposit before the payment it deposited).
pub fn reversal(ids: &mut dyn FnMut() -> Uuid, at: Timestamp, ledger: &Balances, original_id: Uuid) -> Result<Vec<Transfer>> {
    let original = ledger.transfer(original_id).ok_or(LedgerError::UnknownTransfer { id: original_id })?;
    if original.code == TransferCode::Reversal {
        return Err(LedgerError::ReversalOfReversal { id: original_id });
    }
    if let Some(by) = ledger.reversed_by(original_id) {
        return Err(LedgerError::AlreadyReversed { id: original_id, by });
    }
    if original.at > at {
        return Err(LedgerError::invalid("at", "a reversal cannot precede the transfer it reverses"));
    }
    let mut draft = Draft::new(ids, ledger, at, original.challan_no)?;
    draft.push(TransferCode::Reversal, original.credit.clone(), original.debit.clone(), original.amount, Some(original_id))?;
    let transfers = draft.finish();
    for t in &transfers {
        ensure_room(ledger, t)?;
    }
    Ok(transfers)
}
