//! The server's shared state: configuration, storage, the knowledge-base index, the event bus, metrics,
//! limits, and the queue positions every waiting customer's stream reads. The jobs that run beside it are
//! started by `serve` (`jobs::start`).

use crate::bus::Bus;
use crate::config::Config;
use crate::db::Store;
use crate::limits::Limits;
use crate::metrics::Metrics;
use crate::queue::Positions;
use crate::retrieval::Index;
use crate::throttle::LoginThrottle;
use crate::upstream::Upstream;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;

/// 256 random bits from the OS, as hex.
fn random_key() -> String {
    use argon2::password_hash::rand_core::{OsRng, RngCore};
    let mut b = [0u8; 32];
    OsRng.fill_bytes(&mut b);
    b.iter().map(|b| format!("{b:02x}")).collect()
}

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub store: Store,
    pub index: Arc<Index>,
    pub bus: Bus,
    pub metrics: Metrics,
    pub limiter: Option<Arc<DefaultKeyedRateLimiter<IpAddr>>>,
    pub limits: Arc<Limits>,
    pub login: Arc<LoginThrottle>,
    /// Recently verified conversation secrets.
    pub verified: Arc<Verified>,
    /// HMAC key of stream tokens, shared through the database by every instance.
    pub stream_key: Arc<Vec<u8>>,
    /// Every waiting conversation's place in the queue, recomputed once per queue change.
    pub positions: tokio::sync::watch::Receiver<Arc<Positions>>,
    /// The bank's own bot (`chat.upstream`), asked what our tiers cannot answer; `None` when off.
    pub upstream: Option<Arc<Upstream>>,
    /// Flips to true on shutdown; open event streams end so the server can stop.
    pub shutdown: tokio::sync::watch::Receiver<bool>,
}

impl AppState {
    /// Loads the knowledge base, connects the database (running migrations) and the event bus.
    pub async fn new(
        config: Config,
        shutdown: tokio::sync::watch::Receiver<bool>,
    ) -> anyhow::Result<Self> {
        config.hours.validate().map_err(anyhow::Error::msg)?;
        config
            .chat
            .upstream
            .validate()
            .map_err(anyhow::Error::msg)?;
        let index = Index::load(&config.kb_dir)?;
        let url = config.database_url();
        let store = Store::connect(&url).await?;
        let bus = match store.backend {
            crate::db::Backend::Sqlite => Bus::local(),
            crate::db::Backend::Postgres => Bus::postgres(&url).await?,
        };
        let limiter = match (
            NonZeroU32::new(config.rate_limit.per_second),
            NonZeroU32::new(config.rate_limit.burst.max(1)),
        ) {
            (Some(rate), Some(burst)) => Some(Arc::new(RateLimiter::keyed(
                Quota::per_second(rate).allow_burst(burst),
            ))),
            _ => None,
        };
        let stream_key = store
            .server_key("stream_token_hmac", &random_key())
            .await?
            .into_bytes();
        let positions = crate::queue::watch_positions(store.clone(), bus.clone()).await;
        let metrics = Metrics::new();
        let upstream = match config.chat.upstream.kind {
            crate::config::UpstreamKind::Off => None,
            // One key for every instance, so the bank's bot sees one sender per conversation.
            _ => {
                let key = store
                    .server_key("upstream_sender_hmac", &random_key())
                    .await?;
                Upstream::from_config(&config.chat.upstream, key.as_bytes(), &metrics)?
                    .map(Arc::new)
            }
        };
        Ok(Self {
            limits: Arc::new(Limits::new(&config.limits)),
            login: Arc::new(LoginThrottle::new(&config.login)),
            config: Arc::new(config),
            store,
            index: Arc::new(index),
            bus,
            metrics,
            limiter,
            stream_key: Arc::new(stream_key),
            verified: Arc::default(),
            positions,
            upstream,
            shutdown,
        })
    }
}

/// Recently verified (conversation, secret hash) pairs, so that a conversation's every call does not
/// read the database again (measured: it cost ~27% of `/v1/chat` throughput on SQLite, BENCHMARKS.md).
/// Only pairs that matched the database are kept, for `TTL`. A secret replaced on this instance is
/// forgotten at once; on another instance it is still taken for up to `TTL` — a secret the browser never
/// received (see `conversations::access::open`).
#[derive(Default)]
pub struct Verified {
    pairs: std::sync::Mutex<std::collections::HashMap<String, (String, std::time::Instant)>>,
}

impl Verified {
    const TTL: std::time::Duration = std::time::Duration::from_secs(60);
    const MAX: usize = 100_000;

    pub fn holds(&self, id: &str, hash: &str) -> bool {
        let pairs = self.pairs.lock().unwrap_or_else(|e| e.into_inner());
        pairs.get(id).is_some_and(|(h, at)| {
            at.elapsed() < Self::TTL
                && bool::from(subtle::ConstantTimeEq::ct_eq(h.as_bytes(), hash.as_bytes()))
        })
    }

    pub fn remember(&self, id: &str, hash: String) {
        let mut pairs = self.pairs.lock().unwrap_or_else(|e| e.into_inner());
        if pairs.len() >= Self::MAX {
            pairs.retain(|_, (_, at)| at.elapsed() < Self::TTL);
            if pairs.len() >= Self::MAX {
                pairs.clear();
            }
        }
        pairs.insert(id.to_owned(), (hash, std::time::Instant::now()));
    }

    pub fn forget(&self, id: &str) {
        self.pairs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(id);
    }
}
