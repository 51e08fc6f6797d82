//! `mahasil keys`: this node's signing keys and the authority's trust list. Every change
//! publishes a new trust list version signed by the authority key (which must be in the
//! key directory); running servers pick it up within seconds.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Subcommand, ValueEnum};
use jiff::Timestamp;
use mahasil_seal::{KeyStatus, Kid, Usage};
use mahasil_server::seals::revocations;
use mahasil_store::Actor;

use crate::DataArgs;

/// How long a rotated key keeps signing validly by default: time for every running node
/// to re-read the trust list (they do every few seconds) and switch to the new key.
const DEFAULT_GRACE_SECS: i64 = 60;

#[derive(Subcommand)]
pub enum KeysCommand {
    /// List the keys of the newest trust list.
    List {
        #[command(flatten)]
        data: DataArgs,
    },
    /// Retire this node's keys and enrol new ones; retired keys still verify what they
    /// signed before retirement.
    Rotate {
        #[command(flatten)]
        data: DataArgs,
        /// Only these usages (repeatable) [default: all three].
        #[arg(long, value_enum)]
        usage: Vec<UsageArg>,
        /// Seconds the old key stays valid, so running nodes switch without a gap.
        #[arg(long, default_value_t = DEFAULT_GRACE_SECS)]
        grace_secs: i64,
    },
    /// Mark a key compromised from TIME: everything it signed from then on is rejected.
    Compromise {
        #[command(flatten)]
        data: DataArgs,
        /// The key's kid (16 hex digits, as `keys list` shows).
        kid: String,
        /// From when (RFC 3339, e.g. 2026-11-27T09:00:00Z) [default: now].
        #[arg(long)]
        at: Option<Timestamp>,
    },
    /// Write the signed trust list (JSON, as served at /api/v1/trust-list) for offline
    /// verifiers: `mahasil verify --trust-list FILE`.
    ExportTrustList {
        #[command(flatten)]
        data: DataArgs,
        file: PathBuf,
    },
    /// Write the signed revocation list (JSON, as served at /api/v1/revocations) for
    /// offline verifiers: `mahasil verify --revocations FILE`.
    ExportRevocations {
        #[command(flatten)]
        data: DataArgs,
        file: PathBuf,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum UsageArg {
    Challan,
    Receipt,
    Status,
}

impl From<UsageArg> for Usage {
    fn from(u: UsageArg) -> Self {
        match u {
            UsageArg::Challan => Usage::Challan,
            UsageArg::Receipt => Usage::Receipt,
            UsageArg::Status => Usage::Status,
        }
    }
}

pub async fn run(file: Option<&Path>, command: KeysCommand) -> anyhow::Result<ExitCode> {
    let data = match &command {
        KeysCommand::List { data }
        | KeysCommand::Rotate { data, .. }
        | KeysCommand::Compromise { data, .. }
        | KeysCommand::ExportTrustList { data, .. }
        | KeysCommand::ExportRevocations { data, .. } => data.clone(),
    };
    let config = crate::load_config(file, &data)?;
    let store = crate::open_store(&config).await?;
    let issuer = store.node_issuer(&config.node_name, Timestamp::now()).await?;
    let seals = crate::node_seals(&config, &store, issuer, false).await?;
    let actor = Actor { user_id: None, username: "cli".into() };
    match command {
        KeysCommand::List { .. } => {
            let active = seals.active();
            println!("trust list version {} (authority {})", active.trust.version(), seals.authority().kid());
            for k in active.trust.list.keys() {
                let until = k.valid_until_s.map_or_else(String::new, |u| format!(" until {}", time(u)));
                let status = match k.status {
                    KeyStatus::Compromised { at_s } => format!("compromised from {}", time(at_s)),
                    other => other.as_str().to_string(),
                };
                let mine = if [Usage::Challan, Usage::Receipt, Usage::Status].iter().any(|&u| active.key(u).kid() == k.kid()) { "  (this node)" } else { "" };
                println!("{}  {:<7}  issuer {}  {status}  from {}{until}{mine}", k.kid(), k.usage.as_str(), k.issuer, time(k.valid_from_s));
            }
        }
        KeysCommand::Rotate { usage, grace_secs, .. } => {
            anyhow::ensure!((0..=86_400).contains(&grace_secs), "--grace-secs must be between 0 and 86400");
            let usages: Vec<Usage> =
                if usage.is_empty() { vec![Usage::Challan, Usage::Receipt, Usage::Status] } else { usage.into_iter().map(Usage::from).collect() };
            let published = seals.rotate(&usages, grace_secs, &actor, Timestamp::now()).await?;
            println!("rotated {} key(s); trust list is now version {}", usages.len(), published.version());
        }
        KeysCommand::Compromise { kid, at, .. } => {
            let bytes = mahasil_server::seals::trust::parse_kid(&kid)?;
            let published = seals.compromise(Kid::from_slice(&bytes)?, at.unwrap_or_else(Timestamp::now), &actor, Timestamp::now()).await?;
            println!("key {kid} marked compromised; trust list is now version {}", published.version());
        }
        KeysCommand::ExportTrustList { file, .. } => {
            let bundle = seals.bundle();
            write_json(&file, &bundle)?;
            println!("wrote trust list version {} to {} (authority kid {})", bundle.version, file.display(), bundle.authority_kid);
        }
        KeysCommand::ExportRevocations { file, .. } => {
            let list = revocations::signed(&seals, &store, 0, Timestamp::now()).await?;
            write_json(&file, &list)?;
            println!("wrote revocation list version {} ({} cancelled challans) to {}", list.version, list.entries, file.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn time(s: i64) -> String {
    Timestamp::from_second(s).map_or_else(|_| s.to_string(), |t| t.to_string())
}

fn write_json<T: serde::Serialize>(file: &Path, value: &T) -> anyhow::Result<()> {
    let text = serde_json::to_string_pretty(value)?;
    std::fs::write(file, text + "\n").map_err(|e| anyhow::anyhow!("cannot write {}: {e}", file.display()))
}
