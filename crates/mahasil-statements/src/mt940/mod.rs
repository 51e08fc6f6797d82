//! SWIFT MT940 customer statements, read by hand so that every refusal names its file line
//! and amounts go straight to paisa (the README says why not the `mt940` crate).
//!
//! A statement is one message, or several pages of one: each page is `:20:` (the statement
//! id, kept from the first page), optional `:21:`, `:25:` (or `:25P:`) account, `:28C:`
//! statement number/page, `:60F:` or `:60M:` opening balance, any number of `:61:`
//! statement lines each optionally followed by an `:86:` narrative, `:62F:` or `:62M:`
//! closing balance, then optional `:64:`, `:65:` and a statement-level `:86:`. A page that
//! closes with `:62M:` continues on the next, which opens with `:60M:` at the same amount;
//! `:62F:` ends the statement, and nothing but block marks may follow it.
//!
//! The statement's period runs from the opening balance's date to the closing balance's.
//! A `:61:`'s customer reference `NONREF` means none; its bank reference (after `//`) is
//! required. Without an `:86:`, a line's supplementary details are its narrative.

mod fields;
mod lines;

use fields::{Field, Fields};
use lines::{Balance, balance, statement_line};

use crate::check;
use crate::error::{Location, Result, StatementError};
use crate::model::{Currency, Format, Line, Statement, StatementParts};

/// SWIFT's bounds on the statement id (`:20:`, `16x`) and account (`:25:`, `35x`).
const MAX_STATEMENT_ID_CHARS: usize = 16;
const MAX_ACCOUNT_CHARS: usize = 35;

pub(crate) fn parse(text: &str) -> Result<Statement> {
    let mut cursor = Cursor { fields: Fields::new(text), peeked: None };
    let first = page_header(&mut cursor)?;
    let mut lines = Vec::new();
    let mut page = first.clone();
    let closing = loop {
        statement_lines(&mut cursor, &mut lines)?;
        let closing_field = cursor.expect(&["62F", "62M"], "the closing balance (:62F: or :62M:)")?;
        let closing = balance(&closing_field, "closing balance (:62F:/:62M:)")?;
        page_trailer(&mut cursor)?;
        if closing_field.tag == "62F" {
            break closing;
        }
        let next = page_header(&mut cursor)?;
        next.continues(&page, &closing)?;
        page = next;
    };
    if let Some(extra) = cursor.next()? {
        return Err(StatementError::invalid(extra.at(), "statement", format!(":{}: after the final closing balance: one statement per file", extra.tag)));
    }
    let parts = StatementParts {
        account_id: first.account_id,
        statement_id: first.statement_id,
        currency: Currency::Pkr,
        opening_balance_paisa: first.opening.signed_paisa,
        closing_balance_paisa: closing.signed_paisa,
        from_date: first.opening.date,
        to_date: closing.date,
        lines,
    };
    Statement::new(Format::Mt940, parts)
}

/// The fields from `:20:` to the opening balance of one page.
#[derive(Debug, Clone)]
struct PageHeader {
    statement_id: String,
    account_id: String,
    statement_no: String,
    page_no: Option<u32>,
    opening: Balance,
    intermediate_opening: bool,
}

impl PageHeader {
    /// Checks that this page continues `previous`, which closed at `closing`.
    fn continues(&self, previous: &Self, closing: &Balance) -> Result<()> {
        let at = Location::FileLine(self.opening.line);
        if !self.intermediate_opening {
            return Err(StatementError::invalid(at, "opening balance (:60F:/:60M:)", "after a :62M: the next page must open with :60M:"));
        }
        if self.account_id != previous.account_id || self.statement_no != previous.statement_no {
            return Err(StatementError::invalid(at, ":25:/:28C:", "a page of another account or statement follows a :62M:"));
        }
        if let (Some(before), Some(now)) = (previous.page_no, self.page_no)
            && before.checked_add(1) != Some(now)
        {
            return Err(StatementError::invalid(at, ":28C:", format!("page {now} follows page {before}")));
        }
        if self.opening.signed_paisa != closing.signed_paisa {
            return Err(StatementError::invalid(
                at,
                "opening balance (:60M:)",
                format!("{} paisa differs from the previous page's closing balance {} paisa", self.opening.signed_paisa, closing.signed_paisa),
            ));
        }
        Ok(())
    }
}

fn page_header(cursor: &mut Cursor<'_>) -> Result<PageHeader> {
    let id = cursor.expect(&["20"], "the statement id (:20:)")?;
    let statement_id = single_line(&id, ":20: transaction reference", MAX_STATEMENT_ID_CHARS)?;
    if cursor.peek()?.is_some_and(|field| field.tag == "21") {
        cursor.next()?;
    }
    let account = cursor.expect(&["25", "25P"], "the account (:25:)")?;
    let account_id = if account.tag == "25P" { account.first } else { single_line(&account, ":25: account identification", MAX_ACCOUNT_CHARS)? };
    check::reference(account_id, account.at(), ":25: account identification")?;
    let number = cursor.expect(&["28C"], "the statement number (:28C:)")?;
    let (statement_no, page_no) = statement_number(&number)?;
    let opening_field = cursor.expect(&["60F", "60M"], "the opening balance (:60F: or :60M:)")?;
    let opening = balance(&opening_field, "opening balance (:60F:/:60M:)")?;
    Ok(PageHeader {
        statement_id: statement_id.to_owned(),
        account_id: account_id.to_owned(),
        statement_no: statement_no.to_owned(),
        page_no,
        opening,
        intermediate_opening: opening_field.tag == "60M",
    })
}

/// `:61:` fields, each with the `:86:` right after it, if any.
fn statement_lines(cursor: &mut Cursor<'_>, lines: &mut Vec<Line>) -> Result<()> {
    while let Some(field) = cursor.peek()?.filter(|field| field.tag == "61") {
        cursor.next()?;
        let information = match cursor.peek()? {
            Some(next) if next.tag == "86" => cursor.next()?,
            _ => None,
        };
        let count = lines.len() + 1;
        check::line_count(count, field.at())?;
        lines.push(statement_line(&field, information.as_ref(), u32::try_from(count).unwrap_or(u32::MAX))?);
    }
    Ok(())
}

/// What may follow a closing balance: `:64:` closing available, `:65:` forward available
/// balances (checked, not kept) and a statement-level `:86:` (not kept).
fn page_trailer(cursor: &mut Cursor<'_>) -> Result<()> {
    if let Some(available) = cursor.peek()?.filter(|field| field.tag == "64") {
        cursor.next()?;
        balance(&available, "closing available balance (:64:)")?;
    }
    while let Some(forward) = cursor.peek()?.filter(|field| field.tag == "65") {
        cursor.next()?;
        balance(&forward, "forward available balance (:65:)")?;
    }
    if let Some(information) = cursor.peek()?.filter(|field| field.tag == "86") {
        cursor.next()?;
        let length: usize = information.first.len() + information.more().map(str::len).sum::<usize>();
        if length > crate::limits::MAX_FIELD_BYTES {
            return Err(StatementError::invalid(information.at(), ":86: information to account owner", "too long"));
        }
    }
    Ok(())
}

/// `:28C:` is `5n[/5n]`: statement number and, optionally, page number.
fn statement_number<'a>(field: &Field<'a>) -> Result<(&'a str, Option<u32>)> {
    let text = single_line(field, ":28C: statement number", 11)?;
    let (number, page) = text.split_once('/').map_or((text, None), |(number, page)| (number, Some(page)));
    let digits = |part: &str| (1..=5).contains(&part.len()) && part.bytes().all(|b| b.is_ascii_digit());
    if !digits(number) || page.is_some_and(|page| !digits(page)) {
        return Err(StatementError::invalid(field.at(), ":28C: statement number", format!("{text:?} must be up to 5 digits, optionally /page")));
    }
    Ok((number, page.and_then(|page| page.parse().ok())))
}

fn single_line<'a>(field: &Field<'a>, name: &'static str, max_chars: usize) -> Result<&'a str> {
    if field.has_more() {
        return Err(StatementError::invalid(field.at(), name, "must be a single line"));
    }
    check::reference(field.first, field.at(), name)?;
    if field.first.chars().count() > max_chars {
        return Err(StatementError::invalid(field.at(), name, format!("longer than SWIFT's {max_chars} characters")));
    }
    Ok(field.first)
}

/// The fields with one of look-ahead.
struct Cursor<'a> {
    fields: Fields<'a>,
    peeked: Option<Field<'a>>,
}

impl<'a> Cursor<'a> {
    fn peek(&mut self) -> Result<Option<Field<'a>>> {
        if self.peeked.is_none() {
            self.peeked = self.fields.next_field()?;
        }
        Ok(self.peeked)
    }

    fn next(&mut self) -> Result<Option<Field<'a>>> {
        match self.peeked.take() {
            Some(field) => Ok(Some(field)),
            None => self.fields.next_field(),
        }
    }

    /// The next field, which must have one of `tags`.
    fn expect(&mut self, tags: &[&str], expected: &'static str) -> Result<Field<'a>> {
        match self.next()? {
            Some(field) if tags.contains(&field.tag) => Ok(field),
            Some(field) => Err(StatementError::invalid(field.at(), "field", format!("expected {expected}, found :{}:", field.tag))),
            None => Err(StatementError::Truncated { at: Location::FileLine(self.fields.end_line()), expected }),
        }
    }
}
