//! [`Template`]: one parsed template for a kind, language and channel, and [`Rendered`],
//! what it makes from [`Facts`].

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::facts::Facts;
use super::html::escape_html;
use super::placeholder::Placeholder;
use super::syntax::{self, Origin, Segment};
use super::{Channel, Language, MessageKind};
use crate::sms_length::measure;
use crate::{NotifyError, Result};

/// Longest template source, in characters (an HTML email with its markup fits easily).
pub const MAX_TEMPLATE_CHARS: usize = 20_000;
/// Longest rendered subject, in characters; a longer one is cut.
pub const MAX_SUBJECT_CHARS: usize = 200;

/// A template that parsed: every placeholder known and available in its kind, every brace
/// balanced. Keep [`Template::source`] to show the admin what they wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    kind: MessageKind,
    language: Language,
    channel: Channel,
    source: String,
    body: Body,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Body {
    Text(Vec<Segment>),
    Email { subject: Vec<Segment>, text: Vec<Segment>, html: Vec<Segment> },
}

/// The three parts of a rendered email.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailContent {
    /// One line, plain text.
    pub subject: String,
    /// The `text/plain` part.
    pub text: String,
    /// The `text/html` part, every value escaped.
    pub html: String,
}

/// A rendered message, ready for its channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "channel", rename_all = "lowercase")]
pub enum Rendered {
    Sms {
        text: String,
    },
    Email(EmailContent),
    /// The `text` of a webhook event.
    Webhook {
        text: String,
    },
}

impl Rendered {
    /// The plain text: the SMS, the webhook's text, or the email's text part.
    pub fn text(&self) -> &str {
        match self {
            Self::Sms { text } | Self::Webhook { text } => text,
            Self::Email(email) => &email.text,
        }
    }
}

impl Template {
    /// Parses an admin's template, refusing unknown placeholders, placeholders that `kind`
    /// has no value for, and unbalanced braces, each with its line and column. For
    /// [`Channel::Email`] the text has `[subject]`, `[text]` and `[html]` sections.
    pub fn parse(kind: MessageKind, language: Language, channel: Channel, text: &str) -> Result<Self> {
        if text.chars().count() > MAX_TEMPLATE_CHARS {
            return Err(NotifyError::TemplateTooLong { limit_chars: MAX_TEMPLATE_CHARS });
        }
        let text = text.replace("\r\n", "\n");
        let part = |(part_text, origin): &(String, Origin), name: &'static str| {
            if part_text.trim().is_empty() {
                return Err(NotifyError::EmptyTemplate { part: name });
            }
            syntax::parse_fields(part_text, *origin, kind)
        };
        let body = match channel {
            Channel::Sms | Channel::Webhook => Body::Text(part(&(text.clone(), Origin { line: 1 }), "text")?),
            Channel::Email => {
                let sections = syntax::email_sections(&text)?;
                Body::Email { subject: part(&sections.subject, "subject")?, text: part(&sections.text, "text")?, html: part(&sections.html, "html")? }
            }
        };
        Ok(Self { kind, language, channel, source: text, body })
    }

    pub fn kind(&self) -> MessageKind {
        self.kind
    }

    pub fn language(&self) -> Language {
        self.language
    }

    pub fn channel(&self) -> Channel {
        self.channel
    }

    /// The text the template was parsed from (line ends as `\n`).
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The placeholders the template uses.
    pub fn placeholders(&self) -> BTreeSet<Placeholder> {
        let parts: Vec<&Vec<Segment>> = match &self.body {
            Body::Text(segments) => vec![segments],
            Body::Email { subject, text, html } => vec![subject, text, html],
        };
        parts.into_iter().flatten().filter_map(|s| if let Segment::Field(p) = s { Some(*p) } else { None }).collect()
    }

    /// The message for `facts`. Fails only when the facts lack what this kind of message
    /// needs (a payment for a receipt, a decision for a decision).
    pub fn render(&self, facts: &Facts) -> Result<Rendered> {
        facts.check(self.kind)?;
        let value = |p: Placeholder| facts.value(p, self.kind, self.language);
        Ok(match &self.body {
            Body::Text(segments) => {
                let text = fill(segments, &value, |v| v)?.trim().to_string();
                if self.channel == Channel::Webhook { Rendered::Webhook { text } } else { Rendered::Sms { text } }
            }
            Body::Email { subject, text, html } => Rendered::Email(EmailContent {
                subject: one_line(&fill(subject, &value, |v| v)?),
                text: fill(text, &value, |v| v)?.trim_end().to_string(),
                html: fill(html, &value, |v| escape_html(&v))?,
            }),
        })
    }

    /// Renders an SMS in at most `max_parts` parts when it can. A decision's reason is free
    /// text a supervisor wrote, of any length: when the SMS is too long with it, the reason
    /// is cut to the longest start that fits, ending in [`CUT_MARK`] (the whole reason is in
    /// the email and on the challan's page). Any other message too long is rendered whole,
    /// and the SMS gateway client refuses it with the reason.
    pub fn render_sms_within(&self, facts: &Facts, max_parts: usize) -> Result<Rendered> {
        let whole = self.render(facts)?;
        let fits = |r: &Rendered| measure(r.text()).parts <= max_parts;
        let reason: Vec<char> = match &facts.decision {
            Some(d) if self.channel == Channel::Sms && !fits(&whole) => d.reason.chars().collect(),
            _ => return Ok(whole),
        };
        let cut = |n: usize| {
            let mut shorter = facts.clone();
            if let Some(d) = shorter.decision.as_mut() {
                d.reason = format!("{}{CUT_MARK}", reason[..n].iter().collect::<String>().trim_end());
            }
            self.render(&shorter)
        };
        // The longest start that fits (an SMS only grows with the reason): the answer is in
        // [0, len), if anywhere.
        let (mut low, mut high, mut best) = (0, reason.len(), None);
        while low < high {
            let mid = low + (high - low) / 2;
            let rendered = cut(mid)?;
            if fits(&rendered) {
                best = Some(rendered);
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        Ok(best.unwrap_or(whole))
    }
}

/// What ends a decision's reason cut to fit an SMS; three full stops, which GSM-7 carries
/// (an ellipsis character would turn an English SMS into UCS-2, at less than half the
/// length a part).
pub const CUT_MARK: &str = "...";

/// The segments with each field's value, passed through `escape`.
fn fill(segments: &[Segment], value: &dyn Fn(Placeholder) -> Result<String>, escape: impl Fn(String) -> String) -> Result<String> {
    let mut out = String::new();
    for segment in segments {
        match segment {
            Segment::Literal(text) => out.push_str(text),
            Segment::Field(p) => out.push_str(&escape(value(*p)?)),
        }
    }
    Ok(out)
}

/// A subject on one line (a value with a line break cannot start a new header) and no
/// longer than [`MAX_SUBJECT_CHARS`].
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ").chars().take(MAX_SUBJECT_CHARS).collect()
}
