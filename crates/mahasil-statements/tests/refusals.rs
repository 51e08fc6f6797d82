//! Every check, broken once in each format's fixture: the refusal names the place and the
//! field, and nothing panics.

use mahasil_statements::{Format, Location, StatementError, parse};

const CSV: &str = include_str!("fixtures/statement.csv");
const MT940: &str = include_str!("fixtures/statement.mt940");
const CAMT053: &str = include_str!("fixtures/statement.camt053.xml");

/// The fixture with the first `from` replaced by `to`; `from` must be in it.
fn with(text: &str, from: &str, to: &str) -> Vec<u8> {
    assert!(text.contains(from), "{from:?} is not in the fixture");
    text.replacen(from, to, 1).into_bytes()
}

fn refused(bytes: &[u8]) -> StatementError {
    match parse(bytes) {
        Ok(statement) => unreachable!("accepted a broken {} file", statement.format().name()),
        Err(error) => error,
    }
}

fn invalid(bytes: &[u8]) -> (Location, &'static str, String) {
    match refused(bytes) {
        StatementError::Invalid { at, field, reason } => (at, field, reason),
        other => unreachable!("expected an invalid field, got {other}"),
    }
}

#[test]
fn balances_that_do_not_add_up() {
    for bytes in [
        with(CSV, "12,64,500.50", "12,64,500.51"),
        with(MT940, ":62F:C250116PKR1264500,50", ":62F:C250116PKR1264500,51"),
        with(CAMT053, "<Amt Ccy=\"PKR\">1264500.50</Amt>", "<Amt Ccy=\"PKR\">1264500.51</Amt>"),
    ] {
        let error = refused(&bytes);
        assert_eq!(
            error,
            StatementError::Unbalanced {
                opening_paisa: 125_000_000,
                credits_paisa: 1_700_050,
                debits_paisa: 250_000,
                expected_closing_paisa: 126_450_050,
                closing_paisa: 126_450_051
            }
        );
        assert!(error.to_string().contains("the closing balance is 126450051 paisa"), "{error}");
    }
    // A credit balance read as a debit one is caught too.
    assert!(matches!(refused(&with(MT940, ":60F:C250115", ":60F:D250115")), StatementError::Unbalanced { .. }));
}

#[test]
fn dates_that_are_not_real_days() {
    let (at, field, reason) = invalid(&with(CSV, "2025-01-15,2025-01-15,credit,5000.00", "2025-02-30,2025-01-15,credit,5000.00"));
    assert_eq!((at, field), (Location::FileLine(3), "booking_date"));
    assert!(reason.contains("2025-02-30"), "{reason}");
    assert_eq!(invalid(&with(MT940, ":61:250115C5000,00", ":61:250230C5000,00")).0, Location::FileLine(6));
    assert_eq!(invalid(&with(MT940, ":61:2501150116C", ":61:2501151332C")).1, ":61: entry date");
    assert_eq!(invalid(&with(MT940, ":60F:C250115", ":60F:C251315")).1, "opening balance (:60F:/:60M:)");
    assert_eq!(invalid(&with(CAMT053, "<Dt>2025-01-16</Dt>\n        </BookgDt>", "<Dt>2025-1-16</Dt>\n        </BookgDt>")).1, "Ntry/BookgDt/Dt");
    assert_eq!(invalid(&with(CAMT053, "<DtTm>2025-01-16T09:15:00+05:00</DtTm>", "<DtTm>2025-01-16</DtTm>")).1, "Ntry/BookgDt/DtTm");
}

#[test]
fn a_booking_outside_the_statement_period() {
    for bytes in [
        with(CSV, "2025-01-16,2025-01-16,credit", "2025-01-17,2025-01-16,credit"),
        with(MT940, ":61:250116C5000,00", ":61:2501160117C5000,00"),
        with(CAMT053, "<Dt>2025-01-16</Dt>\n        </BookgDt>", "<Dt>2025-01-17</Dt>\n        </BookgDt>"),
    ] {
        let (at, field, reason) = invalid(&bytes);
        assert_eq!((at, field), (Location::StatementLine(5), "booking_date"));
        assert!(reason.contains("outside the statement's period 2025-01-15 to 2025-01-16"), "{reason}");
    }
}

#[test]
fn a_currency_other_than_rupees() {
    let cases = [
        (with(CSV, ",,,PKR", ",,,USD"), Location::FileLine(2), "narrative (the balance's currency)"),
        (with(MT940, ":60F:C250115PKR", ":60F:C250115USD"), Location::FileLine(5), "opening balance (:60F:/:60M:)"),
        (with(CAMT053, "<Amt Ccy=\"PKR\">2500.00</Amt>", "<Amt Ccy=\"USD\">2500.00</Amt>"), Location::FileLine(130), "Ntry/Amt"),
        (with(CAMT053, "<Ccy>PKR</Ccy>", "<Ccy>EUR</Ccy>"), Location::FileLine(21), "Stmt/Acct/Ccy"),
    ];
    for (bytes, at, field) in cases {
        let error = refused(&bytes);
        assert!(matches!(&error, StatementError::Currency { at: a, field: f, .. } if *a == at && *f == field), "{error}");
        assert!(error.to_string().contains("is not PKR"), "{error}");
    }
    assert!(matches!(refused(&with(CAMT053, "<Amt Ccy=\"PKR\">2500.00</Amt>", "<Amt>2500.00</Amt>")), StatementError::Missing { field: "Amt/@Ccy", .. }));
}

#[test]
fn more_than_two_decimals() {
    for (bytes, field) in [
        (with(CSV, "credit,5000.00", "credit,5000.000"), "amount"),
        (with(MT940, "C5000,00NTRF", "C5000,000NTRF"), ":61: amount"),
        (with(CAMT053, "<Amt Ccy=\"PKR\">5000.00</Amt>", "<Amt Ccy=\"PKR\">5000.005</Amt>"), "Ntry/Amt"),
    ] {
        let (_, got, reason) = invalid(&bytes);
        assert_eq!(got, field);
        assert!(reason.contains("more than 2 decimal places"), "{reason}");
    }
    let (_, _, reason) = invalid(&with(CSV, "credit,5000.00", "credit,99999999999999999999.00"));
    assert!(reason.contains("too large"), "{reason}");
    let (_, _, reason) = invalid(&with(CSV, "credit,5000.00", "credit,5000.5e1"));
    assert!(reason.contains("not a decimal amount"), "{reason}");
    let (_, _, reason) = invalid(&with(CSV, "credit,5000.00", "credit,0.00"));
    assert!(reason.contains("must be positive"), "{reason}");
}

#[test]
fn a_required_field_left_out() {
    let cases = [
        (with(CSV, ",FT25015G7H8J,", ",,"), Location::FileLine(5), "bank_reference"),
        (with(CSV, "2025-01-16,2025-01-15,credit", "2025-01-16,,credit"), Location::FileLine(6), "value_date"),
        (with(MT940, "REFUND-0042//FT25015G7H8J", "REFUND-0042"), Location::FileLine(12), ":61: bank reference (after //)"),
        (with(MT940, ":25:PK36SCBL0000001123456702\r\n", ""), Location::FileLine(3), "field"),
        (with(CAMT053, "<AcctSvcrRef>FT25015G7H8J</AcctSvcrRef>", ""), Location::FileLine(129), "Ntry/AcctSvcrRef"),
        (with(CAMT053, "<Id>STMT20250115</Id>", ""), Location::FileLine(10), "Stmt/Id"),
    ];
    for (bytes, at, field) in cases {
        let error = refused(&bytes);
        let found = match &error {
            StatementError::Missing { at, field } | StatementError::Invalid { at, field, .. } => (*at, *field),
            other => unreachable!("{other}"),
        };
        assert_eq!(found, (at, field), "{error}");
    }
}

#[test]
fn a_truncated_file() {
    let cases = [
        (CSV, "PK36SCBL0000001123456702,STMT20250115,2025-01-16,,closing"),
        (MT940, ":62M:"),
        (MT940, ":61:2501150116C"),
        (CAMT053, "      <Ntry>\n        <Amt Ccy=\"PKR\">6000.00"),
    ];
    for (text, cut_before) in cases {
        let cut = text.find(cut_before).unwrap_or(text.len());
        let error = refused(&text.as_bytes()[..cut]);
        assert!(matches!(error, StatementError::Truncated { .. }), "{error}");
        assert!(error.to_string().contains("is it truncated?"), "{error}");
    }
    // Cut anywhere, a file is refused or, if only its tail went, still the same statement.
    for text in [CSV, MT940, CAMT053] {
        let complete = parse(text.as_bytes()).map(|statement| statement.into_parts());
        for cut in 0..text.len() {
            if let Ok(statement) = parse(&text.as_bytes()[..cut]) {
                assert_eq!(Ok(statement.into_parts()), complete.clone(), "cut at {cut}");
            }
        }
    }
}

#[test]
fn bytes_that_are_not_utf8() {
    for (text, at_line, marker) in [(CSV, 4, "COUNTER"), (MT940, 10, "COUNTER"), (CAMT053, 123, "COUNTER")] {
        let mut bytes = text.as_bytes().to_vec();
        let index = text.find(marker).unwrap_or_default();
        bytes[index] = 0xD6; // "Ö" in Latin-1, as a misconfigured export writes it
        assert_eq!(refused(&bytes), StatementError::NotUtf8 { line: at_line });
    }
}

#[test]
fn garbage_and_empty_files() {
    assert_eq!(refused(b""), StatementError::Empty);
    assert_eq!(refused(b"\n\n  \r\n"), StatementError::Empty);
    assert_eq!(refused(b"Dear treasury, please find the statement attached."), StatementError::UnknownFormat);
    assert_eq!(refused(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), StatementError::NotUtf8 { line: 1 });
    assert_eq!(refused(&[0u8; 64]), StatementError::UnknownFormat);
    assert!(matches!(refused(b"<html><body>Statement</body></html>"), StatementError::Invalid { field: "Document", .. }));
    assert!(matches!(refused(b":20:"), StatementError::Missing { .. }));
    assert!(matches!(refused(b":20:X\n"), StatementError::Truncated { .. }));
    assert!(matches!(refused(b"account,statement_id\n"), StatementError::Invalid { field: "header", .. }));
    assert!(matches!(refused(b"<?xml version=\"1.0\"?>"), StatementError::Missing { field: "Document", .. }));
}

#[test]
fn csv_layout_rules() {
    let header = with(CSV, "customer_reference,narrative", "customer_ref,narrative");
    assert_eq!(invalid(&header).1, "header");
    let after_closing = format!("{CSV}PK36SCBL0000001123456702,STMT20250115,2025-01-16,2025-01-16,credit,1.00,X,,\n");
    assert_eq!(invalid(after_closing.as_bytes()).0, Location::FileLine(9));
    let other_account =
        with(CSV, "PK36SCBL0000001123456702,STMT20250115,2025-01-15,2025-01-15,debit", "PK36SCBL0000001123456703,STMT20250115,2025-01-15,2025-01-15,debit");
    assert_eq!(invalid(&other_account).1, "account");
    let short_row = with(CSV, ",REFUND-0042,REFUND CHALLAN 20250110042 & SURCHARGE", ",REFUND-0042");
    assert_eq!(
        invalid(&short_row),
        (Location::FileLine(5), "row", "has 8 columns; the header has 9 (a truncated file, or a comma in an unquoted field?)".to_owned())
    );
    assert_eq!(invalid(&with(CSV, "credit,\"6,000.00\"", "credit,\"60,00.00\"")).1, "amount");
    assert_eq!(invalid(&with(CSV, "credit,5000.00", "refund,5000.00")).1, "direction");
    assert_eq!(invalid(&with(CSV, ",FT25015G7H8J,", ", FT25015G7H8J,")).2, "starts or ends with a space");
}

#[test]
fn mt940_structure_rules() {
    let second = format!("{MT940}:20:STMT20250116\r\n");
    assert!(invalid(second.as_bytes()).2.contains("one statement per file"));
    let (at, _, reason) = invalid(&with(MT940, ":60M:C250115PKR1253500,50", ":60M:C250115PKR1253500,00"));
    assert_eq!(at, Location::FileLine(20));
    assert!(reason.contains("differs from the previous page's closing balance"), "{reason}");
    assert!(invalid(&with(MT940, ":28C:15/2", ":28C:15/3")).2.contains("page 3 follows page 1"));
    assert_eq!(invalid(&with(MT940, "NTRF1234567890456//", "XTRF1234567890456//")).1, ":61: transaction type");
    assert_eq!(invalid(&with(MT940, "C5000,00NTRF1234567890123//FT25015A1B2C", "X5000,00NTRF1234567890123//FT25015A1B2C")).1, ":61: debit/credit mark");
    assert_eq!(invalid(&with(MT940, "//FT25016K9L0M", "//FT25016K9L0M-TOO-LONG-REF")).1, ":61: bank reference (after //)");
    assert_eq!(invalid(&with(MT940, ":28C:15/1", ":28C:15/1\r\n:99:X")).1, "field");
    assert_eq!(invalid(&with(MT940, ":28C:15/1", ":28C:1A")).1, ":28C: statement number");
}

#[test]
fn camt053_structure_rules() {
    let doctype = with(CAMT053, "<Document", "<!DOCTYPE lol [<!ENTITY lol \"lol\">]>\n<Document");
    assert_eq!(invalid(&doctype).2, "a DOCTYPE is not accepted in a statement");
    assert!(invalid(&with(CAMT053, "camt.053.001.08", "camt.052.001.08")).2.contains("is not camt.053.001.02 to .08"));
    assert!(invalid(&with(CAMT053, "<Cd>BOOK</Cd>", "<Cd>PDNG</Cd>")).2.contains("only booked (BOOK) entries"));
    assert!(invalid(&with(CAMT053, "</Stmt>", "</Stmt><Stmt><Id>X</Id></Stmt>")).2.contains("one statement per file"));
    assert!(invalid(&with(CAMT053, "<CdtDbtInd>DBIT</CdtDbtInd>", "<CdtDbtInd>DEBIT</CdtDbtInd>")).2.contains("CRDT or DBIT"));
    assert!(invalid(&with(CAMT053, "&amp;", "&nbsp;")).2.contains("unknown entity"));
    assert!(invalid(&with(CAMT053, "encoding=\"UTF-8\"", "encoding=\"ISO-8859-1\"")).2.contains("only UTF-8"));
    assert!(invalid(&with(CAMT053, "<CdtDbtInd>DBIT</CdtDbtInd>", "<CdtDbtInd>DBIT</CdtDbtInd><CdtDbtInd>DBIT</CdtDbtInd>")).2.contains("appears twice"));
    assert_eq!(invalid(&with(CAMT053, "</Ntry>", "</Nrty>")).1, "XML");
    let nested = format!("{}{}", "<a>".repeat(100), "</a>".repeat(100));
    assert!(invalid(&with(CAMT053, "<GrpHdr>", &format!("<GrpHdr>{nested}"))).2.contains("nested deeper"));
}

#[test]
fn fields_are_bounded() {
    let long = "X".repeat(mahasil_statements::limits::MAX_FIELD_BYTES + 1);
    for (bytes, field) in [
        (with(CSV, "REFUND CHALLAN 20250110042 & SURCHARGE", &long), "narrative"),
        (with(CAMT053, "REFUND CHALLAN 20250110042 &amp; SURCHARGE", &long), "Ntry/AddtlNtryInf"),
        (with(MT940, ":86:REFUND CHALLAN 20250110042 & SURCHARGE", &format!(":86:{}", "X\r\n".repeat(2100))), ":86: information to account owner"),
    ] {
        let (_, got, reason) = invalid(&bytes);
        assert_eq!(got, field);
        assert!(reason.contains("accepted"), "{reason}");
    }
}

#[test]
fn errors_read_well() {
    let error = refused(&with(CSV, "2025-01-15,2025-01-15,credit,5000.00", "2025-02-30,2025-01-15,credit,5000.00"));
    assert_eq!(error.to_string(), "file line 3: booking_date: \"2025-02-30\" is not a real date written YYYY-MM-DD");
    assert_eq!(error.location(), Location::FileLine(3));
    let error = refused(&with(MT940, ":62F:", ":62X:"));
    assert_eq!(error.to_string(), "file line 24: field: expected the closing balance (:62F: or :62M:), found :62X:");
    assert_eq!(Format::Camt053.name(), "camt.053");
}
