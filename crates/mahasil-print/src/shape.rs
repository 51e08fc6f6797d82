//! One line of mixed English and Urdu turned into positioned glyphs.
//!
//! The Unicode bidi algorithm (unicode-bidi) splits the line into directional runs in visual
//! order; each run is split again where the font changes (Urdu script to the Nastaliq font,
//! the rest to Noto Sans); each piece is shaped by rustybuzz, which joins Arabic letters and
//! returns right-to-left glyphs already in left-to-right visual order. Both the PDF and the
//! thermal renderer draw these same glyphs, so the two outputs cannot disagree.

use std::ops::Range;

use rustybuzz::ttf_parser::GlyphId;
use rustybuzz::{Direction, UnicodeBuffer};
use unicode_bidi::{BidiInfo, Level};

use crate::Result;
use crate::fonts::{FontId, Fonts, fonts, script_of};

/// Urdu set at the same em size as Latin looks a size smaller: Nastaliq spends its em on
/// tall ascenders and deep descenders. This brings the letter bodies level with Latin.
pub(crate) const URDU_SCALE: f32 = 1.15;

/// How a piece of text is set: the Latin size in output units (points or dots), and weight.
/// Urdu has no bold cut; it is set at `size * URDU_SCALE`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct TextStyle {
    pub size: f32,
    pub bold: bool,
}

/// The base direction of a paragraph.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dir {
    Ltr,
    Rtl,
    /// From the first strong character, for values that may be either language.
    Auto,
}

impl Dir {
    fn level(self) -> Option<Level> {
        match self {
            Dir::Ltr => Some(Level::ltr()),
            Dir::Rtl => Some(Level::rtl()),
            Dir::Auto => None,
        }
    }
}

/// One shaped glyph; advances and offsets in ems, `text_range` into its run's `text`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct GlyphPos {
    pub id: u16,
    pub advance: f32,
    pub x_offset: f32,
    /// Upwards, as fonts measure it.
    pub y_offset: f32,
    pub text_range: Range<usize>,
}

/// Glyphs of one font and one direction, in visual order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ShapedRun {
    pub font: FontId,
    /// Em size in output units.
    pub size: f32,
    /// Left edge relative to the start of its line, in output units.
    pub x: f32,
    pub width: f32,
    pub rtl: bool,
    /// The characters the glyphs stand for, so a PDF reader can copy and search them.
    pub text: String,
    pub glyphs: Vec<GlyphPos>,
}

/// A line of runs in visual order with the extents of its ink.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct ShapedLine {
    pub runs: Vec<ShapedRun>,
    /// Sum of advances.
    pub width: f32,
    pub ascent: f32,
    pub descent: f32,
    /// Where ink starts and ends relative to the line's origin: Nastaliq strokes reach past
    /// their advance box (a leading kaf by a third of an em), so `ink_left <= 0` and
    /// `ink_right >= width`. Lines are fitted and aligned by ink, so nothing is cut off.
    pub ink_left: f32,
    pub ink_right: f32,
}

impl ShapedLine {
    pub(crate) fn ink_width(&self) -> f32 {
        self.ink_right - self.ink_left
    }
}

/// The size of a piece of text without drawing it: its advance, and how far its ink may
/// reach past either end.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) struct Extent {
    pub width: f32,
    pub overhang: f32,
}

/// A run's ink box relative to its left edge and baseline; `descent` is below the baseline.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct InkBox {
    pub left: f32,
    pub right: f32,
    pub ascent: f32,
    pub descent: f32,
}

/// A paragraph analysed once for direction, then measured and shaped by byte ranges.
pub(crate) struct Paragraph<'t> {
    bidi: BidiInfo<'t>,
    style: TextStyle,
    fonts: &'static Fonts,
}

impl<'t> Paragraph<'t> {
    pub(crate) fn new(text: &'t str, dir: Dir, style: TextStyle) -> Result<Self> {
        Ok(Self { bidi: BidiInfo::new(text, dir.level()), style, fonts: fonts()? })
    }

    pub(crate) fn text(&self) -> &'t str {
        self.bidi.text
    }

    /// Whether the paragraph reads right to left, so its lines align to the right.
    pub(crate) fn is_rtl(&self) -> bool {
        self.bidi.paragraphs.first().is_some_and(|p| p.level.is_rtl())
    }

    /// Advance and overhang of `range` as it would be set, without laying out a line.
    pub(crate) fn measure(&self, range: Range<usize>) -> Extent {
        let segments = self.segments(range, |i| self.bidi.levels[i].is_rtl());
        segments.into_iter().fold(Extent::default(), |extent, (font, rtl, r)| {
            let run = self.shape(font, rtl, r);
            let ink = run.ink_box(self.fonts);
            Extent { width: extent.width + run.width, overhang: extent.overhang.max(-ink.left).max(ink.right - run.width) }
        })
    }

    /// `range` as one line: bidi-reordered, font-split, shaped.
    pub(crate) fn line(&self, range: Range<usize>) -> ShapedLine {
        let mut line = ShapedLine::default();
        let Some(para) = self.bidi.paragraphs.first() else { return line };
        if range.is_empty() {
            return line;
        }
        let (levels, runs) = self.bidi.visual_runs(para, range);
        for run in runs {
            let rtl = levels[run.start].is_rtl();
            let mut pieces = self.segments(run, |_| rtl);
            // Pieces come in reading order; a right-to-left run shows its last piece leftmost.
            if rtl {
                pieces.reverse();
            }
            for (font, rtl, piece) in pieces {
                let mut shaped = self.shape(font, rtl, piece);
                shaped.x = line.width;
                let ink = shaped.ink_box(self.fonts);
                line.ascent = line.ascent.max(ink.ascent);
                line.descent = line.descent.max(ink.descent);
                line.ink_left = line.ink_left.min(line.width + ink.left);
                line.ink_right = line.ink_right.max(line.width + ink.right);
                line.width += shaped.width;
                line.runs.push(shaped);
            }
        }
        line.ink_right = line.ink_right.max(line.width);
        line
    }

    /// Splits `range` (logical order) where the font or direction changes.
    fn segments(&self, range: Range<usize>, rtl_at: impl Fn(usize) -> bool) -> Vec<(FontId, bool, Range<usize>)> {
        let text = self.bidi.text;
        let latin = if self.style.bold { FontId::SansBold } else { FontId::Sans };
        let urdu = &self.fonts.get(FontId::Urdu).shaper;
        let mut out: Vec<(FontId, bool, Range<usize>)> = Vec::new();
        let Some(slice) = text.get(range.clone()) else { return out };
        for (offset, c) in slice.char_indices() {
            let at = range.start + offset;
            let rtl = rtl_at(at);
            // Spaces and punctuation inside Urdu take the Urdu font so they space like Urdu.
            let font = if is_arabic_script(c) || (rtl && !c.is_ascii_digit() && urdu.glyph_index(c).is_some()) { FontId::Urdu } else { latin };
            let end = at + c.len_utf8();
            match out.last_mut() {
                Some((f, r, piece)) if *f == font && *r == rtl => piece.end = end,
                _ => out.push((font, rtl, at..end)),
            }
        }
        out
    }

    fn shape(&self, font: FontId, rtl: bool, range: Range<usize>) -> ShapedRun {
        let text = self.bidi.text.get(range).unwrap_or_default();
        let loaded = self.fonts.get(font);
        let size = if font == FontId::Urdu { self.style.size * URDU_SCALE } else { self.style.size };
        let mut buffer = UnicodeBuffer::new();
        buffer.push_str(text);
        // Direction, script and language must be those of the cached plan.
        let (script, language) = script_of(font);
        buffer.set_direction(if rtl { Direction::RightToLeft } else { Direction::LeftToRight });
        buffer.set_script(script);
        if let Some(language) = language {
            buffer.set_language(language);
        }
        let shaped = rustybuzz::shape_with_plan(&loaded.shaper, loaded.plan(rtl), buffer);
        let ranges = cluster_ranges(shaped.glyph_infos().iter().map(|g| g.cluster as usize), text.len());
        let upem = loaded.units_per_em;
        let glyphs: Vec<GlyphPos> = shaped
            .glyph_infos()
            .iter()
            .zip(shaped.glyph_positions())
            .zip(ranges)
            .map(|((info, pos), text_range)| GlyphPos {
                id: u16::try_from(info.glyph_id).unwrap_or(0),
                advance: pos.x_advance as f32 / upem,
                x_offset: pos.x_offset as f32 / upem,
                y_offset: pos.y_offset as f32 / upem,
                text_range,
            })
            .collect();
        let width = glyphs.iter().map(|g| g.advance).sum::<f32>() * size;
        ShapedRun { font, size, x: 0.0, width, rtl, text: text.to_owned(), glyphs }
    }
}

impl ShapedRun {
    /// Where the run's ink reaches. Nastaliq declares huge line metrics for rare stacks;
    /// measuring the glyphs actually used keeps lines tight without letting one line's
    /// marks touch the next, or a swash run off the paper.
    pub(crate) fn ink_box(&self, fonts: &Fonts) -> InkBox {
        let font = fonts.get(self.font);
        let scale = self.size / font.units_per_em;
        let mut ink = InkBox { left: 0.0, right: 0.0, ascent: 0.0, descent: 0.0 };
        let mut pen = 0.0;
        for g in &self.glyphs {
            if let Some(b) = font.shaper.glyph_bounding_box(GlyphId(g.id)) {
                let (x, y) = (pen + g.x_offset * self.size, g.y_offset * self.size);
                ink.left = ink.left.min(x + f32::from(b.x_min) * scale);
                ink.right = ink.right.max(x + f32::from(b.x_max) * scale);
                ink.ascent = ink.ascent.max(y + f32::from(b.y_max) * scale);
                ink.descent = ink.descent.max(-y - f32::from(b.y_min) * scale);
            }
            pen += g.advance * self.size;
        }
        ink
    }
}

/// The byte range of the characters each glyph stands for. Clusters arrive in visual order
/// (descending for right-to-left), so each glyph's range ends at the next larger cluster.
fn cluster_ranges(clusters: impl Iterator<Item = usize> + Clone, text_len: usize) -> Vec<Range<usize>> {
    let mut starts: Vec<usize> = clusters.clone().collect();
    starts.sort_unstable();
    starts.dedup();
    clusters
        .map(|start| {
            let next = starts.partition_point(|&s| s <= start);
            start..starts.get(next).copied().unwrap_or(text_len)
        })
        .collect()
}

/// Letters of the Arabic script, which Urdu is written in.
pub(crate) fn is_arabic_script(c: char) -> bool {
    matches!(c as u32, 0x0600..=0x06FF | 0x0750..=0x077F | 0x08A0..=0x08FF | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF)
}

#[cfg(test)]
mod tests {
    use super::*;

    type TestResult = Result<(), Box<dyn std::error::Error>>;
    const STYLE: TextStyle = TextStyle { size: 20.0, bold: false };

    fn glyph_ids(line: &ShapedLine) -> Vec<u16> {
        line.runs.iter().flat_map(|r| r.glyphs.iter().map(|g| g.id)).collect()
    }

    #[test]
    fn urdu_letters_join_into_contextual_forms() -> TestResult {
        let word = "جرمانہ";
        let para = Paragraph::new(word, Dir::Rtl, STYLE)?;
        let joined = para.line(0..word.len());
        assert_eq!(joined.runs.len(), 1);
        let run = &joined.runs[0];
        assert_eq!(run.font, FontId::Urdu);
        assert!(run.rtl);
        assert!(run.glyphs.iter().all(|g| g.id != 0), "no missing glyphs");
        // Each letter shaped alone takes its isolated form; in the word they must not.
        let mut isolated = Vec::new();
        for c in word.chars() {
            let letter = c.to_string();
            let alone = Paragraph::new(&letter, Dir::Rtl, STYLE)?;
            isolated.extend(glyph_ids(&alone.line(0..letter.len())));
        }
        isolated.reverse();
        assert_ne!(glyph_ids(&joined), isolated, "the word must not be drawn as isolated letters");
        // Right to left: clusters run from the end of the text at the left to 0 at the right.
        let clusters: Vec<usize> = run.glyphs.iter().map(|g| g.text_range.start).collect();
        assert_eq!(clusters.last(), Some(&0));
        assert!(clusters.windows(2).all(|w| w[0] >= w[1]), "clusters descend left to right: {clusters:?}");
        Ok(())
    }

    #[test]
    fn numbers_inside_urdu_stay_left_to_right_in_latin() -> TestResult {
        let text = "کنزیومر نمبر 123456000000017 ہے";
        let para = Paragraph::new(text, Dir::Rtl, STYLE)?;
        let line = para.line(0..text.len());
        let digits: Vec<&ShapedRun> = line.runs.iter().filter(|r| r.text.contains('1')).collect();
        assert_eq!(digits.len(), 1);
        assert_eq!(digits[0].text, "123456000000017");
        assert!(!digits[0].rtl);
        assert_eq!(digits[0].font, FontId::Sans);
        // The sentence starts at the right: its first word is the rightmost run.
        let rightmost = line.runs.last().map(|r| r.text.trim());
        assert_eq!(rightmost, Some("کنزیومر نمبر"));
        Ok(())
    }

    #[test]
    fn english_is_one_latin_run_measured_like_it_is_drawn() -> TestResult {
        let text = "Challan No. 123456-00000001-7";
        let para = Paragraph::new(text, Dir::Ltr, TextStyle { size: 20.0, bold: true })?;
        let line = para.line(0..text.len());
        assert_eq!(line.runs.len(), 1);
        assert_eq!(line.runs[0].font, FontId::SansBold);
        assert!((para.measure(0..text.len()).width - line.width).abs() < 0.01);
        assert!(line.ascent > 10.0 && line.descent > 0.0);
        Ok(())
    }

    #[test]
    fn cluster_ranges_cover_the_text() {
        assert_eq!(cluster_ranges([4usize, 2, 0].into_iter(), 6), vec![4..6, 2..4, 0..2]);
        assert_eq!(cluster_ranges([0usize, 0, 3].into_iter(), 5), vec![0..3, 0..3, 3..5]);
    }
}
