//! The stored reconciliation report (the CSV `mahasil_reconcile` writes, kept with the
//! imported statement) read back for its page: each category's count and sums, and the
//! lines a person must resolve. Reading the stored CSV keeps the page the same whether it
//! is shown right after the import or a year later.

use std::borrow::Cow;

use mahasil_reconcile::Category;

/// Most anomaly lines a report page lists; the CSV download has them all.
pub const MAX_ANOMALY_LINES_SHOWN: usize = 500;

/// One category's lines and sums, in paisa.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CategorySum {
    pub count: u64,
    pub expected_paisa: i128,
    pub credited_paisa: i128,
    pub difference_paisa: i128,
}

/// A line a person must resolve, as the report wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnomalyLine {
    pub category: Category,
    pub reference: String,
    pub line_no: String,
    pub duplicate_of_line_no: String,
    pub bank_reference: String,
    pub booking_date: String,
    pub paid_on: String,
    pub expected_paisa: Option<i64>,
    pub credited_paisa: Option<i64>,
    pub difference_paisa: Option<i64>,
    pub challan_no: String,
    pub head_code: String,
    pub district: String,
    pub channel: String,
    pub narrative: String,
}

/// The report as its page shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportView {
    /// One per category, in [`Category::ALL`] order.
    pub sums: Vec<(Category, CategorySum)>,
    /// The first [`MAX_ANOMALY_LINES_SHOWN`] anomaly lines, in report order.
    pub anomalies: Vec<AnomalyLine>,
    /// All anomaly lines, shown or not.
    pub anomaly_count: u64,
}

/// Columns of the report CSV (`mahasil_reconcile`'s header), by position.
mod column {
    pub const CATEGORY: usize = 0;
    pub const REFERENCE: usize = 1;
    pub const LINE_NO: usize = 2;
    pub const DUPLICATE_OF: usize = 3;
    pub const BANK_REFERENCE: usize = 4;
    pub const BOOKING_DATE: usize = 5;
    pub const PAID_ON: usize = 6;
    pub const EXPECTED: usize = 7;
    pub const CREDITED: usize = 8;
    pub const DIFFERENCE: usize = 9;
    pub const CHALLAN_NO: usize = 10;
    pub const HEAD_CODE: usize = 11;
    pub const DISTRICT: usize = 12;
    pub const CHANNEL: usize = 13;
    pub const NARRATIVE: usize = 15;
}

/// Reads a stored report CSV. Rows it cannot read (an unknown category, an amount that is
/// not rupees) are skipped: the page shows what it can and the download has the rest.
pub fn read(csv: &str) -> ReportView {
    let mut sums: Vec<(Category, CategorySum)> = Category::ALL.into_iter().map(|c| (c, CategorySum::default())).collect();
    let mut anomalies = Vec::new();
    let mut anomaly_count = 0u64;
    for row in Rows::new(csv).skip(1) {
        let field = |i: usize| row.get(i).map_or("", |f| f.as_ref());
        let Some(category) = Category::ALL.into_iter().find(|c| c.name() == field(column::CATEGORY)) else { continue };
        let (expected, credited, difference) = (paisa(field(column::EXPECTED)), paisa(field(column::CREDITED)), paisa(field(column::DIFFERENCE)));
        if let Some((_, sum)) = sums.iter_mut().find(|(c, _)| *c == category) {
            sum.count += 1;
            sum.expected_paisa += i128::from(expected.unwrap_or(0));
            sum.credited_paisa += i128::from(credited.unwrap_or(0));
            sum.difference_paisa += i128::from(difference.unwrap_or(0));
        }
        if !category.is_anomaly() {
            continue;
        }
        anomaly_count += 1;
        if anomalies.len() < MAX_ANOMALY_LINES_SHOWN {
            anomalies.push(AnomalyLine {
                category,
                reference: field(column::REFERENCE).to_owned(),
                line_no: field(column::LINE_NO).to_owned(),
                duplicate_of_line_no: field(column::DUPLICATE_OF).to_owned(),
                bank_reference: field(column::BANK_REFERENCE).to_owned(),
                booking_date: field(column::BOOKING_DATE).to_owned(),
                paid_on: field(column::PAID_ON).to_owned(),
                expected_paisa: expected,
                credited_paisa: credited,
                difference_paisa: difference,
                challan_no: field(column::CHALLAN_NO).to_owned(),
                head_code: field(column::HEAD_CODE).to_owned(),
                district: field(column::DISTRICT).to_owned(),
                channel: field(column::CHANNEL).to_owned(),
                narrative: field(column::NARRATIVE).to_owned(),
            });
        }
    }
    ReportView { sums, anomalies, anomaly_count }
}

/// Rupees as the report writes them (`-1250.50`, `0.05`) in paisa; `None` when empty or
/// not in that form.
fn paisa(text: &str) -> Option<i64> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, fraction) = digits.split_once('.')?;
    if whole.is_empty() || fraction.len() != 2 || !whole.bytes().chain(fraction.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let value = whole.parse::<i64>().ok()?.checked_mul(100)?.checked_add(fraction.parse::<i64>().ok()?)?;
    Some(if negative { -value } else { value })
}

/// The records of an RFC 4180 text: fields split on commas, quoted fields unquoted (a
/// doubled quote is one quote), records ended by CRLF or LF.
struct Rows<'a> {
    rest: &'a str,
}

impl<'a> Rows<'a> {
    fn new(text: &'a str) -> Self {
        Self { rest: text }
    }

    /// One field from the start of `self.rest`; leaves `rest` at the separator after it.
    fn field(&mut self) -> Cow<'a, str> {
        if let Some(quoted) = self.rest.strip_prefix('"') {
            let mut value = String::new();
            let mut rest = quoted;
            loop {
                match rest.find('"') {
                    Some(at) if rest[at + 1..].starts_with('"') => {
                        value.push_str(&rest[..=at]);
                        rest = &rest[at + 2..];
                    }
                    Some(at) => {
                        value.push_str(&rest[..at]);
                        rest = &rest[at + 1..];
                        break;
                    }
                    None => {
                        value.push_str(rest);
                        rest = "";
                        break;
                    }
                }
            }
            self.rest = rest;
            Cow::Owned(value)
        } else {
            let end = self.rest.find([',', '\r', '\n']).unwrap_or(self.rest.len());
            let (value, rest) = self.rest.split_at(end);
            self.rest = rest;
            Cow::Borrowed(value)
        }
    }
}

impl<'a> Iterator for Rows<'a> {
    type Item = Vec<Cow<'a, str>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        let mut row = Vec::with_capacity(16);
        loop {
            row.push(self.field());
            if let Some(rest) = self.rest.strip_prefix(',') {
                self.rest = rest;
                continue;
            }
            // The end of the record: CRLF, LF, or the end of the text. Anything else after a
            // quoted field is read as the start of the next field.
            if let Some(rest) = self.rest.strip_prefix("\r\n").or_else(|| self.rest.strip_prefix('\n')) {
                self.rest = rest;
                return Some(row);
            }
            if self.rest.is_empty() {
                return Some(row);
            }
            self.rest = self.rest.get(1..).unwrap_or("");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_follow_rfc_4180() {
        let rows: Vec<Vec<Cow<'_, str>>> = Rows::new("a,b\r\n\"x, \"\"y\"\"\",\r\n\"two\nlines\",z\n").collect();
        assert_eq!(rows, [vec!["a", "b"], vec!["x, \"y\"", ""], vec!["two\nlines", "z"]]);
        assert_eq!(Rows::new("").count(), 0);
    }

    #[test]
    fn rupees_read_back_exactly() {
        assert_eq!(paisa("-1250.50"), Some(-125_050));
        assert_eq!(paisa("0.05"), Some(5));
        for bad in ["", "12", "1.5", "a.00", "-", "--1.00"] {
            assert_eq!(paisa(bad), None, "{bad}");
        }
    }

    #[test]
    fn sums_and_anomalies() {
        let csv = "category,reference,line_no,duplicate_of_line_no,bank_reference,booking_date,paid_on,expected_pkr,credited_pkr,difference_pkr,challan_no,head_code,district,channel,bank,narrative\r\n\
                   matched,202501000000170,1,,FT1,2025-01-15,2025-01-15,5000.00,5000.00,0.00,101777000123455,DA-ENC-01,peshawar,bank,HBL,\"1LINK, \"\"X\"\"\"\r\n\
                   unidentified,,2,,FT2,2025-01-15,,,0.05,0.05,,,,,,CASH\r\n\
                   missing_credit,202501000000250,,,,,2025-01-01,12500.50,,-12500.50,101777000123455,DA-ENC-01,peshawar,bank,HBL,\r\n";
        let view = read(csv);
        let sum = |category: Category| view.sums.iter().find(|(c, _)| *c == category).map(|(_, s)| *s).unwrap_or_default();
        assert_eq!(sum(Category::Matched), CategorySum { count: 1, expected_paisa: 500_000, credited_paisa: 500_000, difference_paisa: 0 });
        assert_eq!(sum(Category::MissingCredit).difference_paisa, -1_250_050);
        assert_eq!(view.anomaly_count, 2);
        let kinds: Vec<Category> = view.anomalies.iter().map(|a| a.category).collect();
        assert_eq!(kinds, [Category::Unidentified, Category::MissingCredit]);
        assert_eq!(view.anomalies[0].narrative, "CASH");
        assert_eq!(view.anomalies[1].expected_paisa, Some(1_250_050));
    }
}
