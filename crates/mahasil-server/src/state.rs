//! What every handler can reach: the store, this node's configuration and the metrics.

use std::sync::Arc;

use mahasil_domain::challan_no::IssuerNo;
use mahasil_store::Store;
use metrics_exporter_prometheus::PrometheusHandle;

/// How this node serves.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Base of links printed on notices and QR codes, e.g. `https://mahasil.kp.gov.pk`.
    pub public_base_url: String,
    /// Demo mode: every page says so.
    pub demo: bool,
    /// This node's issuer number: its challans are numbered under it.
    pub issuer: IssuerNo,
    /// How long a sign-in lasts, in seconds.
    pub session_ttl_secs: i64,
    /// Mark cookies `Secure` (on when the public base URL is https).
    pub secure_cookies: bool,
}

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<ServerConfig>,
    pub metrics: PrometheusHandle,
}
