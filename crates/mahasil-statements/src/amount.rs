//! Decimal amounts as written in statements, parsed exactly into integer paisa. No floats:
//! the text is read digit by digit, with at most two fraction digits.

use crate::limits::MAX_AMOUNT_PAISA;

/// How a format writes its amounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Notation {
    /// `1234.5`, `1,234.50` or `12,34,567.00`: a decimal point, with optional grouping
    /// commas either in thousands or in the South Asian lakh/crore style (mahasil CSV).
    PointGrouped,
    /// `1234.5`: a decimal point, no grouping (camt.053's `xs:decimal`).
    Point,
    /// `1234,5` or `1234,`: a decimal comma, no grouping (SWIFT MT940).
    Comma,
}

/// Parses a non-negative amount into paisa; the error is the reason, for the caller to
/// wrap with the place and field.
pub(crate) fn parse_paisa(text: &str, notation: Notation) -> Result<i64, &'static str> {
    let separator = if notation == Notation::Comma { ',' } else { '.' };
    let (whole, fraction) = match text.split_once(separator) {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (text, None),
    };
    if whole.is_empty() {
        return Err("the amount must start with a digit");
    }
    let rupees = if notation == Notation::PointGrouped && whole.contains(',') { grouped_rupees(whole)? } else { digits(whole)? };
    let fraction_paisa = match fraction {
        None => 0,
        Some("") if notation == Notation::Comma => 0,
        Some("") => return Err("a decimal point must be followed by digits"),
        Some(fraction) if fraction.len() > 2 => {
            return Err(if fraction.bytes().all(|b| b.is_ascii_digit()) { "more than 2 decimal places" } else { "not a decimal amount" });
        }
        Some(fraction) => {
            let value = digits(fraction)?;
            if fraction.len() == 1 { value * 10 } else { value }
        }
    };
    let paisa = rupees.checked_mul(100).and_then(|p| p.checked_add(fraction_paisa)).ok_or("the amount is too large")?;
    if paisa > MAX_AMOUNT_PAISA {
        return Err("the amount is larger than the largest accepted (PKR 100 trillion)");
    }
    Ok(paisa)
}

/// Parses a balance that may be negative (a leading `-`), as mahasil CSV writes them.
pub(crate) fn parse_signed_paisa(text: &str, notation: Notation) -> Result<i64, &'static str> {
    match text.strip_prefix('-') {
        Some(magnitude) => parse_paisa(magnitude, notation).map(|paisa| -paisa),
        None => parse_paisa(text, notation),
    }
}

fn digits(text: &str) -> Result<i64, &'static str> {
    if text.is_empty() {
        return Err("not a decimal amount");
    }
    text.bytes().try_fold(0i64, |value, byte| {
        if !byte.is_ascii_digit() {
            return Err(if byte == b'.' || byte == b',' { "misplaced separator in the amount" } else { "not a decimal amount" });
        }
        value.checked_mul(10).and_then(|v| v.checked_add(i64::from(byte - b'0'))).ok_or("the amount is too large")
    })
}

/// `1,234,567` or `12,34,567`: a first group of 1 to 3 digits, then either only groups of
/// three, or groups of two ending in one of three. Anything else is a typing error.
fn grouped_rupees(whole: &str) -> Result<i64, &'static str> {
    const BAD: &str = "grouping commas must separate thousands (1,234,567) or lakhs (12,34,567)";
    let groups: Vec<&str> = whole.split(',').collect();
    let (first, rest) = groups.split_first().ok_or(BAD)?;
    let (last, middle) = rest.split_last().ok_or(BAD)?;
    let thousands = middle.iter().all(|g| g.len() == 3);
    let lakhs = middle.iter().all(|g| g.len() == 2);
    if first.is_empty() || first.len() > 3 || last.len() != 3 || !(thousands || lakhs) {
        return Err(BAD);
    }
    if lakhs && !middle.is_empty() && first.len() > 2 {
        return Err(BAD);
    }
    groups.iter().try_fold(0i64, |value, group| {
        let scale = 10i64.pow(u32::try_from(group.len()).map_err(|_| BAD)?);
        value.checked_mul(scale).and_then(|v| v.checked_add(digits(group).ok()?)).ok_or("the amount is too large or not a decimal amount")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_exact_paisa() {
        assert_eq!(parse_paisa("1234.5", Notation::Point), Ok(123_450));
        assert_eq!(parse_paisa("1234.56", Notation::Point), Ok(123_456));
        assert_eq!(parse_paisa("0.01", Notation::Point), Ok(1));
        assert_eq!(parse_paisa("7", Notation::Point), Ok(700));
        assert_eq!(parse_paisa("1234,5", Notation::Comma), Ok(123_450));
        assert_eq!(parse_paisa("1234,", Notation::Comma), Ok(123_400));
        assert_eq!(parse_paisa("1,234.5", Notation::PointGrouped), Ok(123_450));
        assert_eq!(parse_paisa("12,34,567.00", Notation::PointGrouped), Ok(123_456_700));
        assert_eq!(parse_paisa("1,234,567", Notation::PointGrouped), Ok(123_456_700));
        assert_eq!(parse_signed_paisa("-300.25", Notation::PointGrouped), Ok(-30_025));
    }

    #[test]
    fn refuses_what_is_not_exact() {
        assert_eq!(parse_paisa("1.234", Notation::Point), Err("more than 2 decimal places"));
        assert_eq!(parse_paisa("1,234", Notation::Comma), Err("more than 2 decimal places"));
        assert!(parse_paisa("1,234.5", Notation::Point).is_err());
        assert!(parse_paisa("1234.5", Notation::Comma).is_err());
        assert!(parse_paisa(".5", Notation::Point).is_err());
        assert!(parse_paisa("5.", Notation::Point).is_err());
        assert!(parse_paisa("", Notation::Point).is_err());
        assert!(parse_paisa("+5", Notation::Point).is_err());
        assert!(parse_paisa("-5", Notation::Point).is_err());
        assert!(parse_paisa("1e3", Notation::Point).is_err());
        assert!(parse_paisa(" 5", Notation::Point).is_err());
        assert!(parse_paisa("1,23.00", Notation::PointGrouped).is_err());
        assert!(parse_paisa("1234,567.00", Notation::PointGrouped).is_err());
        assert!(parse_paisa("1,234,56,789", Notation::PointGrouped).is_err());
        assert!(parse_paisa("123,45,678", Notation::PointGrouped).is_err());
        assert!(parse_paisa(",123", Notation::PointGrouped).is_err());
        assert_eq!(parse_paisa("99999999999999999999.00", Notation::Point), Err("the amount is too large"));
        assert!(parse_paisa("100000000000001", Notation::Point).is_err());
        assert_eq!(parse_paisa("100000000000000", Notation::Point), Ok(super::MAX_AMOUNT_PAISA));
    }
}
