//! Receipts and notices for 58 mm and 80 mm thermal printers (203 dpi), as 1-bit PNGs.
//!
//! The image is exactly the printable width, so an ESC/POS raster command prints it dot
//! for dot. Glyph coverage is thresholded rather than dithered: a thermal head has no grey,
//! and hard edges print sharper than a dithered fringe. QR modules are whole-dot squares.

use std::sync::Arc;

use ab_glyph::{Font as _, PxScale, point};

use crate::content::compose;
use crate::document::{Document, Paper};
use crate::flow::{Flow, Ink, Op, Page, Style};
use crate::fonts::{FontId, fonts};
use crate::qr::QrMatrix;
use crate::shape::ShapedRun;
use crate::{PrintError, Result};

/// 203 dots per inch as PNG's dots per metre, so image viewers show the true paper size.
const DOTS_PER_METRE: u32 = 7_992;

/// Coverage at or above which a dot is inked. Noto Sans has even stems and prints cleanly
/// at about half coverage. Nastaliq has hairlines (the second stroke of gaf, the hamza) that
/// cover only a third of a dot at receipt sizes and would vanish at that threshold, turning
/// گ into ل; Urdu is inked from a lower coverage.
fn ink_threshold(font: FontId) -> f32 {
    match font {
        FontId::Sans | FontId::SansBold => 0.45,
        FontId::Urdu => URDU_INK_THRESHOLD,
    }
}
const URDU_INK_THRESHOLD: f32 = 0.25;

/// The tallest slip this crate draws, in dots (2.5 m of paper). A limit against a runaway
/// layout, far above any real document.
const MAX_HEIGHT_DOTS: usize = 20_000;

fn style(paper: Paper) -> Style {
    match paper {
        Paper::Mm58 => Style {
            width: 384.0,
            margin: 6.0,
            small: 19.0,
            body: 22.0,
            large: 30.0,
            title: 27.0,
            gap: 14.0,
            leading: 0.12,
            rule: 2.0,
            columns: false,
            snap: true,
        },
        Paper::Mm80 => Style {
            width: 576.0,
            margin: 10.0,
            small: 21.0,
            body: 24.0,
            large: 34.0,
            title: 31.0,
            gap: 16.0,
            leading: 0.12,
            rule: 2.0,
            columns: false,
            snap: true,
        },
    }
}

/// Largest module size worth spending paper on: phones read 6-dot (0.75 mm) modules
/// easily, and bigger ones only lengthen the slip.
const MAX_MODULE_DOTS: u32 = 6;

/// The layout in dots, before painting; tests inspect it.
pub(crate) fn layout(doc: &Document, paper: Paper) -> Result<Page> {
    doc.check()?;
    let qr = Arc::new(QrMatrix::encode(&doc.qr_url)?);
    let module = qr.module_dots(paper.width_dots(), MAX_MODULE_DOTS)?;
    let mut flow = Flow::new(style(paper));
    compose(&mut flow, doc, qr, module as f32)?;
    Ok(flow.finish())
}

/// Renders `doc` for a thermal printer of the given paper width as a 1-bit PNG.
pub fn thermal_png(doc: &Document, paper: Paper) -> Result<Vec<u8>> {
    let page = layout(doc, paper)?;
    let canvas = paint(&page)?;
    canvas.encode_png()
}

/// One byte per dot while drawing (true = black); packed to bits only when encoding.
struct Canvas {
    width: usize,
    height: usize,
    dots: Vec<bool>,
}

fn paint(page: &Page) -> Result<Canvas> {
    let height = page.height.ceil() as usize;
    if height > MAX_HEIGHT_DOTS {
        return Err(PrintError::invalid("rows", format!("the slip would be {height} dots long; at most {MAX_HEIGHT_DOTS}")));
    }
    let width = page.width as usize;
    let mut canvas = Canvas { width, height, dots: vec![false; width * height] };
    for op in &page.ops {
        match op {
            Op::Rect { x, y, w, h, ink } => canvas.fill(x.round() as i64, y.round() as i64, (x + w).round() as i64, (y + h).round() as i64, *ink),
            Op::Text { x, baseline, run, ink } => canvas.text(*x, *baseline, run, *ink)?,
            Op::Qr { x, y, module, matrix } => {
                // Layout placed the symbol on whole dots with a whole-dot module.
                let (x0, y0, m) = (*x as i64, *y as i64, *module as i64);
                for (mx, my, len) in matrix.dark_runs() {
                    let (left, top) = (x0 + mx as i64 * m, y0 + my as i64 * m);
                    canvas.fill(left, top, left + len as i64 * m, top + m, Ink::Black);
                }
            }
        }
    }
    Ok(canvas)
}

impl Canvas {
    fn set(&mut self, x: i64, y: i64, ink: Ink) {
        if x >= 0 && y >= 0 && (x as usize) < self.width && (y as usize) < self.height {
            self.dots[y as usize * self.width + x as usize] = ink == Ink::Black;
        }
    }

    /// Fills the half-open rectangle `[x0, x1) × [y0, y1)`, clipped to the canvas.
    fn fill(&mut self, x0: i64, y0: i64, x1: i64, y1: i64, ink: Ink) {
        for y in y0.max(0)..y1.min(self.height as i64) {
            for x in x0.max(0)..x1.min(self.width as i64) {
                self.set(x, y, ink);
            }
        }
    }

    fn text(&mut self, x: f32, baseline: f32, run: &ShapedRun, ink: Ink) -> Result<()> {
        let font = fonts()?.get(run.font);
        let scale = PxScale::from(run.size * font.em_to_px_scale);
        let threshold = ink_threshold(run.font);
        let mut pen = x;
        for g in &run.glyphs {
            let origin = point(pen + g.x_offset * run.size, baseline - g.y_offset * run.size);
            pen += g.advance * run.size;
            let Some(outline) = font.raster.outline_glyph(ab_glyph::GlyphId(g.id).with_scale_and_position(scale, origin)) else { continue };
            let bounds = outline.px_bounds();
            let (left, top) = (bounds.min.x as i64, bounds.min.y as i64);
            outline.draw(|dx, dy, coverage| {
                if coverage >= threshold {
                    self.set(left + i64::from(dx), top + i64::from(dy), ink);
                }
            });
        }
        Ok(())
    }

    /// 1-bit greyscale PNG, 0 = black: what a thermal printer's raster mode takes.
    fn encode_png(&self) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        let mut encoder = png::Encoder::new(&mut out, self.width as u32, self.height as u32);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::One);
        // A 1-bit slip is mostly long white runs; the fast deflater packs it nearly as well as
        // zlib's default in a fraction of the time.
        encoder.set_compression(png::Compression::Fast);
        encoder.set_pixel_dims(Some(png::PixelDimensions { xppu: DOTS_PER_METRE, yppu: DOTS_PER_METRE, unit: png::Unit::Meter }));
        let mut writer = encoder.write_header()?;
        let row_bytes = self.width.div_ceil(8);
        let mut packed = vec![0u8; row_bytes * self.height];
        for (row, dots) in packed.chunks_exact_mut(row_bytes).zip(self.dots.chunks_exact(self.width)) {
            for (x, &black) in dots.iter().enumerate() {
                if !black {
                    row[x / 8] |= 0x80 >> (x % 8);
                }
            }
        }
        writer.write_image_data(&packed)?;
        writer.finish()?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Row;
    use crate::samples;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    #[test]
    fn nothing_runs_off_the_paper_or_into_the_quiet_zone() -> TestResult {
        let mut long = samples::notice()?;
        long.rows.push(Row::new("Address", "پتہ", "House 12, Street 4, Mohallah Jhangi, near Qissa Khwani Bazaar, Peshawar City"));
        long.rows.push(Row::new("Remarks", "ریمارکس", "دکان کے سامنے سڑک پر سامان رکھا ہوا تھا، دو مرتبہ تنبیہ کے بعد جرمانہ کیا گیا"));
        long.rows.push(Row::new("Unbroken", "", "KPK-PSH-ENC-2026-000000000000000000000000000000000042"));
        for doc in [samples::notice()?, samples::receipt()?, long] {
            for paper in [Paper::Mm58, Paper::Mm80] {
                let page = layout(&doc, paper)?;
                assert_eq!(page.width, paper.width_dots() as f32);
                let qr = page.ops.iter().find_map(|op| match op {
                    Op::Qr { x, y, module, matrix } => Some((*x, *y, *module, matrix.width as f32)),
                    _ => None,
                });
                let (qx, qy, module, modules) = qr.ok_or("no QR code")?;
                assert!(module >= 4.0 && module.fract() == 0.0 && qx.fract() == 0.0 && qy.fract() == 0.0, "{paper:?}: QR off the dot grid");
                let quiet = 4.0 * module;
                let (q_left, q_top, q_side) = (qx - quiet, qy - quiet, (modules + 8.0) * module);
                assert!(q_left >= 0.0 && q_left + q_side <= page.width, "{paper:?}: quiet zone off the paper");
                let in_qr = |x0: f32, x1: f32, y0: f32, y1: f32| x1 > q_left && x0 < q_left + q_side && y1 > q_top && y0 < q_top + q_side;
                for op in &page.ops {
                    match op {
                        Op::Rect { x, y, w, h, .. } => {
                            assert!(*x >= 0.0 && x + w <= page.width, "{paper:?}: rectangle off the paper");
                            assert!(!in_qr(*x, x + w, *y, y + h), "{paper:?}: rectangle in the quiet zone");
                        }
                        Op::Text { x, baseline, run, .. } => {
                            let ink = run.ink_box(fonts()?);
                            let (left, right) = (x + ink.left, x + ink.right);
                            assert!(left >= 0.0 && right <= page.width, "{paper:?}: {:?} cut off ({left}..{right})", run.text);
                            assert!(!in_qr(left, right, baseline - ink.ascent, baseline + ink.descent), "{paper:?}: {:?} in the quiet zone", run.text);
                        }
                        Op::Qr { .. } => {}
                    }
                }
            }
        }
        Ok(())
    }

    #[test]
    fn lines_of_text_do_not_overlap() -> TestResult {
        for doc in [samples::notice()?, samples::receipt()?] {
            for paper in [Paper::Mm58, Paper::Mm80] {
                let page = layout(&doc, paper)?;
                let boxes: Vec<(f32, f32, f32, f32, f32, &str)> = page
                    .ops
                    .iter()
                    .filter_map(|op| match op {
                        Op::Text { x, baseline, run, .. } => Some((x, baseline, run)),
                        _ => None,
                    })
                    .map(|(x, baseline, run)| {
                        let ink = run.ink_box(fonts()?);
                        Ok((*baseline, x + ink.left, x + ink.right, baseline - ink.ascent, baseline + ink.descent, run.text.as_str()))
                    })
                    .collect::<Result<_>>()?;
                for (i, a) in boxes.iter().enumerate() {
                    for b in &boxes[i + 1..] {
                        let overlap = a.0 != b.0 && a.1 < b.2 && b.1 < a.2 && a.3 < b.4 && b.3 < a.4;
                        assert!(!overlap, "{paper:?}: {:?} overlaps {:?}", a.5, b.5);
                    }
                }
            }
        }
        Ok(())
    }

    /// Thresholding keeps each glyph's weight: the dots inked add up to at least most of
    /// the glyph's true area. A hairline that vanishes (the hamza, the second stroke of
    /// gaf) drops a glyph far below that and changes the word.
    #[test]
    fn glyphs_keep_their_strokes_on_58_mm() -> TestResult {
        let page = layout(&samples::receipt()?, Paper::Mm58)?;
        let mut checked = 0;
        for op in &page.ops {
            let Op::Text { run, .. } = op else { continue };
            let font = fonts()?.get(run.font);
            let scale = PxScale::from(run.size * font.em_to_px_scale);
            for g in &run.glyphs {
                let glyph = ab_glyph::GlyphId(g.id).with_scale_and_position(scale, point(0.5, 0.5));
                let Some(outline) = font.raster.outline_glyph(glyph) else { continue };
                let (mut area, mut inked) = (0.0f32, 0.0f32);
                outline.draw(|_, _, coverage| {
                    area += coverage;
                    if coverage >= ink_threshold(run.font) {
                        inked += 1.0;
                    }
                });
                assert!(inked >= 0.8 * area, "glyph {} of {:?} keeps {inked} of {area} dots", g.id, run.text);
                checked += 1;
            }
        }
        assert!(checked > 200);
        Ok(())
    }
}
