//! Bank statements of the treasury account (`treasury:account-1`), read strictly into one
//! typed model. Pure: bytes in, [`Statement`] out; no IO, no clock.
//!
//! Three formats are read, found by [`parse`] from the file's first characters or chosen
//! with [`parse_as`]:
//!
//! - [`Format::Csv`]: mahasil's bank CSV, laid out below.
//! - [`Format::Mt940`]: the SWIFT customer statement message: `:20:` statement id, `:25:`
//!   account, `:28C:`, `:60F:`/`:60M:` opening, `:61:` lines each with an optional `:86:`
//!   narrative, `:62F:`/`:62M:` closing; a statement may span pages (`:62M:` then `:60M:`).
//! - [`Format::Camt053`]: ISO 20022 `BkToCstmrStmt`, `camt.053.001.02` to `.08`, read as a
//!   stream, so a million entries need no document tree. One `Stmt` per file.
//!
//! The README beside this crate maps each format's fields onto [`Statement`] and [`Line`].
//!
//! Every statement passes the same checks (see [`Statement::new`]): it is in PKR; opening balance +
//! credits − debits = closing balance; every date is a real day and every booking date lies
//! between the opening and the closing balance's dates; the account, statement id and each
//! line's bank reference are present; amounts have at most two decimals and are parsed into
//! integer paisa without floats; and the file, its line count and each field are bounded
//! ([`limits`]). A refusal is a [`StatementError`] naming the file line (or statement line)
//! and the field. Bank references repeated inside one statement are not an error: they
//! are listed by [`Statement::duplicates`] for the reconciler to judge.
//!
//! # mahasil bank CSV
//!
//! UTF-8 (a byte order mark is allowed), comma-separated, quoted as RFC 4180, LF or CRLF
//! line ends; blank lines are skipped. The first row is this header, exactly:
//!
//! ```text
//! account,statement_id,booking_date,value_date,direction,amount,bank_reference,customer_reference,narrative
//! ```
//!
//! Every following row has these nine columns and repeats the same `account` and
//! `statement_id`. The `direction` column says what the row is:
//!
//! | row | `direction` | `booking_date` | `value_date` | `amount` | references | `narrative` |
//! |---|---|---|---|---|---|---|
//! | first | `opening` | date of the opening balance | empty | signed balance | empty | currency: `PKR` |
//! | movements | `credit` or `debit` | booking date | value date | positive amount | `bank_reference` required, `customer_reference` optional | free text, may be empty |
//! | last | `closing` | date of the closing balance | empty | signed balance | empty | currency: `PKR` |
//!
//! Dates are `YYYY-MM-DD`. Amounts are in rupees with a decimal point and at most two
//! decimals (`5000`, `5000.5`, `5000.50`); grouping commas are allowed in thousands
//! (`"1,250,000.00"`) or lakhs (`"12,50,000.00"`), and the field must then be quoted. A
//! balance is negative (`-300.00`) when the account is overdrawn. An empty
//! `customer_reference` means the payer gave none. Nothing may follow the closing row.
//!
//! ```text
//! account,statement_id,booking_date,value_date,direction,amount,bank_reference,customer_reference,narrative
//! PK36SCBL0000001123456702,STMT20250115,2025-01-15,,opening,"1,250,000.00",,,PKR
//! PK36SCBL0000001123456702,STMT20250115,2025-01-15,2025-01-15,credit,5000.00,FT25015A1B2C,1234567890123,1LINK 1BILL DA-ENC-01
//! PK36SCBL0000001123456702,STMT20250115,2025-01-15,2025-01-15,debit,2500.00,FT25015G7H8J,,REFUND
//! PK36SCBL0000001123456702,STMT20250115,2025-01-15,,closing,"1,252,500.00",,,PKR
//! ```

mod amount;
mod bank_csv;
mod camt053;
mod check;
mod date;
mod error;
mod input;
pub mod limits;
mod model;
mod mt940;

pub use error::{Location, Result, StatementError};
pub use model::{Currency, Direction, Duplicate, Format, Line, Statement, StatementParts};

/// Reads a statement in whichever of the three formats the file is in.
pub fn parse(bytes: &[u8]) -> Result<Statement> {
    let text = input::text(bytes)?;
    parse_text(input::detect(text)?, text)
}

/// Reads a statement that must be in `format`.
pub fn parse_as(format: Format, bytes: &[u8]) -> Result<Statement> {
    parse_text(format, input::text(bytes)?)
}

/// The format [`parse`] would read the file as, from its first characters.
pub fn detect(bytes: &[u8]) -> Result<Format> {
    input::detect(input::text(bytes)?)
}

fn parse_text(format: Format, text: &str) -> Result<Statement> {
    match format {
        Format::Csv => bank_csv::parse(text),
        Format::Mt940 => mt940::parse(text),
        Format::Camt053 => camt053::parse(text),
    }
}
