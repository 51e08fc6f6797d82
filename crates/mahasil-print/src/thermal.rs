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
use crate::fonts::fonts;
use crate::qr::QrMatrix;
use crate::shape::ShapedRun;
use crate::{PrintError, Result};

/// 203 dots per inch as PNG's dots per metre, so image viewers show the true paper size.
const DOTS_PER_METRE: u32 = 7_992;

/// Coverage at or above which a dot is inked. A little under half keeps Nastaliq's hairline
/// joins unbroken without thickening Latin stems.
const INK_THRESHOLD: f32 = 0.42;

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
        let mut pen = x;
        for g in &run.glyphs {
            let origin = point(pen + g.x_offset * run.size, baseline - g.y_offset * run.size);
            pen += g.advance * run.size;
            let Some(outline) = font.raster.outline_glyph(ab_glyph::GlyphId(g.id).with_scale_and_position(scale, origin)) else { continue };
            let bounds = outline.px_bounds();
            let (left, top) = (bounds.min.x as i64, bounds.min.y as i64);
            outline.draw(|dx, dy, coverage| {
                if coverage >= INK_THRESHOLD {
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
