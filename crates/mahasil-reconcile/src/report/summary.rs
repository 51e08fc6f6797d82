//! The report as a table for a terminal: one row per category with its count and sums in
//! PKR, columns as wide as their widest value, then the unexplained difference and the
//! verdict.

use std::fmt::Write as _;

use super::{Category, Report, rupees};

const COLUMNS: [&str; 5] = ["category", "lines", "expected PKR", "credited PKR", "difference PKR"];

pub(crate) fn write(report: &Report<'_>) -> String {
    let mut rows: Vec<[String; 5]> = Vec::with_capacity(Category::ALL.len() + 1);
    rows.push(COLUMNS.map(str::to_owned));
    for (category, total) in report.totals.iter() {
        rows.push([
            category.name().to_owned(),
            grouped_count(total.count),
            rupees::grouped(total.expected_paisa),
            rupees::grouped(total.credited_paisa),
            rupees::grouped(total.difference_paisa),
        ]);
    }
    let widths: [usize; 5] = std::array::from_fn(|column| rows.iter().map(|row| row[column].chars().count()).max().unwrap_or(0));

    let mut out = String::new();
    let _ = writeln!(out, "Statement {} of account {}, {} to {}", report.statement_id, report.account_id, report.from_date, report.to_date);
    let _ = writeln!(out, "Payments count as in transit for {} days after they are paid.", report.settlement.days_in_transit);
    out.push('\n');
    for (index, row) in rows.iter().enumerate() {
        let _ = write!(out, "{:<width$}", row[0], width = widths[0]);
        for (cell, width) in row.iter().zip(widths).skip(1) {
            let _ = write!(out, "  {cell:>width$}");
        }
        out.push('\n');
        if index == 0 {
            let rule = widths.iter().sum::<usize>() + 2 * (widths.len() - 1);
            out.push_str(&"-".repeat(rule));
            out.push('\n');
        }
    }
    out.push('\n');
    let _ = writeln!(out, "Unexplained difference: PKR {}", rupees::grouped(report.unexplained_difference_paisa));
    let matched = &report.totals.matched;
    let _ = writeln!(out, "To be marked deposited: {} payments, PKR {}", grouped_count(matched.count), rupees::grouped(matched.credited_paisa));
    if report.clean {
        out.push_str("Clean: every credit is a payment mahasil expected, for its amount.\n");
    } else {
        let anomalies: Vec<String> = report
            .totals
            .iter()
            .filter(|(category, total)| category.is_anomaly() && total.count > 0)
            .map(|(category, total)| format!("{} {}", grouped_count(total.count), category.name()))
            .collect();
        let _ = writeln!(out, "NOT clean: {} lines need a person ({}).", grouped_count(report.totals.anomalies()), anomalies.join(", "));
    }
    out
}

/// `1,000,000`.
fn grouped_count(count: u64) -> String {
    let mut text = rupees::grouped(i128::from(count) * 100);
    text.truncate(text.len().saturating_sub(".00".len()));
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_grouped() {
        assert_eq!(grouped_count(0), "0");
        assert_eq!(grouped_count(999), "999");
        assert_eq!(grouped_count(1_000_000), "1,000,000");
    }
}
