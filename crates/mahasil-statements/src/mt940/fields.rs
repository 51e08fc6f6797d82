//! Splits MT940 text into tagged fields. A field starts with `:TAG:` (two digits and an
//! optional capital letter) at the start of a line and runs until the next tag; lines
//! between are its continuation lines. SWIFT block headers (`{1:...}{2:...}{4:`), block
//! ends (`-}` or a lone `-`) and blank lines separate messages and are skipped here.

use crate::error::{Location, Result, StatementError};

/// One tagged field.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Field<'a> {
    /// The tag without its colons: `20`, `28C`, `61`.
    pub tag: &'a str,
    /// The file line the tag is on.
    pub line: u64,
    /// The text after the tag on its first line.
    pub first: &'a str,
    /// The continuation lines, as one slice of the file (split with [`Field::more`]).
    continuation: &'a str,
}

impl<'a> Field<'a> {
    /// The continuation lines, without their line ends.
    pub fn more(&self) -> impl Iterator<Item = &'a str> + use<'a> {
        self.continuation.lines()
    }

    pub fn has_more(&self) -> bool {
        !self.continuation.is_empty()
    }

    pub fn at(&self) -> Location {
        Location::FileLine(self.line)
    }
}

/// The fields of a file, in order.
pub(crate) struct Fields<'a> {
    text: &'a str,
    /// Byte offset of the next unread line.
    offset: usize,
    /// File line number of the next unread line.
    next_line: u64,
}

impl<'a> Fields<'a> {
    pub fn new(text: &'a str) -> Self {
        Self { text, offset: 0, next_line: 1 }
    }

    /// The line after the last one read, for errors about what is missing at the end.
    pub fn end_line(&self) -> u64 {
        self.next_line
    }

    /// The next field, or `None` at the end of the file.
    pub fn next_field(&mut self) -> Result<Option<Field<'a>>> {
        while let Some((line_no, line)) = self.read_line() {
            if line.trim().is_empty() || is_block_end(line) || line.starts_with("{5:") {
                continue;
            }
            if line.starts_with("{1:") {
                if !line.trim_end().ends_with("{4:") {
                    return Err(StatementError::invalid(Location::FileLine(line_no), "SWIFT block header", "a header line must end with `{4:`"));
                }
                continue;
            }
            let Some((tag, first)) = split_tag(line) else {
                return Err(StatementError::invalid(Location::FileLine(line_no), "line", "text outside any field (a field starts with `:TAG:`)"));
            };
            let continuation = self.continuation();
            return Ok(Some(Field { tag, line: line_no, first, continuation }));
        }
        Ok(None)
    }

    /// Takes the lines up to the next tag, block mark or blank line.
    fn continuation(&mut self) -> &'a str {
        let start = self.offset;
        let mut end = start;
        while let Some(line) = self.peek_line() {
            if line.trim().is_empty() || split_tag(line).is_some() || is_block_end(line) || line.starts_with('{') {
                break;
            }
            self.read_line();
            end = self.offset;
        }
        self.text.get(start..end).unwrap_or_default()
    }

    fn peek_line(&self) -> Option<&'a str> {
        let rest = self.text.get(self.offset..).filter(|rest| !rest.is_empty())?;
        let line = rest.split_once('\n').map_or(rest, |(line, _)| line);
        Some(line.strip_suffix('\r').unwrap_or(line))
    }

    fn read_line(&mut self) -> Option<(u64, &'a str)> {
        let line = self.peek_line()?;
        let rest = self.text.get(self.offset..).unwrap_or_default();
        self.offset += rest.find('\n').map_or(rest.len(), |newline| newline + 1);
        let line_no = self.next_line;
        self.next_line += 1;
        Some((line_no, line))
    }
}

/// `:61:rest` → `("61", "rest")`; `:28C:rest` → `("28C", "rest")`.
fn split_tag(line: &str) -> Option<(&str, &str)> {
    let bytes = line.as_bytes();
    if bytes.first() != Some(&b':') || !bytes.get(1..3)?.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let tag_len = match (bytes.get(3), bytes.get(4)) {
        (Some(b':'), _) => 2,
        (Some(letter), Some(b':')) if letter.is_ascii_uppercase() => 3,
        _ => return None,
    };
    Some((line.get(1..1 + tag_len)?, line.get(2 + tag_len..)?))
}

fn is_block_end(line: &str) -> bool {
    line.trim_end() == "-" || line.starts_with("-}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Tag, line, first line, continuation lines.
    type Seen = (String, u64, String, Vec<String>);

    fn all(text: &str) -> Result<Vec<Seen>> {
        let mut fields = Fields::new(text);
        let mut out = Vec::new();
        while let Some(field) = fields.next_field()? {
            out.push((field.tag.to_owned(), field.line, field.first.to_owned(), field.more().map(str::to_owned).collect()));
        }
        Ok(out)
    }

    #[test]
    fn splits_fields_and_continuations() -> Result<()> {
        let text = "{1:F01BANKPKKAXXXX0000000000}{2:O940}{4:\r\n:20:STMT1\r\n:61:250115C5,00NTRFREF//BANK\r\nSUPP\r\n:86:ONE\r\nTWO\r\n-}\r\n";
        let fields = all(text)?;
        assert_eq!(fields.len(), 3);
        assert_eq!(fields[0], ("20".into(), 2, "STMT1".into(), vec![]));
        assert_eq!(fields[1], ("61".into(), 3, "250115C5,00NTRFREF//BANK".into(), vec!["SUPP".into()]));
        assert_eq!(fields[2], ("86".into(), 5, "ONE".into(), vec!["TWO".into()]));
        Ok(())
    }

    #[test]
    fn refuses_stray_text() {
        assert!(all("hello\n:20:X\n").is_err());
        assert!(all("{1:F01BANK}\n").is_err());
        assert_eq!(split_tag(":28C:1/1"), Some(("28C", "1/1")));
        assert_eq!(split_tag(":2:x"), None);
        assert_eq!(split_tag(":28c:x"), None);
    }
}
