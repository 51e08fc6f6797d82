//! The words that placeholders bring into a message in each language: the decision, and
//! the sentence on how to pay. Numbers, the consumer number and links stay in ASCII inside
//! Urdu text, as they are printed on the challan.

use super::facts::Decision;
use super::{Language, MessageKind};

/// `{decision}` for a `kind` message.
pub(crate) fn decision(kind: MessageKind, decision: Decision, language: Language) -> &'static str {
    use Decision::{Granted, Refused};
    use Language::{En, Ur};
    match (kind, decision, language) {
        (MessageKind::WaiverDecided, Granted, En) => "the amount has been waived; nothing is payable",
        (MessageKind::WaiverDecided, Granted, Ur) => "رقم معاف کر دی گئی ہے؛ کوئی ادائیگی واجب نہیں",
        (MessageKind::WaiverDecided, Refused, En) => "the waiver has been refused; the challan remains payable",
        (MessageKind::WaiverDecided, Refused, Ur) => "معافی کی درخواست مسترد کر دی گئی ہے؛ چالان کی ادائیگی بدستور واجب ہے",
        (MessageKind::ContestDecided, Granted, En) => "the objection has been accepted and the challan cancelled; nothing is payable",
        (MessageKind::ContestDecided, Granted, Ur) => "اعتراض منظور کر لیا گیا ہے اور چالان منسوخ کر دیا گیا ہے؛ کوئی ادائیگی واجب نہیں",
        (MessageKind::ContestDecided, Refused, En) => "the objection has been rejected and the challan upheld; it remains payable",
        (MessageKind::ContestDecided, Refused, Ur) => "اعتراض مسترد کر دیا گیا ہے اور چالان برقرار ہے؛ اس کی ادائیگی بدستور واجب ہے",
        // Cancellation, and any other kind a caller asks about.
        (_, Granted, En) => "the challan has been cancelled; nothing is payable",
        (_, Granted, Ur) => "چالان منسوخ کر دیا گیا ہے؛ کوئی ادائیگی واجب نہیں",
        (_, Refused, En) => "the cancellation has been refused; the challan remains payable",
        (_, Refused, Ur) => "منسوخی کی درخواست مسترد کر دی گئی ہے؛ چالان کی ادائیگی بدستور واجب ہے",
    }
}

/// `{how_to_pay}`: the ways to pay, with the bank consumer number and the pay link.
pub(crate) fn how_to_pay(language: Language, consumer_number: &str, pay_url: &str) -> String {
    match language {
        Language::En => {
            format!("Pay at any bank branch, through mobile or internet banking under 1Bill (consumer number {consumer_number}), or online at {pay_url}")
        }
        Language::Ur => {
            format!(
                "ادائیگی کسی بھی بینک کی برانچ میں، موبائل یا انٹرنیٹ بینکنگ پر 1Bill کے ذریعے (کنزیومر نمبر {consumer_number})، یا آن لائن {pay_url} پر کی جا سکتی ہے"
            )
        }
    }
}
