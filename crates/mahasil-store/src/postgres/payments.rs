//! Payments in PostgreSQL: the rules are in `crate::payments`; this reads and writes rows.
//! The challan is locked for the transaction, so two nodes paying it at once take turns;
//! the key's unique constraint settles two nodes taking the same request.

use jiff::Timestamp;
use jiff::civil::Date;
use mahasil_domain::challan::ChallanStatus;
use mahasil_domain::challan_no::{ChallanNo, IssuerNo};
use mahasil_ledger::Channel;
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, PgPool, Row};
use uuid::Uuid;

use super::audit_log::json;
use super::issuers::issuer_no_param;
use super::types::{PgDate, PgTime, to_micros};
use super::writer::Tx;
use super::{ledger, rows, transitions};
use crate::payments::{Decision, NewPayment, PaymentOutcome, PaymentRecord, PaymentReversal, ReceiptSigner, ReversalOutcome, Seen};
use crate::records::Actor;
use crate::{Result, StoreError};

pub(super) const COLUMNS: &str = "id, receipt_no, challan_id, challan_no, channel, holder, reference, amount_paisa, surcharge_paisa, overpaid_paisa, paid_on, paid_at, \
     received_at, recorded_by, approved_by, fingerprint, event_id, reversed_at, reversal_fingerprint, deposited_at, statement_id, seal";

pub(super) fn from_row(row: &PgRow) -> Result<PaymentRecord> {
    let corrupt = |what: &str, e: String| StoreError::Corrupt(format!("payments.{what}: {e}"));
    let digest = |what: &str, bytes: Vec<u8>| -> Result<[u8; 32]> { bytes.try_into().map_err(|_| corrupt(what, "not 32 bytes".into())) };
    let reversal_fingerprint: Option<Vec<u8>> = row.try_get("reversal_fingerprint")?;
    Ok(PaymentRecord {
        id: row.try_get("id")?,
        receipt_no: rows::challan_no(row, "receipt_no")?,
        challan_id: row.try_get("challan_id")?,
        challan_no: rows::challan_no(row, "challan_no")?,
        channel: Channel::parse(row.try_get::<&str, _>("channel")?).map_err(|e| corrupt("channel", e.to_string()))?,
        holder: mahasil_domain::jurisdiction::Slug::parse(row.try_get::<&str, _>("holder")?).map_err(|e| corrupt("holder", e.to_string()))?,
        reference: row.try_get("reference")?,
        amount_paisa: row.try_get("amount_paisa")?,
        surcharge_paisa: row.try_get("surcharge_paisa")?,
        overpaid_paisa: row.try_get("overpaid_paisa")?,
        paid_on: row.try_get::<PgDate, _>("paid_on")?.0,
        paid_at: row.try_get::<PgTime, _>("paid_at")?.0,
        received_at: row.try_get::<PgTime, _>("received_at")?.0,
        recorded_by: row.try_get("recorded_by")?,
        approved_by: row.try_get("approved_by")?,
        fingerprint: digest("fingerprint", row.try_get("fingerprint")?)?,
        event_id: row.try_get("event_id")?,
        reversed_at: row.try_get::<Option<PgTime>, _>("reversed_at")?.map(|t| t.0),
        reversal_fingerprint: reversal_fingerprint.map(|b| digest("reversal_fingerprint", b)).transpose()?,
        deposited_at: row.try_get::<Option<PgTime>, _>("deposited_at")?.map(|t| t.0),
        statement_id: row.try_get("statement_id")?,
        seal: row.try_get("seal")?,
    })
}

async fn by_key(conn: &mut PgConnection, channel: Channel, holder: &str, reference: &str, paid_on: Date, lock: bool) -> Result<Option<PaymentRecord>> {
    let lock = if lock { " FOR UPDATE" } else { "" };
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM payments WHERE channel = $1 AND holder = $2 AND reference = $3 AND paid_on = $4{lock}"))
        .bind(channel.as_str())
        .bind(holder)
        .bind(reference)
        .bind(PgDate(paid_on))
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(from_row).transpose()
}

pub(super) async fn by_receipt(pool: &PgPool, receipt_no: ChallanNo) -> Result<Option<PaymentRecord>> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM payments WHERE receipt_no = $1")).bind(receipt_no.digits()).fetch_optional(pool).await?;
    row.as_ref().map(from_row).transpose()
}

pub(super) async fn by_receipt_in(conn: &mut PgConnection, receipt_no: ChallanNo) -> Result<Option<PaymentRecord>> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM payments WHERE receipt_no = $1")).bind(receipt_no.digits()).fetch_optional(conn).await?;
    row.as_ref().map(from_row).transpose()
}

pub(super) async fn by_id(pool: &PgPool, id: Uuid) -> Result<Option<PaymentRecord>> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM payments WHERE id = $1")).bind(id).fetch_optional(pool).await?;
    row.as_ref().map(from_row).transpose()
}

pub(super) async fn of_challan(pool: &PgPool, challan_id: Uuid) -> Result<Vec<PaymentRecord>> {
    let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM payments WHERE challan_id = $1 ORDER BY seq")).bind(challan_id).fetch_all(pool).await?;
    rows.iter().map(from_row).collect()
}

async fn next_counter(conn: &mut PgConnection, issuer: IssuerNo) -> Result<u32> {
    let last: Option<i32> = sqlx::query_scalar("UPDATE issuers SET last_counter = last_counter + 1 WHERE issuer_no = $1 RETURNING last_counter")
        .bind(issuer_no_param(issuer)?)
        .fetch_optional(conn)
        .await?;
    let last = last.ok_or_else(|| StoreError::NotFound(format!("issuer {issuer}")))?;
    u32::try_from(last).map_err(|_| StoreError::Corrupt(format!("counter {last} of issuer {issuer}")))
}

pub(super) async fn record(tx: &mut Tx, p: &NewPayment, issuer: IssuerNo, actor: &Actor, at: Timestamp, signer: &ReceiptSigner) -> Result<PaymentOutcome> {
    p.validate()?;
    // The challan first: its lock makes every request for it wait its turn, so the key
    // lookup below sees what an earlier request for the same challan committed.
    let challan = transitions::lock_by_no(tx, p.challan_no).await?;
    if let Some(stored) = by_key(&mut tx.conn, p.clearing.channel, p.clearing.holder.as_str(), &p.reference, p.paid_on, false).await? {
        return Ok(crate::payments::repeat_of(p, stored));
    }
    let standing = sqlx::query(&format!("SELECT {COLUMNS} FROM payments WHERE challan_id = $1 AND reversed_at IS NULL AND overpaid_paisa < amount_paisa"))
        .bind(challan.id)
        .fetch_optional(&mut tx.conn)
        .await?
        .as_ref()
        .map(from_row)
        .transpose()?;
    let transfers = ledger::of_challan(&mut tx.conn, challan.challan_no).await?;
    let seen = Seen { challan: challan.clone(), standing, transfers };
    let posting = match crate::payments::decide(p, seen, &actor.username, at)? {
        Decision::Answer(outcome) => return Ok(outcome),
        Decision::Post(posting) => posting,
    };
    let mut record = posting.record;
    record.receipt_no = ChallanNo::new(issuer, next_counter(&mut tx.conn, issuer).await?)?;
    record.seal = crate::payments::seal_receipt(signer, &record, &challan)?;
    let inserted = sqlx::query(&format!(
        "INSERT INTO payments ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, NULL, NULL, NULL, NULL, $18) \
         ON CONFLICT (channel, holder, reference, paid_on) DO NOTHING"
    ))
    .bind(record.id)
    .bind(record.receipt_no.digits())
    .bind(record.challan_id)
    .bind(record.challan_no.digits())
    .bind(record.channel.as_str())
    .bind(record.holder.as_str())
    .bind(&record.reference)
    .bind(record.amount_paisa)
    .bind(record.surcharge_paisa)
    .bind(record.overpaid_paisa)
    .bind(PgDate(record.paid_on))
    .bind(PgTime(to_micros(record.paid_at)))
    .bind(PgTime(to_micros(record.received_at)))
    .bind(&record.recorded_by)
    .bind(&record.approved_by)
    .bind(record.fingerprint.as_slice())
    .bind(record.event_id)
    .bind(&record.seal)
    .execute(&mut tx.conn)
    .await?;
    if inserted.rows_affected() == 0 {
        // Another node took the same key for another challan number in the meantime.
        let stored = by_key(&mut tx.conn, p.clearing.channel, p.clearing.holder.as_str(), &p.reference, p.paid_on, false).await?;
        return stored.map(|s| crate::payments::repeat_of(p, s)).ok_or_else(|| StoreError::Conflict(format!("payment {} could not be stored", record.id)));
    }
    ledger::insert(&mut tx.conn, &posting.transfers).await?;
    let note = format!("{} {} {}, receipt {}", record.channel.as_str(), record.holder, record.reference, record.receipt_no);
    if posting.settles {
        transitions::record(tx, &challan, ChallanStatus::Paid, "paid", &actor.username, Some(&note), at).await?;
    } else {
        transitions::record(tx, &challan, challan.status, "overpayment", &actor.username, Some(&note), at).await?;
    }
    tx.audit(at, actor, "payment.accept", format!("payment:{}", record.receipt_no), "null".into(), json(&record)?);
    Ok(PaymentOutcome::Accepted(record))
}

pub(super) async fn reverse(tx: &mut Tx, r: &PaymentReversal, actor: &Actor, at: Timestamp) -> Result<ReversalOutcome> {
    let challan = match transitions::lock_by_no(tx, r.challan_no).await {
        Ok(c) => c,
        Err(StoreError::NotFound(_)) => return Ok(ReversalOutcome::Unknown),
        Err(e) => return Err(e),
    };
    let stored = by_key(&mut tx.conn, r.channel, r.holder.as_str(), &r.reference, r.paid_on, true).await?;
    let payment = match crate::payments::judge_reversal(r, stored) {
        crate::payments::ReversalJudgement::Proceed(payment) => payment,
        crate::payments::ReversalJudgement::Answer(outcome) => return Ok(outcome),
    };
    let transfers = ledger::of_challan(&mut tx.conn, challan.challan_no).await?;
    ledger::insert(&mut tx.conn, &crate::payments::reversal_transfers(&payment, &transfers, at)?).await?;
    sqlx::query("UPDATE payments SET reversed_at = $2, reversal_fingerprint = $3 WHERE id = $1")
        .bind(payment.id)
        .bind(PgTime(to_micros(at)))
        .bind(r.fingerprint.as_slice())
        .execute(&mut tx.conn)
        .await?;
    let note = format!("payment {} reversed by {} {}", payment.receipt_no, payment.channel.as_str(), payment.holder);
    transitions::record(tx, &challan, ChallanStatus::Issued, "payment_reversed", &actor.username, Some(&note), at).await?;
    let mut after = payment.clone();
    after.reversed_at = Some(to_micros(at));
    after.reversal_fingerprint = Some(r.fingerprint);
    tx.audit(at, actor, "payment.reverse", format!("payment:{}", payment.receipt_no), json(&payment)?, json(&after)?);
    Ok(ReversalOutcome::Reversed(after))
}
