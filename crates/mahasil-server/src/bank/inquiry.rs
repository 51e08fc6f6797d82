//! `POST /bank/v1/bill-inquiry`: a bank teller types the 15-digit consumer number (the
//! challan number) and the bank asks what is owed. Answers use the 1Bill response codes of
//! DESIGN.md in a 200 body; only a request that is not signed by a known bank is refused
//! at the HTTP level.

use axum::Json;
use axum::extract::State;
use jiff::Timestamp;
use mahasil_domain::challan::ChallanStatus;
use mahasil_domain::challan_no::ChallanNo;
use mahasil_domain::time::local_date;
use mahasil_store::ChallanRecord;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::auth::SignedByBank;
use crate::error::ApiResult;
use crate::state::AppState;

/// 1Bill response codes (DESIGN.md, "Bank API").
pub mod code {
    pub const OK: &str = "00";
    pub const NOT_FOUND: &str = "01";
    pub const BLOCKED: &str = "02";
    pub const DUPLICATE: &str = "03";
    pub const INVALID_DATA: &str = "04";
    pub const PROCESSING_FAILED: &str = "05";
    pub const ALREADY_PAID: &str = "06";
}

/// Longest consumer detail (the offender's name) sent back, as 1Bill screens show it.
pub const MAX_CONSUMER_DETAIL_CHARS: usize = 30;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InquiryRequest {
    /// The 15-digit challan number.
    pub consumer_number: String,
    /// Must be the bank named in `X-Bank`.
    pub bank_mnemonic: String,
}

#[derive(Debug, Serialize, ToSchema, PartialEq, Eq)]
pub struct InquiryResponse {
    /// `00` ok, `01` not found, `02` blocked (contested, cancelled or waived), `04` invalid data.
    pub response_code: String,
    /// The offender's name, at most 30 characters.
    pub consumer_detail: String,
    /// `U` unpaid, `P` paid, `B` blocked.
    pub bill_status: String,
    /// `YYYYMMDD`.
    pub due_date: String,
    pub amount_within_due_date: i64,
    pub amount_after_due_date: i64,
    /// `YYMM` of the day the challan was issued.
    pub billing_month: String,
    /// `YYYYMMDD` of the payment, blank when unpaid.
    pub date_paid: String,
    pub amount_paid: i64,
    pub tran_auth_id: String,
}

impl InquiryResponse {
    fn only(code: &str) -> Self {
        Self {
            response_code: code.into(),
            consumer_detail: String::new(),
            bill_status: String::new(),
            due_date: String::new(),
            amount_within_due_date: 0,
            amount_after_due_date: 0,
            billing_month: String::new(),
            date_paid: String::new(),
            amount_paid: 0,
            tran_auth_id: String::new(),
        }
    }

    fn of(c: &ChallanRecord) -> Self {
        let (code, status) = match c.status {
            ChallanStatus::Issued => (code::OK, "U"),
            ChallanStatus::Paid => (code::OK, "P"),
            // A contested challan waits for the decision: it is paid once upheld.
            ChallanStatus::Contested | ChallanStatus::Cancelled | ChallanStatus::Waived => (code::BLOCKED, "B"),
        };
        let issued_on = local_date(c.received_at);
        Self {
            response_code: code.into(),
            consumer_detail: c.offender.name.as_str().chars().take(MAX_CONSUMER_DETAIL_CHARS).collect(),
            bill_status: status.into(),
            due_date: c.due_date.strftime("%Y%m%d").to_string(),
            amount_within_due_date: c.amount_paisa,
            amount_after_due_date: c.amount_after_due_paisa,
            billing_month: issued_on.strftime("%y%m").to_string(),
            ..Self::only(code)
        }
    }
}

/// Asks what a challan owes. Signed by a bank (see `bank::auth`).
#[utoipa::path(post, path = "/bank/v1/bill-inquiry", tag = "bank", request_body = InquiryRequest,
    params(("X-Bank" = String, Header, description = "bank mnemonic"), ("X-Timestamp" = i64, Header, description = "Unix seconds"),
           ("X-Signature" = String, Header, description = "hex HMAC-SHA256(secret, METHOD \\n PATH \\n TIMESTAMP \\n BODY)")),
    responses((status = 200, body = InquiryResponse, description = "every answer, found or not, with its response code"),
              (status = 401, body = crate::error::ErrorBody, description = "unknown bank, stale timestamp or bad signature")))]
pub async fn bill_inquiry(State(state): State<AppState>, signed: SignedByBank) -> ApiResult<Json<InquiryResponse>> {
    let Ok(request) = serde_json::from_slice::<InquiryRequest>(&signed.body) else { return Ok(Json(InquiryResponse::only(code::INVALID_DATA))) };
    if request.bank_mnemonic != signed.bank.mnemonic.as_str() {
        return Ok(Json(InquiryResponse::only(code::INVALID_DATA)));
    }
    let digits_only = request.consumer_number.len() == 15 && request.consumer_number.bytes().all(|b| b.is_ascii_digit());
    let Some(no) = digits_only.then(|| ChallanNo::parse(&request.consumer_number).ok()).flatten() else {
        return Ok(Json(InquiryResponse::only(code::INVALID_DATA)));
    };
    let now = Timestamp::now();
    let found = state.store.challan_by_no(no).await?;
    if found.is_some() {
        record_inquiry(&state, no, &signed, now).await;
    }
    let answer = match found {
        Some(c) if c.status == ChallanStatus::Paid => {
            let paid = state.store.challan_payments(c.id).await?.into_iter().find(mahasil_store::PaymentRecord::is_standing);
            let mut answer = InquiryResponse::of(&c);
            if let Some(p) = paid {
                answer.date_paid = p.paid_on.strftime("%Y%m%d").to_string();
                answer.amount_paid = p.amount_paisa;
                answer.tran_auth_id = p.reference;
            }
            answer
        }
        Some(c) => InquiryResponse::of(&c),
        None => InquiryResponse::only(code::NOT_FOUND),
    };
    Ok(Json(answer))
}

/// Notes the inquiry for the anomaly rules (an officer asking to cancel a challan soon after
/// a bank looked it up). The bank's answer does not depend on it: a failure is logged and
/// the inquiry answered all the same.
async fn record_inquiry(state: &AppState, no: ChallanNo, signed: &SignedByBank, at: Timestamp) {
    if let Err(e) = state.store.record_bill_inquiry(no, &signed.bank.mnemonic, at).await {
        tracing::warn!(bank = %signed.bank.mnemonic, challan_no = %no, error = %e, "could not record a bill inquiry");
    }
}
