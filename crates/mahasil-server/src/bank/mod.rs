//! The bank API (`/bank/v1/...`), modelled on the 1Link 1Bill biller interface: banks sign
//! every request with their secret (`auth`), ask what a challan owes (`inquiry`), report
//! the payments they took and take back those made in error (`payment`).

pub mod auth;
pub mod inquiry;
pub mod payment;

use axum::Router;
use axum::routing::post;

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/bank/v1/bill-inquiry", post(inquiry::bill_inquiry))
        .route("/bank/v1/bill-payment", post(payment::bill_payment))
        .route("/bank/v1/reversal", post(payment::reversal))
}

/// How a bank appears in the audit log and in a challan's history: `bank:<mnemonic>`.
pub fn actor(bank: &mahasil_store::BankRecord) -> mahasil_store::Actor {
    mahasil_store::Actor { user_id: None, username: format!("bank:{}", bank.mnemonic) }
}
