//! Writes sample notices and receipts (A4 PDF, 58 mm and 80 mm PNG) to a folder, so a
//! person can look at them: `cargo run -p mahasil-print --example render-samples [DIR]`.

use mahasil_print::{Paper, pdf_a4, samples, thermal_png};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::path::PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "/tmp/mahasil-print".into()));
    std::fs::create_dir_all(&dir)?;
    for (name, doc) in [("notice", samples::notice()?), ("receipt", samples::receipt()?)] {
        let outputs = [
            (format!("{name}.pdf"), pdf_a4(&doc)?),
            (format!("{name}-58mm.png"), thermal_png(&doc, Paper::Mm58)?),
            (format!("{name}-80mm.png"), thermal_png(&doc, Paper::Mm80)?),
        ];
        for (file, bytes) in outputs {
            let path = dir.join(file);
            std::fs::write(&path, &bytes)?;
            println!("{} ({} bytes)", path.display(), bytes.len());
        }
    }
    Ok(())
}
