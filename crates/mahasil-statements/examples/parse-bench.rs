//! How long reading a day of the treasury account takes: a 1,000,000-line statement is
//! made in memory, written as mahasil CSV, MT940 and camt.053 by the test writers, and
//! parsed three times per format; the median is reported.
//!
//! `cargo run --release -p mahasil-statements --example parse-bench [LINES]`

#[path = "../tests/support/mod.rs"]
mod support;

use std::error::Error;
use std::time::{Duration, Instant};

use jiff::ToSpan;
use jiff::civil::date;
use mahasil_statements::{Currency, Direction, Format, Line, StatementParts, parse};

const DEFAULT_LINES: usize = 1_000_000;
const RUNS: usize = 3;

fn main() -> Result<(), Box<dyn Error>> {
    let line_count = match std::env::args().nth(1) {
        Some(text) => text.parse()?,
        None => DEFAULT_LINES,
    };
    let parts = statement(line_count);
    println!("{line_count} statement lines, median of {RUNS} runs");
    println!("{:<10} {:>8} {:>9} {:>7} {:>10} {:>9}", "format", "size MB", "parse ms", "MB/s", "lines/s", "dups ms");
    for format in Format::ALL {
        let bytes = support::write(format, &parts, 1000);
        let (mut parse_times, mut duplicate_times) = (Vec::with_capacity(RUNS), Vec::with_capacity(RUNS));
        for _ in 0..RUNS {
            let started = Instant::now();
            let statement = parse(&bytes)?;
            parse_times.push(started.elapsed());
            let started = Instant::now();
            let duplicates = statement.duplicates();
            duplicate_times.push(started.elapsed());
            if statement.lines().len() != line_count || duplicates.is_empty() {
                return Err(format!("{} read {} lines", format.name(), statement.lines().len()).into());
            }
        }
        let seconds = median(parse_times).as_secs_f64();
        let megabytes = bytes.len() as f64 / 1e6;
        let duplicates_ms = median(duplicate_times).as_secs_f64() * 1000.0;
        let lines_per_second = line_count as f64 / seconds;
        println!(
            "{:<10} {:>8.1} {:>9.0} {:>7.0} {:>10.0} {:>9.0}",
            format.name(),
            megabytes,
            seconds * 1000.0,
            megabytes / seconds,
            lines_per_second,
            duplicates_ms
        );
    }
    Ok(())
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times.get(times.len() / 2).copied().unwrap_or(Duration::ZERO)
}

/// A day of collections: mostly 1Bill credits carrying a challan number, some counter
/// deposits without one, a refund now and then, and a bank reference sent twice per
/// thousand lines.
fn statement(line_count: usize) -> StatementParts {
    let from_date = date(2025, 1, 15);
    let mut random = Lcg(0x6d61_6861_7369_6c00);
    let mut lines = Vec::with_capacity(line_count);
    for index in 0..line_count {
        let line_no = u32::try_from(index + 1).unwrap_or(u32::MAX);
        let roll = random.next() % 1000;
        let (direction, amount_paisa) =
            if roll < 10 { (Direction::Debit, 100 * (1 + random.next() % 5000)) } else { (Direction::Credit, 100 * (500 + random.next() % 49_500)) };
        let bank_reference = if roll == 999 && index > 0 { format!("FT25015{:09}", index - 1) } else { format!("FT25015{index:09}") };
        let challan_no = 2_025_000_000_000 + random.next() % 1_000_000_000;
        let (customer_reference, narrative) = if roll < 700 {
            (Some(challan_no.to_string()), format!("1LINK 1BILL DA-ENC-01 PESHAWAR {challan_no}"))
        } else if roll < 990 {
            (None, format!("COUNTER DEPOSIT NBP SADDAR BRANCH CHALLAN {challan_no}"))
        } else {
            (Some(format!("REFUND-{index}")), "REFUND OF OVERPAID CHALLAN".to_owned())
        };
        let booking_date = if index < line_count / 2 { from_date } else { from_date.saturating_add(1.day()) };
        lines.push(Line {
            line_no,
            booking_date,
            value_date: booking_date,
            amount_paisa: i64::try_from(amount_paisa).unwrap_or(i64::MAX),
            direction,
            bank_reference,
            customer_reference,
            narrative,
        });
    }
    let opening_balance_paisa = 125_000_000_000;
    let closing_balance_paisa = opening_balance_paisa + lines.iter().map(|line| line.direction.signed(line.amount_paisa)).sum::<i64>();
    StatementParts {
        account_id: "PK36SCBL0000001123456702".to_owned(),
        statement_id: "STMT20250115".to_owned(),
        currency: Currency::Pkr,
        opening_balance_paisa,
        closing_balance_paisa,
        from_date,
        to_date: from_date.saturating_add(1.day()),
        lines,
    }
}

/// A fixed-seed generator, so every run measures the same statement.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
}
