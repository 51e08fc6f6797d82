//! The hosted payment page the merchant sends its payer to: `GET /pay/{payment_id}` shows
//! the merchant, description and amount with a card-number field and Pay / Cancel buttons;
//! `POST /pay/{payment_id}` decides the payment and sends the browser back to the
//! merchant's `return_url` with `payment_id` and `status` appended (303). Plain HTML with
//! its style inline: no script, nothing loaded from anywhere.

use std::sync::Arc;

use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{DOCTYPE, Markup, html};
use rand::Rng;
use serde::Deserialize;
use uuid::Uuid;

use super::Sandbox;
use super::cards::{self, CANCELLED_REASON, CardOutcome, RANDOM_DECLINE_REASON, SANDBOX_CARDS};
use super::payments::{Decision, Payment};
use crate::protocol::Status;

const STYLE: &str = "
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;background:#f3f5f7;color:#1c2430;margin:0}
main{max-width:26rem;margin:2rem auto;background:#fff;border:1px solid #d5dbe1;border-radius:8px;padding:1.5rem}
.sandbox{background:#fff4ce;border-bottom:1px solid #e0c56e;padding:.5rem 1rem;text-align:center;font-size:.9rem}
h1{font-size:1.2rem;margin:0 0 1rem}
dl{display:grid;grid-template-columns:auto 1fr;gap:.4rem 1rem;margin:0 0 1.2rem}
dt{color:#5a6675}dd{margin:0;overflow-wrap:anywhere}
.amount{font-size:1.4rem;font-weight:600}
label{display:block;margin-bottom:.3rem}
input{width:100%;box-sizing:border-box;font-size:1.1rem;padding:.5rem;border:1px solid #9aa5b1;border-radius:4px;letter-spacing:.05em}
.buttons{display:flex;gap:.6rem;margin-top:1rem}
button{font-size:1rem;padding:.55rem 1.2rem;border-radius:4px;border:1px solid #1d5fa8;cursor:pointer}
.pay{background:#1d5fa8;color:#fff}.cancel{background:#fff;color:#1d5fa8}
.error{background:#fde8e8;border:1px solid #d9534f;padding:.5rem;border-radius:4px}
details{margin-top:1.4rem;font-size:.9rem;color:#5a6675}code{font-size:.95em}
";

/// The form the page posts.
#[derive(Deserialize)]
pub(crate) struct PayForm {
    action: String,
    #[serde(default)]
    card_number: String,
}

/// "PKR 5,000.00": rupees with thousands separators and always two decimals, as payment
/// pages show amounts (mahasil's own pages drop ".00").
pub fn format_pkr(amount_paisa: i64) -> String {
    let sign = if amount_paisa < 0 { "-" } else { "" };
    let paisa = amount_paisa.unsigned_abs();
    let rupees = (paisa / 100).to_string();
    let mut grouped = String::with_capacity(rupees.len() + rupees.len() / 3);
    for (i, digit) in rupees.chars().enumerate() {
        if i > 0 && (rupees.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    format!("PKR {sign}{grouped}.{:02}", paisa % 100)
}

/// Where the payer goes back to: `return_url` with `payment_id` and `status` appended.
fn return_url(payment: &Payment) -> String {
    let mut url = payment.return_url.clone();
    url.query_pairs_mut().append_pair("payment_id", &payment.state.payment_id).append_pair("status", payment.state.status.as_str());
    url.into()
}

/// A page with the headers every answer of the page carries: nothing but this page's own
/// style may run or load, forms go only here or back to the merchant, and no one frames it.
fn page(status: StatusCode, form_target: Option<&Payment>, title: &str, content: Markup) -> Response {
    let merchant_origin = form_target.map(|p| p.return_url.origin().ascii_serialization()).unwrap_or_default();
    let policy = format!("default-src 'none'; style-src 'unsafe-inline'; form-action 'self' {merchant_origin}; frame-ancestors 'none'; base-uri 'none'");
    let markup = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="robots" content="noindex";
                title { (title) " — Sandbox payment gateway" }
                style { (maud::PreEscaped(STYLE)) }
            }
            body {
                div.sandbox role="note" { strong { "SANDBOX" } " — a test gateway: no card is charged and no money moves." }
                main { (content) }
            }
        }
    };
    let mut response = (status, markup).into_response();
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(policy.trim()) {
        headers.insert(header::CONTENT_SECURITY_POLICY, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response
}

fn not_found() -> Response {
    page(
        StatusCode::NOT_FOUND,
        None,
        "No such payment",
        html! { h1 { "No such payment" } p { "The link is wrong, or the payment was made on another sandbox run." } },
    )
}

fn payment_form(sandbox: &Sandbox, payment: &Payment, error: Option<&str>) -> Markup {
    html! {
        h1 { "Pay " (sandbox.config.merchant_id) }
        dl {
            dt { "Merchant" } dd { (sandbox.config.merchant_id) }
            dt { "For" } dd { (payment.description) }
            dt { "Reference" } dd { (payment.state.merchant_reference) }
            dt { "Amount" } dd.amount { (format_pkr(payment.state.amount_paisa)) }
        }
        @if let Some(error) = error { p.error role="alert" { (error) } }
        form method="post" action={ "/pay/" (payment.state.payment_id) } {
            label for="card_number" { "Card number" }
            input #card_number name="card_number" type="text" inputmode="numeric" autocomplete="cc-number" required
                maxlength="23" placeholder="4242 4242 4242 4242";
            div.buttons {
                button.pay type="submit" name="action" value="pay" { "Pay " (format_pkr(payment.state.amount_paisa)) }
                button.cancel type="submit" name="action" value="cancel" formnovalidate { "Cancel" }
            }
        }
        details {
            summary { "Sandbox card numbers" }
            ul {
                @for card in &SANDBOX_CARDS { li { code { (card.number) } " — " (card.label) } }
            }
        }
    }
}

fn decided_page(payment: &Payment) -> Response {
    let title = match payment.state.status {
        Status::Succeeded => "This payment has been made",
        Status::Failed | Status::Pending => "This payment has failed",
    };
    page(
        StatusCode::OK,
        Some(payment),
        title,
        html! {
            h1 { (title) }
            @if let Some(reason) = &payment.state.failure_reason { p { "Reason: " (reason) } }
            p { a href=(return_url(payment)) { "Return to the merchant" } }
        },
    )
}

/// `GET /pay/{payment_id}`: the form while the payment is pending, else what became of it.
pub(crate) async fn show(State(sandbox): State<Arc<Sandbox>>, Path(payment_id): Path<String>) -> Response {
    let Some(payment) = sandbox.book().payments.get(&payment_id).cloned() else { return not_found() };
    if payment.state.status != Status::Pending {
        return decided_page(&payment);
    }
    page(StatusCode::OK, Some(&payment), "Pay", payment_form(&sandbox, &payment, None))
}

/// `POST /pay/{payment_id}`: Pay with a sandbox card, or Cancel. A payment decided before
/// is not decided again: the payer is sent back with its status as it is.
pub(crate) async fn submit(State(sandbox): State<Arc<Sandbox>>, Path(payment_id): Path<String>, form: Result<Form<PayForm>, FormRejection>) -> Response {
    let Some(payment) = sandbox.book().payments.get(&payment_id).cloned() else { return not_found() };
    if payment.state.status != Status::Pending {
        return Redirect::to(&return_url(&payment)).into_response();
    }
    let Ok(Form(form)) = form else {
        return page(StatusCode::BAD_REQUEST, Some(&payment), "Pay", payment_form(&sandbox, &payment, Some("The form could not be read; please try again.")));
    };
    let (decision, gateway_reference) = match form.action.as_str() {
        "cancel" => (Decision::Fail(CANCELLED_REASON.into()), None),
        "pay" => {
            let Some(outcome) = cards::outcome(&form.card_number) else {
                let message = "That is not a sandbox card number: use one of those listed below.";
                return page(StatusCode::UNPROCESSABLE_ENTITY, Some(&payment), "Pay", payment_form(&sandbox, &payment, Some(message)));
            };
            (card_decision(&sandbox, outcome), Some(format!("gw_{}", Uuid::now_v7().simple())))
        }
        _ => return page(StatusCode::BAD_REQUEST, Some(&payment), "Pay", payment_form(&sandbox, &payment, Some("Choose Pay or Cancel."))),
    };
    match sandbox.decide(&payment_id, decision, gateway_reference) {
        Some(decided) => Redirect::to(&return_url(&decided)).into_response(),
        None => not_found(),
    }
}

/// What a sandbox card's outcome means for the payment, with `--fail-rate` declining some
/// approvals at random.
fn card_decision(sandbox: &Sandbox, outcome: CardOutcome) -> Decision {
    match outcome {
        CardOutcome::Approve => {
            let declined = sandbox.book().rng.gen_bool(sandbox.config.fail_rate.get());
            if declined { Decision::Fail(RANDOM_DECLINE_REASON.into()) } else { Decision::Succeed }
        }
        CardOutcome::Decline(reason) => Decision::Fail(reason.into()),
        CardOutcome::FailThenSucceed(reason) => Decision::FailThenSucceed(reason.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_rupees_with_two_decimals_and_separators() {
        assert_eq!(format_pkr(500_000), "PKR 5,000.00");
        assert_eq!(format_pkr(1), "PKR 0.01");
        assert_eq!(format_pkr(1_234_567_890), "PKR 12,345,678.90");
        assert_eq!(format_pkr(10_000_000), "PKR 100,000.00");
        assert_eq!(format_pkr(99_999), "PKR 999.99");
        assert_eq!(format_pkr(-150), "PKR -1.50");
    }
}
