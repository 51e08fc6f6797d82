//! [`SmtpConfig`]: the mail server to send through, as written in the configuration file,
//! or from a `smtp://` URL (`MAHASIL_SMTP_URL`).

use std::fmt;
use std::path::PathBuf;

use reqwest::Url;
use secrecy::SecretString;
use serde::Deserialize;

use crate::{NotifyError, Result};

/// Default time one email may take to hand over, connection included, in milliseconds.
pub const DEFAULT_SMTP_TIMEOUT_MS: u64 = 30_000;
/// Longest time one email may be given, in milliseconds.
pub const MAX_SMTP_TIMEOUT_MS: u64 = 300_000;
/// The SMTP port used when none is given.
pub const DEFAULT_SMTP_PORT: u16 = 25;

/// How the connection to the mail server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    /// Plain text, for a relay on the same host or network (and the sandbox).
    None,
    /// STARTTLS, required: a server that does not offer it is not sent to.
    #[default]
    Starttls,
}

/// One mail server and the sender's address.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpConfig {
    pub host: String,
    #[serde(default = "default_port")]
    pub port: u16,
    #[serde(default)]
    pub tls: SmtpTls,
    /// A PEM file of one or more CA certificates trusted for this server, besides the
    /// Mozilla roots built in: a province's private relay often has a certificate from its
    /// own CA. Only with `tls = "starttls"`; read when the sender is made.
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// Credentials, when the server asks for them; both or neither.
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub password: Option<SecretString>,
    /// The sender, `Name <address>` or a bare address. Message-IDs use its domain.
    pub from: String,
    /// The name given in EHLO; the host's own name is best. Default `localhost`.
    #[serde(default)]
    pub hello_name: Option<String>,
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u64,
}

fn default_port() -> u16 {
    DEFAULT_SMTP_PORT
}

fn default_timeout_ms() -> u64 {
    DEFAULT_SMTP_TIMEOUT_MS
}

/// The password is never shown.
impl fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("ca_file", &self.ca_file)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "…"))
            .field("from", &self.from)
            .field("hello_name", &self.hello_name)
            .field("timeout_ms", &self.timeout_ms)
            .finish()
    }
}

impl SmtpConfig {
    /// A plain-text configuration for `host:port` (the sandbox, a local relay).
    pub fn plain(host: impl Into<String>, port: u16, from: impl Into<String>) -> Self {
        Self {
            host: host.into(),
            port,
            tls: SmtpTls::None,
            ca_file: None,
            username: None,
            password: None,
            from: from.into(),
            hello_name: None,
            timeout_ms: DEFAULT_SMTP_TIMEOUT_MS,
        }
    }

    /// From `smtp://[user[:password]@]host[:port][?tls=none|starttls[&ca_file=/path/ca.pem]]`,
    /// the form of `MAHASIL_SMTP_URL`. Without `tls` the connection is plain, as a `smtp://`
    /// URL names a local relay; `ca_file` is [`SmtpConfig::ca_file`] and goes with
    /// `tls=starttls`. Percent-encoded user, password and path are decoded.
    pub fn from_url(url: &str, from: impl Into<String>) -> Result<Self> {
        let parsed = Url::parse(url).map_err(|e| NotifyError::config("smtp url", e.to_string()))?;
        if parsed.scheme() != "smtp" {
            return Err(NotifyError::config("smtp url", "must start with smtp://"));
        }
        let host = parsed.host_str().filter(|h| !h.is_empty()).ok_or_else(|| NotifyError::config("smtp url", "has no host"))?;
        let mut config = Self::plain(host.trim_start_matches('[').trim_end_matches(']'), parsed.port().unwrap_or(DEFAULT_SMTP_PORT), from);
        for (key, value) in parsed.query_pairs() {
            match (key.as_ref(), value.as_ref()) {
                ("tls", "none") => config.tls = SmtpTls::None,
                ("tls", "starttls") => config.tls = SmtpTls::Starttls,
                ("ca_file", path) => config.ca_file = Some(PathBuf::from(path)),
                _ => return Err(NotifyError::config("smtp url", format!("unknown setting {key}={value}; only tls=none|starttls and ca_file=PATH"))),
            }
        }
        if !parsed.username().is_empty() {
            config.username = Some(percent_decode(parsed.username()));
            config.password = parsed.password().map(|p| SecretString::from(percent_decode(p)));
        }
        Ok(config)
    }

    pub(crate) fn check(&self) -> Result<()> {
        if self.host.trim().is_empty() {
            return Err(NotifyError::config("host", "must not be empty"));
        }
        if self.timeout_ms == 0 || self.timeout_ms > MAX_SMTP_TIMEOUT_MS {
            return Err(NotifyError::config("timeout_ms", format!("must be 1 to {MAX_SMTP_TIMEOUT_MS}")));
        }
        if self.username.is_some() != self.password.is_some() {
            return Err(NotifyError::config("username", "username and password go together"));
        }
        match (&self.ca_file, self.tls) {
            (Some(path), _) if path.as_os_str().is_empty() => Err(NotifyError::config("ca_file", "must not be empty")),
            // A CA for a plain connection would trust nothing and suggest that mail is protected.
            (Some(path), SmtpTls::None) => Err(NotifyError::config("ca_file", format!("{} is used only with tls = \"starttls\"", path.display()))),
            _ => Ok(()),
        }
    }
}

/// `%XX` sequences as bytes, read as UTF-8.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok()).and_then(|h| u8::from_str_radix(h, 16).ok());
        match (byte, hex) {
            (b'%', Some(decoded)) => {
                out.push(decoded);
                i += 3;
            }
            _ => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret;

    use super::*;

    #[test]
    fn smtp_urls_give_host_port_tls_and_credentials() -> Result<()> {
        let plain = SmtpConfig::from_url("smtp://127.0.0.1:2525", "noreply@mahasil.test")?;
        assert_eq!((plain.host.as_str(), plain.port, plain.tls), ("127.0.0.1", 2525, SmtpTls::None));
        assert!(plain.username.is_none());
        let secured = SmtpConfig::from_url("smtp://user%40x:p%3Ass@mail.example.pk?tls=starttls", "noreply@mahasil.test")?;
        assert_eq!((secured.host.as_str(), secured.port, secured.tls), ("mail.example.pk", DEFAULT_SMTP_PORT, SmtpTls::Starttls));
        assert_eq!(secured.username.as_deref(), Some("user@x"));
        assert_eq!(secured.password.as_ref().map(|p| p.expose_secret().to_string()).as_deref(), Some("p:ss"));
        assert!(!format!("{secured:?}").contains("p:ss"));
        assert!(SmtpConfig::from_url("http://x", "a@b.pk").is_err());
        assert!(SmtpConfig::from_url("smtp://x?tls=maybe", "a@b.pk").is_err());
        Ok(())
    }

    #[test]
    fn a_url_names_the_relays_own_ca() -> Result<()> {
        let config = SmtpConfig::from_url("smtp://relay.kp.gov.pk:587?tls=starttls&ca_file=/etc/mahasil/relay%20ca.pem", "a@b.pk")?;
        assert_eq!(config.ca_file.as_deref(), Some(std::path::Path::new("/etc/mahasil/relay ca.pem")));
        assert!(format!("{config:?}").contains("relay ca.pem"));
        assert!(config.check().is_ok());
        Ok(())
    }

    #[test]
    fn a_ca_file_needs_starttls() -> Result<()> {
        let plain = SmtpConfig::from_url("smtp://127.0.0.1:2525?ca_file=/etc/mahasil/ca.pem", "a@b.pk")?;
        let error = plain.check().err().map(|e| e.to_string()).unwrap_or_default();
        assert!(error.starts_with("ca_file: /etc/mahasil/ca.pem is used only with tls"), "{error}");
        let empty = SmtpConfig { ca_file: Some(PathBuf::new()), tls: SmtpTls::Starttls, ..plain };
        assert!(empty.check().is_err());
        Ok(())
    }

    #[test]
    fn a_configuration_file_reads() -> Result<(), Box<dyn std::error::Error>> {
        let config: SmtpConfig = toml::from_str(
            "host = \"mail.kp.gov.pk\"\nport = 587\ntls = \"starttls\"\nusername = \"mahasil\"\npassword = \"x\"\nfrom = \"mahasil <noreply@kp.gov.pk>\"\ntimeout_ms = 20000\n",
        )?;
        assert_eq!(config.port, 587);
        assert_eq!(config.ca_file, None);
        assert!(config.check().is_ok());
        let with_ca: SmtpConfig = toml::from_str("host = \"mail.kp.gov.pk\"\nfrom = \"noreply@kp.gov.pk\"\nca_file = \"/etc/mahasil/kp-ca.pem\"\n")?;
        assert_eq!(with_ca.ca_file.as_deref(), Some(std::path::Path::new("/etc/mahasil/kp-ca.pem")));
        Ok(())
    }
}
