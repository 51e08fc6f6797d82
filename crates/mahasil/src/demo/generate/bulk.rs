//! The bulk writer: one SQLite connection, prepared statements, large transactions, and
//! every row of a generated challan's life in the store's own columns and forms (numbers
//! as 15 digits, times in microseconds, dates as `YYYY-MM-DD`, ids as hyphenated UUIDs).

use rusqlite::{Connection, Statement, params};
use uuid::Uuid;

use super::rows::{Accounts, ChannelRow, Life};

const INSERT_CHALLAN: &str = "INSERT INTO challans (seq, id, challan_no, issuer_no, counter, status, head_code, department, schedule_version, district, \
     officer_id, officer_username, offender_name, cnic, mobile, email, vehicle_no, business_name, address, lat, lon, location_text, issued_at, issued_on, \
     received_at, amount_paisa, amount_after_due_paisa, due_date, seal, language) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30)";
const INSERT_EVENT: &str = "INSERT INTO challan_events (challan_id, at, kind, actor, status, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
const INSERT_TRANSFER: &str =
    "INSERT INTO transfers (id, event_id, code, debit, credit, amount_paisa, challan_no, reverses, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
const INSERT_PAYMENT: &str = "INSERT INTO payments (id, receipt_no, challan_id, challan_no, channel, holder, reference, amount_paisa, surcharge_paisa, \
     overpaid_paisa, paid_on, paid_at, received_at, recorded_by, approved_by, fingerprint, event_id, reversed_at, reversal_fingerprint, deposited_at, \
     statement_id, seal) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22)";
const INSERT_ONLINE: &str = "INSERT INTO online_payments (id, challan_id, challan_no, amount_paisa, gateway_payment_id, status, failure_reason, \
     created_at, updated_at, receipt_no) VALUES (?1, ?2, ?3, ?4, ?5, 'succeeded', NULL, ?6, ?7, ?8)";
const INSERT_COUNTER: &str = "INSERT INTO counter_payments (id, challan_id, challan_no, district, department, amount_paisa, payer_name, reference, \
     paid_on, requested_by, requested_at, status, decided_by, decided_at, note, receipt_no) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 'approved', ?12, ?13, NULL, ?14)";
const INSERT_REQUEST: &str = "INSERT INTO cancellation_requests (id, challan_id, challan_no, district, department, reason, requested_by, \
     requested_by_username, requested_at, state, decided_by, decided_by_username, decided_at, decision_note, kind) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)";
const INSERT_REVOCATION: &str = "INSERT INTO revocations (challan_no, revoked_at) VALUES (?1, ?2)";
const INSERT_INQUIRY: &str = "INSERT INTO bill_inquiries (challan_no, bank, at) VALUES (?1, ?2, ?3)";
const INSERT_OP: &str = "INSERT INTO sync_ops (op_id, device_id, counter, op_hash, prev_hash, kind, status, challan_no, reason, signed_payload, sig, \
     issued_at, received_at) VALUES (?1, ?2, ?3, ?4, ?5, 'challan.issue', 'accepted', ?6, NULL, ?7, ?8, ?9, ?10)";

/// The hyphenated lower-case form the store keeps ids in.
fn text(id: &Uuid) -> String {
    id.hyphenated().to_string()
}

pub(super) struct Writer<'c> {
    conn: &'c Connection,
    accounts: &'c Accounts,
    challan: Statement<'c>,
    event: Statement<'c>,
    transfer: Statement<'c>,
    payment: Statement<'c>,
    online: Statement<'c>,
    counter: Statement<'c>,
    request: Statement<'c>,
    revocation: Statement<'c>,
    inquiry: Statement<'c>,
    op: Statement<'c>,
}

impl<'c> Writer<'c> {
    pub(super) fn new(conn: &'c Connection, accounts: &'c Accounts) -> rusqlite::Result<Self> {
        Ok(Self {
            conn,
            accounts,
            challan: conn.prepare(INSERT_CHALLAN)?,
            event: conn.prepare(INSERT_EVENT)?,
            transfer: conn.prepare(INSERT_TRANSFER)?,
            payment: conn.prepare(INSERT_PAYMENT)?,
            online: conn.prepare(INSERT_ONLINE)?,
            counter: conn.prepare(INSERT_COUNTER)?,
            request: conn.prepare(INSERT_REQUEST)?,
            revocation: conn.prepare(INSERT_REVOCATION)?,
            inquiry: conn.prepare(INSERT_INQUIRY)?,
            op: conn.prepare(INSERT_OP)?,
        })
    }

    pub(super) fn begin(&self) -> anyhow::Result<()> {
        Ok(self.conn.execute_batch("BEGIN")?)
    }

    pub(super) fn commit(&self) -> anyhow::Result<()> {
        Ok(self.conn.execute_batch("COMMIT")?)
    }

    /// Every row of one challan's life.
    pub(super) fn write(&mut self, life: &Life) -> anyhow::Result<()> {
        let c = &life.challan;
        let (id, no) = (text(&c.id), c.challan_no.digits());
        let o = &c.offender;
        self.challan.execute(params![
            life.seq,
            id,
            no,
            c.issuer_no.get(),
            c.challan_no.counter(),
            c.status.as_str(),
            c.head_code,
            c.department.as_str(),
            c.schedule_version,
            c.district.as_str(),
            text(&c.officer_id),
            c.officer_username,
            o.name.as_str(),
            o.cnic.as_str(),
            o.mobile.as_str(),
            o.email.as_ref().map(|e| e.as_str()),
            o.vehicle_no.as_ref().map(|v| v.as_str()),
            o.business_name.as_ref().map(|b| b.as_str()),
            o.address.as_ref().map(|a| a.as_str()),
            c.location.lat,
            c.location.lon,
            c.location.text.as_str(),
            c.issued_at.as_microsecond(),
            &*life.issued_on,
            c.received_at.as_microsecond(),
            c.amount_paisa,
            c.amount_after_due_paisa,
            c.due_date.to_string(),
            c.seal,
            o.language.map(|l| l.as_str()),
        ])?;
        for e in &life.events {
            self.event.execute(params![id, e.at, e.kind, &*e.actor, e.status, e.note])?;
        }
        let (mut id_text, mut event_text) = (Uuid::encode_buffer(), Uuid::encode_buffer());
        for t in &life.transfers {
            let (debit, credit) = (&self.accounts.names[t.debit as usize], &self.accounts.names[t.credit as usize]);
            let (transfer_id, event_id) = (&*t.id.hyphenated().encode_lower(&mut id_text), &*t.event_id.hyphenated().encode_lower(&mut event_text));
            self.transfer.execute(params![transfer_id, event_id, t.code.as_str(), debit, credit, t.amount, no, t.reverses.as_ref().map(text), t.at])?;
        }
        self.payments(life, &id, &no)?;
        if let Some(r) = &life.relief {
            let state = match &r.decision {
                None => "pending",
                Some(d) if d.approve => "approved",
                Some(_) => "rejected",
            };
            let d = r.decision.as_ref();
            self.request.execute(params![
                text(&r.id),
                id,
                no,
                c.district.as_str(),
                c.department.as_str(),
                r.reason,
                text(&r.requested_by.0),
                &*r.requested_by.1,
                r.requested_at * 1_000_000,
                state,
                d.map(|d| text(&d.by.0)),
                d.map(|d| &*d.by.1),
                d.map(|d| d.at * 1_000_000),
                d.map(|d| d.note),
                r.kind.as_str(),
            ])?;
        }
        if let Some(at) = life.revoked_at {
            self.revocation.execute(params![no, at])?;
        }
        for (bank, at) in &life.inquiries {
            self.inquiry.execute(params![no, bank, at])?;
        }
        if let Some(op) = &life.sync_op {
            self.op.execute(params![
                text(&op.op_id),
                text(&op.device_id),
                op.counter,
                op.op_hash.as_slice(),
                op.prev_hash.as_ref().map(|h| h.as_slice()),
                no,
                op.payload,
                op.sig,
                op.issued_at,
                op.received_at,
            ])?;
        }
        Ok(())
    }

    fn payments(&mut self, life: &Life, id: &str, no: &str) -> anyhow::Result<()> {
        for p in &life.payments {
            let r = &p.record;
            let receipt = r.receipt_no.digits();
            let paid_on = r.paid_on.to_string();
            self.payment.execute(params![
                text(&r.id),
                receipt,
                id,
                no,
                r.channel.as_str(),
                r.holder.as_str(),
                r.reference,
                r.amount_paisa,
                r.surcharge_paisa,
                r.overpaid_paisa,
                paid_on,
                r.paid_at.as_microsecond(),
                r.received_at.as_microsecond(),
                r.recorded_by,
                r.approved_by,
                r.fingerprint.as_slice(),
                text(&r.event_id),
                r.reversed_at.map(|t| t.as_microsecond()),
                r.reversal_fingerprint.as_ref().map(|f| f.as_slice()),
                r.deposited_at.map(|t| t.as_microsecond()),
                r.statement_id,
                r.seal,
            ])?;
            match &p.channel_row {
                ChannelRow::Bank => {}
                ChannelRow::Online { id: online, created_at } => {
                    self.online.execute(params![text(online), id, no, r.amount_paisa, r.reference, created_at, r.received_at.as_microsecond(), receipt])?;
                }
                ChannelRow::Counter { id: entry, department, payer_name, book_entry, requested_by, requested_at } => {
                    self.counter.execute(params![
                        text(entry),
                        id,
                        no,
                        r.holder.as_str(),
                        &**department,
                        r.amount_paisa,
                        payer_name,
                        book_entry,
                        paid_on,
                        &**requested_by,
                        requested_at,
                        r.approved_by,
                        r.received_at.as_microsecond(),
                        receipt,
                    ])?;
                }
            }
        }
        Ok(())
    }
}
