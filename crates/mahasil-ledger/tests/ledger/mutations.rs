//! Mutation tests: one transfer of a valid ledger is altered (its amount, an account, a
//! copy of it, a second reversal) and `check` must report it.
//!
//! Amounts are changed only where the rules pin them: an issue (to the challan's terms),
//! a surcharge (to the amount after due), a payment or waiver (which must settle the
//! challan), a reversal (to its original), and, upwards, a deposit or refund (the model
//! empties the account each time). Other amounts are facts only the bank statement
//! knows: a different overpayment or unidentified credit is a different but sound
//! ledger, which reconciliation with the statement, not the ledger, catches.

use jiff::SignedDuration;
use mahasil_domain::jurisdiction::Slug;
use mahasil_ledger::{Account, Transfer, TransferCode, Violation, check_with_terms};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::Index;
use uuid::Uuid;

use crate::fixtures::accounts;
use crate::model::{Model, OrFail, channel, every_code, op};

/// A valid ledger holding every code, and its terms.
fn valid_ledger() -> impl Strategy<Value = Vec<crate::model::Op>> {
    vec(op(), 0..30).prop_map(|mut ops| {
        ops.extend(every_code());
        ops
    })
}

fn pick(transfers: &[Transfer], index: &Index, keep: impl Fn(&Transfer) -> bool) -> Result<usize, TestCaseError> {
    let candidates: Vec<usize> = (0..transfers.len()).filter(|&i| keep(&transfers[i])).collect();
    prop_assert!(!candidates.is_empty(), "the ledger holds every code");
    Ok(candidates[index.index(candidates.len())])
}

fn rules(found: &[Violation]) -> Vec<&'static str> {
    found.iter().map(Violation::rule).collect()
}

const FRESH: u128 = u128::MAX / 2;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn altered_amounts_are_caught(ops in valid_ledger(), index in any::<Index>(), delta in 1..100_000i64, up in any::<bool>()) {
        let model = Model::run(&ops)?;
        let mut ledger = model.book.transfers.clone();
        use TransferCode::*;
        let i = pick(&ledger, &index, |t| {
            matches!(t.code, ChallanIssued | Surcharge | PaymentReceived | Waiver | Reversal) || (up && matches!(t.code, Deposited | Refund))
        })?;
        let old = ledger[i].amount.get();
        let new = if up || old <= delta { old + delta } else { old - delta };
        ledger[i].amount = mahasil_domain::money::Paisa::new(new).or_fail()?;
        let found = check_with_terms(&ledger, &model.terms);
        prop_assert!(!found.is_empty(), "{} {old} -> {new} went unnoticed", ledger[i].code);
    }

    #[test]
    fn swapped_accounts_are_caught(ops in valid_ledger(), index in any::<Index>()) {
        let model = Model::run(&ops)?;
        let mut ledger = model.book.transfers.clone();
        let i = pick(&ledger, &index, |_| true)?;
        let t = &mut ledger[i];
        std::mem::swap(&mut t.debit, &mut t.credit);
        let found = rules(&check_with_terms(&ledger, &model.terms));
        prop_assert!(found.contains(&"wrong-accounts") || found.contains(&"reversal-mismatch"), "{found:?}");
    }

    #[test]
    fn accounts_of_another_kind_are_caught(ops in valid_ledger(), index in any::<Index>(), debit in any::<bool>(), kind in any::<Index>()) {
        let model = Model::run(&ops)?;
        let mut ledger = model.book.transfers.clone();
        let i = pick(&ledger, &index, |_| true)?;
        let others = accounts("PC-OVR-01", "swat").or_fail()?;
        let every_kind = [others.receivable(), others.revenue(), others.waived(), Account::Clearing(channel(0)?), Account::Treasury, others.refund_payable(), Account::Suspense];
        let side = if debit { &mut ledger[i].debit } else { &mut ledger[i].credit };
        let choices: Vec<&Account> = every_kind.iter().filter(|a| a.kind() != side.kind()).collect();
        *side = choices[kind.index(choices.len())].clone();
        let found = rules(&check_with_terms(&ledger, &model.terms));
        prop_assert!(found.contains(&"wrong-accounts") || found.contains(&"reversal-mismatch"), "{found:?}");
    }

    #[test]
    fn money_moved_to_another_district_is_caught(ops in valid_ledger(), index in any::<Index>()) {
        let model = Model::run(&ops)?;
        let mut ledger = model.book.transfers.clone();
        let local = |a: &Account| matches!(a, Account::Receivable { .. } | Account::Revenue { .. } | Account::Waived { .. });
        let i = pick(&ledger, &index, |t| local(&t.debit) || local(&t.credit))?;
        let swat = Slug::parse("swat").or_fail()?;
        let t = &mut ledger[i];
        let side = if local(&t.debit) { &mut t.debit } else { &mut t.credit };
        if let Account::Receivable { district, .. } | Account::Revenue { district, .. } | Account::Waived { district, .. } = side {
            *district = swat;
        }
        prop_assert!(!check_with_terms(&ledger, &model.terms).is_empty());
    }

    #[test]
    fn duplicated_transfers_are_caught(ops in valid_ledger(), index in any::<Index>()) {
        let model = Model::run(&ops)?;
        let mut ledger = model.book.transfers.clone();
        let i = pick(&ledger, &index, |_| true)?;
        ledger.insert(i + 1, ledger[i].clone());
        let found = check_with_terms(&ledger, &model.terms);
        prop_assert!(found.contains(&Violation::DuplicateTransferId { transfer_id: ledger[i].id }), "{found:?}");
    }

    /// A copy under a new id, as a retry that forgot its id would write.
    #[test]
    fn copies_under_a_new_id_are_caught(ops in valid_ledger(), index in any::<Index>()) {
        let model = Model::run(&ops)?;
        let mut ledger = model.book.transfers.clone();
        use TransferCode::*;
        let i = pick(&ledger, &index, |t| matches!(t.code, ChallanIssued | Surcharge | PaymentReceived | Waiver | Reversal | Deposited | Refund))?;
        let mut copy = ledger[i].clone();
        copy.id = Uuid::from_u128(FRESH);
        ledger.insert(i + 1, copy);
        prop_assert!(!check_with_terms(&ledger, &model.terms).is_empty(), "a second {} went unnoticed", ledger[i].code);
    }

    #[test]
    fn repeated_reversals_are_caught(ops in valid_ledger(), index in any::<Index>(), of_the_reversal in any::<bool>()) {
        let model = Model::run(&ops)?;
        let mut ledger = model.book.transfers.clone();
        let i = pick(&ledger, &index, |t| t.code == TransferCode::Reversal)?;
        let last = ledger.iter().map(|t| t.at).max().unwrap_or(ledger[i].at);
        let reversal = &ledger[i];
        let (original, debit, credit) = if of_the_reversal {
            (reversal.id, reversal.credit.clone(), reversal.debit.clone())
        } else {
            (reversal.reverses.unwrap_or_default(), reversal.debit.clone(), reversal.credit.clone())
        };
        let again = Transfer {
            id: Uuid::from_u128(FRESH),
            event_id: Uuid::from_u128(FRESH + 1),
            debit,
            credit,
            reverses: Some(original),
            at: last.checked_add(SignedDuration::from_hours(1)).or_fail()?,
            ..reversal.clone()
        };
        ledger.push(again);
        let found = rules(&check_with_terms(&ledger, &model.terms));
        let expected = if of_the_reversal { "reversal-reversed" } else { "reversed-twice" };
        prop_assert!(found.contains(&expected), "{found:?}");
    }
}
