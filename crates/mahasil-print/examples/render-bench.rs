//! Render time per document: 58 mm and 80 mm thermal PNGs and the A4 PDF, notice and
//! receipt, 200 renders each, median and 95th percentile in milliseconds.
//! `cargo run --release -p mahasil-print --example render-bench`

use std::time::{Duration, Instant};

use mahasil_print::{Document, Paper, pdf_a4, samples, thermal_png};

const RENDERS: usize = 200;

type Render = dyn Fn(&Document) -> mahasil_print::Result<Vec<u8>>;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let notice = samples::notice()?;
    let receipt = samples::receipt()?;
    // The first render parses the fonts; it is reported apart, as a server's first request.
    let first = time(|| thermal_png(&notice, Paper::Mm58).map(drop))?;
    println!("first render (font parsing included): {:.2} ms", ms(first));
    let cases: [(&str, &Document, &Render); 6] = [
        ("58 mm notice ", &notice, &|d| thermal_png(d, Paper::Mm58)),
        ("58 mm receipt", &receipt, &|d| thermal_png(d, Paper::Mm58)),
        ("80 mm notice ", &notice, &|d| thermal_png(d, Paper::Mm80)),
        ("80 mm receipt", &receipt, &|d| thermal_png(d, Paper::Mm80)),
        ("A4 PDF notice ", &notice, &pdf_a4),
        ("A4 PDF receipt", &receipt, &pdf_a4),
    ];
    for (name, doc, render) in cases {
        let bytes = render(doc)?.len();
        let mut times = (0..RENDERS).map(|_| time(|| render(doc).map(drop))).collect::<Result<Vec<_>, _>>()?;
        times.sort_unstable();
        println!("{name}: median {:6.2} ms, p95 {:6.2} ms, {bytes} bytes", ms(times[RENDERS / 2]), ms(times[RENDERS * 95 / 100]));
    }
    Ok(())
}

fn time(f: impl FnOnce() -> mahasil_print::Result<()>) -> mahasil_print::Result<Duration> {
    let start = Instant::now();
    f()?;
    Ok(start.elapsed())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
