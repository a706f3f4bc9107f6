//! The server loop: accepts connections with hyper directly (axum's `serve` has no connection
//! timeouts), so a client that trickles its headers, or keeps an idle connection open, is cut off:
//! headers must arrive within `limits.header_timeout_s` (hyper's header-read timeout, which also bounds
//! how long a kept-alive connection may sit idle before its next request starts), and a body within
//! `limits.body_timeout_s` (a layer in `app`). Event streams are not cut: they carry keep-alive comments
//! every 15 s. Also serves `/metrics` on `metrics.listen` when set, and stops gracefully on Ctrl-C /
//! SIGTERM: no new connections, event streams end, in-flight requests get `shutdown_grace_s`.

use crate::config::Config;
use crate::state::AppState;
use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpListener;
use tower::ServiceExt;

/// Serves `app` on `listener` until `stop` flips to true.
pub async fn run(
    listener: TcpListener,
    app: Router,
    config: &Config,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(Duration::from_secs(config.limits.header_timeout_s.max(1)));
    let graceful = GracefulShutdown::new();
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors and the like: wait instead of spinning.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            _ = stop.changed() => break,
        };
        let app = app.clone();
        let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
            req.extensions_mut().insert(ConnectInfo(peer));
            app.clone().oneshot(req.map(axum::body::Body::new))
        });
        let conn = builder
            .serve_connection_with_upgrades(TokioIo::new(stream), service)
            .into_owned();
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            let _ = conn.await;
        });
    }
    graceful.shutdown().await;
}

/// Serves until Ctrl-C / SIGTERM.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    let (tx, rx) = tokio::sync::watch::channel(false);
    let grace = config.server.shutdown_grace_s;
    let addr: SocketAddr = format!("{}:{}", config.server.host, config.server.port).parse()?;
    let state = AppState::new(config.clone(), rx.clone()).await?;
    crate::jobs::start(&state);
    let store = state.store.clone();
    if !config.metrics.listen.is_empty() {
        let maddr: SocketAddr = config.metrics.listen.parse()?;
        let metrics = Router::new()
            .route("/metrics", axum::routing::get(crate::routes::ops::metrics))
            .with_state(state.clone());
        let listener = TcpListener::bind(maddr).await?;
        tracing::info!(addr = %maddr, "metrics listening");
        let (cfg, rx) = (config.clone(), rx.clone());
        tokio::spawn(async move { run(listener, metrics, &cfg, rx).await });
    }
    let app = crate::app::router(state);
    let listener = TcpListener::bind(addr).await?;
    tracing::info!(%addr, "listening");
    tokio::spawn(async move {
        shutdown_signal().await;
        tracing::info!("shutting down: finishing in-flight requests");
        let _ = tx.send(true);
        tokio::time::sleep(Duration::from_secs(grace)).await;
        tracing::warn!("grace period over; exiting");
        std::process::exit(0);
    });
    run(listener, app, &config, rx).await;
    store.close().await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
