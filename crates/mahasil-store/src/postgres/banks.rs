//! Banks in PostgreSQL: created, updated (name, active flag, secret), never deleted.

use jiff::Timestamp;
use mahasil_domain::bank::BankSecret;
use mahasil_domain::jurisdiction::Slug;
use sqlx::postgres::PgRow;
use sqlx::{PgPool, Row};

use super::audit_log::json;
use super::types::{PgTime, to_micros};
use super::writer::Tx;
use crate::records::{Actor, BankRecord};
use crate::{Result, StoreError};

const COLUMNS: &str = "mnemonic, name, secret, active, created_at";

fn from_row(row: &PgRow) -> Result<BankRecord> {
    let corrupt = |what: &str, e: mahasil_domain::DomainError| StoreError::Corrupt(format!("banks.{what}: {e}"));
    Ok(BankRecord {
        mnemonic: Slug::parse(row.try_get::<&str, _>("mnemonic")?).map_err(|e| corrupt("mnemonic", e))?,
        name: row.try_get("name")?,
        secret: BankSecret::parse(row.try_get::<&str, _>("secret")?).map_err(|e| corrupt("secret", e))?,
        active: row.try_get("active")?,
        created_at: row.try_get::<PgTime, _>("created_at")?.0,
    })
}

pub(super) async fn create(tx: &mut Tx, bank: &BankRecord, actor: &Actor) -> Result<()> {
    let at = to_micros(bank.created_at);
    let inserted = sqlx::query("INSERT INTO banks (mnemonic, name, secret, active, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (mnemonic) DO NOTHING")
        .bind(bank.mnemonic.as_str())
        .bind(&bank.name)
        .bind(bank.secret.as_str())
        .bind(bank.active)
        .bind(PgTime(at))
        .execute(&mut tx.conn)
        .await?;
    if inserted.rows_affected() == 0 {
        return Err(StoreError::Conflict(format!("bank {} already exists", bank.mnemonic)));
    }
    tx.audit(at, actor, "bank.create", format!("bank:{}", bank.mnemonic), "null".into(), json(&bank.audit_json())?);
    Ok(())
}

pub(super) async fn update(tx: &mut Tx, bank: &BankRecord, actor: &Actor, at: Timestamp) -> Result<()> {
    let row =
        sqlx::query(&format!("SELECT {COLUMNS} FROM banks WHERE mnemonic = $1 FOR UPDATE")).bind(bank.mnemonic.as_str()).fetch_optional(&mut tx.conn).await?;
    let before = row.as_ref().map(from_row).transpose()?.ok_or_else(|| StoreError::NotFound(format!("bank {}", bank.mnemonic)))?;
    sqlx::query("UPDATE banks SET name = $2, secret = $3, active = $4 WHERE mnemonic = $1")
        .bind(bank.mnemonic.as_str())
        .bind(&bank.name)
        .bind(bank.secret.as_str())
        .bind(bank.active)
        .execute(&mut tx.conn)
        .await?;
    let after = BankRecord { created_at: before.created_at, ..bank.clone() };
    tx.audit(to_micros(at), actor, "bank.update", format!("bank:{}", bank.mnemonic), json(&before.audit_json())?, json(&after.audit_json())?);
    Ok(())
}

pub(super) async fn one(pool: &PgPool, mnemonic: &Slug) -> Result<Option<BankRecord>> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM banks WHERE mnemonic = $1")).bind(mnemonic.as_str()).fetch_optional(pool).await?;
    row.as_ref().map(from_row).transpose()
}

pub(super) async fn all(pool: &PgPool) -> Result<Vec<BankRecord>> {
    let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM banks ORDER BY mnemonic")).fetch_all(pool).await?;
    rows.iter().map(from_row).collect()
}
