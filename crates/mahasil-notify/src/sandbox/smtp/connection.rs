//! One client of the sandbox mail server: command lines and message data read with a limit
//! on every line and on the whole message, DATA dot-unstuffed, replies written back.

use std::time::Duration;

use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use super::session::{Next, Session};
use super::{Mailbox, ReceivedEmail};

/// Longest command line, CRLF included (RFC 5321 4.5.3.1.4).
pub const MAX_COMMAND_LINE_BYTES: usize = 512;
/// Longest line of message data, CRLF included (RFC 5321 4.5.3.1.6).
pub const MAX_DATA_LINE_BYTES: usize = 1000;
/// How long a client may stay silent.
const IDLE_TIMEOUT: Duration = Duration::from_secs(300);

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

/// Holds one SMTP conversation until QUIT, silence or a closed connection.
pub(super) async fn serve(stream: TcpStream, mailbox: &Mailbox) -> std::io::Result<()> {
    let (reader, mut writer) = stream.into_split();
    let mut reader = BufReader::new(reader);
    let mut session = Session::new(&mailbox.config);
    writer.write_all(format!("{}\r\n", session.greeting()).as_bytes()).await?;
    loop {
        let line = match read_line_in_time(&mut reader, MAX_COMMAND_LINE_BYTES).await? {
            Line::Closed => return Ok(()),
            Line::TooLong => {
                writer.write_all(b"500 5.5.2 Line too long\r\n").await?;
                continue;
            }
            Line::Complete(line) => line,
        };
        let reply = match session.command(&String::from_utf8_lossy(&line)) {
            Next::Reply(reply) => reply,
            Next::Close(reply) => {
                writer.write_all(format!("{reply}\r\n").as_bytes()).await?;
                return writer.shutdown().await;
            }
            Next::ReadData => {
                writer.write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n").await?;
                let Some(data) = read_data(&mut reader, mailbox.config.max_message_bytes).await? else { return Ok(()) };
                let envelope = session.take_envelope();
                match (data, envelope) {
                    (Data::Message(raw), Some(envelope)) => {
                        let email = ReceivedEmail::parse(envelope, raw);
                        let reply = format!("250 2.0.0 Ok: queued as {}", mailbox_id(&email));
                        tracing::info!(to = ?email.rcpt_to, subject = email.subject.as_deref(), "sandbox mail server took a message");
                        mailbox.keep(email);
                        reply
                    }
                    (Data::TooLarge, _) => format!("552 5.3.4 Message larger than {} bytes", mailbox.config.max_message_bytes),
                    (Data::Message(_), None) => "503 5.5.1 No transaction".into(),
                }
            }
        };
        writer.write_all(format!("{reply}\r\n").as_bytes()).await?;
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
}
