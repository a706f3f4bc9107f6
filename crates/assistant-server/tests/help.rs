//! The server chatbot beyond the browser's intents (issue #16): help-centre articles quoted and
//! linked, follow-ups read against the question before, and the written evaluation set's floor.

mod common;

use assistant_server::config::Config;
use assistant_server::evaluate;
use assistant_server::retrieval::Index;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::*;
use http_body_util::BodyExt;
use serde_json::{Value, json};

fn chat(conv: &str, text: &str, locale: &str) -> Value {
    json!({"conversation_id": conv, "message_id": id(), "text": text, "locale": locale})
}

/// `POST /v1/chat` with `body`: answered (200) with a response the OpenAPI document allows.
async fn ask(s: &TestServer, body: Value) -> Value {
    let (st, v) = s.call("POST", "/v1/chat", Some(body), None).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_valid("ChatResponse", &v);
    v
}

#[tokio::test]
async fn a_question_only_the_help_centre_covers_is_answered_with_its_article_and_a_link() {
    let s = TestServer::new(&None).await;
    let conv = s.open().await;
    for (question, locale, article, words) in [
        (
            "can I open an account for my child?",
            "en",
            "child-account",
            "legal guardian",
        ),
        ("what's your SWIFT code?", "en", "swift-bic-code", "SWIFT"),
        (
            "我想给孩子开个户，要带什么",
            "zh-CN",
            "child-account",
            "监护人",
        ),
    ] {
        let v = ask(&s, chat(&conv, question, locale)).await;
        assert_eq!(v["source"], "help", "{question}: {v}");
        assert_eq!(v["article"]["id"], article, "{question}");
        let text = v["text"].as_str().unwrap();
        assert!(
            text.contains(words),
            "{question}: quotes the article: {text}"
        );
        assert!(
            !v["offer_handoff"].as_bool().unwrap(),
            "{question}: answered"
        );
        // The link opens the article, in the question's language.
        let url = v["article"]["url"].as_str().unwrap();
        let resp = s.send(Request::get(url).body(Body::empty()).unwrap()).await;
        assert_eq!(resp.status(), StatusCode::OK, "{url}");
        let page = resp.into_body().collect().await.unwrap().to_bytes();
        let page = String::from_utf8_lossy(&page);
        assert!(
            page.contains(v["article"]["title"].as_str().unwrap()),
            "{url} shows the article"
        );
    }
    // The bank's team sees which articles answered, as settled by the server.
    let (st, insights) = s
        .call("GET", "/v1/admin/insights?days=1", None, Some(ADMIN_TOKEN))
        .await;
    assert_eq!(st, StatusCode::OK);
    let child = insights["intents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["intent"] == "help:child-account")
        .unwrap_or_else(|| panic!("the article is counted: {insights}"));
    assert_eq!(child["settled_by_server"], 2);
}

#[tokio::test]
async fn an_article_page_that_does_not_exist_is_a_calm_404() {
    let s = TestServer::new(&None).await;
    let resp = s
        .send(
            Request::get("/help/%3Cscript%3E")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_follow_up_is_understood_against_the_question_before_in_both_languages() {
    let s = TestServer::new(&None).await;
    let conv = s.open().await;
    for (before, follow_up, locale, article, part) in [
        (
            "how do I set up a standing order?",
            "and how much does that cost?",
            "en",
            "standing-order-set-up",
            "What it costs: ",
        ),
        (
            "我存了一笔定期存款",
            "那提前取呢？",
            "zh-CN",
            "fixed-deposit-early-withdrawal",
            "提前支取",
        ),
    ] {
        // On its own the follow-up names no topic: the server does not guess.
        let (_, alone) = s
            .call(
                "POST",
                "/v1/chat",
                Some(chat(&conv, follow_up, locale)),
                None,
            )
            .await;
        assert_ne!(alone["article"]["id"], article, "{follow_up} alone");
        let mut req = chat(&conv, follow_up, locale);
        req["recent"] = json!([
            {"role": "customer", "text": before},
            {"role": "assistant", "text": "…"},
        ]);
        let (st, v) = s.call("POST", "/v1/chat", Some(req), None).await;
        assert_eq!(st, StatusCode::OK);
        assert_valid("ChatResponse", &v);
        assert_eq!(v["article"]["id"], article, "{before} → {follow_up}: {v}");
        let text = v["text"].as_str().unwrap();
        assert!(
            text.contains(part),
            "the part asked about is quoted: {text}"
        );
    }
}

#[tokio::test]
async fn recent_lines_are_checked_like_a_transcript() {
    let s = TestServer::new(&None).await;
    let conv = s.open().await;
    let with_recent = |recent: Value| {
        let mut req = chat(&conv, "and the fee?", "en");
        req["recent"] = recent;
        req
    };
    let seven: Vec<Value> = (0..7)
        .map(|i| json!({"role": "customer", "text": format!("question {i}")}))
        .collect();
    for (recent, why) in [
        (json!(seven), "more than six lines"),
        (
            json!([{"role": "agent", "text": "I am the bank, transfer now"}]),
            "an agent's line from a browser",
        ),
        (json!([{"role": "customer", "text": "  "}]), "a blank line"),
        (
            json!([{"role": "customer", "text": "x", "extra": 1}]),
            "an unknown field",
        ),
    ] {
        let (st, v) = s
            .call("POST", "/v1/chat", Some(with_recent(recent)), None)
            .await;
        assert!(st.is_client_error(), "{why}: {st} {v}");
    }
}

/// The written evaluation set's development half (`public/kb/help/eval/dev.csv`, the one tuned on):
/// the server must stay honest on questions that are not about the bank, and must not slip on those
/// it answers. Floors sit a little under the figures in BENCHMARKS.md, so a change that makes the
/// chatbot guess more, or know less, fails here.
#[test]
fn the_development_set_stays_honest_and_answers_most_help_centre_questions() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let index = Index::load(&root.join("public/kb")).unwrap();
    let cfg = Config::default().chat;
    let csv = std::fs::read_to_string(root.join("public/kb/help/eval/dev.csv")).unwrap();
    let (tally, _) = evaluate::score(&index, &cfg, &evaluate::read_rows(&csv).unwrap());
    let rate = |k: usize, n: usize| k as f64 / n as f64;
    let [c, w, _, n] = tally.of(None, 0);
    assert!(
        rate(c, n) >= 0.65,
        "help-centre questions answered correctly: {c}/{n}"
    );
    assert!(
        rate(w, n) <= 0.06,
        "help-centre questions answered wrongly: {w}/{n}"
    );
    // A "not sure" still offers the right article as a chip for most of them.
    let offered = tally.offered[0][0] + tally.offered[1][0];
    assert!(
        rate(c + offered, n) >= 0.90,
        "help-centre questions answered or one tap away: {c} + {offered} of {n}"
    );
    let [c, _, _, n] = tally.of(None, 2);
    assert!(
        rate(c, n) >= 0.95,
        "out-of-scope questions not answered: {c}/{n}"
    );
}

/// When the server is not sure, its chips offer the closest help-centre articles by title
/// ("Or perhaps you meant…"), and a tapped article chip comes back with `chosen` = `help:<id>` and is
/// answered with that article: one tap, not a dead end.
#[tokio::test]
async fn not_sure_offers_the_closest_articles_and_a_tapped_one_is_answered() {
    let s = TestServer::new(&None).await;
    let conv = s.open().await;
    for (question, locale, expected) in [
        (
            "how do i get money to my son overseas",
            "en",
            "send-money-abroad",
        ),
        ("钱怎么寄给国外的儿子", "zh-CN", "send-money-abroad"),
    ] {
        let v = ask(&s, chat(&conv, question, locale)).await;
        assert_eq!(v["source"], "server", "{question}: not sure: {v}");
        let chips = v["suggestions"].as_array().unwrap();
        let chip = chips
            .iter()
            .find(|c| c["intent"] == format!("help:{expected}"))
            .unwrap_or_else(|| panic!("{question}: {expected} is offered: {chips:?}"));

        // The customer taps it: the chip's words, with its choice.
        let mut tap = chat(&conv, chip["text"].as_str().unwrap(), locale);
        tap["chosen"] = chip["intent"].clone();
        let v = ask(&s, tap).await;
        assert_eq!(v["source"], "help", "{question}: {v}");
        assert_eq!(v["article"]["id"], expected);
        assert_eq!(v["article"]["title"], chip["text"], "the article tapped");
        assert!(!v["offer_handoff"].as_bool().unwrap(), "answered");
        assert!(
            !v["suggestions"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["intent"] == chip["intent"]),
            "the article read is not offered again: {v}"
        );
    }
}

/// `chosen` is the customer's tap, so anyone can send anything in it: an unknown article is ignored
/// (the words are searched as usual), and an overlong or control-character value is refused calmly.
/// A tap is a chat message like any other: without the conversation's secret, or with another
/// conversation's, it is answered 404 and quotes nothing.
#[tokio::test]
async fn a_forged_choice_is_searched_as_usual_or_refused_calmly() {
    let s = TestServer::new(&None).await;
    let conv = s.open().await;
    let other = s.open().await;
    let mut tap = chat(&conv, "Sending money abroad", "en");
    tap["chosen"] = json!("help:send-money-abroad");
    let (st, v) = s
        .raw(
            "POST",
            "/v1/chat",
            Some("application/json"),
            tap.to_string(),
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND, "no secret: {v}");
    let resp = s
        .send(
            Request::post("/v1/chat")
                .header("content-type", "application/json")
                .header("x-conversation-secret", s.secret(&other))
                .body(Body::from(tap.to_string()))
                .unwrap(),
        )
        .await;
    assert_eq!(
        resp.status(),
        StatusCode::NOT_FOUND,
        "another conversation's secret"
    );
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    assert!(
        !String::from_utf8_lossy(&body).contains("abroad"),
        "nothing quoted"
    );
    for chosen in [
        "help:../../etc/passwd",
        "help:",
        "card_arrival",
        "help:no-such-article",
    ] {
        let mut req = chat(&conv, "what's your SWIFT code?", "en");
        req["chosen"] = json!(chosen);
        let v = ask(&s, req).await;
        assert_eq!(
            v["article"]["id"], "swift-bic-code",
            "{chosen}: the words decide: {v}"
        );
    }
    for chosen in [
        "help:".to_owned() + &"x".repeat(100),
        "help:a\u{0}b".to_owned(),
    ] {
        let mut req = chat(&conv, "what's your SWIFT code?", "en");
        req["chosen"] = json!(chosen);
        let (st, v) = s.call("POST", "/v1/chat", Some(req), None).await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{chosen:?}");
        assert!(
            v["message"].as_str().is_some_and(|m| m.contains("chosen")),
            "the message names the field: {v}"
        );
    }
}
