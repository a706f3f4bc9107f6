//! Test harness: builds the server in-process against a backend (SQLite in a temp dir always;
//! PostgreSQL when `TEST_DATABASE_URL` is set), sends requests with `tower::ServiceExt::oneshot`, and
//! checks every JSON response against the schemas in `docs/openapi.yaml`, so the spec cannot drift.
#![allow(dead_code, clippy::field_reassign_with_default)]

use assistant_server::config::{AgentAccount, Config};
use assistant_server::{AppState, auth, router};
use axum::Router;
use axum::body::Body;
use axum::http::{Request, Response, StatusCode};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::sync::OnceLock;

pub const ADMIN_TOKEN: &str = "admin-secret-for-tests";
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
    c.agents = vec![
        AgentAccount {
            username: "li".into(),
            display_name: "Li".into(),
            password_hash: agent_hash().into(),
        },
        AgentAccount {
            username: "sam".into(),
            display_name: "Sam".into(),
            password_hash: agent_hash().into(),
        },
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
        Self {
            app: router(state.clone()),
            state,
            _dir: dir,
            _shutdown: tx,
        }
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
    format!("t{t:x}-{}", N.fetch_add(1, Ordering::Relaxed))
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
