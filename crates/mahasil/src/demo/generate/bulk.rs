//! The bulk writer: one SQLite connection, large transactions, and every row of a lot of
//! generated challans in the store's own columns and forms (numbers as 15 digits, times in
//! microseconds, dates as `YYYY-MM-DD`, ids as hyphenated UUIDs). Rows go in many to an
//! `INSERT` (one statement per [`ROWS_PER_INSERT`] rows of a table), which spares SQLite
//! most of its per-statement work: opening cursors, starting and ending each step.

use rusqlite::types::ToSql;
use rusqlite::{Connection, Statement};
use uuid::Uuid;

use super::rows::{Accounts, ChannelRow, Event, Life, Payment, Relief, SyncOp, TransferRow};

/// Rows one `INSERT` writes (the widest table, challans, binds 30 values a row).
const ROWS_PER_INSERT: usize = 64;

const CHALLANS: (&str, &str) = (
    "INSERT INTO challans (seq, id, challan_no, issuer_no, counter, status, head_code, department, schedule_version, district, officer_id, \
     officer_username, offender_name, cnic, mobile, email, vehicle_no, business_name, address, lat, lon, location_text, issued_at, issued_on, received_at, \
     amount_paisa, amount_after_due_paisa, due_date, seal, language) VALUES ",
    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
);
const EVENTS: (&str, &str) = ("INSERT INTO challan_events (challan_id, at, kind, actor, status, note) VALUES ", "(?, ?, ?, ?, ?, ?)");
const TRANSFERS: (&str, &str) =
    ("INSERT INTO transfers (id, event_id, code, debit, credit, amount_paisa, challan_no, reverses, at) VALUES ", "(?, ?, ?, ?, ?, ?, ?, ?, ?)");
const PAYMENTS: (&str, &str) = (
    "INSERT INTO payments (id, receipt_no, challan_id, challan_no, channel, holder, reference, amount_paisa, surcharge_paisa, overpaid_paisa, paid_on, \
     paid_at, received_at, recorded_by, approved_by, fingerprint, event_id, reversed_at, reversal_fingerprint, deposited_at, statement_id, seal) VALUES ",
    "(?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
);
const ONLINE: (&str, &str) = (
    "INSERT INTO online_payments (id, challan_id, challan_no, amount_paisa, gateway_payment_id, status, failure_reason, created_at, updated_at, receipt_no) \
     VALUES ",
    "(?, ?, ?, ?, ?, 'succeeded', NULL, ?, ?, ?)",
);
const COUNTERS: (&str, &str) = (
    "INSERT INTO counter_payments (id, challan_id, challan_no, district, department, amount_paisa, payer_name, reference, paid_on, requested_by, \
     requested_at, status, decided_by, decided_at, note, receipt_no) VALUES ",
    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'approved', ?, ?, NULL, ?)",
);
const REQUESTS: (&str, &str) = (
    "INSERT INTO cancellation_requests (id, challan_id, challan_no, district, department, reason, requested_by, requested_by_username, requested_at, \
     state, decided_by, decided_by_username, decided_at, decision_note, kind) VALUES ",
    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
);
const REVOCATIONS: (&str, &str) = ("INSERT INTO revocations (challan_no, revoked_at) VALUES ", "(?, ?)");
const INQUIRIES: (&str, &str) = ("INSERT INTO bill_inquiries (challan_no, bank, at) VALUES ", "(?, ?, ?)");
const OPS: (&str, &str) = (
    "INSERT INTO sync_ops (op_id, device_id, counter, op_hash, prev_hash, kind, status, challan_no, reason, signed_payload, sig, issued_at, received_at) \
     VALUES ",
    "(?, ?, ?, ?, ?, 'challan.issue', 'accepted', ?, NULL, ?, ?, ?, ?)",
);

/// Binds one row's values in column order, from a given parameter on.
struct Row<'a, 's> {
    stmt: &'a mut Statement<'s>,
    next: usize,
}

impl Row<'_, '_> {
    fn put<T: ToSql>(&mut self, value: T) -> rusqlite::Result<()> {
        self.next += 1;
        self.stmt.raw_bind_parameter(self.next, value)
    }

    fn id(&mut self, id: &Uuid) -> rusqlite::Result<()> {
        let mut text = Uuid::encode_buffer();
        self.put(&*id.hyphenated().encode_lower(&mut text))
    }
}

/// One table's `INSERT` of [`ROWS_PER_INSERT`] rows, prepared once.
struct Table<'c> {
    conn: &'c Connection,
    sql: (&'static str, &'static str),
    params: usize,
    full: Statement<'c>,
}

fn many(sql: (&str, &str), rows: usize) -> String {
    format!("{}{}", sql.0, vec![sql.1; rows].join(", "))
}

impl<'c> Table<'c> {
    fn new(conn: &'c Connection, sql: (&'static str, &'static str)) -> rusqlite::Result<Self> {
        Ok(Self { conn, sql, params: sql.1.matches('?').count(), full: conn.prepare(&many(sql, ROWS_PER_INSERT))? })
    }

    fn insert<T>(&mut self, rows: &[T], bind: impl Fn(&mut Row<'_, '_>, &T) -> rusqlite::Result<()>) -> rusqlite::Result<()> {
        let (conn, sql, params) = (self.conn, self.sql, self.params);
        for chunk in rows.chunks(ROWS_PER_INSERT) {
            let mut rest;
            let stmt = if chunk.len() == ROWS_PER_INSERT {
                &mut self.full
            } else {
                rest = conn.prepare_cached(&many(sql, chunk.len()))?;
                &mut *rest
            };
            for (i, row) in chunk.iter().enumerate() {
                bind(&mut Row { stmt, next: i * params }, row)?;
            }
            stmt.raw_execute()?;
        }
        Ok(())
    }
}

pub(super) struct Writer<'c> {
    conn: &'c Connection,
    accounts: &'c Accounts,
    challans: Table<'c>,
    events: Table<'c>,
    transfers: Table<'c>,
    payments: Table<'c>,
    online: Table<'c>,
    counters: Table<'c>,
    requests: Table<'c>,
    revocations: Table<'c>,
    inquiries: Table<'c>,
    ops: Table<'c>,
}

impl<'c> Writer<'c> {
    pub(super) fn new(conn: &'c Connection, accounts: &'c Accounts) -> rusqlite::Result<Self> {
        Ok(Self {
            conn,
            accounts,
            challans: Table::new(conn, CHALLANS)?,
            events: Table::new(conn, EVENTS)?,
            transfers: Table::new(conn, TRANSFERS)?,
            payments: Table::new(conn, PAYMENTS)?,
            online: Table::new(conn, ONLINE)?,
            counters: Table::new(conn, COUNTERS)?,
            requests: Table::new(conn, REQUESTS)?,
            revocations: Table::new(conn, REVOCATIONS)?,
            inquiries: Table::new(conn, INQUIRIES)?,
            ops: Table::new(conn, OPS)?,
        })
    }

    pub(super) fn begin(&self) -> anyhow::Result<()> {
        Ok(self.conn.execute_batch("BEGIN")?)
    }

    pub(super) fn commit(&self) -> anyhow::Result<()> {
        Ok(self.conn.execute_batch("COMMIT")?)
    }

    /// Every row of a lot of challans' lives.
    pub(super) fn write(&mut self, lot: &[Life]) -> anyhow::Result<()> {
        self.challans.insert(lot, challan)?;
        let events: Vec<(&Life, &Event)> = lot.iter().flat_map(|l| l.events.iter().map(move |e| (l, e))).collect();
        self.events.insert(&events, |r, (l, e)| {
            r.put(&l.id_text)?;
            r.put(e.at)?;
            r.put(e.kind)?;
            r.put(&*e.actor)?;
            r.put(e.status)?;
            r.put(&e.note)
        })?;
        let accounts = self.accounts;
        let transfers: Vec<(&Life, &TransferRow)> = lot.iter().flat_map(|l| l.transfers.iter().map(move |t| (l, t))).collect();
        self.transfers.insert(&transfers, |r, (l, t)| {
            r.id(&t.id)?;
            r.id(&t.event_id)?;
            r.put(t.code.as_str())?;
            r.put(&accounts.names[t.debit as usize])?;
            r.put(&accounts.names[t.credit as usize])?;
            r.put(t.amount)?;
            r.put(&l.no)?;
            match &t.reverses {
                Some(id) => r.id(id)?,
                None => r.put(rusqlite::types::Null)?,
            }
            r.put(t.at)
        })?;
        self.payments(lot)?;
        let requests: Vec<(&Life, &Relief)> = lot.iter().filter_map(|l| l.relief.as_ref().map(|r| (l, r))).collect();
        self.requests.insert(&requests, request)?;
        let revoked: Vec<(&Life, i64)> = lot.iter().filter_map(|l| l.revoked_at.map(|at| (l, at))).collect();
        self.revocations.insert(&revoked, |r, (l, at)| {
            r.put(&l.no)?;
            r.put(at)
        })?;
        let inquiries: Vec<(&Life, &(&str, i64))> = lot.iter().flat_map(|l| l.inquiries.iter().map(move |i| (l, i))).collect();
        self.inquiries.insert(&inquiries, |r, (l, (bank, at))| {
            r.put(&l.no)?;
            r.put(bank)?;
            r.put(at)
        })?;
        let ops: Vec<(&Life, &SyncOp)> = lot.iter().filter_map(|l| l.sync_op.as_ref().map(|o| (l, o))).collect();
        self.ops.insert(&ops, |r, (l, op)| {
            r.id(&op.op_id)?;
            r.id(&op.device_id)?;
            r.put(op.counter)?;
            r.put(op.op_hash.as_slice())?;
            r.put(op.prev_hash.as_ref().map(|h| h.as_slice()))?;
            r.put(&l.no)?;
            r.put(&op.payload)?;
            r.put(&op.sig)?;
            r.put(op.issued_at)?;
            r.put(op.received_at)
        })?;
        Ok(())
    }

    fn payments(&mut self, lot: &[Life]) -> anyhow::Result<()> {
        let payments: Vec<(&Life, &Payment)> = lot.iter().flat_map(|l| l.payments.iter().map(move |p| (l, p))).collect();
        self.payments.insert(&payments, |r, (l, p)| {
            let p = &p.record;
            r.id(&p.id)?;
            r.put(p.receipt_no.digits())?;
            r.put(&l.id_text)?;
            r.put(&l.no)?;
            r.put(p.channel.as_str())?;
            r.put(p.holder.as_str())?;
            r.put(&p.reference)?;
            r.put(p.amount_paisa)?;
            r.put(p.surcharge_paisa)?;
            r.put(p.paid_on.to_string())?;
            r.put(p.paid_at.as_microsecond())?;
            r.put(p.received_at.as_microsecond())?;
            r.put(&p.recorded_by)?;
            r.put(&p.approved_by)?;
            r.put(p.fingerprint.as_slice())?;
            r.id(&p.event_id)?;
            r.put(p.reversed_at.map(|t| t.as_microsecond()))?;
            r.put(p.reversal_fingerprint.as_ref().map(|f| f.as_slice()))?;
            r.put(p.deposited_at.map(|t| t.as_microsecond()))?;
            r.put(&p.statement_id)?;
            r.put(&p.seal)
        })?;
        let online: Vec<_> = payments.iter().filter(|(_, p)| matches!(p.channel_row, ChannelRow::Online { .. })).collect();
        self.online.insert(&online, |r, (l, p)| {
            let ChannelRow::Online { id, created_at } = &p.channel_row else { return Ok(()) };
            r.id(id)?;
            r.put(&l.id_text)?;
            r.put(&l.no)?;
            r.put(p.record.amount_paisa)?;
            r.put(&p.record.reference)?;
            r.put(created_at)?;
            r.put(p.record.received_at.as_microsecond())?;
            r.put(p.record.receipt_no.digits())
        })?;
        let counters: Vec<_> = payments.iter().filter(|(_, p)| matches!(p.channel_row, ChannelRow::Counter { .. })).collect();
        self.counters.insert(&counters, |r, (l, p)| {
            let ChannelRow::Counter { id, department, payer_name, book_entry, requested_by, requested_at } = &p.channel_row else { return Ok(()) };
            r.id(id)?;
            r.put(&l.id_text)?;
            r.put(&l.no)?;
            r.put(p.record.holder.as_str())?;
            r.put(&**department)?;
            r.put(p.record.amount_paisa)?;
            r.put(payer_name)?;
            r.put(book_entry)?;
            r.put(p.record.paid_on.to_string())?;
            r.put(&**requested_by)?;
            r.put(requested_at)?;
            r.put(&p.record.approved_by)?;
            r.put(p.record.received_at.as_microsecond())?;
            r.put(p.record.receipt_no.digits())
        })?;
        Ok(())
    }
}

fn challan(r: &mut Row<'_, '_>, life: &Life) -> rusqlite::Result<()> {
    let c = &life.challan;
    let o = &c.offender;
    r.put(life.seq)?;
    r.put(&life.id_text)?;
    r.put(&life.no)?;
    r.put(c.issuer_no.get())?;
    r.put(c.challan_no.counter())?;
    r.put(c.status.as_str())?;
    r.put(&c.head_code)?;
    r.put(c.department.as_str())?;
    r.put(c.schedule_version)?;
    r.put(c.district.as_str())?;
    r.id(&c.officer_id)?;
    r.put(&c.officer_username)?;
    r.put(o.name.as_str())?;
    r.put(o.cnic.as_str())?;
    r.put(o.mobile.as_str())?;
    r.put(o.email.as_ref().map(|e| e.as_str()))?;
    r.put(o.vehicle_no.as_ref().map(|v| v.as_str()))?;
    r.put(o.business_name.as_ref().map(|b| b.as_str()))?;
    r.put(o.address.as_ref().map(|a| a.as_str()))?;
    r.put(c.location.lat)?;
    r.put(c.location.lon)?;
    r.put(c.location.text.as_str())?;
    r.put(c.issued_at.as_microsecond())?;
    r.put(&*life.issued_on)?;
    r.put(c.received_at.as_microsecond())?;
    r.put(c.amount_paisa)?;
    r.put(c.amount_after_due_paisa)?;
    r.put(&*life.due_on)?;
    r.put(&c.seal)?;
    r.put(o.language.map(|l| l.as_str()))
}

fn request(r: &mut Row<'_, '_>, (l, q): &(&Life, &Relief)) -> rusqlite::Result<()> {
    let c = &l.challan;
    let d = q.decision.as_ref();
    let state = match d {
        None => "pending",
        Some(d) if d.approve => "approved",
        Some(_) => "rejected",
    };
    r.id(&q.id)?;
    r.put(&l.id_text)?;
    r.put(&l.no)?;
    r.put(c.district.as_str())?;
    r.put(c.department.as_str())?;
    r.put(q.reason)?;
    r.id(&q.requested_by.0)?;
    r.put(&*q.requested_by.1)?;
    r.put(q.requested_at * 1_000_000)?;
    r.put(state)?;
    match d {
        Some(d) => r.id(&d.by.0)?,
        None => r.put(rusqlite::types::Null)?,
    }
    r.put(d.map(|d| &*d.by.1))?;
    r.put(d.map(|d| d.at * 1_000_000))?;
    r.put(d.map(|d| d.note))?;
    r.put(q.kind.as_str())
}
