//! What every file goes through before a format parser sees it: the size bound, UTF-8,
//! the byte order mark, and format detection from the first characters.

use crate::error::{Result, StatementError};
use crate::limits::MAX_FILE_BYTES;
use crate::model::Format;

/// The file as text without a leading byte order mark, once it is known to be bounded,
/// non-empty UTF-8.
pub(crate) fn text(bytes: &[u8]) -> Result<&str> {
    text_within(bytes, MAX_FILE_BYTES)
}

fn text_within(bytes: &[u8], max_bytes: usize) -> Result<&str> {
    if bytes.len() > max_bytes {
        return Err(StatementError::FileTooLarge { size_bytes: bytes.len(), max_bytes });
    }
    let text = std::str::from_utf8(bytes).map_err(|error| StatementError::NotUtf8 { line: line_at(bytes, error.valid_up_to()) })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(StatementError::Empty);
    }
    Ok(text)
}

/// Which format the text is in, from its first non-blank characters: `<` for camt.053,
/// `:` or a SWIFT block header `{1:` for MT940, and mahasil CSV's header's first column.
pub(crate) fn detect(text: &str) -> Result<Format> {
    let start = text.trim_start();
    if start.starts_with('<') {
        Ok(Format::Camt053)
    } else if start.starts_with(':') || start.starts_with("{1:") {
        Ok(Format::Mt940)
    } else if start.starts_with("account,") || start.starts_with("\"account\",") {
        Ok(Format::Csv)
    } else {
        Err(StatementError::UnknownFormat)
    }
}

/// The 1-based line number of a byte offset. Only called on the way to an error, so
/// counting from the start is fine.
pub(crate) fn line_at(bytes: &[u8], offset: usize) -> u64 {
    let end = offset.min(bytes.len());
    let newlines = bytes[..end].iter().filter(|&&byte| byte == b'\n').count();
    u64::try_from(newlines).unwrap_or(u64::MAX).saturating_add(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_what_is_not_text() {
        assert_eq!(text(b""), Err(StatementError::Empty));
        assert_eq!(text(b" \r\n\t"), Err(StatementError::Empty));
        assert_eq!(text(b"account\nx\xffy"), Err(StatementError::NotUtf8 { line: 2 }));
        assert_eq!(text("\u{feff}:20:X".as_bytes()), Ok(":20:X"));
        assert_eq!(text_within(b":20:STMT1", 8), Err(StatementError::FileTooLarge { size_bytes: 9, max_bytes: 8 }));
        assert_eq!(text_within(b":20:STMT", 8), Ok(":20:STMT"));
    }

    #[test]
    fn detects_by_first_characters() {
        assert_eq!(detect("\n  <?xml version=\"1.0\"?>"), Ok(Format::Camt053));
        assert_eq!(detect(":20:STMT\r\n"), Ok(Format::Mt940));
        assert_eq!(detect("{1:F01BANKPKKAXXXX0000000000}{2:O940}{4:\n"), Ok(Format::Mt940));
        assert_eq!(detect("account,statement_id,booking_date"), Ok(Format::Csv));
        assert_eq!(detect("date;amount"), Err(StatementError::UnknownFormat));
    }
}
