//! The fixed English and Urdu wording printed on every notice and receipt, and how money,
//! dates and times are written on paper.

use jiff::Timestamp;
use jiff::civil::Date;
use mahasil_domain::challan_no::ChallanNo;
use mahasil_domain::money::Paisa;
use mahasil_domain::time::pakistan;

use crate::document::{Notice, PaymentChannel};

/// A phrase in both languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Words {
    pub en: &'static str,
    pub ur: &'static str,
}

const fn words(en: &'static str, ur: &'static str) -> Words {
    Words { en, ur }
}

pub(crate) const GOVERNMENT: Words = words("Government of Khyber Pakhtunkhwa", "حکومتِ خیبر پختونخوا");
pub(crate) const DEMO: Words = words("DEMO — not a real demand", "نمونہ — یہ حقیقی مطالبہ نہیں");
pub(crate) const CHALLAN_NO: Words = words("Challan No.", "چالان نمبر");
pub(crate) const RECEIPT_NO: Words = words("Receipt No.", "رسید نمبر");
pub(crate) const PAYABLE_BY: Words = words("Payable by due date", "مقررہ تاریخ تک قابلِ ادا رقم");
pub(crate) const PAYABLE_AFTER: Words = words("Payable after due date", "مقررہ تاریخ کے بعد قابلِ ادا رقم");
pub(crate) const DUE_DATE: Words = words("Due date", "آخری تاریخ");
pub(crate) const AMOUNT_PAID: Words = words("Amount paid", "ادا شدہ رقم");
pub(crate) const PAID_AT: Words = words("Paid at", "وقتِ ادائیگی");
pub(crate) const CHANNEL: Words = words("Paid through", "ذریعۂ ادائیگی");
pub(crate) const REFERENCE: Words = words("Reference", "حوالہ");
pub(crate) const PAID: Words = words("PAID", "ادا شدہ");
pub(crate) const SCAN_TO_VERIFY: Words = words("Scan to verify this document", "اس دستاویز کی تصدیق کے لیے کوڈ اسکین کریں");

pub(crate) fn channel(channel: PaymentChannel) -> Words {
    match channel {
        PaymentChannel::Bank => words("Bank", "بینک"),
        PaymentChannel::Gateway => words("Online payment", "آن لائن ادائیگی"),
        PaymentChannel::Counter => words("Treasury counter", "خزانہ کاؤنٹر"),
    }
}

/// `PKR 5,000.00`: always two decimals on paper, so amounts line up and read as money.
/// A no-break space keeps the currency and the number on one line when text wraps.
pub(crate) fn money(amount: Paisa) -> String {
    format!("PKR\u{a0}{}", money_digits(amount))
}

/// `5,000.00`, for the Urdu sentences, which put the currency word after the number.
fn money_digits(amount: Paisa) -> String {
    let paisa = amount.get();
    let digits = (paisa / 100).to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3 + 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    format!("{grouped}.{:02}", paisa % 100)
}

/// `14-Mar-2026`: the month as a word cannot be misread as day-first or month-first.
pub(crate) fn date_en(date: Date) -> String {
    date.strftime("%d-%b-%Y").to_string()
}

/// `14/03/2026`: day first as in Pakistan, digits only so Urdu text needs no English word.
/// Slashes, not dashes: between Arabic-context digits the bidi algorithm keeps a slash inside
/// the number but treats a dash as Urdu punctuation, which would print `2026-03-14`.
fn date_ur(date: Date) -> String {
    date.strftime("%d/%m/%Y").to_string()
}

/// `14-Mar-2026 15:42 PKT`: payments are stamped in UTC and shown in Pakistan time.
pub(crate) fn time(at: Timestamp) -> String {
    at.to_zoned(pakistan()).strftime("%d-%b-%Y %H:%M PKT").to_string()
}

/// How to pay, in English and Urdu. The consumer number is the challan number's 15 digits
/// without dashes, as banks' bill-payment screens take it.
pub(crate) fn payment_instructions(challan_no: ChallanNo, notice: &Notice) -> (String, String) {
    let consumer = challan_no.digits();
    let en = format!(
        "Pay at any bank branch, ATM, mobile or internet banking with consumer number {consumer}. Pay {} on or before {}; {} after that date.",
        money(notice.amount),
        date_en(notice.due_date),
        money(notice.amount_after_due),
    );
    let ur = format!(
        "کسی بھی بینک برانچ، اے ٹی ایم، موبائل یا انٹرنیٹ بینکنگ سے کنزیومر نمبر {consumer} کے ذریعے ادائیگی کریں۔ {} تک {}\u{a0}روپے، اس کے بعد {}\u{a0}روپے ادا کریں۔",
        date_ur(notice.due_date),
        money_digits(notice.amount),
        money_digits(notice.amount_after_due),
    );
    (en, ur)
}

#[cfg(test)]
mod tests {
    use super::*;
    use mahasil_domain::challan_no::IssuerNo;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    #[test]
    fn money_always_has_paisa() -> TestResult {
        assert_eq!(money(Paisa::new(500_000)?), "PKR\u{a0}5,000.00");
        assert_eq!(money(Paisa::new(125_050)?), "PKR\u{a0}1,250.50");
        assert_eq!(money(Paisa::new(7)?), "PKR\u{a0}0.07");
        assert_eq!(money(Paisa::new(12_345_678_900)?), "PKR\u{a0}123,456,789.00");
        Ok(())
    }

    #[test]
    fn instructions_carry_the_consumer_number_and_both_amounts() -> TestResult {
        let no = ChallanNo::new(IssuerNo::new(123_456)?, 42)?;
        let notice = Notice { amount: Paisa::new(500_000)?, amount_after_due: Paisa::new(600_000)?, due_date: Date::constant(2026, 3, 14) };
        let (en, ur) = payment_instructions(no, &notice);
        let digits = no.digits();
        assert_eq!(digits.len(), 15);
        for text in [&en, &ur] {
            assert!(text.contains(&digits));
            assert!(text.contains("5,000.00") && text.contains("6,000.00"));
        }
        assert!(en.contains("14-Mar-2026"));
        assert!(ur.contains("14/03/2026"));
        Ok(())
    }

    #[test]
    fn times_are_shown_in_pakistan() -> TestResult {
        let at: Timestamp = "2026-03-01T19:30:00Z".parse()?;
        assert_eq!(time(at), "02-Mar-2026 00:30 PKT");
        Ok(())
    }
}
