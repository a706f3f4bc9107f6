//! `/admin/unanswered`: the unanswered questions as clusters (`clusters`), each with its closest
//! intents and a form to assign it to an intent or mark it a new topic, and the export of the accepted
//! changes as a patch (`/admin/unanswered/patch`). Signed in as on `/admin`; the forms must come from
//! this origin (the session cookie is the credential).

use super::clusters::{self, Cluster, Featuriser, NEW_TOPIC};
use super::page::{admin, page};
use crate::console::esc;
use crate::error::{ApiError, ApiForm, ApiResult};
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE, LOCATION};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use std::collections::BTreeMap;

/// At most this many distinct unanswered questions are clustered.
const QUESTIONS: i64 = 1000;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/unanswered", get(list))
        .route("/admin/unanswered/decide", post(decide))
        .route("/admin/unanswered/patch", get(export))
}

/// The clusters of the stored unanswered questions, with the team's decisions.
pub async fn current(state: &AppState) -> ApiResult<(Vec<Cluster>, Vec<String>)> {
    let (unanswered, _) = state.store.report(QUESTIONS).await?;
    let questions: Vec<(String, i64)> = unanswered
        .into_iter()
        .map(|r| (r.question, r.count))
        .collect();
    let decisions: BTreeMap<String, String> = state.store.decisions().await?.into_iter().collect();
    let intents = clusters::load_intents(&state.config.kb_dir).map_err(|e| {
        tracing::error!(error = %e, "reading the knowledge base for clusters failed");
        ApiError::internal()
    })?;
    let labels = intents.iter().map(|e| e.label.clone()).collect();
    let f = Featuriser::default();
    let centroids = clusters::intent_centroids(&f, &intents);
    Ok((
        clusters::cluster(&f, &questions, &centroids, &decisions),
        labels,
    ))
}

fn decision_words(d: &Option<String>) -> String {
    match d.as_deref() {
        None => "not decided".into(),
        Some(NEW_TOPIC) => "new topic".into(),
        Some(i) => format!("training phrases of {}", esc(i)),
    }
}

async fn list(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    if let Err(p) = admin(&state, &headers).await {
        return Ok(p);
    }
    let (clusters, labels) = current(&state).await?;
    let mut items = String::new();
    for (n, c) in clusters.iter().enumerate() {
        let questions: String = c
            .questions
            .iter()
            .map(|(q, k)| format!("<li><q>{}</q> ({k}×)</li>", esc(q)))
            .collect();
        let closest: String = c
            .closest
            .iter()
            .map(|(l, s)| format!("<li>{} ({:.2})</li>", esc(l), s))
            .collect();
        let options: String = c
            .closest
            .iter()
            .map(|(l, _)| l)
            .chain(
                labels
                    .iter()
                    .filter(|l| !c.closest.iter().any(|(x, _)| x == *l)),
            )
            .map(|l| format!("<option value=\"{0}\">{0}</option>", esc(l)))
            .collect();
        items.push_str(&format!(
            "<li class=\"cluster\" id=\"cluster-{key}\"><h2 id=\"c-{n}\">Cluster {num}: asked {total} times</h2>\
<p>Decision: <strong>{decision}</strong></p><ul>{questions}</ul><p>Closest intents:</p><ol>{closest}</ol>\
<form method=\"post\" action=\"/admin/unanswered/decide\"><input type=\"hidden\" name=\"key\" value=\"{key}\">\
<p><label for=\"intent-{n}\">Assign to intent</label><select id=\"intent-{n}\" name=\"decision\">{options}</select></p>\
<p><button type=\"submit\">Assign cluster {num}</button></p></form>\
<form method=\"post\" action=\"/admin/unanswered/decide\"><input type=\"hidden\" name=\"key\" value=\"{key}\">\
<input type=\"hidden\" name=\"decision\" value=\"{NEW_TOPIC}\"><p><button type=\"submit\">Mark cluster {num} as a new topic</button></p></form></li>",
            key = esc(&c.key),
            num = n + 1,
            total = c.total,
            decision = decision_words(&c.decision),
        ));
    }
    let body = format!(
        "<p><a href=\"/admin\">← Insights</a></p><h1>Unanswered questions</h1>\
<p>Questions the server chatbot could not answer (masked), grouped by similarity, biggest first. Assign a group to an intent to make its questions training phrases, \
then <a href=\"/admin/unanswered/patch\" download=\"unanswered.patch\">download the patch</a> to <code>public/kb/intents/*.toml</code>: review it, apply it, and run <code>cargo xtask train</code>.</p>{list}",
        list = if clusters.is_empty() {
            "<p>No unanswered questions are stored.</p>".to_owned()
        } else {
            format!("<ol class=\"clusters\">{items}</ol>")
        },
    );
    Ok(page("Unanswered questions", &body, StatusCode::OK))
}

#[derive(Deserialize)]
struct DecideForm {
    key: String,
    decision: String,
}

async fn decide(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiForm(f): ApiForm<DecideForm>,
) -> Result<Response, ApiError> {
    let who = match admin(&state, &headers).await {
        Ok(a) => a,
        Err(p) => return Ok(p),
    };
    if !crate::auth::same_origin(&headers) {
        return Err(ApiError::forbidden(
            "Cross-site (or unidentified) form posts are refused.",
        ));
    }
    let (clusters, labels) = current(&state).await?;
    if f.decision != NEW_TOPIC && !labels.contains(&f.decision) {
        return Err(ApiError::bad_request(
            "Not an intent of the knowledge base.",
        ));
    }
    let Some(c) = clusters.iter().find(|c| c.key == f.key) else {
        return Err(ApiError::not_found(
            "That group has changed since the page was loaded; reload it.",
        ));
    };
    let questions: Vec<String> = c.questions.iter().map(|(q, _)| q.clone()).collect();
    state
        .store
        .decide(&questions, &f.decision, &who.username)
        .await?;
    crate::audit::record(
        &state,
        &who.username,
        "cluster_decision",
        None,
        None,
        Some(&f.decision),
    )
    .await;
    Ok((
        StatusCode::SEE_OTHER,
        [(LOCATION, "/admin/unanswered".to_owned())],
    )
        .into_response())
}

async fn export(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    if let Err(p) = admin(&state, &headers).await {
        return Ok(p);
    }
    let kb = &state.config.kb_dir;
    let intents = clusters::load_intents(kb).map_err(|_| ApiError::internal())?;
    let decisions = state.store.decisions().await?;
    let patch = clusters::patch(&kb.join("intents"), &intents, &decisions)
        .map_err(|_| ApiError::internal())?;
    Ok((
        [
            (CONTENT_TYPE, "text/x-diff; charset=utf-8"),
            (CACHE_CONTROL, "no-store"),
            (
                CONTENT_DISPOSITION,
                "attachment; filename=\"unanswered.patch\"",
            ),
        ],
        patch,
    )
        .into_response())
}
