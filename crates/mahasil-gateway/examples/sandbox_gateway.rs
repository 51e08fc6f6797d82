//! The sandbox gateway on its own, before or without the mahasil binary (which embeds the
//! same arguments as `mahasil sandbox-gateway`):
//!
//! ```text
//! cargo run -p mahasil-gateway --example sandbox_gateway -- --callback-delay-ms 200
//! ```

use clap::Parser;
use mahasil_gateway::sandbox::{self, SandboxArgs};
use tracing_subscriber::EnvFilter;

#[derive(Parser)]
#[command(name = "sandbox-gateway", about = "A hosted-payment gateway for the demo and tests: no card is charged.")]
struct Cli {
    #[command(flatten)]
    sandbox: SandboxArgs,
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    tracing_subscriber::fmt().with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"))).init();
    sandbox::run(Cli::parse().sandbox).await
}
