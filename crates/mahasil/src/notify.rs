//! The notification channels `serve` and `worker` send through, from the configuration; in
//! demo mode, a sandbox SMS gateway and a sandbox mail server on loopback ports stand in
//! for any channel not configured, so every issued challan visibly produces its messages.

use mahasil_notify::email::{EmailSender, SmtpConfig};
use mahasil_notify::sandbox::sms::{SmsSandbox, SmsSandboxConfig};
use mahasil_notify::sandbox::smtp::{SmtpSandbox, SmtpSandboxConfig};
use mahasil_notify::sms_gateway::{SmsGateway, SmsGatewayConfig};
use mahasil_notify::webhook::{DEFAULT_WEBHOOK_TIMEOUT_MS, WebhookConfig, WebhookSender};
use mahasil_server::notify::Channels;
use mahasil_server::notify::reports::REPORTS_PATH;
use std::sync::Arc;

use jiff::Timestamp;
use mahasil_server::AppState;
use mahasil_server::notify::worker::WorkerConfig;
use secrecy::SecretString;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::config::Config;

/// The demo's sandboxes; they stop when this is dropped.
#[derive(Default)]
pub struct Sandboxes {
    pub sms: Option<SmsSandbox>,
    pub smtp: Option<SmtpSandbox>,
}

/// The channels the configuration names, and in demo mode sandboxes for the others; the
/// SMS gateway reports deliveries to `reports_to` (this node's base URL).
pub async fn channels(config: &Config, demo: bool, reports_to: &str) -> anyhow::Result<(Channels, Sandboxes)> {
    let mut sandboxes = Sandboxes::default();
    let base = reports_to.trim_end_matches('/');
    let callback = Some(format!("{base}{REPORTS_PATH}"));
    let mut report_secret = (!config.sms_report_secret.is_empty()).then(|| config.sms_report_secret.clone());
    let sms_config = if let Some(gateway) = &config.sms_gateway {
        Some(SmsGatewayConfig { callback_url: gateway.callback_url.clone().or(callback), ..gateway.clone() })
    } else if !config.sms_gateway_url.is_empty() {
        Some(SmsGatewayConfig::sandbox(config.sms_gateway_url.trim_end_matches('/'), callback))
    } else if demo {
        let sandbox = SmsSandbox::start(loopback().await?, SmsSandboxConfig { callback_secret: DEMO_SMS_REPORT_SECRET.into(), ..SmsSandboxConfig::default() })?;
        println!("DEMO: sandbox SMS gateway on {} (every message it takes: {}/messages)", sandbox.base_url(), sandbox.base_url());
        let gateway = sandbox.client_config(callback);
        report_secret.get_or_insert_with(|| DEMO_SMS_REPORT_SECRET.into());
        sandboxes.sms = Some(sandbox);
        Some(gateway)
    } else {
        None
    };
    let email_config = if !config.smtp_url.is_empty() {
        Some(SmtpConfig::from_url(&config.smtp_url, config.mail_from.clone()).map_err(|e| anyhow::anyhow!("smtp_url: {e}"))?)
    } else if demo {
        let sandbox = SmtpSandbox::start(loopback().await?, SmtpSandboxConfig::default())?;
        println!("DEMO: sandbox mail server on smtp://{}", sandbox.addr());
        let relay = sandbox.client_config(&config.mail_from);
        sandboxes.smtp = Some(sandbox);
        Some(relay)
    } else {
        None
    };
    let webhook = if config.webhook_url.is_empty() {
        None
    } else {
        let webhook = WebhookConfig {
            url: config.webhook_url.clone(),
            secret: SecretString::from(config.webhook_secret.clone()),
            timeout_ms: DEFAULT_WEBHOOK_TIMEOUT_MS,
        };
        Some(WebhookSender::new(webhook).map_err(|e| anyhow::anyhow!("webhook_url: {e}"))?)
    };
    let channels = Channels {
        sms: sms_config.map(SmsGateway::new).transpose().map_err(|e| anyhow::anyhow!("SMS gateway: {e}"))?,
        email: email_config.map(EmailSender::new).transpose().map_err(|e| anyhow::anyhow!("mail relay: {e}"))?,
        webhook,
        sms_report_secret: report_secret,
    };
    Ok((channels, sandboxes))
}

/// The secret the demo's sandbox SMS gateway signs delivery reports with.
const DEMO_SMS_REPORT_SECRET: &str = "demo-sms-secret";

async fn loopback() -> std::io::Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind(("127.0.0.1", 0)).await
}

/// How this node's workers run, from the configuration.
pub fn worker_config(config: &Config) -> WorkerConfig {
    WorkerConfig { workers: config.notify_workers, remind_before_days: config.remind_before_days }
}

/// Tells the workers to stop and waits until each has finished the message in hand.
pub async fn stop_workers(stop: &watch::Sender<bool>, workers: Vec<JoinHandle<()>>) {
    let _ = stop.send(true);
    for w in workers {
        let _ = w.await;
    }
}

/// `mahasil worker`: only the notification workers, for deployments that run them apart
/// from the web nodes (any number of them, on PostgreSQL: claims never overlap).
pub async fn run_worker(config: Config) -> anyhow::Result<()> {
    anyhow::ensure!(config.notify_workers > 0, "notify_workers is 0: this worker would send nothing");
    let store = crate::open_store(&config).await?;
    let issuer = store.node_issuer(&config.node_name, Timestamp::now()).await?;
    let seals = crate::node_seals(&config, &store, issuer, false).await?;
    seals.spawn_refresher();
    let mut state = AppState::new(store, crate::serve::server_config(&config, false, issuer, None), seals);
    let (channels, _sandboxes) = channels(&config, false, &config.public_base_url).await?;
    anyhow::ensure!(channels.any(), "no notification channel is configured (smtp_url, sms_gateway_url or [sms_gateway], webhook_url)");
    state.channels = Arc::new(channels);
    mahasil_server::notify::register_webhook(&state).await?;
    let (stop, stopping) = watch::channel(false);
    let workers = mahasil_server::notify::worker::spawn(&state, worker_config(&config), &stopping);
    println!("mahasil worker: {} notification workers running ({} database)", config.notify_workers, state.store.backend());
    crate::serve::shutdown_signal().await;
    stop_workers(&stop, workers).await;
    println!("mahasil worker stopped");
    Ok(())
}
