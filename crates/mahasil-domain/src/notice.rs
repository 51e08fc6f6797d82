//! What an official notice to an offender is about, how it travels and in which language
//! (DESIGN.md, "Notifications"). The outbox in the store keeps these by their `as_str`
//! names; the channel crate renders and sends them.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{DomainError, Result};

/// What a message is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    /// A challan was issued: its number, amounts, due date and links.
    ChallanIssued,
    /// The due date is near and the challan is unpaid.
    DueReminder,
    /// The due date has passed; the amount after the due date applies.
    OverdueNotice,
    /// A payment was received; its receipt.
    PaymentReceipt,
    /// A cancellation request was decided: cancelled, or refused.
    CancellationDecided,
    /// A waiver request was decided: waived, or refused.
    WaiverDecided,
    /// A contest was decided: quashed, or upheld.
    ContestDecided,
}

impl MessageKind {
    pub const ALL: [MessageKind; 7] = [
        Self::ChallanIssued,
        Self::DueReminder,
        Self::OverdueNotice,
        Self::PaymentReceipt,
        Self::CancellationDecided,
        Self::WaiverDecided,
        Self::ContestDecided,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ChallanIssued => "challan_issued",
            Self::DueReminder => "due_reminder",
            Self::OverdueNotice => "overdue_notice",
            Self::PaymentReceipt => "payment_receipt",
            Self::CancellationDecided => "cancellation_decided",
            Self::WaiverDecided => "waiver_decided",
            Self::ContestDecided => "contest_decided",
        }
    }

    pub fn parse(s: &str) -> Result<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s).ok_or_else(|| DomainError::invalid("kind", format!("{s:?} is not a message kind")))
    }

    /// Whether messages of this kind report a decision (`{decision}`, `{reason}`).
    pub fn is_decision(self) -> bool {
        matches!(self, Self::CancellationDecided | Self::WaiverDecided | Self::ContestDecided)
    }
}

impl fmt::Display for MessageKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The language of a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    En,
    /// Written right to left; numbers, challan numbers and links stay ASCII inside it.
    Ur,
}

impl Language {
    pub const ALL: [Language; 2] = [Self::En, Self::Ur];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Ur => "ur",
        }
    }

    pub fn parse(s: &str) -> Result<Self> {
        Self::ALL.into_iter().find(|l| l.as_str() == s).ok_or_else(|| DomainError::invalid("language", format!("{s:?} is not en or ur")))
    }

    /// The HTML `dir` of text in this language.
    pub fn direction(self) -> &'static str {
        match self {
            Self::En => "ltr",
            Self::Ur => "rtl",
        }
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a message travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    Sms,
    Email,
    Webhook,
}

impl Channel {
    pub const ALL: [Channel; 3] = [Self::Sms, Self::Email, Self::Webhook];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sms => "sms",
            Self::Email => "email",
            Self::Webhook => "webhook",
        }
    }

    pub fn parse(s: &str) -> Result<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s).ok_or_else(|| DomainError::invalid("channel", format!("{s:?} is not sms, email or webhook")))
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The language to write to a recipient in, on `channel`, given the language they chose
/// (on the challan form or later), if any.
///
/// - A stated preference is always followed, on every channel: a notice the recipient
///   cannot read is no notice.
/// - SMS with no stated preference goes in Urdu. Nearly every recipient reads Urdu, and
///   every phone sold in Pakistan shows it; the cost is length: Urdu needs UCS-2, 70
///   characters an SMS against 160, so an Urdu notice takes three to five parts
///   where an English one takes two (mahasil-notify's test `rendered_sms_lengths` prints
///   them).
/// - Email with no stated preference goes in English, the language of the province's
///   official correspondence, which is what businesses with an address on file expect.
/// - Webhooks go in English unless told otherwise: a system reads them, and the structured
///   fields carry the meaning.
///
/// The store's outbox trigger writes the same defaults (`'ur'` for SMS, `'en'` for email),
/// because no preference is recorded on a challan yet; its conformance tests hold the two
/// together.
pub fn preferred_language(channel: Channel, preference: Option<Language>) -> Language {
    match (preference, channel) {
        (Some(language), _) => language,
        (None, Channel::Sms) => Language::Ur,
        (None, Channel::Email | Channel::Webhook) => Language::En,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stated_preference_wins_and_sms_defaults_to_urdu() {
        for channel in Channel::ALL {
            for language in Language::ALL {
                assert_eq!(preferred_language(channel, Some(language)), language);
            }
        }
        assert_eq!(preferred_language(Channel::Sms, None), Language::Ur);
        assert_eq!(preferred_language(Channel::Email, None), Language::En);
        assert_eq!(preferred_language(Channel::Webhook, None), Language::En);
    }

    #[test]
    fn names_round_trip() -> Result<()> {
        for kind in MessageKind::ALL {
            assert_eq!(MessageKind::parse(kind.as_str())?, kind);
        }
        for language in Language::ALL {
            assert_eq!(Language::parse(language.as_str())?, language);
        }
        for channel in Channel::ALL {
            assert_eq!(Channel::parse(channel.as_str())?, channel);
        }
        assert!(Language::parse("fr").is_err());
        assert!(Channel::parse("fax").is_err());
        assert!(MessageKind::parse("challan-issued").is_err());
        Ok(())
    }
}
