//! A dashboard table, built once and shown two ways: as HTML on the page and as CSV from
//! `/dashboard/export/{id}.csv`. What the page shows is what the export holds.

use maud::{Markup, html};

use super::labels::{L, Lang};
use crate::web::widgets::money;

/// One cell's value.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    /// Text that leads somewhere (a drill-down).
    Link(String, String),
    /// Paisa, shown in rupees.
    Money(i64),
    Count(i64),
    /// A fraction (0.25 is 25%); `None` where there is nothing to divide.
    Percent(Option<f64>),
}

impl Cell {
    fn html(&self) -> Markup {
        match self {
            Self::Text(t) => html! { (t) },
            Self::Link(t, href) => html! { a href=(href) { (t) } },
            Self::Money(p) => html! { (money(*p)) },
            Self::Count(n) => html! { (group_thousands(*n)) },
            Self::Percent(f) => html! { (percent(*f)) },
        }
    }

    fn csv(&self) -> String {
        match self {
            Self::Text(t) | Self::Link(t, _) => t.clone(),
            Self::Money(p) => format!("{}{}.{:02}", if *p < 0 { "-" } else { "" }, p.unsigned_abs() / 100, p.unsigned_abs() % 100),
            Self::Count(n) => n.to_string(),
            Self::Percent(f) => f.map(|f| format!("{:.4}", f)).unwrap_or_default(),
        }
    }

    /// Whether the column is a number (aligned right on the page).
    fn numeric(&self) -> bool {
        !matches!(self, Self::Text(_) | Self::Link(..))
    }
}

pub fn percent(f: Option<f64>) -> String {
    f.map_or_else(|| "–".to_string(), |f| format!("{:.1}%", f * 100.0))
}

fn group_thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// A column's name: a label in both languages, or a value of the data (a district's slug
/// when the columns are districts).
#[derive(Debug, Clone, PartialEq)]
pub enum Column {
    Label(L),
    Key(String),
}

impl Column {
    pub fn name(&self, lang: Lang) -> &str {
        match self {
            Self::Label(l) => l.t(lang),
            Self::Key(k) => k,
        }
    }
}

/// A table with an id (its CSV's name), a title and named columns.
#[derive(Debug, Clone)]
pub struct DataTable {
    pub id: &'static str,
    pub title: L,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
}

impl DataTable {
    pub fn new(id: &'static str, title: L, columns: Vec<L>) -> Self {
        Self { id, title, columns: columns.into_iter().map(Column::Label).collect(), rows: Vec::new() }
    }

    /// The HTML table (in a box that scrolls sideways on a phone).
    pub fn html(&self, lang: Lang) -> Markup {
        html! {
            div.table-scroll {
                table.rows.figures id={ "table-" (self.id) } {
                    thead { tr { @for c in &self.columns { th scope="col" { (c.name(lang)) } } } }
                    tbody {
                        @for row in &self.rows {
                            tr {
                                @for (i, cell) in row.iter().enumerate() {
                                    td data-label=(self.columns.get(i).map_or("", |c| c.name(lang))) class=[cell.numeric().then_some("num")] { (cell.html()) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// RFC 4180 CSV, English column names; a cell that a spreadsheet would run as a
    /// formula is quoted with a leading apostrophe.
    pub fn csv(&self) -> String {
        let mut out = String::new();
        let header: Vec<String> = self.columns.iter().map(|c| field(c.name(Lang::En))).collect();
        out.push_str(&header.join(","));
        out.push_str("\r\n");
        for row in &self.rows {
            let cells: Vec<String> = row.iter().map(|c| field(&c.csv())).collect();
            out.push_str(&cells.join(","));
            out.push_str("\r\n");
        }
        out
    }
}

fn field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '@']) || (s.starts_with('-') && s.parse::<f64>().is_err()) { format!("'{s}") } else { s.to_string() };
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dashboard::labels;

    #[test]
    fn csv_holds_the_same_figures_quoted_safely() {
        let mut t = DataTable::new("heads", labels::TOP_HEADS, vec![labels::HEAD, labels::COLLECTED, labels::COLLECTION_RATE, labels::CHALLANS]);
        t.rows.push(vec![Cell::Link("DA-ENC-01, \"road\"".into(), "/x".into()), Cell::Money(123_456), Cell::Percent(Some(0.5)), Cell::Count(12_345)]);
        t.rows.push(vec![Cell::Text("=cmd()".into()), Cell::Money(-5), Cell::Percent(None), Cell::Count(-3)]);
        assert_eq!(t.csv(), "Revenue head,Collected,Collection rate,Challans\r\n\"DA-ENC-01, \"\"road\"\"\",1234.56,0.5000,12345\r\n'=cmd(),-0.05,,-3\r\n");
        let page = t.html(Lang::Ur).into_string();
        assert!(page.contains("12,345") && page.contains("50.0%") && page.contains("مد"), "{page}");
    }
}
