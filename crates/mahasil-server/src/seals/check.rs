//! Checking a seal online: the signature against this node's trust list, then the
//! challan's live status from the database. A cancelled challan's seal is `revoked` here
//! at once, without waiting for a revocation list.

use jiff::Timestamp;
use mahasil_domain::challan::ChallanStatus;
use mahasil_domain::time::local_date;
use mahasil_seal::{Outcome, SealError, Verification};
use mahasil_store::ChallanRecord;

use crate::error::ApiResult;
use crate::state::AppState;

/// What an online check found.
pub struct Checked {
    pub verification: Verification,
    /// The stored challan the seal names, when its signature verified.
    pub challan: Option<ChallanRecord>,
    pub live: Option<LiveStatus>,
}

/// A challan's status as of now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LiveStatus {
    pub status: ChallanStatus,
    /// Open and past its due date today (Pakistan time).
    pub overdue: bool,
}

impl LiveStatus {
    pub fn of(c: &ChallanRecord, now: Timestamp) -> Self {
        Self { status: c.status, overdue: c.status.is_overdue(c.due_date, local_date(now)) }
    }

    /// `unpaid`, `overdue`, `paid`, `cancelled`, `contested` or `waived`.
    pub fn label(self) -> &'static str {
        match self.status {
            _ if self.overdue => "overdue",
            ChallanStatus::Issued => "unpaid",
            other => other.as_str(),
        }
    }
}

/// Verifies the seal in `qr` (a `/V/` URL or token) and reads the live status.
pub async fn check(state: &AppState, qr: &str, now: Timestamp) -> ApiResult<Checked> {
    let active = state.seals.active();
    let mut verification = mahasil_seal::verify_qr(qr, &active.trust.list, None);
    if !verification.is_valid() {
        return Ok(Checked { verification, challan: None, live: None });
    }
    let Some(claims) = &verification.claims else { return Ok(Checked { verification, challan: None, live: None }) };
    let challan = state.store.challan_by_no(claims.challan_no()).await?;
    let live = challan.as_ref().map(|c| LiveStatus::of(c, now));
    if live.is_some_and(|l| l.status == ChallanStatus::Cancelled) {
        verification.outcome = Outcome::Revoked;
        verification.error = Some(SealError::Revoked("the challan is cancelled"));
    }
    Ok(Checked { verification, challan, live })
}
