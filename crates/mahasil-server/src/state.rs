//! What every handler can reach: the store, this node's configuration and the metrics.

use std::sync::Arc;

use mahasil_domain::challan_no::IssuerNo;
use mahasil_domain::head::HeadCode;
use mahasil_domain::jurisdiction::{Jurisdiction, Slug};
use mahasil_gateway::client::GatewayClient;
use mahasil_store::{HeadWithSchedules, ReceiptSigner, Sealer, Store, StoreError};
use metrics_exporter_prometheus::PrometheusHandle;

use crate::cache::Caches;
use crate::citizen::GatewayAccount;
use crate::notify::Channels;
use crate::seals::NodeSeals;

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
    /// The online payment gateway's account, when citizens may pay online.
    pub gateway: Option<GatewayAccount>,
}

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<ServerConfig>,
    pub metrics: PrometheusHandle,
    pub caches: Arc<Caches>,
    /// This node's signing keys and trust list.
    pub seals: Arc<NodeSeals>,
    /// Signs each challan as it is stored, with `seals`' challan key.
    pub sealer: Sealer,
    /// Signs each receipt as its payment is stored, with `seals`' receipt key.
    pub receipts: ReceiptSigner,
    /// The online payment gateway, when one is configured (set by the binary).
    pub gateway: Option<Arc<GatewayClient>>,
    /// The notification channels (set by the binary; none by default).
    pub channels: Arc<Channels>,
}

impl AppState {
    pub fn new(store: Store, config: ServerConfig, seals: Arc<NodeSeals>) -> Self {
        let (sealer, receipts) = (seals.sealer(), seals.receipt_signer());
        Self {
            store,
            config: Arc::new(config),
            metrics: crate::ops::metrics_handle(),
            caches: Arc::new(Caches::default()),
            seals,
            sealer,
            receipts,
            gateway: None,
            channels: Arc::new(Channels::default()),
        }
    }

    /// A head with its schedules, from the cache when fresh.
    pub async fn head(&self, code: &HeadCode) -> Result<Option<HeadWithSchedules>, StoreError> {
        self.caches.heads.get_or_fetch(code.to_string(), || self.store.head(code)).await
    }

    /// A bank with its secret, from the cache when fresh.
    pub async fn bank(&self, mnemonic: &Slug) -> Result<Option<mahasil_store::BankRecord>, StoreError> {
        self.caches.banks.get_or_fetch(mnemonic.to_string(), || self.store.bank(mnemonic)).await
    }

    /// A jurisdiction, from the cache when fresh.
    pub async fn jurisdiction(&self, slug: &Slug) -> Result<Option<Jurisdiction>, StoreError> {
        self.caches.places.get_or_fetch(slug.to_string(), || self.store.jurisdiction(slug)).await
    }
}
