//! The report as RFC 4180 CSV: CRLF line ends, a field quoted (with its quotes doubled)
//! when it holds a comma, a quote, CR or LF; amounts as rupees with two decimals; absent
//! values as empty fields.

use std::fmt::Write as _;

use super::{Report, ReportLine, rupees};

/// The header row, column by column.
pub(crate) const HEADER: [&str; 16] = [
    "category",
    "reference",
    "line_no",
    "duplicate_of_line_no",
    "bank_reference",
    "booking_date",
    "paid_on",
    "expected_pkr",
    "credited_pkr",
    "difference_pkr",
    "challan_no",
    "head_code",
    "district",
    "channel",
    "bank",
    "narrative",
];

pub(crate) fn write(report: &Report<'_>) -> String {
    let mut out = String::with_capacity(160 * (report.lines.len() + 1));
    out.push_str(&HEADER.join(","));
    out.push_str("\r\n");
    for line in &report.lines {
        row(&mut out, line);
    }
    out
}

fn row(out: &mut String, report_line: &ReportLine<'_>) {
    let line = report_line.statement_line;
    let payment = report_line.payment;
    out.push_str(report_line.category.name());
    out.push(',');
    text(out, report_line.reference.as_deref());
    out.push(',');
    number(out, line.map(|line| line.line_no));
    out.push(',');
    number(out, report_line.duplicate_of_line_no);
    out.push(',');
    text(out, line.map(|line| line.bank_reference.as_str()));
    out.push(',');
    number(out, line.map(|line| line.booking_date));
    out.push(',');
    number(out, payment.map(|payment| payment.paid_on));
    out.push(',');
    amount(out, report_line.expected_paisa);
    out.push(',');
    amount(out, report_line.credited_paisa);
    out.push(',');
    amount(out, Some(report_line.difference_paisa));
    out.push(',');
    text(out, payment.map(|payment| payment.challan_no.as_str()));
    out.push(',');
    text(out, payment.map(|payment| payment.head_code.as_str()));
    out.push(',');
    text(out, payment.map(|payment| payment.district.as_str()));
    out.push(',');
    text(out, payment.map(|payment| payment.channel.as_str()));
    out.push(',');
    text(out, payment.and_then(|payment| payment.bank.as_deref()));
    out.push(',');
    text(out, line.map(|line| line.narrative.as_str()));
    out.push_str("\r\n");
}

/// `value` as an RFC 4180 field; nothing for `None`.
pub(crate) fn text(out: &mut String, value: Option<&str>) {
    let Some(value) = value else { return };
    if value.contains([',', '"', '\r', '\n']) {
        out.push('"');
        out.push_str(&value.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(value);
    }
}

/// A value whose text never needs quoting: a number or a date.
fn number(out: &mut String, value: Option<impl std::fmt::Display>) {
    if let Some(value) = value {
        let _ = write!(out, "{value}");
    }
}

fn amount(out: &mut String, paisa: Option<i64>) {
    if let Some(paisa) = paisa {
        rupees::push_plain(out, i128::from(paisa));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_only_what_needs_it() {
        let mut out = String::new();
        for value in ["plain", "a,b", "say \"hi\"", "two\nlines", "cr\r", "جرمانہ"] {
            text(&mut out, Some(value));
            out.push('|');
        }
        assert_eq!(out, "plain|\"a,b\"|\"say \"\"hi\"\"\"|\"two\nlines\"|\"cr\r\"|جرمانہ|");
    }
}
