//! Transfers and their codes: the table of DESIGN.md ("Ledger"), one row per code.
//!
//! | code | debit | credit | when |
//! |---|---|---|---|
//! | `CHALLAN_ISSUED` | receivable | revenue | challan stored |
//! | `SURCHARGE` | receivable | revenue | paid after due date |
//! | `PAYMENT_RECEIVED` | clearing | receivable | payment accepted |
//! | `OVERPAYMENT` | clearing | refund-payable | money arrived for an already settled challan |
//! | `DEPOSITED` | treasury | clearing | matched in the treasury statement |
//! | `WAIVER` | waived | receivable | approved cancellation or waiver |
//! | `REFUND` | refund-payable | treasury | refund paid out |
//! | `UNIDENTIFIED` | treasury | suspense | statement credit with no match |
//! | `REVERSAL` | original credit | original debit | correction of one transfer, once |

use std::fmt;
use std::str::FromStr;

use jiff::Timestamp;
use mahasil_domain::challan_no::ChallanNo;
use mahasil_domain::money::Paisa;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::account::{Account, AccountKind};
use crate::{LedgerError, Result};

/// Why a transfer was made: one row of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TransferCode {
    ChallanIssued,
    Surcharge,
    PaymentReceived,
    Overpayment,
    Deposited,
    Waiver,
    Refund,
    Unidentified,
    Reversal,
}

/// Whether a code's transfers name a challan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChallanRef {
    Required,
    Optional,
    Forbidden,
    /// A reversal names the challan its original named.
    AsOriginal,
}

impl TransferCode {
    pub const ALL: [Self; 9] = [
        Self::ChallanIssued,
        Self::Surcharge,
        Self::PaymentReceived,
        Self::Overpayment,
        Self::Deposited,
        Self::Waiver,
        Self::Refund,
        Self::Unidentified,
        Self::Reversal,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ChallanIssued => "CHALLAN_ISSUED",
            Self::Surcharge => "SURCHARGE",
            Self::PaymentReceived => "PAYMENT_RECEIVED",
            Self::Overpayment => "OVERPAYMENT",
            Self::Deposited => "DEPOSITED",
            Self::Waiver => "WAIVER",
            Self::Refund => "REFUND",
            Self::Unidentified => "UNIDENTIFIED",
            Self::Reversal => "REVERSAL",
        }
    }

    /// Accepts exactly the upper-case names of the table.
    pub fn parse(s: &str) -> Result<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s).ok_or_else(|| LedgerError::invalid("code", format!("{s:?} is not a transfer code")))
    }

    /// The kinds of account the code debits and credits; `None` for `REVERSAL`, whose
    /// accounts are its original's, swapped.
    pub fn accounts(self) -> Option<(AccountKind, AccountKind)> {
        use AccountKind::*;
        let pair = match self {
            Self::ChallanIssued | Self::Surcharge => (Receivable, Revenue),
            Self::PaymentReceived => (Clearing, Receivable),
            Self::Overpayment => (Clearing, RefundPayable),
            Self::Deposited => (Treasury, Clearing),
            Self::Waiver => (Waived, Receivable),
            Self::Refund => (RefundPayable, Treasury),
            Self::Unidentified => (Treasury, Suspense),
            Self::Reversal => return None,
        };
        Some(pair)
    }

    pub fn challan_ref(self) -> ChallanRef {
        match self {
            Self::ChallanIssued | Self::Surcharge | Self::PaymentReceived | Self::Overpayment | Self::Waiver | Self::Refund => ChallanRef::Required,
            Self::Deposited => ChallanRef::Optional,
            Self::Unidentified => ChallanRef::Forbidden,
            Self::Reversal => ChallanRef::AsOriginal,
        }
    }
}

impl fmt::Display for TransferCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TransferCode {
    type Err = LedgerError;
    fn from_str(s: &str) -> Result<Self> {
        Self::parse(s)
    }
}

impl Serialize for TransferCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for TransferCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// One movement of money, immutable once written. `amount` is positive by its type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transfer {
    /// Chosen by the caller before the write, so a retried write is recognised.
    pub id: Uuid,
    /// Shared by every transfer of one business event.
    pub event_id: Uuid,
    pub code: TransferCode,
    pub debit: Account,
    pub credit: Account,
    pub amount: Paisa,
    pub challan_no: Option<ChallanNo>,
    /// The transfer a `REVERSAL` corrects; `None` for every other code.
    pub reverses: Option<Uuid>,
    pub at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_nothing_else_parses() -> Result<()> {
        for code in TransferCode::ALL {
            assert_eq!(TransferCode::parse(code.as_str())?, code);
            assert_eq!(code.to_string().parse::<TransferCode>()?, code);
        }
        for bad in ["", "challan_issued", "Challan_Issued", "CHALLAN ISSUED", "PAYMENT", " REFUND", "REVERSAL "] {
            assert!(TransferCode::parse(bad).is_err(), "{bad:?} was accepted");
        }
        Ok(())
    }

    #[test]
    fn table_rows() {
        use AccountKind::*;
        assert_eq!(TransferCode::ChallanIssued.accounts(), Some((Receivable, Revenue)));
        assert_eq!(TransferCode::Surcharge.accounts(), Some((Receivable, Revenue)));
        assert_eq!(TransferCode::PaymentReceived.accounts(), Some((Clearing, Receivable)));
        assert_eq!(TransferCode::Overpayment.accounts(), Some((Clearing, RefundPayable)));
        assert_eq!(TransferCode::Deposited.accounts(), Some((Treasury, Clearing)));
        assert_eq!(TransferCode::Waiver.accounts(), Some((Waived, Receivable)));
        assert_eq!(TransferCode::Refund.accounts(), Some((RefundPayable, Treasury)));
        assert_eq!(TransferCode::Unidentified.accounts(), Some((Treasury, Suspense)));
        assert_eq!(TransferCode::Reversal.accounts(), None);
    }

    #[test]
    fn amount_must_be_positive_to_deserialize() -> std::result::Result<(), serde_json::Error> {
        let json = |amount: i64| {
            format!(
                r#"{{"id":"0197a1b0-0000-7000-8000-000000000001","event_id":"0197a1b0-0000-7000-8000-000000000002","code":"UNIDENTIFIED","debit":"treasury:account-1","credit":"suspense:unidentified","amount":{amount},"challan_no":null,"reverses":null,"at":"2026-03-01T05:00:00Z"}}"#
            )
        };
        let transfer: Transfer = serde_json::from_str(&json(500))?;
        assert_eq!(transfer.amount.get(), 500);
        assert_eq!(serde_json::from_str::<Transfer>(&serde_json::to_string(&transfer)?)?, transfer);
        assert!(serde_json::from_str::<Transfer>(&json(0)).is_err());
        assert!(serde_json::from_str::<Transfer>(&json(-500)).is_err());
        Ok(())
    }
}
