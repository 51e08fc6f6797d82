//! Printable challan notices and payment receipts: an A4 PDF for download and office
//! printers, and 1-bit PNGs for 58 mm and 80 mm thermal printers in the field.
//!
//! Pure rendering: a [`Document`] in, bytes out. No clock, no files, no network; the fonts
//! are compiled in. English and Urdu are shaped by rustybuzz (Urdu joined, right to left,
//! in Nastaliq), and the seal's QR code is drawn from `qr_url` at level Q with its quiet
//! zone, as exact squares in the PDF and whole-dot modules on thermal paper.
//!
//! ```no_run
//! # fn demo(doc: &mahasil_print::Document) -> mahasil_print::Result<()> {
//! let pdf = mahasil_print::pdf_a4(doc)?;
//! let slip = mahasil_print::thermal_png(doc, mahasil_print::Paper::Mm58)?;
//! # Ok(()) }
//! ```

mod content;
mod document;
mod error;
mod flow;
mod fonts;
mod pdf;
mod qr;
pub mod samples;
mod shape;
mod thermal;
mod wording;
mod wrap;

pub use document::{Document, Kind, MAX_FIELD_CHARS, MAX_QR_URL_CHARS, MAX_ROWS, Notice, Paper, PaymentChannel, Receipt, Row};
pub use error::{PrintError, Result};
pub use pdf::pdf_a4;
pub use thermal::thermal_png;
