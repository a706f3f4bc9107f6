//! The agents' JSON API (sign in, queue, take, reply, typing, close, left messages) and the admin's
//! improvement report. Every handler here takes an `Agent` or `Admin` extractor, so none is reachable
//! anonymously. Feedback (customer side) lives here too because it feeds the report.

use crate::app::AppState;
use crate::auth::{self, Admin, Agent};
use crate::bus::Note;
use crate::db::{now_ms, rfc3339};
use crate::error::{ApiError, ApiJson, ApiQuery, ApiResult, check_id, check_text};
use crate::handoff::record_status;
use assistant_core::api::{
    Accepted, AgentReply, AgentTyping, ConversationEvent, ConversationView, FeedbackRequest,
    HandoffState, LeftMessage, LoginRequest, LoginResponse, QueueResponse, ReportResponse, Role,
};
use assistant_core::pii;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

/// Signs in; returns the session token (also as a cookie).
pub async fn sign_in(
    state: &AppState,
    username: &str,
    password: &str,
) -> ApiResult<(String, String)> {
    if username.len() > 100 || password.len() > 200 {
        return Err(ApiError::unauthorized());
    }
    let (s, u, p) = (state.clone(), username.to_owned(), password.to_owned());
    // argon2 is deliberately slow: keep it off the async workers.
    let account = tokio::task::spawn_blocking(move || auth::check_login(&s, &u, &p))
        .await
        .map_err(|_| ApiError::internal())?;
    let Some(account) = account else {
        tracing::info!("agent sign-in refused");
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Wrong username or password.",
        ));
    };
    let token = auth::new_token();
    state
        .store
        .create_session(
            &auth::sha256_hex(&token),
            &account.username,
            state.config.handoff.session_ttl_s,
        )
        .await?;
    tracing::info!(agent = %account.username, "agent signed in");
    Ok((token, account.display_name))
}

pub fn cookie_header(state: &AppState, token: &str, max_age: i64) -> HeaderValue {
    HeaderValue::from_str(&auth::session_cookie(
        token,
        state.config.security.secure_cookies,
        max_age,
    ))
    .unwrap_or(HeaderValue::from_static(""))
}

pub async fn login(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<LoginRequest>,
) -> ApiResult<Response> {
    let (token, agent_name) = sign_in(&state, &req.username, &req.password).await?;
    let mut headers = HeaderMap::new();
    headers.insert(
        SET_COOKIE,
        cookie_header(&state, &token, state.config.handoff.session_ttl_s),
    );
    Ok((headers, Json(LoginResponse { token, agent_name })).into_response())
}

pub async fn logout(State(state): State<AppState>, agent: Agent) -> ApiResult<Response> {
    state
        .store
        .delete_session(&auth::sha256_hex(&agent.token))
        .await?;
    let mut headers = HeaderMap::new();
    headers.insert(SET_COOKIE, cookie_header(&state, "", 0));
    Ok((StatusCode::NO_CONTENT, headers).into_response())
}

pub async fn queue(State(state): State<AppState>, _agent: Agent) -> ApiResult<Json<QueueResponse>> {
    let items = state
        .store
        .open_handoffs()
        .await?
        .iter()
        .map(|h| h.item())
        .collect();
    Ok(Json(QueueResponse { items }))
}

pub async fn left_messages(
    State(state): State<AppState>,
    _agent: Agent,
) -> ApiResult<Json<Vec<LeftMessage>>> {
    Ok(Json(state.store.left_messages().await?))
}

async fn found(state: &AppState, id: &str) -> ApiResult<crate::db::Handoff> {
    check_id("conversation id", id)?;
    state
        .store
        .handoff(id)
        .await?
        .ok_or_else(|| ApiError::not_found("No hand-off for this conversation."))
}

pub async fn conversation(
    State(state): State<AppState>,
    _agent: Agent,
    Path(id): Path<String>,
) -> ApiResult<Json<ConversationView>> {
    let h = found(&state, &id).await?;
    Ok(Json(ConversationView {
        item: h.item(),
        transcript: state.store.transcript(&id).await?,
    }))
}

pub async fn take_conversation(state: &AppState, agent: &Agent, id: &str) -> ApiResult<()> {
    let h = found(state, id).await?;
    if h.state == HandoffState::Active && h.agent.as_deref() == Some(&agent.username) {
        return Ok(());
    }
    let taken = state
        .store
        .transition(
            id,
            &[HandoffState::Queued],
            HandoffState::Active,
            Some((&agent.username, &agent.display_name)),
        )
        .await?;
    if !taken {
        return Err(ApiError::conflict(
            "This conversation is not waiting any more.",
        ));
    }
    record_status(
        state,
        id,
        HandoffState::Active,
        Some(agent.display_name.clone()),
    )
    .await?;
    tracing::info!(conversation = %id, agent = %agent.username, "taken");
    Ok(())
}

pub async fn take(
    State(state): State<AppState>,
    agent: Agent,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    take_conversation(&state, &agent, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn mine(state: &AppState, agent: &Agent, id: &str) -> ApiResult<()> {
    let h = found(state, id).await?;
    if h.state != HandoffState::Active || h.agent.as_deref() != Some(&agent.username) {
        return Err(ApiError::conflict("Take the conversation first."));
    }
    Ok(())
}

pub async fn send_reply(state: &AppState, agent: &Agent, id: &str, text: &str) -> ApiResult<i64> {
    check_text("text", text)?;
    mine(state, agent, id).await?;
    let text = pii::mask(text).text;
    let data = serde_json::to_string(&ConversationEvent::Message {
        role: Role::Agent,
        text,
        at: rfc3339(now_ms()),
    })
    .map_err(|_| ApiError::internal())?;
    let (event_id, _) = state
        .store
        .insert_event(id, "message", Some(Role::Agent), &data, None)
        .await?;
    state
        .bus
        .publish(Note::Typing {
            c: id.to_owned(),
            typing: false,
        })
        .await;
    state.bus.publish(Note::Events { c: id.to_owned() }).await;
    Ok(event_id)
}

pub async fn reply(
    State(state): State<AppState>,
    agent: Agent,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<AgentReply>,
) -> ApiResult<(StatusCode, Json<Accepted>)> {
    let event_id = send_reply(&state, &agent, &id, &req.text).await?;
    Ok((StatusCode::ACCEPTED, Json(Accepted { event_id })))
}

pub async fn typing(
    State(state): State<AppState>,
    agent: Agent,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<AgentTyping>,
) -> ApiResult<StatusCode> {
    mine(&state, &agent, &id).await?;
    state
        .bus
        .publish(Note::Typing {
            c: id,
            typing: req.typing,
        })
        .await;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn close_conversation(state: &AppState, agent: &Agent, id: &str) -> ApiResult<()> {
    found(state, id).await?;
    if state
        .store
        .transition(
            id,
            &[HandoffState::Queued, HandoffState::Active],
            HandoffState::Closed,
            None,
        )
        .await?
    {
        record_status(state, id, HandoffState::Closed, None).await?;
        tracing::info!(conversation = %id, agent = %agent.username, "closed");
    }
    Ok(())
}

pub async fn close(
    State(state): State<AppState>,
    agent: Agent,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    close_conversation(&state, &agent, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn feedback(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<FeedbackRequest>,
) -> ApiResult<StatusCode> {
    check_id("message_id", &req.message_id)?;
    if let Some(c) = &req.conversation_id {
        check_id("conversation_id", c)?;
    }
    for (what, v, max) in [
        ("comment", &req.comment, 2000),
        ("question", &req.question, 2000),
        ("intent", &req.intent, 64),
    ] {
        if v.as_ref().is_some_and(|s| s.chars().count() > max) {
            return Err(ApiError::bad_request(format!(
                "{what} is longer than {max} characters."
            )));
        }
    }
    // The server's own answers: the question as stored; the browser's: the masked question it sent.
    let (question, intent) = match state.store.reply_question(&req.message_id).await? {
        Some((q, i)) => (Some(q), i),
        None => (
            req.question
                .as_deref()
                .map(|q| state.index.normalize(&pii::mask(q).text)),
            req.intent.clone(),
        ),
    };
    let comment = req.comment.as_deref().map(|c| pii::mask(c).text);
    state
        .store
        .upsert_feedback(
            &req.message_id,
            req.conversation_id.as_deref(),
            req.helpful,
            comment.as_deref(),
            question.as_deref(),
            intent.as_deref(),
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize)]
pub struct ReportQuery {
    pub limit: Option<i64>,
}

pub async fn report(
    State(state): State<AppState>,
    _admin: Admin,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> ApiResult<Json<ReportResponse>> {
    let limit = q.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::bad_request("limit must be between 1 and 1000."));
    }
    let (unanswered, unhelpful) = state.store.report(limit).await?;
    Ok(Json(ReportResponse {
        unanswered,
        unhelpful,
    }))
}
