//! How a sandbox gateway behaves: its address, its one merchant, and how unreliable it is
//! on purpose (late, dropped and repeated callbacks, random declines). [`SandboxArgs`] is
//! the command line (`mahasil sandbox-gateway`); [`SandboxConfig`] the same as plain values.

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::str::FromStr;

use clap::Args;
use reqwest::Url;

/// The demo merchant's id.
pub const DEFAULT_MERCHANT: &str = "mahasil-demo";
/// The demo merchant's secret (a demo value: set `MAHASIL_GATEWAY_SECRET` anywhere else).
pub const DEFAULT_SECRET: &str = "demo-gateway-secret";
/// The default listening port.
pub const DEFAULT_PORT: u16 = 8090;
/// Most tries of one callback delivery.
pub const MAX_CALLBACK_TRIES: u32 = 20;
/// Longest delay any setting may ask for, in milliseconds (ten minutes).
pub const MAX_DELAY_MS: u64 = 600_000;

/// A probability from 0 to 1 inclusive.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Default)]
pub struct Fraction(f64);

impl Fraction {
    pub const NEVER: Self = Self(0.0);
    pub const ALWAYS: Self = Self(1.0);

    /// `None` unless `value` is a number from 0 to 1.
    pub fn new(value: f64) -> Option<Self> {
        (0.0..=1.0).contains(&value).then_some(Self(value))
    }

    pub fn get(self) -> f64 {
        self.0
    }
}

impl FromStr for Fraction {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.trim().parse::<f64>().ok().and_then(Self::new).ok_or_else(|| format!("{s:?} is not a number from 0 to 1"))
    }
}

impl fmt::Display for Fraction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// `mahasil sandbox-gateway`: a hosted-payment gateway for the demo and the tests. Nothing
/// real is charged; sandbox card numbers decide each outcome.
#[derive(Args, Clone)]
pub struct SandboxArgs {
    /// Address to listen on.
    #[arg(long, value_name = "ADDR", default_value_t = SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::LOCALHOST, DEFAULT_PORT)))]
    pub bind: SocketAddr,
    /// URL at which payers' browsers reach this gateway, for redirect URLs [default: http:// and the listening address].
    #[arg(long, value_name = "URL")]
    pub public_url: Option<Url>,
    /// The merchant id mahasil signs its requests with.
    #[arg(long, value_name = "ID", default_value = DEFAULT_MERCHANT)]
    pub merchant: String,
    /// The merchant's HMAC secret.
    #[arg(long, value_name = "SECRET", env = "MAHASIL_GATEWAY_SECRET", default_value = DEFAULT_SECRET, hide_env_values = true)]
    pub secret: String,
    /// Wait before the first delivery of each callback, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 500, value_parser = clap::value_parser!(u64).range(0..=MAX_DELAY_MS))]
    pub callback_delay_ms: u64,
    /// Wait after the first failed delivery of a callback, doubled after each further one (up to 60 s), in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..=MAX_DELAY_MS))]
    pub callback_retry_ms: u64,
    /// Tries of each callback delivery before giving up.
    #[arg(long, value_name = "N", default_value_t = 6, value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_CALLBACK_TRIES)))]
    pub max_callback_tries: u32,
    /// Share of callbacks never sent (0 to 1), so that the merchant must ask for the status.
    #[arg(long, value_name = "FRACTION", default_value_t = Fraction::NEVER)]
    pub drop_callbacks: Fraction,
    /// Share of callbacks delivered a second time after being accepted (0 to 1).
    #[arg(long, value_name = "FRACTION", default_value_t = Fraction::NEVER)]
    pub duplicate_callbacks: Fraction,
    /// How long after its first failure a late-success card succeeds, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 3000, value_parser = clap::value_parser!(u64).range(0..=MAX_DELAY_MS))]
    pub late_success_ms: u64,
    /// Share of otherwise successful card payments declined at random (0 to 1).
    #[arg(long, value_name = "FRACTION", default_value_t = Fraction::NEVER)]
    pub fail_rate: Fraction,
    /// Seed of the random choices (declines, dropped and repeated callbacks), for a run that can be repeated.
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
}

impl fmt::Debug for SandboxArgs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&SandboxConfig::from(self.clone()), f)
    }
}

/// Everything a sandbox gateway needs, as plain values. `Default` is the demo set-up.
#[derive(Clone, PartialEq)]
pub struct SandboxConfig {
    /// Where [`super::run`] listens, and the host of redirect URLs when `public_url` is unset.
    pub bind: SocketAddr,
    /// Base URL for the hosted page links; `None`: `http://` and the listening address.
    pub public_url: Option<Url>,
    pub merchant_id: String,
    pub secret: String,
    pub callback_delay_ms: u64,
    pub callback_retry_ms: u64,
    pub max_callback_tries: u32,
    pub drop_callbacks: Fraction,
    pub duplicate_callbacks: Fraction,
    pub late_success_ms: u64,
    pub fail_rate: Fraction,
    pub seed: Option<u64>,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            bind: SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::LOCALHOST, DEFAULT_PORT)),
            public_url: None,
            merchant_id: DEFAULT_MERCHANT.into(),
            secret: DEFAULT_SECRET.into(),
            callback_delay_ms: 500,
            callback_retry_ms: 1000,
            max_callback_tries: 6,
            drop_callbacks: Fraction::NEVER,
            duplicate_callbacks: Fraction::NEVER,
            late_success_ms: 3000,
            fail_rate: Fraction::NEVER,
            seed: None,
        }
    }
}

impl fmt::Debug for SandboxConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SandboxConfig")
            .field("bind", &self.bind)
            .field("public_url", &self.public_url.as_ref().map(Url::as_str))
            .field("merchant_id", &self.merchant_id)
            .field("secret", &"<redacted>")
            .field("callback_delay_ms", &self.callback_delay_ms)
            .field("callback_retry_ms", &self.callback_retry_ms)
            .field("max_callback_tries", &self.max_callback_tries)
            .field("drop_callbacks", &self.drop_callbacks)
            .field("duplicate_callbacks", &self.duplicate_callbacks)
            .field("late_success_ms", &self.late_success_ms)
            .field("fail_rate", &self.fail_rate)
            .field("seed", &self.seed)
            .finish()
    }
}

impl From<SandboxArgs> for SandboxConfig {
    fn from(args: SandboxArgs) -> Self {
        Self {
            bind: args.bind,
            public_url: args.public_url,
            merchant_id: args.merchant,
            secret: args.secret,
            callback_delay_ms: args.callback_delay_ms,
            callback_retry_ms: args.callback_retry_ms,
            max_callback_tries: args.max_callback_tries,
            drop_callbacks: args.drop_callbacks,
            duplicate_callbacks: args.duplicate_callbacks,
            late_success_ms: args.late_success_ms,
            fail_rate: args.fail_rate,
            seed: args.seed,
        }
    }
}

/// The base URL of hosted pages, without a trailing slash: `public_url` if set, else
/// `http://` and `listening` (a wildcard address becomes loopback, which a browser can open).
pub(crate) fn public_base(public_url: Option<&Url>, listening: SocketAddr) -> String {
    match public_url {
        Some(url) => url.as_str().trim_end_matches('/').to_string(),
        None => {
            let mut addr = listening;
            if addr.ip().is_unspecified() {
                addr.set_ip(if addr.is_ipv4() { Ipv4Addr::LOCALHOST.into() } else { std::net::Ipv6Addr::LOCALHOST.into() });
            }
            format!("http://{addr}")
        }
    }
}

#[cfg(test)]
mod tests {
    #![expect(clippy::unwrap_used, reason = "a test fails loudly")]

    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        sandbox: SandboxArgs,
    }

    /// How the mahasil binary embeds the sandbox: `mahasil sandbox-gateway [FLAGS]`.
    #[derive(Parser)]
    struct Binary {
        #[command(subcommand)]
        command: Command,
    }

    #[derive(clap::Subcommand)]
    enum Command {
        SandboxGateway(SandboxArgs),
    }

    #[test]
    fn the_arguments_embed_as_a_subcommand() {
        let Command::SandboxGateway(args) =
            Binary::try_parse_from(["mahasil", "sandbox-gateway", "--bind", "127.0.0.1:0", "--drop-callbacks", "0.5"]).unwrap().command;
        assert_eq!((args.bind, args.drop_callbacks), ("127.0.0.1:0".parse().unwrap(), Fraction(0.5)));
    }

    #[test]
    fn the_command_line_defaults_are_the_demo_set_up() {
        // The environment may set MAHASIL_GATEWAY_SECRET; everything else is the default.
        let mut config = SandboxConfig::from(Cli::try_parse_from(["sandbox-gateway"]).unwrap().sandbox);
        config.secret = DEFAULT_SECRET.into();
        assert_eq!(config, SandboxConfig::default());
    }

    #[test]
    fn every_flag_is_read() {
        let cli = Cli::try_parse_from([
            "sandbox-gateway",
            "--bind=0.0.0.0:9000",
            "--public-url=https://pay.example/sandbox/",
            "--merchant=m1",
            "--secret=s1",
            "--callback-delay-ms=0",
            "--callback-retry-ms=10",
            "--max-callback-tries=3",
            "--drop-callbacks=0.25",
            "--duplicate-callbacks=1",
            "--late-success-ms=100",
            "--fail-rate=0.5",
            "--seed=7",
        ])
        .unwrap();
        let config = SandboxConfig::from(cli.sandbox);
        assert_eq!(config.bind, "0.0.0.0:9000".parse().unwrap());
        assert_eq!(public_base(config.public_url.as_ref(), config.bind), "https://pay.example/sandbox");
        assert_eq!((config.merchant_id.as_str(), config.secret.as_str()), ("m1", "s1"));
        assert_eq!((config.callback_delay_ms, config.callback_retry_ms, config.max_callback_tries), (0, 10, 3));
        assert_eq!((config.drop_callbacks, config.duplicate_callbacks, config.fail_rate), (Fraction(0.25), Fraction::ALWAYS, Fraction(0.5)));
        assert_eq!((config.late_success_ms, config.seed), (100, Some(7)));
        assert!(!format!("{config:?}").contains("s1\""));
    }

    #[test]
    fn out_of_range_values_are_refused() {
        for bad in
            ["--drop-callbacks=1.5", "--fail-rate=-0.1", "--fail-rate=NaN", "--max-callback-tries=0", "--max-callback-tries=21", "--late-success-ms=600001"]
        {
            assert!(Cli::try_parse_from(["sandbox-gateway", bad]).is_err(), "{bad} was accepted");
        }
    }

    #[test]
    fn redirect_base_falls_back_to_the_listening_address() {
        assert_eq!(public_base(None, "127.0.0.1:8090".parse().unwrap()), "http://127.0.0.1:8090");
        assert_eq!(public_base(None, "0.0.0.0:8090".parse().unwrap()), "http://127.0.0.1:8090");
        assert_eq!(public_base(None, "[::]:8090".parse().unwrap()), "http://[::1]:8090");
    }
}
