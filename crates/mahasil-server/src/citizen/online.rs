//! Paying online. `POST /pay/{challan_no}/online` records an online payment for the
//! amount due today, asks the gateway for it (its id is our merchant reference) and sends
//! the payer to the gateway's page. `GET /pay/return` is where the gateway sends them
//! back: the `status` in the address is the payer's browser talking, so the gateway is
//! asked, and what it says is applied before the outcome is shown.

use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use jiff::Timestamp;
use mahasil_domain::challan::ChallanStatus;
use mahasil_domain::time::local_date;
use mahasil_gateway::GatewayError;
use mahasil_gateway::protocol::{CreatePayment, Status};
use mahasil_store::payments::amount_due_on;
use mahasil_store::{Actor, ChallanRecord, OnlinePayment, OnlineStatus};
use maud::{Markup, html};
use uuid::Uuid;

use super::challan_page::{authorised, query_value, read_form};
use super::page::{self, FormTargets, PageError, both, money, status_words, ur};
use super::settle::{self, SettleError};
use super::token::{pay_path, receipt_path};
use crate::state::AppState;

/// Longest gateway payment id read from the return address.
const MAX_PAYMENT_ID_CHARS: usize = 128;

/// Who starts online payments in the audit log: the public pages' account.
fn citizen_actor() -> Actor {
    use mahasil_store::treasury::{CITIZEN_PORTAL_USER, CITIZEN_PORTAL_USERNAME};
    Actor { user_id: Uuid::parse_str(CITIZEN_PORTAL_USER).ok(), username: CITIZEN_PORTAL_USERNAME.into() }
}

/// `POST /pay/{challan_no}/online`: `k`.
pub async fn start(State(state): State<AppState>, Path(no): Path<String>, form: Result<Form<Vec<(String, String)>>, FormRejection>) -> Response {
    let now = Timestamp::now();
    let result = async {
        let fields = read_form(form)?;
        let c = authorised(&state, &no, fields.get("k"), now).await?;
        begin(&state, &c, now).await
    }
    .await;
    result.unwrap_or_else(|e| e.page(&state.config))
}

async fn begin(state: &AppState, c: &ChallanRecord, now: Timestamp) -> Result<Response, PageError> {
    let (Some(gateway), Some(_)) = (&state.gateway, &state.config.gateway) else {
        return Err(PageError::unavailable("Online payment is not available at the moment. Pay at any bank with the challan number."));
    };
    if c.status != ChallanStatus::Issued {
        let (_, en, _) = status_words(c.status, false);
        return Err(PageError::conflict(format!("This challan cannot be paid online: it is {en}.")));
    }
    let amount = amount_due_on(c, local_date(now));
    // An attempt still open for the same amount is the same payment at the gateway (its
    // reference is reused): two open payments for one challan could both be paid.
    let attempts = state.store.challan_online_payments(c.id).await?;
    let open = attempts.into_iter().filter(|a| a.status == OnlineStatus::Pending && a.amount_paisa == amount).max_by_key(|a| a.created_at);
    let online = match open {
        Some(a) => a,
        None => {
            let a = OnlinePayment {
                id: Uuid::now_v7(),
                challan_id: c.id,
                challan_no: c.challan_no,
                amount_paisa: amount,
                gateway_payment_id: None,
                status: OnlineStatus::Pending,
                failure_reason: None,
                created_at: now,
                updated_at: now,
                receipt_no: None,
            };
            state.store.create_online_payment(&a, &citizen_actor()).await?;
            a
        }
    };
    let base = state.config.public_base_url.trim_end_matches('/');
    let request = CreatePayment {
        merchant_reference: online.id.to_string(),
        amount_paisa: amount,
        description: format!("Challan {} ({})", c.challan_no, c.head_code),
        return_url: format!("{base}/pay/return"),
        callback_url: format!("{base}/gateway/callback"),
    };
    match gateway.create_payment(&request).await {
        Ok(created) if created.redirect_url.starts_with("https://") || created.redirect_url.starts_with("http://") => {
            settle::note_sent(state, online.id, &created.payment_id, now).await.map_err(settle_error)?;
            if created.status != Status::Pending {
                // A reused payment was decided meanwhile (its news not yet here): the
                // return page asks the gateway, applies the answer and shows it.
                return Ok(page::see_other(&format!("/pay/return?{}", crate::web::form::query_string([("payment_id", created.payment_id.as_str())]))));
            }
            tracing::info!(online = %online.id, challan = %c.challan_no, gateway_payment = %created.payment_id, amount_paisa = amount, "payer sent to the gateway");
            Ok(page::see_other(&created.redirect_url))
        }
        Ok(created) => {
            tracing::error!(online = %online.id, redirect = %created.redirect_url.chars().take(100).collect::<String>(), "the gateway answered with a redirect that is not http(s)");
            Err(PageError::unavailable("The payment gateway gave an answer we cannot use. Nothing was charged; try again later."))
        }
        Err(e) => {
            tracing::warn!(online = %online.id, challan = %c.challan_no, error = %e, "cannot create a payment at the gateway");
            // A refusal is final; an unanswered request may have reached the gateway, and
            // is left for the re-check to give up on.
            if let GatewayError::Status { status, message, .. } = &e
                && *status < 500
            {
                settle::give_up(state, online.id, &format!("the gateway refused it: {message}"), now).await.map_err(settle_error)?;
            }
            Err(PageError::unavailable("The payment gateway is not answering. Nothing was charged; try again in a few minutes, or pay at a bank."))
        }
    }
}

pub(super) fn settle_error(e: SettleError) -> PageError {
    match e {
        SettleError::NoGateway | SettleError::NotOurs(_) => PageError::not_found("No such online payment."),
        SettleError::Mismatch { .. } => PageError::conflict("This payment does not match our records; it has been reported to the treasury."),
        SettleError::Store(e) => e.into(),
    }
}

/// `GET /pay/return?payment_id=&status=`.
pub async fn returned(State(state): State<AppState>, uri: Uri) -> Response {
    let now = Timestamp::now();
    let result = async {
        let payment_id = query_value(&uri, "payment_id")
            .filter(|id| !id.is_empty() && id.chars().count() <= MAX_PAYMENT_ID_CHARS && !id.chars().any(char::is_control))
            .ok_or_else(|| PageError::bad_field("payment_id", "The address does not name a payment."))?;
        let gateway = state.gateway.as_ref().ok_or_else(|| PageError::not_found("Online payment is not available here."))?;
        let reported = match gateway.payment_status(&payment_id).await {
            Ok(reported) => reported,
            Err(GatewayError::Status { status: 404, .. }) => return Err(PageError::not_found("The payment gateway knows no such payment.")),
            Err(e) => {
                tracing::warn!(payment_id, error = %e, "cannot ask the gateway about a returning payer's payment");
                return Ok(outcome_page(&state, Outcome::Unconfirmed { payment_id: &payment_id }, now));
            }
        };
        let online = settle::apply(&state, &reported, now).await.map_err(settle_error)?;
        Ok(outcome_page(&state, Outcome::Known { online: &online, payment_id: &payment_id }, now))
    }
    .await;
    result.unwrap_or_else(|e| e.page(&state.config))
}

enum Outcome<'a> {
    Known {
        online: &'a OnlinePayment,
        payment_id: &'a str,
    },
    /// The gateway could not be asked.
    Unconfirmed {
        payment_id: &'a str,
    },
}

fn check_again(payment_id: &str) -> Markup {
    let href = format!("/pay/return?{}", crate::web::form::query_string([("payment_id", payment_id)]));
    html! { p { a href=(href) { (both("Check again", "دوبارہ دیکھیں")) } } }
}

fn outcome_page(state: &AppState, outcome: Outcome<'_>, now: Timestamp) -> Response {
    let content = match outcome {
        Outcome::Unconfirmed { payment_id } => html! {
            h1 #outcome data-outcome="unconfirmed" { (both("Waiting for confirmation", "تصدیق کا انتظار ہے")) }
            p { "We could not reach the payment gateway to confirm your payment. If it went through, it will be recorded as soon as the gateway confirms it; nothing is lost." }
            (check_again(payment_id))
        },
        Outcome::Known { online, payment_id } => {
            let challan_link = html! { p { a href=(pay_path(online.challan_no, now)) { (both("Back to the challan", "چالان پر واپس جائیں")) } } };
            match (online.status, online.receipt_no) {
                (OnlineStatus::Succeeded, Some(receipt)) => html! {
                    h1 #outcome data-outcome="paid" { (both("Payment received", "ادائیگی موصول ہو گئی")) }
                    p.alert.ok role="status" { "Challan " (online.challan_no.to_string()) " is paid. Receipt " strong { (receipt.to_string()) } "." }
                    p { a href=(receipt_path(receipt, now)) { (both("Download the receipt (PDF)", "رسید ڈاؤن لوڈ کریں")) } }
                    (challan_link)
                },
                (OnlineStatus::Succeeded, None) => html! {
                    h1 #outcome data-outcome="checking" { (both("Payment received, being checked", "ادائیگی موصول، جانچ جاری ہے")) }
                    p { "The gateway took " (money(online.amount_paisa)) ". The treasury is checking it against the challan; keep the payment reference " code { (payment_id) } "." }
                    (challan_link)
                },
                (OnlineStatus::Failed, _) => html! {
                    h1 #outcome data-outcome="failed" { (both("Payment did not go through", "ادائیگی مکمل نہیں ہوئی")) }
                    p.alert.error role="alert" { @if let Some(r) = &online.failure_reason { "The gateway says: " (r) ". " } "No payment was recorded. " (ur("کوئی ادائیگی درج نہیں ہوئی۔")) }
                    p { "If your bank shows the money as taken, it will be recorded when the gateway confirms it." }
                    (challan_link)
                },
                (OnlineStatus::Pending, _) => html! {
                    h1 #outcome data-outcome="pending" { (both("Waiting for confirmation", "تصدیق کا انتظار ہے")) }
                    p { "The gateway has not decided this payment yet. It will be recorded as soon as it confirms." }
                    (check_again(payment_id))
                    (challan_link)
                },
            }
        }
    };
    page::respond(&state.config, StatusCode::OK, page::shell(&state.config, "Online payment", content), FormTargets::ThisSite)
}
