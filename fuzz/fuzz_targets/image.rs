//! Feeds arbitrary bytes to the picture decoder behind `mahasil verify IMAGE.png`: PNG
//! and JPEG parsing, then QR detection and decoding. Asserts that nothing panics and that
//! whatever text comes out is checked like any scanned text, never `valid` by accident.
//!
//! One panic is expected and handled: the QR detector's assertion on projected points
//! (WanzenBug/rqrr#54), which `qr_text` catches and answers as an unreadable code. The
//! fuzzer's own hook aborts on any panic before it can unwind, so `init` puts a hook in
//! front of it that lets only a panic raised inside the detector unwind to that catch.

#![no_main]

use libfuzzer_sys::fuzz_target;
use mahasil_seal::scan::{MAX_IMAGE_BYTES, qr_text};

fuzz_target!(
    init: {
        let abort_with_report = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let in_detector = info.location().is_some_and(|at| at.file().contains("/rqrr-"));
            if !in_detector {
                abort_with_report(info);
            }
        }));
    },
    |data: &[u8]| {
        if data.len() > MAX_IMAGE_BYTES {
            return;
        }
        if let Ok(text) = qr_text(data) {
            let _ = mahasil_seal::parse_qr(&text);
        }
    }
);
