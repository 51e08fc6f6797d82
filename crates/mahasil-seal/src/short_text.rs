//! Short free text carried in a seal (officer username, vehicle or business id, payment
//! reference): bounded, printable, and exactly as signed.

use std::fmt;

use serde::Serialize;

use crate::{Result, SealError};

/// The longest short text a seal carries, in characters. QR codes are small.
pub const MAX_SHORT_TEXT_CHARS: usize = 64;

/// Printable text of 1 to [`MAX_SHORT_TEXT_CHARS`] characters, no control characters and
/// no leading or trailing space, so what is printed is what was signed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct ShortText(String);

impl ShortText {
    pub fn parse(field: &'static str, input: &str) -> Result<Self> {
        let chars = input.chars().count();
        if chars == 0 || chars > MAX_SHORT_TEXT_CHARS {
            return Err(SealError::invalid(field, format!("must have 1 to {MAX_SHORT_TEXT_CHARS} characters")));
        }
        if input.chars().any(char::is_control) || input.trim() != input {
            return Err(SealError::invalid(field, "must be printable with no leading or trailing space"));
        }
        Ok(Self(input.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ShortText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_printable_and_refuses_the_rest() {
        assert_eq!(ShortText::parse("x", "ABC-1234").map(|t| t.to_string()), Ok("ABC-1234".to_string()));
        assert!(ShortText::parse("x", "افسر").is_ok());
        assert!(ShortText::parse("x", "").is_err());
        assert!(ShortText::parse("x", " padded").is_err());
        assert!(ShortText::parse("x", "line\nbreak").is_err());
        assert!(ShortText::parse("x", &"a".repeat(MAX_SHORT_TEXT_CHARS + 1)).is_err());
        assert!(ShortText::parse("x", &"a".repeat(MAX_SHORT_TEXT_CHARS)).is_ok());
    }
}
