//! Static assets of the staff pages, embedded in the binary: nothing is loaded from
//! another host.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

/// Where pages link the stylesheet; the version makes a new release fetch it afresh.
pub const STYLESHEET_PATH: &str = concat!("/assets/mahasil.css?v=", env!("CARGO_PKG_VERSION"));

const STYLESHEET: &str = include_str!("../../assets/mahasil.css");

pub async fn stylesheet() -> Response {
    let mut response = STYLESHEET.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/css; charset=utf-8"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=86400"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response
}
