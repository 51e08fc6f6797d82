//! The gateway's request template: the URL and body of the configuration, with the fields
//! `{to}`, `{text}`, `{idempotency_key}` and `{callback_url}`. Only `{` directly followed by
//! a lower-case name and `}` is a field, so a JSON body is written as it is
//! (`{"to":"{to}"}`) and a mistyped field (`{txt}`) is refused when the configuration is
//! loaded. Each value is encoded for where it goes: percent-encoded in the URL and in a
//! form body, escaped inside a JSON string or XML, as it is in any other body.

use crate::{NotifyError, Result};

/// A field of the request template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Field {
    To,
    Text,
    IdempotencyKey,
    CallbackUrl,
}

impl Field {
    const ALL: [Field; 4] = [Self::To, Self::Text, Self::IdempotencyKey, Self::CallbackUrl];

    fn name(self) -> &'static str {
        match self {
            Self::To => "to",
            Self::Text => "text",
            Self::IdempotencyKey => "idempotency_key",
            Self::CallbackUrl => "callback_url",
        }
    }
}

/// How values are written into a template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Encoding {
    /// Percent-encoding: URLs and `application/x-www-form-urlencoded` bodies.
    Percent,
    /// The inside of a JSON string: `application/json` and `+json` bodies.
    JsonString,
    /// XML character data or a quoted attribute: `xml` content types.
    Xml,
    /// As it is: any other content type.
    Raw,
}

impl Encoding {
    /// The encoding of body values for a `Content-Type`.
    pub(crate) fn for_content_type(content_type: &str) -> Self {
        let media_type = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
        if media_type == "application/json" || media_type.ends_with("+json") {
            Self::JsonString
        } else if media_type == "application/x-www-form-urlencoded" {
            Self::Percent
        } else if media_type.ends_with("/xml") || media_type.ends_with("+xml") {
            Self::Xml
        } else {
            Self::Raw
        }
    }

    fn encode(self, value: &str) -> String {
        match self {
            Self::Percent => percent_encode(value),
            Self::JsonString => {
                let quoted = serde_json::Value::String(value.to_string()).to_string();
                quoted.get(1..quoted.len().saturating_sub(1)).unwrap_or_default().to_string()
            }
            Self::Xml => crate::template::escape_html(value),
            Self::Raw => value.to_string(),
        }
    }
}

/// Every byte but the unreserved ones (RFC 3986) as `%XX`.
pub(crate) fn percent_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Literal(String),
    Field(Field),
}

/// A parsed request template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RequestTemplate {
    pieces: Vec<Piece>,
    encoding: Encoding,
}

/// The values of one send.
pub(crate) struct Values<'a> {
    pub to: &'a str,
    pub text: &'a str,
    pub idempotency_key: &'a str,
    pub callback_url: &'a str,
}

impl RequestTemplate {
    /// Parses `template` (the configuration field `field`), whose values are written with
    /// `encoding`.
    pub(crate) fn parse(field: &'static str, template: &str, encoding: Encoding) -> Result<Self> {
        let mut pieces = Vec::new();
        let mut literal = String::new();
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            literal.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let name_len = after.bytes().take_while(|b| b.is_ascii_lowercase() || *b == b'_' || b.is_ascii_digit()).count();
            let is_field = name_len > 0 && after.as_bytes().get(name_len) == Some(&b'}') && after.as_bytes().first().is_some_and(u8::is_ascii_lowercase);
            if !is_field {
                literal.push('{');
                rest = after;
                continue;
            }
            let name = &after[..name_len];
            let known = Field::ALL.into_iter().find(|f| f.name() == name).ok_or_else(|| {
                NotifyError::config(field, format!("unknown field {{{name}}}; the fields are {{to}}, {{text}}, {{idempotency_key}} and {{callback_url}}"))
            })?;
            if !literal.is_empty() {
                pieces.push(Piece::Literal(std::mem::take(&mut literal)));
            }
            pieces.push(Piece::Field(known));
            rest = &after[name_len + 1..];
        }
        literal.push_str(rest);
        if !literal.is_empty() {
            pieces.push(Piece::Literal(literal));
        }
        Ok(Self { pieces, encoding })
    }

    /// The template with `values` written in.
    pub(crate) fn fill(&self, values: &Values<'_>) -> String {
        let mut out = String::new();
        for piece in &self.pieces {
            match piece {
                Piece::Literal(text) => out.push_str(text),
                Piece::Field(Field::To) => out.push_str(&self.encoding.encode(values.to)),
                Piece::Field(Field::Text) => out.push_str(&self.encoding.encode(values.text)),
                Piece::Field(Field::IdempotencyKey) => out.push_str(&self.encoding.encode(values.idempotency_key)),
                Piece::Field(Field::CallbackUrl) => out.push_str(&self.encoding.encode(values.callback_url)),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALUES: Values<'static> = Values { to: "+923001234567", text: "Say \"hi\" & چالان\n", idempotency_key: "k-1", callback_url: "http://h/r?a=1" };

    #[test]
    fn json_bodies_are_written_as_they_are() -> Result<()> {
        let template = RequestTemplate::parse("body", r#"{"to":"{to}","text":"{text}","n":{"k":"{idempotency_key}"},"x":{}}"#, Encoding::JsonString)?;
        let body = template.fill(&VALUES);
        let parsed: serde_json::Value = serde_json::from_str(&body).map_err(NotifyError::MalformedJson)?;
        assert_eq!(parsed["text"], "Say \"hi\" & چالان\n");
        assert_eq!(parsed["n"]["k"], "k-1");
        assert_eq!(parsed["to"], "+923001234567");
        Ok(())
    }

    #[test]
    fn urls_and_forms_are_percent_encoded() -> Result<()> {
        let template = RequestTemplate::parse("url", "http://gw/send?to={to}&msg={text}&cb={callback_url}", Encoding::Percent)?;
        assert_eq!(
            template.fill(&VALUES),
            "http://gw/send?to=%2B923001234567&msg=Say%20%22hi%22%20%26%20%DA%86%D8%A7%D9%84%D8%A7%D9%86%0A&cb=http%3A%2F%2Fh%2Fr%3Fa%3D1"
        );
        Ok(())
    }

    #[test]
    fn xml_values_are_escaped() -> Result<()> {
        let template = RequestTemplate::parse("body", "<sms to=\"{to}\">{text}</sms>", Encoding::Xml)?;
        assert_eq!(template.fill(&VALUES), "<sms to=\"+923001234567\">Say &quot;hi&quot; &amp; چالان\n</sms>");
        Ok(())
    }

    #[test]
    fn a_mistyped_field_is_refused() {
        let err = RequestTemplate::parse("body", r#"{"to":"{to}","text":"{txt}"}"#, Encoding::JsonString);
        assert!(matches!(err, Err(NotifyError::InvalidConfig { field: "body", ref reason }) if reason.contains("{txt}")));
    }

    #[test]
    fn content_types_choose_the_encoding() {
        assert_eq!(Encoding::for_content_type("application/json; charset=utf-8"), Encoding::JsonString);
        assert_eq!(Encoding::for_content_type("application/vnd.sms+json"), Encoding::JsonString);
        assert_eq!(Encoding::for_content_type("application/x-www-form-urlencoded"), Encoding::Percent);
        assert_eq!(Encoding::for_content_type("text/xml"), Encoding::Xml);
        assert_eq!(Encoding::for_content_type("text/plain"), Encoding::Raw);
    }
}
