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
    /// Send `Strict-Transport-Security` (only behind HTTPS).
    pub hsts: bool,
    /// Mark the agent session cookie `Secure` (only behind HTTPS).
    pub secure_cookies: bool,
    /// Use the left-most `X-Forwarded-For` address as the client (only behind a trusted proxy).
    pub trust_forwarded_for: bool,
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
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct ChatConfig {
    /// Lowest retrieval confidence (0–1) for a knowledge-base answer; below it the server says it is
    /// not sure and offers a person.
    pub min_confidence: f32,
    /// Weight of the browser model's probability in the combined score.
    pub client_weight: f32,
}

/// An agent who can sign in to the console. `password_hash` is an argon2 PHC string
/// (`assistant-server hash-password`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AgentAccount {
    pub username: String,
    /// Shown to the customer ("Li from Lakeside Bank").
    pub display_name: String,
    pub password_hash: String,
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
            hsts: false,
            secure_cookies: false,
            trust_forwarded_for: false,
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
        }
    }
}

impl Default for ChatConfig {
    fn default() -> Self {
        Self {
            min_confidence: 0.5,
            client_weight: 0.3,
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
