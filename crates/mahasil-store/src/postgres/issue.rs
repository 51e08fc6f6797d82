//! Issuing challans in bulk: for a whole batch, one counter update per statement for all
//! its issuers, one insert of every challan with its `issued` event, and audit entries
//! hashed in memory from the chain head the batch holds.

use jiff::Timestamp;
use mahasil_domain::challan::ChallanDraft;
use mahasil_domain::challan_no::{ChallanNo, IssuerNo};
use mahasil_domain::identity::{Email, Text, VehicleNo};
use mahasil_domain::notice::Language;
use mahasil_domain::time::local_date;
use sqlx::Row;

use super::audit_log::json;
use super::issuers::issuer_no_param;
use super::types::{PgDate, PgTime, to_micros};
use super::writer::Tx;
use crate::records::{Actor, ChallanRecord, Sealer};
use crate::{Result, StoreError};

/// One `issue_challan` call.
pub(super) struct IssueInput {
    pub(super) draft: ChallanDraft,
    pub(super) issuer: IssuerNo,
    pub(super) actor: Actor,
    pub(super) received_at: Timestamp,
    pub(super) sealer: Sealer,
}

/// Issues every input; an input whose issuer does not exist fails alone (`NotFound`).
/// Any other failure fails the whole call, and the caller retries the inputs one by one.
pub(super) async fn issue_many(tx: &mut Tx, inputs: &[&IssueInput]) -> Result<Vec<Result<ChallanRecord>>> {
    let mut wanted: Vec<(IssuerNo, i32)> = Vec::new();
    for input in inputs {
        match wanted.iter_mut().find(|(issuer, _)| *issuer == input.issuer) {
            Some((_, n)) => *n += 1,
            None => wanted.push((input.issuer, 1)),
        }
    }
    let issuer_params = wanted.iter().map(|(issuer, _)| issuer_no_param(*issuer)).collect::<Result<Vec<_>>>()?;
    let rows = sqlx::query(
        "UPDATE issuers AS i SET last_counter = i.last_counter + v.n
         FROM UNNEST($1::int4[], $2::int4[]) AS v(issuer_no, n)
         WHERE i.issuer_no = v.issuer_no
         RETURNING i.issuer_no, i.last_counter",
    )
    .bind(issuer_params)
    .bind(wanted.iter().map(|(_, n)| *n).collect::<Vec<_>>())
    .fetch_all(&mut tx.conn)
    .await?;
    // The next counter of each issuer that exists: its new last counter minus what we took.
    let mut next: Vec<(u32, u32)> = Vec::with_capacity(rows.len());
    for row in &rows {
        let (issuer, last): (i32, i32) = (row.try_get("issuer_no")?, row.try_get("last_counter")?);
        let taken = wanted.iter().find(|(w, _)| i64::from(w.get()) == i64::from(issuer)).map_or(0, |(_, n)| *n);
        let first = u32::try_from(last - taken + 1).map_err(|_| StoreError::Corrupt(format!("counter of issuer {issuer}")))?;
        next.push((u32::try_from(issuer).map_err(|_| StoreError::Corrupt(format!("issuer {issuer}")))?, first));
    }
    let mut outcomes = Vec::with_capacity(inputs.len());
    for input in inputs {
        let Some((_, counter)) = next.iter_mut().find(|(issuer, _)| *issuer == input.issuer.get()) else {
            outcomes.push(Err(StoreError::NotFound(format!("issuer {}", input.issuer))));
            continue;
        };
        let challan_no = ChallanNo::new(input.issuer, *counter)?;
        *counter += 1;
        let mut r = record(input, challan_no);
        // A challan that cannot be sealed is never stored: failing the whole call makes the
        // caller retry each input alone, so only this one fails and its counter is undone.
        r.seal = Some(crate::records::seal_with(&input.sealer, &r)?);
        outcomes.push(Ok(r));
    }
    let mut numbered = Vec::with_capacity(outcomes.len());
    for (input, outcome) in inputs.iter().zip(&outcomes) {
        if let Ok(record) = outcome {
            numbered.push(Numbered { record, actor: &input.actor, audit_after: json(record)? });
        }
    }
    store_numbered(tx, numbered).await?;
    Ok(outcomes)
}

/// A challan already numbered (its issuer's counter taken) and sealed, who issued it, and
/// the after-JSON of its audit entry.
pub(super) struct Numbered<'a> {
    pub(super) record: &'a ChallanRecord,
    pub(super) actor: &'a Actor,
    pub(super) audit_after: String,
}

/// Stores numbered challans: the rows with their `issued` events, their CHALLAN_ISSUED
/// postings and an audit entry each. Every issue goes through here, whoever numbered the
/// challan (this node, or a field device offline).
pub(super) async fn store_numbered(tx: &mut Tx, numbered: Vec<Numbered<'_>>) -> Result<()> {
    let records: Vec<&ChallanRecord> = numbered.iter().map(|n| n.record).collect();
    insert(tx, &records).await?;
    let mut postings = Vec::with_capacity(records.len());
    for r in &records {
        postings.extend(crate::ledger::issued(r)?);
    }
    super::ledger::insert(&mut tx.conn, &postings).await?;
    for n in numbered {
        tx.audit(n.record.received_at, n.actor, "challan.issue", format!("challan:{}", n.record.challan_no), "null".into(), n.audit_after);
    }
    Ok(())
}

fn record(input: &IssueInput, challan_no: ChallanNo) -> ChallanRecord {
    let mut r = ChallanRecord::issued(&input.draft, challan_no, input.issuer, to_micros(input.received_at));
    r.issued_at = to_micros(r.issued_at);
    r
}

/// Inserts the challans and their `issued` events in one statement.
async fn insert(tx: &mut Tx, records: &[&ChallanRecord]) -> Result<()> {
    if records.is_empty() {
        return Ok(());
    }
    let ints = |f: fn(&ChallanRecord) -> u32| {
        records.iter().map(|r| i32::try_from(f(r)).map_err(|_| StoreError::Corrupt("number out of range".into()))).collect::<Result<Vec<i32>>>()
    };
    let strs = |f: fn(&ChallanRecord) -> &str| records.iter().map(|r| f(r)).collect::<Vec<&str>>();
    let opt_strs = |f: fn(&ChallanRecord) -> Option<&str>| records.iter().map(|r| f(r)).collect::<Vec<Option<&str>>>();
    sqlx::query(
        "WITH inserted AS (
            INSERT INTO challans (id, challan_no, issuer_no, counter, status, head_code, department, schedule_version,
                district, officer_id, officer_username, offender_name, cnic, mobile, email, vehicle_no, business_name,
                address, lat, lon, location_text, issued_at, issued_on, received_at, amount_paisa,
                amount_after_due_paisa, due_date, seal, language)
            SELECT u.id, u.challan_no, u.issuer_no, u.counter, 'issued', u.head_code, u.department, u.schedule_version,
                u.district, u.officer_id, u.officer_username, u.offender_name, u.cnic, u.mobile, u.email, u.vehicle_no,
                u.business_name, u.address, u.lat, u.lon, u.location_text, u.issued_at, u.issued_on, u.received_at,
                u.amount_paisa, u.amount_after_due_paisa, u.due_date, u.seal, u.language
            FROM UNNEST($1::uuid[], $2::text[], $3::int4[], $4::int4[], $5::text[], $6::text[], $7::int4[],
                $8::text[], $9::uuid[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[],
                $16::text[], $17::text[], $18::float8[], $19::float8[], $20::text[], $21::timestamptz[], $22::date[],
                $23::timestamptz[], $24::int8[], $25::int8[], $26::date[], $27::bytea[], $28::text[])
                AS u(id, challan_no, issuer_no, counter, head_code, department, schedule_version, district, officer_id,
                     officer_username, offender_name, cnic, mobile, email, vehicle_no, business_name, address, lat, lon,
                     location_text, issued_at, issued_on, received_at, amount_paisa, amount_after_due_paisa, due_date, seal,
                     language)
            RETURNING id, issued_at, officer_username
        )
        INSERT INTO challan_events (challan_id, at, kind, actor, status, note)
        SELECT id, issued_at, 'issued', officer_username, 'issued', NULL FROM inserted",
    )
    .bind(records.iter().map(|r| r.id).collect::<Vec<_>>())
    .bind(records.iter().map(|r| r.challan_no.digits()).collect::<Vec<_>>())
    .bind(ints(|r| r.issuer_no.get())?)
    .bind(ints(|r| r.challan_no.counter())?)
    .bind(strs(|r| &r.head_code))
    .bind(strs(|r| r.department.as_str()))
    .bind(ints(|r| r.schedule_version)?)
    .bind(strs(|r| r.district.as_str()))
    .bind(records.iter().map(|r| r.officer_id).collect::<Vec<_>>())
    .bind(strs(|r| &r.officer_username))
    .bind(strs(|r| r.offender.name.as_str()))
    .bind(strs(|r| r.offender.cnic.as_str()))
    .bind(strs(|r| r.offender.mobile.as_str()))
    .bind(opt_strs(|r| r.offender.email.as_ref().map(Email::as_str)))
    .bind(opt_strs(|r| r.offender.vehicle_no.as_ref().map(VehicleNo::as_str)))
    .bind(opt_strs(|r| r.offender.business_name.as_ref().map(Text::as_str)))
    .bind(opt_strs(|r| r.offender.address.as_ref().map(Text::as_str)))
    .bind(records.iter().map(|r| r.location.lat).collect::<Vec<_>>())
    .bind(records.iter().map(|r| r.location.lon).collect::<Vec<_>>())
    .bind(strs(|r| r.location.text.as_str()))
    .bind(records.iter().map(|r| PgTime(r.issued_at)).collect::<Vec<_>>())
    .bind(records.iter().map(|r| PgDate(local_date(r.issued_at))).collect::<Vec<_>>())
    .bind(records.iter().map(|r| PgTime(r.received_at)).collect::<Vec<_>>())
    .bind(records.iter().map(|r| r.amount_paisa).collect::<Vec<_>>())
    .bind(records.iter().map(|r| r.amount_after_due_paisa).collect::<Vec<_>>())
    .bind(records.iter().map(|r| PgDate(r.due_date)).collect::<Vec<_>>())
    .bind(records.iter().map(|r| r.seal.as_deref()).collect::<Vec<_>>())
    .bind(opt_strs(|r| r.offender.language.map(Language::as_str)))
    .execute(&mut tx.conn)
    .await?;
    Ok(())
}
