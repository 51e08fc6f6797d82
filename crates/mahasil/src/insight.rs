//! `mahasil insight rebuild`, `check` and `scan`: the dashboard's rollups recomputed from
//! the ledger and compared with it, and the anomaly rules and forecasts run once.

use std::process::ExitCode;

use mahasil_store::Store;

fn pkr(paisa: i64) -> String {
    format!("PKR {}.{:02}", paisa / 100, (paisa % 100).abs())
}

pub async fn rebuild(store: &Store) -> anyhow::Result<ExitCode> {
    let started = std::time::Instant::now();
    let report = store.insight_rebuild().await?;
    for (table, rows) in &report.tables {
        println!("{table}: {rows} rows");
    }
    println!("rollups rebuilt from the ledger in {:.1} s", started.elapsed().as_secs_f64());
    Ok(ExitCode::SUCCESS)
}

pub async fn check(store: &Store) -> anyhow::Result<ExitCode> {
    let report = store.insight_check().await?;
    for t in &report.tables {
        println!("{}: {} rows, {} group(s) differ from the ledger", t.table, t.rows, t.mismatched);
        for e in &t.examples {
            println!("  {e}");
        }
    }
    let r = &report.totals;
    println!(
        "totals: {} challans issued, imposed {}, collected {}, cancelled {}, waived {}, outstanding {}, deposited {}",
        r.issued_n,
        pkr(r.imposed_paisa()),
        pkr(r.paid_paisa),
        pkr(r.cancelled_paisa),
        pkr(r.waived_paisa),
        pkr(r.outstanding_paisa()),
        pkr(r.deposited_paisa)
    );
    for a in &report.accounts {
        println!("  account {a}");
    }
    if report.is_clean() {
        println!("rollups equal the ledger");
        Ok(ExitCode::SUCCESS)
    } else {
        println!("rollups DIFFER from the ledger: run `mahasil insight rebuild`, and find out what wrote around the trigger");
        Ok(ExitCode::from(1))
    }
}

pub async fn scan(store: &Store) -> anyhow::Result<ExitCode> {
    let started = std::time::Instant::now();
    let (snapshot, report) = mahasil_server::dashboard::scan::scan(store, jiff::Timestamp::now()).await.map_err(|e| anyhow::anyhow!("{}", e.body.message))?;
    let made = snapshot.series.iter().filter(|s| s.forecast.is_ok()).count();
    println!("forecasts: {made} of {} series", report.forecasts);
    println!("challans read: {}", report.challans_read);
    println!("flags: {} found, {} new", report.flags_found, report.flags_new);
    println!("scanned in {:.1} s", started.elapsed().as_secs_f64());
    Ok(ExitCode::SUCCESS)
}
