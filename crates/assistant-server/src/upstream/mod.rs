//! The bank's own bot behind ours (`chat.upstream`): what our tiers cannot answer is forwarded to a
//! Rasa-style REST webhook or to an OpenAI-compatible chat-completions API, and its answer comes back
//! as [`UpstreamOutcome`]: answered, not sure, or unavailable (the caller then offers a person).
//!
//! Why these guarantees live here and not in the caller:
//! - **Nothing personal leaves.** The question and the recent turns are masked with
//!   [`assistant_core::pii::mask`] in this module, whatever the caller already did, and the
//!   conversation is named by an HMAC of its id under a key kept in the database (`sender`), stable
//!   across instances so the bank's bot can follow the conversation, but never the id itself (which is
//!   half of the customer's credentials).
//! - **A language model only says what our passages say.** The OpenAI adapter sends only the passages
//!   the caller retrieved and [`grounding`] checks the reply in Rust: it must cite a passage, and every
//!   number must be in a cited one. A refusal or an unsupported claim becomes [`UpstreamOutcome::NotSure`].
//! - **A slow or broken bot costs a customer little.** Each request has a timeout
//!   (`chat.upstream.timeout_ms`), a circuit breaker ([`breaker`]) stops calling a bot that keeps
//!   failing, and a per-conversation rate limit stops one conversation from spending the bank's
//!   quota. Every request is counted by adapter and outcome, with a latency histogram (`/metrics`).
//!
//! Logs carry the adapter, the outcome, the HTTP status and the conversation's `log_id`; never the
//! text, the API key, or the upstream's error message (an OpenAI 401 message echoes part of the key).

pub mod breaker;
pub mod grounding;
mod openai;
mod rasa;

use crate::config::{UpstreamConfig, UpstreamKind};
use crate::metrics::{AdapterLabel, Metrics, UpstreamLabels};
use assistant_core::locale::Lang;
use assistant_core::pii::mask;
use breaker::Breaker;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::num::NonZeroU32;
use std::time::{Duration, Instant};

/// Who said a recent turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Speaker {
    Customer,
    /// Our assistant, or an agent.
    Assistant,
}

/// One recent turn of the conversation, as the caller has it (it is masked again here).
#[derive(Debug, Clone, Copy)]
pub struct Turn<'a> {
    pub speaker: Speaker,
    pub text: &'a str,
}

/// A passage our retrieval found for the question: the only thing a language model may answer from.
/// `id` is the caller's (an article id); the prompt labels passages `P1`, `P2`… and
/// [`UpstreamOutcome::Answered::cited`] gives the caller's ids back.
#[derive(Debug, Clone, Copy)]
pub struct Passage<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub text: &'a str,
    pub url: &'a str,
}

/// A question our tiers could not answer.
#[derive(Debug, Clone, Copy)]
pub struct UpstreamQuestion<'a> {
    /// The raw conversation id: hashed here, never sent.
    pub conversation_id: &'a str,
    pub text: &'a str,
    pub lang: Lang,
    /// Oldest first; only the last `chat.upstream.recent_turns` are sent.
    pub recent: &'a [Turn<'a>],
    /// Used by the OpenAI adapter (without passages it answers "not sure" without asking); the Rasa
    /// adapter does not send them.
    pub passages: &'a [Passage<'a>],
}

/// A suggestion chip from the bank's bot: show `title`; `payload` is what the bot expects back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Button {
    pub title: String,
    pub payload: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum UpstreamOutcome {
    /// Show `text` as the bank bot's answer. `cited`: the passage ids it was grounded in (OpenAI
    /// adapter; empty for Rasa); `buttons`: suggestion chips (Rasa).
    Answered {
        text: String,
        buttons: Vec<Button>,
        cited: Vec<String>,
    },
    /// The bot had no answer, refused, or its answer failed the grounding check: offer a person.
    NotSure,
    /// The bot was not asked or did not answer: offer a person.
    Unavailable(Reason),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// No complete reply within `timeout_ms`.
    Timeout,
    /// Connection refused, an error status (401, 429, 5xx…), or a reply we could not read.
    Error,
    /// The circuit breaker is open: the bot was not asked.
    BreakerOpen,
    /// This conversation asked too often: the bot was not asked.
    RateLimited,
}

impl UpstreamOutcome {
    /// The `outcome` label of `assistant_upstream_requests_total`.
    pub fn label(&self) -> &'static str {
        match self {
            UpstreamOutcome::Answered { .. } => "answered",
            UpstreamOutcome::NotSure => "not_sure",
            UpstreamOutcome::Unavailable(Reason::Timeout) => "timeout",
            UpstreamOutcome::Unavailable(Reason::Error) => "error",
            UpstreamOutcome::Unavailable(Reason::BreakerOpen) => "breaker_open",
            UpstreamOutcome::Unavailable(Reason::RateLimited) => "rate_limited",
        }
    }
}

/// What an adapter sends: masked text, hashed sender.
pub(crate) struct Outgoing<'a> {
    pub sender: String,
    pub text: String,
    pub lang: Lang,
    pub recent: Vec<(Speaker, String)>,
    pub passages: &'a [Passage<'a>],
}

/// Why a request failed (it counts against the breaker).
#[derive(Debug)]
pub(crate) enum Failure {
    Timeout,
    /// For the log: a status and an error code, never a body.
    Error(String),
}

enum Adapter {
    Rasa(rasa::Rasa),
    Openai(openai::Openai),
}

pub struct Upstream {
    adapter: Adapter,
    client: reqwest::Client,
    sender_key: Vec<u8>,
    breaker: Breaker,
    limiter: Option<DefaultKeyedRateLimiter<String>>,
    recent_turns: usize,
    metrics: Metrics,
}

/// The longest reply read from an upstream; a longer one is an error.
const MAX_REPLY_BYTES: usize = 256 * 1024;

impl Upstream {
    /// The configured upstream, or `None` when `chat.upstream.kind` is `off`. `sender_key` is the
    /// HMAC key for conversation ids (`AppState` keeps it in the database so every instance names a
    /// conversation the same way). Fails on an invalid configuration.
    pub fn from_config(
        cfg: &UpstreamConfig,
        sender_key: &[u8],
        metrics: &Metrics,
    ) -> anyhow::Result<Option<Self>> {
        cfg.validate().map_err(anyhow::Error::msg)?;
        let adapter = match cfg.kind {
            UpstreamKind::Off => return Ok(None),
            UpstreamKind::Rasa => Adapter::Rasa(rasa::Rasa::new(&cfg.url)?),
            UpstreamKind::Openai => Adapter::Openai(openai::Openai::new(cfg)?),
        };
        let timeout = Duration::from_millis(cfg.timeout_ms);
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            // A redirect could carry the question (and the key) somewhere not configured.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("assistant-server/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Some(Self {
            adapter,
            client,
            sender_key: sender_key.to_vec(),
            breaker: Breaker::new(
                cfg.breaker_failures,
                Duration::from_millis(cfg.breaker_cooldown_ms),
            ),
            limiter: NonZeroU32::new(cfg.per_conversation_per_minute)
                .map(|n| RateLimiter::keyed(Quota::per_minute(n).allow_burst(n))),
            recent_turns: cfg.recent_turns,
            metrics: metrics.clone(),
        }))
    }

    /// `rasa` or `openai`: the `adapter` label, and for the caller to say whose answer it shows.
    pub fn adapter(&self) -> &'static str {
        match self.adapter {
            Adapter::Rasa(_) => "rasa",
            Adapter::Openai(_) => "openai",
        }
    }

    /// What the bank's bot sees instead of the conversation id: HMAC-SHA256 under the server's key,
    /// 128 bits in hex.
    pub fn sender(&self, conversation_id: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.sender_key)
            .expect("HMAC takes keys of any length");
        mac.update(b"upstream-sender:");
        mac.update(conversation_id.as_bytes());
        mac.finalize().into_bytes()[..16]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// Asks the bank's bot. Never fails: a problem is [`UpstreamOutcome::Unavailable`].
    pub async fn ask(&self, q: &UpstreamQuestion<'_>) -> UpstreamOutcome {
        let outcome = self.ask_counted(q).await;
        self.metrics
            .upstream_requests
            .get_or_create(&UpstreamLabels {
                adapter: self.adapter(),
                outcome: outcome.label(),
            })
            .inc();
        outcome
    }

    async fn ask_counted(&self, q: &UpstreamQuestion<'_>) -> UpstreamOutcome {
        let sender = self.sender(q.conversation_id);
        if let Some(l) = &self.limiter {
            if l.len() > 10_000 {
                l.retain_recent();
            }
            if l.check_key(&sender).is_err() {
                return UpstreamOutcome::Unavailable(Reason::RateLimited);
            }
        }
        if matches!(self.adapter, Adapter::Openai(_)) && q.passages.is_empty() {
            // Nothing to ground an answer in: a model could only make one up.
            return UpstreamOutcome::NotSure;
        }
        if !self.breaker.allow() {
            return UpstreamOutcome::Unavailable(Reason::BreakerOpen);
        }
        let skip = q.recent.len().saturating_sub(self.recent_turns);
        let out = Outgoing {
            sender,
            text: mask(q.text).text,
            lang: q.lang,
            recent: q.recent[skip..]
                .iter()
                .map(|t| (t.speaker, mask(t.text).text))
                .collect(),
            passages: q.passages,
        };
        let start = Instant::now();
        let result = match &self.adapter {
            Adapter::Rasa(r) => r.ask(&self.client, &out).await,
            Adapter::Openai(o) => o.ask(&self.client, &out).await,
        };
        self.metrics
            .upstream_latency
            .get_or_create(&AdapterLabel {
                adapter: self.adapter(),
            })
            .observe(start.elapsed().as_secs_f64());
        match result {
            Ok(outcome) => {
                self.breaker.success();
                outcome
            }
            Err(f) => {
                self.breaker.failure();
                let conversation = crate::pseudonym::log_id(q.conversation_id);
                let (reason, detail) = match f {
                    Failure::Timeout => (Reason::Timeout, "timed out".to_owned()),
                    Failure::Error(e) => (Reason::Error, e),
                };
                tracing::warn!(
                    adapter = self.adapter(),
                    %conversation,
                    %detail,
                    breaker_open = self.breaker.is_open(),
                    "upstream bot failed"
                );
                UpstreamOutcome::Unavailable(reason)
            }
        }
    }
}

/// Sends `req` and reads the whole reply (status and at most `MAX_REPLY_BYTES`).
pub(crate) async fn send(
    req: reqwest::RequestBuilder,
) -> Result<(reqwest::StatusCode, Vec<u8>), Failure> {
    let fail = |e: reqwest::Error| {
        if e.is_timeout() {
            Failure::Timeout
        } else {
            // The URL may hold a token in its query: not logged.
            Failure::Error(e.without_url().to_string())
        }
    };
    let resp = req.send().await.map_err(fail)?;
    let status = resp.status();
    if resp
        .content_length()
        .is_some_and(|n| n > MAX_REPLY_BYTES as u64)
    {
        return Err(Failure::Error(format!("status {status}, reply too long")));
    }
    let body = resp.bytes().await.map_err(fail)?;
    if body.len() > MAX_REPLY_BYTES {
        return Err(Failure::Error(format!("status {status}, reply too long")));
    }
    Ok((status, body.to_vec()))
}
