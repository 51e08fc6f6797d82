//! The citizen pages through the router on a real SQLite store: the look-up by the last 4
//! digits of the CNIC or mobile and its limits, links that cannot be forged or outlive
//! their 30 minutes, the challan page, contests, receipts, and online payment against the
//! real sandbox gateway on loopback — the payer's round trip, callbacks (repeated and
//! forged), a declined card, and a late success found by the re-check job.

mod web_support;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use jiff::{SignedDuration, Timestamp};
use mahasil_domain::challan::ChallanStatus;
use mahasil_domain::challan_no::ChallanNo;
use mahasil_domain::jurisdiction::Slug;
use mahasil_domain::time::local_date;
use mahasil_gateway::client::GatewayClient;
use mahasil_gateway::protocol::{CallbackEvent, PaymentStatus};
use mahasil_gateway::sandbox::{self, Fraction, SandboxConfig};
use mahasil_gateway::signing::{CALLBACK_SIGNATURE_HEADER, CALLBACK_TIMESTAMP_HEADER, sign_callback};
use mahasil_ledger::{Channel, Clearing};
use mahasil_server::citizen::{self, GatewayAccount, pay_path, recheck_once};
use mahasil_server::testing::OFFICER;
use mahasil_store::{Actor, ChallanRecord, NewPayment, OnlinePayment, OnlineStatus, PaymentOutcome};
use tower::ServiceExt;
use uuid::Uuid;
use web_support::{Page, R, Web, form_body, http_exchange, issue_as};

const CNIC: &str = "17301-1234567-1";
const CNIC_LAST4: &str = "5671";
/// `issue_as` gives every offender mobile 0301-7654321.
const MOBILE_LAST4: &str = "4321";
const SUCCESS_CARD: &str = "4242 4242 4242 4242";
const DECLINED_CARD: &str = "4000 0000 0000 0002";
const LATE_SUCCESS_CARD: &str = "4000 0000 0000 0259";

/// The application with one router kept for the whole test (the look-up limits live in
/// it), served on loopback when a gateway must reach its callback URL.
struct Portal {
    web: Web,
    app: Router,
    /// `http://127.0.0.1:PORT`, the public base URL, when served.
    base: String,
    gateway: Option<SocketAddr>,
}

impl Portal {
    /// Without a payment gateway.
    async fn new() -> R<Self> {
        let web = Web::new().await?;
        let app = mahasil_server::router(web.state.clone());
        Ok(Self { web, app, base: String::new(), gateway: None })
    }

    /// Served on loopback, with the sandbox gateway set up by `config` (its defaults are
    /// the demo's) and its callbacks coming to this server.
    async fn with_gateway(config: SandboxConfig) -> R<Self> {
        let mut web = Web::new().await?;
        let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
        let base = format!("http://{}", listener.local_addr()?);
        let (gateway, _serving) = sandbox::spawn(config.clone()).await?;
        let mut server_config = (*web.state.config).clone();
        server_config.public_base_url = base.clone();
        server_config.gateway = Some(GatewayAccount { name: Slug::parse("sandbox")?, callback_secret: config.secret.clone() });
        web.state.config = Arc::new(server_config);
        web.state.gateway = Some(Arc::new(GatewayClient::new(&format!("http://{gateway}"), config.merchant_id.clone(), config.secret.clone())?));
        let app = mahasil_server::router(web.state.clone());
        let served = app.clone();
        tokio::spawn(async move { axum::serve(listener, served).await });
        Ok(Self { web, app, base, gateway: Some(gateway) })
    }

    async fn send(&self, method: Method, uri: &str, headers: &[(&str, &str)], form: Option<&[(&str, &str)]>) -> R<Page> {
        let mut req = Request::builder().method(method).uri(uri);
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        let req = match form {
            Some(pairs) => req.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded").body(Body::from(form_body(pairs)))?,
            None => req.body(Body::empty())?,
        };
        let resp = self.app.clone().oneshot(req).await?;
        let (status, headers) = (resp.status(), resp.headers().clone());
        let bytes = resp.into_body().collect().await?.to_bytes();
        Ok(Page { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() })
    }

    async fn get(&self, uri: &str) -> R<Page> {
        self.send(Method::GET, uri, &[], None).await
    }

    async fn post(&self, uri: &str, form: &[(&str, &str)]) -> R<Page> {
        self.send(Method::POST, uri, &[], Some(form)).await
    }

    /// A look-up from `client` (its `X-Forwarded-For`).
    async fn look_up(&self, client: &str, challan_no: &str, last4: &str) -> R<Page> {
        self.send(Method::POST, "/pay", &[("x-forwarded-for", client)], Some(&[("challan_no", challan_no), ("last4", last4)])).await
    }

    async fn issue(&self) -> R<ChallanRecord> {
        issue_as(&self.web, OFFICER, "DA-ENC-01", None, CNIC, Timestamp::now()).await
    }

    async fn challan(&self, c: &ChallanRecord) -> R<ChallanRecord> {
        Ok(self.web.state.store.challan(c.id).await?.ok_or("challan gone")?)
    }

    async fn standing_payments(&self, c: &ChallanRecord) -> R<Vec<mahasil_store::PaymentRecord>> {
        Ok(self.web.state.store.challan_payments(c.id).await?.into_iter().filter(|p| p.is_standing()).collect())
    }

    async fn online(&self, c: &ChallanRecord) -> R<Vec<OnlinePayment>> {
        Ok(self.web.state.store.challan_online_payments(c.id).await?)
    }

    fn gateway_addr(&self) -> R<SocketAddr> {
        Ok(self.gateway.ok_or("no gateway")?)
    }

    /// Presses Pay online on the challan's page: the gateway's hosted page it leads to.
    async fn start_online(&self, c: &ChallanRecord) -> R<String> {
        let path = pay_path(c.challan_no, Timestamp::now());
        let k = link_key(&path)?;
        let answer = self.post(&format!("/pay/{}/online", c.challan_no.digits()), &[("k", &k)]).await?;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
        assert_eq!(answer.headers.get(header::REFERRER_POLICY).map(|v| v.as_bytes()), Some(&b"no-referrer"[..]));
        let hosted = answer.location().to_string();
        assert!(hosted.starts_with(&format!("http://{}/pay/", self.gateway_addr()?)), "{hosted}");
        Ok(hosted)
    }

    /// Pays on the hosted page with `card`: where the gateway sends the browser back to.
    async fn pay_at_gateway(&self, hosted: &str, card: &str) -> R<String> {
        let gateway = self.gateway_addr()?;
        let path = hosted.strip_prefix(&format!("http://{gateway}")).ok_or("hosted page elsewhere")?;
        let page = http_exchange(gateway, "GET", path, None).await?;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(page.body.contains("PKR 5,000.00"), "{}", page.body);
        let paid = http_exchange(gateway, "POST", path, Some(&[("action", "pay"), ("card_number", card)])).await?;
        assert_eq!(paid.status, StatusCode::SEE_OTHER, "{}", paid.body);
        let back = paid.location().to_string();
        Ok(back.strip_prefix(&self.base).ok_or_else(|| format!("{back} is not back here"))?.to_string())
    }

    /// What the gateway says of the challan's newest online payment.
    async fn gateway_status(&self, c: &ChallanRecord) -> R<PaymentStatus> {
        let online = self.online(c).await?;
        let id = online.last().and_then(|o| o.gateway_payment_id.clone()).ok_or("no gateway payment")?;
        let client = self.web.state.gateway.as_ref().ok_or("no gateway")?;
        Ok(client.payment_status(&id).await?)
    }

    /// Delivers `body` as the gateway would, signed with `secret` at `timestamp`.
    async fn post_callback(&self, body: &[u8], secret: &str, timestamp: i64) -> R<Page> {
        let timestamp = timestamp.to_string();
        let signature = sign_callback(secret, &timestamp, body);
        self.post_signed_callback(body, &timestamp, &signature).await
    }

    async fn post_signed_callback(&self, body: &[u8], timestamp: &str, signature: &str) -> R<Page> {
        let req = Request::builder()
            .method(Method::POST)
            .uri("/gateway/callback")
            .header(header::CONTENT_TYPE, "application/json")
            .header(CALLBACK_TIMESTAMP_HEADER, timestamp)
            .header(CALLBACK_SIGNATURE_HEADER, signature)
            .body(Body::from(body.to_vec()))?;
        let resp = self.app.clone().oneshot(req).await?;
        let (status, headers) = (resp.status(), resp.headers().clone());
        let bytes = resp.into_body().collect().await?.to_bytes();
        Ok(Page { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() })
    }
}

fn link_key(path: &str) -> R<String> {
    Ok(path.split_once("?k=").ok_or("no k in the link")?.1.to_string())
}

/// A sandbox that calls back at once and decides late successes quickly.
fn quick_sandbox() -> SandboxConfig {
    SandboxConfig { callback_delay_ms: 0, callback_retry_ms: 50, late_success_ms: 300, seed: Some(7), ..SandboxConfig::default() }
}

/// A sandbox whose callbacks never come: only the payer's return and the re-check remain.
fn silent_sandbox() -> SandboxConfig {
    SandboxConfig { drop_callbacks: Fraction::ALWAYS, ..quick_sandbox() }
}

/// Waits until `check` holds, for at most five seconds.
async fn eventually<F, Fut>(what: &str, mut check: F) -> R
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = R<bool>>,
{
    for _ in 0..100 {
        if check().await? {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Err(format!("gave up waiting: {what}").into())
}

#[tokio::test]
async fn the_last_4_of_the_cnic_or_of_the_mobile_open_the_challan_page() -> R {
    let p = Portal::new().await?;
    let c = p.issue().await?;
    let form = p.get("/pay").await?;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("name=\"challan_no\"") && form.body.contains("name=\"last4\"") && form.body.contains("lang=\"ur\""), "{}", form.body);
    assert!(form.headers.get(header::CONTENT_SECURITY_POLICY).is_some());

    for (typed, last4) in [(c.challan_no.to_string(), CNIC_LAST4), (c.challan_no.digits(), MOBILE_LAST4)] {
        let found = p.look_up("198.51.100.1", &typed, last4).await?;
        assert_eq!(found.status, StatusCode::SEE_OTHER, "{typed} {last4}: {}", found.body);
        let location = found.location().to_string();
        assert!(location.starts_with(&format!("/pay/{}?k=", c.challan_no.digits())), "{location}");
        let page = p.get(&location).await?;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(page.body.contains(&c.challan_no.to_string()));
        assert!(page.body.contains("DA-ENC-01 title") && page.body.contains("عنوان"), "the head's titles in both languages");
        assert!(page.body.contains("PKR 5,000") && page.body.contains("PKR 6,000"), "amounts within and after the due date");
        assert!(page.body.contains(&c.due_date.to_string()));
        assert!(page.body.contains("data-status=\"issued\""), "{}", page.body);
        assert!(page.body.contains("id=\"due-today\" data-paisa=\"500000\""), "{}", page.body);
        // Only the last 4 digits of the CNIC and mobile are shown.
        assert!(page.body.contains("•••••-••••567-1"), "{}", page.body);
        assert!(!page.body.contains(CNIC) && !page.body.contains("7654321") && !page.body.contains("Sher Ali"));
        assert_eq!(page.headers.get(header::REFERRER_POLICY).map(|v| v.as_bytes()), Some(&b"no-referrer"[..]));
        assert_eq!(page.headers.get(header::CACHE_CONTROL).map(|v| v.as_bytes()), Some(&b"no-store"[..]));
        assert!(!page.body.contains("/online\""), "no gateway here: no Pay online form");
        assert!(page.body.contains(&format!("action=\"/pay/{}/contest\"", c.challan_no.digits())));
    }
    Ok(())
}

#[tokio::test]
async fn a_wrong_combination_says_only_that_nothing_matches() -> R {
    let p = Portal::new().await?;
    let c = p.issue().await?;
    let wrong_digits = p.look_up("198.51.100.2", &c.challan_no.to_string(), "0000").await?;
    let unknown_number = ChallanNo::new(c.challan_no.issuer(), 99_999)?;
    let wrong_number = p.look_up("198.51.100.2", &unknown_number.to_string(), CNIC_LAST4).await?;
    for answer in [&wrong_digits, &wrong_number] {
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{}", answer.body);
        assert!(answer.body.contains("No challan matches this number and these digits"), "{}", answer.body);
        assert!(answer.location().is_empty());
    }
    // The same page either way, but for the number typed back into the form.
    assert_eq!(wrong_digits.body.replace(&c.challan_no.to_string(), "N"), wrong_number.body.replace(&unknown_number.to_string(), "N"));

    // Malformed input names its field (and is not counted as a guess).
    let mut mistyped = c.challan_no.digits().into_bytes();
    mistyped[14] = b'0' + (mistyped[14] - b'0' + 1) % 10;
    let bad_number = p.look_up("198.51.100.2", std::str::from_utf8(&mistyped)?, CNIC_LAST4).await?;
    assert_eq!(bad_number.status, StatusCode::BAD_REQUEST);
    assert!(bad_number.body.contains("id=\"challan_no-error\"") && bad_number.body.contains("check digit"), "{}", bad_number.body);
    for last4 in ["", "123", "12345", "12a4"] {
        let bad = p.look_up("198.51.100.2", &c.challan_no.to_string(), last4).await?;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{last4:?}");
        assert!(bad.body.contains("id=\"last4-error\""), "{}", bad.body);
    }
    let unreadable = p.send(Method::POST, "/pay", &[(header::CONTENT_TYPE.as_str(), "application/json")], None).await?;
    assert!(unreadable.status.is_client_error(), "{}", unreadable.status);
    Ok(())
}

#[tokio::test]
async fn failed_look_ups_are_limited_per_challan_number() -> R {
    let p = Portal::new().await?;
    let c = p.issue().await?;
    for i in 0..citizen::MAX_FAILED_LOOKUPS_PER_CHALLAN {
        let answer = p.look_up(&format!("203.0.113.{i}"), &c.challan_no.to_string(), &format!("{:04}", 1000 + i)).await?;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "guess {i}");
    }
    // From yet another address, and even with the right digits: the number rests.
    let limited = p.look_up("203.0.113.200", &c.challan_no.to_string(), CNIC_LAST4).await?;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS, "{}", limited.body);
    assert!(limited.body.contains("Too many attempts") && limited.body.contains("بہت زیادہ کوششیں"), "{}", limited.body);
    let retry_after: i64 = limited.headers.get(header::RETRY_AFTER).ok_or("no Retry-After")?.to_str()?.parse()?;
    assert!((1..=citizen::LOOKUP_WINDOW_SECS).contains(&retry_after), "{retry_after}");
    // Another challan is not affected.
    let other = p.issue().await?;
    assert_eq!(p.look_up("203.0.113.200", &other.challan_no.to_string(), CNIC_LAST4).await?.status, StatusCode::SEE_OTHER);
    Ok(())
}

#[tokio::test]
async fn failed_look_ups_are_limited_per_client() -> R {
    let p = Portal::new().await?;
    let c = p.issue().await?;
    let issuer = c.challan_no.issuer();
    for i in 0..citizen::MAX_FAILED_LOOKUPS_PER_CLIENT {
        let guess = ChallanNo::new(issuer, 50_000 + u32::try_from(i)?)?;
        let answer = p.look_up("192.0.2.77, 10.0.0.1", &guess.to_string(), "1234").await?;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "guess {i}");
    }
    let limited = p.look_up("192.0.2.77", &c.challan_no.to_string(), CNIC_LAST4).await?;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS, "the first forwarded hop is the client: {}", limited.body);
    assert_eq!(p.look_up("192.0.2.78", &c.challan_no.to_string(), CNIC_LAST4).await?.status, StatusCode::SEE_OTHER, "another client is not");
    // Without X-Forwarded-For or a peer address, every look-up shares one key.
    for i in 0..citizen::MAX_FAILED_LOOKUPS_PER_CLIENT {
        let guess = ChallanNo::new(issuer, 60_000 + u32::try_from(i)?)?;
        let answer = p.send(Method::POST, "/pay", &[], Some(&[("challan_no", &guess.to_string()), ("last4", "1234")])).await?;
        assert_eq!(answer.status, StatusCode::NOT_FOUND);
    }
    let shared = p.send(Method::POST, "/pay", &[], Some(&[("challan_no", &c.challan_no.to_string()), ("last4", CNIC_LAST4)])).await?;
    assert_eq!(shared.status, StatusCode::TOO_MANY_REQUESTS);
    Ok(())
}

#[tokio::test]
async fn a_page_opens_only_with_a_genuine_fresh_link() -> R {
    let p = Portal::new().await?;
    let c = p.issue().await?;
    let other = p.issue().await?;
    let digits = c.challan_no.digits();
    let now = Timestamp::now();
    let genuine = link_key(&pay_path(c.challan_no, now))?;
    let (expires, tag) = genuine.split_once('.').ok_or("k shape")?;
    let stretched = format!("{}.{tag}", expires.parse::<i64>()? + 3600);
    let for_other = link_key(&pay_path(other.challan_no, now))?;
    let expired = link_key(&pay_path(c.challan_no, now - SignedDuration::from_mins(31)))?;

    let no_link = p.get(&format!("/pay/{digits}")).await?;
    assert_eq!(no_link.status, StatusCode::FORBIDDEN);
    assert!(no_link.body.contains("This link is not valid") && no_link.body.contains("یہ لنک درست نہیں"), "{}", no_link.body);
    for forged in ["0.00", "garbage", stretched.as_str(), for_other.as_str()] {
        let page = p.get(&format!("/pay/{digits}?k={forged}")).await?;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{forged}");
        assert!(!page.body.contains("PKR 5,000"), "nothing of the challan shows");
    }
    let old = p.get(&format!("/pay/{digits}?k={expired}")).await?;
    assert_eq!(old.status, StatusCode::FORBIDDEN);
    assert!(old.body.contains("This link has expired"), "{}", old.body);
    assert_eq!(p.get(&format!("/pay/{digits}?k={genuine}")).await?.status, StatusCode::OK);

    // The forms are held to the same link.
    let contest = p.post(&format!("/pay/{digits}/contest"), &[("k", &for_other), ("grounds", "not me")]).await?;
    assert_eq!(contest.status, StatusCode::FORBIDDEN);
    assert_eq!(p.post(&format!("/pay/{digits}/online"), &[("grounds", "no k")]).await?.status, StatusCode::FORBIDDEN);
    assert_eq!(p.challan(&c).await?.status, ChallanStatus::Issued);

    // A genuine link for a number nobody was given, or a number that is not one: 404.
    let unknown = ChallanNo::new(c.challan_no.issuer(), 77_777)?;
    let page = p.get(&pay_path(unknown, now)).await?;
    assert_eq!(page.status, StatusCode::NOT_FOUND, "{}", page.body);
    assert_eq!(p.get("/pay/12345?k=1.00").await?.status, StatusCode::NOT_FOUND);
    Ok(())
}

#[tokio::test]
async fn the_page_shows_payments_with_their_receipts_and_an_overdue_amount() -> R {
    let p = Portal::new().await?;
    // Issued 20 days ago: 14 days to pay have passed.
    let c = issue_as(&p.web, OFFICER, "DA-ENC-01", None, CNIC, Timestamp::now() - SignedDuration::from_hours(20 * 24)).await?;
    let page = p.get(&pay_path(c.challan_no, Timestamp::now())).await?;
    assert!(page.body.contains("data-status=\"overdue\"") && page.body.contains("مدت گزر چکی"), "{}", page.body);
    assert!(page.body.contains("id=\"due-today\" data-paisa=\"600000\""), "the amount after due applies: {}", page.body);
    assert!(page.body.contains("No payment yet"));

    let paid_at = Timestamp::now();
    let payment = NewPayment {
        id: Uuid::now_v7(),
        challan_no: c.challan_no,
        clearing: Clearing { channel: Channel::Bank, holder: Slug::parse("test-bank")? },
        reference: "TX-77".into(),
        amount_paisa: 600_000,
        paid_on: local_date(paid_at),
        paid_at,
        fingerprint: [1; 32],
        approved_by: None,
        taken_by: None,
        exact_amount: true,
    };
    let PaymentOutcome::Accepted(taken) =
        p.web.state.store.record_payment(&payment, p.web.state.config.issuer, &Actor::system(), paid_at, &p.web.state.receipts).await?
    else {
        return Err("the bank payment was not taken".into());
    };
    let page = p.get(&pay_path(c.challan_no, Timestamp::now())).await?;
    assert!(page.body.contains("data-status=\"paid\"") && page.body.contains("ادا شدہ"), "{}", page.body);
    assert!(page.body.contains("id=\"due-today\" data-paisa=\"0\""));
    assert!(page.body.contains(&format!("data-receipt=\"{}\"", taken.receipt_no.digits())) && page.body.contains("PKR 6,000"), "{}", page.body);
    assert!(!page.body.contains("/contest\"") && !page.body.contains("/online\""), "a paid challan offers no forms");
    let receipt = page.link("/pay/receipt/")?;
    let pdf = p.get(&receipt).await?;
    assert_eq!(pdf.status, StatusCode::OK, "{}", pdf.body);
    assert_eq!(pdf.content_type(), "application/pdf");
    assert!(pdf.body.starts_with("%PDF"));
    // The receipt's link opens that receipt only.
    let k = link_key(&receipt)?;
    assert_eq!(p.get(&format!("/pay/receipt/{}.pdf?k={k}", c.challan_no.digits())).await?.status, StatusCode::FORBIDDEN);
    assert_eq!(p.get(&format!("/pay/receipt/{}.pdf", taken.receipt_no.digits())).await?.status, StatusCode::FORBIDDEN);
    assert_eq!(p.get(&format!("/pay/receipt/{}.png?k={k}", taken.receipt_no.digits())).await?.status, StatusCode::NOT_FOUND);
    Ok(())
}

#[tokio::test]
async fn a_citizen_contests_and_the_challan_becomes_contested() -> R {
    let p = Portal::new().await?;
    let c = p.issue().await?;
    let path = pay_path(c.challan_no, Timestamp::now());
    let k = link_key(&path)?;
    let action = format!("/pay/{}/contest", c.challan_no.digits());

    let too_long = "x".repeat(2001);
    for grounds in ["   ", too_long.as_str()] {
        let refused = p.post(&action, &[("k", &k), ("grounds", grounds)]).await?;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST);
        assert!(refused.body.contains("data-field=\"grounds\""), "{}", refused.body);
    }
    assert_eq!(p.challan(&c).await?.status, ChallanStatus::Issued);

    let filed = p.post(&action, &[("k", &k), ("grounds", "I was not parked there; the photo shows another car.")]).await?;
    assert_eq!(filed.status, StatusCode::SEE_OTHER, "{}", filed.body);
    assert_eq!(p.challan(&c).await?.status, ChallanStatus::Contested);
    let contests = p.web.state.store.challan_contests(c.id).await?;
    assert_eq!(contests.len(), 1);
    assert_eq!(contests[0].grounds, "I was not parked there; the photo shows another car.");

    let page = p.get(filed.location()).await?;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Your contest was recorded") && page.body.contains("data-status=\"contested\""), "{}", page.body);
    assert!(page.body.contains("data-contest=\"open\""));
    assert!(!page.body.contains(&action), "a contested challan cannot be contested again");
    let again = p.post(&action, &[("k", &k), ("grounds", "again")]).await?;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    Ok(())
}

#[tokio::test]
async fn without_a_gateway_online_payment_is_not_offered() -> R {
    let p = Portal::new().await?;
    let c = p.issue().await?;
    let k = link_key(&pay_path(c.challan_no, Timestamp::now()))?;
    let refused = p.post(&format!("/pay/{}/online", c.challan_no.digits()), &[("k", &k)]).await?;
    assert_eq!(refused.status, StatusCode::SERVICE_UNAVAILABLE, "{}", refused.body);
    assert_eq!(p.send(Method::POST, "/gateway/callback", &[], None).await?.status, StatusCode::NOT_FOUND);
    assert_eq!(p.get("/pay/return?payment_id=pay_1&status=succeeded").await?.status, StatusCode::NOT_FOUND);
    assert_eq!(recheck_once(&p.web.state, Timestamp::now()).await?, citizen::RecheckReport::default());
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paying_online_settles_the_challan_once_with_a_sealed_receipt() -> R {
    // Every callback is also delivered a second time.
    let p = Portal::with_gateway(SandboxConfig { duplicate_callbacks: Fraction::ALWAYS, ..quick_sandbox() }).await?;
    let c = p.issue().await?;
    let page = p.get(&pay_path(c.challan_no, Timestamp::now())).await?;
    assert!(page.body.contains(&format!("action=\"/pay/{}/online\"", c.challan_no.digits())), "{}", page.body);
    let csp = page.headers.get(header::CONTENT_SECURITY_POLICY).ok_or("no CSP")?.to_str()?;
    assert!(csp.contains("form-action 'self' https: http:"), "the redirect to the gateway is allowed: {csp}");

    let hosted = p.start_online(&c).await?;
    // Pressing Pay online again, say from another tab, leads to the same payment.
    assert_eq!(p.start_online(&c).await?, hosted);
    let online = p.online(&c).await?;
    assert_eq!(online.len(), 1);
    assert_eq!((online[0].status, online[0].amount_paisa), (OnlineStatus::Pending, 500_000));
    assert!(online[0].gateway_payment_id.is_some());

    let back = p.pay_at_gateway(&hosted, SUCCESS_CARD).await?;
    assert!(back.starts_with("/pay/return?payment_id="), "{back}");
    let outcome = p.get(&back).await?;
    assert_eq!(outcome.status, StatusCode::OK, "{}", outcome.body);
    assert!(outcome.body.contains("data-outcome=\"paid\"") && outcome.body.contains("ادائیگی موصول ہو گئی"), "{}", outcome.body);

    assert_eq!(p.challan(&c).await?.status, ChallanStatus::Paid);
    let payments = p.standing_payments(&c).await?;
    assert_eq!(payments.len(), 1);
    let paid = &payments[0];
    assert_eq!((paid.channel, paid.holder.as_str(), paid.amount_paisa), (Channel::Gateway, "sandbox", 500_000));
    assert_eq!(Some(&paid.reference), online[0].gateway_payment_id.as_ref());
    let online = p.online(&c).await?;
    assert_eq!((online[0].status, online[0].receipt_no), (OnlineStatus::Succeeded, Some(paid.receipt_no)));

    // The receipt downloads, and its seal is genuine and names the challan.
    let receipt = outcome.link("/pay/receipt/")?;
    assert!(receipt.contains(&paid.receipt_no.digits()));
    let pdf = p.get(&receipt).await?;
    assert_eq!((pdf.status, pdf.content_type()), (StatusCode::OK, "application/pdf"));
    assert!(pdf.body.starts_with("%PDF"));
    let token = mahasil_seal::token::token(&paid.seal);
    let checked = p.get(&format!("/api/v1/verify/{token}")).await?;
    let checked: serde_json::Value = serde_json::from_str(&checked.body)?;
    assert_eq!(checked["outcome"], "valid", "{checked}");
    assert_eq!(checked["claims"]["type"], "receipt");
    assert_eq!(checked["claims"]["challan_no"], c.challan_no.digits());
    assert_eq!(checked["live_status"]["status"], "paid");

    // The callbacks (each sent twice) and the payer reloading the page change nothing.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(p.get(&back).await?.status, StatusCode::OK);
    assert_eq!(p.web.state.store.challan_payments(c.id).await?.len(), 1, "one payment whatever was repeated");
    let page = p.get(&pay_path(c.challan_no, Timestamp::now())).await?;
    assert!(page.body.contains("data-status=\"paid\"") && !page.body.contains("/online\""), "{}", page.body);
    assert!(page.body.contains("data-online=\"succeeded\""));
    Ok(())
}

/// A challan paid with the success card at a sandbox that sends no callback, by a payer
/// who never comes back: with the callback secret and the event the gateway would send.
async fn paid_without_callback(event_id: &str) -> R<(Portal, ChallanRecord, String, CallbackEvent)> {
    let config = silent_sandbox();
    let secret = config.secret.clone();
    let p = Portal::with_gateway(config).await?;
    let c = p.issue().await?;
    let hosted = p.start_online(&c).await?;
    let _ = p.pay_at_gateway(&hosted, SUCCESS_CARD).await?;
    let event = CallbackEvent { payment: p.gateway_status(&c).await?, event_id: event_id.into(), sent_at: Timestamp::now() };
    Ok((p, c, secret, event))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_callback_delivered_twice_settles_once() -> R {
    let (p, c, secret, event) = paid_without_callback("evt_test_1").await?;
    assert_eq!(p.challan(&c).await?.status, ChallanStatus::Issued);
    let body = serde_json::to_vec(&event)?;
    for delivery in 1..=2 {
        let answer = p.post_callback(&body, &secret, Timestamp::now().as_second()).await?;
        assert_eq!(answer.status, StatusCode::OK, "delivery {delivery}: {}", answer.body);
    }
    assert_eq!(p.challan(&c).await?.status, ChallanStatus::Paid);
    let all = p.web.state.store.challan_payments(c.id).await?;
    assert_eq!(all.len(), 1);
    assert_eq!(p.online(&c).await?[0].receipt_no, Some(all[0].receipt_no));

    // An old "failed" for the same payment, arriving late, does not undo it.
    let mut stale = event.clone();
    stale.payment.status = mahasil_gateway::protocol::Status::Failed;
    stale.payment.failure_reason = Some("the issuer did not answer in time".into());
    let answer = p.post_callback(&serde_json::to_vec(&stale)?, &secret, Timestamp::now().as_second()).await?;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(p.online(&c).await?[0].status, OnlineStatus::Succeeded);
    assert_eq!(p.challan(&c).await?.status, ChallanStatus::Paid);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forged_or_stale_callback_is_refused_and_changes_nothing() -> R {
    let (p, c, secret, event) = paid_without_callback("evt_forged").await?;
    let body = serde_json::to_vec(&event)?;
    let now = Timestamp::now().as_second();
    for (what, answer) in [
        ("wrong secret", p.post_callback(&body, "not-the-merchant-secret", now).await?),
        ("stale", p.post_callback(&body, &secret, now - 301).await?),
        ("unsigned", p.send(Method::POST, "/gateway/callback", &[(header::CONTENT_TYPE.as_str(), "application/json")], None).await?),
    ] {
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{what}: {}", answer.body);
    }
    let tampered = String::from_utf8(body.clone())?.replace("500000", "5");
    assert_ne!(tampered.as_bytes(), body.as_slice());
    let signature = sign_callback(&secret, &now.to_string(), &body);
    let answer = p.post_signed_callback(tampered.as_bytes(), &now.to_string(), &signature).await?;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "a signature over another body: {}", answer.body);
    assert_eq!(p.challan(&c).await?.status, ChallanStatus::Issued);
    assert!(p.web.state.store.challan_payments(c.id).await?.is_empty());
    assert_eq!(p.online(&c).await?[0].status, OnlineStatus::Pending);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_declined_card_leaves_the_challan_unpaid() -> R {
    let p = Portal::with_gateway(quick_sandbox()).await?;
    let c = p.issue().await?;
    let hosted = p.start_online(&c).await?;
    let back = p.pay_at_gateway(&hosted, DECLINED_CARD).await?;
    assert!(back.ends_with("status=failed"), "{back}");
    // The payer's browser claims success: the gateway is asked, and says otherwise.
    let forged = back.replace("status=failed", "status=succeeded");
    let outcome = p.get(&forged).await?;
    assert_eq!(outcome.status, StatusCode::OK);
    assert!(outcome.body.contains("data-outcome=\"failed\"") && outcome.body.contains("card declined"), "{}", outcome.body);
    assert_eq!(p.challan(&c).await?.status, ChallanStatus::Issued);
    assert!(p.web.state.store.challan_payments(c.id).await?.is_empty());
    let online = p.online(&c).await?;
    assert_eq!((online[0].status, online[0].failure_reason.as_deref()), (OnlineStatus::Failed, Some("card declined")));

    // The page says so and offers to try again, with a new payment.
    let page = p.get(&pay_path(c.challan_no, Timestamp::now())).await?;
    assert!(page.body.contains("data-online=\"failed\"") && page.body.contains("/online\""), "{}", page.body);
    let again = p.start_online(&c).await?;
    assert_ne!(again, hosted);
    assert_eq!(p.online(&c).await?.len(), 2);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_late_success_is_settled_by_the_recheck() -> R {
    let p = Portal::with_gateway(silent_sandbox()).await?;
    let c = p.issue().await?;
    let hosted = p.start_online(&c).await?;
    let back = p.pay_at_gateway(&hosted, LATE_SUCCESS_CARD).await?;
    let outcome = p.get(&back).await?;
    assert!(outcome.body.contains("data-outcome=\"failed\""), "{}", outcome.body);
    assert_eq!(p.online(&c).await?[0].status, OnlineStatus::Failed);

    // The issuer's approval comes later; no callback tells of it, the re-check finds it.
    eventually("the late success at the gateway", || async { Ok(p.gateway_status(&c).await?.status == mahasil_gateway::protocol::Status::Succeeded) }).await?;
    assert_eq!(p.challan(&c).await?.status, ChallanStatus::Issued);
    let report = recheck_once(&p.web.state, Timestamp::now()).await?;
    assert_eq!((report.listed, report.settled, report.errors), (1, 1, 0), "{report:?}");
    assert_eq!(p.challan(&c).await?.status, ChallanStatus::Paid);
    let online = p.online(&c).await?;
    assert_eq!(online[0].status, OnlineStatus::Succeeded);
    assert!(online[0].receipt_no.is_some());
    assert_eq!(p.standing_payments(&c).await?.len(), 1);

    // Settled payments are not asked about again.
    let report = recheck_once(&p.web.state, Timestamp::now()).await?;
    assert_eq!(report.listed, 0, "{report:?}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_recheck_gives_up_payments_that_never_reached_the_gateway() -> R {
    let p = Portal::with_gateway(silent_sandbox()).await?;
    let c = p.issue().await?;
    let hosted = p.start_online(&c).await?;
    assert!(!hosted.is_empty());
    let long_ago = Timestamp::now() - SignedDuration::from_mins(10);
    let unsent = OnlinePayment {
        id: Uuid::now_v7(),
        challan_id: c.id,
        challan_no: c.challan_no,
        amount_paisa: 500_000,
        gateway_payment_id: None,
        status: OnlineStatus::Pending,
        failure_reason: None,
        created_at: long_ago,
        updated_at: long_ago,
        receipt_no: None,
    };
    p.web.state.store.create_online_payment(&unsent, &Actor::system()).await?;

    let report = recheck_once(&p.web.state, Timestamp::now()).await?;
    assert_eq!((report.failed, report.waiting, report.errors), (1, 1, 0), "{report:?}");
    let online = p.online(&c).await?;
    let given_up = online.iter().find(|o| o.id == unsent.id).ok_or("gone")?;
    assert_eq!((given_up.status, given_up.failure_reason.as_deref()), (OnlineStatus::Failed, Some("the payment never reached the gateway")));
    assert!(online.iter().any(|o| o.id != unsent.id && o.status == OnlineStatus::Pending), "the live one still waits");
    Ok(())
}
