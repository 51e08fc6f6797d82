//! The job that asks the gateway about online payments nobody has told us the end of:
//! callbacks get lost and payers close their browsers. Every [`RECHECK_INTERVAL`] it
//! takes up to [`MAX_RECHECK_BATCH`] payments the store lists as unsettled — pending
//! ones, and failed ones for an hour after they failed (a gateway may approve those
//! late) — asks the gateway where each stands, and applies the answer.
//!
//! Two payments are given up rather than asked about forever: one that never got a
//! gateway id (its creation went unanswered) after [`UNSENT_GIVE_UP_SECS`], and one the
//! gateway still calls pending after [`ABANDONED_AFTER_SECS`]. Giving up marks it failed;
//! a success reported later still settles it. A success that could not settle the
//! challan (an alert was raised) is left for a person.

use std::time::Duration;

use jiff::Timestamp;
use mahasil_store::{OnlinePayment, OnlineStatus, StoreError};
use tokio::task::JoinHandle;

use super::settle;
use crate::state::AppState;

/// How often the job runs.
pub const RECHECK_INTERVAL: Duration = Duration::from_secs(5);
/// Most payments asked about in one pass.
pub const MAX_RECHECK_BATCH: u32 = 100;
/// How long a payment may wait for its gateway id before it is given up, in seconds.
pub const UNSENT_GIVE_UP_SECS: i64 = 120;
/// How long a payment may stay pending at the gateway before it is given up, in seconds.
pub const ABANDONED_AFTER_SECS: i64 = 24 * 60 * 60;

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct RecheckReport {
    /// Payments the store listed.
    pub listed: usize,
    /// Payments recorded against their challan in this pass.
    pub settled: usize,
    /// Payments that became failed in this pass (by the gateway's word or given up).
    pub failed: usize,
    /// Payments still waiting for the gateway.
    pub waiting: usize,
    /// Successes left for a person (money that did not settle its challan).
    pub for_a_person: usize,
    /// Payments the gateway or the store could not be asked about this time.
    pub errors: usize,
}

/// Runs [`recheck_once`] every [`RECHECK_INTERVAL`] for as long as the node runs; ends at
/// once when no gateway is configured.
pub fn spawn_recheck(state: AppState) -> JoinHandle<()> {
    tokio::spawn(async move {
        if state.gateway.is_none() || state.config.gateway.is_none() {
            tracing::info!("no payment gateway configured: online payments are not re-checked");
            return;
        }
        let mut ticker = tokio::time::interval(RECHECK_INTERVAL);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            match recheck_once(&state, Timestamp::now()).await {
                Ok(report) if report.settled + report.failed + report.errors > 0 => tracing::info!(?report, "online payments re-checked"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "cannot list online payments to re-check"),
            }
        }
    })
}

/// One pass of the job at `now`. Errors about one payment are counted and logged, and
/// the pass goes on; only failing to list the payments is an error.
pub async fn recheck_once(state: &AppState, now: Timestamp) -> Result<RecheckReport, StoreError> {
    let mut report = RecheckReport::default();
    if state.gateway.is_none() || state.config.gateway.is_none() {
        return Ok(report);
    }
    let listed = state.store.pending_online_payments(now, MAX_RECHECK_BATCH).await?;
    report.listed = listed.len();
    for online in listed {
        if let Err(e) = recheck(state, &online, now, &mut report).await {
            report.errors += 1;
            tracing::warn!(online = %online.id, challan = %online.challan_no, error = %e, "cannot re-check an online payment");
        }
    }
    Ok(report)
}

async fn recheck(state: &AppState, online: &OnlinePayment, now: Timestamp, report: &mut RecheckReport) -> Result<(), String> {
    let age_secs = now.as_second() - online.created_at.as_second();
    let Some(gateway) = &state.gateway else { return Ok(()) };
    if online.status == OnlineStatus::Succeeded && online.receipt_no.is_none() && online.failure_reason.is_some() {
        report.for_a_person += 1;
        return Ok(());
    }
    let Some(payment_id) = &online.gateway_payment_id else {
        if online.status == OnlineStatus::Pending && age_secs > UNSENT_GIVE_UP_SECS {
            let reason = "the payment never reached the gateway";
            if settle::give_up(state, online.id, reason, now).await.map_err(|e| e.to_string())?.is_some() {
                report.failed += 1;
            }
        } else {
            report.waiting += 1;
        }
        return Ok(());
    };
    let reported = gateway.payment_status(payment_id).await.map_err(|e| e.to_string())?;
    let after = settle::apply(state, &reported, now).await.map_err(|e| e.to_string())?;
    match after.status {
        OnlineStatus::Succeeded if after.receipt_no.is_some() && online.receipt_no.is_none() => report.settled += 1,
        OnlineStatus::Succeeded if after.receipt_no.is_none() => report.for_a_person += 1,
        OnlineStatus::Failed if online.status == OnlineStatus::Pending => report.failed += 1,
        OnlineStatus::Pending if age_secs > ABANDONED_AFTER_SECS => {
            let reason = "abandoned: the gateway gave no outcome within 24 hours";
            if settle::give_up(state, online.id, reason, now).await.map_err(|e| e.to_string())?.is_some() {
                report.failed += 1;
            }
        }
        OnlineStatus::Pending => report.waiting += 1,
        OnlineStatus::Succeeded | OnlineStatus::Failed => {}
    }
    Ok(())
}
