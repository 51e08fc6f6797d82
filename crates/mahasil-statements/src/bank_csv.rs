//! mahasil's bank CSV (laid out in the crate documentation): a fixed header, an `opening`
//! balance row, `credit`/`debit` rows, and a `closing` balance row, read with the `csv`
//! crate one record at a time into a reused buffer.

use csv::{ErrorKind, StringRecord};

use crate::amount::{Notation, parse_paisa, parse_signed_paisa};
use crate::check;
use crate::date::parse_iso;
use crate::error::{Location, Result, StatementError};
use crate::model::{Currency, Direction, Format, Line, Statement, StatementParts};

/// The header row, column by column. Every row has exactly these columns.
pub(crate) const HEADER: [&str; 9] =
    ["account", "statement_id", "booking_date", "value_date", "direction", "amount", "bank_reference", "customer_reference", "narrative"];

const ACCOUNT: usize = 0;
const STATEMENT_ID: usize = 1;
const BOOKING_DATE: usize = 2;
const VALUE_DATE: usize = 3;
const DIRECTION: usize = 4;
const AMOUNT: usize = 5;
const BANK_REFERENCE: usize = 6;
const CUSTOMER_REFERENCE: usize = 7;
const NARRATIVE: usize = 8;

pub(crate) fn parse(text: &str) -> Result<Statement> {
    let mut rows = Rows { reader: csv::ReaderBuilder::new().has_headers(false).from_reader(text.as_bytes()), record: StringRecord::new(), line: 1 };
    if !rows.advance()? {
        return Err(StatementError::Truncated { at: Location::FileLine(1), expected: "the header row" });
    }
    if rows.record.iter().ne(HEADER) {
        return Err(StatementError::invalid(Location::FileLine(rows.line), "header", format!("the header must be exactly `{}`", HEADER.join(","))));
    }
    if !rows.advance()? {
        return Err(StatementError::Truncated { at: Location::FileLine(rows.line + 1), expected: "the opening balance row" });
    }
    let (opening_balance_paisa, from_date) = balance_row(&rows, "opening")?;
    let account_id = rows.field(ACCOUNT).to_owned();
    let statement_id = rows.field(STATEMENT_ID).to_owned();
    let at = Location::FileLine(rows.line);
    check::reference(&account_id, at, "account")?;
    check::reference(&statement_id, at, "statement_id")?;

    let mut lines = Vec::new();
    loop {
        if !rows.advance()? {
            return Err(StatementError::Truncated { at: Location::FileLine(rows.line + 1), expected: "the closing balance row" });
        }
        rows.same_statement(&account_id, &statement_id)?;
        if rows.field(DIRECTION) == "closing" {
            break;
        }
        let line_no = u32::try_from(lines.len() + 1).unwrap_or(u32::MAX);
        check::line_count(lines.len() + 1, Location::FileLine(rows.line))?;
        lines.push(movement_row(&rows, line_no)?);
    }
    let (closing_balance_paisa, to_date) = balance_row(&rows, "closing")?;
    let closing_line = rows.line;
    if rows.advance()? {
        return Err(StatementError::invalid(
            Location::FileLine(rows.line),
            "row",
            format!("nothing may follow the closing balance row (file line {closing_line})"),
        ));
    }
    let parts = StatementParts { account_id, statement_id, currency: Currency::Pkr, opening_balance_paisa, closing_balance_paisa, from_date, to_date, lines };
    Statement::new(Format::Csv, parts)
}

/// The records of the file with the file line each starts on.
struct Rows<'a> {
    reader: csv::Reader<&'a [u8]>,
    record: StringRecord,
    line: u64,
}

impl Rows<'_> {
    /// Reads the next record; `false` at the end of the file.
    fn advance(&mut self) -> Result<bool> {
        match self.reader.read_record(&mut self.record) {
            Ok(more) => {
                if let Some(position) = self.record.position() {
                    self.line = position.line();
                }
                Ok(more)
            }
            Err(error) => Err(csv_error(error, self.line)),
        }
    }

    /// A column of the current record. Every record has all nine columns: the reader
    /// refuses records whose length differs from the header's.
    fn field(&self, column: usize) -> &str {
        self.record.get(column).unwrap_or_default()
    }

    fn at(&self) -> Location {
        Location::FileLine(self.line)
    }

    fn same_statement(&self, account_id: &str, statement_id: &str) -> Result<()> {
        if self.field(ACCOUNT) != account_id {
            return Err(StatementError::invalid(self.at(), "account", format!("{:?} differs from the opening row's {account_id:?}", self.field(ACCOUNT))));
        }
        if self.field(STATEMENT_ID) != statement_id {
            return Err(StatementError::invalid(
                self.at(),
                "statement_id",
                format!("{:?} differs from the opening row's {statement_id:?}", self.field(STATEMENT_ID)),
            ));
        }
        Ok(())
    }

    fn date(&self, column: usize, field: &'static str) -> Result<jiff::civil::Date> {
        let text = self.field(column);
        if text.is_empty() {
            return Err(StatementError::Missing { at: self.at(), field });
        }
        parse_iso(text).ok_or_else(|| StatementError::invalid(self.at(), field, format!("{text:?} is not a real date written YYYY-MM-DD")))
    }

    fn must_be_empty(&self, column: usize, why: &str) -> Result<()> {
        if self.field(column).is_empty() {
            return Ok(());
        }
        Err(StatementError::invalid(self.at(), HEADER[column], format!("must be empty on {why}")))
    }
}

/// An `opening` or `closing` row: its signed balance and its date.
fn balance_row(rows: &Rows<'_>, kind: &'static str) -> Result<(i64, jiff::civil::Date)> {
    let at = rows.at();
    let direction = rows.field(DIRECTION);
    if direction != kind {
        let reason = if kind == "opening" { "the first row after the header must be the `opening` balance row" } else { "expected the closing row" };
        return Err(StatementError::invalid(at, "direction", format!("{direction:?}: {reason}")));
    }
    let why = if kind == "opening" { "the opening balance row" } else { "the closing balance row" };
    let date = rows.date(BOOKING_DATE, "booking_date")?;
    for column in [VALUE_DATE, BANK_REFERENCE, CUSTOMER_REFERENCE] {
        rows.must_be_empty(column, why)?;
    }
    let currency = rows.field(NARRATIVE);
    if currency.is_empty() {
        return Err(StatementError::Missing { at, field: "narrative (the balance's currency)" });
    }
    if Currency::parse(currency).is_none() {
        return Err(StatementError::Currency { at, field: "narrative (the balance's currency)", found: currency.to_owned() });
    }
    let amount = rows.field(AMOUNT);
    if amount.is_empty() {
        return Err(StatementError::Missing { at, field: "amount" });
    }
    let balance_paisa =
        parse_signed_paisa(amount, Notation::PointGrouped).map_err(|reason| StatementError::invalid(at, "amount", format!("{amount:?}: {reason}")))?;
    check::balance(balance_paisa, at, "amount")?;
    Ok((balance_paisa, date))
}

/// A `credit` or `debit` row.
fn movement_row(rows: &Rows<'_>, line_no: u32) -> Result<Line> {
    let at = rows.at();
    let direction = match rows.field(DIRECTION) {
        "credit" => Direction::Credit,
        "debit" => Direction::Debit,
        "" => return Err(StatementError::Missing { at, field: "direction" }),
        "opening" => return Err(StatementError::invalid(at, "direction", "a second opening balance row")),
        other => return Err(StatementError::invalid(at, "direction", format!("{other:?} is none of credit, debit, opening, closing"))),
    };
    let booking_date = rows.date(BOOKING_DATE, "booking_date")?;
    let value_date = rows.date(VALUE_DATE, "value_date")?;
    let amount = rows.field(AMOUNT);
    if amount.is_empty() {
        return Err(StatementError::Missing { at, field: "amount" });
    }
    let amount_paisa = parse_paisa(amount, Notation::PointGrouped).map_err(|reason| StatementError::invalid(at, "amount", format!("{amount:?}: {reason}")))?;
    check::line_amount(amount_paisa, at, "amount")?;
    let bank_reference = rows.field(BANK_REFERENCE);
    check::reference(bank_reference, at, "bank_reference")?;
    let customer_reference = match rows.field(CUSTOMER_REFERENCE) {
        "" => None,
        reference => {
            check::reference(reference, at, "customer_reference")?;
            Some(reference.to_owned())
        }
    };
    let narrative = rows.field(NARRATIVE);
    check::bounded(narrative, at, "narrative")?;
    Ok(Line {
        line_no,
        booking_date,
        value_date,
        amount_paisa,
        direction,
        bank_reference: bank_reference.to_owned(),
        customer_reference,
        narrative: narrative.to_owned(),
    })
}

fn csv_error(error: csv::Error, last_line: u64) -> StatementError {
    let line = error.position().map_or(last_line, csv::Position::line);
    match error.kind() {
        ErrorKind::UnequalLengths { expected_len, len, .. } => StatementError::invalid(
            Location::FileLine(line),
            "row",
            format!("has {len} columns; the header has {expected_len} (a truncated file, or a comma in an unquoted field?)"),
        ),
        ErrorKind::Utf8 { .. } => StatementError::NotUtf8 { line },
        _ => StatementError::invalid(Location::FileLine(line), "row", error.to_string()),
    }
}
