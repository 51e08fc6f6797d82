//! The fixed set of `{placeholder}` fields a template may use, what each becomes, and in
//! which message kinds each has a value.

use std::fmt;

use super::MessageKind;

/// One field of a template, written `{name}` in its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Placeholder {
    /// The printed challan number, `IIIIII-CCCCCCCC-D`.
    ChallanNo,
    /// The revenue head's title in the message's language.
    Head,
    /// The revenue head's code, e.g. `DA-ENC-01`.
    HeadCode,
    /// The amount due within the due date, e.g. `PKR 5,000`.
    Amount,
    /// The amount due after the due date, e.g. `PKR 6,000`.
    AmountAfterDue,
    /// The due date, `YYYY-MM-DD`.
    DueDate,
    /// The public page that checks the challan's seal.
    VerifyUrl,
    /// The public page where the challan is paid online.
    PayUrl,
    /// One sentence in the message's language on the ways to pay, with the bank consumer
    /// number (the 15 digits) and the pay link.
    HowToPay,
    /// The offender's name as written on the challan.
    OffenderName,
    /// The district's name in the message's language.
    District,
    /// The receipt number of a payment.
    ReceiptNo,
    /// The amount paid, e.g. `PKR 5,000`.
    PaidAmount,
    /// When the payment was made, in Pakistan time: `YYYY-MM-DD HH:MM PKT`.
    PaidAt,
    /// The decision in the message's language, worded for the message kind.
    Decision,
    /// The reason the decision gives.
    Reason,
}

impl Placeholder {
    pub const ALL: [Placeholder; 16] = [
        Self::ChallanNo,
        Self::Head,
        Self::HeadCode,
        Self::Amount,
        Self::AmountAfterDue,
        Self::DueDate,
        Self::VerifyUrl,
        Self::PayUrl,
        Self::HowToPay,
        Self::OffenderName,
        Self::District,
        Self::ReceiptNo,
        Self::PaidAmount,
        Self::PaidAt,
        Self::Decision,
        Self::Reason,
    ];

    /// The name written between the braces.
    pub fn name(self) -> &'static str {
        match self {
            Self::ChallanNo => "challan_no",
            Self::Head => "head",
            Self::HeadCode => "head_code",
            Self::Amount => "amount",
            Self::AmountAfterDue => "amount_after_due",
            Self::DueDate => "due_date",
            Self::VerifyUrl => "verify_url",
            Self::PayUrl => "pay_url",
            Self::HowToPay => "how_to_pay",
            Self::OffenderName => "offender_name",
            Self::District => "district",
            Self::ReceiptNo => "receipt_no",
            Self::PaidAmount => "paid_amount",
            Self::PaidAt => "paid_at",
            Self::Decision => "decision",
            Self::Reason => "reason",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.name() == name)
    }

    /// Whether messages of `kind` have a value for this placeholder: payment fields only in
    /// receipts, decision fields only in decisions, the challan's fields everywhere.
    pub fn available_in(self, kind: MessageKind) -> bool {
        match self {
            Self::ReceiptNo | Self::PaidAmount | Self::PaidAt => kind == MessageKind::PaymentReceipt,
            Self::Decision | Self::Reason => kind.is_decision(),
            _ => true,
        }
    }
}

impl fmt::Display for Placeholder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{{{}}}", self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_distinct() {
        for p in Placeholder::ALL {
            assert_eq!(Placeholder::from_name(p.name()), Some(p));
        }
        let mut names: Vec<_> = Placeholder::ALL.iter().map(|p| p.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Placeholder::ALL.len());
        assert_eq!(Placeholder::from_name("Challan_No"), None);
    }

    #[test]
    fn payment_and_decision_fields_belong_to_their_kinds() {
        assert!(Placeholder::ReceiptNo.available_in(MessageKind::PaymentReceipt));
        assert!(!Placeholder::ReceiptNo.available_in(MessageKind::ChallanIssued));
        assert!(Placeholder::Decision.available_in(MessageKind::WaiverDecided));
        assert!(!Placeholder::Reason.available_in(MessageKind::DueReminder));
        assert!(MessageKind::ALL.iter().all(|&k| Placeholder::ChallanNo.available_in(k)));
    }
}
