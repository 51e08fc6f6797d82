//! The group committer: one task per store owns one connection and runs every write.
//! Callers queue jobs on a bounded channel; the task drains up to [`MAX_BATCH`] of them,
//! runs them in one transaction (each behind its own savepoint, so a failing job rolls
//! back alone), commits, and only then answers each caller. Challans are issued in bulk:
//! one counter update per issuer and one insert for the whole batch.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use jiff::Timestamp;
use mahasil_domain::challan::ChallanDraft;
use mahasil_domain::challan_no::IssuerNo;
use sqlx::postgres::PgConnectOptions;
use sqlx::{Connection, Executor, PgConnection};
use tokio::sync::{mpsc, oneshot};

use super::audit_log::{AuditChain, ChainMark};
use super::constraint::classify;
use super::issue::{IssueInput, issue_many};
use crate::records::{Actor, ChallanRecord};
use crate::{Result, StoreError};

/// Jobs that may wait for the writer; senders wait when it is full (back-pressure).
pub const WRITE_QUEUE_CAPACITY: usize = 4_096;
/// Most jobs committed in one transaction.
pub const MAX_BATCH: usize = 256;
/// Pause before reconnecting after the writer's connection failed.
const RECONNECT_PAUSE_MS: u64 = 200;

pub(super) type BoxFut<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The open batch transaction a job runs in.
pub(super) struct Tx {
    pub(super) conn: PgConnection,
    chain: AuditChain,
}

impl Tx {
    /// Appends an audit entry to this transaction; `before` and `after` are JSON text.
    pub(super) fn audit(&mut self, at: Timestamp, actor: &Actor, action: &str, entity: String, before: String, after: String) {
        self.chain.append(at, actor, action, entity, before, after);
    }

    /// Starts the transaction and locks the audit chain's head for it.
    async fn begin(&mut self) -> Result<()> {
        self.chain = AuditChain::begin_and_lock(&mut self.conn).await?;
        Ok(())
    }

    async fn rollback(&mut self) -> Result<()> {
        (&mut self.conn).execute("ROLLBACK").await?;
        Ok(())
    }

    async fn savepoint(&mut self) -> Result<ChainMark> {
        (&mut self.conn).execute("SAVEPOINT job").await?;
        Ok(self.chain.mark())
    }

    /// Keeps a job's work, or undoes it (and its audit entries) if it failed.
    async fn settle(&mut self, mark: ChainMark, ok: bool) -> Result<()> {
        if ok {
            (&mut self.conn).execute("RELEASE SAVEPOINT job").await?;
        } else {
            (&mut self.conn).execute("ROLLBACK TO SAVEPOINT job; RELEASE SAVEPOINT job").await?;
            self.chain.reset(mark);
        }
        Ok(())
    }

    async fn commit(&mut self) -> Result<()> {
        self.chain.flush(&mut self.conn).await?;
        (&mut self.conn).execute("COMMIT").await?;
        Ok(())
    }
}

/// A write other than issuing: runs in the batch transaction, answers after the commit.
pub(super) trait Op: Send {
    fn run<'a>(&'a mut self, tx: &'a mut Tx) -> BoxFut<'a, Result<()>>;
    fn finish(self: Box<Self>, outcome: Result<()>);
}

struct FnOp<T, F> {
    work: Option<F>,
    output: Option<T>,
    reply: oneshot::Sender<Result<T>>,
}

impl<T, F> Op for FnOp<T, F>
where
    T: Send,
    F: for<'a> FnOnce(&'a mut Tx) -> BoxFut<'a, Result<T>> + Send,
{
    fn run<'a>(&'a mut self, tx: &'a mut Tx) -> BoxFut<'a, Result<()>> {
        Box::pin(async move {
            let work = self.work.take().ok_or_else(|| StoreError::Corrupt("a write job ran twice".into()))?;
            self.output = Some(work(tx).await?);
            Ok(())
        })
    }

    fn finish(self: Box<Self>, outcome: Result<()>) {
        let this = *self;
        let answer = outcome.and_then(|()| this.output.ok_or_else(|| StoreError::Corrupt("a write job has no result".into())));
        // The caller may have gone away; its write stands all the same.
        let _ = this.reply.send(answer);
    }
}

pub(super) struct IssueJob {
    pub(super) input: IssueInput,
    reply: oneshot::Sender<Result<ChallanRecord>>,
}

pub(super) enum Job {
    Issue(Box<IssueJob>),
    Op(Box<dyn Op>),
}

/// The sending side, held by the store.
#[derive(Clone, Debug)]
pub(super) struct WriterHandle {
    jobs: mpsc::Sender<Job>,
}

impl WriterHandle {
    /// Starts the writer task with its own connection.
    pub(super) async fn start(options: PgConnectOptions) -> Result<Self> {
        let conn = PgConnection::connect_with(&options).await?;
        let (jobs, rx) = mpsc::channel(WRITE_QUEUE_CAPACITY);
        tokio::spawn(Writer { options, conn: Some(conn), rx }.run());
        Ok(Self { jobs })
    }

    /// Runs `work` in a batch transaction; returns once it is committed.
    pub(super) async fn write<T, F>(&self, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: for<'a> FnOnce(&'a mut Tx) -> BoxFut<'a, Result<T>> + Send + 'static,
    {
        self.queue(work).await?.answer().await
    }

    /// Queues `work` without waiting for it: jobs queued one after another by one caller
    /// run in that order, sharing batches (and their commits).
    pub(super) async fn queue<T, F>(&self, work: F) -> Result<Queued<T>>
    where
        T: Send + 'static,
        F: for<'a> FnOnce(&'a mut Tx) -> BoxFut<'a, Result<T>> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        self.jobs.send(Job::Op(Box::new(FnOp { work: Some(work), output: None, reply }))).await.map_err(|_| StoreError::WriterGone)?;
        Ok(Queued(answer))
    }

    pub(super) async fn issue(
        &self,
        draft: ChallanDraft,
        issuer: IssuerNo,
        actor: Actor,
        received_at: Timestamp,
        sealer: crate::Sealer,
    ) -> Result<ChallanRecord> {
        let (reply, answer) = oneshot::channel();
        let input = IssueInput { draft, issuer, actor, received_at, sealer };
        self.jobs.send(Job::Issue(Box::new(IssueJob { input, reply }))).await.map_err(|_| StoreError::WriterGone)?;
        answer.await.map_err(|_| StoreError::WriterGone)?
    }
}

/// A queued write job's answer, given once the batch it ran in has settled.
pub(super) struct Queued<T>(oneshot::Receiver<Result<T>>);

impl<T> Queued<T> {
    pub(super) async fn answer(self) -> Result<T> {
        self.0.await.map_err(|_| StoreError::WriterGone)?
    }
}

struct Writer {
    options: PgConnectOptions,
    conn: Option<PgConnection>,
    rx: mpsc::Receiver<Job>,
}

/// What each job of a batch came to, before the commit decides the rest.
struct Outcomes {
    issues: Vec<Result<ChallanRecord>>,
    ops: Vec<Result<()>>,
}

impl Writer {
    async fn run(mut self) {
        while let Some(first) = self.rx.recv().await {
            let mut jobs = vec![first];
            while jobs.len() < MAX_BATCH {
                match self.rx.try_recv() {
                    Ok(job) => jobs.push(job),
                    Err(_) => break,
                }
            }
            self.process(jobs).await;
        }
    }

    async fn connection(&mut self) -> Result<PgConnection> {
        if let Some(conn) = self.conn.take() {
            return Ok(conn);
        }
        match PgConnection::connect_with(&self.options).await {
            Ok(conn) => Ok(conn),
            Err(e) => {
                tokio::time::sleep(Duration::from_millis(RECONNECT_PAUSE_MS)).await;
                Err(e.into())
            }
        }
    }

    async fn process(&mut self, jobs: Vec<Job>) {
        let mut issues = Vec::new();
        let mut ops = Vec::new();
        for job in jobs {
            match job {
                Job::Issue(j) => issues.push(*j),
                Job::Op(o) => ops.push(o),
            }
        }
        let mut out =
            Outcomes { issues: issues.iter().map(|_| Err(StoreError::WriterGone)).collect(), ops: ops.iter().map(|_| Err(StoreError::WriterGone)).collect() };
        let inputs: Vec<&IssueInput> = issues.iter().map(|j| &j.input).collect();
        let started = std::time::Instant::now();
        let mut retried = false;
        let failure = loop {
            let conn = match self.connection().await {
                Ok(conn) => conn,
                Err(e) => break Some(e),
            };
            let (conn, result) = transact(conn, &inputs, &mut ops, &mut out).await;
            self.conn = conn;
            match result {
                Ok(()) => break None,
                // Nothing ran yet (the connection broke while idle, say): safe to try once
                // more on a new connection.
                Err(f) if f.before_any_job && !retried => {
                    tracing::warn!(error = %f.error, "could not begin a write batch; retrying on a new connection");
                    retried = true;
                    self.conn = None;
                }
                Err(f) => break Some(f.error),
            }
        };
        tracing::debug!(
            issues = inputs.len(),
            other_jobs = ops.len(),
            elapsed_us = started.elapsed().as_micros(),
            committed = failure.is_none(),
            "write batch done"
        );
        if let Some(e) = failure {
            tracing::warn!(error = %e, jobs = out.issues.len() + out.ops.len(), "a write batch was not committed");
            fail_unsettled(&mut out.issues, &e);
            fail_unsettled(&mut out.ops, &e);
        }
        for (job, outcome) in issues.into_iter().zip(out.issues) {
            let _ = job.reply.send(outcome);
        }
        for (op, outcome) in ops.into_iter().zip(out.ops) {
            op.finish(outcome);
        }
    }
}

/// Why a batch was not committed as a whole.
struct BatchFailure {
    error: StoreError,
    /// The transaction could not even begin, so no job ran and the batch may be retried.
    before_any_job: bool,
}

/// Runs a batch in one transaction. Returns the connection if it is still usable, and
/// whether the batch failed as a whole.
async fn transact(conn: PgConnection, issues: &[&IssueInput], ops: &mut [Box<dyn Op>], out: &mut Outcomes) -> (Option<PgConnection>, Result<(), BatchFailure>) {
    let mut tx = Tx { conn, chain: AuditChain::default() };
    let result = match tx.begin().await {
        Ok(()) => match run_jobs(&mut tx, issues, ops, out).await {
            Ok(true) => tx.commit().await,
            Ok(false) => tx.rollback().await,
            Err(e) => Err(e),
        }
        .map_err(|error| BatchFailure { error, before_any_job: false }),
        Err(error) => Err(BatchFailure { error, before_any_job: true }),
    };
    match result {
        Ok(()) => (Some(tx.conn), Ok(())),
        Err(failure) => match tx.rollback().await {
            Ok(()) => (Some(tx.conn), Err(failure)),
            Err(broken) => {
                tracing::warn!(error = %broken, "the writer's connection failed; it will reconnect");
                (None, Err(failure))
            }
        },
    }
}

/// Runs every job; `Ok(false)` when the batch's only job failed and nothing is to commit.
/// Issues go first, in bulk; if the bulk statement fails, the transaction restarts and
/// each is issued alone behind a savepoint so one bad draft cannot fail the others.
async fn run_jobs(tx: &mut Tx, issues: &[&IssueInput], ops: &mut [Box<dyn Op>], out: &mut Outcomes) -> Result<bool> {
    let single = issues.len() + ops.len() == 1;
    if !issues.is_empty() {
        match issue_many(tx, issues).await {
            Ok(records) => out.issues = records,
            Err(e) if single => {
                out.issues = vec![Err(classify(e))];
                return Ok(false);
            }
            Err(e) => {
                tracing::debug!(error = %e, "bulk issue failed; issuing one by one");
                tx.rollback().await?;
                tx.begin().await?;
                for (slot, input) in out.issues.iter_mut().zip(issues) {
                    let mark = tx.savepoint().await?;
                    let outcome =
                        issue_many(tx, &[*input]).await.and_then(|mut one| one.pop().unwrap_or(Err(StoreError::Corrupt("bulk issue returned nothing".into()))));
                    tx.settle(mark, outcome.is_ok()).await?;
                    *slot = outcome.map_err(classify);
                }
            }
        }
    }
    for (slot, op) in out.ops.iter_mut().zip(ops.iter_mut()) {
        if single {
            let outcome = op.run(tx).await;
            let ok = outcome.is_ok();
            *slot = outcome.map_err(classify);
            return Ok(ok);
        }
        let mark = tx.savepoint().await?;
        let outcome = op.run(tx).await;
        tx.settle(mark, outcome.is_ok()).await?;
        *slot = outcome.map_err(classify);
    }
    Ok(true)
}

/// After a batch failed as a whole: every job that had succeeded, or never ran, learns
/// that nothing was committed; jobs that failed on their own keep their own error.
fn fail_unsettled<T>(outcomes: &mut [Result<T>], cause: &StoreError) {
    for outcome in outcomes {
        if matches!(outcome, Ok(_) | Err(StoreError::WriterGone)) {
            *outcome = Err(StoreError::Postgres(sqlx::Error::Protocol(format!("the write was not committed: {cause}"))));
        }
    }
}
