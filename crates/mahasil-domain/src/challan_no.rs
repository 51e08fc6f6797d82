//! The 15 digits people type: issuer number (6) + issuer counter (8) + Damm check digit (1),
//! printed `IIIIII-CCCCCCCC-D`. Banks use the 15 digits as the bill's consumer number.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::{DomainError, Result};

/// The quasigroup of order 10 from Damm's thesis (2004): its check digit catches every
/// single-digit error and every swap of adjacent digits.
const DAMM: [[u8; 10]; 10] = [
    [0, 3, 1, 7, 5, 9, 8, 6, 4, 2],
    [7, 0, 9, 2, 1, 5, 4, 8, 6, 3],
    [4, 2, 0, 6, 8, 7, 1, 3, 5, 9],
    [1, 7, 5, 0, 9, 8, 3, 4, 2, 6],
    [6, 1, 2, 3, 0, 4, 5, 9, 7, 8],
    [3, 6, 7, 4, 2, 0, 9, 5, 8, 1],
    [5, 8, 6, 9, 7, 2, 0, 1, 3, 4],
    [8, 9, 4, 5, 3, 6, 2, 0, 1, 7],
    [9, 4, 3, 8, 6, 1, 7, 2, 0, 5],
    [2, 5, 8, 1, 4, 3, 6, 7, 9, 0],
];

/// The Damm check digit of a string of decimal digits (non-digits are an error upstream).
pub fn damm_digit(digits: &[u8]) -> u8 {
    digits.iter().fold(0u8, |interim, &d| DAMM[usize::from(interim)][usize::from(d % 10)])
}

/// An issuer's number: six digits, never starting with 0, so every challan number has 15.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct IssuerNo(u32);

impl IssuerNo {
    pub const MIN: u32 = 100_000;
    pub const MAX: u32 = 999_999;

    pub fn new(n: u32) -> Result<Self> {
        if (Self::MIN..=Self::MAX).contains(&n) { Ok(Self(n)) } else { Err(DomainError::invalid("issuer_no", "must be six digits, not starting with 0")) }
    }

    pub fn get(self) -> u32 {
        self.0
    }
}

impl TryFrom<u32> for IssuerNo {
    type Error = DomainError;
    fn try_from(n: u32) -> Result<Self> {
        Self::new(n)
    }
}

impl From<IssuerNo> for u32 {
    fn from(n: IssuerNo) -> Self {
        n.0
    }
}

impl fmt::Display for IssuerNo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:06}", self.0)
    }
}

/// The highest counter an issuer may use; past it the issuer needs a new issuer number.
pub const MAX_COUNTER: u32 = 99_999_999;

/// A challan (or receipt) number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ChallanNo {
    issuer: IssuerNo,
    counter: u32,
}

impl ChallanNo {
    /// The number for `counter` of `issuer`; counters start at 1.
    pub fn new(issuer: IssuerNo, counter: u32) -> Result<Self> {
        if counter == 0 || counter > MAX_COUNTER {
            return Err(DomainError::invalid("counter", format!("must be 1..={MAX_COUNTER}")));
        }
        Ok(Self { issuer, counter })
    }

    /// Accepts the 15 digits with or without the dashes (and spaces people add).
    pub fn parse(input: &str) -> Result<Self> {
        let digits: Vec<u8> = input
            .chars()
            .filter(|c| !matches!(c, '-' | ' '))
            .map(|c| c.to_digit(10).map(|d| d as u8).ok_or(()))
            .collect::<std::result::Result<_, ()>>()
            .map_err(|()| DomainError::invalid("challan_no", "must contain only digits and dashes"))?;
        if digits.len() != 15 {
            return Err(DomainError::invalid("challan_no", "must have 15 digits"));
        }
        if damm_digit(&digits) != 0 {
            return Err(DomainError::invalid("challan_no", "check digit does not match; a digit is mistyped"));
        }
        let number = |range: std::ops::Range<usize>| digits[range].iter().fold(0u32, |n, &d| n * 10 + u32::from(d));
        Self::new(IssuerNo::new(number(0..6))?, number(6..14))
    }

    pub fn issuer(self) -> IssuerNo {
        self.issuer
    }

    pub fn counter(self) -> u32 {
        self.counter
    }

    /// The 15 digits without dashes: the bank's consumer number.
    pub fn digits(self) -> String {
        let body = format!("{:06}{:08}", self.issuer.0, self.counter);
        let check = damm_digit(&body.bytes().map(|b| b - b'0').collect::<Vec<_>>());
        format!("{body}{check}")
    }
}

/// Printed form `IIIIII-CCCCCCCC-D`.
impl fmt::Display for ChallanNo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.digits();
        write!(f, "{}-{}-{}", &d[0..6], &d[6..14], &d[14..15])
    }
}

impl FromStr for ChallanNo {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self> {
        Self::parse(s)
    }
}

impl Serialize for ChallanNo {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ChallanNo {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn damm_known_vector() {
        // The worked example of the Damm algorithm: 572 has check digit 4.
        assert_eq!(damm_digit(&[5, 7, 2]), 4);
        assert_eq!(damm_digit(&[5, 7, 2, 4]), 0);
    }

    #[test]
    fn formats_and_parses() -> Result<()> {
        let no = ChallanNo::new(IssuerNo::new(100_001)?, 42)?;
        let printed = no.to_string();
        assert_eq!(&printed[..16], "100001-00000042-");
        assert_eq!(ChallanNo::parse(&printed)?, no);
        assert_eq!(ChallanNo::parse(&no.digits())?, no);
        Ok(())
    }

    #[test]
    fn refuses_bad_shapes() {
        assert!(ChallanNo::parse("").is_err());
        assert!(ChallanNo::parse("12345").is_err());
        assert!(ChallanNo::parse("10000100000042x").is_err());
        // Issuer 000000 would make a 15-digit number with a leading zero: refused.
        let body = "00000000000042";
        let check = damm_digit(&body.bytes().map(|b| b - b'0').collect::<Vec<_>>());
        assert!(ChallanNo::parse(&format!("{body}{check}")).is_err());
        assert!(ChallanNo::new(IssuerNo(100_000), 0).is_err());
    }

    proptest! {
        #[test]
        fn roundtrip(issuer in IssuerNo::MIN..=IssuerNo::MAX, counter in 1..=MAX_COUNTER) {
            let no = ChallanNo::new(IssuerNo(issuer), counter).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(ChallanNo::parse(&no.to_string()).ok(), Some(no));
        }

        #[test]
        fn every_single_digit_error_is_caught(issuer in IssuerNo::MIN..=IssuerNo::MAX, counter in 1..=MAX_COUNTER, pos in 0usize..15, delta in 1u8..10) {
            let no = ChallanNo::new(IssuerNo(issuer), counter).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let mut digits: Vec<u8> = no.digits().into_bytes();
            digits[pos] = b'0' + (digits[pos] - b'0' + delta) % 10;
            let typed = String::from_utf8(digits).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert!(ChallanNo::parse(&typed).is_err());
        }

        #[test]
        fn every_adjacent_swap_is_caught(issuer in IssuerNo::MIN..=IssuerNo::MAX, counter in 1..=MAX_COUNTER, pos in 0usize..14) {
            let no = ChallanNo::new(IssuerNo(issuer), counter).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let mut digits: Vec<u8> = no.digits().into_bytes();
            prop_assume!(digits[pos] != digits[pos + 1]);
            digits.swap(pos, pos + 1);
            let typed = String::from_utf8(digits).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert!(ChallanNo::parse(&typed).is_err());
        }
    }
}
