//! The seal's QR code: the module grid, and how big a module may be on a given width.

use qrcode::{EcLevel, QrCode};

use crate::{PrintError, Result};

/// ISO/IEC 18004 asks for four light modules around the symbol; scanners need them to find
/// the finder patterns against a busy background.
pub(crate) const QUIET_ZONE_MODULES: usize = 4;

/// The smallest module a 203 dpi thermal head prints reliably enough for phone cameras:
/// four dots is 0.5 mm.
pub(crate) const MIN_THERMAL_MODULE_DOTS: u32 = 4;

/// A QR symbol as dark/light modules, row by row, without the quiet zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct QrMatrix {
    /// Modules per side.
    pub width: usize,
    dark: Vec<bool>,
}

impl QrMatrix {
    /// Level Q (25% recovery) survives creases and smudges on paper; an upper-case URL lets
    /// the encoder choose alphanumeric mode, which keeps the version (and modules) small.
    pub(crate) fn encode(url: &str) -> Result<Self> {
        let code = QrCode::with_error_correction_level(url.as_bytes(), EcLevel::Q).map_err(|e| PrintError::Qr(e.to_string()))?;
        Ok(Self { width: code.width(), dark: code.to_colors().into_iter().map(|c| c == qrcode::Color::Dark).collect() })
    }

    /// Side including the quiet zone on both sides, in modules.
    pub(crate) fn side_with_quiet_zone(&self) -> usize {
        self.width + 2 * QUIET_ZONE_MODULES
    }

    pub(crate) fn is_dark(&self, x: usize, y: usize) -> bool {
        x < self.width && self.dark.get(y * self.width + x).copied().unwrap_or(false)
    }

    /// Horizontal runs of dark modules as `(x, y, length)`: one rectangle per run keeps the
    /// PDF small while every module edge stays exactly on the grid.
    pub(crate) fn dark_runs(&self) -> Vec<(usize, usize, usize)> {
        let mut runs = Vec::new();
        for y in 0..self.width {
            let mut x = 0;
            while x < self.width {
                if self.is_dark(x, y) {
                    let start = x;
                    while x < self.width && self.is_dark(x, y) {
                        x += 1;
                    }
                    runs.push((start, y, x - start));
                } else {
                    x += 1;
                }
            }
        }
        runs
    }

    /// The largest whole number of dots per module that fits `max_dots` with the quiet zone,
    /// capped at `cap`. Whole dots only: a fractional module would be resampled into modules
    /// of unequal width, which blurs edges and defeats scanners.
    pub(crate) fn module_dots(&self, max_dots: u32, cap: u32) -> Result<u32> {
        let side = u32::try_from(self.side_with_quiet_zone()).unwrap_or(u32::MAX);
        let module = (max_dots / side.max(1)).min(cap);
        if module < MIN_THERMAL_MODULE_DOTS {
            return Err(PrintError::QrTooWide { modules: self.width, width_dots: max_dots, min_dots: MIN_THERMAL_MODULE_DOTS });
        }
        Ok(module)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    #[test]
    fn runs_cover_exactly_the_dark_modules() -> TestResult {
        let qr = QrMatrix::encode("HTTPS://MAHASIL.EXAMPLE/V/ABC")?;
        let dark = (0..qr.width).flat_map(|y| (0..qr.width).map(move |x| (x, y))).filter(|&(x, y)| qr.is_dark(x, y)).count();
        assert_eq!(qr.dark_runs().iter().map(|r| r.2).sum::<usize>(), dark);
        // Finder pattern: the top-left corner module is dark.
        assert!(qr.is_dark(0, 0));
        Ok(())
    }

    #[test]
    fn upper_case_url_is_encoded_alphanumeric() -> TestResult {
        // 300 alphanumeric characters fit version 13 at level Q; as bytes they would need 16.
        let url = format!("HTTPS://MAHASIL.EXAMPLE/V/{}", "A".repeat(274));
        let qr = QrMatrix::encode(&url)?;
        assert!(qr.width <= 17 + 4 * 13, "version above 13: {} modules", qr.width);
        let lower = QrMatrix::encode(&url.to_lowercase())?;
        assert!(lower.width > qr.width);
        Ok(())
    }

    #[test]
    fn module_size_is_whole_and_at_least_four_dots() -> TestResult {
        let qr = QrMatrix::encode("HTTPS://MAHASIL.EXAMPLE/V/ABC")?;
        let side = u32::try_from(qr.side_with_quiet_zone())?;
        assert_eq!(qr.module_dots(384, 6)?, 6);
        assert_eq!(qr.module_dots(side * 5 + side - 1, 99)?, 5);
        assert!(qr.module_dots(side * 4 - 1, 99).is_err());
        Ok(())
    }
}
