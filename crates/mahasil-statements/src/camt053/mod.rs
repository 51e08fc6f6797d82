//! ISO 20022 camt.053 (`BkToCstmrStmt`, versions 001.02 to 001.08), read as a stream of
//! XML events with quick-xml: no document tree, so a million entries cost only their lines.
//!
//! Read from the one `Stmt` of the file: `Id` (statement id); `Acct/Id/IBAN` or
//! `Acct/Id/Othr/Id` (account); optional `Acct/Ccy`; the `Bal`s of type `OPBD` (opening)
//! and `CLBD` (closing) with `Amt`, `CdtDbtInd` and `Dt/Dt` (or `Dt/DtTm`), which give the
//! period; and per `Ntry`: `Amt`, `CdtDbtInd`, `Sts` (must be `BOOK` when given),
//! `BookgDt`, `ValDt`, `AcctSvcrRef` (the bank reference, required),
//! `NtryDtls/TxDtls/Refs/EndToEndId` (the customer reference; `NOTPROVIDED` and batch
//! entries with several `TxDtls` have none) and the narrative: `AddtlNtryInf`, or else the
//! first `TxDtls`'s `RmtInf/Ustrd` lines joined as written. Every `Ccy` must be `PKR`.
//! Other elements are skipped. DTDs are refused, and with them entity expansion.

mod collect;
mod path;

use quick_xml::Reader;
use quick_xml::errors::{Error as XmlError, IllFormedError, SyntaxError};
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesRef, BytesStart, Event};

use self::collect::Collector;
use self::path::{Group, Slot, Tag};
use crate::error::{Location, Result, StatementError};
use crate::limits::{MAX_FIELD_BYTES, MAX_XML_DEPTH};
use crate::model::Statement;

/// The namespaces of the camt.053 versions read here.
pub(crate) const NAMESPACES: [&str; 7] = [
    "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02",
    "urn:iso:std:iso:20022:tech:xsd:camt.053.001.03",
    "urn:iso:std:iso:20022:tech:xsd:camt.053.001.04",
    "urn:iso:std:iso:20022:tech:xsd:camt.053.001.05",
    "urn:iso:std:iso:20022:tech:xsd:camt.053.001.06",
    "urn:iso:std:iso:20022:tech:xsd:camt.053.001.07",
    "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08",
];

/// An element whose text is being gathered.
struct Leaf {
    slot: Slot,
    /// Byte offset of its start tag.
    offset: u64,
    currency: Option<String>,
}

pub(crate) fn parse(text: &str) -> Result<Statement> {
    let mut reader = Reader::from_str(text);
    reader.config_mut().expand_empty_elements = true;
    let mut stack: Vec<Tag> = Vec::with_capacity(16);
    let mut collector = Collector::new(text);
    let mut leaf: Option<Leaf> = None;
    let mut value = String::new();
    let mut root_seen = false;
    loop {
        let offset = reader.buffer_position();
        let event = reader.read_event().map_err(|error| xml_error(&error, collector.locate(reader.error_position())))?;
        match event {
            Event::Start(start) => {
                if let Some(open) = leaf.take()
                    && !value.trim().is_empty()
                {
                    return Err(StatementError::invalid(collector.locate(open.offset), open.slot.name(), "holds both text and elements"));
                }
                if stack.is_empty() {
                    if root_seen {
                        return Err(StatementError::invalid(collector.locate(offset), "Document", "a second root element"));
                    }
                    root(&start, collector.locate(offset))?;
                    root_seen = true;
                }
                if stack.len() >= MAX_XML_DEPTH {
                    return Err(StatementError::invalid(collector.locate(offset), "XML", format!("nested deeper than {MAX_XML_DEPTH} elements")));
                }
                let tag = Tag::of(start.local_name().as_ref());
                if stack.len() == 1 && tag != Tag::BkToCstmrStmt {
                    return Err(StatementError::invalid(collector.locate(offset), "Document", "must hold BkToCstmrStmt: this is not a camt.053 statement"));
                }
                stack.push(tag);
                match Group::at(&stack) {
                    Some(Group::Statement) => collector.start_statement(offset)?,
                    Some(Group::Balance) => collector.start_balance(offset),
                    Some(Group::Entry) => collector.start_entry(offset),
                    Some(Group::Transaction) => collector.start_transaction(),
                    None => {}
                }
                if let Some(slot) = Slot::at(&stack) {
                    value.clear();
                    let currency =
                        if slot.has_currency_attribute() { currency_attribute(&start).map_err(|error| error.located(collector.locate(offset)))? } else { None };
                    leaf = Some(Leaf { slot, offset, currency });
                }
            }
            Event::End(_) => {
                if let Some(open) = leaf.take() {
                    collector.value(open.slot, &value, open.currency.as_deref(), open.offset)?;
                }
                match Group::at(&stack) {
                    Some(Group::Balance) => collector.end_balance()?,
                    Some(Group::Entry) => collector.end_entry()?,
                    _ => {}
                }
                stack.pop();
            }
            Event::Text(content) if leaf.is_some() => push_bounded(&mut value, &content.xml10_content(), &leaf, &collector)?,
            Event::CData(content) if leaf.is_some() => push_bounded(&mut value, &content.xml10_content(), &leaf, &collector)?,
            Event::GeneralRef(reference) => {
                let resolved = entity(&reference).map_err(|error| error.located(collector.locate(offset)))?;
                if leaf.is_some() {
                    push_bounded(&mut value, &resolved, &leaf, &collector)?;
                }
            }
            Event::Decl(declaration) => {
                if let Some(Ok(encoding)) = declaration.encoding()
                    && !encoding.eq_ignore_ascii_case("UTF-8")
                {
                    return Err(StatementError::invalid(collector.locate(offset), "XML declaration", format!("encoding {encoding:?}: only UTF-8 is accepted")));
                }
            }
            Event::DocType(_) => return Err(StatementError::invalid(collector.locate(offset), "XML", "a DOCTYPE is not accepted in a statement")),
            Event::Eof => break,
            // `Empty` never comes: `expand_empty_elements` turns it into `Start` and `End`.
            Event::Text(_) | Event::CData(_) | Event::Comment(_) | Event::PI(_) | Event::Empty(_) => {}
        }
    }
    let end = reader.buffer_position();
    if !stack.is_empty() {
        return Err(StatementError::Truncated { at: collector.locate(end), expected: "the closing tags of the document" });
    }
    if !root_seen {
        return Err(StatementError::Missing { at: collector.locate(end), field: "Document" });
    }
    collector.finish(end)
}

/// `Document`, in the namespace of one of the camt.053 versions read here.
fn root(start: &BytesStart<'_>, at: Location) -> Result<()> {
    let name = start.name();
    if name.local_name().as_ref() != "Document" {
        return Err(StatementError::invalid(at, "Document", "the root element must be Document"));
    }
    let xmlns = match name.prefix() {
        Some(prefix) => format!("xmlns:{}", prefix.as_ref()),
        None => "xmlns".to_owned(),
    };
    let attribute = start.try_get_attribute(xmlns.as_str()).map_err(|error| StatementError::invalid(at, "Document", error.to_string()))?;
    match attribute {
        Some(namespace) if NAMESPACES.contains(&namespace.value.as_ref()) => Ok(()),
        Some(namespace) => Err(StatementError::invalid(at, "Document", format!("namespace {:?} is not camt.053.001.02 to .08", namespace.value))),
        None => Err(StatementError::Missing { at, field: "Document namespace (xmlns)" }),
    }
}

/// The `Ccy` attribute of an amount. Errors are placed by the caller.
fn currency_attribute(start: &BytesStart<'_>) -> Result<Option<String>> {
    let attribute = start.try_get_attribute("Ccy").map_err(|error| StatementError::invalid(Location::Statement, "Amt/@Ccy", error.to_string()))?;
    Ok(attribute.map(|attribute| attribute.value.into_owned()))
}

/// `&amp;` and the other four XML entities, and character references; nothing else.
/// Errors are placed by the caller.
fn entity(reference: &BytesRef<'_>) -> Result<String> {
    let at = Location::Statement;
    match reference.resolve_char_ref() {
        Ok(Some(character)) => Ok(character.to_string()),
        Ok(None) => resolve_predefined_entity(reference)
            .map(str::to_owned)
            .ok_or_else(|| StatementError::invalid(at, "XML", format!("unknown entity &{};", &**reference))),
        Err(error) => Err(StatementError::invalid(at, "XML", error.to_string())),
    }
}

fn push_bounded(value: &mut String, more: &str, leaf: &Option<Leaf>, collector: &Collector<'_>) -> Result<()> {
    value.push_str(more);
    match leaf {
        Some(open) if value.len() > MAX_FIELD_BYTES => {
            Err(StatementError::invalid(collector.locate(open.offset), open.slot.name(), format!("longer than the {MAX_FIELD_BYTES} bytes accepted")))
        }
        _ => Ok(()),
    }
}

fn xml_error(error: &XmlError, at: Location) -> StatementError {
    match error {
        XmlError::Syntax(SyntaxError::InvalidBangMarkup) => StatementError::invalid(at, "XML", error.to_string()),
        XmlError::Syntax(_) | XmlError::IllFormed(IllFormedError::MissingEndTag(_)) => StatementError::Truncated { at, expected: "the end of the XML markup" },
        _ => StatementError::invalid(at, "XML", error.to_string()),
    }
}
