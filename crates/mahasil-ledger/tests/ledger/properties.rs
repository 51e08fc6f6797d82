//! Property tests: random histories of business operations, run through the builders by
//! the model, never break a rule at any step, and survive being written and read back.

use mahasil_ledger::{Transfer, check, check_with_terms};
use proptest::collection::vec;
use proptest::prelude::*;

use crate::model::{Model, OrFail, every_code, op};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// `Model::run` checks the whole ledger, the incremental checker, the model's own
    /// expectations and outstanding ≥ 0 after every operation.
    #[test]
    fn random_histories_stay_sound(ops in vec(op(), 1..60)) {
        Model::run(&ops)?;
    }

    #[test]
    fn histories_with_every_code_stay_sound(mut ops in vec(op(), 0..30)) {
        ops.extend(every_code());
        let model = Model::run(&ops)?;
        let codes: std::collections::BTreeSet<_> = model.book.transfers.iter().map(|t| t.code).collect();
        prop_assert_eq!(codes.len(), mahasil_ledger::TransferCode::ALL.len());
    }

    /// What a store writes as JSON and reads back is the same ledger, still sound, in any
    /// order it comes back in (the checker orders by time).
    #[test]
    fn read_back_ledgers_stay_sound(ops in vec(op(), 1..40), seed in any::<u64>()) {
        let model = Model::run(&ops)?;
        let json = serde_json::to_string(&model.book.transfers).or_fail()?;
        let mut read: Vec<Transfer> = serde_json::from_str(&json).or_fail()?;
        prop_assert_eq!(&read, &model.book.transfers);
        // Reverse events whose times differ; ties keep their order so events stay whole.
        if seed % 2 == 0 {
            read.sort_by_key(|t| std::cmp::Reverse(t.at));
            let found = check(&read);
            prop_assert!(found.is_empty(), "{found:?}");
        }
        let found = check_with_terms(&read, &model.terms);
        prop_assert!(found.is_empty(), "{found:?}");
    }
}
