//! Opening SQLite connections the way mahasil needs them (WAL, full sync, foreign keys),
//! and the small pool of read-only connections that serves every read.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};
use tokio::sync::Semaphore;

use crate::error::{Result, StoreError};

/// Read-only connections open at once; reads beyond it wait for one to be free.
pub const READ_POOL_SIZE: usize = 4;

/// How long a connection waits for a lock held by another before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Prepared statements kept per connection (search builds one per filter combination).
const STATEMENT_CACHE_CAPACITY: usize = 128;

/// Page cache of the write connection, in KiB: the hot ends of every index stay in memory.
const WRITER_CACHE_KIB: u32 = 65_536;

/// Page cache of each read connection, in KiB.
const READER_CACHE_KIB: u32 = 16_384;

/// WAL pages (8 MiB) after which the writer copies the WAL into the database file itself,
/// right after a commit. Checkpointing on the writer's own thread, in small steps, keeps
/// the copy's flush from running alongside the next commit's fsync: a separate
/// checkpointer thread flushing 2 GB of randomly dirtied index pages made every commit
/// behind it wait, and p99 at a million challans rose past 90 ms (docs/BENCHMARKS.md).
const WAL_AUTOCHECKPOINT_PAGES: u32 = 2_048;

/// Largest WAL file kept on disk after it has been reset, in bytes.
const WAL_SIZE_LIMIT_BYTES: u64 = 64 * 1024 * 1024;

/// The one connection that writes: creates the file, switches it to WAL, and syncs every
/// commit to disk before it returns (`synchronous=FULL`).
pub(crate) fn open_writer(path: &Path) -> Result<Connection> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::Config(format!("{} cannot use write-ahead logging (journal mode is {mode})", path.display())));
    }
    conn.execute_batch(&format!(
        "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY; PRAGMA cache_size = -{WRITER_CACHE_KIB};
         PRAGMA wal_autocheckpoint = {WAL_AUTOCHECKPOINT_PAGES}; PRAGMA journal_size_limit = {WAL_SIZE_LIMIT_BYTES};"
    ))?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE_CAPACITY);
    Ok(conn)
}

fn open_reader(path: &Path) -> Result<Connection> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.execute_batch(&format!("PRAGMA temp_store = MEMORY; PRAGMA cache_size = -{READER_CACHE_KIB};"))?;
    super::offender_keys::attach_for_reading(&conn, path)?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE_CAPACITY);
    Ok(conn)
}

/// Read-only connections, each used by one blocking task at a time.
pub(crate) struct ReadPool {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
    permits: Semaphore,
}

impl ReadPool {
    pub(crate) fn open(path: &Path) -> Result<Arc<Self>> {
        let idle = (0..READ_POOL_SIZE).map(|_| open_reader(path)).collect::<Result<Vec<_>>>()?;
        Ok(Arc::new(Self { path: path.to_path_buf(), idle: Mutex::new(idle), permits: Semaphore::new(READ_POOL_SIZE) }))
    }

    /// Runs `read` on a free connection in the blocking thread pool.
    pub(crate) async fn read<T, F>(self: &Arc<Self>, read: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
    {
        let _permit = self.permits.acquire().await.map_err(|_| StoreError::WriterGone)?;
        let pool = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let conn = pool.take()?;
            let result = read(&conn);
            pool.give_back(conn);
            result
        })
        .await
        .map_err(|e| StoreError::Io(std::io::Error::other(format!("a read task failed: {e}"))))?
    }

    fn take(&self) -> Result<Connection> {
        let idle = self.idle.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).pop();
        // A connection is lost only if a read panicked while holding it; open a fresh one.
        match idle {
            Some(conn) => Ok(conn),
            None => open_reader(&self.path),
        }
    }

    fn give_back(&self, conn: Connection) {
        self.idle.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).push(conn);
    }
}
