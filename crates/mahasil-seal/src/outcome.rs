//! The one vocabulary of verification outcomes, shared by the server, the CLI and the
//! field app: `valid`, `invalid-signature`, `unknown-key`, `key-not-valid-for-this-use`,
//! `revoked`, `malformed`.

use std::fmt;

use serde::{Deserialize, Serialize};

/// What verifying a seal concluded. Only [`Outcome::Valid`] means the signed values can be
/// trusted; every other outcome means they must not be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    Valid,
    InvalidSignature,
    UnknownKey,
    KeyNotValidForThisUse,
    Revoked,
    Malformed,
}

impl Outcome {
    pub const ALL: [Outcome; 6] = [Self::Valid, Self::InvalidSignature, Self::UnknownKey, Self::KeyNotValidForThisUse, Self::Revoked, Self::Malformed];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Valid => "valid",
            Self::InvalidSignature => "invalid-signature",
            Self::UnknownKey => "unknown-key",
            Self::KeyNotValidForThisUse => "key-not-valid-for-this-use",
            Self::Revoked => "revoked",
            Self::Malformed => "malformed",
        }
    }

    /// The outcome named `s`, if `s` is one of the six names.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.as_str() == s)
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_kebab_case_in_serde_and_as_str() -> Result<(), serde_json::Error> {
        for outcome in Outcome::ALL {
            assert_eq!(serde_json::to_string(&outcome)?, format!("\"{}\"", outcome.as_str()));
            assert_eq!(Outcome::parse(outcome.as_str()), Some(outcome));
        }
        assert_eq!(Outcome::KeyNotValidForThisUse.as_str(), "key-not-valid-for-this-use");
        assert_eq!(Outcome::parse("VALID"), None);
        Ok(())
    }
}
