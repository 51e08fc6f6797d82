//! Breaking a paragraph into lines that fit a width.
//!
//! Greedy, at spaces: each word is measured once by shaping it alone (spaces stop Arabic
//! joining, so a word shapes the same alone as in its line), then each finished line is
//! shaped whole so bidi reorders it as a reader expects. A word wider than the line is cut
//! between characters rather than allowed to run off the paper.

use std::ops::Range;

use crate::Result;
use crate::shape::{Dir, Paragraph, ShapedLine, TextStyle};

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
    if whole.width <= max_width {
        return Ok(Wrapped { lines: vec![whole], rtl });
    }
    let lines = line_ranges(&para, max_width).into_iter().map(|range| para.line(range)).collect();
    Ok(Wrapped { lines, rtl })
}

/// Byte ranges of the lines, in reading order, without the spaces they break at.
fn line_ranges(para: &Paragraph<'_>, max_width: f32) -> Vec<Range<usize>> {
    let text = para.text();
    let mut lines = Vec::new();
    let mut current: Option<(Range<usize>, f32)> = None;
    for word in words(text) {
        let word_width = para.measure(word.clone());
        if let Some((line, width)) = current.as_mut() {
            let gap = para.measure(line.end..word.start);
            if *width + gap + word_width <= max_width {
                line.end = word.end;
                *width += gap + word_width;
                continue;
            }
            lines.push(line.clone());
        }
        if word_width <= max_width {
            current = Some((word, word_width));
        } else {
            let mut pieces = cut_word(para, word, max_width);
            let last = pieces.pop();
            lines.extend(pieces);
            current = last.map(|piece| {
                let width = para.measure(piece.clone());
                (piece, width)
            });
        }
    }
    lines.extend(current.map(|(line, _)| line));
    lines
}

/// Maximal runs of non-space characters.
fn words(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (c.is_whitespace(), start) {
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
        if previous_end > start && para.measure(start..end) > max_width {
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
            assert!(line.width <= 200.0 + 0.5, "line of {} does not fit", line.width);
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
        assert!(wrapped.lines.iter().all(|l| l.width <= 180.5));
        Ok(())
    }

    #[test]
    fn an_overlong_word_is_cut_not_overflowed() -> TestResult {
        let text = "HTTPS://MAHASIL.EXAMPLE/V/ABCDEFGHIJKLMNOPQRSTUVWXYZ234567ABCDEFGHIJ";
        let wrapped = wrap(text, Dir::Ltr, STYLE, 150.0)?;
        assert!(wrapped.lines.len() > 2);
        assert!(wrapped.lines.iter().all(|l| l.width <= 150.5));
        let rejoined: String = wrapped.lines.iter().flat_map(|l| l.runs.iter().map(|r| r.text.as_str())).collect();
        assert_eq!(rejoined, text);
        Ok(())
    }

    #[test]
    fn words_skip_runs_of_spaces() {
        assert_eq!(words("  a bc  d "), vec![2..3, 4..6, 8..9]);
        assert!(words("   ").is_empty());
    }
}
