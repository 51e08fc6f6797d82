//! `/admin/users`: staff users; create one, edit display name, grants and active flag,
//! reset a password. Grants are edited as rows of (role, district or all, department or
//! all); a row without a role is dropped.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jiff::Timestamp;
use mahasil_domain::authz::{Action, Role};
use mahasil_store::UserRecord;
use maud::{Markup, html};
use uuid::Uuid;

use super::catalogue::Catalogue;
use super::form::{FieldErrors, FormFields, QueryFields, field_errors};
use super::staff::Staff;
use super::widgets::{Input, notice};
use crate::admin::{self, CreateUserInput, GrantInput, UpdateUserInput};
use crate::auth::password::MIN_PASSWORD_CHARS;
use crate::error::{ApiError, ApiResult};

/// Empty grant rows offered below the filled ones.
const BLANK_GRANT_ROWS: usize = 2;

/// The grant rows a form sent, without the rows left without a role.
fn grant_rows(form: &FormFields) -> Vec<GrantInput> {
    let roles = form.all("grant.role");
    let mut districts = form.all("grant.district");
    let mut departments = form.all("grant.department");
    roles
        .map(|role| (role, districts.next().unwrap_or(""), departments.next().unwrap_or("")))
        .filter(|(role, _, _)| !role.trim().is_empty())
        .map(|(role, district, department)| GrantInput {
            role: role.to_string(),
            district: Some(district.to_string()),
            department: Some(department.to_string()),
        })
        .collect()
}

fn stored_rows(user: &UserRecord) -> Vec<GrantInput> {
    user.grants
        .iter()
        .map(|g| GrantInput {
            role: g.role.as_str().into(),
            district: g.district.as_ref().map(ToString::to_string),
            department: g.department.as_ref().map(ToString::to_string),
        })
        .collect()
}

fn select(name: &str, label: &str, options: &[(String, String)], selected: &str) -> Markup {
    html! {
        select name=(name) aria-label=(label) {
            @for (value, text) in options { option value=(value) selected[value == selected] { (text) } }
        }
    }
}

/// The grant rows as a table of selects, each row's errors beside it.
fn grants_editor(catalogue: &Catalogue, rows: &[GrantInput], errors: &FieldErrors) -> Markup {
    let mut roles = vec![(String::new(), "— no role —".to_string())];
    roles.extend(Role::ALL.iter().map(|r| (r.as_str().to_string(), r.as_str().to_string())));
    let mut districts = vec![("all".to_string(), "All districts".to_string())];
    districts.extend(catalogue.districts.iter().map(|d| (d.slug.to_string(), d.name_en.clone())));
    let mut departments = vec![("all".to_string(), "All departments".to_string())];
    departments.extend(catalogue.departments.iter().map(|d| (d.slug.to_string(), d.name_en.clone())));
    let blank = GrantInput { role: String::new(), district: None, department: None };
    let shown = rows.iter().chain(std::iter::repeat_n(&blank, BLANK_GRANT_ROWS));
    html! {
        fieldset.has-error[errors.contains_key("grants")] {
            legend { "Roles" }
            p.hint { "Each row grants one role over a district and a department. Choose “no role” to remove a row." }
            @if let Some(e) = errors.get("grants") { span.field-error { (e) } }
            div.table-wrap { table.grants {
                thead { tr { th { "Role" } th { "District" } th { "Department" } } }
                tbody {
                    @for (i, row) in shown.enumerate() {
                        tr {
                            td { (select("grant.role", "Role", &roles, &row.role)) }
                            td { (select("grant.district", "District", &districts, row.district.as_deref().unwrap_or("all"))) }
                            td { (select("grant.department", "Department", &departments, row.department.as_deref().unwrap_or("all"))) }
                        }
                        @for part in ["", ".role", ".district", ".department"] {
                            @if let Some(e) = errors.get(&format!("grants[{i}]{part}")) { tr.row-error { td colspan="3" { span.field-error { (e) } } } }
                        }
                    }
                }
            } }
        }
    }
}

/// `GET /admin/users`.
pub async fn list(staff: Staff) -> Response {
    let empty = FormFields::default();
    let result = render_list(&staff, &empty, &FieldErrors::new(), None, StatusCode::OK).await;
    staff.finish(result)
}

async fn render_list(staff: &Staff, form: &FormFields, errors: &FieldErrors, message: Option<&str>, status: StatusCode) -> ApiResult<Response> {
    let scope = staff.require(Action::ManageUsers)?;
    let catalogue = Catalogue::load(&staff.state).await?;
    let mut users: Vec<UserRecord> = staff.state.store.users().await?;
    users.retain(|u| u.grants.iter().all(|g| admin::scope_covers(&scope, g.district.as_ref(), g.department.as_ref())));
    users.sort_by(|a, b| a.username.cmp(&b.username));
    let content = html! {
        h1 { "Staff users" }
        div.table-wrap { table.rows {
            thead { tr { th { "Username" } th { "Name" } th { "Roles" } th { "Status" } } }
            tbody { @for u in &users {
                tr {
                    td data-label="Username" { a href={ "/admin/users/" (u.id.to_string()) } { (u.username) } }
                    td data-label="Name" { (u.display_name) }
                    td data-label="Roles" { @for g in &u.grants { (catalogue.grant_text(g)) br; } }
                    td data-label="Status" { @if u.active { span.badge.paid { "active" } } @else { span.badge.cancelled { "inactive" } } }
                }
            } }
        } }
        section.card id="new" {
            h2 { "New user" }
            @if let Some(m) = message { (notice("error", m)) }
            form method="post" action="/admin/users" {
                (staff.csrf_field())
                (Input::text("Username", "username", form.get("username")).required().autocomplete("off").hint("lower case, e.g. officer.peshawar").maxlength(admin::MAX_USERNAME_CHARS).errors(errors, &["username"]))
                (Input::text("Display name", "display_name", form.get("display_name")).required().maxlength(admin::MAX_DISPLAY_NAME_CHARS).errors(errors, &["display_name"]))
                (Input::text("Password", "password", "").kind("password").required().autocomplete("new-password").hint(&format!("at least {MIN_PASSWORD_CHARS} characters; give it to the user in person")).errors(errors, &["password"]))
                (grants_editor(&catalogue, &grant_rows(form), errors))
                button type="submit" { "Create user" }
            }
        }
    };
    Ok(staff.page(status, "Staff users", content))
}

/// A refusal's message above its form: the general one when fields carry the details.
fn refusal_message(e: &ApiError) -> String {
    if e.body.fields.is_some() { "Some fields need attention; each is marked below.".into() } else { e.body.message.clone() }
}

/// `POST /admin/users`.
pub async fn create(staff: Staff, form: FormFields) -> Response {
    let result = async {
        staff.check_csrf(&form)?;
        let input = CreateUserInput {
            username: form.get("username").to_string(),
            display_name: form.get("display_name").to_string(),
            password: form.get("password").to_string(),
            grants: grant_rows(&form),
        };
        match admin::create_user(&staff.state, staff.principal(), &input, Timestamp::now()).await {
            Ok(user) => Ok(Redirect::to(&format!("/admin/users/{}?done=created", user.id)).into_response()),
            Err(e) if e.status.is_server_error() || e.status == StatusCode::FORBIDDEN => Err(e),
            Err(e) => render_list(&staff, &form, &field_errors(&e), Some(&refusal_message(&e)), e.status).await,
        }
    }
    .await;
    staff.finish(result)
}

fn user_id(id: &str) -> ApiResult<Uuid> {
    Uuid::parse_str(id).map_err(|_| ApiError::not_found(format!("no user {id}")))
}

/// What the edit page shows after a refusal: which form, the values typed, the errors.
struct Refusal<'a> {
    form: &'static str,
    typed: &'a FormFields,
    errors: FieldErrors,
    message: String,
}

/// `GET /admin/users/{id}`.
pub async fn edit(staff: Staff, Path(id): Path<String>, QueryFields(query): QueryFields) -> Response {
    let flash = match query.get("done") {
        "created" => Some("User created. They can sign in now."),
        "saved" => Some("Changes saved."),
        "password" => Some("Password changed. Give the new one to the user in person."),
        _ => None,
    };
    let result = render_edit(&staff, &id, flash, None, StatusCode::OK).await;
    staff.finish(result)
}

async fn render_edit(staff: &Staff, id: &str, flash: Option<&str>, refusal: Option<&Refusal<'_>>, status: StatusCode) -> ApiResult<Response> {
    let scope = staff.require(Action::ManageUsers)?;
    let id = user_id(id)?;
    let user = staff.state.store.user(id).await?.ok_or_else(|| ApiError::not_found(format!("no user {id}")))?;
    if !user.grants.iter().all(|g| admin::scope_covers(&scope, g.district.as_ref(), g.department.as_ref())) {
        return Err(ApiError::forbidden(format!("{} holds roles outside the districts and departments you administer", user.username)));
    }
    let catalogue = Catalogue::load(&staff.state).await?;
    let details = refusal.filter(|r| r.form == "details");
    let password = refusal.filter(|r| r.form == "password");
    let no_errors = FieldErrors::new();
    let (display_name, active, rows, errors) = match details {
        Some(r) => (r.typed.get("display_name").to_string(), r.typed.get("active") == "on", grant_rows(r.typed), &r.errors),
        None => (user.display_name.clone(), user.active, stored_rows(&user), &no_errors),
    };
    let content = html! {
        h1 { "User " (user.username) }
        @if let Some(m) = flash { (notice("ok", m)) }
        section.card {
            h2 { "Details and roles" }
            @if let Some(r) = details { (notice("error", &r.message)) }
            form method="post" action={ "/admin/users/" (user.id.to_string()) } {
                (staff.csrf_field())
                (Input::text("Display name", "display_name", &display_name).required().maxlength(admin::MAX_DISPLAY_NAME_CHARS).errors(errors, &["display_name"]))
                div.field.has-error[errors.contains_key("active")] {
                    label.inline { input type="checkbox" name="active" value="on" checked[active]; " Active (may sign in)" }
                    @if let Some(e) = errors.get("active") { span.field-error { (e) } }
                }
                (grants_editor(&catalogue, &rows, errors))
                button type="submit" { "Save" }
            }
        }
        section.card {
            h2 { "Reset password" }
            @if let Some(r) = password { (notice("error", &r.message)) }
            form method="post" action={ "/admin/users/" (user.id.to_string()) "/password" } {
                (staff.csrf_field())
                (Input::text("New password", "password", "").kind("password").required().autocomplete("new-password").hint(&format!("at least {MIN_PASSWORD_CHARS} characters")).errors(password.map_or(&no_errors, |r| &r.errors), &["password"]))
                button type="submit" { "Set password" }
            }
        }
        p { a href="/admin/users" { "All users" } }
    };
    Ok(staff.page(status, &format!("User {}", user.username), content))
}

/// `POST /admin/users/{id}`.
pub async fn update(staff: Staff, Path(id): Path<String>, form: FormFields) -> Response {
    let result = async {
        staff.check_csrf(&form)?;
        let uid = user_id(&id)?;
        let input = UpdateUserInput { display_name: form.get("display_name").to_string(), grants: grant_rows(&form), active: form.get("active") == "on" };
        match admin::update_user(&staff.state, staff.principal(), uid, &input, Timestamp::now()).await {
            Ok(_) => Ok(Redirect::to(&format!("/admin/users/{uid}?done=saved")).into_response()),
            Err(e) if e.status.is_server_error() || matches!(e.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND) => Err(e),
            Err(e) => {
                let refusal = Refusal { form: "details", typed: &form, errors: field_errors(&e), message: refusal_message(&e) };
                render_edit(&staff, &id, None, Some(&refusal), e.status).await
            }
        }
    }
    .await;
    staff.finish(result)
}

/// `POST /admin/users/{id}/password`.
pub async fn reset_password(staff: Staff, Path(id): Path<String>, form: FormFields) -> Response {
    let result = async {
        staff.check_csrf(&form)?;
        let uid = user_id(&id)?;
        match admin::reset_password(&staff.state, staff.principal(), uid, form.get("password"), Timestamp::now()).await {
            Ok(()) => Ok(Redirect::to(&format!("/admin/users/{uid}?done=password")).into_response()),
            Err(e) if e.status.is_server_error() || matches!(e.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND) => Err(e),
            Err(e) => {
                let refusal = Refusal { form: "password", typed: &form, errors: field_errors(&e), message: refusal_message(&e) };
                render_edit(&staff, &id, None, Some(&refusal), e.status).await
            }
        }
    }
    .await;
    staff.finish(result)
}
