//! The checks every statement passes, whatever its format: bounded and present fields,
//! positive amounts, lines numbered in order, booking dates inside the statement's period,
//! and opening + credits − debits = closing.
//!
//! The format parsers run the field checks as they read, so their errors name the file
//! line; [`statement`] runs all of them again on the finished parts, so a
//! [`Statement`](crate::Statement) built by hand is held to the same rules.

use crate::error::{Location, Result, StatementError};
use crate::limits::{MAX_AMOUNT_PAISA, MAX_FIELD_BYTES, MAX_LINES};
use crate::model::{Direction, Line, StatementParts};

/// An identifier or reference: present, bounded, no control characters, and no spaces at
/// either end (they would make two equal references look different).
pub(crate) fn reference(value: &str, at: Location, field: &'static str) -> Result<()> {
    if value.is_empty() {
        return Err(StatementError::Missing { at, field });
    }
    bounded(value, at, field)?;
    if value.chars().any(char::is_control) {
        return Err(StatementError::invalid(at, field, "contains a control character"));
    }
    if value.trim() != value {
        return Err(StatementError::invalid(at, field, "starts or ends with a space"));
    }
    Ok(())
}

/// Free text: may be empty, must be bounded.
pub(crate) fn bounded(value: &str, at: Location, field: &'static str) -> Result<()> {
    if value.len() > MAX_FIELD_BYTES {
        return Err(StatementError::invalid(at, field, format!("is {} bytes long, more than the {MAX_FIELD_BYTES} accepted", value.len())));
    }
    Ok(())
}

/// A line amount: positive and at most [`MAX_AMOUNT_PAISA`].
pub(crate) fn line_amount(amount_paisa: i64, at: Location, field: &'static str) -> Result<()> {
    if amount_paisa <= 0 {
        return Err(StatementError::invalid(at, field, "a statement line's amount must be positive"));
    }
    balance(amount_paisa, at, field)
}

/// A balance: at most [`MAX_AMOUNT_PAISA`] in either direction.
pub(crate) fn balance(amount_paisa: i64, at: Location, field: &'static str) -> Result<()> {
    if amount_paisa.unsigned_abs() > MAX_AMOUNT_PAISA.unsigned_abs() {
        return Err(StatementError::invalid(at, field, "larger than the largest accepted amount (PKR 100 trillion)"));
    }
    Ok(())
}

/// Fails once a statement grows past [`MAX_LINES`]; parsers call it as they add lines.
pub(crate) fn line_count(count: usize, at: Location) -> Result<()> {
    if count > MAX_LINES {
        return Err(StatementError::TooManyLines { at, max: MAX_LINES });
    }
    Ok(())
}

/// Every check, on finished parts. Errors name statement lines, not file lines.
pub(crate) fn statement(parts: &StatementParts) -> Result<()> {
    let at = Location::Statement;
    reference(&parts.account_id, at, "account_id")?;
    reference(&parts.statement_id, at, "statement_id")?;
    balance(parts.opening_balance_paisa, at, "opening_balance")?;
    balance(parts.closing_balance_paisa, at, "closing_balance")?;
    line_count(parts.lines.len(), at)?;
    if parts.from_date > parts.to_date {
        return Err(StatementError::invalid(
            at,
            "to_date",
            format!("the closing balance's date {} is before the opening balance's date {}", parts.to_date, parts.from_date),
        ));
    }
    let mut credits_paisa: i128 = 0;
    let mut debits_paisa: i128 = 0;
    for (index, line) in parts.lines.iter().enumerate() {
        line_fields(line, index, parts)?;
        match line.direction {
            Direction::Credit => credits_paisa += i128::from(line.amount_paisa),
            Direction::Debit => debits_paisa += i128::from(line.amount_paisa),
        }
    }
    balances_add_up(parts.opening_balance_paisa, credits_paisa, debits_paisa, parts.closing_balance_paisa)
}

fn line_fields(line: &Line, index: usize, parts: &StatementParts) -> Result<()> {
    let at = Location::StatementLine(line.line_no);
    if usize::try_from(line.line_no).ok() != index.checked_add(1) {
        return Err(StatementError::invalid(at, "line_no", format!("expected line number {}", index.saturating_add(1))));
    }
    line_amount(line.amount_paisa, at, "amount")?;
    reference(&line.bank_reference, at, "bank_reference")?;
    if let Some(customer_reference) = &line.customer_reference {
        reference(customer_reference, at, "customer_reference")?;
    }
    bounded(&line.narrative, at, "narrative")?;
    if line.booking_date < parts.from_date || line.booking_date > parts.to_date {
        return Err(StatementError::invalid(
            at,
            "booking_date",
            format!("{} is outside the statement's period {} to {}", line.booking_date, parts.from_date, parts.to_date),
        ));
    }
    Ok(())
}

/// opening + credits − debits = closing, exactly.
pub(crate) fn balances_add_up(opening_paisa: i64, credits_paisa: i128, debits_paisa: i128, closing_paisa: i64) -> Result<()> {
    let expected_closing_paisa = i128::from(opening_paisa) + credits_paisa - debits_paisa;
    if expected_closing_paisa != i128::from(closing_paisa) {
        return Err(StatementError::Unbalanced { opening_paisa, credits_paisa, debits_paisa, expected_closing_paisa, closing_paisa });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_hold_at_their_edges() {
        let at = Location::FileLine(7);
        assert_eq!(line_count(MAX_LINES, at), Ok(()));
        assert_eq!(line_count(MAX_LINES + 1, at), Err(StatementError::TooManyLines { at, max: MAX_LINES }));
        assert_eq!(balance(-MAX_AMOUNT_PAISA, at, "amount"), Ok(()));
        assert!(balance(MAX_AMOUNT_PAISA + 1, at, "amount").is_err());
        assert!(line_amount(0, at, "amount").is_err());
        assert_eq!(bounded(&"x".repeat(MAX_FIELD_BYTES), at, "narrative"), Ok(()));
        assert!(bounded(&"x".repeat(MAX_FIELD_BYTES + 1), at, "narrative").is_err());
        assert_eq!(reference("", at, "bank_reference"), Err(StatementError::Missing { at, field: "bank_reference" }));
        assert!(reference("FT1\u{0}", at, "bank_reference").is_err());
        assert!(reference("FT1 ", at, "bank_reference").is_err());
    }

    #[test]
    fn statement_lines_are_numbered_in_order() {
        let date = jiff::civil::date(2025, 1, 15);
        let line = |line_no| Line {
            line_no,
            booking_date: date,
            value_date: date,
            amount_paisa: 100,
            direction: Direction::Credit,
            bank_reference: format!("R{line_no}"),
            customer_reference: None,
            narrative: String::new(),
        };
        let mut parts = StatementParts {
            account_id: "A".to_owned(),
            statement_id: "S".to_owned(),
            currency: crate::Currency::Pkr,
            opening_balance_paisa: 0,
            closing_balance_paisa: 200,
            from_date: date,
            to_date: date,
            lines: vec![line(1), line(2)],
        };
        assert_eq!(statement(&parts), Ok(()));
        parts.lines[1].line_no = 3;
        assert!(matches!(statement(&parts), Err(StatementError::Invalid { at: Location::StatementLine(3), field: "line_no", .. })));
    }
}
