//! Paisa written as rupees with two decimals: plain for CSV (`-1234.50`), grouped in
//! thousands for people (`-1,234.50`). Integer arithmetic only.

use std::fmt::Write as _;

/// Appends `1234.50`, `-0.05`: what a spreadsheet reads as a number.
pub(crate) fn push_plain(out: &mut String, paisa: i128) {
    if paisa < 0 {
        out.push('-');
    }
    let magnitude = paisa.unsigned_abs();
    let _ = write!(out, "{}.{:02}", magnitude / 100, magnitude % 100);
}

/// `1,234,567.50`, `-0.05`.
pub(crate) fn grouped(paisa: i128) -> String {
    let magnitude = paisa.unsigned_abs();
    let digits = (magnitude / 100).to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 4);
    if paisa < 0 {
        out.push('-');
    }
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    let _ = write!(out, ".{:02}", magnitude % 100);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(paisa: i128) -> String {
        let mut out = String::new();
        push_plain(&mut out, paisa);
        out
    }

    #[test]
    fn writes_two_decimals_with_the_sign_in_front() {
        assert_eq!(plain(0), "0.00");
        assert_eq!(plain(5), "0.05");
        assert_eq!(plain(-5), "-0.05");
        assert_eq!(plain(123_450), "1234.50");
        assert_eq!(plain(-123_456), "-1234.56");
        assert_eq!(plain(i128::MIN), "-1701411834604692317316873037158841057.28");
        assert_eq!(grouped(0), "0.00");
        assert_eq!(grouped(-5), "-0.05");
        assert_eq!(grouped(99_999), "999.99");
        assert_eq!(grouped(100_000), "1,000.00");
        assert_eq!(grouped(-123_456_789), "-1,234,567.89");
        assert_eq!(grouped(10_000_000_000_000_000), "100,000,000,000,000.00");
    }
}
