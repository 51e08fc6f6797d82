//! Static assets of the staff pages, embedded in the binary: nothing is loaded from
//! another host.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

/// Where pages link the stylesheet; the version makes a new release fetch it afresh.
pub const STYLESHEET_PATH: &str = concat!("/assets/mahasil.css?v=", env!("CARGO_PKG_VERSION"));

const STYLESHEET: &str = include_str!("../../assets/mahasil.css");

/// Noto Nastaliq Urdu (SIL Open Font License 1.1, `assets/fonts/OFL.txt`), so Urdu reads
/// correctly on devices whose own fonts lack some Urdu letters.
const URDU_FONT: &[u8] = include_bytes!("../../assets/fonts/NotoNastaliqUrdu-Regular.ttf");
const URDU_FONT_LICENCE: &str = include_str!("../../assets/fonts/OFL.txt");

pub async fn stylesheet() -> Response {
    asset(STYLESHEET.into_response(), "text/css; charset=utf-8")
}

pub async fn urdu_font() -> Response {
    asset(URDU_FONT.into_response(), "font/ttf")
}

pub async fn urdu_font_licence() -> Response {
    asset(URDU_FONT_LICENCE.into_response(), "text/plain; charset=utf-8")
}

fn asset(mut response: Response, content_type: &'static str) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=86400"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response
}
