//! Banks that collect bills through the bank API: each is known by its mnemonic (a slug
//! such as `demo-bank`) and signs its requests with a secret shared with mahasil.

use std::fmt;

use crate::{DomainError, Result};

/// Shortest and longest bank secret accepted, in characters.
pub const MIN_SECRET_CHARS: usize = 16;
pub const MAX_SECRET_CHARS: usize = 128;

/// The HMAC secret of a bank: printable ASCII without spaces, 16 to 128 characters.
/// `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct BankSecret(String);

impl BankSecret {
    pub fn parse(input: &str) -> Result<Self> {
        let chars = input.chars().count();
        if !(MIN_SECRET_CHARS..=MAX_SECRET_CHARS).contains(&chars) {
            return Err(DomainError::invalid("secret", format!("must have {MIN_SECRET_CHARS} to {MAX_SECRET_CHARS} characters")));
        }
        if !input.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(DomainError::invalid("secret", "must be printable ASCII without spaces"));
        }
        Ok(Self(input.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for BankSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BankSecret(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_bounded_printable_and_never_shown() -> Result<()> {
        let secret = BankSecret::parse("demo-bank-secret")?;
        assert_eq!(secret.as_str(), "demo-bank-secret");
        assert_eq!(format!("{secret:?}"), "BankSecret(***)");
        for bad in ["short", "has a space in it!!", "tab\tinside-the-secret", &"x".repeat(129), "ünïcödé-secret-value"] {
            assert!(BankSecret::parse(bad).is_err(), "{bad}");
        }
        Ok(())
    }
}
