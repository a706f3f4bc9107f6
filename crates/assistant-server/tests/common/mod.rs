//! Test harness: builds the server in-process against a backend (SQLite in a temp dir always;
//! PostgreSQL when `TEST_DATABASE_URL` is set), sends requests with `tower::ServiceExt::oneshot`, and
//! checks every JSON response against the schemas in `docs/openapi.yaml`, so the spec cannot drift.
#![allow(dead_code, clippy::field_reassign_with_default)]

use assistant_server::config::{AccountRole, AgentAccount, Config};
use assistant_server::{AppState, auth, router};
use axum::Router;
use axum::body::Body;
use axum::http::{Request, Response, StatusCode};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::sync::OnceLock;

pub const ADMIN_TOKEN: &str = "admin-secret-for-tests";
pub const METRICS_TOKEN: &str = "metrics-secret-for-tests";
pub const AGENT_PASSWORD: &str = "agent-password-for-tests";

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn agent_hash() -> &'static str {
    static H: OnceLock<String> = OnceLock::new();
    H.get_or_init(|| auth::hash_password(AGENT_PASSWORD).unwrap())
}

/// The backends to run storage-touching tests on.
pub fn backends() -> Vec<Option<String>> {
    let mut v = vec![None];
    if let Ok(url) = std::env::var("TEST_DATABASE_URL")
        && !url.is_empty()
    {
        v.push(Some(url));
    }
    v
}

pub struct TestServer {
    pub app: Router,
    pub state: AppState,
    pub _dir: tempfile::TempDir,
    _shutdown: tokio::sync::watch::Sender<bool>,
    /// The secrets of the conversations this test opened (`open`); `call` sends them like the widget.
    secrets: std::sync::Mutex<std::collections::HashMap<String, String>>,
}

/// The conversation a customer call is about: the body's `conversation_id`, or the id in
/// `/v1/conversations/{id}/…`.
fn conversation_of(path: &str, body: Option<&Value>) -> Option<String> {
    if let Some(c) = body
        .and_then(|b| b.get("conversation_id"))
        .and_then(Value::as_str)
    {
        return Some(c.to_owned());
    }
    path.strip_prefix("/v1/conversations/")
        .and_then(|r| r.split('/').next())
        .map(str::to_owned)
}

pub fn config(db: &Option<String>, dir: &std::path::Path) -> Config {
    let mut c = Config::default();
    c.kb_dir = root().join("public/kb");
    c.static_dir = dir.join("no-dist");
    c.data_dir = dir.to_path_buf();
    c.database_url = db.clone().unwrap_or_default();
    c.rate_limit.per_second = 0;
    c.hours.always_open = true;
    c.admin.token_sha256 = auth::sha256_hex(ADMIN_TOKEN);
    c.metrics.token_sha256 = auth::sha256_hex(METRICS_TOKEN);
    let account = |username: &str, display_name: &str, role| AgentAccount {
        username: username.into(),
        display_name: display_name.into(),
        password_hash: agent_hash().into(),
        role,
    };
    c.agents = vec![
        account("li", "Li", AccountRole::Agent),
        account("sam", "Sam", AccountRole::Agent),
        account("mei", "Mei", AccountRole::Supervisor),
        account("ada", "Ada", AccountRole::Admin),
    ];
    c
}

impl TestServer {
    pub async fn new(db: &Option<String>) -> Self {
        Self::with(db, |_| {}).await
    }

    pub async fn with(db: &Option<String>, tweak: impl FnOnce(&mut Config)) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut c = config(db, dir.path());
        tweak(&mut c);
        let (tx, rx) = tokio::sync::watch::channel(false);
        let state = AppState::new(c, rx).await.expect("server starts");
        // No background jobs (`jobs::start`): tests run them when they mean to, so a retention run
        // never deletes what a test has just seeded.
        Self {
            app: router(state.clone()),
            state,
            _dir: dir,
            _shutdown: tx,
            secrets: Default::default(),
        }
    }

    /// Opens a new conversation as the widget does; later `call`s about it carry its secret.
    pub async fn open(&self) -> String {
        let c = id();
        let (st, v) = self
            .call(
                "POST",
                "/v1/conversations",
                Some(json!({"conversation_id": c, "claim": format!("claim-{}-{}", id(), id())})),
                None,
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{v}");
        assert_valid("ConversationOpened", &v);
        self.secrets
            .lock()
            .unwrap()
            .insert(c.clone(), v["secret"].as_str().unwrap().to_owned());
        c
    }

    /// The secret of a conversation this test opened.
    pub fn secret(&self, c: &str) -> String {
        self.secrets.lock().unwrap()[c].clone()
    }

    /// The customer's event-stream address for `c`, with a fresh stream token.
    pub async fn events_uri(&self, c: &str) -> String {
        let (st, v) = self
            .call(
                "POST",
                &format!("/v1/conversations/{c}/stream-token"),
                Some(json!({})),
                None,
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{v}");
        assert_valid("StreamToken", &v);
        format!(
            "/v1/conversations/{c}/events?token={}",
            v["token"].as_str().unwrap()
        )
    }

    pub async fn send(&self, req: Request<Body>) -> Response<Body> {
        use tower::ServiceExt;
        self.app.clone().oneshot(req).await.unwrap()
    }

    /// Sends JSON (or raw text when `body` is a string) and returns status and JSON body.
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
        token: Option<&str>,
    ) -> (StatusCode, Value) {
        let mut b = Request::builder().method(method).uri(path);
        if let Some(t) = token {
            b = b.header("authorization", format!("Bearer {t}"));
        }
        if let Some(c) = conversation_of(path, body.as_ref())
            && let Some(secret) = self.secrets.lock().unwrap().get(&c)
        {
            b = b.header("x-conversation-secret", secret);
        }
        let req = match body {
            Some(v) => b
                .header("content-type", "application/json")
                .body(Body::from(v.to_string())),
            None => b.body(Body::empty()),
        }
        .unwrap();
        let resp = self.send(req).await;
        let status = resp.status();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        let v = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| panic!("{path}: not JSON: {}", String::from_utf8_lossy(&bytes)))
        };
        if !status.is_success() {
            assert_valid("Error", &v);
        }
        (status, v)
    }

    pub async fn raw(
        &self,
        method: &str,
        path: &str,
        content_type: Option<&str>,
        body: impl Into<Body>,
    ) -> (StatusCode, Value) {
        let mut b = Request::builder().method(method).uri(path);
        if let Some(ct) = content_type {
            b = b.header("content-type", ct);
        }
        let resp = self.send(b.body(body.into()).unwrap()).await;
        let status = resp.status();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        let v: Value = serde_json::from_slice(&bytes).expect("error bodies are JSON");
        assert_valid("Error", &v);
        (status, v)
    }

    /// `/metrics` as Prometheus (with the configured token) sees it.
    pub async fn metrics(&self) -> String {
        let resp = self
            .send(
                Request::get("/metrics")
                    .header("authorization", format!("Bearer {METRICS_TOKEN}"))
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(resp.status(), StatusCode::OK);
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    /// Signs `user` in through the console's form, as a browser does; returns the session cookie.
    pub async fn console_login(&self, user: &str) -> String {
        let resp = self
            .send(
                Request::post("/agent/login")
                    .header("content-type", "application/x-www-form-urlencoded")
                    .header("origin", "http://bank.example")
                    .header("host", "bank.example")
                    .body(Body::from(format!(
                        "username={user}&password={AGENT_PASSWORD}"
                    )))
                    .unwrap(),
            )
            .await;
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        resp.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_owned()
    }

    /// A console page's HTML for the agent signed in with `cookie`.
    pub async fn console_page(&self, path: &str, cookie: &str) -> String {
        let resp = self
            .send(
                Request::get(path)
                    .header("cookie", cookie)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(resp.status(), StatusCode::OK);
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    pub async fn login(&self, user: &str) -> String {
        let (s, v) = self
            .call(
                "POST",
                "/v1/agent/login",
                Some(json!({"username": user, "password": AGENT_PASSWORD})),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_valid("LoginResponse", &v);
        v["token"].as_str().unwrap().to_owned()
    }
}

pub fn spec() -> &'static Value {
    static S: OnceLock<Value> = OnceLock::new();
    S.get_or_init(|| {
        let text = std::fs::read_to_string(root().join("docs/openapi.yaml")).unwrap();
        serde_yaml_ng::from_str(&text).unwrap()
    })
}

/// Validates `v` against `components.schemas.<name>` of the OpenAPI document.
pub fn assert_valid(name: &str, v: &Value) {
    let schema = json!({
        "$ref": format!("#/components/schemas/{name}"),
        "components": spec()["components"].clone(),
    });
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(v)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    assert!(
        errors.is_empty(),
        "{name} does not match docs/openapi.yaml: {errors:?}\n{v}"
    );
}

/// A unique word of letters only: unlike `id()`, no run of digits for the masker to hide (a question
/// made with it is stored as written).
pub fn word() -> String {
    id().chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| match c.to_digit(10) {
            Some(d) => char::from(b'g' + d as u8),
            None => c,
        })
        .collect()
}

pub fn id() -> String {
    uuid_like()
}

fn uuid_like() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    // At least 16 characters, as the server requires of client-made ids.
    format!("t{t:016x}-{}", N.fetch_add(1, Ordering::Relaxed))
}

/// Reads an SSE body until `pred` holds for the events seen (guarded against hanging).
pub async fn read_events(
    body: &mut Body,
    seen: &mut Vec<(Option<String>, String, Value)>,
    pred: impl Fn(&[(Option<String>, String, Value)]) -> bool,
) {
    let mut buf = String::new();
    let fut = async {
        while !pred(seen) {
            let frame = body.frame().await.expect("stream open").expect("frame");
            if let Ok(data) = frame.into_data() {
                buf.push_str(&String::from_utf8_lossy(&data));
                while let Some(end) = buf.find("\n\n") {
                    let block: String = buf.drain(..end + 2).collect();
                    let (mut id, mut ev, mut data) = (None, String::new(), String::new());
                    for line in block.lines() {
                        if let Some(v) = line.strip_prefix("id:") {
                            id = Some(v.trim().to_owned());
                        } else if let Some(v) = line.strip_prefix("event:") {
                            ev = v.trim().to_owned();
                        } else if let Some(v) = line.strip_prefix("data:") {
                            data.push_str(v.trim_start());
                        }
                    }
                    if !data.is_empty() {
                        let v: Value = serde_json::from_str(&data).unwrap();
                        assert_valid("ConversationEvent", &v);
                        assert_eq!(v["type"], ev.as_str(), "event name is the type");
                        seen.push((id, ev, v));
                    }
                }
            }
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(30), fut)
        .await
        .expect("expected events arrived");
}
