//! Dashboard figures held against the ledger.

use std::collections::BTreeMap;

use mahasil_ledger::{Account, ReportedTotals, TransferCode, Violation, check_reported};
use proptest::collection::vec;
use proptest::prelude::*;

use crate::model::{Model, every_code, op};

fn figures(model: &Model) -> ReportedTotals {
    let ledger = &model.book.ledger;
    ReportedTotals {
        net_by_code: TransferCode::ALL.into_iter().map(|code| (code, ledger.code_total(code).net_paisa())).collect(),
        balance_by_account: ledger.accounts().map(|(account, _)| (account.clone(), ledger.balance_paisa(account))).collect::<BTreeMap<Account, i64>>(),
    }
}

proptest! {
    #[test]
    fn the_ledgers_own_figures_agree_and_one_wrong_figure_is_named(mut ops in vec(op(), 0..30), pick in any::<prop::sample::Index>(), off in 1..1_000i64) {
        ops.extend(every_code());
        let model = Model::run(&ops)?;
        let mut reported = figures(&model);
        prop_assert!(check_reported(&model.book.ledger, &reported).is_empty());

        let code = TransferCode::ALL[pick.index(TransferCode::ALL.len())];
        let ledger_paisa = reported.net_by_code.get(&code).copied().unwrap_or_default();
        reported.net_by_code.insert(code, ledger_paisa + off);
        let found = check_reported(&model.book.ledger, &reported);
        prop_assert_eq!(found, vec![Violation::ReportedTotalMismatch { figure: format!("net {code}"), ledger_paisa, reported_paisa: ledger_paisa + off }]);
    }
}

#[test]
fn a_wrong_account_balance_is_named() -> Result<(), TestCaseError> {
    let model = Model::run(&every_code())?;
    let reported = ReportedTotals { net_by_code: BTreeMap::new(), balance_by_account: BTreeMap::from([(Account::Treasury, 1)]) };
    let found = check_reported(&model.book.ledger, &reported);
    prop_assert_eq!(found.len(), 1);
    prop_assert!(found[0].to_string().starts_with("balance of treasury:account-1: the ledger says "), "{}", found[0]);
    Ok(())
}
