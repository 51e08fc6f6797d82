//! The one error type of this crate.

/// What can go wrong while turning a [`crate::Document`] into a PDF or a PNG.
#[derive(Debug, thiserror::Error)]
pub enum PrintError {
    /// A field of the document is empty where text is needed, too long, or has too many rows.
    #[error("{field}: {reason}")]
    Invalid { field: &'static str, reason: String },
    /// The QR payload cannot be encoded (too long for any QR version at level Q).
    #[error("QR code: {0}")]
    Qr(String),
    /// The QR code has too many modules to print at the smallest allowed module size on this
    /// paper; a shorter `qr_url` is needed.
    #[error("QR code of {modules} modules does not fit {width_dots} dots at {min_dots} dots per module")]
    QrTooWide { modules: usize, width_dots: u32, min_dots: u32 },
    /// An embedded font could not be read. The fonts are compiled in, so this is a build defect.
    #[error("embedded font {0} could not be parsed")]
    Font(&'static str),
    /// The PDF writer refused the document.
    #[error("PDF: {0}")]
    Pdf(String),
    /// The PNG encoder failed.
    #[error("PNG: {0}")]
    Png(#[from] png::EncodingError),
}

impl PrintError {
    pub(crate) fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Self::Invalid { field, reason: reason.into() }
    }
}

pub type Result<T, E = PrintError> = std::result::Result<T, E>;
