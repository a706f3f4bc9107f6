//! Operations endpoints: liveness, readiness and Prometheus metrics. `/metrics` is not public: it is
//! served on its own listen address (`metrics.listen`, see `serve`) and, on the main port, only with the
//! bearer token whose SHA-256 is `metrics.token_sha256`; with neither configured it answers 404.

use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use subtle::ConstantTimeEq;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics_with_token))
}

async fn healthz() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "ok" }))
}

async fn readyz(State(state): State<AppState>) -> Response {
    match state.store.ping().await {
        Ok(()) => Json(serde_json::json!({ "status": "ok" })).into_response(),
        Err(_) => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "not_ready",
            "The database is not answering.",
        )
        .into_response(),
    }
}

/// The metrics in Prometheus' text format.
pub async fn metrics(State(state): State<AppState>) -> Response {
    if let Ok(n) = state.store.queue_length().await {
        state.metrics.queue_length.set(n);
    }
    if let Ok(oldest) = state.store.oldest_queued_at().await {
        let waited = oldest.map_or(0, |t| (crate::db::now_ms() - t).max(0) / 1000);
        state.metrics.queue_oldest_wait_seconds.set(waited);
    }
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(),
    )
        .into_response()
}

/// `/metrics` on the main port: only with the configured bearer token.
async fn metrics_with_token(state: State<AppState>, headers: HeaderMap) -> Response {
    let expected = state
        .config
        .metrics
        .token_sha256
        .trim()
        .to_ascii_lowercase();
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| crate::auth::sha256_hex(t.trim()));
    match given {
        Some(g) if expected.len() == 64 && bool::from(g.as_bytes().ct_eq(expected.as_bytes())) => {
            metrics(state).await
        }
        _ => ApiError::not_found("There is nothing at this address.").into_response(),
    }
}
