//! The sandbox mail server: a small SMTP receiver on a real socket. It advertises
//! 8BITMIME and SMTPUTF8, refuses messages over its size limit, answers 550 to the
//! recipients it is told to refuse, and keeps every message it accepts, parsed with
//! `mail-parser`, for [`SmtpSandbox::messages`]. Started with a certificate
//! ([`SmtpSandbox::start_with_starttls`]) it also offers STARTTLS, as a relay does.
//!
//! - `session`: the conversation's rules, without IO;
//! - `connection`: reading commands and message data from one client, and the upgrade;
//! - `tls`: the certificate and key shown after STARTTLS.

mod connection;
mod session;
mod tls;

use std::collections::VecDeque;
use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use jiff::Timestamp;
use mail_parser::{MessageParser, PartType};
use serde::{Deserialize, Serialize};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio::task::{JoinHandle, JoinSet};

pub use self::session::MAX_RECIPIENTS;
pub use self::tls::SmtpSandboxTls;
use crate::email::SmtpConfig;

/// Default size limit of one message, in bytes.
pub const DEFAULT_MAX_MESSAGE_BYTES: usize = 10 * 1024 * 1024;
/// Most messages kept; the oldest are forgotten first.
pub const MAX_STORED_EMAILS: usize = 10_000;
/// Most clients served at once; more are told to come back later (421).
pub const MAX_CONNECTIONS: usize = 64;

/// How the sandbox mail server behaves.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SmtpSandboxConfig {
    /// The name it gives in its greeting.
    pub hostname: String,
    pub max_message_bytes: usize,
    /// Recipients answered `550` at RCPT TO (compared without regard to case).
    pub reject_recipients: Vec<String>,
}

impl Default for SmtpSandboxConfig {
    fn default() -> Self {
        Self { hostname: "sandbox.mahasil.test".into(), max_message_bytes: DEFAULT_MAX_MESSAGE_BYTES, reject_recipients: Vec::new() }
    }
}

/// One message the sandbox accepted, with the parts a test or the demo looks at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReceivedEmail {
    /// The envelope: MAIL FROM and RCPT TO.
    pub mail_from: String,
    pub rcpt_to: Vec<String>,
    /// The message as it came, dots unstuffed, lines ending CRLF.
    #[serde(skip)]
    pub raw: Vec<u8>,
    pub message_id: Option<String>,
    /// The decoded subject.
    pub subject: Option<String>,
    /// The first `text/plain` part, decoded.
    pub text: Option<String>,
    /// The first `text/html` part, decoded.
    pub html: Option<String>,
    pub received_at: Timestamp,
    /// Whether it came over TLS, after STARTTLS.
    pub over_tls: bool,
}

impl ReceivedEmail {
    fn parse(envelope: session::Envelope, raw: Vec<u8>, over_tls: bool) -> Self {
        let parsed = MessageParser::default().parse(&raw);
        let part = |html: bool| {
            parsed.as_ref()?.parts.iter().find_map(|p| match (&p.body, html) {
                (PartType::Text(text), false) | (PartType::Html(text), true) => Some(text.to_string()),
                _ => None,
            })
        };
        let (text, html) = (part(false), part(true));
        let subject = parsed.as_ref().and_then(|m| m.subject()).map(str::to_string);
        let message_id = parsed.as_ref().and_then(|m| m.message_id()).map(str::to_string);
        let received_at = Timestamp::now();
        Self { mail_from: envelope.mail_from, rcpt_to: envelope.rcpt_to, message_id, subject, text, html, raw, received_at, over_tls }
    }
}

/// What the connections share: the settings, the certificate if any, and the messages kept.
pub(crate) struct Mailbox {
    config: SmtpSandboxConfig,
    tls: Option<SmtpSandboxTls>,
    emails: Mutex<VecDeque<ReceivedEmail>>,
}

impl Mailbox {
    fn emails(&self) -> MutexGuard<'_, VecDeque<ReceivedEmail>> {
        // Each change is one push or pop, so a panic elsewhere leaves the list whole.
        self.emails.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn keep(&self, email: ReceivedEmail) {
        let mut emails = self.emails();
        if emails.len() >= MAX_STORED_EMAILS {
            emails.pop_front();
        }
        emails.push_back(email);
    }
}

/// A running sandbox mail server; dropping it stops it and every connection.
pub struct SmtpSandbox {
    addr: SocketAddr,
    mailbox: Arc<Mailbox>,
    task: JoinHandle<()>,
}

impl std::fmt::Debug for SmtpSandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpSandbox").field("addr", &self.addr).field("starttls", &self.mailbox.tls.is_some()).finish_non_exhaustive()
    }
}

impl Drop for SmtpSandbox {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl SmtpSandbox {
    /// Serves SMTP in plain text on `listener`, from within a Tokio runtime.
    pub fn start(listener: TcpListener, config: SmtpSandboxConfig) -> io::Result<Self> {
        Self::serve(listener, config, None)
    }

    /// Serves SMTP on `listener` and offers STARTTLS with `tls`, from within a Tokio runtime.
    /// Clients that do not ask for it are still served in plain text; the messages say which
    /// way they came ([`ReceivedEmail::over_tls`]).
    pub fn start_with_starttls(listener: TcpListener, config: SmtpSandboxConfig, tls: SmtpSandboxTls) -> io::Result<Self> {
        Self::serve(listener, config, Some(tls))
    }

    fn serve(listener: TcpListener, config: SmtpSandboxConfig, tls: Option<SmtpSandboxTls>) -> io::Result<Self> {
        let addr = listener.local_addr()?;
        let starttls = tls.is_some();
        let mailbox = Arc::new(Mailbox { config, tls, emails: Mutex::new(VecDeque::new()) });
        let task = tokio::spawn(accept(listener, Arc::clone(&mailbox)));
        tracing::info!(%addr, starttls, "sandbox mail server listening");
        Ok(Self { addr, mailbox, task })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// A plain-text client configuration for this server, sending as `from`. For STARTTLS,
    /// set `tls` and a `ca_file` that holds the CA of the sandbox's certificate.
    pub fn client_config(&self, from: &str) -> SmtpConfig {
        SmtpConfig::plain(self.addr.ip().to_string(), self.addr.port(), from)
    }

    /// Every message kept, oldest first.
    pub fn messages(&self) -> Vec<ReceivedEmail> {
        self.mailbox.emails().iter().cloned().collect()
    }

    /// Stops serving and drops every connection; the port is closed when this returns.
    pub async fn stop(mut self) {
        self.task.abort();
        // The task's result says only that it was aborted, which is what was asked.
        let _ = (&mut self.task).await;
    }
}

/// Accepts clients until aborted; the connections live in a set that dies with this task.
async fn accept(listener: TcpListener, mailbox: Arc<Mailbox>) {
    let mut connections = JoinSet::new();
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    loop {
        while connections.try_join_next().is_some() {}
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                tracing::warn!(error = %e, "sandbox mail server cannot accept");
                continue;
            }
        };
        let slot = Arc::clone(&slots).try_acquire_owned().ok();
        let mailbox = Arc::clone(&mailbox);
        connections.spawn(async move {
            let result = match slot {
                Some(_slot) => connection::serve(stream, &mailbox).await,
                None => connection::turn_away(stream).await,
            };
            if let Err(e) = result {
                tracing::debug!(%peer, error = %e, "sandbox SMTP connection ended");
            }
        });
    }
}
