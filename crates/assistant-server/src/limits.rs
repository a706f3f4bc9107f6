//! Caps that keep one client (or one conversation) from flooding the agents or holding the server:
//! conversations opened, hand-offs and left messages per address and per conversation per hour, and
//! open event streams per conversation and per address. Counted in this instance's memory (GCRA from
//! `governor`); with several instances behind a balancer each counts its own share, which the limits'
//! documentation says.

use crate::config::LimitsConfig;
use crate::error::ApiError;
use axum::http::StatusCode;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};

type Keyed<K> = Option<DefaultKeyedRateLimiter<K>>;

fn per_hour<K: Hash + Eq + Clone>(n: u32) -> Keyed<K> {
    NonZeroU32::new(n).map(|n| RateLimiter::keyed(Quota::per_hour(n).allow_burst(n)))
}

/// Too many: 429 with `Retry-After`.
#[derive(Debug)]
pub struct Limited {
    pub retry_after_s: u64,
    pub message: &'static str,
}

impl From<Limited> for ApiError {
    fn from(l: Limited) -> Self {
        ApiError::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", l.message)
            .with_retry_after(l.retry_after_s)
    }
}

fn check<K: Hash + Eq + Clone>(
    l: &Keyed<K>,
    key: &K,
    message: &'static str,
) -> Result<(), Limited> {
    match l {
        Some(l) => l.check_key(key).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            Limited {
                retry_after_s: wait.as_secs() + 1,
                message,
            }
        }),
        None => Ok(()),
    }
}

/// Which streams a slot counts against.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum StreamKey {
    Conversation(String),
    Ip(IpAddr),
}

pub struct Limits {
    conversations_ip: Keyed<IpAddr>,
    handoff_ip: Keyed<IpAddr>,
    handoff_conversation: Keyed<String>,
    left_ip: Keyed<IpAddr>,
    left_conversation: Keyed<String>,
    /// `None` when telemetry is refused altogether (0 per hour).
    telemetry_ip: Keyed<IpAddr>,
    streams: Arc<Mutex<HashMap<StreamKey, usize>>>,
    streams_per_conversation: usize,
    streams_per_ip: usize,
}

/// An open event stream's place in the counts; gives it back when dropped.
pub struct StreamSlot {
    streams: Arc<Mutex<HashMap<StreamKey, usize>>>,
    keys: [StreamKey; 2],
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        let mut m = self.streams.lock().unwrap_or_else(|e| e.into_inner());
        for k in &self.keys {
            if let Some(n) = m.get_mut(k) {
                *n -= 1;
                if *n == 0 {
                    m.remove(k);
                }
            }
        }
    }
}

const BUSY: &str = "Too many requests from here; please wait a little and try again.";

impl Limits {
    pub fn new(c: &LimitsConfig) -> Self {
        Self {
            conversations_ip: per_hour(c.conversations_per_ip_per_hour),
            handoff_ip: per_hour(c.handoffs_per_ip_per_hour),
            handoff_conversation: per_hour(c.handoffs_per_conversation_per_hour),
            left_ip: per_hour(c.left_messages_per_ip_per_hour),
            left_conversation: per_hour(c.left_messages_per_conversation_per_hour),
            telemetry_ip: per_hour(c.telemetry_per_ip_per_hour),
            streams: Arc::default(),
            streams_per_conversation: c.streams_per_conversation,
            streams_per_ip: c.streams_per_ip,
        }
    }

    pub fn open_conversation(&self, ip: IpAddr) -> Result<(), Limited> {
        check(&self.conversations_ip, &ip, BUSY)
    }

    pub fn handoff(&self, ip: IpAddr, conversation: &str) -> Result<(), Limited> {
        check(&self.handoff_conversation, &conversation.to_owned(), BUSY)?;
        check(&self.handoff_ip, &ip, BUSY)
    }

    pub fn leave_message(&self, ip: IpAddr, conversation: &str) -> Result<(), Limited> {
        check(&self.left_conversation, &conversation.to_owned(), BUSY)?;
        check(&self.left_ip, &ip, BUSY)
    }

    /// One telemetry batch from this address (`None` when telemetry is refused altogether).
    pub fn telemetry(&self, ip: IpAddr) -> Option<Result<(), Limited>> {
        self.telemetry_ip
            .as_ref()
            .map(|_| check(&self.telemetry_ip, &ip, BUSY))
    }

    /// A place for one more event stream, or 429 when the conversation or the address has enough.
    pub fn stream(&self, ip: IpAddr, conversation: &str) -> Result<StreamSlot, Limited> {
        let keys = [
            StreamKey::Conversation(conversation.to_owned()),
            StreamKey::Ip(ip),
        ];
        let mut m = self.streams.lock().unwrap_or_else(|e| e.into_inner());
        let full = m.get(&keys[0]).copied().unwrap_or(0) >= self.streams_per_conversation
            || m.get(&keys[1]).copied().unwrap_or(0) >= self.streams_per_ip;
        if full {
            return Err(Limited {
                retry_after_s: 5,
                message: "Too many open event streams; close one and try again.",
            });
        }
        for k in &keys {
            *m.entry(k.clone()).or_insert(0) += 1;
        }
        Ok(StreamSlot {
            streams: self.streams.clone(),
            keys,
        })
    }

    /// Forgets idle keys so the tables do not grow without bound.
    pub fn forget_idle(&self) {
        for l in [
            &self.conversations_ip,
            &self.handoff_ip,
            &self.left_ip,
            &self.telemetry_ip,
        ]
        .into_iter()
        .flatten()
        {
            l.retain_recent();
        }
        for l in [&self.handoff_conversation, &self.left_conversation]
            .into_iter()
            .flatten()
        {
            l.retain_recent();
        }
    }
}
