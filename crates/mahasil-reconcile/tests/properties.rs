//! Properties: a generated statement of random payments reconciles clean, each payment
//! matched once; each injected anomaly lands in its category with its amount and makes
//! the difference non-zero; and whatever the statement, every line and every expected
//! payment is in exactly one report line.

use std::collections::{HashMap, HashSet};

use jiff::civil::{Date, date};
use mahasil_reconcile::generate::{Anomalies, ChangedAmount, StatementParams, expected_credits, statement_csv};
use mahasil_reconcile::{Category, ExpectedCredit, Report, Settlement, reconcile};
use mahasil_statements::{Currency, Direction, Format, Line, Statement, StatementParts, parse};
use proptest::prelude::*;

const FROM: Date = date(2025, 1, 13);
const TO: Date = date(2025, 1, 15);
/// Payments are made from this day to a day after the statement, so some are late, some
/// recent and some after the period.
const FIRST_PAID: Date = date(2025, 1, 1);
const LAST_PAID: Date = date(2025, 1, 16);

/// Random payments: how many, their seed, and amounts replacing the generator's own
/// (from 1 paisa to PKR 10 billion) for some of them.
fn payments() -> impl Strategy<Value = Vec<ExpectedCredit>> {
    (0usize..60, any::<u64>(), proptest::collection::vec(prop_oneof![1i64..=1_000, 1i64..=1_000_000_000_000], 60)).prop_map(|(count, seed, amounts)| {
        let mut payments = expected_credits(count, FIRST_PAID..=LAST_PAID, seed);
        for (payment, amount_paisa) in payments.iter_mut().zip(amounts).filter(|(_, amount)| amount % 3 == 0) {
            payment.amount_paisa = amount_paisa;
        }
        payments
    })
}

fn parse_csv(csv: &str) -> Result<Statement, TestCaseError> {
    parse(csv.as_bytes()).map_err(|error| TestCaseError::fail(format!("{error}\n{csv}")))
}

fn run<'a>(statement: &'a Statement, expected: &'a [ExpectedCredit], settlement: Settlement) -> Report<'a> {
    reconcile(statement, expected, &HashSet::new(), settlement, &mut |_, _| {})
}

/// Every statement line in exactly one report line, and every expected payment in exactly
/// one report line that is not a duplicate.
fn each_line_and_payment_once(statement: &Statement, expected: &[ExpectedCredit], report: &Report<'_>) -> Result<(), TestCaseError> {
    let mut line_nos: Vec<u32> = report.lines().iter().filter_map(mahasil_reconcile::ReportLine::line_no).collect();
    line_nos.sort_unstable();
    let all: Vec<u32> = statement.lines().iter().map(|line| line.line_no).collect();
    prop_assert_eq!(line_nos, all);
    let judged_payments = report
        .lines()
        .iter()
        .filter(|line| matches!(line.category, Category::Matched | Category::AmountMismatch | Category::InTransit | Category::MissingCredit));
    let mut judged: HashMap<&str, usize> = HashMap::new();
    for line in judged_payments {
        *judged.entry(line.reference.as_deref().unwrap_or_default()).or_default() += 1;
    }
    let mut given: HashMap<&str, usize> = HashMap::new();
    for payment in expected {
        *given.entry(payment.reference.as_str()).or_default() += 1;
    }
    prop_assert_eq!(judged, given);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn a_statement_of_the_expected_payments_reconciles_clean(expected in payments(), days_in_transit in 0u32..10) {
        let csv = statement_csv(&StatementParams::new(&expected, FROM, TO));
        let statement = parse_csv(&csv)?;
        let report = run(&statement, &expected, Settlement { days_in_transit });
        prop_assert!(report.is_clean(), "{}", report.summary_text());
        prop_assert_eq!(report.unexplained_difference_paisa(), 0);
        prop_assert_eq!(report.totals().matched.count, expected.len() as u64);
        let mut matched: Vec<&str> = report.matched_references().collect();
        matched.sort_unstable();
        let mut references: Vec<&str> = expected.iter().map(|payment| payment.reference.as_str()).collect();
        references.sort_unstable();
        prop_assert_eq!(matched, references);
        each_line_and_payment_once(&statement, &expected, &report)?;
    }

    #[test]
    fn an_unidentified_credit_is_reported_for_its_amount(expected in payments(), amount_paisa in 1i64..=1_000_000_000_000) {
        let params = StatementParams { anomalies: Anomalies { unidentified_paisa: Some(amount_paisa), ..Anomalies::default() }, ..StatementParams::new(&expected, FROM, TO) };
        let statement = parse_csv(&statement_csv(&params))?;
        let report = run(&statement, &expected, Settlement::default());
        let unidentified: Vec<Option<i64>> = report.unidentified_credits().map(|line| line.credited_paisa).collect();
        prop_assert_eq!(unidentified, vec![Some(amount_paisa)]);
        prop_assert_eq!(report.totals().anomalies(), 1);
        prop_assert_eq!(report.unexplained_difference_paisa(), i128::from(amount_paisa));
        each_line_and_payment_once(&statement, &expected, &report)?;
    }

    #[test]
    fn a_credit_left_out_is_missing_once_settlement_has_passed(mut expected in payments(), pick in any::<prop::sample::Index>(), days_in_transit in 0u32..5) {
        prop_assume!(!expected.is_empty());
        let index = pick.index(expected.len());
        let settlement = Settlement { days_in_transit };
        let late_from = TO.checked_sub(jiff::Span::new().days(i64::from(days_in_transit) + 1)).map_err(|error| TestCaseError::fail(error.to_string()))?;
        expected[index].paid_on = late_from.min(expected[index].paid_on);
        let params = StatementParams { anomalies: Anomalies { missing: Some(index), ..Anomalies::default() }, ..StatementParams::new(&expected, FROM, TO) };
        let statement = parse_csv(&statement_csv(&params))?;
        let report = run(&statement, &expected, settlement);
        let missing: Vec<(Option<&str>, Option<i64>)> = report.lines_of(Category::MissingCredit).map(|line| (line.reference.as_deref(), line.expected_paisa)).collect();
        prop_assert_eq!(missing, vec![(Some(expected[index].reference.as_str()), Some(expected[index].amount_paisa))]);
        prop_assert_eq!(report.totals().anomalies(), 1);
        prop_assert_eq!(report.unexplained_difference_paisa(), i128::from(expected[index].amount_paisa));
        each_line_and_payment_once(&statement, &expected, &report)?;
    }

    #[test]
    fn a_changed_amount_is_a_mismatch_of_the_difference(expected in payments(), pick in any::<prop::sample::Index>(), credited_paisa in 1i64..=1_000_000_000_000) {
        prop_assume!(!expected.is_empty());
        let index = pick.index(expected.len());
        prop_assume!(credited_paisa != expected[index].amount_paisa);
        let changed_amount = Some(ChangedAmount { index, credited_paisa });
        let params = StatementParams { anomalies: Anomalies { changed_amount, ..Anomalies::default() }, ..StatementParams::new(&expected, FROM, TO) };
        let statement = parse_csv(&statement_csv(&params))?;
        let report = run(&statement, &expected, Settlement::default());
        let mismatches: Vec<(Option<i64>, Option<i64>, i64)> =
            report.lines_of(Category::AmountMismatch).map(|line| (line.expected_paisa, line.credited_paisa, line.difference_paisa)).collect();
        let expected_paisa = expected[index].amount_paisa;
        prop_assert_eq!(mismatches, vec![(Some(expected_paisa), Some(credited_paisa), credited_paisa - expected_paisa)]);
        prop_assert_eq!(report.totals().anomalies(), 1);
        prop_assert_eq!(report.unexplained_difference_paisa(), i128::from((credited_paisa - expected_paisa).abs()));
        prop_assert!(!report.matched_references().any(|reference| reference == expected[index].reference));
        each_line_and_payment_once(&statement, &expected, &report)?;
    }

    #[test]
    fn a_line_written_twice_is_a_duplicate_of_the_first(expected in payments(), pick in any::<prop::sample::Index>()) {
        prop_assume!(!expected.is_empty());
        let index = pick.index(expected.len());
        let params = StatementParams { anomalies: Anomalies { duplicated: Some(index), ..Anomalies::default() }, ..StatementParams::new(&expected, FROM, TO) };
        let statement = parse_csv(&statement_csv(&params))?;
        let report = run(&statement, &expected, Settlement::default());
        let duplicates: Vec<_> = report.lines_of(Category::Duplicate).collect();
        prop_assert_eq!(duplicates.len(), 1);
        let duplicate = duplicates[0];
        prop_assert_eq!(duplicate.reference.as_deref(), Some(expected[index].reference.as_str()));
        prop_assert_eq!(duplicate.credited_paisa, Some(expected[index].amount_paisa));
        let first = report.lines().iter().find(|line| line.line_no() == duplicate.duplicate_of_line_no);
        prop_assert_eq!(first.map(|line| (line.category, line.reference.as_deref())), Some((Category::Matched, Some(expected[index].reference.as_str()))));
        prop_assert_eq!(report.unexplained_difference_paisa(), i128::from(expected[index].amount_paisa));
        prop_assert_eq!(report.totals().matched.count, expected.len() as u64);
        each_line_and_payment_once(&statement, &expected, &report)?;
    }

    #[test]
    fn all_anomalies_at_once_are_each_reported(
        expected in payments(),
        picks in (any::<prop::sample::Index>(), any::<prop::sample::Index>(), any::<prop::sample::Index>()),
        debits in proptest::collection::vec(1i64..=1_000_000, 0..4),
    ) {
        prop_assume!(expected.len() >= 3);
        let [missing, changed, duplicated] = [picks.0, picks.1, picks.2].map(|pick| pick.index(expected.len()));
        prop_assume!(missing != changed && missing != duplicated);
        let mut expected = expected;
        expected[missing].paid_on = FIRST_PAID;
        let credited_paisa = expected[changed].amount_paisa + 1;
        let anomalies = Anomalies { unidentified_paisa: Some(77), missing: Some(missing), changed_amount: Some(ChangedAmount { index: changed, credited_paisa }), duplicated: Some(duplicated) };
        let params = StatementParams { anomalies, debits_paisa: &debits, ..StatementParams::new(&expected, FROM, TO) };
        let statement = parse_csv(&statement_csv(&params))?;
        let report = run(&statement, &expected, Settlement::default());
        let totals = report.totals();
        prop_assert_eq!([totals.unidentified.count, totals.missing_credit.count, totals.amount_mismatch.count, totals.duplicate.count], [1, 1, 1, 1]);
        prop_assert_eq!(totals.debit.count, debits.len() as u64);
        let duplicate_paisa = if duplicated == changed { credited_paisa } else { expected[duplicated].amount_paisa };
        prop_assert_eq!(report.unexplained_difference_paisa(), 77 + i128::from(expected[missing].amount_paisa) + 1 + i128::from(duplicate_paisa));
        each_line_and_payment_once(&statement, &expected, &report)?;
    }

    #[test]
    fn any_statement_puts_each_line_and_payment_in_one_report_line(
        expected in payments(),
        drafts in proptest::collection::vec((any::<prop::sample::Index>(), 0u8..6, 1i64..=1_000_000, any::<bool>()), 0..80),
        deposited_share in 0usize..4,
    ) {
        let deposited: HashSet<String> = expected.iter().step_by(deposited_share + 2).map(|payment| payment.reference.clone()).collect();
        let lines: Vec<Line> = drafts.iter().enumerate().map(|(index, (pick, kind, amount_paisa, in_narrative))| {
            let known = (!expected.is_empty()).then(|| &expected[pick.index(expected.len())]);
            let reference = match (kind, known) {
                (0, _) | (_, None) => None,
                (1, Some(payment)) => Some(payment.reference.clone()),
                (2, Some(payment)) => Some(format!("{}-{}", &payment.reference[..6], &payment.reference[6..])),
                (3, Some(payment)) => Some(payment.reference.replacen('0', "9", 1)),
                (_, Some(payment)) => Some(payment.reference.clone()),
            };
            let amount_paisa = match (kind, known) {
                (4, Some(payment)) => payment.amount_paisa,
                _ => *amount_paisa,
            };
            let (customer_reference, narrative) = match reference {
                Some(reference) if *in_narrative => (None, format!("1LINK 1BILL {reference} DA-ENC-01")),
                reference => (reference, "1LINK 1BILL DA-ENC-01".to_owned()),
            };
            let direction = if kind == &5 { Direction::Debit } else { Direction::Credit };
            let line_no = u32::try_from(index + 1).unwrap_or(u32::MAX);
            Line { line_no, booking_date: TO, value_date: TO, amount_paisa, direction, bank_reference: format!("FT{line_no}"), customer_reference, narrative }
        }).collect();
        let closing_balance_paisa = lines.iter().map(|line| line.direction.signed(line.amount_paisa)).sum::<i64>();
        let parts = StatementParts { account_id: "A1".to_owned(), statement_id: "S1".to_owned(), currency: Currency::Pkr, opening_balance_paisa: 0, closing_balance_paisa, from_date: FROM, to_date: TO, lines };
        let statement = Statement::new(Format::Csv, parts).map_err(|error| TestCaseError::fail(error.to_string()))?;
        let report = reconcile(&statement, &expected, &deposited, Settlement::default(), &mut |_, _| {});
        each_line_and_payment_once(&statement, &expected, &report)?;
        prop_assert_eq!(report.is_clean(), report.unexplained_difference_paisa() == 0);
        let summed: i128 = report.lines().iter().map(mahasil_reconcile::ReportLine::unexplained_paisa).sum();
        prop_assert_eq!(summed, report.unexplained_difference_paisa());
        let matched: HashSet<&str> = report.matched_references().collect();
        prop_assert_eq!(matched.len(), report.totals().matched.count as usize);
        prop_assert!(matched.iter().all(|reference| !deposited.contains(*reference)));
    }
}
