//! The sandbox mail server spoken to by hand over a socket, as any SMTP client would:
//! the greeting, EHLO's extensions, RSET, NOOP, a dot-stuffed line, and QUIT.

use mahasil_notify::sandbox::smtp::{SmtpSandbox, SmtpSandboxConfig};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use crate::support::{R, loopback};

/// Reads one reply (all its lines) and returns its last line.
async fn reply(reader: &mut BufReader<tokio::net::tcp::OwnedReadHalf>) -> R<String> {
    let mut all = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).await? == 0 {
            return Err(format!("the server closed after {all:?}").into());
        }
        all.push_str(&line);
        if line.as_bytes().get(3) != Some(&b'-') {
            return Ok(all);
        }
    }
}

#[tokio::test]
async fn a_hand_written_conversation() -> R {
    let server = SmtpSandbox::start(loopback().await?, SmtpSandboxConfig::default())?;
    let (read, mut write) = TcpStream::connect(server.addr()).await?.into_split();
    let mut read = BufReader::new(read);
    assert!(reply(&mut read).await?.starts_with("220 "));
    let mut say = async |line: &str| -> R<String> {
        write.write_all(format!("{line}\r\n").as_bytes()).await?;
        reply(&mut read).await
    };
    let ehlo = say("EHLO tester.local").await?;
    assert!(ehlo.contains("8BITMIME") && ehlo.contains("SMTPUTF8") && ehlo.contains("SIZE "), "{ehlo}");
    assert!(say("MAIL FROM:<first@kp.gov.pk>").await?.starts_with("250"));
    assert!(say("RSET").await?.starts_with("250"));
    assert!(say("NOOP").await?.starts_with("250"));
    assert!(say("MAIL FROM:<noreply@kp.gov.pk>").await?.starts_with("250"));
    assert!(say("RCPT TO:<citizen@example.pk>").await?.starts_with("250"));
    assert!(say("DATA").await?.starts_with("354"));
    let stored =
        say("Subject: =?utf-8?b?2obYp9mE2KfZhg==?=\r\nMessage-ID: <hand-1@kp.gov.pk>\r\n\r\nfirst line\r\n..a line that began with a dot\r\n.").await?;
    assert!(stored.starts_with("250"), "{stored}");
    assert!(say("QUIT").await?.starts_with("221"));

    let messages = server.messages();
    let message = messages.first().ok_or("nothing stored")?;
    assert_eq!(message.mail_from, "noreply@kp.gov.pk");
    assert_eq!(message.subject.as_deref(), Some("چالان"));
    assert_eq!(message.message_id.as_deref(), Some("hand-1@kp.gov.pk"));
    assert_eq!(message.text.as_deref().map(str::trim_end), Some("first line\r\n.a line that began with a dot"));
    Ok(())
}
