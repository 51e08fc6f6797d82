//! Gathers the values the camt.053 reader finds into a statement: the statement's id and
//! account, its `OPBD` and `CLBD` balances, and one [`Line`] per `Ntry`, each finished
//! (and checked) when its element closes.
//!
//! Places are byte offsets until an error needs a file line: counting lines for every
//! element would cost more than a tenth of the parse.

use jiff::civil::Date;

use super::path::Slot;
use crate::amount::{Notation, parse_paisa};
use crate::check;
use crate::date::{parse_iso, parse_iso_date_time};
use crate::error::{Location, Result, StatementError};
use crate::input::line_at;
use crate::model::{Currency, Direction, Format, Line, Statement, StatementParts};

/// What an `EndToEndId` says when the payer gave none.
const NOT_PROVIDED: &str = "NOTPROVIDED";

/// The place given to errors made below [`Collector`]'s methods, which replace it with the
/// file line of the element the error is about.
const UNPLACED: Location = Location::Statement;

/// A `Bal` being read.
#[derive(Debug, Default)]
struct BalanceDraft {
    code: Option<String>,
    amount_paisa: Option<i64>,
    direction: Option<Direction>,
    date: Option<Date>,
}

/// A `Ntry` being read.
#[derive(Debug, Default)]
struct EntryDraft {
    amount_paisa: Option<i64>,
    direction: Option<Direction>,
    booking_date: Option<Date>,
    value_date: Option<Date>,
    bank_reference: Option<String>,
    end_to_end_id: Option<String>,
    transactions: u32,
    unstructured: String,
    additional: Option<String>,
}

/// The statement so far.
#[derive(Debug, Default)]
pub(crate) struct Collector<'t> {
    text: &'t [u8],
    statements: u32,
    statement_id: Option<String>,
    account_id: Option<String>,
    opening: Option<(i64, Date)>,
    closing: Option<(i64, Date)>,
    balance: BalanceDraft,
    entry: EntryDraft,
    lines: Vec<Line>,
    /// Byte offsets where the `Stmt`, the current `Bal` and the current `Ntry` start, for
    /// the errors about what they lack.
    statement_at: Option<u64>,
    balance_at: u64,
    entry_at: u64,
}

impl<'t> Collector<'t> {
    pub fn new(text: &'t str) -> Self {
        Self { text: text.as_bytes(), ..Self::default() }
    }

    /// The file line of a byte offset.
    pub fn locate(&self, offset: u64) -> Location {
        Location::FileLine(line_at(self.text, usize::try_from(offset).unwrap_or(usize::MAX)))
    }

    pub fn start_statement(&mut self, offset: u64) -> Result<()> {
        self.statements += 1;
        if self.statements > 1 {
            return Err(StatementError::invalid(self.locate(offset), "Stmt", "the file holds more than one statement; one statement per file"));
        }
        self.statement_at = Some(offset);
        Ok(())
    }

    pub fn start_balance(&mut self, offset: u64) {
        self.balance = BalanceDraft::default();
        self.balance_at = offset;
    }

    pub fn start_entry(&mut self, offset: u64) {
        self.entry = EntryDraft::default();
        self.entry_at = offset;
    }

    pub fn start_transaction(&mut self) {
        self.entry.transactions += 1;
    }

    /// Takes the text of the element at `slot`, which starts at byte `offset`. `currency`
    /// is its `Ccy` attribute, if it is an amount.
    pub fn value(&mut self, slot: Slot, text: &str, currency: Option<&str>, offset: u64) -> Result<()> {
        self.take_value(slot, text, currency).map_err(|error| error.located(self.locate(offset)))
    }

    fn take_value(&mut self, slot: Slot, text: &str, currency: Option<&str>) -> Result<()> {
        let (at, field) = (UNPLACED, slot.name());
        if slot.has_currency_attribute() {
            match currency {
                None => return Err(StatementError::Missing { at, field: "Amt/@Ccy" }),
                Some(code) if Currency::parse(code).is_none() => return Err(StatementError::Currency { at, field, found: code.to_owned() }),
                Some(_) => {}
            }
        }
        match slot {
            Slot::StatementId => once(&mut self.statement_id, reference(text, at, field)?, at, field),
            Slot::AccountId => once(&mut self.account_id, reference(text, at, field)?, at, field),
            Slot::AccountCurrency if Currency::parse(text).is_none() => Err(StatementError::Currency { at, field, found: text.to_owned() }),
            Slot::AccountCurrency => Ok(()),
            Slot::BalanceType => once(&mut self.balance.code, text.to_owned(), at, field),
            Slot::BalanceAmount => once(&mut self.balance.amount_paisa, amount(text, at, field)?, at, field),
            Slot::BalanceIndicator => once(&mut self.balance.direction, indicator(text, at, field)?, at, field),
            Slot::BalanceDate => once(&mut self.balance.date, date(text, at, field, parse_iso)?, at, field),
            Slot::BalanceDateTime => once(&mut self.balance.date, date(text, at, field, parse_iso_date_time)?, at, field),
            Slot::EntryAmount => once(&mut self.entry.amount_paisa, amount(text, at, field)?, at, field),
            Slot::EntryIndicator => once(&mut self.entry.direction, indicator(text, at, field)?, at, field),
            Slot::EntryStatus if text != "BOOK" => {
                Err(StatementError::invalid(at, field, format!("{text:?}: only booked (BOOK) entries belong in a statement")))
            }
            Slot::EntryStatus => Ok(()),
            Slot::BookingDate => once(&mut self.entry.booking_date, date(text, at, field, parse_iso)?, at, field),
            Slot::BookingDateTime => once(&mut self.entry.booking_date, date(text, at, field, parse_iso_date_time)?, at, field),
            Slot::ValueDate => once(&mut self.entry.value_date, date(text, at, field, parse_iso)?, at, field),
            Slot::ValueDateTime => once(&mut self.entry.value_date, date(text, at, field, parse_iso_date_time)?, at, field),
            Slot::BankReference => once(&mut self.entry.bank_reference, reference(text, at, field)?, at, field),
            Slot::EndToEndId if self.entry.transactions > 1 => Ok(()),
            Slot::EndToEndId => once(&mut self.entry.end_to_end_id, reference(text, at, field)?, at, field),
            Slot::Unstructured if self.entry.transactions > 1 => Ok(()),
            Slot::Unstructured => {
                self.entry.unstructured.push_str(text);
                check::bounded(&self.entry.unstructured, at, field)
            }
            Slot::AdditionalInformation => {
                check::bounded(text, at, field)?;
                once(&mut self.entry.additional, text.to_owned(), at, field)
            }
        }
    }

    /// Closes a `Bal`: keeps it if it is the opening (`OPBD`) or closing (`CLBD`) balance.
    pub fn end_balance(&mut self) -> Result<()> {
        self.take_balance().map_err(|error| error.located(self.locate(self.balance_at)))
    }

    fn take_balance(&mut self) -> Result<()> {
        let at = UNPLACED;
        let draft = std::mem::take(&mut self.balance);
        let code = draft.code.ok_or(StatementError::Missing { at, field: "Bal/Tp/CdOrPrtry/Cd" })?;
        let amount_paisa = draft.amount_paisa.ok_or(StatementError::Missing { at, field: "Bal/Amt" })?;
        let direction = draft.direction.ok_or(StatementError::Missing { at, field: "Bal/CdtDbtInd" })?;
        let date = draft.date.ok_or(StatementError::Missing { at, field: "Bal/Dt" })?;
        let balance = (direction.signed(amount_paisa), date);
        match code.as_str() {
            "OPBD" => once(&mut self.opening, balance, at, "opening balance (Bal of type OPBD)"),
            "CLBD" => once(&mut self.closing, balance, at, "closing balance (Bal of type CLBD)"),
            _ => Ok(()),
        }
    }

    /// Closes a `Ntry` into the next statement line.
    pub fn end_entry(&mut self) -> Result<()> {
        self.take_entry().map_err(|error| error.located(self.locate(self.entry_at)))
    }

    fn take_entry(&mut self) -> Result<()> {
        let at = UNPLACED;
        let draft = std::mem::take(&mut self.entry);
        let count = self.lines.len() + 1;
        check::line_count(count, at)?;
        let amount_paisa = draft.amount_paisa.ok_or(StatementError::Missing { at, field: "Ntry/Amt" })?;
        check::line_amount(amount_paisa, at, "Ntry/Amt")?;
        // A batch booking (several TxDtls) has no single payer reference.
        let customer_reference = draft.end_to_end_id.filter(|id| draft.transactions == 1 && id != NOT_PROVIDED);
        let narrative = match draft.additional {
            Some(additional) => additional,
            None => draft.unstructured,
        };
        self.lines.push(Line {
            line_no: u32::try_from(count).unwrap_or(u32::MAX),
            booking_date: draft.booking_date.ok_or(StatementError::Missing { at, field: "Ntry/BookgDt" })?,
            value_date: draft.value_date.ok_or(StatementError::Missing { at, field: "Ntry/ValDt" })?,
            amount_paisa,
            direction: draft.direction.ok_or(StatementError::Missing { at, field: "Ntry/CdtDbtInd" })?,
            bank_reference: draft.bank_reference.ok_or(StatementError::Missing { at, field: "Ntry/AcctSvcrRef" })?,
            customer_reference,
            narrative,
        });
        Ok(())
    }

    /// The checked statement, once the document has ended.
    pub fn finish(self, end_offset: u64) -> Result<Statement> {
        let Some(statement_at) = self.statement_at else {
            return Err(StatementError::Missing { at: self.locate(end_offset), field: "BkToCstmrStmt/Stmt" });
        };
        let text = self.text;
        let missing = |field| StatementError::Missing { at: Location::FileLine(line_at(text, usize::try_from(statement_at).unwrap_or(usize::MAX))), field };
        let (opening_balance_paisa, from_date) = self.opening.ok_or_else(|| missing("opening balance (Bal of type OPBD)"))?;
        let (closing_balance_paisa, to_date) = self.closing.ok_or_else(|| missing("closing balance (Bal of type CLBD)"))?;
        let parts = StatementParts {
            account_id: self.account_id.ok_or_else(|| missing("Stmt/Acct/Id"))?,
            statement_id: self.statement_id.ok_or_else(|| missing("Stmt/Id"))?,
            currency: Currency::Pkr,
            opening_balance_paisa,
            closing_balance_paisa,
            from_date,
            to_date,
            lines: self.lines,
        };
        Statement::new(Format::Camt053, parts)
    }
}

/// Sets a value that may appear once.
fn once<T>(slot: &mut Option<T>, value: T, at: Location, field: &'static str) -> Result<()> {
    if slot.is_some() {
        return Err(StatementError::invalid(at, field, "appears twice"));
    }
    *slot = Some(value);
    Ok(())
}

fn reference(text: &str, at: Location, field: &'static str) -> Result<String> {
    check::reference(text, at, field)?;
    Ok(text.to_owned())
}

fn amount(text: &str, at: Location, field: &'static str) -> Result<i64> {
    if text.is_empty() {
        return Err(StatementError::Missing { at, field });
    }
    let paisa = parse_paisa(text, Notation::Point).map_err(|reason| StatementError::invalid(at, field, format!("{text:?}: {reason}")))?;
    check::balance(paisa, at, field)?;
    Ok(paisa)
}

fn indicator(text: &str, at: Location, field: &'static str) -> Result<Direction> {
    match text {
        "CRDT" => Ok(Direction::Credit),
        "DBIT" => Ok(Direction::Debit),
        _ => Err(StatementError::invalid(at, field, format!("{text:?} must be CRDT or DBIT"))),
    }
}

fn date(text: &str, at: Location, field: &'static str, parse: fn(&str) -> Option<Date>) -> Result<Date> {
    parse(text).ok_or_else(|| StatementError::invalid(at, field, format!("{text:?} is not a real date (YYYY-MM-DD)")))
}
