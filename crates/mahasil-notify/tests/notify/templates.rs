//! Templates: an admin's mistakes refused with their place, every default template parsed
//! and rendered for every kind in both languages, values escaped in HTML only, and the
//! length of each rendered SMS.

use mahasil_notify::NotifyError;
use mahasil_notify::sms_gateway::MAX_SMS_PARTS;
use mahasil_notify::sms_length::{self, SmsEncoding};
use mahasil_notify::template::{Channel, Language, MessageKind, Placeholder, Rendered, Template, TemplateSet, default_source};

use crate::support::{R, facts};

fn is_urdu_letter(c: char) -> bool {
    ('\u{0600}'..='\u{06FF}').contains(&c)
}

#[test]
fn an_unknown_placeholder_is_refused_with_its_name_and_place() {
    let text = "Challan {challan_no}\nPay {amount_due} by {due_date}";
    let refused = Template::parse(MessageKind::ChallanIssued, Language::En, Channel::Sms, text);
    assert!(matches!(&refused, Err(NotifyError::UnknownPlaceholder { name, line: 2, column: 5 }) if name == "amount_due"), "{refused:?}");
    let message = refused.map(|_| ()).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(message.contains("{amount_due}") && message.contains("line 2"), "{message}");
}

#[test]
fn unbalanced_braces_and_misplaced_fields_are_refused() {
    let parse = |kind, channel, text: &str| Template::parse(kind, Language::Ur, channel, text);
    assert!(matches!(parse(MessageKind::DueReminder, Channel::Sms, "چالان {challan_no"), Err(NotifyError::UnclosedBrace { line: 1, column: 7 })));
    assert!(matches!(parse(MessageKind::DueReminder, Channel::Sms, "چالان challan_no}"), Err(NotifyError::UnmatchedClosingBrace { line: 1, column: 17 })));
    assert!(matches!(parse(MessageKind::DueReminder, Channel::Webhook, "{reason}"), Err(NotifyError::PlaceholderNotAvailable { .. })));
    assert!(matches!(parse(MessageKind::DueReminder, Channel::Email, "[subject]\nx\n[text]\ny"), Err(NotifyError::EmailSections(_))));
    assert!(matches!(parse(MessageKind::DueReminder, Channel::Sms, "  \n "), Err(NotifyError::EmptyTemplate { .. })));
}

#[test]
fn every_default_template_parses_and_renders() -> R {
    let facts = facts()?;
    let set = TemplateSet::defaults()?;
    for kind in MessageKind::ALL {
        for language in Language::ALL {
            for channel in Channel::ALL {
                let template = set.get(kind, language, channel);
                assert_eq!((template.kind(), template.language(), template.channel()), (kind, language, channel));
                assert!(template.placeholders().contains(&Placeholder::ChallanNo), "{kind}/{language}/{channel} names no challan");
                let rendered = template.render(&facts)?;
                let text = rendered.text();
                assert!(text.contains("100001-00000042-"), "{kind}/{language}/{channel}: {text}");
                assert!(!text.contains('{') && !text.contains('}'), "{kind}/{language}/{channel}: {text}");
                assert_eq!(text.chars().any(is_urdu_letter), language == Language::Ur, "{kind}/{language}/{channel}: {text}");
                match (channel, &rendered) {
                    (Channel::Sms, Rendered::Sms { .. }) | (Channel::Webhook, Rendered::Webhook { .. }) => {}
                    (Channel::Email, Rendered::Email(email)) => {
                        assert!(!email.subject.is_empty() && !email.subject.contains('\n'));
                        assert!(email.html.contains(&format!("dir=\"{}\"", language.direction())));
                        assert!(email.html.contains("Muhammad &lt;Ali&gt; &amp; Sons"), "{}", email.html);
                        assert!(!email.html.contains("<Ali>"));
                        assert!(email.text.contains("Muhammad <Ali> & Sons"));
                    }
                    _ => return Err(format!("{kind}/{language}/{channel} rendered as {rendered:?}").into()),
                }
            }
        }
    }
    Ok(())
}

#[test]
fn urdu_stays_urdu_and_numbers_stay_ascii() -> R {
    let set = TemplateSet::defaults()?;
    let facts = facts()?;
    let Rendered::Email(email) = set.get(MessageKind::ChallanIssued, Language::Ur, Channel::Email).render(&facts)? else {
        return Err("not an email".into());
    };
    assert_eq!(email.subject, "چالان 100001-00000042-3 جاری: سرکاری سڑک پر تجاوزات");
    assert!(email.text.starts_with("محترم Muhammad <Ali> & Sons،"));
    assert!(email.text.contains("2026-12-11 تک قابل ادا رقم: PKR 5,000"));
    assert!(email.text.contains("کنزیومر نمبر 100001000000423"));
    assert!(email.html.contains(&format!("<a href=\"https://mahasil.kp.gov.pk/V/{}\">", "AB12CD34".repeat(20))));
    let receipt = set.get(MessageKind::PaymentReceipt, Language::Ur, Channel::Sms).render(&facts)?;
    assert!(receipt.text().contains("2026-12-01 14:15 PKT"), "{}", receipt.text());
    let decision = set.get(MessageKind::ContestDecided, Language::Ur, Channel::Sms).render(&facts)?;
    assert!(decision.text().contains("اعتراض مسترد کر دیا گیا ہے"), "{}", decision.text());
    Ok(())
}

#[test]
fn rendered_sms_lengths() -> R {
    let set = TemplateSet::defaults()?;
    let facts = facts()?;
    for kind in MessageKind::ALL {
        let urdu = set.get(kind, Language::Ur, Channel::Sms).render(&facts)?;
        let english = set.get(kind, Language::En, Channel::Sms).render(&facts)?;
        let (ur, en) = (sms_length::measure(urdu.text()), sms_length::measure(english.text()));
        println!("{kind}: ur {} units in {} parts, en {} septets in {} parts", ur.units, ur.parts, en.units, en.parts);
        assert_eq!(ur.encoding, SmsEncoding::Ucs2);
        assert_eq!(en.encoding, SmsEncoding::Gsm7, "{}", english.text());
        // Each part is paid for: an Urdu notice stays within 4, well under the gateway's
        // limit of MAX_SMS_PARTS (the seal's long check link is left to the email).
        assert!(ur.parts >= 2 && ur.parts <= 4 && ur.parts <= MAX_SMS_PARTS, "{kind}: {ur:?}");
        assert!(en.parts <= 2, "{kind}: {en:?}");
        assert!(en.parts <= ur.parts);
    }
    Ok(())
}

#[test]
fn an_edited_template_takes_the_place_of_the_default() -> R {
    let mut set = TemplateSet::defaults()?;
    let edited = Template::parse(MessageKind::DueReminder, Language::En, Channel::Sms, "Pay {{now}}: {challan_no}, {amount} by {due_date}.")?;
    let old = set.replace(edited.clone());
    assert_eq!(old.source(), default_source(MessageKind::DueReminder, Language::En, Channel::Sms));
    let rendered = set.get(MessageKind::DueReminder, Language::En, Channel::Sms).render(&facts()?)?;
    assert_eq!(rendered.text(), "Pay {now}: 100001-00000042-3, PKR 5,000 by 2026-12-11.");
    Ok(())
}

#[test]
fn a_receipt_without_a_payment_is_refused() -> R {
    let facts = mahasil_notify::template::Facts { payment: None, ..facts()? };
    let set = TemplateSet::defaults()?;
    let refused = set.get(MessageKind::PaymentReceipt, Language::En, Channel::Sms).render(&facts);
    assert!(matches!(refused, Err(NotifyError::MissingFact { .. })));
    Ok(())
}

#[test]
fn a_long_decision_reason_is_cut_to_fit_an_sms_and_nothing_else_is() -> R {
    let set = TemplateSet::defaults()?;
    let mut facts = facts()?;
    let short = facts.decision.as_ref().map(|d| d.reason.clone()).ok_or("no decision")?;
    for language in Language::ALL {
        let template = set.get(MessageKind::ContestDecided, language, Channel::Sms);
        // A reason that fits is left whole.
        facts.decision.as_mut().ok_or("no decision")?.reason = short.clone();
        assert_eq!(template.render_sms_within(&facts, MAX_SMS_PARTS)?, template.render(&facts)?);
        // A reason of 2,000 characters: cut, ending in the mark, and the SMS just fits.
        let long: String = ["the road was blocked ", "سڑک بند تھی "].iter().cycle().take(140).copied().collect();
        facts.decision.as_mut().ok_or("no decision")?.reason = long.clone();
        assert!(sms_length::measure(template.render(&facts)?.text()).parts > MAX_SMS_PARTS);
        let cut = template.render_sms_within(&facts, MAX_SMS_PARTS)?;
        let text = cut.text();
        assert!(sms_length::measure(text).parts <= MAX_SMS_PARTS, "{language}: {text}");
        assert!(text.contains(mahasil_notify::template::CUT_MARK), "{language}: {text}");
        assert!(text.contains("100001-00000042-"), "the challan is still named: {text}");
        // As long as it can be: one more character of the reason would not fit.
        let kept = text.find("the road").map(|start| &text[start..]).ok_or("the reason is gone")?;
        let kept_chars = kept.split(mahasil_notify::template::CUT_MARK).next().unwrap_or("").chars().count();
        let mut longer = facts.clone();
        longer.decision.as_mut().ok_or("no decision")?.reason =
            format!("{}{}", long.chars().take(kept_chars + 1).collect::<String>(), mahasil_notify::template::CUT_MARK);
        assert!(sms_length::measure(template.render(&longer)?.text()).parts > MAX_SMS_PARTS || kept_chars + 1 >= long.chars().count());
        // An email keeps the whole reason.
        let email = set.get(MessageKind::ContestDecided, language, Channel::Email).render_sms_within(&facts, MAX_SMS_PARTS)?;
        assert!(email.text().contains(long.trim_end()), "{language}");
    }
    Ok(())
}
