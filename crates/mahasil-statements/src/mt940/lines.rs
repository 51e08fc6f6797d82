//! The MT940 fields with inner structure: balances (`:60F:` and kin,
//! `1!a6!n3!a15d`) and statement lines (`:61:`,
//! `6!n[4!n]2a[1!a]15d1!a3!c16x[//16x]` with an optional `34x` second line), each with the
//! `:86:` that may follow it.

use jiff::civil::Date;

use super::fields::Field;
use crate::amount::{Notation, parse_paisa};
use crate::check;
use crate::date::{parse_mmdd_near, parse_yymmdd};
use crate::error::{Result, StatementError};
use crate::model::{Currency, Direction, Line};

/// SWIFT's bound on an amount field (`15d`), decimal comma included.
const MAX_AMOUNT_CHARS: usize = 15;
/// SWIFT's bound on each of the two references of a `:61:` (`16x`).
const MAX_REFERENCE_CHARS: usize = 16;
/// SWIFT's bound on a `:61:`'s supplementary details (`34x`).
const MAX_SUPPLEMENTARY_CHARS: usize = 34;
/// What a `:61:` says when the account owner gave no reference.
const NO_REFERENCE: &str = "NONREF";

/// A balance field's value.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Balance {
    pub signed_paisa: i64,
    pub date: Date,
    pub line: u64,
}

/// Reads a balance (`C250115PKR1250000,00`); `field` names it in errors.
pub(crate) fn balance(field: &Field<'_>, name: &'static str) -> Result<Balance> {
    let at = field.at();
    if field.has_more() {
        return Err(StatementError::invalid(at, name, "a balance is a single line"));
    }
    let text = field.first;
    let sign = match text.get(..1) {
        Some("C") => 1,
        Some("D") => -1,
        _ => return Err(StatementError::invalid(at, name, format!("{text:?} must start with the mark C or D"))),
    };
    let date_text = text.get(1..7).unwrap_or_default();
    let date = parse_yymmdd(date_text).ok_or_else(|| StatementError::invalid(at, name, format!("{date_text:?} is not a real date written YYMMDD")))?;
    let currency = text.get(7..10).unwrap_or_default();
    if currency.len() < 3 {
        return Err(StatementError::Truncated { at, expected: "the balance's currency and amount" });
    }
    if Currency::parse(currency).is_none() {
        return Err(StatementError::Currency { at, field: name, found: currency.to_owned() });
    }
    let amount = text.get(10..).unwrap_or_default();
    let paisa = amount_paisa(amount, at, name)?;
    check::balance(paisa, at, name)?;
    Ok(Balance { signed_paisa: sign * paisa, date, line: field.line })
}

/// Reads a `:61:` and the `:86:` after it, if any, into line `line_no`.
pub(crate) fn statement_line(field: &Field<'_>, information: Option<&Field<'_>>, line_no: u32) -> Result<Line> {
    let at = field.at();
    let text = field.first;
    let value_text = text.get(..6).unwrap_or(text);
    let value_date =
        parse_yymmdd(value_text).ok_or_else(|| StatementError::invalid(at, ":61: value date", format!("{value_text:?} is not a real date written YYMMDD")))?;
    let mut rest = text.get(6..).unwrap_or_default();
    let booking_date = match rest.get(..4) {
        Some(entry_text) if entry_text.bytes().all(|b| b.is_ascii_digit()) => {
            rest = rest.get(4..).unwrap_or_default();
            parse_mmdd_near(entry_text, value_date)
                .ok_or_else(|| StatementError::invalid(at, ":61: entry date", format!("{entry_text:?} is not a real date written MMDD")))?
        }
        _ => value_date,
    };
    let (direction, after_mark) = mark(rest).ok_or_else(|| StatementError::invalid(at, ":61: debit/credit mark", "must be C, D, RC or RD"))?;
    // The optional funds code is the third letter of the currency code: a letter where
    // the amount's first digit would be.
    rest = match after_mark.as_bytes().first() {
        Some(byte) if byte.is_ascii_alphabetic() => after_mark.get(1..).unwrap_or_default(),
        _ => after_mark,
    };
    let amount_len = rest.find(|c: char| !(c.is_ascii_digit() || c == ',')).unwrap_or(rest.len());
    let (amount_text, after_amount) = rest.split_at_checked(amount_len).unwrap_or((rest, ""));
    if amount_text.is_empty() {
        return Err(StatementError::Missing { at, field: ":61: amount" });
    }
    let amount_paisa = amount_paisa(amount_text, at, ":61: amount")?;
    check::line_amount(amount_paisa, at, ":61: amount")?;
    let references = transaction_type(after_amount)
        .ok_or_else(|| StatementError::invalid(at, ":61: transaction type", "must be N, S or F followed by three letters or digits (NTRF, NMSC, S103)"))?;
    let (customer_reference, bank_reference) = references.split_once("//").unwrap_or((references, ""));
    let customer_reference = reference(customer_reference, field, ":61: reference for the account owner")?;
    let bank_reference = reference(bank_reference, field, ":61: bank reference (after //)")?.to_owned();
    let supplementary = supplementary_details(field)?;
    let narrative = match information {
        Some(information) => narrative(information)?,
        None => supplementary.unwrap_or_default().to_owned(),
    };
    Ok(Line {
        line_no,
        booking_date,
        value_date,
        amount_paisa,
        direction,
        bank_reference,
        customer_reference: (customer_reference != NO_REFERENCE).then(|| customer_reference.to_owned()),
        narrative,
    })
}

/// `C`, `D`, `RC` (reversal of a credit, so money out) or `RD` (reversal of a debit).
fn mark(text: &str) -> Option<(Direction, &str)> {
    [("RC", Direction::Debit), ("RD", Direction::Credit), ("C", Direction::Credit), ("D", Direction::Debit)]
        .into_iter()
        .find_map(|(mark, direction)| text.strip_prefix(mark).map(|rest| (direction, rest)))
}

/// Skips the transaction type (`NTRF`) and returns what follows it: the references.
fn transaction_type(text: &str) -> Option<&str> {
    let code = text.get(..4)?;
    let mut bytes = code.bytes();
    let kind_ok = matches!(bytes.next(), Some(b'N' | b'S' | b'F'));
    (kind_ok && bytes.all(|b| b.is_ascii_alphanumeric())).then(|| text.get(4..)).flatten()
}

fn reference<'a>(text: &'a str, field: &Field<'_>, name: &'static str) -> Result<&'a str> {
    check::reference(text, field.at(), name)?;
    if text.chars().count() > MAX_REFERENCE_CHARS {
        return Err(StatementError::invalid(field.at(), name, format!("{text:?} is longer than {MAX_REFERENCE_CHARS} characters")));
    }
    Ok(text)
}

fn supplementary_details<'a>(field: &Field<'a>) -> Result<Option<&'a str>> {
    let mut more = field.more();
    let details = more.next();
    if more.next().is_some() {
        return Err(StatementError::invalid(field.at(), ":61: supplementary details", "a statement line has at most one continuation line"));
    }
    if let Some(details) = details
        && details.chars().count() > MAX_SUPPLEMENTARY_CHARS
    {
        return Err(StatementError::invalid(field.at(), ":61: supplementary details", format!("longer than {MAX_SUPPLEMENTARY_CHARS} characters")));
    }
    Ok(details)
}

/// A `:86:`: its lines joined as written. Banks wrap it at 65 characters wherever the
/// limit falls, mid-word too, so nothing is put between the lines.
fn narrative(field: &Field<'_>) -> Result<String> {
    let mut text = field.first.to_owned();
    check::bounded(&text, field.at(), ":86: information to account owner")?;
    for line in field.more() {
        text.push_str(line);
        check::bounded(&text, field.at(), ":86: information to account owner")?;
    }
    Ok(text)
}

fn amount_paisa(text: &str, at: crate::Location, name: &'static str) -> Result<i64> {
    if text.len() > MAX_AMOUNT_CHARS {
        return Err(StatementError::invalid(at, name, format!("{text:?} is longer than SWIFT's {MAX_AMOUNT_CHARS} characters")));
    }
    if text.is_empty() {
        return Err(StatementError::Missing { at, field: name });
    }
    parse_paisa(text, Notation::Comma).map_err(|reason| StatementError::invalid(at, name, format!("{text:?}: {reason}")))
}
