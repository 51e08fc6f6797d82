//! [`Facts`]: what a message says, given by the caller as domain values, and how each
//! placeholder's value is made from them in the message's language.

use std::collections::BTreeMap;

use jiff::Timestamp;
use jiff::civil::Date;
use mahasil_domain::challan_no::ChallanNo;
use mahasil_domain::head::HeadCode;
use mahasil_domain::money::Paisa;
use serde::{Deserialize, Serialize};

use super::placeholder::Placeholder;
use super::{Language, MessageKind, phrases};
use crate::{NotifyError, Result};

/// A name kept in both languages (a head's title, a district).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bilingual {
    pub en: String,
    pub ur: String,
}

impl Bilingual {
    pub fn new(en: impl Into<String>, ur: impl Into<String>) -> Self {
        Self { en: en.into(), ur: ur.into() }
    }

    pub fn get(&self, language: Language) -> &str {
        match language {
            Language::En => &self.en,
            Language::Ur => &self.ur,
        }
    }
}

/// A payment, for receipts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentFacts {
    pub receipt_no: String,
    pub paid_amount: Paisa,
    pub paid_at: Timestamp,
}

/// Which way a decision went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// Cancellation approved, waiver granted, or contest accepted (challan quashed): nothing
    /// is owed.
    Granted,
    /// Cancellation or waiver refused, or contest rejected (challan upheld): the challan is
    /// still payable.
    Refused,
}

/// A supervisor's decision, for the three decision kinds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionFacts {
    pub decision: Decision,
    pub reason: String,
}

/// Everything a message about one challan can say. The payment is needed by
/// [`MessageKind::PaymentReceipt`] only, the decision by the three decision kinds only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facts {
    pub challan_no: ChallanNo,
    pub head_code: HeadCode,
    pub head: Bilingual,
    pub amount: Paisa,
    pub amount_after_due: Paisa,
    pub due_date: Date,
    pub verify_url: String,
    pub pay_url: String,
    pub offender_name: String,
    pub district: Bilingual,
    pub payment: Option<PaymentFacts>,
    pub decision: Option<DecisionFacts>,
}

impl Facts {
    /// The value of `placeholder` in a `kind` message in `language`, as plain text.
    pub fn value(&self, placeholder: Placeholder, kind: MessageKind, language: Language) -> Result<String> {
        if !placeholder.available_in(kind) {
            return Err(NotifyError::PlaceholderNotAvailable { name: placeholder.name().into(), kind: kind.as_str(), line: 0, column: 0 });
        }
        let value = match placeholder {
            Placeholder::ChallanNo => self.challan_no.to_string(),
            Placeholder::Head => self.head.get(language).to_string(),
            Placeholder::HeadCode => self.head_code.to_string(),
            Placeholder::Amount => self.amount.to_string(),
            Placeholder::AmountAfterDue => self.amount_after_due.to_string(),
            Placeholder::DueDate => self.due_date.to_string(),
            Placeholder::VerifyUrl => self.verify_url.clone(),
            Placeholder::PayUrl => self.pay_url.clone(),
            Placeholder::HowToPay => phrases::how_to_pay(language, &self.challan_no.digits(), &self.pay_url),
            Placeholder::OffenderName => self.offender_name.clone(),
            Placeholder::District => self.district.get(language).to_string(),
            Placeholder::ReceiptNo => self.payment(kind)?.receipt_no.clone(),
            Placeholder::PaidAmount => self.payment(kind)?.paid_amount.to_string(),
            Placeholder::PaidAt => pakistan_time(self.payment(kind)?.paid_at),
            Placeholder::Decision => phrases::decision(kind, self.decision(kind)?.decision, language).to_string(),
            Placeholder::Reason => self.decision(kind)?.reason.clone(),
        };
        Ok(value)
    }

    /// Every placeholder that `kind` messages have, by name, with its value: the fields of a
    /// webhook event.
    pub fn fields(&self, kind: MessageKind, language: Language) -> Result<BTreeMap<String, String>> {
        Placeholder::ALL.into_iter().filter(|p| p.available_in(kind)).map(|p| Ok((p.name().to_string(), self.value(p, kind, language)?))).collect()
    }

    /// Whether these facts have what a `kind` message needs.
    pub fn check(&self, kind: MessageKind) -> Result<()> {
        if kind == MessageKind::PaymentReceipt {
            self.payment(kind)?;
        }
        if kind.is_decision() {
            self.decision(kind)?;
        }
        Ok(())
    }

    fn payment(&self, kind: MessageKind) -> Result<&PaymentFacts> {
        self.payment.as_ref().ok_or(NotifyError::MissingFact { kind: kind.as_str(), missing: "a payment" })
    }

    fn decision(&self, kind: MessageKind) -> Result<&DecisionFacts> {
        self.decision.as_ref().ok_or(NotifyError::MissingFact { kind: kind.as_str(), missing: "a decision" })
    }
}

/// `YYYY-MM-DD HH:MM PKT`, the time in Pakistan.
fn pakistan_time(at: Timestamp) -> String {
    at.to_zoned(mahasil_domain::time::pakistan()).strftime("%Y-%m-%d %H:%M PKT").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payment_times_are_shown_in_pakistan() -> Result<(), jiff::Error> {
        assert_eq!(pakistan_time("2026-12-11T19:30:00Z".parse()?), "2026-12-12 00:30 PKT");
        Ok(())
    }
}
