//! `POST /bank/v1/bill-payment` and `POST /bank/v1/reversal`: a bank reports money it took
//! for a challan, or takes such a report back. Each request's idempotency key is (bank,
//! `tran_auth_id`, `tran_date`), claimed in the transaction that posts the payment: the
//! same request again gets the same answer; the same key with another request gets `03`.
//! The amount is judged as of `tran_date`: the amount after due once the due date passed.

use axum::Json;
use axum::extract::State;
use jiff::Timestamp;
use jiff::civil::{Date, DateTime, Time};
use mahasil_domain::challan_no::ChallanNo;
use mahasil_domain::time::{local_date, pakistan};
use mahasil_ledger::{Channel, Clearing};
use mahasil_store::{NewPayment, PaymentOutcome, PaymentRecord, PaymentReversal, ReversalOutcome, StoreError};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;
use uuid::Uuid;

use super::auth::SignedByBank;
use super::inquiry::code;
use crate::error::ApiResult;
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentRequest {
    /// The 15-digit challan number.
    pub consumer_number: String,
    /// The bank's own id of this transaction (1 to 64 printable characters).
    pub tran_auth_id: String,
    /// Paisa; must be what the challan demands on `tran_date`.
    pub transaction_amount: i64,
    /// `YYYYMMDD`, the payer's day in Pakistan; not in the future.
    pub tran_date: String,
    /// `HHMMSS`.
    pub tran_time: String,
    /// Must be the bank named in `X-Bank`.
    pub bank_mnemonic: String,
}

#[derive(Debug, Serialize, ToSchema, PartialEq, Eq)]
pub struct PaymentResponse {
    /// `00` ok, `01` not found, `02` blocked, `03` duplicate transaction (the key was used
    /// for another request), `04` invalid data (including a wrong amount), `05` processing
    /// failed (try again), `06` already paid.
    pub response_code: String,
    /// The challan number, printed `IIIIII-CCCCCCCC-D`.
    pub identification_parameter: String,
    /// The receipt's number (15 digits), on `00`.
    pub receipt_no: String,
    /// The receipt's seal link (its QR code), on `00` for a payment.
    pub receipt_url: String,
    /// Why, when the code is not `00`.
    pub message: String,
}

impl PaymentResponse {
    fn refused(code: &str, message: impl Into<String>) -> Self {
        Self {
            response_code: code.into(),
            identification_parameter: String::new(),
            receipt_no: String::new(),
            receipt_url: String::new(),
            message: message.into(),
        }
    }

    fn of(code: &str, p: &PaymentRecord, receipt_url: String, message: impl Into<String>) -> Self {
        Self {
            response_code: code.into(),
            identification_parameter: p.challan_no.to_string(),
            receipt_no: p.receipt_no.digits(),
            receipt_url,
            message: message.into(),
        }
    }
}

/// A request read and checked, or the answer that refuses it.
struct Checked {
    challan_no: ChallanNo,
    paid_on: Date,
    paid_at: Timestamp,
    fingerprint: [u8; 32],
    request: PaymentRequest,
}

fn check(signed: &SignedByBank, now: Timestamp) -> Result<Checked, PaymentResponse> {
    let invalid = |why: &str| PaymentResponse::refused(code::INVALID_DATA, why);
    let request: PaymentRequest = serde_json::from_slice(&signed.body).map_err(|e| invalid(&format!("the body is not a valid request: {e}")))?;
    if request.bank_mnemonic != signed.bank.mnemonic.as_str() {
        return Err(invalid("bank_mnemonic is not the bank that signed the request"));
    }
    let digits = request.consumer_number.len() == 15 && request.consumer_number.bytes().all(|b| b.is_ascii_digit());
    let challan_no = digits
        .then(|| ChallanNo::parse(&request.consumer_number).ok())
        .flatten()
        .ok_or_else(|| invalid("consumer_number must be 15 digits with a valid check digit"))?;
    let id = &request.tran_auth_id;
    if id.is_empty() || id.chars().count() > mahasil_store::payments::MAX_REFERENCE_CHARS || id.chars().any(char::is_control) {
        return Err(invalid("tran_auth_id must be 1 to 64 printable characters"));
    }
    if request.transaction_amount <= 0 {
        return Err(invalid("transaction_amount must be a positive number of paisa"));
    }
    let paid_on = parse_fixed(&request.tran_date, 8)
        .and_then(|_| Date::strptime("%Y%m%d", &request.tran_date).ok())
        .ok_or_else(|| invalid("tran_date must be a real day, YYYYMMDD"))?;
    let time = parse_fixed(&request.tran_time, 6)
        .and_then(|_| Time::strptime("%H%M%S", &request.tran_time).ok())
        .ok_or_else(|| invalid("tran_time must be HHMMSS"))?;
    let paid_at = DateTime::from_parts(paid_on, time)
        .to_zoned(pakistan())
        .map(|z| z.timestamp())
        .map_err(|_| invalid("tran_date and tran_time are not a time in Pakistan"))?;
    if paid_on > local_date(now) {
        return Err(invalid("tran_date is in the future"));
    }
    let fingerprint = fingerprint(&[&request.consumer_number, id, &request.transaction_amount.to_string(), &request.tran_date, &request.tran_time]);
    Ok(Checked { challan_no, paid_on, paid_at, fingerprint, request })
}

fn parse_fixed(text: &str, len: usize) -> Option<()> {
    (text.len() == len && text.bytes().all(|b| b.is_ascii_digit())).then_some(())
}

/// SHA-256 over the fields that make a request what it is, each length-prefixed.
fn fingerprint(fields: &[&str]) -> [u8; 32] {
    let mut h = Sha256::new();
    for f in fields {
        h.update((f.len() as u64).to_be_bytes());
        h.update(f.as_bytes());
    }
    h.finalize().into()
}

fn receipt_url(state: &AppState, p: &PaymentRecord) -> String {
    mahasil_seal::qr_url(&state.config.public_base_url, &p.seal)
}

/// A bank reports a payment it took. Signed by a bank (see `bank::auth`).
#[utoipa::path(post, path = "/bank/v1/bill-payment", tag = "bank", request_body = PaymentRequest,
    params(("X-Bank" = String, Header, description = "bank mnemonic"), ("X-Timestamp" = i64, Header, description = "Unix seconds"),
           ("X-Signature" = String, Header, description = "hex HMAC-SHA256(secret, METHOD \\n PATH \\n TIMESTAMP \\n BODY)")),
    responses((status = 200, body = PaymentResponse, description = "every answer, with its response code"),
              (status = 401, body = crate::error::ErrorBody, description = "unknown bank, stale timestamp or bad signature")))]
pub async fn bill_payment(State(state): State<AppState>, signed: SignedByBank) -> ApiResult<Json<PaymentResponse>> {
    let now = Timestamp::now();
    let checked = match check(&signed, now) {
        Ok(c) => c,
        Err(answer) => return Ok(Json(answer)),
    };
    let payment = NewPayment {
        id: Uuid::now_v7(),
        challan_no: checked.challan_no,
        clearing: Clearing { channel: Channel::Bank, holder: signed.bank.mnemonic.clone() },
        reference: checked.request.tran_auth_id.clone(),
        amount_paisa: checked.request.transaction_amount,
        paid_on: checked.paid_on,
        paid_at: checked.paid_at,
        fingerprint: checked.fingerprint,
        approved_by: None,
        taken_by: None,
        exact_amount: true,
    };
    let actor = super::actor(&signed.bank);
    let outcome = state.store.record_payment(&payment, state.config.issuer, &actor, now, &state.receipts).await;
    let answer = match outcome {
        Ok(PaymentOutcome::Accepted(p)) => {
            metrics::counter!("mahasil_payments_total", "channel" => "bank").increment(1);
            PaymentResponse::of(code::OK, &p, receipt_url(&state, &p), "")
        }
        Ok(PaymentOutcome::Repeated(p)) => PaymentResponse::of(code::OK, &p, receipt_url(&state, &p), "the same payment again; it was taken once"),
        Ok(PaymentOutcome::KeyReused(p)) => {
            metrics::counter!("mahasil_bank_key_reused_total").increment(1);
            tracing::warn!(bank = %signed.bank.mnemonic, tran_auth_id = %payment.reference, tran_date = %payment.paid_on, receipt = %p.receipt_no,
                "ALERT: a bank sent a different payment under a transaction key it already used");
            PaymentResponse::refused(
                code::DUPLICATE,
                format!("tran_auth_id {} of {} was already used for another payment", payment.reference, checked.request.tran_date),
            )
        }
        Ok(PaymentOutcome::AlreadyPaid(p)) => PaymentResponse::of(code::ALREADY_PAID, &p, String::new(), "the challan is already paid"),
        Ok(PaymentOutcome::Blocked(status)) => PaymentResponse::refused(code::BLOCKED, format!("the challan is {}", status.as_str())),
        Ok(PaymentOutcome::WrongAmount { due_paisa }) => {
            PaymentResponse::refused(code::INVALID_DATA, format!("transaction_amount must be {due_paisa} paisa on {}", checked.request.tran_date))
        }
        Err(StoreError::NotFound(_)) => PaymentResponse::refused(code::NOT_FOUND, "no challan has this consumer number"),
        Err(e) => {
            tracing::error!(error = %e, "bill payment failed");
            PaymentResponse::refused(code::PROCESSING_FAILED, "the payment could not be processed; send it again")
        }
    };
    Ok(Json(answer))
}

/// A bank takes back a payment it reported in error, before it reached the treasury.
#[utoipa::path(post, path = "/bank/v1/reversal", tag = "bank", request_body = PaymentRequest,
    params(("X-Bank" = String, Header, description = "bank mnemonic"), ("X-Timestamp" = i64, Header, description = "Unix seconds"),
           ("X-Signature" = String, Header, description = "hex HMAC-SHA256(secret, METHOD \\n PATH \\n TIMESTAMP \\n BODY)")),
    responses((status = 200, body = PaymentResponse, description = "every answer, with its response code"),
              (status = 401, body = crate::error::ErrorBody, description = "unknown bank, stale timestamp or bad signature")))]
pub async fn reversal(State(state): State<AppState>, signed: SignedByBank) -> ApiResult<Json<PaymentResponse>> {
    let now = Timestamp::now();
    let checked = match check(&signed, now) {
        Ok(c) => c,
        Err(answer) => return Ok(Json(answer)),
    };
    let reversal = PaymentReversal {
        channel: Channel::Bank,
        holder: signed.bank.mnemonic.clone(),
        reference: checked.request.tran_auth_id.clone(),
        paid_on: checked.paid_on,
        challan_no: checked.challan_no,
        amount_paisa: checked.request.transaction_amount,
        fingerprint: checked.fingerprint,
    };
    let actor = super::actor(&signed.bank);
    let answer = match state.store.reverse_payment(&reversal, &actor, now).await {
        Ok(ReversalOutcome::Reversed(p)) => {
            metrics::counter!("mahasil_reversals_total", "channel" => "bank").increment(1);
            PaymentResponse::of(code::OK, &p, String::new(), "reversed")
        }
        Ok(ReversalOutcome::Repeated(p)) => PaymentResponse::of(code::OK, &p, String::new(), "the same reversal again; it was done once"),
        Ok(ReversalOutcome::KeyReused(_)) => PaymentResponse::refused(code::DUPLICATE, "this payment was already reversed by another request"),
        Ok(ReversalOutcome::Unknown) => {
            PaymentResponse::refused(code::NOT_FOUND, "no payment of this bank has this consumer number, tran_auth_id and tran_date")
        }
        Ok(ReversalOutcome::Mismatch(_)) => PaymentResponse::refused(code::INVALID_DATA, "the consumer number or amount is not the payment's"),
        Ok(ReversalOutcome::Deposited(_)) => PaymentResponse::refused(code::BLOCKED, "the money is already in the treasury; it is refunded, not reversed"),
        Err(e) => {
            tracing::error!(error = %e, "reversal failed");
            PaymentResponse::refused(code::PROCESSING_FAILED, "the reversal could not be processed; send it again")
        }
    };
    Ok(Json(answer))
}
