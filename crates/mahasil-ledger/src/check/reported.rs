//! Dashboard totals held against the ledger: what a report shows must be what the
//! transfers add up to (DESIGN.md: "dashboard totals = ledger totals").

use std::collections::BTreeMap;

use crate::account::Account;
use crate::balances::Balances;
use crate::transfer::TransferCode;
use crate::violation::Violation;

/// Figures a report shows. Only the figures present are compared, so a report of one
/// district or one head is checked as well as a province-wide one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportedTotals {
    /// Per code, what was posted less what was reversed since.
    pub net_by_code: BTreeMap<TransferCode, i64>,
    /// Per account, its balance on its normal side.
    pub balance_by_account: BTreeMap<Account, i64>,
}

/// Every reported figure that differs from the ledger's.
pub fn check_reported(ledger: &Balances, reported: &ReportedTotals) -> Vec<Violation> {
    let by_code = reported.net_by_code.iter().map(|(code, &reported_paisa)| (format!("net {code}"), ledger.code_total(*code).net_paisa(), reported_paisa));
    let by_account =
        reported.balance_by_account.iter().map(|(account, &reported_paisa)| (format!("balance of {account}"), ledger.balance_paisa(account), reported_paisa));
    by_code
        .chain(by_account)
        .filter(|(_, ledger_paisa, reported_paisa)| ledger_paisa != reported_paisa)
        .map(|(figure, ledger_paisa, reported_paisa)| Violation::ReportedTotalMismatch { figure, ledger_paisa, reported_paisa })
        .collect()
}
