//! Properties: any valid statement written in any format (by the test-only writers in
//! `support/`) reads back into the same parts; any bytes at all give a statement or an
//! error, never a panic.

mod support;

use jiff::ToSpan;
use jiff::civil::{Date, date};
use mahasil_statements::{Currency, Direction, Format, Line, Statement, StatementParts, parse, parse_as};
use proptest::prelude::*;

const FIXTURES: [&[u8]; 3] =
    [include_bytes!("fixtures/statement.csv"), include_bytes!("fixtures/statement.mt940"), include_bytes!("fixtures/statement.camt053.xml")];

/// A day between 1980 and 2079, the years SWIFT's `YYMMDD` can write.
fn day() -> impl Strategy<Value = Date> {
    (0i64..36_000).prop_map(|days| date(1980, 1, 10).saturating_add(days.days()))
}

fn amount_paisa() -> impl Strategy<Value = i64> {
    prop_oneof![1i64..=100_000, 1i64..=1_000_000_000_000]
}

/// References as banks and payers write them: what MT940's 16 characters allow, without
/// the placeholders that mean "none".
fn reference() -> impl Strategy<Value = String> {
    "[A-Z0-9][A-Z0-9.-]{0,15}".prop_filter("a placeholder", |text| text != "NONREF" && text != "NOTPROVIDED")
}

/// Free text as words of SWIFT's character set (and XML's and CSV's special characters),
/// which all three formats carry. A word never ends in `-`: an MT940 continuation line
/// that is a lone `-` ends the message, so no bank can send one.
fn narrative() -> impl Strategy<Value = String> {
    let word = "[A-Za-z0-9/.,()'+?&<>\"-]{0,11}[A-Za-z0-9]";
    prop_oneof![Just(String::new()), proptest::collection::vec(word, 1..30).prop_map(|words| words.join(" "))]
}

/// A line's own values; its number, dates and bank reference are settled by [`statement`].
#[derive(Debug, Clone)]
struct LineDraft {
    booking_offset_days: i64,
    value_shift_days: i64,
    amount_paisa: i64,
    direction: Direction,
    own_reference: String,
    repeat_reference: Option<prop::sample::Index>,
    customer_reference: Option<String>,
    narrative: String,
}

fn line_draft() -> impl Strategy<Value = LineDraft> {
    (
        0i64..=6,
        -3i64..=3,
        amount_paisa(),
        prop_oneof![Just(Direction::Credit), Just(Direction::Debit)],
        reference(),
        proptest::option::weighted(0.15, any::<prop::sample::Index>()),
        proptest::option::of(reference()),
        narrative(),
    )
        .prop_map(|(booking_offset_days, value_shift_days, amount_paisa, direction, own_reference, repeat_reference, customer_reference, narrative)| {
            LineDraft { booking_offset_days, value_shift_days, amount_paisa, direction, own_reference, repeat_reference, customer_reference, narrative }
        })
}

fn statement() -> impl Strategy<Value = StatementParts> {
    (
        "[A-Z]{2}[0-9]{2}[A-Z0-9]{10,30}",
        "[A-Z0-9]{1,16}",
        -1_000_000_000_000i64..=1_000_000_000_000,
        day(),
        0i64..=6,
        proptest::collection::vec(line_draft(), 0..25),
    )
        .prop_map(|(account_id, statement_id, opening_balance_paisa, from_date, span_days, drafts)| {
            let to_date = from_date.saturating_add(span_days.days());
            let mut lines: Vec<Line> = Vec::with_capacity(drafts.len());
            for (index, draft) in drafts.into_iter().enumerate() {
                let booking_date = from_date.saturating_add(draft.booking_offset_days.min(span_days).days());
                let bank_reference = match draft.repeat_reference {
                    Some(earlier) if !lines.is_empty() => lines[earlier.index(lines.len())].bank_reference.clone(),
                    _ => draft.own_reference,
                };
                lines.push(Line {
                    line_no: u32::try_from(index + 1).unwrap_or(u32::MAX),
                    booking_date,
                    value_date: booking_date.saturating_add(draft.value_shift_days.days()),
                    amount_paisa: draft.amount_paisa,
                    direction: draft.direction,
                    bank_reference,
                    customer_reference: draft.customer_reference,
                    narrative: draft.narrative,
                });
            }
            let closing_balance_paisa = opening_balance_paisa + lines.iter().map(|line| line.direction.signed(line.amount_paisa)).sum::<i64>();
            StatementParts { account_id, statement_id, currency: Currency::Pkr, opening_balance_paisa, closing_balance_paisa, from_date, to_date, lines }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn every_format_reads_back_what_was_written(parts in statement(), page_lines in 1usize..=6) {
        let expected = Statement::new(Format::Csv, parts.clone());
        prop_assert!(expected.is_ok(), "the generator made an invalid statement: {:?}", expected);
        for format in Format::ALL {
            let bytes = support::write(format, &parts, page_lines);
            let read = parse(&bytes);
            prop_assert!(read.is_ok(), "{}: {:?}\n{}", format.name(), read, String::from_utf8_lossy(&bytes));
            let statement = read.map_err(|error| TestCaseError::fail(error.to_string()))?;
            prop_assert_eq!(statement.format(), format);
            prop_assert_eq!(statement.parts(), &parts);
            prop_assert_eq!(parse_as(format, &bytes).ok(), Some(statement));
        }
    }

    #[test]
    fn any_bytes_give_a_statement_or_an_error(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = parse(&bytes);
        for format in Format::ALL {
            let _ = parse_as(format, &bytes);
        }
    }

    #[test]
    fn any_text_after_a_format_marker_gives_a_statement_or_an_error(
        marker in prop_oneof![Just("account,"), Just(":20:"), Just("{1:"), Just("<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.08\"><BkToCstmrStmt><Stmt>")],
        rest in "(?s).{0,600}",
    ) {
        let _ = parse(format!("{marker}{rest}").as_bytes());
    }

    #[test]
    fn fixtures_with_bytes_changed_give_a_statement_or_an_error(
        fixture in 0usize..3,
        changes in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
    ) {
        let mut bytes = FIXTURES[fixture].to_vec();
        for (index, byte) in changes {
            let at = index.index(bytes.len());
            bytes[at] = byte;
        }
        let _ = parse(&bytes);
    }
}
