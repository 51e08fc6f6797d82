//! The reference a statement credit names: which expected payment it claims to pay.
//!
//! 1. The line's `customer_reference`, when it is present and, once spaces and dashes are
//!    removed, is nothing but ASCII digits (of any length): those digits.
//! 2. Otherwise a receipt number in the narrative. A receipt number has the challan
//!    number's format (15 digits, the last a Damm check digit), and a bank's narrative may
//!    carry the challan number too, so among the runs of exactly 15 ASCII digits that pass
//!    the Damm check (a run of 16 or more digits is skipped whole), the first that is an
//!    expected or an already deposited receipt number; else the first such run.
//! 3. Otherwise none.

use std::borrow::Cow;

use mahasil_domain::challan_no::damm_digit;
use mahasil_statements::Line;

/// The digits of a receipt number: the challan number's format, issuer number (6), issuer
/// counter (8) and Damm check digit (1), drawn from the same issuer counters as challans.
pub const RECEIPT_NO_DIGITS: usize = 15;

/// The reference a statement line names, by the rules above; `is_known` says whether a
/// receipt number is an expected or an already deposited one. Borrowed from the line
/// unless its customer reference has spaces or dashes to remove.
pub fn line_reference<'l>(line: &'l Line, is_known: impl Fn(&str) -> bool) -> Option<Cow<'l, str>> {
    match line.customer_reference.as_deref().and_then(customer_reference) {
        Some(reference) => Some(reference),
        None => receipt_no_in(&line.narrative, is_known).map(Cow::Borrowed),
    }
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

/// Among the runs of exactly [`RECEIPT_NO_DIGITS`] ASCII digits in `text` whose Damm check
/// passes, the first that `is_known`, else the first.
pub(crate) fn receipt_no_in(text: &str, is_known: impl Fn(&str) -> bool) -> Option<&str> {
    let mut first_valid = None;
    for run in digit_runs(text).filter(|run| run.len() == RECEIPT_NO_DIGITS && passes_damm(run)) {
        if is_known(run) {
            return Some(run);
        }
        first_valid.get_or_insert(run);
    }
    first_valid
}

/// The maximal runs of ASCII digits in `text`, in order.
fn digit_runs(text: &str) -> impl Iterator<Item = &str> {
    // ASCII digits are whole characters, so a run splits the text on character boundaries.
    text.split(|c: char| !c.is_ascii_digit()).filter(|run| !run.is_empty())
}

/// Whether a run of ASCII digits ends in its Damm check digit.
fn passes_damm(run: &str) -> bool {
    let mut digits = [0u8; RECEIPT_NO_DIGITS];
    for (digit, byte) in digits.iter_mut().zip(run.bytes()) {
        *digit = byte - b'0';
    }
    run.len() == RECEIPT_NO_DIGITS && damm_digit(&digits) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Valid receipt (or challan) numbers: 15 digits whose last is the Damm check digit.
    const RECEIPT: &str = "202501000000170";
    const OTHER_RECEIPT: &str = "202501000000250";
    const CHALLAN: &str = "101777000123455";

    fn nothing_known(_: &str) -> bool {
        false
    }

    #[test]
    fn the_test_numbers_are_valid() {
        for number in [RECEIPT, OTHER_RECEIPT, CHALLAN] {
            assert!(mahasil_domain::challan_no::ChallanNo::parse(number).is_ok(), "{number}");
        }
    }

    #[test]
    fn customer_reference_is_its_digits() {
        assert_eq!(customer_reference("202501000000170").as_deref(), Some("202501000000170"));
        assert_eq!(customer_reference("202501-00000017-0").as_deref(), Some("202501000000170"));
        assert_eq!(customer_reference("2025 0100 0000 170").as_deref(), Some("202501000000170"));
        assert!(matches!(customer_reference("202501000000170"), Some(Cow::Borrowed(_))));
        assert_eq!(customer_reference("123").as_deref(), Some("123"));
        assert_eq!(customer_reference("REFUND-0042"), None);
        assert_eq!(customer_reference("2025/01/10"), None);
        assert_eq!(customer_reference("- -"), None);
        assert_eq!(customer_reference("٢٠٢٥"), None);
    }

    #[test]
    fn narrative_gives_the_first_valid_run_of_exactly_15_digits() {
        assert_eq!(receipt_no_in(&format!("1LINK 1BILL DA-ENC-01 {RECEIPT}"), nothing_known), Some(RECEIPT));
        assert_eq!(receipt_no_in(&format!("{RECEIPT} and {OTHER_RECEIPT}"), nothing_known), Some(RECEIPT));
        assert_eq!(receipt_no_in(&format!("ref:{RECEIPT}/PESHAWAR"), nothing_known), Some(RECEIPT));
        assert_eq!(receipt_no_in(&format!("جرمانہ {RECEIPT} پشاور"), nothing_known), Some(RECEIPT));
        assert_eq!(receipt_no_in("CHALLAN 20250100000017 (14 digits)", nothing_known), None);
        assert_eq!(receipt_no_in(&format!("ACCOUNT 1{RECEIPT} then {OTHER_RECEIPT}"), nothing_known), Some(OTHER_RECEIPT));
        assert_eq!(receipt_no_in(&RECEIPT[..14], nothing_known), None);
        assert_eq!(receipt_no_in("", nothing_known), None);
    }

    #[test]
    fn a_run_failing_the_damm_check_is_no_receipt_number() {
        let mistyped = "202501000000176";
        assert!(mahasil_domain::challan_no::ChallanNo::parse(mistyped).is_err());
        assert_eq!(receipt_no_in(&format!("1LINK {mistyped}"), nothing_known), None);
        assert_eq!(receipt_no_in(&format!("1LINK {mistyped} {RECEIPT}"), nothing_known), Some(RECEIPT));
    }

    #[test]
    fn a_known_receipt_number_wins_over_an_earlier_challan_number() {
        let narrative = format!("1LINK 1BILL CHALLAN {CHALLAN} RECEIPT {RECEIPT}");
        assert_eq!(receipt_no_in(&narrative, |run| run == RECEIPT), Some(RECEIPT));
        assert_eq!(receipt_no_in(&narrative, nothing_known), Some(CHALLAN), "nothing known: the first valid run");
        assert_eq!(receipt_no_in(&narrative, |run| run == CHALLAN || run == RECEIPT), Some(CHALLAN), "the first known run");
    }

    #[test]
    fn the_customer_reference_wins_over_the_narrative() {
        let line = |customer_reference: Option<&str>| Line {
            line_no: 1,
            booking_date: jiff::civil::date(2025, 1, 15),
            value_date: jiff::civil::date(2025, 1, 15),
            amount_paisa: 100,
            direction: mahasil_statements::Direction::Credit,
            bank_reference: "FT1".to_owned(),
            customer_reference: customer_reference.map(str::to_owned),
            narrative: format!("1LINK {RECEIPT}"),
        };
        assert_eq!(line_reference(&line(Some(CHALLAN)), |run| run == RECEIPT).as_deref(), Some(CHALLAN));
        assert_eq!(line_reference(&line(Some("INV/7")), nothing_known).as_deref(), Some(RECEIPT));
        assert_eq!(line_reference(&line(None), nothing_known).as_deref(), Some(RECEIPT));
    }
}
