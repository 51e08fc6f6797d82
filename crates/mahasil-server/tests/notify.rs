//! Notifications end to end over real sockets: the app on a loopback port, the sandbox SMS
//! gateway and the sandbox mail server on theirs. Issuing a challan queues its SMS and
//! email in the same transaction; the workers send them (Urdu intact) and the gateway's
//! signed delivery report marks the SMS delivered; a payment queues its receipt. The
//! gateway's faults (5xx, a hang, a malformed answer, a refused number) end as retries or
//! failures with their reasons; a worker that dies between claim and send, or after the
//! gateway took the message, loses nothing and sends nothing twice. Templates are checked
//! on save; supervisors send a failed message again.
#![expect(clippy::panic, reason = "tests fail by panicking")]

mod web_support;

use std::time::Duration;

use axum::http::StatusCode;
use jiff::{SignedDuration, Timestamp};
use mahasil_domain::notice::Channel;
use mahasil_notify::email::EmailSender;
use mahasil_notify::outcome::IdempotencyKey;
use mahasil_notify::sandbox::sms::{SmsFaults, SmsSandbox, SmsSandboxConfig};
use mahasil_notify::sandbox::smtp::{SmtpSandbox, SmtpSandboxConfig};
use mahasil_notify::signing::{IDEMPOTENCY_KEY_HEADER, WEBHOOK_SIGNATURE_HEADER, WEBHOOK_TIMESTAMP_HEADER};
use mahasil_notify::sms_gateway::SmsGateway;
use mahasil_notify::template::TemplateSet;
use mahasil_notify::webhook::{WebhookConfig, WebhookSender, verify_webhook};
use mahasil_server::actions::{IssueChallanInput, LocationInput, OffenderInput};
use mahasil_server::notify::Channels;
use mahasil_server::notify::worker::{self, LEASE, WorkerConfig};
use mahasil_server::testing::{ADMIN, OFFICER, SUPERVISOR};
use mahasil_store::{ChallanRecord, MessageRecord, MessageStatus};
use web_support::{R, Web};

const REPORT_SECRET: &str = "test-sms-report-secret";

/// The app served on a loopback port with both sandboxes as its channels.
struct World {
    web: Web,
    sms: SmsSandbox,
    smtp: SmtpSandbox,
    _serving: tokio::task::JoinHandle<()>,
}

async fn world() -> R<World> {
    world_with(None).await
}

async fn world_with(webhook: Option<WebhookSender>) -> R<World> {
    let mut web = Web::new().await?;
    let app_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let app_addr = app_listener.local_addr()?;
    let sms = SmsSandbox::start(
        tokio::net::TcpListener::bind("127.0.0.1:0").await?,
        SmsSandboxConfig { callback_secret: REPORT_SECRET.into(), report_delay_ms: 50, ..SmsSandboxConfig::default() },
    )?;
    let smtp = SmtpSandbox::start(
        tokio::net::TcpListener::bind("127.0.0.1:0").await?,
        SmtpSandboxConfig { reject_recipients: vec!["refused@example.pk".into()], ..SmtpSandboxConfig::default() },
    )?;
    let mut sms_config = sms.client_config(Some(format!("http://{app_addr}/api/v1/notify/sms-reports")));
    sms_config.timeout_ms = 700;
    let channels = Channels {
        sms: Some(SmsGateway::new(sms_config)?),
        email: Some(EmailSender::new(smtp.client_config("Government of Khyber Pakhtunkhwa <noreply@mahasil.test>"))?),
        webhook,
        sms_report_secret: Some(REPORT_SECRET.into()),
    };
    web.state.channels = std::sync::Arc::new(channels);
    mahasil_server::notify::register_webhook(&web.state).await?;
    let app = mahasil_server::router(web.state.clone());
    let serving = tokio::spawn(async move {
        let _ = axum::serve(app_listener, app).await;
    });
    Ok(World { web, sms, smtp, _serving: serving })
}

async fn issue(w: &World, mobile: &str, email: Option<&str>) -> R<ChallanRecord> {
    issue_in(w, mobile, email, None).await
}

/// Issues a challan whose offender asked for messages in `language`, if given.
async fn issue_in(w: &World, mobile: &str, email: Option<&str>, language: Option<&str>) -> R<ChallanRecord> {
    let user = w.web.state.store.user_by_username(OFFICER).await?.ok_or("no officer")?;
    let who = mahasil_server::auth::session::principal_of(&user);
    let input = IssueChallanInput {
        id: None,
        head_code: "DA-ENC-01".into(),
        amount_paisa: None,
        district: "peshawar".into(),
        offender: OffenderInput {
            name: "Gul Khan".into(),
            cnic: "17301-1234567-1".into(),
            mobile: mobile.into(),
            email: email.map(str::to_string),
            vehicle_no: None,
            business_name: None,
            address: None,
            language: language.map(str::to_string),
        },
        location: LocationInput { lat: 34.01, lon: 71.57, text: "Saddar Road".into() },
    };
    mahasil_server::actions::issue_challan(&w.web.state, &who, &input, Timestamp::now()).await.map_err(|e| format!("{}: {}", e.status, e.body.message).into())
}

async fn messages(w: &World, c: &ChallanRecord) -> R<Vec<MessageRecord>> {
    Ok(w.web.state.store.challan_messages(c.id).await?)
}

fn of(messages: &[MessageRecord], channel: Channel) -> R<&MessageRecord> {
    Ok(messages.iter().find(|m| m.channel == channel).ok_or_else(|| format!("no {} message", channel.as_str()))?)
}

/// Claims whatever is due (as of `now`) and delivers it, as one worker pass does.
async fn pass(w: &World, now: Timestamp) -> R<usize> {
    let claimed = w.web.state.store.claim_messages(now, LEASE, 50).await?;
    let templates = mahasil_server::notify::render::templates(&w.web.state).await?;
    for m in &claimed {
        worker::deliver(&w.web.state, &templates, m).await;
    }
    Ok(claimed.len())
}

/// Waits until `done` holds of the challan's messages.
async fn until(w: &World, c: &ChallanRecord, what: &str, done: impl Fn(&[MessageRecord]) -> bool) -> R<Vec<MessageRecord>> {
    for _ in 0..100 {
        let now = messages(w, c).await?;
        if done(&now) {
            return Ok(now);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Err(format!("timed out waiting for {what}: {:?}", messages(w, c).await?.iter().map(|m| (m.channel, m.status)).collect::<Vec<_>>()).into())
}

#[tokio::test]
async fn an_issued_challan_is_told_by_sms_in_urdu_and_by_email_and_the_delivery_is_recorded() -> R {
    let w = world().await?;
    let c = issue(&w, "0300-1234567", Some("gul.khan@example.pk")).await?;
    let queued = messages(&w, &c).await?;
    assert_eq!(queued.len(), 2, "SMS and email queued with the challan: {queued:?}");
    assert!(queued.iter().all(|m| m.status == MessageStatus::Queued));
    // The workers as `serve` runs them.
    let (stop, stopping) = tokio::sync::watch::channel(false);
    let tasks = worker::spawn(&w.web.state, WorkerConfig { workers: 2, remind_before_days: 3 }, &stopping);
    let done = until(&w, &c, "delivery", |m| m.len() == 2 && of(m, Channel::Sms).is_ok_and(|s| s.status == MessageStatus::Delivered)).await?;
    stop.send(true)?;
    for t in tasks {
        tokio::time::timeout(Duration::from_secs(5), t).await??;
    }

    let sms = w.sms.messages();
    assert_eq!(sms.len(), 1, "{sms:?}");
    assert_eq!(sms[0].to, "+923001234567");
    assert!(sms[0].text.contains(&c.challan_no.to_string()), "{}", sms[0].text);
    assert!(sms[0].text.chars().any(|ch| ('\u{0600}'..='\u{06FF}').contains(&ch)), "the SMS is in Urdu: {}", sms[0].text);
    let stored_sms = of(&done, Channel::Sms)?;
    assert_eq!(stored_sms.provider_id.as_deref(), Some(sms[0].provider_id.as_str()));
    assert_eq!(stored_sms.key, sms[0].idempotency_key, "the gateway saw the message's own key");
    let statuses: Vec<_> = stored_sms.history.iter().map(|h| h.status).collect();
    assert_eq!(statuses, [MessageStatus::Queued, MessageStatus::Sending, MessageStatus::Sent, MessageStatus::Delivered]);
    assert!(stored_sms.rendered.as_deref().is_some_and(|r| r.contains(&c.challan_no.to_string())), "the text as sent is kept");

    let mail = w.smtp.messages();
    assert_eq!(mail.len(), 1);
    assert_eq!(mail[0].rcpt_to, ["gul.khan@example.pk"]);
    assert!(mail[0].subject.as_deref().is_some_and(|s| s.contains(&c.challan_no.to_string())), "{:?}", mail[0].subject);
    assert!(mail[0].text.as_deref().is_some_and(|t| t.contains("5,000")), "{:?}", mail[0].text);
    assert!(mail[0].html.is_some());
    assert_eq!(of(&done, Channel::Email)?.status, MessageStatus::Sent);

    // The challan's page shows each message and its history.
    let officer = w.web.sign_in(OFFICER).await?;
    let page = w.web.get(&format!("/challans/{}", c.challan_no), &officer).await?;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("Notifications") && page.body.contains("data-status=\"delivered\"") && page.body.contains("data-status=\"sent\""),
        "{}",
        page.body
    );
    Ok(())
}

#[tokio::test]
async fn gateway_faults_end_as_retries_or_failures_with_their_reasons() -> R {
    let w = world().await?;
    let c = issue(&w, "0301-7654321", None).await?;
    let now = Timestamp::now();
    for (faults, expected) in [
        (SmsFaults { server_error: true, ..SmsFaults::default() }, "503"),
        (SmsFaults { hang: true, ..SmsFaults::default() }, "within"),
        (SmsFaults { malformed_answer: true, ..SmsFaults::default() }, ""),
    ] {
        w.sms.set_faults(faults);
        let started = std::time::Instant::now();
        // Each retry is due later; claim as of a time past any backoff.
        assert_eq!(pass(&w, now + SignedDuration::from_hours(24)).await?, 1);
        assert!(started.elapsed() < Duration::from_secs(5), "a hanging gateway is cut off by the timeout");
        let m = messages(&w, &c).await?;
        let sms = of(&m, Channel::Sms)?;
        assert_eq!(sms.status, MessageStatus::Queued, "{expected}: {sms:?}");
        assert!(sms.next_attempt_at > Timestamp::now(), "retried later, not at once");
        assert!(sms.last_error.as_deref().is_some_and(|e| e.to_lowercase().contains(expected)), "{expected}: {:?}", sms.last_error);
    }
    // The malformed answer came after the gateway took the message: it keeps one.
    assert_eq!(w.sms.messages().len(), 1, "the gateway took the message once under its key");
    let key_before = of(&messages(&w, &c).await?, Channel::Sms)?.key.clone();
    w.sms.set_faults(SmsFaults { reject_numbers: vec!["+923017654321".into()], ..SmsFaults::default() });
    assert_eq!(pass(&w, now + SignedDuration::from_hours(24)).await?, 1);
    let m = messages(&w, &c).await?;
    let sms = of(&m, Channel::Sms)?;
    assert_eq!(sms.status, MessageStatus::Failed, "a refused number is not retried forever: {sms:?}");
    assert!(sms.last_error.as_deref().is_some_and(|e| e.contains("invalid")), "{:?}", sms.last_error);
    assert_eq!(pass(&w, now + SignedDuration::from_hours(48)).await?, 0, "a failed message is not claimed again");

    // A supervisor sees it and sends it again once the number is fixed at the gateway.
    let supervisor = w.web.sign_in(SUPERVISOR).await?;
    let page = w.web.get("/messages/failed", &supervisor).await?;
    assert!(page.body.contains(&format!("data-message=\"{}\"", sms.id)), "{}", page.body);
    let officer = w.web.sign_in(OFFICER).await?;
    assert_eq!(w.web.get("/messages/failed", &officer).await?.status, StatusCode::FORBIDDEN);
    let retried = w.web.post(&format!("/messages/{}/retry", sms.id), &supervisor, &[]).await?;
    assert_eq!(retried.status, StatusCode::SEE_OTHER, "{}", retried.body);
    w.sms.set_faults(SmsFaults::default());
    assert_eq!(pass(&w, Timestamp::now() + SignedDuration::from_secs(1)).await?, 1);
    let m = messages(&w, &c).await?;
    let sms = of(&m, Channel::Sms)?;
    assert_eq!(sms.status, MessageStatus::Sent);
    // "Send again" is a supervisor's decision to send anew: a new key, a new SMS.
    assert_ne!(sms.key, key_before);
    assert_eq!(w.sms.messages().len(), 2);
    Ok(())
}

#[tokio::test]
async fn a_worker_that_dies_between_claim_and_send_or_after_the_gateway_took_it_loses_nothing_and_sends_once() -> R {
    let w = world().await?;
    let c = issue(&w, "0302-1112223", Some("refused@example.pk")).await?;
    let now = Timestamp::now();
    // A worker claims and dies before sending anything.
    let first = w.web.state.store.claim_messages(now, LEASE, 50).await?;
    assert_eq!(first.len(), 2);
    assert!(w.web.state.store.claim_messages(now, LEASE, 50).await?.is_empty(), "claimed messages are not taken again while the lease runs");
    // Another claims them once the lease has run out, sends the SMS and dies before
    // recording it.
    let later = now + LEASE + SignedDuration::from_secs(1);
    let second = w.web.state.store.claim_messages(later, LEASE, 50).await?;
    assert_eq!(second.iter().map(|m| (m.id, m.key.clone())).collect::<Vec<_>>(), first.iter().map(|m| (m.id, m.key.clone())).collect::<Vec<_>>());
    let sms = second.iter().find(|m| m.channel == Channel::Sms).ok_or("no SMS")?;
    let templates = TemplateSet::defaults()?;
    let facts = mahasil_server::notify::render::facts(&w.web.state, sms).await?;
    let rendered = mahasil_server::notify::render::render(&templates, sms.kind, sms.language, sms.channel, &facts)?;
    let sent = w.web.state.channels.send(sms, &facts, &rendered, &IdempotencyKey::parse(&sms.key)?, Timestamp::now()).await;
    assert!(sent.is_accepted(), "{sent:?}");
    // A third worker, after that lease too, delivers both.
    assert_eq!(pass(&w, later + LEASE + SignedDuration::from_secs(1)).await?, 2);
    assert_eq!(w.sms.messages().len(), 1, "the gateway took the SMS once, though it was sent twice");
    let m = messages(&w, &c).await?;
    assert_eq!(of(&m, Channel::Sms)?.status, MessageStatus::Sent);
    assert_eq!(of(&m, Channel::Sms)?.attempts, 3);
    // The relay refuses this address for good: failed with its reply, not retried.
    let email = of(&m, Channel::Email)?;
    assert_eq!(email.status, MessageStatus::Failed, "{email:?}");
    assert!(email.last_error.as_deref().is_some_and(|e| e.contains("550")), "{:?}", email.last_error);
    Ok(())
}

#[tokio::test]
async fn forged_or_unknown_delivery_reports_change_nothing() -> R {
    let w = world().await?;
    let report = serde_json::json!({ "provider_id": "nobody", "idempotency_key": "k1", "status": "delivered", "at": Timestamp::now() }).to_string();
    let ts = Timestamp::now().as_second().to_string();
    let good = mahasil_notify::signing::sign(REPORT_SECRET, &ts, report.as_bytes());
    let send = |sig: String, body: String| {
        let ts = ts.clone();
        let router = w.web.router();
        async move {
            let req = axum::http::Request::post("/api/v1/notify/sms-reports")
                .header("content-type", "application/json")
                .header("x-sms-timestamp", ts)
                .header("x-sms-signature", sig)
                .body(axum::body::Body::from(body))?;
            R::<StatusCode>::Ok(tower::ServiceExt::oneshot(router, req).await?.status())
        }
    };
    assert_eq!(send(good.clone(), report.clone()).await?, StatusCode::NOT_FOUND, "a report for no message");
    assert_eq!(send("00".repeat(32), report.clone()).await?, StatusCode::UNAUTHORIZED, "a forged report");
    assert_eq!(send(good, report.replace("delivered", "failed")).await?, StatusCode::UNAUTHORIZED, "a tampered report");
    let body = "not json".to_string();
    let sig = mahasil_notify::signing::sign(REPORT_SECRET, &ts, body.as_bytes());
    assert_eq!(send(sig, body).await?, StatusCode::BAD_REQUEST);
    Ok(())
}

#[tokio::test]
async fn a_template_with_an_unknown_placeholder_is_refused_and_a_good_one_is_used() -> R {
    let w = world().await?;
    let admin = w.web.sign_in(ADMIN).await?;
    let path = "/admin/templates/challan_issued/en/sms";
    let bad = w.web.post(path, &admin, &[("action", "save"), ("source", "Challan {challan_no}: pay {amount_due}")]).await?;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("amount_due"), "the refusal names the placeholder: {}", bad.body);
    assert!(w.web.state.store.message_templates().await?.is_empty(), "nothing saved");
    let preview = w.web.post(path, &admin, &[("action", "preview"), ("source", "Challan {challan_no}: PKR due {amount}")]).await?;
    assert_eq!(preview.status, StatusCode::OK);
    assert!(preview.body.contains("GSM-7") && preview.body.contains("id=\"sms-length\""), "{}", preview.body);
    let urdu = w.web.post("/admin/templates/challan_issued/ur/sms", &admin, &[("action", "preview"), ("source", "چالان {challan_no}")]).await?;
    assert!(urdu.body.contains("UCS-2"), "{}", urdu.body);
    // The workers hold the templates a while; a save on this node lets go of them at once.
    let before = mahasil_server::notify::render::templates(&w.web.state).await?;
    let saved = w.web.post(path, &admin, &[("action", "save"), ("source", "Challan {challan_no}: PKR due {amount}")]).await?;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(w.web.get("/admin/templates/challan_issued/en/sms", &w.web.sign_in(OFFICER).await?).await?.status, StatusCode::FORBIDDEN);

    // The saved template is the one used, for a recipient in English.
    let c = issue(&w, "0300-1234567", None).await?;
    let m = messages(&w, &c).await?;
    let sms = of(&m, Channel::Sms)?;
    let templates = mahasil_server::notify::render::templates(&w.web.state).await?;
    assert!(!std::sync::Arc::ptr_eq(&before, &templates), "read again after the save");
    let claimed = w.web.state.store.claim_messages(Timestamp::now(), LEASE, 10).await?;
    let mine = claimed.iter().find(|x| x.id == sms.id).ok_or("not claimed")?;
    let facts = mahasil_server::notify::render::facts(&w.web.state, mine).await?;
    let rendered = mahasil_server::notify::render::render(&templates, mine.kind, mahasil_domain::notice::Language::En, Channel::Sms, &facts)?;
    match rendered {
        mahasil_notify::template::Rendered::Sms { text } => assert_eq!(text, format!("Challan {}: PKR due PKR 5,000", c.challan_no)),
        other => panic!("{other:?}"),
    }
    Ok(())
}

/// Pays `c` in full through the bank API, as a bank would.
async fn pay_by_bank(w: &World, c: &ChallanRecord) -> R {
    use mahasil_domain::bank::BankSecret;
    use mahasil_domain::jurisdiction::Slug;
    let (bank, secret) = ("test-bank", "test-bank-secret-0123");
    let record = mahasil_store::BankRecord {
        mnemonic: Slug::parse(bank)?,
        name: bank.into(),
        secret: BankSecret::parse(secret)?,
        active: true,
        created_at: Timestamp::now(),
    };
    w.web.state.store.create_bank(&record, &mahasil_store::Actor::system()).await?;
    let today = mahasil_domain::time::local_date(Timestamp::now()).strftime("%Y%m%d").to_string();
    let body = serde_json::json!({ "consumer_number": c.challan_no.digits(), "tran_auth_id": "AUTH-1", "transaction_amount": c.amount_paisa,
        "tran_date": today, "tran_time": "101500", "bank_mnemonic": bank })
    .to_string();
    let ts = Timestamp::now().as_second().to_string();
    let req = axum::http::Request::post("/bank/v1/bill-payment")
        .header("content-type", "application/json")
        .header("x-bank", bank)
        .header("x-timestamp", &ts)
        .header("x-signature", mahasil_server::bank::auth::sign(secret, "POST", "/bank/v1/bill-payment", &ts, body.as_bytes()))
        .body(axum::body::Body::from(body))?;
    let status = tower::ServiceExt::oneshot(w.web.router(), req).await?.status();
    assert_eq!(status, StatusCode::OK);
    Ok(())
}

#[tokio::test]
async fn a_payment_queues_its_receipt_with_the_payment_in_it() -> R {
    let w = world().await?;
    let c = issue(&w, "0300-1234567", None).await?;
    pay_by_bank(&w, &c).await?;
    let m = messages(&w, &c).await?;
    let kinds: Vec<_> = m.iter().map(|m| m.kind.as_str()).collect();
    assert_eq!(kinds, ["challan_issued", "payment_receipt"], "{m:?}");
    assert_eq!(pass(&w, Timestamp::now()).await?, 2);
    let sent = w.sms.messages();
    let receipt = sent.iter().find(|s| s.idempotency_key == m[1].key).ok_or("no receipt SMS")?;
    let payment = w.web.state.store.challan_payments(c.id).await?.pop().ok_or("no payment")?;
    assert!(receipt.text.contains(&payment.receipt_no.to_string()), "the receipt SMS names the receipt: {}", receipt.text);
    Ok(())
}

#[tokio::test]
async fn a_reminder_for_a_challan_paid_after_it_was_queued_is_skipped_not_sent() -> R {
    let w = world().await?;
    let c = issue(&w, "0300-1234567", None).await?;
    // Two days before the due date, mid-morning in Pakistan: the reminder is queued.
    let morning = c.due_date.yesterday()?.yesterday()?.at(10, 0, 0, 0).to_zoned(mahasil_domain::time::pakistan())?.timestamp();
    assert_eq!(w.web.state.store.enqueue_scheduled(morning, 3).await?, 1);
    pay_by_bank(&w, &c).await?;
    assert_eq!(pass(&w, morning.max(Timestamp::now()) + SignedDuration::from_secs(1)).await?, 3, "issued, receipt and reminder");
    let m = messages(&w, &c).await?;
    let reminder = m.iter().find(|m| m.kind.as_str() == "due_reminder").ok_or("no reminder")?;
    assert_eq!(reminder.status, MessageStatus::Skipped, "{reminder:?}");
    assert!(reminder.last_error.as_deref().is_some_and(|e| e.contains("paid")), "{:?}", reminder.last_error);
    assert!(w.sms.messages().iter().all(|s| s.idempotency_key != reminder.key), "the gateway never saw the reminder");
    assert_eq!(w.sms.messages().len(), 2);
    Ok(())
}

/// One POST a webhook receiver got: its headers of note and its body.
struct Posted {
    key: String,
    timestamp: String,
    signature: String,
    body: Vec<u8>,
}

/// A webhook receiver on a loopback port that answers 200 and hands over what it got.
async fn webhook_receiver() -> R<(String, tokio::sync::mpsc::UnboundedReceiver<Posted>)> {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let header = |h: &axum::http::HeaderMap, name: &str| h.get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let app = axum::Router::new().route(
        "/hooks/mahasil",
        axum::routing::post(move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
            let posted = Posted {
                key: header(&headers, IDEMPOTENCY_KEY_HEADER),
                timestamp: header(&headers, WEBHOOK_TIMESTAMP_HEADER),
                signature: header(&headers, WEBHOOK_SIGNATURE_HEADER),
                body: body.to_vec(),
            };
            let _ = tx.send(posted);
            async { StatusCode::OK }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/hooks/mahasil", listener.local_addr()?);
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok((url, rx))
}

const WEBHOOK_SECRET: &str = "test-webhook-secret";

#[tokio::test]
async fn a_webhook_receiver_gets_each_message_signed_and_the_offenders_language_is_followed() -> R {
    let (url, mut received) = webhook_receiver().await?;
    let sender = WebhookSender::new(WebhookConfig { url: url.clone(), secret: WEBHOOK_SECRET.into(), timeout_ms: 2_000 })?;
    let w = world_with(Some(sender)).await?;
    // An offender who asked for English: the SMS is in English too.
    let c = issue_in(&w, "0300-1234567", Some("gul.khan@example.pk"), Some("en")).await?;
    let queued = messages(&w, &c).await?;
    let mut seen: Vec<_> = queued.iter().map(|m| (m.channel, m.language.as_str(), m.recipient.as_str())).collect();
    seen.sort();
    assert_eq!(seen, [(Channel::Sms, "en", "+923001234567"), (Channel::Email, "en", "gul.khan@example.pk"), (Channel::Webhook, "en", url.as_str())]);
    assert_eq!(pass(&w, Timestamp::now()).await?, 3);

    let posted = tokio::time::timeout(Duration::from_secs(5), received.recv()).await?.ok_or("no event")?;
    let event = verify_webhook(WEBHOOK_SECRET, &posted.timestamp, &posted.signature, &posted.body, Timestamp::now())?;
    let hook = of(&messages(&w, &c).await?, Channel::Webhook)?.clone();
    assert_eq!((posted.key.as_str(), event.event_id.as_str()), (hook.key.as_str(), hook.key.as_str()));
    assert_eq!((event.kind.as_str(), event.language.as_str(), event.challan_no.clone()), ("challan_issued", "en", c.challan_no.to_string()));
    assert_eq!(event.fields.get("amount").map(String::as_str), Some("PKR 5,000"));
    assert_eq!(hook.status, MessageStatus::Sent);
    assert!(hook.rendered.as_deref().is_some_and(|r| r.contains(&event.text.replace('\n', "\\n"))), "{:?}", hook.rendered);
    let sms = w.sms.messages();
    assert!(sms[0].text.is_ascii() && sms[0].text.contains(&c.challan_no.to_string()), "an English SMS: {}", sms[0].text);

    // Once the receiver is replaced, a message queued for the old one is not sent to the
    // new one; it fails, naming both.
    let other = issue(&w, "0300-7654321", None).await?;
    let elsewhere = WebhookSender::new(WebhookConfig { url: format!("{url}/v2"), secret: WEBHOOK_SECRET.into(), timeout_ms: 2_000 })?;
    let mut moved = world_with(Some(elsewhere)).await?;
    moved.web.state.store = w.web.state.store.clone();
    assert_eq!(pass(&moved, Timestamp::now()).await?, 2);
    let failed = of(&messages(&w, &other).await?, Channel::Webhook)?.clone();
    assert_eq!(failed.status, MessageStatus::Failed);
    assert!(failed.last_error.as_deref().is_some_and(|e| e.contains("/v2") && e.contains(&url)), "{:?}", failed.last_error);
    assert!(received.try_recv().is_err(), "nothing more reached the first receiver");
    Ok(())
}

#[tokio::test]
async fn a_waiver_decision_is_told_with_its_reason() -> R {
    let w = world().await?;
    let c = issue(&w, "0300-1234567", None).await?;
    let officer = mahasil_server::auth::session::principal_of(&w.web.state.store.user_by_username(OFFICER).await?.ok_or("no officer")?);
    let supervisor = mahasil_server::auth::session::principal_of(&w.web.state.store.user_by_username(SUPERVISOR).await?.ok_or("no supervisor")?);
    let request = mahasil_server::actions::request_cancellation(&w.web.state, &officer, c.challan_no, Some("waive"), "the shop burned down", Timestamp::now())
        .await
        .map_err(|e| e.body.message)?;
    mahasil_server::actions::decide_cancellation(&w.web.state, &supervisor, request.id, true, "fire brigade report seen", Timestamp::now())
        .await
        .map_err(|e| e.body.message)?;
    assert_eq!(pass(&w, Timestamp::now()).await?, 2, "issued and the waiver decision");
    let m = messages(&w, &c).await?;
    let waiver = m.iter().find(|m| m.kind.as_str() == "waiver_decided").ok_or("no waiver message")?;
    assert_eq!(waiver.status, MessageStatus::Sent, "{waiver:?}");
    let sent = w.sms.messages();
    let text = &sent.iter().find(|s| s.idempotency_key == waiver.key).ok_or("the gateway did not get it")?.text;
    assert!(text.contains("fire brigade report seen") && text.contains(&c.challan_no.to_string()), "{text}");
    Ok(())
}
