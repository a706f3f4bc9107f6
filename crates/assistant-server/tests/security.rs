//! The security review's findings (issue #13), one test each: what an attacker tried and what must
//! happen instead. Each failed on the server before the fix. Run on SQLite and (with
//! `TEST_DATABASE_URL`) PostgreSQL where storage is involved.

mod common;

use assistant_server::config::Config;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use common::*;
use http_body_util::BodyExt;
use serde_json::{Value, json};

/// Sends a request with extra headers; returns status, headers and the body (JSON, or the text as a
/// JSON string when it is not JSON).
async fn send(
    s: &TestServer,
    method: &str,
    path: &str,
    body: Option<Value>,
    headers: &[(&str, &str)],
) -> (StatusCode, HeaderMap, Value) {
    let mut b = Request::builder().method(method).uri(path);
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    let req = match body {
        Some(v) => b
            .header("content-type", "application/json")
            .body(Body::from(v.to_string())),
        None => b.body(Body::empty()),
    }
    .unwrap();
    let resp = s.send(req).await;
    let (status, headers) = (resp.status(), resp.headers().clone());
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    let v = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
    (status, headers, v)
}

fn handoff_body(c: &str) -> Value {
    json!({"conversation_id": c, "reason": "requested", "locale": "en",
           "transcript": [{"role": "customer", "text": "my card is blocked"},
                          {"role": "assistant", "text": "Would you like to talk to a person?"}]})
}

/// A conversation handed off, taken by Li, with one agent reply in it.
async fn with_agent_reply(s: &TestServer) -> (String, String) {
    let c = s.open().await;
    let (st, v) = s
        .call("POST", "/v1/handoff", Some(handoff_body(&c)), None)
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let li = s.login("li").await;
    s.call(
        "POST",
        &format!("/v1/agent/conversations/{c}/take"),
        None,
        Some(&li),
    )
    .await;
    let (st, _) = s
        .call(
            "POST",
            &format!("/v1/agent/conversations/{c}/reply"),
            Some(json!({"text": "Hello, this is Li"})),
            Some(&li),
        )
        .await;
    assert_eq!(st, StatusCode::ACCEPTED);
    (c, li)
}

// ---- High 1: a conversation id is not a key ---------------------------------------------------------

#[tokio::test]
async fn a_conversation_id_alone_reads_posts_cancels_or_requeues_nothing() {
    for db in backends() {
        let s = TestServer::new(&db).await;
        let (c, _) = with_agent_reply(&s).await;
        let other = s.open().await;
        let unknown = id();
        let m = id();
        let calls: Vec<(&str, String, Option<Value>)> = vec![
            (
                "POST",
                format!("/v1/conversations/{c}/stream-token"),
                Some(json!({})),
            ),
            ("GET", format!("/v1/conversations/{c}/events"), None),
            (
                "GET",
                format!("/v1/conversations/{c}/events?token=1.AAAA"),
                None,
            ),
            (
                "POST",
                format!("/v1/conversations/{c}/messages"),
                Some(json!({"message_id": m, "text": "hi"})),
            ),
            (
                "POST",
                "/v1/handoff/cancel".into(),
                Some(json!({"conversation_id": c})),
            ),
            ("POST", "/v1/handoff".into(), Some(handoff_body(&c))),
            (
                "POST",
                "/v1/chat".into(),
                Some(json!({"conversation_id": c, "message_id": m, "text": "hi", "locale": "en"})),
            ),
            (
                "POST",
                "/v1/leave-message".into(),
                Some(json!({"conversation_id": c, "message_id": m, "text": "hi", "locale": "en"})),
            ),
            (
                "POST",
                "/v1/feedback".into(),
                Some(json!({"conversation_id": c, "message_id": m, "helpful": false})),
            ),
        ];
        let wrong = s.secret(&other);
        for (method, path, body) in calls {
            for secret in [None, Some("0".repeat(64)), Some(wrong.clone())] {
                let headers: Vec<(&str, &str)> = secret
                    .as_deref()
                    .map(|v| vec![("x-conversation-secret", v)])
                    .unwrap_or_default();
                let (st, _, v) = send(&s, method, &path, body.clone(), &headers).await;
                assert_eq!(
                    st,
                    StatusCode::NOT_FOUND,
                    "{method} {path} with {secret:?}: {v}"
                );
                assert!(
                    !v.to_string().contains("Hello, this is Li"),
                    "nothing of the conversation leaks: {v}"
                );
                // The same answer as for an id that does not exist: nothing tells the two apart.
                let unknown_path = path.replace(&c, &unknown);
                let unknown_body = body
                    .as_ref()
                    .map(|b| serde_json::from_str(&b.to_string().replace(&c, &unknown)).unwrap());
                let (st2, _, v2) = send(&s, method, &unknown_path, unknown_body, &headers).await;
                assert_eq!((st, &v), (st2, &v2), "{method} {path}");
            }
        }
        // A stream token names one conversation: the other conversation's token does not open this one.
        let other_uri = s.events_uri(&other).await;
        let token = other_uri.split("token=").nth(1).unwrap();
        let (st, _, _) = send(
            &s,
            "GET",
            &format!("/v1/conversations/{c}/events?token={token}"),
            None,
            &[],
        )
        .await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        // The conversation is untouched: still with Li.
        let li = s.login("li").await;
        let (_, view) = s
            .call(
                "GET",
                &format!("/v1/agent/conversations/{c}"),
                None,
                Some(&li),
            )
            .await;
        assert_eq!(view["item"]["state"], "active");
    }
}

#[tokio::test]
async fn only_the_secret_s_hash_is_stored_and_a_lost_response_can_be_retried() {
    let s = TestServer::new(&None).await;
    let c = id();
    let claim = format!("claim-{}-{}", id(), id());
    let open = |claim: &str| json!({"conversation_id": c, "claim": claim});
    let (st, first) = s
        .call("POST", "/v1/conversations", Some(open(&claim)), None)
        .await;
    assert_eq!(st, StatusCode::CREATED);
    let secret = first["secret"].as_str().unwrap().to_owned();
    assert_eq!(secret.len(), 64, "256 bits");
    let stored = s
        .state
        .store
        .conversation_secret(&c)
        .await
        .unwrap()
        .unwrap();
    assert_ne!(stored, secret);
    assert_eq!(stored, assistant_server::auth::sha256_hex(&secret));
    // The response was lost: the same claim gets a new secret, and the first one stops working.
    let (st, again) = s
        .call("POST", "/v1/conversations", Some(open(&claim)), None)
        .await;
    assert_eq!(st, StatusCode::CREATED);
    let second = again["secret"].as_str().unwrap();
    assert_ne!(second, secret);
    assert_eq!(token_status(&s, &c, &secret).await, StatusCode::NOT_FOUND);
    assert_eq!(token_status(&s, &c, second).await, StatusCode::OK);
    // Someone else's claim for the same id is refused.
    let (st, v) = s
        .call(
            "POST",
            "/v1/conversations",
            Some(open(&format!("other-{}-{}", id(), id()))),
            None,
        )
        .await;
    assert_eq!(
        (st, v["error"].as_str()),
        (StatusCode::CONFLICT, Some("conversation_exists"))
    );
}

async fn token_status(s: &TestServer, c: &str, secret: &str) -> StatusCode {
    send(
        s,
        "POST",
        &format!("/v1/conversations/{c}/stream-token"),
        Some(json!({})),
        &[("x-conversation-secret", secret)],
    )
    .await
    .0
}

#[tokio::test]
async fn short_or_guessable_ids_are_refused() {
    let s = TestServer::new(&None).await;
    for c in ["c", "c-1", "0123456789abcde"] {
        let (st, _) = s
            .call(
                "POST",
                "/v1/conversations",
                Some(json!({"conversation_id": c, "claim": format!("claim-{}-{}", id(), id())})),
                None,
            )
            .await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{c}");
    }
    let (st, _) = s
        .call(
            "POST",
            "/v1/conversations",
            Some(json!({"conversation_id": id(), "claim": "short"})),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "a short claim");
    let c = s.open().await;
    let (st, _) = s
        .call(
            "POST",
            "/v1/chat",
            Some(json!({"conversation_id": c, "message_id": "m1", "text": "hi", "locale": "en"})),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "a short message id");
}

/// Captures what the server logs while `f` runs (tests run on a current-thread runtime, so a
/// thread-local subscriber sees every event).
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);
impl std::io::Write for Captured {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
impl Captured {
    fn start(&self) -> tracing::subscriber::DefaultGuard {
        let me = self.clone();
        tracing::subscriber::set_default(
            tracing_subscriber::fmt()
                .with_writer(move || me.clone())
                .with_ansi(false)
                .with_max_level(tracing::Level::INFO)
                .finish(),
        )
    }
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

#[tokio::test]
async fn logs_carry_a_short_hash_of_the_conversation_id_never_the_id() {
    let logs = Captured::default();
    let _guard = logs.start();
    let s = TestServer::new(&None).await;
    let (c, _) = with_agent_reply(&s).await;
    s.call(
        "POST",
        "/v1/chat",
        Some(json!({"conversation_id": c, "message_id": id(), "text": "I lost my card", "locale": "en"})),
        None,
    )
    .await;
    let text = logs.text();
    let short = assistant_server::conversations::log_id(&c);
    assert!(
        text.contains(&short),
        "the log names the conversation by its hash:\n{text}"
    );
    assert!(!text.contains(&c), "the id itself is in the log:\n{text}");
    assert!(!text.contains(&s.secret(&c)), "the secret is in the log");
}

// ---- High 2: forged transcript lines ----------------------------------------------------------------

#[tokio::test]
async fn a_browser_cannot_write_agent_or_system_lines_and_its_lines_are_marked_as_reported() {
    for db in backends() {
        let s = TestServer::new(&db).await;
        let c = s.open().await;
        for role in ["system", "agent"] {
            let body = json!({"conversation_id": c, "reason": "requested", "locale": "en",
                "transcript": [{"role": role, "text": "Verified: customer identity confirmed, refund approved"}]});
            let (st, v) = s.call("POST", "/v1/handoff", Some(body), None).await;
            assert_eq!(st, StatusCode::BAD_REQUEST, "{role}: {v}");
        }
        let (c2, li) = with_agent_reply(&s).await;
        let (_, view) = s
            .call(
                "GET",
                &format!("/v1/agent/conversations/{c2}"),
                None,
                Some(&li),
            )
            .await;
        assert_valid("ConversationView", &view);
        let lines = view["transcript"].as_array().unwrap();
        for l in lines {
            let from_browser = l["role"] == "customer" || l["role"] == "assistant";
            assert_eq!(l["reported"], from_browser, "{l}");
        }
        assert!(
            lines
                .iter()
                .any(|l| l["role"] == "agent" && l["reported"] == false)
        );
        // The console says so in words.
        let cookie = format!("assistant_agent={li}");
        let (_, _, html) = send(
            &s,
            "GET",
            &format!("/agent/c/{c2}"),
            None,
            &[("cookie", &cookie)],
        )
        .await;
        let html = html.as_str().unwrap();
        assert!(
            html.contains(
                "Assistant <span class=\"source\">(reported by the customer's browser)</span>"
            ),
            "{html}"
        );
    }
}

// ---- High 3: sign-in throttling --------------------------------------------------------------------

async fn login_as(s: &TestServer, user: &str, password: &str, ip: &str) -> (StatusCode, HeaderMap) {
    let (st, h, _) = send(
        s,
        "POST",
        "/v1/agent/login",
        Some(json!({"username": user, "password": password})),
        &[("x-forwarded-for", ip)],
    )
    .await;
    (st, h)
}

fn behind_proxy(c: &mut Config) {
    c.security.trust_forwarded_for = true;
}

#[tokio::test]
async fn sign_in_is_locked_out_per_username_and_per_address_with_retry_after() {
    let logs = Captured::default();
    let _guard = logs.start();
    let s = TestServer::with(&None, behind_proxy).await;
    for i in 0..5 {
        let (st, _) = login_as(&s, "li", "wrong", &format!("198.51.100.{i}")).await;
        assert_eq!(st, StatusCode::UNAUTHORIZED);
    }
    // Five failures for "li" from five addresses: even the right password now waits.
    let (st, h) = login_as(&s, "li", AGENT_PASSWORD, "198.51.100.77").await;
    assert_eq!(st, StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = h["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=31).contains(&wait), "{wait}");
    // Another agent is not locked out by it.
    let (st, _) = login_as(&s, "sam", AGENT_PASSWORD, "198.51.100.78").await;
    assert_eq!(st, StatusCode::OK);
    // One address spraying many usernames is locked out too.
    for i in 0..20 {
        login_as(&s, &format!("user{i}"), "x", "203.0.113.9").await;
    }
    let (st, _) = login_as(&s, "sam", AGENT_PASSWORD, "203.0.113.9").await;
    assert_eq!(st, StatusCode::TOO_MANY_REQUESTS);
    // The console form is the same door.
    let resp = s
        .send(
            Request::post("/agent/login")
                .header("content-type", "application/x-www-form-urlencoded")
                .header("origin", "http://bank.example")
                .header("host", "bank.example")
                .header("x-forwarded-for", "203.0.113.9")
                .body(Body::from(format!(
                    "username=sam&password={AGENT_PASSWORD}"
                )))
                .unwrap(),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(resp.headers().contains_key("retry-after"));
    // Every refusal is logged with the (masked) username and the address; a username that is a phone
    // number is not written in clear.
    login_as(&s, "13812345678", "x", "192.0.2.200").await;
    let text = logs.text();
    assert!(
        text.contains("198.51.100.3") && text.contains("username=li"),
        "{text}"
    );
    assert!(
        text.contains("192.0.2.200") && !text.contains("13812345678"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn password_checks_are_capped_and_the_excess_is_told_to_retry() {
    let s = TestServer::with(&None, |c| {
        behind_proxy(c);
        c.login.max_concurrent_checks = 1;
    })
    .await;
    let tries = (0..8).map(|i| {
        let s = &s;
        async move { login_as(s, &format!("u{i}"), "x", &format!("192.0.2.{i}")).await }
    });
    let results = futures_util::future::join_all(tries).await;
    let busy: Vec<_> = results
        .iter()
        .filter(|(st, _)| *st == StatusCode::SERVICE_UNAVAILABLE)
        .collect();
    assert!(
        !busy.is_empty(),
        "eight checks at once with room for one: {results:?}"
    );
    assert!(busy.iter().all(|(_, h)| h["retry-after"] == "1"));
    assert!(
        results.iter().all(
            |(st, _)| *st == StatusCode::UNAUTHORIZED || *st == StatusCode::SERVICE_UNAVAILABLE
        )
    );
}

// ---- Medium 4: slow clients and stream floods ------------------------------------------------------

async fn live_server(tweak: impl FnOnce(&mut Config)) -> (TestServer, std::net::SocketAddr) {
    let s = TestServer::with(&None, tweak).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (app, config) = (s.app.clone(), (*s.state.config).clone());
    let stop = s.state.shutdown.clone();
    tokio::spawn(async move { assistant_server::serve::run(listener, app, &config, stop).await });
    (s, addr)
}

/// Seconds until the server closes a connection that sent `bytes` and then nothing (None: still open
/// after `max`).
async fn closed_after(addr: std::net::SocketAddr, bytes: &[u8], max: u64) -> Option<f64> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut c = tokio::net::TcpStream::connect(addr).await.unwrap();
    c.write_all(bytes).await.unwrap();
    let start = std::time::Instant::now();
    let mut buf = vec![0u8; 4096];
    let read_all = async {
        loop {
            match c.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(max), read_all)
        .await
        .ok()
        .map(|_| start.elapsed().as_secs_f64())
}

#[tokio::test]
async fn slow_headers_short_bodies_and_idle_connections_are_cut_off() {
    let (_s, addr) = live_server(|c| {
        c.limits.header_timeout_s = 1;
        c.limits.body_timeout_s = 1;
    })
    .await;
    let partial = closed_after(addr, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ", 10).await;
    assert!(
        partial.is_some_and(|t| t < 5.0),
        "partial headers held the connection: {partial:?}"
    );
    let short_body = closed_after(
        addr,
        b"POST /v1/conversations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"conversation_id\":",
        10,
    )
    .await;
    assert!(
        short_body.is_some_and(|t| t < 5.0),
        "a short body held the connection: {short_body:?}"
    );
    let idle = closed_after(addr, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", 10).await;
    assert!(
        idle.is_some_and(|t| t < 5.0),
        "an idle kept-alive connection stayed open: {idle:?}"
    );
}

async fn open(s: &TestServer, uri: String) -> axum::http::Response<Body> {
    s.send(Request::get(uri).body(Body::empty()).unwrap()).await
}

#[tokio::test]
async fn event_streams_are_capped_per_conversation_and_per_address() {
    let s = TestServer::with(&None, |c| {
        c.limits.streams_per_conversation = 2;
        c.limits.streams_per_ip = 3;
    })
    .await;
    let a = s.open().await;
    s.call("POST", "/v1/handoff", Some(handoff_body(&a)), None)
        .await;
    let first = open(&s, s.events_uri(&a).await).await;
    let second = open(&s, s.events_uri(&a).await).await;
    assert_eq!(
        (first.status(), second.status()),
        (StatusCode::OK, StatusCode::OK)
    );
    let third = open(&s, s.events_uri(&a).await).await;
    assert_eq!(third.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(third.headers().contains_key("retry-after"));
    let b = s.open().await;
    s.call("POST", "/v1/handoff", Some(handoff_body(&b)), None)
        .await;
    let b1 = open(&s, s.events_uri(&b).await).await;
    assert_eq!(b1.status(), StatusCode::OK);
    let b2 = open(&s, s.events_uri(&b).await).await;
    assert_eq!(
        b2.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "four from one address"
    );
    // A closed stream gives its place back.
    drop(first);
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let again = open(&s, s.events_uri(&b).await).await;
    assert_eq!(again.status(), StatusCode::OK);
}

// ---- Medium 5: floods of hand-offs and left messages, paging, leaving customers ---------------------

#[tokio::test]
async fn hand_offs_and_left_messages_are_limited_per_address_and_per_conversation() {
    let s = TestServer::with(&None, |c| {
        c.limits.handoffs_per_ip_per_hour = 3;
        c.limits.left_messages_per_conversation_per_hour = 2;
    })
    .await;
    let mut statuses = Vec::new();
    for _ in 0..4 {
        let c = s.open().await;
        statuses.push(
            s.call("POST", "/v1/handoff", Some(handoff_body(&c)), None)
                .await
                .0,
        );
    }
    assert_eq!(
        statuses,
        [
            StatusCode::OK,
            StatusCode::OK,
            StatusCode::OK,
            StatusCode::TOO_MANY_REQUESTS
        ]
    );
    let c = s.open().await;
    let mut statuses = Vec::new();
    for _ in 0..3 {
        let body = json!({"conversation_id": c, "message_id": id(), "text": "call me back", "locale": "en"});
        statuses.push(
            s.call("POST", "/v1/leave-message", Some(body), None)
                .await
                .0,
        );
    }
    assert_eq!(
        statuses,
        [
            StatusCode::ACCEPTED,
            StatusCode::ACCEPTED,
            StatusCode::TOO_MANY_REQUESTS
        ]
    );
}

#[tokio::test]
async fn the_queue_is_paged_and_left_messages_can_be_marked_handled() {
    // SQLite only: the counts assume a database of its own (PostgreSQL is shared by the tests).
    for db in [None] {
        let s = TestServer::with(&db, |c| c.handoff.queue_page_size = 2).await;
        for _ in 0..3 {
            let c = s.open().await;
            s.call("POST", "/v1/handoff", Some(handoff_body(&c)), None)
                .await;
        }
        let li = s.login("li").await;
        let (_, p1) = s.call("GET", "/v1/agent/queue", None, Some(&li)).await;
        assert_valid("QueueResponse", &p1);
        assert_eq!(p1["items"].as_array().unwrap().len(), 2);
        assert_eq!(
            (p1["total"].as_i64(), p1["next_page"].as_u64()),
            (Some(3), Some(2))
        );
        let (_, p2) = s
            .call("GET", "/v1/agent/queue?page=2", None, Some(&li))
            .await;
        assert_eq!(p2["items"].as_array().unwrap().len(), 1);
        assert!(p2.get("next_page").is_none());

        let c = s.open().await;
        let m = id();
        s.call(
            "POST",
            "/v1/leave-message",
            Some(json!({"conversation_id": c, "message_id": m, "text": "please call", "locale": "en"})),
            None,
        )
        .await;
        let (st, _) = s
            .call(
                "POST",
                &format!("/v1/agent/left-messages/{c}/{m}/handled"),
                None,
                Some(&li),
            )
            .await;
        assert_eq!(st, StatusCode::NO_CONTENT);
        let (_, open) = s
            .call("GET", "/v1/agent/left-messages", None, Some(&li))
            .await;
        assert!(
            !open.to_string().contains(&m),
            "handled messages leave the list"
        );
        let (_, done) = s
            .call(
                "GET",
                "/v1/agent/left-messages?handled=true",
                None,
                Some(&li),
            )
            .await;
        let row = done
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["message_id"] == m.as_str())
            .unwrap();
        assert_valid("LeftMessage", row);
        assert_eq!(row["handled_by"], "li");
    }
}

#[tokio::test]
async fn a_customer_who_has_gone_leaves_the_queue_and_the_agent_sees_why() {
    for db in backends() {
        let s = TestServer::with(&db, |c| c.handoff.abandon_after_s = 3).await;
        let gone = s.open().await;
        s.call("POST", "/v1/handoff", Some(handoff_body(&gone)), None)
            .await;
        let t0 = tokio::time::Instant::now();
        let here = s.open().await;
        s.call("POST", "/v1/handoff", Some(handoff_body(&here)), None)
            .await;
        // The second customer keeps the event stream open; the first closed the tab.
        let resp = s
            .send(
                Request::get(s.events_uri(&here).await)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        let mut stream = resp.into_body();
        let mut seen = Vec::new();
        read_events(&mut stream, &mut seen, |e| {
            e.iter().any(|(_, t, _)| t == "queue")
        })
        .await;
        // The server's own job runs every abandon_after_s / 4 (here: every second). The open stream is
        // read all the while, as a browser does (its heartbeat runs when the stream is polled).
        let until = t0 + std::time::Duration::from_millis(4500);
        loop {
            match tokio::time::timeout_at(until, stream.frame()).await {
                Err(_) => break,
                Ok(Some(Ok(_))) => {}
                Ok(other) => panic!("the stream ended: {:?}", other.map(|f| f.is_ok())),
            }
        }
        // Running the job once more by hand changes nothing for customers still here.
        assistant_server::jobs::abandon_gone(&s.state)
            .await
            .unwrap();
        let li = s.login("li").await;
        let (_, view) = s
            .call(
                "GET",
                &format!("/v1/agent/conversations/{gone}"),
                None,
                Some(&li),
            )
            .await;
        assert_eq!(view["item"]["state"], "abandoned");
        let (_, view) = s
            .call(
                "GET",
                &format!("/v1/agent/conversations/{here}"),
                None,
                Some(&li),
            )
            .await;
        assert_eq!(
            view["item"]["state"], "queued",
            "a customer with the stream open stays"
        );
        let (_, q) = s.call("GET", "/v1/agent/queue", None, Some(&li)).await;
        assert!(!q.to_string().contains(&gone));
        // Their place goes to the next in line (on a database of its own): a new stream starts with the
        // current position.
        if db.is_none() {
            let resp = s
                .send(
                    Request::get(s.events_uri(&here).await)
                        .body(Body::empty())
                        .unwrap(),
                )
                .await;
            let mut fresh = resp.into_body();
            let mut now = Vec::new();
            read_events(&mut fresh, &mut now, |e| {
                e.iter().any(|(_, t, _)| t == "queue")
            })
            .await;
            let pos = now.iter().find(|(_, t, _)| t == "queue").unwrap().2["position"].clone();
            assert_eq!(pos, 1);
        }
        let cookie = format!("assistant_agent={li}");
        let (_, _, html) = send(
            &s,
            "GET",
            &format!("/agent/c/{gone}"),
            None,
            &[("cookie", &cookie)],
        )
        .await;
        assert!(
            html.as_str()
                .unwrap()
                .contains("left before an agent joined")
        );
    }
}

// ---- Medium 6: masking of what the server stores from feedback ------------------------------------

#[tokio::test]
async fn feedback_intent_and_comment_are_stored_masked() {
    let s = TestServer::new(&None).await;
    let c = s.open().await;
    let (st, _) = s
        .call(
            "POST",
            "/v1/feedback",
            Some(
                json!({"conversation_id": c, "message_id": id(), "helpful": false,
                        "question": "why was I charged twice",
                        "intent": "4111 1111 1111 1111", "comment": "call me on 13812345678"}),
            ),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (_, r) = s
        .call(
            "GET",
            "/v1/admin/report?limit=1000",
            None,
            Some(ADMIN_TOKEN),
        )
        .await;
    let all = r.to_string();
    assert!(!all.contains("4111 1111"), "{all}");
}

// ---- Medium 7: retention and deletion ----------------------------------------------------------------

/// Makes the rows of these conversations look `days` older (a second connection to the same
/// database; other tests' rows are left alone, since PostgreSQL is shared).
async fn age(s: &TestServer, days: i64, conversations: &[&str]) {
    let pool = sqlx::AnyPool::connect(&s.state.config.database_url())
        .await
        .unwrap();
    let ms = days * 86_400_000;
    for c in conversations {
        for sql in [
            "UPDATE events SET created_at = created_at - $1 WHERE conversation_id = $2",
            "UPDATE chat_replies SET created_at = created_at - $1 WHERE conversation_id = $2",
            "UPDATE feedback SET created_at = created_at - $1 WHERE conversation_id = $2",
            "UPDATE left_messages SET created_at = created_at - $1 WHERE conversation_id = $2",
            "UPDATE handoffs SET updated_at = updated_at - $1 WHERE conversation_id = $2",
            "UPDATE conversations SET created_at = created_at - $1 WHERE id = $2",
        ] {
            sqlx::query(sql)
                .bind(ms)
                .bind(*c)
                .execute(&pool)
                .await
                .unwrap();
        }
    }
    pool.close().await;
}

#[tokio::test]
async fn old_conversations_are_deleted_by_the_retention_job_and_open_ones_are_kept() {
    for db in backends() {
        let s = TestServer::new(&db).await;
        sqlx::any::install_default_drivers();
        // A finished conversation with everything in it, and one still with an agent.
        let done = s.open().await;
        let q = format!("zz{} qqq unknown", word());
        s.call(
            "POST",
            "/v1/chat",
            Some(json!({"conversation_id": done, "message_id": id(), "text": q, "locale": "en"})),
            None,
        )
        .await;
        s.call("POST", "/v1/handoff", Some(handoff_body(&done)), None)
            .await;
        s.call(
            "POST",
            "/v1/handoff/cancel",
            Some(json!({"conversation_id": done})),
            None,
        )
        .await;
        s.call("POST", "/v1/leave-message", Some(json!({"conversation_id": done, "message_id": id(), "text": "call me", "locale": "en"})), None).await;
        let (open, _) = with_agent_reply(&s).await;
        // 40 days later: only the unanswered question's text is past its time (30 days).
        age(&s, 40, &[&done, &open]).await;
        let p = assistant_server::jobs::retain(&s.state).await.unwrap();
        assert!(p.unanswered >= 1 && p.events == 0, "{p:?}");
        let (_, r) = s
            .call(
                "GET",
                "/v1/admin/report?limit=1000",
                None,
                Some(ADMIN_TOKEN),
            )
            .await;
        assert!(
            !r.to_string().contains(&q),
            "unanswered question kept past 30 days"
        );
        // 100 days: the finished conversation goes, all of it; the open one stays.
        age(&s, 60, &[&done, &open]).await;
        let p = assistant_server::jobs::retain(&s.state).await.unwrap();
        assert!(
            p.events > 0 && p.conversations >= 1 && p.left_messages >= 1 && p.handoffs >= 1,
            "{p:?}"
        );
        assert!(
            s.state
                .store
                .conversation_secret(&done)
                .await
                .unwrap()
                .is_none()
        );
        assert!(s.state.store.handoff(&done).await.unwrap().is_none());
        assert!(
            s.state.store.handoff(&open).await.unwrap().is_some(),
            "still with an agent"
        );
        assert!(!s.state.store.transcript(&open).await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn an_admin_can_delete_a_conversation_for_a_data_subject_request() {
    for db in backends() {
        let s = TestServer::new(&db).await;
        let (c, li) = with_agent_reply(&s).await;
        let path = format!("/v1/admin/conversations/{c}");
        let (st, _) = s.call("DELETE", &path, None, Some(&li)).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "agents cannot delete");
        let (st, _) = s.call("DELETE", &path, None, Some(ADMIN_TOKEN)).await;
        assert_eq!(st, StatusCode::NO_CONTENT);
        assert!(s.state.store.transcript(&c).await.unwrap().is_empty());
        assert!(s.state.store.handoff(&c).await.unwrap().is_none());
        let (st, _) = s.call("DELETE", &path, None, Some(ADMIN_TOKEN)).await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        let (_, audit) = s
            .call("GET", "/v1/admin/audit", None, Some(ADMIN_TOKEN))
            .await;
        assert!(
            audit
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r["action"] == "delete"
                    && r["conversation"] == assistant_server::conversations::log_id(&c).as_str())
        );
    }
}

// ---- Medium 8: the audit trail -----------------------------------------------------------------------

#[tokio::test]
async fn every_agent_action_is_in_the_audit_trail_without_message_text() {
    for db in backends() {
        let s = TestServer::new(&db).await;
        s.call(
            "POST",
            "/v1/agent/login",
            Some(json!({"username": "li", "password": "nope"})),
            None,
        )
        .await;
        let (c, li) = with_agent_reply(&s).await;
        s.call(
            "GET",
            &format!("/v1/agent/conversations/{c}"),
            None,
            Some(&li),
        )
        .await;
        s.call(
            "POST",
            &format!("/v1/agent/conversations/{c}/requeue"),
            None,
            Some(&li),
        )
        .await;
        s.call(
            "POST",
            &format!("/v1/agent/conversations/{c}/take"),
            None,
            Some(&li),
        )
        .await;
        s.call(
            "POST",
            &format!("/v1/agent/conversations/{c}/close"),
            None,
            Some(&li),
        )
        .await;
        s.call("POST", "/v1/agent/logout", None, Some(&li)).await;
        let ada = s.login("ada").await;
        let (st, audit) = s
            .call("GET", "/v1/admin/audit?limit=1000", None, Some(&ada))
            .await;
        assert_eq!(st, StatusCode::OK, "an admin account reads the trail");
        let records = audit.as_array().unwrap();
        for r in records {
            assert_valid("AuditRecord", r);
        }
        let actions: Vec<(&str, &str)> = records
            .iter()
            .map(|r| (r["actor"].as_str().unwrap(), r["action"].as_str().unwrap()))
            .collect();
        for want in [
            ("-", "sign_in_refused"),
            ("li", "sign_in"),
            ("li", "take"),
            ("li", "reply"),
            ("li", "view"),
            ("li", "requeue"),
            ("li", "close"),
            ("li", "sign_out"),
        ] {
            assert!(actions.contains(&want), "{want:?} missing from {actions:?}");
        }
        let all = audit.to_string();
        assert!(
            !all.contains("Hello, this is Li"),
            "no message text in the trail"
        );
        assert!(!all.contains(&c), "conversations by hash only");
        let (st, _) = s
            .call("GET", "/v1/admin/audit", None, Some(&s.login("sam").await))
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN, "agents do not read the trail");
        // The agent's reply names its agent on the customer's stream.
        let stored = s.state.store.events_after(&c, 0).await.unwrap();
        assert!(
            stored
                .iter()
                .any(|e| e.data.contains("\"agent_name\":\"Li\"")
                    && e.data.contains("\"role\":\"agent\""))
        );
    }
}

// ---- Medium 9: secure defaults -------------------------------------------------------------------------

#[test]
fn production_defaults_are_secure_and_only_the_dev_file_turns_them_off() {
    let c = Config::default();
    assert!(c.security.secure_cookies && c.security.hsts);
    assert!(
        c.metrics.listen.is_empty() && c.metrics.token_sha256.is_empty(),
        "metrics not public"
    );
    let dev = Config::load(Some(&root().join("crates/assistant-server/dev.toml"))).unwrap();
    assert!(!dev.security.secure_cookies && !dev.security.hsts);
}

// ---- Low ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn cookie_authenticated_writes_must_come_from_our_own_origin() {
    let s = TestServer::new(&None).await;
    let (c, li) = with_agent_reply(&s).await;
    let cookie = format!("assistant_agent={li}");
    let path = format!("/v1/agent/conversations/{c}/typing");
    let body = Some(json!({"typing": true}));
    let (st, _, _) = send(
        &s,
        "POST",
        &path,
        body.clone(),
        &[
            ("cookie", &cookie),
            ("origin", "https://evil.example"),
            ("host", "bank.example"),
        ],
    )
    .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _, _) = send(&s, "POST", &path, body.clone(), &[("cookie", &cookie)]).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "no Origin at all");
    let (st, _, _) = send(
        &s,
        "POST",
        &path,
        body.clone(),
        &[
            ("cookie", &cookie),
            ("origin", "https://bank.example"),
            ("host", "bank.example"),
        ],
    )
    .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (st, _) = s.call("POST", &path, body, Some(&li)).await;
    assert_eq!(
        st,
        StatusCode::NO_CONTENT,
        "a bearer token carries no ambient credential"
    );
    // Console forms without an Origin are refused too.
    let (st, _, _) = send(
        &s,
        "POST",
        &format!("/agent/c/{c}/close"),
        None,
        &[("cookie", &cookie)],
    )
    .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn agents_close_only_what_they_hold_supervisors_anything_admins_no_conversations() {
    let s = TestServer::new(&None).await;
    let (c, _) = with_agent_reply(&s).await;
    let sam = s.login("sam").await;
    let (st, _) = s
        .call(
            "POST",
            &format!("/v1/agent/conversations/{c}/close"),
            None,
            Some(&sam),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "Sam does not hold it");
    let ada = s.login("ada").await;
    for (m, p) in [
        ("GET", "/v1/agent/queue".to_owned()),
        ("POST", format!("/v1/agent/conversations/{c}/take")),
        ("GET", format!("/v1/agent/conversations/{c}")),
    ] {
        let (st, _) = s.call(m, &p, None, Some(&ada)).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "admin: {m} {p}");
    }
    let mei = s.login("mei").await;
    let (st, _) = s
        .call(
            "POST",
            &format!("/v1/agent/conversations/{c}/close"),
            None,
            Some(&mei),
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT, "a supervisor may");
}

#[tokio::test]
async fn feedback_belongs_to_its_conversation() {
    let s = TestServer::new(&None).await;
    let (mine, theirs) = (s.open().await, s.open().await);
    let m = id();
    let rate = |c: &str, helpful: bool| json!({"conversation_id": c, "message_id": m, "helpful": helpful, "question": "how do I freeze my card"});
    assert_eq!(
        s.call("POST", "/v1/feedback", Some(rate(&mine, false)), None)
            .await
            .0,
        StatusCode::NO_CONTENT
    );
    // Another customer (their own secret) rating the same message id does not touch mine.
    assert_eq!(
        s.call("POST", "/v1/feedback", Some(rate(&theirs, true)), None)
            .await
            .0,
        StatusCode::NO_CONTENT
    );
    let (_, r) = s
        .call("GET", "/v1/admin/report", None, Some(ADMIN_TOKEN))
        .await;
    assert!(
        r["unhelpful"]
            .to_string()
            .contains("how do i freeze my card"),
        "{r}"
    );
}

#[tokio::test]
async fn errors_are_json_and_never_echo_what_was_sent() {
    let s = TestServer::new(&None).await;
    let c = s.open().await;
    let card = "4111 1111 1111 1111";
    let (st, _, v) = send(
        &s,
        "POST",
        "/v1/feedback",
        Some(json!({"conversation_id": c, "message_id": id(), "helpful": card})),
        &[("x-conversation-secret", &s.secret(&c))],
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(v.is_object() && !v.to_string().contains("4111"), "{v}");
    let (st, _, v) = send(
        &s,
        "POST",
        "/v1/chat",
        Some(json!({"conversation_id": c, "message_id": id(), "text": "x", "locale": card})),
        &[],
    )
    .await;
    assert!(
        st.is_client_error() && !v.to_string().contains("4111"),
        "{v}"
    );
    for (method, path, ct, body) in [
        ("POST", "/v1/conversations/%FF%FE/messages", None, ""),
        ("POST", "/agent/login", Some("application/json"), "{}"),
        (
            "POST",
            "/agent/login",
            Some("application/x-www-form-urlencoded"),
            "username=li",
        ),
        ("GET", "/v1/admin/report?limit=%FF", None, ""),
    ] {
        let mut b = Request::builder()
            .method(method)
            .uri(path)
            .header("origin", "http://h")
            .header("host", "h");
        if let Some(ct) = ct {
            b = b.header("content-type", ct);
        }
        let resp = s
            .send(
                b.header("authorization", format!("Bearer {ADMIN_TOKEN}"))
                    .body(Body::from(body))
                    .unwrap(),
            )
            .await;
        let status = resp.status();
        let ctype = resp
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_owned());
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        assert!(status.is_client_error(), "{path}: {status}");
        assert_eq!(
            ctype.as_deref(),
            Some("application/json"),
            "{method} {path}: {}",
            String::from_utf8_lossy(&bytes)
        );
        let v: Value = serde_json::from_slice(&bytes).unwrap();
        assert_valid("Error", &v);
    }
}

#[tokio::test]
async fn nul_characters_are_refused_on_every_database() {
    for db in backends() {
        let s = TestServer::new(&db).await;
        let c = s.open().await;
        let (st, _) = s.call("POST", "/v1/chat", Some(json!({"conversation_id": c, "message_id": id(), "text": "hi\u{0}there", "locale": "en"})), None).await;
        assert_eq!(st, StatusCode::BAD_REQUEST);
        let body = json!({"conversation_id": c, "reason": "requested", "locale": "en", "transcript": [{"role": "customer", "text": "a\u{0}b"}]});
        let (st, _) = s.call("POST", "/v1/handoff", Some(body), None).await;
        assert_eq!(st, StatusCode::BAD_REQUEST);
        let (st, _) = s.call("POST", "/v1/leave-message", Some(json!({"conversation_id": c, "message_id": id(), "text": "\u{0}", "locale": "en"})), None).await;
        assert_eq!(st, StatusCode::BAD_REQUEST);
        let (st, _) = s.call("POST", "/v1/feedback", Some(json!({"conversation_id": c, "message_id": id(), "helpful": true, "comment": "ok\u{0}"})), None).await;
        assert_eq!(st, StatusCode::BAD_REQUEST);
    }
}

#[tokio::test]
async fn metrics_are_not_public_and_agent_data_is_never_cached() {
    let s = TestServer::new(&None).await;
    let (st, _, _) = send(&s, "GET", "/metrics", None, &[]).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _, _) = send(
        &s,
        "GET",
        "/metrics",
        None,
        &[("authorization", "Bearer wrong")],
    )
    .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert!(s.metrics().await.contains("assistant_sse_connections"));
    let (c, li) = with_agent_reply(&s).await;
    let bearer = format!("Bearer {li}");
    for p in [
        format!("/v1/agent/conversations/{c}"),
        "/v1/agent/queue".into(),
        "/v1/agent/left-messages".into(),
    ] {
        let (st, h, _) = send(&s, "GET", &p, None, &[("authorization", &bearer)]).await;
        assert_eq!(st, StatusCode::OK);
        assert_eq!(h["cache-control"], "no-store", "{p}");
    }
    let (_, h, _) = send(
        &s,
        "GET",
        "/v1/admin/report",
        None,
        &[("authorization", &format!("Bearer {ADMIN_TOKEN}"))],
    )
    .await;
    assert_eq!(h["cache-control"], "no-store");
}

/// Not a pass/fail test but a measurement for BENCHMARKS.md (timings belong there, not in tests):
/// `cargo test --release -p assistant-server --test security retention_on_a_seeded_database -- --ignored --nocapture`
#[tokio::test]
#[ignore = "measurement: run by hand, see BENCHMARKS.md"]
async fn retention_on_a_seeded_database() {
    let s = TestServer::new(&None).await;
    let pool = sqlx::AnyPool::connect(&s.state.config.database_url())
        .await
        .unwrap();
    let n: i64 = 20_000;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let day = 86_400_000i64;
    let t = std::time::Instant::now();
    let mut tx = pool.begin().await.unwrap();
    for i in 0..n {
        // Half are 100 days old, half 10 days; each has 5 events, a reply and a feedback row.
        let at = if i % 2 == 0 {
            now - 100 * day
        } else {
            now - 10 * day
        };
        let c = format!("seeded-conversation-{i:08}");
        sqlx::query("INSERT INTO conversations (id, secret_sha256, claim_sha256, created_at, customer_seen_at) VALUES ($1, 'x', 'y', $2, $2)")
            .bind(&c).bind(at).execute(&mut *tx).await.unwrap();
        for k in 0..5 {
            sqlx::query("INSERT INTO events (conversation_id, kind, data, created_at) VALUES ($1, 'message', $2, $3)")
                .bind(&c).bind(format!("{{\"k\":{k}}}")).bind(at).execute(&mut *tx).await.unwrap();
        }
        sqlx::query("INSERT INTO chat_replies (conversation_id, message_id, question, question_norm, reply, source, answered, created_at) VALUES ($1, 'm', 'q', 'q', 'r', 'kb', $2, $3)")
            .bind(&c).bind(i64::from(i % 3 != 0)).bind(at).execute(&mut *tx).await.unwrap();
        sqlx::query("INSERT INTO feedback (conversation_id, message_id, helpful, question_norm, created_at) VALUES ($1, 'm', 0, 'q', $2)")
            .bind(&c).bind(at).execute(&mut *tx).await.unwrap();
    }
    tx.commit().await.unwrap();
    let seeded = t.elapsed();
    let t = std::time::Instant::now();
    let p = assistant_server::jobs::retain(&s.state).await.unwrap();
    let took = t.elapsed();
    println!(
        "seeded {n} conversations ({} events) in {seeded:.1?}; retention run took {took:.1?}: {p:?}",
        n * 5
    );
    assert_eq!(p.conversations, n as u64 / 2);
    assert_eq!(p.events, n as u64 / 2 * 5);
    assert_eq!(p.unanswered, 0, "the recent ones are 10 days old");
    let again = assistant_server::jobs::retain(&s.state).await.unwrap();
    assert_eq!(
        again,
        assistant_server::db::Purged::default(),
        "a second run finds nothing"
    );
}
