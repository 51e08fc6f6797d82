//! The OpenAPI 3 document, generated from the handlers and types above, and a page that
//! renders it for people (no external scripts: everything is served from here).

use axum::Json;
use axum::response::{Html, IntoResponse};
use maud::{DOCTYPE, Markup, html};
use serde_json::Value;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{auth, challans, decisions, dto, reference, verify};
use crate::actions;
use crate::error::ErrorBody;

#[derive(OpenApi)]
#[openapi(
    info(title = "mahasil API", description = "Issue, find and decide challans (fines, taxes and fees). Amounts are integer paisa (1 PKR = 100 paisa); times are RFC 3339 UTC; dates are Pakistan dates. Errors are `{code, message, fields?}`."),
    paths(
        auth::login, auth::logout, auth::me,
        reference::jurisdictions, reference::departments, reference::heads, reference::head,
        challans::issue, challans::get_one, challans::search,
        decisions::request_cancellation, decisions::pending_cancellations, decisions::cancellation_request,
        decisions::approve_cancellation, decisions::reject_cancellation,
        decisions::record_contest, decisions::open_contests, decisions::uphold_contest, decisions::quash_contest,
        verify::verify, verify::status, verify::trust_list, verify::revocation_list,
        crate::bank::inquiry::bill_inquiry,
        crate::bank::payment::bill_payment,
        crate::bank::payment::reversal,
        crate::sync::devices::enrol, crate::sync::devices::list, crate::sync::devices::one, crate::sync::devices::revoke,
        crate::sync::pull::pull, crate::sync::push::push,
        crate::notify::reports::receive,
    ),
    components(schemas(ErrorBody, actions::IssueChallanInput, actions::OffenderInput, actions::LocationInput, dto::IssuedDto, dto::ChallanDto, dto::ChallanDetailDto)),
    modifiers(&BearerAuth),
    tags((name = "auth", description = "Sign-in with bearer tokens"), (name = "reference", description = "Jurisdictions, departments, revenue heads"),
         (name = "challans", description = "Issue and find challans"), (name = "cancellation", description = "Maker-checker cancellation"),
         (name = "contests", description = "Appeals against challans"),
         (name = "verification", description = "Public checks of seals, signed status, trust and revocation lists"),
         (name = "bank", description = "The 1Bill-style bank API, signed with each bank's HMAC secret"),
         (name = "devices", description = "Field devices: enrolment, the admin's list and revocation, and the signed pull and push of docs/SYNC.md"),
         (name = "notifications", description = "Delivery reports from the SMS gateway"))
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(components) = openapi.components.as_mut() {
            components.add_security_scheme("bearer", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
        }
    }
}

/// `GET /api/openapi.json`
pub async fn document() -> impl IntoResponse {
    Json(ApiDoc::openapi())
}

/// `GET /api/docs`: every operation with its parameters, body and answers.
pub async fn docs_page() -> Html<String> {
    let spec = serde_json::to_value(ApiDoc::openapi()).unwrap_or(Value::Null);
    Html(render_docs(&spec).into_string())
}

fn schema_name(v: &Value) -> String {
    if let Some(r) = v.get("$ref").and_then(Value::as_str) {
        return r.rsplit('/').next().unwrap_or(r).to_string();
    }
    if let Some(items) = v.get("items") {
        return format!("array of {}", schema_name(items));
    }
    v.get("type").map_or_else(|| "object".to_string(), |t| t.to_string().trim_matches('"').to_string())
}

fn render_docs(spec: &Value) -> Markup {
    let empty = serde_json::Map::new();
    let paths = spec.get("paths").and_then(Value::as_object).unwrap_or(&empty);
    let schemas = spec.pointer("/components/schemas").and_then(Value::as_object).unwrap_or(&empty);
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "mahasil API" }
                style { "body{font-family:system-ui,sans-serif;max-width:60rem;margin:auto;padding:1rem;line-height:1.4}code{background:#f2f2f2;padding:0 .2rem}section{border-top:1px solid #ccc;padding:.5rem 0}.m{font-weight:bold;text-transform:uppercase;margin-right:.5rem}table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:.2rem .4rem;text-align:left;vertical-align:top}" }
            }
            body {
                h1 { "mahasil API" }
                p { (spec.pointer("/info/description").and_then(Value::as_str).unwrap_or("")) }
                p { "Machine-readable: " a href="/api/openapi.json" { "/api/openapi.json" } " (OpenAPI 3). Sign in with " code { "POST /api/v1/auth/login" } " and send " code { "Authorization: Bearer <token>" } "." }
                @for (path, item) in paths {
                    @for (method, op) in item.as_object().unwrap_or(&empty) {
                        section {
                            h3 { span.m { (method) } code { (path) } }
                            @if let Some(s) = op.get("summary").and_then(Value::as_str) { p { (s) } }
                            @if let Some(d) = op.get("description").and_then(Value::as_str) { p { (d) } }
                            @if let Some(params) = op.get("parameters").and_then(Value::as_array) {
                                table { tr { th { "parameter" } th { "in" } th { "type" } th { "about" } }
                                    @for p in params { tr {
                                        td { code { (p.get("name").and_then(Value::as_str).unwrap_or("")) } }
                                        td { (p.get("in").and_then(Value::as_str).unwrap_or("")) }
                                        td { (p.get("schema").map(schema_name).unwrap_or_default()) }
                                        td { (p.get("description").and_then(Value::as_str).unwrap_or("")) }
                                    } }
                                }
                            }
                            @if let Some(body) = op.pointer("/requestBody/content/application~1json/schema") {
                                p { "Body: " code { (schema_name(body)) } }
                            }
                            ul { @for (status, resp) in op.get("responses").and_then(Value::as_object).unwrap_or(&empty) {
                                li { code { (status) } " " (resp.get("description").and_then(Value::as_str).unwrap_or(""))
                                    @if let Some(s) = resp.pointer("/content/application~1json/schema") { " → " code { (schema_name(s)) } } }
                            } }
                        }
                    }
                }
                h2 { "Schemas" }
                @for (name, schema) in schemas {
                    section {
                        h3 id=(name) { (name) }
                        @if let Some(props) = schema.get("properties").and_then(Value::as_object) {
                            table { tr { th { "field" } th { "type" } th { "about" } }
                                @for (field, s) in props { tr {
                                    td { code { (field) } }
                                    td { (schema_name(s)) }
                                    td { (s.get("description").and_then(Value::as_str).unwrap_or("")) }
                                } }
                            }
                        }
                    }
                }
            }
        }
    }
}
