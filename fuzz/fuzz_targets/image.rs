//! Feeds arbitrary bytes to the picture decoder behind `mahasil verify IMAGE.png`: PNG
//! and JPEG parsing, then QR detection and decoding. Asserts that nothing panics and that
//! whatever text comes out is checked like any scanned text, never `valid` by accident.

#![no_main]

use libfuzzer_sys::fuzz_target;
use mahasil_seal::scan::{MAX_IMAGE_BYTES, qr_text};

fuzz_target!(|data: &[u8]| {
    if data.len() > MAX_IMAGE_BYTES {
        return;
    }
    if let Ok(text) = qr_text(data) {
        let _ = mahasil_seal::parse_qr(&text);
    }
});
