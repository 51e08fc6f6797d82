//! One SMTP conversation as a state machine, without IO: a command line in, the reply out.
//! It knows EHLO/HELO, MAIL FROM, RCPT TO, DATA, RSET, NOOP, VRFY and QUIT, in the order
//! RFC 5321 allows them, and STARTTLS (RFC 3207) when the server has a certificate.

use super::SmtpSandboxConfig;

/// Most recipients of one message.
pub const MAX_RECIPIENTS: usize = 100;

/// What the connection does after a command.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Next {
    /// Send this reply (one or more lines, without the last CRLF) and read the next command.
    Reply(String),
    /// Send `354` and read the message up to the line with a single dot.
    ReadData,
    /// Send this reply and close.
    Close(String),
    /// Send `220`, hand the connection to TLS, then call [`Session::tls_started`].
    StartTls,
}

/// Where the conversation stands with TLS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TlsState {
    /// The server has no certificate: STARTTLS is neither offered nor known.
    Unavailable,
    /// Offered in EHLO, not yet started.
    Offered,
    /// The connection is encrypted; STARTTLS is no longer offered.
    Active,
}

/// The sender and recipients of the message being given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Envelope {
    pub mail_from: String,
    pub rcpt_to: Vec<String>,
}

pub(super) struct Session<'a> {
    config: &'a SmtpSandboxConfig,
    greeted: bool,
    tls: TlsState,
    mail_from: Option<String>,
    rcpt_to: Vec<String>,
}

impl<'a> Session<'a> {
    /// A new conversation; `offers_starttls` when the server has a certificate to show.
    pub(super) fn new(config: &'a SmtpSandboxConfig, offers_starttls: bool) -> Self {
        let tls = if offers_starttls { TlsState::Offered } else { TlsState::Unavailable };
        Self { config, greeted: false, tls, mail_from: None, rcpt_to: Vec::new() }
    }

    /// The handshake succeeded. RFC 3207 4.2: both sides forget what was said in the clear,
    /// so the client must say EHLO again before anything else.
    pub(super) fn tls_started(&mut self) {
        self.tls = TlsState::Active;
        self.greeted = false;
        self.reset();
    }

    pub(super) fn over_tls(&self) -> bool {
        self.tls == TlsState::Active
    }

    pub(super) fn greeting(&self) -> String {
        format!("220 {} ESMTP mahasil sandbox", self.config.hostname)
    }

    fn reset(&mut self) {
        self.mail_from = None;
        self.rcpt_to.clear();
    }

    pub(super) fn command(&mut self, line: &str) -> Next {
        let line = line.trim_end_matches(['\r', '\n']);
        let (verb, argument) = line.split_once(' ').unwrap_or((line, ""));
        let reply = |text: &str| Next::Reply(text.to_string());
        match verb.to_ascii_uppercase().as_str() {
            "EHLO" if !argument.trim().is_empty() => {
                self.reset();
                self.greeted = true;
                let host = &self.config.hostname;
                let starttls = if self.tls == TlsState::Offered { "250-STARTTLS\r\n" } else { "" };
                Next::Reply(format!(
                    "250-{host} greets {}\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250-ENHANCEDSTATUSCODES\r\n{starttls}250 SIZE {}",
                    argument.trim(),
                    self.config.max_message_bytes
                ))
            }
            "HELO" if !argument.trim().is_empty() => {
                self.reset();
                self.greeted = true;
                Next::Reply(format!("250 {}", self.config.hostname))
            }
            "EHLO" | "HELO" => reply("501 5.5.4 Say who you are"),
            "STARTTLS" => self.starttls(argument),
            "MAIL" => self.mail(argument),
            "RCPT" => self.rcpt(argument),
            "DATA" if !self.rcpt_to.is_empty() => Next::ReadData,
            "DATA" => reply("503 5.5.1 RCPT first"),
            "RSET" => {
                self.reset();
                reply("250 2.0.0 Reset")
            }
            "NOOP" => reply("250 2.0.0 OK"),
            "VRFY" => reply("252 2.5.0 Cannot verify, but will accept"),
            "QUIT" => Next::Close("221 2.0.0 Bye".into()),
            "" => reply("500 5.5.2 Empty command"),
            _ => reply("502 5.5.2 Command not implemented"),
        }
    }

    fn starttls(&self, argument: &str) -> Next {
        match self.tls {
            TlsState::Unavailable => Next::Reply("502 5.5.1 STARTTLS not offered".into()),
            TlsState::Active => Next::Reply("503 5.5.1 TLS already started".into()),
            TlsState::Offered if !argument.trim().is_empty() => Next::Reply("501 5.5.4 Syntax: STARTTLS, without parameters".into()),
            TlsState::Offered if !self.greeted => Next::Reply("503 5.5.1 EHLO first".into()),
            TlsState::Offered => Next::StartTls,
        }
    }

    fn mail(&mut self, argument: &str) -> Next {
        if !self.greeted {
            return Next::Reply("503 5.5.1 EHLO first".into());
        }
        if self.mail_from.is_some() {
            return Next::Reply("503 5.5.1 MAIL already given".into());
        }
        let Some((address, parameters)) = path(argument, "FROM:") else {
            return Next::Reply("501 5.5.4 Syntax: MAIL FROM:<address>".into());
        };
        let declared_size = parameters.split_whitespace().find_map(|p| p.to_ascii_uppercase().strip_prefix("SIZE=").and_then(|n| n.parse::<usize>().ok()));
        if declared_size.is_some_and(|size| size > self.config.max_message_bytes) {
            return Next::Reply(format!("552 5.3.4 Message larger than {} bytes", self.config.max_message_bytes));
        }
        self.mail_from = Some(address);
        Next::Reply("250 2.1.0 Sender OK".into())
    }

    fn rcpt(&mut self, argument: &str) -> Next {
        if self.mail_from.is_none() {
            return Next::Reply("503 5.5.1 MAIL first".into());
        }
        let Some((address, _)) = path(argument, "TO:") else {
            return Next::Reply("501 5.5.4 Syntax: RCPT TO:<address>".into());
        };
        if self.rcpt_to.len() >= MAX_RECIPIENTS {
            return Next::Reply(format!("452 4.5.3 At most {MAX_RECIPIENTS} recipients"));
        }
        if self.config.reject_recipients.iter().any(|r| r.eq_ignore_ascii_case(&address)) {
            return Next::Reply(format!("550 5.1.1 <{address}>: recipient unknown"));
        }
        self.rcpt_to.push(address);
        Next::Reply("250 2.1.5 Recipient OK".into())
    }

    /// The end of DATA: the envelope of the message given, which starts a new transaction.
    pub(super) fn take_envelope(&mut self) -> Option<Envelope> {
        let mail_from = self.mail_from.take()?;
        Some(Envelope { mail_from, rcpt_to: std::mem::take(&mut self.rcpt_to) })
    }
}

/// The address in `FROM:<a@b> PARAMS` (or `TO:`), and the parameters after it.
fn path<'l>(argument: &'l str, keyword: &str) -> Option<(String, &'l str)> {
    let head = argument.get(..keyword.len())?;
    if !head.eq_ignore_ascii_case(keyword) {
        return None;
    }
    let rest = argument.get(keyword.len()..)?.trim_start();
    let inner = rest.strip_prefix('<')?;
    let close = inner.find('>')?;
    Some((inner.get(..close)?.to_string(), inner.get(close + 1..)?.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> SmtpSandboxConfig {
        SmtpSandboxConfig { reject_recipients: vec!["gone@example.pk".into()], ..SmtpSandboxConfig::default() }
    }

    fn code(next: &Next) -> &str {
        match next {
            Next::Reply(text) | Next::Close(text) => text.get(..3).unwrap_or_default(),
            Next::ReadData => "354",
            Next::StartTls => "220",
        }
    }

    #[test]
    fn a_whole_transaction() {
        let config = config();
        let mut session = Session::new(&config, false);
        let ehlo = session.command("EHLO client.test\r\n");
        assert!(matches!(&ehlo, Next::Reply(text) if text.contains("250-8BITMIME") && text.contains("250-SMTPUTF8") && text.contains("SIZE")));
        assert_eq!(code(&session.command("MAIL FROM:<noreply@kp.gov.pk> BODY=8BITMIME SMTPUTF8")), "250");
        assert_eq!(code(&session.command("rcpt to: <a@example.pk>")), "250");
        assert_eq!(code(&session.command("RCPT TO:<gone@example.pk>")), "550");
        assert_eq!(session.command("DATA"), Next::ReadData);
        assert_eq!(session.take_envelope(), Some(Envelope { mail_from: "noreply@kp.gov.pk".into(), rcpt_to: vec!["a@example.pk".into()] }));
        assert_eq!(code(&session.command("QUIT")), "221");
    }

    #[test]
    fn commands_out_of_order_are_refused() {
        let config = config();
        let mut session = Session::new(&config, false);
        assert_eq!(code(&session.command("MAIL FROM:<a@b.pk>")), "503");
        assert_eq!(code(&session.command("HELO x")), "250");
        assert_eq!(code(&session.command("RCPT TO:<a@b.pk>")), "503");
        assert_eq!(code(&session.command("DATA")), "503");
        assert_eq!(code(&session.command("MAIL FROM:a@b.pk")), "501");
        assert_eq!(code(&session.command("MAIL FROM:<a@b.pk>")), "250");
        assert_eq!(code(&session.command("MAIL FROM:<a@b.pk>")), "503");
        assert_eq!(code(&session.command("RSET")), "250");
        assert_eq!(code(&session.command("RCPT TO:<a@b.pk>")), "503");
        assert_eq!(code(&session.command("NOOP")), "250");
        assert_eq!(code(&session.command("TURN")), "502");
        assert_eq!(code(&session.command("EHLO")), "501");
    }

    #[test]
    fn a_declared_size_over_the_limit_is_refused_at_once() {
        let config = SmtpSandboxConfig { max_message_bytes: 1000, ..config() };
        let mut session = Session::new(&config, false);
        session.command("EHLO x");
        assert_eq!(code(&session.command("MAIL FROM:<a@b.pk> SIZE=1001")), "552");
        assert_eq!(code(&session.command("MAIL FROM:<a@b.pk> SIZE=1000")), "250");
    }

    #[test]
    fn starttls_is_offered_once_and_asks_for_a_new_ehlo() {
        let config = config();
        let mut session = Session::new(&config, true);
        assert_eq!(code(&session.command("STARTTLS")), "503");
        let ehlo = session.command("EHLO client.test");
        assert!(matches!(&ehlo, Next::Reply(text) if text.contains("250-STARTTLS\r\n")), "{ehlo:?}");
        assert_eq!(code(&session.command("STARTTLS now")), "501");
        assert_eq!(code(&session.command("MAIL FROM:<noreply@kp.gov.pk>")), "250");
        assert_eq!(session.command("starttls"), Next::StartTls);
        assert!(!session.over_tls());

        session.tls_started();
        assert!(session.over_tls());
        // What was said in the clear is forgotten: the sender and the greeting.
        assert_eq!(code(&session.command("MAIL FROM:<noreply@kp.gov.pk>")), "503");
        let ehlo = session.command("EHLO client.test");
        assert!(matches!(&ehlo, Next::Reply(text) if !text.contains("STARTTLS")), "{ehlo:?}");
        assert_eq!(code(&session.command("STARTTLS")), "503");
        assert_eq!(code(&session.command("MAIL FROM:<noreply@kp.gov.pk>")), "250");
        assert_eq!(code(&session.command("RCPT TO:<a@example.pk>")), "250");
    }

    #[test]
    fn without_a_certificate_starttls_is_unknown() {
        let config = config();
        let mut session = Session::new(&config, false);
        let ehlo = session.command("EHLO client.test");
        assert!(matches!(&ehlo, Next::Reply(text) if !text.contains("STARTTLS")), "{ehlo:?}");
        assert_eq!(code(&session.command("STARTTLS")), "502");
        assert!(!session.over_tls());
    }
}
