//! The citizen's side of mahasil, in English and Urdu, without signing in: find one's own
//! challan, see what is owed and what was paid, pay online through the gateway, download
//! a receipt, and contest the challan.
//!
//! | route | what |
//! |---|---|
//! | `GET /pay`, `POST /pay` | the look-up: challan number and the last 4 digits of the offender's CNIC or mobile |
//! | `GET /pay/{challan_no}?k=` | the challan's page: amounts, status, payments, Pay online, Contest |
//! | `POST /pay/{challan_no}/online` | starts an online payment and sends the payer to the gateway |
//! | `POST /pay/{challan_no}/contest` | files a contest with written grounds |
//! | `GET /pay/return?payment_id=` | where the gateway sends the payer back: the outcome |
//! | `GET /pay/receipt/{receipt_no}.pdf?k=` | the public copy of a receipt, A4 PDF |
//! | `POST /gateway/callback` | the gateway's signed status events |
//!
//! The rules, each a named constant below or in its module:
//!
//! - **Links.** Knowing a challan number is not enough to open its page: a look-up that
//!   matches answers with a link carrying `k`, an HMAC-SHA256 over the page's purpose, the
//!   number and an expiry [`LINK_LIFETIME_SECS`] (30 minutes) ahead, under a random key
//!   this node draws at start-up (`token`). A link from another node, or from before a
//!   restart, is refused (403) and the citizen looks the challan up again.
//! - **Look-up limits.** Failed look-ups are counted per client (the first
//!   `X-Forwarded-For` hop, else the peer address, else one shared key; IPv6 by /64) and
//!   per challan number: after [`MAX_FAILED_LOOKUPS_PER_CLIENT`] (10) failures from one
//!   client, or [`MAX_FAILED_LOOKUPS_PER_CHALLAN`] (5) on one number, within
//!   [`LOOKUP_WINDOW_SECS`] (15 minutes), look-ups answer 429 until the oldest failure ages
//!   out. `X-Forwarded-For` can be forged by a client that reaches this node directly; the
//!   per-number limit holds whatever address is claimed. A wrong number and wrong digits
//!   get the same answer, so neither is revealed.
//! - **Forms.** The pay and contest forms carry `k` in a hidden field and are refused
//!   without a valid one. These pages set no cookie, so a page on another site holds no
//!   credential it could ride on (and, with `SameSite` cookies elsewhere on the site,
//!   no staff session either): without `k` a cross-site POST is a 403.
//! - **Settling.** The gateway's word comes three ways — the payer's return, signed
//!   callbacks, and status queries — and each may settle a payment. Settling a success
//!   records the payment once (the store's key is the gateway, its payment id and the
//!   day), so any number of them may race. A `failed` never undoes a `succeeded`.
//! - **Re-checking** ([`spawn_recheck`], every [`RECHECK_INTERVAL`]): pending payments
//!   are asked about until decided; failed ones for an hour after they failed, since a
//!   gateway may still approve them late (the store lists those); a payment never sent to
//!   the gateway is given up after [`UNSENT_GIVE_UP_SECS`], and one still pending after
//!   [`ABANDONED_AFTER_SECS`] is marked failed as abandoned (a late success still settles).
//! - **Who may pay.** Only an `issued` challan (overdue included) is offered online
//!   payment, for the amount due today; a contested one waits for its decision, as at
//!   banks.

mod callback;
mod challan_page;
mod limiter;
mod lookup;
mod online;
mod page;
mod receipt;
mod recheck;
mod settle;
mod token;

use std::fmt;
use std::sync::Arc;

use axum::routing::{get, post};
use axum::{Extension, Router};
use mahasil_domain::jurisdiction::Slug;

pub use self::limiter::FailureLimiter;
pub use self::recheck::{ABANDONED_AFTER_SECS, MAX_RECHECK_BATCH, RECHECK_INTERVAL, RecheckReport, UNSENT_GIVE_UP_SECS, recheck_once, spawn_recheck};
pub use self::token::{LINK_LIFETIME_SECS, pay_path, share_link_secret};
use crate::state::AppState;

/// Failed look-ups one client may make within [`LOOKUP_WINDOW_SECS`].
pub const MAX_FAILED_LOOKUPS_PER_CLIENT: usize = 10;
/// Failed look-ups of one challan number within [`LOOKUP_WINDOW_SECS`].
pub const MAX_FAILED_LOOKUPS_PER_CHALLAN: usize = 5;
/// How long a failed look-up counts, in seconds.
pub const LOOKUP_WINDOW_SECS: i64 = 15 * 60;
/// Most clients, and most challan numbers, whose failures are tracked at once. When full,
/// look-ups of keys not tracked are refused rather than left unlimited.
pub const MAX_TRACKED_KEYS: usize = 200_000;

/// The gateway account this node takes online payments through.
#[derive(Clone)]
pub struct GatewayAccount {
    /// Short name of the gateway (e.g. `sandbox`): its money waits in
    /// `clearing:gateway:{name}`, and what it reports is audited as `gateway:{name}`.
    pub name: Slug,
    /// The merchant secret the gateway signs its callbacks with.
    pub callback_secret: String,
}

impl fmt::Debug for GatewayAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GatewayAccount").field("name", &self.name).field("callback_secret", &"<redacted>").finish()
    }
}

/// This node's memory of failed look-ups, shared by the look-up handlers.
pub(crate) struct LookupGuard {
    by_client: FailureLimiter,
    by_challan: FailureLimiter,
}

impl LookupGuard {
    fn new() -> Self {
        Self {
            by_client: FailureLimiter::new(MAX_FAILED_LOOKUPS_PER_CLIENT, LOOKUP_WINDOW_SECS, MAX_TRACKED_KEYS),
            by_challan: FailureLimiter::new(MAX_FAILED_LOOKUPS_PER_CHALLAN, LOOKUP_WINDOW_SECS, MAX_TRACKED_KEYS),
        }
    }
}

/// The citizen pages and the gateway's callback. Each call makes a fresh look-up memory:
/// build the router once per node.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/pay", get(lookup::form).post(lookup::submit))
        .route("/pay/return", get(online::returned))
        .route("/pay/receipt/{file}", get(receipt::download))
        .route("/pay/{challan_no}", get(challan_page::page))
        .route("/pay/{challan_no}/online", post(online::start))
        .route("/pay/{challan_no}/contest", post(challan_page::contest))
        .route("/gateway/callback", post(callback::receive))
        .layer(Extension(Arc::new(LookupGuard::new())))
}
