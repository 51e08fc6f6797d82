//! Online payments, counter payments and statements in SQLite; the rules are in
//! `crate::treasury` and `crate::payments`.

use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use mahasil_domain::challan_no::{ChallanNo, IssuerNo};
use mahasil_domain::jurisdiction::Slug;
use rusqlite::{Connection, OptionalExtension, Row, Transaction};
use uuid::Uuid;

use super::audit_log::{self, Change};
use super::rows::{self, micros};
use super::{challans, ledger, payments};
use crate::error::{Result, StoreError};
use crate::payments::{PaymentOutcome, ReceiptSigner};
use crate::records::Actor;
use crate::treasury::{
    CounterDecision, CounterPayment, CounterStatus, DepositRow, ImportOutcome, OnlinePayment, OnlineStatus, StatementImport, StatementRecord, Undeposited,
};

/// How long a failed online payment is still asked about: gateways report late successes.
pub const FAILED_RECHECK_SECS: i64 = 3_600;

const ONLINE_COLUMNS: &str = "id, challan_id, challan_no, amount_paisa, gateway_payment_id, status, failure_reason, created_at, updated_at, receipt_no";

fn challan_no(column: &str, text: &str) -> Result<ChallanNo> {
    rows::parsed(column, || ChallanNo::parse(text))
}

fn online_from_row(r: &Row<'_>) -> Result<OnlinePayment> {
    let text = |i: usize| -> rusqlite::Result<String> { r.get(i) };
    let status = text(5)?;
    let receipt: Option<String> = r.get(9)?;
    Ok(OnlinePayment {
        id: rows::uuid("online_payments.id", &text(0)?)?,
        challan_id: rows::uuid("online_payments.challan_id", &text(1)?)?,
        challan_no: challan_no("online_payments.challan_no", &text(2)?)?,
        amount_paisa: r.get(3)?,
        gateway_payment_id: r.get(4)?,
        status: OnlineStatus::parse(&status).ok_or_else(|| rows::corrupt("online_payments.status", status))?,
        failure_reason: r.get(6)?,
        created_at: rows::timestamp("online_payments.created_at", r.get(7)?)?,
        updated_at: rows::timestamp("online_payments.updated_at", r.get(8)?)?,
        receipt_no: receipt.map(|n| challan_no("online_payments.receipt_no", &n)).transpose()?,
    })
}

fn online_list(conn: &Connection, condition: &str, params: impl rusqlite::Params) -> Result<Vec<OnlinePayment>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {ONLINE_COLUMNS} FROM online_payments WHERE {condition}"))?;
    let mut rows = stmt.query(params)?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(online_from_row(r)?);
    }
    Ok(out)
}

pub(crate) fn create_online(tx: &Transaction<'_>, p: &OnlinePayment, actor: &Actor) -> Result<()> {
    let challan = challans::challan(tx, p.challan_id)?.ok_or_else(|| StoreError::NotFound(format!("challan {}", p.challan_no)))?;
    if challan.challan_no != p.challan_no {
        return Err(StoreError::Conflict(format!("challan {} is not {}", p.challan_id, p.challan_no)));
    }
    tx.prepare_cached(&format!("INSERT INTO online_payments ({ONLINE_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"))?
        .execute(rusqlite::params![
            p.id.to_string(),
            p.challan_id.to_string(),
            p.challan_no.digits(),
            p.amount_paisa,
            p.gateway_payment_id,
            p.status.as_str(),
            p.failure_reason,
            micros(p.created_at),
            micros(p.updated_at),
            p.receipt_no.map(ChallanNo::digits),
        ])
        .map_err(rows::conflict(format!("online payment {} already exists", p.id)))?;
    let change = Change { action: "online_payment.create", entity: format!("online_payment:{}", p.id), before: "null".into(), after: rows::json(p)? };
    audit_log::append(tx, actor, p.created_at, &change)
}

pub(crate) fn online(conn: &Connection, id: Uuid) -> Result<Option<OnlinePayment>> {
    Ok(online_list(conn, "id = ?1", [id.to_string()])?.into_iter().next())
}

pub(crate) fn update_online(tx: &Transaction<'_>, p: &OnlinePayment, actor: &Actor) -> Result<()> {
    let before = online(tx, p.id)?.ok_or_else(|| StoreError::NotFound(format!("online payment {}", p.id)))?;
    if before == *p {
        return Ok(());
    }
    tx.prepare_cached("UPDATE online_payments SET gateway_payment_id = ?2, status = ?3, failure_reason = ?4, updated_at = ?5, receipt_no = ?6 WHERE id = ?1")?
        .execute(rusqlite::params![
            p.id.to_string(),
            p.gateway_payment_id,
            p.status.as_str(),
            p.failure_reason,
            micros(p.updated_at),
            p.receipt_no.map(ChallanNo::digits)
        ])
        .map_err(rows::conflict(format!("gateway payment {:?} belongs to another online payment", p.gateway_payment_id)))?;
    let change = Change { action: "online_payment.update", entity: format!("online_payment:{}", p.id), before: rows::json(&before)?, after: rows::json(p)? };
    audit_log::append(tx, actor, p.updated_at, &change)
}

pub(crate) fn pending_online(conn: &Connection, now: Timestamp, limit: u32) -> Result<Vec<OnlinePayment>> {
    let since = now.checked_sub(SignedDuration::from_secs(FAILED_RECHECK_SECS)).unwrap_or(now);
    online_list(
        conn,
        "(status = 'pending' OR (status = 'succeeded' AND receipt_no IS NULL) OR (status = 'failed' AND updated_at >= ?1)) ORDER BY updated_at LIMIT ?2",
        rusqlite::params![micros(since), rows::clamp_limit(limit, 1_000)],
    )
}

pub(crate) fn challan_online(conn: &Connection, challan_id: Uuid) -> Result<Vec<OnlinePayment>> {
    online_list(conn, "challan_id = ?1 ORDER BY created_at", [challan_id.to_string()])
}

// ----- counter payments -----

const COUNTER_COLUMNS: &str = "id, challan_id, challan_no, district, amount_paisa, payer_name, reference, paid_on, requested_by, requested_at, status, decided_by, \
     decided_at, note, receipt_no";

fn counter_from_row(r: &Row<'_>) -> Result<CounterPayment> {
    let text = |i: usize| -> rusqlite::Result<String> { r.get(i) };
    let status = text(10)?;
    let receipt: Option<String> = r.get(14)?;
    Ok(CounterPayment {
        id: rows::uuid("counter_payments.id", &text(0)?)?,
        challan_id: rows::uuid("counter_payments.challan_id", &text(1)?)?,
        challan_no: challan_no("counter_payments.challan_no", &text(2)?)?,
        district: rows::slug("counter_payments.district", &text(3)?)?,
        amount_paisa: r.get(4)?,
        payer_name: text(5)?,
        reference: text(6)?,
        paid_on: rows::date("counter_payments.paid_on", &text(7)?)?,
        requested_by: text(8)?,
        requested_at: rows::timestamp("counter_payments.requested_at", r.get(9)?)?,
        status: CounterStatus::parse(&status).ok_or_else(|| rows::corrupt("counter_payments.status", status))?,
        decided_by: r.get(11)?,
        decided_at: rows::opt_timestamp("counter_payments.decided_at", r.get(12)?)?,
        note: r.get(13)?,
        receipt_no: receipt.map(|n| challan_no("counter_payments.receipt_no", &n)).transpose()?,
    })
}

pub(crate) fn counter(conn: &Connection, id: Uuid) -> Result<Option<CounterPayment>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {COUNTER_COLUMNS} FROM counter_payments WHERE id = ?1"))?;
    stmt.query_row([id.to_string()], |r| Ok(counter_from_row(r))).optional()?.transpose()
}

pub(crate) fn request_counter(tx: &Transaction<'_>, c: &CounterPayment, actor: &Actor) -> Result<()> {
    let challan = challans::challan_by_no(tx, c.challan_no)?.ok_or_else(|| StoreError::NotFound(format!("challan {}", c.challan_no)))?;
    if challan.id != c.challan_id || challan.district != c.district {
        return Err(StoreError::Conflict(format!("challan {} is not the one named, or not in district {}", c.challan_no, c.district)));
    }
    let stored = CounterPayment { status: CounterStatus::Pending, decided_by: None, decided_at: None, note: None, receipt_no: None, ..c.clone() };
    tx.prepare_cached(&format!(
        "INSERT INTO counter_payments ({COUNTER_COLUMNS}, department) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'pending', NULL, NULL, NULL, NULL, ?11)"
    ))?
    .execute(rusqlite::params![
        stored.id.to_string(),
        stored.challan_id.to_string(),
        stored.challan_no.digits(),
        stored.district.as_str(),
        stored.amount_paisa,
        stored.payer_name,
        stored.reference,
        stored.paid_on.to_string(),
        stored.requested_by,
        micros(stored.requested_at),
        challan.department.as_str(),
    ])
    .map_err(rows::conflict(format!("counter payment {} already exists", c.id)))?;
    let change = Change { action: "counter_payment.request", entity: format!("counter_payment:{}", c.id), before: "null".into(), after: rows::json(&stored)? };
    audit_log::append(tx, actor, c.requested_at, &change)
}

pub(crate) fn decide_counter(
    tx: &Transaction<'_>,
    decision: &CounterDecision,
    decider: &Actor,
    issuer: IssuerNo,
    at: Timestamp,
    signer: &ReceiptSigner,
) -> Result<CounterPayment> {
    let id = decision.id;
    let before = counter(tx, id)?.ok_or_else(|| StoreError::NotFound(format!("counter payment {id}")))?;
    let mut after = crate::treasury::decided_counter(&before, decision, decider, at)?;
    if decision.approve {
        let payment = crate::treasury::counter_new_payment(&before, decider)?;
        let outcome = payments::record(tx, &payment, issuer, decider, at, signer)?;
        if let Some(why) = crate::treasury::counter_refusal(&outcome) {
            return Err(StoreError::Conflict(format!("counter payment {id} cannot be approved: {why}")));
        }
        if let PaymentOutcome::Accepted(p) | PaymentOutcome::Repeated(p) = outcome {
            after.receipt_no = Some(p.receipt_no);
        }
    }
    tx.prepare_cached(
        "UPDATE counter_payments SET status = ?2, decided_by = ?3, decided_at = ?4, note = ?5, receipt_no = ?6 WHERE id = ?1 AND status = 'pending'",
    )?
    .execute(rusqlite::params![
        id.to_string(),
        after.status.as_str(),
        after.decided_by,
        after.decided_at.map(micros),
        after.note,
        after.receipt_no.map(ChallanNo::digits)
    ])
    .map_err(rows::conflict("the user who entered a counter payment cannot decide it"))?;
    let change = Change { action: "counter_payment.decide", entity: format!("counter_payment:{id}"), before: rows::json(&before)?, after: rows::json(&after)? };
    audit_log::append(tx, decider, at, &change)?;
    Ok(after)
}

pub(crate) fn pending_counters(conn: &Connection, districts: Option<&[Slug]>, limit: u32) -> Result<Vec<CounterPayment>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {COUNTER_COLUMNS} FROM counter_payments WHERE status = 'pending' ORDER BY requested_at"))?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let c = counter_from_row(r)?;
        if districts.is_none_or(|ds| ds.contains(&c.district)) {
            out.push(c);
        }
        if out.len() >= limit as usize {
            break;
        }
    }
    Ok(out)
}

// ----- statements and deposits -----

pub(crate) fn undeposited(conn: &Connection, up_to: Date) -> Result<Vec<Undeposited>> {
    let columns: String = payments::COLUMNS.split(", ").map(|c| format!("p.{c}")).collect::<Vec<_>>().join(", ");
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {columns}, c.head_code, c.district FROM payments p JOIN challans c ON c.id = p.challan_id
         WHERE p.deposited_at IS NULL AND p.reversed_at IS NULL AND p.paid_on <= ?1 ORDER BY p.paid_on, p.seq"
    ))?;
    let mut rows = stmt.query([up_to.to_string()])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let district: String = r.get(23)?;
        out.push(Undeposited { payment: payments::from_row(r)?, head_code: r.get(22)?, district: rows::slug("challans.district", &district)? });
    }
    Ok(out)
}

pub(crate) fn deposited_receipts(conn: &Connection, since: Date) -> Result<Vec<ChallanNo>> {
    let mut stmt = conn.prepare_cached("SELECT receipt_no FROM payments WHERE deposited_at IS NOT NULL AND paid_on >= ?1")?;
    let mut rows = stmt.query([since.to_string()])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let text: String = r.get(0)?;
        out.push(challan_no("payments.receipt_no", &text)?);
    }
    Ok(out)
}

const STATEMENT_COLUMNS: &str = "sha256, account, statement_id, format, from_date, to_date, opening_paisa, closing_paisa, lines, imported_by, imported_at, deposited, \
     deposited_paisa, unidentified, unidentified_paisa, unexplained_paisa, report_csv";

fn statement_from_row(r: &Row<'_>) -> Result<StatementRecord> {
    let text = |i: usize| -> rusqlite::Result<String> { r.get(i) };
    let digest: Vec<u8> = r.get(0)?;
    let count = |i: usize| -> Result<u64> { rows::count("statements", r.get(i)?) };
    Ok(StatementRecord {
        sha256: digest.try_into().map_err(|_| rows::corrupt("statements.sha256", "not 32 bytes"))?,
        account: text(1)?,
        statement_id: text(2)?,
        format: text(3)?,
        from_date: rows::date("statements.from_date", &text(4)?)?,
        to_date: rows::date("statements.to_date", &text(5)?)?,
        opening_paisa: r.get(6)?,
        closing_paisa: r.get(7)?,
        lines: count(8)?,
        imported_by: text(9)?,
        imported_at: rows::timestamp("statements.imported_at", r.get(10)?)?,
        deposited: count(11)?,
        deposited_paisa: r.get(12)?,
        unidentified: count(13)?,
        unidentified_paisa: r.get(14)?,
        unexplained_paisa: r.get(15)?,
        report_csv: text(16)?,
    })
}

fn statement_where(conn: &Connection, condition: &str, params: impl rusqlite::Params) -> Result<Vec<StatementRecord>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {STATEMENT_COLUMNS} FROM statements WHERE {condition}"))?;
    let mut rows = stmt.query(params)?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(statement_from_row(r)?);
    }
    Ok(out)
}

pub(crate) fn statements(conn: &Connection, limit: u32) -> Result<Vec<StatementRecord>> {
    statement_where(conn, "1 = 1 ORDER BY seq DESC LIMIT ?1", [rows::clamp_limit(limit, 1_000)])
}

pub(crate) fn statement(conn: &Connection, sha256: [u8; 32]) -> Result<Option<StatementRecord>> {
    Ok(statement_where(conn, "sha256 = ?1", [sha256.as_slice()])?.into_iter().next())
}

pub(crate) fn import(tx: &Transaction<'_>, import: &StatementImport, actor: &Actor, at: Timestamp) -> Result<ImportOutcome> {
    let new = &import.record;
    if let Some(same) = statement(tx, new.sha256)? {
        return Ok(ImportOutcome::AlreadyImported(same));
    }
    if !statement_where(tx, "account = ?1 AND statement_id = ?2", rusqlite::params![new.account, new.statement_id])?.is_empty() {
        return Err(StoreError::Conflict(format!("statement {} of account {} was imported before from another file", new.statement_id, new.account)));
    }
    let previous = statement_where(tx, "account = ?1 ORDER BY seq DESC LIMIT 1", [&new.account])?;
    crate::treasury::check_continuity(new, previous.first())?;
    let mut transfers = Vec::with_capacity(import.matched.len() + import.unidentified.len());
    let mut mark =
        tx.prepare_cached("UPDATE payments SET deposited_at = ?2, statement_id = ?3 WHERE id = ?1 AND deposited_at IS NULL AND reversed_at IS NULL")?;
    for &(receipt_no, amount) in &import.matched {
        let payment = payments::by_receipt(tx, receipt_no)?.ok_or_else(|| StoreError::NotFound(format!("receipt {receipt_no}")))?;
        let challan_transfers = ledger::of_challan(tx, payment.challan_no)?;
        transfers.extend(crate::treasury::deposit_transfers(&payment, amount, &challan_transfers, at)?);
        if mark.execute(rusqlite::params![payment.id.to_string(), micros(at), new.statement_id])? != 1 {
            return Err(StoreError::Conflict(format!("receipt {receipt_no} is reversed or already deposited")));
        }
        ledger::insert(tx, &std::mem::take(&mut transfers))?;
    }
    for (_, amount) in &import.unidentified {
        transfers.extend(crate::treasury::unidentified_transfers(*amount, at)?);
    }
    ledger::insert(tx, &transfers)?;
    let record = StatementRecord { imported_by: actor.username.clone(), imported_at: at, ..new.clone() };
    tx.prepare_cached(&format!(
        "INSERT INTO statements ({STATEMENT_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)"
    ))?
    .execute(rusqlite::params![
        record.sha256.as_slice(),
        record.account,
        record.statement_id,
        record.format,
        record.from_date.to_string(),
        record.to_date.to_string(),
        record.opening_paisa,
        record.closing_paisa,
        i64::try_from(record.lines).unwrap_or(i64::MAX),
        record.imported_by,
        micros(at),
        i64::try_from(record.deposited).unwrap_or(i64::MAX),
        record.deposited_paisa,
        i64::try_from(record.unidentified).unwrap_or(i64::MAX),
        record.unidentified_paisa,
        record.unexplained_paisa,
        record.report_csv,
    ])?;
    let change = Change {
        action: "statement.import",
        entity: format!("statement:{}:{}", record.account, record.statement_id),
        before: "null".into(),
        after: rows::json(&record)?,
    };
    audit_log::append(tx, actor, at, &change)?;
    Ok(ImportOutcome::Imported(record))
}

pub(crate) fn deposit_rows(conn: &Connection, from: Date, to: Date) -> Result<Vec<DepositRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT p.paid_on, c.head_code, c.district, p.channel, count(*), sum(p.amount_paisa), sum(CASE WHEN p.deposited_at IS NULL THEN 0 ELSE p.amount_paisa END)
         FROM payments p JOIN challans c ON c.id = p.challan_id
         WHERE p.reversed_at IS NULL AND p.paid_on BETWEEN ?1 AND ?2
         GROUP BY p.paid_on, c.head_code, c.district, p.channel ORDER BY p.paid_on DESC, c.district, c.head_code, p.channel",
    )?;
    let mut rows = stmt.query([from.to_string(), to.to_string()])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let text = |i: usize| -> rusqlite::Result<String> { r.get(i) };
        out.push(DepositRow {
            paid_on: rows::date("payments.paid_on", &text(0)?)?,
            head_code: text(1)?,
            district: rows::slug("challans.district", &text(2)?)?,
            channel: text(3)?,
            payments: rows::count("count", r.get(4)?)?,
            paid_paisa: r.get(5)?,
            deposited_paisa: r.get(6)?,
        });
    }
    Ok(out)
}
