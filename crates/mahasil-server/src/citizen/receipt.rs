//! `GET /pay/receipt/{receipt_no}.pdf?k=`: the public copy of a payment receipt as an A4
//! PDF — what was paid, when, how and for which challan, with the receipt's own seal as
//! its QR code. Like the seal, it names no person: no name, CNIC or mobile.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, Uri, header};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use mahasil_domain::challan_no::ChallanNo;
use mahasil_domain::money::Paisa;
use mahasil_ledger::Channel;
use mahasil_print::{Document, Kind, PaymentChannel, Receipt, Row};
use mahasil_store::{ChallanRecord, PaymentRecord};

use super::challan_page::query_value;
use super::page::{self, PageError, money};
use super::token::{self, Purpose};
use crate::state::AppState;
use crate::web::karachi_time;

/// `GET /pay/receipt/{file}`, `file` being the receipt number (15 digits) and `.pdf`.
pub async fn download(State(state): State<AppState>, Path(file): Path<String>, uri: Uri) -> Response {
    let now = Timestamp::now();
    let result = async {
        let not_found = || PageError::not_found(format!("There is no receipt {file}."));
        let receipt_no = file.strip_suffix(".pdf").and_then(|stem| ChallanNo::parse(stem).ok()).ok_or_else(not_found)?;
        token::check(Purpose::Receipt, receipt_no, &query_value(&uri, "k").unwrap_or_default(), now).map_err(PageError::bad_link)?;
        let payment = state.store.payment_by_receipt(receipt_no).await?.ok_or_else(not_found)?;
        let challan = state.store.challan(payment.challan_id).await?.ok_or_else(not_found)?;
        let document = document(&state, &payment, &challan).await?;
        pdf(document, receipt_no).await
    }
    .await;
    result.unwrap_or_else(|e| e.page(&state.config))
}

/// The receipt as printed: the public copy.
async fn document(state: &AppState, p: &PaymentRecord, c: &ChallanRecord) -> Result<Document, PageError> {
    if p.seal.is_empty() {
        return Err(PageError::not_found(format!("Receipt {} has no seal to print.", p.receipt_no)));
    }
    let head = match mahasil_domain::head::HeadCode::parse(&c.head_code) {
        Ok(code) => state.head(&code).await?,
        Err(_) => None,
    };
    let mut rows = Vec::new();
    rows.push(Row::new("Head", "مد", head.map_or_else(|| c.head_code.clone(), |h| h.head.title_en)));
    rows.push(Row::new("District", "ضلع", c.district.as_str()));
    if let Some(v) = &c.offender.vehicle_no {
        rows.push(Row::new("Vehicle", "گاڑی", v.as_str()));
    }
    if let Some(b) = &c.offender.business_name {
        rows.push(Row::new("Business", "کاروبار", b.as_str()));
    }
    rows.push(Row::new("Paid on", "تاریخ ادائیگی", p.paid_on.to_string()));
    if p.surcharge_paisa > 0 {
        rows.push(Row::new("Of which surcharge", "جس میں اضافی رقم", money(p.surcharge_paisa)));
    }
    if p.overpaid_paisa > 0 {
        rows.push(Row::new("To be refunded", "قابل واپسی", money(p.overpaid_paisa)));
    }
    if let Some(at) = p.reversed_at {
        rows.push(Row::new("REVERSED", "واپس شدہ", karachi_time(at)));
    }
    let channel = match p.channel {
        Channel::Bank => PaymentChannel::Bank,
        Channel::Gateway => PaymentChannel::Gateway,
        Channel::Counter => PaymentChannel::Counter,
    };
    Ok(Document {
        demo: state.config.demo,
        title_en: "Payment Receipt".into(),
        title_ur: "رسیدِ ادائیگی".into(),
        challan_no: p.challan_no,
        rows,
        qr_url: mahasil_seal::qr_url(&state.config.public_base_url, &p.seal),
        kind: Kind::Receipt(Receipt {
            receipt_no: p.receipt_no,
            amount_paid: Paisa::new(p.amount_paisa).map_err(|_| PageError::internal())?,
            paid_at: p.paid_at,
            channel,
            reference: p.reference.clone(),
        }),
    })
}

async fn pdf(document: Document, receipt_no: ChallanNo) -> Result<Response, PageError> {
    let bytes = tokio::task::spawn_blocking(move || mahasil_print::pdf_a4(&document)).await.map_err(|_| PageError::internal())?.map_err(|e| {
        tracing::error!(error = %e, receipt = %receipt_no, "cannot render a receipt");
        PageError::internal()
    })?;
    let mut response = bytes.into_response();
    page::private_headers(&mut response);
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/pdf"));
    if let Ok(disposition) = HeaderValue::from_str(&format!("inline; filename=\"receipt-{}.pdf\"", receipt_no.digits())) {
        headers.insert(header::CONTENT_DISPOSITION, disposition);
    }
    Ok(response)
}
