//! The embedded SQLite backend: one database file in WAL mode. Every write goes through
//! the group committer in [`writer`] (one thread, one connection, batched transactions
//! acknowledged after a durable commit); reads go to a small pool of read-only
//! connections. The SQL of each area lives in its own module.

mod audit_log;
mod banks;
mod cases;
mod challans;
mod connection;
mod devices;
mod flags;
mod insight;
mod ledger;
mod messages;
mod migrate;
mod offender_keys;
mod payments;
mod reference;
mod rows;
mod seals;
mod search;
mod sync_ops;
mod treasury;
mod users;
mod writer;

use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;
use jiff::{SignedDuration, Timestamp};
use mahasil_domain::authz::{Principal, Scope};
use mahasil_domain::challan::{ChallanDraft, ReliefKind};
use mahasil_domain::challan_no::{ChallanNo, IssuerNo};
use mahasil_domain::head::{FeeSchedule, HeadCode, RevenueHead};
use mahasil_domain::jurisdiction::{Department, Jurisdiction, Slug};
use rusqlite::{Connection, Transaction};
use uuid::Uuid;

pub use audit_log::MAX_AUDIT_PAGE;
pub use challans::FIRST_NODE_ISSUER;
pub use connection::READ_POOL_SIZE;
pub use writer::{MAX_BATCH, WRITE_QUEUE_BOUND};

use crate::Storage;
use crate::devices::{DeviceFlag, DeviceOp, DeviceRecord, DeviceSummary, NewDevice, OpResult};
use crate::error::{Result, StoreError};
use crate::messages::{ClaimedMessage, MessageOutcome, MessageRecord, QueueStats, StoredTemplate};
use crate::payments::{NewPayment, PaymentOutcome, PaymentRecord, PaymentReversal, ReceiptSigner, ReversalOutcome};
use crate::records::*;
use crate::treasury::{CounterDecision, CounterPayment, DepositRow, ImportOutcome, OnlinePayment, StatementImport, StatementRecord};
use connection::ReadPool;
use writer::WriteQueue;

/// The SQLite store. Cheap to share behind an `Arc`; the writer thread stops when the
/// store is dropped.
pub struct SqliteStore {
    writes: WriteQueue,
    reads: Arc<ReadPool>,
}

impl SqliteStore {
    /// Opens (creating if needed) the database file at `path` and its parent directory,
    /// applies pending migrations, and starts the writer.
    pub async fn open(path: &Path) -> Result<Self> {
        let path = path.to_path_buf();
        tokio::task::spawn_blocking(move || {
            if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent)?;
            }
            let mut conn = connection::open_writer(&path)?;
            migrate::migrate(&mut conn)?;
            offender_keys::attach_for_writing(&conn, &path)?;
            let reads = ReadPool::open(&path)?;
            let (writes, jobs) = WriteQueue::new();
            writer::spawn_writer(conn, jobs)?;
            Ok(Self { writes, reads })
        })
        .await
        .map_err(|e| StoreError::Io(std::io::Error::other(format!("opening the database failed: {e}"))))?
    }

    /// Runs `work` in the writer's next batch; constraint failures become `Conflict`.
    async fn write<T, F>(&self, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> Result<T> + Send + 'static,
    {
        self.writes.write(move |tx| work(tx).map_err(rows::name_constraint)).await
    }

    /// Queues `work` like [`Self::write`] without waiting for its answer.
    async fn queue_write<T, F>(&self, work: F) -> Result<writer::Queued<T>>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> Result<T> + Send + 'static,
    {
        self.writes.queue(move |tx| work(tx).map_err(rows::name_constraint)).await
    }

    async fn read<T, F>(&self, read: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
    {
        self.reads.read(read).await
    }

    /// Like [`Self::read`], for reads of several statements that must see one snapshot.
    async fn read_snapshot<T, F>(&self, read: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
    {
        self.reads
            .read(move |conn| {
                let snapshot = conn.unchecked_transaction()?;
                let out = read(&snapshot)?;
                snapshot.commit()?;
                Ok(out)
            })
            .await
    }
}

#[async_trait]
impl Storage for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn ping(&self) -> Result<()> {
        self.read(|conn| Ok(conn.prepare_cached("SELECT 1")?.query_row([], |_| Ok(()))?)).await
    }

    async fn migrations(&self) -> Result<Vec<String>> {
        self.read(migrate::applied_names).await
    }

    // ----- reference data -----

    async fn put_jurisdiction(&self, j: &Jurisdiction, actor: &Actor, at: Timestamp) -> Result<()> {
        let (j, actor) = (j.clone(), actor.clone());
        self.write(move |tx| reference::put_jurisdiction(tx, &j, &actor, at)).await
    }

    async fn jurisdictions(&self) -> Result<Vec<Jurisdiction>> {
        self.read(reference::jurisdictions).await
    }

    async fn jurisdiction(&self, slug: &Slug) -> Result<Option<Jurisdiction>> {
        let slug = slug.clone();
        self.read(move |conn| reference::jurisdiction(conn, &slug)).await
    }

    async fn put_department(&self, d: &Department, actor: &Actor, at: Timestamp) -> Result<()> {
        let (d, actor) = (d.clone(), actor.clone());
        self.write(move |tx| reference::put_department(tx, &d, &actor, at)).await
    }

    async fn departments(&self) -> Result<Vec<Department>> {
        self.read(reference::departments).await
    }

    async fn create_head(&self, head: &RevenueHead, schedule: &FeeSchedule, actor: &Actor, at: Timestamp) -> Result<()> {
        let (head, schedule, actor) = (head.clone(), schedule.clone(), actor.clone());
        self.write(move |tx| reference::create_head(tx, &head, &schedule, &actor, at)).await
    }

    async fn update_head(&self, head: &RevenueHead, actor: &Actor, at: Timestamp) -> Result<()> {
        let (head, actor) = (head.clone(), actor.clone());
        self.write(move |tx| reference::update_head(tx, &head, &actor, at)).await
    }

    async fn add_fee_schedule(&self, schedule: &FeeSchedule, actor: &Actor, at: Timestamp) -> Result<()> {
        let (schedule, actor) = (schedule.clone(), actor.clone());
        self.write(move |tx| reference::add_fee_schedule(tx, &schedule, &actor, at)).await
    }

    async fn heads(&self) -> Result<Vec<RevenueHead>> {
        self.read(reference::heads).await
    }

    async fn head(&self, code: &HeadCode) -> Result<Option<HeadWithSchedules>> {
        let code = code.clone();
        self.read_snapshot(move |conn| reference::head(conn, &code)).await
    }

    // ----- staff users and sessions -----

    async fn create_user(&self, user: &NewUser, actor: &Actor, at: Timestamp) -> Result<()> {
        let (user, actor) = (user.clone(), actor.clone());
        self.write(move |tx| users::create_user(tx, &user, &actor, at)).await
    }

    async fn update_user(&self, update: &UserUpdate, actor: &Actor, at: Timestamp) -> Result<()> {
        let (update, actor) = (update.clone(), actor.clone());
        self.write(move |tx| users::update_user(tx, &update, &actor, at)).await
    }

    async fn set_password(&self, user_id: Uuid, password_hash: &str, actor: &Actor, at: Timestamp) -> Result<()> {
        let (hash, actor) = (password_hash.to_string(), actor.clone());
        self.write(move |tx| users::set_password(tx, user_id, &hash, &actor, at)).await
    }

    async fn user_by_username(&self, username: &str) -> Result<Option<UserRecord>> {
        let username = username.to_string();
        self.read_snapshot(move |conn| users::user_by_username(conn, &username)).await
    }

    async fn user(&self, id: Uuid) -> Result<Option<UserRecord>> {
        self.read_snapshot(move |conn| users::user(conn, id)).await
    }

    async fn users(&self) -> Result<Vec<UserRecord>> {
        self.read_snapshot(users::users).await
    }

    async fn create_session(&self, session: &NewSession, at: Timestamp) -> Result<()> {
        let session = session.clone();
        self.write(move |tx| users::create_session(tx, &session, at)).await
    }

    async fn session(&self, token_sha256: &[u8; 32], now: Timestamp) -> Result<Option<(SessionRecord, UserRecord)>> {
        let token = *token_sha256;
        self.read_snapshot(move |conn| users::session(conn, &token, now)).await
    }

    async fn delete_session(&self, token_sha256: &[u8; 32], at: Timestamp) -> Result<()> {
        let token = *token_sha256;
        self.write(move |tx| users::delete_session(tx, &token, at)).await
    }

    // ----- issuers -----

    async fn node_issuer(&self, node_name: &str, at: Timestamp) -> Result<IssuerNo> {
        let name = node_name.to_string();
        let lookup = name.clone();
        // Known after the first call: answered by a read, without joining a write batch.
        if let Some(known) = self.read(move |conn| challans::node_issuer_lookup(conn, &lookup)).await? {
            return Ok(known);
        }
        self.write(move |tx| challans::node_issuer(tx, &name, at)).await
    }

    async fn issuer_counter(&self, issuer: IssuerNo) -> Result<u32> {
        self.read(move |conn| challans::issuer_counter(conn, issuer)).await
    }

    // ----- field devices and sync -----

    async fn enrol_device(&self, d: &NewDevice, actor: &Actor, at: Timestamp) -> Result<DeviceRecord> {
        let (d, actor) = (d.clone(), actor.clone());
        self.write(move |tx| devices::enrol(tx, &d, &actor, at)).await
    }

    async fn device(&self, id: Uuid) -> Result<Option<DeviceRecord>> {
        self.read(move |conn| devices::device(conn, id)).await
    }

    async fn devices(&self) -> Result<Vec<DeviceSummary>> {
        self.read(devices::devices).await
    }

    async fn revoke_device(&self, id: Uuid, compromised_from: Timestamp, reason: &str, actor: &Actor, at: Timestamp) -> Result<DeviceRecord> {
        let (reason, actor) = (reason.to_string(), actor.clone());
        self.write(move |tx| devices::revoke(tx, id, compromised_from, &reason, &actor, at)).await
    }

    async fn claim_sync_nonce(&self, device_id: Uuid, nonce: &str, at: Timestamp) -> Result<bool> {
        let nonce = nonce.to_string();
        self.write(move |tx| devices::claim_nonce(tx, device_id, &nonce, at)).await
    }

    async fn record_device_sync(&self, device_id: Uuid, at: Timestamp) -> Result<()> {
        self.write(move |tx| devices::record_sync(tx, device_id, at)).await
    }

    async fn apply_device_op(&self, op: &DeviceOp, actor: &Actor, at: Timestamp) -> Result<OpResult> {
        let (op, actor) = (op.clone(), actor.clone());
        self.write(move |tx| sync_ops::apply(tx, &op, &actor, at)).await
    }

    async fn apply_device_ops(&self, ops: Vec<DeviceOp>, actor: &Actor, at: Timestamp) -> Result<Vec<Result<OpResult>>> {
        crate::devices::check_push_size(ops.len())?;
        let mut queued = Vec::with_capacity(ops.len());
        for op in ops {
            let actor = actor.clone();
            queued.push(self.queue_write(move |tx| sync_ops::apply(tx, &op, &actor, at)).await?);
        }
        let mut answers = Vec::with_capacity(queued.len());
        for q in queued {
            answers.push(q.answer().await);
        }
        Ok(answers)
    }

    async fn device_gaps(&self, device_id: Uuid, limit: u32) -> Result<Vec<(u32, u32)>> {
        self.read_snapshot(move |conn| devices::gaps(conn, device_id, limit)).await
    }

    async fn device_flags(&self, device_id: Uuid, limit: u32) -> Result<Vec<DeviceFlag>> {
        self.read(move |conn| devices::flags(conn, device_id, limit)).await
    }

    // ----- challans -----

    async fn issue_challan(&self, draft: &ChallanDraft, issuer: IssuerNo, actor: &Actor, received_at: Timestamp, sealer: &Sealer) -> Result<ChallanRecord> {
        let (draft, actor, sealer) = (draft.clone(), actor.clone(), sealer.clone());
        self.write(move |tx| challans::issue(tx, &draft, issuer, &actor, received_at, &sealer)).await
    }

    async fn challan_by_no(&self, no: ChallanNo) -> Result<Option<ChallanRecord>> {
        self.read(move |conn| challans::challan_by_no(conn, no)).await
    }

    async fn challan(&self, id: Uuid) -> Result<Option<ChallanRecord>> {
        self.read(move |conn| challans::challan(conn, id)).await
    }

    async fn challan_events(&self, challan_id: Uuid) -> Result<Vec<ChallanEvent>> {
        self.read(move |conn| challans::events(conn, challan_id)).await
    }

    async fn search_challans(&self, query: &ChallanQuery) -> Result<ChallanPage> {
        let query = query.clone();
        self.read(move |conn| search::search(conn, &query)).await
    }

    async fn count_challans(&self) -> Result<u64> {
        self.read(challans::count).await
    }

    // ----- cancellation (maker-checker) and contests -----

    async fn request_relief(
        &self,
        challan_no: ChallanNo,
        kind: ReliefKind,
        reason: &str,
        requester: &Principal,
        request_id: Uuid,
        at: Timestamp,
    ) -> Result<CancellationRequest> {
        let (reason, requester) = (reason.to_string(), requester.clone());
        self.write(move |tx| cases::request_relief(tx, challan_no, kind, &reason, &requester, request_id, at)).await
    }

    async fn decide_cancellation(&self, request_id: Uuid, approve: bool, note: &str, decider: &Principal, at: Timestamp) -> Result<CancellationRequest> {
        let (note, decider) = (note.to_string(), decider.clone());
        self.write(move |tx| cases::decide_cancellation(tx, request_id, approve, &note, &decider, at)).await
    }

    async fn cancellation_request(&self, request_id: Uuid) -> Result<Option<CancellationRequest>> {
        self.read(move |conn| cases::cancellation_request(conn, request_id)).await
    }

    async fn pending_cancellations(&self, scope: &Scope, limit: u32) -> Result<Vec<CancellationRequest>> {
        let scope = scope.clone();
        self.read(move |conn| cases::pending_cancellations(conn, &scope, limit)).await
    }

    async fn challan_cancellations(&self, challan_id: Uuid) -> Result<Vec<CancellationRequest>> {
        self.read(move |conn| cases::challan_cancellations(conn, challan_id)).await
    }

    async fn record_contest(&self, challan_no: ChallanNo, grounds: &str, recorder: &Principal, contest_id: Uuid, at: Timestamp) -> Result<Contest> {
        let (grounds, recorder) = (grounds.to_string(), recorder.clone());
        self.write(move |tx| cases::record_contest(tx, challan_no, &grounds, &recorder, contest_id, at)).await
    }

    async fn decide_contest(&self, contest_id: Uuid, uphold: bool, note: &str, decider: &Principal, at: Timestamp) -> Result<Contest> {
        let (note, decider) = (note.to_string(), decider.clone());
        self.write(move |tx| cases::decide_contest(tx, contest_id, uphold, &note, &decider, at)).await
    }

    async fn contest(&self, contest_id: Uuid) -> Result<Option<Contest>> {
        self.read(move |conn| cases::contest(conn, contest_id)).await
    }

    async fn open_contests(&self, scope: &Scope, limit: u32) -> Result<Vec<Contest>> {
        let scope = scope.clone();
        self.read(move |conn| cases::open_contests(conn, &scope, limit)).await
    }

    async fn challan_contests(&self, challan_id: Uuid) -> Result<Vec<Contest>> {
        self.read(move |conn| cases::challan_contests(conn, challan_id)).await
    }

    // ----- trust list and revocations -----

    async fn latest_trust_list(&self) -> Result<Option<TrustListRecord>> {
        self.read(seals::latest_trust_list).await
    }

    async fn put_trust_list(&self, list: &TrustListRecord, actor: &Actor) -> Result<()> {
        let (list, actor) = (list.clone(), actor.clone());
        self.write(move |tx| seals::put_trust_list(tx, &list, &actor)).await
    }

    async fn revocations(&self, after_seq: i64, limit: u32) -> Result<Vec<Revocation>> {
        self.read(move |conn| seals::revocations(conn, after_seq, limit)).await
    }

    async fn last_revocation_seq(&self) -> Result<i64> {
        self.read(seals::last_revocation_seq).await
    }

    // ----- banks -----

    async fn create_bank(&self, bank: &BankRecord, actor: &Actor) -> Result<()> {
        let (bank, actor) = (bank.clone(), actor.clone());
        self.write(move |tx| banks::create(tx, &bank, &actor)).await
    }

    async fn update_bank(&self, bank: &BankRecord, actor: &Actor, at: Timestamp) -> Result<()> {
        let (bank, actor) = (bank.clone(), actor.clone());
        self.write(move |tx| banks::update(tx, &bank, &actor, at)).await
    }

    async fn bank(&self, mnemonic: &Slug) -> Result<Option<BankRecord>> {
        let mnemonic = mnemonic.clone();
        self.read(move |conn| banks::one(conn, &mnemonic)).await
    }

    async fn banks(&self) -> Result<Vec<BankRecord>> {
        self.read(banks::all).await
    }

    // ----- ledger -----

    async fn transfers(&self, after_seq: i64, limit: u32) -> Result<Vec<crate::ledger::StoredTransfer>> {
        self.read(move |conn| ledger::page(conn, after_seq, limit)).await
    }

    async fn challan_transfers(&self, challan_no: ChallanNo) -> Result<Vec<mahasil_ledger::Transfer>> {
        self.read(move |conn| ledger::of_challan(conn, challan_no)).await
    }

    // ----- payments -----

    async fn record_payment(&self, payment: &NewPayment, issuer: IssuerNo, actor: &Actor, at: Timestamp, signer: &ReceiptSigner) -> Result<PaymentOutcome> {
        let (payment, actor, signer) = (payment.clone(), actor.clone(), signer.clone());
        self.write(move |tx| payments::record(tx, &payment, issuer, &actor, at, &signer)).await
    }

    async fn reverse_payment(&self, reversal: &PaymentReversal, actor: &Actor, at: Timestamp) -> Result<ReversalOutcome> {
        let (reversal, actor) = (reversal.clone(), actor.clone());
        self.write(move |tx| payments::reverse(tx, &reversal, &actor, at)).await
    }

    async fn payment_by_receipt(&self, receipt_no: ChallanNo) -> Result<Option<PaymentRecord>> {
        self.read(move |conn| payments::by_receipt(conn, receipt_no)).await
    }

    async fn payment(&self, id: Uuid) -> Result<Option<PaymentRecord>> {
        self.read(move |conn| payments::by_id(conn, id)).await
    }

    async fn challan_payments(&self, challan_id: Uuid) -> Result<Vec<PaymentRecord>> {
        self.read(move |conn| payments::of_challan(conn, challan_id)).await
    }

    // ----- online payments -----

    async fn create_online_payment(&self, payment: &OnlinePayment, actor: &Actor) -> Result<()> {
        let (payment, actor) = (payment.clone(), actor.clone());
        self.write(move |tx| treasury::create_online(tx, &payment, &actor)).await
    }

    async fn online_payment(&self, id: Uuid) -> Result<Option<OnlinePayment>> {
        self.read(move |conn| treasury::online(conn, id)).await
    }

    async fn update_online_payment(&self, payment: &OnlinePayment, actor: &Actor) -> Result<()> {
        let (payment, actor) = (payment.clone(), actor.clone());
        self.write(move |tx| treasury::update_online(tx, &payment, &actor)).await
    }

    async fn pending_online_payments(&self, now: Timestamp, limit: u32) -> Result<Vec<OnlinePayment>> {
        self.read(move |conn| treasury::pending_online(conn, now, limit)).await
    }

    async fn challan_online_payments(&self, challan_id: Uuid) -> Result<Vec<OnlinePayment>> {
        self.read(move |conn| treasury::challan_online(conn, challan_id)).await
    }

    // ----- citizens -----

    async fn record_public_contest(&self, challan_no: ChallanNo, grounds: &str, contest_id: Uuid, at: Timestamp) -> Result<Contest> {
        let (grounds, portal) = (grounds.to_string(), crate::treasury::citizen_portal()?);
        self.write(move |tx| cases::record_contest(tx, challan_no, &grounds, &portal, contest_id, at)).await
    }

    // ----- counter payments -----

    async fn request_counter_payment(&self, request: &CounterPayment, actor: &Actor) -> Result<()> {
        let (request, actor) = (request.clone(), actor.clone());
        self.write(move |tx| treasury::request_counter(tx, &request, &actor)).await
    }

    async fn decide_counter_payment(
        &self,
        decision: &CounterDecision,
        decider: &Actor,
        issuer: IssuerNo,
        at: Timestamp,
        signer: &ReceiptSigner,
    ) -> Result<CounterPayment> {
        let (decision, decider, signer) = (decision.clone(), decider.clone(), signer.clone());
        self.write(move |tx| treasury::decide_counter(tx, &decision, &decider, issuer, at, &signer)).await
    }

    async fn counter_payment(&self, id: Uuid) -> Result<Option<CounterPayment>> {
        self.read(move |conn| treasury::counter(conn, id)).await
    }

    async fn pending_counter_payments(&self, districts: Option<Vec<Slug>>, limit: u32) -> Result<Vec<CounterPayment>> {
        self.read(move |conn| treasury::pending_counters(conn, districts.as_deref(), limit)).await
    }

    // ----- treasury -----

    async fn undeposited_payments(&self, up_to: jiff::civil::Date) -> Result<Vec<crate::Undeposited>> {
        self.read(move |conn| treasury::undeposited(conn, up_to)).await
    }

    async fn deposited_receipts(&self, since: jiff::civil::Date) -> Result<Vec<ChallanNo>> {
        self.read(move |conn| treasury::deposited_receipts(conn, since)).await
    }

    async fn import_statement(&self, import: &StatementImport, actor: &Actor, at: Timestamp) -> Result<ImportOutcome> {
        let (import, actor) = (import.clone(), actor.clone());
        self.write(move |tx| treasury::import(tx, &import, &actor, at)).await
    }

    async fn statements(&self, limit: u32) -> Result<Vec<StatementRecord>> {
        self.read(move |conn| treasury::statements(conn, limit)).await
    }

    async fn statement(&self, sha256: [u8; 32]) -> Result<Option<StatementRecord>> {
        self.read(move |conn| treasury::statement(conn, sha256)).await
    }

    async fn deposit_rows(&self, from: jiff::civil::Date, to: jiff::civil::Date) -> Result<Vec<DepositRow>> {
        self.read(move |conn| treasury::deposit_rows(conn, from, to)).await
    }

    // ----- notifications -----

    async fn claim_messages(&self, now: Timestamp, lease: SignedDuration, limit: u32) -> Result<Vec<ClaimedMessage>> {
        self.write(move |tx| messages::claim(tx, now, lease, limit)).await
    }

    async fn record_message_outcome(&self, id: i64, outcome: &MessageOutcome, at: Timestamp) -> Result<()> {
        let outcome = outcome.clone();
        self.write(move |tx| messages::record_outcome(tx, id, &outcome, at)).await
    }

    async fn record_delivery_report(&self, provider_id: &str, delivered: bool, detail: &str, at: Timestamp) -> Result<Option<i64>> {
        let (provider_id, detail) = (provider_id.to_string(), detail.to_string());
        self.write(move |tx| messages::delivery_report(tx, &provider_id, delivered, &detail, at)).await
    }

    async fn challan_messages(&self, challan_id: Uuid) -> Result<Vec<MessageRecord>> {
        self.read_snapshot(move |conn| messages::challan_messages(conn, challan_id)).await
    }

    async fn failed_messages(&self, scope: &Scope, limit: u32) -> Result<Vec<MessageRecord>> {
        let scope = scope.clone();
        self.read_snapshot(move |conn| messages::failed(conn, &scope, limit)).await
    }

    async fn retry_message(&self, id: i64, scope: &Scope, actor: &Actor, at: Timestamp) -> Result<MessageRecord> {
        let (scope, actor) = (scope.clone(), actor.clone());
        self.write(move |tx| messages::retry(tx, id, &scope, &actor, at)).await
    }

    async fn insight_grouped(
        &self,
        filter: &crate::insight::InsightFilter,
        window: crate::insight::Window,
        over_time: bool,
        by: Option<crate::insight::Dimension>,
    ) -> Result<crate::insight::Answer> {
        let q = crate::insight::grouped(crate::insight::Dialect::Sqlite, filter, window, over_time, by);
        self.read(move |conn| insight::grouped(conn, q)).await
    }

    async fn insight_officers(
        &self,
        filter: &crate::insight::InsightFilter,
        window: crate::insight::OfficerWindow,
        limit: usize,
    ) -> Result<Vec<crate::insight::OfficerRow>> {
        let q = crate::insight::officers(crate::insight::Dialect::Sqlite, filter, window, limit);
        self.read(move |conn| insight::officers(conn, q)).await
    }

    async fn insight_rebuild(&self) -> Result<crate::insight::RebuildReport> {
        self.write(insight::rebuild).await
    }

    async fn insight_check(&self) -> Result<crate::insight::CheckReport> {
        self.read_snapshot(insight::check).await
    }

    // ----- anomaly flags and bank inquiries -----

    async fn record_bill_inquiry(&self, challan_no: ChallanNo, bank: &Slug, at: Timestamp) -> Result<()> {
        let bank = bank.clone();
        self.write(move |tx| flags::record_inquiry(tx, challan_no, &bank, at)).await
    }

    async fn bill_inquiries(&self, challan_nos: &[ChallanNo]) -> Result<Vec<(ChallanNo, String, Timestamp)>> {
        crate::flags::check_inquiry_count(challan_nos)?;
        let challan_nos = challan_nos.to_vec();
        self.read(move |conn| flags::inquiries(conn, &challan_nos)).await
    }

    async fn relief_requests_since(&self, since: Timestamp, limit: u32) -> Result<Vec<crate::flags::ReliefRequestFacts>> {
        self.read(move |conn| flags::relief_requests_since(conn, since, limit)).await
    }

    async fn recent_challan_facts(&self, since: Timestamp, limit: u32) -> Result<Vec<crate::flags::ChallanFacts>> {
        self.read(move |conn| flags::recent_challans(conn, since, limit)).await
    }

    async fn put_flags(&self, new: &[crate::flags::NewFlag], at: Timestamp) -> Result<u32> {
        // Checked here, so the writer only writes.
        let json = crate::flags::checked_batch(new)?;
        let new = new.to_vec();
        self.write(move |tx| flags::put(tx, &new, &json, at)).await
    }

    async fn flags(&self, scope: &Scope, state: Option<crate::flags::FlagState>, limit: u32) -> Result<Vec<crate::flags::FlagRecord>> {
        let scope = scope.clone();
        self.read(move |conn| flags::list(conn, &scope, state, limit)).await
    }

    async fn flag(&self, id: Uuid) -> Result<Option<crate::flags::FlagRecord>> {
        self.read(move |conn| flags::flag(conn, id)).await
    }

    async fn count_open_flags(&self, scope: &Scope) -> Result<u64> {
        let scope = scope.clone();
        self.read(move |conn| flags::count_open(conn, &scope)).await
    }

    async fn decide_flag(&self, id: Uuid, acknowledge: bool, reason: &str, decider: &Actor, scope: &Scope, at: Timestamp) -> Result<crate::flags::FlagRecord> {
        let (reason, decider, scope) = (reason.to_owned(), decider.clone(), scope.clone());
        self.write(move |tx| flags::decide(tx, id, acknowledge, &reason, &decider, &scope, at)).await
    }

    async fn message_queue(&self, now: Timestamp) -> Result<QueueStats> {
        self.read(move |conn| messages::queue(conn, now)).await
    }

    async fn enqueue_scheduled(&self, now: Timestamp, remind_before_days: u32) -> Result<u32> {
        self.write(move |tx| messages::enqueue_scheduled(tx, now, remind_before_days)).await
    }

    async fn message_templates(&self) -> Result<Vec<StoredTemplate>> {
        self.read(messages::templates).await
    }

    async fn put_message_template(&self, t: &StoredTemplate, actor: &Actor, at: Timestamp) -> Result<()> {
        let (t, actor) = (t.clone(), actor.clone());
        self.write(move |tx| messages::put_template(tx, &t, &actor, at)).await
    }

    async fn set_webhook_receiver(&self, url: Option<&str>, at: Timestamp) -> Result<Option<String>> {
        let url = url.map(str::to_owned);
        self.write(move |tx| messages::set_webhook(tx, url.as_deref(), at)).await
    }

    // ----- audit -----

    async fn audit_entries(&self, after_seq: i64, limit: u32) -> Result<Vec<AuditEntry>> {
        self.read(move |conn| audit_log::entries(conn, after_seq, limit)).await
    }

    async fn verify_audit(&self) -> Result<AuditVerification> {
        audit_log::verify(&self.reads).await
    }
}
