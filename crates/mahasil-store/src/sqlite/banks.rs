//! Banks in SQLite: created, updated (name, active flag, secret), never deleted.

use jiff::Timestamp;
use mahasil_domain::bank::BankSecret;
use mahasil_domain::jurisdiction::Slug;
use rusqlite::{Connection, Row, Transaction};

use super::audit_log::{self, Change};
use super::rows::{self, bool_int, conflict, micros};
use crate::error::{Result, StoreError};
use crate::records::{Actor, BankRecord};

const COLUMNS: &str = "mnemonic, name, secret, active, created_at";

fn from_row(r: &Row<'_>) -> Result<BankRecord> {
    let secret: String = r.get(2)?;
    Ok(BankRecord {
        mnemonic: rows::slug("banks.mnemonic", &r.get::<_, String>(0)?)?,
        name: r.get(1)?,
        secret: rows::parsed("banks.secret", || BankSecret::parse(&secret))?,
        active: r.get::<_, i64>(3)? == 1,
        created_at: rows::timestamp("banks.created_at", r.get(4)?)?,
    })
}

pub(crate) fn create(tx: &Transaction<'_>, bank: &BankRecord, actor: &Actor) -> Result<()> {
    tx.prepare_cached("INSERT INTO banks (mnemonic, name, secret, active, created_at) VALUES (?1, ?2, ?3, ?4, ?5)")?
        .execute(rusqlite::params![bank.mnemonic.as_str(), bank.name, bank.secret.as_str(), bool_int(bank.active), micros(bank.created_at)])
        .map_err(conflict(format!("bank {} already exists", bank.mnemonic)))?;
    let change = Change { action: "bank.create", entity: format!("bank:{}", bank.mnemonic), before: "null".into(), after: rows::json(&bank.audit_json())? };
    audit_log::append(tx, actor, bank.created_at, &change)
}

pub(crate) fn update(tx: &Transaction<'_>, bank: &BankRecord, actor: &Actor, at: Timestamp) -> Result<()> {
    let before = one(tx, &bank.mnemonic)?.ok_or_else(|| StoreError::NotFound(format!("bank {}", bank.mnemonic)))?;
    tx.prepare_cached("UPDATE banks SET name = ?2, secret = ?3, active = ?4 WHERE mnemonic = ?1")?.execute(rusqlite::params![
        bank.mnemonic.as_str(),
        bank.name,
        bank.secret.as_str(),
        bool_int(bank.active)
    ])?;
    let after = BankRecord { created_at: before.created_at, ..bank.clone() };
    let change = Change {
        action: "bank.update",
        entity: format!("bank:{}", bank.mnemonic),
        before: rows::json(&before.audit_json())?,
        after: rows::json(&after.audit_json())?,
    };
    audit_log::append(tx, actor, at, &change)
}

pub(crate) fn one(conn: &Connection, mnemonic: &Slug) -> Result<Option<BankRecord>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM banks WHERE mnemonic = ?1"))?;
    let mut rows = stmt.query([mnemonic.as_str()])?;
    rows.next()?.map(from_row).transpose()
}

pub(crate) fn all(conn: &Connection) -> Result<Vec<BankRecord>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM banks ORDER BY mnemonic"))?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(from_row(r)?);
    }
    Ok(out)
}
