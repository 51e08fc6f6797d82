//! The channels one node sends through, each optional: a node without a mail relay records
//! its email messages as failed with the reason, and a supervisor retries them once one is
//! configured.

use jiff::Timestamp;
use mahasil_notify::email::EmailSender;
use mahasil_notify::outcome::{IdempotencyKey, SendOutcome};
use mahasil_notify::sms_gateway::SmsGateway;
use mahasil_notify::template::{Channel, Rendered};
use mahasil_notify::webhook::WebhookSender;

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

    /// Sends `rendered` to `recipient` over `channel` with `key`; one attempt.
    pub async fn send(&self, channel: Channel, recipient: &str, rendered: &Rendered, key: &IdempotencyKey, now: Timestamp) -> SendOutcome {
        match (channel, rendered) {
            (Channel::Sms, Rendered::Sms { text }) => match &self.sms {
                Some(sms) => sms.send(recipient, text, key).await,
                None => SendOutcome::Permanent { reason: "no SMS gateway is configured on this node".into() },
            },
            (Channel::Email, Rendered::Email(content)) => match &self.email {
                Some(email) => email.send(recipient, content, key, now).await,
                None => SendOutcome::Permanent { reason: "no mail relay is configured on this node".into() },
            },
            (Channel::Webhook, Rendered::Webhook { .. }) => SendOutcome::Permanent { reason: "webhook messages are sent with their event".into() },
            _ => SendOutcome::Permanent { reason: format!("a {} message was rendered for another channel", channel.as_str()) },
        }
    }
}
