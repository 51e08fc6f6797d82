//! A payment as each channel makes it: a bank (after a bill inquiry, mostly, with its
//! `tran_auth_id`), the online gateway (an online payment the citizen started), or a
//! district counter (entered by one treasury user and approved by another). The amount is
//! what the challan demands on the day paid; the receipt takes this node's next number;
//! a few bank payments are reversed the same day (and often paid again days later); the
//! money reaches the treasury statement a day or two after it was paid.

use std::sync::Arc;

use mahasil_domain::challan::ChallanStatus;
use mahasil_domain::challan_no::ChallanNo;
use mahasil_domain::jurisdiction::Slug;
use mahasil_ledger::Channel;
use mahasil_store::PaymentRecord;
use rand::Rng;
use rand::distributions::Distribution;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::calendar::{day_of, day_start};
use super::rows::{ChannelRow, Code, Life, Payment, Reversed};
use super::story::{Challan, bank_name, channel, event, office_moment, post};
use super::world::{DAY, HOUR, MINUTE, State, World, secs, timestamp, us};

/// Share of bank payments a bill inquiry comes just before.
const INQUIRY_BEFORE_BANK_PAYMENT: f64 = 0.85;
/// Share of bank payments reversed, and of those paid again later.
const REVERSAL_RATE: f64 = 0.003;
const REPAID_AFTER_REVERSAL: f64 = 0.6;

/// When a payment is to be made.
#[derive(Debug, Clone, Copy)]
pub(super) struct Paying {
    pub day: i64,
    /// Nothing before this moment (the challan's issue, a rejected request's decision).
    pub not_before: i64,
    pub may_reverse: bool,
}

/// Who took the money and how they name it.
struct Taken {
    channel: Channel,
    holder: Slug,
    /// Index of the holder among its channel's clearing accounts.
    holder_index: usize,
    actor: Arc<str>,
    recorded_by: String,
    approved_by: Option<String>,
    reference: String,
    paid_at: i64,
    received_at: i64,
    row: ChannelRow,
    bank: Option<&'static str>,
}

fn sha256(text: &str) -> [u8; 32] {
    Sha256::digest(text.as_bytes()).into()
}

fn taken(world: &World, state: &mut State, c: &Challan, p: Paying, channel: Channel) -> anyhow::Result<Taken> {
    match channel {
        Channel::Bank => {
            let b = world.bank_pick.sample(&mut state.rng);
            let paid_at = office_moment(state, p.day, p.not_before, 8, 22);
            state.bank_references[b] += 1;
            let reference = format!("{:08}{:04}", state.bank_references[b] % 100_000_000, state.rng.gen_range(0..10_000));
            let (holder, actor) = world.banks[b].clone();
            Ok(Taken {
                channel,
                holder,
                holder_index: b,
                recorded_by: actor.to_string(),
                actor,
                approved_by: None,
                reference,
                paid_at,
                received_at: paid_at + secs(&mut state.rng, 1, 5),
                row: ChannelRow::Bank,
                bank: Some(bank_name(b)),
            })
        }
        Channel::Gateway => {
            let paid_at = office_moment(state, p.day, p.not_before, 7, 24);
            state.gateway_references += 1;
            let reference = format!("pay_{:010x}{:06x}", state.gateway_references, state.rng.gen_range(0..0x100_0000));
            let created_at = (paid_at - secs(&mut state.rng, MINUTE, 10 * MINUTE)).max(p.not_before);
            let row = ChannelRow::Online { id: state.uuid_at(created_at), created_at: us(created_at) };
            Ok(Taken {
                channel,
                holder: world.gateway.clone(),
                holder_index: 0,
                actor: Arc::clone(&world.gateway_actor),
                recorded_by: world.gateway_actor.to_string(),
                approved_by: None,
                reference,
                paid_at,
                received_at: paid_at + secs(&mut state.rng, 2, 60),
                row,
                bank: None,
            })
        }
        Channel::Counter => {
            let district = c.facet.district;
            let desk = &world.cast.desks[district];
            let (first, second) = (&desk.treasury[0], &desk.treasury[1]);
            let (entered, approver) = if state.rng.gen_bool(0.5) { (first, second) } else { (second, first) };
            let requested_at = office_moment(state, p.day, p.not_before, 9, 16);
            let decided_at = requested_at + secs(&mut state.rng, 10 * MINUTE, 3 * HOUR);
            let id = state.uuid_at(requested_at);
            state.counter_entries += 1;
            let row = ChannelRow::Counter {
                id,
                department: Arc::clone(&c.department),
                payer_name: c.offender_name.clone(),
                book_entry: format!(
                    "RB-{}-{:06}",
                    world.districts[district].field.plate_series.first().copied().unwrap_or("KP"),
                    state.counter_entries % 1_000_000
                ),
                requested_by: Arc::clone(&entered.username),
                requested_at: us(requested_at),
            };
            Ok(Taken {
                channel,
                holder: world.districts[district].slug.clone(),
                holder_index: district,
                actor: Arc::clone(&approver.username),
                recorded_by: entered.username.to_string(),
                approved_by: Some(approver.username.to_string()),
                reference: id.to_string(),
                paid_at: requested_at,
                received_at: decided_at,
                row,
                bank: None,
            })
        }
    }
}

/// Pays the challan on `p.day` through a channel of the usual mix; false if the payment
/// would come after generation started, or was reversed and not made again.
pub(super) fn pay(world: &World, state: &mut State, c: &Challan, life: &mut Life, p: Paying) -> anyhow::Result<bool> {
    let channel = channel(state);
    let t = taken(world, state, c, p, channel)?;
    if t.received_at >= world.now - HOUR {
        return Ok(false);
    }
    let paid_day = day_of(t.paid_at);
    let (due, surcharge) = if paid_day > c.due_day { (c.after_due, c.after_due - c.amount) } else { (c.amount, 0) };
    let receipt_no = ChallanNo::new(world.node_issuer, state.next_node_counter())?;
    let event_id = state.uuid_at(t.received_at);
    let (head, district) = (c.facet.head, c.facet.district);
    let clearing = world.accounts.clearing(t.channel, t.holder_index);
    let receivable = world.accounts.receivable(head, district);
    let surcharge_id = (surcharge > 0)
        .then(|| post(state, c, life, (t.received_at, Code::Surcharge, receivable, world.accounts.revenue(head, district), surcharge), Some(event_id), None));
    let received_id = post(state, c, life, (t.received_at, Code::PaymentReceived, clearing, receivable, due), Some(event_id), None);
    let fingerprint = sha256(&format!("{}\n{}\n{}\n{}\n{due}\n{}", t.channel.as_str(), t.holder, t.reference, c.no.digits(), t.paid_at));
    let mut record = PaymentRecord {
        id: state.uuid_at(t.paid_at),
        receipt_no,
        challan_id: c.id,
        challan_no: c.no,
        channel: t.channel,
        holder: t.holder.clone(),
        reference: t.reference.clone(),
        amount_paisa: due,
        surcharge_paisa: surcharge,
        overpaid_paisa: 0,
        paid_on: world.dates.date(paid_day)?,
        paid_at: timestamp(t.paid_at)?,
        received_at: timestamp(t.received_at)?,
        recorded_by: t.recorded_by.clone(),
        approved_by: t.approved_by.clone(),
        fingerprint,
        event_id,
        reversed_at: None,
        reversal_fingerprint: None,
        deposited_at: None,
        statement_id: None,
        seal: Vec::new(),
    };
    let note = format!("{} {} {}, receipt {receipt_no}", t.channel.as_str(), t.holder, t.reference);
    life.events.push(event(t.received_at, "paid", &t.actor, ChallanStatus::Paid, Some(note)));
    life.challan.status = ChallanStatus::Paid;
    state.tally.payments += 1;
    if surcharge > 0 {
        state.tally.surcharged += 1;
    }
    if let Some(bank) = t.bank
        && state.rng.gen_bool(INQUIRY_BEFORE_BANK_PAYMENT)
    {
        let at = (t.paid_at - secs(&mut state.rng, MINUTE, 15 * MINUTE)).max(c.received_s + MINUTE);
        life.inquiries.push((bank, us(at)));
        state.tally.inquiries += 1;
    }
    let reversed_at = t.received_at + secs(&mut state.rng, 20 * MINUTE, 6 * HOUR);
    if t.channel == Channel::Bank && p.may_reverse && state.rng.gen_bool(REVERSAL_RATE) && reversed_at < world.now - HOUR {
        reverse(world, state, c, life, &mut record, &t, (received_id, surcharge_id, due, surcharge), reversed_at);
        life.payments.push(Payment { record, channel_row: t.row });
        if state.rng.gen_bool(REPAID_AFTER_REVERSAL) {
            let again = Paying { day: day_of(reversed_at) + state.rng.gen_range(1..=5), not_before: reversed_at, may_reverse: false };
            return pay(world, state, c, life, again);
        }
        return Ok(false);
    }
    deposit(world, state, c, life, &mut record, clearing, paid_day)?;
    life.payments.push(Payment { record, channel_row: t.row });
    Ok(true)
}

/// The bank's reversal the same day: each transfer of the payment reversed (the latest
/// first), the challan open again.
#[expect(clippy::too_many_arguments, reason = "the payment as posted and the challan it was for")]
fn reverse(
    world: &World,
    state: &mut State,
    c: &Challan,
    life: &mut Life,
    record: &mut PaymentRecord,
    t: &Taken,
    posted: (Uuid, Option<Uuid>, i64, i64),
    at: i64,
) {
    let (received_id, surcharge_id, due, surcharge) = posted;
    let (head, district) = (c.facet.head, c.facet.district);
    let clearing = world.accounts.clearing(t.channel, t.holder_index);
    let receivable = world.accounts.receivable(head, district);
    post(state, c, life, (at, Code::Reversal(Reversed::PaymentReceived), receivable, clearing, due), None, Some(received_id));
    if let Some(id) = surcharge_id {
        post(state, c, life, (at, Code::Reversal(Reversed::Surcharge), world.accounts.revenue(head, district), receivable, surcharge), None, Some(id));
    }
    record.reversed_at = timestamp(at).ok();
    record.reversal_fingerprint = Some(sha256(&format!("reversal\n{}\n{}\n{}", t.holder, t.reference, c.no.digits())));
    let note = format!("payment {} reversed by {} {}", record.receipt_no, t.channel.as_str(), t.holder);
    life.events.push(event(at, "payment_reversed", &t.actor, ChallanStatus::Issued, Some(note)));
    life.challan.status = ChallanStatus::Issued;
    state.tally.reversals += 1;
}

/// The treasury statement of the day after (sometimes two or three days after) the
/// payment shows the money; it is imported the next morning. Money whose statement is
/// not imported yet is still in transit.
fn deposit(world: &World, state: &mut State, c: &Challan, life: &mut Life, record: &mut PaymentRecord, clearing: u32, paid_day: i64) -> anyhow::Result<()> {
    let credit_day = paid_day
        + match state.rng.gen_range(0..100) {
            0..75 => 1,
            75..95 => 2,
            _ => 3,
        };
    let imported_at = import_time(credit_day);
    if imported_at >= world.now - DAY / 24 {
        return Ok(());
    }
    post(state, c, life, (imported_at, Code::Deposited, world.accounts.treasury(), clearing, record.amount_paisa), None, None);
    record.deposited_at = Some(timestamp(imported_at)?);
    record.statement_id = Some(statement_id(&world.dates.text(credit_day)?));
    let day = state.books.deposits.entry(credit_day).or_insert((0, 0));
    day.0 += 1;
    day.1 += record.amount_paisa;
    state.tally.deposited += 1;
    Ok(())
}

/// When the statement of `credit_day` is imported: the next morning, one import for every
/// line of it.
pub(super) fn import_time(credit_day: i64) -> i64 {
    day_start(credit_day + 1) + 10 * HOUR + (credit_day * 7_919).rem_euclid(HOUR)
}

/// The statement of a day, as the bank numbers it: `STMT` and the date.
pub(super) fn statement_id(date: &str) -> String {
    format!("STMT{}", date.replace('-', ""))
}
