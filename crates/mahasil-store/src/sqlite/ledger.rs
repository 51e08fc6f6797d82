//! Ledger transfers in SQLite: appended in the writing transaction, read back in order.
//! The table refuses UPDATE and DELETE.

use mahasil_domain::challan_no::ChallanNo;
use mahasil_domain::money::Paisa;
use mahasil_ledger::{Account, Transfer, TransferCode};
use rusqlite::{Connection, Row, Transaction};

use super::rows::{self, micros};
use crate::error::Result;
use crate::ledger::{MAX_TRANSFERS_PAGE, StoredTransfer};

const COLUMNS: &str = "seq, id, event_id, code, debit, credit, amount_paisa, challan_no, reverses, at";

pub(crate) fn insert(tx: &Transaction<'_>, transfers: &[Transfer]) -> Result<()> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO transfers (id, event_id, code, debit, credit, amount_paisa, challan_no, reverses, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    for t in transfers {
        stmt.execute(rusqlite::params![
            t.id.to_string(),
            t.event_id.to_string(),
            t.code.as_str(),
            t.debit.to_string(),
            t.credit.to_string(),
            t.amount.get(),
            t.challan_no.map(ChallanNo::digits),
            t.reverses.map(|r| r.to_string()),
            micros(t.at),
        ])?;
    }
    Ok(())
}

fn from_row(r: &Row<'_>) -> Result<StoredTransfer> {
    let text = |i: usize| -> rusqlite::Result<String> { r.get(i) };
    let (code, debit, credit) = (text(3)?, text(4)?, text(5)?);
    let challan_no: Option<String> = r.get(7)?;
    let reverses: Option<String> = r.get(8)?;
    let amount: i64 = r.get(6)?;
    let transfer = Transfer {
        id: rows::uuid("transfers.id", &text(1)?)?,
        event_id: rows::uuid("transfers.event_id", &text(2)?)?,
        code: rows::parsed("transfers.code", || TransferCode::parse(&code))?,
        debit: rows::parsed("transfers.debit", || Account::parse(&debit))?,
        credit: rows::parsed("transfers.credit", || Account::parse(&credit))?,
        amount: rows::parsed("transfers.amount_paisa", || Paisa::new(amount))?,
        challan_no: challan_no.map(|n| rows::parsed("transfers.challan_no", || ChallanNo::parse(&n))).transpose()?,
        reverses: reverses.map(|id| rows::uuid("transfers.reverses", &id)).transpose()?,
        at: rows::timestamp("transfers.at", r.get(9)?)?,
    };
    Ok(StoredTransfer { seq: r.get(0)?, transfer })
}

pub(crate) fn of_challan(conn: &Connection, challan_no: ChallanNo) -> Result<Vec<Transfer>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM transfers WHERE challan_no = ?1 ORDER BY seq"))?;
    let mut rows = stmt.query([challan_no.digits()])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(from_row(r)?.transfer);
    }
    Ok(out)
}

pub(crate) fn page(conn: &Connection, after_seq: i64, limit: u32) -> Result<Vec<StoredTransfer>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM transfers WHERE seq > ?1 ORDER BY seq LIMIT ?2"))?;
    let mut rows = stmt.query(rusqlite::params![after_seq, rows::clamp_limit(limit, MAX_TRANSFERS_PAGE)])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(from_row(r)?);
    }
    Ok(out)
}
