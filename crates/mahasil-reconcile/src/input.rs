//! What the reconciliation is given besides the statement: the payments mahasil expects to
//! see deposited, and how long money may take to reach the treasury account.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// A payment mahasil accepted and has not yet seen in the treasury account.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ExpectedCredit {
    /// The payment's receipt number: 15 digits in the challan number's format (issuer 6,
    /// counter 8, Damm check digit), drawn from the same issuer counters as challans, so
    /// never equal to a challan number. Compared exactly as given with the reference read
    /// from a statement line (see the crate documentation).
    pub reference: String,
    /// Positive, as mahasil's `Paisa` is.
    pub amount_paisa: i64,
    /// The day the payment was accepted (Asia/Karachi).
    pub paid_on: Date,
    /// `bank`, `gateway` or `counter`.
    pub channel: String,
    /// The bank's mnemonic, for bank and counter payments.
    pub bank: Option<String>,
    /// The 15 digits of the challan paid.
    pub challan_no: String,
    pub head_code: String,
    pub district: String,
}

/// How long a payment may take to reach the treasury account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Settlement {
    /// An expected payment not on the statement is in transit while
    /// `paid_on + days_in_transit >= statement.to_date`; once older, its credit is missing.
    pub days_in_transit: u32,
}

impl Settlement {
    /// The settlement assumed when none is configured.
    pub const DEFAULT_DAYS_IN_TRANSIT: u32 = 3;

    /// The earliest `paid_on` still in transit on a statement ending `to_date`. A
    /// settlement longer than the calendar reaches back to its first day.
    pub(crate) fn in_transit_from(self, to_date: Date) -> Date {
        jiff::Span::new().try_days(i64::from(self.days_in_transit)).ok().and_then(|span| to_date.checked_sub(span).ok()).unwrap_or(Date::MIN)
    }
}

impl Default for Settlement {
    fn default() -> Self {
        Self { days_in_transit: Self::DEFAULT_DAYS_IN_TRANSIT }
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    #[test]
    fn in_transit_reaches_back_days_in_transit() {
        let to_date = date(2025, 1, 15);
        assert_eq!(Settlement::default().in_transit_from(to_date), date(2025, 1, 12));
        assert_eq!(Settlement { days_in_transit: 0 }.in_transit_from(to_date), to_date);
        assert_eq!(Settlement { days_in_transit: u32::MAX }.in_transit_from(to_date), Date::MIN);
    }
}
