//! Fresh, isolated stores for tests of this crate and of the crates above it: a SQLite
//! file in a temporary directory, and (when `MAHASIL_TEST_DATABASE_URL` is set) a
//! PostgreSQL schema of its own.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::Store;
use crate::error::Result;
use crate::sqlite::SqliteStore;

/// The environment variable naming the PostgreSQL server tests may use.
pub const TEST_DATABASE_URL_VAR: &str = "MAHASIL_TEST_DATABASE_URL";

/// The name of the database file [`fresh_sqlite`] creates in its directory.
pub const SQLITE_FILE_NAME: &str = "mahasil.sqlite3";

/// The database file of a store made by [`fresh_sqlite`] in `dir`, for tests that need to
/// reach behind the store (as an attacker with access to the file would).
pub fn sqlite_file(dir: &Path) -> PathBuf {
    dir.join(SQLITE_FILE_NAME)
}

/// A migrated SQLite store in a new temporary directory. Keep the directory alive as long
/// as the store: dropping it deletes the database.
pub async fn fresh_sqlite() -> Result<(Store, tempfile::TempDir)> {
    let dir = tempfile::Builder::new().prefix("mahasil-test-").tempdir()?;
    let store = SqliteStore::open(&sqlite_file(dir.path())).await?;
    Ok((Arc::new(store), dir))
}

/// A migrated PostgreSQL store in a schema of its own, or `None` when
/// `MAHASIL_TEST_DATABASE_URL` is unset (the test then skips).
pub async fn fresh_postgres() -> Result<Option<Store>> {
    let Ok(url) = std::env::var(TEST_DATABASE_URL_VAR) else {
        return Ok(None);
    };
    Ok(Some(Arc::new(crate::postgres::PgStore::connect_in_fresh_schema(&url).await?)))
}

/// A sealer for tests of the store itself, which keeps seals as opaque bytes: the seal is
/// the challan's number and amounts in text, so a test can tell which challan's seal a
/// row holds. Real seals are signed by the server's keys and tested with them.
pub fn test_sealer() -> crate::Sealer {
    Arc::new(TextSealer)
}

struct TextSealer;

impl crate::ChallanSealer for TextSealer {
    fn seal(&self, c: &crate::ChallanRecord) -> std::result::Result<Vec<u8>, String> {
        Ok(format!("seal:{}:{}:{}", c.challan_no.digits(), c.amount_paisa, c.amount_after_due_paisa).into_bytes())
    }
}

/// A receipt sealer for tests of the store, like [`test_sealer`]: the seal names the
/// receipt, its challan and the amount in text.
pub fn test_receipt_signer() -> crate::ReceiptSigner {
    Arc::new(TextSealer)
}

impl crate::ReceiptSealer for TextSealer {
    fn seal_receipt(&self, p: &crate::PaymentRecord, c: &crate::ChallanRecord) -> std::result::Result<Vec<u8>, String> {
        Ok(format!("receipt:{}:{}:{}", p.receipt_no.digits(), c.challan_no.digits(), p.amount_paisa).into_bytes())
    }
}
