//! What a challan's seal says: the values of DESIGN.md's claim map, taken from the stored
//! challan. No name, CNIC or phone number: QR codes get photographed.

use mahasil_domain::head::FrozenAmounts;
use mahasil_domain::head::HeadCode;
use mahasil_domain::money::Paisa;
use mahasil_seal::{Claims, Document, PaymentChannel, SealError, ShortText};
use mahasil_store::{ChallanRecord, PaymentRecord};
use mahasil_sync::SyncError;
use mahasil_sync::challan::{SealFacts, seal_claims};

pub use mahasil_sync::challan::MAX_SUBJECT_CHARS;

/// The claims of `c`'s seal, signed at its received-at time (a device's challan carries
/// the seal the device signed at its own issue time; see `mahasil_sync::challan`).
pub fn challan_claims(c: &ChallanRecord) -> Result<Claims, SealError> {
    let head_code = HeadCode::parse(&c.head_code)?;
    let amounts = FrozenAmounts { amount: Paisa::new(c.amount_paisa)?, amount_after_due: Paisa::new(c.amount_after_due_paisa)?, due_date: c.due_date };
    seal_claims(&SealFacts {
        issuer: c.issuer_no,
        signed_at: c.received_at,
        number: c.challan_no,
        head_code: &head_code,
        amounts,
        district: &c.district,
        officer: &c.officer_username,
        offender: &c.offender,
    })
    .map_err(|e| match e {
        SyncError::Seal(seal) => seal,
        other => SealError::Invalid { field: "challan", reason: other.to_string() },
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
