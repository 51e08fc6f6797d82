//! The bank API (`/bank/v1/...`), modelled on the 1Link 1Bill biller interface: banks sign
//! every request with their secret (`auth`) and ask what a challan owes (`inquiry`).
//! Payments and reversals come with the ledger.

pub mod auth;
pub mod inquiry;

use axum::Router;
use axum::routing::post;

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/bank/v1/bill-inquiry", post(inquiry::bill_inquiry))
}
