//! The signed values of a seal: what a challan or receipt says, as typed values.
//!
//! A seal carries no name, CNIC or phone: QR codes get photographed. Everything in
//! [`Claims`] is shown by the verifier so a person can compare it with the paper.

use mahasil_domain::challan_no::{ChallanNo, IssuerNo};
use mahasil_domain::head::HeadCode;
use mahasil_domain::jurisdiction::Slug;
use mahasil_domain::money::Paisa;
use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::keys::Usage;
use crate::short_text::ShortText;

/// The most revenue heads one seal names.
pub const MAX_HEADS: usize = 8;

/// Whether a seal is on a challan or a receipt (claim `-65537 / 1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocumentType {
    Challan,
    Receipt,
}

impl DocumentType {
    pub fn code(self) -> i64 {
        match self {
            Self::Challan => 1,
            Self::Receipt => 2,
        }
    }

    pub fn from_code(code: i64) -> Option<Self> {
        [Self::Challan, Self::Receipt].into_iter().find(|t| t.code() == code)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Challan => "challan",
            Self::Receipt => "receipt",
        }
    }

    /// The usage a key must have to seal this type of document.
    pub fn usage(self) -> Usage {
        match self {
            Self::Challan => Usage::Challan,
            Self::Receipt => Usage::Receipt,
        }
    }
}

/// How a payment arrived (claim `-65537 / 10`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PaymentChannel {
    Bank,
    Gateway,
    Counter,
}

impl PaymentChannel {
    pub const ALL: [PaymentChannel; 3] = [Self::Bank, Self::Gateway, Self::Counter];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Bank => "bank",
            Self::Gateway => "gateway",
            Self::Counter => "counter",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// The values of one seal. Building a seal checks what the types cannot (at least one
/// head, at most [`MAX_HEADS`], a time not before 1970).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claims {
    /// `iss`: the issuer number of the signing server node or device.
    pub issuer: IssuerNo,
    /// `iat`: when the issuer signed, in seconds since the Unix epoch, by its own clock.
    pub issued_at_s: i64,
    /// `cti`: the challan_no of a challan, or the receipt_no of a receipt.
    pub number: ChallanNo,
    pub heads: Vec<HeadCode>,
    /// The amount within the due date (challan) or the amount paid (receipt).
    pub amount_paisa: Paisa,
    pub district: Slug,
    /// A vehicle registration or business id, if the document names one.
    pub subject_id: Option<ShortText>,
    pub document: Document,
}

/// What only one type of document carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Document {
    Challan {
        amount_after_due_paisa: Paisa,
        /// The due date in days since 1970-01-01 (`mahasil_domain::time::days_since_epoch`).
        due_date_days: u32,
        /// The issuing officer's username.
        officer: ShortText,
    },
    Receipt {
        /// The challan this receipt pays.
        challan_no: ChallanNo,
        channel: PaymentChannel,
        /// The bank's or gateway's transaction reference, or the counter's receipt book entry.
        payment_reference: ShortText,
        /// The username of the staff member who took the payment, for counter payments.
        received_by: Option<ShortText>,
    },
}

impl Claims {
    pub fn document_type(&self) -> DocumentType {
        match self.document {
            Document::Challan { .. } => DocumentType::Challan,
            Document::Receipt { .. } => DocumentType::Receipt,
        }
    }

    /// The challan a revocation list must be checked for: this challan, or the one a
    /// receipt pays.
    pub fn challan_no(&self) -> ChallanNo {
        match &self.document {
            Document::Challan { .. } => self.number,
            Document::Receipt { challan_no, .. } => *challan_no,
        }
    }
}

/// The JSON form shared with the JavaScript verifier and the test vectors: claim names as
/// in DESIGN.md, numbers people type as their 15 digits, absent values left out.
impl Serialize for Claims {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("type", self.document_type().as_str())?;
        map.serialize_entry("iss", &self.issuer.to_string())?;
        map.serialize_entry("iat", &self.issued_at_s)?;
        map.serialize_entry("cti", &self.number.digits())?;
        map.serialize_entry("heads", &self.heads.iter().map(HeadCode::as_str).collect::<Vec<_>>())?;
        map.serialize_entry("amount_paisa", &self.amount_paisa.get())?;
        match &self.document {
            Document::Challan { amount_after_due_paisa, due_date_days, officer } => {
                map.serialize_entry("amount_after_due_paisa", &amount_after_due_paisa.get())?;
                map.serialize_entry("due_date_days", due_date_days)?;
                map.serialize_entry("officer", officer)?;
            }
            Document::Receipt { received_by: Some(officer), .. } => map.serialize_entry("officer", officer)?,
            Document::Receipt { received_by: None, .. } => {}
        }
        map.serialize_entry("district", self.district.as_str())?;
        if let Some(subject_id) = &self.subject_id {
            map.serialize_entry("subject_id", subject_id)?;
        }
        if let Document::Receipt { challan_no, channel, payment_reference, .. } = &self.document {
            map.serialize_entry("challan_no", &challan_no.digits())?;
            map.serialize_entry("channel", channel.as_str())?;
            map.serialize_entry("payment_reference", payment_reference)?;
        }
        map.end()
    }
}
