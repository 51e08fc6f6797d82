//! `mahasil`: one binary for the whole platform.

mod bench;
mod bench_notify;
mod bench_sync;
mod config;
mod demo;
mod field_sim;
mod insight;
mod keys;
mod ledger;
mod notify;
mod reconcile;
mod serve;
mod verify;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::config::Config;

#[derive(Parser)]
#[command(name = "mahasil", version, about = "Issue, collect and account for fines, taxes and fees.")]
struct Cli {
    /// TOML configuration file (see `mahasil default-config`).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

/// Where the data is: the flags every command that touches the database takes.
#[derive(Args, Clone, Default)]
struct DataArgs {
    /// Data directory of the embedded SQLite database [default: ./mahasil-data].
    #[arg(long, value_name = "DIR")]
    data: Option<PathBuf>,
    /// PostgreSQL instead of SQLite: postgres://user:password@host/db.
    #[arg(long, value_name = "URL")]
    database_url: Option<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web service, API and workers.
    Serve {
        #[command(flatten)]
        data: DataArgs,
        /// Address to listen on [default: 127.0.0.1:8080].
        #[arg(long, value_name = "ADDR")]
        bind: Option<String>,
        /// Seed a demo Khyber Pakhtunkhwa province (if empty) and mark every page as a demo.
        #[arg(long)]
        demo: bool,
    },
    /// Run only the notification workers (no web service): send the outbox's messages,
    /// queue reminders and overdue notices. Several may run at once on PostgreSQL.
    Worker {
        #[command(flatten)]
        data: DataArgs,
    },
    /// Apply database migrations and exit.
    Migrate {
        #[command(flatten)]
        data: DataArgs,
    },
    /// Print a commented configuration file with every default.
    DefaultConfig,
    /// The tamper-evident audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// The dashboard's rollups: counts and paisa by day, district, department, head,
    /// officer and issue month, kept by the database as the ledger moves.
    Insight {
        #[command(subcommand)]
        command: InsightCommand,
    },
    /// The double-entry ledger.
    Ledger {
        #[command(subcommand)]
        command: LedgerCommand,
    },
    /// This node's signing keys and the authority's trust list.
    Keys {
        #[command(subcommand)]
        command: keys::KeysCommand,
    },
    /// Check a challan's or receipt's seal with no network: exit 0 only when it is valid.
    Verify(verify::VerifyArgs),
    /// Reconcile a treasury bank statement against the payments expected, print the report
    /// (and with --import, deposit what it proves); exit 1 when the unexplained difference
    /// is not zero.
    Reconcile {
        #[command(flatten)]
        data: DataArgs,
        #[command(flatten)]
        args: reconcile::ReconcileArgs,
    },
    /// Tools for the demo province.
    Demo {
        #[command(subcommand)]
        command: DemoCommand,
    },
    /// Run a sandbox payment gateway on its own port, for the demo and the tests: a hosted
    /// payment page, signed callbacks, test cards, configurable delays and failures. No
    /// card is ever charged.
    SandboxGateway(mahasil_gateway::sandbox::SandboxArgs),
    /// Field devices over a bad network: enrol N devices, issue M challans offline, sync
    /// them through a fault-injecting proxy, and check each is on the server exactly once.
    FieldSim(field_sim::FieldSimArgs),
    /// Load generators for the benchmarks in docs/BENCHMARKS.md.
    Bench {
        #[command(subcommand)]
        command: bench::BenchCommand,
    },
}

#[derive(Subcommand)]
enum LedgerCommand {
    /// Check every ledger invariant; exit 1 and name each violation if one is broken.
    Check {
        #[command(flatten)]
        data: DataArgs,
    },
}

#[derive(Subcommand)]
enum InsightCommand {
    /// Recompute every rollup from the ledger's transfers, in one transaction.
    Rebuild {
        #[command(flatten)]
        data: DataArgs,
    },
    /// Compare every rollup with the ledger's transfers and account balances; exit 1 and
    /// name the groups that differ if any does.
    Check {
        #[command(flatten)]
        data: DataArgs,
    },
    /// Run the anomaly rules and the forecasts once (as `serve` does every 15 minutes),
    /// store the new flags and print what was found.
    Scan {
        #[command(flatten)]
        data: DataArgs,
    },
}

#[derive(Subcommand)]
enum DemoCommand {
    /// Write the statement a bank would send today for the payments not yet deposited.
    Statement {
        #[command(flatten)]
        data: DataArgs,
        #[command(flatten)]
        args: reconcile::DemoStatementArgs,
    },
    /// Fill a new SQLite database with a generated province at scale, with a progress bar.
    ///
    /// The 35 districts weighted by population, the demo catalogue, a few thousand officers
    /// (usernames officer.<district>.<n>, password demo-password), field devices, challans
    /// over --days ending yesterday (Asia/Karachi) with weekly and yearly seasons and growth,
    /// payments through banks, the gateway and counters (some late, with the surcharge),
    /// deposits, cancellations, waivers and bank inquiries; and planted anomalies, listed in
    /// generated-anomalies.json next to the database.
    ///
    /// Generated challans queue no notifications (there is nobody to notify) and have no
    /// audit entries of their own; reference data, staff, banks, keys and devices are created
    /// through the store as usual. The database is built as <file>.generating with the
    /// journal and syncing off, and renamed when whole: an interrupted run leaves that file
    /// unusable, and generation refuses to run again until it is deleted. A database that
    /// already holds challans is refused (exit 2, nothing written). SQLite only.
    Generate {
        #[command(flatten)]
        data: DataArgs,
        #[command(flatten)]
        args: demo::GenerateArgs,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Walk the hash chain; exit 1 and name the first bad entry if any was edited, removed
    /// or reordered.
    Verify {
        #[command(flatten)]
        data: DataArgs,
    },
}

fn load_config(file: Option<&std::path::Path>, data: &DataArgs) -> anyhow::Result<Config> {
    let mut config = Config::load(file).map_err(|e| anyhow::anyhow!("configuration: {e}"))?;
    if let Some(dir) = &data.data {
        config.data_dir.clone_from(dir);
    }
    if let Some(url) = &data.database_url {
        config.database_url.clone_from(url);
    }
    config.check()?;
    Ok(config)
}

async fn open_store(config: &Config) -> anyhow::Result<mahasil_store::Store> {
    let url = config.effective_database_url();
    if url.starts_with("sqlite://") {
        std::fs::create_dir_all(&config.data_dir).map_err(|e| anyhow::anyhow!("cannot create data directory {}: {e}", config.data_dir.display()))?;
    }
    mahasil_store::open(&url).await.map_err(|e| anyhow::anyhow!("cannot open database {}: {e}", mahasil_store::redact_url(&url)))
}

/// This node's seals: its issuer's keys from the configured key directory, enrolled (and
/// the authority created, on a new installation) where missing.
async fn node_seals(
    config: &Config,
    store: &mahasil_store::Store,
    issuer: mahasil_domain::challan_no::IssuerNo,
    demo: bool,
) -> anyhow::Result<std::sync::Arc<mahasil_server::seals::NodeSeals>> {
    let dir = config.effective_keys_dir();
    let keys = mahasil_server::seals::KeyDir::open(&dir).map_err(|e| anyhow::anyhow!("key directory {}: {e}", dir.display()))?;
    let backdate = if demo { demo::KEY_BACKDATE_SECS } else { 0 };
    mahasil_server::seals::NodeSeals::start(store.clone(), keys, issuer, backdate, jiff::Timestamp::now())
        .await
        .map_err(|e| anyhow::anyhow!("signing keys in {}: {e}", dir.display()))
}

fn init_tracing() {
    let filter =
        tracing_subscriber::EnvFilter::try_from_env("MAHASIL_LOG").unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,tower_http=warn,sqlx=warn"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing();
    match run(cli).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let file = cli.config.as_deref();
    match cli.command {
        Command::DefaultConfig => {
            print!("{}", config::DEFAULT_CONFIG_TOML);
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate { data } => {
            let config = load_config(file, &data)?;
            let store = open_store(&config).await?;
            let applied = store.migrations().await?;
            println!(
                "{} database at {} is at migration {} ({} applied)",
                store.backend(),
                mahasil_store::redact_url(&config.effective_database_url()),
                applied.last().map_or("none", String::as_str),
                applied.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit { command: AuditCommand::Verify { data } } => {
            let config = load_config(file, &data)?;
            let store = open_store(&config).await?;
            let report = store.verify_audit().await?;
            match report.first_bad {
                None => {
                    println!("audit log intact: {} entries verified", report.entries);
                    Ok(ExitCode::SUCCESS)
                }
                Some(fault) => {
                    println!("audit log TAMPERED: first bad entry is seq {}: {}", fault.seq, fault.reason);
                    Ok(ExitCode::from(1))
                }
            }
        }
        Command::Keys { command } => keys::run(file, command).await,
        Command::Ledger { command: LedgerCommand::Check { data } } => {
            let config = load_config(file, &data)?;
            let store = open_store(&config).await?;
            ledger::check(&store).await
        }
        Command::Insight { command } => {
            let data = match &command {
                InsightCommand::Rebuild { data } | InsightCommand::Check { data } | InsightCommand::Scan { data } => data.clone(),
            };
            let store = open_store(&load_config(file, &data)?).await?;
            match command {
                InsightCommand::Rebuild { .. } => insight::rebuild(&store).await,
                InsightCommand::Check { .. } => insight::check(&store).await,
                InsightCommand::Scan { .. } => insight::scan(&store).await,
            }
        }
        Command::Verify(args) => verify::run(file, args).await,
        Command::Serve { data, bind, demo } => {
            let mut config = load_config(file, &data)?;
            if let Some(bind) = bind {
                config.bind = bind;
            }
            serve::run(config, demo).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Worker { data } => {
            notify::run_worker(load_config(file, &data)?).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench { command } => bench::run(command).await,
        Command::FieldSim(args) => field_sim::run(args).await,
        Command::Reconcile { data, args } => {
            let config = load_config(file, &data)?;
            let store = open_store(&config).await?;
            reconcile::run(&store, args).await
        }
        Command::Demo { command: DemoCommand::Statement { data, args } } => {
            let config = load_config(file, &data)?;
            let store = open_store(&config).await?;
            reconcile::demo_statement(&store, args).await
        }
        Command::Demo { command: DemoCommand::Generate { data, args } } => demo::generate(&load_config(file, &data)?, args).await,
        Command::SandboxGateway(args) => {
            mahasil_gateway::sandbox::run(args).await?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
