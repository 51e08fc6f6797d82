//! The A4 PDF as a viewer sees it: one A4 page with the Latin and Urdu fonts embedded.

use mahasil_print::{Row, pdf_a4, samples};

type TestResult<T = ()> = Result<T, Box<dyn std::error::Error>>;

fn count(haystack: &[u8], needle: &str) -> usize {
    haystack.windows(needle.len()).filter(|w| *w == needle.as_bytes()).count()
}

#[test]
fn one_a4_page_with_both_scripts_fonts_embedded() -> TestResult {
    for doc in [samples::notice()?, samples::receipt()?] {
        let pdf = pdf_a4(&doc)?;
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(pdf.ends_with(b"%%EOF") || pdf.ends_with(b"%%EOF\n"));
        assert_eq!(count(&pdf, "/Type/Pages/Count 1/"), 1);
        assert_eq!(count(&pdf, "/Type/Page/"), 1);
        assert_eq!(count(&pdf, "/MediaBox[0 0 595 842]"), 1);
        // Each font subset, embedded as a TrueType program, named with a subset tag.
        assert_eq!(count(&pdf, "/FontFile2"), 3);
        for font in ["NotoSans-Regular", "NotoSans-Bold", "NotoNastaliqUrdu-Regular"] {
            assert!(count(&pdf, &format!("+{font}/")) >= 1, "{font} is not embedded");
        }
        // Every font maps its glyphs back to text, so both languages can be copied and searched.
        assert_eq!(count(&pdf, "/ToUnicode"), 3);
    }
    Ok(())
}

#[test]
fn same_document_same_bytes() -> TestResult {
    let doc = samples::notice()?;
    assert_eq!(pdf_a4(&doc)?, pdf_a4(&doc)?);
    Ok(())
}

#[test]
fn a_long_document_shrinks_to_one_page_and_an_impossible_one_is_refused() -> TestResult {
    let mut doc = samples::notice()?;
    doc.rows = vec![Row::new("Location", "مقام", "Qissa Khwani Bazaar, Peshawar"); mahasil_print::MAX_ROWS];
    let pdf = pdf_a4(&doc)?;
    assert_eq!(count(&pdf, "/Type/Page/"), 1);
    let longest = "Qissa Khwani ".repeat(mahasil_print::MAX_FIELD_CHARS / 13);
    doc.rows = vec![Row::new("Location", "مقام", longest); mahasil_print::MAX_ROWS];
    assert!(matches!(pdf_a4(&doc), Err(mahasil_print::PrintError::Invalid { field: "rows", .. })));
    Ok(())
}
