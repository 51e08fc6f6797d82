//! The checkpointer: a thread that copies committed pages from the WAL into the database
//! file in the background, so the writer's commits do not stall on checkpoints (and their
//! fsync of the database file) in the middle of a busy stream of writes.

use std::sync::mpsc;
use std::time::Duration;

use rusqlite::Connection;

use crate::error::Result;

/// How often the checkpointer runs.
pub const CHECKPOINT_INTERVAL: Duration = Duration::from_millis(250);

/// Keeps the checkpointer running; dropping it stops the thread.
pub(crate) struct Checkpointer {
    _stop: mpsc::Sender<()>,
}

/// Starts the checkpointer on its own connection.
pub(crate) fn spawn_checkpointer(conn: Connection) -> Result<Checkpointer> {
    let (stop, stopped) = mpsc::channel::<()>();
    std::thread::Builder::new().name("mahasil-sqlite-checkpoint".into()).spawn(move || {
        while let Err(mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(CHECKPOINT_INTERVAL) {
            // PASSIVE never blocks the writer or readers; whatever it cannot copy now it
            // copies next time. A failure is logged, not fatal: the writer's own
            // auto-checkpoint still bounds the WAL.
            if let Err(e) = conn.prepare_cached("PRAGMA wal_checkpoint(PASSIVE)").and_then(|mut s| s.query_row([], |_| Ok(()))) {
                tracing::warn!(error = %e, "sqlite background checkpoint failed");
            }
        }
    })?;
    Ok(Checkpointer { _stop: stop })
}
