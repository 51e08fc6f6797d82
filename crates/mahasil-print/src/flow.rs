//! A top-to-bottom page builder shared by the PDF and the thermal renderer.
//!
//! It places shaped lines, rules, boxes and the QR code, and records them as drawing
//! operations in output units (points for the PDF, dots for the thermal PNG). Renderers
//! only paint operations; all measuring happens here, so both outputs lay out alike and a
//! test can check a layout's geometry without decoding an image.

use std::sync::Arc;

use crate::Result;
use crate::qr::{QUIET_ZONE_MODULES, QrMatrix};
use crate::shape::{Dir, ShapedLine, ShapedRun, TextStyle};
use crate::wrap::{Wrapped, wrap};

/// Paint colour; paper is white, so white is only drawn on black.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ink {
    Black,
    White,
}

/// One thing to paint. Coordinates grow rightwards and downwards from the page's top left.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Op {
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        ink: Ink,
    },
    /// A shaped run whose left edge is at `x` and baseline at `baseline`.
    Text {
        x: f32,
        baseline: f32,
        run: ShapedRun,
        ink: Ink,
    },
    /// The symbol's top-left module (inside the quiet zone) at `x, y`.
    Qr {
        x: f32,
        y: f32,
        module: f32,
        matrix: Arc<QrMatrix>,
    },
}

/// A finished layout: page size and what to paint on it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Page {
    pub width: f32,
    pub height: f32,
    pub ops: Vec<Op>,
}

/// Sizes for one medium. All lengths in output units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Style {
    pub width: f32,
    pub margin: f32,
    pub small: f32,
    pub body: f32,
    pub large: f32,
    pub title: f32,
    /// Space between blocks.
    pub gap: f32,
    /// Extra space between lines, as a fraction of the Latin size.
    pub leading: f32,
    pub rule: f32,
    /// Rows as English label | value | Urdu label on one line (wide paper), or labels above
    /// the value (narrow paper).
    pub columns: bool,
    /// Round positions to whole units, so dots land on the thermal grid without half-dots.
    pub snap: bool,
}

/// Where a line sits across its column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Align {
    /// Left for left-to-right paragraphs, right for right-to-left ones.
    Start,
    Center,
}

pub(crate) struct Flow {
    pub style: Style,
    y: f32,
    ink: Ink,
    ops: Vec<Op>,
}

impl Flow {
    pub(crate) fn new(style: Style) -> Self {
        Self { style, y: style.margin, ink: Ink::Black, ops: Vec::new() }
    }

    pub(crate) fn content_width(&self) -> f32 {
        self.style.width - 2.0 * self.style.margin
    }

    pub(crate) fn space(&mut self, height: f32) {
        self.y = self.snap(self.y + height);
    }

    pub(crate) fn rule(&mut self) {
        self.space(self.style.gap / 2.0);
        let (x, w, h) = (self.style.margin, self.content_width(), self.style.rule);
        self.ops.push(Op::Rect { x, y: self.y, w, h, ink: self.ink });
        self.space(h + self.style.gap / 2.0);
    }

    /// A wrapped paragraph across the full content width.
    pub(crate) fn paragraph(&mut self, text: &str, dir: Dir, style: TextStyle, align: Align) -> Result<()> {
        let wrapped = wrap(text, dir, style, self.content_width())?;
        self.place(&wrapped, style.size, self.style.margin, self.content_width(), align);
        Ok(())
    }

    /// English and Urdu side by side on one line when both fit, else one above the other.
    pub(crate) fn bilingual(&mut self, en: &str, ur: &str, style: TextStyle, align: Align) -> Result<()> {
        let (x, width) = (self.style.margin, self.content_width());
        let gap = 2.0 * style.size;
        let en_w = wrap(en, Dir::Ltr, style, width)?;
        let ur_w = wrap(ur, Dir::Rtl, style, width)?;
        if let ([en_line], [ur_line]) = (en_w.lines.as_slice(), ur_w.lines.as_slice())
            && en_line.ink_width() + gap + ur_line.ink_width() <= width
        {
            let (ascent, descent) = self.line_box([en_line, ur_line].into_iter(), style.size);
            let baseline = self.snap(self.y + ascent);
            // Centred: the pair as one group; else English at the left, Urdu at the right.
            // Placed by their ink, so a Nastaliq swash stays inside the margin.
            let (en_x, ur_x) = match align {
                Align::Center => {
                    let left = x + (width - (en_line.ink_width() + gap + ur_line.ink_width())) / 2.0;
                    (left - en_line.ink_left, left + en_line.ink_width() + gap - ur_line.ink_left)
                }
                Align::Start => (x - en_line.ink_left, x + width - ur_line.ink_right),
            };
            self.push_line(en_line, en_x, baseline);
            self.push_line(ur_line, ur_x, baseline);
            self.advance(ascent + descent, style.size);
            return Ok(());
        }
        self.place(&en_w, style.size, x, width, align);
        self.place(&ur_w, style.size, x, width, align);
        Ok(())
    }

    /// A labelled value: three columns on wide paper, labels over the value on narrow.
    pub(crate) fn field(&mut self, label_en: &str, label_ur: &str, value: &str, value_style: TextStyle) -> Result<()> {
        let label_style = TextStyle { size: self.style.small, bold: false };
        if !self.style.columns {
            self.bilingual(label_en, label_ur, label_style, Align::Start)?;
            self.space(self.style.leading * label_style.size / 2.0);
            self.paragraph(value, Dir::Auto, value_style, Align::Start)?;
            self.space(self.style.gap / 2.0);
            return Ok(());
        }
        let width = self.content_width();
        let gutter = self.style.body;
        let label_w = (width - 2.0 * gutter) * 0.28;
        let value_w = width - 2.0 * (label_w + gutter);
        let cells = [
            (wrap(label_en, Dir::Ltr, label_style, label_w)?, label_style.size, 0.0, label_w),
            (wrap(value, Dir::Auto, value_style, value_w)?, value_style.size, label_w + gutter, value_w),
            (wrap(label_ur, Dir::Rtl, label_style, label_w)?, label_style.size, width - label_w, label_w),
        ];
        let first_lines = cells.iter().filter_map(|(w, size, _, _)| w.lines.first().map(|l| (l, *size)));
        let first_ascent = first_lines.fold(0.0f32, |a, (l, size)| a.max(l.ascent.max(size * NOMINAL_ASCENT)));
        let top = self.y;
        let mut bottom = top;
        for (wrapped, size, x, w) in &cells {
            // Cells start on one shared baseline, whatever the size of their first line.
            let first = wrapped.lines.first().map_or(0.0, |l| l.ascent.max(size * NOMINAL_ASCENT));
            self.y = top + first_ascent - first;
            self.place(wrapped, *size, self.style.margin + x, *w, Align::Start);
            bottom = bottom.max(self.y);
        }
        self.y = bottom;
        self.space(self.style.gap / 3.0);
        Ok(())
    }

    /// Black box with the content in white: the demo warning, which must not be missed.
    pub(crate) fn inverted(&mut self, content: impl FnOnce(&mut Self) -> Result<()>) -> Result<()> {
        let mark = self.ops.len();
        let top = self.y;
        let pad = self.style.gap / 2.0;
        self.space(pad);
        self.ink = Ink::White;
        let result = self.inset(pad, content);
        self.ink = Ink::Black;
        self.space(pad);
        let (x, w, h) = (self.style.margin, self.content_width(), self.y - top);
        self.ops.insert(mark, Op::Rect { x, y: top, w, h, ink: Ink::Black });
        result
    }

    /// A bordered box around the content, like a rubber stamp.
    pub(crate) fn framed(&mut self, content: impl FnOnce(&mut Self) -> Result<()>) -> Result<()> {
        let top = self.y;
        let t = self.style.rule * 2.0;
        let pad = self.style.gap / 3.0;
        self.space(t + pad);
        let result = self.inset(t + pad, content);
        self.space(pad);
        let (x, w, h) = (self.style.margin, self.content_width(), self.y + t - top);
        let ink = self.ink;
        self.ops.extend([
            Op::Rect { x, y: top, w, h: t, ink },
            Op::Rect { x, y: top + h - t, w, h: t, ink },
            Op::Rect { x, y: top, w: t, h, ink },
            Op::Rect { x: x + w - t, y: top, w: t, h, ink },
        ]);
        self.space(t);
        result
    }

    /// Runs `content` with the margins moved in by `by`, so text in a box keeps off its edge.
    fn inset(&mut self, by: f32, content: impl FnOnce(&mut Self) -> Result<()>) -> Result<()> {
        self.style.margin += by;
        let result = content(self);
        self.style.margin -= by;
        result
    }

    /// The QR code, centred, with its quiet zone kept clear.
    pub(crate) fn qr(&mut self, matrix: Arc<QrMatrix>, module: f32) {
        let quiet = QUIET_ZONE_MODULES as f32 * module;
        let side = matrix.side_with_quiet_zone() as f32 * module;
        let left = self.snap(self.style.margin + (self.content_width() - side) / 2.0);
        let top = self.y;
        self.ops.push(Op::Qr { x: left + quiet, y: top + quiet, module, matrix });
        self.space(side);
    }

    pub(crate) fn finish(mut self) -> Page {
        self.space(self.style.margin);
        Page { width: self.style.width, height: self.y, ops: self.ops }
    }

    /// Places wrapped lines in a column from the current position downwards.
    fn place(&mut self, wrapped: &Wrapped, size: f32, x: f32, width: f32, align: Align) {
        for line in &wrapped.lines {
            let (ascent, descent) = self.line_box(std::iter::once(line), size);
            let baseline = self.snap(self.y + ascent);
            let left = match (align, wrapped.rtl) {
                (Align::Center, _) => x + (width - line.ink_width()) / 2.0 - line.ink_left,
                (Align::Start, true) => x + width - line.ink_right,
                (Align::Start, false) => x - line.ink_left,
            };
            self.push_line(line, left, baseline);
            self.advance(ascent + descent, size);
        }
    }

    fn push_line(&mut self, line: &ShapedLine, left: f32, baseline: f32) {
        let ink = self.ink;
        self.ops.extend(line.runs.iter().map(|run| Op::Text { x: left + run.x, baseline, run: run.clone(), ink }));
    }

    /// Height above and below the baseline: the ink of the lines, but never less than a
    /// Latin line, so short or mark-free lines keep an even rhythm.
    fn line_box<'a>(&self, lines: impl Iterator<Item = &'a ShapedLine>, size: f32) -> (f32, f32) {
        lines.fold((size * NOMINAL_ASCENT, size * NOMINAL_DESCENT), |(a, d), l| (a.max(l.ascent), d.max(l.descent)))
    }

    fn advance(&mut self, height: f32, size: f32) {
        self.space(height + self.style.leading * size);
    }

    fn snap(&self, v: f32) -> f32 {
        if self.style.snap { v.round() } else { v }
    }
}

/// Noto Sans's cap-and-ascender height and descender depth, in ems, rounded up slightly.
const NOMINAL_ASCENT: f32 = 0.95;
const NOMINAL_DESCENT: f32 = 0.27;
