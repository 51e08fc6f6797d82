//! `/challans/new`: an officer issues a challan from a form. The form carries a one-time
//! `form_id` (a UUIDv7 made when the form is shown) that becomes the challan's id, so a
//! replayed or double-submitted form is refused by the store instead of issuing twice.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jiff::Timestamp;
use mahasil_domain::authz::{Action, Scope};
use mahasil_domain::head::{AmountRule, FeeSchedule, HeadCode, RevenueHead, schedule_in_force};
use mahasil_domain::time::local_date;
use maud::{Markup, html};
use uuid::Uuid;

use super::catalogue::{Catalogue, scope_has_department};
use super::form::{FieldErrors, FormFields, field_errors, rupees_to_paisa};
use super::staff::Staff;
use super::widgets::{Input, Select, notice, schedule_summary, urdu};
use crate::actions::{self, IssueChallanInput, LocationInput, OffenderInput};
use crate::error::{ApiError, ApiResult};

/// Most heads offered on one form; the catalogue is far smaller.
const MAX_HEADS_OFFERED: usize = 200;

/// A head the officer may issue under, with the schedule in force today (if any).
struct Offer {
    head: RevenueHead,
    schedule: Option<FeeSchedule>,
}

async fn offers(staff: &Staff, catalogue: &Catalogue, scope: &Scope, now: Timestamp) -> ApiResult<Vec<Offer>> {
    let today = local_date(now);
    let mut offers = Vec::new();
    for head in catalogue.heads.iter().filter(|h| h.active && scope_has_department(scope, &h.department)).take(MAX_HEADS_OFFERED) {
        let schedules = staff.state.head(&head.code).await?.map(|h| h.schedules).unwrap_or_default();
        offers.push(Offer { head: head.clone(), schedule: schedule_in_force(&schedules, today).cloned() });
    }
    Ok(offers)
}

/// What the form shows besides the values typed: the one-time id, errors and a message.
struct FormState<'a> {
    form_id: String,
    errors: FieldErrors,
    message: Option<&'a str>,
}

/// `GET /challans/new`.
pub async fn form(staff: Staff) -> Response {
    let result = async {
        let empty = FormFields::default();
        let state = FormState { form_id: Uuid::now_v7().to_string(), errors: FieldErrors::new(), message: None };
        render(&staff, &empty, &state, StatusCode::OK).await
    }
    .await;
    staff.finish(result)
}

fn head_choice(offer: &Offer, selected: bool) -> Markup {
    let code = offer.head.code.to_string();
    let id = format!("head-{code}");
    html! {
        div.choice {
            input type="radio" name="head_code" id=(id) value=(code) checked[selected] disabled[offer.schedule.is_none()];
            label for=(id) {
                strong { (code) } " — " (offer.head.title_en) " " (urdu(&offer.head.title_ur))
                br;
                span.hint {
                    @match &offer.schedule {
                        Some(s) => {
                            @if matches!(s.amount, AmountRule::Range { .. }) { "Enter the amount: " } @else { "No amount needed: " }
                            (schedule_summary(s))
                        }
                        None => "No fee schedule is in force today; cannot be issued.",
                    }
                }
            }
        }
    }
}

fn offender_fields(form: &FormFields, errors: &FieldErrors) -> Markup {
    html! {
        fieldset {
            legend { "Offender" }
            (Input::text("Name", "offender.name", form.get("offender.name")).required().maxlength(200).errors(errors, &["offender.name"]))
            (Input::text("CNIC", "offender.cnic", form.get("offender.cnic")).required().hint("#####-#######-#").inputmode("numeric").errors(errors, &["offender.cnic"]))
            (Input::text("Mobile", "offender.mobile", form.get("offender.mobile")).kind("tel").required().hint("e.g. 0300-1234567").errors(errors, &["offender.mobile"]))
            (Input::text("Email", "offender.email", form.get("offender.email")).kind("email").errors(errors, &["offender.email"]))
            (Input::text("Vehicle registration", "offender.vehicle_no", form.get("offender.vehicle_no")).hint("as on the plate, e.g. ABC-123").errors(errors, &["offender.vehicle_no"]))
            (Input::text("Business name", "offender.business_name", form.get("offender.business_name")).maxlength(200).errors(errors, &["offender.business_name"]))
            (Input::text("Address", "offender.address", form.get("offender.address")).maxlength(200).errors(errors, &["offender.address"]))
            (Select {
                label: "Language for messages",
                name: "offender.language",
                options: vec![
                    (String::new(), "Not asked: SMS in Urdu, email in English".into()),
                    ("ur".into(), "Urdu — اردو".into()),
                    ("en".into(), "English".into()),
                ],
                selected: form.get("offender.language"),
                error: errors.get("offender.language").map(String::as_str),
            })
        }
    }
}

fn location_fields(form: &FormFields, errors: &FieldErrors) -> Markup {
    html! {
        fieldset {
            legend { "Where" }
            (Input::text("Place", "location.text", form.get("location.text")).required().hint("street, bazaar or landmark").maxlength(200).errors(errors, &["location.text"]))
            div.pair {
                (Input::text("Latitude", "location.lat", form.get("location.lat")).required().inputmode("decimal").hint("decimal degrees, e.g. 34.0151").errors(errors, &["location.lat", "location"]))
                (Input::text("Longitude", "location.lon", form.get("location.lon")).required().inputmode("decimal").hint("e.g. 71.5249").errors(errors, &["location.lon"]))
            }
        }
    }
}

async fn render(staff: &Staff, form: &FormFields, state: &FormState<'_>, status: StatusCode) -> ApiResult<Response> {
    let scope = staff.require(Action::IssueChallan)?;
    let now = Timestamp::now();
    let catalogue = Catalogue::load(&staff.state).await?;
    let offers = offers(staff, &catalogue, &scope, now).await?;
    let districts: Vec<(String, String)> = catalogue.districts_in(&scope).into_iter().map(|d| (d.slug.to_string(), d.name_en.clone())).collect();
    let chosen_district =
        if form.get("district").is_empty() { districts.first().map_or_else(String::new, |d| d.0.clone()) } else { form.get("district").to_string() };
    let errors = &state.errors;
    let content = html! {
        h1 { "Issue a challan" }
        @if let Some(m) = state.message { (notice("error", m)) }
        @if !errors.is_empty() { (notice("error", "Some fields need attention; each is marked below.")) }
        form.card method="post" action="/challans/new" {
            (staff.csrf_field())
            input type="hidden" name="form_id" value=(state.form_id);
            fieldset.has-error[errors.contains_key("head_code")] {
                legend { "Revenue head" }
                @if offers.is_empty() { p { "No revenue head of your departments is open for issuing." } }
                @for offer in &offers { (head_choice(offer, form.get("head_code") == offer.head.code.as_str())) }
                @if let Some(e) = errors.get("head_code") { span.field-error { (e) } }
            }
            (Input::text("Amount in rupees", "amount", form.get("amount")).inputmode("decimal").hint("only for heads with a range; up to two decimals, e.g. 1250.50").errors(errors, &["amount_paisa"]))
            (Select { label: "District", name: "district", options: districts, selected: &chosen_district, error: errors.get("district").map(String::as_str) })
            (offender_fields(form, errors))
            (location_fields(form, errors))
            div.actions { button type="submit" { "Issue challan" } }
        }
    };
    Ok(staff.page(status, "Issue a challan", content))
}

/// A coordinate typed in decimal degrees; not-a-number stands in for a bad one so the
/// domain refuses the location while every other field is still checked.
fn coordinate(form: &FormFields, name: &str, errors: &mut FieldErrors) -> f64 {
    match form.opt(name).map(str::parse::<f64>) {
        Some(Ok(v)) if v.is_finite() => v,
        Some(_) => {
            errors.insert(name.into(), "must be a number in decimal degrees, e.g. 34.0151".into());
            f64::NAN
        }
        None => {
            errors.insert(name.into(), "is required".into());
            f64::NAN
        }
    }
}

/// The amount to send: none for a fixed head (its schedule sets it), the rupees typed
/// converted exactly for a range head.
async fn amount(staff: &Staff, form: &FormFields, errors: &mut FieldErrors) -> ApiResult<Option<i64>> {
    let Ok(code) = HeadCode::parse(form.get("head_code")) else { return Ok(None) };
    let Some(head) = staff.state.head(&code).await? else { return Ok(None) };
    let in_force = schedule_in_force(&head.schedules, local_date(Timestamp::now()));
    let Some(AmountRule::Range { min_paisa, max_paisa }) = in_force.map(|s| s.amount) else { return Ok(None) };
    match form.opt("amount").map(rupees_to_paisa) {
        Some(Ok(paisa)) => {
            // The domain refuses it too; this says so in rupees, as the officer typed it.
            if !(min_paisa.get()..=max_paisa.get()).contains(&paisa) {
                errors.insert("amount_paisa".into(), format!("must be from {min_paisa} to {max_paisa} for this head"));
            }
            Ok(Some(paisa))
        }
        Some(Err(reason)) => {
            errors.insert("amount_paisa".into(), reason);
            Ok(None)
        }
        None => {
            errors.insert("amount_paisa".into(), "this head has a range: enter the amount".into());
            Ok(None)
        }
    }
}

fn input_of(form: &FormFields, id: Uuid, amount_paisa: Option<i64>, lat: f64, lon: f64) -> IssueChallanInput {
    let opt = |name: &str| form.opt(name).map(str::to_string);
    IssueChallanInput {
        id: Some(id),
        head_code: form.get("head_code").to_string(),
        amount_paisa,
        district: form.get("district").to_string(),
        offender: OffenderInput {
            name: form.get("offender.name").to_string(),
            cnic: form.get("offender.cnic").to_string(),
            mobile: form.get("offender.mobile").to_string(),
            email: opt("offender.email"),
            vehicle_no: opt("offender.vehicle_no"),
            business_name: opt("offender.business_name"),
            address: opt("offender.address"),
            language: opt("offender.language"),
        },
        location: LocationInput { lat, lon, text: form.get("location.text").to_string() },
    }
}

/// `POST /challans/new`.
pub async fn submit(staff: Staff, form: FormFields) -> Response {
    let result = issue(&staff, &form).await;
    staff.finish(result)
}

async fn issue(staff: &Staff, form: &FormFields) -> ApiResult<Response> {
    staff.check_csrf(form)?;
    staff.require(Action::IssueChallan)?;
    let form_id = Uuid::parse_str(form.get("form_id")).map_err(|_| ApiError::bad_request("this form is incomplete; open the issue form again"))?;
    let mut errors = FieldErrors::new();
    let amount_paisa = amount(staff, form, &mut errors).await?;
    let lat = coordinate(form, "location.lat", &mut errors);
    let lon = coordinate(form, "location.lon", &mut errors);
    let input = input_of(form, form_id, amount_paisa, lat, lon);
    match actions::issue_challan(&staff.state, staff.principal(), &input, Timestamp::now()).await {
        Ok(record) => Ok(Redirect::to(&format!("/challans/{}?issued=1", record.challan_no)).into_response()),
        Err(e) if e.status == StatusCode::CONFLICT => already_submitted(staff, form_id).await,
        Err(e) if e.status.is_server_error() => Err(e),
        Err(e) => {
            let mut all = field_errors(&e);
            // Our own reading of a field says more than the domain's view of its stand-in.
            if errors.contains_key("location.lat") || errors.contains_key("location.lon") {
                all.remove("location");
            }
            all.extend(errors);
            let (status, message) = if all.is_empty() { (e.status, Some(e.body.message.as_str())) } else { (StatusCode::UNPROCESSABLE_ENTITY, None) };
            let state = FormState { form_id: form_id.to_string(), errors: all, message };
            render(staff, form, &state, status).await
        }
    }
}

async fn already_submitted(staff: &Staff, form_id: Uuid) -> ApiResult<Response> {
    let existing = staff.state.store.challan(form_id).await?;
    let readable = existing.filter(|c| staff.principal().may(Action::ReadChallan, &c.district, &c.department));
    let content = html! {
        h1 { "Already submitted" }
        (notice("error", "This form was already submitted; it did not issue a second challan."))
        @if let Some(c) = &readable {
            p { "It issued challan " a href={ "/challans/" (c.challan_no.to_string()) } { (c.challan_no.to_string()) } "." }
        }
        p { a href="/challans/new" { "Issue another challan" } }
    };
    Ok(staff.page(StatusCode::CONFLICT, "Already submitted", content))
}
