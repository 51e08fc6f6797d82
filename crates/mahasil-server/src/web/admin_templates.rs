//! `/admin/templates`: the notification templates, English and Urdu, for SMS and email. An
//! admin edits one with a preview on a sample challan and the SMS length (GSM-7 or UCS-2,
//! parts) shown; a template with an unknown placeholder or broken braces is refused on save
//! with where the problem is. Saving is audited; the built-in text stays the fallback.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jiff::Timestamp;
use mahasil_domain::authz::Action;
use mahasil_domain::challan_no::{ChallanNo, IssuerNo};
use mahasil_domain::head::HeadCode;
use mahasil_domain::money::Paisa;
use mahasil_domain::notice::{Channel, Language, MessageKind};
use mahasil_notify::sms_length::{SmsEncoding, measure};
use mahasil_notify::template::{Bilingual, Decision, DecisionFacts, Facts, PaymentFacts, Rendered, Template, default_source};
use mahasil_store::{Actor, StoredTemplate};
use maud::{Markup, html};

use super::form::{FormFields, QueryFields};
use super::staff::Staff;
use super::widgets::{karachi_time, notice};
use crate::error::{ApiError, ApiResult};

/// Longest template source accepted from the form, in characters.
pub const MAX_TEMPLATE_CHARS: usize = 8_000;

/// The channels whose templates are edited here.
const EDITED_CHANNELS: [Channel; 2] = [Channel::Sms, Channel::Email];

/// `GET /admin/templates`.
pub async fn list(staff: Staff, QueryFields(query): QueryFields) -> Response {
    let result = async {
        staff.require(Action::ManageTemplates)?;
        let saved = staff.state.store.message_templates().await?;
        let content = html! {
            h1 { "Notification templates" }
            p { "What offenders are told, by SMS and email, in English and Urdu. Placeholders in braces, such as "
                code { "{challan_no}" } ", are filled from the challan; the built-in text serves until a template is saved." }
            @if let Some(t) = query.opt("saved") { (notice("ok", &format!("Template {t} saved."))) }
            table.rows #templates {
                thead { tr { th { "Message" } th { "Language" } th { "Channel" } th { "Text" } } }
                tbody {
                    @for kind in MessageKind::ALL { @for language in Language::ALL { @for channel in EDITED_CHANNELS {
                        @let edited = saved.iter().find(|t| t.kind == kind && t.language == language && t.channel == channel);
                        tr {
                            td data-label="Message" { a href=(edit_href(kind, language, channel)) { (kind.as_str().replace('_', " ")) } }
                            td data-label="Language" { (language.as_str()) }
                            td data-label="Channel" { (channel.as_str()) }
                            td data-label="Text" { @match edited {
                                Some(t) => { "edited by " (t.updated_by) ", " (karachi_time(t.updated_at)) }
                                None => { "built-in" }
                            } }
                        }
                    } } }
                }
            }
        };
        Ok(staff.page(StatusCode::OK, "Notification templates", content))
    }
    .await;
    staff.finish(result)
}

fn edit_href(kind: MessageKind, language: Language, channel: Channel) -> String {
    format!("/admin/templates/{}/{}/{}", kind.as_str(), language.as_str(), channel.as_str())
}

fn parse_path(kind: &str, language: &str, channel: &str) -> ApiResult<(MessageKind, Language, Channel)> {
    let not_found = || ApiError::not_found(format!("no template {kind}/{language}/{channel}"));
    let channel = Channel::parse(channel).map_err(|_| not_found())?;
    if !EDITED_CHANNELS.contains(&channel) {
        return Err(not_found());
    }
    Ok((MessageKind::parse(kind).map_err(|_| not_found())?, Language::parse(language).map_err(|_| not_found())?, channel))
}

/// `GET /admin/templates/{kind}/{language}/{channel}`.
pub async fn edit(staff: Staff, Path((kind, language, channel)): Path<(String, String, String)>) -> Response {
    let result = async {
        staff.require(Action::ManageTemplates)?;
        let (kind, language, channel) = parse_path(&kind, &language, &channel)?;
        let saved = staff.state.store.message_templates().await?;
        let source = saved
            .into_iter()
            .find(|t| t.kind == kind && t.language == language && t.channel == channel)
            .map_or_else(|| default_source(kind, language, channel), |t| t.source);
        Ok(editor(&staff, kind, language, channel, &source, None, StatusCode::OK))
    }
    .await;
    staff.finish(result)
}

/// `POST /admin/templates/{kind}/{language}/{channel}`: `action=preview` shows the
/// message on a sample challan; `action=save` checks and saves it.
pub async fn save(staff: Staff, Path((kind, language, channel)): Path<(String, String, String)>, form: FormFields) -> Response {
    let result = async {
        staff.check_csrf(&form)?;
        let admin = staff.principal().clone();
        staff.require(Action::ManageTemplates)?;
        let (kind, language, channel) = parse_path(&kind, &language, &channel)?;
        let source = form.get("source").replace("\r\n", "\n");
        if source.chars().count() > MAX_TEMPLATE_CHARS {
            let problem = format!("the template is longer than {MAX_TEMPLATE_CHARS} characters");
            return Ok(editor(&staff, kind, language, channel, &source, Some(problem), StatusCode::UNPROCESSABLE_ENTITY));
        }
        let template = match Template::parse(kind, language, channel, &source) {
            Ok(t) => t,
            Err(e) => return Ok(editor(&staff, kind, language, channel, &source, Some(e.to_string()), StatusCode::UNPROCESSABLE_ENTITY)),
        };
        if form.get("action") != "save" {
            return Ok(editor(&staff, kind, language, channel, &source, None, StatusCode::OK));
        }
        let stored =
            StoredTemplate { kind, language, channel, source: template.source().to_string(), updated_at: Timestamp::now(), updated_by: admin.username.clone() };
        staff.state.store.put_message_template(&stored, &Actor::from(&admin), Timestamp::now()).await?;
        staff.state.caches.templates.clear();
        let name = format!("{}/{}/{}", kind.as_str(), language.as_str(), channel.as_str());
        Ok(Redirect::to(&format!("/admin/templates?saved={name}")).into_response())
    }
    .await;
    staff.finish(result)
}

fn editor(staff: &Staff, kind: MessageKind, language: Language, channel: Channel, source: &str, problem: Option<String>, status: StatusCode) -> Response {
    let preview = match &problem {
        Some(_) => None,
        None => Some(preview(kind, language, channel, source)),
    };
    let title = format!("Template: {} ({}, {})", kind.as_str().replace('_', " "), language.as_str(), channel.as_str());
    let content = html! {
        h1 { (title) }
        @if let Some(p) = &problem { (notice("error", &format!("Not saved: {p}"))) }
        form method="post" action=(edit_href(kind, language, channel)) {
            (staff.csrf_field())
            div.field {
                label for="source" { @if channel == Channel::Email { "Subject, text and HTML, each after its own [subject], [text] or [html] line." } @else { "The SMS text." } }
                textarea #source name="source" rows="12" dir=(if language == Language::Ur { "rtl" } else { "ltr" }) maxlength=(MAX_TEMPLATE_CHARS) { (source) }
            }
            button type="submit" name="action" value="preview" { "Preview" }
            " "
            button type="submit" name="action" value="save" { "Save" }
        }
        @if let Some(p) = preview { (p) }
        p { a href="/admin/templates" { "Back to templates" } }
    };
    staff.page(status, &title, content)
}

/// The template rendered on a sample challan, with the SMS length.
fn preview(kind: MessageKind, language: Language, channel: Channel, source: &str) -> Markup {
    let rendered = sample_facts()
        .map_err(|e| e.to_string())
        .and_then(|facts| Template::parse(kind, language, channel, source).and_then(|t| t.render(&facts)).map_err(|e| e.to_string()));
    html! {
        section.card #preview {
            h2 { "Preview on a sample challan" }
            @match rendered {
                Ok(Rendered::Sms { text }) | Ok(Rendered::Webhook { text }) => {
                    @let length = measure(&text);
                    pre.sent dir="auto" { (text) }
                    p #sms-length { (length.units) " " (if length.encoding == SmsEncoding::Gsm7 { "GSM-7 characters" } else { "UCS-2 characters (Unicode)" })
                        ", sent as " strong { (length.parts) } " SMS part" @if length.parts != 1 { "s" } "." }
                }
                Ok(Rendered::Email(e)) => {
                    p { strong { "Subject: " } (e.subject) }
                    pre.sent dir="auto" { (e.text) }
                }
                Err(e) => { (notice("error", &e)) }
            }
        }
    }
}

/// A sample challan to preview on: every fact set, whatever the kind.
fn sample_facts() -> Result<Facts, mahasil_domain::DomainError> {
    let no = ChallanNo::new(IssuerNo::new(100_001)?, 42)?;
    Ok(Facts {
        challan_no: no,
        head_code: HeadCode::parse("DA-ENC-01")?,
        head: Bilingual::new("Encroachment on a public road", "سرکاری سڑک پر تجاوز"),
        amount: Paisa::try_from(500_000_i64)?,
        amount_after_due: Paisa::try_from(600_000_i64)?,
        due_date: jiff::civil::date(2026, 12, 11),
        verify_url: "https://mahasil.kp.gov.pk/V/SAMPLE".into(),
        pay_url: "https://mahasil.kp.gov.pk/pay".into(),
        offender_name: "Muhammad Aslam".into(),
        district: Bilingual::new("Peshawar", "پشاور"),
        payment: Some(PaymentFacts {
            receipt_no: ChallanNo::new(IssuerNo::new(100_001)?, 43)?.to_string(),
            paid_amount: Paisa::try_from(500_000_i64)?,
            paid_at: Timestamp::UNIX_EPOCH,
        }),
        decision: Some(DecisionFacts { decision: Decision::Granted, reason: "The challan was issued to the wrong vehicle.".into() }),
    })
}
