//! `/admin/banks`: the banks that collect bills through the bank API. Register one, rename
//! it, switch it off or on, give it a new secret. A secret is shown once, on the page that
//! answers the change that set it, and never again (the page is not cached).

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use jiff::Timestamp;
use mahasil_domain::authz::Action;
use mahasil_domain::bank::{MAX_SECRET_CHARS, MIN_SECRET_CHARS};
use maud::{Markup, html};

use super::form::{FieldErrors, FormFields, field_errors};
use super::staff::Staff;
use super::widgets::{Input, karachi_time, notice};
use crate::admin::{self, BankChange, CreateBankInput, MAX_BANK_NAME_CHARS, UpdateBankInput};
use crate::error::{ApiError, ApiResult};

/// `GET /admin/banks`.
pub async fn list(staff: Staff) -> Response {
    let result = render(&staff, &FormFields::default(), &FieldErrors::new(), None, StatusCode::OK).await;
    staff.finish(result)
}

async fn render(staff: &Staff, form: &FormFields, errors: &FieldErrors, message: Option<Markup>, status: StatusCode) -> ApiResult<Response> {
    staff.require(Action::ManageBanks)?;
    let banks = staff.state.store.banks().await?;
    let secret_hint = format!("{MIN_SECRET_CHARS} to {MAX_SECRET_CHARS} printable characters; leave blank to generate one");
    let content = html! {
        h1 { "Banks" }
        p { "Banks sign every bank API request with their secret (HMAC-SHA256). A secret is shown once, when it is set." }
        @if let Some(m) = message { (m) }
        table.rows {
            thead { tr { th { "Mnemonic" } th { "Name" } th { "Status" } th { "Registered" } th { "Change" } } }
            tbody {
                @for b in &banks {
                    tr {
                        td data-label="Mnemonic" { code { (b.mnemonic) } }
                        td data-label="Name" { (b.name) }
                        td data-label="Status" { @if b.active { span.badge.issued { "active" } } @else { span.badge.cancelled { "switched off" } } }
                        td data-label="Registered" { (karachi_time(b.created_at)) }
                        td data-label="Change" {
                            form method="post" action={ "/admin/banks/" (b.mnemonic) } {
                                (staff.csrf_field())
                                input type="text" name="name" value=(b.name) aria-label="Name" maxlength=(MAX_BANK_NAME_CHARS);
                                label { input type="checkbox" name="active" checked[b.active]; " active" }
                                label { input type="checkbox" name="new_secret" value="generate"; " new secret" }
                                button type="submit" { "Save" }
                            }
                        }
                    }
                }
            }
        }
        section.card {
            h2 { "Register a bank" }
            form method="post" action="/admin/banks" {
                (staff.csrf_field())
                (Input::text("Mnemonic", "mnemonic", form.get("mnemonic")).hint("lower-case letters, digits and dashes, e.g. demo-bank").errors(errors, &["mnemonic"]).required())
                (Input::text("Name", "name", form.get("name")).errors(errors, &["name"]).maxlength(MAX_BANK_NAME_CHARS).required())
                (Input::text("Secret", "secret", "").kind("password").hint(&secret_hint).errors(errors, &["secret"]).autocomplete("off"))
                button type="submit" { "Register" }
            }
        }
    };
    Ok(staff.page(status, "Banks", content))
}

/// The message after a change: the secret it set, once.
fn changed(what: &str, change: &BankChange) -> Markup {
    html! {
        (notice("ok", &format!("{what} {}.", change.bank.mnemonic)))
        @if let Some(secret) = &change.new_secret {
            div.alert.info role="status" {
                p { "The bank's secret — give it to the bank's integration team now; it is not shown again:" }
                p { code #new-secret { (secret) } }
            }
        }
    }
}

/// A refusal shown on the page: its fields beside their inputs, or its message above.
async fn refused(staff: &Staff, form: &FormFields, e: ApiError) -> ApiResult<Response> {
    if e.status.is_server_error() || e.status == StatusCode::FORBIDDEN || e.status == StatusCode::NOT_FOUND {
        return Err(e);
    }
    let errors = field_errors(&e);
    let message = if errors.is_empty() { Some(notice("error", &e.body.message)) } else { None };
    render(staff, form, &errors, message, e.status).await
}

/// `POST /admin/banks`.
pub async fn create(staff: Staff, form: FormFields) -> Response {
    let result = async {
        staff.check_csrf(&form)?;
        let input = CreateBankInput { mnemonic: form.get("mnemonic").into(), name: form.get("name").into(), secret: form.get("secret").into() };
        match admin::create_bank(&staff.state, staff.principal(), &input, Timestamp::now()).await {
            Ok(change) => render(&staff, &FormFields::default(), &FieldErrors::new(), Some(changed("Registered", &change)), StatusCode::CREATED).await,
            Err(e) => refused(&staff, &form, e).await,
        }
    }
    .await;
    staff.finish(result)
}

/// `POST /admin/banks/{mnemonic}`.
pub async fn update(staff: Staff, Path(mnemonic): Path<String>, form: FormFields) -> Response {
    let result = async {
        staff.check_csrf(&form)?;
        let input = UpdateBankInput { name: form.get("name").into(), active: form.opt("active").is_some(), new_secret: form.get("new_secret").into() };
        match admin::update_bank(&staff.state, staff.principal(), &mnemonic, &input, Timestamp::now()).await {
            Ok(change) => render(&staff, &FormFields::default(), &FieldErrors::new(), Some(changed("Saved", &change)), StatusCode::OK).await,
            Err(e) => refused(&staff, &FormFields::default(), e).await,
        }
    }
    .await;
    staff.finish(result)
}
