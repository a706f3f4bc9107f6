//! Configuration: one TOML file plus `ASSISTANT_*` environment overrides (`ASSISTANT_SERVER__PORT=9000`,
//! nested keys joined with `__`), read with `figment`. Every setting has a safe default so the server
//! starts with no file at all on a developer machine; nothing secret has a default (no agents, no admin
//! token: those endpoints then refuse everyone).

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    pub server: ServerConfig,
    /// `sqlite://…` or `postgres://…`; empty means SQLite in `data_dir`. `DATABASE_URL` also works.
    pub database_url: String,
    pub data_dir: PathBuf,
    /// Knowledge-base sources (`intents/*.toml`, `out_of_scope.toml`).
    pub kb_dir: PathBuf,
    /// Built widget and demo page to serve at `/` (Trunk's `dist/`); not served when it does not exist.
    pub static_dir: PathBuf,
    pub security: SecurityConfig,
    pub rate_limit: RateLimitConfig,
    pub hours: crate::hours::HoursConfig,
    pub handoff: HandoffConfig,
    pub chat: ChatConfig,
    pub agents: Vec<AgentAccount>,
    pub admin: AdminConfig,
    pub log: LogConfig,
    pub limits: LimitsConfig,
    pub login: LoginConfig,
    pub retention: RetentionConfig,
    pub metrics: MetricsConfig,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct ServerConfig {
    pub host: String,
    pub port: u16,
    /// Longest request body, bytes.
    pub max_body_bytes: usize,
    /// How long graceful shutdown waits for in-flight requests, seconds.
    pub shutdown_grace_s: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct SecurityConfig {
    /// Origins allowed to call the API from another site (exact `scheme://host[:port]`).
    pub cors_origins: Vec<String>,
    /// Content-Security-Policy of everything served. The widget needs `'wasm-unsafe-eval'` and
    /// `worker-src 'self'`.
    pub csp: String,
    /// Send `Strict-Transport-Security`. On by default (production is behind HTTPS); the dev
    /// configuration turns it off.
    pub hsts: bool,
    /// Mark the agent session cookie `Secure`. On by default; the dev configuration turns it off.
    pub secure_cookies: bool,
    /// Take the client's address from `X-Forwarded-For` (only behind trusted proxies). The address used
    /// is the one `trusted_proxies` hops from the right: the right-most entries were appended by our own
    /// proxies, so a client cannot choose it by sending its own `X-Forwarded-For`.
    pub trust_forwarded_for: bool,
    /// How many proxies of ours append to `X-Forwarded-For` (1 = one load balancer).
    pub trusted_proxies: usize,
}

/// Timeouts and caps that keep one client from holding the server's connections.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct LimitsConfig {
    /// A request's headers must arrive within this many seconds; it also bounds how long a kept-alive
    /// connection may sit idle before its next request (the idle timeout).
    pub header_timeout_s: u64,
    /// A request's body must arrive within this many seconds.
    pub body_timeout_s: u64,
    /// Open event streams per conversation, and per client address.
    pub streams_per_conversation: usize,
    pub streams_per_ip: usize,
    /// Stream tokens (for `EventSource`) are valid this long for opening and re-opening a stream.
    pub stream_token_ttl_s: u32,
    /// Conversations opened per client address per hour.
    pub conversations_per_ip_per_hour: u32,
    /// Hand-off requests per client address, and per conversation, per hour.
    pub handoffs_per_ip_per_hour: u32,
    pub handoffs_per_conversation_per_hour: u32,
    /// Messages left per client address, and per conversation, per hour.
    pub left_messages_per_ip_per_hour: u32,
    pub left_messages_per_conversation_per_hour: u32,
    /// Telemetry batches (`POST /v1/telemetry`, counts only) per client address per hour; 0 refuses
    /// them all. A widget sends at most one a minute, so 120 leaves room for a few tabs behind one
    /// address; more are refused (and the widget drops them silently).
    pub telemetry_per_ip_per_hour: u32,
}

/// Sign-in protection (agents' and admins' passwords).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct LoginConfig {
    /// Password checks (argon2, ~20 ms of a core and 19 MiB each) running at once; more get 503.
    pub max_concurrent_checks: usize,
    /// Failed sign-ins for one username, and from one client address, before a lockout.
    pub failures_per_user: u32,
    pub failures_per_ip: u32,
    /// The first lockout, seconds; it doubles with each failure after that, up to `max_lockout_s`.
    pub first_lockout_s: u64,
    pub max_lockout_s: u64,
    /// Failures older than this are forgotten, seconds.
    pub window_s: u64,
}

/// How long stored data is kept (see docs/PRIVACY.md). The job runs every `run_every_s`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct RetentionConfig {
    pub conversation_days: u32,
    pub unanswered_days: u32,
    pub audit_days: u32,
    pub run_every_s: u64,
    /// The insights counters (numbers per day and intent, no text) are kept this many days.
    pub insights_days: u32,
}

/// Where Prometheus scrapes `/metrics`: a separate listen address (`127.0.0.1:9100`), and/or the main
/// port with a bearer token (its SHA-256, as `assistant-server hash-token` prints). With neither,
/// metrics are not served.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct MetricsConfig {
    pub listen: String,
    pub token_sha256: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct RateLimitConfig {
    /// Sustained requests per second per client; 0 turns rate limiting off.
    pub per_second: u32,
    pub burst: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct HandoffConfig {
    /// Estimated minutes of an agent's time per waiting customer, for the wait estimate.
    pub seconds_per_customer: u32,
    /// Agent sessions last this long, seconds.
    pub session_ttl_s: i64,
    /// A waiting customer with no open event stream and no message for this long has left the queue.
    pub abandon_after_s: u64,
    /// Conversations per page of the agents' queue.
    pub queue_page_size: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct ChatConfig {
    /// Lowest retrieval confidence (0–1) for a knowledge-base answer; below it the server says it is
    /// not sure and offers a person.
    pub min_confidence: f32,
    /// Weight of the browser model's probability in the combined score.
    pub client_weight: f32,
    /// Weight of the question's cosine to the nearest single phrase of an intent or article, against
    /// (1 − this) the share of the question's words the whole document has.
    pub similarity_weight: f32,
    /// Least lead of the best answer's confidence over the next one's; closer than this, the server
    /// says it is not sure rather than pick one.
    pub min_margin: f32,
    /// Added to a help-centre article's confidence (see `retrieval::Weights::article`).
    pub article_bonus: f32,
    /// Where a help-centre article lives, `{id}` standing for its id. The default is the server's
    /// own plain rendering (`/help/{id}`); a bank points it at its help centre.
    pub help_url: String,
    /// The bank's own bot, asked what our tiers cannot answer (`crate::upstream`); off by default.
    pub upstream: UpstreamConfig,
}

/// Which bank bot `chat.upstream` forwards to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UpstreamKind {
    /// No upstream: unanswerable questions go straight to "not sure + a person".
    #[default]
    Off,
    /// A Rasa-style REST webhook (`POST {url}`, `{sender, message, metadata}` → `[{text, buttons?}]`).
    Rasa,
    /// An OpenAI-compatible chat-completions API (`POST {url}/chat/completions`), grounded in our
    /// passages.
    Openai,
}

/// A secret that never appears in `Debug` output (the configuration may be logged while debugging).
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SecretString(pub String);

impl std::fmt::Debug for SecretString {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_empty() { "\"\"" } else { "\"***\"" })
    }
}

/// `chat.upstream`: where questions our tiers cannot answer go, and how hard we lean on it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct UpstreamConfig {
    pub kind: UpstreamKind,
    /// Rasa: the webhook (`http://rasa:5005/webhooks/rest/webhook`). OpenAI: the base URL that
    /// `/chat/completions` is appended to (`https://api.openai.com/v1`).
    pub url: String,
    /// OpenAI: the bearer token (better from `ASSISTANT_CHAT__UPSTREAM__API_KEY`); empty sends none
    /// (a local model server). Never logged.
    pub api_key: SecretString,
    /// OpenAI: the model name.
    pub model: String,
    /// The whole request (connect, send, read the reply) must finish within this, milliseconds.
    pub timeout_ms: u64,
    /// Consecutive failures (timeouts, errors, 5xx, 401, 429) that open the circuit breaker.
    pub breaker_failures: u32,
    /// How long the open breaker refuses before letting one trial request through, milliseconds.
    pub breaker_cooldown_ms: u64,
    /// Questions one conversation may send upstream per minute (0 = no limit).
    pub per_conversation_per_minute: u32,
    /// How many recent turns (masked) go with a question.
    pub recent_turns: usize,
    /// OpenAI: the longest answer, tokens.
    pub max_tokens: u32,
}

impl Default for UpstreamConfig {
    fn default() -> Self {
        Self {
            kind: UpstreamKind::Off,
            url: String::new(),
            api_key: SecretString::default(),
            model: String::new(),
            timeout_ms: 2000,
            breaker_failures: 5,
            breaker_cooldown_ms: 30_000,
            per_conversation_per_minute: 6,
            recent_turns: 6,
            max_tokens: 400,
        }
    }
}

impl UpstreamConfig {
    /// Start-up checks, so that a typo fails the deployment instead of every customer's question.
    pub fn validate(&self) -> Result<(), String> {
        if self.kind == UpstreamKind::Off {
            return Ok(());
        }
        let url = reqwest::Url::parse(&self.url)
            .map_err(|e| format!("chat.upstream.url {:?}: {e}", self.url))?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(format!(
                "chat.upstream.url {:?}: must be an http(s) URL with a host",
                self.url
            ));
        }
        if !(50..=30_000).contains(&self.timeout_ms) {
            return Err(format!(
                "chat.upstream.timeout_ms {}: must be between 50 and 30000",
                self.timeout_ms
            ));
        }
        if self.breaker_failures == 0 {
            return Err("chat.upstream.breaker_failures must be at least 1".into());
        }
        if self.breaker_cooldown_ms > 3_600_000 {
            return Err("chat.upstream.breaker_cooldown_ms must be at most an hour".into());
        }
        if self.kind == UpstreamKind::Openai && self.model.trim().is_empty() {
            return Err("chat.upstream.model is required for kind = \"openai\"".into());
        }
        Ok(())
    }
}

/// An account that can sign in to the console. `password_hash` is an argon2 PHC string
/// (`assistant-server hash-password`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AgentAccount {
    pub username: String,
    /// Shown to the customer ("Li from Lakeside Bank").
    pub display_name: String,
    pub password_hash: String,
    #[serde(default)]
    pub role: AccountRole,
}

/// What an account may do. Agents and admins are separate accounts: an admin reads reports and the
/// audit trail and deletes conversations but takes no conversations; an agent never sees admin data.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountRole {
    /// Takes, answers and closes the conversations they hold.
    #[default]
    Agent,
    /// An agent who may also close or re-queue anyone's conversation.
    Supervisor,
    /// Reports, audit trail, deletion; no conversations.
    Admin,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct AdminConfig {
    /// SHA-256 (hex) of the admin bearer token (`assistant-server hash-token`); empty disables admin.
    pub token_sha256: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct LogConfig {
    /// `tracing` filter, e.g. `info` or `assistant_server=debug`.
    pub level: String,
    /// JSON lines (for log collectors) instead of human-readable text.
    pub json: bool,
}

pub const DEFAULT_CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
worker-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; \
object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'";

impl Default for Config {
    fn default() -> Self {
        Self {
            server: ServerConfig::default(),
            database_url: String::new(),
            data_dir: "data".into(),
            kb_dir: "public/kb".into(),
            static_dir: "dist".into(),
            security: SecurityConfig::default(),
            rate_limit: RateLimitConfig::default(),
            hours: crate::hours::HoursConfig::default(),
            handoff: HandoffConfig::default(),
            chat: ChatConfig::default(),
            agents: Vec::new(),
            admin: AdminConfig::default(),
            log: LogConfig::default(),
            limits: LimitsConfig::default(),
            login: LoginConfig::default(),
            retention: RetentionConfig::default(),
            metrics: MetricsConfig::default(),
        }
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            host: "127.0.0.1".into(),
            port: 8080,
            max_body_bytes: 64 * 1024,
            shutdown_grace_s: 20,
        }
    }
}

impl Default for SecurityConfig {
    fn default() -> Self {
        Self {
            cors_origins: Vec::new(),
            csp: DEFAULT_CSP.into(),
            hsts: true,
            secure_cookies: true,
            trust_forwarded_for: false,
            trusted_proxies: 1,
        }
    }
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        Self {
            per_second: 5,
            burst: 20,
        }
    }
}

impl Default for HandoffConfig {
    fn default() -> Self {
        Self {
            seconds_per_customer: 180,
            session_ttl_s: 8 * 3600,
            abandon_after_s: 120,
            queue_page_size: 50,
        }
    }
}

impl Default for LimitsConfig {
    fn default() -> Self {
        Self {
            header_timeout_s: 10,
            body_timeout_s: 15,
            streams_per_conversation: 3,
            streams_per_ip: 20,
            stream_token_ttl_s: 600,
            conversations_per_ip_per_hour: 300,
            handoffs_per_ip_per_hour: 10,
            handoffs_per_conversation_per_hour: 5,
            left_messages_per_ip_per_hour: 10,
            left_messages_per_conversation_per_hour: 3,
            telemetry_per_ip_per_hour: 120,
        }
    }
}

impl Default for LoginConfig {
    fn default() -> Self {
        Self {
            max_concurrent_checks: 2,
            failures_per_user: 5,
            failures_per_ip: 20,
            first_lockout_s: 30,
            max_lockout_s: 900,
            window_s: 900,
        }
    }
}

impl Default for RetentionConfig {
    fn default() -> Self {
        Self {
            conversation_days: 90,
            unanswered_days: 30,
            audit_days: 365,
            run_every_s: 3600,
            insights_days: 730,
        }
    }
}

impl Default for ChatConfig {
    fn default() -> Self {
        Self {
            min_confidence: 0.55,
            client_weight: 0.3,
            similarity_weight: 0.7,
            min_margin: 0.1,
            article_bonus: 0.1,
            help_url: "/help/{id}".into(),
            upstream: UpstreamConfig::default(),
        }
    }
}

impl Default for LogConfig {
    fn default() -> Self {
        Self {
            level: "info".into(),
            json: false,
        }
    }
}

impl Config {
    /// Defaults, then the file (when given and present), then `ASSISTANT_*` and `DATABASE_URL`.
    pub fn load(file: Option<&Path>) -> Result<Self, Box<figment::Error>> {
        let mut fig = Figment::from(Serialized::defaults(Config::default()));
        if let Some(f) = file {
            fig = fig.merge(Toml::file_exact(f));
        }
        fig = fig.merge(Env::prefixed("ASSISTANT_").split("__")).merge(
            Env::raw()
                .only(&["DATABASE_URL"])
                .map(|_| "database_url".into()),
        );
        fig.extract().map_err(Box::new)
    }

    /// The database URL, SQLite in the data directory unless configured otherwise.
    pub fn database_url(&self) -> String {
        if self.database_url.is_empty() {
            format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("assistant.db").display()
            )
        } else {
            self.database_url.clone()
        }
    }
}
