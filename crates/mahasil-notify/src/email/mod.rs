//! Email over SMTP: [`EmailSender`] sends a rendered [`EmailContent`] as
//! multipart/alternative (a plain text part and an HTML part, UTF-8 throughout, the subject
//! encoded so that Urdu arrives intact), with a Message-ID made from the idempotency key.
//!
//! SMTP has no idempotency of its own: when a connection breaks after the server took the
//! message but before it said so, a retry sends it again. The Message-ID is the same on
//! every attempt, so the copies are recognisable as one message.
//!
//! Outcomes: an invalid address is `Permanent` before connecting; a 5xx reply (550 to RCPT,
//! say) is `Permanent`; a 4xx reply, a timeout, a refused or broken connection, a TLS
//! failure and a server without the required STARTTLS are `Retryable` (nothing is ever sent
//! in the clear when `starttls` is configured). The server's certificate is checked against
//! the Mozilla roots and, when `ca_file` names it, the relay's own CA; one that does not
//! chain to them is a TLS failure like any other.

mod config;
mod tls;

use std::str::FromStr;
use std::time::{Duration, SystemTime};

use jiff::Timestamp;
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::extension::ClientId;
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use mahasil_domain::identity::Email;
use secrecy::ExposeSecret;

pub use self::config::{DEFAULT_SMTP_PORT, DEFAULT_SMTP_TIMEOUT_MS, MAX_SMTP_TIMEOUT_MS, SmtpConfig, SmtpTls};
pub use self::tls::MAX_CA_FILE_BYTES;
use crate::outcome::{IdempotencyKey, SendOutcome, error_chain};
use crate::template::EmailContent;
use crate::{NotifyError, Result};

/// Sends email through one mail server.
#[derive(Clone)]
pub struct EmailSender {
    config: SmtpConfig,
    from: Mailbox,
    transport: AsyncSmtpTransport<Tokio1Executor>,
}

impl std::fmt::Debug for EmailSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmailSender").field("config", &self.config).finish_non_exhaustive()
    }
}

impl EmailSender {
    /// Checks `config`, reads its CA file if it names one, and prepares the transport;
    /// nothing is connected until a send.
    pub fn new(config: SmtpConfig) -> Result<Self> {
        config.check()?;
        let from = Mailbox::from_str(&config.from).map_err(|e| NotifyError::config("from", e.to_string()))?;
        let tls = tls::tls(&config)?;
        let hello = config.hello_name.clone().map_or(ClientId::default(), ClientId::Domain);
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(config.host.clone())
            .port(config.port)
            .tls(tls)
            .hello_name(hello)
            .timeout(Some(Duration::from_millis(config.timeout_ms)));
        if let (Some(user), Some(password)) = (&config.username, &config.password) {
            builder = builder.credentials(Credentials::new(user.clone(), password.expose_secret().to_string()));
        }
        Ok(Self { transport: builder.build(), from, config })
    }

    /// The Message-ID of the message sent with `key`: `<key@domain of the sender>`.
    pub fn message_id(&self, key: &IdempotencyKey) -> String {
        format!("<{key}@{}>", self.from.email.domain())
    }

    /// Sends `content` to the address `to`, dated `now`. Every attempt for one message must
    /// pass the same `idempotency_key`.
    pub async fn send(&self, to: &str, content: &EmailContent, idempotency_key: &IdempotencyKey, now: Timestamp) -> SendOutcome {
        let message = match self.message(to, content, idempotency_key, now) {
            Ok(message) => message,
            Err(reason) => return SendOutcome::permanent(reason),
        };
        let limit = Duration::from_millis(self.config.timeout_ms);
        let outcome = match tokio::time::timeout(limit, self.transport.send(message)).await {
            Err(_) => SendOutcome::retryable(format!("the mail server did not finish within {} ms", self.config.timeout_ms)),
            Ok(Ok(_)) => SendOutcome::Accepted { provider_id: self.message_id(idempotency_key) },
            Ok(Err(e)) => judge_smtp_error(&e),
        };
        tracing::debug!(idempotency_key = %idempotency_key, ?outcome, "email sent to the mail server");
        outcome
    }

    /// The message as it goes on the wire, or why it cannot be made.
    fn message(&self, to: &str, content: &EmailContent, key: &IdempotencyKey, now: Timestamp) -> Result<Message, String> {
        let email = Email::parse(to).map_err(|e| format!("invalid email address: {e}"))?;
        let address = Address::from_str(email.as_str()).map_err(|e| format!("invalid email address: {e}"))?;
        Message::builder()
            .from(self.from.clone())
            .to(Mailbox::new(None, address))
            .subject(content.subject.as_str())
            .message_id(Some(self.message_id(key)))
            .date(SystemTime::from(now))
            .multipart(MultiPart::alternative_plain_html(content.text.clone(), content.html.clone()))
            .map_err(|e| format!("cannot make the message: {e}"))
    }
}

/// The outcome for an SMTP failure.
fn judge_smtp_error(e: &lettre::transport::smtp::Error) -> SendOutcome {
    if e.is_permanent() {
        SendOutcome::permanent(format!("the mail server refused the message: {e}"))
    } else if e.is_transient() {
        SendOutcome::retryable(format!("the mail server deferred the message: {e}"))
    } else if e.is_timeout() {
        SendOutcome::retryable(format!("the mail server timed out: {e}"))
    } else if e.is_client() {
        // The message was checked before connecting, so what is left is the server's
        // side: a server without the STARTTLS the configuration requires, say. That is
        // fixed on the server or in the configuration, not by dropping the notice.
        SendOutcome::retryable(format!("the mail server cannot be used as configured: {e}"))
    } else {
        SendOutcome::retryable(format!("cannot talk to the mail server: {}", error_chain(e)))
    }
}
