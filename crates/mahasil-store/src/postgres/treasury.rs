//! Online payments, counter payments and statements in PostgreSQL; the rules are in
//! `crate::treasury` and `crate::payments`.

use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use mahasil_domain::challan_no::{ChallanNo, IssuerNo};
use mahasil_domain::jurisdiction::Slug;
use sqlx::postgres::PgRow;
use sqlx::{PgPool, Row};
use uuid::Uuid;

use super::audit_log::json;
use super::types::{PgDate, PgTime, to_micros};
use super::writer::Tx;
use super::{ledger, payments, rows, transitions};
use crate::payments::{PaymentOutcome, ReceiptSigner};
use crate::records::Actor;
use crate::treasury::{
    CounterDecision, CounterPayment, CounterStatus, DepositRow, ImportOutcome, OnlinePayment, OnlineStatus, StatementImport, StatementRecord, Undeposited,
};
use crate::{Result, StoreError};

const FAILED_RECHECK_SECS: i64 = 3_600;

const ONLINE_COLUMNS: &str = "id, challan_id, challan_no, amount_paisa, gateway_payment_id, status, failure_reason, created_at, updated_at, receipt_no";

fn opt_no(row: &PgRow, column: &'static str) -> Result<Option<ChallanNo>> {
    row.try_get::<Option<&str>, _>(column)?.map(|n| ChallanNo::parse(n).map_err(|e| StoreError::Corrupt(format!("{column}: {e}")))).transpose()
}

fn online_row(row: &PgRow) -> Result<OnlinePayment> {
    let status: &str = row.try_get("status")?;
    Ok(OnlinePayment {
        id: row.try_get("id")?,
        challan_id: row.try_get("challan_id")?,
        challan_no: rows::challan_no(row, "challan_no")?,
        amount_paisa: row.try_get("amount_paisa")?,
        gateway_payment_id: row.try_get("gateway_payment_id")?,
        status: OnlineStatus::parse(status).ok_or_else(|| StoreError::Corrupt(format!("online_payments.status: {status}")))?,
        failure_reason: row.try_get("failure_reason")?,
        created_at: row.try_get::<PgTime, _>("created_at")?.0,
        updated_at: row.try_get::<PgTime, _>("updated_at")?.0,
        receipt_no: opt_no(row, "receipt_no")?,
    })
}

pub(super) async fn create_online(tx: &mut Tx, p: &OnlinePayment, actor: &Actor) -> Result<()> {
    let challan = transitions::lock_by_id(tx, p.challan_id).await?;
    if challan.challan_no != p.challan_no {
        return Err(StoreError::Conflict(format!("challan {} is not {}", p.challan_id, p.challan_no)));
    }
    let p = OnlinePayment { created_at: to_micros(p.created_at), updated_at: to_micros(p.updated_at), ..p.clone() };
    sqlx::query(&format!("INSERT INTO online_payments ({ONLINE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"))
        .bind(p.id)
        .bind(p.challan_id)
        .bind(p.challan_no.digits())
        .bind(p.amount_paisa)
        .bind(&p.gateway_payment_id)
        .bind(p.status.as_str())
        .bind(&p.failure_reason)
        .bind(PgTime(p.created_at))
        .bind(PgTime(p.updated_at))
        .bind(p.receipt_no.map(ChallanNo::digits))
        .execute(&mut tx.conn)
        .await?;
    tx.audit(p.created_at, actor, "online_payment.create", format!("online_payment:{}", p.id), "null".into(), json(&p)?);
    Ok(())
}

pub(super) async fn online(pool: &PgPool, id: Uuid) -> Result<Option<OnlinePayment>> {
    let row = sqlx::query(&format!("SELECT {ONLINE_COLUMNS} FROM online_payments WHERE id = $1")).bind(id).fetch_optional(pool).await?;
    row.as_ref().map(online_row).transpose()
}

pub(super) async fn update_online(tx: &mut Tx, p: &OnlinePayment, actor: &Actor) -> Result<()> {
    let row = sqlx::query(&format!("SELECT {ONLINE_COLUMNS} FROM online_payments WHERE id = $1 FOR UPDATE")).bind(p.id).fetch_optional(&mut tx.conn).await?;
    let before = row.as_ref().map(online_row).transpose()?.ok_or_else(|| StoreError::NotFound(format!("online payment {}", p.id)))?;
    let p = OnlinePayment { created_at: before.created_at, updated_at: to_micros(p.updated_at), ..p.clone() };
    if before == p {
        return Ok(());
    }
    sqlx::query("UPDATE online_payments SET gateway_payment_id = $2, status = $3, failure_reason = $4, updated_at = $5, receipt_no = $6 WHERE id = $1")
        .bind(p.id)
        .bind(&p.gateway_payment_id)
        .bind(p.status.as_str())
        .bind(&p.failure_reason)
        .bind(PgTime(p.updated_at))
        .bind(p.receipt_no.map(ChallanNo::digits))
        .execute(&mut tx.conn)
        .await?;
    tx.audit(p.updated_at, actor, "online_payment.update", format!("online_payment:{}", p.id), json(&before)?, json(&p)?);
    Ok(())
}

pub(super) async fn pending_online(pool: &PgPool, now: Timestamp, limit: u32) -> Result<Vec<OnlinePayment>> {
    let since = now.checked_sub(SignedDuration::from_secs(FAILED_RECHECK_SECS)).unwrap_or(now);
    let rows = sqlx::query(&format!(
        "SELECT {ONLINE_COLUMNS} FROM online_payments
         WHERE status = 'pending' OR (status = 'succeeded' AND receipt_no IS NULL) OR (status = 'failed' AND updated_at >= $1)
         ORDER BY updated_at LIMIT $2"
    ))
    .bind(PgTime(since))
    .bind(i64::from(limit.clamp(1, 1_000)))
    .fetch_all(pool)
    .await?;
    rows.iter().map(online_row).collect()
}

pub(super) async fn challan_online(pool: &PgPool, challan_id: Uuid) -> Result<Vec<OnlinePayment>> {
    let rows = sqlx::query(&format!("SELECT {ONLINE_COLUMNS} FROM online_payments WHERE challan_id = $1 ORDER BY created_at"))
        .bind(challan_id)
        .fetch_all(pool)
        .await?;
    rows.iter().map(online_row).collect()
}

// ----- counter payments -----

const COUNTER_COLUMNS: &str = "id, challan_id, challan_no, district, amount_paisa, payer_name, reference, paid_on, requested_by, requested_at, status, decided_by, \
     decided_at, note, receipt_no";

fn counter_row(row: &PgRow) -> Result<CounterPayment> {
    let status: &str = row.try_get("status")?;
    Ok(CounterPayment {
        id: row.try_get("id")?,
        challan_id: row.try_get("challan_id")?,
        challan_no: rows::challan_no(row, "challan_no")?,
        district: rows::slug(row, "district")?,
        amount_paisa: row.try_get("amount_paisa")?,
        payer_name: row.try_get("payer_name")?,
        reference: row.try_get("reference")?,
        paid_on: row.try_get::<PgDate, _>("paid_on")?.0,
        requested_by: row.try_get("requested_by")?,
        requested_at: row.try_get::<PgTime, _>("requested_at")?.0,
        status: CounterStatus::parse(status).ok_or_else(|| StoreError::Corrupt(format!("counter_payments.status: {status}")))?,
        decided_by: row.try_get("decided_by")?,
        decided_at: row.try_get::<Option<PgTime>, _>("decided_at")?.map(|t| t.0),
        note: row.try_get("note")?,
        receipt_no: opt_no(row, "receipt_no")?,
    })
}

pub(super) async fn counter(pool: &PgPool, id: Uuid) -> Result<Option<CounterPayment>> {
    let row = sqlx::query(&format!("SELECT {COUNTER_COLUMNS} FROM counter_payments WHERE id = $1")).bind(id).fetch_optional(pool).await?;
    row.as_ref().map(counter_row).transpose()
}

pub(super) async fn request_counter(tx: &mut Tx, c: &CounterPayment, actor: &Actor) -> Result<()> {
    let challan = transitions::lock_by_no(tx, c.challan_no).await?;
    if challan.id != c.challan_id || challan.district != c.district {
        return Err(StoreError::Conflict(format!("challan {} is not the one named, or not in district {}", c.challan_no, c.district)));
    }
    let stored = CounterPayment {
        status: CounterStatus::Pending,
        decided_by: None,
        decided_at: None,
        note: None,
        receipt_no: None,
        requested_at: to_micros(c.requested_at),
        ..c.clone()
    };
    sqlx::query(&format!(
        "INSERT INTO counter_payments ({COUNTER_COLUMNS}, department) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'pending', NULL, NULL, NULL, NULL, $11)"
    ))
    .bind(stored.id)
    .bind(stored.challan_id)
    .bind(stored.challan_no.digits())
    .bind(stored.district.as_str())
    .bind(stored.amount_paisa)
    .bind(&stored.payer_name)
    .bind(&stored.reference)
    .bind(PgDate(stored.paid_on))
    .bind(&stored.requested_by)
    .bind(PgTime(stored.requested_at))
    .bind(challan.department.as_str())
    .execute(&mut tx.conn)
    .await?;
    tx.audit(stored.requested_at, actor, "counter_payment.request", format!("counter_payment:{}", stored.id), "null".into(), json(&stored)?);
    Ok(())
}

pub(super) async fn decide_counter(
    tx: &mut Tx,
    decision: &CounterDecision,
    decider: &Actor,
    issuer: IssuerNo,
    at: Timestamp,
    signer: &ReceiptSigner,
) -> Result<CounterPayment> {
    let id = decision.id;
    let row = sqlx::query(&format!("SELECT {COUNTER_COLUMNS} FROM counter_payments WHERE id = $1 FOR UPDATE")).bind(id).fetch_optional(&mut tx.conn).await?;
    let before = row.as_ref().map(counter_row).transpose()?.ok_or_else(|| StoreError::NotFound(format!("counter payment {id}")))?;
    let mut after = crate::treasury::decided_counter(&before, decision, decider, to_micros(at))?;
    if decision.approve {
        let payment = crate::treasury::counter_new_payment(&before, decider)?;
        let outcome = payments::record(tx, &payment, issuer, decider, at, signer).await?;
        if let Some(why) = crate::treasury::counter_refusal(&outcome) {
            return Err(StoreError::Conflict(format!("counter payment {id} cannot be approved: {why}")));
        }
        if let PaymentOutcome::Accepted(p) | PaymentOutcome::Repeated(p) = outcome {
            after.receipt_no = Some(p.receipt_no);
        }
    }
    sqlx::query("UPDATE counter_payments SET status = $2, decided_by = $3, decided_at = $4, note = $5, receipt_no = $6 WHERE id = $1")
        .bind(id)
        .bind(after.status.as_str())
        .bind(&after.decided_by)
        .bind(after.decided_at.map(PgTime))
        .bind(&after.note)
        .bind(after.receipt_no.map(ChallanNo::digits))
        .execute(&mut tx.conn)
        .await?;
    tx.audit(at, decider, "counter_payment.decide", format!("counter_payment:{id}"), json(&before)?, json(&after)?);
    Ok(after)
}

pub(super) async fn pending_counters(pool: &PgPool, districts: Option<Vec<Slug>>, limit: u32) -> Result<Vec<CounterPayment>> {
    let names: Option<Vec<String>> = districts.map(|ds| ds.iter().map(|d| d.as_str().to_owned()).collect());
    let rows = sqlx::query(&format!(
        "SELECT {COUNTER_COLUMNS} FROM counter_payments WHERE status = 'pending' AND ($1::text[] IS NULL OR district = ANY($1)) ORDER BY requested_at LIMIT $2"
    ))
    .bind(names)
    .bind(i64::from(limit.clamp(1, 1_000)))
    .fetch_all(pool)
    .await?;
    rows.iter().map(counter_row).collect()
}

// ----- statements and deposits -----

pub(super) async fn undeposited(pool: &PgPool, up_to: Date) -> Result<Vec<Undeposited>> {
    let columns: String = payments::COLUMNS.split(", ").map(|c| format!("p.{c}")).collect::<Vec<_>>().join(", ");
    let rows = sqlx::query(&format!(
        "SELECT {columns}, c.head_code, c.district FROM payments p JOIN challans c ON c.id = p.challan_id
         WHERE p.deposited_at IS NULL AND p.reversed_at IS NULL AND p.paid_on <= $1 ORDER BY p.paid_on, p.seq"
    ))
    .bind(PgDate(up_to))
    .fetch_all(pool)
    .await?;
    rows.iter().map(|r| Ok(Undeposited { payment: payments::from_row(r)?, head_code: r.try_get("head_code")?, district: rows::slug(r, "district")? })).collect()
}

pub(super) async fn deposited_receipts(pool: &PgPool, since: Date) -> Result<Vec<ChallanNo>> {
    let rows = sqlx::query("SELECT receipt_no FROM payments WHERE deposited_at IS NOT NULL AND paid_on >= $1").bind(PgDate(since)).fetch_all(pool).await?;
    rows.iter().map(|r| rows::challan_no(r, "receipt_no")).collect()
}

const STATEMENT_COLUMNS: &str = "sha256, account, statement_id, format, from_date, to_date, opening_paisa, closing_paisa, lines, imported_by, imported_at, deposited, \
     deposited_paisa, unidentified, unidentified_paisa, unexplained_paisa, report_csv";

fn statement_row(row: &PgRow) -> Result<StatementRecord> {
    let digest: Vec<u8> = row.try_get("sha256")?;
    let count = |c: &str| -> Result<u64> { u64::try_from(row.try_get::<i64, _>(c)?).map_err(|_| StoreError::Corrupt(format!("statements.{c}"))) };
    Ok(StatementRecord {
        sha256: digest.try_into().map_err(|_| StoreError::Corrupt("statements.sha256: not 32 bytes".into()))?,
        account: row.try_get("account")?,
        statement_id: row.try_get("statement_id")?,
        format: row.try_get("format")?,
        from_date: row.try_get::<PgDate, _>("from_date")?.0,
        to_date: row.try_get::<PgDate, _>("to_date")?.0,
        opening_paisa: row.try_get("opening_paisa")?,
        closing_paisa: row.try_get("closing_paisa")?,
        lines: count("lines")?,
        imported_by: row.try_get("imported_by")?,
        imported_at: row.try_get::<PgTime, _>("imported_at")?.0,
        deposited: count("deposited")?,
        deposited_paisa: row.try_get("deposited_paisa")?,
        unidentified: count("unidentified")?,
        unidentified_paisa: row.try_get("unidentified_paisa")?,
        unexplained_paisa: row.try_get("unexplained_paisa")?,
        report_csv: row.try_get("report_csv")?,
    })
}

pub(super) async fn statements(pool: &PgPool, limit: u32) -> Result<Vec<StatementRecord>> {
    let rows = sqlx::query(&format!("SELECT {STATEMENT_COLUMNS} FROM statements ORDER BY seq DESC LIMIT $1"))
        .bind(i64::from(limit.clamp(1, 1_000)))
        .fetch_all(pool)
        .await?;
    rows.iter().map(statement_row).collect()
}

pub(super) async fn statement(pool: &PgPool, sha256: [u8; 32]) -> Result<Option<StatementRecord>> {
    let row = sqlx::query(&format!("SELECT {STATEMENT_COLUMNS} FROM statements WHERE sha256 = $1")).bind(sha256.as_slice()).fetch_optional(pool).await?;
    row.as_ref().map(statement_row).transpose()
}

pub(super) async fn import(tx: &mut Tx, import: &StatementImport, actor: &Actor, at: Timestamp) -> Result<ImportOutcome> {
    // One import at a time per database: continuity is judged against the newest one.
    sqlx::query("LOCK TABLE statements IN EXCLUSIVE MODE").execute(&mut tx.conn).await?;
    let new = &import.record;
    let same =
        sqlx::query(&format!("SELECT {STATEMENT_COLUMNS} FROM statements WHERE sha256 = $1")).bind(new.sha256.as_slice()).fetch_optional(&mut tx.conn).await?;
    if let Some(same) = same.as_ref().map(statement_row).transpose()? {
        return Ok(ImportOutcome::AlreadyImported(same));
    }
    let taken = sqlx::query("SELECT 1 FROM statements WHERE account = $1 AND statement_id = $2")
        .bind(&new.account)
        .bind(&new.statement_id)
        .fetch_optional(&mut tx.conn)
        .await?;
    if taken.is_some() {
        return Err(StoreError::Conflict(format!("statement {} of account {} was imported before from another file", new.statement_id, new.account)));
    }
    let previous = sqlx::query(&format!("SELECT {STATEMENT_COLUMNS} FROM statements WHERE account = $1 ORDER BY seq DESC LIMIT 1"))
        .bind(&new.account)
        .fetch_optional(&mut tx.conn)
        .await?
        .as_ref()
        .map(statement_row)
        .transpose()?;
    crate::treasury::check_continuity(new, previous.as_ref())?;
    let at = to_micros(at);
    for &(receipt_no, amount) in &import.matched {
        let payment = payments::by_receipt_in(&mut tx.conn, receipt_no).await?.ok_or_else(|| StoreError::NotFound(format!("receipt {receipt_no}")))?;
        let challan_transfers = ledger::of_challan(&mut tx.conn, payment.challan_no).await?;
        let transfers = crate::treasury::deposit_transfers(&payment, amount, &challan_transfers, at)?;
        let marked = sqlx::query("UPDATE payments SET deposited_at = $2, statement_id = $3 WHERE id = $1 AND deposited_at IS NULL AND reversed_at IS NULL")
            .bind(payment.id)
            .bind(PgTime(at))
            .bind(&new.statement_id)
            .execute(&mut tx.conn)
            .await?;
        if marked.rows_affected() != 1 {
            return Err(StoreError::Conflict(format!("receipt {receipt_no} is reversed or already deposited")));
        }
        ledger::insert(&mut tx.conn, &transfers).await?;
    }
    let mut suspense = Vec::new();
    for (_, amount) in &import.unidentified {
        suspense.extend(crate::treasury::unidentified_transfers(*amount, at)?);
    }
    ledger::insert(&mut tx.conn, &suspense).await?;
    let record = StatementRecord { imported_by: actor.username.clone(), imported_at: at, ..new.clone() };
    let big = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
    sqlx::query(&format!("INSERT INTO statements ({STATEMENT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)"))
        .bind(record.sha256.as_slice())
        .bind(&record.account)
        .bind(&record.statement_id)
        .bind(&record.format)
        .bind(PgDate(record.from_date))
        .bind(PgDate(record.to_date))
        .bind(record.opening_paisa)
        .bind(record.closing_paisa)
        .bind(big(record.lines))
        .bind(&record.imported_by)
        .bind(PgTime(at))
        .bind(big(record.deposited))
        .bind(record.deposited_paisa)
        .bind(big(record.unidentified))
        .bind(record.unidentified_paisa)
        .bind(record.unexplained_paisa)
        .bind(&record.report_csv)
        .execute(&mut tx.conn)
        .await?;
    tx.audit(at, actor, "statement.import", format!("statement:{}:{}", record.account, record.statement_id), "null".into(), json(&record)?);
    Ok(ImportOutcome::Imported(record))
}

pub(super) async fn deposit_rows(pool: &PgPool, from: Date, to: Date) -> Result<Vec<DepositRow>> {
    let rows = sqlx::query(
        "SELECT p.paid_on, c.head_code, c.district, p.channel, count(*) AS n, sum(p.amount_paisa)::int8 AS paid,
                sum(CASE WHEN p.deposited_at IS NULL THEN 0 ELSE p.amount_paisa END)::int8 AS deposited
         FROM payments p JOIN challans c ON c.id = p.challan_id
         WHERE p.reversed_at IS NULL AND p.paid_on BETWEEN $1 AND $2
         GROUP BY p.paid_on, c.head_code, c.district, p.channel ORDER BY p.paid_on DESC, c.district, c.head_code, p.channel",
    )
    .bind(PgDate(from))
    .bind(PgDate(to))
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(DepositRow {
                paid_on: r.try_get::<PgDate, _>("paid_on")?.0,
                head_code: r.try_get("head_code")?,
                district: rows::slug(r, "district")?,
                channel: r.try_get("channel")?,
                payments: u64::try_from(r.try_get::<i64, _>("n")?).unwrap_or(0),
                paid_paisa: r.try_get("paid")?,
                deposited_paisa: r.try_get("deposited")?,
            })
        })
        .collect()
}
