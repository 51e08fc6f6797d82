//! The reference a statement credit names: which expected payment it claims to pay.
//!
//! 1. The line's `customer_reference`, when it is present and, once spaces and dashes are
//!    removed, is nothing but ASCII digits (of any length): those digits.
//! 2. Otherwise the first run of exactly 17 ASCII digits in the narrative (a run of 18 or
//!    more digits is not a receipt number and is skipped whole).
//! 3. Otherwise none.

use std::borrow::Cow;

use mahasil_statements::Line;

/// The digits of a receipt number: challan number (15) and payment sequence (2).
pub const RECEIPT_NO_DIGITS: usize = 17;

/// The reference a statement line names, by the rules above. Borrowed from the line
/// unless its customer reference has spaces or dashes to remove.
pub fn line_reference(line: &Line) -> Option<Cow<'_, str>> {
    line.customer_reference.as_deref().and_then(customer_reference).or_else(|| receipt_no_in(&line.narrative).map(Cow::Borrowed))
}

/// A customer reference's digits, when it is only digits, spaces and dashes (with at least
/// one digit). Borrowed when it is digits already, the usual case.
pub(crate) fn customer_reference(text: &str) -> Option<Cow<'_, str>> {
    let mut has_digit = false;
    let mut has_separator = false;
    for byte in text.bytes() {
        match byte {
            b'0'..=b'9' => has_digit = true,
            b' ' | b'-' => has_separator = true,
            _ => return None,
        }
    }
    match (has_digit, has_separator) {
        (false, _) => None,
        (true, false) => Some(Cow::Borrowed(text)),
        (true, true) => Some(Cow::Owned(text.chars().filter(char::is_ascii_digit).collect())),
    }
}

/// The first run of exactly [`RECEIPT_NO_DIGITS`] ASCII digits in `text`.
pub(crate) fn receipt_no_in(text: &str) -> Option<&str> {
    let bytes = text.as_bytes();
    let mut start = 0;
    while start < bytes.len() {
        if !bytes[start].is_ascii_digit() {
            start += 1;
            continue;
        }
        let length = bytes[start..].iter().take_while(|byte| byte.is_ascii_digit()).count();
        if length == RECEIPT_NO_DIGITS {
            // ASCII digits are whole characters, so both ends are on character boundaries.
            return text.get(start..start + length);
        }
        start += length;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn customer_reference_is_its_digits() {
        assert_eq!(customer_reference("20250110000017201").as_deref(), Some("20250110000017201"));
        assert_eq!(customer_reference("202501-10000017-2-01").as_deref(), Some("20250110000017201"));
        assert_eq!(customer_reference("2025 0110 0000 1720 1").as_deref(), Some("20250110000017201"));
        assert!(matches!(customer_reference("20250110000017201"), Some(Cow::Borrowed(_))));
        assert_eq!(customer_reference("123").as_deref(), Some("123"));
        assert_eq!(customer_reference("REFUND-0042"), None);
        assert_eq!(customer_reference("2025/01/10"), None);
        assert_eq!(customer_reference("- -"), None);
        assert_eq!(customer_reference("٢٠٢٥"), None);
    }

    #[test]
    fn narrative_gives_the_first_run_of_exactly_17_digits() {
        assert_eq!(receipt_no_in("1LINK 1BILL DA-ENC-01 20250110000017201"), Some("20250110000017201"));
        assert_eq!(receipt_no_in("20250110000017201 and 30250110000017201"), Some("20250110000017201"));
        assert_eq!(receipt_no_in("ref:20250110000017201/PESHAWAR"), Some("20250110000017201"));
        assert_eq!(receipt_no_in("CHALLAN 202501100000172 (15 digits)"), None);
        assert_eq!(receipt_no_in("ACCOUNT 120250110000017201 then 20250110000017299"), Some("20250110000017299"));
        assert_eq!(receipt_no_in("2025011000001720"), None);
        assert_eq!(receipt_no_in("جرمانہ 20250110000017201 پشاور"), Some("20250110000017201"));
        assert_eq!(receipt_no_in(""), None);
    }
}
