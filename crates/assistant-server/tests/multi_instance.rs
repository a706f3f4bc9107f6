//! Several server instances against one PostgreSQL behave as one: a customer's event stream on
//! instance A receives what an agent does on instance B (LISTEN/NOTIFY). Ignored by a plain
//! `cargo test` (it needs a PostgreSQL server), so it is reported as ignored rather than as a pass;
//! `cargo xtask test` and `cargo xtask test-server` start a throwaway PostgreSQL and run it.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::*;
use serde_json::json;

#[tokio::test]
#[ignore = "needs PostgreSQL: run by `cargo xtask test-server` (TEST_DATABASE_URL)"]
async fn an_agent_on_one_instance_reaches_a_customer_on_another() {
    let url = std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
        .expect("TEST_DATABASE_URL must name a PostgreSQL database for this test");
    let db = Some(url);
    let a = TestServer::new(&db).await;
    let b = TestServer::new(&db).await;
    let c = a.open().await;
    let (st, _) = a
        .call(
            "POST",
            "/v1/handoff",
            Some(json!({"conversation_id": c, "reason": "requested", "locale": "en"})),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    // The stream token made on A opens the stream on B too (the HMAC key is shared through the
    // database), and the other way round.
    let on_b = b
        .send(
            Request::get(a.events_uri(&c).await)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(on_b.status(), StatusCode::OK);
    drop(on_b);
    let resp = a
        .send(
            Request::get(a.events_uri(&c).await)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    let mut body = resp.into_body();
    let mut seen = Vec::new();
    read_events(&mut body, &mut seen, |e| {
        e.iter().any(|(_, t, _)| t == "queue")
    })
    .await;

    let li = b.login("li").await;
    let (st, _) = b
        .call(
            "POST",
            &format!("/v1/agent/conversations/{c}/take"),
            None,
            Some(&li),
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    b.call(
        "POST",
        &format!("/v1/agent/conversations/{c}/typing"),
        Some(json!({"typing": true})),
        Some(&li),
    )
    .await;
    let (st, _) = b
        .call(
            "POST",
            &format!("/v1/agent/conversations/{c}/reply"),
            Some(json!({"text": "Hello from instance B"})),
            Some(&li),
        )
        .await;
    assert_eq!(st, StatusCode::ACCEPTED);
    read_events(&mut body, &mut seen, |e| {
        e.iter()
            .any(|(_, t, v)| t == "message" && v["text"] == "Hello from instance B")
            && e.iter()
                .any(|(_, t, v)| t == "typing" && v["typing"] == true)
            && e.iter()
                .any(|(_, t, v)| t == "status" && v["state"] == "active")
    })
    .await;
    // Session made on B is valid on A (sessions live in the database).
    let (st, _) = a.call("GET", "/v1/agent/queue", None, Some(&li)).await;
    assert_eq!(st, StatusCode::OK);
}
