//! Each category, each reference rule and each output, on small statements built by hand.

use std::collections::HashSet;

use jiff::civil::{Date, date};
use mahasil_reconcile::{Category, ExpectedCredit, Report, ReportLine, Settlement, reconcile};
use mahasil_statements::{Currency, Direction, Format, Line, Statement, StatementError, StatementParts};

type TestResult = Result<(), StatementError>;

const FROM: Date = date(2025, 1, 14);
const TO: Date = date(2025, 1, 15);
/// Receipt numbers: 15 digits, the last the Damm check digit, like challan numbers.
const RECEIPT_1: &str = "202501000000170";
const RECEIPT_2: &str = "202501000000250";
const RECEIPT_3: &str = "202501000000337";
/// The challan the payments pay: its number is valid too, and is no receipt number.
const CHALLAN: &str = "101777000123455";

fn payment(reference: &str, amount_paisa: i64, paid_on: Date) -> ExpectedCredit {
    ExpectedCredit {
        reference: reference.to_owned(),
        amount_paisa,
        paid_on,
        channel: "bank".to_owned(),
        bank: Some("HBL".to_owned()),
        challan_no: CHALLAN.to_owned(),
        head_code: "DA-ENC-01".to_owned(),
        district: "peshawar".to_owned(),
    }
}

fn credit(amount_paisa: i64, customer_reference: Option<&str>, narrative: &str) -> Line {
    Line {
        line_no: 0,
        booking_date: TO,
        value_date: TO,
        amount_paisa,
        direction: Direction::Credit,
        bank_reference: String::new(),
        customer_reference: customer_reference.map(str::to_owned),
        narrative: narrative.to_owned(),
    }
}

fn debit(amount_paisa: i64) -> Line {
    Line { direction: Direction::Debit, ..credit(amount_paisa, Some("REFUND-0042"), "REFUND") }
}

/// A checked statement of `lines`, numbered and given bank references, its balances adding up.
fn statement_of(mut lines: Vec<Line>) -> Result<Statement, StatementError> {
    for (index, line) in lines.iter_mut().enumerate() {
        line.line_no = u32::try_from(index + 1).unwrap_or(u32::MAX);
        line.bank_reference = format!("FT25015{:05}", index + 1);
    }
    let opening_balance_paisa = 1_000_000;
    let closing_balance_paisa = opening_balance_paisa + lines.iter().map(|line| line.direction.signed(line.amount_paisa)).sum::<i64>();
    let parts = StatementParts {
        account_id: "PK36SCBL0000001123456702".to_owned(),
        statement_id: "STMT20250115".to_owned(),
        currency: Currency::Pkr,
        opening_balance_paisa,
        closing_balance_paisa,
        from_date: FROM,
        to_date: TO,
        lines,
    };
    Statement::new(Format::Csv, parts)
}

fn run<'a>(statement: &'a Statement, expected: &'a [ExpectedCredit], deposited: &[&str]) -> Report<'a> {
    let already_deposited: HashSet<String> = deposited.iter().map(|reference| (*reference).to_owned()).collect();
    reconcile(statement, expected, &already_deposited, Settlement::default(), &mut |_, _| {})
}

fn categories(report: &Report<'_>) -> Vec<Category> {
    report.lines().iter().map(|line| line.category).collect()
}

fn only<'r, 'a>(report: &'r Report<'a>, category: Category) -> Option<&'r ReportLine<'a>> {
    let mut lines = report.lines_of(category);
    let line = lines.next();
    assert!(lines.next().is_none(), "more than one {category:?} line");
    line
}

#[test]
fn a_credit_for_an_expected_payment_and_its_amount_is_matched() -> TestResult {
    let expected = [payment(RECEIPT_1, 500_000, TO)];
    let statement = statement_of(vec![credit(500_000, Some(RECEIPT_1), "1LINK 1BILL DA-ENC-01")])?;
    let report = run(&statement, &expected, &[]);
    assert_eq!(categories(&report), [Category::Matched]);
    let line = &report.lines()[0];
    assert_eq!((line.expected_paisa, line.credited_paisa, line.difference_paisa), (Some(500_000), Some(500_000), 0));
    assert_eq!((line.line_no(), line.statement_line.map(|line| line.bank_reference.as_str())), (Some(1), Some("FT2501500001")));
    assert_eq!(line.statement_line, statement.lines().first());
    assert_eq!(line.payment, expected.first());
    assert!(report.is_clean());
    assert_eq!(report.unexplained_difference_paisa(), 0);
    assert_eq!(report.matched_references().collect::<Vec<_>>(), [RECEIPT_1]);
    assert_eq!(report.totals().matched.count, 1);
    assert_eq!(report.totals().matched.credited_paisa, 500_000);
    Ok(())
}

#[test]
fn the_reference_is_the_customer_reference_digits_else_a_receipt_number_in_the_narrative() -> TestResult {
    let expected = [payment(RECEIPT_1, 100, TO), payment(RECEIPT_2, 200, TO), payment(RECEIPT_3, 300, TO)];
    let lines = vec![
        credit(100, Some("2025 0100 0000 17-0"), "1LINK 1BILL"),
        credit(200, None, &format!("COUNTER HBL SADDAR {RECEIPT_2} DA-ENC-01")),
        credit(300, Some("INV/7"), &format!("GATEWAY ref {RECEIPT_3}")),
    ];
    let statement = statement_of(lines)?;
    let report = run(&statement, &expected, &[]);
    assert_eq!(categories(&report), [Category::Matched; 3]);
    assert_eq!(report.matched_references().collect::<Vec<_>>(), [RECEIPT_1, RECEIPT_2, RECEIPT_3]);
    Ok(())
}

#[test]
fn a_digit_customer_reference_wins_over_the_narrative() -> TestResult {
    let expected = [payment(RECEIPT_1, 100, TO)];
    let statement = statement_of(vec![credit(100, Some(CHALLAN), &format!("1LINK 1BILL {RECEIPT_1}"))])?;
    let report = run(&statement, &expected, &[]);
    let line = only(&report, Category::Unidentified);
    assert_eq!(line.and_then(|line| line.reference.as_deref()), Some(CHALLAN));
    assert_eq!(only(&report, Category::InTransit).and_then(|line| line.reference.as_deref()), Some(RECEIPT_1));
    Ok(())
}

#[test]
fn a_known_receipt_number_in_the_narrative_wins_over_an_earlier_challan_number() -> TestResult {
    let expected = [payment(RECEIPT_1, 100, TO), payment(RECEIPT_2, 200, TO)];
    let lines = vec![
        credit(100, None, &format!("1LINK 1BILL CONSUMER {CHALLAN} RECEIPT {RECEIPT_1}")),
        credit(200, None, &format!("COUNTER {CHALLAN} 202501000000251 {RECEIPT_2} {RECEIPT_3}")),
        credit(300, None, &format!("GATEWAY {CHALLAN} {RECEIPT_3}")),
    ];
    let statement = statement_of(lines)?;
    let report = run(&statement, &expected, &[RECEIPT_3]);
    assert_eq!(categories(&report), [Category::Matched, Category::Matched, Category::Duplicate]);
    let references: Vec<Option<&str>> = report.lines().iter().map(|line| line.reference.as_deref()).collect();
    assert_eq!(references, [Some(RECEIPT_1), Some(RECEIPT_2), Some(RECEIPT_3)], "an already deposited receipt number is known too");
    Ok(())
}

#[test]
fn credits_naming_nothing_known_are_unidentified() -> TestResult {
    let lines = vec![
        credit(700, None, "CASH DEPOSIT BY HAND"),
        credit(800, Some("99999999999999999"), "1LINK 1BILL"),
        credit(900, None, "ACCOUNT 123456789012345678 (18 digits)"),
        credit(1_000, None, &format!("1LINK 1BILL CONSUMER {CHALLAN}")),
        credit(1_100, None, "1LINK 1BILL 202501000000171 (check digit wrong)"),
    ];
    let statement = statement_of(lines)?;
    let report = run(&statement, &[], &[]);
    assert_eq!(categories(&report), [Category::Unidentified; 5]);
    let references: Vec<Option<&str>> = report.unidentified_credits().map(|line| line.reference.as_deref()).collect();
    assert_eq!(references, [None, Some("99999999999999999"), None, Some(CHALLAN), None]);
    assert_eq!(report.totals().unidentified.credited_paisa, 4500);
    assert_eq!(report.unexplained_difference_paisa(), 4500);
    assert!(!report.is_clean());
    assert_eq!(report.matched_references().count(), 0);
    Ok(())
}

#[test]
fn a_credit_for_another_amount_is_a_mismatch_either_way() -> TestResult {
    let expected = [payment(RECEIPT_1, 500_000, TO), payment(RECEIPT_2, 300_000, TO)];
    let statement = statement_of(vec![credit(450_000, Some(RECEIPT_1), ""), credit(300_050, Some(RECEIPT_2), "")])?;
    let report = run(&statement, &expected, &[]);
    assert_eq!(categories(&report), [Category::AmountMismatch; 2]);
    let differences: Vec<(Option<i64>, Option<i64>, i64)> =
        report.lines().iter().map(|line| (line.expected_paisa, line.credited_paisa, line.difference_paisa)).collect();
    assert_eq!(differences, [(Some(500_000), Some(450_000), -50_000), (Some(300_000), Some(300_050), 50)]);
    assert_eq!(report.unexplained_difference_paisa(), 50_050);
    assert_eq!(report.totals().amount_mismatch.difference_paisa, -49_950);
    assert_eq!(report.matched_references().count(), 0, "a mismatch waits for a person");
    Ok(())
}

#[test]
fn a_second_credit_for_a_payment_is_a_duplicate_of_the_first() -> TestResult {
    let expected = [payment(RECEIPT_1, 500_000, TO)];
    let lines = vec![credit(500_000, Some(RECEIPT_1), ""), credit(1_000, None, "CASH"), credit(500_000, Some(RECEIPT_1), ""), credit(9, Some(RECEIPT_1), "")];
    let statement = statement_of(lines)?;
    let report = run(&statement, &expected, &[]);
    assert_eq!(categories(&report), [Category::Matched, Category::Unidentified, Category::Duplicate, Category::Duplicate]);
    for line in report.lines_of(Category::Duplicate) {
        assert_eq!(line.duplicate_of_line_no, Some(1));
        assert_eq!(line.expected_paisa, None);
        assert_eq!(line.payment, expected.first());
        assert_eq!(line.difference_paisa, line.credited_paisa.unwrap_or_default());
    }
    assert_eq!(report.totals().duplicate.credited_paisa, 500_009);
    assert_eq!(report.unexplained_difference_paisa(), 501_009);
    assert_eq!(report.matched_references().collect::<Vec<_>>(), [RECEIPT_1]);
    Ok(())
}

#[test]
fn a_credit_for_an_already_deposited_payment_is_a_duplicate() -> TestResult {
    let expected = [payment(RECEIPT_2, 100, TO)];
    let statement = statement_of(vec![credit(500_000, Some(RECEIPT_1), ""), credit(100, Some(RECEIPT_2), "")])?;
    let report = run(&statement, &expected, &[RECEIPT_1, RECEIPT_2]);
    assert_eq!(categories(&report), [Category::Duplicate, Category::Duplicate, Category::InTransit]);
    assert_eq!(report.lines()[0].duplicate_of_line_no, None);
    assert_eq!(report.lines()[0].reference.as_deref(), Some(RECEIPT_1));
    assert_eq!(report.unexplained_difference_paisa(), 500_100);
    Ok(())
}

#[test]
fn an_unpaid_payment_is_in_transit_for_days_in_transit_then_missing() -> TestResult {
    let days = |n| date(2025, 1, 15).checked_sub(jiff::Span::new().days(n)).unwrap_or(Date::MIN);
    let expected = [
        payment(RECEIPT_1, 100, days(3)),
        payment(RECEIPT_2, 200, days(4)),
        payment(RECEIPT_3, 300, date(2025, 1, 20)),
        payment("202501000000415", 400, days(400)),
    ];
    let statement = statement_of(vec![])?;
    let report = run(&statement, &expected, &[]);
    assert_eq!(categories(&report), [Category::InTransit, Category::MissingCredit, Category::InTransit, Category::MissingCredit]);
    assert_eq!(report.lines()[1].difference_paisa, -200);
    assert_eq!(report.lines()[1].expected_paisa, Some(200));
    assert_eq!(report.lines()[1].credited_paisa, None);
    assert_eq!(report.totals().in_transit.expected_paisa, 400);
    assert_eq!(report.unexplained_difference_paisa(), 600);

    let statement = statement_of(vec![])?;
    let none = HashSet::new();
    let settled_same_day = reconcile(&statement, &expected, &none, Settlement { days_in_transit: 0 }, &mut |_, _| {});
    assert_eq!(categories(&settled_same_day), [Category::MissingCredit, Category::MissingCredit, Category::InTransit, Category::MissingCredit]);
    let settled_slowly = reconcile(&statement, &expected, &none, Settlement { days_in_transit: u32::MAX }, &mut |_, _| {});
    assert_eq!(categories(&settled_slowly), [Category::InTransit; 4]);
    assert!(settled_slowly.is_clean());
    Ok(())
}

#[test]
fn debits_are_listed_and_explain_themselves() -> TestResult {
    let expected = [payment(RECEIPT_1, 500_000, TO)];
    let statement = statement_of(vec![debit(2_500), credit(500_000, Some(RECEIPT_1), "")])?;
    let report = run(&statement, &expected, &[]);
    assert_eq!(categories(&report), [Category::Debit, Category::Matched]);
    let line = &report.lines()[0];
    assert_eq!((line.credited_paisa, line.difference_paisa, line.reference.as_deref()), (Some(-2_500), -2_500, None));
    assert_eq!(report.totals().debit.count, 1);
    assert!(report.is_clean());
    Ok(())
}

#[test]
fn a_receipt_number_given_twice_is_paid_once_each_preferring_the_equal_amount() -> TestResult {
    let expected = [payment(RECEIPT_1, 100, TO), payment(RECEIPT_1, 200, TO)];
    let statement = statement_of(vec![credit(200, Some(RECEIPT_1), ""), credit(150, Some(RECEIPT_1), ""), credit(100, Some(RECEIPT_1), "")])?;
    let report = run(&statement, &expected, &[]);
    assert_eq!(categories(&report), [Category::Matched, Category::AmountMismatch, Category::Duplicate]);
    assert_eq!(report.lines()[1].expected_paisa, Some(100));
    assert_eq!(report.lines()[2].duplicate_of_line_no, Some(2));
    Ok(())
}

#[test]
fn progress_is_reported_about_every_percent() -> TestResult {
    let expected: Vec<ExpectedCredit> = (0..5000).map(|index| payment(&format!("{:015}", index + 1), 100, TO)).collect();
    let lines: Vec<Line> = expected.iter().take(3000).map(|payment| credit(100, Some(&payment.reference), "")).collect();
    let statement = statement_of(lines)?;
    let mut calls: Vec<(u64, u64)> = Vec::new();
    let report = reconcile(&statement, &expected, &HashSet::new(), Settlement::default(), &mut |done, total| calls.push((done, total)));
    assert_eq!(report.totals().matched.count, 3000);
    let total = 3000 + 2 * 5000;
    assert_eq!(calls.first(), Some(&(0, total)));
    assert_eq!(calls.last(), Some(&(total, total)));
    assert!((100..=102).contains(&calls.len()), "{} calls", calls.len());
    assert!(calls.windows(2).all(|pair| pair[0].0 < pair[1].0 && pair[1].1 == total));

    let mut empty_calls = Vec::new();
    let _ = reconcile(&statement_of(vec![])?, &[], &HashSet::new(), Settlement::default(), &mut |done, total| empty_calls.push((done, total)));
    assert_eq!(empty_calls, [(0, 0), (0, 0)]);
    Ok(())
}

#[test]
fn csv_has_a_header_and_one_quoted_row_per_line() -> TestResult {
    let expected = [payment(RECEIPT_1, 500_000, TO), payment(RECEIPT_2, 1_250_050, date(2025, 1, 1))];
    let lines = vec![credit(500_000, Some(RECEIPT_1), "1LINK 1BILL, \"DA-ENC-01\""), credit(5, None, "CASH"), debit(2_500)];
    let statement = statement_of(lines)?;
    let report = run(&statement, &expected, &[]);
    let csv = report.to_csv();
    let rows: Vec<&str> = csv.split("\r\n").collect();
    assert_eq!(rows.len(), 1 + report.lines().len() + 1, "{csv}");
    assert_eq!(
        rows[0],
        "category,reference,line_no,duplicate_of_line_no,bank_reference,booking_date,paid_on,expected_pkr,credited_pkr,difference_pkr,challan_no,head_code,district,channel,bank,narrative"
    );
    assert_eq!(
        rows[1],
        "matched,202501000000170,1,,FT2501500001,2025-01-15,2025-01-15,5000.00,5000.00,0.00,101777000123455,DA-ENC-01,peshawar,bank,HBL,\"1LINK 1BILL, \"\"DA-ENC-01\"\"\""
    );
    assert_eq!(rows[2], "unidentified,,2,,FT2501500002,2025-01-15,,,0.05,0.05,,,,,,CASH");
    assert_eq!(rows[3], "debit,,3,,FT2501500003,2025-01-15,,,-25.00,-25.00,,,,,,REFUND");
    assert_eq!(rows[4], "missing_credit,202501000000250,,,,,2025-01-01,12500.50,,-12500.50,101777000123455,DA-ENC-01,peshawar,bank,HBL,");
    assert_eq!(rows[5], "");
    Ok(())
}

#[test]
fn the_summary_shows_every_category_in_pkr() -> TestResult {
    let expected = [payment(RECEIPT_1, 123_456_789, TO), payment(RECEIPT_2, 100, date(2025, 1, 1))];
    let statement = statement_of(vec![credit(123_456_789, Some(RECEIPT_1), ""), credit(5_000_000, None, "CASH")])?;
    let report = run(&statement, &expected, &[]);
    let text = report.summary_text();
    assert!(text.contains("STMT20250115"), "{text}");
    for category in Category::ALL {
        assert!(text.contains(category.name()), "{text}");
    }
    assert!(text.contains("1,234,567.89"), "{text}");
    assert!(text.contains("Unexplained difference: PKR 50,001.00"), "{text}");
    assert!(text.contains("NOT clean: 2 lines need a person (1 missing_credit, 1 unidentified)"), "{text}");

    let statement = statement_of(vec![credit(100, Some(RECEIPT_2), "")])?;
    let clean = run(&statement, &expected[1..], &[]).summary_text();
    assert!(clean.contains("Unexplained difference: PKR 0.00"), "{clean}");
    assert!(clean.contains("Clean"), "{clean}");
    Ok(())
}

#[test]
fn the_report_serializes_with_the_category_names() -> Result<(), Box<dyn std::error::Error>> {
    let expected = [payment(RECEIPT_1, 100, TO), payment(RECEIPT_2, 200, TO)];
    let statement = statement_of(vec![credit(100, Some(RECEIPT_1), "")])?;
    let report = run(&statement, &expected, &[]);
    let json = serde_json::to_value(&report)?;
    assert_eq!(json["statement_id"], "STMT20250115");
    assert_eq!(json["clean"], true);
    assert_eq!(json["unexplained_difference_paisa"], 0);
    assert_eq!(json["settlement"]["days_in_transit"], 3);
    assert_eq!(json["totals"]["in_transit"]["count"], 1);
    assert_eq!(json["lines"][0]["category"], "matched");
    assert_eq!(json["lines"][1]["category"], "in_transit");
    assert_eq!(json["lines"][0]["statement_line"]["line_no"], 1);
    assert_eq!(json["lines"][0]["payment"]["reference"], RECEIPT_1);
    assert_eq!(json["lines"][1]["statement_line"], serde_json::Value::Null);
    assert_eq!(json["lines"][1]["expected_paisa"], 200);
    assert_eq!(json["lines"][1]["difference_paisa"], -200);
    Ok(())
}
