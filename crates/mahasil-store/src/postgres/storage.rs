//! [`Storage`] for [`PgStore`]: reads on the pool, writes as jobs for the group committer.

use async_trait::async_trait;
use jiff::{SignedDuration, Timestamp};
use mahasil_domain::authz::{Principal, Scope};
use mahasil_domain::challan::{ChallanDraft, ReliefKind};
use mahasil_domain::challan_no::{ChallanNo, IssuerNo};
use mahasil_domain::head::{FeeSchedule, HeadCode, RevenueHead};
use mahasil_domain::jurisdiction::{Department, Jurisdiction, Slug};
use uuid::Uuid;

use super::{
    PgStore, audit_log, banks, cancellations, challans, contests, devices, heads, insight, issuers, ledger, messages, migrate, payments, reference, seals,
    sessions, sync_ops, treasury, users,
};
use crate::devices::{DeviceFlag, DeviceOp, DeviceRecord, DeviceSummary, NewDevice, OpResult};
use crate::messages::{ClaimedMessage, MessageOutcome, MessageRecord, QueueStats, StoredTemplate};
use crate::payments::{NewPayment, PaymentOutcome, PaymentRecord, PaymentReversal, ReceiptSigner, ReversalOutcome};
use crate::records::*;
use crate::treasury::{CounterDecision, CounterPayment, DepositRow, ImportOutcome, OnlinePayment, StatementImport, StatementRecord};
use crate::{Result, Storage};

#[async_trait]
impl Storage for PgStore {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn migrations(&self) -> Result<Vec<String>> {
        migrate::applied(&self.pool).await
    }

    async fn put_jurisdiction(&self, j: &Jurisdiction, actor: &Actor, at: Timestamp) -> Result<()> {
        let (j, actor) = (j.clone(), actor.clone());
        self.writer.write(move |tx| Box::pin(async move { reference::put_jurisdiction(tx, &j, &actor, at).await })).await
    }

    async fn jurisdictions(&self) -> Result<Vec<Jurisdiction>> {
        reference::jurisdictions(&self.pool).await
    }

    async fn jurisdiction(&self, slug: &Slug) -> Result<Option<Jurisdiction>> {
        reference::jurisdiction(&self.pool, slug).await
    }

    async fn put_department(&self, d: &Department, actor: &Actor, at: Timestamp) -> Result<()> {
        let (d, actor) = (d.clone(), actor.clone());
        self.writer.write(move |tx| Box::pin(async move { reference::put_department(tx, &d, &actor, at).await })).await
    }

    async fn departments(&self) -> Result<Vec<Department>> {
        reference::departments(&self.pool).await
    }

    async fn create_head(&self, head: &RevenueHead, schedule: &FeeSchedule, actor: &Actor, at: Timestamp) -> Result<()> {
        let (head, schedule, actor) = (head.clone(), schedule.clone(), actor.clone());
        self.writer.write(move |tx| Box::pin(async move { heads::create_head(tx, &head, &schedule, &actor, at).await })).await
    }

    async fn update_head(&self, head: &RevenueHead, actor: &Actor, at: Timestamp) -> Result<()> {
        let (head, actor) = (head.clone(), actor.clone());
        self.writer.write(move |tx| Box::pin(async move { heads::update_head(tx, &head, &actor, at).await })).await
    }

    async fn add_fee_schedule(&self, schedule: &FeeSchedule, actor: &Actor, at: Timestamp) -> Result<()> {
        let (schedule, actor) = (schedule.clone(), actor.clone());
        self.writer.write(move |tx| Box::pin(async move { heads::add_fee_schedule(tx, &schedule, &actor, at).await })).await
    }

    async fn heads(&self) -> Result<Vec<RevenueHead>> {
        heads::heads(&self.pool).await
    }

    async fn head(&self, code: &HeadCode) -> Result<Option<HeadWithSchedules>> {
        heads::head(&self.pool, code).await
    }

    async fn create_user(&self, user: &NewUser, actor: &Actor, at: Timestamp) -> Result<()> {
        let (user, actor) = (user.clone(), actor.clone());
        self.writer.write(move |tx| Box::pin(async move { users::create_user(tx, &user, &actor, at).await })).await
    }

    async fn update_user(&self, update: &UserUpdate, actor: &Actor, at: Timestamp) -> Result<()> {
        let (update, actor) = (update.clone(), actor.clone());
        self.writer.write(move |tx| Box::pin(async move { users::update_user(tx, &update, &actor, at).await })).await
    }

    async fn set_password(&self, user_id: Uuid, password_hash: &str, actor: &Actor, at: Timestamp) -> Result<()> {
        let (password_hash, actor) = (password_hash.to_owned(), actor.clone());
        self.writer.write(move |tx| Box::pin(async move { users::set_password(tx, user_id, &password_hash, &actor, at).await })).await
    }

    async fn user_by_username(&self, username: &str) -> Result<Option<UserRecord>> {
        users::user_by_username(&self.pool, username).await
    }

    async fn user(&self, id: Uuid) -> Result<Option<UserRecord>> {
        users::user(&self.pool, id).await
    }

    async fn users(&self) -> Result<Vec<UserRecord>> {
        users::users(&self.pool).await
    }

    async fn create_session(&self, session: &NewSession, at: Timestamp) -> Result<()> {
        let session = session.clone();
        self.writer.write(move |tx| Box::pin(async move { sessions::create_session(tx, &session, at).await })).await
    }

    async fn session(&self, token_sha256: &[u8; 32], now: Timestamp) -> Result<Option<(SessionRecord, UserRecord)>> {
        sessions::session(&self.pool, token_sha256, now).await
    }

    async fn delete_session(&self, token_sha256: &[u8; 32], at: Timestamp) -> Result<()> {
        let token_sha256 = *token_sha256;
        self.writer.write(move |tx| Box::pin(async move { sessions::delete_session(tx, &token_sha256, at).await })).await
    }

    async fn node_issuer(&self, node_name: &str, at: Timestamp) -> Result<IssuerNo> {
        if let Some(issuer) = issuers::find_node(&self.pool, node_name).await? {
            return Ok(issuer);
        }
        let node_name = node_name.to_owned();
        self.writer.write(move |tx| Box::pin(async move { issuers::node_issuer(tx, &node_name, at).await })).await
    }

    async fn issuer_counter(&self, issuer: IssuerNo) -> Result<u32> {
        issuers::counter(&self.pool, issuer).await
    }

    async fn enrol_device(&self, d: &NewDevice, actor: &Actor, at: Timestamp) -> Result<DeviceRecord> {
        let (d, actor) = (d.clone(), actor.clone());
        self.writer.write(move |tx| Box::pin(async move { devices::enrol(tx, &d, &actor, at).await })).await
    }

    async fn device(&self, id: Uuid) -> Result<Option<DeviceRecord>> {
        devices::device(&self.pool, id).await
    }

    async fn devices(&self) -> Result<Vec<DeviceSummary>> {
        devices::devices(&self.pool).await
    }

    async fn revoke_device(&self, id: Uuid, compromised_from: Timestamp, reason: &str, actor: &Actor, at: Timestamp) -> Result<DeviceRecord> {
        let (reason, actor) = (reason.to_owned(), actor.clone());
        self.writer.write(move |tx| Box::pin(async move { devices::revoke(tx, id, compromised_from, &reason, &actor, at).await })).await
    }

    async fn claim_sync_nonce(&self, device_id: Uuid, nonce: &str, at: Timestamp) -> Result<bool> {
        let nonce = nonce.to_owned();
        self.writer.write(move |tx| Box::pin(async move { devices::claim_nonce(tx, device_id, &nonce, at).await })).await
    }

    async fn record_device_sync(&self, device_id: Uuid, at: Timestamp) -> Result<()> {
        self.writer.write(move |tx| Box::pin(async move { devices::record_sync(tx, device_id, at).await })).await
    }

    async fn apply_device_op(&self, op: &DeviceOp, actor: &Actor, at: Timestamp) -> Result<OpResult> {
        let (op, actor) = (op.clone(), actor.clone());
        self.writer.write(move |tx| Box::pin(async move { sync_ops::apply(tx, &op, &actor, at).await })).await
    }

    async fn apply_device_ops(&self, ops: Vec<DeviceOp>, actor: &Actor, at: Timestamp) -> Result<Vec<Result<OpResult>>> {
        crate::devices::check_push_size(ops.len())?;
        let mut queued = Vec::with_capacity(ops.len());
        for op in ops {
            let actor = actor.clone();
            queued.push(self.writer.queue(move |tx| Box::pin(async move { sync_ops::apply(tx, &op, &actor, at).await })).await?);
        }
        let mut answers = Vec::with_capacity(queued.len());
        for q in queued {
            answers.push(q.answer().await);
        }
        Ok(answers)
    }

    async fn device_gaps(&self, device_id: Uuid, limit: u32) -> Result<Vec<(u32, u32)>> {
        devices::gaps(&self.pool, device_id, limit).await
    }

    async fn device_flags(&self, device_id: Uuid, limit: u32) -> Result<Vec<DeviceFlag>> {
        devices::flags(&self.pool, device_id, limit).await
    }

    async fn issue_challan(&self, draft: &ChallanDraft, issuer: IssuerNo, actor: &Actor, received_at: Timestamp, sealer: &Sealer) -> Result<ChallanRecord> {
        self.writer.issue(draft.clone(), issuer, actor.clone(), received_at, sealer.clone()).await
    }

    async fn challan_by_no(&self, no: ChallanNo) -> Result<Option<ChallanRecord>> {
        challans::by_no(&self.pool, no).await
    }

    async fn challan(&self, id: Uuid) -> Result<Option<ChallanRecord>> {
        challans::by_id(&self.pool, id).await
    }

    async fn challan_events(&self, challan_id: Uuid) -> Result<Vec<ChallanEvent>> {
        challans::events(&self.pool, challan_id).await
    }

    async fn search_challans(&self, query: &ChallanQuery) -> Result<ChallanPage> {
        challans::search(&self.pool, query).await
    }

    async fn count_challans(&self) -> Result<u64> {
        challans::count(&self.pool).await
    }

    async fn request_relief(
        &self,
        challan_no: ChallanNo,
        kind: ReliefKind,
        reason: &str,
        requester: &Principal,
        request_id: Uuid,
        at: Timestamp,
    ) -> Result<CancellationRequest> {
        let (reason, requester) = (reason.to_owned(), requester.clone());
        self.writer.write(move |tx| Box::pin(async move { cancellations::request(tx, challan_no, kind, &reason, &requester, request_id, at).await })).await
    }

    async fn decide_cancellation(&self, request_id: Uuid, approve: bool, note: &str, decider: &Principal, at: Timestamp) -> Result<CancellationRequest> {
        let (note, decider) = (note.to_owned(), decider.clone());
        self.writer.write(move |tx| Box::pin(async move { cancellations::decide(tx, request_id, approve, &note, &decider, at).await })).await
    }

    async fn cancellation_request(&self, request_id: Uuid) -> Result<Option<CancellationRequest>> {
        cancellations::one(&self.pool, request_id).await
    }

    async fn pending_cancellations(&self, scope: &Scope, limit: u32) -> Result<Vec<CancellationRequest>> {
        cancellations::pending(&self.pool, scope, limit).await
    }

    async fn challan_cancellations(&self, challan_id: Uuid) -> Result<Vec<CancellationRequest>> {
        cancellations::of_challan(&self.pool, challan_id).await
    }

    async fn record_contest(&self, challan_no: ChallanNo, grounds: &str, recorder: &Principal, contest_id: Uuid, at: Timestamp) -> Result<Contest> {
        let (grounds, recorder) = (grounds.to_owned(), recorder.clone());
        self.writer.write(move |tx| Box::pin(async move { contests::record(tx, challan_no, &grounds, &recorder, contest_id, at).await })).await
    }

    async fn decide_contest(&self, contest_id: Uuid, uphold: bool, note: &str, decider: &Principal, at: Timestamp) -> Result<Contest> {
        let (note, decider) = (note.to_owned(), decider.clone());
        self.writer.write(move |tx| Box::pin(async move { contests::decide(tx, contest_id, uphold, &note, &decider, at).await })).await
    }

    async fn contest(&self, contest_id: Uuid) -> Result<Option<Contest>> {
        contests::one(&self.pool, contest_id).await
    }

    async fn open_contests(&self, scope: &Scope, limit: u32) -> Result<Vec<Contest>> {
        contests::open(&self.pool, scope, limit).await
    }

    async fn challan_contests(&self, challan_id: Uuid) -> Result<Vec<Contest>> {
        contests::of_challan(&self.pool, challan_id).await
    }

    async fn latest_trust_list(&self) -> Result<Option<TrustListRecord>> {
        seals::latest_trust_list(&self.pool).await
    }

    async fn put_trust_list(&self, list: &TrustListRecord, actor: &Actor) -> Result<()> {
        let (list, actor) = (list.clone(), actor.clone());
        self.writer.write(move |tx| Box::pin(async move { seals::put_trust_list(tx, &list, &actor).await })).await
    }

    async fn revocations(&self, after_seq: i64, limit: u32) -> Result<Vec<Revocation>> {
        seals::revocations(&self.pool, after_seq, limit).await
    }

    async fn last_revocation_seq(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT coalesce(max(seq), 0)::int8 FROM revocations").fetch_one(&self.pool).await?)
    }

    async fn create_bank(&self, bank: &BankRecord, actor: &Actor) -> Result<()> {
        let (bank, actor) = (bank.clone(), actor.clone());
        self.writer.write(move |tx| Box::pin(async move { banks::create(tx, &bank, &actor).await })).await
    }

    async fn update_bank(&self, bank: &BankRecord, actor: &Actor, at: Timestamp) -> Result<()> {
        let (bank, actor) = (bank.clone(), actor.clone());
        self.writer.write(move |tx| Box::pin(async move { banks::update(tx, &bank, &actor, at).await })).await
    }

    async fn bank(&self, mnemonic: &Slug) -> Result<Option<BankRecord>> {
        banks::one(&self.pool, mnemonic).await
    }

    async fn banks(&self) -> Result<Vec<BankRecord>> {
        banks::all(&self.pool).await
    }

    async fn transfers(&self, after_seq: i64, limit: u32) -> Result<Vec<crate::ledger::StoredTransfer>> {
        ledger::page(&self.pool, after_seq, limit).await
    }

    async fn challan_transfers(&self, challan_no: ChallanNo) -> Result<Vec<mahasil_ledger::Transfer>> {
        let mut conn = self.pool.acquire().await?;
        ledger::of_challan(&mut conn, challan_no).await
    }

    async fn record_payment(&self, payment: &NewPayment, issuer: IssuerNo, actor: &Actor, at: Timestamp, signer: &ReceiptSigner) -> Result<PaymentOutcome> {
        let (payment, actor, signer) = (payment.clone(), actor.clone(), signer.clone());
        self.writer.write(move |tx| Box::pin(async move { payments::record(tx, &payment, issuer, &actor, at, &signer).await })).await
    }

    async fn reverse_payment(&self, reversal: &PaymentReversal, actor: &Actor, at: Timestamp) -> Result<ReversalOutcome> {
        let (reversal, actor) = (reversal.clone(), actor.clone());
        self.writer.write(move |tx| Box::pin(async move { payments::reverse(tx, &reversal, &actor, at).await })).await
    }

    async fn payment_by_receipt(&self, receipt_no: ChallanNo) -> Result<Option<PaymentRecord>> {
        payments::by_receipt(&self.pool, receipt_no).await
    }

    async fn payment(&self, id: Uuid) -> Result<Option<PaymentRecord>> {
        payments::by_id(&self.pool, id).await
    }

    async fn challan_payments(&self, challan_id: Uuid) -> Result<Vec<PaymentRecord>> {
        payments::of_challan(&self.pool, challan_id).await
    }

    async fn create_online_payment(&self, payment: &OnlinePayment, actor: &Actor) -> Result<()> {
        let (payment, actor) = (payment.clone(), actor.clone());
        self.writer.write(move |tx| Box::pin(async move { treasury::create_online(tx, &payment, &actor).await })).await
    }

    async fn online_payment(&self, id: Uuid) -> Result<Option<OnlinePayment>> {
        treasury::online(&self.pool, id).await
    }

    async fn update_online_payment(&self, payment: &OnlinePayment, actor: &Actor) -> Result<()> {
        let (payment, actor) = (payment.clone(), actor.clone());
        self.writer.write(move |tx| Box::pin(async move { treasury::update_online(tx, &payment, &actor).await })).await
    }

    async fn pending_online_payments(&self, now: Timestamp, limit: u32) -> Result<Vec<OnlinePayment>> {
        treasury::pending_online(&self.pool, now, limit).await
    }

    async fn challan_online_payments(&self, challan_id: Uuid) -> Result<Vec<OnlinePayment>> {
        treasury::challan_online(&self.pool, challan_id).await
    }

    async fn record_public_contest(&self, challan_no: ChallanNo, grounds: &str, contest_id: Uuid, at: Timestamp) -> Result<Contest> {
        let (grounds, portal) = (grounds.to_string(), crate::treasury::citizen_portal()?);
        self.writer.write(move |tx| Box::pin(async move { contests::record(tx, challan_no, &grounds, &portal, contest_id, at).await })).await
    }

    async fn request_counter_payment(&self, request: &CounterPayment, actor: &Actor) -> Result<()> {
        let (request, actor) = (request.clone(), actor.clone());
        self.writer.write(move |tx| Box::pin(async move { treasury::request_counter(tx, &request, &actor).await })).await
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
        self.writer.write(move |tx| Box::pin(async move { treasury::decide_counter(tx, &decision, &decider, issuer, at, &signer).await })).await
    }

    async fn counter_payment(&self, id: Uuid) -> Result<Option<CounterPayment>> {
        treasury::counter(&self.pool, id).await
    }

    async fn pending_counter_payments(&self, districts: Option<Vec<Slug>>, limit: u32) -> Result<Vec<CounterPayment>> {
        treasury::pending_counters(&self.pool, districts, limit).await
    }

    async fn undeposited_payments(&self, up_to: jiff::civil::Date) -> Result<Vec<crate::Undeposited>> {
        treasury::undeposited(&self.pool, up_to).await
    }

    async fn deposited_receipts(&self, since: jiff::civil::Date) -> Result<Vec<ChallanNo>> {
        treasury::deposited_receipts(&self.pool, since).await
    }

    async fn import_statement(&self, import: &StatementImport, actor: &Actor, at: Timestamp) -> Result<ImportOutcome> {
        let (import, actor) = (import.clone(), actor.clone());
        self.writer.write(move |tx| Box::pin(async move { treasury::import(tx, &import, &actor, at).await })).await
    }

    async fn statements(&self, limit: u32) -> Result<Vec<StatementRecord>> {
        treasury::statements(&self.pool, limit).await
    }

    async fn statement(&self, sha256: [u8; 32]) -> Result<Option<StatementRecord>> {
        treasury::statement(&self.pool, sha256).await
    }

    async fn deposit_rows(&self, from: jiff::civil::Date, to: jiff::civil::Date) -> Result<Vec<DepositRow>> {
        treasury::deposit_rows(&self.pool, from, to).await
    }

    async fn claim_messages(&self, now: Timestamp, lease: SignedDuration, limit: u32) -> Result<Vec<ClaimedMessage>> {
        messages::claim(&self.pool, now, lease, limit).await
    }

    async fn record_message_outcome(&self, id: i64, outcome: &MessageOutcome, at: Timestamp) -> Result<()> {
        messages::record_outcome(&self.pool, id, outcome, at).await
    }

    async fn record_delivery_report(&self, provider_id: &str, delivered: bool, detail: &str, at: Timestamp) -> Result<Option<i64>> {
        messages::delivery_report(&self.pool, provider_id, delivered, detail, at).await
    }

    async fn challan_messages(&self, challan_id: Uuid) -> Result<Vec<MessageRecord>> {
        messages::challan_messages(&self.pool, challan_id).await
    }

    async fn failed_messages(&self, scope: &Scope, limit: u32) -> Result<Vec<MessageRecord>> {
        messages::failed(&self.pool, scope, limit).await
    }

    async fn retry_message(&self, id: i64, scope: &Scope, actor: &Actor, at: Timestamp) -> Result<MessageRecord> {
        let (scope, actor) = (scope.clone(), actor.clone());
        self.writer.write(move |tx| Box::pin(async move { messages::retry(tx, id, &scope, &actor, at).await })).await
    }

    async fn message_queue(&self, now: Timestamp) -> Result<QueueStats> {
        messages::queue(&self.pool, now).await
    }

    async fn enqueue_scheduled(&self, now: Timestamp, remind_before_days: u32) -> Result<u32> {
        messages::enqueue_scheduled(&self.pool, now, remind_before_days).await
    }

    async fn message_templates(&self) -> Result<Vec<StoredTemplate>> {
        messages::templates(&self.pool).await
    }

    async fn put_message_template(&self, t: &StoredTemplate, actor: &Actor, at: Timestamp) -> Result<()> {
        let (t, actor) = (t.clone(), actor.clone());
        self.writer.write(move |tx| Box::pin(async move { messages::put_template(tx, &t, &actor, at).await })).await
    }

    async fn set_webhook_receiver(&self, url: Option<&str>, at: Timestamp) -> Result<Option<String>> {
        let url = url.map(str::to_owned);
        self.writer.write(move |tx| Box::pin(async move { messages::set_webhook(tx, url.as_deref(), at).await })).await
    }

    async fn insight_grouped(
        &self,
        filter: &crate::insight::InsightFilter,
        window: crate::insight::Window,
        over_time: bool,
        by: Option<crate::insight::Dimension>,
    ) -> Result<crate::insight::Answer> {
        insight::grouped(&self.pool, crate::insight::grouped(crate::insight::Dialect::Postgres, filter, window, over_time, by)).await
    }

    async fn insight_officers(
        &self,
        filter: &crate::insight::InsightFilter,
        window: crate::insight::OfficerWindow,
        limit: usize,
    ) -> Result<Vec<crate::insight::OfficerRow>> {
        insight::officers(&self.pool, crate::insight::officers(crate::insight::Dialect::Postgres, filter, window, limit)).await
    }

    async fn insight_rebuild(&self) -> Result<crate::insight::RebuildReport> {
        self.writer.write(move |tx| Box::pin(async move { insight::rebuild(tx).await })).await
    }

    async fn insight_check(&self) -> Result<crate::insight::CheckReport> {
        let mut conn = self.pool.acquire().await?;
        insight::check(&mut conn).await
    }

    // ----- anomaly flags and bank inquiries -----

    async fn record_bill_inquiry(&self, challan_no: ChallanNo, bank: &Slug, at: Timestamp) -> Result<()> {
        let bank = bank.clone();
        self.writer.write(move |tx| Box::pin(async move { super::flags::record_inquiry(tx, challan_no, &bank, at).await })).await
    }

    async fn bill_inquiries(&self, challan_nos: &[ChallanNo]) -> Result<Vec<(ChallanNo, String, Timestamp)>> {
        super::flags::inquiries(&self.pool, challan_nos).await
    }

    async fn relief_requests_since(&self, since: Timestamp, limit: u32) -> Result<Vec<crate::flags::ReliefRequestFacts>> {
        super::flags::relief_requests_since(&self.pool, since, limit).await
    }

    async fn recent_challan_facts(&self, since: Timestamp, limit: u32) -> Result<Vec<crate::flags::ChallanFacts>> {
        super::flags::recent_challans(&self.pool, since, limit).await
    }

    async fn put_flags(&self, new: &[crate::flags::NewFlag], at: Timestamp) -> Result<u32> {
        // Checked here, so the writer only writes.
        let json = crate::flags::checked_batch(new)?;
        let new = new.to_vec();
        self.writer.write(move |tx| Box::pin(async move { super::flags::put(tx, &new, &json, at).await })).await
    }

    async fn flags(&self, scope: &Scope, state: Option<crate::flags::FlagState>, limit: u32) -> Result<Vec<crate::flags::FlagRecord>> {
        super::flags::list(&self.pool, scope, state, limit).await
    }

    async fn flag(&self, id: Uuid) -> Result<Option<crate::flags::FlagRecord>> {
        super::flags::flag(&self.pool, id).await
    }

    async fn count_open_flags(&self, scope: &Scope) -> Result<u64> {
        super::flags::count_open(&self.pool, scope).await
    }

    async fn decide_flag(&self, id: Uuid, acknowledge: bool, reason: &str, decider: &Actor, scope: &Scope, at: Timestamp) -> Result<crate::flags::FlagRecord> {
        let (reason, decider, scope) = (reason.to_owned(), decider.clone(), scope.clone());
        self.writer.write(move |tx| Box::pin(async move { super::flags::decide(tx, id, acknowledge, &reason, &decider, &scope, at).await })).await
    }

    async fn audit_entries(&self, after_seq: i64, limit: u32) -> Result<Vec<AuditEntry>> {
        audit_log::entries(&self.pool, after_seq, limit).await
    }

    async fn verify_audit(&self) -> Result<AuditVerification> {
        audit_log::verify(&self.pool).await
    }
}
