//! A challan issued on a device: the op payload that carries it, the checks that payload
//! must pass, and the claims of its seal. The server seals its own challans with the same
//! [`seal_claims`], so a seal says the same thing whoever signed it.

use jiff::Timestamp;
use jiff::civil::Date;
use mahasil_domain::challan::{Location, Offender};
use mahasil_domain::challan_no::{ChallanNo, IssuerNo};
use mahasil_domain::head::{AmountRule, FeeSchedule, FrozenAmounts, HeadCode, RevenueHead, schedule_in_force};
use mahasil_domain::identity::{Cnic, Email, MAX_TEXT_CHARS, Mobile, Text, VehicleNo};
use mahasil_domain::jurisdiction::Slug;
use mahasil_domain::money::Paisa;
use mahasil_domain::notice::Language;
use mahasil_domain::time::{days_since_epoch, local_date};
use mahasil_seal::{Claims, Document, ShortText};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::signing::{b64u, from_b64u};
use crate::{Result, SyncError};

/// Longest business name carried as the seal's subject id; longer names are left out so
/// every seal still fits a small QR code (the vehicle number, when there is one, is used).
pub const MAX_SUBJECT_CHARS: usize = 16;

/// Who a challan is addressed to, as a client sends it (the API, a staff page, a field
/// device's op). Every form the domain reads is accepted and normalised: CNIC
/// `#####-#######-#` or 13 digits, a Pakistani mobile such as `0300-1234567` or
/// `+923001234567`, a plate such as `LES-10-1234`; devices send the normalised forms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OffenderPayload {
    pub name: String,
    pub cnic: String,
    pub mobile: String,
    pub email: Option<String>,
    pub vehicle_no: Option<String>,
    pub business_name: Option<String>,
    pub address: Option<String>,
    /// `en` or `ur`: the language the offender asked to be written to in; absent when
    /// they did not say (SMS then goes in Urdu, email in English).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

/// Where a challan was issued: latitude and longitude in degrees, and a place name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LocationPayload {
    pub lat: f64,
    pub lon: f64,
    pub text: String,
}

/// The payload of a `challan.issue` op (sent as JSON text inside the op).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChallanPayload {
    pub id: Uuid,
    pub challan_no: String,
    pub head_code: String,
    pub schedule_version: u32,
    pub amount_paisa: i64,
    pub amount_after_due_paisa: i64,
    /// `YYYY-MM-DD`.
    pub due_date: String,
    pub district: String,
    /// The officer's username.
    pub officer: String,
    pub offender: OffenderPayload,
    pub location: LocationPayload,
    /// By the device's clock.
    #[schema(value_type = String)]
    pub issued_at: Timestamp,
    /// Hex of the previous op's hash; `null` for the device's first.
    pub prev_hash: Option<String>,
    /// Base64url of the COSE_Sign1 seal.
    pub seal: String,
}

/// A payload whose every value obeys the domain's rules.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedChallan {
    pub id: Uuid,
    pub challan_no: ChallanNo,
    pub head_code: HeadCode,
    pub schedule_version: u32,
    pub amounts: FrozenAmounts,
    pub district: Slug,
    pub officer: String,
    pub offender: Offender,
    pub location: Location,
    pub issued_at: Timestamp,
    pub prev_hash: Option<[u8; 32]>,
    pub seal: Vec<u8>,
}

fn field<T>(name: &str, parsed: mahasil_domain::Result<T>) -> Result<T> {
    parsed.map_err(|e| SyncError::invalid(name, e.to_string()))
}

fn optional<T>(name: &str, value: Option<&str>, parse: impl FnOnce(&str) -> mahasil_domain::Result<T>) -> Result<Option<T>> {
    value.map(|v| field(name, parse(v))).transpose()
}

impl OffenderPayload {
    /// The offender in the domain's types (every rule checked, forms normalised).
    pub fn checked(&self) -> Result<Offender> {
        Ok(Offender {
            name: field("offender.name", Text::parse_field("name", &self.name, MAX_TEXT_CHARS))?,
            cnic: field("offender.cnic", Cnic::parse(&self.cnic))?,
            mobile: field("offender.mobile", Mobile::parse(&self.mobile))?,
            email: optional("offender.email", self.email.as_deref(), Email::parse)?,
            vehicle_no: optional("offender.vehicle_no", self.vehicle_no.as_deref(), VehicleNo::parse)?,
            business_name: optional("offender.business_name", self.business_name.as_deref(), Text::parse)?,
            address: optional("offender.address", self.address.as_deref(), Text::parse)?,
            language: optional("offender.language", self.language.as_deref(), Language::parse)?,
        })
    }

    /// The payload form of a checked offender.
    pub fn of(o: &Offender) -> Self {
        Self {
            name: o.name.as_str().into(),
            cnic: o.cnic.as_str().into(),
            mobile: o.mobile.as_str().into(),
            email: o.email.as_ref().map(|v| v.as_str().into()),
            vehicle_no: o.vehicle_no.as_ref().map(|v| v.as_str().into()),
            business_name: o.business_name.as_ref().map(|v| v.as_str().into()),
            address: o.address.as_ref().map(|v| v.as_str().into()),
            language: o.language.map(|l| l.as_str().into()),
        }
    }
}

impl LocationPayload {
    /// The payload form of a checked location.
    pub fn of(l: &Location) -> Self {
        Self { lat: l.lat, lon: l.lon, text: l.text.as_str().into() }
    }
}

impl ChallanPayload {
    /// Reads an op's payload text; anything but exactly this shape is refused.
    pub fn parse(text: &str) -> Result<Self> {
        serde_json::from_str(text).map_err(|e| SyncError::invalid("payload", e.to_string()))
    }

    /// Checks every value by the domain's rules, and that the number is `issuer`'s.
    pub fn checked(&self, issuer: IssuerNo) -> Result<CheckedChallan> {
        let challan_no = field("challan_no", ChallanNo::parse(&self.challan_no))?;
        if challan_no.issuer() != issuer {
            return Err(SyncError::invalid("challan_no", format!("{challan_no} is not numbered by issuer {issuer}")));
        }
        let due_date: Date = self.due_date.parse().map_err(|_| SyncError::invalid("due_date", "is not a date YYYY-MM-DD"))?;
        let amount = field("amount_paisa", Paisa::new(self.amount_paisa))?;
        let amount_after_due = field("amount_after_due_paisa", Paisa::new(self.amount_after_due_paisa))?;
        if amount_after_due < amount {
            return Err(SyncError::invalid("amount_after_due_paisa", "is less than amount_paisa"));
        }
        let text = field("location.text", Text::parse_field("text", &self.location.text, MAX_TEXT_CHARS))?;
        let prev_hash = match &self.prev_hash {
            None => None,
            Some(h) => {
                Some(hex::decode(h).ok().and_then(|b| <[u8; 32]>::try_from(b).ok()).ok_or_else(|| SyncError::invalid("prev_hash", "is not 64 hex digits"))?)
            }
        };
        let username = self.officer.trim();
        if username.is_empty() || username != self.officer {
            return Err(SyncError::invalid("officer", "must be the officer's username"));
        }
        Ok(CheckedChallan {
            id: self.id,
            challan_no,
            head_code: field("head_code", HeadCode::parse(&self.head_code))?,
            schedule_version: self.schedule_version,
            amounts: FrozenAmounts { amount, amount_after_due, due_date },
            district: field("district", Slug::parse_field("district", &self.district))?,
            officer: self.officer.clone(),
            offender: self.offender.checked()?,
            location: field("location", Location::new(self.location.lat, self.location.lon, text))?,
            issued_at: self.issued_at,
            prev_hash,
            seal: from_b64u("seal", &self.seal)?,
        })
    }
}

impl CheckedChallan {
    /// The claims its seal must carry, exactly.
    pub fn claims(&self) -> Result<Claims> {
        seal_claims(&SealFacts {
            issuer: self.challan_no.issuer(),
            signed_at: self.issued_at,
            number: self.challan_no,
            head_code: &self.head_code,
            amounts: self.amounts,
            district: &self.district,
            officer: &self.officer,
            offender: &self.offender,
        })
    }

    /// Checks the amounts against the head's schedules: version `schedule_version` was the
    /// one in force on the issue date (Pakistan time), and freezing it gives the same
    /// amounts and due date.
    pub fn check_amounts(&self, schedules: &[FeeSchedule]) -> Result<()> {
        let issue_date = local_date(self.issued_at);
        let in_force = schedule_in_force(&of_head(schedules, &self.head_code), issue_date)
            .cloned()
            .ok_or_else(|| SyncError::invalid("schedule_version", format!("no schedule of {} was in force on {issue_date}", self.head_code)))?;
        if in_force.version != self.schedule_version {
            return Err(SyncError::invalid(
                "schedule_version",
                format!("{} v{} was in force on {issue_date}, not v{}", self.head_code, in_force.version, self.schedule_version),
            ));
        }
        let requested = match in_force.amount {
            AmountRule::Fixed { .. } => None,
            AmountRule::Range { .. } => Some(self.amounts.amount),
        };
        let frozen = field("amount_paisa", in_force.freeze(requested, issue_date))?;
        if frozen != self.amounts {
            return Err(SyncError::invalid(
                "amount_paisa",
                format!(
                    "{} v{} on {issue_date} gives {} / {} due {}, the challan says {} / {} due {}",
                    self.head_code,
                    in_force.version,
                    frozen.amount.get(),
                    frozen.amount_after_due.get(),
                    frozen.due_date,
                    self.amounts.amount.get(),
                    self.amounts.amount_after_due.get(),
                    self.amounts.due_date
                ),
            ));
        }
        Ok(())
    }
}

/// What a challan's seal is made from.
#[derive(Debug, Clone, Copy)]
pub struct SealFacts<'a> {
    pub issuer: IssuerNo,
    /// When the issuer signed: the server's receive time, or a device's issue time.
    pub signed_at: Timestamp,
    pub number: ChallanNo,
    pub head_code: &'a HeadCode,
    pub amounts: FrozenAmounts,
    pub district: &'a Slug,
    pub officer: &'a str,
    pub offender: &'a Offender,
}

/// The claims of a challan's seal. No name, CNIC or phone number: QR codes get
/// photographed. The subject is the vehicle number, else a business name short enough.
pub fn seal_claims(f: &SealFacts<'_>) -> Result<Claims> {
    let subject = f
        .offender
        .vehicle_no
        .as_ref()
        .map(|v| v.as_str().to_string())
        .or_else(|| f.offender.business_name.as_ref().map(|b| b.as_str().to_string()).filter(|b| b.chars().count() <= MAX_SUBJECT_CHARS));
    let due_date_days = u32::try_from(days_since_epoch(f.amounts.due_date)).map_err(|_| SyncError::invalid("due_date", "is before 1970"))?;
    Ok(Claims {
        issuer: f.issuer,
        issued_at_s: f.signed_at.as_second(),
        number: f.number,
        heads: vec![f.head_code.clone()],
        amount_paisa: f.amounts.amount,
        district: f.district.clone(),
        subject_id: subject.map(|s| ShortText::parse("subject_id", &s)).transpose()?,
        document: Document::Challan { amount_after_due_paisa: f.amounts.amount_after_due, due_date_days, officer: ShortText::parse("officer", f.officer)? },
    })
}

/// A district a device may issue in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DistrictRef {
    pub slug: String,
    pub name_en: String,
    pub name_ur: String,
}

/// A head a device may issue, with every version of its fee schedule (the domain's own
/// JSON form, so a device freezes amounts exactly as the server does).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct HeadRef {
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub head: RevenueHead,
    #[schema(value_type = Vec<Object>)]
    pub schedules: Vec<FeeSchedule>,
}

/// The reference data of a pull.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Reference {
    pub districts: Vec<DistrictRef>,
    pub heads: Vec<HeadRef>,
}

/// The payload text's form of a seal.
pub fn seal_text(cose: &[u8]) -> String {
    b64u(cose)
}

/// The schedules of one head, from a list that may hold several heads' schedules.
pub fn of_head(schedules: &[FeeSchedule], head: &HeadCode) -> Vec<FeeSchedule> {
    schedules.iter().filter(|s| &s.head == head).cloned().collect()
}
