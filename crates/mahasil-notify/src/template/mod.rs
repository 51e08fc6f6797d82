//! Messages and their templates: the kinds of message, the languages and channels, the
//! fixed set of placeholders, parsing an admin's template (refused on save when it is
//! wrong), the default templates, and rendering a message from [`Facts`].
//!
//! [`MessageKind`], [`Language`], [`Channel`] and [`preferred_language`] live in
//! `mahasil_domain::notice` and are re-exported here: the store's outbox names them too,
//! and it does not depend on this crate.
//!
//! A template is text with `{placeholder}` fields (see [`Placeholder`]); `{{` and `}}` are
//! literal braces. An email template has three sections, each opened by a line of its own:
//!
//! ```text
//! [subject]
//! Challan {challan_no}: {head}
//! [text]
//! Dear {offender_name}, ...
//! [html]
//! <p>Dear {offender_name}, ...</p>
//! ```
//!
//! In the `[html]` section every value is HTML-escaped; the subject and the text part are
//! plain text. Rendering is pure: the same template and facts give the same message.

mod defaults;
mod facts;
mod html;
mod parsed;
mod phrases;
mod placeholder;
mod set;
mod syntax;

pub use mahasil_domain::notice::{Channel, Language, MessageKind, preferred_language};

pub use self::defaults::default_source;
pub use self::facts::{Bilingual, Decision, DecisionFacts, Facts, PaymentFacts};
pub use self::html::escape_html;
pub use self::parsed::{CUT_MARK, EmailContent, MAX_SUBJECT_CHARS, MAX_TEMPLATE_CHARS, Rendered, Template};
pub use self::placeholder::Placeholder;
pub use self::set::TemplateSet;

#[cfg(test)]
mod tests {
    use super::*;

    /// The names stored in the outbox, shown to admins and sent in webhook events are the
    /// serde names too.
    #[test]
    fn serde_names_are_the_stored_names() {
        for kind in MessageKind::ALL {
            assert_eq!(serde_json::to_string(&kind).ok(), Some(format!("\"{kind}\"")));
        }
        for language in Language::ALL {
            assert_eq!(serde_json::to_string(&language).ok(), Some(format!("\"{language}\"")));
        }
        for channel in Channel::ALL {
            assert_eq!(serde_json::to_string(&channel).ok(), Some(format!("\"{channel}\"")));
        }
    }
}
