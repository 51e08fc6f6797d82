//! Storage of mahasil: the [`Storage`] trait every backend implements, the records it
//! reads and writes, and two backends: embedded SQLite ([`sqlite::SqliteStore`], the
//! default, zero set-up) and PostgreSQL ([`postgres::PgStore`], for many app nodes).
//!
//! Writes go through a group committer in each backend: concurrent writes are gathered
//! into one database transaction and acknowledged only after that transaction commits
//! durably, so many small writes share one fsync. Every state change appends an entry to
//! the hash-chained audit log in the same transaction as the change itself; the outbox's
//! own bookkeeping (claims, send outcomes, delivery reports, scheduled messages) is kept in
//! each message's history instead (see [`messages`]).

pub mod audit;
pub mod devices;
pub mod error;
pub mod flags;
pub mod insight;
pub mod ledger;
pub mod messages;
pub mod payments;
pub mod postgres;
pub mod records;
pub mod sqlite;
pub mod testing;
pub mod treasury;

use std::sync::Arc;

use async_trait::async_trait;
use jiff::{SignedDuration, Timestamp};
use mahasil_domain::authz::{Principal, Scope};
use mahasil_domain::challan::{ChallanDraft, ReliefKind};
use mahasil_domain::challan_no::{ChallanNo, IssuerNo};
use mahasil_domain::head::{FeeSchedule, HeadCode, RevenueHead};
use mahasil_domain::jurisdiction::{Department, Jurisdiction, Slug};
use uuid::Uuid;

pub use devices::{DeviceFlag, DeviceOp, DeviceRecord, DeviceStatus, DeviceSummary, FlagKind, NewDevice, OpResult, OpStatus, OpVerdict};
pub use error::{Result, StoreError};
pub use flags::{ChallanFacts, FlagRecord, FlagState, NewFlag, ReliefRequestFacts};
pub use messages::{CausingEvent, ClaimedMessage, MessageHistoryEntry, MessageOutcome, MessageRecord, MessageStatus, QueueStats, StoredTemplate};
pub use payments::{NewPayment, PaymentOutcome, PaymentRecord, PaymentReversal, ReceiptSealer, ReceiptSigner, ReversalOutcome};
pub use records::*;
pub use treasury::{
    CounterDecision, CounterPayment, CounterStatus, DepositRow, ImportOutcome, OnlinePayment, OnlineStatus, StatementImport, StatementRecord, Undeposited,
};

/// A shared handle on whichever backend is configured.
pub type Store = Arc<dyn Storage>;

/// Opens the backend named by `database_url`: `sqlite://PATH` (a file) or
/// `postgres://...`. Migrations are applied before it returns.
pub async fn open(database_url: &str) -> Result<Store> {
    if database_url.starts_with("postgres://") || database_url.starts_with("postgresql://") {
        Ok(Arc::new(postgres::PgStore::connect(database_url).await?))
    } else if let Some(path) = database_url.strip_prefix("sqlite://") {
        Ok(Arc::new(sqlite::SqliteStore::open(std::path::Path::new(path)).await?))
    } else {
        Err(StoreError::Config(format!("database URL must start with sqlite:// or postgres://, got {}", redact_url(database_url))))
    }
}

/// A database URL with any password replaced, safe to log.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{}://{}:***@{}", &url[..scheme_end], user, &url[at + 1..])
        }
        _ => url.to_string(),
    }
}

/// Every storage operation. Both backends pass the same conformance suite
/// (`tests/conformance.rs`). Every write takes the acting user and the time, both recorded
/// in the audit entry it appends in the same transaction.
#[async_trait]
pub trait Storage: Send + Sync + 'static {
    /// Which backend this is: `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;

    /// Cheap round trip to the database, for readiness checks.
    async fn ping(&self) -> Result<()>;

    /// Applied migrations, oldest first (name only).
    async fn migrations(&self) -> Result<Vec<String>>;

    // ----- reference data -----

    /// Inserts or updates a jurisdiction; its parent must exist at the level above.
    async fn put_jurisdiction(&self, j: &Jurisdiction, actor: &Actor, at: Timestamp) -> Result<()>;
    async fn jurisdictions(&self) -> Result<Vec<Jurisdiction>>;
    async fn jurisdiction(&self, slug: &Slug) -> Result<Option<Jurisdiction>>;

    async fn put_department(&self, d: &Department, actor: &Actor, at: Timestamp) -> Result<()>;
    async fn departments(&self) -> Result<Vec<Department>>;

    /// Creates a head with its first fee schedule (version 1). A taken code is `Conflict`.
    async fn create_head(&self, head: &RevenueHead, schedule: &FeeSchedule, actor: &Actor, at: Timestamp) -> Result<()>;
    /// Updates a head's titles, legal basis, account code and active flag (code, kind and
    /// department never change). Unknown code is `NotFound`.
    async fn update_head(&self, head: &RevenueHead, actor: &Actor, at: Timestamp) -> Result<()>;
    /// Adds the next schedule version; `schedule.version` must be the highest + 1
    /// (`Conflict` otherwise). Schedules are never changed once stored.
    async fn add_fee_schedule(&self, schedule: &FeeSchedule, actor: &Actor, at: Timestamp) -> Result<()>;
    async fn heads(&self) -> Result<Vec<RevenueHead>>;
    /// A head with all its schedules, oldest version first.
    async fn head(&self, code: &HeadCode) -> Result<Option<HeadWithSchedules>>;

    // ----- staff users and sessions -----

    /// Creates a user; a taken username is `Conflict`.
    async fn create_user(&self, user: &NewUser, actor: &Actor, at: Timestamp) -> Result<()>;
    /// Replaces display name, grants and active flag. Unknown id is `NotFound`.
    async fn update_user(&self, update: &UserUpdate, actor: &Actor, at: Timestamp) -> Result<()>;
    async fn set_password(&self, user_id: Uuid, password_hash: &str, actor: &Actor, at: Timestamp) -> Result<()>;
    async fn user_by_username(&self, username: &str) -> Result<Option<UserRecord>>;
    async fn user(&self, id: Uuid) -> Result<Option<UserRecord>>;
    async fn users(&self) -> Result<Vec<UserRecord>>;

    /// Stores a new session (only the SHA-256 of its token). Audited as a sign-in.
    async fn create_session(&self, session: &NewSession, at: Timestamp) -> Result<()>;
    /// The live session and its user for a token hash: unexpired at `now`, user active.
    async fn session(&self, token_sha256: &[u8; 32], now: Timestamp) -> Result<Option<(SessionRecord, UserRecord)>>;
    /// Ends a session (sign-out). Unknown token is not an error.
    async fn delete_session(&self, token_sha256: &[u8; 32], at: Timestamp) -> Result<()>;

    // ----- issuers -----

    /// The issuer number of a server node named `node_name`, allocated on first use.
    async fn node_issuer(&self, node_name: &str, at: Timestamp) -> Result<IssuerNo>;
    /// The last counter used by an issuer (0 if none).
    async fn issuer_counter(&self, issuer: IssuerNo) -> Result<u32>;

    // ----- field devices and sync (docs/SYNC.md) -----

    /// Enrols a device for an officer, in one transaction: allocates the next device issuer
    /// number (from [`devices::FIRST_DEVICE_ISSUER`]; an `issuers` row of kind `device`
    /// named `device:<id>`), stores the device as active, and audits `device.enrol`.
    /// An unknown officer is `NotFound`, an inactive one `Conflict`; a public key, kid or
    /// device id already enrolled is `Conflict` naming it; a key that is not 65 SEC1 bytes,
    /// a kid that is not the key's, or an empty label is `Domain`.
    async fn enrol_device(&self, d: &NewDevice, actor: &Actor, at: Timestamp) -> Result<DeviceRecord>;
    async fn device(&self, id: Uuid) -> Result<Option<DeviceRecord>>;
    /// Every device with its counts, newest enrolment first.
    async fn devices(&self) -> Result<Vec<DeviceSummary>>;
    /// Revokes a device: seals and ops dated from `compromised_from` on are not to be
    /// trusted. Audited as `device.revoke`. Unknown id is `NotFound`; a device already
    /// revoked is `Conflict` (a revocation is final and never rewritten).
    async fn revoke_device(&self, id: Uuid, compromised_from: Timestamp, reason: &str, actor: &Actor, at: Timestamp) -> Result<DeviceRecord>;
    /// Claims a signed request's nonce for a device: `true` the first time (it is stored),
    /// `false` if the device used it before. Forgets the device's nonces older than
    /// [`devices::NONCE_RETENTION_S`] before `at` (the request window is far shorter).
    /// Unknown device is `NotFound`.
    async fn claim_sync_nonce(&self, device_id: Uuid, nonce: &str, at: Timestamp) -> Result<bool>;
    /// Notes that a device synced at `at` (not audited: a convenience for the admin, not
    /// a change anyone relies on). Unknown device is `NotFound`.
    async fn record_device_sync(&self, device_id: Uuid, at: Timestamp) -> Result<()>;
    /// Applies one op of a push in its own transaction, exactly once:
    /// 1. an op with this `op_id` is stored: same `op_hash` repeats its answer (`Duplicate`
    ///    with its challan number, or its `Rejected` reason); another hash is `Rejected`
    ///    and flags `op_id_reused`, storing nothing else;
    /// 2. a `Rejected` verdict is stored as such, so a replay gets the same answer;
    /// 3. a challan whose number another challan holds marks the device cloned, flags it
    ///    and is rejected; a challan stored already (by another op) is rejected;
    /// 4. otherwise the challan is stored as every issue is (postings, event, audit entry
    ///    by `actor` naming the device), the issuer's and device's highest counter move up,
    ///    the op is stored as accepted with its signed payload and signature, and the
    ///    chain with its stored neighbours is checked (`chain_broken`, `clock_went_back`),
    ///    besides the flags the verdict carries.
    ///
    /// Unknown device is `NotFound`; a challan numbered under another issuer is `Conflict`.
    async fn apply_device_op(&self, op: &DeviceOp, actor: &Actor, at: Timestamp) -> Result<OpResult>;
    /// Applies the ops of one push (or a part of one) in order, each exactly as
    /// [`Storage::apply_device_op`] (its own job and savepoint, its own answer), queued
    /// together so they share the writer's commits instead of waiting for one each. The ops
    /// are moved to the writer, not copied. Answers in the same order. More than
    /// [`devices::MAX_OPS_PER_PUSH`] ops is `Domain`.
    async fn apply_device_ops(&self, ops: Vec<DeviceOp>, actor: &Actor, at: Timestamp) -> Result<Vec<Result<OpResult>>>;
    /// Missing counter ranges (inclusive) below the device's highest received counter that
    /// no op claimed, oldest first, at most `limit` (capped at [`devices::MAX_DEVICE_PAGE`]).
    /// Unknown device is `NotFound`.
    async fn device_gaps(&self, device_id: Uuid, limit: u32) -> Result<Vec<(u32, u32)>>;
    /// A device's flags, newest first, at most `limit` (capped at [`devices::MAX_DEVICE_PAGE`]).
    async fn device_flags(&self, device_id: Uuid, limit: u32) -> Result<Vec<DeviceFlag>>;

    // ----- challans -----

    /// Numbers the draft with `issuer`'s next counter and stores it, its `issued` event
    /// and its audit entry, in one transaction. Returns once durably committed.
    /// `sealer` signs the numbered challan inside that transaction; a sealer error fails
    /// the issue and stores nothing.
    async fn issue_challan(&self, draft: &ChallanDraft, issuer: IssuerNo, actor: &Actor, received_at: Timestamp, sealer: &Sealer) -> Result<ChallanRecord>;
    async fn challan_by_no(&self, no: ChallanNo) -> Result<Option<ChallanRecord>>;
    async fn challan(&self, id: Uuid) -> Result<Option<ChallanRecord>>;
    /// The challan's history, oldest first.
    async fn challan_events(&self, challan_id: Uuid) -> Result<Vec<ChallanEvent>>;
    /// Newest first, filtered by the query and its scope; keyset pagination.
    async fn search_challans(&self, query: &ChallanQuery) -> Result<ChallanPage>;
    async fn count_challans(&self) -> Result<u64>;

    // ----- cancellation (maker-checker) and contests -----

    /// An officer asks to cancel or to waive their own challan. Checked by
    /// `mahasil_domain::challan::check_cancellation_request` inside the transaction; one
    /// pending request (of either kind) per challan (`Conflict` otherwise).
    async fn request_relief(
        &self,
        challan_no: ChallanNo,
        kind: ReliefKind,
        reason: &str,
        requester: &Principal,
        request_id: Uuid,
        at: Timestamp,
    ) -> Result<CancellationRequest>;
    /// [`Storage::request_relief`] for a cancellation.
    async fn request_cancellation(
        &self,
        challan_no: ChallanNo,
        reason: &str,
        requester: &Principal,
        request_id: Uuid,
        at: Timestamp,
    ) -> Result<CancellationRequest> {
        self.request_relief(challan_no, ReliefKind::Cancel, reason, requester, request_id, at).await
    }
    /// A supervisor approves (the challan becomes cancelled, or waived) or rejects a
    /// pending request.
    /// Checked by `check_cancellation_decision` inside the transaction: the requester can
    /// never decide it, a paid challan is never cancelled, a decided request is `Conflict`.
    async fn decide_cancellation(&self, request_id: Uuid, approve: bool, note: &str, decider: &Principal, at: Timestamp) -> Result<CancellationRequest>;
    async fn cancellation_request(&self, request_id: Uuid) -> Result<Option<CancellationRequest>>;
    /// Pending requests whose challans fall within `scope`, oldest first.
    async fn pending_cancellations(&self, scope: &Scope, limit: u32) -> Result<Vec<CancellationRequest>>;
    /// Cancellation requests of one challan, oldest first.
    async fn challan_cancellations(&self, challan_id: Uuid) -> Result<Vec<CancellationRequest>>;

    /// Records a contest (appeal) with its grounds; the challan becomes contested.
    async fn record_contest(&self, challan_no: ChallanNo, grounds: &str, recorder: &Principal, contest_id: Uuid, at: Timestamp) -> Result<Contest>;
    /// A supervisor upholds (challan issued again) or quashes (cancelled) an open contest.
    async fn decide_contest(&self, contest_id: Uuid, uphold: bool, note: &str, decider: &Principal, at: Timestamp) -> Result<Contest>;
    async fn contest(&self, contest_id: Uuid) -> Result<Option<Contest>>;
    async fn open_contests(&self, scope: &Scope, limit: u32) -> Result<Vec<Contest>>;
    async fn challan_contests(&self, challan_id: Uuid) -> Result<Vec<Contest>>;

    // ----- trust list and revocations -----

    /// The newest stored trust list, if any.
    async fn latest_trust_list(&self) -> Result<Option<TrustListRecord>>;
    /// Stores the next trust list version, audited. `version` must be the newest + 1 (1
    /// when none is stored); anything else is `Conflict` (another node got there first).
    async fn put_trust_list(&self, list: &TrustListRecord, actor: &Actor) -> Result<()>;
    /// Cancellations with `seq > after_seq`, oldest first, at most `limit`
    /// (capped at [`MAX_REVOCATIONS_PAGE`]). A challan is revoked in the same transaction
    /// that cancels it.
    async fn revocations(&self, after_seq: i64, limit: u32) -> Result<Vec<Revocation>>;
    /// The highest revocation `seq` (0 when nothing is revoked).
    async fn last_revocation_seq(&self) -> Result<i64>;

    // ----- banks -----

    /// Registers a bank; a taken mnemonic is `Conflict`.
    async fn create_bank(&self, bank: &BankRecord, actor: &Actor) -> Result<()>;
    /// Replaces a bank's name, active flag and secret (its mnemonic and creation time stay).
    /// Unknown mnemonic is `NotFound`. Audited without the secret.
    async fn update_bank(&self, bank: &BankRecord, actor: &Actor, at: Timestamp) -> Result<()>;
    async fn bank(&self, mnemonic: &Slug) -> Result<Option<BankRecord>>;
    /// Every bank, by mnemonic.
    async fn banks(&self) -> Result<Vec<BankRecord>>;

    // ----- ledger -----

    /// Transfers with `seq > after_seq`, in the order they were written, at most `limit`
    /// (capped at `ledger::MAX_TRANSFERS_PAGE`).
    async fn transfers(&self, after_seq: i64, limit: u32) -> Result<Vec<ledger::StoredTransfer>>;
    /// Every transfer naming `challan_no`, in the order they were written.
    async fn challan_transfers(&self, challan_no: ChallanNo) -> Result<Vec<mahasil_ledger::Transfer>>;

    // ----- payments -----

    /// Takes a payment: claims its idempotency key, judges it against the challan and the
    /// ledger (amount due as of `paid_on`), draws the receipt number from `issuer`, seals
    /// the receipt with `signer`, posts the ledger event and marks the challan paid, all in
    /// one transaction. Only [`PaymentOutcome::Accepted`] wrote anything. Unknown challan
    /// is `NotFound`.
    async fn record_payment(&self, payment: &NewPayment, issuer: IssuerNo, actor: &Actor, at: Timestamp, signer: &ReceiptSigner) -> Result<PaymentOutcome>;
    /// Undoes a payment not yet deposited: REVERSAL of each of its transfers, the challan
    /// issued again, the payment's row marked reversed (its key stays taken).
    async fn reverse_payment(&self, reversal: &PaymentReversal, actor: &Actor, at: Timestamp) -> Result<ReversalOutcome>;
    async fn payment_by_receipt(&self, receipt_no: ChallanNo) -> Result<Option<PaymentRecord>>;
    async fn payment(&self, id: Uuid) -> Result<Option<PaymentRecord>>;
    /// Every payment of a challan, reversed ones included, oldest first.
    async fn challan_payments(&self, challan_id: Uuid) -> Result<Vec<PaymentRecord>>;

    // ----- online payments -----

    async fn create_online_payment(&self, payment: &OnlinePayment, actor: &Actor) -> Result<()>;
    async fn online_payment(&self, id: Uuid) -> Result<Option<OnlinePayment>>;
    /// Records what the gateway said: its payment id, status, failure reason, the time and
    /// the receipt once taken. Unknown id is `NotFound`.
    async fn update_online_payment(&self, payment: &OnlinePayment, actor: &Actor) -> Result<()>;
    /// Online payments still to be settled, oldest change first: pending ones, succeeded
    /// ones without a receipt yet, and failed ones changed within the last hour before
    /// `now` (a gateway may still turn those into a success).
    async fn pending_online_payments(&self, now: Timestamp, limit: u32) -> Result<Vec<OnlinePayment>>;
    async fn challan_online_payments(&self, challan_id: Uuid) -> Result<Vec<OnlinePayment>>;

    // ----- citizens -----

    /// A contest a citizen files through the public pages (they proved they hold the
    /// challan there); recorded under the citizen-portal account. The challan becomes
    /// contested; only an issued challan can be contested.
    async fn record_public_contest(&self, challan_no: ChallanNo, grounds: &str, contest_id: Uuid, at: Timestamp) -> Result<Contest>;

    // ----- counter payments (maker-checker) -----

    /// A treasury user enters money taken at a counter; it waits for a second one.
    /// Unknown challan is `NotFound`.
    async fn request_counter_payment(&self, request: &CounterPayment, actor: &Actor) -> Result<()>;
    /// A second treasury user approves (the payment is taken, with its receipt, in the same
    /// transaction; a refusal of the payment refuses the approval) or rejects it. The user
    /// who entered it never decides it; a decided request is `Conflict`.
    async fn decide_counter_payment(
        &self,
        decision: &CounterDecision,
        decider: &Actor,
        issuer: IssuerNo,
        at: Timestamp,
        signer: &ReceiptSigner,
    ) -> Result<CounterPayment>;
    async fn counter_payment(&self, id: Uuid) -> Result<Option<CounterPayment>>;
    /// Pending counter payments in `districts` (every district when `None`), oldest first.
    async fn pending_counter_payments(&self, districts: Option<Vec<Slug>>, limit: u32) -> Result<Vec<CounterPayment>>;

    // ----- treasury -----

    /// Standing payments not yet deposited, paid on or before `up_to`, oldest first, each
    /// with its challan's head and district (one query, however many there are).
    async fn undeposited_payments(&self, up_to: jiff::civil::Date) -> Result<Vec<Undeposited>>;
    /// Receipt numbers of payments already deposited that were paid on or after `since`.
    async fn deposited_receipts(&self, since: jiff::civil::Date) -> Result<Vec<ChallanNo>>;
    /// Imports a reconciled statement in one transaction: the matched payments become
    /// deposited (DEPOSITED transfers), the unidentified credits go to suspense
    /// (UNIDENTIFIED), and the statement is kept with its report. The same file again
    /// changes nothing; another file with a taken (account, statement id) is `Conflict`,
    /// and so is an opening balance that is not the account's previous closing balance.
    async fn import_statement(&self, import: &StatementImport, actor: &Actor, at: Timestamp) -> Result<ImportOutcome>;
    /// Imported statements, newest first.
    async fn statements(&self, limit: u32) -> Result<Vec<StatementRecord>>;
    async fn statement(&self, sha256: [u8; 32]) -> Result<Option<StatementRecord>>;
    /// Money per day, head, district and channel, paid on days in `from..=to`.
    async fn deposit_rows(&self, from: jiff::civil::Date, to: jiff::civil::Date) -> Result<Vec<DepositRow>>;

    // ----- notifications (the outbox; see [`messages`]) -----
    //
    // The messages of challan events are queued by a trigger in the transaction of each
    // event, so no method here queues them. The workers' writes (claims, outcomes, delivery
    // reports, scheduled messages) are not audited: each message's history records them.

    /// Claims up to `limit` messages (cut to [`messages::MAX_CLAIM_BATCH`]) for one worker,
    /// oldest due first: queued ones whose `next_attempt_at` is at or before `now`, and
    /// ones still `sending` whose lease ended before `now` (their worker died or hung; they
    /// keep their key, so a gateway that took the first attempt recognises the second).
    /// Each becomes `sending` until `now + lease`, its attempts go up by one, and its history
    /// says which attempt this is. Two claims, from any nodes at once, never take the same
    /// message (PostgreSQL: `FOR UPDATE SKIP LOCKED`; SQLite: its single writer). A lease
    /// that is not positive or is over [`messages::MAX_LEASE`] is `Domain`.
    async fn claim_messages(&self, now: Timestamp, lease: SignedDuration, limit: u32) -> Result<Vec<ClaimedMessage>>;
    /// Records what came of sending a claimed message, with a history row: `Sent` keeps the
    /// provider id and the message as sent (the proof of notice); `Retry` queues it again
    /// for its `next_attempt_at`; `Failed` and `Undeliverable` end it, keeping the reason
    /// as `last_error`. Only a message in status `sending` takes an outcome (`Conflict`
    /// otherwise: a late worker whose lease lapsed and whose message another worker then
    /// finished); unknown id is `NotFound`. An empty or over-long provider id, or a
    /// `rendered` that is not a JSON object of at most [`messages::MAX_RENDERED_BYTES`], is
    /// `Domain`. Reasons are cut to [`messages::MAX_DETAIL_CHARS`].
    async fn record_message_outcome(&self, id: i64, outcome: &MessageOutcome, at: Timestamp) -> Result<()>;
    /// A gateway's delivery report for the message it knows as `provider_id`: a `sent`
    /// message becomes `delivered`, or `failed` with `detail` as its `last_error`; the
    /// history keeps `detail` either way. Returns the message's id, or `None` when no
    /// message has that provider id (a report that came before the worker recorded the
    /// send, or a stranger's). A report about a message no longer `sent` (the same report
    /// again, a late one) changes nothing and returns its id.
    async fn record_delivery_report(&self, provider_id: &str, delivered: bool, detail: &str, at: Timestamp) -> Result<Option<i64>>;
    /// Every message of a challan, oldest first, each with its whole history.
    async fn challan_messages(&self, challan_id: Uuid) -> Result<Vec<MessageRecord>>;
    /// Messages that failed or are undeliverable, last changed first, at most `limit` (cut
    /// to [`messages::MAX_MESSAGES_PAGE`]), of challans within `scope` (their district and
    /// department), each with its history.
    async fn failed_messages(&self, scope: &Scope, limit: u32) -> Result<Vec<MessageRecord>>;
    /// Queues a failed message again, due at `at`, with its attempts back at zero and a new
    /// key (the gateway may remember the old one and answer it without sending); history
    /// row and audit entry (`message.retry`). Unknown id is `NotFound`; a message that is
    /// not `failed` is `Conflict` (an undeliverable one would fail the same way again). A
    /// message whose challan is outside `scope` is `NotFound`, as if it did not exist.
    async fn retry_message(&self, id: i64, scope: &Scope, actor: &Actor, at: Timestamp) -> Result<MessageRecord>;
    /// The outbox's depth by status and its lag at `now`, for `/metrics`.
    async fn message_queue(&self, now: Timestamp) -> Result<QueueStats>;
    /// Queues the scheduled messages due at `now`, each exactly once ever per challan,
    /// channel and recipient (whatever the restarts and however many nodes run this):
    /// a `due_reminder` for each challan still `issued` whose due date is from today to
    /// `remind_before_days` days on (dates in Pakistan), and an `overdue_notice` for each
    /// whose due date has passed, up to [`messages::OVERDUE_NOTICE_WINDOW_DAYS`] ago. An
    /// SMS each, and an email where the challan has an address, due at `now` but not before
    /// [`messages::SCHEDULED_SEND_FROM`] that day. At most
    /// [`messages::MAX_SCHEDULED_PER_PASS`] challans per kind per call (the next takes the
    /// rest). Returns how many messages it queued. `remind_before_days` over
    /// [`messages::MAX_REMIND_BEFORE_DAYS`] is `Domain`.
    async fn enqueue_scheduled(&self, now: Timestamp, remind_before_days: u32) -> Result<u32>;
    /// The templates admins saved, by kind, language and channel.
    async fn message_templates(&self) -> Result<Vec<StoredTemplate>>;
    /// Saves a template in the place of any for its kind, language and channel, audited
    /// (`template.save`). The caller has parsed `t.source` with mahasil-notify's
    /// `Template::parse`; the store only refuses an empty source or one over
    /// [`messages::MAX_TEMPLATE_SOURCE_BYTES`] (`Domain`). The stored `updated_at` and
    /// `updated_by` are `at` and the actor's username, whatever `t` says.
    async fn put_message_template(&self, t: &StoredTemplate, actor: &Actor, at: Timestamp) -> Result<()>;
    /// Sets the webhook receiver every message from now on is also sent to (`None`: no
    /// webhook), as of `at`; returns the one it replaces. The URL must be `http://` or
    /// `https://` and carry no credentials (`Domain` otherwise): it is each webhook
    /// message's recipient, shown on the challan page.
    async fn set_webhook_receiver(&self, url: Option<&str>, at: Timestamp) -> Result<Option<String>>;

    // ----- the dashboard's rollups (`insight`) -----

    /// Sums of the rollups in the filter over a window, grouped by period when `over_time`
    /// and by a dimension when given; never reads the challan table.
    async fn insight_grouped(
        &self,
        filter: &insight::InsightFilter,
        window: insight::Window,
        over_time: bool,
        by: Option<insight::Dimension>,
    ) -> Result<insight::Answer>;
    /// Each officer's activity over a window of days or months, most challans first.
    async fn insight_officers(&self, filter: &insight::InsightFilter, window: insight::OfficerWindow, limit: usize) -> Result<Vec<insight::OfficerRow>>;
    /// Recomputes every rollup from the ledger's transfers, in one transaction.
    async fn insight_rebuild(&self) -> Result<insight::RebuildReport>;
    /// Compares every rollup with the ledger's transfers, and their totals with the
    /// ledger's account balances, in one snapshot.
    async fn insight_check(&self) -> Result<insight::CheckReport>;

    // ----- anomaly flags and bank inquiries -----

    /// Notes that `bank` asked for the bill of a known challan at `at`, for the anomaly
    /// rules. Not audited: it is a read by a bank.
    async fn record_bill_inquiry(&self, challan_no: ChallanNo, bank: &Slug, at: Timestamp) -> Result<()>;
    /// The bill inquiries on these challans: (challan number, bank, time), by challan
    /// number, then oldest first. More than [`flags::MAX_INQUIRY_CHALLANS`] numbers is
    /// `Domain`.
    async fn bill_inquiries(&self, challan_nos: &[ChallanNo]) -> Result<Vec<(ChallanNo, String, Timestamp)>>;
    /// Cancellation and waiver requests made at or after `since`, whatever became of them,
    /// each with its challan's district, department and issuing officer; newest first, at
    /// most `limit` (cut to [`flags::MAX_RELIEF_REQUESTS_PAGE`]).
    async fn relief_requests_since(&self, since: Timestamp, limit: u32) -> Result<Vec<flags::ReliefRequestFacts>>;
    /// Challans received at or after `since`, oldest first, at most `limit` (cut to
    /// [`flags::MAX_CHALLAN_FACTS_PAGE`]).
    async fn recent_challan_facts(&self, since: Timestamp, limit: u32) -> Result<Vec<flags::ChallanFacts>>;
    /// Stores each flag whose `key` is not stored yet, open, found at `at`, with a new id;
    /// a flag whose key is stored changes nothing (a decision stands). Returns how many
    /// were new. Not audited (see [`flags`]). More than [`flags::MAX_FLAGS_PER_PUT`] flags,
    /// or a flag outside the bounds of [`flags`], is `Domain` and stores nothing.
    async fn put_flags(&self, flags: &[flags::NewFlag], at: Timestamp) -> Result<u32>;
    /// Flags in `state` (any when `None`) whose district and department are within `scope`;
    /// a flag without a department only where the scope covers its whole district. Open ones
    /// first, then newest first, at most `limit` (cut to [`flags::MAX_FLAGS_PAGE`]).
    async fn flags(&self, scope: &Scope, state: Option<flags::FlagState>, limit: u32) -> Result<Vec<flags::FlagRecord>>;
    async fn flag(&self, id: Uuid) -> Result<Option<flags::FlagRecord>>;
    /// How many open flags [`Storage::flags`] would list for `scope`, without a limit.
    async fn count_open_flags(&self, scope: &Scope) -> Result<u64>;
    /// An auditor acknowledges (worth following) or dismisses (explained) an open flag, with
    /// a reason, audited (`flag.acknowledged` or `flag.dismissed`). A blank reason, or one
    /// over [`flags::MAX_FLAG_REASON_CHARS`], is `Domain`; an unknown flag, or one outside
    /// `scope` (as [`Storage::flags`] lists them), is `NotFound`; a flag decided already is
    /// `Conflict`. Nothing is written unless it succeeds.
    async fn decide_flag(&self, id: Uuid, acknowledge: bool, reason: &str, decider: &Actor, scope: &Scope, at: Timestamp) -> Result<flags::FlagRecord>;

    // ----- audit -----

    /// Entries with `seq > after_seq`, oldest first, at most `limit`.
    async fn audit_entries(&self, after_seq: i64, limit: u32) -> Result<Vec<AuditEntry>>;
    /// Walks the whole chain; reports the first entry that does not verify.
    async fn verify_audit(&self) -> Result<AuditVerification>;
}
