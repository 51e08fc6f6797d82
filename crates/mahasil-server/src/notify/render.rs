//! A message's text: the facts of its challan and of what caused it (the payment behind a
//! receipt, the decision behind a decision notice), put through the template an admin
//! saved for its kind, language and channel, or the built-in one.

use std::sync::Arc;

use mahasil_domain::head::HeadCode;
use mahasil_domain::money::Paisa;
use mahasil_domain::notice::{Channel, Language, MessageKind};
use mahasil_notify::sms_gateway::MAX_SMS_PARTS;
use mahasil_notify::template::{Bilingual, Decision, DecisionFacts, Facts, PaymentFacts, Rendered, Template, TemplateSet};
use mahasil_store::{ChallanRecord, ClaimedMessage, StoreError};

use crate::state::AppState;

/// Why a message cannot be rendered; the message is then recorded as failed with it.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("the store: {0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Facts(String),
    #[error("the template: {0}")]
    Template(#[from] mahasil_notify::NotifyError),
}

/// The challan a message is about.
pub async fn challan_of(state: &AppState, message: &ClaimedMessage) -> Result<ChallanRecord, RenderError> {
    state.store.challan(message.challan_id).await?.ok_or_else(|| RenderError::Facts(format!("challan {} is gone", message.challan_id)))
}

/// The facts of `message`, its challan read from the store.
pub async fn facts(state: &AppState, message: &ClaimedMessage) -> Result<Facts, RenderError> {
    facts_of(state, message, challan_of(state, message).await?).await
}

/// The facts of `message` about `challan` (already read).
pub async fn facts_of(state: &AppState, message: &ClaimedMessage, challan: ChallanRecord) -> Result<Facts, RenderError> {
    let head_code = HeadCode::parse(&challan.head_code).map_err(|e| RenderError::Facts(format!("head {}: {e}", challan.head_code)))?;
    let head = state.head(&head_code).await?;
    let head = head.map_or_else(|| Bilingual::new(challan.head_code.clone(), challan.head_code.clone()), |h| Bilingual::new(h.head.title_en, h.head.title_ur));
    let district = state.jurisdiction(&challan.district).await?;
    let district =
        district.map_or_else(|| Bilingual::new(challan.district.to_string(), challan.district.to_string()), |d| Bilingual::new(d.name_en, d.name_ur));
    let base = &state.config.public_base_url;
    let payment = if message.kind == MessageKind::PaymentReceipt { Some(payment(state, &challan, message).await?) } else { None };
    Ok(Facts {
        challan_no: challan.challan_no,
        head_code,
        head,
        amount: paisa(challan.amount_paisa)?,
        amount_after_due: paisa(challan.amount_after_due_paisa)?,
        due_date: challan.due_date,
        verify_url: challan.seal.as_deref().map_or_else(|| format!("{base}/pay"), |seal| mahasil_seal::qr_url(base, seal)),
        pay_url: format!("{base}/pay"),
        offender_name: challan.offender.name.as_str().to_string(),
        district,
        payment,
        decision: decision(message),
    })
}

fn paisa(amount: i64) -> Result<Paisa, RenderError> {
    Paisa::try_from(amount).map_err(|e| RenderError::Facts(format!("amount {amount}: {e}")))
}

/// The payment a receipt message is about: the challan's last payment recorded at or
/// before the event.
async fn payment(state: &AppState, challan: &ChallanRecord, message: &ClaimedMessage) -> Result<PaymentFacts, RenderError> {
    let at = message.event.as_ref().map(|e| e.at);
    let payments = state.store.challan_payments(challan.id).await?;
    let paid = payments
        .iter()
        .filter(|p| at.is_none_or(|at| p.received_at <= at))
        .max_by_key(|p| p.received_at)
        .ok_or_else(|| RenderError::Facts(format!("challan {} has no payment for its receipt", challan.challan_no)))?;
    Ok(PaymentFacts { receipt_no: paid.receipt_no.to_string(), paid_amount: paisa(paid.amount_paisa + paid.surcharge_paisa)?, paid_at: paid.paid_at })
}

/// The decision a decision message is about, from the event that caused it.
fn decision(message: &ClaimedMessage) -> Option<DecisionFacts> {
    let event = message.event.as_ref()?;
    let decision = match event.kind.as_str() {
        "cancelled" | "quashed" | "waived" => Decision::Granted,
        "cancellation_rejected" | "waiver_rejected" | "upheld" => Decision::Refused,
        _ => return None,
    };
    Some(DecisionFacts { decision, reason: event.note.clone().unwrap_or_default() })
}

/// Renders `facts` with the template for the message's kind, language and channel; an SMS
/// whose decision reason would take it past [`MAX_SMS_PARTS`] has the reason shortened.
pub fn render(templates: &TemplateSet, kind: MessageKind, language: Language, channel: Channel, facts: &Facts) -> Result<Rendered, RenderError> {
    let template = templates.get(kind, language, channel);
    Ok(if channel == Channel::Sms { template.render_sms_within(facts, MAX_SMS_PARTS)? } else { template.render(facts)? })
}

/// The templates in force, from the node's cache when fresh (a template saved on another
/// node is used within [`crate::cache::REFERENCE_TTL`]).
pub async fn templates(state: &AppState) -> Result<Arc<TemplateSet>, RenderError> {
    state.caches.templates.get_or_fetch((), || async { load_templates(state).await.map(Arc::new) }).await
}

/// The built-in templates with every template an admin saved in place.
async fn load_templates(state: &AppState) -> Result<TemplateSet, RenderError> {
    let mut set = TemplateSet::defaults()?;
    for saved in state.store.message_templates().await? {
        match Template::parse(saved.kind, saved.language, saved.channel, &saved.source) {
            Ok(template) => {
                set.replace(template);
            }
            // Saved templates were checked on save; one that no longer parses (a placeholder
            // since withdrawn) must not stop every message: the built-in one serves.
            Err(e) => {
                tracing::error!(kind = saved.kind.as_str(), language = saved.language.as_str(), channel = saved.channel.as_str(), error = %e, "saved template does not parse")
            }
        }
    }
    Ok(set)
}
