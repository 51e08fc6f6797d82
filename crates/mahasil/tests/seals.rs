//! Seals end to end, as an operator and a citizen meet them: a demo server on its own port
//! and data directory, notices downloaded from the public `/V/` pages, and the offline
//! `mahasil verify` reading those pictures against exported trust and revocation lists.
//! Also forged copies (one amount digit changed), pictures with no or two QR codes,
//! cancellation, key rotation and key compromise.

use std::fs::File;
use std::io::Cursor;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Output, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use coset::CborSerializable;
use jiff::Timestamp;
use mahasil_domain::money::Paisa;
use serde_json::{Value, json};

mod support;

use support::{command, free_port};

type R<T = ()> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// How long a server may take to answer `/readyz` after starting.
const READY_TIMEOUT: Duration = Duration::from_secs(60);
/// Pixels per QR module in the pictures drawn here, and the quiet zone in modules.
const MODULE_PX: u32 = 4;
const QUIET_MODULES: u32 = 4;
/// White pixels between two QR codes drawn side by side (besides their quiet zones).
const CODES_GAP_PX: u32 = 24;
/// The most challans read while looking for one that fits a test.
const MAX_CHALLANS_SCANNED: usize = 400;

const OFFICER: &str = "officer.peshawar";
const SUPERVISOR: &str = "supervisor.peshawar";
const DEMO_PASSWORD: &str = "demo-password";

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// What a finished command said.
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    fn of(out: Output) -> Self {
        Self { code: out.status.code(), stdout: text(&out.stdout), stderr: text(&out.stderr) }
    }

    /// The `outcome:` line of `mahasil verify`.
    fn outcome(&self) -> Option<&str> {
        self.stdout.lines().find_map(|l| l.strip_prefix("outcome: "))
    }

    /// The kid of `signed by key:`.
    fn signer(&self) -> Option<&str> {
        self.stdout.lines().find_map(|l| l.strip_prefix("signed by key: "))
    }
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "exit {:?}\n--- stdout\n{}--- stderr\n{}", self.code, self.stdout, self.stderr)
    }
}

fn mahasil(args: &[&str]) -> R<Run> {
    Ok(Run::of(command().args(args).output()?))
}

/// `mahasil verify --trust-list TRUST [--revocations REV] INPUT`.
fn verify(trust: &Path, revocations: Option<&Path>, input: &str) -> R<Run> {
    verify_with(trust, revocations, &[], input)
}

/// [`verify`] with `extra` options.
fn verify_with(trust: &Path, revocations: Option<&Path>, extra: &[&str], input: &str) -> R<Run> {
    let mut cmd = command();
    cmd.arg("verify").arg("--trust-list").arg(trust);
    if let Some(rev) = revocations {
        cmd.arg("--revocations").arg(rev);
    }
    Ok(Run::of(cmd.args(extra).arg(input).output()?))
}

fn path_str(p: &Path) -> R<&str> {
    p.to_str().ok_or_else(|| format!("{} is not UTF-8", p.display()).into())
}

/// A demo server on its own port and data directory; killed when dropped.
struct Server {
    child: Child,
    base: String,
    stdout: PathBuf,
    stderr: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Everything the server printed so far, stdout and stderr.
    fn output(&self) -> R<Vec<u8>> {
        let mut all = std::fs::read(&self.stdout)?;
        all.extend(std::fs::read(&self.stderr)?);
        Ok(all)
    }
}

/// One test's world: a temporary directory holding the data directory (`data/`) and the
/// files the test writes, a demo server on it, and an HTTP client.
struct Demo {
    // Fields drop in order: the server is killed before its directory is removed.
    server: Server,
    http: reqwest::Client,
    data: PathBuf,
    dir: tempfile::TempDir,
}

impl Demo {
    /// Starts `mahasil serve --demo` with `log` as `MAHASIL_LOG` (if any) and waits for
    /// `/readyz`.
    async fn start(log: Option<&str>) -> R<Self> {
        let dir = tempfile::tempdir()?;
        let data = dir.path().join("data");
        let port = free_port()?;
        let base = format!("http://127.0.0.1:{port}");
        let (stdout, stderr) = (dir.path().join("server.out"), dir.path().join("server.err"));
        let mut cmd = command();
        cmd.args(["serve", "--demo", "--bind", &format!("127.0.0.1:{port}"), "--data"])
            .arg(&data)
            .env("MAHASIL_PUBLIC_BASE_URL", &base)
            .stdin(Stdio::null())
            .stdout(File::create(&stdout)?)
            .stderr(File::create(&stderr)?);
        if let Some(filter) = log {
            cmd.env("MAHASIL_LOG", filter);
        }
        let mut server = Server { child: cmd.spawn()?, base, stdout, stderr };
        let http = reqwest::Client::builder().timeout(Duration::from_secs(30)).build()?;
        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
            if http.get(format!("{}/readyz", server.base)).send().await.is_ok_and(|r| r.status().is_success()) {
                return Ok(Self { server, http, data, dir });
            }
            if let Some(status) = server.child.try_wait()? {
                return Err(format!("the server exited ({status}) before it was ready:\n{}", text(&server.output()?)).into());
            }
            if Instant::now() > deadline {
                return Err(format!("the server was not ready within {READY_TIMEOUT:?}:\n{}", text(&server.output()?)).into());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    fn file(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn data(&self) -> R<&str> {
        path_str(&self.data)
    }

    fn keys_dir(&self) -> PathBuf {
        self.data.join("keys")
    }

    /// `mahasil keys ARGS --data DIR`.
    fn keys(&self, args: &[&str]) -> R<Run> {
        let mut all = vec!["keys"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--data", self.data()?]);
        mahasil(&all)
    }

    /// A fresh `mahasil keys export-trust-list` into `name`.
    fn export_trust_list(&self, name: &str) -> R<PathBuf> {
        let file = self.file(name);
        let run = self.keys(&["export-trust-list", path_str(&file)?])?;
        assert_eq!(run.code, Some(0), "{run}");
        Ok(file)
    }

    async fn login(&self, username: &str) -> R<String> {
        let resp =
            self.http.post(format!("{}/api/v1/auth/login", self.server.base)).json(&json!({"username": username, "password": DEMO_PASSWORD})).send().await?;
        let status = resp.status();
        let body: Value = resp.json().await?;
        assert!(status.is_success(), "login as {username}: {status} {body}");
        Ok(body["token"].as_str().ok_or("login answered no token")?.to_string())
    }

    async fn get_json(&self, path: &str, bearer: &str) -> R<Value> {
        let resp = self.http.get(format!("{}{path}", self.server.base)).bearer_auth(bearer).send().await?;
        let status = resp.status();
        let body: Value = resp.json().await?;
        assert!(status.is_success(), "GET {path}: {status} {body}");
        Ok(body)
    }

    async fn post_json(&self, path: &str, bearer: &str, body: &Value) -> R<Value> {
        let resp = self.http.post(format!("{}{path}", self.server.base)).bearer_auth(bearer).json(body).send().await?;
        let status = resp.status();
        let answer: Value = resp.json().await?;
        assert!(status.is_success(), "POST {path} {body}: {status} {answer}");
        Ok(answer)
    }

    /// Issued challans the signed-in user may see, newest first, up to [`MAX_CHALLANS_SCANNED`].
    async fn issued_challans(&self, bearer: &str) -> R<Vec<Value>> {
        let mut all = Vec::new();
        let mut after: Option<String> = None;
        while all.len() < MAX_CHALLANS_SCANNED {
            let path = match &after {
                Some(a) => format!("/api/v1/challans?status=issued&limit=100&after={a}"),
                None => "/api/v1/challans?status=issued&limit=100".to_string(),
            };
            let page = self.get_json(&path, bearer).await?;
            all.extend(page["items"].as_array().ok_or("a page without items")?.iter().cloned());
            match page["next"].as_str() {
                Some(next) => after = Some(next.to_string()),
                None => break,
            }
        }
        Ok(all)
    }

    /// A challan with its history and seal URL.
    async fn challan(&self, bearer: &str, no: &str) -> R<Value> {
        self.get_json(&format!("/api/v1/challans/{no}"), bearer).await
    }

    /// The public download `/V/<token>/<file>`: its content type and bytes.
    async fn download(&self, token: &str, file: &str) -> R<(String, Vec<u8>)> {
        let resp = self.http.get(format!("{}/V/{token}/{file}", self.server.base)).send().await?;
        let status = resp.status();
        let content_type = resp.headers().get(reqwest::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
        let bytes = resp.bytes().await?.to_vec();
        assert!(status.is_success(), "GET /V/…/{file}: {status} {}", text(&bytes));
        Ok((content_type, bytes))
    }
}

/// A sealed challan as the tests use it.
struct Sealed {
    no: String,
    seal_url: String,
    amount_paisa: i64,
    amount_after_due_paisa: i64,
    /// The seal's `iat`: the challan's received-at time, whole seconds.
    signed_at: Timestamp,
}

impl Sealed {
    fn of(detail: &Value) -> R<Self> {
        let field = |name: &str| detail[name].as_str().ok_or_else(|| format!("challan without {name}: {detail}"));
        let received: Timestamp = field("received_at")?.parse()?;
        Ok(Self {
            no: field("challan_no")?.to_string(),
            seal_url: field("seal_url")?.to_string(),
            amount_paisa: detail["amount_paisa"].as_i64().ok_or("no amount_paisa")?,
            amount_after_due_paisa: detail["amount_after_due_paisa"].as_i64().ok_or("no amount_after_due_paisa")?,
            signed_at: Timestamp::from_second(received.as_second())?,
        })
    }

    /// The Base32 token at the end of the seal URL.
    fn token(&self) -> R<&str> {
        self.seal_url.rsplit_once("/V/").map(|(_, t)| t).ok_or_else(|| format!("{} has no /V/", self.seal_url).into())
    }

    fn cose(&self) -> R<Vec<u8>> {
        Ok(mahasil_seal::parse_qr(&self.seal_url)?)
    }
}

/// The installation's current trust list, as `mahasil verify` reads the exported file.
fn trust_of(demo: &Demo) -> R<mahasil_seal::TrustList> {
    let file = demo.export_trust_list("trust-now.json")?;
    let bundle: mahasil_server::seals::TrustBundle = serde_json::from_slice(&std::fs::read(file)?)?;
    Ok(bundle.open(None)?.0)
}

/// Issued challans of `officer.peshawar` with a seal and no cancellation request, newest
/// first (as the officer's token sees them).
async fn own_open_challans(demo: &Demo, bearer: &str, wanted: usize) -> R<Vec<Sealed>> {
    let mut found = Vec::new();
    for item in demo.issued_challans(bearer).await? {
        if found.len() == wanted {
            break;
        }
        if item["officer"].as_str() != Some(OFFICER) {
            continue;
        }
        let no = item["challan_no"].as_str().ok_or("challan without a number")?;
        let detail = demo.challan(bearer, no).await?;
        let untouched = detail["cancellation_requests"].as_array().is_some_and(Vec::is_empty);
        if untouched && detail["seal_url"].is_string() {
            found.push(Sealed::of(&detail)?);
        }
    }
    if found.len() < wanted {
        return Err(format!("only {} open challans of {OFFICER} in the demo; wanted {wanted}", found.len()).into());
    }
    Ok(found)
}

/// `PKR 5,000`, as `mahasil verify` (and the check page) print amounts.
fn rupees(paisa: i64) -> String {
    mahasil_domain::money::Paisa::new(paisa).map_or_else(|e| e.to_string(), |p| p.to_string())
}

/// The value of the signed-value row `label` in `mahasil verify`'s output (rows are
/// `  <label padded to 22> <value>`).
fn row<'a>(run: &'a Run, label: &str) -> Option<&'a str> {
    run.stdout.lines().filter_map(|l| l.strip_prefix("  ")).find(|l| l.get(..22).map(str::trim) == Some(label)).and_then(|l| l.get(23..))
}

/// Asserts `run` is a `valid` verification of `sealed` showing its number and amounts.
fn assert_valid(run: &Run, sealed: &Sealed) {
    assert_eq!((run.code, run.outcome()), (Some(0), Some("valid")), "{run}");
    assert_eq!(row(run, "number"), Some(sealed.no.as_str()), "{run}");
    assert_eq!(row(run, "amount after due date"), Some(rupees(sealed.amount_after_due_paisa).as_str()), "{run}");
    assert_eq!(row(run, "amount"), Some(rupees(sealed.amount_paisa).as_str()), "{run}");
}

fn assert_outcome(run: &Run, outcome: &str) {
    assert_eq!((run.code, run.outcome()), (Some(1), Some(outcome)), "{run}");
}

/// The QR code of `url` as a picture: level Q, whole modules of [`MODULE_PX`] pixels,
/// a quiet zone of [`QUIET_MODULES`] modules.
fn qr_picture(url: &str) -> R<image::GrayImage> {
    let code = mahasil_seal::qr_code(url)?;
    assert_eq!(code.error_correction_level(), qrcode::EcLevel::Q);
    let width = u32::try_from(code.width())?;
    let colors = code.to_colors();
    let side = (width + 2 * QUIET_MODULES) * MODULE_PX;
    let module = |x: u32| (x / MODULE_PX).checked_sub(QUIET_MODULES).filter(|&m| m < width);
    Ok(image::GrayImage::from_fn(side, side, |x, y| {
        let dark = match (module(x), module(y)) {
            (Some(mx), Some(my)) => colors.get((my * width + mx) as usize) == Some(&qrcode::Color::Dark),
            _ => false,
        };
        image::Luma([if dark { 0 } else { 255 }])
    }))
}

/// A PNG of `codes` side by side on white; a blank white one for none.
fn png(codes: &[image::GrayImage]) -> R<Vec<u8>> {
    let width = codes.iter().map(|c| c.width() + CODES_GAP_PX).sum::<u32>().max(200);
    let height = codes.iter().map(image::GrayImage::height).max().unwrap_or(200);
    let mut canvas = image::GrayImage::from_pixel(width, height, image::Luma([255]));
    let mut x = 0;
    for code in codes {
        image::imageops::replace(&mut canvas, code, i64::from(x), 0);
        x += code.width() + CODES_GAP_PX;
    }
    let mut out = Vec::new();
    canvas.write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)?;
    Ok(out)
}

/// Where `url`'s QR code is drawn in `picture` exactly, every module a square of whole
/// pixels: the symbol's top-left corner and the pixels per module.
fn find_code(picture: &image::GrayImage, url: &str) -> R<Option<(u32, u32, u32)>> {
    let code = mahasil_seal::qr_code(url)?;
    let width = u32::try_from(code.width())?;
    let colors = code.to_colors();
    let dark_module = |mx: u32, my: u32| colors.get((my * width + mx) as usize) == Some(&qrcode::Color::Dark);
    let dark_pixel = |x: u32, y: u32| picture.get_pixel(x, y).0[0] < 128;
    for scale in 1..=16u32 {
        let side = width * scale;
        if side > picture.width() || side > picture.height() {
            break;
        }
        for top in 0..=picture.height() - side {
            for left in 0..=picture.width() - side {
                // The top-left finder's corner is dark with light above and to the left.
                if !dark_pixel(left, top) || (left > 0 && dark_pixel(left - 1, top)) || (top > 0 && dark_pixel(left, top - 1)) {
                    continue;
                }
                let exact = (0..side).all(|dy| (0..side).all(|dx| dark_pixel(left + dx, top + dy) == dark_module(dx / scale, dy / scale)));
                if exact {
                    return Ok(Some((left, top, scale)));
                }
            }
        }
    }
    Ok(None)
}

/// Whether the `margin` pixels around the square at `left, top` of `side` are all light
/// and inside `picture`.
fn light_around(picture: &image::GrayImage, left: u32, top: u32, side: u32, margin: u32) -> bool {
    let (Some(x0), Some(y0)) = (left.checked_sub(margin), top.checked_sub(margin)) else { return false };
    let (x1, y1) = (left + side + margin, top + side + margin);
    if x1 > picture.width() || y1 > picture.height() {
        return false;
    }
    (y0..y1).all(|y| (x0..x1).all(|x| (x >= left && x < left + side && y >= top && y < top + side) || picture.get_pixel(x, y).0[0] >= 128))
}

/// `picture` enlarged `times` (each pixel a square) and saved as a JPEG of `quality`.
fn jpeg_of(picture: &image::GrayImage, times: u32, quality: u8) -> R<Vec<u8>> {
    let (width, height) = (picture.width() * times, picture.height() * times);
    let enlarged = image::imageops::resize(picture, width, height, image::imageops::FilterType::Nearest);
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, quality).encode_image(&enlarged)?;
    Ok(jpeg)
}

fn write(path: &Path, bytes: &[u8]) -> R<()> {
    std::fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()).into())
}

/// `paisa` with its leading decimal digit changed (1→2, …, 8→9, 9→1): one digit differs.
fn one_digit_changed(paisa: i64) -> R<i64> {
    let mut digits = paisa.to_string().into_bytes();
    let first = digits.first_mut().ok_or("no digits")?;
    *first = if *first == b'9' { b'1' } else { *first + 1 };
    Ok(String::from_utf8(digits)?.parse()?)
}

/// The seal `cose` with one digit of its amount changed: the payload re-encoded, the
/// original protected header and signature kept. Returns the forgery and its amount.
fn forged(cose: &[u8]) -> R<(Vec<u8>, i64)> {
    let original = coset::CoseSign1::from_slice(cose).map_err(|e| format!("the seal is not a COSE_Sign1: {e}"))?;
    let payload = original.payload.as_deref().ok_or("the seal's payload is detached")?;
    let mut claims = mahasil_seal::cwt::decode(payload)?;
    let amount = one_digit_changed(claims.amount_paisa.get())?;
    claims.amount_paisa = Paisa::new(amount)?;
    let forgery = coset::CoseSign1 {
        protected: original.protected.clone(),
        unprotected: original.unprotected.clone(),
        payload: Some(mahasil_seal::cwt::encode(&claims)?),
        signature: original.signature.clone(),
    };
    let bytes = forgery.to_vec().map_err(|e| format!("cannot encode the forgery: {e}"))?;
    let reread = coset::CoseSign1::from_slice(&bytes).map_err(|e| format!("the forgery does not decode: {e}"))?;
    assert_eq!(reread.protected.original_data, original.protected.original_data, "the protected header was kept byte for byte");
    assert_eq!(reread.signature, original.signature, "the signature was kept");
    assert_eq!(bytes.len(), cose.len(), "only a digit changed, not the length");
    assert_eq!(mahasil_seal::cwt::decode(reread.payload.as_deref().unwrap_or_default())?.amount_paisa.get(), amount);
    Ok((bytes, amount))
}

/// The private scalar inside a PKCS#8 P-256 key file (after `02 01 01 04 20`).
fn private_scalar(pkcs8: &[u8]) -> Option<&[u8]> {
    const MARK: [u8; 5] = [0x02, 0x01, 0x01, 0x04, 0x20];
    let at = pkcs8.windows(MARK.len()).position(|w| w == MARK)? + MARK.len();
    pkcs8.get(at..at + 32)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Every form a private key could leak in: raw, hex (either case) and Base64, of the
/// whole file and of the scalar alone.
fn leak_forms(pkcs8: &[u8]) -> R<Vec<Vec<u8>>> {
    let scalar = private_scalar(pkcs8).ok_or("a key file without a P-256 private scalar")?;
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b).into_bytes();
    let b64url = |b: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b).into_bytes();
    let mut forms = Vec::new();
    for part in [pkcs8, scalar] {
        forms.push(part.to_vec());
        forms.push(hex(part).into_bytes());
        forms.push(hex(part).to_ascii_uppercase().into_bytes());
        forms.push(b64(part));
        forms.push(b64url(part));
    }
    Ok(forms)
}

/// The `.pk8` files directly in `dir`.
fn key_files(dir: &Path) -> R<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_file() && path.extension().is_some_and(|e| e == "pk8") {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// Asserts no private key in `keys` (and `keys/retired`) shows in `said`.
fn assert_no_key_in(keys: &Path, said: &[u8], whose: &str) -> R<()> {
    let mut files = key_files(keys)?;
    if keys.join("retired").is_dir() {
        files.extend(key_files(&keys.join("retired"))?);
    }
    assert!(!files.is_empty(), "no key files in {}", keys.display());
    for file in files {
        for form in leak_forms(&std::fs::read(&file)?)? {
            assert!(!said.windows(form.len()).any(|w| w == form.as_slice()), "{whose} shows the private key of {}", file.display());
        }
    }
    Ok(())
}

/// One line of `mahasil keys list` per key: `KID  USAGE  issuer N  STATUS  from …`.
fn key_lines(list: &Run) -> Vec<&str> {
    list.stdout.lines().filter(|l| !l.starts_with("trust list version")).collect()
}

fn key_line<'a>(list: &'a Run, kid: &str) -> R<&'a str> {
    key_lines(list).into_iter().find(|l| l.starts_with(kid)).ok_or_else(|| format!("key {kid} is not listed:\n{list}").into())
}

/// The kid of this node's key for `usage`, from `keys list`.
fn node_kid(list: &Run, usage: &str) -> R<String> {
    key_lines(list)
        .into_iter()
        .find(|l| l.ends_with("(this node)") && l.split_whitespace().nth(1) == Some(usage))
        .and_then(|l| l.split_whitespace().next())
        .map(str::to_string)
        .ok_or_else(|| format!("no {usage} key of this node:\n{list}").into())
}

/// The first line of `keys list`: which trust list version it read.
fn trust_version(list: &Run) -> Option<&str> {
    list.stdout.lines().next()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_keeps_its_keys_owner_only_and_out_of_its_output() -> R {
    let demo = Demo::start(Some("debug")).await?;
    // Some ordinary traffic first, so the logs hold more than start-up.
    let bearer = demo.login(OFFICER).await?;
    let sealed = own_open_challans(&demo, &bearer, 1).await?.remove(0);
    demo.download(sealed.token()?, "notice-58.png").await?;

    let keys = demo.keys_dir();
    assert_eq!(std::fs::metadata(&keys)?.mode() & 0o777, 0o700, "{} is owner-only", keys.display());
    let files = key_files(&keys)?;
    let names: Vec<String> = files.iter().filter_map(|f| f.file_name()).map(|n| n.to_string_lossy().into_owned()).collect();
    assert!(names.iter().any(|n| n == "authority.pk8"), "a new installation makes its authority key: {names:?}");
    for usage in ["challan", "receipt", "status"] {
        assert_eq!(names.iter().filter(|n| n.starts_with(&format!("{usage}-"))).count(), 1, "one {usage} key: {names:?}");
    }
    for file in &files {
        assert_eq!(std::fs::metadata(file)?.mode() & 0o777, 0o600, "{} is owner-only", file.display());
    }

    let server = &demo.server;
    let said = server.output()?;
    assert!(text(&said).contains("mahasil is serving on"), "{}", text(&said));
    assert_no_key_in(&keys, &said, "the server's stdout or stderr")?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_downloaded_notice_verifies_offline() -> R {
    let demo = Demo::start(None).await?;
    let bearer = demo.login(OFFICER).await?;
    let page = demo.get_json("/api/v1/challans?status=issued&limit=5", &bearer).await?;
    let first = page["items"].as_array().and_then(|items| items.first()).ok_or("no issued challan in the demo")?;
    let no = first["challan_no"].as_str().ok_or("no challan_no")?;
    let sealed = Sealed::of(&demo.challan(&bearer, no).await?)?;
    assert!(sealed.seal_url.starts_with(&demo.server.base.to_ascii_uppercase()), "{}", sealed.seal_url);
    assert_eq!(sealed.seal_url, sealed.seal_url.to_ascii_uppercase(), "QR alphanumeric mode needs upper case");

    // No name, CNIC or phone number in the seal: QR codes get photographed.
    let detail = demo.challan(&bearer, no).await?;
    let claims = format!("{:?}", mahasil_seal::verify_qr(&sealed.seal_url, &trust_of(&demo)?, None).claims.ok_or("the seal has no claims")?);
    let cose = sealed.cose()?;
    for field in ["name", "cnic", "mobile"] {
        let value = detail["offender"][field].as_str().ok_or_else(|| format!("no offender {field}"))?;
        let digits: String = value.chars().filter(char::is_ascii_digit).collect();
        for shown in [value, digits.as_str()].into_iter().filter(|v| v.len() >= 5) {
            assert!(!claims.contains(shown), "the seal's claims hold the offender's {field}: {claims}");
            assert!(!cose.windows(shown.len()).any(|w| w == shown.as_bytes()), "the seal holds the offender's {field}");
        }
    }

    let (content_type, thermal) = demo.download(sealed.token()?, "notice-58.png").await?;
    assert_eq!(content_type, "image/png");
    assert!(thermal.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    let (content_type, pdf) = demo.download(sealed.token()?, "notice.pdf").await?;
    assert_eq!(content_type, "application/pdf");
    assert!(pdf.starts_with(b"%PDF"), "not a PDF: {:?}", &pdf[..pdf.len().min(16)]);

    // On 203 dpi thermal paper every module is a whole number of dots, at least four,
    // with four light modules around the symbol.
    let slip = image::load_from_memory(&thermal)?.to_luma8();
    let code = mahasil_seal::qr_code(&sealed.seal_url)?;
    assert!(matches!(code.version(), qrcode::Version::Normal(1..=13)), "the seal needs QR {:?}; aim for 13 at most", code.version());
    let (left, top, dots) = find_code(&slip, &sealed.seal_url)?.ok_or("the slip does not show the seal's QR code on whole dots")?;
    assert!(dots >= 4, "{dots} dots per module on the 58 mm slip");
    let side = u32::try_from(code.width())? * dots;
    assert!(light_around(&slip, left, top, side, QUIET_MODULES * dots), "no quiet zone of {QUIET_MODULES} modules around the QR code");

    let picture = demo.file("notice-58.png");
    write(&picture, &thermal)?;
    let trust = demo.export_trust_list("trust.json")?;
    let run = verify(&trust, None, path_str(&picture)?)?;
    assert_valid(&run, &sealed);
    assert!(run.stdout.contains("no revocation list"), "{run}");

    // The trust list as served to phones verifies the same picture.
    let served = demo.http.get(format!("{}/api/v1/trust-list", demo.server.base)).send().await?.bytes().await?;
    let served_file = demo.file("trust-served.json");
    write(&served_file, &served)?;
    assert_valid(&verify(&served_file, None, path_str(&picture)?)?, &sealed);

    // A photo is a JPEG with more pixels than the slip has dots.
    let photo = demo.file("notice-58.jpg");
    write(&photo, &jpeg_of(&slip, 2, 90)?)?;
    assert_valid(&verify(&trust, None, path_str(&photo)?)?, &sealed);

    // With no --trust-list, the installation's own list is read from its data directory.
    let local = Run::of(command().args(["verify", "--data", demo.data()?, path_str(&picture)?]).output()?);
    assert_valid(&local, &sealed);

    // The 80 mm slip carries the same seal.
    let (_, wide) = demo.download(sealed.token()?, "notice-80.png").await?;
    let wide_file = demo.file("notice-80.png");
    write(&wide_file, &wide)?;
    assert_valid(&verify(&trust, None, path_str(&wide_file)?)?, &sealed);

    // A verifier that pins the authority accepts only a list that authority signed.
    let bundle: Value = serde_json::from_slice(&std::fs::read(&trust)?)?;
    let authority = bundle["authority_kid"].as_str().ok_or("the trust list names no authority")?;
    assert_valid(&verify_with(&trust, None, &["--authority-kid", authority], path_str(&picture)?)?, &sealed);
    let run = verify_with(&trust, None, &["--authority-kid", "0000000000000000"], path_str(&picture)?)?;
    assert_eq!(run.code, Some(2), "{run}");
    assert!(run.stderr.contains("0000000000000000"), "{run}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_changed_amount_digit_breaks_the_signature() -> R {
    let demo = Demo::start(None).await?;
    let bearer = demo.login(OFFICER).await?;
    let sealed = own_open_challans(&demo, &bearer, 1).await?.remove(0);
    let trust = demo.export_trust_list("trust.json")?;
    let base = demo.server.base.as_str();

    // The genuine seal drawn by this test's renderer verifies: the renderer is sound.
    let genuine = demo.file("genuine.png");
    write(&genuine, &png(&[qr_picture(&mahasil_seal::qr_url(base, &sealed.cose()?))?])?)?;
    assert_valid(&verify(&trust, None, path_str(&genuine)?)?, &sealed);

    let (forgery, amount) = forged(&sealed.cose()?)?;
    assert_ne!(amount, sealed.amount_paisa);
    let picture = demo.file("forged.png");
    write(&picture, &png(&[qr_picture(&mahasil_seal::qr_url(base, &forgery))?])?)?;
    let run = verify(&trust, None, path_str(&picture)?)?;
    assert_outcome(&run, "invalid-signature");
    assert!(run.stdout.contains("NOT trustworthy"), "the forged values are shown as untrusted: {run}");
    assert_eq!(row(&run, "amount"), Some(rupees(amount).as_str()), "{run}");

    let token = mahasil_seal::token::token(&forgery);
    assert_outcome(&verify(&trust, None, &token)?, "invalid-signature");

    // Signed for real, but by the wrong key: this node's receipt key may not seal a
    // challan, and a key the authority never listed is unknown.
    let claims = mahasil_seal::cwt::decode(&coset::CoseSign1::from_slice(&sealed.cose()?).map_err(|e| e.to_string())?.payload.unwrap_or_default())?;
    let receipt_key = key_files(&demo.keys_dir())?
        .into_iter()
        .find(|f| f.file_name().is_some_and(|n| n.to_string_lossy().starts_with("receipt-")))
        .ok_or("no receipt key file")?;
    let receipt_key = mahasil_seal::SigningKey::from_pkcs8(&std::fs::read(receipt_key)?)?;
    let run = verify(&trust, None, &mahasil_seal::token::token(&receipt_key.sign(&claims)?))?;
    assert_outcome(&run, "key-not-valid-for-this-use");
    let stranger = mahasil_seal::SigningKey::from_pkcs8(&mahasil_seal::SigningKey::generate_pkcs8()?)?;
    assert_outcome(&verify(&trust, None, &mahasil_seal::token::token(&stranger.sign(&claims)?))?, "unknown-key");

    // The server's check says the same, and offers no notice for the forgery.
    let online = demo.http.get(format!("{base}/api/v1/verify/{token}")).send().await?.json::<Value>().await?;
    assert_eq!(online["outcome"].as_str(), Some("invalid-signature"), "{online}");
    let resp = demo.http.get(format!("{base}/V/{token}/notice-58.png")).send().await?;
    assert_eq!(resp.status(), reqwest::StatusCode::NOT_FOUND);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_challan_is_revoked_where_the_revocation_list_is_known() -> R {
    let demo = Demo::start(None).await?;
    let officer = demo.login(OFFICER).await?;
    let sealed = own_open_challans(&demo, &officer, 1).await?.remove(0);
    let (_, thermal) = demo.download(sealed.token()?, "notice-58.png").await?;
    let picture = demo.file("notice-58.png");
    write(&picture, &thermal)?;
    let trust = demo.export_trust_list("trust.json")?;
    let picture = path_str(&picture)?;

    // Before: the challan is on no revocation list, but every demo challan cancelled so
    // far (approved cancellations, quashed contests) is.
    let before = demo.file("revocations-before.json");
    let run = demo.keys(&["export-revocations", path_str(&before)?])?;
    assert_eq!(run.code, Some(0), "{run}");
    assert_valid(&verify(&trust, Some(&before), picture)?, &sealed);
    let auditor = demo.login("auditor").await?;
    let cancelled = demo.get_json("/api/v1/challans?status=cancelled&limit=200", &auditor).await?;
    let cancelled = cancelled["items"].as_array().ok_or("no items")?;
    assert!(!cancelled.is_empty(), "the demo has cancelled challans");
    for item in cancelled {
        let earlier = Sealed::of(&demo.challan(&auditor, item["challan_no"].as_str().ok_or("no number")?).await?)?;
        assert_outcome(&verify(&trust, Some(&before), &earlier.seal_url)?, "revoked");
    }
    let listed = |file: &Path| -> R<u64> {
        let signed: Value = serde_json::from_slice(&std::fs::read(file)?)?;
        signed["entries"].as_u64().ok_or_else(|| format!("no entries in {}", file.display()).into())
    };
    assert_eq!(listed(&before)?, u64::try_from(cancelled.len())?, "one entry per cancelled challan");

    let reason = "Duplicate: a challan for the same violation was issued minutes earlier";
    let request = demo.post_json(&format!("/api/v1/challans/{}/cancellation-requests", sealed.no), &officer, &json!({"reason": reason})).await?;
    let id = request["id"].as_str().ok_or("the request has no id")?;
    let supervisor = demo.login(SUPERVISOR).await?;
    let decided = demo.post_json(&format!("/api/v1/cancellation-requests/{id}/approve"), &supervisor, &json!({"note": "Duplicate confirmed"})).await?;
    assert_eq!(decided["state"].as_str(), Some("approved"), "{decided}");
    assert_eq!(demo.challan(&officer, &sealed.no).await?["status"].as_str(), Some("cancelled"));

    let exported = demo.file("revocations.json");
    let run = demo.keys(&["export-revocations", path_str(&exported)?])?;
    assert_eq!(run.code, Some(0), "{run}");
    assert_eq!(listed(&exported)?, listed(&before)? + 1);
    let run = verify(&trust, Some(&exported), picture)?;
    assert_outcome(&run, "revoked");
    assert!(run.stdout.contains("revocation list version"), "{run}");

    let served = demo.http.get(format!("{}/api/v1/revocations?since=0", demo.server.base)).send().await?.bytes().await?;
    let served_file = demo.file("revocations-served.json");
    write(&served_file, &served)?;
    assert_outcome(&verify(&trust, Some(&served_file), picture)?, "revoked");

    // A delta holds only what changed: not enough to check offline, and said so.
    let since: Value = serde_json::from_slice(&std::fs::read(&before)?)?;
    let since = since["version"].as_u64().ok_or("no version")?;
    let delta = demo.http.get(format!("{}/api/v1/revocations?since={since}", demo.server.base)).send().await?.bytes().await?;
    let delta_file = demo.file("revocations-delta.json");
    write(&delta_file, &delta)?;
    assert_eq!(listed(&delta_file)?, 1, "{}", text(&delta));
    let run = verify(&trust, Some(&delta_file), picture)?;
    assert_eq!(run.code, Some(2), "{run}");
    assert!(run.stderr.contains("delta") && run.stderr.contains(path_str(&delta_file)?), "{run}");

    // Offline without the list there is no way to know: still valid.
    assert_valid(&verify(&trust, None, picture)?, &sealed);
    // Online, the server knows at once.
    let online = demo.http.get(format!("{}/api/v1/verify/{}", demo.server.base, sealed.token()?)).send().await?.json::<Value>().await?;
    assert_eq!(online["outcome"].as_str(), Some("revoked"), "{online}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pictures_without_exactly_one_code_are_malformed() -> R {
    let demo = Demo::start(None).await?;
    let bearer = demo.login(OFFICER).await?;
    let two = own_open_challans(&demo, &bearer, 2).await?;
    let trust = demo.export_trust_list("trust.json")?;

    let blank = demo.file("blank.png");
    write(&blank, &png(&[])?)?;
    assert_outcome(&verify(&trust, None, path_str(&blank)?)?, "malformed");

    // Each code alone verifies; side by side the verifier must not guess which was meant.
    let codes = [qr_picture(&two[0].seal_url)?, qr_picture(&two[1].seal_url)?];
    for (code, sealed) in codes.iter().zip(&two) {
        let one = demo.file(&format!("one-{}.png", sealed.no));
        write(&one, &png(std::slice::from_ref(code))?)?;
        assert_valid(&verify(&trust, None, path_str(&one)?)?, sealed);
    }
    let both = demo.file("two-codes.png");
    write(&both, &png(&codes)?)?;
    let run = verify(&trust, None, path_str(&both)?)?;
    assert_outcome(&run, "malformed");
    assert!(run.stdout.contains("more than one QR code"), "{run}");

    let not_a_picture = demo.file("notes.png");
    write(&not_a_picture, b"not a picture at all")?;
    assert_outcome(&verify(&trust, None, path_str(&not_a_picture)?)?, "malformed");

    // A path that does not exist is read as the QR text itself, which is no token.
    let missing = demo.file("no-such-dir/notice-58.png");
    assert_outcome(&verify(&trust, None, path_str(&missing)?)?, "malformed");
    Ok(())
}

#[test]
fn an_unreadable_trust_list_stops_verification_and_is_named() -> R {
    let dir = tempfile::tempdir()?;
    let missing = dir.path().join("missing-trust.json");
    let garbage = dir.path().join("garbage-trust.json");
    write(&garbage, b"{\"version\": \"not a trust list\"")?;
    let forged_bundle = dir.path().join("forged-trust.json");
    write(&forged_bundle, br#"{"version":1,"authority_kid":"0011223344556677","authority_public_key":"04","document":"AAAA"}"#)?;
    let a_directory = dir.path().to_path_buf();
    for list in [&missing, &garbage, &forged_bundle, &a_directory] {
        let run = verify(list, None, "HTTP://127.0.0.1:8080/V/AAAA")?;
        assert_eq!(run.code, Some(2), "{}: {run}", list.display());
        assert!(run.stderr.contains(path_str(list)?), "the message names {}: {run}", list.display());
        assert_eq!(run.outcome(), None, "no outcome without a trust list: {run}");
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotation_keeps_old_seals_valid_and_compromise_revokes_later_ones() -> R {
    let demo = Demo::start(None).await?;
    let bearer = demo.login(OFFICER).await?;
    // Two challans signed by the first challan key: `older` before `newer`.
    let mut sealed = own_open_challans(&demo, &bearer, 2).await?;
    sealed.sort_by_key(|s| s.signed_at);
    let (older, newer) = (&sealed[0], &sealed[1]);
    assert!(older.signed_at < newer.signed_at, "{} and {} were signed in the same second", older.no, newer.no);
    let (_, thermal) = demo.download(older.token()?, "notice-58.png").await?;
    let picture = demo.file("older-58.png");
    write(&picture, &thermal)?;
    let picture = path_str(&picture)?;
    let keys_dir = demo.keys_dir();

    let list = demo.keys(&["list"])?;
    assert_eq!(list.code, Some(0), "{list}");
    let mine: Vec<&str> = key_lines(&list).into_iter().filter(|l| l.ends_with("(this node)")).collect();
    assert_eq!(mine.len(), 3, "three keys of this node: {list}");
    for usage in ["challan", "receipt", "status"] {
        let kid = node_kid(&list, usage)?;
        assert!(key_line(&list, &kid)?.contains(" active "), "{list}");
        assert!(keys_dir.join(format!("{usage}-{kid}.pk8")).is_file(), "{usage} key file of {kid}");
    }
    let old = node_kid(&list, "challan")?;
    let (receipt, status) = (node_kid(&list, "receipt")?, node_kid(&list, "status")?);
    let before = verify(&demo.export_trust_list("trust-1.json")?, None, picture)?;
    assert_valid(&before, older);
    assert_eq!(before.signer(), Some(old.as_str()));

    // Rotation while the server runs.
    let rotated = demo.keys(&["rotate", "--usage", "challan"])?;
    assert_eq!(rotated.code, Some(0), "{rotated}");
    let list = demo.keys(&["list"])?;
    let new = node_kid(&list, "challan")?;
    assert_ne!(new, old, "a new challan key: {list}");
    assert!(key_line(&list, &old)?.contains(" retired "), "{list}");
    assert!(!key_line(&list, &old)?.ends_with("(this node)"), "{list}");
    assert!(key_line(&list, &new)?.contains(" active "), "{list}");
    assert_eq!((node_kid(&list, "receipt")?, node_kid(&list, "status")?), (receipt, status), "only the challan key rotated");
    assert!(!keys_dir.join(format!("challan-{old}.pk8")).exists(), "the old key file left the key directory");
    let retired_file = keys_dir.join("retired").join(format!("challan-{old}.pk8"));
    assert!(retired_file.is_file(), "the old key file is in retired/");
    assert_eq!(std::fs::metadata(keys_dir.join("retired"))?.mode() & 0o777, 0o700);
    assert_eq!(std::fs::metadata(&retired_file)?.mode() & 0o777, 0o600);
    assert!(keys_dir.join(format!("challan-{new}.pk8")).is_file());

    let trust = demo.export_trust_list("trust-2.json")?;
    assert_valid(&verify(&trust, None, picture)?, older);
    assert_valid(&verify(&trust, None, &newer.seal_url)?, newer);

    // The running server picks the new key up within seconds; a verifier holding the
    // list from before the rotation does not know that key.
    let fresh = issue_until_signed_by(&demo, &bearer, &trust, &new).await?;
    assert_outcome(&verify(&demo.file("trust-1.json"), None, &fresh)?, "unknown-key");

    let at = newer.signed_at.to_string();
    let compromised = demo.keys(&["compromise", &old, "--at", &at])?;
    assert_eq!(compromised.code, Some(0), "{compromised}");
    let list = demo.keys(&["list"])?;
    assert!(key_line(&list, &old)?.contains(&format!("compromised from {at}")), "{list}");
    let trust = demo.export_trust_list("trust-3.json")?;
    // Signed at the compromise time: revoked. Signed before it: still valid.
    let run = verify(&trust, None, &newer.seal_url)?;
    assert_outcome(&run, "revoked");
    assert_eq!(run.signer(), Some(old.as_str()));
    assert_valid(&verify(&trust, None, picture)?, older);
    // The new key is untouched.
    assert_eq!(verify(&trust, None, &fresh)?.outcome(), Some("valid"));
    // The running server's own check follows the compromise within seconds.
    assert_eq!(online_outcome_soon(&demo, newer.token()?, "revoked").await?, "revoked");
    assert_eq!(online_outcome_soon(&demo, older.token()?, "valid").await?, "valid");

    let said = [rotated.stdout, rotated.stderr, compromised.stdout, compromised.stderr, list.stdout, list.stderr].concat();
    assert_no_key_in(&keys_dir, said.as_bytes(), "mahasil keys")?;
    Ok(())
}

/// Issues challans until one is sealed by `kid` (the server re-reads its keys every few
/// seconds); its seal URL.
async fn issue_until_signed_by(demo: &Demo, bearer: &str, trust: &Path, kid: &str) -> R<String> {
    let deadline = Instant::now() + Duration::from_secs(20);
    for i in 0..u32::MAX {
        let body = json!({
            "head_code": "DA-ENC-01", "district": "peshawar",
            "offender": {"name": "Seal Test", "cnic": format!("61101-{:07}-3", 4_200_000 + i), "mobile": "0300-1234567"},
            "location": {"lat": 34.0, "lon": 71.5, "text": "Saddar"}
        });
        let issued = demo.post_json("/api/v1/challans", bearer, &body).await?;
        let url = issued["seal_url"].as_str().ok_or_else(|| format!("issued without a seal: {issued}"))?;
        let run = verify(trust, None, url)?;
        assert_eq!(run.outcome(), Some("valid"), "a challan issued during rotation: {run}");
        if run.signer() == Some(kid) {
            return Ok(url.to_string());
        }
        if Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    Err(format!("the server did not sign with the new key {kid} within 20 s").into())
}

/// The server's `/api/v1/verify` outcome for `token`, polled until it is `expected` or
/// 20 s have passed (a running server re-reads the trust list every few seconds).
async fn online_outcome_soon(demo: &Demo, token: &str, expected: &str) -> R<String> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let answer: Value = demo.http.get(format!("{}/api/v1/verify/{token}", demo.server.base)).send().await?.json().await?;
        let outcome = answer["outcome"].as_str().ok_or_else(|| format!("no outcome: {answer}"))?.to_string();
        if outcome == expected || Instant::now() > deadline {
            return Ok(outcome);
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// A fresh installation in a temporary directory, its keys enrolled by `keys list`.
fn installation() -> R<tempfile::TempDir> {
    let dir = tempfile::tempdir()?;
    let run = mahasil(&["keys", "list", "--data", path_str(dir.path())?])?;
    assert_eq!(run.code, Some(0), "{run}");
    Ok(dir)
}

fn set_mode(path: &Path, mode: u32) -> R<()> {
    use std::os::unix::fs::PermissionsExt;
    Ok(std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?)
}

#[test]
fn a_key_directory_others_may_read_is_refused() -> R {
    let dir = tempfile::tempdir()?;
    let data = path_str(dir.path())?;
    let keys = dir.path().join("keys");
    std::fs::create_dir(&keys)?;
    set_mode(&keys, 0o755)?;
    let run = mahasil(&["keys", "list", "--data", data])?;
    assert_eq!(run.code, Some(2), "{run}");
    assert!(run.stderr.contains(path_str(&keys)?) && run.stderr.contains("chmod 700"), "{run}");
    assert!(key_files(&keys)?.is_empty(), "no key was written into a shared directory");

    // The same installation with an existing key directory that became shared.
    let dir = installation()?;
    let keys = dir.path().join("keys");
    set_mode(&keys, 0o750)?;
    let run = mahasil(&["keys", "list", "--data", path_str(dir.path())?])?;
    assert_eq!(run.code, Some(2), "{run}");
    assert!(run.stderr.contains("chmod 700"), "{run}");
    Ok(())
}

#[test]
fn a_key_file_others_may_read_is_refused() -> R {
    let dir = installation()?;
    let data = path_str(dir.path())?;
    let before = mahasil(&["keys", "list", "--data", data])?;
    let exposed_kid = node_kid(&before, "challan")?;
    let exposed = dir.path().join("keys").join(format!("challan-{exposed_kid}.pk8"));
    set_mode(&exposed, 0o644)?;

    let run = mahasil(&["keys", "list", "--data", data])?;
    assert_eq!(run.code, Some(2), "a key others may have read is refused, not quietly replaced: {run}");
    assert!(run.stderr.contains(path_str(&exposed)?) && run.stderr.contains("chmod 600"), "{run}");

    set_mode(&exposed, 0o600)?;
    let after = mahasil(&["keys", "list", "--data", data])?;
    assert_eq!(key_lines(&after), key_lines(&before), "no key was enrolled or changed meanwhile:\n{after}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_jpeg_of_the_thermal_slip_at_its_own_size_is_read() -> R {
    let demo = Demo::start(None).await?;
    let bearer = demo.login(OFFICER).await?;
    let trust = demo.export_trust_list("trust.json")?;
    let mut unread = Vec::new();
    for sealed in own_open_challans(&demo, &bearer, 12).await? {
        let (_, thermal) = demo.download(sealed.token()?, "notice-58.png").await?;
        let slip = image::load_from_memory(&thermal)?.to_luma8();
        for quality in [80, 85] {
            let photo = demo.file(&format!("{}-q{quality}.jpg", sealed.no));
            write(&photo, &jpeg_of(&slip, 1, quality)?)?;
            let run = verify(&trust, None, path_str(&photo)?)?;
            if run.outcome() != Some("valid") {
                unread.push(format!("{} at quality {quality}: {}", sealed.no, run.stdout.lines().nth(1).unwrap_or_default()));
            }
        }
    }
    assert!(unread.is_empty(), "{} of 24 JPEG slips were not read:\n{}", unread.len(), unread.join("\n"));
    Ok(())
}

#[test]
fn compromise_refuses_what_is_not_a_listed_kid() -> R {
    let dir = tempfile::tempdir()?;
    let data = path_str(dir.path())?;
    let list = mahasil(&["keys", "list", "--data", data])?;
    assert_eq!(list.code, Some(0), "{list}");

    let run = mahasil(&["keys", "compromise", "nothex", "--data", data])?;
    assert_eq!(run.code, Some(2), "{run}");
    assert!(run.stderr.contains("\"nothex\" is not a kid (16 hex digits)"), "{run}");
    let run = mahasil(&["keys", "compromise", "00112233445566778899", "--data", data])?;
    assert_eq!(run.code, Some(2), "{run}");
    assert!(run.stderr.contains("16 hex digits"), "{run}");
    let run = mahasil(&["keys", "compromise", "0011223344556677", "--data", data])?;
    assert_eq!(run.code, Some(2), "{run}");
    assert!(run.stderr.contains("0011223344556677 is not in the trust list"), "{run}");

    let after = mahasil(&["keys", "list", "--data", data])?;
    assert_eq!(trust_version(&after), trust_version(&list), "nothing was published:\n{after}");
    Ok(())
}
