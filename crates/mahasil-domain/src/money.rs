//! Money as integer paisa (1 PKR = 100 paisa). Never a float.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{DomainError, Result};

/// A positive amount of money in paisa.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "i64")]
pub struct Paisa(i64);

/// The largest single amount the platform accepts: PKR 10 billion. Anything larger is a
/// typing error, and keeping sums of many amounts far from `i64::MAX` keeps them exact.
pub const MAX_AMOUNT_PAISA: i64 = 1_000_000_000_000;

impl Paisa {
    pub fn new(paisa: i64) -> Result<Self> {
        if paisa <= 0 {
            return Err(DomainError::invalid("amount_paisa", "must be positive"));
        }
        if paisa > MAX_AMOUNT_PAISA {
            return Err(DomainError::invalid("amount_paisa", format!("must not exceed {MAX_AMOUNT_PAISA}")));
        }
        Ok(Self(paisa))
    }

    pub fn from_rupees(rupees: i64) -> Result<Self> {
        rupees.checked_mul(100).ok_or_else(|| DomainError::invalid("amount_paisa", "too large")).and_then(Self::new)
    }

    pub fn get(self) -> i64 {
        self.0
    }

    /// This amount plus `basis_points` / 10,000 of it, rounded up to the paisa.
    pub fn plus_basis_points(self, basis_points: u32) -> Result<Self> {
        let extra = (i128::from(self.0) * i128::from(basis_points) + 9_999) / 10_000;
        let total = i128::from(self.0) + extra;
        i64::try_from(total).map_err(|_| DomainError::invalid("amount_paisa", "too large")).and_then(Self::new)
    }

    pub fn checked_add(self, other: Self) -> Result<Self> {
        self.0.checked_add(other.0).ok_or_else(|| DomainError::invalid("amount_paisa", "too large")).and_then(Self::new)
    }
}

impl TryFrom<i64> for Paisa {
    type Error = DomainError;
    fn try_from(value: i64) -> Result<Self> {
        Self::new(value)
    }
}

impl From<Paisa> for i64 {
    fn from(value: Paisa) -> Self {
        value.0
    }
}

/// Shown as rupees with thousands separators: `PKR 5,000` or `PKR 1,250.50`.
impl fmt::Display for Paisa {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rupees = self.0 / 100;
        let paisa = self.0 % 100;
        let digits = rupees.to_string();
        let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
        for (i, ch) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(ch);
        }
        if paisa == 0 { write!(f, "PKR {grouped}") } else { write!(f, "PKR {grouped}.{paisa:02}") }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_zero_negative_and_huge() {
        assert!(Paisa::new(0).is_err());
        assert!(Paisa::new(-5).is_err());
        assert!(Paisa::new(MAX_AMOUNT_PAISA + 1).is_err());
        assert_eq!(Paisa::new(MAX_AMOUNT_PAISA).map(Paisa::get), Ok(MAX_AMOUNT_PAISA));
    }

    #[test]
    fn displays_rupees() {
        assert_eq!(Paisa::new(500_000).map(|p| p.to_string()), Ok("PKR 5,000".into()));
        assert_eq!(Paisa::new(125_050).map(|p| p.to_string()), Ok("PKR 1,250.50".into()));
        assert_eq!(Paisa::new(99).map(|p| p.to_string()), Ok("PKR 0.99".into()));
        assert_eq!(Paisa::new(12_345_678_900).map(|p| p.to_string()), Ok("PKR 123,456,789".into()));
    }

    #[test]
    fn surcharge_rounds_up() {
        assert_eq!(Paisa::new(1001).and_then(|p| p.plus_basis_points(1000)).map(Paisa::get), Ok(1102));
        assert_eq!(Paisa::new(100_000).and_then(|p| p.plus_basis_points(2000)).map(Paisa::get), Ok(120_000));
    }
}
