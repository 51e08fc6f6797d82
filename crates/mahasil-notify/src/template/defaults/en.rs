//! The default wording in English.

use super::{Frame, Wording};
use crate::template::MessageKind;

pub(super) const FRAME: Frame = Frame {
    greeting: "Dear {offender_name},",
    signature: "Government of Khyber Pakhtunkhwa\nDistrict {district}\nThis message is sent automatically; please do not reply to it.",
};

const DECISION_SMS: &str = "KP Govt, {district}: challan {challan_no} ({head}): {decision}. Reason: {reason}. Details: {pay_url}";
const STILL_PAYABLE: &str = "Where the challan remains payable: {how_to_pay}.";
const CHECK_STATUS: &str = "You can check the challan's current status at {verify_url}";

pub(super) fn wording(kind: MessageKind) -> Wording {
    match kind {
        MessageKind::ChallanIssued => Wording {
            sms: "KP Govt, {district}: challan {challan_no} issued to {offender_name} for {head}. Pay {amount} by {due_date}; {amount_after_due} after that. Pay: {pay_url}",
            subject: "Challan {challan_no} issued: {head}",
            paragraphs: &[
                "A challan has been issued in your name by District {district} for: {head} ({head_code}).",
                "Challan number: {challan_no}\nAmount payable by {due_date}: {amount}\nAmount payable after {due_date}: {amount_after_due}",
                "{how_to_pay}.",
                "You can check that this challan is genuine at {verify_url}",
            ],
        },
        MessageKind::DueReminder => Wording {
            sms: "KP Govt, {district}: reminder, challan {challan_no} ({head}) is unpaid. Pay {amount} by {due_date}; {amount_after_due} after that. Pay: {pay_url}",
            subject: "Reminder: challan {challan_no} is due on {due_date}",
            paragraphs: &[
                "Challan {challan_no} for {head} ({head_code}), issued by District {district}, has not been paid yet.",
                "Please pay {amount} by {due_date}. After that date the amount payable becomes {amount_after_due}.",
                "{how_to_pay}.",
                "If you have already paid, please disregard this reminder. You can check the challan at {verify_url}",
            ],
        },
        MessageKind::OverdueNotice => Wording {
            sms: "KP Govt, {district}: challan {challan_no} ({head}) was due on {due_date} and is unpaid. {amount_after_due} is now payable. Pay: {pay_url}",
            subject: "Overdue: challan {challan_no}",
            paragraphs: &[
                "Challan {challan_no} for {head} ({head_code}), issued by District {district}, was due on {due_date} and has not been paid.",
                "The amount now payable is {amount_after_due}.",
                "{how_to_pay}.",
                "An unpaid challan may lead to further action under the applicable law. You can check the challan at {verify_url}",
            ],
        },
        MessageKind::PaymentReceipt => Wording {
            sms: "KP Govt, {district}: {paid_amount} received for challan {challan_no} on {paid_at}. Receipt {receipt_no}.",
            subject: "Payment received: challan {challan_no}",
            paragraphs: &[
                "Your payment for challan {challan_no} ({head}, {head_code}) has been received. Thank you.",
                "Receipt number: {receipt_no}\nAmount paid: {paid_amount}\nPaid at: {paid_at}",
                "Please keep this receipt. You can check the challan and its payment at {verify_url}",
            ],
        },
        MessageKind::CancellationDecided => Wording {
            sms: DECISION_SMS,
            subject: "Decision on the cancellation of challan {challan_no}",
            paragraphs: &[
                "A decision has been made on the request to cancel challan {challan_no} for {head} ({head_code}), issued by District {district}.",
                "Decision: {decision}.\nReason: {reason}",
                STILL_PAYABLE,
                CHECK_STATUS,
            ],
        },
        MessageKind::WaiverDecided => Wording {
            sms: DECISION_SMS,
            subject: "Decision on the waiver of challan {challan_no}",
            paragraphs: &[
                "A decision has been made on the request to waive challan {challan_no} for {head} ({head_code}), issued by District {district}.",
                "Decision: {decision}.\nReason: {reason}",
                STILL_PAYABLE,
                CHECK_STATUS,
            ],
        },
        MessageKind::ContestDecided => Wording {
            sms: DECISION_SMS,
            subject: "Decision on your objection to challan {challan_no}",
            paragraphs: &[
                "A decision has been made on your objection to challan {challan_no} for {head} ({head_code}), issued by District {district}.",
                "Decision: {decision}.\nReason: {reason}",
                STILL_PAYABLE,
                CHECK_STATUS,
            ],
        },
    }
}
