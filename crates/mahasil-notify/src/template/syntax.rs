//! The text of a template: literal text and `{placeholder}` fields, with `{{` and `}}` for
//! literal braces, and for email the `[subject]`, `[text]` and `[html]` sections. Errors
//! carry the 1-based line and column (in characters) of the source an admin edits.

use super::MessageKind;
use super::placeholder::Placeholder;
use crate::{NotifyError, Result};

/// Longest placeholder name quoted back in an error, in characters.
const MAX_QUOTED_NAME_CHARS: usize = 40;

/// One piece of a parsed template text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Segment {
    Literal(String),
    Field(Placeholder),
}

/// Where a piece of text starts in the whole source.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Origin {
    pub line: usize,
}

/// Parses `text` into literals and fields usable in `kind` messages.
pub(crate) fn parse_fields(text: &str, origin: Origin, kind: MessageKind) -> Result<Vec<Segment>> {
    let mut segments = Vec::new();
    let mut literal = String::new();
    let (mut line, mut column) = (origin.line, 0usize);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        column += 1;
        match c {
            '\n' => {
                literal.push(c);
                line += 1;
                column = 0;
            }
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                column += 1;
                literal.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                column += 1;
                literal.push('}');
            }
            '}' => return Err(NotifyError::UnmatchedClosingBrace { line, column }),
            '{' => {
                let start = column;
                let mut name = String::new();
                loop {
                    match chars.next() {
                        Some('}') => break,
                        Some('\n' | '{') | None => return Err(NotifyError::UnclosedBrace { line, column: start }),
                        Some(ch) => name.push(ch),
                    }
                }
                column += name.chars().count() + 1;
                let field = placeholder(&name, kind, line, start)?;
                if !literal.is_empty() {
                    segments.push(Segment::Literal(std::mem::take(&mut literal)));
                }
                segments.push(Segment::Field(field));
            }
            _ => literal.push(c),
        }
    }
    if !literal.is_empty() {
        segments.push(Segment::Literal(literal));
    }
    Ok(segments)
}

fn placeholder(name: &str, kind: MessageKind, line: usize, column: usize) -> Result<Placeholder> {
    let field = Placeholder::from_name(name).ok_or_else(|| NotifyError::UnknownPlaceholder {
        name: name.chars().take(MAX_QUOTED_NAME_CHARS).collect(),
        line,
        column,
    })?;
    if !field.available_in(kind) {
        return Err(NotifyError::PlaceholderNotAvailable { name: name.to_string(), kind: kind.as_str(), line, column });
    }
    Ok(field)
}

/// The three parts of an email template's source, each with where it starts.
pub(crate) struct EmailSections {
    pub subject: (String, Origin),
    pub text: (String, Origin),
    pub html: (String, Origin),
}

/// The line that opens each section of an email template.
pub(crate) const SUBJECT_MARKER: &str = "[subject]";
pub(crate) const TEXT_MARKER: &str = "[text]";
pub(crate) const HTML_MARKER: &str = "[html]";

/// Splits an email template into its sections. Each marker stands alone on its line; the
/// subject is one line; blank lines around a section's content are not part of it.
pub(crate) fn email_sections(source: &str) -> Result<EmailSections> {
    let mut found: [Option<(Vec<&str>, usize)>; 3] = [None, None, None];
    let mut current: Option<usize> = None;
    for (index, raw) in source.split('\n').enumerate() {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let marker = [SUBJECT_MARKER, TEXT_MARKER, HTML_MARKER].iter().position(|m| line.trim() == *m);
        match (marker, current) {
            (Some(section), _) => {
                let slot = found.get_mut(section).ok_or_else(|| NotifyError::EmailSections("no such section".into()))?;
                if slot.is_some() {
                    return Err(NotifyError::EmailSections(format!("line {}: {} appears twice", index + 1, line.trim())));
                }
                *slot = Some((Vec::new(), index + 2));
                current = Some(section);
            }
            (None, Some(section)) => {
                if let Some(Some((lines, _))) = found.get_mut(section) {
                    lines.push(line);
                }
            }
            (None, None) if line.trim().is_empty() => {}
            (None, None) => {
                return Err(NotifyError::EmailSections(format!("line {}: text before the first section; start with {SUBJECT_MARKER}", index + 1)));
            }
        }
    }
    let [subject, text, html] = found;
    let take = |part: Option<(Vec<&str>, usize)>, marker: &str| {
        part.map(trimmed).ok_or_else(|| NotifyError::EmailSections(format!("the {marker} section is missing")))
    };
    let subject = take(subject, SUBJECT_MARKER)?;
    if subject.0.contains('\n') {
        return Err(NotifyError::EmailSections(format!("line {}: the subject must be one line", subject.1.line + 1)));
    }
    Ok(EmailSections { subject, text: take(text, TEXT_MARKER)?, html: take(html, HTML_MARKER)? })
}

/// A section's lines without the blank ones around them, and the line its content starts.
fn trimmed((lines, first_line): (Vec<&str>, usize)) -> (String, Origin) {
    let leading = lines.iter().take_while(|l| l.trim().is_empty()).count();
    let trailing = lines.iter().rev().take_while(|l| l.trim().is_empty()).count();
    let kept = lines.get(leading..lines.len().saturating_sub(trailing)).unwrap_or_default();
    (kept.join("\n"), Origin { line: first_line + leading })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Vec<Segment>> {
        parse_fields(text, Origin { line: 1 }, MessageKind::PaymentReceipt)
    }

    #[test]
    fn fields_and_literals_alternate() -> Result<()> {
        let segments = parse("Challan {challan_no}: {paid_amount} paid.")?;
        assert_eq!(
            segments,
            vec![
                Segment::Literal("Challan ".into()),
                Segment::Field(Placeholder::ChallanNo),
                Segment::Literal(": ".into()),
                Segment::Field(Placeholder::PaidAmount),
                Segment::Literal(" paid.".into()),
            ]
        );
        Ok(())
    }

    #[test]
    fn doubled_braces_are_literal() -> Result<()> {
        assert_eq!(parse("a {{b}} c")?, vec![Segment::Literal("a {b} c".into())]);
        Ok(())
    }

    #[test]
    fn errors_name_the_place() {
        assert!(matches!(parse("ab\ncd {chalan_no} x"), Err(NotifyError::UnknownPlaceholder { ref name, line: 2, column: 4 }) if name == "chalan_no"));
        assert!(matches!(parse("x {amount"), Err(NotifyError::UnclosedBrace { line: 1, column: 3 })));
        assert!(matches!(parse("x {amount\n}"), Err(NotifyError::UnclosedBrace { line: 1, column: 3 })));
        assert!(matches!(parse("{amount} }"), Err(NotifyError::UnmatchedClosingBrace { line: 1, column: 10 })));
        assert!(matches!(parse("ب {amount} {x"), Err(NotifyError::UnclosedBrace { line: 1, column: 12 })));
        assert!(matches!(parse("{}"), Err(NotifyError::UnknownPlaceholder { ref name, .. }) if name.is_empty()));
        let not_here = parse_fields("{receipt_no}", Origin { line: 7 }, MessageKind::ChallanIssued);
        assert!(matches!(not_here, Err(NotifyError::PlaceholderNotAvailable { line: 7, column: 1, .. })));
    }

    #[test]
    fn email_sections_are_found_with_their_lines() -> Result<()> {
        let source = "[subject]\nChallan {challan_no}\n\n[text]\n\nDear {offender_name},\r\nPay.\n\n[html]\n<p>Pay.</p>\n";
        let sections = email_sections(source)?;
        assert_eq!(sections.subject.0, "Challan {challan_no}");
        assert_eq!(sections.subject.1.line, 2);
        assert_eq!(sections.text.0, "Dear {offender_name},\nPay.");
        assert_eq!(sections.text.1.line, 6);
        assert_eq!(sections.html.0, "<p>Pay.</p>");
        assert_eq!(sections.html.1.line, 10);
        Ok(())
    }

    #[test]
    fn email_sections_must_each_be_there_once() {
        assert!(matches!(email_sections("[subject]\nx\n[text]\ny\n"), Err(NotifyError::EmailSections(ref m)) if m.contains("[html]")));
        assert!(matches!(email_sections("hello\n[subject]\nx\n[text]\ny\n[html]\nz"), Err(NotifyError::EmailSections(ref m)) if m.contains("line 1")));
        assert!(matches!(email_sections("[subject]\nx\n[text]\ny\n[html]\nz\n[text]\n"), Err(NotifyError::EmailSections(ref m)) if m.contains("twice")));
        assert!(matches!(email_sections("[subject]\nx\ny\n[text]\ny\n[html]\nz"), Err(NotifyError::EmailSections(ref m)) if m.contains("one line")));
    }
}
