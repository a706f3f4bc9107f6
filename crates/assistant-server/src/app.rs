//! Wiring only: merges the routes (`routes::*`, `console`, the static files) and adds the layers every
//! request passes (rate limit on `/v1/*`, metrics, security headers, CORS, body limit and body timeout,
//! panic → JSON 500). The server loop with its connection timeouts is in `serve`; the state in `state`.

use crate::error::ApiError;
use crate::metrics::{RouteLabel, RouteStatus};
pub use crate::state::AppState;
use crate::{console, routes};
use axum::Router;
use axum::extract::{ConnectInfo, DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

fn request_ip(state: &AppState, req: &Request) -> IpAddr {
    let sec = &state.config.security;
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    crate::client::client_ip(
        sec.trust_forwarded_for,
        sec.trusted_proxies,
        req.headers(),
        peer,
    )
}

async fn rate_limit(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if let Some(l) = &state.limiter
        && let Err(not_until) = l.check_key(&request_ip(&state, &req))
    {
        let wait = not_until.wait_time_from(DefaultClock::default().now());
        let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        let mut resp = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            format!("Too many requests; please wait {secs} s and try again."),
        )
        .into_response();
        resp.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs.max(1)));
        return resp;
    }
    next.run(req).await
}

async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".into());
    let start = Instant::now();
    let resp = next.run(req).await;
    let m = &state.metrics;
    m.latency
        .get_or_create(&RouteLabel {
            route: route.clone(),
        })
        .observe(start.elapsed().as_secs_f64());
    m.requests
        .get_or_create(&RouteStatus {
            route,
            status: resp.status().as_u16(),
        })
        .inc();
    resp
}

async fn not_found() -> ApiError {
    ApiError::not_found("There is nothing at this address.")
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "This address does not accept that method.",
    )
}

fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("handler panicked");
    ApiError::internal().into_response()
}

/// Whether a static file's name carries a content hash (`name-0123456789abcdef.ext`,
/// `name-0123456789abcdef_bg.wasm`), so it can never change. Trunk writes its 64-bit hash as hex without
/// leading zeros, so 15 digits (or fewer) happen.
fn is_hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or("");
    let stem = name.split('.').next().unwrap_or("");
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-').is_some_and(|(_, h)| {
        (12..=16).contains(&h.len()) && h.bytes().all(|b| b.is_ascii_hexdigit())
    })
}

/// Hashed files are cached for a year; the rest (the page, the `assistant.js` loader, the SRI list)
/// are revalidated on every load, so a new release is picked up at once.
async fn cache_policy(req: axum::extract::Request, next: middleware::Next) -> Response {
    let hashed = is_hashed(req.uri().path());
    let mut resp = next.run(req).await;
    // A 304 carries the headers its 200 would (RFC 9110 §15.4.5).
    if resp.status().is_success() || resp.status() == StatusCode::NOT_MODIFIED {
        let value = if hashed {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        };
        let headers = resp.headers_mut();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
        // The same URL is served as brotli, gzip or identity (precompressed files, below): caches must
        // keep them apart.
        headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    resp
}

/// The whole application.
pub fn router(state: AppState) -> Router {
    let cfg = state.config.clone();
    let api = Router::new()
        .merge(routes::customer::routes())
        .merge(routes::agent::routes())
        .merge(routes::admin::routes())
        .route_layer(middleware::from_fn_with_state(state.clone(), rate_limit));
    let mut app = Router::new()
        .merge(api)
        .merge(console::routes())
        .merge(crate::insights::page::routes())
        .merge(routes::ops::routes())
        .merge(routes::help::routes())
        .method_not_allowed_fallback(method_not_allowed);
    app = if cfg.static_dir.is_dir() {
        // `cargo xtask fingerprint` writes `.br` and `.gz` next to every text and wasm file of dist/; a
        // browser that accepts them gets them (the worker's wasm: 5.8 MB raw, 1.2 MB brotli).
        let files = ServeDir::new(&cfg.static_dir)
            .precompressed_br()
            .precompressed_gzip()
            .not_found_service(axum::handler::HandlerWithoutStateExt::into_service(
                not_found,
            ));
        app.fallback_service(
            tower::ServiceBuilder::new()
                .layer(middleware::from_fn(cache_policy))
                .service(files),
        )
    } else {
        app.fallback(not_found)
    };
    let mut app = app
        .layer(middleware::from_fn_with_state(state.clone(), track))
        .with_state(state)
        .layer(DefaultBodyLimit::max(cfg.server.max_body_bytes))
        // A body shorter than its Content-Length (or trickled) fails after this instead of holding the
        // connection.
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(
            Duration::from_secs(cfg.limits.body_timeout_s.max(1)),
        ))
        .layer(CatchPanicLayer::custom(panic_response));
    let headers: Vec<(HeaderName, String)> = vec![
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff".into()),
        (
            header::REFERRER_POLICY,
            "strict-origin-when-cross-origin".into(),
        ),
        (
            header::CONTENT_SECURITY_POLICY,
            // The built pages have no inline scripts or styles (the fingerprint step checks), so the
            // policy needs no hashes or nonces.
            cfg.security.csp.clone(),
        ),
        (
            HeaderName::from_static("x-frame-options"),
            "SAMEORIGIN".into(),
        ),
    ];
    for (name, value) in headers {
        if let Ok(v) = HeaderValue::from_str(&value) {
            app = app.layer(SetResponseHeaderLayer::if_not_present(name, v));
        }
    }
    if cfg.security.hsts {
        app = app.layer(SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        ));
    }
    let origins: Vec<HeaderValue> = cfg
        .security
        .cors_origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    if !origins.is_empty() {
        app = app.layer(
            CorsLayer::new()
                .allow_origin(AllowOrigin::list(origins))
                .allow_methods([Method::GET, Method::POST])
                .allow_headers([
                    header::CONTENT_TYPE,
                    HeaderName::from_static("last-event-id"),
                    HeaderName::from_static(assistant_core::api::SECRET_HEADER),
                ]),
        );
    }
    app
}

#[cfg(test)]
mod tests {
    use super::is_hashed;

    #[test]
    fn hashed_names_are_cached_forever_and_stable_names_are_not() {
        assert!(is_hashed("/assistant-widget-c98419e0c1c705fb_bg.wasm"));
        // Trunk drops leading zeros from its hash: 15 digits must still count.
        assert!(is_hashed("/assistant-86af163e2e93506.css"));
        assert!(is_hashed("/kb/answers-0123456789abcdef.json"));
        assert!(!is_hashed("/assistant.js"));
        assert!(!is_hashed("/assistant.sri.json"));
        assert!(!is_hashed("/index.html"));
        assert!(!is_hashed("/my-page.html"));
    }
}
