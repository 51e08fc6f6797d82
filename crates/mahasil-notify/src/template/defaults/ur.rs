//! The default wording in Urdu. Challan numbers, amounts, dates and links stay ASCII, as
//! printed on the challan; the Urdu comma (،), semicolon (؛) and full stop (۔) are used.

use super::{Frame, Wording};
use crate::template::MessageKind;

pub(super) const FRAME: Frame = Frame {
    greeting: "محترم {offender_name}،",
    signature: "حکومت خیبر پختونخوا\nضلع {district}\nیہ پیغام خودکار طور پر بھیجا گیا ہے؛ براہ کرم اس کا جواب نہ دیں۔",
};

const DECISION_SMS: &str = "حکومت خیبر پختونخوا، ضلع {district}: چالان {challan_no} ({head}): {decision}۔ وجہ: {reason}۔ تفصیل: {pay_url}";
const STILL_PAYABLE: &str = "اگر چالان بدستور واجب الادا ہے تو {how_to_pay}۔";
const CHECK_STATUS: &str = "چالان کی موجودہ حیثیت {verify_url} پر دیکھی جا سکتی ہے۔";

pub(super) fn wording(kind: MessageKind) -> Wording {
    match kind {
        MessageKind::ChallanIssued => Wording {
            sms: "حکومت خیبر پختونخوا، ضلع {district}: {offender_name} کے نام چالان {challan_no} ({head}) جاری ہوا ہے۔ {due_date} تک {amount} ادا کریں، اس کے بعد {amount_after_due}۔ ادائیگی: {pay_url}",
            subject: "چالان {challan_no} جاری: {head}",
            paragraphs: &[
                "ضلع {district} کی جانب سے آپ کے نام درج ذیل مد میں چالان جاری کیا گیا ہے: {head} ({head_code})۔",
                "چالان نمبر: {challan_no}\n{due_date} تک قابل ادا رقم: {amount}\n{due_date} کے بعد قابل ادا رقم: {amount_after_due}",
                "{how_to_pay}۔",
                "اس چالان کے اصل ہونے کی تصدیق {verify_url} پر کی جا سکتی ہے۔",
            ],
        },
        MessageKind::DueReminder => Wording {
            sms: "حکومت خیبر پختونخوا، ضلع {district}: یاد دہانی، چالان {challan_no} ({head}) ابھی تک ادا نہیں ہوا۔ {due_date} تک {amount} ادا کریں، اس کے بعد {amount_after_due}۔ ادائیگی: {pay_url}",
            subject: "یاد دہانی: چالان {challan_no} کی آخری تاریخ {due_date}",
            paragraphs: &[
                "ضلع {district} کی جانب سے {head} ({head_code}) کی مد میں جاری کردہ چالان {challan_no} ابھی تک ادا نہیں کیا گیا۔",
                "براہ کرم {due_date} تک {amount} ادا کریں۔ اس تاریخ کے بعد قابل ادا رقم {amount_after_due} ہو جائے گی۔",
                "{how_to_pay}۔",
                "اگر آپ ادائیگی کر چکے ہیں تو اس یاد دہانی کو نظر انداز کر دیں۔ چالان کی تصدیق {verify_url} پر کی جا سکتی ہے۔",
            ],
        },
        MessageKind::OverdueNotice => Wording {
            sms: "حکومت خیبر پختونخوا، ضلع {district}: چالان {challan_no} ({head}) کی آخری تاریخ {due_date} گزر چکی ہے اور ادائیگی نہیں ہوئی۔ اب {amount_after_due} قابل ادا ہے۔ ادائیگی: {pay_url}",
            subject: "آخری تاریخ گزر چکی: چالان {challan_no}",
            paragraphs: &[
                "ضلع {district} کی جانب سے {head} ({head_code}) کی مد میں جاری کردہ چالان {challan_no} کی آخری تاریخ {due_date} تھی، اور اس کی ادائیگی نہیں ہوئی۔",
                "اب قابل ادا رقم {amount_after_due} ہے۔",
                "{how_to_pay}۔",
                "عدم ادائیگی کی صورت میں متعلقہ قانون کے تحت مزید کارروائی کی جا سکتی ہے۔ چالان کی تصدیق {verify_url} پر کی جا سکتی ہے۔",
            ],
        },
        MessageKind::PaymentReceipt => Wording {
            sms: "حکومت خیبر پختونخوا، ضلع {district}: چالان {challan_no} کی مد میں {paid_amount} کی ادائیگی {paid_at} کو موصول ہوئی۔ رسید نمبر {receipt_no}۔",
            subject: "ادائیگی موصول: چالان {challan_no}",
            paragraphs: &[
                "چالان {challan_no} ({head}، {head_code}) کی ادائیگی موصول ہو گئی ہے۔ شکریہ۔",
                "رسید نمبر: {receipt_no}\nادا شدہ رقم: {paid_amount}\nادائیگی کا وقت: {paid_at}",
                "براہ کرم یہ رسید محفوظ رکھیں۔ چالان اور اس کی ادائیگی کی تصدیق {verify_url} پر کی جا سکتی ہے۔",
            ],
        },
        MessageKind::CancellationDecided => Wording {
            sms: DECISION_SMS,
            subject: "چالان {challan_no} کی منسوخی پر فیصلہ",
            paragraphs: &[
                "ضلع {district} کی جانب سے {head} ({head_code}) کی مد میں جاری کردہ چالان {challan_no} کی منسوخی کی درخواست پر فیصلہ کر دیا گیا ہے۔",
                "فیصلہ: {decision}۔\nوجہ: {reason}",
                STILL_PAYABLE,
                CHECK_STATUS,
            ],
        },
        MessageKind::WaiverDecided => Wording {
            sms: DECISION_SMS,
            subject: "چالان {challan_no} کی معافی پر فیصلہ",
            paragraphs: &[
                "ضلع {district} کی جانب سے {head} ({head_code}) کی مد میں جاری کردہ چالان {challan_no} کی معافی کی درخواست پر فیصلہ کر دیا گیا ہے۔",
                "فیصلہ: {decision}۔\nوجہ: {reason}",
                STILL_PAYABLE,
                CHECK_STATUS,
            ],
        },
        MessageKind::ContestDecided => Wording {
            sms: DECISION_SMS,
            subject: "چالان {challan_no} پر آپ کے اعتراض کا فیصلہ",
            paragraphs: &[
                "ضلع {district} کی جانب سے {head} ({head_code}) کی مد میں جاری کردہ چالان {challan_no} پر آپ کے اعتراض کا فیصلہ کر دیا گیا ہے۔",
                "فیصلہ: {decision}۔\nوجہ: {reason}",
                STILL_PAYABLE,
                CHECK_STATUS,
            ],
        },
    }
}
