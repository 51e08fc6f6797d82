//! What a challan's seal says: the values of DESIGN.md's claim map, taken from the stored
//! challan. No name, CNIC or phone number: QR codes get photographed.

use mahasil_domain::head::HeadCode;
use mahasil_domain::money::Paisa;
use mahasil_domain::time::days_since_epoch;
use mahasil_seal::{Claims, Document, PaymentChannel, SealError, ShortText};
use mahasil_store::{ChallanRecord, PaymentRecord};

/// Longest business name carried as the seal's subject id; longer names are left out so
/// every seal still fits a small QR code (the vehicle number, when there is one, is used).
pub const MAX_SUBJECT_CHARS: usize = 16;

/// The claims of `c`'s seal, signed at its received-at time.
pub fn challan_claims(c: &ChallanRecord) -> Result<Claims, SealError> {
    let subject = c
        .offender
        .vehicle_no
        .as_ref()
        .map(|v| v.as_str().to_string())
        .or_else(|| c.offender.business_name.as_ref().map(|b| b.as_str().to_string()).filter(|b| b.chars().count() <= MAX_SUBJECT_CHARS));
    let due_date_days = u32::try_from(days_since_epoch(c.due_date)).map_err(|_| SealError::Invalid { field: "due_date", reason: "before 1970".into() })?;
    Ok(Claims {
        issuer: c.issuer_no,
        issued_at_s: c.received_at.as_second(),
        number: c.challan_no,
        heads: vec![HeadCode::parse(&c.head_code)?],
        amount_paisa: Paisa::new(c.amount_paisa)?,
        district: c.district.clone(),
        subject_id: subject.map(|s| ShortText::parse("subject_id", &s)).transpose()?,
        document: Document::Challan {
            amount_after_due_paisa: Paisa::new(c.amount_after_due_paisa)?,
            due_date_days,
            officer: ShortText::parse("officer", &c.officer_username)?,
        },
    })
}

/// The claims of a receipt's seal: the payment `p` of challan `c`, signed when the
/// payment was accepted.
pub fn receipt_claims(p: &PaymentRecord, c: &ChallanRecord) -> Result<Claims, SealError> {
    let challan = challan_claims(c)?;
    let channel = match p.channel {
        mahasil_ledger::Channel::Bank => PaymentChannel::Bank,
        mahasil_ledger::Channel::Gateway => PaymentChannel::Gateway,
        mahasil_ledger::Channel::Counter => PaymentChannel::Counter,
    };
    let received_by = match p.channel {
        mahasil_ledger::Channel::Counter => Some(ShortText::parse("received_by", &p.recorded_by)?),
        _ => None,
    };
    Ok(Claims {
        issuer: p.receipt_no.issuer(),
        issued_at_s: p.received_at.as_second(),
        number: p.receipt_no,
        amount_paisa: Paisa::new(p.amount_paisa)?,
        document: Document::Receipt { challan_no: c.challan_no, channel, payment_reference: ShortText::parse("payment_reference", &p.reference)?, received_by },
        ..challan
    })
}

/// One signed value as a person compares it with the paper: English and Urdu labels.
pub struct SignedValue {
    pub en: &'static str,
    pub ur: &'static str,
    pub value: String,
}

/// Every signed value of a seal, labelled, in the order the check page and `mahasil
/// verify` show them.
pub fn signed_values(c: &Claims) -> Vec<SignedValue> {
    let row = |en, ur, value: String| SignedValue { en, ur, value };
    let mut rows = vec![
        row("Document", "دستاویز", c.document_type().as_str().to_string()),
        row("Number", "نمبر", c.number.to_string()),
        row("Heads", "مد", c.heads.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")),
        row("Amount", "رقم", c.amount_paisa.to_string()),
        row("District", "ضلع", c.district.to_string()),
    ];
    if let Some(subject) = &c.subject_id {
        rows.push(row("Vehicle / business", "گاڑی / کاروبار", subject.to_string()));
    }
    match &c.document {
        Document::Challan { amount_after_due_paisa, due_date_days, officer } => {
            rows.push(row("Amount after due date", "مقررہ تاریخ کے بعد رقم", amount_after_due_paisa.to_string()));
            let due = jiff::civil::Date::constant(1970, 1, 1).checked_add(jiff::Span::new().days(i64::from(*due_date_days)));
            rows.push(row("Due date", "آخری تاریخ", due.map_or_else(|_| due_date_days.to_string(), |d| d.to_string())));
            rows.push(row("Officer", "افسر", officer.to_string()));
        }
        Document::Receipt { challan_no, channel, payment_reference, received_by } => {
            rows.push(row("Challan paid", "ادا شدہ چالان", challan_no.to_string()));
            rows.push(row("Paid through", "ادائیگی کا ذریعہ", channel.as_str().to_string()));
            rows.push(row("Payment reference", "حوالہ", payment_reference.to_string()));
            if let Some(by) = received_by {
                rows.push(row("Received by", "وصول کنندہ", by.to_string()));
            }
        }
    }
    rows.push(row("Issuer", "جاری کنندہ", c.issuer.to_string()));
    let signed_at = jiff::Timestamp::from_second(c.issued_at_s).map_or_else(|_| c.issued_at_s.to_string(), crate::web::karachi_time);
    rows.push(row("Signed at", "دستخط کا وقت", signed_at));
    rows
}
