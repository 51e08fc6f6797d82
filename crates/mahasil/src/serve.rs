//! `mahasil serve`: open the database, seed the demo if asked, and serve until a signal.

use jiff::Timestamp;
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
    let state = AppState::new(
        store.clone(),
        ServerConfig {
            public_base_url: config.public_base_url.trim_end_matches('/').to_string(),
            demo,
            issuer,
            session_ttl_secs: config.session_ttl_secs,
            secure_cookies: config.public_base_url.starts_with("https://"),
        },
        seals,
    );
    let listener = tokio::net::TcpListener::bind(&config.bind).await.map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.bind))?;
    let addr = listener.local_addr()?;
    println!("mahasil is serving on http://{addr} ({} database, node {} issuing as {issuer})", store.backend(), config.node_name);
    if demo {
        println!("DEMO: sign in at http://{addr}/login as officer.peshawar, supervisor.peshawar, treasury.peshawar, auditor or admin, password demo-password");
    }
    axum::serve(listener, mahasil_server::router(state)).with_graceful_shutdown(shutdown_signal()).await?;
    println!("mahasil stopped");
    Ok(())
}

async fn shutdown_signal() {
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
