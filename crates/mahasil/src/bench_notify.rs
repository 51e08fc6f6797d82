//! `mahasil bench notify`: how fast a server's notification workers empty the outbox into
//! the gateway. Run against a server that starts with messages already queued (see
//! `scripts/bench-notify`): it reads `/metrics` every [`POLL`] until `--messages` have been
//! sent and reports messages per minute, the deepest queue and the longest lag it saw.

use std::process::ExitCode;
use std::time::{Duration, Instant};

/// How often `/metrics` is read.
pub const POLL: Duration = Duration::from_millis(250);
/// The longest a run waits before giving up.
pub const GIVE_UP_AFTER: Duration = Duration::from_secs(1_800);

/// What one read of `/metrics` says about notifications.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct Reading {
    /// Messages sent (accepted by their gateway or relay) since the server started.
    pub sent: f64,
    /// Messages given up or found undeliverable.
    pub failed: f64,
    /// Messages waiting (the gauge, refreshed by the server every few seconds).
    pub queued: f64,
    pub lag_seconds: f64,
}

/// Reads the notification series from a Prometheus text exposition.
pub fn read(exposition: &str) -> Reading {
    let mut r = Reading::default();
    for line in exposition.lines().filter(|l| !l.starts_with('#')) {
        let Some((series, value)) = line.rsplit_once(' ') else { continue };
        let Ok(value) = value.trim().parse::<f64>() else { continue };
        if series.starts_with("mahasil_notify_messages_total") {
            if series.contains("result=\"sent\"") {
                r.sent += value;
            } else if series.contains("result=\"failed\"") || series.contains("result=\"undeliverable\"") {
                r.failed += value;
            }
        } else if series.starts_with("mahasil_notify_queue") && series.contains("status=\"queued\"") {
            r.queued = value;
        } else if series.starts_with("mahasil_notify_lag_seconds") {
            r.lag_seconds = value;
        }
    }
    r
}

pub async fn run(server: &str, messages: u64) -> anyhow::Result<ExitCode> {
    let http = reqwest::Client::new();
    let url = format!("{}/metrics", server.trim_end_matches('/'));
    let started = Instant::now();
    let (mut deepest, mut longest_lag, mut first_sent_at) = (0.0_f64, 0.0_f64, None);
    loop {
        let reading = read(&http.get(&url).send().await?.error_for_status()?.text().await?);
        deepest = deepest.max(reading.queued);
        longest_lag = longest_lag.max(reading.lag_seconds);
        if reading.sent > 0.0 && first_sent_at.is_none() {
            first_sent_at = Some(started.elapsed());
        }
        if reading.sent + reading.failed >= messages as f64 {
            let secs = started.elapsed().as_secs_f64();
            println!(
                "sent {:.0} messages ({:.0} failed) in {secs:.2} s: {:.0} messages/min; deepest queue seen {deepest:.0}, longest lag seen {longest_lag:.1} s",
                reading.sent,
                reading.failed,
                reading.sent / secs * 60.0
            );
            return Ok(if reading.failed > 0.0 { ExitCode::FAILURE } else { ExitCode::SUCCESS });
        }
        anyhow::ensure!(started.elapsed() < GIVE_UP_AFTER, "gave up: {} of {messages} messages sent after {GIVE_UP_AFTER:?}", reading.sent);
        tokio::time::sleep(POLL).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_notification_series() {
        let text = "# TYPE x counter\nmahasil_notify_messages_total{channel=\"sms\",result=\"sent\"} 120\n\
                    mahasil_notify_messages_total{channel=\"email\",result=\"sent\"} 30\n\
                    mahasil_notify_messages_total{channel=\"sms\",result=\"retry\"} 7\n\
                    mahasil_notify_messages_total{channel=\"sms\",result=\"undeliverable\"} 2\n\
                    mahasil_notify_queue{status=\"queued\"} 845\nmahasil_notify_queue{status=\"sending\"} 32\nmahasil_notify_lag_seconds 12.5\n";
        assert_eq!(read(text), Reading { sent: 150.0, failed: 2.0, queued: 845.0, lag_seconds: 12.5 });
    }
}
