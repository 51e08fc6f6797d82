//! The group committer: one thread owns the only write connection and runs queued write
//! jobs in batches, each batch one `BEGIN IMMEDIATE` transaction with every job in its own
//! savepoint. Callers are answered only after the batch has committed, so one fsync
//! acknowledges many writes without acknowledging any before it is durable.

use std::panic::AssertUnwindSafe;

use rusqlite::{Connection, Transaction, TransactionBehavior};
use tokio::sync::{mpsc, oneshot};

use crate::error::{Result, StoreError};

/// Most jobs committed together in one transaction.
pub const MAX_BATCH: usize = 512;

/// Most write jobs waiting for the writer; senders wait (asynchronously) beyond it.
pub const WRITE_QUEUE_BOUND: usize = 4_096;

/// A write job as the writer thread sees it, whatever it returns.
pub(crate) trait QueuedJob: Send {
    /// Runs the job against the open transaction; `false` when it failed.
    fn run(&mut self, tx: &Transaction<'_>) -> bool;
    /// Answers the caller once the batch is settled: with the job's own result when the
    /// batch committed, with the commit's error when it did not.
    fn answer(self: Box<Self>, batch_error: Option<&StoreError>);
}

type Work<T> = Box<dyn FnOnce(&Transaction<'_>) -> Result<T> + Send>;

struct Job<T> {
    work: Option<Work<T>>,
    outcome: Option<Result<T>>,
    reply: oneshot::Sender<Result<T>>,
}

impl<T: Send> QueuedJob for Job<T> {
    fn run(&mut self, tx: &Transaction<'_>) -> bool {
        let Some(work) = self.work.take() else { return false };
        // A bug in one job must not take the writer (and every later write) down with it.
        let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| work(tx)))
            .unwrap_or_else(|_| Err(StoreError::Io(std::io::Error::other("a write job panicked; it was rolled back"))));
        let ok = outcome.is_ok();
        self.outcome = Some(outcome);
        ok
    }

    fn answer(self: Box<Self>, batch_error: Option<&StoreError>) {
        let outcome = match (self.outcome, batch_error) {
            // A job that failed on its own keeps its own error: it was never going to be written.
            (Some(Err(own)), _) => Err(own),
            (Some(Ok(_)) | None, Some(batch)) => Err(replicate(batch)),
            (Some(Ok(value)), None) => Ok(value),
            (None, None) => Err(StoreError::WriterGone),
        };
        // The caller may have stopped waiting; the write stands either way.
        let _ = self.reply.send(outcome);
    }
}

/// The sending side of the writer's queue.
#[derive(Clone)]
pub(crate) struct WriteQueue {
    sender: mpsc::Sender<Box<dyn QueuedJob>>,
}

impl WriteQueue {
    /// A queue and the receiving end to hand to [`spawn_writer`].
    pub(crate) fn new() -> (Self, mpsc::Receiver<Box<dyn QueuedJob>>) {
        let (sender, receiver) = mpsc::channel(WRITE_QUEUE_BOUND);
        (Self { sender }, receiver)
    }

    /// Queues `work` and waits until the batch it ran in has committed.
    pub(crate) async fn write<T, F>(&self, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> Result<T> + Send + 'static,
    {
        self.queue(work).await?.answer().await
    }

    /// Queues `work` without waiting for it: jobs queued one after another by one caller
    /// run in that order, sharing batches (and their commits).
    pub(crate) async fn queue<T, F>(&self, work: F) -> Result<Queued<T>>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> Result<T> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let job: Box<dyn QueuedJob> = Box::new(Job { work: Some(Box::new(work)), outcome: None, reply });
        self.sender.send(job).await.map_err(|_| StoreError::WriterGone)?;
        Ok(Queued(answer))
    }
}

/// A queued write job's answer, given once the batch it ran in has settled.
pub(crate) struct Queued<T>(oneshot::Receiver<Result<T>>);

impl<T> Queued<T> {
    pub(crate) async fn answer(self) -> Result<T> {
        self.0.await.map_err(|_| StoreError::WriterGone)?
    }
}

/// Starts the writer thread. It stops when every [`WriteQueue`] handle is dropped.
pub(crate) fn spawn_writer(conn: Connection, jobs: mpsc::Receiver<Box<dyn QueuedJob>>) -> Result<()> {
    std::thread::Builder::new().name("mahasil-sqlite-writer".into()).spawn(move || run_writer(conn, jobs))?;
    Ok(())
}

fn run_writer(mut conn: Connection, mut jobs: mpsc::Receiver<Box<dyn QueuedJob>>) {
    let mut batch: Vec<Box<dyn QueuedJob>> = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = jobs.blocking_recv() {
        batch.push(first);
        // Everything that queued while the previous batch was syncing joins this one.
        while batch.len() < MAX_BATCH {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let settled = commit_batch(&mut conn, &mut batch);
        if let Err(e) = &settled {
            tracing::error!(error = %e, jobs = batch.len(), "sqlite write batch failed");
        }
        for job in batch.drain(..) {
            job.answer(settled.as_ref().err());
        }
    }
}

/// Runs every job of the batch in one transaction and commits it.
fn commit_batch(conn: &mut Connection, batch: &mut [Box<dyn QueuedJob>]) -> Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    for job in batch.iter_mut() {
        tx.prepare_cached("SAVEPOINT job")?.execute([])?;
        if !job.run(&tx) {
            // Undo this job alone; the others of the batch still commit.
            tx.prepare_cached("ROLLBACK TO job")?.execute([])?;
        }
        tx.prepare_cached("RELEASE job")?.execute([])?;
    }
    tx.commit()?;
    Ok(())
}

/// A copy of a batch's error for each of its jobs (errors are not `Clone`).
fn replicate(e: &StoreError) -> StoreError {
    match e {
        StoreError::Sqlite(rusqlite::Error::SqliteFailure(code, message)) => StoreError::Sqlite(rusqlite::Error::SqliteFailure(*code, message.clone())),
        StoreError::WriterGone => StoreError::WriterGone,
        other => StoreError::Io(std::io::Error::other(format!("the write batch failed: {other}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open_counter_db() -> Result<(Connection, tempfile::TempDir)> {
        let dir = tempfile::tempdir()?;
        let conn = Connection::open(dir.path().join("w.sqlite3"))?;
        conn.execute_batch("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT NOT NULL); CREATE TABLE n (x INTEGER NOT NULL);")?;
        Ok((conn, dir))
    }

    /// Jobs queued before the writer starts land in one batch; the failing one is undone
    /// (including its first, successful statement) and the rest commit.
    #[tokio::test]
    async fn failing_job_is_rolled_back_alone() -> Result<()> {
        let (conn, dir) = open_counter_db()?;
        let (queue, receiver) = WriteQueue::new();
        let mut answers = Vec::new();
        for k in 0..10_i64 {
            let (reply, answer) = oneshot::channel();
            let work: Work<i64> = Box::new(move |tx| {
                tx.execute("INSERT INTO n (x) VALUES (?1)", [k])?;
                // Job 5 repeats job 4's key: only its own savepoint is rolled back.
                let key = if k == 5 { 4 } else { k };
                tx.execute("INSERT INTO t (k, v) VALUES (?1, 'x')", [key])?;
                Ok(k)
            });
            let job: Box<dyn QueuedJob> = Box::new(Job { work: Some(work), outcome: None, reply });
            queue.sender.try_send(job).map_err(|_| StoreError::WriterGone)?;
            answers.push(answer);
        }
        spawn_writer(conn, receiver)?;
        let mut failed = Vec::new();
        for (k, answer) in answers.into_iter().enumerate() {
            match answer.await.map_err(|_| StoreError::WriterGone)? {
                Ok(v) => assert_eq!(v, k as i64),
                Err(_) => failed.push(k),
            }
        }
        assert_eq!(failed, vec![5]);
        let check = Connection::open(dir.path().join("w.sqlite3"))?;
        let rows: i64 = check.query_row("SELECT count(*) FROM n", [], |r| r.get(0))?;
        let from_failed_job: i64 = check.query_row("SELECT count(*) FROM n WHERE x = 5", [], |r| r.get(0))?;
        assert_eq!((rows, from_failed_job), (9, 0));
        Ok(())
    }
}
