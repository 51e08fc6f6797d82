//! What a challan's seal says: the values of DESIGN.md's claim map, taken from the stored
//! challan. No name, CNIC or phone number: QR codes get photographed.

use mahasil_domain::head::HeadCode;
use mahasil_domain::money::Paisa;
use mahasil_domain::time::days_since_epoch;
use mahasil_seal::{Claims, Document, SealError, ShortText};
use mahasil_store::ChallanRecord;

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
