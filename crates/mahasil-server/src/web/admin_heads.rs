//! `/admin/heads`: revenue heads with their fee schedule versions; create a head with its
//! first schedule, edit titles and the active flag, add a schedule version in force from a
//! date. Schedules are never edited: a change is a new version.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jiff::Timestamp;
use mahasil_domain::authz::Action;
use mahasil_domain::head::HeadKind;
use mahasil_store::HeadWithSchedules;
use maud::{Markup, html};

use super::catalogue::Catalogue;
use super::form::{FieldErrors, FormFields, QueryFields, field_errors};
use super::schedule_form;
use super::staff::Staff;
use super::widgets::{Input, Select, notice, schedule_summary, urdu};
use crate::admin::{self, CreateHeadInput, UpdateHeadInput};
use crate::error::{ApiError, ApiResult};

/// Most heads listed on one page; the provincial catalogue is far smaller.
const MAX_HEADS_LISTED: usize = 500;

/// What a re-shown form needs: the values typed, the errors and a message.
struct Shown<'a> {
    form: &'a FormFields,
    errors: FieldErrors,
    message: Option<(&'static str, String)>,
}

impl<'a> Shown<'a> {
    fn fresh(form: &'a FormFields) -> Self {
        Self { form, errors: FieldErrors::new(), message: None }
    }

    /// A refusal: its fields beside their inputs, or its message above the form.
    fn refused(form: &'a FormFields, e: &ApiError, mut errors: FieldErrors) -> Self {
        let mut all = field_errors(e);
        all.append(&mut errors);
        let message = if all.is_empty() {
            Some(("error", e.body.message.clone()))
        } else {
            Some(("error", "Some fields need attention; each is marked below.".to_string()))
        };
        Self { form, errors: all, message }
    }
}

fn refusal_status(e: &ApiError, own_errors: &FieldErrors) -> StatusCode {
    if own_errors.is_empty() { e.status } else { StatusCode::UNPROCESSABLE_ENTITY }
}

/// `GET /admin/heads`.
pub async fn list(staff: Staff) -> Response {
    let empty = FormFields::default();
    let result = render_list(&staff, &Shown::fresh(&empty), StatusCode::OK).await;
    staff.finish(result)
}

fn head_texts(shown: &Shown<'_>) -> Markup {
    let (form, errors) = (shown.form, &shown.errors);
    html! {
        (Input::text("Title (English)", "title_en", form.get("title_en")).required().maxlength(200).errors(errors, &["title_en"]))
        div.field.has-error[errors.contains_key("title_ur")] {
            label for="title_ur" { "Title (Urdu)" }
            input id="title_ur" name="title_ur" dir="rtl" lang="ur" required maxlength="200" value=(form.get("title_ur"));
            @if let Some(e) = errors.get("title_ur") { span.field-error { (e) } }
        }
        (Input::text("Legal basis", "legal_basis", form.get("legal_basis")).required().maxlength(500).hint("the law and section that sets this amount").errors(errors, &["legal_basis"]))
        (Input::text("Treasury head of account", "account_code", form.get("account_code")).required().maxlength(64).errors(errors, &["account_code"]))
    }
}

fn create_form(staff: &Staff, catalogue: &Catalogue, shown: &Shown<'_>) -> Markup {
    let (form, errors) = (shown.form, &shown.errors);
    let departments = catalogue.departments.iter().map(|d| (d.slug.to_string(), d.name_en.clone())).collect();
    let kinds = [HeadKind::Fine, HeadKind::Tax, HeadKind::Fee].iter().map(|k| (k.as_str().to_string(), k.as_str().to_string())).collect();
    html! {
        section.card id="new" {
            h2 { "New revenue head" }
            @if let Some((kind, m)) = &shown.message { (notice(kind, m)) }
            form method="post" action="/admin/heads" {
                (staff.csrf_field())
                div.grid {
                    (Input::text("Code", "code", form.get("code")).required().hint("e.g. DA-ENC-01").maxlength(24).errors(errors, &["code"]))
                    (Select { label: "Kind", name: "kind", options: kinds, selected: form.get("kind"), error: errors.get("kind").map(String::as_str) })
                    (Select { label: "Department", name: "department", options: departments, selected: form.get("department"), error: errors.get("department").map(String::as_str) })
                }
                (head_texts(shown))
                (schedule_form::fields(form, "schedule.", errors))
                button type="submit" { "Create head" }
            }
        }
    }
}

async fn with_schedules(staff: &Staff, catalogue: &Catalogue) -> ApiResult<Vec<HeadWithSchedules>> {
    let mut all = Vec::new();
    for head in catalogue.heads.iter().take(MAX_HEADS_LISTED) {
        if let Some(h) = staff.state.store.head(&head.code).await? {
            all.push(h);
        }
    }
    Ok(all)
}

async fn render_list(staff: &Staff, shown: &Shown<'_>, status: StatusCode) -> ApiResult<Response> {
    staff.require(Action::ManageHeads)?;
    let catalogue = Catalogue::load(&staff.state).await?;
    let heads = with_schedules(staff, &catalogue).await?;
    let content = html! {
        h1 { "Revenue heads" }
        @for h in &heads {
            section.card {
                h2 { a href={ "/admin/heads/" (h.head.code.to_string()) } { (h.head.code.to_string()) } " " (h.head.title_en) " " (urdu(&h.head.title_ur))
                    @if !h.head.active { " " span.badge.cancelled { "inactive" } } }
                p { (h.head.kind.as_str()) " · " (catalogue.department_name(&h.head.department)) " · account " (h.head.account_code) }
                ol.versions { @for s in &h.schedules { li { "v" (s.version) " from " (s.effective_from.to_string()) ": " (schedule_summary(s)) } } }
            }
        }
        (create_form(staff, &catalogue, shown))
    };
    Ok(staff.page(status, "Revenue heads", content))
}

/// `POST /admin/heads`.
pub async fn create(staff: Staff, form: FormFields) -> Response {
    let result = async {
        staff.check_csrf(&form)?;
        let mut errors = FieldErrors::new();
        let schedule = schedule_form::read(&form, "schedule.", &mut errors);
        let input = CreateHeadInput {
            code: form.get("code").to_string(),
            kind: form.get("kind").to_string(),
            department: form.get("department").to_string(),
            title_en: form.get("title_en").to_string(),
            title_ur: form.get("title_ur").to_string(),
            legal_basis: form.get("legal_basis").to_string(),
            account_code: form.get("account_code").to_string(),
            schedule,
        };
        match admin::create_head(&staff.state, staff.principal(), &input, Timestamp::now()).await {
            Ok(h) => Ok(Redirect::to(&format!("/admin/heads/{}?done=created", h.head.code)).into_response()),
            Err(e) if e.status.is_server_error() || e.status == StatusCode::FORBIDDEN => Err(e),
            Err(e) => {
                let status = refusal_status(&e, &errors);
                render_list(&staff, &Shown::refused(&form, &e, errors), status).await
            }
        }
    }
    .await;
    staff.finish(result)
}

/// `GET /admin/heads/{code}`.
pub async fn edit(staff: Staff, Path(code): Path<String>, QueryFields(query): QueryFields) -> Response {
    let flash = match query.get("done") {
        "created" => Some("Revenue head created."),
        "saved" => Some("Changes saved."),
        "schedule" => Some("New schedule version added."),
        _ => None,
    };
    let empty = FormFields::default();
    let mut shown = Shown::fresh(&empty);
    shown.message = flash.map(|m| ("ok", m.to_string()));
    let result = render_edit(&staff, &code, &shown, None, StatusCode::OK).await;
    staff.finish(result)
}

/// The head page; `head_form` holds the values typed into the edit form after a refusal
/// (otherwise it shows the stored ones), `shown` the schedule form's.
async fn render_edit(staff: &Staff, code: &str, shown: &Shown<'_>, head_form: Option<&Shown<'_>>, status: StatusCode) -> ApiResult<Response> {
    staff.require(Action::ManageHeads)?;
    let parsed = mahasil_domain::head::HeadCode::parse(code).map_err(|_| ApiError::not_found(format!("no revenue head {code}")))?;
    let h = staff.state.store.head(&parsed).await?.ok_or_else(|| ApiError::not_found(format!("no revenue head {code}")))?;
    let catalogue = Catalogue::load(&staff.state).await?;
    let stored = FormFields::new(vec![
        ("title_en".into(), h.head.title_en.clone()),
        ("title_ur".into(), h.head.title_ur.clone()),
        ("legal_basis".into(), h.head.legal_basis.clone()),
        ("account_code".into(), h.head.account_code.clone()),
        ("active".into(), if h.head.active { "on".into() } else { String::new() }),
    ]);
    let stored_shown = Shown::fresh(&stored);
    let head_shown = head_form.unwrap_or(&stored_shown);
    let head_code = h.head.code.to_string();
    let content = html! {
        h1 { (head_code) " " (h.head.title_en) " " (urdu(&h.head.title_ur)) }
        @if let Some((kind, m)) = shown.message.as_ref().filter(|(k, _)| *k == "ok") { (notice(kind, m)) }
        p { (h.head.kind.as_str()) " · " (catalogue.department_name(&h.head.department)) }
        section.card {
            h2 { "Schedule versions" }
            table.rows { thead { tr { th { "Version" } th { "In force from" } th { "Terms" } } }
                tbody { @for s in &h.schedules { tr { td data-label="Version" { (s.version) } td data-label="In force from" { (s.effective_from.to_string()) } td data-label="Terms" { (schedule_summary(s)) } } } } }
        }
        section.card {
            h2 { "Titles and status" }
            @if let Some(f) = head_form { @if let Some((kind, m)) = &f.message { (notice(kind, m)) } }
            form method="post" action={ "/admin/heads/" (head_code) } {
                (staff.csrf_field())
                (head_texts(head_shown))
                div.field { label.inline { input type="checkbox" name="active" value="on" checked[head_shown.form.get("active") == "on"]; " Active (officers may issue under it)" } }
                button type="submit" { "Save" }
            }
        }
        section.card id="schedule" {
            h2 { "Add a schedule version" }
            p.hint { "Challans already issued keep their amounts. The new version applies from its date." }
            @if let Some((kind, m)) = shown.message.as_ref().filter(|(k, _)| *k == "error") { (notice(kind, m)) }
            form method="post" action={ "/admin/heads/" (head_code) "/schedules" } {
                (staff.csrf_field())
                (schedule_form::fields(shown.form, "", &shown.errors))
                button type="submit" { "Add version" }
            }
        }
        p { a href="/admin/heads" { "All revenue heads" } }
    };
    Ok(staff.page(status, &head_code, content))
}

/// `POST /admin/heads/{code}`.
pub async fn update(staff: Staff, Path(code): Path<String>, form: FormFields) -> Response {
    let result = async {
        staff.check_csrf(&form)?;
        let input = UpdateHeadInput {
            title_en: form.get("title_en").to_string(),
            title_ur: form.get("title_ur").to_string(),
            legal_basis: form.get("legal_basis").to_string(),
            account_code: form.get("account_code").to_string(),
            active: form.get("active") == "on",
        };
        match admin::update_head(&staff.state, staff.principal(), &code, &input, Timestamp::now()).await {
            Ok(h) => Ok(Redirect::to(&format!("/admin/heads/{}?done=saved", h.code)).into_response()),
            Err(e) if e.status.is_server_error() || matches!(e.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND) => Err(e),
            Err(e) => {
                let empty = FormFields::default();
                let head_form = Shown::refused(&form, &e, FieldErrors::new());
                render_edit(&staff, &code, &Shown::fresh(&empty), Some(&head_form), e.status).await
            }
        }
    }
    .await;
    staff.finish(result)
}

/// `POST /admin/heads/{code}/schedules`.
pub async fn add_schedule(staff: Staff, Path(code): Path<String>, form: FormFields) -> Response {
    let result = async {
        staff.check_csrf(&form)?;
        let mut errors = FieldErrors::new();
        let input = schedule_form::read(&form, "", &mut errors);
        match admin::add_fee_schedule(&staff.state, staff.principal(), &code, &input, Timestamp::now()).await {
            Ok(s) => Ok(Redirect::to(&format!("/admin/heads/{}?done=schedule", s.head)).into_response()),
            Err(e) if e.status.is_server_error() || matches!(e.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND) => Err(e),
            Err(e) => {
                let status = refusal_status(&e, &errors);
                render_edit(&staff, &code, &Shown::refused(&form, &e, errors), None, status).await
            }
        }
    }
    .await;
    staff.finish(result)
}
