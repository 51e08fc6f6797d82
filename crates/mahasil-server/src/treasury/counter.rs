//! `/treasury/counter`: cash or cheques taken at a treasury counter. One treasury user
//! enters the payment (challan number, amount, payer, receipt book or cheque reference,
//! day paid); it waits until a second treasury user approves it, which takes the payment
//! and issues its receipt in the same transaction, or rejects it. The store refuses an
//! approval by the user who entered the payment; the page shows why.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jiff::Timestamp;
use jiff::civil::Date;
use mahasil_domain::authz::Action;
use mahasil_domain::challan::{ChallanStatus, MAX_REASON_CHARS};
use mahasil_domain::challan_no::ChallanNo;
use mahasil_store::payments::{MAX_REFERENCE_CHARS, amount_due_on};
use mahasil_store::{Actor, ChallanRecord, CounterPayment, CounterStatus};
use maud::{Markup, html};
use uuid::Uuid;

use super::pkr;
use crate::error::{ApiError, ApiResult};
use crate::web::form::{FieldErrors, FormFields, QueryFields, field_errors, parse_date, rupees_to_paisa};
use crate::web::staff::Staff;
use crate::web::widgets::{Input, karachi_time, notice, urdu};

/// Most pending counter payments listed, oldest first.
pub const PENDING_LIMIT: u32 = 200;
/// Longest payer name kept.
pub const MAX_PAYER_CHARS: usize = 100;

/// `GET /treasury/counter[?entered=ID|decided=ID]`.
pub async fn page(staff: Staff, QueryFields(query): QueryFields) -> Response {
    let result = async {
        let message = match (query.opt("entered"), query.opt("decided")) {
            (Some(id), _) => Some(notice("ok", &format!("Counter payment entered ({id}). A second treasury user approves it."))),
            (None, Some(id)) => decided_notice(&staff, id).await?,
            (None, None) => None,
        };
        render(&staff, &FormFields::default(), &FieldErrors::new(), message, StatusCode::OK).await
    }
    .await;
    staff.finish(result)
}

/// What became of a decided counter payment: approved with its receipt, or rejected.
async fn decided_notice(staff: &Staff, id: &str) -> ApiResult<Option<Markup>> {
    let Ok(id) = Uuid::parse_str(id) else { return Ok(None) };
    let store = &staff.state.store;
    let Some(c) = store.counter_payment(id).await? else { return Ok(None) };
    let in_scope = store.challan(c.challan_id).await?.is_some_and(|ch| staff.principal().may(Action::ViewTreasury, &ch.district, &ch.department));
    if !in_scope {
        return Ok(None);
    }
    Ok(match (c.status, c.receipt_no) {
        (CounterStatus::Approved, Some(receipt)) => Some(html! {
            p.alert.ok role="status" #counter-receipt {
                "Approved: challan " (c.challan_no.to_string()) " is paid, " (pkr(i128::from(c.amount_paisa))) ". Receipt number "
                strong { (receipt.to_string()) } "."
            }
        }),
        (CounterStatus::Rejected, _) => Some(notice("ok", &format!("Rejected: the counter payment for challan {} was not taken.", c.challan_no))),
        _ => None,
    })
}

async fn render(staff: &Staff, form: &FormFields, errors: &FieldErrors, message: Option<Markup>, status: StatusCode) -> ApiResult<Response> {
    let who = staff.principal();
    let view = staff.require(Action::ViewTreasury)?;
    let may_enter = !who.scope(Action::EnterCounterPayment).is_nowhere();
    let store = &staff.state.store;
    let mut pending = Vec::new();
    for c in store.pending_counter_payments(super::districts_of(&view), PENDING_LIMIT).await? {
        let challan = store.challan(c.challan_id).await?;
        if challan.as_ref().is_some_and(|ch| view.contains(&ch.district, &ch.department)) {
            pending.push((c, challan));
        }
    }
    let today = mahasil_domain::time::local_date(Timestamp::now()).to_string();
    let content = html! {
        (super::tabs("/treasury/counter"))
        h1 { "Counter payments " (urdu("کاؤنٹر ادائیگیاں")) }
        @if let Some(m) = message { (m) }
        @if may_enter {
            section.card {
                h2 { "Enter a payment taken at the counter" }
                form method="post" action="/treasury/counter" {
                    (staff.csrf_field())
                    (Input::text("Challan number", "challan_no", form.get("challan_no")).hint("15 digits, e.g. 101234-00000017-5").inputmode("numeric").errors(errors, &["challan_no"]).required())
                    div.pair {
                        (Input::text("Amount (PKR)", "amount", form.get("amount")).hint("what the challan demands on the day it was paid").inputmode("decimal").errors(errors, &["amount"]).required())
                        (Input::text("Paid on", "paid_on", form.opt("paid_on").unwrap_or(&today)).kind("date").errors(errors, &["paid_on"]).required())
                    }
                    (Input::text("Payer name", "payer_name", form.get("payer_name")).errors(errors, &["payer_name"]).maxlength(MAX_PAYER_CHARS).required())
                    (Input::text("Receipt book entry or cheque number", "reference", form.get("reference")).errors(errors, &["reference"]).maxlength(MAX_REFERENCE_CHARS).required())
                    button type="submit" { "Enter for approval" }
                }
            }
        }
        section {
            h2 { "Waiting for approval (" (pending.len()) ")" }
            @if pending.is_empty() { p.empty { "None waiting." } }
            ul.queue #pending-counter { @for (c, challan) in &pending { (pending_item(staff, c, challan.as_ref())) } }
        }
    };
    Ok(staff.page(status, "Counter payments", content))
}

fn pending_item(staff: &Staff, c: &CounterPayment, challan: Option<&ChallanRecord>) -> Markup {
    let who = staff.principal();
    let may_approve = challan.is_some_and(|ch| who.may(Action::ApproveCounterPayment, &ch.district, &ch.department));
    html! {
        li.card {
            strong { (c.challan_no.to_string()) } " · " (c.district.to_string()) " · " strong { (pkr(i128::from(c.amount_paisa))) }
            " · paid on " (c.paid_on)
            p.hint { "Payer " (c.payer_name) " · reference " (c.reference) " · entered by " (c.requested_by) " on " (karachi_time(c.requested_at)) }
            @if c.requested_by == who.username {
                p.hint { "Entered by you: a second treasury user approves it." }
            }
            @if may_approve {
                form.decide method="post" action={ "/treasury/counter/" (c.id) } {
                    (staff.csrf_field())
                    label { "Note " input type="text" name="note" maxlength=(MAX_REASON_CHARS); }
                    button type="submit" name="decision" value="approve" { "Approve (take the payment)" } " "
                    button type="submit" name="decision" value="reject" { "Reject" }
                }
            }
        }
    }
}

/// The payment a form enters, checked against its challan, or the fields that are wrong.
fn counter_payment(form: &FormFields, challan: &ChallanRecord, actor: &Actor, today: Date, now: Timestamp) -> Result<CounterPayment, FieldErrors> {
    let mut errors = FieldErrors::new();
    let amount = rupees_to_paisa(form.get("amount")).map_err(|e| errors.insert("amount".into(), e)).ok();
    let paid_on = parse_date(form.get("paid_on").trim()).map_err(|e| errors.insert("paid_on".into(), e)).ok();
    if paid_on.is_some_and(|d| d > today) {
        errors.insert("paid_on".into(), "must not be in the future".into());
    }
    let payer_name = form.get("payer_name").trim().to_owned();
    if payer_name.is_empty() || payer_name.chars().count() > MAX_PAYER_CHARS || payer_name.chars().any(char::is_control) {
        errors.insert("payer_name".into(), format!("must be 1 to {MAX_PAYER_CHARS} printable characters"));
    }
    let reference = form.get("reference").trim().to_owned();
    if reference.is_empty() || reference.chars().count() > MAX_REFERENCE_CHARS || reference.chars().any(char::is_control) {
        errors.insert("reference".into(), format!("must be 1 to {MAX_REFERENCE_CHARS} printable characters"));
    }
    if challan.status != ChallanStatus::Issued {
        errors.insert("challan_no".into(), format!("the challan is {} and cannot be paid", challan.status.as_str()));
    }
    if let (Some(amount), Some(paid_on)) = (amount, paid_on) {
        let due = amount_due_on(challan, paid_on);
        if amount != due && !errors.contains_key("challan_no") {
            errors.insert("amount".into(), format!("the challan demands {} when paid on {paid_on}", pkr(i128::from(due))));
        }
    }
    match (amount, paid_on) {
        (Some(amount_paisa), Some(paid_on)) if errors.is_empty() => Ok(CounterPayment {
            id: Uuid::now_v7(),
            challan_id: challan.id,
            challan_no: challan.challan_no,
            district: challan.district.clone(),
            amount_paisa,
            payer_name,
            reference,
            paid_on,
            requested_by: actor.username.clone(),
            requested_at: now,
            status: CounterStatus::Pending,
            decided_by: None,
            decided_at: None,
            note: None,
            receipt_no: None,
        }),
        _ => Err(errors),
    }
}

/// `POST /treasury/counter`.
pub async fn enter(staff: Staff, form: FormFields) -> Response {
    let result = async {
        staff.check_csrf(&form)?;
        staff.require(Action::EnterCounterPayment)?;
        let store = &staff.state.store;
        let challan = match ChallanNo::parse(form.get("challan_no")) {
            Ok(number) => store.challan_by_no(number).await?,
            Err(e) => return refused(&staff, &form, e.into()).await,
        };
        let Some(challan) = challan else {
            let e = ApiError::invalid_fields(FieldErrors::from([("challan_no".into(), "no challan has this number".into())]));
            return refused(&staff, &form, e).await;
        };
        staff.principal().require(Action::EnterCounterPayment, &challan.district, &challan.department)?;
        let now = Timestamp::now();
        let actor = Actor::from(staff.principal());
        let payment = match counter_payment(&form, &challan, &actor, mahasil_domain::time::local_date(now), now) {
            Ok(payment) => payment,
            Err(errors) => return refused(&staff, &form, ApiError::invalid_fields(errors)).await,
        };
        match store.request_counter_payment(&payment, &actor).await {
            Ok(()) => Ok(Redirect::to(&format!("/treasury/counter?entered={}", payment.id)).into_response()),
            Err(e) => refused(&staff, &form, e.into()).await,
        }
    }
    .await;
    staff.finish(result)
}

/// The page again with the refusal: its fields beside their inputs, or its message above.
async fn refused(staff: &Staff, form: &FormFields, e: ApiError) -> ApiResult<Response> {
    if e.status.is_server_error() || e.status == StatusCode::FORBIDDEN {
        return Err(e);
    }
    let errors = field_errors(&e);
    let message = if errors.is_empty() { Some(notice("error", &e.body.message)) } else { None };
    render(staff, form, &errors, message, e.status).await
}

/// `POST /treasury/counter/{id}`: `decision` is `approve` or `reject`, with a `note`.
pub async fn decide(staff: Staff, Path(id): Path<String>, form: FormFields) -> Response {
    let result = async {
        staff.check_csrf(&form)?;
        staff.require(Action::ApproveCounterPayment)?;
        let id = Uuid::parse_str(&id).map_err(|_| ApiError::not_found(format!("no counter payment {id}")))?;
        let approve = match form.get("decision") {
            "approve" => true,
            "reject" => false,
            _ => return Err(ApiError::bad_request("choose approve or reject")),
        };
        let store = &staff.state.store;
        let pending = store.counter_payment(id).await?.ok_or_else(|| ApiError::not_found(format!("no counter payment {id}")))?;
        let challan = store.challan(pending.challan_id).await?.ok_or_else(|| ApiError::not_found(format!("challan {}", pending.challan_no)))?;
        staff.principal().require(Action::ApproveCounterPayment, &challan.district, &challan.department)?;
        let state = &staff.state;
        let actor = Actor::from(staff.principal());
        match store
            .decide_counter_payment(
                &mahasil_store::CounterDecision { id, approve, note: form.get("note").to_owned() },
                &actor,
                state.config.issuer,
                Timestamp::now(),
                &state.receipts,
            )
            .await
        {
            Ok(decided) => Ok(Redirect::to(&format!("/treasury/counter?decided={}", decided.id)).into_response()),
            Err(e) => refused(&staff, &FormFields::default(), e.into()).await,
        }
    }
    .await;
    staff.finish(result)
}
