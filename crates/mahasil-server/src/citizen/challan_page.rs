//! `GET /pay/{challan_no}?k=`: a citizen's own challan — what it is for, the amounts, the
//! status, what is due today, every payment with its receipt, online payment attempts,
//! and the forms to pay online and to contest. `POST /pay/{challan_no}/contest` files a
//! contest. Only the last 4 digits of the CNIC and mobile are ever shown.

use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use jiff::Timestamp;
use mahasil_domain::challan::{ChallanStatus, MAX_REASON_CHARS};
use mahasil_domain::challan_no::ChallanNo;
use mahasil_domain::time::local_date;
use mahasil_ledger::Channel;
use mahasil_store::payments::amount_due_on;
use mahasil_store::{ChallanRecord, Contest, ContestState, OnlinePayment, OnlineStatus, PaymentRecord};
use maud::{Markup, html};
use uuid::Uuid;

use super::page::{self, FormTargets, PageError, both, mask_digits, money, status_badge, ur};
use super::token::{self, Purpose, receipt_path};
use crate::state::AppState;
use crate::web::form::FormFields;
use crate::web::karachi_time;

/// The value of `name` in `uri`'s query, if present.
pub(super) fn query_value(uri: &Uri, name: &str) -> Option<String> {
    form_urlencoded::parse(uri.query().unwrap_or("").as_bytes()).find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
}

/// A posted form, or the 400 that says it could not be read.
pub(super) fn read_form(form: Result<Form<Vec<(String, String)>>, FormRejection>) -> Result<FormFields, PageError> {
    match form {
        Ok(Form(pairs)) if pairs.len() <= crate::web::form::MAX_FORM_FIELDS => Ok(FormFields::new(pairs)),
        Ok(_) => Err(PageError::bad_request("the form carries too many fields")),
        Err(rejection) => Err(PageError::bad_request(format!("the form could not be read: {}", rejection.body_text()))),
    }
}

/// The challan `no_text` names, if `k` opens its page: a bad link is refused before the
/// number is looked up, so refusals say nothing about which numbers exist.
pub(super) async fn authorised(state: &AppState, no_text: &str, k: &str, now: Timestamp) -> Result<ChallanRecord, PageError> {
    let no = ChallanNo::parse(no_text).map_err(|_| PageError::not_found(format!("There is no challan {no_text}.")))?;
    token::check(Purpose::Challan, no, k, now).map_err(PageError::bad_link)?;
    state.store.challan_by_no(no).await?.ok_or_else(|| PageError::not_found(format!("There is no challan {no}.")))
}

/// What the page shows besides the challan itself.
#[derive(Default)]
struct Notes<'a> {
    flash: Option<(&'static str, &'static str)>,
    grounds: &'a str,
    contest_error: Option<String>,
}

/// `GET /pay/{challan_no}?k=`.
pub async fn page(State(state): State<AppState>, Path(no): Path<String>, uri: Uri) -> Response {
    let now = Timestamp::now();
    let k = query_value(&uri, "k").unwrap_or_default();
    let flash = match query_value(&uri, "done").as_deref() {
        Some("contest") => Some(("Your contest was recorded. An officer will decide it; the challan cannot be paid until then.", "آپ کی اپیل درج ہو گئی ہے۔")),
        _ => None,
    };
    let result = async {
        let c = authorised(&state, &no, &k, now).await?;
        render(&state, &c, &k, &Notes { flash, ..Notes::default() }, StatusCode::OK, now).await
    }
    .await;
    result.unwrap_or_else(|e| e.page(&state.config))
}

/// `POST /pay/{challan_no}/contest`: `k` and `grounds`.
pub async fn contest(State(state): State<AppState>, Path(no): Path<String>, form: Result<Form<Vec<(String, String)>>, FormRejection>) -> Response {
    let now = Timestamp::now();
    let result = async {
        let fields = read_form(form)?;
        let k = fields.get("k");
        let c = authorised(&state, &no, k, now).await?;
        let grounds = fields.get("grounds").trim();
        let chars = grounds.chars().count();
        if chars == 0 || chars > MAX_REASON_CHARS {
            let message = format!("Write your grounds for contesting: 1 to {MAX_REASON_CHARS} characters (you wrote {chars}).");
            let notes = Notes { grounds, contest_error: Some(message), ..Notes::default() };
            return render(&state, &c, k, &notes, StatusCode::BAD_REQUEST, now).await;
        }
        state.store.record_public_contest(c.challan_no, grounds, Uuid::now_v7(), now).await?;
        metrics::counter!("mahasil_citizen_contests_total").increment(1);
        Ok(page::see_other(&format!("/pay/{}?{}", c.challan_no.digits(), crate::web::form::query_string([("k", k), ("done", "contest")]))))
    }
    .await;
    result.unwrap_or_else(|e| e.page(&state.config))
}

fn row(en: &str, urdu: &str, value: Markup) -> Markup {
    html! { div.kv { dt { (both(en, urdu)) } dd { (value) } } }
}

async fn render(state: &AppState, c: &ChallanRecord, k: &str, notes: &Notes<'_>, status: StatusCode, now: Timestamp) -> Result<Response, PageError> {
    let head = match mahasil_domain::head::HeadCode::parse(&c.head_code) {
        Ok(code) => state.head(&code).await?,
        Err(_) => None,
    };
    let (title_en, title_ur) = head.map_or_else(|| (c.head_code.clone(), c.head_code.clone()), |h| (h.head.title_en, h.head.title_ur));
    let payments = state.store.challan_payments(c.id).await?;
    let attempts = state.store.challan_online_payments(c.id).await?;
    let contests = state.store.challan_contests(c.id).await?;
    let today = local_date(now);
    let overdue = c.status.is_overdue(c.due_date, today);
    let payable_online = c.status == ChallanStatus::Issued && state.gateway.is_some() && state.config.gateway.is_some();
    let content = html! {
        p.hint { (both("Challan", "چالان")) " " strong.code { (c.challan_no.to_string()) } }
        h1 { (title_en) br; (ur(&title_ur)) }
        p { (status_badge(c.status, overdue)) }
        @if let Some((en, urdu)) = notes.flash { p.alert.ok role="status" { (en) " " (ur(urdu)) } }
        (amounts(c, today))
        (facts(c))
        @if payable_online { (pay_form(c, k, today)) }
        (history(&payments, &attempts, now))
        (contest_section(c, k, &contests, notes))
        p { a href="/pay" { (both("Look up another challan", "دوسرا چالان تلاش کریں")) } }
    };
    let title = format!("Challan {}", c.challan_no);
    let targets = if payable_online { FormTargets::Gateway } else { FormTargets::ThisSite };
    Ok(page::respond(&state.config, status, page::shell(&state.config, &title, content), targets))
}

fn amounts(c: &ChallanRecord, today: jiff::civil::Date) -> Markup {
    let due_today = c.status.is_open().then(|| amount_due_on(c, today));
    html! {
        section.card #amounts {
            h2 { (both("Amounts", "رقم")) }
            dl.facts {
                (row("Amount within due date", "مقررہ تاریخ تک رقم", html! { (money(c.amount_paisa)) }))
                (row("Amount after due date", "مقررہ تاریخ کے بعد رقم", html! { (money(c.amount_after_due_paisa)) }))
                (row("Due date", "آخری تاریخ", html! { (c.due_date.to_string()) }))
                @match due_today {
                    Some(amount) => (row("Amount due today", "آج واجب الادا رقم", html! { strong #due-today data-paisa=(amount) { (money(amount)) } })),
                    None => (row("Amount due today", "آج واجب الادا رقم", html! { strong #due-today data-paisa="0" { "nothing" } " " (ur("کچھ نہیں")) })),
                }
            }
            @if c.status == ChallanStatus::Contested {
                p.hint { "The challan is contested: it cannot be paid until the contest is decided. " (ur("اپیل کے فیصلے تک ادائیگی نہیں ہو سکتی۔")) }
            }
        }
    }
}

fn facts(c: &ChallanRecord) -> Markup {
    let o = &c.offender;
    html! {
        section.card #facts {
            h2 { (both("Details", "تفصیلات")) }
            dl.facts {
                (row("CNIC", "شناختی کارڈ", html! { (mask_digits(o.cnic.as_str())) }))
                (row("Mobile", "موبائل", html! { (mask_digits(o.mobile.as_str())) }))
                @if let Some(v) = &o.vehicle_no { (row("Vehicle", "گاڑی", html! { (v.as_str()) })) }
                @if let Some(b) = &o.business_name { (row("Business", "کاروبار", html! { (b.as_str()) })) }
                (row("Place", "مقام", html! { (c.location.text.as_str()) }))
                (row("District", "ضلع", html! { (c.district.as_str()) }))
                (row("Issued", "جاری", html! { (karachi_time(c.received_at)) }))
            }
        }
    }
}

fn pay_form(c: &ChallanRecord, k: &str, today: jiff::civil::Date) -> Markup {
    let amount = amount_due_on(c, today);
    html! {
        section.card #pay {
            h2 { (both("Pay online", "آن لائن ادائیگی")) }
            p { "You will be taken to the payment gateway to pay " strong { (money(amount)) } " by card. Your receipt is ready as soon as the gateway confirms. "
                (ur("ادائیگی کے لیے آپ کو پیمنٹ گیٹ وے پر بھیجا جائے گا۔")) }
            form method="post" action={ "/pay/" (c.challan_no.digits()) "/online" } {
                input type="hidden" name="k" value=(k);
                button type="submit" { "Pay " (money(amount)) " online " (ur("آن لائن ادائیگی کریں")) }
            }
        }
    }
}

fn channel_words(channel: Channel) -> Markup {
    match channel {
        Channel::Bank => both("bank", "بینک"),
        Channel::Gateway => both("online", "آن لائن"),
        Channel::Counter => both("treasury counter", "خزانہ کاؤنٹر"),
    }
}

fn history(payments: &[PaymentRecord], attempts: &[OnlinePayment], now: Timestamp) -> Markup {
    html! {
        section.card #payments {
            h2 { (both("Payments", "ادائیگیاں")) }
            @if payments.is_empty() {
                p.empty { "No payment yet. " (ur("ابھی تک کوئی ادائیگی نہیں ہوئی۔")) }
            } @else {
                div.table-wrap { table.rows {
                    thead { tr { th { "Receipt" } th { "Channel" } th.num { "Amount" } th { "Paid" } th { "State" } } }
                    tbody { @for p in payments {
                        tr data-receipt=(p.receipt_no.digits()) {
                            td data-label="Receipt" { a href=(receipt_path(p.receipt_no, now)) { (p.receipt_no.to_string()) " (PDF)" } }
                            td data-label="Channel" { (channel_words(p.channel)) }
                            td.num data-label="Amount" { (money(p.amount_paisa)) }
                            td data-label="Paid" { (karachi_time(p.paid_at)) }
                            td data-label="State" {
                                @if let Some(at) = p.reversed_at { "reversed " (karachi_time(at)) " " (ur("واپس شدہ")) }
                                @else if p.overpaid_paisa > 0 { (money(p.overpaid_paisa)) " to be refunded " (ur("قابل واپسی")) }
                                @else { "received " (ur("موصول")) }
                            }
                        }
                    } }
                } }
            }
            @if !attempts.is_empty() {
                h3 { (both("Online payment attempts", "آن لائن ادائیگی کی کوششیں")) }
                ul.items { @for a in attempts.iter().rev() {
                    li data-online=(a.status.as_str()) {
                        span.when { (karachi_time(a.created_at)) } " " (money(a.amount_paisa)) " — "
                        @match (a.status, a.receipt_no) {
                            (OnlineStatus::Succeeded, Some(r)) => { "paid, receipt " (r.to_string()) " " (ur("ادا شدہ")) }
                            (OnlineStatus::Succeeded, None) => { "paid; being checked by the treasury " (ur("جانچ جاری ہے")) }
                            (OnlineStatus::Failed, _) => { "did not go through" @if let Some(r) = &a.failure_reason { ": " (r) } " " (ur("مکمل نہیں ہوئی")) }
                            (OnlineStatus::Pending, _) => { "waiting for the gateway " (ur("گیٹ وے کی تصدیق کا انتظار")) }
                        }
                    }
                } }
            }
        }
    }
}

fn contest_section(c: &ChallanRecord, k: &str, contests: &[Contest], notes: &Notes<'_>) -> Markup {
    html! {
        @if !contests.is_empty() {
            section.card #contests {
                h2 { (both("Contests", "اپیلیں")) }
                ul.items { @for x in contests {
                    li data-contest=(x.state.as_str()) {
                        span.when { (karachi_time(x.recorded_at)) } " "
                        @match x.state {
                            ContestState::Open => { "waiting for a decision " (ur("فیصلے کا انتظار")) }
                            ContestState::Upheld => { "decided: the challan stands " (ur("چالان برقرار")) }
                            ContestState::Quashed => { "decided: the challan is cancelled " (ur("چالان منسوخ")) }
                        }
                        @if let Some(at) = x.decided_at { " (" (karachi_time(at)) ")" }
                    }
                } }
            }
        }
        @if c.status == ChallanStatus::Issued {
            section.card #contest {
                h2 { (both("Contest this challan", "اس چالان کے خلاف اپیل کریں")) }
                @if let Some(m) = &notes.contest_error { p.alert.error role="alert" data-field="grounds" { (m) } }
                form method="post" action={ "/pay/" (c.challan_no.digits()) "/contest" } {
                    input type="hidden" name="k" value=(k);
                    div.field.has-error[notes.contest_error.is_some()] {
                        label for="grounds" { (both("Your grounds", "اپیل کی وجوہات")) }
                        span.hint { "Say why the challan is wrong. An officer decides; until then it cannot be paid." }
                        textarea #grounds name="grounds" rows="5" required maxlength=(MAX_REASON_CHARS) { (notes.grounds) }
                    }
                    button type="submit" { (both("Submit contest", "اپیل جمع کریں")) }
                }
            }
        }
    }
}
