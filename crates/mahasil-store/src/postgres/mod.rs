//! The PostgreSQL backend, for many app nodes sharing one database.
//!
//! Reads go straight to a connection pool. Every write goes through the group committer
//! in [`writer`]: one task per store with its own connection gathers concurrent writes
//! into one transaction, so a batch of challans shares one commit. Each batch first locks
//! the audit chain's head row, which makes the batches of all nodes extend the one chain in
//! turn. Migrations are applied at connect time, one node at a time.

mod audit_log;
mod banks;
mod cancellations;
mod challans;
mod constraint;
mod contests;
mod devices;
mod flags;
mod heads;
mod insight;
mod issue;
mod issuers;
mod ledger;
mod messages;
mod migrate;
mod payments;
mod reference;
mod rows;
mod seals;
mod sessions;
mod storage;
mod sync_ops;
mod transitions;
mod treasury;
mod types;
mod users;
mod writer;

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection, PgConnection, PgPool};
use uuid::Uuid;

use self::writer::WriterHandle;
use crate::{Result, StoreError, redact_url};

pub use self::writer::{MAX_BATCH, WRITE_QUEUE_CAPACITY};

/// Most pooled connections one store opens for reads (the writer has one more of its own).
pub const POOL_MAX_CONNECTIONS: u32 = 16;
/// How long a read waits for a pooled connection.
const POOL_ACQUIRE_TIMEOUT_MS: u64 = 10_000;
/// Prepared statements each connection keeps.
const STATEMENT_CACHE_CAPACITY: usize = 256;

/// The PostgreSQL store. Cheap to share behind an `Arc`; dropping the last handle stops
/// its writer once queued writes are done.
#[derive(Debug)]
pub struct PgStore {
    pool: PgPool,
    writer: WriterHandle,
    schema: Option<String>,
}

impl PgStore {
    /// Connects to `url` and applies any pending migrations.
    pub async fn connect(url: &str) -> Result<Self> {
        Self::open(parse_url(url)?, None).await.inspect_err(|e| log_failure(url, e))
    }

    /// Connects to `url` with every connection working in a new, empty schema of its own,
    /// and migrates it: an isolated database for one test.
    pub async fn connect_in_fresh_schema(url: &str) -> Result<Self> {
        let schema = format!("t_{}", Uuid::now_v7().simple());
        let options = parse_url(url)?;
        let mut conn = PgConnection::connect_with(&options).await.map_err(StoreError::from).inspect_err(|e| log_failure(url, e))?;
        sqlx::raw_sql(&format!("CREATE SCHEMA \"{schema}\"")).execute(&mut conn).await?;
        conn.close().await?;
        Self::open(options, Some(schema)).await
    }

    /// Connects to `url` working in an existing schema, such as the one of another store
    /// made by [`PgStore::connect_in_fresh_schema`] (a second app node in a test).
    pub async fn connect_in_schema(url: &str, schema: &str) -> Result<Self> {
        let plain = !schema.is_empty() && schema.len() <= 63 && schema.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !plain {
            return Err(StoreError::Config(format!("schema name {schema:?} must be lower-case letters, digits and underscores")));
        }
        Self::open(parse_url(url)?, Some(schema.to_string())).await.inspect_err(|e| log_failure(url, e))
    }

    /// The schema this store works in, when it was given one.
    pub fn schema(&self) -> Option<&str> {
        self.schema.as_deref()
    }

    async fn open(options: PgConnectOptions, schema: Option<String>) -> Result<Self> {
        let mut options = options.statement_cache_capacity(STATEMENT_CACHE_CAPACITY).application_name("mahasil");
        if let Some(schema) = &schema {
            options = options.options([("search_path", schema.as_str())]);
        }
        let mut conn = PgConnection::connect_with(&options).await?;
        migrate::run(&mut conn).await?;
        conn.close().await?;
        let pool = PgPoolOptions::new()
            .max_connections(POOL_MAX_CONNECTIONS)
            .acquire_timeout(Duration::from_millis(POOL_ACQUIRE_TIMEOUT_MS))
            .connect_with(options.clone())
            .await?;
        // The writer is easy to tell apart in pg_stat_activity (and a test can find its own).
        let writer_name = match &schema {
            Some(schema) => format!("mahasil writer {schema}"),
            None => "mahasil writer".to_string(),
        };
        let writer = WriterHandle::start(options.application_name(&writer_name)).await?;
        Ok(Self { pool, writer, schema })
    }
}

fn parse_url(url: &str) -> Result<PgConnectOptions> {
    // sqlx's message may quote the URL; say which one with its password hidden instead.
    PgConnectOptions::from_str(url).map_err(|_| StoreError::Config(format!("not a valid PostgreSQL URL: {}", redact_url(url))))
}

/// Says which database could not be opened, its password hidden.
fn log_failure(url: &str, e: &StoreError) {
    tracing::error!(url = %redact_url(url), error = %e, "cannot open the PostgreSQL store");
}
