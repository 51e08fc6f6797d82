//! The channels one node sends through, each optional: a node without a mail relay records
//! its email messages as failed with the reason, and a supervisor retries them once one is
//! configured.

use jiff::Timestamp;
use mahasil_notify::email::EmailSender;
use mahasil_notify::outcome::{IdempotencyKey, SendOutcome};
use mahasil_notify::sms_gateway::SmsGateway;
use mahasil_notify::template::{Channel, Facts, Rendered};
use mahasil_notify::webhook::{WebhookEvent, WebhookSender};
use mahasil_store::ClaimedMessage;

/// The channels and the secret delivery reports are signed with.
#[derive(Default)]
pub struct Channels {
    pub sms: Option<SmsGateway>,
    pub email: Option<EmailSender>,
    pub webhook: Option<WebhookSender>,
    /// The secret the SMS gateway signs delivery reports with; `None`: reports refused.
    pub sms_report_secret: Option<String>,
}

impl Channels {
    /// Whether any channel can send at all (no workers are started otherwise).
    pub fn any(&self) -> bool {
        self.sms.is_some() || self.email.is_some() || self.webhook.is_some()
    }

    /// The webhook receiver this node sends to, which the store is told at start
    /// (`Storage::set_webhook_receiver`), so that messages are queued for it.
    pub fn webhook_url(&self) -> Option<&str> {
        self.webhook.as_ref().map(WebhookSender::url)
    }

    /// Sends `message`, written from `facts` as `rendered`, with `key`; one attempt.
    pub async fn send(&self, message: &ClaimedMessage, facts: &Facts, rendered: &Rendered, key: &IdempotencyKey, now: Timestamp) -> SendOutcome {
        let recipient = message.recipient.as_str();
        match (message.channel, rendered) {
            (Channel::Sms, Rendered::Sms { text }) => match &self.sms {
                Some(sms) => sms.send(recipient, text, key).await,
                None => SendOutcome::Permanent { reason: "no SMS gateway is configured on this node".into() },
            },
            (Channel::Email, Rendered::Email(content)) => match &self.email {
                Some(email) => email.send(recipient, content, key, now).await,
                None => SendOutcome::Permanent { reason: "no mail relay is configured on this node".into() },
            },
            (Channel::Webhook, Rendered::Webhook { text }) => match &self.webhook {
                // A message queued for a receiver since replaced is not sent to the new one:
                // it was not written for it, and the new one gets its own from now on.
                Some(webhook) if webhook.url() == recipient => match WebhookEvent::new(key.clone(), message.kind, message.language, facts, text.clone(), now) {
                    Ok(event) => webhook.send(&event).await,
                    Err(e) => SendOutcome::Permanent { reason: format!("cannot write the event: {e}") },
                },
                Some(webhook) => SendOutcome::Permanent { reason: format!("the webhook receiver is now {}, not {recipient}", webhook.url()) },
                None => SendOutcome::Permanent { reason: "no webhook receiver is configured on this node".into() },
            },
            (channel, _) => SendOutcome::Permanent { reason: format!("a {} message was rendered for another channel", channel.as_str()) },
        }
    }
}
