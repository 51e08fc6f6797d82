//! What a printed notice or receipt says: the plain data the caller fills in, and the limits
//! it is checked against before anything is drawn.

use jiff::Timestamp;
use jiff::civil::Date;
use mahasil_domain::challan_no::ChallanNo;
use mahasil_domain::money::Paisa;

use crate::{PrintError, Result};

/// The most rows one document may carry: a 58 mm receipt must stay a receipt, not a scroll.
pub const MAX_ROWS: usize = 16;
/// The longest label or value, in characters. Longer text is a caller's mistake.
pub const MAX_FIELD_CHARS: usize = 200;
/// The longest QR URL, in characters. A sealed challan URL is about 300; version 40-Q
/// holds at most 2,420 alphanumeric characters, far more than paper can show legibly.
pub const MAX_QR_URL_CHARS: usize = 1_000;

/// One printable challan notice or payment receipt, in English and Urdu.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// Demo documents carry a "DEMO — not a real demand" banner.
    pub demo: bool,
    pub title_en: String,
    pub title_ur: String,
    /// The challan demanded (notice) or paid (receipt); printed `IIIIII-CCCCCCCC-D`.
    pub challan_no: ChallanNo,
    /// Free rows: head, offender, vehicle, location, officer, ... in the caller's order.
    pub rows: Vec<Row>,
    /// The sealed verification URL, all upper case so the QR uses alphanumeric mode.
    pub qr_url: String,
    pub kind: Kind,
}

/// A labelled value. The value is shown as given (it may itself be Urdu).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub label_en: String,
    pub label_ur: String,
    pub value: String,
}

impl Row {
    pub fn new(label_en: impl Into<String>, label_ur: impl Into<String>, value: impl Into<String>) -> Self {
        Self { label_en: label_en.into(), label_ur: label_ur.into(), value: value.into() }
    }
}

/// Notice or receipt, each with what only it has.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    Notice(Notice),
    Receipt(Receipt),
}

/// What a notice demands. The payment instructions are worded from these fields, so the
/// consumer number and amounts a person is told to pay are always the ones sealed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Notice {
    /// Payable on or before `due_date`.
    pub amount: Paisa,
    /// Payable after `due_date`.
    pub amount_after_due: Paisa,
    pub due_date: Date,
}

/// What a receipt acknowledges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub receipt_no: ChallanNo,
    pub amount_paid: Paisa,
    /// Shown in Pakistan time.
    pub paid_at: Timestamp,
    pub channel: PaymentChannel,
    /// The bank's or gateway's transaction reference.
    pub reference: String,
}

/// How the money came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PaymentChannel {
    Bank,
    Gateway,
    Counter,
}

/// Thermal paper widths at 203 dpi.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Paper {
    /// 58 mm roll: 384 printable dots.
    Mm58,
    /// 80 mm roll: 576 printable dots.
    Mm80,
}

impl Paper {
    /// Printable width in dots; the PNG is exactly this wide so a printer maps it 1:1.
    pub fn width_dots(self) -> u32 {
        match self {
            Paper::Mm58 => 384,
            Paper::Mm80 => 576,
        }
    }
}

impl Document {
    /// Refuses what cannot be printed well: empty titles, overlong fields, too many rows,
    /// a control character (which would print as a box or break the line).
    pub fn check(&self) -> Result<()> {
        check_text("title_en", &self.title_en, true)?;
        check_text("title_ur", &self.title_ur, true)?;
        if self.rows.len() > MAX_ROWS {
            return Err(PrintError::invalid("rows", format!("at most {MAX_ROWS}")));
        }
        for row in &self.rows {
            check_text("rows.label_en", &row.label_en, true)?;
            check_text("rows.label_ur", &row.label_ur, false)?;
            check_text("rows.value", &row.value, false)?;
        }
        if self.qr_url.is_empty() || self.qr_url.chars().count() > MAX_QR_URL_CHARS {
            return Err(PrintError::invalid("qr_url", format!("must have 1..={MAX_QR_URL_CHARS} characters")));
        }
        if let Kind::Receipt(receipt) = &self.kind {
            check_text("reference", &receipt.reference, true)?;
        }
        Ok(())
    }
}

fn check_text(field: &'static str, text: &str, required: bool) -> Result<()> {
    if required && text.trim().is_empty() {
        return Err(PrintError::invalid(field, "must not be empty"));
    }
    if text.chars().count() > MAX_FIELD_CHARS {
        return Err(PrintError::invalid(field, format!("at most {MAX_FIELD_CHARS} characters")));
    }
    if text.chars().any(char::is_control) {
        return Err(PrintError::invalid(field, "must not contain control characters or line breaks"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use mahasil_domain::challan_no::IssuerNo;

    fn document() -> Result<Document, Box<dyn std::error::Error>> {
        Ok(Document {
            demo: false,
            title_en: "Fine".into(),
            title_ur: "جرمانہ".into(),
            challan_no: ChallanNo::new(IssuerNo::new(100_001)?, 1)?,
            rows: vec![Row::new("Head", "مد", "DA-ENC-01")],
            qr_url: "HTTPS://X/V/ABC".into(),
            kind: Kind::Notice(Notice { amount: Paisa::new(500_000)?, amount_after_due: Paisa::new(600_000)?, due_date: Date::constant(2026, 3, 14) }),
        })
    }

    #[test]
    fn refuses_what_cannot_print() -> Result<(), Box<dyn std::error::Error>> {
        let good = document()?;
        assert!(good.check().is_ok());
        let mut d = good.clone();
        d.title_en = " ".into();
        assert!(d.check().is_err());
        let mut d = good.clone();
        d.rows = vec![Row::new("a", "b", "c"); MAX_ROWS + 1];
        assert!(d.check().is_err());
        let mut d = good.clone();
        d.rows[0].value = "line\nbreak".into();
        assert!(d.check().is_err());
        let mut d = good;
        d.qr_url = String::new();
        assert!(d.check().is_err());
        Ok(())
    }
}
