//! The matching: each statement line judged in statement order against the expected
//! payments, then each payment no line paid judged by its age.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use mahasil_statements::{Direction, Line, Statement};

use crate::report::{Category, Heading, Report, ReportLine};
use crate::{ExpectedCredit, Settlement, reference};

/// Reconciles `statement` against the payments mahasil expects to see deposited.
///
/// Every statement line becomes one report line, in statement order: a debit is
/// [`Debit`](Category::Debit); a credit is judged by the reference it names (see the crate
/// documentation) in this order:
///
/// 1. a reference in `already_deposited` is a [`Duplicate`](Category::Duplicate): an
///    earlier statement already brought that payment;
/// 2. a reference some `expected` payment not yet paid by an earlier line carries is
///    [`Matched`](Category::Matched) when the amounts are equal, else an
///    [`AmountMismatch`](Category::AmountMismatch); when several such payments carry the
///    reference, one with an equal amount is preferred, then the first given;
/// 3. a reference whose expected payments earlier lines all paid is a
///    [`Duplicate`](Category::Duplicate) of the line that paid the first;
/// 4. anything else, a reference mahasil does not know or no reference at all, is
///    [`Unidentified`](Category::Unidentified).
///
/// Then every expected payment no line paid becomes one report line, in the order given:
/// [`InTransit`](Category::InTransit) when `paid_on + days_in_transit >= to_date` (which
/// includes payments made after the statement's period), else
/// [`MissingCredit`](Category::MissingCredit).
///
/// `progress(done, total)` is called with `done = 0` first, then each time about another
/// 1% of the work is done, and last with `done = total`; the work is one unit per
/// statement line and two per expected payment (indexing it, then judging it).
pub fn reconcile<'a>(
    statement: &'a Statement,
    expected: &'a [ExpectedCredit],
    already_deposited: &HashSet<String>,
    settlement: Settlement,
    progress: &mut dyn FnMut(u64, u64),
) -> Report<'a> {
    let lines = statement.lines();
    let total = units(lines.len()).saturating_add(units(expected.len()).saturating_mul(2));
    let mut progress = Progress::start(progress, total);
    let payments = Payments::index(expected, &mut progress);

    let mut paid_by: Vec<Option<u32>> = vec![None; expected.len()];
    let mut report_lines = Vec::with_capacity(lines.len().saturating_add(expected.len() / 64));
    for line in lines {
        let report_line = match line.direction {
            Direction::Debit => statement_line(line, Category::Debit, None),
            Direction::Credit => judge_credit(line, &payments, &mut paid_by, already_deposited),
        };
        report_lines.push(report_line);
        progress.advance();
    }

    let in_transit_from = settlement.in_transit_from(statement.to_date());
    for (payment, paid_by) in expected.iter().zip(&paid_by) {
        if paid_by.is_none() {
            let category = if payment.paid_on >= in_transit_from { Category::InTransit } else { Category::MissingCredit };
            report_lines.push(unpaid(payment, category));
        }
        progress.advance();
    }
    progress.finish();

    let heading = Heading {
        statement_id: statement.statement_id(),
        account_id: statement.account_id(),
        from_date: statement.from_date(),
        to_date: statement.to_date(),
        settlement,
    };
    Report::new(heading, report_lines)
}

/// The expected payments by receipt number. Receipt numbers are unique by construction;
/// should one be given twice, each copy is still paid at most once.
struct Payments<'a> {
    expected: &'a [ExpectedCredit],
    /// The first and the last payment carrying each reference.
    by_reference: HashMap<&'a str, (usize, usize)>,
    /// For a payment whose reference a later payment repeats: that later payment. Empty
    /// unless a receipt number is given twice, so it costs nothing in the usual case.
    next_same: HashMap<usize, usize>,
}

impl<'a> Payments<'a> {
    fn index(expected: &'a [ExpectedCredit], progress: &mut Progress<'_>) -> Self {
        let mut by_reference: HashMap<&str, (usize, usize)> = HashMap::with_capacity(expected.len());
        let mut next_same = HashMap::new();
        for (index, payment) in expected.iter().enumerate() {
            by_reference
                .entry(payment.reference.as_str())
                .and_modify(|(_, last)| {
                    next_same.insert(*last, index);
                    *last = index;
                })
                .or_insert((index, index));
            progress.advance();
        }
        Self { expected, by_reference, next_same }
    }

    /// The payments carrying `reference`, in the order given.
    fn carrying(&self, reference: &str) -> impl Iterator<Item = (usize, &'a ExpectedCredit)> + '_ {
        let first = self.by_reference.get(reference).map(|&(first, _)| first);
        std::iter::successors(first, |index| self.next_same.get(index).copied()).filter_map(|index| self.expected.get(index).map(|payment| (index, payment)))
    }
}

fn judge_credit<'a>(line: &'a Line, payments: &Payments<'a>, paid_by: &mut [Option<u32>], already_deposited: &HashSet<String>) -> ReportLine<'a> {
    let is_known = |run: &str| payments.by_reference.contains_key(run) || already_deposited.contains(run);
    let Some(reference) = reference::line_reference(line, is_known) else {
        return statement_line(line, Category::Unidentified, None);
    };
    if already_deposited.contains(reference.as_ref()) {
        return statement_line(line, Category::Duplicate, Some(reference));
    }
    let unpaid = |&(index, _): &(usize, &ExpectedCredit)| paid_by.get(index).is_some_and(Option::is_none);
    let chosen = payments
        .carrying(&reference)
        .filter(unpaid)
        .find(|(_, payment)| payment.amount_paisa == line.amount_paisa)
        .or_else(|| payments.carrying(&reference).find(unpaid));
    if let Some((index, payment)) = chosen {
        if let Some(slot) = paid_by.get_mut(index) {
            *slot = Some(line.line_no);
        }
        let category = if payment.amount_paisa == line.amount_paisa { Category::Matched } else { Category::AmountMismatch };
        return ReportLine {
            payment: Some(payment),
            expected_paisa: Some(payment.amount_paisa),
            difference_paisa: line.amount_paisa.saturating_sub(payment.amount_paisa),
            ..statement_line(line, category, Some(reference))
        };
    }
    let first = payments.carrying(&reference).next();
    match first {
        Some((index, payment)) => ReportLine {
            payment: Some(payment),
            duplicate_of_line_no: paid_by.get(index).copied().flatten(),
            ..statement_line(line, Category::Duplicate, Some(reference))
        },
        None => statement_line(line, Category::Unidentified, Some(reference)),
    }
}

/// A report line for a statement line, with nothing expected of it: its difference is
/// its own signed amount.
fn statement_line<'a>(line: &'a Line, category: Category, reference: Option<Cow<'a, str>>) -> ReportLine<'a> {
    let credited_paisa = line.direction.signed(line.amount_paisa);
    ReportLine {
        category,
        reference,
        statement_line: Some(line),
        payment: None,
        duplicate_of_line_no: None,
        expected_paisa: None,
        credited_paisa: Some(credited_paisa),
        difference_paisa: credited_paisa,
    }
}

/// A report line for an expected payment no statement line paid.
fn unpaid(payment: &ExpectedCredit, category: Category) -> ReportLine<'_> {
    ReportLine {
        category,
        reference: Some(Cow::Borrowed(&payment.reference)),
        statement_line: None,
        payment: Some(payment),
        duplicate_of_line_no: None,
        expected_paisa: Some(payment.amount_paisa),
        credited_paisa: None,
        difference_paisa: payment.amount_paisa.saturating_neg(),
    }
}

fn units(count: usize) -> u64 {
    u64::try_from(count).unwrap_or(u64::MAX)
}

/// Reports progress about every 1% of the work, so a caller drawing a bar is called about
/// a hundred times whatever the statement's size.
struct Progress<'a> {
    report: &'a mut dyn FnMut(u64, u64),
    done: u64,
    total: u64,
    step: u64,
    next_report: u64,
}

impl<'a> Progress<'a> {
    const STEPS: u64 = 100;

    fn start(report: &'a mut dyn FnMut(u64, u64), total: u64) -> Self {
        report(0, total);
        let step = (total / Self::STEPS).max(1);
        Self { report, done: 0, total, step, next_report: step }
    }

    fn advance(&mut self) {
        self.done = self.done.saturating_add(1);
        if self.done >= self.next_report && self.done < self.total {
            (self.report)(self.done, self.total);
            self.next_report = self.done.saturating_add(self.step);
        }
    }

    fn finish(&mut self) {
        (self.report)(self.total, self.total);
    }
}
