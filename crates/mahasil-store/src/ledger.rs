//! The ledger postings both backends write inside the transaction of the business event
//! that causes them (DESIGN.md, "Ledger"): a challan's CHALLAN_ISSUED when it is stored,
//! its WAIVER when it is cancelled or waived. The rules themselves live in `mahasil-ledger`; a
//! refusal there is a conflict with the data and fails the whole change.

use jiff::Timestamp;
use mahasil_domain::challan::ChallanStatus;
use mahasil_domain::challan_no::ChallanNo;
use mahasil_domain::head::{FrozenAmounts, HeadCode};
use mahasil_domain::money::Paisa;
use mahasil_ledger::{Balances, ChallanTerms, Transfer, events};
use uuid::Uuid;

use crate::records::ChallanRecord;
use crate::{Result, StoreError};

/// Most transfers one read returns.
pub const MAX_TRANSFERS_PAGE: u32 = 10_000;

/// A stored transfer and its place in the ledger (`seq`, for paging).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredTransfer {
    pub seq: i64,
    pub transfer: Transfer,
}

pub(crate) fn refused(what: &str, e: mahasil_ledger::LedgerError) -> StoreError {
    StoreError::Conflict(format!("the ledger refuses {what}: {e}"))
}

/// The terms a challan's postings must agree with.
pub fn terms(c: &ChallanRecord) -> Result<ChallanTerms> {
    let frozen = FrozenAmounts { amount: Paisa::new(c.amount_paisa)?, amount_after_due: Paisa::new(c.amount_after_due_paisa)?, due_date: c.due_date };
    ChallanTerms::new(c.challan_no, HeadCode::parse(&c.head_code)?, c.district.clone(), frozen).map_err(|e| refused("the challan's terms", e))
}

/// The CHALLAN_ISSUED transfer of a challan just stored.
pub fn issued(c: &ChallanRecord) -> Result<Vec<Transfer>> {
    events::challan_issued(&mut Uuid::now_v7, c.received_at, &Balances::new(), &terms(c)?).map_err(|e| refused(&format!("issuing challan {}", c.challan_no), e))
}

/// What moving a challan to a new status writes besides the status, on both backends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct StatusEffects {
    /// A cancelled challan should never have been issued: its seal is revoked.
    pub revoke_seal: bool,
    /// Cancelled or waived, it owes nothing: the WAIVER of what it still owed. A waived
    /// challan stands, like a paid one, so its seal does.
    pub waive: bool,
}

pub(crate) fn status_effects(status: ChallanStatus) -> StatusEffects {
    StatusEffects { revoke_seal: status == ChallanStatus::Cancelled, waive: matches!(status, ChallanStatus::Cancelled | ChallanStatus::Waived) }
}

/// The WAIVER of what `challan_no` still owes, given its transfers so far.
pub fn waived(existing: &[Transfer], challan_no: ChallanNo, at: Timestamp) -> Result<Vec<Transfer>> {
    let balances = Balances::from_transfers(existing).map_err(|e| refused(&format!("the transfers of challan {challan_no}"), e))?;
    events::waiver(&mut Uuid::now_v7, at, &balances, challan_no).map_err(|e| refused(&format!("waiving challan {challan_no}"), e))
}
