//! The one typed model every statement format is read into: a [`Statement`] of [`Line`]s.
//! A `Statement` exists only once it has passed every check (see [`Statement::new`]).

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use jiff::civil::Date;
use serde::Serialize;

use crate::Result;

/// The file format a statement was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// mahasil's bank CSV (see the crate documentation).
    Csv,
    /// SWIFT MT940 customer statement message.
    Mt940,
    /// ISO 20022 `camt.053` bank-to-customer statement, versions 001.02 to 001.08.
    Camt053,
}

impl Format {
    pub const ALL: [Self; 3] = [Self::Csv, Self::Mt940, Self::Camt053];

    pub const fn name(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Mt940 => "mt940",
            Self::Camt053 => "camt.053",
        }
    }
}

/// The currency of a statement. The treasury account is held in rupees only; a statement
/// in any other currency is refused while parsing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Currency {
    #[serde(rename = "PKR")]
    Pkr,
}

impl Currency {
    pub const fn code(self) -> &'static str {
        match self {
            Self::Pkr => "PKR",
        }
    }

    pub(crate) fn parse(code: &str) -> Option<Self> {
        (code == "PKR").then_some(Self::Pkr)
    }
}

/// Whether a line put money into the account (credit) or took it out (debit), as the
/// account holder sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Credit,
    Debit,
}

impl Direction {
    /// The amount with the sign of this direction: credits positive, debits negative.
    pub const fn signed(self, amount_paisa: i64) -> i64 {
        match self {
            Self::Credit => amount_paisa,
            Self::Debit => -amount_paisa,
        }
    }
}

/// One booked movement on the account.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Line {
    /// The line's position among the statement's lines, from 1.
    pub line_no: u32,
    pub booking_date: Date,
    pub value_date: Date,
    /// Always positive; [`direction`](Self::direction) gives the sign.
    pub amount_paisa: i64,
    pub direction: Direction,
    /// The bank's own reference for the movement. Not always unique: see
    /// [`Statement::duplicates`].
    pub bank_reference: String,
    /// The payer's reference (a challan number, an end-to-end id), when the bank gave one.
    pub customer_reference: Option<String>,
    /// Free text from the bank; may be empty.
    pub narrative: String,
}

/// The values of a statement, before (or after) they have been checked. Build one and pass
/// it to [`Statement::new`] to get a checked [`Statement`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct StatementParts {
    /// The account as the bank names it: an IBAN, or the bank's own account number.
    pub account_id: String,
    /// The file's own identification (CSV `statement_id`, MT940 `:20:`, camt.053 `Stmt/Id`).
    pub statement_id: String,
    pub currency: Currency,
    /// Signed: a credit (in favour of the account holder) balance is positive.
    pub opening_balance_paisa: i64,
    pub closing_balance_paisa: i64,
    /// The date of the opening balance.
    pub from_date: Date,
    /// The date of the closing balance.
    pub to_date: Date,
    pub lines: Vec<Line>,
}

/// A checked bank statement: its balances add up, its dates are real and in order, every
/// required field is present and bounded, and it is in rupees.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Statement {
    format: Format,
    #[serde(flatten)]
    parts: StatementParts,
}

/// A bank reference that appears on more than one line of one statement. The bank may have
/// sent the same movement twice, or reused a reference; the reconciler decides which.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Duplicate<'a> {
    pub bank_reference: &'a str,
    /// The lines carrying it, in file order (at least two).
    pub line_nos: Vec<u32>,
}

impl Statement {
    /// Checks `parts` and makes them a statement read from `format`. The checks: account,
    /// statement id and every bank reference present, without control characters or
    /// surrounding spaces; every text field at most [`MAX_FIELD_BYTES`](crate::limits::MAX_FIELD_BYTES);
    /// at most [`MAX_LINES`](crate::limits::MAX_LINES) lines numbered 1, 2, 3, ... in order;
    /// amounts positive and balances at most [`MAX_AMOUNT_PAISA`](crate::limits::MAX_AMOUNT_PAISA);
    /// `from_date` not after `to_date` and every booking date between them; and
    /// opening + credits − debits = closing.
    pub fn new(format: Format, parts: StatementParts) -> Result<Self> {
        crate::check::statement(&parts)?;
        Ok(Self { format, parts })
    }

    pub fn format(&self) -> Format {
        self.format
    }

    pub fn parts(&self) -> &StatementParts {
        &self.parts
    }

    pub fn into_parts(self) -> StatementParts {
        self.parts
    }

    pub fn account_id(&self) -> &str {
        &self.parts.account_id
    }

    pub fn statement_id(&self) -> &str {
        &self.parts.statement_id
    }

    pub fn currency(&self) -> Currency {
        self.parts.currency
    }

    pub fn opening_balance_paisa(&self) -> i64 {
        self.parts.opening_balance_paisa
    }

    pub fn closing_balance_paisa(&self) -> i64 {
        self.parts.closing_balance_paisa
    }

    pub fn from_date(&self) -> Date {
        self.parts.from_date
    }

    pub fn to_date(&self) -> Date {
        self.parts.to_date
    }

    pub fn lines(&self) -> &[Line] {
        &self.parts.lines
    }

    /// Every bank reference found on more than one line, ordered by its first line.
    pub fn duplicates(&self) -> Vec<Duplicate<'_>> {
        // The first line of each reference, and where its duplicate entry is once it has one:
        // no allocation per line, only per repeated reference.
        let mut first_seen: HashMap<&str, (u32, Option<usize>)> = HashMap::with_capacity(self.parts.lines.len());
        let mut duplicates: Vec<Duplicate<'_>> = Vec::new();
        for line in &self.parts.lines {
            match first_seen.entry(line.bank_reference.as_str()) {
                Entry::Vacant(vacant) => {
                    vacant.insert((line.line_no, None));
                }
                Entry::Occupied(mut occupied) => {
                    let (first_line_no, duplicate) = occupied.get_mut();
                    match duplicate.and_then(|index| duplicates.get_mut(index)) {
                        Some(known) => known.line_nos.push(line.line_no),
                        None => {
                            *duplicate = Some(duplicates.len());
                            duplicates.push(Duplicate { bank_reference: &line.bank_reference, line_nos: vec![*first_line_no, line.line_no] });
                        }
                    }
                }
            }
        }
        duplicates.sort_unstable_by_key(|duplicate| duplicate.line_nos.first().copied());
        duplicates
    }
}
