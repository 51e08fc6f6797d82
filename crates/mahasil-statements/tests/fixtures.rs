//! The three fixture files describe one statement (see `fixtures/README.md`): each must be
//! detected as its own format and read into exactly the same parts.

use jiff::civil::date;
use mahasil_statements::{Currency, Direction, Duplicate, Format, Line, StatementError, StatementParts, detect, parse, parse_as};

type TestResult = Result<(), StatementError>;

const CSV: &[u8] = include_bytes!("fixtures/statement.csv");
const MT940: &[u8] = include_bytes!("fixtures/statement.mt940");
const CAMT053: &[u8] = include_bytes!("fixtures/statement.camt053.xml");

fn fixtures() -> [(Format, &'static [u8]); 3] {
    [(Format::Csv, CSV), (Format::Mt940, MT940), (Format::Camt053, CAMT053)]
}

fn line(
    line_no: u32,
    booked: (i16, i8, i8),
    value: (i16, i8, i8),
    direction: Direction,
    amount_paisa: i64,
    refs: (&str, Option<&str>),
    narrative: &str,
) -> Line {
    Line {
        line_no,
        booking_date: date(booked.0, booked.1, booked.2),
        value_date: date(value.0, value.1, value.2),
        amount_paisa,
        direction,
        bank_reference: refs.0.to_owned(),
        customer_reference: refs.1.map(str::to_owned),
        narrative: narrative.to_owned(),
    }
}

fn expected() -> StatementParts {
    let (jan15, jan16) = ((2025, 1, 15), (2025, 1, 16));
    let one_link = "1LINK 1BILL DA-ENC-01 PESHAWAR";
    StatementParts {
        account_id: "PK36SCBL0000001123456702".to_owned(),
        statement_id: "STMT20250115".to_owned(),
        currency: Currency::Pkr,
        opening_balance_paisa: 125_000_000,
        closing_balance_paisa: 126_450_050,
        from_date: date(2025, 1, 15),
        to_date: date(2025, 1, 16),
        lines: vec![
            line(1, jan15, jan15, Direction::Credit, 500_000, ("FT25015A1B2C", Some("1234567890123")), one_link),
            line(
                2,
                jan15,
                jan15,
                Direction::Credit,
                100_050,
                ("FT25015D4E5F", None),
                "COUNTER DEPOSIT NATIONAL BANK OF PAKISTAN SADDAR ROAD BRANCH PESHAWAR CHALLAN 20250110017",
            ),
            line(3, jan15, jan15, Direction::Debit, 250_000, ("FT25015G7H8J", Some("REFUND-0042")), "REFUND CHALLAN 20250110042 & SURCHARGE"),
            line(4, jan16, jan15, Direction::Credit, 600_000, ("FT25016K9L0M", Some("1234567890456")), ""),
            line(5, jan16, jan16, Direction::Credit, 500_000, ("FT25015A1B2C", Some("1234567890123")), one_link),
        ],
    }
}

#[test]
fn every_format_reads_the_same_statement() -> TestResult {
    for (format, bytes) in fixtures() {
        assert_eq!(detect(bytes)?, format);
        let statement = parse(bytes)?;
        assert_eq!(statement.format(), format);
        assert_eq!(statement.parts(), &expected(), "{}", format.name());
        assert_eq!(parse_as(format, bytes)?, statement);
    }
    Ok(())
}

#[test]
fn a_repeated_bank_reference_is_listed_not_refused() -> TestResult {
    for (format, bytes) in fixtures() {
        let statement = parse(bytes)?;
        assert_eq!(statement.duplicates(), vec![Duplicate { bank_reference: "FT25015A1B2C", line_nos: vec![1, 5] }], "{}", format.name());
    }
    Ok(())
}

#[test]
fn a_format_chosen_explicitly_must_match_the_file() {
    for (format, bytes) in fixtures() {
        for other in Format::ALL.into_iter().filter(|other| *other != format) {
            assert!(parse_as(other, bytes).is_err(), "{} read as {}", format.name(), other.name());
        }
    }
}

#[test]
fn every_camt053_version_is_read() -> TestResult {
    let text = std::str::from_utf8(CAMT053).map_err(|_| StatementError::NotUtf8 { line: 0 })?;
    for version in 2..=8 {
        let versioned = text.replace("camt.053.001.08", &format!("camt.053.001.0{version}"));
        assert_eq!(parse(versioned.as_bytes())?.parts(), &expected());
    }
    // Version 02 writes the entry status as text, not as a code inside it.
    let old_status = text.replace("camt.053.001.08", "camt.053.001.02").replace("<Sts>\n          <Cd>BOOK</Cd>\n        </Sts>", "<Sts>BOOK</Sts>");
    assert!(old_status.contains("<Sts>BOOK</Sts>"));
    assert_eq!(parse(old_status.as_bytes())?.parts(), &expected());
    Ok(())
}

#[test]
fn mt940_reads_a_plain_single_page_file_with_lf_line_ends() -> TestResult {
    let text = std::str::from_utf8(MT940).map_err(|_| StatementError::NotUtf8 { line: 0 })?.replace("\r\n", "\n");
    let single: String = text
        .lines()
        .filter(|line| !line.starts_with('{') && !line.starts_with("-}") && !line.starts_with(":62M:") && !line.starts_with(":60M:"))
        .enumerate()
        .filter(|(index, line)| *index < 4 || !(line.starts_with(":20:") || line.starts_with(":25:") || line.starts_with(":28C:")))
        .map(|(_, line)| format!("{line}\n"))
        .collect();
    assert_eq!(single.matches(":20:").count(), 1);
    assert_eq!(parse(single.as_bytes())?.parts(), &expected());
    Ok(())
}

#[test]
fn a_statement_serializes_for_the_reconciler() -> Result<(), Box<dyn std::error::Error>> {
    let statement = parse(CSV)?;
    let json = serde_json::to_value(&statement)?;
    assert_eq!(json["format"], "csv");
    assert_eq!(json["currency"], "PKR");
    assert_eq!(json["closing_balance_paisa"], 126_450_050);
    assert_eq!(json["lines"][2]["direction"], "debit");
    assert_eq!(json["lines"][0]["booking_date"], "2025-01-15");
    Ok(())
}
