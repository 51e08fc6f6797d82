//! `mahasil serve`: open the database, seed the demo if asked, and serve until a signal.

use jiff::Timestamp;
use mahasil_domain::challan_no::IssuerNo;
use mahasil_domain::jurisdiction::Slug;
use mahasil_gateway::client::GatewayClient;
use mahasil_server::citizen::GatewayAccount;
use mahasil_server::{AppState, ServerConfig};

use crate::config::Config;

pub async fn run(config: Config, demo: bool) -> anyhow::Result<()> {
    tracing::info!(?config, "starting");
    let store = crate::open_store(&config).await?;
    let issuer = store.node_issuer(&config.node_name, Timestamp::now()).await?;
    let seals = crate::node_seals(&config, &store, issuer, demo).await?;
    if demo {
        let report = crate::demo::seed(&store, issuer, &seals.sealer(), Timestamp::now()).await?;
        println!("{report}");
    }
    seals.spawn_refresher();
    let gateway = gateway(&config, demo).await?;
    if !config.link_secret.is_empty() {
        mahasil_server::citizen::share_link_secret(&config.link_secret);
    } else if store.backend() == "postgres" {
        tracing::warn!("link_secret is not set: citizens' links made on this node will not open on other nodes");
    }
    let mut state = AppState::new(store.clone(), server_config(&config, demo, issuer, gateway.as_ref().map(|(account, _)| account.clone())), seals);
    if let Some((_, client)) = gateway {
        state.gateway = Some(std::sync::Arc::new(client));
        mahasil_server::citizen::spawn_recheck(state.clone());
    }
    let listener = tokio::net::TcpListener::bind(&config.bind).await.map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.bind))?;
    let addr = listener.local_addr()?;
    // The demo's sandbox gateway reports deliveries to this very node, wherever it listens.
    let reports_to = if demo { format!("http://{addr}") } else { config.public_base_url.clone() };
    let (channels, _sandboxes) = crate::notify::channels(&config, demo, &reports_to).await?;
    state.channels = std::sync::Arc::new(channels);
    mahasil_server::notify::register_webhook(&state).await?;
    let (stop, stopping) = tokio::sync::watch::channel(false);
    let workers = mahasil_server::notify::worker::spawn(&state, crate::notify::worker_config(&config), &stopping);
    // Forecasts and anomaly flags for the dashboard, now and every few minutes.
    let scanner = tokio::spawn(mahasil_server::dashboard::scan::run(state.clone()));
    println!("mahasil is serving on http://{addr} ({} database, node {} issuing as {issuer})", store.backend(), config.node_name);
    if demo {
        println!("DEMO: sign in at http://{addr}/login as officer.peshawar, supervisor.peshawar, treasury.peshawar, auditor or admin, password demo-password");
    }
    // Peers' addresses reach the handlers: the citizen look-up counts failures per client.
    let app = mahasil_server::router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app).with_graceful_shutdown(shutdown_signal()).await?;
    scanner.abort();
    crate::notify::stop_workers(&stop, workers).await;
    println!("mahasil stopped");
    Ok(())
}

/// How this node serves, from the configuration (`serve` and `worker` alike).
pub fn server_config(config: &Config, demo: bool, issuer: IssuerNo, gateway: Option<GatewayAccount>) -> ServerConfig {
    ServerConfig {
        public_base_url: config.public_base_url.trim_end_matches('/').to_string(),
        demo,
        issuer,
        session_ttl_secs: config.session_ttl_secs,
        secure_cookies: config.public_base_url.starts_with("https://"),
        gateway,
    }
}

/// The online payment gateway this node talks to: the configured one, or in demo mode
/// (when none is configured) a sandbox gateway started on a loopback port.
async fn gateway(config: &Config, demo: bool) -> anyhow::Result<Option<(GatewayAccount, GatewayClient)>> {
    let name = Slug::parse(&config.gateway_name).map_err(|e| anyhow::anyhow!("gateway_name: {e}"))?;
    let (url, merchant, secret) = if !config.gateway_url.is_empty() {
        (config.gateway_url.clone(), config.gateway_merchant.clone(), config.gateway_secret.clone())
    } else if demo {
        let sandbox = mahasil_gateway::sandbox::SandboxConfig {
            bind: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
            merchant_id: config.gateway_merchant.clone(),
            secret: DEMO_GATEWAY_SECRET.into(),
            ..mahasil_gateway::sandbox::SandboxConfig::default()
        };
        let (addr, _task) = mahasil_gateway::sandbox::spawn(sandbox).await?;
        println!("DEMO: sandbox payment gateway on http://{addr} (card 4242424242424242 pays; 4000000000000002 is declined)");
        (format!("http://{addr}"), config.gateway_merchant.clone(), DEMO_GATEWAY_SECRET.to_string())
    } else {
        return Ok(None);
    };
    let client = GatewayClient::new(&url, merchant, secret.clone()).map_err(|e| anyhow::anyhow!("gateway_url {url}: {e}"))?;
    Ok(Some((GatewayAccount { name, callback_secret: secret }, client)))
}

/// The merchant secret of the demo's sandbox gateway.
const DEMO_GATEWAY_SECRET: &str = "demo-gateway-secret";

pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
