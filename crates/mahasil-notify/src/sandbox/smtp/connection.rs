//! One client of the sandbox mail server: command lines and message data read with a limit
//! on every line and on the whole message, DATA dot-unstuffed, replies written back, and
//! the connection handed to TLS after STARTTLS.

use std::time::Duration;

use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use super::session::{Next, Session};
use super::{Mailbox, ReceivedEmail};

/// Longest command line, CRLF included (RFC 5321 4.5.3.1.4).
pub const MAX_COMMAND_LINE_BYTES: usize = 512;
/// Longest line of message data, CRLF included (RFC 5321 4.5.3.1.6).
pub const MAX_DATA_LINE_BYTES: usize = 1000;
/// How long a client may stay silent.
const IDLE_TIMEOUT: Duration = Duration::from_secs(300);
/// How long the TLS handshake after STARTTLS may take.
const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(30);

/// One line read.
enum Line {
    Complete(Vec<u8>),
    /// Longer than the limit; read to its end and dropped.
    TooLong,
    Closed,
}

/// Reads one line of at most `limit` bytes, newline included.
async fn read_line(reader: &mut (impl AsyncBufRead + Unpin), limit: usize) -> std::io::Result<Line> {
    let mut line = Vec::new();
    let mut too_long = false;
    loop {
        let available = reader.fill_buf().await?;
        if available.is_empty() {
            return Ok(Line::Closed);
        }
        let (taken, ended) = match available.iter().position(|&b| b == b'\n') {
            Some(end) => (end + 1, true),
            None => (available.len(), false),
        };
        if line.len() + taken > limit {
            too_long = true;
            line.clear();
        } else if !too_long {
            line.extend_from_slice(available.get(..taken).unwrap_or_default());
        }
        reader.consume(taken);
        if ended {
            return Ok(if too_long { Line::TooLong } else { Line::Complete(line) });
        }
    }
}

async fn read_line_in_time(reader: &mut (impl AsyncBufRead + Unpin), limit: usize) -> std::io::Result<Line> {
    tokio::time::timeout(IDLE_TIMEOUT, read_line(reader, limit)).await.unwrap_or(Ok(Line::Closed))
}

/// Tells a client over the connection limit to come back later.
pub(super) async fn turn_away(mut stream: TcpStream) -> std::io::Result<()> {
    stream.write_all(b"421 4.3.2 Too many connections, try again later\r\n").await?;
    stream.shutdown().await
}

/// How a stretch of the conversation ended.
enum Ended {
    /// QUIT, silence or a closed connection.
    Closed,
    /// STARTTLS was accepted; the handshake comes next.
    StartTls,
}

/// Holds one SMTP conversation until QUIT, silence or a closed connection; after STARTTLS,
/// the rest of it is held over TLS.
pub(super) async fn serve<S>(stream: S, mailbox: &Mailbox) -> std::io::Result<()>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let mut plain = BufReader::new(stream);
    let mut session = Session::new(&mailbox.config, mailbox.tls.is_some());
    send(&mut plain, &session.greeting()).await?;
    let (Ended::StartTls, Some(tls)) = (converse(&mut plain, &mut session, mailbox).await?, &mailbox.tls) else { return Ok(()) };
    if !plain.buffer().is_empty() {
        // Commands sent behind STARTTLS, before the handshake, would be taken as if they came
        // over TLS (the injection of CVE-2011-0411): a real client waits for the 220.
        send(&mut plain, "554 5.5.1 Commands followed STARTTLS before the handshake").await?;
        return plain.shutdown().await;
    }
    send(&mut plain, "220 2.0.0 Ready to start TLS").await?;
    let handshake = tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, tls.acceptor().accept(plain.into_inner()));
    let encrypted = handshake.await.map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "TLS handshake took too long"))??;
    session.tls_started();
    let mut encrypted = BufReader::new(encrypted);
    // The session no longer offers STARTTLS, so this ends only by closing.
    converse(&mut encrypted, &mut session, mailbox).await?;
    Ok(())
}

/// Writes one reply, CRLF added, and flushes it (TLS holds written bytes until then).
async fn send(stream: &mut (impl AsyncWrite + Unpin), reply: &str) -> std::io::Result<()> {
    stream.write_all(format!("{reply}\r\n").as_bytes()).await?;
    stream.flush().await
}

/// Reads commands and answers them until the client leaves or STARTTLS is accepted.
async fn converse<S>(stream: &mut BufReader<S>, session: &mut Session<'_>, mailbox: &Mailbox) -> std::io::Result<Ended>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    loop {
        let line = match read_line_in_time(stream, MAX_COMMAND_LINE_BYTES).await? {
            Line::Closed => return Ok(Ended::Closed),
            Line::TooLong => {
                send(stream, "500 5.5.2 Line too long").await?;
                continue;
            }
            Line::Complete(line) => line,
        };
        let reply = match session.command(&String::from_utf8_lossy(&line)) {
            Next::Reply(reply) => reply,
            Next::StartTls => return Ok(Ended::StartTls),
            Next::Close(reply) => {
                send(stream, &reply).await?;
                stream.shutdown().await?;
                return Ok(Ended::Closed);
            }
            Next::ReadData => {
                send(stream, "354 End data with <CR><LF>.<CR><LF>").await?;
                let Some(data) = read_data(stream, mailbox.config.max_message_bytes).await? else { return Ok(Ended::Closed) };
                end_of_data(data, session, mailbox)
            }
        };
        send(stream, &reply).await?;
    }
}

/// Keeps a message that came whole; the reply to the end of DATA.
fn end_of_data(data: Data, session: &mut Session<'_>, mailbox: &Mailbox) -> String {
    match (data, session.take_envelope()) {
        (Data::Message(raw), Some(envelope)) => {
            let email = ReceivedEmail::parse(envelope, raw, session.over_tls());
            let reply = format!("250 2.0.0 Ok: queued as {}", mailbox_id(&email));
            tracing::info!(to = ?email.rcpt_to, subject = email.subject.as_deref(), over_tls = email.over_tls, "sandbox mail server took a message");
            mailbox.keep(email);
            reply
        }
        (Data::TooLarge, _) => format!("552 5.3.4 Message larger than {} bytes", mailbox.config.max_message_bytes),
        (Data::Message(_), None) => "503 5.5.1 No transaction".into(),
    }
}

/// What DATA brought.
enum Data {
    Message(Vec<u8>),
    TooLarge,
}

/// Reads message data up to the line holding a single dot, removing the dot that the
/// client doubled at the start of any line. `None` if the client went away.
async fn read_data(reader: &mut (impl AsyncBufRead + Unpin), max_bytes: usize) -> std::io::Result<Option<Data>> {
    let mut message = Vec::new();
    let mut too_large = false;
    loop {
        let line = match read_line_in_time(reader, MAX_DATA_LINE_BYTES).await? {
            Line::Closed => return Ok(None),
            Line::TooLong => {
                too_large = true;
                continue;
            }
            Line::Complete(line) => line,
        };
        if line == b".\r\n" || line == b".\n" {
            return Ok(Some(if too_large { Data::TooLarge } else { Data::Message(message) }));
        }
        let unstuffed = line.strip_prefix(b".").unwrap_or(&line);
        if message.len() + unstuffed.len() > max_bytes {
            too_large = true;
            message.clear();
        }
        if !too_large {
            message.extend_from_slice(unstuffed);
        }
    }
}

/// A short id for the reply, from the Message-ID when there is one.
fn mailbox_id(email: &ReceivedEmail) -> String {
    let id = email.message_id.as_deref().unwrap_or("no-message-id");
    id.chars().filter(char::is_ascii_alphanumeric).take(16).collect()
}

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;
    use std::sync::Mutex;

    use tokio::io::AsyncReadExt;

    use super::super::{SmtpSandboxConfig, SmtpSandboxTls};
    use super::*;

    async fn data(input: &[u8], max_bytes: usize) -> Option<Vec<u8>> {
        let mut reader = BufReader::new(input);
        match read_data(&mut reader, max_bytes).await {
            Ok(Some(Data::Message(message))) => Some(message),
            _ => None,
        }
    }

    #[tokio::test]
    async fn data_ends_at_a_lone_dot_and_doubled_dots_are_unstuffed() {
        let message = data(b"Subject: x\r\n\r\n..leading dot\r\n.\r\n", 1000).await;
        assert_eq!(message.as_deref(), Some(&b"Subject: x\r\n\r\n.leading dot\r\n"[..]));
        assert_eq!(data(b"a\r\n. \r\n.\r\n", 1000).await.as_deref(), Some(&b"a\r\n \r\n"[..]));
    }

    #[tokio::test]
    async fn oversized_messages_and_lines_are_refused_and_a_cut_is_noticed() {
        assert_eq!(data(b"0123456789\r\n.\r\n", 5).await, None);
        let long_line = [vec![b'x'; MAX_DATA_LINE_BYTES + 1], b"\r\n.\r\n".to_vec()].concat();
        assert_eq!(data(&long_line, usize::MAX).await, None);
        assert_eq!(data(b"no end\r\n", 1000).await, None);
    }

    #[tokio::test]
    async fn lines_are_bounded() -> std::io::Result<()> {
        let mut reader = BufReader::new(&b"short\r\nfar too long a line\r\nok\r\n"[..]);
        assert!(matches!(read_line(&mut reader, 10).await?, Line::Complete(l) if l == b"short\r\n"));
        assert!(matches!(read_line(&mut reader, 10).await?, Line::TooLong));
        assert!(matches!(read_line(&mut reader, 10).await?, Line::Complete(l) if l == b"ok\r\n"));
        assert!(matches!(read_line(&mut reader, 10).await?, Line::Closed));
        Ok(())
    }

    #[tokio::test]
    async fn commands_sent_behind_starttls_are_not_carried_into_tls() -> Result<(), Box<dyn std::error::Error>> {
        let certified = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string()])?;
        let tls = SmtpSandboxTls::from_der(certified.cert.der().to_vec(), certified.signing_key.serialize_der())?;
        let mailbox = Mailbox { config: SmtpSandboxConfig::default(), tls: Some(tls), emails: Mutex::new(VecDeque::new()) };
        let (mut client, server) = tokio::io::duplex(4096);
        // All in one write, as an attacker in the middle would add them.
        client.write_all(b"EHLO client.test\r\nSTARTTLS\r\nMAIL FROM:<injected@example.pk>\r\n").await?;
        serve(server, &mailbox).await?;
        let mut replies = String::new();
        client.read_to_string(&mut replies).await?;
        assert!(replies.contains("250-STARTTLS\r\n"), "{replies}");
        assert!(replies.ends_with("554 5.5.1 Commands followed STARTTLS before the handshake\r\n"), "{replies}");
        assert!(!replies.contains("220 2.0.0"), "{replies}");
        Ok(())
    }
}
