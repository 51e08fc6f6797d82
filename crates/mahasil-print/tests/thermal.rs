//! The thermal PNGs as a printer and a phone see them: exact width, pure black and white,
//! and a QR code that scans back to the sealed URL with whole-dot modules.

use mahasil_print::{Document, Paper, samples, thermal_png};

type TestResult<T = ()> = Result<T, Box<dyn std::error::Error>>;

/// A decoded slip: width, height, one byte per dot (0 black, 255 white).
struct Slip {
    width: usize,
    height: usize,
    dots: Vec<u8>,
}

impl Slip {
    fn decode(bytes: &[u8]) -> TestResult<Self> {
        let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        // Expand 1-bit dots to one byte each, as an image viewer would.
        decoder.set_transformations(png::Transformations::EXPAND);
        let mut reader = decoder.read_info()?;
        let info = reader.info();
        assert_eq!(info.color_type, png::ColorType::Grayscale);
        assert_eq!(info.bit_depth, png::BitDepth::One, "a thermal head prints dots, not grey");
        let mut dots = vec![0; reader.output_buffer_size().ok_or("image too large")?];
        let frame = reader.next_frame(&mut dots)?;
        assert_eq!(frame.bit_depth, png::BitDepth::Eight);
        dots.truncate(frame.buffer_size());
        Ok(Self { width: frame.width as usize, height: frame.height as usize, dots })
    }

    fn black(&self, x: usize, y: usize) -> bool {
        self.dots[y * self.width + x] == 0
    }

    /// Length of the black run through `(x, y)` along the row.
    fn black_run(&self, x: usize, y: usize) -> usize {
        let left = (0..=x).rev().take_while(|&i| self.black(i, y)).count();
        let right = (x..self.width).take_while(|&i| self.black(i, y)).count();
        (left + right).saturating_sub(1)
    }
}

fn documents() -> TestResult<Vec<(&'static str, Document)>> {
    let mut real = samples::notice()?;
    real.demo = false;
    Ok(vec![("demo notice", samples::notice()?), ("notice", real), ("receipt", samples::receipt()?)])
}

#[test]
fn width_is_the_printable_width_in_pure_black_and_white() -> TestResult {
    for (name, doc) in documents()? {
        for (paper, width) in [(Paper::Mm58, 384), (Paper::Mm80, 576)] {
            let slip = Slip::decode(&thermal_png(&doc, paper)?)?;
            assert_eq!(slip.width, width, "{name} on {paper:?}");
            assert!(slip.height > 800 && slip.height < 4_000, "{name} on {paper:?}: {} dots long", slip.height);
            assert!(slip.dots.iter().all(|&d| d == 0 || d == 255), "{name} on {paper:?} has grey");
            let ink = slip.dots.iter().filter(|&&d| d == 0).count() as f64 / slip.dots.len() as f64;
            assert!(ink > 0.05 && ink < 0.5, "{name} on {paper:?}: {ink:.2} of the slip is black");
        }
    }
    Ok(())
}

#[test]
fn the_qr_code_scans_back_to_the_url_at_level_q_with_whole_dot_modules() -> TestResult {
    for (name, doc) in documents()? {
        for paper in [Paper::Mm58, Paper::Mm80] {
            let slip = Slip::decode(&thermal_png(&doc, paper)?)?;
            let mut image = rqrr::PreparedImage::prepare_from_greyscale(slip.width, slip.height, |x, y| slip.dots[y * slip.width + x]);
            let grids = image.detect_grids();
            assert_eq!(grids.len(), 1, "{name} on {paper:?}: one QR code");
            let (meta, content) = grids[0].decode()?;
            assert_eq!(content, doc.qr_url, "{name} on {paper:?}");
            assert_eq!(meta.ecc_level, 3, "{name} on {paper:?}: level Q");
            // The top edge of the top-left finder pattern is seven dark modules in a row.
            let modules = meta.version.to_size();
            let corner = grids[0].bounds[0];
            let (x, y) = (usize::try_from(corner.x)? + 1, usize::try_from(corner.y)? + 1);
            let run = slip.black_run(x, y);
            assert_eq!(run % 7, 0, "{name} on {paper:?}: finder edge of {run} dots is not whole modules");
            let module = run / 7;
            assert!(module >= 4, "{name} on {paper:?}: {module} dots per module");
            // Quiet zone: four modules of white left of and above the symbol.
            let quiet = 4 * module;
            let symbol_left = (0..=x).rev().take_while(|&i| slip.black(i, y)).last().ok_or("no finder")?;
            assert!(symbol_left >= quiet && symbol_left + modules * module + quiet <= slip.width, "{name} on {paper:?}: quiet zone cut off");
            let symbol_top = (0..=y).rev().take_while(|&j| slip.black(symbol_left, j)).last().ok_or("no finder")?;
            for j in symbol_top - quiet..symbol_top {
                for i in symbol_left - quiet..symbol_left + modules * module + quiet {
                    assert!(!slip.black(i, j), "{name} on {paper:?}: ink in the quiet zone at ({i}, {j})");
                }
            }
        }
    }
    Ok(())
}

#[test]
fn same_document_same_bytes() -> TestResult {
    let doc = samples::receipt()?;
    assert_eq!(thermal_png(&doc, Paper::Mm58)?, thermal_png(&doc, Paper::Mm58)?);
    Ok(())
}

#[test]
fn a_url_too_long_for_the_paper_is_refused_not_shrunk() -> TestResult {
    let mut doc = samples::notice()?;
    doc.qr_url = format!("HTTPS://MAHASIL.EXAMPLE.PK/V/{}", "A".repeat(900));
    assert!(matches!(thermal_png(&doc, Paper::Mm58), Err(mahasil_print::PrintError::QrTooWide { .. })));
    Ok(())
}
