//! `/treasury/statements`: bank statements of the treasury account. The list of imported
//! statements with an upload form (mahasil CSV, SWIFT MT940 or ISO 20022 camt.053); an
//! upload is parsed, reconciled and imported in one go, then its report is shown: each
//! category's lines and sums, the unexplained difference, and the lines a person must
//! resolve, with the whole report as CSV. The same file again changes nothing; a broken
//! file, a statement that does not open at the previous closing balance, or a reused
//! statement id is refused and changes nothing either.

use axum::extract::Path;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use jiff::Timestamp;
use mahasil_domain::authz::Action;
use mahasil_reconcile::{Category, Settlement};
use mahasil_store::{Actor, ImportOutcome, StatementRecord};
use maud::{Markup, html};

use super::pkr;
use super::reconcile::{Reconciled, load_expectations, parse_statement};
use super::report_view::{self, AnomalyLine, MAX_ANOMALY_LINES_SHOWN, ReportView};
use crate::error::{ApiError, ApiResult};
use crate::web::form::QueryFields;
use crate::web::staff::Staff;
use crate::web::widgets::{karachi_time, notice, urdu};

/// Most statements listed, newest first.
pub const LIST_LIMIT: u32 = 100;
/// Room in an upload's body for the form's other fields and the multipart framing.
pub const FORM_OVERHEAD_BYTES: usize = 64 * 1024;
/// The longest settlement a person may choose, in days.
pub const MAX_DAYS_IN_TRANSIT: u32 = 30;

/// `GET /treasury/statements`.
pub async fn list(staff: Staff) -> Response {
    let result = render_list(&staff, None, StatusCode::OK).await;
    staff.finish(result)
}

async fn render_list(staff: &Staff, message: Option<Markup>, status: StatusCode) -> ApiResult<Response> {
    staff.require(Action::ViewTreasury)?;
    let may_import = !staff.principal().scope(Action::ImportStatement).is_nowhere();
    let statements = staff.state.store.statements(LIST_LIMIT).await?;
    let content = html! {
        (super::tabs("/treasury/statements"))
        h1 { "Bank statements " (urdu("بینک سٹیٹمنٹ")) }
        @if let Some(m) = message { (m) }
        @if may_import { (upload_form(staff)) }
        @if statements.is_empty() {
            p.empty { "No statement imported yet." }
        } @else {
            div.table-wrap {
                table.rows #statements {
                    thead { tr {
                        th { "Statement" } th { "Account" } th { "Period" } th { "Format" } th.num { "Lines" }
                        th.num { "Deposited" } th.num { "Unidentified (suspense)" } th.num { "Unexplained" } th { "Imported" }
                    } }
                    tbody { @for s in &statements { (statement_row(s)) } }
                }
            }
        }
    };
    Ok(staff.page(status, "Bank statements", content))
}

fn upload_form(staff: &Staff) -> Markup {
    html! {
        section.card {
            h2 { "Import a statement" }
            p.hint { "mahasil CSV, SWIFT MT940 or ISO 20022 camt.053, at most " (super::MAX_STATEMENT_UPLOAD_BYTES / (1024 * 1024)) " MiB. "
                "Larger files: mahasil reconcile --statement FILE." }
            form method="post" action="/treasury/statements" enctype="multipart/form-data" {
                (staff.csrf_field())
                div.field {
                    label for="statement" { "Statement file" }
                    input id="statement" name="statement" type="file" required accept=".csv,.txt,.sta,.mt940,.940,.xml";
                }
                div.field {
                    label for="days_in_transit" { "Days a payment may take to arrive" span.optional { " (optional)" } }
                    span.hint { "older payments not on the statement are reported missing; default " (Settlement::DEFAULT_DAYS_IN_TRANSIT) }
                    input id="days_in_transit" name="days_in_transit" type="text" inputmode="numeric" maxlength="2";
                }
                button type="submit" { "Import and reconcile" }
            }
        }
    }
}

fn statement_row(s: &StatementRecord) -> Markup {
    let href = format!("/treasury/statements/{}", hex::encode(s.sha256));
    html! {
        tr {
            td data-label="Statement" { a href=(href) { (s.statement_id) } }
            td data-label="Account" { (s.account) }
            td data-label="Period" { (s.from_date) " – " (s.to_date) }
            td data-label="Format" { (s.format) }
            td.num data-label="Lines" { (s.lines) }
            td.num data-label="Deposited" { (s.deposited) " · " (pkr(i128::from(s.deposited_paisa))) }
            td.num data-label="Unidentified (suspense)" { (s.unidentified) " · " (pkr(i128::from(s.unidentified_paisa))) }
            td.num data-label="Unexplained" { @if s.unexplained_paisa == 0 { "0" } @else { strong.field-error { (pkr(i128::from(s.unexplained_paisa))) } } }
            td data-label="Imported" { (s.imported_by) " · " (karachi_time(s.imported_at)) }
        }
    }
}

/// What an upload form sends.
#[derive(Default)]
struct Upload {
    csrf: String,
    days_in_transit: String,
    file: Option<axum::body::Bytes>,
}

/// Most characters read from a text field of the upload form.
const MAX_TEXT_FIELD_BYTES: usize = 256;

async fn read_upload(multipart: Result<Multipart, MultipartRejection>) -> ApiResult<Upload> {
    let mut multipart = multipart.map_err(|e| ApiError::new(e.status(), "bad_request", format!("the upload could not be read: {}", e.body_text())))?;
    let unreadable = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            // Answered 422, not 413: `ops::track_requests` turns every 413 into the JSON
            // message of the site-wide 64 KiB limit, which is not this page's limit.
            let megabytes = super::MAX_STATEMENT_UPLOAD_BYTES / (1024 * 1024);
            let message = format!("the statement is larger than the {megabytes} MiB this page accepts; use mahasil reconcile --statement FILE");
            return ApiError::unprocessable("statement_too_large", message);
        }
        ApiError::new(e.status(), "bad_request", format!("the upload could not be read: {}", e.body_text()))
    };
    let mut upload = Upload::default();
    while let Some(field) = multipart.next_field().await.map_err(unreadable)? {
        let name = field.name().unwrap_or_default().to_owned();
        match name.as_str() {
            "statement" => upload.file = Some(field.bytes().await.map_err(unreadable)?),
            "csrf" | "days_in_transit" => {
                let bytes = field.bytes().await.map_err(unreadable)?;
                let text = String::from_utf8_lossy(bytes.get(..MAX_TEXT_FIELD_BYTES.min(bytes.len())).unwrap_or_default()).into_owned();
                if name == "csrf" { upload.csrf = text } else { upload.days_in_transit = text }
            }
            _ => {}
        }
    }
    Ok(upload)
}

fn settlement(days: &str) -> ApiResult<Settlement> {
    let days = days.trim();
    if days.is_empty() {
        return Ok(Settlement::default());
    }
    match days.parse::<u32>() {
        Ok(days_in_transit) if days_in_transit <= MAX_DAYS_IN_TRANSIT => Ok(Settlement { days_in_transit }),
        _ => Err(ApiError::invalid_fields([("days_in_transit".to_string(), format!("must be a whole number of days from 0 to {MAX_DAYS_IN_TRANSIT}"))].into())),
    }
}

fn report_path(sha256: [u8; 32]) -> String {
    format!("/treasury/statements/{}", hex::encode(sha256))
}

/// The blocking pool's answer, a failure of the pool itself being ours.
fn joined<T>(result: Result<T, tokio::task::JoinError>) -> ApiResult<T> {
    result.map_err(|e| {
        tracing::error!(error = %e, "statement work did not finish");
        ApiError::internal()
    })
}

/// `POST /treasury/statements` (multipart: `csrf`, `statement`, `days_in_transit`).
pub async fn upload(staff: Staff, multipart: Result<Multipart, MultipartRejection>) -> Response {
    let result = async {
        let upload = read_upload(multipart).await?;
        staff.session.check_csrf(&upload.csrf)?;
        staff.require(Action::ImportStatement)?;
        let settlement = settlement(&upload.days_in_transit)?;
        let Some(bytes) = upload.file.filter(|b| !b.is_empty()) else {
            return Err(ApiError::invalid_fields([("statement".to_string(), "choose a statement file".to_string())].into()));
        };
        let parsed = joined(tokio::task::spawn_blocking(move || parse_statement(&bytes)).await)??;
        let store = &staff.state.store;
        if store.statement(parsed.sha256).await?.is_some() {
            return Ok(Redirect::to(&format!("{}?already=1", report_path(parsed.sha256))).into_response());
        }
        let expectations = load_expectations(store, &parsed.statement).await?;
        let reconciled = joined(tokio::task::spawn_blocking(move || Reconciled::new(parsed, &expectations, settlement, &mut |_, _| {})).await)??;
        let (actor, now) = (Actor::from(staff.principal()), Timestamp::now());
        let import = reconciled.into_import(&actor, now)?;
        match store.import_statement(&import, &actor, now).await? {
            ImportOutcome::Imported(record) => Ok(Redirect::to(&format!("{}?imported=1", report_path(record.sha256))).into_response()),
            ImportOutcome::AlreadyImported(record) => Ok(Redirect::to(&format!("{}?already=1", report_path(record.sha256))).into_response()),
        }
    }
    .await;
    match result {
        Ok(response) => response,
        Err(e) if e.status.is_client_error() && e.status != StatusCode::FORBIDDEN => {
            let refused = notice("error", &e.body.message);
            staff.finish(render_list(&staff, Some(refused), e.status).await)
        }
        Err(e) => staff.fail(&e),
    }
}

/// The statement named by the hex SHA-256 in the path, or 404.
async fn stored(staff: &Staff, sha256: &str) -> ApiResult<StatementRecord> {
    staff.require(Action::ViewTreasury)?;
    let missing = || ApiError::not_found(format!("no statement was imported from a file with SHA-256 {sha256}"));
    let digest: [u8; 32] = hex::decode(sha256).ok().and_then(|bytes| bytes.try_into().ok()).ok_or_else(missing)?;
    staff.state.store.statement(digest).await?.ok_or_else(missing)
}

/// `GET /treasury/statements/{sha256}[?imported=1|already=1]`.
pub async fn report(staff: Staff, Path(sha256): Path<String>, QueryFields(query): QueryFields) -> Response {
    let result = async {
        let mut record = stored(&staff, &sha256).await?;
        let csv = std::mem::take(&mut record.report_csv);
        let view = joined(tokio::task::spawn_blocking(move || report_view::read(&csv)).await)?;
        let message = if query.opt("already").is_some() {
            Some(notice("info", "This file was already imported: nothing changed. Its report is below."))
        } else if query.opt("imported").is_some() {
            Some(notice("ok", &format!("Imported: {} payments deposited, {} unidentified credits put in suspense.", record.deposited, record.unidentified)))
        } else {
            None
        };
        Ok(staff.page(StatusCode::OK, &format!("Statement {}", record.statement_id), report_content(&record, &view, message)))
    }
    .await;
    staff.finish(result)
}

fn report_content(s: &StatementRecord, view: &ReportView, message: Option<Markup>) -> Markup {
    html! {
        (super::tabs("/treasury/statements"))
        h1 { "Statement " (s.statement_id) }
        @if let Some(m) = message { (m) }
        dl.facts {
            div.kv { dt { "Account" } dd { (s.account) } }
            div.kv { dt { "Period" } dd { (s.from_date) " – " (s.to_date) } }
            div.kv { dt { "Format" } dd { (s.format) " · " (s.lines) " lines" } }
            div.kv { dt { "Balances" } dd { "opening " (pkr(i128::from(s.opening_paisa))) " · closing " (pkr(i128::from(s.closing_paisa))) } }
            div.kv { dt { "Deposited" } dd #deposited { (s.deposited) " payments · " (pkr(i128::from(s.deposited_paisa))) } }
            div.kv { dt { "Unidentified, in suspense" } dd #unidentified { (s.unidentified) " credits · " (pkr(i128::from(s.unidentified_paisa))) } }
            div.kv { dt { "Imported" } dd { (s.imported_by) " · " (karachi_time(s.imported_at)) } }
        }
        @if s.unexplained_paisa == 0 {
            p.alert.ok role="status" #unexplained { "Unexplained difference: " strong { (pkr(0)) } ". The statement reconciles clean." }
        } @else {
            p.alert.error role="alert" #unexplained { "Unexplained difference: " strong { (pkr(i128::from(s.unexplained_paisa))) } ". "
                (view.anomaly_count) " lines need a person; they are listed below." }
        }
        h2 { "Totals per category" }
        div.table-wrap {
            table.rows #categories {
                thead { tr { th { "Category" } th.num { "Lines" } th.num { "Expected" } th.num { "Credited" } th.num { "Difference" } } }
                tbody {
                    @for (category, sum) in &view.sums {
                        tr data-category=(category.name()) {
                            td data-label="Category" { (category_label(*category)) }
                            td.num data-label="Lines" { (sum.count) }
                            td.num data-label="Expected" { (pkr(sum.expected_paisa)) }
                            td.num data-label="Credited" { (pkr(sum.credited_paisa)) }
                            td.num data-label="Difference" { (pkr(sum.difference_paisa)) }
                        }
                    }
                }
            }
        }
        p { a href={ (report_path(s.sha256)) "/report.csv" } download { "Download the whole report (CSV)" } }
        (anomaly_table(view))
    }
}

fn category_label(category: Category) -> &'static str {
    match category {
        Category::Matched => "Matched (deposited)",
        Category::InTransit => "In transit",
        Category::MissingCredit => "Missing credit",
        Category::Unidentified => "Unidentified (to suspense)",
        Category::AmountMismatch => "Amount mismatch",
        Category::Duplicate => "Duplicate",
        Category::Debit => "Debit",
    }
}

fn optional_rupees(paisa: Option<i64>) -> String {
    paisa.map(|p| pkr(i128::from(p))).unwrap_or_default()
}

fn anomaly_table(view: &ReportView) -> Markup {
    html! {
        h2 { "Lines to resolve (" (view.anomaly_count) ")" }
        @if view.anomalies.is_empty() {
            p.empty { "None." }
        } @else {
            @if view.anomaly_count > view.anomalies.len() as u64 {
                p.hint { "The first " (MAX_ANOMALY_LINES_SHOWN) " are shown; the CSV has them all." }
            }
            div.table-wrap {
                table.rows #anomalies {
                    thead { tr {
                        th { "Category" } th { "Line" } th { "Reference" } th { "Bank reference" } th { "Challan" }
                        th.num { "Expected" } th.num { "Credited" } th.num { "Difference" } th { "Narrative" }
                    } }
                    tbody { @for line in &view.anomalies { (anomaly_row(line)) } }
                }
            }
        }
    }
}

fn anomaly_row(line: &AnomalyLine) -> Markup {
    html! {
        tr data-category=(line.category.name()) {
            td data-label="Category" { (category_label(line.category)) }
            td data-label="Line" {
                (line.line_no)
                @if !line.duplicate_of_line_no.is_empty() { " (repeats line " (line.duplicate_of_line_no) ")" }
                @if !line.paid_on.is_empty() && line.line_no.is_empty() { "paid on " (line.paid_on) }
            }
            td data-label="Reference" { (line.reference) }
            td data-label="Bank reference" { (line.bank_reference) }
            td data-label="Challan" { (line.challan_no) @if !line.head_code.is_empty() { " · " (line.head_code) " · " (line.district) " · " (line.channel) } }
            td.num data-label="Expected" { (optional_rupees(line.expected_paisa)) }
            td.num data-label="Credited" { (optional_rupees(line.credited_paisa)) }
            td.num data-label="Difference" { (optional_rupees(line.difference_paisa)) }
            td data-label="Narrative" { (line.narrative) }
        }
    }
}

/// `GET /treasury/statements/{sha256}/report.csv`: the stored report, as a download.
pub async fn download(staff: Staff, Path(sha256): Path<String>) -> Response {
    match stored(&staff, &sha256).await {
        Ok(record) => {
            let name: String = format!("reconciliation-{}-{}.csv", record.account, record.statement_id)
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' })
                .collect();
            let mut response = record.report_csv.into_response();
            let headers = response.headers_mut();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
            if let Ok(disposition) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
                headers.insert(header::CONTENT_DISPOSITION, disposition);
            }
            response
        }
        Err(e) => staff.fail(&e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settlements() {
        assert_eq!(settlement("").ok(), Some(Settlement::default()));
        assert_eq!(settlement(" 0 ").ok(), Some(Settlement { days_in_transit: 0 }));
        assert!(settlement("31").is_err());
        assert!(settlement("-1").is_err());
    }
}
