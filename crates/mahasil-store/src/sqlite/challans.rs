//! Challans in SQLite: issuer numbers and counters, issuing (numbering, storing, the first
//! event and the audit entry in one job), reading one challan and its history.

use jiff::Timestamp;
use mahasil_domain::challan::{ChallanDraft, ChallanStatus, Location, Offender};
use mahasil_domain::challan_no::{ChallanNo, IssuerNo, MAX_COUNTER};
use mahasil_domain::identity::{Cnic, Email, Mobile, Text, VehicleNo};
use mahasil_domain::notice::Language;
use mahasil_domain::time::local_date;
use rusqlite::{Connection, OptionalExtension, Row, Transaction};
use uuid::Uuid;

use super::audit_log::{self, Change};
use super::rows::{self, conflict, micros};
use crate::error::{Result, StoreError};
use crate::records::{Actor, ChallanEvent, ChallanRecord, Sealer};

/// The first issuer number given to a server node; nodes count up from it.
pub const FIRST_NODE_ISSUER: u32 = 100_001;

// ----- issuers -----

pub(crate) fn node_issuer_lookup(conn: &Connection, node_name: &str) -> Result<Option<IssuerNo>> {
    let found: Option<(u32, String)> =
        conn.prepare_cached("SELECT issuer_no, kind FROM issuers WHERE name = ?1")?.query_row([node_name], |r| Ok((r.get(0)?, r.get(1)?))).optional()?;
    match found {
        None => Ok(None),
        Some((no, kind)) if kind == "node" => Ok(Some(rows::parsed("issuers.issuer_no", || IssuerNo::new(no))?)),
        Some((no, kind)) => Err(StoreError::Conflict(format!("issuer name {node_name} already belongs to {kind} {no}"))),
    }
}

/// The node's issuer number, allocating the next free node number on first use.
pub(crate) fn node_issuer(tx: &Transaction<'_>, node_name: &str, at: Timestamp) -> Result<IssuerNo> {
    if let Some(known) = node_issuer_lookup(tx, node_name)? {
        return Ok(known);
    }
    let highest: Option<u32> = tx.prepare_cached("SELECT max(issuer_no) FROM issuers WHERE kind = 'node'")?.query_row([], |r| r.get(0))?;
    let next = highest.map_or(FIRST_NODE_ISSUER, |h| h + 1).max(FIRST_NODE_ISSUER);
    let issuer = IssuerNo::new(next).map_err(|_| StoreError::Conflict("no node issuer numbers are left".into()))?;
    tx.prepare_cached("INSERT INTO issuers (issuer_no, kind, name, last_counter, created_at) VALUES (?1, 'node', ?2, 0, ?3)")?
        .execute(rusqlite::params![issuer.get(), node_name, micros(at)])
        .map_err(conflict(format!("issuer number {issuer} is already taken")))?;
    let after = serde_json::json!({ "issuer_no": issuer, "kind": "node", "name": node_name });
    let change = Change { action: "issuer.allocate", entity: format!("issuer:{issuer}"), before: "null".into(), after: rows::json(&after)? };
    audit_log::append(tx, &Actor::system(), at, &change)?;
    Ok(issuer)
}

pub(crate) fn issuer_counter(conn: &Connection, issuer: IssuerNo) -> Result<u32> {
    let last: Option<u32> = conn.prepare_cached("SELECT last_counter FROM issuers WHERE issuer_no = ?1")?.query_row([issuer.get()], |r| r.get(0)).optional()?;
    Ok(last.unwrap_or(0))
}

// ----- challans -----

pub(crate) const CHALLAN_COLUMNS: &str = "seq, id, issuer_no, counter, status, head_code, department, schedule_version, district, officer_id, officer_username, \
     offender_name, cnic, mobile, email, vehicle_no, business_name, address, lat, lon, location_text, issued_at, received_at, \
     amount_paisa, amount_after_due_paisa, due_date, seal, language";

fn opt_text<T>(column: &str, value: Option<String>, parse: impl FnOnce(&str) -> mahasil_domain::Result<T>) -> Result<Option<T>> {
    value.map(|v| rows::parsed(column, || parse(&v))).transpose()
}

/// A challan and its `seq` (the search cursor), from a row selected with [`CHALLAN_COLUMNS`].
pub(crate) fn challan_from_row(r: &Row<'_>) -> Result<(i64, ChallanRecord)> {
    let seq: i64 = r.get(0)?;
    let issuer: u32 = r.get(2)?;
    let counter: u32 = r.get(3)?;
    let issuer_no = rows::parsed("challans.issuer_no", || IssuerNo::new(issuer))?;
    let status: String = r.get(4)?;
    let name: String = r.get(11)?;
    let cnic: String = r.get(12)?;
    let mobile: String = r.get(13)?;
    let (lat, lon, location_text): (f64, f64, String) = (r.get(18)?, r.get(19)?, r.get(20)?);
    let offender = Offender {
        name: rows::parsed("challans.offender_name", || Text::parse(&name))?,
        cnic: rows::parsed("challans.cnic", || Cnic::parse(&cnic))?,
        mobile: rows::parsed("challans.mobile", || Mobile::parse(&mobile))?,
        email: opt_text("challans.email", r.get(14)?, Email::parse)?,
        vehicle_no: opt_text("challans.vehicle_no", r.get(15)?, VehicleNo::parse)?,
        business_name: opt_text("challans.business_name", r.get(16)?, Text::parse)?,
        address: opt_text("challans.address", r.get(17)?, Text::parse)?,
        language: opt_text("challans.language", r.get(27)?, Language::parse)?,
    };
    let location = rows::parsed("challans.location", || Location::new(lat, lon, Text::parse(&location_text)?))?;
    let record = ChallanRecord {
        id: rows::uuid("challans.id", &r.get::<_, String>(1)?)?,
        challan_no: rows::parsed("challans.counter", || ChallanNo::new(issuer_no, counter))?,
        issuer_no,
        status: rows::parsed("challans.status", || ChallanStatus::parse(&status))?,
        head_code: r.get(5)?,
        department: rows::slug("challans.department", &r.get::<_, String>(6)?)?,
        schedule_version: r.get(7)?,
        district: rows::slug("challans.district", &r.get::<_, String>(8)?)?,
        officer_id: rows::uuid("challans.officer_id", &r.get::<_, String>(9)?)?,
        officer_username: r.get(10)?,
        offender,
        location,
        issued_at: rows::timestamp("challans.issued_at", r.get(21)?)?,
        received_at: rows::timestamp("challans.received_at", r.get(22)?)?,
        amount_paisa: r.get(23)?,
        amount_after_due_paisa: r.get(24)?,
        due_date: rows::date("challans.due_date", &r.get::<_, String>(25)?)?,
        seal: r.get(26)?,
    };
    Ok((seq, record))
}

pub(crate) fn challan_by_no(conn: &Connection, no: ChallanNo) -> Result<Option<ChallanRecord>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {CHALLAN_COLUMNS} FROM challans WHERE challan_no = ?1"))?;
    let mut rows = stmt.query([no.digits()])?;
    Ok(rows.next()?.map(challan_from_row).transpose()?.map(|(_, c)| c))
}

pub(crate) fn challan(conn: &Connection, id: Uuid) -> Result<Option<ChallanRecord>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {CHALLAN_COLUMNS} FROM challans WHERE id = ?1"))?;
    let mut rows = stmt.query([id.to_string()])?;
    Ok(rows.next()?.map(challan_from_row).transpose()?.map(|(_, c)| c))
}

pub(crate) fn count(conn: &Connection) -> Result<u64> {
    let n: i64 = conn.prepare_cached("SELECT count(*) FROM challans")?.query_row([], |r| r.get(0))?;
    rows::count("count(challans)", n)
}

/// Takes the issuer's next counter; the update is undone with the job if anything fails.
pub(crate) fn next_counter(tx: &Transaction<'_>, issuer: IssuerNo) -> Result<u32> {
    let last: Option<u32> = tx.prepare_cached("SELECT last_counter FROM issuers WHERE issuer_no = ?1")?.query_row([issuer.get()], |r| r.get(0)).optional()?;
    let last = last.ok_or_else(|| StoreError::NotFound(format!("issuer {issuer}")))?;
    if last >= MAX_COUNTER {
        return Err(StoreError::Conflict(format!("issuer {issuer} has used every counter; it needs a new issuer number")));
    }
    let next = last + 1;
    tx.prepare_cached("UPDATE issuers SET last_counter = ?2 WHERE issuer_no = ?1")?.execute(rusqlite::params![issuer.get(), next])?;
    Ok(next)
}

const INSERT_CHALLAN: &str = "INSERT INTO challans (id, challan_no, issuer_no, counter, status, head_code, department, schedule_version, district, officer_id, officer_username, \
     offender_name, cnic, mobile, email, vehicle_no, business_name, address, lat, lon, location_text, issued_at, issued_on, received_at, \
     amount_paisa, amount_after_due_paisa, due_date, seal, language) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29)";

pub(crate) fn issue(tx: &Transaction<'_>, d: &ChallanDraft, issuer: IssuerNo, actor: &Actor, received_at: Timestamp, sealer: &Sealer) -> Result<ChallanRecord> {
    let counter = next_counter(tx, issuer)?;
    let challan_no = ChallanNo::new(issuer, counter)?;
    let mut record = ChallanRecord::issued(d, challan_no, issuer, received_at);
    record.seal = Some(crate::records::seal_with(sealer, &record)?);
    store_numbered(tx, &record, actor, rows::json(&record)?)?;
    Ok(record)
}

/// Stores a challan already numbered (its issuer's counter taken) and sealed: the row, its
/// offender keys, its CHALLAN_ISSUED postings, its `issued` event and an audit entry by
/// `actor` whose after-JSON is `audit_after`. Every issue goes through here, whoever
/// numbered the challan (this node, or a field device offline).
pub(crate) fn store_numbered(tx: &Transaction<'_>, record: &ChallanRecord, actor: &Actor, audit_after: String) -> Result<()> {
    let (challan_no, received_at) = (record.challan_no, record.received_at);
    let o = &record.offender;
    tx.prepare_cached(INSERT_CHALLAN)?
        .execute(rusqlite::params![
            record.id.to_string(),
            challan_no.digits(),
            record.issuer_no.get(),
            challan_no.counter(),
            record.status.as_str(),
            record.head_code,
            record.department.as_str(),
            record.schedule_version,
            record.district.as_str(),
            record.officer_id.to_string(),
            record.officer_username,
            o.name.as_str(),
            o.cnic.as_str(),
            o.mobile.as_str(),
            o.email.as_ref().map(Email::as_str),
            o.vehicle_no.as_ref().map(VehicleNo::as_str),
            o.business_name.as_ref().map(Text::as_str),
            o.address.as_ref().map(Text::as_str),
            record.location.lat,
            record.location.lon,
            record.location.text.as_str(),
            micros(record.issued_at),
            local_date(record.issued_at).to_string(),
            micros(received_at),
            record.amount_paisa,
            record.amount_after_due_paisa,
            record.due_date.to_string(),
            record.seal,
            o.language.map(Language::as_str),
        ])
        .map_err(|e| issue_conflict(e, record))?;
    super::offender_keys::add(tx, tx.last_insert_rowid(), o.cnic.as_str(), o.mobile.as_str(), o.vehicle_no.as_ref().map(VehicleNo::as_str))?;
    super::ledger::insert(tx, &crate::ledger::issued(record)?)?;
    append_event(tx, record.id, received_at, "issued", &actor.username, ChallanStatus::Issued, None)?;
    let change = Change { action: "challan.issue", entity: format!("challan:{challan_no}"), before: "null".into(), after: audit_after };
    audit_log::append(tx, actor, received_at, &change)
}

/// Names what an insert collided with: a reused id, or reference data it does not match.
fn issue_conflict(e: rusqlite::Error, record: &ChallanRecord) -> StoreError {
    let message = e.to_string();
    let what = if message.contains("challans.id") {
        format!("challan id {} is already stored", record.id)
    } else if message.contains("FOREIGN KEY") {
        format!(
            "challan refers to a head {} v{}, district {} or department {} that does not exist",
            record.head_code, record.schedule_version, record.district, record.department
        )
    } else {
        format!("challan {} conflicts with a stored one: {message}", record.challan_no)
    };
    conflict(what)(e)
}

/// Moves a challan to `status` (if it changed), with what that writes besides
/// (`crate::ledger::status_effects`), in the same transaction.
pub(crate) fn set_status(tx: &Transaction<'_>, challan: &ChallanRecord, status: ChallanStatus, at: Timestamp) -> Result<()> {
    if status == challan.status {
        return Ok(());
    }
    tx.prepare_cached("UPDATE challans SET status = ?2 WHERE id = ?1")?.execute(rusqlite::params![challan.id.to_string(), status.as_str()])?;
    let effects = crate::ledger::status_effects(status);
    if effects.revoke_seal {
        super::seals::revoke(tx, challan.challan_no, at)?;
    }
    if effects.waive {
        let existing = super::ledger::of_challan(tx, challan.challan_no)?;
        super::ledger::insert(tx, &crate::ledger::waived(&existing, challan.challan_no, at)?)?;
    }
    Ok(())
}

pub(crate) fn append_event(
    tx: &Transaction<'_>,
    challan_id: Uuid,
    at: Timestamp,
    kind: &str,
    actor: &str,
    status: ChallanStatus,
    note: Option<&str>,
) -> Result<()> {
    tx.prepare_cached("INSERT INTO challan_events (challan_id, at, kind, actor, status, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?.execute(rusqlite::params![
        challan_id.to_string(),
        micros(at),
        kind,
        actor,
        status.as_str(),
        note
    ])?;
    Ok(())
}

/// A challan's history, oldest first.
pub(crate) fn events(conn: &Connection, challan_id: Uuid) -> Result<Vec<ChallanEvent>> {
    let mut stmt = conn.prepare_cached("SELECT at, kind, actor, status, note FROM challan_events WHERE challan_id = ?1 ORDER BY seq")?;
    let mut rows = stmt.query([challan_id.to_string()])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let status: String = r.get(3)?;
        out.push(ChallanEvent {
            at: rows::timestamp("challan_events.at", r.get(0)?)?,
            kind: r.get(1)?,
            actor: r.get(2)?,
            status: rows::parsed("challan_events.status", || ChallanStatus::parse(&status))?,
            note: r.get(4)?,
        });
    }
    Ok(out)
}
