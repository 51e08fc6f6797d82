//! Email through the sandbox mail server over a real socket: the message arrives whole,
//! in two parts, Urdu intact; a refused recipient is permanent; a server that is gone is
//! retryable; over STARTTLS it arrives encrypted when the relay's CA is trusted, and is not
//! sent when it is not.

use std::path::PathBuf;

use mahasil_notify::NotifyError;
use mahasil_notify::email::{EmailSender, SmtpConfig, SmtpTls};
use mahasil_notify::outcome::SendOutcome;
use mahasil_notify::sandbox::smtp::{SmtpSandbox, SmtpSandboxConfig, SmtpSandboxTls};
use mahasil_notify::template::{Channel, EmailContent, Language, MessageKind, Rendered, TemplateSet};
use mail_parser::{MessageParser, MimeHeaders, PartType};

use crate::support::{R, facts, key, loopback, now};

const FROM: &str = "Government of Khyber Pakhtunkhwa <noreply@mahasil.kp.gov.pk>";

async fn sandbox(config: SmtpSandboxConfig) -> R<SmtpSandbox> {
    Ok(SmtpSandbox::start(loopback().await?, config)?)
}

fn urdu_email() -> R<EmailContent> {
    match TemplateSet::defaults()?.get(MessageKind::ChallanIssued, Language::Ur, Channel::Email).render(&facts()?)? {
        Rendered::Email(email) => Ok(email),
        other => Err(format!("not an email: {other:?}").into()),
    }
}

#[tokio::test]
async fn an_urdu_email_arrives_whole_with_both_parts() -> R {
    let server = sandbox(SmtpSandboxConfig::default()).await?;
    let sender = EmailSender::new(server.client_config(FROM))?;
    let content = urdu_email()?;
    let key = key("0190a6f2-7b1c-7d2e-9f00-000000000001")?;
    let outcome = sender.send("citizen@example.pk", &content, &key, now()).await;
    assert_eq!(outcome, SendOutcome::Accepted { provider_id: "<0190a6f2-7b1c-7d2e-9f00-000000000001@mahasil.kp.gov.pk>".into() });

    let received = server.messages();
    assert_eq!(received.len(), 1);
    let email = &received[0];
    assert_eq!(email.mail_from, "noreply@mahasil.kp.gov.pk");
    assert_eq!(email.rcpt_to, vec!["citizen@example.pk".to_string()]);
    assert_eq!(email.message_id.as_deref(), Some("0190a6f2-7b1c-7d2e-9f00-000000000001@mahasil.kp.gov.pk"));

    // Parsed afresh from the raw bytes, not only as the sandbox saw it.
    let parsed = MessageParser::default().parse(&email.raw).ok_or("the message does not parse")?;
    assert_eq!(parsed.subject(), Some(content.subject.as_str()));
    assert!(parsed.subject().is_some_and(|s| s.contains("چالان") && s.contains("سرکاری سڑک پر تجاوزات")));
    let text_parts: Vec<String> = parsed.parts.iter().filter_map(|p| if let PartType::Text(t) = &p.body { Some(t.to_string()) } else { None }).collect();
    let html_parts: Vec<String> = parsed.parts.iter().filter_map(|p| if let PartType::Html(h) = &p.body { Some(h.to_string()) } else { None }).collect();
    assert_eq!((text_parts.len(), html_parts.len()), (1, 1));
    // Mail travels with CRLF line ends; the words are unchanged.
    assert_eq!(text_parts[0].replace("\r\n", "\n").trim_end(), content.text.trim_end());
    assert_eq!(html_parts[0].replace("\r\n", "\n").trim_end(), content.html.trim_end());
    assert!(text_parts[0].contains("محترم Muhammad <Ali> & Sons،"));
    assert!(html_parts[0].contains("dir=\"rtl\"") && html_parts[0].contains("Muhammad &lt;Ali&gt; &amp; Sons"));
    let content_type = parsed.root_part().content_type().ok_or("no content type")?;
    assert_eq!((content_type.ctype(), content_type.subtype()), ("multipart", Some("alternative")));
    assert_eq!(email.subject.as_deref(), Some(content.subject.as_str()));
    assert!(!email.over_tls);
    Ok(())
}

#[tokio::test]
async fn a_refused_recipient_is_permanent() -> R {
    let server = sandbox(SmtpSandboxConfig { reject_recipients: vec!["Gone@Example.pk".into()], ..SmtpSandboxConfig::default() }).await?;
    let sender = EmailSender::new(server.client_config(FROM))?;
    let outcome = sender.send("gone@example.pk", &urdu_email()?, &key("m-550")?, now()).await;
    assert!(matches!(&outcome, SendOutcome::Permanent { reason } if reason.contains("550")), "{outcome:?}");
    assert!(server.messages().is_empty());
    Ok(())
}

#[tokio::test]
async fn a_server_that_is_gone_is_retryable() -> R {
    let server = sandbox(SmtpSandboxConfig::default()).await?;
    let config = server.client_config(FROM);
    server.stop().await;
    let outcome = EmailSender::new(config)?.send("citizen@example.pk", &urdu_email()?, &key("m-gone")?, now()).await;
    assert!(outcome.is_retryable(), "{outcome:?}");
    Ok(())
}

#[tokio::test]
async fn required_starttls_is_not_skipped_for_a_server_without_it() -> R {
    let server = sandbox(SmtpSandboxConfig::default()).await?;
    let config = SmtpConfig { tls: SmtpTls::Starttls, ..server.client_config(FROM) };
    let outcome = EmailSender::new(config)?.send("citizen@example.pk", &urdu_email()?, &key("m-tls")?, now()).await;
    assert!(matches!(&outcome, SendOutcome::Retryable { reason } if reason.contains("STARTTLS")), "{outcome:?}");
    assert!(server.messages().is_empty());
    Ok(())
}

#[tokio::test]
async fn an_invalid_address_is_permanent_before_connecting() -> R {
    // Nothing listens on this port (it was just freed), so only a refusal made before
    // connecting can be permanent.
    let listener = loopback().await?;
    let port = listener.local_addr()?.port();
    drop(listener);
    let sender = EmailSender::new(SmtpConfig::plain("127.0.0.1", port, FROM))?;
    let outcome = sender.send("not an address", &urdu_email()?, &key("m-bad")?, now()).await;
    assert!(matches!(&outcome, SendOutcome::Permanent { reason } if reason.contains("invalid email address")), "{outcome:?}");
    Ok(())
}

#[tokio::test]
async fn an_oversized_message_is_refused_by_the_sandbox() -> R {
    let server = sandbox(SmtpSandboxConfig { max_message_bytes: 2_000, ..SmtpSandboxConfig::default() }).await?;
    let sender = EmailSender::new(server.client_config(FROM))?;
    let outcome = sender.send("citizen@example.pk", &urdu_email()?, &key("m-big")?, now()).await;
    assert!(matches!(&outcome, SendOutcome::Permanent { reason } if reason.contains("552")), "{outcome:?}");
    assert!(server.messages().is_empty());
    Ok(())
}

/// A province's own CA, made afresh, and the sandbox relay's certificate that it signed.
struct PrivateCa {
    /// Holds `ca.pem`, the CA certificate a sender is told to trust.
    dir: tempfile::TempDir,
    relay: SmtpSandboxTls,
}

impl PrivateCa {
    fn new() -> R<Self> {
        let mut ca = rcgen::CertificateParams::new(Vec::new())?;
        ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca.distinguished_name.push(rcgen::DnType::CommonName, "KP mail relay test CA");
        let ca = rcgen::CertifiedIssuer::self_signed(ca, rcgen::KeyPair::generate()?)?;
        let mut relay = rcgen::CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()])?;
        relay.distinguished_name.push(rcgen::DnType::CommonName, "sandbox.mahasil.test");
        relay.extended_key_usages.push(rcgen::ExtendedKeyUsagePurpose::ServerAuth);
        let relay_key = rcgen::KeyPair::generate()?;
        let relay = relay.signed_by(&relay_key, &ca)?;
        let dir = tempfile::tempdir()?;
        std::fs::write(dir.path().join("ca.pem"), ca.pem())?;
        Ok(Self { dir, relay: SmtpSandboxTls::from_pem(relay.pem().as_bytes(), relay_key.serialize_pem().as_bytes())? })
    }

    fn ca_file(&self) -> PathBuf {
        self.dir.path().join("ca.pem")
    }

    async fn sandbox(&self) -> R<SmtpSandbox> {
        Ok(SmtpSandbox::start_with_starttls(loopback().await?, SmtpSandboxConfig::default(), self.relay.clone())?)
    }
}

fn starttls(server: &SmtpSandbox, ca_file: Option<PathBuf>) -> SmtpConfig {
    SmtpConfig { tls: SmtpTls::Starttls, ca_file, ..server.client_config(FROM) }
}

#[tokio::test]
async fn an_urdu_email_arrives_over_starttls_when_the_relays_ca_is_trusted() -> R {
    let ca = PrivateCa::new()?;
    let server = ca.sandbox().await?;
    let sender = EmailSender::new(starttls(&server, Some(ca.ca_file())))?;
    let content = urdu_email()?;
    let outcome = sender.send("citizen@example.pk", &content, &key("m-starttls")?, now()).await;
    assert_eq!(outcome, SendOutcome::Accepted { provider_id: "<m-starttls@mahasil.kp.gov.pk>".into() });

    let received = server.messages();
    let email = received.first().ok_or("nothing arrived")?;
    assert!(email.over_tls, "the message came in the clear");
    assert_eq!(email.rcpt_to, vec!["citizen@example.pk".to_string()]);
    let parsed = MessageParser::default().parse(&email.raw).ok_or("the message does not parse")?;
    assert_eq!(parsed.subject(), Some(content.subject.as_str()));
    assert!(parsed.subject().is_some_and(|s| s.contains("چالان")));
    let text = parsed.body_text(0).ok_or("no text part")?;
    assert_eq!(text.replace("\r\n", "\n").trim_end(), content.text.trim_end());
    assert!(text.contains("محترم Muhammad <Ali> & Sons،"));
    assert!(parsed.body_html(0).is_some_and(|h| h.contains("dir=\"rtl\"")));
    Ok(())
}

#[tokio::test]
async fn a_server_offering_starttls_still_takes_plain_mail_and_says_so() -> R {
    let ca = PrivateCa::new()?;
    let server = ca.sandbox().await?;
    let outcome = EmailSender::new(server.client_config(FROM))?.send("citizen@example.pk", &urdu_email()?, &key("m-plain")?, now()).await;
    assert!(matches!(outcome, SendOutcome::Accepted { .. }), "{outcome:?}");
    assert_eq!(server.messages().iter().map(|m| m.over_tls).collect::<Vec<_>>(), vec![false]);
    Ok(())
}

#[tokio::test]
async fn without_the_relays_ca_the_certificate_is_refused_and_nothing_is_sent() -> R {
    let ca = PrivateCa::new()?;
    let server = ca.sandbox().await?;
    let outcome = EmailSender::new(starttls(&server, None))?.send("citizen@example.pk", &urdu_email()?, &key("m-untrusted")?, now()).await;
    // A relay whose certificate is not trusted is fixed in the configuration, so the notice
    // waits for a retry rather than being dropped.
    assert!(matches!(&outcome, SendOutcome::Retryable { reason } if reason.contains("certificate")), "{outcome:?}");
    assert!(server.messages().is_empty());
    Ok(())
}

#[tokio::test]
async fn a_ca_file_that_does_not_exist_is_a_configuration_error_naming_it() -> R {
    let ca = PrivateCa::new()?;
    let server = ca.sandbox().await?;
    let missing = ca.dir.path().join("kp-relay-ca.pem");
    match EmailSender::new(starttls(&server, Some(missing.clone()))) {
        Err(NotifyError::InvalidConfig { field: "ca_file", reason }) => {
            assert!(reason.contains(&missing.display().to_string()), "{reason}");
            Ok(())
        }
        other => Err(format!("expected a ca_file error, got {other:?}").into()),
    }
}
