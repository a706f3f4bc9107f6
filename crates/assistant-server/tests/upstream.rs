//! Contract tests of the bank-bot adapters (`chat.upstream`): each runs against a local HTTP server
//! started in the test that answers like the real API (Rasa's REST channel, OpenAI's chat
//! completions), error shapes and slow replies included. What they check is what a customer or a
//! bank's security team cares about: nothing personal and no raw conversation id leaves, an
//! ungrounded or refused model answer never reaches the customer, and a broken bot is left alone.

mod common;

use assistant_core::locale::Lang;
use assistant_server::config::{Config, SecretString, UpstreamConfig, UpstreamKind};
use assistant_server::metrics::Metrics;
use assistant_server::upstream::{
    Button, Passage, Reason, Speaker, Turn, Upstream, UpstreamOutcome, UpstreamQuestion,
};
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the fake upstream received.
#[derive(Clone, Debug)]
struct Seen {
    path: String,
    authorization: Option<String>,
    raw: String,
    body: Value,
}

/// The fake's reply to its `n`-th request (0-based).
#[derive(Clone)]
struct Reply {
    status: u16,
    content_type: &'static str,
    body: String,
    delay: Duration,
}

fn json_reply(status: u16, body: Value) -> Reply {
    Reply {
        status,
        content_type: "application/json",
        body: body.to_string(),
        delay: Duration::ZERO,
    }
}

struct Fake {
    url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Fake {
    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

/// Starts an HTTP server on 127.0.0.1 that records every request and answers with `reply(n)`.
async fn fake(reply: impl Fn(usize) -> Reply + Send + Sync + 'static) -> Fake {
    let seen = Arc::new(Mutex::new(Vec::<Seen>::new()));
    let reply = Arc::new(reply);
    let s = seen.clone();
    let app = axum::Router::new().fallback(move |uri: Uri, headers: HeaderMap, body: Bytes| {
        let (seen, reply) = (s.clone(), reply.clone());
        async move {
            let raw = String::from_utf8_lossy(&body).into_owned();
            let n = {
                let mut seen = seen.lock().unwrap();
                seen.push(Seen {
                    path: uri.path().to_owned(),
                    authorization: headers
                        .get("authorization")
                        .map(|v| v.to_str().unwrap().to_owned()),
                    body: serde_json::from_str(&raw).unwrap_or(Value::Null),
                    raw,
                });
                seen.len() - 1
            };
            let r = reply(n);
            tokio::time::sleep(r.delay).await;
            let resp: Response = (
                StatusCode::from_u16(r.status).unwrap(),
                [("content-type", r.content_type)],
                r.body,
            )
                .into_response();
            resp
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Fake {
        url: format!("http://{addr}"),
        seen,
    }
}

fn rasa_config(fake: &Fake) -> UpstreamConfig {
    UpstreamConfig {
        kind: UpstreamKind::Rasa,
        url: format!("{}/webhooks/rest/webhook", fake.url),
        timeout_ms: 5000,
        breaker_failures: 3,
        breaker_cooldown_ms: 60_000,
        per_conversation_per_minute: 0,
        ..UpstreamConfig::default()
    }
}

const API_KEY: &str = "sk-test-0123456789abcdef";

fn openai_config(fake: &Fake) -> UpstreamConfig {
    UpstreamConfig {
        kind: UpstreamKind::Openai,
        url: format!("{}/v1", fake.url),
        api_key: SecretString(API_KEY.into()),
        model: "gpt-4o-mini".into(),
        ..rasa_config(fake)
    }
}

fn upstream(cfg: &UpstreamConfig, metrics: &Metrics) -> Upstream {
    Upstream::from_config(cfg, b"test-sender-key", metrics)
        .unwrap()
        .expect("configured")
}

/// A chat completion as OpenAI returns it.
fn completion(content: Option<&str>, finish_reason: &str) -> Reply {
    json_reply(
        200,
        json!({
            "id": "chatcmpl-9xYz", "object": "chat.completion", "created": 1_733_000_000,
            "model": "gpt-4o-mini-2024-07-18",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content, "refusal": null},
                         "logprobs": null, "finish_reason": finish_reason}],
            "usage": {"prompt_tokens": 312, "completion_tokens": 24, "total_tokens": 336},
            "system_fingerprint": "fp_0ba0d124f1"
        }),
    )
}

fn openai_error(status: u16, message: &str, kind: &str, code: &str) -> Reply {
    json_reply(
        status,
        json!({"error": {"message": message, "type": kind, "param": null, "code": code}}),
    )
}

const CONVERSATION: &str = "c-5f0e3a9b7d2c4e1f8a6b0c9d";

const PASSAGES: [Passage<'static>; 2] = [
    Passage {
        id: "help/sending-money-abroad",
        title: "Sending money abroad",
        text: "An international payment costs £25. Payments made before 3pm arrive within 2 working days.",
        url: "https://bank.example/help/sending-money-abroad",
    },
    Passage {
        id: "help/phone-banking",
        title: "Phone banking",
        text: "Call us on 0345 600 1234, open 24/7.",
        url: "https://bank.example/help/phone-banking",
    },
];

fn question<'a>(text: &'a str, recent: &'a [Turn<'a>]) -> UpstreamQuestion<'a> {
    UpstreamQuestion {
        conversation_id: CONVERSATION,
        text,
        lang: Lang::En,
        recent,
        passages: &PASSAGES,
    }
}

/// A question and recent turns full of personal data.
const PERSONAL: &str = "My card 4111 1111 1111 1111 was charged twice, email li.wei@example.com";
const RECENT: [Turn<'static>; 2] = [
    Turn {
        speaker: Speaker::Customer,
        text: "call me on +44 20 7946 0958 please",
    },
    Turn {
        speaker: Speaker::Assistant,
        text: "I can't call you, but a person can help.",
    },
];

/// Nothing personal in what the upstream received, and no raw conversation id.
fn assert_nothing_personal(seen: &[Seen]) {
    assert!(!seen.is_empty());
    for s in seen {
        for leak in [
            "4111 1111",
            "41111111",
            "li.wei@example.com",
            "7946 0958",
            "7946",
            CONVERSATION,
            "5f0e3a9b7d2c",
        ] {
            assert!(
                !s.raw.contains(leak),
                "{leak:?} reached the upstream: {}",
                s.raw
            );
        }
    }
}

#[tokio::test]
async fn rasa_receives_only_masked_text_and_a_hashed_sender_and_its_messages_come_back_as_one_answer()
 {
    let fake = fake(|_| {
        json_reply(
            200,
            json!([
                {"recipient_id": "x", "text": "Sorry about the double charge."},
                {"recipient_id": "x", "text": "I can open a dispute for you.",
                 "buttons": [{"title": "Open a dispute", "payload": "/open_dispute"},
                             {"title": "Talk to someone", "payload": "/human_handoff"}]},
                {"recipient_id": "x", "image": "https://bank.example/dispute.png"}
            ]),
        )
    })
    .await;
    let up = upstream(&rasa_config(&fake), &Metrics::new());
    assert_eq!(up.adapter(), "rasa");
    let out = up
        .ask(&UpstreamQuestion {
            lang: Lang::ZhCn,
            ..question(PERSONAL, &RECENT)
        })
        .await;
    assert_eq!(
        out,
        UpstreamOutcome::Answered {
            text: "Sorry about the double charge.\n\nI can open a dispute for you.".into(),
            buttons: vec![
                Button {
                    title: "Open a dispute".into(),
                    payload: "/open_dispute".into()
                },
                Button {
                    title: "Talk to someone".into(),
                    payload: "/human_handoff".into()
                },
            ],
            cited: vec![],
        }
    );
    let seen = fake.seen();
    assert_nothing_personal(&seen);
    let body = &seen[0].body;
    assert_eq!(seen[0].path, "/webhooks/rest/webhook");
    assert_eq!(body["sender"], up.sender(CONVERSATION));
    assert_eq!(body["sender"].as_str().unwrap().len(), 32);
    assert!(body["message"].as_str().unwrap().contains("[email]"));
    assert_eq!(body["metadata"]["locale"], "zh-CN");
    assert_eq!(body["metadata"]["recent"][0]["from"], "customer");
    assert_eq!(
        body["metadata"]["recent"][0]["text"],
        "call me on [phone] please"
    );
    assert_eq!(body["metadata"]["recent"][1]["from"], "assistant");
    assert!(
        seen[0].authorization.is_none(),
        "no key configured, none sent"
    );
    assert!(
        !seen[0].raw.contains("£25"),
        "Rasa is not sent our passages"
    );
}

#[tokio::test]
async fn rasa_with_nothing_to_say_is_not_sure_and_a_500_html_page_is_unavailable() {
    let fake = fake(|n| match n {
        0 => json_reply(200, json!([])),
        _ => Reply {
            status: 500,
            content_type: "text/html",
            body: "<html><head><title>500 Internal Server Error</title></head>\
                   <body><h1>Internal Server Error</h1></body></html>"
                .into(),
            delay: Duration::ZERO,
        },
    })
    .await;
    let up = upstream(&rasa_config(&fake), &Metrics::new());
    assert_eq!(
        up.ask(&question("what's your SWIFT code?", &[])).await,
        UpstreamOutcome::NotSure
    );
    assert_eq!(
        up.ask(&question("what's your SWIFT code?", &[])).await,
        UpstreamOutcome::Unavailable(Reason::Error)
    );
}

#[tokio::test]
async fn openai_gets_only_our_passages_and_the_masked_question_and_a_cited_answer_is_shown_without_markers()
 {
    let fake = fake(|_| {
        completion(
            Some("An international payment costs £25 [P1]. You can also call us 24/7 [P2]."),
            "stop",
        )
    })
    .await;
    let up = upstream(&openai_config(&fake), &Metrics::new());
    assert_eq!(up.adapter(), "openai");
    let out = up.ask(&question(PERSONAL, &RECENT)).await;
    assert_eq!(
        out,
        UpstreamOutcome::Answered {
            text: "An international payment costs £25. You can also call us 24/7.".into(),
            buttons: vec![],
            cited: vec![
                "help/sending-money-abroad".into(),
                "help/phone-banking".into()
            ],
        }
    );
    let seen = fake.seen();
    assert_nothing_personal(&seen);
    let s = &seen[0];
    assert_eq!(s.path, "/v1/chat/completions");
    assert_eq!(
        s.authorization.as_deref(),
        Some(format!("Bearer {API_KEY}").as_str())
    );
    assert_eq!(s.body["model"], "gpt-4o-mini");
    assert_eq!(s.body["user"], up.sender(CONVERSATION));
    let messages = s.body["messages"].as_array().unwrap();
    let system = messages[0]["content"].as_str().unwrap();
    assert_eq!(messages[0]["role"], "system");
    assert!(system.contains("[P1] Sending money abroad\nAn international payment costs £25."));
    assert!(system.contains("[P2] Phone banking"));
    assert!(system.contains("NOT_SURE"));
    assert!(
        !system.contains("https://bank.example"),
        "the prompt carries the passages, nothing more"
    );
    let roles: Vec<&str> = messages
        .iter()
        .map(|m| m["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["system", "user", "assistant", "user"]);
    assert!(messages[3]["content"].as_str().unwrap().contains("[card"));
}

#[tokio::test]
async fn openai_answers_citing_nothing_or_with_a_number_not_in_the_passages_are_not_sure() {
    let fake = fake(|n| match n {
        0 => completion(Some("An international payment costs £25."), "stop"),
        1 => completion(Some("An international payment costs £15 [P1]."), "stop"),
        2 => completion(Some("Call us on 0800 123 456 [P2]."), "stop"),
        3 => completion(Some("It costs £25 [P3]."), "stop"),
        _ => completion(Some("Payments arrive within 2 working days [P2]."), "stop"),
    })
    .await;
    let up = upstream(&openai_config(&fake), &Metrics::new());
    for why in [
        "no citation",
        "a fee the passage does not state",
        "an invented phone number",
        "a passage that was not given",
        "a number from a passage it did not cite",
    ] {
        assert_eq!(
            up.ask(&question("how much to send money abroad?", &[]))
                .await,
            UpstreamOutcome::NotSure,
            "{why}"
        );
    }
    assert_eq!(fake.seen().len(), 5);
}

#[tokio::test]
async fn openai_answers_in_chinese_are_grounded_the_same_way() {
    let fake = fake(|n| match n {
        0 => completion(Some("境外汇款每笔手续费 25 元【P1】。"), "stop"),
        _ => completion(Some("大额存单5万元起存【P1】。"), "stop"),
    })
    .await;
    let up = upstream(&openai_config(&fake), &Metrics::new());
    let passages = [Passage {
        id: "help/zh/remittance",
        title: "境外汇款",
        text: "每笔境外汇款手续费 25 元，大额存单 20万 元起存。",
        url: "https://bank.example/zh/help/remittance",
    }];
    let q = UpstreamQuestion {
        lang: Lang::ZhCn,
        passages: &passages,
        ..question("汇款到国外要多少钱？", &[])
    };
    assert_eq!(
        up.ask(&q).await,
        UpstreamOutcome::Answered {
            text: "境外汇款每笔手续费 25 元。".into(),
            buttons: vec![],
            cited: vec!["help/zh/remittance".into()],
        }
    );
    assert_eq!(
        up.ask(&q).await,
        UpstreamOutcome::NotSure,
        "5万 is not in the passage (20万 is)"
    );
    let system = fake.seen()[0].body["messages"][0]["content"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(system.contains("Reply in Simplified Chinese"));
    assert!(system.contains("[P1] 境外汇款"));
}

#[tokio::test]
async fn openai_refusals_and_filtered_answers_are_not_sure() {
    let fake = fake(|n| match n {
        0 => completion(Some("NOT_SURE"), "stop"),
        1 => completion(None, "content_filter"),
        2 => completion(Some(""), "stop"),
        _ => completion(Some("An international payment costs £2"), "length"),
    })
    .await;
    let up = upstream(&openai_config(&fake), &Metrics::new());
    for _ in 0..4 {
        assert_eq!(
            up.ask(&question("can I open an account for my child?", &[]))
                .await,
            UpstreamOutcome::NotSure
        );
    }
}

#[tokio::test]
async fn openai_without_passages_is_not_sure_and_is_not_asked() {
    let fake = fake(|_| completion(Some("Anything [P1]"), "stop")).await;
    let up = upstream(&openai_config(&fake), &Metrics::new());
    let q = UpstreamQuestion {
        passages: &[],
        ..question("what's the weather?", &[])
    };
    assert_eq!(up.ask(&q).await, UpstreamOutcome::NotSure);
    assert!(
        fake.seen().is_empty(),
        "nothing to ground an answer in: not sent"
    );
}

#[tokio::test]
async fn openai_error_replies_are_unavailable() {
    let fake = fake(|n| match n {
        0 => openai_error(
            401,
            "Incorrect API key provided: sk-test-***cdef. You can find your API key at https://platform.openai.com/account/api-keys.",
            "invalid_request_error",
            "invalid_api_key",
        ),
        1 => openai_error(
            429,
            "Rate limit reached for gpt-4o-mini in organization org-abc on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s.",
            "requests",
            "rate_limit_exceeded",
        ),
        _ => json_reply(200, json!({"unexpected": true})),
    })
    .await;
    let up = upstream(&openai_config(&fake), &Metrics::new());
    for _ in 0..3 {
        assert_eq!(
            up.ask(&question("how much to send money abroad?", &[]))
                .await,
            UpstreamOutcome::Unavailable(Reason::Error)
        );
    }
}

#[tokio::test]
async fn a_slow_upstream_is_unavailable_by_timeout() {
    for kind in [UpstreamKind::Rasa, UpstreamKind::Openai] {
        let fake = fake(|_| Reply {
            delay: Duration::from_secs(30),
            ..completion(Some("An international payment costs £25 [P1]."), "stop")
        })
        .await;
        let cfg = UpstreamConfig {
            kind,
            timeout_ms: 200,
            ..openai_config(&fake)
        };
        let up = upstream(&cfg, &Metrics::new());
        assert_eq!(
            up.ask(&question("how much to send money abroad?", &[]))
                .await,
            UpstreamOutcome::Unavailable(Reason::Timeout),
            "{kind:?}"
        );
    }
}

#[tokio::test]
async fn the_breaker_stops_calling_a_failing_bot_and_tries_again_after_the_cool_down() {
    let fake = fake(|n| {
        if n < 3 {
            json_reply(502, json!({"error": "bad gateway"}))
        } else {
            json_reply(200, json!([{"recipient_id": "x", "text": "Back again."}]))
        }
    })
    .await;
    let cfg = UpstreamConfig {
        breaker_failures: 3,
        // Long enough that the refusals below all fall inside it on a busy machine.
        breaker_cooldown_ms: 2000,
        ..rasa_config(&fake)
    };
    let up = upstream(&cfg, &Metrics::new());
    let q = question("what's your SWIFT code?", &[]);
    for _ in 0..3 {
        assert_eq!(
            up.ask(&q).await,
            UpstreamOutcome::Unavailable(Reason::Error)
        );
    }
    for _ in 0..5 {
        assert_eq!(
            up.ask(&q).await,
            UpstreamOutcome::Unavailable(Reason::BreakerOpen)
        );
    }
    assert_eq!(
        fake.seen().len(),
        3,
        "an open breaker sends the bot nothing"
    );
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert!(matches!(up.ask(&q).await, UpstreamOutcome::Answered { .. }));
    assert_eq!(fake.seen().len(), 4, "one trial after the cool-down");
    assert!(matches!(up.ask(&q).await, UpstreamOutcome::Answered { .. }));
}

#[tokio::test]
async fn one_conversation_is_rate_limited_without_holding_back_others() {
    let fake = fake(|_| json_reply(200, json!([{"recipient_id": "x", "text": "Hello."}]))).await;
    let cfg = UpstreamConfig {
        per_conversation_per_minute: 2,
        ..rasa_config(&fake)
    };
    let up = upstream(&cfg, &Metrics::new());
    let q = question("hi", &[]);
    assert!(matches!(up.ask(&q).await, UpstreamOutcome::Answered { .. }));
    assert!(matches!(up.ask(&q).await, UpstreamOutcome::Answered { .. }));
    assert_eq!(
        up.ask(&q).await,
        UpstreamOutcome::Unavailable(Reason::RateLimited)
    );
    assert_eq!(fake.seen().len(), 2);
    let other = UpstreamQuestion {
        conversation_id: "c-another-conversation",
        ..q
    };
    assert!(matches!(
        up.ask(&other).await,
        UpstreamOutcome::Answered { .. }
    ));
}

#[tokio::test]
async fn metrics_count_requests_by_adapter_and_outcome_with_latency() {
    let fake = fake(|n| match n {
        0 => completion(Some("An international payment costs £25 [P1]."), "stop"),
        1 => completion(Some("NOT_SURE"), "stop"),
        _ => openai_error(500, "The server had an error", "server_error", "null"),
    })
    .await;
    let metrics = Metrics::new();
    let cfg = UpstreamConfig {
        breaker_failures: 1,
        per_conversation_per_minute: 4,
        ..openai_config(&fake)
    };
    let up = upstream(&cfg, &metrics);
    let q = question("how much to send money abroad?", &[]);
    for _ in 0..5 {
        up.ask(&q).await;
    }
    let text = metrics.render();
    for (outcome, n) in [
        ("answered", 1),
        ("not_sure", 1),
        ("error", 1),
        ("breaker_open", 1),
        ("rate_limited", 1),
    ] {
        let line = format!(
            "assistant_upstream_requests_total{{adapter=\"openai\",outcome=\"{outcome}\"}} {n}"
        );
        assert!(text.contains(&line), "{line} in\n{text}");
    }
    assert!(
        text.contains("assistant_upstream_request_duration_seconds_count{adapter=\"openai\"} 3"),
        "three requests went out:\n{text}"
    );
    assert!(!text.contains(API_KEY), "the key is nowhere in the metrics");
}

#[tokio::test]
async fn the_server_builds_the_upstream_from_its_configuration_and_serves_its_metrics() {
    let fake = fake(|_| json_reply(200, json!([{"recipient_id": "x", "text": "Hello."}]))).await;
    let cfg = rasa_config(&fake);
    let s = common::TestServer::with(&None, |c| c.chat.upstream = cfg).await;
    let up = s.state.upstream.clone().expect("configured upstream");
    assert!(matches!(
        up.ask(&question("hi", &[])).await,
        UpstreamOutcome::Answered { .. }
    ));
    assert!(
        s.metrics()
            .await
            .contains("assistant_upstream_requests_total{adapter=\"rasa\",outcome=\"answered\"} 1")
    );
    let off = common::TestServer::new(&None).await;
    assert!(off.state.upstream.is_none(), "off by default");
}

#[test]
fn a_bad_upstream_configuration_fails_at_start_up_and_the_key_is_not_in_debug_output() {
    let good = UpstreamConfig {
        kind: UpstreamKind::Openai,
        url: "https://api.openai.com/v1".into(),
        api_key: SecretString(API_KEY.into()),
        model: "gpt-4o-mini".into(),
        ..UpstreamConfig::default()
    };
    assert!(good.validate().is_ok());
    assert!(!format!("{good:?}").contains(API_KEY));
    for bad in [
        UpstreamConfig {
            url: "api.openai.com/v1".into(),
            ..good.clone()
        },
        UpstreamConfig {
            url: "ftp://bank.example/bot".into(),
            ..good.clone()
        },
        UpstreamConfig {
            timeout_ms: 0,
            ..good.clone()
        },
        UpstreamConfig {
            timeout_ms: 600_000,
            ..good.clone()
        },
        UpstreamConfig {
            breaker_failures: 0,
            ..good.clone()
        },
        UpstreamConfig {
            model: String::new(),
            ..good.clone()
        },
    ] {
        assert!(bad.validate().is_err(), "{bad:?}");
        assert!(Upstream::from_config(&bad, b"k", &Metrics::new()).is_err());
    }
    assert!(
        Upstream::from_config(&UpstreamConfig::default(), b"k", &Metrics::new())
            .unwrap()
            .is_none(),
        "off: no upstream"
    );
}

#[test]
fn the_upstream_section_is_read_from_toml() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("server.toml");
    std::fs::write(
        &file,
        r#"
[chat.upstream]
kind = "rasa"
url = "http://rasa.internal:5005/webhooks/rest/webhook"
timeout_ms = 1500
breaker_failures = 4
"#,
    )
    .unwrap();
    let c = Config::load(Some(&file)).unwrap();
    assert_eq!(c.chat.upstream.kind, UpstreamKind::Rasa);
    assert_eq!(c.chat.upstream.timeout_ms, 1500);
    assert_eq!(c.chat.upstream.breaker_failures, 4);
    assert_eq!(c.chat.upstream.breaker_cooldown_ms, 30_000, "default kept");
    assert!(c.chat.upstream.validate().is_ok());
}

/// Through `/v1/chat`: what our tiers answer never reaches the bank's bot; what they cannot answer
/// does, masked, and its answer is shown as the bank bot's. A retried message gets the stored answer
/// without asking the bot again.
#[tokio::test]
async fn chat_asks_the_bank_bot_only_what_we_cannot_answer_and_shows_its_answer_as_its_own() {
    let fake = fake(|_| {
        json_reply(
            200,
            json!([{"recipient_id": "x", "text": "Our branches lend umbrellas."}]),
        )
    })
    .await;
    let cfg = rasa_config(&fake);
    let s = common::TestServer::with(&None, |c| c.chat.upstream = cfg).await;
    let conv = s.open().await;
    let ask = |text: &str, message_id: &str| json!({"conversation_id": conv, "message_id": message_id, "text": text, "locale": "en"});
    let (_, v) = s
        .call(
            "POST",
            "/v1/chat",
            Some(ask(
                "can I open an account for my child?",
                "message-0000000001",
            )),
            None,
        )
        .await;
    assert_eq!(v["source"], "help", "{v}");
    assert!(
        fake.seen().is_empty(),
        "answered by us: the bot is not asked"
    );

    let question = "will it rain tomorrow? call me on 020 7946 0958 or li.wei@example.com";
    let (st, v) = s
        .call(
            "POST",
            "/v1/chat",
            Some(ask(question, "message-0000000002")),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    common::assert_valid("ChatResponse", &v);
    assert_eq!(v["source"], "upstream", "{v}");
    assert_eq!(v["text"], "Our branches lend umbrellas.");
    let seen = fake.seen();
    assert_eq!(seen.len(), 1);
    assert!(seen[0].body["message"].as_str().unwrap().contains("rain"));
    for leak in ["7946 0958", "li.wei@example.com", conv.as_str()] {
        assert!(!seen[0].raw.contains(leak), "{leak} reached the bank's bot");
    }
    // The same message again (a lost response): the stored answer, the bot not asked twice.
    let (_, again) = s
        .call(
            "POST",
            "/v1/chat",
            Some(ask(question, "message-0000000002")),
            None,
        )
        .await;
    assert_eq!(again, v);
    assert_eq!(fake.seen().len(), 1);
}

/// Through `/v1/chat`: the question and the recent lines the widget sends (`ChatRequest::recent`)
/// reach the bank's bot masked, with either adapter. The server does not trust the widget to have
/// masked them: here it did not, and nothing personal may leave all the same.
#[tokio::test]
async fn chat_masks_the_question_and_the_recent_lines_it_sends_to_the_bank_bot() {
    // Each value appears once, so a leak says which field it came from.
    let question = "will it rain tomorrow? card 5555 5555 5555 4444, zhang.san@example.cn, \
                    +44 7700 900123, 身份证440301199003071230 手机13912345678";
    let recent = json!([
        {"role": "customer",
         "text": "my card 4111 1111 1111 1111, email li.wei@example.com, call me on +44 20 7946 0958"},
        {"role": "assistant", "text": "I can't see your details, but a person can help."},
        {"role": "customer", "text": "我的身份证11010519491231002X，手机13800138000"},
    ]);
    let leaks = [
        // The question's.
        "5555 5555",
        "5555555555554444",
        "zhang.san@example.cn",
        "7700 900123",
        "440301199003071230",
        "13912345678",
        // The recent lines'.
        "4111 1111",
        "4111111111111111",
        "li.wei@example.com",
        "7946 0958",
        "11010519491231002X",
        "13800138000",
    ];
    let rasa =
        fake(|_| json_reply(200, json!([{"recipient_id": "x", "text": "Ask a person."}]))).await;
    let openai = fake(|_| completion(Some("I can't say [P1]."), "stop")).await;
    for (name, cfg, fake) in [
        ("rasa", rasa_config(&rasa), &rasa),
        ("openai", openai_config(&openai), &openai),
    ] {
        let s = common::TestServer::with(&None, |c| c.chat.upstream = cfg).await;
        let conv = s.open().await;
        let (st, v) = s
            .call(
                "POST",
                "/v1/chat",
                Some(json!({
                    "conversation_id": conv, "message_id": "message-0000000001",
                    "text": question, "locale": "en", "recent": recent,
                })),
                None,
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{name}: {v}");
        let seen = fake.seen();
        assert_eq!(seen.len(), 1, "{name}: the bot is asked once: {v}");
        for leak in leaks {
            assert!(
                !seen[0].raw.contains(leak),
                "{name}: {leak:?} reached the bank's bot: {}",
                seen[0].raw
            );
        }
        assert!(
            !seen[0].raw.contains(conv.as_str()),
            "{name}: conversation id"
        );
        // What was sent, by field: the question, then each recent line, masked where it was personal.
        let (sent_question, sent_recent): (String, Vec<String>) = match name {
            "rasa" => (
                seen[0].body["message"].as_str().unwrap().to_owned(),
                seen[0].body["metadata"]["recent"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| r["text"].as_str().unwrap().to_owned())
                    .collect(),
            ),
            _ => {
                // System prompt, the recent lines as turns, then the question.
                let messages = seen[0].body["messages"].as_array().unwrap();
                let contents: Vec<String> = messages
                    .iter()
                    .map(|m| m["content"].as_str().unwrap().to_owned())
                    .collect();
                assert_eq!(messages[0]["role"], "system");
                (
                    contents.last().unwrap().clone(),
                    contents[1..contents.len() - 1].to_vec(),
                )
            }
        };
        assert!(sent_question.contains("rain"), "{name}: {sent_question}");
        for placeholder in ["[card ••••4444]", "[email]", "[phone]", "[ID]"] {
            assert!(
                sent_question.contains(placeholder),
                "{name}: {placeholder} in the question {sent_question:?}"
            );
        }
        assert_eq!(sent_recent.len(), 3, "{name}: {sent_recent:?}");
        assert_eq!(
            sent_recent[0], "my card [card ••••1111], email [email], call me on [phone]",
            "{name}"
        );
        assert_eq!(
            sent_recent[1], "I can't see your details, but a person can help.",
            "{name}"
        );
        assert_eq!(sent_recent[2], "我的身份证[ID]，手机[phone]", "{name}");
    }
}
