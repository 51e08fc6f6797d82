//! Who a challan is addressed to: CNIC, Pakistani mobile number, email, name, vehicle.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{DomainError, Result};

/// Longest free-text field (names, addresses, business names) in characters.
pub const MAX_TEXT_CHARS: usize = 200;

macro_rules! string_newtype_serde {
    ($t:ty) => {
        impl Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                Self::parse(&s).map_err(serde::de::Error::custom)
            }
        }
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

/// A computerised national identity card number, stored as `#####-#######-#`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cnic(String);

impl Cnic {
    /// Accepts 13 digits, bare or with the two dashes (or spaces) where the card has them.
    pub fn parse(input: &str) -> Result<Self> {
        let trimmed = input.trim();
        let separated = trimmed.len() == 15 && matches!(trimmed.as_bytes()[5], b'-' | b' ') && matches!(trimmed.as_bytes()[13], b'-' | b' ');
        let digits: String = if separated { trimmed.chars().filter(|c| !matches!(c, '-' | ' ')).collect() } else { trimmed.to_string() };
        if digits.len() != 13 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(DomainError::invalid("cnic", "must be 13 digits, written #####-#######-#"));
        }
        if digits.starts_with('0') {
            return Err(DomainError::invalid("cnic", "cannot start with 0"));
        }
        Ok(Self(format!("{}-{}-{}", &digits[0..5], &digits[5..12], &digits[12..13])))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The last four digits, which citizens type to look up their own challan.
    pub fn last4(&self) -> String {
        let digits: String = self.0.chars().filter(char::is_ascii_digit).collect();
        digits[digits.len() - 4..].to_string()
    }
}
string_newtype_serde!(Cnic);

/// A Pakistani mobile number, stored as `+923XXXXXXXXX`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Mobile(String);

impl Mobile {
    /// Accepts `03001234567`, `0300-1234567`, `+92 300 1234567`, `923001234567`,
    /// `00923001234567`.
    pub fn parse(input: &str) -> Result<Self> {
        let compact: String = input.trim().chars().filter(|c| !matches!(c, '-' | ' ' | '(' | ')')).collect();
        let national = if let Some(rest) = compact.strip_prefix("+92") {
            rest
        } else if let Some(rest) = compact.strip_prefix("0092") {
            rest
        } else if let Some(rest) = compact.strip_prefix("92").filter(|r| r.len() == 10) {
            rest
        } else if let Some(rest) = compact.strip_prefix('0') {
            rest
        } else {
            return Err(DomainError::invalid("mobile", "must be a Pakistani mobile number such as 0300-1234567"));
        };
        if national.len() != 10 || !national.bytes().all(|b| b.is_ascii_digit()) || !national.starts_with('3') {
            return Err(DomainError::invalid("mobile", "must be a Pakistani mobile number such as 0300-1234567"));
        }
        Ok(Self(format!("+92{national}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn last4(&self) -> &str {
        &self.0[self.0.len() - 4..]
    }
}
string_newtype_serde!(Mobile);

/// An email address, checked for shape only (the mail server is the real judge).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Result<Self> {
        let s = input.trim();
        let bad = || DomainError::invalid("email", "must look like name@example.pk");
        let (local, domain) = s.split_once('@').ok_or_else(bad)?;
        if local.is_empty()
            || domain.len() < 3
            || !domain.contains('.')
            || domain.starts_with('.')
            || domain.ends_with('.')
            || s.len() > 254
            || s.chars().any(|c| c.is_whitespace() || c.is_control())
            || domain.contains('@')
        {
            return Err(bad());
        }
        Ok(Self(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}
string_newtype_serde!(Email);

/// Free text a person typed (a name, an address, a reason): trimmed, not empty, bounded.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Text(String);

impl Text {
    pub fn parse_field(field: &'static str, input: &str, max_chars: usize) -> Result<Self> {
        let s = input.trim();
        if s.is_empty() {
            return Err(DomainError::invalid(field, "must not be empty"));
        }
        if s.chars().count() > max_chars {
            return Err(DomainError::invalid(field, format!("must be at most {max_chars} characters")));
        }
        if s.chars().any(|c| c.is_control() && c != '\n') {
            return Err(DomainError::invalid(field, "must not contain control characters"));
        }
        Ok(Self(s.to_string()))
    }

    pub fn parse(input: &str) -> Result<Self> {
        Self::parse_field("text", input, MAX_TEXT_CHARS)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}
string_newtype_serde!(Text);

/// A vehicle registration as painted on the plate, normalised to upper case with single
/// dashes: `ABC-123`, `LES-10-1234`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct VehicleNo(String);

impl VehicleNo {
    pub fn parse(input: &str) -> Result<Self> {
        let parts: Vec<String> = input.split(|c: char| c == '-' || c.is_whitespace()).filter(|p| !p.is_empty()).map(str::to_ascii_uppercase).collect();
        let joined = parts.join("-");
        if joined.is_empty() || joined.len() > 16 || !joined.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return Err(DomainError::invalid("vehicle_no", "must be letters and digits as on the plate, e.g. ABC-123"));
        }
        if !joined.bytes().any(|b| b.is_ascii_digit()) {
            return Err(DomainError::invalid("vehicle_no", "must contain the plate's digits"));
        }
        Ok(Self(joined))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}
string_newtype_serde!(VehicleNo);

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn cnic_forms() {
        assert_eq!(Cnic::parse("17301-1234567-1").map(|c| c.0), Ok("17301-1234567-1".into()));
        assert_eq!(Cnic::parse("1730112345671").map(|c| c.0), Ok("17301-1234567-1".into()));
        assert_eq!(Cnic::parse("1730112345671").map(|c| c.last4()), Ok("5671".into()));
        for bad in ["", "1730-11234567-1", "17301-1234567", "17301-1234567-12", "0730112345671", "17301-12345A7-1"] {
            assert!(Cnic::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn mobile_forms() {
        for ok in ["03001234567", "0300-1234567", "+92 300 1234567", "923001234567", "00923001234567", "+923001234567"] {
            assert_eq!(Mobile::parse(ok).map(|m| m.0), Ok("+923001234567".into()), "{ok}");
        }
        for bad in ["", "0300123456", "04235761234", "+912001234567", "+9230012345678", "0300-12345x7"] {
            assert!(Mobile::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn email_shapes() {
        assert!(Email::parse("a@b.pk").is_ok());
        for bad in ["", "a", "a@", "@b.pk", "a@b", "a b@c.pk", "a@.pk", "a@b@c.pk"] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn vehicle_normalised() {
        assert_eq!(VehicleNo::parse("les 10 1234").map(|v| v.0), Ok("LES-10-1234".into()));
        assert_eq!(VehicleNo::parse("ABC--123").map(|v| v.0), Ok("ABC-123".into()));
        assert!(VehicleNo::parse("ABC").is_err());
        assert!(VehicleNo::parse("AB$123").is_err());
    }

    #[test]
    fn text_bounds() {
        assert!(Text::parse("  ").is_err());
        assert!(Text::parse(&"x".repeat(MAX_TEXT_CHARS + 1)).is_err());
        assert_eq!(Text::parse("  محمد علی ").map(|t| t.0), Ok("محمد علی".into()));
    }

    proptest! {
        #[test]
        fn cnic_normalisation_is_idempotent(d in "[1-9][0-9]{12}") {
            let once = Cnic::parse(&d).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(Cnic::parse(once.as_str()).ok(), Some(once));
        }

        #[test]
        fn mobile_normalisation_is_idempotent(d in "3[0-9]{9}") {
            let once = Mobile::parse(&format!("0{d}")).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(Mobile::parse(once.as_str()).ok(), Some(once));
        }

        #[test]
        fn parsers_never_panic(s in "\\PC{0,40}") {
            let _ = Cnic::parse(&s);
            let _ = Mobile::parse(&s);
            let _ = Email::parse(&s);
            let _ = VehicleNo::parse(&s);
        }
    }
}
