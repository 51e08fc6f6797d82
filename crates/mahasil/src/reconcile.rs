//! `mahasil reconcile --statement FILE`: reconciles a treasury bank statement (CSV, MT940
//! or camt.053) against the payments the database expects, prints the report, and with
//! `--import` imports it (the matched payments become deposited). Exits 0 when the
//! unexplained difference is zero, 1 when it is not, 2 when the file or the database
//! cannot be read.
//!
//! `mahasil demo statement --out FILE` writes the statement a bank would send for the
//! payments not yet deposited, optionally with an unidentified credit and a missing one.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use jiff::Timestamp;
use mahasil_domain::time::local_date;
use mahasil_reconcile::Settlement;
use mahasil_reconcile::generate::{Anomalies, StatementParams, statement_csv};
use mahasil_server::treasury::reconcile::{expected_credit, reconcile_file};
use mahasil_store::{Actor, ImportOutcome, Store};

#[derive(Args)]
pub struct ReconcileArgs {
    /// The statement file: mahasil bank CSV, SWIFT MT940 or ISO 20022 camt.053.
    #[arg(long, value_name = "FILE")]
    statement: PathBuf,
    /// Days a payment may take to reach the treasury account before its absence is a
    /// missing credit.
    #[arg(long, default_value_t = Settlement::DEFAULT_DAYS_IN_TRANSIT)]
    days_in_transit: u32,
    /// Also write the full report (one line per statement line and payment) as CSV.
    #[arg(long, value_name = "FILE")]
    report_csv: Option<PathBuf>,
    /// Import the statement: deposit the matched payments and put unidentified credits in
    /// suspense (the same file twice changes nothing).
    #[arg(long)]
    import: bool,
}

/// Who the audit log names for what the command line did.
fn cli_actor() -> Actor {
    Actor { user_id: None, username: "cli:reconcile".into() }
}

pub async fn run(store: &Store, args: ReconcileArgs) -> anyhow::Result<ExitCode> {
    let bytes = std::fs::read(&args.statement).with_context(|| format!("cannot read {}", args.statement.display()))?;
    let bar = indicatif::ProgressBar::new(0).with_style(
        indicatif::ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({eta})")
            .map_err(|e| anyhow::anyhow!("progress bar: {e}"))?
            .progress_chars("=> "),
    );
    bar.set_message("reconciling");
    let mut progress = |done: u64, total: u64| {
        bar.set_length(total);
        bar.set_position(done);
    };
    let settlement = Settlement { days_in_transit: args.days_in_transit };
    let reconciled = reconcile_file(store, &bytes, settlement, &mut progress).await?;
    bar.finish_and_clear();
    print!("{}", reconciled.summary_text);
    if let Some(path) = &args.report_csv {
        std::fs::write(path, &reconciled.report_csv).with_context(|| format!("cannot write {}", path.display()))?;
        println!("report written to {}", path.display());
    }
    let clean = reconciled.clean;
    if args.import {
        let (actor, now) = (cli_actor(), Timestamp::now());
        let import = reconciled.into_import(&actor, now)?;
        match store.import_statement(&import, &actor, now).await? {
            ImportOutcome::Imported(s) => println!("imported: {} payments deposited, {} unidentified credits in suspense", s.deposited, s.unidentified),
            ImportOutcome::AlreadyImported(_) => println!("this statement was imported before: nothing changed"),
        }
    }
    Ok(if clean { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

#[derive(Args)]
pub struct DemoStatementArgs {
    /// Where to write the statement (mahasil bank CSV).
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// Add a credit of this many rupees that names no payment (unidentified).
    #[arg(long, value_name = "RUPEES")]
    unidentified: Option<i64>,
    /// Leave out the credit of the first payment (a missing credit, or in transit if recent).
    #[arg(long)]
    drop_first: bool,
}

/// Writes the statement a bank would send today for every payment not yet deposited, after
/// the last imported statement (its opening balance is that one's closing balance).
pub async fn demo_statement(store: &Store, args: DemoStatementArgs) -> anyhow::Result<ExitCode> {
    let today = local_date(Timestamp::now());
    let previous = store.statements(1).await?.into_iter().next();
    let undeposited = store.undeposited_payments(today).await?;
    let first_paid = undeposited.first().map_or(today, |u| u.payment.paid_on);
    let credits: Vec<_> = undeposited.into_iter().map(|u| expected_credit(&u.payment, u.head_code, u.district.to_string())).collect();
    let from = previous.as_ref().map_or(first_paid, |s| s.to_date).min(today);
    let mut params = StatementParams::new(&credits, from, today);
    // One statement id per run: the bank numbers its statements, and an id is imported once.
    params.statement_id = format!("STMT{}", Timestamp::now().to_zoned(mahasil_domain::time::pakistan()).strftime("%Y%m%d%H%M%S"));
    if let Some(s) = &previous {
        params.account_id.clone_from(&s.account);
        params.opening_balance_paisa = s.closing_paisa;
    }
    params.anomalies = Anomalies {
        unidentified_paisa: args.unidentified.map(|rupees| rupees * 100),
        missing: (args.drop_first && !credits.is_empty()).then_some(0),
        ..Anomalies::default()
    };
    std::fs::write(&args.out, statement_csv(&params)).with_context(|| format!("cannot write {}", args.out.display()))?;
    println!(
        "wrote {} ({} payments credited, statement {})",
        args.out.display(),
        credits.len() - usize::from(params.anomalies.missing.is_some()),
        params.statement_id
    );
    Ok(ExitCode::SUCCESS)
}
