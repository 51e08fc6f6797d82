//! Configuration: built-in defaults, then a TOML file, then `MAHASIL_*` environment
//! variables, then command-line flags. Secrets (a database password) are never printed:
//! `Debug` and logs show the URL redacted.

use std::fmt;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

/// Environment variables read, each `MAHASIL_` + the upper-cased key.
pub const ENV_KEYS: [&str; 20] = [
    "data_dir",
    "keys_dir",
    "database_url",
    "bind",
    "public_base_url",
    "node_name",
    "session_ttl_secs",
    "smtp_url",
    "mail_from",
    "sms_gateway_url",
    "sms_report_secret",
    "webhook_url",
    "webhook_secret",
    "notify_workers",
    "remind_before_days",
    "gateway_url",
    "gateway_name",
    "gateway_merchant",
    "gateway_secret",
    "link_secret",
];

#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Where the embedded SQLite database lives when no database URL is given.
    pub data_dir: PathBuf,
    /// This node's signing keys (owner-only files); empty means `<data_dir>/keys`.
    pub keys_dir: PathBuf,
    /// `postgres://user:password@host/db` for PostgreSQL; empty for SQLite in `data_dir`.
    pub database_url: String,
    /// Address to listen on.
    pub bind: String,
    /// Base of links on notices and QR codes.
    pub public_base_url: String,
    /// This node's name in the issuer registry; each node gets its own issuer number.
    pub node_name: String,
    /// How long a sign-in lasts.
    pub session_ttl_secs: i64,
    /// `smtp://[user:password@]host:port[?tls=starttls]` of the mail relay; empty: no email
    /// (in demo mode a sandbox mail server is started on a loopback port instead).
    pub smtp_url: String,
    /// The From of notification emails.
    pub mail_from: String,
    /// Base URL of an SMS gateway speaking the sandbox's JSON shape (mahasil-notify's
    /// README); empty: the `[sms_gateway]` table, or no SMS (in demo mode a sandbox).
    pub sms_gateway_url: String,
    /// A gateway of any other shape: URL, method, headers, body template, success rule.
    pub sms_gateway: Option<mahasil_notify::sms_gateway::SmsGatewayConfig>,
    /// The secret the SMS gateway signs delivery reports with (never printed or logged).
    pub sms_report_secret: String,
    /// Where every message is also POSTed as a signed JSON event; empty: no webhook.
    pub webhook_url: String,
    /// The webhook's signing secret (never printed or logged).
    pub webhook_secret: String,
    /// Notification workers this node runs; 0: it sends nothing (another node or
    /// `mahasil worker` does).
    pub notify_workers: u32,
    /// Days before the due date an unpaid challan's reminder goes out.
    pub remind_before_days: u32,
    /// Base URL of the online payment gateway; empty: citizens cannot pay online (in demo
    /// mode a sandbox gateway is started on a loopback port instead).
    pub gateway_url: String,
    /// Short name of the gateway: its money waits in `clearing:gateway:{name}`.
    pub gateway_name: String,
    /// This province's merchant id at the gateway.
    pub gateway_merchant: String,
    /// The merchant secret shared with the gateway (never printed or logged).
    pub gateway_secret: String,
    /// The secret citizens' page links are signed with, the same on every node (never
    /// printed or logged); empty: each node draws its own, fine for a single node.
    pub link_secret: String,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("./mahasil-data"),
            keys_dir: PathBuf::new(),
            database_url: String::new(),
            bind: "127.0.0.1:8080".into(),
            public_base_url: "http://127.0.0.1:8080".into(),
            node_name: "node-1".into(),
            session_ttl_secs: 12 * 3600,
            smtp_url: String::new(),
            mail_from: "Government of Khyber Pakhtunkhwa <noreply@mahasil.localhost>".into(),
            sms_gateway_url: String::new(),
            sms_gateway: None,
            sms_report_secret: String::new(),
            webhook_url: String::new(),
            webhook_secret: String::new(),
            notify_workers: 2,
            remind_before_days: 3,
            gateway_url: String::new(),
            gateway_name: "sandbox".into(),
            gateway_merchant: "mahasil-demo".into(),
            gateway_secret: String::new(),
            link_secret: String::new(),
        }
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("data_dir", &self.data_dir)
            .field("keys_dir", &self.effective_keys_dir())
            .field("database_url", &mahasil_store::redact_url(&self.database_url))
            .field("bind", &self.bind)
            .field("public_base_url", &self.public_base_url)
            .field("node_name", &self.node_name)
            .field("session_ttl_secs", &self.session_ttl_secs)
            .field("smtp_url", &mahasil_store::redact_url(&self.smtp_url))
            .field("mail_from", &self.mail_from)
            .field("sms_gateway_url", &mahasil_store::redact_url(&self.sms_gateway_url))
            .field("sms_gateway", &self.sms_gateway.as_ref().map(|g| mahasil_store::redact_url(&g.url)))
            .field("sms_report_secret", &if self.sms_report_secret.is_empty() { "" } else { "***" })
            .field("webhook_url", &mahasil_store::redact_url(&self.webhook_url))
            .field("webhook_secret", &if self.webhook_secret.is_empty() { "" } else { "***" })
            .field("notify_workers", &self.notify_workers)
            .field("remind_before_days", &self.remind_before_days)
            .field("gateway_url", &mahasil_store::redact_url(&self.gateway_url))
            .field("gateway_name", &self.gateway_name)
            .field("gateway_merchant", &self.gateway_merchant)
            .field("gateway_secret", &if self.gateway_secret.is_empty() { "" } else { "***" })
            .field("link_secret", &if self.link_secret.is_empty() { "" } else { "***" })
            .finish()
    }
}

impl Config {
    /// Defaults, then `file` (if given; it must exist), then the environment.
    pub fn load(file: Option<&Path>) -> Result<Self, Box<figment::Error>> {
        let mut fig = Figment::from(Serialized::defaults(Config::default()));
        if let Some(path) = file {
            if !path.exists() {
                return Err(Box::new(figment::Error::from(format!("config file {} does not exist", path.display()))));
            }
            fig = fig.merge(Toml::file_exact(path));
        }
        fig = fig.merge(Env::prefixed("MAHASIL_").only(&ENV_KEYS));
        fig.extract().map_err(Box::new)
    }

    /// The database to open: the configured URL, or the SQLite file in the data directory.
    pub fn effective_database_url(&self) -> String {
        if self.database_url.trim().is_empty() {
            format!("sqlite://{}", self.data_dir.join("mahasil.db").display())
        } else {
            self.database_url.trim().to_string()
        }
    }

    /// Where this node's signing keys live.
    pub fn effective_keys_dir(&self) -> PathBuf {
        if self.keys_dir.as_os_str().is_empty() { self.data_dir.join("keys") } else { self.keys_dir.clone() }
    }

    pub fn check(&self) -> anyhow::Result<()> {
        anyhow::ensure!(self.session_ttl_secs >= 60 && self.session_ttl_secs <= 30 * 86_400, "session_ttl_secs must be between 60 and 2592000");
        anyhow::ensure!(
            self.public_base_url.starts_with("http://") || self.public_base_url.starts_with("https://"),
            "public_base_url must start with http:// or https://"
        );
        anyhow::ensure!(!self.node_name.trim().is_empty() && self.node_name.len() <= 64, "node_name must be 1..=64 characters");
        anyhow::ensure!(mahasil_domain::jurisdiction::Slug::parse(&self.gateway_name).is_ok(), "gateway_name must be a lowercase slug, e.g. sandbox");
        anyhow::ensure!(
            self.gateway_url.is_empty() || !self.gateway_secret.is_empty(),
            "gateway_secret must be set when gateway_url is (the merchant secret the gateway signs with)"
        );
        anyhow::ensure!(self.link_secret.is_empty() || self.link_secret.len() >= 32, "link_secret must have at least 32 characters");
        anyhow::ensure!(self.sms_gateway_url.is_empty() || self.sms_gateway.is_none(), "give either sms_gateway_url or an [sms_gateway] table, not both");
        anyhow::ensure!(self.webhook_url.is_empty() || !self.webhook_secret.is_empty(), "webhook_secret must be set when webhook_url is");
        anyhow::ensure!(self.notify_workers <= MAX_NOTIFY_WORKERS, "notify_workers must be at most {MAX_NOTIFY_WORKERS}");
        anyhow::ensure!(self.remind_before_days <= 30, "remind_before_days must be at most 30");
        Ok(())
    }
}

/// Most notification workers one node runs.
pub const MAX_NOTIFY_WORKERS: u32 = 64;

/// The commented configuration file `mahasil default-config` prints.
pub const DEFAULT_CONFIG_TOML: &str = r#"# mahasil configuration. Every key can also be set as an environment variable
# MAHASIL_<KEY> (e.g. MAHASIL_DATABASE_URL); command-line flags override both.

# Where the embedded SQLite database lives when database_url is empty.
data_dir = "./mahasil-data"

# This node's signing keys, one file per key, readable by the owner only (empty:
# <data_dir>/keys). A new installation also creates the authority root key here; in
# production, keep authority.pk8 offline and leave only authority.pub on the nodes.
keys_dir = ""

# PostgreSQL instead of SQLite: postgres://user:password@host:5432/dbname
# (the password is never printed or logged).
database_url = ""

# Address to listen on.
bind = "127.0.0.1:8080"

# Base of links printed on notices and in QR codes.
public_base_url = "http://127.0.0.1:8080"

# This node's name in the issuer registry. Each app node needs its own name: its
# challans are numbered under its own issuer number.
node_name = "node-1"

# How long a sign-in lasts, in seconds.
session_ttl_secs = 43200

# Notifications (crates/mahasil-notify/README.md). Mail relay:
# smtp://[user:password@]host:port[?tls=none|starttls][&ca_file=PATH] (STARTTLS unless
# tls=none; ca_file: a PEM of the relay's own CA; empty: no email; `serve --demo` then
# starts a sandbox mail server on a loopback port), and the From of the emails.
smtp_url = ""
mail_from = "Government of Khyber Pakhtunkhwa <noreply@mahasil.localhost>"

# SMS gateway speaking the sandbox's JSON shape (empty: no SMS, unless an [sms_gateway]
# table at the end describes a gateway of another shape; `serve --demo` starts a sandbox),
# and the secret it signs delivery reports with (POSTed to /api/v1/notify/sms-reports).
sms_gateway_url = ""
sms_report_secret = ""

# Every message also POSTed as a signed JSON event (empty: no webhook). Each node writes
# its webhook_url to the database at start: give every node the same one. No credentials
# in the URL (it is shown to staff as each message's recipient); the receiver checks the
# signature made with webhook_secret.
webhook_url = ""
webhook_secret = ""

# Notification workers on this node (0: this node sends nothing), and how many days
# before the due date an unpaid challan's reminder goes out.
notify_workers = 2
remind_before_days = 3

# Online payment gateway for citizens (empty: no online payment; `serve --demo` then starts
# a sandbox gateway on a loopback port). Its short name names the clearing account
# clearing:gateway:<name>; the merchant id and secret are the province's at the gateway.
gateway_url = ""
gateway_name = "sandbox"
gateway_merchant = "mahasil-demo"
gateway_secret = ""

# Secret the citizens' challan-page links are signed with (at least 32 characters). Give
# every node behind a load balancer the same one, so a link made on one node opens on
# another; empty: each node draws its own at start (one node).
link_secret = ""

# An SMS gateway of another shape, e.g.:
# [sms_gateway]
# url = "https://sms.example.pk/api/send"
# method = "POST"
# content_type = "application/json"
# body = '{"to":"{to}","text":"{text}","ref":"{idempotency_key}"}'
# provider_id_pointer = "/id"
# timeout_ms = 10000
# [sms_gateway.success]
# statuses = [200]
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printed_default_config_is_the_default() -> Result<(), Box<dyn std::error::Error>> {
        let parsed: Config = toml::from_str(DEFAULT_CONFIG_TOML)?;
        assert_eq!(parsed, Config::default());
        Ok(())
    }

    #[test]
    fn debug_hides_the_password() {
        let c = Config {
            database_url: "postgres://app:s3cret@db:5432/m".into(),
            gateway_secret: "g4teway".into(),
            link_secret: "l1nk-secret-l1nk-secret-l1nk-secret".into(),
            ..Config::default()
        };
        let shown = format!("{c:?}");
        assert!(!shown.contains("s3cret") && !shown.contains("g4teway") && !shown.contains("l1nk"), "{shown}");
        assert!(shown.contains("postgres://app:***@db:5432/m"));
    }

    #[test]
    #[expect(clippy::result_large_err, reason = "figment's Jail fixes the closure's error type")]
    fn file_then_environment() -> Result<(), Box<dyn std::error::Error>> {
        figment::Jail::expect_with(|jail| {
            jail.create_file("m.toml", "bind = \"0.0.0.0:9000\"\nnode_name = \"from-file\"")?;
            jail.set_env("MAHASIL_NODE_NAME", "from-env");
            jail.set_env("MAHASIL_TEST_DATABASE_URL", "ignored");
            let c = Config::load(Some(Path::new("m.toml"))).map_err(|e| e.to_string())?;
            assert_eq!(c.bind, "0.0.0.0:9000");
            assert_eq!(c.node_name, "from-env");
            Ok(())
        });
        Ok(())
    }

    #[test]
    #[expect(clippy::result_large_err, reason = "figment's Jail fixes the closure's error type")]
    fn unknown_key_is_refused() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("m.toml", "bnid = \"0.0.0.0:9000\"")?;
            assert!(Config::load(Some(Path::new("m.toml"))).is_err());
            Ok(())
        });
    }
}
