//! Claims to and from the CWT claims set (RFC 8392) that is a seal's payload.
//!
//! Layout: `{1: iss, 6: iat, 7: cti, -65537: {1: type, 2: [heads], 3: amount_paisa,
//! 4: amount_after_due_paisa, 5: due date days, 6: officer, 7: district, 8: subject id,
//! 9: challan_no paid, 10: channel, 11: payment reference}}`. `iss` is the issuer number
//! as 6 digits of text; `cti` is the 15 ASCII digits of the challan_no or receipt_no as a
//! **byte string** (RFC 8392 §3.1.7 makes `cti` a byte string); the challan_no in key 9 is
//! the same 15 digits as text. A challan carries keys 1-7 (8 if any); a receipt carries
//! 1, 2, 3, 7, 9, 10, 11 (6 and 8 if any). The encoding is deterministic, and decoding
//! refuses any other encoding, unknown keys, wrong types and missing keys.

use std::collections::BTreeMap;

use ciborium::Value;
use coset::CborSerializable;
use coset::cwt::{ClaimName, ClaimsSet, ClaimsSetBuilder, Timestamp};
use mahasil_domain::challan_no::{ChallanNo, IssuerNo};
use mahasil_domain::head::HeadCode;
use mahasil_domain::jurisdiction::Slug;
use mahasil_domain::money::Paisa;

use crate::cbor::{self, Fields};
use crate::claims::{Claims, Document, DocumentType, MAX_HEADS, PaymentChannel};
use crate::short_text::ShortText;
use crate::{Result, SealError};

/// The private claim that holds mahasil's integer-keyed map.
pub const PRIVATE_CLAIM: i64 = -65537;

const TYPE: i64 = 1;
const HEADS: i64 = 2;
const AMOUNT: i64 = 3;
const AMOUNT_AFTER_DUE: i64 = 4;
const DUE_DATE: i64 = 5;
const OFFICER: i64 = 6;
const DISTRICT: i64 = 7;
const SUBJECT_ID: i64 = 8;
const CHALLAN_NO: i64 = 9;
const CHANNEL: i64 = 10;
const PAYMENT_REFERENCE: i64 = 11;

/// The deterministic CWT payload of `claims`.
pub fn encode(claims: &Claims) -> Result<Vec<u8>> {
    if claims.heads.is_empty() || claims.heads.len() > MAX_HEADS {
        return Err(SealError::invalid("heads", format!("a seal names 1 to {MAX_HEADS} heads")));
    }
    if claims.issued_at_s < 0 {
        return Err(SealError::invalid("issued_at_s", "must not be before 1970"));
    }
    let text = |s: &str| Value::Text(s.to_string());
    // A BTreeMap puts the keys in the ascending order deterministic encoding needs.
    let mut private = BTreeMap::new();
    private.insert(TYPE, cbor::uint_value(claims.document_type().code()));
    private.insert(HEADS, Value::Array(claims.heads.iter().map(|h| text(h.as_str())).collect()));
    private.insert(AMOUNT, cbor::uint_value(claims.amount_paisa.get()));
    private.insert(DISTRICT, text(claims.district.as_str()));
    if let Some(subject_id) = &claims.subject_id {
        private.insert(SUBJECT_ID, text(subject_id.as_str()));
    }
    match &claims.document {
        Document::Challan { amount_after_due_paisa, due_date_days, officer } => {
            private.insert(AMOUNT_AFTER_DUE, cbor::uint_value(amount_after_due_paisa.get()));
            private.insert(DUE_DATE, cbor::uint_value(i64::from(*due_date_days)));
            private.insert(OFFICER, text(officer.as_str()));
        }
        Document::Receipt { challan_no, channel, payment_reference, received_by } => {
            if let Some(officer) = received_by {
                private.insert(OFFICER, text(officer.as_str()));
            }
            private.insert(CHALLAN_NO, text(&challan_no.digits()));
            private.insert(CHANNEL, text(channel.as_str()));
            private.insert(PAYMENT_REFERENCE, text(payment_reference.as_str()));
        }
    }
    ClaimsSetBuilder::new()
        .issuer(claims.issuer.to_string())
        .issued_at(Timestamp::WholeSeconds(claims.issued_at_s))
        .cwt_id(claims.number.digits().into_bytes())
        .private_claim(PRIVATE_CLAIM, cbor::int_map(private.into_iter().collect()))
        .build()
        .to_vec()
        .map_err(|_| SealError::Malformed("claims cannot be encoded"))
}

/// The claims of a CWT payload, refusing everything but the deterministic encoding of
/// valid claims.
pub fn decode(payload: &[u8]) -> Result<Claims> {
    let set = ClaimsSet::from_slice(payload).map_err(|_| SealError::Malformed("payload is not a CWT claims set"))?;
    if set.subject.is_some() || set.audience.is_some() || set.expiration_time.is_some() || set.not_before.is_some() {
        return Err(SealError::Malformed("unexpected registered claim"));
    }
    let issuer = set.issuer.ok_or(SealError::Malformed("iss is missing"))?;
    let issuer = issuer_no(&issuer)?;
    let issued_at_s = match set.issued_at {
        Some(Timestamp::WholeSeconds(s)) if s >= 0 => s,
        Some(_) => return Err(SealError::Malformed("iat is not whole seconds since 1970")),
        None => return Err(SealError::Malformed("iat is missing")),
    };
    let cti = set.cwt_id.ok_or(SealError::Malformed("cti is missing"))?;
    let number = parse_number(std::str::from_utf8(&cti).map_err(|_| SealError::Malformed("cti is not 15 digits"))?, "cti is not a valid number")?;
    let mut rest = set.rest.into_iter();
    let private = match (rest.next(), rest.next()) {
        (Some((ClaimName::PrivateUse(PRIVATE_CLAIM), value)), None) => value,
        _ => return Err(SealError::Malformed("claims other than iss, iat, cti and -65537")),
    };
    let claims = decode_private(issuer, issued_at_s, number, private)?;
    if encode(&claims).ok().as_deref() != Some(payload) {
        return Err(SealError::Malformed("claims are not deterministically encoded"));
    }
    Ok(claims)
}

fn decode_private(issuer: IssuerNo, issued_at_s: i64, number: ChallanNo, private: Value) -> Result<Claims> {
    let mut fields = Fields::of(private, "unknown key in claim -65537")?;
    let kind = cbor::int(&fields.required(TYPE, "type is missing")?, "type is not an integer")?;
    let kind = DocumentType::from_code(kind).ok_or(SealError::Malformed("unknown document type"))?;
    let heads = cbor::array(fields.required(HEADS, "heads are missing")?, "heads are not an array")?
        .into_iter()
        .map(|h| HeadCode::parse(&cbor::text(h, "a head is not text")?).map_err(|_| SealError::Malformed("a head code is invalid")))
        .collect::<Result<Vec<_>>>()?;
    if heads.is_empty() || heads.len() > MAX_HEADS {
        return Err(SealError::Malformed("a seal names no heads or too many"));
    }
    let amount_paisa = paisa(&fields.required(AMOUNT, "amount is missing")?)?;
    let district = cbor::text(fields.required(DISTRICT, "district is missing")?, "district is not text")?;
    let district = Slug::parse(&district).map_err(|_| SealError::Malformed("district is not a slug"))?;
    let subject_id = fields.optional(SUBJECT_ID).map(|v| short_text(v, "subject_id")).transpose()?;
    let officer = fields.optional(OFFICER).map(|v| short_text(v, "officer")).transpose()?;
    let document = match kind {
        DocumentType::Challan => Document::Challan {
            amount_after_due_paisa: paisa(&fields.required(AMOUNT_AFTER_DUE, "amount after due is missing")?)?,
            due_date_days: u32::try_from(cbor::uint(&fields.required(DUE_DATE, "due date is missing")?, "due date is not days")?)
                .map_err(|_| SealError::Malformed("due date is out of range"))?,
            officer: officer.ok_or(SealError::Malformed("officer is missing"))?,
        },
        DocumentType::Receipt => {
            let challan_no = cbor::text(fields.required(CHALLAN_NO, "challan_no is missing")?, "challan_no is not text")?;
            let channel = cbor::text(fields.required(CHANNEL, "channel is missing")?, "channel is not text")?;
            Document::Receipt {
                challan_no: parse_number(&challan_no, "challan_no is not a valid number")?,
                channel: PaymentChannel::parse(&channel).ok_or(SealError::Malformed("unknown payment channel"))?,
                payment_reference: short_text(fields.required(PAYMENT_REFERENCE, "payment reference is missing")?, "payment_reference")?,
                received_by: officer,
            }
        }
    };
    fields.finish()?;
    Ok(Claims { issuer, issued_at_s, number, heads, amount_paisa, district, subject_id, document })
}

/// Exactly six digits, as `iss` is written.
pub(crate) fn issuer_no(text: &str) -> Result<IssuerNo> {
    let malformed = SealError::Malformed("iss is not a six-digit issuer number");
    if text.len() != 6 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(malformed);
    }
    text.parse::<u32>().ok().and_then(|n| IssuerNo::new(n).ok()).ok_or(malformed)
}

/// Exactly the 15 digits of a challan_no or receipt_no, with a correct check digit.
pub(crate) fn parse_number(text: &str, malformed: &'static str) -> Result<ChallanNo> {
    if text.len() != 15 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(SealError::Malformed(malformed));
    }
    ChallanNo::parse(text).map_err(|_| SealError::Malformed(malformed))
}

fn paisa(value: &Value) -> Result<Paisa> {
    Paisa::new(cbor::uint(value, "an amount is not an integer")?).map_err(|_| SealError::Malformed("an amount is out of range"))
}

fn short_text(value: Value, field: &'static str) -> Result<ShortText> {
    ShortText::parse(field, &cbor::text(value, "a text claim is not text")?).map_err(|_| SealError::Malformed("a text claim is invalid"))
}

#[cfg(test)]
#[path = "cwt_tests.rs"]
mod tests;
