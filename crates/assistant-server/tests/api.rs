//! API tests for every endpoint, including the error cases, on SQLite and (when `TEST_DATABASE_URL`
//! is set) PostgreSQL. Every JSON body is checked against docs/openapi.yaml.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::*;
use serde_json::json;

fn chat(conv: &str, msg: &str, text: &str) -> serde_json::Value {
    json!({"conversation_id": conv, "message_id": msg, "text": text, "locale": "en"})
}

#[tokio::test]
async fn chat_answers_from_the_knowledge_base_in_the_question_language() {
    for db in backends() {
        let s = TestServer::new(&db).await;
        let conv = s.open().await;
        let (st, v) = s
            .call(
                "POST",
                "/v1/chat",
                Some(chat(&conv, &id(), "我的銀行卡不見了怎麼辦")),
                None,
            )
            .await;
        assert_eq!(st, StatusCode::OK);
        assert_valid("ChatResponse", &v);
        assert_eq!(v["source"], "kb");
        assert_eq!(v["intent"], "lost_or_stolen_card");
        assert_eq!(
            v["lang"], "zh-CN",
            "answered in the question's language, not the locale"
        );
        let (_, v) = s
            .call(
                "POST",
                "/v1/chat",
                Some(chat(&conv, &id(), "I lost my card")),
                None,
            )
            .await;
        assert_eq!(v["intent"], "lost_or_stolen_card");
        assert_eq!(v["lang"], "en");
        // The browser's top intents count too: on its own words this question is a close call, and
        // the browser's hint decides it.
        let (_, v) = s
            .call(
                "POST",
                "/v1/chat",
                Some(chat(&conv, &id(), "card not here yet")),
                None,
            )
            .await;
        assert_ne!(v["intent"], "card_arrival");
        let mut req = chat(&conv, &id(), "card not here yet");
        req["client_intents"] = json!([{"intent": "card_arrival", "score": 0.6}]);
        let (_, v) = s.call("POST", "/v1/chat", Some(req), None).await;
        assert_eq!(v["intent"], "card_arrival");
    }
}

/// Issue #15: a scam story the browser's model did not recognise (it asks the server) still gets the
/// warning, with a person offered.
#[tokio::test]
async fn a_scam_story_the_browser_missed_gets_the_warning_from_the_server_with_a_person() {
    let s = TestServer::new(&None).await;
    let conv = s.open().await;
    for story in [
        "the tax office phoned and said i'll be arrested tonight unless i pay",
        "有人说是公安局的 让我把钱转到安全账户",
    ] {
        let (st, v) = s
            .call("POST", "/v1/chat", Some(chat(&conv, &id(), story)), None)
            .await;
        assert_eq!(st, StatusCode::OK);
        assert_eq!(v["intent"], "scam_warning", "{story}: {v}");
        assert_eq!(v["offer_handoff"], true, "{story}");
    }
}

#[tokio::test]
async fn chat_says_it_is_not_sure_instead_of_inventing() {
    for db in backends() {
        let s = TestServer::new(&db).await;
        let (st, v) = s
            .call(
                "POST",
                "/v1/chat",
                Some(chat(
                    &s.open().await,
                    &id(),
                    "what is the weather in paris tomorrow",
                )),
                None,
            )
            .await;
        assert_eq!(st, StatusCode::OK);
        assert_valid("ChatResponse", &v);
        assert_eq!(v["source"], "server");
        assert_eq!(v["offer_handoff"], true);
        assert!(v.get("intent").is_none());
        assert!(v["text"].as_str().unwrap().contains("not sure"));
        let (_, v) = s
            .call(
                "POST",
                "/v1/chat",
                Some(chat(&s.open().await, &id(), "我要找人工客服")),
                None,
            )
            .await;
        assert_eq!(
            v["offer_handoff"], true,
            "asking for a person offers one: {v}"
        );
    }
}

#[tokio::test]
async fn chat_is_idempotent_by_message_id() {
    for db in backends() {
        let s = TestServer::new(&db).await;
        let (conv, msg) = (s.open().await, id());
        let (_, first) = s
            .call(
                "POST",
                "/v1/chat",
                Some(chat(&conv, &msg, "how do I top up by bank transfer")),
                None,
            )
            .await;
        let (st, again) = s
            .call(
                "POST",
                "/v1/chat",
                Some(chat(&conv, &msg, "how do I top up by bank transfer")),
                None,
            )
            .await;
        assert_eq!(st, StatusCode::OK);
        assert_eq!(first, again, "a retried message gets the same answer");
        let (st, v) = s
            .call(
                "POST",
                "/v1/chat",
                Some(chat(&conv, &msg, "something else entirely")),
                None,
            )
            .await;
        assert_eq!(st, StatusCode::CONFLICT);
        assert_eq!(v["error"], "conflict");
        // Answered once: one stored answer, counted once in the metrics.
        let text = s.metrics().await;
        assert!(
            text.contains("assistant_chat_answers_total{source=\"kb\"} 1"),
            "{text}"
        );
    }
}

#[tokio::test]
async fn chat_masks_personal_data_before_storing() {
    for db in backends() {
        let s = TestServer::new(&db).await;
        // A question the knowledge base cannot answer, so it is stored for the improvement report.
        let text = format!(
            "zz{} qqq card 4111 1111 1111 1111 phone 13812345678",
            word()
        );
        let (_, _) = s
            .call(
                "POST",
                "/v1/chat",
                Some(chat(&s.open().await, &id(), &text)),
                None,
            )
            .await;
        let (_, report) = s
            .call(
                "GET",
                "/v1/admin/report?limit=1000",
                None,
                Some(ADMIN_TOKEN),
            )
            .await;
        let all = report.to_string();
        assert!(!all.contains("4111 1111"), "card number stored: {all}");
        assert!(!all.contains("13812345678"), "phone stored: {all}");
        assert!(
            all.contains("[card ••••1111]") && all.contains("[phone]"),
            "the question is in the report, masked: {all}"
        );
    }
}

#[tokio::test]
async fn bad_requests_get_clear_json_errors() {
    let s = TestServer::new(&None).await;
    let c = s.open().await;
    let c = c.as_str();
    let (st, v) = s
        .raw("POST", "/v1/chat", Some("application/json"), "{not json")
        .await;
    assert_eq!(
        (st, v["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_json"))
    );
    let (st, v) = s
        .raw(
            "POST",
            "/v1/chat",
            Some("application/json"),
            r#"{"conversation_id":1,"message_id":"m","text":"x","locale":"en"}"#,
        )
        .await;
    assert_eq!(
        (st, v["error"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_body"))
    );
    let (st, _) = s
        .raw(
            "POST",
            "/v1/chat",
            Some("application/json"),
            format!(r#"{{"conversation_id":"{c}","message_id":"m-0123456789abcdef","text":"x","locale":"fr"}}"#),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "unknown locale");
    let (st, v) = s.raw("POST", "/v1/chat", Some("text/plain"), "hello").await;
    assert_eq!(
        (st, v["error"].as_str()),
        (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Some("unsupported_media_type")
        )
    );
    let big = format!(
        r#"{{"conversation_id":"c","message_id":"m","locale":"en","text":"{}"}}"#,
        "a".repeat(70_000)
    );
    let (st, v) = s
        .raw("POST", "/v1/chat", Some("application/json"), big)
        .await;
    assert_eq!(
        (st, v["error"].as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, Some("payload_too_large"))
    );
    let m = "m-0123456789abcdef";
    let long = chat(c, m, &"长".repeat(2001));
    let (st, v) = s.call("POST", "/v1/chat", Some(long), None).await;
    assert_eq!(
        (st, v["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("text_too_long"))
    );
    let (st, _) = s
        .call("POST", "/v1/chat", Some(chat(c, m, "   ")), None)
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "blank text");
    let (st, _) = s
        .call(
            "POST",
            "/v1/chat",
            Some(chat("bad id! 0123456789abcdef", m, "hi")),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "id with spaces");
    let mut bad = chat(c, m, "hi");
    bad["client_intents"] = json!([{"intent": "x", "score": 7.0}]);
    let (st, _) = s.call("POST", "/v1/chat", Some(bad), None).await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "score out of range");
    let (st, v) = s.call("GET", "/v1/nothing-here", None, None).await;
    assert_eq!(
        (st, v["error"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
    let (st, v) = s.call("GET", "/v1/chat", None, None).await;
    assert_eq!(
        (st, v["error"].as_str()),
        (StatusCode::METHOD_NOT_ALLOWED, Some("method_not_allowed"))
    );
    let (st, _) = s
        .call("GET", "/v1/admin/report?limit=abc", None, Some(ADMIN_TOKEN))
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    let (st, _) = s
        .call("GET", "/v1/admin/report?limit=0", None, Some(ADMIN_TOKEN))
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn clients_over_the_rate_limit_get_429_with_retry_after() {
    let s = TestServer::with(&None, |c| {
        c.rate_limit.per_second = 1;
        c.rate_limit.burst = 2;
    })
    .await;
    let mut last = None;
    for _ in 0..3 {
        let req = Request::post("/v1/chat")
            .header("content-type", "application/json")
            .body(Body::from(chat(&id(), &id(), "hello").to_string()))
            .unwrap();
        last = Some(s.send(req).await);
    }
    let resp = last.unwrap();
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = resp.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry >= 1);
    let bytes = http_body_util::BodyExt::collect(resp.into_body())
        .await
        .unwrap()
        .to_bytes();
    let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(v["error"], "rate_limited");
    // Operations endpoints are not limited.
    let (st, _) = s.call("GET", "/healthz", None, None).await;
    assert_eq!(st, StatusCode::OK);
}

#[tokio::test]
async fn agent_and_admin_endpoints_refuse_anonymous_and_wrong_credentials() {
    for db in backends() {
        let s = TestServer::new(&db).await;
        for (m, p) in [
            ("GET", "/v1/agent/queue"),
            ("GET", "/v1/agent/left-messages"),
            ("GET", "/v1/agent/conversations/c1-0123456789abcdef"),
            ("GET", "/v1/agent/conversations/c1-0123456789abcdef/events"),
            ("POST", "/v1/agent/conversations/c1-0123456789abcdef/take"),
            ("POST", "/v1/agent/conversations/c1-0123456789abcdef/close"),
            (
                "POST",
                "/v1/agent/conversations/c1-0123456789abcdef/requeue",
            ),
            ("POST", "/v1/agent/conversations/c1-0123456789abcdef/typing"),
            (
                "POST",
                "/v1/agent/left-messages/c1-0123456789abcdef/m1-0123456789abcdef/handled",
            ),
            ("POST", "/v1/agent/logout"),
            ("GET", "/v1/admin/report"),
            ("GET", "/v1/admin/audit"),
            ("DELETE", "/v1/admin/conversations/c1-0123456789abcdef"),
            // A hostile id does not get past the credential check either.
            ("POST", "/v1/agent/conversations/%3Cscript%3E/requeue"),
            ("DELETE", "/v1/admin/conversations/..%2F..%2Fetc"),
        ] {
            let (st, v) = s.call(m, p, None, None).await;
            assert_eq!(st, StatusCode::UNAUTHORIZED, "{m} {p}");
            assert_eq!(v["error"], "unauthorized");
            let (st, _) = s.call(m, p, None, Some(&"0".repeat(64))).await;
            assert_eq!(st, StatusCode::UNAUTHORIZED, "{m} {p} with a made-up token");
        }
        let (st, _) = s
            .call(
                "POST",
                "/v1/agent/conversations/c1-0123456789abcdef/reply",
                Some(json!({"text": "hi"})),
                None,
            )
            .await;
        assert_eq!(st, StatusCode::UNAUTHORIZED);
        let (st, _) = s
            .call(
                "POST",
                "/v1/agent/login",
                Some(json!({"username": "li", "password": "wrong"})),
                None,
            )
            .await;
        assert_eq!(st, StatusCode::UNAUTHORIZED);
        let (st, _) = s
            .call(
                "POST",
                "/v1/agent/login",
                Some(json!({"username": "nobody", "password": "x"})),
                None,
            )
            .await;
        assert_eq!(st, StatusCode::UNAUTHORIZED);
        let (st, _) = s
            .call("GET", "/v1/admin/report", None, Some("wrong-token"))
            .await;
        assert_eq!(st, StatusCode::UNAUTHORIZED);
        let agent = s.login("li").await;
        let (st, _) = s.call("GET", "/v1/admin/report", None, Some(&agent)).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "an agent is not the admin");
        let (st, _) = s.call("POST", "/v1/agent/logout", None, Some(&agent)).await;
        assert_eq!(st, StatusCode::NO_CONTENT);
        let (st, _) = s.call("GET", "/v1/agent/queue", None, Some(&agent)).await;
        assert_eq!(st, StatusCode::UNAUTHORIZED, "signed out");
    }
}

#[tokio::test]
async fn login_sets_a_secure_session_cookie() {
    let s = TestServer::with(&None, |c| c.security.secure_cookies = true).await;
    let req = Request::post("/v1/agent/login")
        .header("content-type", "application/json")
        .body(Body::from(
            json!({"username": "li", "password": AGENT_PASSWORD}).to_string(),
        ))
        .unwrap();
    let resp = s.send(req).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let cookie = resp.headers()["set-cookie"].to_str().unwrap().to_owned();
    for part in [
        "assistant_agent=",
        "HttpOnly",
        "SameSite=Strict",
        "Secure",
        "Path=/",
    ] {
        assert!(cookie.contains(part), "{cookie}");
    }
    let token = cookie.split(';').next().unwrap().to_owned();
    let req = Request::get("/v1/agent/queue")
        .header("cookie", token)
        .body(Body::empty())
        .unwrap();
    assert_eq!(
        s.send(req).await.status(),
        StatusCode::OK,
        "the cookie signs in"
    );
}

#[tokio::test]
async fn unknown_conversations_are_404() {
    for db in backends() {
        let s = TestServer::new(&db).await;
        let agent = s.login("li").await;
        let c = id();
        let (st, v) = s
            .call("GET", &format!("/v1/conversations/{c}/events"), None, None)
            .await;
        // (Without a token; tests/security.rs covers every customer call without its secret.)
        assert_eq!(
            (st, v["error"].as_str()),
            (StatusCode::NOT_FOUND, Some("not_found"))
        );
        let (st, _) = s
            .call(
                "POST",
                "/v1/handoff/cancel",
                Some(json!({"conversation_id": c})),
                None,
            )
            .await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        let (st, _) = s
            .call(
                "POST",
                &format!("/v1/conversations/{c}/messages"),
                Some(json!({"message_id": "m1-0123456789abcdef", "text": "hi"})),
                None,
            )
            .await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        for p in ["", "/take", "/close"] {
            let m = if p.is_empty() { "GET" } else { "POST" };
            let (st, _) = s
                .call(
                    m,
                    &format!("/v1/agent/conversations/{c}{p}"),
                    None,
                    Some(&agent),
                )
                .await;
            assert_eq!(st, StatusCode::NOT_FOUND, "{p}");
        }
        let (st, _) = s
            .call("GET", "/v1/conversations/bad%20id/events", None, None)
            .await;
        assert_eq!(st, StatusCode::BAD_REQUEST);
    }
}

#[tokio::test]
async fn handoff_queue_agent_reply_and_live_events() {
    for db in backends() {
        let s = TestServer::new(&db).await;
        let (a, b) = (s.open().await, s.open().await);
        let req = |c: &str| {
            json!({"conversation_id": c, "reason": "requested", "locale": "zh-CN", "text_size": "large",
                   "transcript": [{"role": "customer", "text": "我的卡号是 4111 1111 1111 1111"},
                                  {"role": "assistant", "text": "需要为您转接人工客服吗？"}]})
        };
        let (st, ta) = s.call("POST", "/v1/handoff", Some(req(&a)), None).await;
        assert_eq!(st, StatusCode::OK, "{ta}");
        assert_valid("HandoffResponse", &ta);
        let (_, tb) = s.call("POST", "/v1/handoff", Some(req(&b)), None).await;
        assert!(tb["position"].as_u64().unwrap() > ta["position"].as_u64().unwrap());
        assert!(tb["estimated_wait_s"].as_u64().unwrap() > 0);
        // Asking again returns the same ticket.
        let (_, again) = s.call("POST", "/v1/handoff", Some(req(&b)), None).await;
        assert_eq!(again["ticket_id"], tb["ticket_id"]);

        // The customer of B listens.
        let resp = s
            .send(
                Request::get(s.events_uri(&b).await)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(resp.status(), StatusCode::OK);
        assert!(
            resp.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/event-stream")
        );
        let mut body = resp.into_body();
        let mut seen = Vec::new();
        read_events(&mut body, &mut seen, |e| {
            e.iter().any(|(_, t, _)| t == "queue")
        })
        .await;
        let first_pos = seen.iter().find(|(_, t, _)| t == "queue").unwrap().2["position"]
            .as_u64()
            .unwrap();
        assert_eq!(first_pos, tb["position"].as_u64().unwrap());

        // An agent sees the queue and the masked transcript, and takes A: B moves up.
        let li = s.login("li").await;
        let (_, q) = s.call("GET", "/v1/agent/queue", None, Some(&li)).await;
        assert_valid("QueueResponse", &q);
        assert!(
            q["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|i| i["conversation_id"] == a.as_str())
        );
        let (st, view) = s
            .call(
                "GET",
                &format!("/v1/agent/conversations/{a}"),
                None,
                Some(&li),
            )
            .await;
        assert_eq!(st, StatusCode::OK);
        assert_valid("ConversationView", &view);
        assert_eq!(view["item"]["text_size"], "large");
        let t = view["transcript"].to_string();
        assert!(
            t.contains("[card ••••1111]") && !t.contains("4111 1111"),
            "{t}"
        );
        let (st, _) = s
            .call(
                "POST",
                &format!("/v1/agent/conversations/{a}/take"),
                None,
                Some(&li),
            )
            .await;
        assert_eq!(st, StatusCode::NO_CONTENT);
        let sam = s.login("sam").await;
        let (st, _) = s
            .call(
                "POST",
                &format!("/v1/agent/conversations/{a}/take"),
                None,
                Some(&sam),
            )
            .await;
        assert_eq!(st, StatusCode::CONFLICT, "already taken by Li");
        read_events(&mut body, &mut seen, |e| {
            e.iter()
                .filter(|(_, t, _)| t == "queue")
                .any(|(_, _, v)| v["position"].as_u64() == Some(first_pos - 1))
        })
        .await;

        // Li takes B: status with the agent's name, typing, a reply, and the customer's message.
        let (st, _) = s
            .call(
                "POST",
                &format!("/v1/agent/conversations/{b}/reply"),
                Some(json!({"text": "hi"})),
                Some(&li),
            )
            .await;
        assert_eq!(st, StatusCode::CONFLICT, "must take before replying");
        s.call(
            "POST",
            &format!("/v1/agent/conversations/{b}/take"),
            None,
            Some(&li),
        )
        .await;
        let (st, _) = s
            .call(
                "POST",
                &format!("/v1/agent/conversations/{b}/typing"),
                Some(json!({"typing": true})),
                Some(&li),
            )
            .await;
        assert_eq!(st, StatusCode::NO_CONTENT);
        let (st, acc) = s
            .call(
                "POST",
                &format!("/v1/agent/conversations/{b}/reply"),
                Some(json!({"text": "您好，我是小李，请问有什么可以帮您？"})),
                Some(&li),
            )
            .await;
        assert_eq!(st, StatusCode::ACCEPTED);
        assert_valid("Accepted", &acc);
        // (Typing is momentary and may arrive after the stored message when the stream is read late.)
        read_events(&mut body, &mut seen, |e| {
            e.iter()
                .any(|(_, t, v)| t == "message" && v["role"] == "agent")
                && e.iter().any(|(_, t, _)| t == "typing")
        })
        .await;
        assert!(seen.iter().any(|(id, t, v)| t == "status"
            && v["state"] == "active"
            && v["agent_name"] == "Li"
            && id.is_some()));
        assert!(
            seen.iter()
                .any(|(id, t, v)| t == "typing" && v["typing"] == true && id.is_none()),
            "{seen:?}"
        );
        let msg = json!({"message_id": "cm1-0123456789abcdef", "text": "我的卡被锁了"});
        let (st, m1) = s
            .call(
                "POST",
                &format!("/v1/conversations/{b}/messages"),
                Some(msg.clone()),
                None,
            )
            .await;
        assert_eq!(st, StatusCode::ACCEPTED);
        let (_, m2) = s
            .call(
                "POST",
                &format!("/v1/conversations/{b}/messages"),
                Some(msg),
                None,
            )
            .await;
        assert_eq!(m1, m2, "a retried customer message is stored once");
        read_events(&mut body, &mut seen, |e| {
            e.iter()
                .any(|(_, t, v)| t == "message" && v["role"] == "customer")
        })
        .await;

        // Reconnecting with Last-Event-ID resumes after it: only the later stored events.
        let agent_msg_id: String = seen
            .iter()
            .find(|(_, t, v)| t == "message" && v["role"] == "agent")
            .unwrap()
            .0
            .clone()
            .unwrap();
        let resp = s
            .send(
                Request::get(s.events_uri(&b).await)
                    .header("last-event-id", &agent_msg_id)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        let mut body2 = resp.into_body();
        let mut seen2 = Vec::new();
        read_events(&mut body2, &mut seen2, |e| {
            e.iter().any(|(id, _, _)| id.is_some())
        })
        .await;
        let stored: Vec<_> = seen2.iter().filter(|(id, _, _)| id.is_some()).collect();
        assert_eq!(
            stored[0].2["role"], "customer",
            "resumes after the agent's message: {seen2:?}"
        );
        let from_start = s
            .send(
                Request::get(format!("{}&last_event_id=0", s.events_uri(&b).await))
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(from_start.status(), StatusCode::OK);
        let bad = s
            .send(
                Request::get(s.events_uri(&b).await)
                    .header("last-event-id", "abc")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(bad.status(), StatusCode::BAD_REQUEST);

        // Close: the customer hears it; further customer messages are refused.
        let (st, _) = s
            .call(
                "POST",
                &format!("/v1/agent/conversations/{b}/close"),
                None,
                Some(&li),
            )
            .await;
        assert_eq!(st, StatusCode::NO_CONTENT);
        read_events(&mut body, &mut seen, |e| {
            e.iter()
                .any(|(_, t, v)| t == "status" && v["state"] == "closed")
        })
        .await;
        let (st, _) = s
            .call(
                "POST",
                &format!("/v1/conversations/{b}/messages"),
                Some(json!({"message_id": "cm2-0123456789abcdef", "text": "hello?"})),
                None,
            )
            .await;
        assert_eq!(st, StatusCode::CONFLICT);
    }
}

/// The console queue's table row of conversation `c`.
fn row<'a>(html: &'a str, c: &str) -> &'a str {
    let start = html
        .find(&format!("<a href=\"/agent/c/{c}\">"))
        .unwrap_or_else(|| panic!("a row for {c}: {html}"));
    let rest = &html[start..];
    &rest[..rest.find("</tr>").unwrap_or(rest.len())]
}

#[tokio::test]
async fn the_queue_shows_the_customer_s_first_message_masked_and_short_and_the_wait() {
    for db in backends() {
        // (On PostgreSQL the tests share one database: other tests' conversations are in the queue too.)
        let s = TestServer::with(&db, |c| c.handoff.queue_page_size = 1000).await;
        let (c, quiet) = (s.open().await, s.open().await);
        // The first customer line: markup, a card number, and far more than fits in a queue row.
        let first = format!(
            "<script>alert(1)</script> my card 4111 1111 1111 1111 was charged twice {}",
            "and nobody tells me why ".repeat(12)
        );
        let transcript = json!([
            {"role": "assistant", "text": "Hello! How can I help?"},
            {"role": "customer", "text": first},
            {"role": "assistant", "text": "I can connect you with our team."},
            {"role": "customer", "text": "yes please, a person"}
        ]);
        let (st, t) = s
            .call(
                "POST",
                "/v1/handoff",
                Some(
                    json!({"conversation_id": c, "reason": "complaint", "locale": "en",
                            "text_size": "large", "transcript": transcript}),
                ),
                None,
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{t}");
        // A customer who handed off at once, with nothing said yet.
        let (st, _) = s
            .call(
                "POST",
                "/v1/handoff",
                Some(json!({"conversation_id": quiet, "reason": "requested", "locale": "zh-CN"})),
                None,
            )
            .await;
        assert_eq!(st, StatusCode::OK);

        let li = s.login("li").await;
        let (st, q) = s.call("GET", "/v1/agent/queue", None, Some(&li)).await;
        assert_eq!(st, StatusCode::OK);
        assert_valid("QueueResponse", &q);
        let item = |q: &serde_json::Value, c: &str| {
            q["items"]
                .as_array()
                .unwrap()
                .iter()
                .find(|i| i["conversation_id"] == c)
                .cloned()
                .unwrap_or_else(|| panic!("{c} in the queue: {q}"))
        };
        let i = item(&q, &c);
        let shown = i["first_message"].as_str().expect("a first message");
        assert!(
            shown.starts_with("<script>alert(1)</script> my card [card ••••1111] was charged"),
            "the first customer line, masked: {shown}"
        );
        assert!(!shown.contains("4111"), "{shown}");
        assert!(shown.ends_with('…'), "shortened: {shown}");
        assert!(
            (100..=141).contains(&shown.chars().count()),
            "about 140 characters: {} in {shown}",
            shown.chars().count()
        );
        assert!(i["waited_s"].as_u64().is_some(), "{i}");
        assert!(i["waited_s"].as_u64().unwrap() < 600, "{i}");
        let quiet_item = item(&q, &quiet);
        assert!(
            quiet_item.get("first_message").is_none(),
            "nothing said: no first message: {quiet_item}"
        );
        assert!(quiet_item["waited_s"].as_u64().is_some());

        // What the quiet customer writes while waiting is their first message.
        let (st, _) = s
            .call(
                "POST",
                &format!("/v1/conversations/{quiet}/messages"),
                Some(json!({"message_id": id(), "text": "我的手机号 13812345678 收不到验证码"})),
                None,
            )
            .await;
        assert_eq!(st, StatusCode::ACCEPTED);
        let (_, q) = s.call("GET", "/v1/agent/queue", None, Some(&li)).await;
        assert_valid("QueueResponse", &q);
        let later = item(&q, &quiet)["first_message"]
            .as_str()
            .expect("the message sent while waiting")
            .to_owned();
        assert!(
            later.contains("收不到验证码") && !later.contains("13812345678"),
            "{later}"
        );

        // The console shows the same, escaped, with the wait in words.
        let cookie = s.console_login("li").await;
        let html = s.console_page("/agent", &cookie).await;
        assert!(!html.contains("<script>alert"), "never raw markup: {html}");
        let row_c = row(&html, &c);
        assert!(
            row_c.contains("&lt;script&gt;alert(1)&lt;/script&gt; my card [card ••••1111]"),
            "the first message, escaped: {row_c}"
        );
        assert!(row_c.contains("<td>complaint</td>"), "{row_c}");
        let row_quiet = row(&html, &quiet);
        assert!(row_quiet.contains("收不到验证码"), "{row_quiet}");
        for r in [row_c, row_quiet] {
            let wait = r
                .split("<time datetime=")
                .nth(1)
                .and_then(|t| t.split('>').nth(1)?.strip_suffix("</time"))
                .unwrap_or_else(|| panic!("a wait: {r}"));
            assert!(
                wait.ends_with(" s") || wait.ends_with(" min"),
                "a wait in words, not a timestamp: {wait:?}"
            );
        }

        // Handing off again with nothing new said: the latest customer line before it is shown.
        s.call(
            "POST",
            "/v1/handoff/cancel",
            Some(json!({"conversation_id": c})),
            None,
        )
        .await;
        let (st, _) = s
            .call(
                "POST",
                "/v1/handoff",
                Some(
                    json!({"conversation_id": c, "reason": "distress", "locale": "en",
                            "transcript": transcript}),
                ),
                None,
            )
            .await;
        assert_eq!(st, StatusCode::OK);
        let (_, q) = s.call("GET", "/v1/agent/queue", None, Some(&li)).await;
        assert_valid("QueueResponse", &q);
        assert_eq!(item(&q, &c)["first_message"], "yes please, a person");
        let html = s.console_page("/agent", &cookie).await;
        let row_c = row(&html, &c);
        assert!(row_c.contains("<td>upset</td>"), "{row_c}");
        assert!(row_c.contains("<q>yes please, a person</q>"), "{row_c}");
    }
}

/// Issue #15: a customer being talked into moving their savings to a "safe account" cannot wait behind
/// everyone who came earlier: a possible scam goes first in the queue, and the agent sees why. Any
/// browser can send that reason, so the server checks it: "scam" without a scam story in the customer's
/// own lines (none at all, or a hostile one) is an ordinary request and waits its turn.
#[tokio::test]
async fn a_possible_scam_goes_first_in_the_queue_and_the_agent_sees_why() {
    for db in backends() {
        let s = TestServer::with(&db, |c| c.handoff.queue_page_size = 1000).await;
        let (early, earlier, scam) = (s.open().await, s.open().await, s.open().await);
        let (claims, silent) = (s.open().await, s.open().await);
        let hand_off = |c: String, reason: &'static str, said: &'static str| {
            let s = &s;
            async move {
                let transcript = if said.is_empty() {
                    json!([])
                } else {
                    json!([{"role": "customer", "text": said}])
                };
                let (st, r) = s
                    .call(
                        "POST",
                        "/v1/handoff",
                        Some(
                            json!({"conversation_id": c, "reason": reason, "locale": "en",
                                    "transcript": transcript}),
                        ),
                        None,
                    )
                    .await;
                assert_eq!(st, StatusCode::OK, "{r}");
                r["position"].as_u64().expect("a position")
            }
        };
        hand_off(earlier.clone(), "requested", "").await;
        let second = hand_off(early.clone(), "complaint", "you charged me twice").await;
        let story = "the police called, my account is in a case, they want me to move my money \
                     to a safe account";
        let scam_place = hand_off(scam.clone(), "scam", story).await;
        assert!(
            scam_place < second,
            "the scam ({scam_place}) goes before those who came earlier ({second})"
        );
        // Claiming a scam to jump the queue: with an ordinary line, or a hostile one, or nothing.
        let hostile = "'; UPDATE handoffs SET reason='scam' --<script>alert(1)</script> how much is my balance";
        let claimed = hand_off(claims.clone(), "scam", hostile).await;
        let quiet = hand_off(silent.clone(), "scam", "").await;
        assert!(
            claimed > second && quiet > claimed,
            "{claimed}, {quiet} after {second}"
        );

        let li = s.login("li").await;
        let (st, q) = s.call("GET", "/v1/agent/queue", None, Some(&li)).await;
        assert_eq!(st, StatusCode::OK);
        assert_valid("QueueResponse", &q);
        let item = |c: &str| {
            let items = q["items"].as_array().unwrap();
            let at = items
                .iter()
                .position(|i| i["conversation_id"] == c)
                .unwrap_or_else(|| panic!("{c} in the queue: {q}"));
            (at, items[at]["reason"].as_str().unwrap().to_owned())
        };
        assert!(
            item(&scam).0 < item(&earlier).0 && item(&scam).0 < item(&early).0,
            "{q}"
        );
        assert_eq!(item(&scam).1, "scam");
        for c in [&claims, &silent] {
            assert_eq!(
                item(c).1,
                "requested",
                "an unchecked claim is an ordinary request"
            );
            assert!(item(c).0 > item(&early).0, "{q}");
        }
        let cookie = s.console_login("li").await;
        let html = s.console_page("/agent", &cookie).await;
        assert!(
            row(&html, &scam).contains("possible scam: first in queue"),
            "{}",
            row(&html, &scam)
        );
        for c in [scam, early, earlier, claims, silent] {
            s.call(
                "POST",
                "/v1/handoff/cancel",
                Some(json!({"conversation_id": c})),
                None,
            )
            .await;
        }
    }
}

#[tokio::test]
async fn customer_can_cancel_and_go_back_to_the_assistant() {
    for db in backends() {
        let s = TestServer::new(&db).await;
        let c = s.open().await;
        let body = json!({"conversation_id": c, "reason": "complaint", "locale": "en"});
        let (_, t1) = s
            .call("POST", "/v1/handoff", Some(body.clone()), None)
            .await;
        let (st, _) = s
            .call(
                "POST",
                "/v1/handoff/cancel",
                Some(json!({"conversation_id": c})),
                None,
            )
            .await;
        assert_eq!(st, StatusCode::NO_CONTENT);
        let li = s.login("li").await;
        let (_, q) = s.call("GET", "/v1/agent/queue", None, Some(&li)).await;
        assert!(
            !q.to_string().contains(&c),
            "cancelled conversations leave the queue"
        );
        let (st, _) = s
            .call(
                "POST",
                &format!("/v1/agent/conversations/{c}/take"),
                None,
                Some(&li),
            )
            .await;
        assert_eq!(st, StatusCode::CONFLICT);
        // Handing off again later gets a new ticket.
        let (_, t2) = s.call("POST", "/v1/handoff", Some(body), None).await;
        assert_ne!(t1["ticket_id"], t2["ticket_id"]);
        let (st, _) = s
            .call(
                "POST",
                "/v1/handoff",
                Some(json!({"conversation_id": c, "reason": "bored", "locale": "en"})),
                None,
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "unknown reason");
    }
}

#[tokio::test]
async fn outside_opening_hours_people_are_offered_a_message() {
    for db in backends() {
        let s = TestServer::with(&db, |c| {
            c.hours.always_open = false;
            c.hours.days = vec![];
        })
        .await;
        let (st, h) = s.call("GET", "/v1/hours", None, None).await;
        assert_eq!(st, StatusCode::OK);
        assert_valid("HoursResponse", &h);
        assert_eq!(h["open"], false);
        let c = s.open().await;
        let (st, v) = s
            .call(
                "POST",
                "/v1/handoff",
                Some(json!({"conversation_id": c, "reason": "requested", "locale": "en"})),
                None,
            )
            .await;
        assert_eq!(
            (st, v["error"].as_str()),
            (StatusCode::CONFLICT, Some("outside_hours"))
        );
        let text =
            format!("Please call me back about my mortgage {c}, email me at a.b@example.com");
        let (st, v) = s
            .call("POST", "/v1/leave-message", Some(json!({"conversation_id": c, "message_id": "lm1-0123456789abcdef", "text": text, "locale": "en"})), None)
            .await;
        assert_eq!(st, StatusCode::ACCEPTED);
        assert_valid("Accepted", &v);
        let li = s.login("li").await;
        let (_, left) = s
            .call("GET", "/v1/agent/left-messages", None, Some(&li))
            .await;
        let mine: Vec<_> = left
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["conversation_id"] == c.as_str())
            .collect();
        assert_eq!(mine.len(), 1);
        assert_valid("LeftMessage", mine[0]);
        assert!(mine[0]["text"].as_str().unwrap().contains("[email]"));
    }
}

#[tokio::test]
async fn feedback_feeds_the_report_by_frequency() {
    for db in backends() {
        let s = TestServer::new(&db).await;
        let odd = format!("zz{} qqq unknown thing", word());
        for _ in 0..3 {
            s.call(
                "POST",
                "/v1/chat",
                Some(chat(&s.open().await, &id(), &odd)),
                None,
            )
            .await;
        }
        let (conv, msg) = (s.open().await, id());
        s.call(
            "POST",
            "/v1/chat",
            Some(chat(&conv, &msg, "I lost my card")),
            None,
        )
        .await;
        let (st, _) = s
            .call(
                "POST",
                "/v1/feedback",
                Some(json!({"conversation_id": conv, "message_id": msg, "helpful": false, "comment": "not what I asked"})),
                None,
            )
            .await;
        assert_eq!(st, StatusCode::NO_CONTENT);
        // The browser's own answer, rated with its question.
        let q2 = format!("how do i freeze {}", word());
        for _ in 0..2 {
            let (st, _) = s
                .call("POST", "/v1/feedback", Some(json!({"conversation_id": conv, "message_id": id(), "helpful": false, "question": q2, "intent": "lost_or_stolen_card"})), None)
                .await;
            assert_eq!(st, StatusCode::NO_CONTENT);
        }
        let (st, _) = s
            .call(
                "POST",
                "/v1/feedback",
                Some(json!({"conversation_id": conv, "message_id": id(), "helpful": "yes"})),
                None,
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        let (st, r) = s
            .call(
                "GET",
                "/v1/admin/report?limit=1000",
                None,
                Some(ADMIN_TOKEN),
            )
            .await;
        assert_eq!(st, StatusCode::OK);
        assert_valid("ReportResponse", &r);
        let find = |list: &str, q: &str| {
            r[list]
                .as_array()
                .unwrap()
                .iter()
                .find(|row| row["question"] == q)
                .cloned()
        };
        assert_eq!(
            find("unanswered", &odd).expect("unanswered listed")["count"],
            3
        );
        assert_eq!(
            find("unhelpful", "i lost my card").expect("unhelpful listed")["intent"],
            "lost_or_stolen_card"
        );
        assert_eq!(
            find("unhelpful", &q2).expect("browser answers listed")["count"],
            2
        );
    }
}

#[tokio::test]
async fn operations_endpoints() {
    let s = TestServer::new(&None).await;
    let (st, v) = s.call("GET", "/healthz", None, None).await;
    assert_eq!(st, StatusCode::OK);
    assert_valid("Health", &v);
    let (st, v) = s.call("GET", "/readyz", None, None).await;
    assert_eq!(st, StatusCode::OK);
    assert_valid("Health", &v);
    s.call(
        "POST",
        "/v1/chat",
        Some(chat(&s.open().await, &id(), "hello")),
        None,
    )
    .await;
    let resp = s
        .send(
            Request::get("/metrics")
                .header("authorization", format!("Bearer {METRICS_TOKEN}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = String::from_utf8(
        http_body_util::BodyExt::collect(resp.into_body())
            .await
            .unwrap()
            .to_bytes()
            .to_vec(),
    )
    .unwrap();
    for m in [
        "assistant_http_requests_total{route=\"/v1/chat\",status=\"200\"} 1",
        "assistant_http_request_duration_seconds_bucket{le=",
        "assistant_queue_length 0",
        "assistant_chat_answers_total",
        "assistant_sse_connections",
    ] {
        assert!(text.contains(m), "{m} missing:\n{text}");
    }
}

#[tokio::test]
async fn pages_carry_security_headers_and_the_console_needs_sign_in() {
    let s = TestServer::with(&None, |c| c.security.hsts = true).await;
    let resp = s
        .send(Request::get("/agent").body(Body::empty()).unwrap())
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let h = resp.headers();
    assert!(
        h["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("script-src 'self'")
    );
    assert!(
        !h["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("unsafe-inline")
    );
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert!(h.contains_key("referrer-policy"));
    assert!(
        h["strict-transport-security"]
            .to_str()
            .unwrap()
            .contains("max-age")
    );
    let html = String::from_utf8(
        http_body_util::BodyExt::collect(resp.into_body())
            .await
            .unwrap()
            .to_bytes()
            .to_vec(),
    )
    .unwrap();
    assert!(
        html.contains("<label for=\"username\">") && html.contains("<h1>"),
        "sign-in form"
    );
    assert!(!html.contains("<script>"), "no inline scripts");
    // Sign in through the form, then the queue page shows.
    let cookie = s.console_login("li").await;
    let html = s.console_page("/agent", &cookie).await;
    assert!(html.contains("<h1>Queue</h1>"), "{html}");
    // A cross-site form post is refused.
    let resp = s
        .send(
            Request::post("/agent/logout")
                .header("cookie", &cookie)
                .header("origin", "https://evil.example")
                .header("host", "bank.example")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let resp = s
        .send(
            Request::post("/agent/login")
                .header("content-type", "application/x-www-form-urlencoded")
                .header("origin", "http://bank.example")
                .header("host", "bank.example")
                .body(Body::from("username=li&password=nope"))
                .unwrap(),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn cors_allows_only_configured_origins() {
    let s = TestServer::with(&None, |c| {
        c.security.cors_origins = vec!["https://bank.example".into()]
    })
    .await;
    let pre = |origin: &str| {
        Request::builder()
            .method("OPTIONS")
            .uri("/v1/chat")
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
            .body(Body::empty())
            .unwrap()
    };
    let ok = s.send(pre("https://bank.example")).await;
    assert_eq!(
        ok.headers()["access-control-allow-origin"],
        "https://bank.example"
    );
    let no = s.send(pre("https://evil.example")).await;
    assert!(!no.headers().contains_key("access-control-allow-origin"));
}

#[tokio::test]
async fn serves_the_built_widget_under_the_strict_csp_with_cache_headers() {
    let dist = tempfile::tempdir().unwrap();
    std::fs::write(
        dist.path().join("index.html"),
        "<!doctype html><title>Bank</title><script type=\"module\" src=\"/assistant.js\"></script>",
    )
    .unwrap();
    std::fs::write(dist.path().join("assistant.js"), "import('/w.js');").unwrap();
    std::fs::write(
        dist.path().join("assistant-widget-0123456789abcdef.js"),
        "export default function init() {}",
    )
    .unwrap();
    let path = dist.path().to_path_buf();
    let s = TestServer::with(&None, move |c| c.static_dir = path).await;
    let resp = s.send(Request::get("/").body(Body::empty()).unwrap()).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let csp = resp.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.contains("script-src 'self' 'wasm-unsafe-eval';"),
        "no hashes or nonces needed: {csp}"
    );
    assert!(csp.contains("style-src 'self';"), "{csp}");
    assert!(!csp.contains("unsafe-inline"));
    assert_eq!(resp.headers()["cache-control"], "no-cache");
    let loader = s
        .send(Request::get("/assistant.js").body(Body::empty()).unwrap())
        .await;
    assert_eq!(
        loader.headers()["cache-control"],
        "no-cache",
        "the stable name is revalidated"
    );
    let hashed = s
        .send(
            Request::get("/assistant-widget-0123456789abcdef.js")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(hashed.status(), StatusCode::OK);
    assert_eq!(
        hashed.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(hashed.headers()["vary"], "accept-encoding");
    // Unknown paths under the static site are JSON 404s too.
    let (st, v) = s.call("GET", "/nope.js", None, None).await;
    assert_eq!(
        (st, v["error"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
}

#[tokio::test]
async fn serves_the_build_s_precompressed_files_to_browsers_that_accept_them() {
    let dist = tempfile::tempdir().unwrap();
    let name = "assistant-widget-0123456789abcdef_bg.wasm";
    std::fs::write(dist.path().join(name), b"\0asm plain bytes").unwrap();
    std::fs::write(dist.path().join(format!("{name}.br")), b"brotli bytes").unwrap();
    std::fs::write(dist.path().join(format!("{name}.gz")), b"gzip bytes").unwrap();
    let path = dist.path().to_path_buf();
    let s = TestServer::with(&None, move |c| c.static_dir = path).await;
    let get = |encoding: &'static str| {
        let mut req = Request::get(format!("/{name}"));
        if !encoding.is_empty() {
            req = req.header("accept-encoding", encoding);
        }
        req.body(Body::empty()).unwrap()
    };
    for (accepts, encoding, body) in [
        ("gzip, deflate, br", Some("br"), &b"brotli bytes"[..]),
        ("gzip", Some("gzip"), &b"gzip bytes"[..]),
        ("", None, &b"\0asm plain bytes"[..]),
    ] {
        let resp = s.send(get(accepts)).await;
        assert_eq!(resp.status(), StatusCode::OK, "{accepts}");
        assert_eq!(
            resp.headers()
                .get("content-encoding")
                .map(|v| v.to_str().unwrap()),
            encoding,
            "{accepts}"
        );
        assert_eq!(
            resp.headers()["content-type"],
            "application/wasm",
            "the original file's type, whatever the encoding"
        );
        assert_eq!(resp.headers()["vary"], "accept-encoding");
        let bytes = http_body_util::BodyExt::collect(resp.into_body())
            .await
            .unwrap()
            .to_bytes();
        assert_eq!(&bytes[..], body, "{accepts}");
    }
    // A revalidation answered 304 keeps the headers a cache needs.
    let modified = s.send(get("br")).await.headers()["last-modified"].clone();
    let mut req = get("br");
    req.headers_mut().insert("if-modified-since", modified);
    let resp = s.send(req).await;
    assert_eq!(resp.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(resp.headers()["vary"], "accept-encoding");
    assert_eq!(
        resp.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
}

#[tokio::test]
async fn a_customer_who_left_the_queue_can_hand_off_again() {
    for db in backends() {
        let s = TestServer::with(&db, |c| c.handoff.abandon_after_s = 0).await;
        let c = s.open().await;
        let body = json!({"conversation_id": c, "reason": "complaint", "locale": "en"});
        let (st, first) = s
            .call("POST", "/v1/handoff", Some(body.clone()), None)
            .await;
        assert_eq!(st, StatusCode::OK);
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        assistant_server::jobs::abandon_gone(&s.state)
            .await
            .unwrap();
        let li = s.login("li").await;
        let path = format!("/v1/agent/conversations/{c}");
        let (_, v) = s.call("GET", &path, None, Some(&li)).await;
        assert_eq!(v["item"]["state"], "abandoned");
        // They come back and ask again: a new ticket, in the queue, where agents see them.
        let (st, again) = s.call("POST", "/v1/handoff", Some(body), None).await;
        assert_eq!(st, StatusCode::OK, "{again}");
        assert_valid("HandoffResponse", &again);
        assert_ne!(again["ticket_id"], first["ticket_id"]);
        assert!(again["position"].as_u64().unwrap() >= 1, "{again}");
        let (_, v) = s.call("GET", &path, None, Some(&li)).await;
        assert_eq!(v["item"]["state"], "queued");
    }
}
