//! The default templates: for each kind and language one wording (`en`, `ur`), from which
//! the SMS, the webhook text and the email's three parts are made, so the channels say the
//! same thing. The email's HTML part is the text part's paragraphs, with links made
//! clickable and every value in a `<bdi>` so that a left-to-right value (a challan number,
//! an amount) sits right in Urdu text and an Urdu value in English text.

mod en;
mod ur;

use super::html::escape_html;
use super::syntax::{HTML_MARKER, SUBJECT_MARKER, TEXT_MARKER};
use super::{Channel, Language, MessageKind};

/// What one kind of message says in one language.
pub(super) struct Wording {
    /// The SMS, also the webhook's text: short, every fact in it.
    pub sms: &'static str,
    pub subject: &'static str,
    /// The email's paragraphs between the greeting and the signature; a `\n` inside one is
    /// a line break.
    pub paragraphs: &'static [&'static str],
}

/// The parts every email in a language shares.
pub(super) struct Frame {
    pub greeting: &'static str,
    pub signature: &'static str,
}

/// The default template text for `kind` in `language` on `channel`: what an admin starts
/// from when editing.
pub fn default_source(kind: MessageKind, language: Language, channel: Channel) -> String {
    let (wording, frame) = match language {
        Language::En => (en::wording(kind), en::FRAME),
        Language::Ur => (ur::wording(kind), ur::FRAME),
    };
    match channel {
        Channel::Sms | Channel::Webhook => wording.sms.to_string(),
        Channel::Email => email_source(&wording, &frame, language),
    }
}

fn email_source(wording: &Wording, frame: &Frame, language: Language) -> String {
    let mut paragraphs = vec![frame.greeting];
    paragraphs.extend_from_slice(wording.paragraphs);
    paragraphs.push(frame.signature);
    let text = paragraphs.join("\n\n");
    let html_paragraphs: String = paragraphs.iter().map(|p| format!("<p style=\"margin:0 0 1em\">{}</p>\n", html_paragraph(p))).collect();
    let (lang, dir) = (language.as_str(), language.direction());
    let font = match language {
        Language::En => "Arial, Helvetica, sans-serif",
        Language::Ur => "'Noto Nastaliq Urdu', 'Jameel Noori Nastaleeq', Tahoma, sans-serif",
    };
    format!(
        "{SUBJECT_MARKER}\n{subject}\n{TEXT_MARKER}\n{text}\n{HTML_MARKER}\n<!DOCTYPE html>\n<html lang=\"{lang}\" dir=\"{dir}\">\n<head><meta charset=\"utf-8\"><title>{title}</title></head>\n<body style=\"font-family:{font};font-size:15px;line-height:1.7;color:#1a1a1a\">\n<div dir=\"{dir}\" style=\"max-width:600px\">\n{html_paragraphs}</div>\n</body>\n</html>",
        subject = wording.subject,
        // A title holds text only, so its fields are escaped but not wrapped in `<bdi>`.
        title = escape_html(wording.subject),
    )
}

/// One paragraph of the text part as HTML: the words escaped, line breaks as `<br>`, the
/// links as links, and each value isolated in `<bdi>`.
fn html_paragraph(paragraph: &str) -> String {
    let mut html = String::new();
    let mut rest = paragraph;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}').map(|c| open + c) else { break };
        html.push_str(&escape_html(&rest[..open]));
        let field = &rest[open..=close];
        match field {
            "{verify_url}" | "{pay_url}" => html.push_str(&format!("<a href=\"{field}\">{field}</a>")),
            _ => html.push_str(&format!("<bdi>{field}</bdi>")),
        }
        rest = &rest[close + 1..];
    }
    html.push_str(&escape_html(rest));
    html.replace('\n', "<br>\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_paragraphs_link_and_isolate_values() {
        assert_eq!(
            html_paragraph("Pay {amount} & see {verify_url}\nnow"),
            "Pay <bdi>{amount}</bdi> &amp; see <a href=\"{verify_url}\">{verify_url}</a><br>\nnow"
        );
    }

    #[test]
    fn every_wording_has_paragraphs_and_no_literal_braces_outside_fields() {
        for kind in MessageKind::ALL {
            for wording in [en::wording(kind), ur::wording(kind)] {
                assert!(!wording.paragraphs.is_empty());
                for text in [wording.sms, wording.subject].iter().chain(wording.paragraphs) {
                    assert_eq!(text.matches('{').count(), text.matches('}').count(), "{text}");
                }
            }
        }
    }
}
