//! Seals as text and as QR codes: TOKEN = RFC 4648 Base32 of the COSE bytes, upper case,
//! no padding; QR content = `<PUBLIC_BASE_URL>/V/<TOKEN>`, the whole URL upper case so
//! the QR code uses alphanumeric mode, at error-correction level Q.

use data_encoding::BASE32_NOPAD;
use qrcode::{EcLevel, QrCode};

use crate::{Result, SealError};

/// The longest token accepted, in characters; checked before decoding.
pub const MAX_TOKEN_CHARS: usize = 1024;
/// The longest URL (or other text) [`parse_qr`] looks at, in characters.
pub const MAX_QR_TEXT_CHARS: usize = 2048;
/// The path segment before the token.
pub const VERIFY_PATH: &str = "/V/";

/// The Base32 token of a seal's COSE bytes.
pub fn token(cose: &[u8]) -> String {
    BASE32_NOPAD.encode(cose)
}

/// The QR content for a seal: `<base_url>/V/<TOKEN>`, all upper case. Host names ignore
/// case; a path prefix in `base_url` is upper-cased too, so the server must route it
/// without regard to case.
pub fn qr_url(base_url: &str, cose: &[u8]) -> String {
    let mut url = format!("{}{VERIFY_PATH}{}", base_url.trim_end_matches('/'), token(cose));
    url.make_ascii_uppercase();
    url
}

/// The COSE bytes in a scanned or typed QR text: a URL ending `/V/<TOKEN>` (any case,
/// `http` or `https`, any host and path prefix) or a bare token. Anything else, and any
/// token longer than [`MAX_TOKEN_CHARS`], is malformed.
pub fn parse_qr(input: &str) -> Result<Vec<u8>> {
    if input.len() > MAX_QR_TEXT_CHARS {
        return Err(SealError::Malformed("too long"));
    }
    let text = input.trim();
    let token = if has_prefix_ignoring_case(text, "https://") || has_prefix_ignoring_case(text, "http://") {
        let at = text.to_ascii_uppercase().rfind(VERIFY_PATH).ok_or(SealError::Malformed("no /V/ in the URL"))?;
        &text[at + VERIFY_PATH.len()..]
    } else {
        text
    };
    parse_token(token)
}

/// The COSE bytes of a bare token (any case).
pub fn parse_token(token: &str) -> Result<Vec<u8>> {
    if token.len() > MAX_TOKEN_CHARS {
        return Err(SealError::Malformed("token is too long"));
    }
    if token.is_empty() {
        return Err(SealError::Malformed("token is empty"));
    }
    // The decoder refuses anything but the 32 letters and digits, wrong lengths and
    // non-zero trailing bits, so every byte string has exactly one token.
    BASE32_NOPAD.decode(token.to_ascii_uppercase().as_bytes()).map_err(|_| SealError::Malformed("token is not Base32"))
}

/// The QR code of `url` at error-correction level Q.
pub fn qr_code(url: &str) -> Result<QrCode> {
    QrCode::with_error_correction_level(url.as_bytes(), EcLevel::Q).map_err(|e| SealError::Qr(e.to_string()))
}

fn has_prefix_ignoring_case(text: &str, prefix: &str) -> bool {
    text.get(..prefix.len()).is_some_and(|start| start.eq_ignore_ascii_case(prefix))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_is_upper_case_and_parses_back() -> Result<()> {
        let cose = vec![0x84, 0x4d, 0xa2, 0x01, 0x26, 0xff, 0x00];
        let url = qr_url("https://mahasil.kp.gov.pk/", &cose);
        assert!(url.starts_with("HTTPS://MAHASIL.KP.GOV.PK/V/"));
        assert_eq!(url, url.to_ascii_uppercase());
        assert!(!url.contains('='));
        assert_eq!(parse_qr(&url)?, cose);
        assert_eq!(parse_qr(&url.to_ascii_lowercase())?, cose);
        assert_eq!(parse_qr(&format!("  http://10.0.0.5:8080/mahasil/v/{}\n", token(&cose)))?, cose);
        assert_eq!(parse_qr(&token(&cose))?, cose);
        Ok(())
    }

    #[test]
    fn refuses_what_is_not_a_token() {
        let malformed = |s: &str| matches!(parse_qr(s), Err(SealError::Malformed(_)));
        assert!(malformed(""));
        assert!(malformed("https://mahasil.kp.gov.pk/"));
        assert!(malformed("https://mahasil.kp.gov.pk/V/"));
        assert!(malformed("https://mahasil.kp.gov.pk/V/QE?x=1"));
        assert!(malformed("ftp://mahasil.kp.gov.pk/V/QE"));
        assert!(malformed("QE======"), "padding");
        assert!(malformed("QF"), "non-zero trailing bits");
        assert!(malformed("Q"), "impossible length");
        assert!(malformed("AB1C"), "1 is not Base32");
        assert!(malformed(&"A".repeat(MAX_TOKEN_CHARS + 8)));
        assert!(malformed(&"A".repeat(MAX_QR_TEXT_CHARS + 1)));
        assert!(!malformed("https://é/V/QE"), "the host is not judged, only the token");
    }

    #[test]
    fn qr_code_uses_level_q() -> Result<()> {
        let code = qr_code("HTTPS://MAHASIL.KP.GOV.PK/V/AAAA")?;
        assert_eq!(code.error_correction_level(), EcLevel::Q);
        Ok(())
    }
}
