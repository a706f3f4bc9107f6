//! Prometheus metrics with the official `prometheus-client` crate: one registry per server (not a
//! process-global recorder), so tests can run several servers in one process.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use std::sync::Arc;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteStatus {
    pub route: String,
    pub status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabel {
    pub route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct SourceLabel {
    pub source: String,
}

/// An upstream bot's request: which adapter, and how it ended (`answered`, `not_sure`, `timeout`,
/// `error`, `breaker_open`, `rate_limited`).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct UpstreamLabels {
    pub adapter: &'static str,
    pub outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct AdapterLabel {
    pub adapter: &'static str,
}

#[derive(Clone)]
pub struct Metrics {
    registry: Arc<Registry>,
    pub requests: Family<RouteStatus, Counter>,
    pub latency: Family<RouteLabel, Histogram>,
    pub answers: Family<SourceLabel, Counter>,
    pub queue_length: Gauge,
    /// Seconds the longest-waiting customer has waited for a person (0 when no one waits), for alerts.
    pub queue_oldest_wait_seconds: Gauge,
    pub sse_connections: Gauge,
    pub upstream_requests: Family<UpstreamLabels, Counter>,
    /// Only requests that went out (not those refused by the breaker or the rate limit).
    pub upstream_latency: Family<AdapterLabel, Histogram>,
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("assistant");
        let requests = Family::<RouteStatus, Counter>::default();
        let latency = Family::<RouteLabel, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(0.0005, 2.0, 14))
        });
        let answers = Family::<SourceLabel, Counter>::default();
        let queue_length = Gauge::default();
        let sse_connections = Gauge::default();
        let upstream_requests = Family::<UpstreamLabels, Counter>::default();
        let upstream_latency = Family::<AdapterLabel, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(0.01, 2.0, 12))
        });
        let queue_oldest_wait_seconds = Gauge::default();
        registry.register(
            "http_requests",
            "HTTP requests by route and status",
            requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "HTTP request latency by route (to response headers; SSE streams not included)",
            latency.clone(),
        );
        registry.register(
            "chat_answers",
            "Chat answers by source (kb, server)",
            answers.clone(),
        );
        registry.register(
            "queue_length",
            "Conversations waiting for a person",
            queue_length.clone(),
        );
        registry.register(
            "queue_oldest_wait_seconds",
            "How long the longest-waiting customer has waited for a person, seconds (0: no one waits)",
            queue_oldest_wait_seconds.clone(),
        );
        registry.register(
            "sse_connections",
            "Open event streams",
            sse_connections.clone(),
        );
        registry.register(
            "upstream_requests",
            "Questions forwarded to the bank's own bot, by adapter and outcome",
            upstream_requests.clone(),
        );
        registry.register(
            "upstream_request_duration_seconds",
            "Latency of the bank bot's answers (requests that went out), by adapter",
            upstream_latency.clone(),
        );
        Self {
            registry: Arc::new(registry),
            requests,
            latency,
            answers,
            queue_length,
            queue_oldest_wait_seconds,
            sse_connections,
            upstream_requests,
            upstream_latency,
        }
    }

    pub fn render(&self) -> String {
        let mut s = String::new();
        let _ = prometheus_client::encoding::text::encode(&mut s, &self.registry);
        s
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}
