//! The ledger of mahasil: double entry, append-only, in integer paisa.
//!
//! A [`Transfer`] moves a positive [`Paisa`](mahasil_domain::money::Paisa) amount from
//! one [`Account`] to another; a business event is one or more transfers sharing an
//! `event_id`, written together. Nothing is ever changed or removed: a correction is a
//! new `REVERSAL` transfer.
//!
//! - [`account`]: the typed accounts and their exact string forms.
//! - [`transfer`]: transfers and the codes of DESIGN.md's table, with the accounts each
//!   code must move money between.
//! - [`events`]: one builder per business event; each returns the event's transfers and
//!   refuses what the ledger does not allow. Ids and time are passed in.
//! - [`balances`]: balances per account and per challan, and totals per code, computed
//!   from transfers.
//! - [`check`]: the invariants, over a whole ledger or one transfer at a time, reported
//!   as [`Violation`]s.
//!
//! Pure: no IO, no clock, no randomness, no async.

pub mod account;
pub mod balances;
pub mod challan;
pub mod check;
pub mod error;
pub mod events;
pub mod transfer;
pub mod violation;

pub use account::{Account, AccountKind, Channel, Clearing, Side};
pub use balances::{AccountBalance, Balances, ChallanBalance, CodeTotal, TrialBalance};
pub use challan::{ChallanAccounts, ChallanTerms, Owed};
pub use check::{Checker, ReportedTotals, check, check_reported, check_with_terms};
pub use error::{LedgerError, Result};
pub use events::Payment;
pub use transfer::{Transfer, TransferCode};
pub use violation::Violation;

/// Transfers the unit tests of several modules build.
#[cfg(test)]
pub(crate) mod test_transfers {
    use mahasil_domain::money::Paisa;
    use uuid::Uuid;

    use crate::{Account, Transfer, TransferCode};

    /// An `UNIDENTIFIED` transfer with id `id` (its event `id + 1000`) of `amount` paisa.
    pub(crate) fn unidentified(id: u128, amount: i64) -> crate::Result<Transfer> {
        Ok(Transfer {
            id: Uuid::from_u128(id),
            event_id: Uuid::from_u128(id + 1_000),
            code: TransferCode::Unidentified,
            debit: Account::Treasury,
            credit: Account::Suspense,
            amount: Paisa::new(amount)?,
            challan_no: None,
            reverses: None,
            at: jiff::Timestamp::UNIX_EPOCH,
        })
    }
}
