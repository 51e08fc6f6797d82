//! Sample documents shared by the tests and the examples: a demo notice and a receipt with
//! a QR URL as long as a real sealed one.

use jiff::civil::Date;
use mahasil_domain::challan_no::{ChallanNo, IssuerNo};
use mahasil_domain::money::Paisa;
use mahasil_print::{Document, Kind, Notice, PaymentChannel, Receipt, Row};

pub type TestResult<T = ()> = Result<T, Box<dyn std::error::Error>>;

/// A sealed challan's URL: base URL, `/V/`, and the Base32 of ~170 COSE bytes (272
/// characters), all upper case. The token is pseudo-random so the QR has no easy pattern.
pub fn sample_url() -> String {
    const BASE32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut state: u32 = 0x2545_f491;
    let token: String = (0..272)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            char::from(BASE32[(state % 32) as usize])
        })
        .collect();
    format!("HTTPS://MAHASIL.EXAMPLE.PK/V/{token}")
}

fn rows() -> Vec<Row> {
    vec![
        Row::new("Offence", "جرم", "DA-ENC-01 Encroachment on a public road"),
        Row::new("Name", "نام", "Muhammad Imran Khan"),
        Row::new("CNIC", "شناختی کارڈ", "17301-1234567-1"),
        Row::new("Business", "کاروبار", "خان جنرل اسٹور"),
        Row::new("Location", "مقام", "Qissa Khwani Bazaar, Peshawar"),
        Row::new("Issued by", "جاری کنندہ", "officer.peshawar, 01-Mar-2026 11:05 PKT"),
    ]
}

pub fn notice(demo: bool) -> TestResult<Document> {
    Ok(Document {
        demo,
        title_en: "Fine Notice — Encroachment".into(),
        title_ur: "جرمانہ نوٹس — تجاوزات".into(),
        challan_no: ChallanNo::new(IssuerNo::new(100_001)?, 42)?,
        rows: rows(),
        qr_url: sample_url(),
        kind: Kind::Notice(Notice { amount: Paisa::new(500_000)?, amount_after_due: Paisa::new(600_000)?, due_date: Date::constant(2026, 3, 15) }),
    })
}

pub fn receipt(demo: bool) -> TestResult<Document> {
    Ok(Document {
        demo,
        title_en: "Payment Receipt".into(),
        title_ur: "رسیدِ ادائیگی".into(),
        challan_no: ChallanNo::new(IssuerNo::new(100_001)?, 42)?,
        rows: rows().into_iter().take(3).collect(),
        qr_url: sample_url(),
        kind: Kind::Receipt(Receipt {
            receipt_no: ChallanNo::new(IssuerNo::new(200_001)?, 7)?,
            amount_paid: Paisa::new(500_000)?,
            paid_at: "2026-03-05T06:42:00Z".parse()?,
            channel: PaymentChannel::Bank,
            reference: "DEMO-BANK 20260305 000123".into(),
        }),
    })
}
