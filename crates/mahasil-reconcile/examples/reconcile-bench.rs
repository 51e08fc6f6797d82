//! How long reconciling a day of the treasury account takes: a 1,000,000-line statement
//! in mahasil bank CSV is generated with its expected payments (plus 100 still in
//! transit, 100,000 receipt numbers already deposited, and one of each anomaly), then
//! parsed with `mahasil_statements` and reconciled, five rounds; the medians are reported.
//!
//! `cargo run --release -p mahasil-reconcile --example reconcile-bench [LINES]`

use std::collections::HashSet;
use std::error::Error;
use std::time::{Duration, Instant};

use jiff::ToSpan;
use jiff::civil::date;
use mahasil_reconcile::generate::{Anomalies, ChangedAmount, StatementParams, expected_credits, statement_csv};
use mahasil_reconcile::{Report, Settlement, reconcile};

const DEFAULT_LINES: usize = 1_000_000;
const ROUNDS: usize = 5;
/// Lines that are not one credit per payment: ten refunds, the unidentified credit and the
/// duplicated line, less the payment left out.
const EXTRA_LINES: usize = 10 + 1 + 1 - 1;
const IN_TRANSIT: usize = 100;
const ALREADY_DEPOSITED: usize = 100_000;

fn main() -> Result<(), Box<dyn Error>> {
    let line_count: usize = match std::env::args().nth(1) {
        Some(text) => text.parse()?,
        None => DEFAULT_LINES,
    };
    let credit_count = line_count.checked_sub(EXTRA_LINES).ok_or("at least 11 lines")?;
    let (from_date, to_date) = (date(2025, 1, 14), date(2025, 1, 15));

    let started = Instant::now();
    let mut expected = expected_credits(credit_count + IN_TRANSIT, from_date.checked_sub(2.days())?..=to_date, 42);
    let (missing, changed, duplicated) = (credit_count / 4, credit_count / 2, 3 * credit_count / 4);
    if let Some(payment) = expected.get_mut(missing) {
        payment.paid_on = to_date.checked_sub(10.days())?;
    }
    let credited_paisa = expected.get(changed).map_or(100, |payment| payment.amount_paisa + 100);
    let already_deposited: HashSet<String> = expected_credits(ALREADY_DEPOSITED, from_date..=to_date, 7).into_iter().map(|payment| payment.reference).collect();
    let refunds_paisa = [250_000; 10];
    let params = StatementParams {
        debits_paisa: &refunds_paisa,
        anomalies: Anomalies {
            unidentified_paisa: Some(1_234_500),
            missing: Some(missing),
            changed_amount: Some(ChangedAmount { index: changed, credited_paisa }),
            duplicated: Some(duplicated),
        },
        ..StatementParams::new(expected.get(..credit_count).unwrap_or_default(), from_date, to_date)
    };
    let csv = statement_csv(&params);
    println!(
        "generated {line_count} statement lines ({:.1} MB of CSV) and {} expected payments in {:.2} s",
        csv.len() as f64 / 1e6,
        expected.len(),
        started.elapsed().as_secs_f64()
    );

    let (mut parse_times, mut reconcile_times, mut totals) = (Vec::new(), Vec::new(), Vec::new());
    let mut last_summary = String::new();
    let mut report_csv_time = (Duration::ZERO, 0);
    for round in 1..=ROUNDS {
        let started = Instant::now();
        let statement = mahasil_statements::parse(csv.as_bytes())?;
        let parsed = started.elapsed();
        let mut progress_calls = 0u32;
        let started = Instant::now();
        let report = reconcile(&statement, &expected, &already_deposited, Settlement::default(), &mut |_, _| progress_calls += 1);
        let reconciled = started.elapsed();
        check(&report, statement.lines().len(), line_count, credit_count)?;
        println!(
            "round {round}: parse {:>6.0} ms  reconcile {:>6.0} ms  total {:>6.0} ms  ({progress_calls} progress calls)",
            ms(parsed),
            ms(reconciled),
            ms(parsed + reconciled)
        );
        parse_times.push(parsed);
        reconcile_times.push(reconciled);
        totals.push(parsed + reconciled);
        if round == ROUNDS {
            let started = Instant::now();
            let report_csv = report.to_csv();
            report_csv_time = (started.elapsed(), report_csv.len());
            last_summary = report.summary_text();
        }
    }

    let (parse, reconciled, total) = (median(parse_times), median(reconcile_times), median(totals));
    println!();
    println!("median of {ROUNDS} rounds, {line_count} lines:");
    println!("  parse      {:>7.0} ms", ms(parse));
    println!("  reconcile  {:>7.0} ms", ms(reconciled));
    println!("  total      {:>7.0} ms   {:.0} lines/s", ms(total), line_count as f64 / total.as_secs_f64());
    let (csv_time, csv_bytes) = report_csv_time;
    println!("  report CSV {:>7.0} ms   ({:.1} MB; not part of the total)", ms(csv_time), csv_bytes as f64 / 1e6);
    println!();
    print!("{last_summary}");
    Ok(())
}

/// The report is what the injected anomalies make it, so the rounds time real work.
fn check(report: &Report<'_>, statement_lines: usize, line_count: usize, credit_count: usize) -> Result<(), Box<dyn Error>> {
    let totals = report.totals();
    let anomalies = [totals.unidentified.count, totals.missing_credit.count, totals.amount_mismatch.count, totals.duplicate.count];
    let matched = usize::try_from(totals.matched.count)?;
    // Every payment on the statement is matched but the one left out and the one changed.
    let matched_ok = matched + 2 == credit_count;
    if statement_lines != line_count || anomalies != [1, 1, 1, 1] || totals.in_transit.count != IN_TRANSIT as u64 || !matched_ok {
        return Err(format!("unexpected report for {statement_lines} lines:\n{}", report.summary_text()).into());
    }
    Ok(())
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times.get(times.len() / 2).copied().unwrap_or(Duration::ZERO)
}
