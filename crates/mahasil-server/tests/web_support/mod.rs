//! What the page tests share: a seeded application on a fresh SQLite store, requests
//! through the router as a browser would send them (cookie, urlencoded forms), and the
//! few things tests read back from a page (hidden fields, links).

#![expect(dead_code, reason = "each test file uses a different part of this support module")]

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use mahasil_server::AppState;
use mahasil_server::testing::{self, PASSWORD};
use tower::ServiceExt;

pub type R<T = ()> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// The application under test; the directory holds its database.
pub struct Web {
    pub state: AppState,
    _dir: tempfile::TempDir,
}

/// One answer, its body as text.
pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    pub fn location(&self) -> &str {
        self.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("")
    }

    pub fn set_cookie(&self) -> &str {
        self.headers.get(header::SET_COOKIE).and_then(|v| v.to_str().ok()).unwrap_or("")
    }

    pub fn content_type(&self) -> &str {
        self.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("")
    }

    /// The value of the first hidden field `name` on the page.
    pub fn hidden(&self, name: &str) -> R<String> {
        let marker = format!("name=\"{name}\" value=\"");
        let start = self.body.find(&marker).ok_or_else(|| format!("no field {name} on the page"))? + marker.len();
        let end = self.body[start..].find('"').ok_or("unterminated value")?;
        Ok(self.body[start..start + end].to_string())
    }

    /// The first link whose address starts with `prefix`, entities decoded.
    pub fn link(&self, prefix: &str) -> R<String> {
        let marker = format!("href=\"{prefix}");
        let start = self.body.find(&marker).ok_or_else(|| format!("no link to {prefix}"))? + "href=\"".len();
        let end = self.body[start..].find('"').ok_or("unterminated link")?;
        Ok(self.body[start..start + end].replace("&amp;", "&"))
    }
}

/// A signed-in browser: its session cookie and the CSRF token its pages carry.
pub struct Session {
    pub cookie: String,
    pub csrf: String,
}

pub fn form_body(pairs: &[(&str, &str)]) -> String {
    let encode = |s: &str| {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    pairs.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect::<Vec<_>>().join("&")
}

impl Web {
    pub async fn new() -> R<Self> {
        let (state, dir) = testing::sqlite_app().await?;
        Ok(Self { state, _dir: dir })
    }

    pub fn router(&self) -> Router {
        mahasil_server::router(self.state.clone())
    }

    pub async fn send(&self, method: Method, uri: &str, cookie: Option<&str>, form: Option<&[(&str, &str)]>) -> R<Page> {
        let mut req = Request::builder().method(method).uri(uri);
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, c);
        }
        let req = match form {
            Some(pairs) => req.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded").body(Body::from(form_body(pairs)))?,
            None => req.body(Body::empty())?,
        };
        let resp = self.router().oneshot(req).await?;
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = resp.into_body().collect().await?.to_bytes();
        Ok(Page { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() })
    }

    /// A GET without a session, its body read as JSON.
    pub async fn get_json(&self, uri: &str) -> R<(axum::http::StatusCode, serde_json::Value)> {
        let page = self.send(Method::GET, uri, None, None).await?;
        Ok((page.status, serde_json::from_str(&page.body)?))
    }

    pub async fn get(&self, uri: &str, s: &Session) -> R<Page> {
        self.send(Method::GET, uri, Some(&s.cookie), None).await
    }

    /// Posts a form as the page would: with the session's CSRF token.
    pub async fn post(&self, uri: &str, s: &Session, fields: &[(&str, &str)]) -> R<Page> {
        let mut all = vec![("csrf", s.csrf.as_str())];
        all.extend_from_slice(fields);
        self.send(Method::POST, uri, Some(&s.cookie), Some(&all)).await
    }

    /// Signs in through the sign-in form with the seeded password.
    pub async fn sign_in(&self, username: &str) -> R<Session> {
        self.sign_in_with(username, PASSWORD).await
    }

    pub async fn sign_in_with(&self, username: &str, password: &str) -> R<Session> {
        let page = self.send(Method::POST, "/login", None, Some(&[("username", username), ("password", password), ("next", "/")])).await?;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "sign-in of {username} failed: {}", page.body);
        let cookie = page.set_cookie().split(';').next().ok_or("no cookie")?.to_string();
        let home = self.send(Method::GET, "/", Some(&cookie), None).await?;
        assert_eq!(home.status, StatusCode::OK, "{}", home.body);
        Ok(Session { csrf: home.hidden("csrf")?, cookie })
    }

    pub async fn count(&self) -> R<u64> {
        Ok(self.state.store.count_challans().await?)
    }
}

/// Issues a challan directly through the shared action, as `username`, at `at`.
pub async fn issue_as(
    web: &Web,
    username: &str,
    head_code: &str,
    amount_paisa: Option<i64>,
    cnic: &str,
    at: jiff::Timestamp,
) -> R<mahasil_store::ChallanRecord> {
    use mahasil_server::actions::{IssueChallanInput, LocationInput, OffenderInput};
    let user = web.state.store.user_by_username(username).await?.ok_or("no such user")?;
    let who = mahasil_server::auth::session::principal_of(&user);
    let district = if username.contains("mardan") { "mardan" } else { "peshawar" };
    let input = IssueChallanInput {
        id: None,
        head_code: head_code.into(),
        amount_paisa,
        district: district.into(),
        offender: OffenderInput {
            name: "Sher Ali".into(),
            cnic: cnic.into(),
            mobile: "0301-7654321".into(),
            email: None,
            vehicle_no: Some("LEA-5555".into()),
            business_name: None,
            address: None,
            language: None,
        },
        location: LocationInput { lat: 34.01, lon: 71.57, text: "Qissa Khwani Bazaar".into() },
    };
    mahasil_server::actions::issue_challan(&web.state, &who, &input, at).await.map_err(|e| format!("{}: {}", e.status, e.body.message).into())
}

/// One HTTP/1.1 exchange with a server on loopback, as a browser that does not follow
/// redirects: for talking to a separate party (the sandbox gateway) over real HTTP. The
/// body is read whole; chunked answers are decoded.
pub async fn http_exchange(addr: std::net::SocketAddr, method: &str, path: &str, form: Option<&[(&str, &str)]>) -> R<Page> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let body = form.map(form_body).unwrap_or_default();
    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nAccept: text/html\r\n");
    if form.is_some() {
        request.push_str("Content-Type: application/x-www-form-urlencoded\r\n");
    }
    request.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    let mut stream = tokio::net::TcpStream::connect(addr).await?;
    stream.write_all(request.as_bytes()).await?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await?;
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").ok_or("no end of headers")?;
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().ok_or("no status line")?;
    let status = StatusCode::from_u16(status_line.split(' ').nth(1).ok_or("no status")?.parse()?)?;
    let mut headers = HeaderMap::new();
    for line in lines {
        let (name, value) = line.split_once(':').ok_or("bad header line")?;
        headers.append(header::HeaderName::from_bytes(name.trim().as_bytes())?, header::HeaderValue::from_str(value.trim())?);
    }
    let mut rest = &raw[split + 4..];
    let chunked = headers.get(header::TRANSFER_ENCODING).is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"chunked"));
    let body = if chunked {
        let mut out = Vec::new();
        loop {
            let line_end = rest.windows(2).position(|w| w == b"\r\n").ok_or("bad chunk")?;
            let size = usize::from_str_radix(String::from_utf8_lossy(&rest[..line_end]).split(';').next().unwrap_or("").trim(), 16)?;
            rest = &rest[line_end + 2..];
            if size == 0 {
                break;
            }
            out.extend_from_slice(rest.get(..size).ok_or("short chunk")?);
            rest = rest.get(size + 2..).ok_or("short chunk")?;
        }
        out
    } else {
        rest.to_vec()
    };
    Ok(Page { status, headers, body: String::from_utf8_lossy(&body).into_owned() })
}
