//! The rows one generated challan leaves in the database, as the generator plans them
//! and the bulk writer inserts them: the challan itself, its history, its transfers, its
//! payments with their receipts, its relief request, its revocation, the bank inquiries
//! about it, and the sync op that brought it if a field device issued it. Times are Unix
//! microseconds, as the store keeps them.

use std::sync::Arc;

use mahasil_domain::challan::ReliefKind;
use mahasil_ledger::Channel;
use mahasil_store::{ChallanRecord, PaymentRecord};
use uuid::Uuid;

/// One challan and everything that happened to it.
pub(super) struct Life {
    /// The challan's `seq`: its place in issue order, from 1.
    pub seq: i64,
    /// Its seal is set here for a device's challan, and by a signer for this node's.
    pub challan: ChallanRecord,
    /// The challan's id, number (15 digits), issue date and due date as the store writes
    /// them, made by the planner so the writer need not.
    pub id_text: String,
    pub no: String,
    pub issued_on: Arc<str>,
    pub due_on: Arc<str>,
    pub sync_op: Option<SyncOp>,
    pub events: Vec<Event>,
    pub transfers: Vec<TransferRow>,
    pub payments: Vec<Payment>,
    pub relief: Option<Relief>,
    pub revoked_at: Option<i64>,
    /// Bank bill inquiries: bank mnemonic and time.
    pub inquiries: Vec<(&'static str, i64)>,
}

/// A row of `challan_events`.
pub(super) struct Event {
    pub at: i64,
    pub kind: &'static str,
    pub actor: Arc<str>,
    pub status: &'static str,
    pub note: Option<String>,
}

/// A row of `transfers`; accounts are indices into [`Accounts`].
pub(super) struct TransferRow {
    pub id: Uuid,
    pub event_id: Uuid,
    pub code: Code,
    pub debit: u32,
    pub credit: u32,
    pub amount: i64,
    pub reverses: Option<Uuid>,
    pub at: i64,
}

/// The transfer codes a generated challan's life posts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Code {
    ChallanIssued,
    Surcharge,
    PaymentReceived,
    Deposited,
    Waiver,
    /// A reversal of a transfer of the given code.
    Reversal(Reversed),
}

/// What a reversal can undo here: a payment's two transfers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Reversed {
    Surcharge,
    PaymentReceived,
}

impl Code {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            Self::ChallanIssued => "CHALLAN_ISSUED",
            Self::Surcharge => "SURCHARGE",
            Self::PaymentReceived => "PAYMENT_RECEIVED",
            Self::Deposited => "DEPOSITED",
            Self::Waiver => "WAIVER",
            Self::Reversal(_) => "REVERSAL",
        }
    }
}

/// A payment and the channel's own record of it.
pub(super) struct Payment {
    /// Its seal is set by a signer.
    pub record: PaymentRecord,
    pub channel_row: ChannelRow,
}

/// What a channel keeps besides the payment.
pub(super) enum ChannelRow {
    Bank,
    /// `online_payments`: the citizen's online payment, started at `created_at`.
    Online {
        id: Uuid,
        created_at: i64,
    },
    /// `counter_payments`: entered by one treasury user, approved by another.
    Counter {
        id: Uuid,
        department: Arc<str>,
        payer_name: String,
        book_entry: String,
        requested_by: Arc<str>,
        requested_at: i64,
    },
}

/// A cancellation or waiver request and its decision, if taken.
pub(super) struct Relief {
    pub id: Uuid,
    pub kind: ReliefKind,
    pub reason: &'static str,
    pub requested_by: (Uuid, Arc<str>),
    pub requested_at: i64,
    pub decision: Option<Decision>,
}

pub(super) struct Decision {
    pub by: (Uuid, Arc<str>),
    pub at: i64,
    pub approve: bool,
    pub note: &'static str,
}

/// The accepted op of a device's challan, as `sync_ops` keeps it.
pub(super) struct SyncOp {
    pub op_id: Uuid,
    pub device_id: Uuid,
    pub counter: u32,
    pub op_hash: [u8; 32],
    pub prev_hash: Option<[u8; 32]>,
    pub payload: String,
    pub sig: Vec<u8>,
    pub issued_at: i64,
    pub received_at: i64,
}

/// Account names, each written once and referred to by index.
pub(super) struct Accounts {
    pub names: Vec<String>,
    districts: usize,
    /// Where the clearing accounts start: banks, then the gateway, then district counters.
    clearing_base: usize,
    banks: usize,
}

/// The three accounts each (head, district) has, in this order.
const PER_HEAD_AND_DISTRICT: usize = 3;

impl Accounts {
    pub(super) fn new(heads: &[&str], districts: &[&str], banks: &[&str], gateway: &str) -> Self {
        let mut names = Vec::new();
        for head in heads {
            for district in districts {
                names.push(format!("receivable:{head}:{district}"));
                names.push(format!("revenue:{head}:{district}"));
                names.push(format!("waived:{head}:{district}"));
            }
        }
        let clearing_base = names.len();
        names.extend(banks.iter().map(|b| format!("clearing:bank:{b}")));
        names.push(format!("clearing:gateway:{gateway}"));
        names.extend(districts.iter().map(|d| format!("clearing:counter:{d}")));
        names.push(mahasil_ledger::Account::Treasury.to_string());
        Self { names, districts: districts.len(), clearing_base, banks: banks.len() }
    }

    fn of(&self, head: usize, district: usize, which: usize) -> u32 {
        u32::try_from((head * self.districts + district) * PER_HEAD_AND_DISTRICT + which).unwrap_or(u32::MAX)
    }

    pub(super) fn receivable(&self, head: usize, district: usize) -> u32 {
        self.of(head, district, 0)
    }

    pub(super) fn revenue(&self, head: usize, district: usize) -> u32 {
        self.of(head, district, 1)
    }

    pub(super) fn waived(&self, head: usize, district: usize) -> u32 {
        self.of(head, district, 2)
    }

    /// The clearing account of a channel: a bank (by index), the gateway, or a district's
    /// counter (by district index).
    pub(super) fn clearing(&self, channel: Channel, holder: usize) -> u32 {
        let i = match channel {
            Channel::Bank => self.clearing_base + holder,
            Channel::Gateway => self.clearing_base + self.banks,
            Channel::Counter => self.clearing_base + self.banks + 1 + holder,
        };
        u32::try_from(i).unwrap_or(u32::MAX)
    }

    pub(super) fn treasury(&self) -> u32 {
        u32::try_from(self.names.len() - 1).unwrap_or(u32::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_are_named_as_the_ledger_names_them() -> anyhow::Result<()> {
        let a = Accounts::new(&["DA-ENC-01", "PC-OVR-01"], &["peshawar", "swat"], &["bok", "hbl"], "sandbox");
        assert_eq!(a.names[a.receivable(1, 1) as usize], "receivable:PC-OVR-01:swat");
        assert_eq!(a.names[a.revenue(0, 1) as usize], "revenue:DA-ENC-01:swat");
        assert_eq!(a.names[a.waived(1, 0) as usize], "waived:PC-OVR-01:peshawar");
        assert_eq!(a.names[a.clearing(Channel::Bank, 1) as usize], "clearing:bank:hbl");
        assert_eq!(a.names[a.clearing(Channel::Gateway, 0) as usize], "clearing:gateway:sandbox");
        assert_eq!(a.names[a.clearing(Channel::Counter, 1) as usize], "clearing:counter:swat");
        assert_eq!(a.names[a.treasury() as usize], "treasury:account-1");
        for name in &a.names {
            mahasil_ledger::Account::parse(name)?;
        }
        Ok(())
    }
}
