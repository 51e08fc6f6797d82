//! The accounts of the ledger and their exact string forms (DESIGN.md, "Ledger"):
//!
//! | account | form | normal side |
//! |---|---|---|
//! | receivable | `receivable:{head}:{district}` | debit |
//! | revenue | `revenue:{head}:{district}` | credit |
//! | waived | `waived:{head}:{district}` | debit |
//! | clearing | `clearing:{channel}:{holder}` | debit |
//! | treasury | `treasury:account-1` | debit |
//! | refund-payable | `refund-payable:{head}` | credit |
//! | suspense | `suspense:unidentified` | credit |
//!
//! `{head}` is a head code (`DA-ENC-01`), `{district}` a district slug. A clearing
//! account's `{channel}` is `bank`, `gateway` or `counter`, and its `{holder}` a slug
//! naming who holds the money until it reaches the treasury: the bank's mnemonic, the
//! gateway, or the district of the counter.

use std::fmt;
use std::str::FromStr;

use mahasil_domain::head::HeadCode;
use mahasil_domain::jurisdiction::Slug;
use serde::{Deserialize, Serialize};

use crate::{LedgerError, Result};

/// The side on which an account's balance grows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    Debit,
    Credit,
}

/// How money reached a clearing account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Channel {
    Bank,
    Gateway,
    Counter,
}

impl Channel {
    pub const ALL: [Self; 3] = [Self::Bank, Self::Gateway, Self::Counter];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Bank => "bank",
            Self::Gateway => "gateway",
            Self::Counter => "counter",
        }
    }

    pub fn parse(s: &str) -> Result<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s).ok_or_else(|| LedgerError::invalid("channel", "must be bank, gateway or counter"))
    }
}

/// A clearing account: money received through `channel` and held by `holder` until it
/// is deposited in the treasury.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Clearing {
    pub channel: Channel,
    pub holder: Slug,
}

/// What an account is for, without its parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AccountKind {
    Receivable,
    Revenue,
    Waived,
    Clearing,
    Treasury,
    RefundPayable,
    Suspense,
}

impl AccountKind {
    pub const ALL: [Self; 7] = [Self::Receivable, Self::Revenue, Self::Waived, Self::Clearing, Self::Treasury, Self::RefundPayable, Self::Suspense];

    /// The first part of the account's string form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Receivable => "receivable",
            Self::Revenue => "revenue",
            Self::Waived => "waived",
            Self::Clearing => "clearing",
            Self::Treasury => "treasury",
            Self::RefundPayable => "refund-payable",
            Self::Suspense => "suspense",
        }
    }

    pub fn normal_side(self) -> Side {
        match self {
            Self::Receivable | Self::Clearing | Self::Treasury | Self::Waived => Side::Debit,
            Self::Revenue | Self::RefundPayable | Self::Suspense => Side::Credit,
        }
    }
}

/// An account of the ledger.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Account {
    /// What challans of `head` in `district` still owe.
    Receivable { head: HeadCode, district: Slug },
    /// What challans of `head` in `district` were charged.
    Revenue { head: HeadCode, district: Slug },
    /// What was forgiven by approved cancellations and waivers.
    Waived { head: HeadCode, district: Slug },
    /// Money received and not yet seen in the treasury.
    Clearing(Clearing),
    /// `treasury:account-1`, the provincial consolidated fund.
    Treasury,
    /// Money received beyond what was owed, to be paid back.
    RefundPayable { head: HeadCode },
    /// `suspense:unidentified`: treasury credits nobody could match.
    Suspense,
}

const TREASURY: &str = "account-1";
const SUSPENSE: &str = "unidentified";

impl Account {
    pub fn kind(&self) -> AccountKind {
        match self {
            Self::Receivable { .. } => AccountKind::Receivable,
            Self::Revenue { .. } => AccountKind::Revenue,
            Self::Waived { .. } => AccountKind::Waived,
            Self::Clearing(_) => AccountKind::Clearing,
            Self::Treasury => AccountKind::Treasury,
            Self::RefundPayable { .. } => AccountKind::RefundPayable,
            Self::Suspense => AccountKind::Suspense,
        }
    }

    pub fn normal_side(&self) -> Side {
        self.kind().normal_side()
    }

    /// The head an account is kept for, if it is kept per head.
    pub fn head(&self) -> Option<&HeadCode> {
        match self {
            Self::Receivable { head, .. } | Self::Revenue { head, .. } | Self::Waived { head, .. } | Self::RefundPayable { head } => Some(head),
            Self::Clearing(_) | Self::Treasury | Self::Suspense => None,
        }
    }

    /// Parses exactly the string [`Display`](fmt::Display) writes, and nothing else: no
    /// other case, no spaces, no extra or empty parts.
    pub fn parse(input: &str) -> Result<Self> {
        let invalid = |reason: &str| LedgerError::invalid("account", format!("{input:?} {reason}"));
        let parts: Vec<&str> = input.split(':').collect();
        let account = match parts.as_slice() {
            ["receivable", head, district] => Self::Receivable { head: HeadCode::parse(head)?, district: Slug::parse_field("district", district)? },
            ["revenue", head, district] => Self::Revenue { head: HeadCode::parse(head)?, district: Slug::parse_field("district", district)? },
            ["waived", head, district] => Self::Waived { head: HeadCode::parse(head)?, district: Slug::parse_field("district", district)? },
            ["clearing", channel, holder] => Self::Clearing(Clearing { channel: Channel::parse(channel)?, holder: Slug::parse_field("holder", holder)? }),
            ["treasury", TREASURY] => Self::Treasury,
            ["refund-payable", head] => Self::RefundPayable { head: HeadCode::parse(head)? },
            ["suspense", SUSPENSE] => Self::Suspense,
            [kind, ..] if AccountKind::ALL.iter().any(|k| k.as_str() == *kind) => return Err(invalid("has the wrong parts for its kind")),
            _ => return Err(invalid("is not a kind of account")),
        };
        // The parts' own parsers forgive case and surrounding spaces; an account's name
        // is compared as a string by the database, so only the canonical form is accepted.
        if account.to_string() != input {
            return Err(invalid("is not written in its canonical form"));
        }
        Ok(account)
    }
}

impl fmt::Display for Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = self.kind().as_str();
        match self {
            Self::Receivable { head, district } | Self::Revenue { head, district } | Self::Waived { head, district } => write!(f, "{kind}:{head}:{district}"),
            Self::Clearing(c) => write!(f, "{kind}:{}:{}", c.channel.as_str(), c.holder),
            Self::Treasury => write!(f, "{kind}:{TREASURY}"),
            Self::RefundPayable { head } => write!(f, "{kind}:{head}"),
            Self::Suspense => write!(f, "{kind}:{SUSPENSE}"),
        }
    }
}

impl FromStr for Account {
    type Err = LedgerError;
    fn from_str(s: &str) -> Result<Self> {
        Self::parse(s)
    }
}

impl Serialize for Account {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Account {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_round_trips() -> Result<()> {
        let forms = [
            "receivable:DA-ENC-01:peshawar",
            "revenue:DA-ENC-01:peshawar",
            "waived:PC-OVR-01:dera-ismail-khan",
            "clearing:bank:demo-bank",
            "clearing:gateway:easypaisa",
            "clearing:counter:peshawar",
            "treasury:account-1",
            "refund-payable:DA-ENC-01",
            "suspense:unidentified",
        ];
        for form in forms {
            let account = Account::parse(form)?;
            assert_eq!(account.to_string(), form);
            assert_eq!(form.parse::<Account>()?, account);
        }
        Ok(())
    }

    #[test]
    fn refuses_anything_else() {
        let bad = [
            "",
            "receivable",
            "receivable:DA-ENC-01",
            "receivable::peshawar",
            "receivable:DA-ENC-01:",
            "receivable:DA-ENC-01:peshawar:x",
            "receivable:da-enc-01:peshawar",
            "receivable:DA_ENC:peshawar",
            "receivable:DA-ENC-01:Peshawar",
            "receivable: DA-ENC-01:peshawar",
            "revenue:DA-ENC-01:pesh--awar",
            "clearing:atm:demo-bank",
            "clearing:bank",
            "clearing:Bank:demo-bank",
            "treasury",
            "treasury:account-2",
            "refund-payable:",
            "refund-payable:DA-ENC-01:peshawar",
            "suspense:other",
            "assets:cash",
            "RECEIVABLE:DA-ENC-01:peshawar",
        ];
        for form in bad {
            assert!(Account::parse(form).is_err(), "{form:?} was accepted");
        }
    }

    #[test]
    fn normal_sides() -> Result<()> {
        let debit = ["receivable:H-1:d", "clearing:bank:b", "treasury:account-1", "waived:H-1:d"];
        let credit = ["revenue:H-1:d", "refund-payable:H-1", "suspense:unidentified"];
        for form in debit {
            assert_eq!(Account::parse(form)?.normal_side(), Side::Debit, "{form}");
        }
        for form in credit {
            assert_eq!(Account::parse(form)?.normal_side(), Side::Credit, "{form}");
        }
        Ok(())
    }

    #[test]
    fn serde_uses_the_string_form() -> std::result::Result<(), serde_json::Error> {
        let json = "\"clearing:counter:peshawar\"";
        let account: Account = serde_json::from_str(json)?;
        assert_eq!(serde_json::to_string(&account)?, json);
        assert!(serde_json::from_str::<Account>("\"clearing:counter:Peshawar\"").is_err());
        Ok(())
    }
}
