//! Revenue heads (what money is owed for) and their versioned, immutable fee schedules.

use std::fmt;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::jurisdiction::Slug;
use crate::money::Paisa;
use crate::{DomainError, Result};

/// A head's code, e.g. `DA-ENC-01`: upper-case letters, digits and dashes, at most 24.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct HeadCode(String);

impl HeadCode {
    pub fn parse(input: &str) -> Result<Self> {
        let s = input.trim().to_ascii_uppercase();
        let ok = !s.is_empty()
            && s.len() <= 24
            && s.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-')
            && !s.starts_with('-')
            && !s.ends_with('-');
        if ok { Ok(Self(s)) } else { Err(DomainError::invalid("head_code", "must look like DA-ENC-01")) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for HeadCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for HeadCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for HeadCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// What kind of money a head collects. The model is one for all three.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HeadKind {
    Fine,
    Tax,
    Fee,
}

impl HeadKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Fine => "fine",
            Self::Tax => "tax",
            Self::Fee => "fee",
        }
    }

    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "fine" => Ok(Self::Fine),
            "tax" => Ok(Self::Tax),
            "fee" => Ok(Self::Fee),
            _ => Err(DomainError::invalid("kind", "must be fine, tax or fee")),
        }
    }
}

/// A revenue head.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevenueHead {
    pub code: HeadCode,
    pub kind: HeadKind,
    pub department: Slug,
    pub title_en: String,
    pub title_ur: String,
    pub legal_basis: String,
    /// The treasury's head-of-account code the money is credited to.
    pub account_code: String,
    pub active: bool,
}

/// How much is owed within the due date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AmountRule {
    Fixed { amount_paisa: Paisa },
    Range { min_paisa: Paisa, max_paisa: Paisa },
}

/// How much is owed after the due date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AfterDueRule {
    /// The same amount as within the due date.
    Same,
    /// A fixed amount (only with a fixed amount rule), e.g. PKR 6,000 instead of 5,000.
    Fixed { amount_paisa: Paisa },
    /// The amount plus a percentage, in basis points (1,000 = 10%), rounded up.
    SurchargeBasisPoints { basis_points: u32 },
}

/// The longest due period a schedule may set.
pub const MAX_DUE_DAYS: u16 = 366;

/// One version of a head's fee schedule. Versions are immutable: a change is a new
/// version, in force from its `effective_from` date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeSchedule {
    pub head: HeadCode,
    pub version: u32,
    pub amount: AmountRule,
    pub due_days: u16,
    pub after_due: AfterDueRule,
    pub effective_from: Date,
}

/// The two amounts frozen on a challan when it is issued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrozenAmounts {
    pub amount: Paisa,
    pub amount_after_due: Paisa,
    pub due_date: Date,
}

impl FeeSchedule {
    /// Checks the schedule is coherent before it is stored.
    pub fn check(&self) -> Result<()> {
        if let AmountRule::Range { min_paisa, max_paisa } = self.amount {
            if min_paisa > max_paisa {
                return Err(DomainError::invalid("amount", "min must not exceed max"));
            }
            if matches!(self.after_due, AfterDueRule::Fixed { .. }) {
                return Err(DomainError::invalid("after_due", "a fixed after-due amount needs a fixed amount; use a surcharge for ranges"));
            }
        }
        if let (AmountRule::Fixed { amount_paisa }, AfterDueRule::Fixed { amount_paisa: after }) = (self.amount, self.after_due)
            && after < amount_paisa
        {
            return Err(DomainError::invalid("after_due", "must not be less than the amount within the due date"));
        }
        if let AfterDueRule::SurchargeBasisPoints { basis_points } = self.after_due
            && basis_points > 10_000
        {
            return Err(DomainError::invalid("after_due", "surcharge must not exceed 100%"));
        }
        if self.due_days == 0 || self.due_days > MAX_DUE_DAYS {
            return Err(DomainError::invalid("due_days", format!("must be 1..={MAX_DUE_DAYS}")));
        }
        if self.version == 0 {
            return Err(DomainError::invalid("version", "starts at 1"));
        }
        Ok(())
    }

    /// Freezes the amounts for a challan issued on `issue_date` (Pakistan time).
    /// `requested` is the officer's amount, required for ranges and refused for fixed.
    pub fn freeze(&self, requested: Option<Paisa>, issue_date: Date) -> Result<FrozenAmounts> {
        let amount = match (self.amount, requested) {
            (AmountRule::Fixed { amount_paisa }, None) => amount_paisa,
            (AmountRule::Fixed { amount_paisa }, Some(r)) if r == amount_paisa => amount_paisa,
            (AmountRule::Fixed { .. }, Some(_)) => return Err(DomainError::AmountNotAllowed { head: self.head.to_string() }),
            (AmountRule::Range { .. }, None) => return Err(DomainError::AmountRequired { head: self.head.to_string() }),
            (AmountRule::Range { min_paisa, max_paisa }, Some(r)) => {
                if r < min_paisa || r > max_paisa {
                    return Err(DomainError::AmountOutOfRange {
                        head: self.head.to_string(),
                        amount_paisa: r.get(),
                        min_paisa: min_paisa.get(),
                        max_paisa: max_paisa.get(),
                    });
                }
                r
            }
        };
        let amount_after_due = match self.after_due {
            AfterDueRule::Same => amount,
            AfterDueRule::Fixed { amount_paisa } => amount_paisa,
            AfterDueRule::SurchargeBasisPoints { basis_points } => amount.plus_basis_points(basis_points)?,
        };
        let due_date = issue_date.checked_add(jiff::Span::new().days(i64::from(self.due_days))).map_err(|e| DomainError::invalid("due_date", e.to_string()))?;
        Ok(FrozenAmounts { amount, amount_after_due, due_date })
    }
}

/// The version of `schedules` in force on `date`: the highest `effective_from` not after it.
pub fn schedule_in_force(schedules: &[FeeSchedule], date: Date) -> Option<&FeeSchedule> {
    schedules.iter().filter(|s| s.effective_from <= date).max_by_key(|s| (s.effective_from, s.version))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn paisa(p: i64) -> Paisa {
        Paisa::new(p).unwrap_or_else(|_| unreachable!())
    }

    fn encroachment() -> FeeSchedule {
        FeeSchedule {
            head: HeadCode::parse("DA-ENC-01").unwrap_or_else(|_| unreachable!()),
            version: 1,
            amount: AmountRule::Fixed { amount_paisa: paisa(500_000) },
            due_days: 14,
            after_due: AfterDueRule::Fixed { amount_paisa: paisa(600_000) },
            effective_from: Date::constant(2025, 1, 1),
        }
    }

    fn overcharging() -> FeeSchedule {
        FeeSchedule {
            head: HeadCode::parse("PC-OVR-01").unwrap_or_else(|_| unreachable!()),
            version: 1,
            amount: AmountRule::Range { min_paisa: paisa(100_000), max_paisa: paisa(5_000_000) },
            due_days: 30,
            after_due: AfterDueRule::SurchargeBasisPoints { basis_points: 1_000 },
            effective_from: Date::constant(2025, 1, 1),
        }
    }

    #[test]
    fn fixed_head() -> Result<()> {
        let s = encroachment();
        s.check()?;
        let f = s.freeze(None, Date::constant(2026, 11, 27))?;
        assert_eq!((f.amount.get(), f.amount_after_due.get()), (500_000, 600_000));
        assert_eq!(f.due_date, Date::constant(2026, 12, 11));
        assert_eq!(s.freeze(Some(paisa(500_000)), Date::constant(2026, 11, 27))?.amount.get(), 500_000);
        assert!(matches!(s.freeze(Some(paisa(400_000)), Date::constant(2026, 11, 27)), Err(DomainError::AmountNotAllowed { .. })));
        Ok(())
    }

    #[test]
    fn range_head() -> Result<()> {
        let s = overcharging();
        s.check()?;
        let d = Date::constant(2026, 11, 27);
        assert!(matches!(s.freeze(None, d), Err(DomainError::AmountRequired { .. })));
        assert!(matches!(s.freeze(Some(paisa(99_999)), d), Err(DomainError::AmountOutOfRange { .. })));
        assert!(matches!(s.freeze(Some(paisa(5_000_001)), d), Err(DomainError::AmountOutOfRange { .. })));
        assert_eq!(s.freeze(Some(paisa(100_000)), d)?.amount_after_due.get(), 110_000);
        assert_eq!(s.freeze(Some(paisa(5_000_000)), d)?.amount.get(), 5_000_000);
        Ok(())
    }

    #[test]
    fn incoherent_schedules_refused() {
        let mut s = overcharging();
        s.after_due = AfterDueRule::Fixed { amount_paisa: paisa(1) };
        assert!(s.check().is_err());
        let mut s = encroachment();
        s.after_due = AfterDueRule::Fixed { amount_paisa: paisa(1) };
        assert!(s.check().is_err());
        let mut s = encroachment();
        s.due_days = 0;
        assert!(s.check().is_err());
    }

    #[test]
    fn version_in_force() {
        let v1 = encroachment();
        let mut v2 = encroachment();
        v2.version = 2;
        v2.effective_from = Date::constant(2026, 7, 1);
        let all = [v1, v2];
        assert_eq!(schedule_in_force(&all, Date::constant(2024, 12, 31)), None);
        assert_eq!(schedule_in_force(&all, Date::constant(2026, 6, 30)).map(|s| s.version), Some(1));
        assert_eq!(schedule_in_force(&all, Date::constant(2026, 7, 1)).map(|s| s.version), Some(2));
    }

    proptest! {
        #[test]
        fn frozen_range_amount_is_within_bounds(amount in 1i64..10_000_000) {
            let s = overcharging();
            match s.freeze(Some(paisa(amount)), Date::constant(2026, 1, 1)) {
                Ok(f) => {
                    prop_assert!((100_000..=5_000_000).contains(&f.amount.get()));
                    prop_assert!(f.amount_after_due >= f.amount);
                }
                Err(DomainError::AmountOutOfRange { .. }) => prop_assert!(!(100_000..=5_000_000).contains(&amount)),
                Err(e) => prop_assert!(false, "unexpected {e}"),
            }
        }
    }
}
