//! Escaping a value for the `[html]` part of an email.

/// `text` with the five characters that mean something in HTML replaced by references, so
/// that a value can go in element content or a quoted attribute and stay a value.
pub fn escape_html(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            _ => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_becomes_text() {
        assert_eq!(escape_html(r#"<script>alert("x & 'y'")</script>"#), "&lt;script&gt;alert(&quot;x &amp; &#39;y&#39;&quot;)&lt;/script&gt;");
        assert_eq!(escape_html("محمد علی"), "محمد علی");
    }
}
