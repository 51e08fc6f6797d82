//! The outcome of one reconciliation: every statement line and every expected payment in
//! one [`ReportLine`] each, totals per [`Category`], and the unexplained difference.

mod csv;
mod rupees;

pub(crate) use csv::text as csv_field;
pub(crate) use rupees::push_plain as push_rupees;
mod summary;

use std::borrow::Cow;

use jiff::civil::Date;
use mahasil_statements::Line;
use serde::Serialize;

use crate::{ExpectedCredit, Settlement};

/// What a report line is. Serialized (and written in CSV) as the snake-case name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// A credit naming an expected payment, for its amount. Becomes deposited.
    Matched,
    /// An expected payment not on the statement and recent enough to be on its way.
    InTransit,
    /// An expected payment not on the statement and older than the settlement allows.
    MissingCredit,
    /// A credit with no reference, or one that names no payment mahasil knows.
    Unidentified,
    /// A credit naming an expected payment, for a different amount.
    AmountMismatch,
    /// A credit naming a payment that is already accounted for: matched by an earlier line
    /// of this statement, or deposited by an earlier statement.
    Duplicate,
    /// Money out of the account (a refund, a bank charge): listed, not judged.
    Debit,
}

impl Category {
    /// Every category, in the order reports list them.
    pub const ALL: [Self; 7] = [Self::Matched, Self::InTransit, Self::MissingCredit, Self::Unidentified, Self::AmountMismatch, Self::Duplicate, Self::Debit];

    pub const fn name(self) -> &'static str {
        match self {
            Self::Matched => "matched",
            Self::InTransit => "in_transit",
            Self::MissingCredit => "missing_credit",
            Self::Unidentified => "unidentified",
            Self::AmountMismatch => "amount_mismatch",
            Self::Duplicate => "duplicate",
            Self::Debit => "debit",
        }
    }

    /// Whether a line of this category is something a person must resolve, and so counts
    /// toward the unexplained difference.
    pub const fn is_anomaly(self) -> bool {
        matches!(self, Self::MissingCredit | Self::Unidentified | Self::AmountMismatch | Self::Duplicate)
    }
}

/// One statement line, or one expected payment that no statement line paid. It borrows
/// both from what was reconciled: `statement_line` is the line judged (none for a payment
/// no line paid), `payment` the expected payment it was judged against (also given on a
/// duplicate, when this statement matched the payment it repeats).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportLine<'a> {
    pub category: Category,
    /// The reference read from the statement line (see the crate documentation), or the
    /// unpaid payment's receipt number. `None` for a credit that names nothing.
    pub reference: Option<Cow<'a, str>>,
    pub statement_line: Option<&'a Line>,
    pub payment: Option<&'a ExpectedCredit>,
    /// For a duplicate within this statement: the earlier line that matched the payment.
    pub duplicate_of_line_no: Option<u32>,
    /// What mahasil expected this line to bring: the payment's amount for matched, amount
    /// mismatch, in transit and missing; `None` for the rest.
    pub expected_paisa: Option<i64>,
    /// The statement line's amount, signed: a debit is negative.
    pub credited_paisa: Option<i64>,
    /// `credited − expected`, either taken as 0 when absent: 0 when matched, the shortfall
    /// or excess on a mismatch, the whole credit when unidentified or a duplicate, minus
    /// the payment when in transit or missing, minus the debit on a debit.
    pub difference_paisa: i64,
}

impl ReportLine<'_> {
    /// The statement line's number, from 1.
    pub fn line_no(&self) -> Option<u32> {
        self.statement_line.map(|line| line.line_no)
    }

    /// What this line adds to the unexplained difference: `|difference_paisa|` for an
    /// anomaly, 0 otherwise.
    pub fn unexplained_paisa(&self) -> i128 {
        if self.category.is_anomaly() { i128::from(self.difference_paisa).abs() } else { 0 }
    }
}

/// The lines of one category and their sums. Sums are `i128`: a statement may hold two
/// million lines of up to PKR 100 trillion each.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct CategoryTotal {
    pub count: u64,
    pub expected_paisa: i128,
    pub credited_paisa: i128,
    pub difference_paisa: i128,
    /// Σ of [`ReportLine::unexplained_paisa`].
    pub unexplained_paisa: i128,
}

impl CategoryTotal {
    fn add(&mut self, line: &ReportLine<'_>) {
        self.count += 1;
        self.expected_paisa += i128::from(line.expected_paisa.unwrap_or(0));
        self.credited_paisa += i128::from(line.credited_paisa.unwrap_or(0));
        self.difference_paisa += i128::from(line.difference_paisa);
        self.unexplained_paisa += line.unexplained_paisa();
    }
}

/// One [`CategoryTotal`] per category.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub matched: CategoryTotal,
    pub in_transit: CategoryTotal,
    pub missing_credit: CategoryTotal,
    pub unidentified: CategoryTotal,
    pub amount_mismatch: CategoryTotal,
    pub duplicate: CategoryTotal,
    pub debit: CategoryTotal,
}

impl Totals {
    pub fn get(&self, category: Category) -> &CategoryTotal {
        match category {
            Category::Matched => &self.matched,
            Category::InTransit => &self.in_transit,
            Category::MissingCredit => &self.missing_credit,
            Category::Unidentified => &self.unidentified,
            Category::AmountMismatch => &self.amount_mismatch,
            Category::Duplicate => &self.duplicate,
            Category::Debit => &self.debit,
        }
    }

    fn get_mut(&mut self, category: Category) -> &mut CategoryTotal {
        match category {
            Category::Matched => &mut self.matched,
            Category::InTransit => &mut self.in_transit,
            Category::MissingCredit => &mut self.missing_credit,
            Category::Unidentified => &mut self.unidentified,
            Category::AmountMismatch => &mut self.amount_mismatch,
            Category::Duplicate => &mut self.duplicate,
            Category::Debit => &mut self.debit,
        }
    }

    /// Every category's total, in [`Category::ALL`] order.
    pub fn iter(&self) -> impl Iterator<Item = (Category, &CategoryTotal)> {
        Category::ALL.into_iter().map(|category| (category, self.get(category)))
    }

    /// The lines a person must resolve: missing, unidentified, mismatched and duplicate.
    pub fn anomalies(&self) -> u64 {
        self.iter().filter(|(category, _)| category.is_anomaly()).map(|(_, total)| total.count).sum()
    }
}

/// The reconciliation of one statement. Built by [`reconcile`](crate::reconcile); it
/// borrows the statement and the expected payments it judged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report<'a> {
    statement_id: &'a str,
    account_id: &'a str,
    from_date: Date,
    to_date: Date,
    settlement: Settlement,
    totals: Totals,
    unexplained_difference_paisa: i128,
    clean: bool,
    lines: Vec<ReportLine<'a>>,
}

/// What [`Report`] is made from; the totals follow from the lines.
pub(crate) struct Heading<'a> {
    pub statement_id: &'a str,
    pub account_id: &'a str,
    pub from_date: Date,
    pub to_date: Date,
    pub settlement: Settlement,
}

impl<'a> Report<'a> {
    pub(crate) fn new(heading: Heading<'a>, lines: Vec<ReportLine<'a>>) -> Self {
        let mut totals = Totals::default();
        for line in &lines {
            totals.get_mut(line.category).add(line);
        }
        let unexplained_difference_paisa = totals.iter().map(|(_, total)| total.unexplained_paisa).sum();
        let clean = totals.anomalies() == 0;
        let Heading { statement_id, account_id, from_date, to_date, settlement } = heading;
        Self { statement_id, account_id, from_date, to_date, settlement, totals, unexplained_difference_paisa, clean, lines }
    }

    pub fn statement_id(&self) -> &'a str {
        self.statement_id
    }

    pub fn account_id(&self) -> &'a str {
        self.account_id
    }

    /// The statement's period: the dates of its opening and closing balances.
    pub fn from_date(&self) -> Date {
        self.from_date
    }

    pub fn to_date(&self) -> Date {
        self.to_date
    }

    pub fn settlement(&self) -> Settlement {
        self.settlement
    }

    pub fn totals(&self) -> &Totals {
        &self.totals
    }

    /// Statement lines in statement order, then the expected payments no line paid, in
    /// the order they were given.
    pub fn lines(&self) -> &[ReportLine<'a>] {
        &self.lines
    }

    /// Σ unidentified credits + Σ missing payments + Σ |mismatch differences| + Σ
    /// duplicate credits, in paisa. 0 exactly when [`is_clean`](Self::is_clean), as long as
    /// every expected amount is positive.
    pub fn unexplained_difference_paisa(&self) -> i128 {
        self.unexplained_difference_paisa
    }

    /// No missing, unidentified, mismatched or duplicate line. Payments in transit and
    /// debits do not make a statement unclean.
    pub fn is_clean(&self) -> bool {
        self.clean
    }

    /// The receipt numbers of the matched payments, in statement order: what becomes
    /// deposited. A mismatched payment is not among them until a person resolves it.
    pub fn matched_references(&self) -> impl Iterator<Item = &str> {
        self.lines.iter().filter(|line| line.category == Category::Matched).filter_map(|line| line.reference.as_deref())
    }

    /// The unidentified credits, in statement order: what goes to `suspense:unidentified`.
    pub fn unidentified_credits(&self) -> impl Iterator<Item = &ReportLine<'a>> {
        self.lines.iter().filter(|line| line.category == Category::Unidentified)
    }

    /// The lines of one category, in report order.
    pub fn lines_of(&self, category: Category) -> impl Iterator<Item = &ReportLine<'a>> {
        self.lines.iter().filter(move |line| line.category == category)
    }

    /// The report as CSV: a header and one row per report line (see the crate README).
    pub fn to_csv(&self) -> String {
        csv::write(self)
    }

    /// A summary table for a terminal: the statement, each category's count and sums in
    /// PKR, the unexplained difference, and whether the statement is clean.
    pub fn summary_text(&self) -> String {
        summary::write(self)
    }
}
