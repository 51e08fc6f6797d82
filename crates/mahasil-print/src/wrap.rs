//! Breaking a paragraph into lines that fit a width.
//!
//! Greedy, at spaces: each word is measured once by shaping it alone (spaces stop Arabic
//! joining, so a word shapes the same alone as in its line), then each finished line is
//! shaped whole so bidi reorders it as a reader expects. A word wider than the line is cut
//! between characters rather than allowed to run off the paper.

use std::ops::Range;

use crate::Result;
use crate::shape::{Dir, Extent, Paragraph, ShapedLine, TextStyle};

/// Lines of a wrapped paragraph and the side they align to.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Wrapped {
    pub lines: Vec<ShapedLine>,
    pub rtl: bool,
}

pub(crate) fn wrap(text: &str, dir: Dir, style: TextStyle, max_width: f32) -> Result<Wrapped> {
    let para = Paragraph::new(text, dir, style)?;
    let rtl = para.is_rtl();
    // Most labels and values fit on one line: shape them once, as that line.
    let start = text.len() - text.trim_start().len();
    let whole = para.line(start..text.trim_end().len().max(start));
    if whole.ink_width() <= max_width {
        return Ok(Wrapped { lines: vec![whole], rtl });
    }
    let lines = line_ranges(&para, max_width).into_iter().map(|range| para.line(range)).collect();
    Ok(Wrapped { lines, rtl })
}

/// Byte ranges of the lines, in reading order, without the spaces they break at.
fn line_ranges(para: &Paragraph<'_>, max_width: f32) -> Vec<Range<usize>> {
    let mut lines = Vec::new();
    // The line being filled: its range, advance so far, and its first word's overhang.
    let mut current: Option<(Range<usize>, f32, f32)> = None;
    for word in words(para.text()) {
        let extent = para.measure(word.clone());
        if let Some((line, width, first_overhang)) = current.as_mut() {
            let gap = para.measure(line.end..word.start).width;
            // Only the words at the ends can push ink past the column.
            if *width + gap + extent.width + first_overhang.max(extent.overhang) * 2.0 <= max_width {
                line.end = word.end;
                *width += gap + extent.width;
                continue;
            }
            lines.push(line.clone());
        }
        if fits(extent, max_width) {
            current = Some((word, extent.width, extent.overhang));
        } else {
            let mut pieces = cut_word(para, word, max_width);
            let last = pieces.pop();
            lines.extend(pieces);
            current = last.map(|piece| {
                let extent = para.measure(piece.clone());
                (piece, extent.width, extent.overhang)
            });
        }
    }
    lines.extend(current.map(|(line, _, _)| line));
    lines
}

/// Whether a piece fits with room for its ink to overhang on either side.
fn fits(extent: Extent, max_width: f32) -> bool {
    extent.width + 2.0 * extent.overhang <= max_width
}

/// Maximal runs of characters other than a plain space; a no-break space binds.
fn words(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (c == ' ', start) {
            (true, Some(s)) => {
                out.push(s..i);
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    out.extend(start.map(|s| s..text.len()));
    out
}

/// Splits an over-long word into pieces that each fit, at least one character per piece.
fn cut_word(para: &Paragraph<'_>, word: Range<usize>, max_width: f32) -> Vec<Range<usize>> {
    let text = para.text();
    let mut pieces = Vec::new();
    let mut start = word.start;
    let mut previous_end = start;
    for (offset, c) in text[word.clone()].char_indices() {
        let end = word.start + offset + c.len_utf8();
        // A piece keeps at least one character, even one wider than the line.
        if previous_end > start && !fits(para.measure(start..end), max_width) {
            pieces.push(start..previous_end);
            start = previous_end;
        }
        previous_end = end;
    }
    pieces.push(start..word.end);
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    type TestResult = Result<(), Box<dyn std::error::Error>>;
    const STYLE: TextStyle = TextStyle { size: 20.0, bold: false };

    #[test]
    fn lines_fit_and_keep_every_word() -> TestResult {
        let text = "Pay at any bank branch, ATM, mobile or internet banking with consumer number 123456000000017.";
        let wrapped = wrap(text, Dir::Ltr, STYLE, 200.0)?;
        assert!(wrapped.lines.len() > 2);
        assert!(!wrapped.rtl);
        for line in &wrapped.lines {
            assert!(line.ink_width() <= 200.0, "line of {} does not fit", line.ink_width());
        }
        let rejoined: Vec<String> = wrapped.lines.iter().map(|l| l.runs.iter().map(|r| r.text.as_str()).collect()).collect();
        assert_eq!(rejoined.join(" "), text);
        Ok(())
    }

    #[test]
    fn urdu_wraps_right_to_left_and_fits() -> TestResult {
        let text = "کسی بھی بینک برانچ، اے ٹی ایم، موبائل یا انٹرنیٹ بینکنگ سے ادائیگی کریں۔";
        let wrapped = wrap(text, Dir::Rtl, STYLE, 180.0)?;
        assert!(wrapped.rtl);
        assert!(wrapped.lines.len() > 1);
        assert!(wrapped.lines.iter().all(|l| l.ink_width() <= 180.0));
        Ok(())
    }

    #[test]
    fn an_overlong_word_is_cut_not_overflowed() -> TestResult {
        let text = "HTTPS://MAHASIL.EXAMPLE/V/ABCDEFGHIJKLMNOPQRSTUVWXYZ234567ABCDEFGHIJ";
        let wrapped = wrap(text, Dir::Ltr, STYLE, 150.0)?;
        assert!(wrapped.lines.len() > 2);
        assert!(wrapped.lines.iter().all(|l| l.ink_width() <= 150.0));
        let rejoined: String = wrapped.lines.iter().flat_map(|l| l.runs.iter().map(|r| r.text.as_str())).collect();
        assert_eq!(rejoined, text);
        Ok(())
    }

    #[test]
    fn words_skip_runs_of_spaces() {
        assert_eq!(words("  a bc  d "), vec![2..3, 4..6, 8..9]);
        assert_eq!(words("PKR\u{a0}5 x"), vec![0..6, 7..8]);
        assert!(words("   ").is_empty());
    }
}
