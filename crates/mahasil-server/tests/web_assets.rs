//! Embedded assets: the stylesheet and the Urdu font (with its licence) are served from the
//! binary, and pages allow fonts from this site only.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use tower::ServiceExt;

type R<T = ()> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

#[tokio::test]
async fn urdu_font_and_licence_are_served() -> R {
    let (state, _dir) = mahasil_server::testing::sqlite_app().await?;
    let router = mahasil_server::router(state);
    let get = |uri: &str| Request::builder().uri(uri).body(Body::empty());

    let font = router.clone().oneshot(get("/assets/fonts/NotoNastaliqUrdu-Regular.ttf")?).await?;
    assert_eq!(font.status(), StatusCode::OK);
    assert_eq!(font.headers().get(header::CONTENT_TYPE).map(|v| v.as_bytes()), Some(&b"font/ttf"[..]));
    let bytes = font.into_body().collect().await?.to_bytes();
    assert_eq!(&bytes[..4], &[0, 1, 0, 0], "a TrueType font");

    let licence = router.clone().oneshot(get("/assets/fonts/OFL.txt")?).await?;
    assert_eq!(licence.status(), StatusCode::OK);
    let text = String::from_utf8(licence.into_body().collect().await?.to_bytes().to_vec())?;
    assert!(text.contains("SIL Open Font License"));

    let css = router.clone().oneshot(get("/assets/mahasil.css")?).await?;
    let css = String::from_utf8(css.into_body().collect().await?.to_bytes().to_vec())?;
    assert!(css.contains("/assets/fonts/NotoNastaliqUrdu-Regular.ttf"), "the stylesheet uses the embedded font");

    let login = router.oneshot(get("/login")?).await?;
    let csp = login.headers().get(header::CONTENT_SECURITY_POLICY).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    assert!(csp.contains("font-src 'self'"), "{csp}");
    Ok(())
}
