//! Payments in SQLite: the rules are in `crate::payments`; this reads and writes rows.

use jiff::Timestamp;
use mahasil_domain::challan::ChallanStatus;
use mahasil_domain::challan_no::{ChallanNo, IssuerNo};
use mahasil_ledger::Channel;
use rusqlite::{Connection, OptionalExtension, Row, Transaction};
use uuid::Uuid;

use super::audit_log::{self, Change};
use super::rows::{self, micros};
use super::{challans, ledger};
use crate::error::{Result, StoreError};
use crate::payments::{Decision, NewPayment, PaymentOutcome, PaymentRecord, PaymentReversal, ReceiptSigner, ReversalOutcome, Seen};
use crate::records::Actor;

pub(crate) const COLUMNS: &str = "id, receipt_no, challan_id, challan_no, channel, holder, reference, amount_paisa, surcharge_paisa, overpaid_paisa, paid_on, paid_at, \
     received_at, recorded_by, approved_by, fingerprint, event_id, reversed_at, reversal_fingerprint, deposited_at, statement_id, seal";

pub(crate) fn from_row(r: &Row<'_>) -> Result<PaymentRecord> {
    let text = |i: usize| -> rusqlite::Result<String> { r.get(i) };
    let digest = |column: &str, bytes: Vec<u8>| -> Result<[u8; 32]> { bytes.try_into().map_err(|_| rows::corrupt(column, "not 32 bytes")) };
    let (receipt_no, challan_no, channel) = (text(1)?, text(3)?, text(4)?);
    let reversal_fingerprint: Option<Vec<u8>> = r.get(18)?;
    Ok(PaymentRecord {
        id: rows::uuid("payments.id", &text(0)?)?,
        receipt_no: rows::parsed("payments.receipt_no", || ChallanNo::parse(&receipt_no))?,
        challan_id: rows::uuid("payments.challan_id", &text(2)?)?,
        challan_no: rows::parsed("payments.challan_no", || ChallanNo::parse(&challan_no))?,
        channel: rows::parsed("payments.channel", || Channel::parse(&channel))?,
        holder: rows::slug("payments.holder", &text(5)?)?,
        reference: text(6)?,
        amount_paisa: r.get(7)?,
        surcharge_paisa: r.get(8)?,
        overpaid_paisa: r.get(9)?,
        paid_on: rows::date("payments.paid_on", &text(10)?)?,
        paid_at: rows::timestamp("payments.paid_at", r.get(11)?)?,
        received_at: rows::timestamp("payments.received_at", r.get(12)?)?,
        recorded_by: text(13)?,
        approved_by: r.get(14)?,
        fingerprint: digest("payments.fingerprint", r.get(15)?)?,
        event_id: rows::uuid("payments.event_id", &text(16)?)?,
        reversed_at: rows::opt_timestamp("payments.reversed_at", r.get(17)?)?,
        reversal_fingerprint: reversal_fingerprint.map(|b| digest("payments.reversal_fingerprint", b)).transpose()?,
        deposited_at: rows::opt_timestamp("payments.deposited_at", r.get(19)?)?,
        statement_id: r.get(20)?,
        seal: r.get(21)?,
    })
}

fn one(conn: &Connection, condition: &str, params: impl rusqlite::Params) -> Result<Option<PaymentRecord>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM payments WHERE {condition}"))?;
    let row = stmt.query_row(params, |r| Ok(from_row(r))).optional()?;
    row.transpose()
}

fn by_key(conn: &Connection, channel: Channel, holder: &str, reference: &str, paid_on: jiff::civil::Date) -> Result<Option<PaymentRecord>> {
    one(conn, "channel = ?1 AND holder = ?2 AND reference = ?3 AND paid_on = ?4", rusqlite::params![channel.as_str(), holder, reference, paid_on.to_string()])
}

pub(crate) fn by_receipt(conn: &Connection, receipt_no: ChallanNo) -> Result<Option<PaymentRecord>> {
    one(conn, "receipt_no = ?1", [receipt_no.digits()])
}

pub(crate) fn by_id(conn: &Connection, id: Uuid) -> Result<Option<PaymentRecord>> {
    one(conn, "id = ?1", [id.to_string()])
}

/// Payments meeting `condition` (which may end in ORDER BY), in its order.
pub(crate) fn list(conn: &Connection, condition: &str, params: impl rusqlite::Params) -> Result<Vec<PaymentRecord>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM payments WHERE {condition}"))?;
    let mut rows = stmt.query(params)?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(from_row(r)?);
    }
    Ok(out)
}

/// Every payment of a challan, oldest first.
pub(crate) fn of_challan(conn: &Connection, challan_id: Uuid) -> Result<Vec<PaymentRecord>> {
    list(conn, "challan_id = ?1 ORDER BY seq", [challan_id.to_string()])
}

pub(crate) fn record(tx: &Transaction<'_>, p: &NewPayment, issuer: IssuerNo, actor: &Actor, at: Timestamp, signer: &ReceiptSigner) -> Result<PaymentOutcome> {
    p.validate()?;
    let by_key = by_key(tx, p.clearing.channel, p.clearing.holder.as_str(), &p.reference, p.paid_on)?;
    if let Some(stored) = by_key {
        return Ok(crate::payments::repeat_of(p, stored));
    }
    let challan = challans::challan_by_no(tx, p.challan_no)?.ok_or_else(|| StoreError::NotFound(format!("challan {}", p.challan_no)))?;
    let standing = one(tx, "challan_id = ?1 AND reversed_at IS NULL AND overpaid_paisa < amount_paisa", [challan.id.to_string()])?;
    let transfers = ledger::of_challan(tx, challan.challan_no)?;
    let seen = Seen { challan: challan.clone(), standing, transfers };
    let posting = match crate::payments::decide(p, seen, &actor.username, at)? {
        Decision::Answer(outcome) => return Ok(outcome),
        Decision::Post(posting) => posting,
    };
    let mut record = posting.record;
    record.receipt_no = ChallanNo::new(issuer, challans::next_counter(tx, issuer)?)?;
    record.seal = crate::payments::seal_receipt(signer, &record, &challan)?;
    tx.prepare_cached(&format!(
        "INSERT INTO payments ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, NULL, NULL, NULL, NULL, ?18)"
    ))?
    .execute(rusqlite::params![
        record.id.to_string(),
        record.receipt_no.digits(),
        record.challan_id.to_string(),
        record.challan_no.digits(),
        record.channel.as_str(),
        record.holder.as_str(),
        record.reference,
        record.amount_paisa,
        record.surcharge_paisa,
        record.overpaid_paisa,
        record.paid_on.to_string(),
        micros(record.paid_at),
        micros(record.received_at),
        record.recorded_by,
        record.approved_by,
        record.fingerprint.as_slice(),
        record.event_id.to_string(),
        record.seal,
    ])
    .map_err(rows::conflict(format!("payment {} or its key is already stored", record.id)))?;
    ledger::insert(tx, &posting.transfers)?;
    let note = format!("{} {} {}, receipt {}", record.channel.as_str(), record.holder, record.reference, record.receipt_no);
    if posting.settles {
        challans::set_status(tx, &challan, ChallanStatus::Paid, at)?;
        challans::append_event(tx, challan.id, at, "paid", &actor.username, ChallanStatus::Paid, Some(&note))?;
    } else {
        challans::append_event(tx, challan.id, at, "overpayment", &actor.username, challan.status, Some(&note))?;
    }
    let change = Change { action: "payment.accept", entity: format!("payment:{}", record.receipt_no), before: "null".into(), after: rows::json(&record)? };
    audit_log::append(tx, actor, at, &change)?;
    Ok(PaymentOutcome::Accepted(record))
}

pub(crate) fn reverse(tx: &Transaction<'_>, r: &PaymentReversal, actor: &Actor, at: Timestamp) -> Result<ReversalOutcome> {
    let stored = by_key(tx, r.channel, r.holder.as_str(), &r.reference, r.paid_on)?;
    let payment = match crate::payments::judge_reversal(r, stored) {
        crate::payments::ReversalJudgement::Proceed(payment) => payment,
        crate::payments::ReversalJudgement::Answer(outcome) => return Ok(outcome),
    };
    let challan = challans::challan(tx, payment.challan_id)?.ok_or_else(|| StoreError::NotFound(format!("challan {}", payment.challan_no)))?;
    let transfers = ledger::of_challan(tx, challan.challan_no)?;
    ledger::insert(tx, &crate::payments::reversal_transfers(&payment, &transfers, at)?)?;
    tx.prepare_cached("UPDATE payments SET reversed_at = ?2, reversal_fingerprint = ?3 WHERE id = ?1")?.execute(rusqlite::params![
        payment.id.to_string(),
        micros(at),
        r.fingerprint.as_slice()
    ])?;
    challans::set_status(tx, &challan, ChallanStatus::Issued, at)?;
    let note = format!("payment {} reversed by {} {}", payment.receipt_no, payment.channel.as_str(), payment.holder);
    challans::append_event(tx, challan.id, at, "payment_reversed", &actor.username, ChallanStatus::Issued, Some(&note))?;
    let mut after = payment.clone();
    after.reversed_at = Some(at);
    after.reversal_fingerprint = Some(r.fingerprint);
    let change =
        Change { action: "payment.reverse", entity: format!("payment:{}", payment.receipt_no), before: rows::json(&payment)?, after: rows::json(&after)? };
    audit_log::append(tx, actor, at, &change)?;
    Ok(ReversalOutcome::Reversed(after))
}
