//! Insights (issue #17): the browser's telemetry is counts only, and a hostile body is refused calmly;
//! the counters per day and intent add up with what the server knows itself (its chatbot's answers,
//! hand-offs by reason with their waits and abandonment, ratings with their reasons); only admins read
//! them; retention removes old counters. On SQLite and (with `TEST_DATABASE_URL`) PostgreSQL.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::*;
use serde_json::{Value, json};

/// A backend of its own: the counters are per day and intent, so tests sharing one PostgreSQL
/// database would count each other's questions. SQLite is a new file per server anyway.
async fn own(db: Option<String>) -> Option<String> {
    let url = db?;
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let mut c = sqlx::AnyConnection::connect(&url).await.unwrap();
    let name = format!("insights_{}", word().to_ascii_lowercase());
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut c)
        .await
        .unwrap();
    let (base, _) = url.rsplit_once('/').unwrap();
    Some(format!("{base}/{name}"))
}

fn record(intent: &str, route: &str) -> Value {
    json!({"intent": intent, "route": route, "lang": "en", "text_step": "standard",
           "confidence_bucket": 8, "rated": "none", "asked_person_after": false})
}

async fn send_batch(s: &TestServer, records: Vec<Value>) -> (StatusCode, Value) {
    s.call(
        "POST",
        "/v1/telemetry",
        Some(json!({ "records": records })),
        None,
    )
    .await
}

async fn insights(s: &TestServer) -> Value {
    let (st, v) = s
        .call("GET", "/v1/admin/insights?days=7", None, Some(ADMIN_TOKEN))
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_valid("Insights", &v);
    v
}

fn today(v: &Value) -> &Value {
    v["days"].as_array().unwrap().last().unwrap()
}

fn intent<'a>(v: &'a Value, name: &str) -> &'a Value {
    v["intents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["intent"] == name)
        .unwrap_or_else(|| panic!("no row for {name}: {v}"))
}

#[tokio::test]
async fn hostile_telemetry_is_refused_calmly_and_counts_nothing() {
    for db in backends() {
        let db = own(db).await;
        let s = TestServer::new(&db).await;
        let question = "my card 4111 1111 1111 1111 was swallowed";
        let mut smuggled = record("card_swallowed", "answered");
        smuggled["question"] = json!(question);
        let mut unknown_route = record("card_swallowed", "answered");
        unknown_route["route"] = json!("elsewhere");
        let mut bucket = record("card_swallowed", "answered");
        bucket["confidence_bucket"] = json!(10);
        let mut nested = record("card_swallowed", "answered");
        nested["intent"] = json!({"text": question});
        let cases: Vec<(&str, Value)> = vec![
            (
                "question text beside the counts",
                json!({"records": [smuggled]}),
            ),
            (
                "text beside the records",
                json!({"records": [record("card_swallowed", "answered")], "note": question}),
            ),
            ("an unknown route", json!({"records": [unknown_route]})),
            (
                "question text as the intent",
                json!({"records": [record(question, "answered")]}),
            ),
            ("an object as the intent", json!({"records": [nested]})),
            (
                "a confidence bucket out of range",
                json!({"records": [bucket]}),
            ),
            (
                "too many records",
                json!({"records": vec![record("card_swallowed", "answered"); 51]}),
            ),
            ("no records", json!({"records": []})),
            (
                "a bare array",
                json!([record("card_swallowed", "answered")]),
            ),
        ];
        for (what, body) in cases {
            let (st, v) = s.call("POST", "/v1/telemetry", Some(body), None).await;
            assert_eq!(st, StatusCode::BAD_REQUEST, "{what}: {v}");
            let text = v.to_string();
            assert!(
                !text.contains("4111") && !text.contains("swallowed was"),
                "{what}: the refusal quotes what was sent: {text}"
            );
        }
        // A body far over the size of a batch, and one that is not JSON at all.
        let huge = format!(
            "{{\"records\": [{}]}}",
            vec![record("card_swallowed", "answered").to_string(); 200].join(",")
        );
        let (st, _) = s
            .raw("POST", "/v1/telemetry", Some("application/json"), huge)
            .await;
        assert_eq!(st, StatusCode::PAYLOAD_TOO_LARGE);
        let (st, _) = s
            .raw("POST", "/v1/telemetry", Some("text/plain"), question)
            .await;
        assert_eq!(st, StatusCode::BAD_REQUEST);
        let (st, _) = s
            .raw(
                "POST",
                "/v1/telemetry",
                Some("application/x-www-form-urlencoded"),
                "records=1",
            )
            .await;
        assert_eq!(st, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        let v = insights(&s).await;
        assert_eq!(
            today(&v)["questions"],
            0,
            "nothing refused was counted: {v}"
        );
        assert_eq!(v["intents"], json!([]));
    }
}

#[tokio::test]
async fn telemetry_adds_up_per_day_and_intent() {
    for db in backends() {
        let db = own(db).await;
        let s = TestServer::new(&db).await;
        let mut rated = record("card_arrival", "answered");
        rated["rated"] = json!("helpful");
        let mut then_person = record("card_arrival", "answered");
        then_person["asked_person_after"] = json!(true);
        let mut chinese = record("exchange_rate", "did_you_mean");
        chinese["lang"] = json!("zh-CN");
        chinese["text_step"] = json!("largest");
        let (st, v) = send_batch(
            &s,
            vec![
                record("card_arrival", "answered"),
                rated,
                then_person,
                chinese,
                record("human_agent", "person"),
                // Asked the server: the server counts that question itself.
                record("exchange_rate", "server"),
            ],
        )
        .await;
        assert_eq!(st, StatusCode::NO_CONTENT, "{v}");
        // `navigator.sendBeacon` sends a string as text/plain.
        let beacon = json!({"records": [record("card_arrival", "answered")]}).to_string();
        let resp = s
            .send(
                Request::post("/v1/telemetry")
                    .header("content-type", "text/plain;charset=UTF-8")
                    .body(Body::from(beacon))
                    .unwrap(),
            )
            .await;
        assert_eq!(resp.status(), StatusCode::NO_CONTENT);

        let v = insights(&s).await;
        assert_eq!(v["days"].as_array().unwrap().len(), 7);
        let d = today(&v);
        assert_eq!(d["questions"], 6, "{d}");
        assert_eq!(
            d["settled_in_browser"], 3,
            "one asked for a person after: {d}"
        );
        assert_eq!(d["did_you_mean"], 1);
        assert_eq!(d["containment"], json!(0.5));
        let card = intent(&v, "card_arrival");
        assert_eq!(card["questions"], 4);
        assert_eq!(card["settled_in_browser"], 3);
        assert_eq!(intent(&v, "human_agent")["person_offered"], 1);
        assert_eq!(intent(&v, "exchange_rate")["questions"], 1);
        assert_eq!(
            v["intents"][0]["intent"], "card_arrival",
            "most asked first"
        );
    }
}

#[tokio::test]
async fn the_servers_own_outcomes_join_the_browsers() {
    for db in backends() {
        let db = own(db).await;
        let s = TestServer::with(&db, |c| c.handoff.abandon_after_s = 0).await;
        let (st, _) = send_batch(&s, vec![record("lost_or_stolen_card", "answered"); 3]).await;
        assert_eq!(st, StatusCode::NO_CONTENT);

        // The server chatbot: one answered, one it could not answer.
        let conv = s.open().await;
        let answered = id();
        let (_, v) = s
            .call(
                "POST",
                "/v1/chat",
                Some(json!({"conversation_id": conv, "message_id": answered, "text": "I lost my card", "locale": "en"})),
                None,
            )
            .await;
        assert_eq!(v["intent"], "lost_or_stolen_card");
        let (_, v) = s
            .call(
                "POST",
                "/v1/chat",
                Some(json!({"conversation_id": conv, "message_id": id(), "text": format!("{} {}", word(), word()), "locale": "en"})),
                None,
            )
            .await;
        assert_eq!(v["source"], "server", "{v}");

        // Ratings: the server's answer helped; two of the browser's did not, one with an offered
        // reason and the customer's own words, one with words only.
        let rate = |body: Value| async {
            let (st, v) = s.call("POST", "/v1/feedback", Some(body), None).await;
            assert_eq!(st, StatusCode::NO_CONTENT, "{v}");
        };
        rate(json!({"conversation_id": conv, "message_id": answered, "helpful": true})).await;
        rate(
            json!({"conversation_id": conv, "message_id": id(), "helpful": false,
                    "intent": "lost_or_stolen_card", "comment": "Hard to understand: too long"}),
        )
        .await;
        rate(
            json!({"conversation_id": conv, "message_id": id(), "helpful": false,
                    "intent": "lost_or_stolen_card", "comment": "my own words"}),
        )
        .await;

        // Hand-offs: one taken by an agent, one who left the queue.
        let (taken, gone) = (s.open().await, s.open().await);
        for (c, reason) in [(&taken, "requested"), (&gone, "complaint")] {
            let (st, v) = s
                .call(
                    "POST",
                    "/v1/handoff",
                    Some(json!({"conversation_id": c, "reason": reason, "locale": "en"})),
                    None,
                )
                .await;
            assert_eq!(st, StatusCode::OK, "{v}");
        }
        let li = s.login("li").await;
        let (st, _) = s
            .call(
                "POST",
                &format!("/v1/agent/conversations/{taken}/take"),
                None,
                Some(&li),
            )
            .await;
        assert_eq!(st, StatusCode::NO_CONTENT);
        assistant_server::jobs::abandon_gone(&s.state)
            .await
            .unwrap();

        let v = insights(&s).await;
        let d = today(&v);
        assert_eq!(d["questions"], 5, "3 in the browser, 2 at the server: {d}");
        assert_eq!(d["settled_in_browser"], 3);
        assert_eq!(d["settled_by_server"], 1);
        assert_eq!(d["unanswered"], 1);
        assert_eq!(d["containment"], json!(0.8));
        assert_eq!(d["handed_to_person"], 2);
        assert_eq!(d["abandoned"], 1);
        assert_eq!(d["helpful"], 1);
        assert_eq!(d["not_helpful"], 2);
        let (median, p90) = (d["wait_median_s"].as_i64(), d["wait_p90_s"].as_i64());
        assert!(median.is_some() && p90 >= median, "one wait measured: {d}");
        let card = intent(&v, "lost_or_stolen_card");
        assert_eq!(card["questions"], 4);
        assert_eq!(card["settled_by_server"], 1);
        assert_eq!(card["helpful"], 1);
        assert_eq!(card["not_helpful"], 2);
        assert_eq!(card["not_helpful_rate"], json!(2.0 / 3.0));
        assert_eq!(intent(&v, "")["unanswered"], 1);
        let reasons: Vec<(String, i64)> = v["handoff_reasons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["reason"].as_str().unwrap().into(),
                    r["count"].as_i64().unwrap(),
                )
            })
            .collect();
        assert_eq!(reasons, [("complaint".into(), 1), ("requested".into(), 1)]);
        assert_eq!(
            v["not_helpful_reasons"],
            json!([{"reason": "hard_to_understand", "count": 1}, {"reason": "other", "count": 1}]),
            "reasons are counted, the customer's words are not"
        );
        assert!(!v.to_string().contains("too long") && !v.to_string().contains("own words"));

        // Reading again, or after a retention run, counts nothing twice.
        assistant_server::jobs::retain(&s.state).await.unwrap();
        assert_eq!(insights(&s).await, v);
    }
}

#[tokio::test]
async fn only_admins_read_insights() {
    let s = TestServer::new(&None).await;
    let (st, _) = s.call("GET", "/v1/admin/insights", None, None).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    let li = s.login("li").await;
    let (st, _) = s.call("GET", "/v1/admin/insights", None, Some(&li)).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "agents are refused");
    let ada = s.login("ada").await;
    let (st, v) = s
        .call("GET", "/v1/admin/insights?days=1", None, Some(&ada))
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["days"].as_array().unwrap().len(), 1);
    let (st, _) = s
        .call("GET", "/v1/admin/insights?days=0", None, Some(ADMIN_TOKEN))
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn telemetry_is_limited_per_address_and_can_be_refused() {
    let s = TestServer::with(&None, |c| {
        c.limits.telemetry_per_ip_per_hour = 2;
        c.security.cors_origins = vec!["https://bank.example".into()];
    })
    .await;
    for _ in 0..2 {
        let (st, _) = send_batch(&s, vec![record("card_arrival", "answered")]).await;
        assert_eq!(st, StatusCode::NO_CONTENT);
    }
    let (st, v) = send_batch(&s, vec![record("card_arrival", "answered")]).await;
    assert_eq!(st, StatusCode::TOO_MANY_REQUESTS, "{v}");
    // The bank's page may send it from its own origin, as it does /v1/chat.
    let resp = s
        .send(
            Request::builder()
                .method("OPTIONS")
                .uri("/v1/telemetry")
                .header("origin", "https://bank.example")
                .header("access-control-request-method", "POST")
                .header("access-control-request-headers", "content-type")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(
        resp.headers()["access-control-allow-origin"],
        "https://bank.example"
    );

    let off = TestServer::with(&None, |c| c.limits.telemetry_per_ip_per_hour = 0).await;
    let (st, _) = send_batch(&off, vec![record("card_arrival", "answered")]).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn old_counters_go_with_the_retention_settings() {
    for db in backends() {
        let db = own(db).await;
        let s = TestServer::with(&db, |c| c.retention.insights_days = 30).await;
        let today = assistant_server::insights::today();
        let counts: assistant_server::db::Counts = [
            (
                (
                    today - 31,
                    "card_arrival".to_owned(),
                    "b.route.answered".to_owned(),
                ),
                4,
            ),
            (
                (
                    today - 29,
                    "card_arrival".to_owned(),
                    "b.route.answered".to_owned(),
                ),
                2,
            ),
        ]
        .into_iter()
        .collect();
        s.state.store.add_counts(&counts).await.unwrap();
        assistant_server::jobs::retain(&s.state).await.unwrap();
        let left = s.state.store.counts(today - 400, today).await.unwrap();
        assert_eq!(left.len(), 1, "{left:?}");
        assert_eq!(left.values().sum::<i64>(), 2);
    }
}

/// The cells of the HTML table `id` (header row first), as text.
fn html_table(html: &str, id: &str) -> Vec<Vec<String>> {
    let start = html
        .find(&format!("<table id=\"{id}\">"))
        .unwrap_or_else(|| panic!("no {id}"));
    let table = &html[start..start + html[start..].find("</table>").unwrap()];
    table
        .split("<tr>")
        .skip(1)
        .map(|row| {
            row.split("</t")
                .filter_map(|c| c.rsplit_once('>').map(|(_, text)| text))
                .filter(|c| !c.is_empty() && !c.starts_with('/'))
                .map(|c| {
                    c.replace("&amp;", "&")
                        .replace("&lt;", "<")
                        .replace("&gt;", ">")
                        .replace("&quot;", "\"")
                        .replace("&#39;", "'")
                })
                .collect()
        })
        .collect()
}

async fn get_text(s: &TestServer, path: &str, cookie: Option<&str>) -> (StatusCode, String) {
    let mut b = Request::get(path);
    if let Some(c) = cookie {
        b = b.header("cookie", c);
    }
    let resp = s.send(b.body(Body::empty()).unwrap()).await;
    let status = resp.status();
    use http_body_util::BodyExt;
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8(bytes.to_vec()).unwrap())
}

#[tokio::test]
async fn the_insights_page_is_for_admins_and_its_csv_files_are_its_tables() {
    let s = TestServer::new(&None).await;
    let mut rated = record("card_arrival", "answered");
    rated["rated"] = json!("not_helpful");
    let (st, _) = send_batch(
        &s,
        vec![
            record("card_arrival", "answered"),
            rated,
            record("exchange_rate", "did_you_mean"),
        ],
    )
    .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let conv = s.open().await;
    let (st, _) = s
        .call(
            "POST",
            "/v1/feedback",
            Some(
                json!({"conversation_id": conv, "message_id": id(), "helpful": false,
                        "intent": "card_arrival", "comment": "Wrong or out of date"}),
            ),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);

    // Not signed in: the sign-in form. An agent: refused. An admin's console goes to the insights.
    let (st, html) = get_text(&s, "/admin", None).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    assert!(html.contains("action=\"/agent/login\""), "{html}");
    let li = s.console_login("li").await;
    let (st, _) = get_text(&s, "/admin", Some(&li)).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _) = get_text(&s, "/admin/insights.csv?table=days", Some(&li)).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let ada = s.console_login("ada").await;
    let resp = s
        .send(
            Request::get("/agent")
                .header("cookie", &ada)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(resp.headers()["location"], "/admin");

    let resp = s
        .send(
            Request::get("/admin?days=7")
                .header("cookie", &ada)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let csp = resp.headers()["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("script-src 'self'") && csp.contains("style-src 'self'"));
    assert_eq!(resp.headers()["cache-control"], "no-store");
    let (_, html) = get_text(&s, "/admin?days=7", Some(&ada)).await;
    assert!(
        !html.contains("<script") && !html.contains("style="),
        "no script, no inline style"
    );
    assert!(
        !html.contains("src=\"http") && !html.contains("href=\"http"),
        "nothing from elsewhere"
    );
    assert_eq!(html.matches("<svg").count(), 4, "four charts");
    assert_eq!(html.matches("role=\"img\" aria-labelledby=").count(), 4);

    // The numbers: 3 questions in the browser, 1 settled ("did you mean" is not), one rating.
    let days = html_table(&html, "table-days");
    assert_eq!(days.len(), 8, "a header and seven days");
    assert_eq!(
        days[7][1..],
        ["3", "2", "0", "1", "0", "0", "66.7%"].map(String::from),
        "{days:?}"
    );
    let worst = html_table(&html, "table-worst");
    assert_eq!(
        worst[1],
        ["card_arrival", "1", "1", "100.0%"].map(String::from)
    );
    let reasons = html_table(&html, "table-reasons");
    assert_eq!(
        reasons[1],
        ["Not helpful", "wrong or outdated", "1"].map(String::from)
    );

    // Every table's CSV is that table.
    for name in assistant_server::insights::tables::NAMES {
        let (st, csv) = get_text(
            &s,
            &format!("/admin/insights.csv?table={name}&days=7"),
            Some(&ada),
        )
        .await;
        assert_eq!(st, StatusCode::OK, "{name}");
        let from_csv: Vec<Vec<String>> = csv
            .lines()
            .map(|l| l.split(',').map(str::to_owned).collect())
            .collect();
        let table = html_table(&html, &format!("table-{name}"));
        if table.len() == 2 && table[1].len() == 1 {
            assert_eq!(
                from_csv.len(),
                1,
                "{name}: an empty table, a header-only CSV"
            );
        } else {
            assert_eq!(from_csv, table, "{name}");
        }
        assert!(html.contains(&format!(
            "href=\"/admin/insights.csv?table={name}&amp;days=7\""
        )));
    }
    let (st, _) = get_text(&s, "/admin/insights.csv?table=secrets", Some(&ada)).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
}

#[test]
fn the_dev_configuration_has_a_demo_admin_marked_dev_only() {
    use assistant_server::config::{AccountRole, Config};
    let path = root().join("crates/assistant-server/dev.toml");
    let dev = Config::load(Some(&path)).unwrap();
    let admin = dev.agents.iter().find(|a| a.username == "admin").unwrap();
    assert_eq!(admin.role, AccountRole::Admin);
    assert!(assistant_server::auth::verify_password(
        "admin",
        &admin.password_hash
    ));
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains("DEMO admin account") && text.contains("hash of \"admin\" (DEV ONLY)"));
}

#[tokio::test]
async fn prometheus_sees_how_long_the_longest_waiting_customer_has_waited() {
    for db in backends() {
        let db = own(db).await;
        let s = TestServer::new(&db).await;
        assert!(
            s.metrics()
                .await
                .contains("assistant_queue_oldest_wait_seconds 0\n")
        );
        let c = s.open().await;
        let (st, _) = s
            .call(
                "POST",
                "/v1/handoff",
                Some(json!({"conversation_id": c, "reason": "requested", "locale": "en"})),
                None,
            )
            .await;
        assert_eq!(st, StatusCode::OK);
        let text = s.metrics().await;
        let line = text
            .lines()
            .find(|l| l.starts_with("assistant_queue_oldest_wait_seconds "))
            .unwrap();
        let waited: i64 = line.rsplit(' ').next().unwrap().parse().unwrap();
        assert!(waited >= 0, "{line}");
        assert!(text.contains("# HELP assistant_queue_oldest_wait_seconds"));
    }
}

/// docs/grafana: every metric the dashboard and the alert examples query is one the server exposes, so
/// a renamed metric cannot leave a dashboard silently empty.
#[tokio::test]
async fn the_grafana_dashboard_and_alerts_name_only_metrics_the_server_exposes() {
    let s = TestServer::new(&None).await;
    let _ = s.call("GET", "/v1/hours", None, None).await;
    let exposed = s.metrics().await;
    let dashboard: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("docs/grafana/assistant.json")).unwrap(),
    )
    .unwrap();
    let mut exprs: Vec<String> = dashboard["panels"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["targets"].as_array().unwrap().clone())
        .map(|t| t["expr"].as_str().unwrap().to_owned())
        .collect();
    assert!(exprs.len() >= 10);
    let alerts: Value = serde_yaml_ng::from_str(
        &std::fs::read_to_string(root().join("docs/grafana/alerts.yaml")).unwrap(),
    )
    .unwrap();
    let rules = alerts["groups"][0]["rules"].as_array().unwrap();
    for name in [
        "AssistantHighErrorRate",
        "AssistantQueueWaitLong",
        "AssistantEventStreamsHigh",
    ] {
        assert!(rules.iter().any(|r| r["alert"] == name), "{name}");
    }
    exprs.extend(rules.iter().map(|r| r["expr"].as_str().unwrap().to_owned()));
    for e in &exprs {
        let mut rest = e.as_str();
        while let Some(i) = rest.find("assistant_") {
            let name: String = rest[i..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            // A family is declared (`# TYPE`) under its base name even before its first sample.
            let base = ["_total", "_bucket", "_sum", "_count"]
                .iter()
                .find_map(|suffix| name.strip_suffix(suffix))
                .unwrap_or(&name);
            assert!(
                exposed.contains(&format!("# TYPE {base} ")),
                "{name} (in {e}) is not exposed"
            );
            rest = &rest[i + name.len()..];
        }
    }
}

async fn post_form(s: &TestServer, path: &str, cookie: &str, form: &str) -> StatusCode {
    s.send(
        Request::post(path)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("origin", "http://bank.example")
            .header("host", "bank.example")
            .header("cookie", cookie)
            .body(Body::from(form.to_owned()))
            .unwrap(),
    )
    .await
    .status()
}

/// Issue #17 item 4, the loop: questions the server could not answer → grouped on /admin/unanswered →
/// one group assigned to an intent, one marked a new topic → the exported patch applies to a copy of
/// public/kb → the knowledge base still validates, and the server chatbot built from it (its retrieval
/// indexes the training phrases) now answers the same question with that intent. The browser model's
/// retrain and the browser's answer are in the browser test `tests/e2e/loop.test.mjs`.
#[tokio::test]
async fn unanswered_questions_become_training_phrases_through_a_reviewed_patch() {
    for db in backends() {
        let db = own(db).await;
        let s = TestServer::new(&db).await;
        let chalet = [
            "where can i buy ski chalet vouchers",
            "where can i buy ski chalet vouchers",
            "where can i buy ski chalet vouchers",
            "buy ski chalet vouchers",
        ];
        let pets = ["hamster grooming appointment", "hamster grooming"];
        for q in chalet.iter().chain(&pets) {
            let conv = s.open().await;
            let (st, v) = s
            .call(
                "POST",
                "/v1/chat",
                Some(
                    json!({"conversation_id": conv, "message_id": id(), "text": q, "locale": "en"}),
                ),
                None,
            )
            .await;
            assert_eq!(st, StatusCode::OK);
            assert_eq!(v["source"], "server", "{q} is not answered yet: {v}");
        }
        let ada = s.console_login("ada").await;
        let (st, html) = get_text(&s, "/admin/unanswered", Some(&ada)).await;
        assert_eq!(st, StatusCode::OK);
        let first = html.find("where can i buy ski chalet vouchers").unwrap();
        assert!(first < html.find("hamster").unwrap(), "biggest first");
        assert!(html.contains("Cluster 1: asked 4 times"), "{html}");
        assert!(html.contains("Cluster 2: asked 2 times"));
        assert!(html.contains("Closest intents:"));
        let keys: Vec<&str> = html
            .match_indices("id=\"cluster-")
            .map(|(i, m)| &html[i + m.len()..i + m.len() + 16])
            .collect();
        assert_eq!(keys.len(), 2);

        let li = s.console_login("li").await;
        let decide = "/admin/unanswered/decide";
        let assign = format!("key={}&decision=contact_bank", keys[0]);
        assert_eq!(
            post_form(&s, decide, &li, &assign).await,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            post_form(&s, decide, &ada, &assign).await,
            StatusCode::SEE_OTHER
        );
        let new_topic = format!("key={}&decision=%2Anew_topic", keys[1]);
        assert_eq!(
            post_form(&s, decide, &ada, &new_topic).await,
            StatusCode::SEE_OTHER
        );
        let bad = format!("key={}&decision=not_an_intent", keys[1]);
        assert_eq!(
            post_form(&s, decide, &ada, &bad).await,
            StatusCode::BAD_REQUEST
        );
        let (_, html) = get_text(&s, "/admin/unanswered", Some(&ada)).await;
        assert!(html.contains("training phrases of contact_bank") && html.contains("new topic"));

        let (st, patch) = get_text(&s, "/admin/unanswered/patch", Some(&ada)).await;
        assert_eq!(st, StatusCode::OK);
        assert!(
            patch.contains("+++ b/public/kb/intents/bank_services.toml"),
            "{patch}"
        );
        assert!(patch.contains("+  \"where can i buy ski chalet vouchers\",\n"));
        assert!(patch.contains("+  \"buy ski chalet vouchers\",\n"));
        assert!(
            patch.contains("  - hamster grooming appointment\n"),
            "new topics listed"
        );
        assert!(
            !patch.contains("+  \"hamster"),
            "new topics are not training phrases"
        );

        // Apply it to a copy of the knowledge base, as a reviewer would.
        let copy = tempfile::tempdir().unwrap();
        let kb = copy.path().join("public/kb");
        std::fs::create_dir_all(kb.join("intents")).unwrap();
        for e in std::fs::read_dir(root().join("public/kb/intents")).unwrap() {
            let p = e.unwrap().path();
            std::fs::copy(&p, kb.join("intents").join(p.file_name().unwrap())).unwrap();
        }
        std::fs::copy(
            root().join("public/kb/out_of_scope.toml"),
            kb.join("out_of_scope.toml"),
        )
        .unwrap();
        std::fs::write(copy.path().join("unanswered.patch"), &patch).unwrap();
        let applied = std::process::Command::new("git")
            .args(["apply", "unanswered.patch"])
            .current_dir(copy.path())
            .output()
            .unwrap();
        assert!(
            applied.status.success(),
            "{}",
            String::from_utf8_lossy(&applied.stderr)
        );
        let intents = assistant_server::insights::clusters::load_intents(&kb).expect("still valid");
        let contact = intents.iter().find(|e| e.label == "contact_bank").unwrap();
        assert!(
            contact
                .phrases
                .en
                .iter()
                .any(|p| p == "buy ski chalet vouchers")
        );

        let patched = TestServer::with(&None, |c| c.kb_dir = kb.clone()).await;
        let conv = patched.open().await;
        let (_, v) = patched
        .call(
            "POST",
            "/v1/chat",
            Some(json!({"conversation_id": conv, "message_id": id(), "text": chalet[0], "locale": "en"})),
            None,
        )
        .await;
        assert_eq!(v["source"], "kb", "answered now: {v}");
        assert_eq!(v["intent"], "contact_bank");
    }
}
