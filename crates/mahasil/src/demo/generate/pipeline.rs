//! The bulk load runs as a pipeline over every core: one thread plans challans in issue
//! order (days in turn, each day's challans by time), signers seal this node's challans and
//! every receipt with the node's real keys (ECDSA is most of the work), and the calling
//! thread writes the lots to SQLite in that same order, so ids, numbers and `seq` grow
//! together and every index is appended at its end.

use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use anyhow::Context;
use mahasil_seal::Usage;
use mahasil_server::seals::claims::{challan_claims, receipt_claims};
use mahasil_server::seals::node::Active;
use rand::distributions::Distribution;

use super::anomalies::{Slot, Special};
use super::bulk::Writer;
use super::issue::{Memory, issue};
use super::manifest::Findings;
use super::rows::Life;
use super::world::{State, World};

/// Challans per lot handed from stage to stage.
const LOT: usize = 2_048;
/// Lots waiting between two stages, per signer.
const QUEUED_LOTS: usize = 4;
/// Challans written per transaction.
pub(super) const CHALLANS_PER_COMMIT: u64 = 100_000;

/// Plans every challan of the window, day by day, handing lots of [`LOT`] to `emit`.
fn plan_all(world: &World, state: &mut State, findings: &mut Findings, counts: &[u64], mut emit: impl FnMut(Vec<Life>) -> bool) -> anyhow::Result<()> {
    let mut memory = Memory::new(world.districts.len(), world.anomalies.pairs.len());
    let mut seq = 0i64;
    let mut lot = Vec::with_capacity(LOT);
    for (i, &n) in counts.iter().enumerate() {
        let day = world.first_day + i64::try_from(i)?;
        let after_drop = world.anomalies.drop.is_some_and(|(_, from)| day >= from);
        let pick = if after_drop { &world.district_pick_after_drop } else { &world.district_pick };
        let mut slots = Vec::with_capacity(usize::try_from(n)?);
        for _ in 0..n {
            let d = pick.sample(&mut state.rng);
            let officer = world.cast.desks[d].officers[world.officer_pick[d].sample(&mut state.rng)];
            slots.push(Slot { at: world.hours.moment(&mut state.rng, day), officer, special: Special::None });
        }
        world.anomalies.steer(&mut state.rng, day, &mut slots);
        slots.sort_by_key(|s| s.at);
        for slot in &slots {
            seq += 1;
            lot.push(issue(world, state, &mut memory, findings, slot, seq)?);
            if lot.len() == LOT && !emit(std::mem::replace(&mut lot, Vec::with_capacity(LOT))) {
                return Ok(());
            }
        }
    }
    if !lot.is_empty() {
        emit(lot);
    }
    Ok(())
}

/// Seals the node's challans of a lot (a device's came sealed) and every receipt.
fn seal(keys: &Active, lot: &mut [Life]) -> anyhow::Result<()> {
    for life in lot {
        if life.challan.seal.is_none() {
            let claims = challan_claims(&life.challan)?;
            life.challan.seal = Some(keys.key(Usage::Challan).sign(&claims)?);
        }
        for p in &mut life.payments {
            let claims = receipt_claims(&p.record, &life.challan)?;
            p.record.seal = keys.key(Usage::Receipt).sign(&claims)?;
        }
    }
    Ok(())
}

fn signer(keys: &Active, input: &Receiver<Vec<Life>>, output: &SyncSender<Vec<Life>>) -> anyhow::Result<()> {
    while let Ok(mut lot) = input.recv() {
        seal(keys, &mut lot)?;
        if output.send(lot).is_err() {
            break;
        }
    }
    Ok(())
}

/// Runs the pipeline; `written(n)` is told the running count of challans written.
pub(super) fn run(
    world: &World,
    state: &mut State,
    findings: &mut Findings,
    counts: &[u64],
    keys: &Arc<Active>,
    writer: &mut Writer<'_>,
    written: &dyn Fn(u64),
) -> anyhow::Result<()> {
    let signers = std::thread::available_parallelism().map_or(2, std::num::NonZero::get).max(1);
    std::thread::scope(|scope| {
        let mut to_signers = Vec::with_capacity(signers);
        let mut from_signers = Vec::with_capacity(signers);
        let mut signing = Vec::with_capacity(signers);
        for _ in 0..signers {
            let (tx_in, rx_in) = sync_channel::<Vec<Life>>(QUEUED_LOTS);
            let (tx_out, rx_out) = sync_channel::<Vec<Life>>(QUEUED_LOTS);
            let keys = Arc::clone(keys);
            signing.push(std::thread::Builder::new().name("generate-seal".into()).spawn_scoped(scope, move || signer(&keys, &rx_in, &tx_out))?);
            to_signers.push(tx_in);
            from_signers.push(rx_out);
        }
        let planner = std::thread::Builder::new().name("generate-plan".into()).spawn_scoped(scope, move || {
            let mut next = 0usize;
            plan_all(world, state, findings, counts, |lot| {
                let sent = to_signers[next % to_signers.len()].send(lot).is_ok();
                next += 1;
                sent
            })
        })?;
        let wrote = write_in_order(writer, &from_signers, written);
        drop(from_signers);
        let planned = planner.join().map_err(|_| anyhow::anyhow!("the planning thread failed"))?;
        for s in signing {
            s.join().map_err(|_| anyhow::anyhow!("a signing thread failed"))?.context("sealing")?;
        }
        planned.context("planning challans")?;
        wrote.context("writing challans")
    })
}

/// Takes the signers' lots in the order they were handed out, and writes them.
fn write_in_order(writer: &mut Writer<'_>, from_signers: &[Receiver<Vec<Life>>], written: &dyn Fn(u64)) -> anyhow::Result<()> {
    let mut count = 0u64;
    let mut next = 0usize;
    writer.begin()?;
    while let Ok(lot) = from_signers[next % from_signers.len()].recv() {
        next += 1;
        writer.write(&lot)?;
        let before = count;
        count += lot.len() as u64;
        if before / CHALLANS_PER_COMMIT != count / CHALLANS_PER_COMMIT {
            writer.commit()?;
            writer.begin()?;
        }
        written(count);
    }
    writer.commit()
}
