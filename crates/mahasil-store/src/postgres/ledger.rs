//! Ledger transfers in PostgreSQL: appended in the writing transaction (a batch's in one
//! statement), read back in order. The table refuses UPDATE, DELETE and TRUNCATE.

use mahasil_domain::challan_no::ChallanNo;
use mahasil_domain::money::Paisa;
use mahasil_ledger::{Account, Transfer, TransferCode};
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, PgPool, Row};
use uuid::Uuid;

use super::types::{PgTime, to_micros};
use crate::ledger::{MAX_TRANSFERS_PAGE, StoredTransfer};
use crate::{Result, StoreError};

const COLUMNS: &str = "seq, id, event_id, code, debit, credit, amount_paisa, challan_no, reverses, at";

pub(super) async fn insert(conn: &mut PgConnection, transfers: &[Transfer]) -> Result<()> {
    if transfers.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO transfers (id, event_id, code, debit, credit, amount_paisa, challan_no, reverses, at)
         SELECT * FROM UNNEST($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::int8[], $7::text[], $8::uuid[], $9::timestamptz[])",
    )
    .bind(transfers.iter().map(|t| t.id).collect::<Vec<_>>())
    .bind(transfers.iter().map(|t| t.event_id).collect::<Vec<_>>())
    .bind(transfers.iter().map(|t| t.code.as_str()).collect::<Vec<_>>())
    .bind(transfers.iter().map(|t| t.debit.to_string()).collect::<Vec<_>>())
    .bind(transfers.iter().map(|t| t.credit.to_string()).collect::<Vec<_>>())
    .bind(transfers.iter().map(|t| t.amount.get()).collect::<Vec<_>>())
    .bind(transfers.iter().map(|t| t.challan_no.map(ChallanNo::digits)).collect::<Vec<_>>())
    .bind(transfers.iter().map(|t| t.reverses).collect::<Vec<Option<Uuid>>>())
    .bind(transfers.iter().map(|t| PgTime(to_micros(t.at))).collect::<Vec<_>>())
    .execute(conn)
    .await?;
    Ok(())
}

fn from_row(row: &PgRow) -> Result<StoredTransfer> {
    let corrupt = |what: &str, e: String| StoreError::Corrupt(format!("transfers.{what}: {e}"));
    let challan_no: Option<&str> = row.try_get("challan_no")?;
    let transfer = Transfer {
        id: row.try_get("id")?,
        event_id: row.try_get("event_id")?,
        code: TransferCode::parse(row.try_get::<&str, _>("code")?).map_err(|e| corrupt("code", e.to_string()))?,
        debit: Account::parse(row.try_get::<&str, _>("debit")?).map_err(|e| corrupt("debit", e.to_string()))?,
        credit: Account::parse(row.try_get::<&str, _>("credit")?).map_err(|e| corrupt("credit", e.to_string()))?,
        amount: Paisa::new(row.try_get("amount_paisa")?).map_err(|e| corrupt("amount_paisa", e.to_string()))?,
        challan_no: challan_no.map(|n| ChallanNo::parse(n).map_err(|e| corrupt("challan_no", e.to_string()))).transpose()?,
        reverses: row.try_get("reverses")?,
        at: row.try_get::<PgTime, _>("at")?.0,
    };
    Ok(StoredTransfer { seq: row.try_get("seq")?, transfer })
}

pub(super) async fn of_challan(conn: &mut PgConnection, challan_no: ChallanNo) -> Result<Vec<Transfer>> {
    let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM transfers WHERE challan_no = $1 ORDER BY seq")).bind(challan_no.digits()).fetch_all(conn).await?;
    rows.iter().map(|r| from_row(r).map(|s| s.transfer)).collect()
}

pub(super) async fn page(pool: &PgPool, after_seq: i64, limit: u32) -> Result<Vec<StoredTransfer>> {
    let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM transfers WHERE seq > $1 ORDER BY seq LIMIT $2"))
        .bind(after_seq)
        .bind(i64::from(limit.clamp(1, MAX_TRANSFERS_PAGE)))
        .fetch_all(pool)
        .await?;
    rows.iter().map(from_row).collect()
}
