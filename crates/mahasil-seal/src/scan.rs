//! Reading a seal's QR code from a photo or scan (PNG or JPEG): the text of the one QR
//! code in the picture. A picture with no QR code, or with more than one, is refused: a
//! verifier must never guess which of two codes the person meant.

use crate::{Result, SealError};

/// Largest picture file read, in bytes.
pub const MAX_IMAGE_BYTES: usize = 32 * 1024 * 1024;
/// Largest picture side, in pixels (a 48-megapixel phone photo is about 8,000 wide).
pub const MAX_IMAGE_SIDE: u32 = 10_000;
/// Most bytes the decoder may allocate for one picture.
const MAX_DECODE_ALLOC: u64 = 512 * 1024 * 1024;

/// The text of the single QR code in `image` (PNG or JPEG bytes).
pub fn qr_text(image: &[u8]) -> Result<String> {
    if image.len() > MAX_IMAGE_BYTES {
        return Err(SealError::Malformed("the picture is too large"));
    }
    let mut reader =
        image::ImageReader::new(std::io::Cursor::new(image)).with_guessed_format().map_err(|_| SealError::Malformed("the picture cannot be read"))?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_IMAGE_SIDE);
    limits.max_image_height = Some(MAX_IMAGE_SIDE);
    limits.max_alloc = Some(MAX_DECODE_ALLOC);
    reader.limits(limits);
    let picture = reader.decode().map_err(|_| SealError::Malformed("the picture is not a readable PNG or JPEG"))?.to_luma8();
    // Compression noise around small modules (a JPEG of a thermal slip) can hide the code
    // from the detector, or shift the grid it samples so the modules read wrong; pure black
    // and white, then twice the size, find and read it again. A decode is checked by the
    // code's own error correction, so a retry never reads a wrong text.
    let worth_retrying = |outcome: &Result<String>| matches!(outcome, Err(e) if *e == NO_CODE || *e == UNREADABLE);
    let mut outcome = read(&picture);
    if worth_retrying(&outcome) {
        let mut binary = picture.clone();
        binary.pixels_mut().for_each(|p| p.0[0] = if p.0[0] < 128 { 0 } else { 255 });
        outcome = read(&binary);
        if worth_retrying(&outcome) && binary.width() <= MAX_IMAGE_SIDE / 2 && binary.height() <= MAX_IMAGE_SIDE / 2 {
            let enlarged = image::imageops::resize(&binary, binary.width() * 2, binary.height() * 2, image::imageops::FilterType::Nearest);
            outcome = read(&enlarged);
        }
    }
    outcome
}

const NO_CODE: SealError = SealError::Malformed("the picture holds no QR code");
const UNREADABLE: SealError = SealError::Malformed("the QR code in the picture cannot be read");

fn read(picture: &image::GrayImage) -> Result<String> {
    let (width, height) = (picture.width() as usize, picture.height() as usize);
    // The detector asserts that every point it projects fits in an `i32`; a degenerate
    // group of finder patterns (in real photos, and in a fuzzed 29×28 PNG kept as a test
    // below) breaks that assertion (WanzenBug/rqrr#54, open). Such a picture holds no code
    // anyone could read, so the panic is caught and answered as an unreadable code.
    std::panic::catch_unwind(|| {
        let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| picture.get_pixel(x as u32, y as u32).0[0]);
        let grids = prepared.detect_grids();
        match grids.as_slice() {
            [] => Err(NO_CODE),
            [grid] => grid.decode().map(|(_, text)| text).map_err(|_| UNREADABLE),
            _ => Err(SealError::Malformed("the picture holds more than one QR code")),
        }
    })
    .unwrap_or(Err(UNREADABLE))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png_of(codes: &[&str], gap: u32) -> Vec<u8> {
        let scale = 4u32;
        let rendered: Vec<image::GrayImage> = codes
            .iter()
            .filter_map(|text| qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::Q).ok())
            .map(|code| {
                let width = code.width() as u32;
                let colors = code.to_colors();
                let side = (width + 8) * scale;
                image::GrayImage::from_fn(side, side, |x, y| {
                    let (mx, my) = ((x / scale) as i64 - 4, (y / scale) as i64 - 4);
                    let dark = mx >= 0
                        && my >= 0
                        && mx < width as i64
                        && my < width as i64
                        && colors[(my as usize) * width as usize + mx as usize] == qrcode::Color::Dark;
                    image::Luma([if dark { 0 } else { 255 }])
                })
            })
            .collect();
        let total_width = rendered.iter().map(|r| r.width() + gap).sum::<u32>().max(64);
        let height = rendered.iter().map(image::GrayImage::height).max().unwrap_or(64);
        let mut canvas = image::GrayImage::from_pixel(total_width, height, image::Luma([255]));
        let mut x = 0;
        for r in &rendered {
            image::imageops::replace(&mut canvas, r, i64::from(x), 0);
            x += r.width() + gap;
        }
        let mut out = Vec::new();
        let written = canvas.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png);
        assert!(written.is_ok(), "{written:?}");
        out
    }

    #[test]
    fn one_code_is_read_back() {
        let url = "HTTPS://MAHASIL.KP.GOV.PK/V/ABCDEFGHIJ234567";
        assert_eq!(qr_text(&png_of(&[url], 0)), Ok(url.to_string()));
    }

    #[test]
    fn none_or_two_codes_are_refused() {
        assert_eq!(qr_text(&png_of(&[], 0)), Err(SealError::Malformed("the picture holds no QR code")));
        let two = png_of(&["HTTPS://A.PK/V/AAAA", "HTTPS://B.PK/V/BBBB"], 40);
        assert_eq!(qr_text(&two), Err(SealError::Malformed("the picture holds more than one QR code")));
    }

    #[test]
    fn a_picture_that_trips_the_detector_is_unreadable_not_a_crash() {
        let picture = include_bytes!("../tests/pictures/degenerate-finder-patterns.png");
        assert_eq!(qr_text(picture), Err(UNREADABLE));
    }

    #[test]
    fn not_a_picture_is_malformed() {
        for bytes in [&b""[..], b"not an image", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"] {
            assert!(matches!(qr_text(bytes), Err(SealError::Malformed(_))), "{bytes:?}");
        }
    }
}
