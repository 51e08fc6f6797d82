//! The field app (`assets/field/`, docs/SYNC.md): its page at `/field`, its manifest and
//! service worker under `/field/` (the worker's scope), and its modules, styles, icons and
//! vendored QR encoder at `/assets/field/...`, all embedded in the binary. The app's tests
//! and their helpers are not served.

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use include_dir::{Dir, include_dir};

use crate::error::ApiError;

static FIELD: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/assets/field");

/// The app page may run its own scripts, fetch, register its worker, show QR codes drawn
/// into data/blob images, and read its manifest; nothing from another host.
const FIELD_CSP: &str = "default-src 'none'; script-src 'self'; connect-src 'self'; worker-src 'self'; style-src 'self'; img-src 'self' data: blob:; \
    font-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

fn file(path: &str) -> Option<&'static [u8]> {
    FIELD.get_file(path).map(include_dir::File::contents)
}

/// What is served: not the tests, their helpers, or the folder's README.
fn served(path: &str) -> bool {
    let source_only = [".test.mjs", ".e2e.mjs", "-support.mjs", ".md", ".py"];
    !(source_only.iter().any(|end| path.ends_with(end)) || path.contains(".."))
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "html" => "text/html; charset=utf-8",
        "png" => "image/png",
        "svg" => "image/svg+xml",
        "webmanifest" => "application/manifest+json",
        "json" => "application/json",
        "txt" | "LICENSE" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn respond(path: &str, cache: &'static str) -> Response {
    match file(path) {
        Some(body) if served(path) => {
            let mut response = body.into_response();
            let headers = response.headers_mut();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type(path)));
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
            headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
            headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(FIELD_CSP));
            headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
            response
        }
        _ => ApiError::new(StatusCode::NOT_FOUND, "not_found", format!("no field app file {path}")).into_response(),
    }
}

/// `GET /field`: to `/field/`, inside the worker's scope, so every load of the page is
/// the worker's to answer offline.
pub async fn to_scope() -> Response {
    axum::response::Redirect::permanent("/field/").into_response()
}

/// `GET /field/`: the app's page. Revalidated every time, so a new release's
/// page (and the worker it registers) is found at once; the worker serves it offline.
pub async fn page() -> Response {
    respond("index.html", "no-cache")
}

/// `GET /field/manifest.webmanifest`.
pub async fn manifest() -> Response {
    respond("manifest.webmanifest", "no-cache")
}

/// `GET /field/sw.js`: the worker, at the top of its scope `/field/`.
pub async fn service_worker() -> Response {
    respond("sw.js", "no-cache")
}

/// `GET /assets/field/{*path}`: modules, styles, icons, vendored code and its licence.
pub async fn asset(Path(path): Path<String>) -> Response {
    respond(&path, "no-cache")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tests_and_their_helpers_are_not_served() {
        assert!(served("app.js"));
        assert!(served("vendor/qrcode.js"));
        assert!(!served("issue.test.mjs"));
        assert!(!served("field-support.mjs"));
        assert!(!served("real-server.e2e.mjs"));
        assert!(!served("icons/make-icons.py"));
        assert!(!served("README.md"));
        assert!(!served("../verify/cose.js"));
    }

    #[test]
    fn the_page_worker_and_manifest_are_embedded() {
        for path in ["index.html", "sw.js", "manifest.webmanifest", "app.js"] {
            assert!(file(path).is_some(), "{path} is not embedded");
        }
    }
}
