//! The A4 PDF: one page, fonts embedded (subset), text selectable and searchable in both
//! languages, the QR code as vector squares.

use std::sync::{Arc, LazyLock};

use krilla::color::luma;
use krilla::geom::{PathBuilder, Point, Rect, Transform};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::Fill;
use krilla::surface::Surface;
use krilla::text::{Font, GlyphId, KrillaGlyph};

use crate::content::compose;
use crate::document::Document;
use crate::flow::{Flow, Ink, Op, Page, Style};
use crate::fonts::FontId;
use crate::qr::{QUIET_ZONE_MODULES, QrMatrix};
use crate::shape::{Dir, Paragraph, ShapedRun, TextStyle};
use crate::{PrintError, Result};

/// A4 in PostScript points, rounded as PDF producers conventionally write it.
pub(crate) const A4_WIDTH_PT: f32 = 595.0;
pub(crate) const A4_HEIGHT_PT: f32 = 842.0;

/// The QR code's largest side with its quiet zone: 60 mm, easy for any phone.
const QR_MAX_SIDE_PT: f32 = 170.0;
/// Modules larger than this (1.06 mm) only waste space.
const QR_MAX_MODULE_PT: f32 = 3.0;

/// The watermark: big enough to cross the page, pale enough to read the text through it.
const WATERMARK_PT: f32 = 170.0;
const WATERMARK_LUMA: u8 = 232;

/// Text sizes are reduced in these steps until a long document fits its one page.
const FIT_SCALES: [f32; 6] = [1.0, 0.92, 0.84, 0.76, 0.68, 0.6];

fn style(scale: f32) -> Style {
    Style {
        width: A4_WIDTH_PT,
        margin: 42.0,
        small: 9.5 * scale,
        body: 11.0 * scale,
        large: 16.0 * scale,
        title: 18.0 * scale,
        gap: 11.0 * scale,
        leading: 0.25,
        rule: 0.8,
        columns: true,
        snap: false,
    }
}

/// The layout in points, shrunk to fit one page; tests inspect it.
pub(crate) fn layout(doc: &Document) -> Result<Page> {
    doc.check()?;
    let qr = Arc::new(QrMatrix::encode(&doc.qr_url)?);
    let module = (QR_MAX_SIDE_PT / qr.side_with_quiet_zone() as f32).min(QR_MAX_MODULE_PT);
    for scale in FIT_SCALES {
        let mut flow = Flow::new(style(scale));
        compose(&mut flow, doc, qr.clone(), module)?;
        let page = flow.finish();
        if page.height <= A4_HEIGHT_PT {
            return Ok(Page { height: A4_HEIGHT_PT, ..page });
        }
    }
    Err(PrintError::invalid("rows", "too much text for one A4 page"))
}

/// Renders `doc` as a one-page A4 PDF.
pub fn pdf_a4(doc: &Document) -> Result<Vec<u8>> {
    let page = layout(doc)?;
    let fonts = pdf_fonts()?;
    let mut document = krilla::Document::new();
    document.set_metadata(Metadata::new().title(doc.title_en.clone()).language("en".into()).creator("mahasil".into()));
    let mut pdf_page = document.start_page_with(PageSettings::from_wh(page.width, page.height).ok_or(PrintError::Pdf("page size".into()))?);
    let mut surface = pdf_page.surface();
    if doc.demo {
        demo_watermark(&mut surface, fonts)?;
    }
    for op in &page.ops {
        match op {
            Op::Rect { x, y, w, h, ink } => fill_rect(&mut surface, *x, *y, *w, *h, *ink),
            Op::Text { x, baseline, run, ink } => draw_run(&mut surface, fonts, Point::from_xy(*x, *baseline), run, fill_of(*ink)),
            Op::Qr { x, y, module, matrix } => draw_qr(&mut surface, *x, *y, *module, matrix),
        }
    }
    surface.finish();
    pdf_page.finish();
    document.finish().map_err(|e| PrintError::Pdf(format!("{e:?}")))
}

/// krilla's own handles to the embedded fonts; building one hashes the whole font file,
/// so it is done once per process.
struct PdfFonts {
    sans: Font,
    sans_bold: Font,
    urdu: Font,
}

static PDF_FONTS: LazyLock<Option<PdfFonts>> = LazyLock::new(|| {
    let load = |id: FontId| Font::new(id.bytes().into(), 0);
    Some(PdfFonts { sans: load(FontId::Sans)?, sans_bold: load(FontId::SansBold)?, urdu: load(FontId::Urdu)? })
});

fn pdf_fonts() -> Result<&'static PdfFonts> {
    PDF_FONTS.as_ref().ok_or(PrintError::Font("PDF font"))
}

impl PdfFonts {
    fn get(&self, id: FontId) -> &Font {
        match id {
            FontId::Sans => &self.sans,
            FontId::SansBold => &self.sans_bold,
            FontId::Urdu => &self.urdu,
        }
    }
}

fn fill_of(ink: Ink) -> Fill {
    let colour = match ink {
        Ink::Black => luma::Color::black(),
        Ink::White => luma::Color::white(),
    };
    Fill { paint: colour.into(), ..Fill::default() }
}

fn fill_rect(surface: &mut Surface<'_>, x: f32, y: f32, w: f32, h: f32, ink: Ink) {
    let mut path = PathBuilder::new();
    if let Some(rect) = Rect::from_xywh(x, y, w, h) {
        path.push_rect(rect);
    }
    if let Some(path) = path.finish() {
        surface.set_fill(Some(fill_of(ink)));
        surface.draw_path(&path);
    }
}

fn draw_run(surface: &mut Surface<'_>, fonts: &PdfFonts, origin: Point, run: &ShapedRun, fill: Fill) {
    let glyphs: Vec<KrillaGlyph> = run
        .glyphs
        .iter()
        .map(|g| KrillaGlyph::new(GlyphId::new(u32::from(g.id)), g.advance, g.x_offset, g.y_offset, 0.0, g.text_range.clone(), None))
        .collect();
    surface.set_fill(Some(fill));
    surface.draw_glyphs(origin, &glyphs, fonts.get(run.font).clone(), &run.text, run.size, false);
}

/// A large pale "DEMO" across the page, under everything else: a cropped or photocopied
/// demo notice must still not pass for a real one.
fn demo_watermark(surface: &mut Surface<'_>, fonts: &PdfFonts) -> Result<()> {
    const TEXT: &str = "DEMO";
    let style = TextStyle { size: WATERMARK_PT, bold: true };
    let line = Paragraph::new(TEXT, Dir::Ltr, style)?.line(0..TEXT.len());
    let (cx, cy) = (A4_WIDTH_PT / 2.0, A4_HEIGHT_PT / 2.0);
    let pale = Fill { paint: luma::Color::new(WATERMARK_LUMA).into(), ..Fill::default() };
    surface.push_transform(&Transform::from_rotate_at(-40.0, cx, cy));
    for run in &line.runs {
        // Centred on the page: half the width left, half the cap height down.
        let origin = Point::from_xy(cx - line.width / 2.0 + run.x, cy + line.ascent / 2.0);
        draw_run(surface, fonts, origin, run, pale.clone());
    }
    surface.pop();
    Ok(())
}

/// One path of exact module squares (horizontal runs merged), filled once, on a white
/// square that clears the quiet zone of anything drawn underneath (the demo watermark).
fn draw_qr(surface: &mut Surface<'_>, x: f32, y: f32, module: f32, matrix: &QrMatrix) {
    let quiet = QUIET_ZONE_MODULES as f32 * module;
    let side = matrix.side_with_quiet_zone() as f32 * module;
    fill_rect(surface, x - quiet, y - quiet, side, side, Ink::White);
    let mut path = PathBuilder::new();
    for (mx, my, len) in matrix.dark_runs() {
        if let Some(rect) = Rect::from_xywh(x + mx as f32 * module, y + my as f32 * module, len as f32 * module, module) {
            path.push_rect(rect);
        }
    }
    if let Some(path) = path.finish() {
        surface.set_fill(Some(fill_of(Ink::Black)));
        surface.draw_path(&path);
    }
}
