//! Sample documents for demo pages, examples, benchmarks and tests: a notice and a receipt
//! from the demo catalogue, with a QR URL as long as a real sealed one. Marked demo.

use jiff::civil::Date;
use mahasil_domain::DomainError;
use mahasil_domain::challan_no::{ChallanNo, IssuerNo};
use mahasil_domain::money::Paisa;

use crate::document::{Document, Kind, Notice, PaymentChannel, Receipt, Row};

/// Shaped like a sealed challan's URL: base URL, `/V/`, and the Base32 of ~170 COSE bytes
/// (272 characters), all upper case. The token is pseudo-random (a fixed xorshift) so the
/// QR has no easy pattern, yet every call gives the same URL.
pub fn sealed_url() -> String {
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

/// Head `DA-ENC-01`: PKR 5,000 within 14 days, PKR 6,000 after.
pub fn notice() -> Result<Document, DomainError> {
    Ok(Document {
        demo: true,
        title_en: "Fine Notice — Encroachment".into(),
        title_ur: "جرمانہ نوٹس — تجاوزات".into(),
        challan_no: ChallanNo::new(IssuerNo::new(100_001)?, 42)?,
        rows: rows(),
        qr_url: sealed_url(),
        kind: Kind::Notice(Notice { amount: Paisa::new(500_000)?, amount_after_due: Paisa::new(600_000)?, due_date: Date::constant(2026, 3, 15) }),
    })
}

/// The notice's challan paid at a bank.
pub fn receipt() -> Result<Document, DomainError> {
    Ok(Document {
        demo: true,
        title_en: "Payment Receipt".into(),
        title_ur: "رسیدِ ادائیگی".into(),
        challan_no: ChallanNo::new(IssuerNo::new(100_001)?, 42)?,
        rows: rows().into_iter().take(3).collect(),
        qr_url: sealed_url(),
        kind: Kind::Receipt(Receipt {
            receipt_no: ChallanNo::new(IssuerNo::new(200_001)?, 7)?,
            amount_paid: Paisa::new(500_000)?,
            paid_at: jiff::Timestamp::constant(1_772_692_920, 0),
            channel: PaymentChannel::Bank,
            reference: "DEMO-BANK 20260305 000123".into(),
        }),
    })
}
