//! The agents' JSON API: sign in and out, the queue (paged), a conversation's transcript, take, reply,
//! typing, close, re-queue, and messages left. Every handler takes an `Agent` extractor, so none is
//! reachable anonymously; admins are refused here (`Agent::may_handle_conversations`). Each action is
//! written to the audit trail (`audit`) with the agent, the conversation's log id and the address —
//! never the message text.

use crate::audit;
use crate::auth::{self, Agent};
use crate::bus::Note;
use crate::client::ClientIp;
use crate::config::AccountRole;
use crate::conversations::log_id;
use crate::db::{now_ms, rfc3339};
use crate::error::{ApiError, ApiJson, ApiPath, ApiQuery, ApiResult, check_id, check_text};
use crate::handoff::record_status_by;
use crate::state::AppState;
use assistant_core::api::{
    Accepted, AgentReply, AgentTyping, ConversationEvent, ConversationView, HandoffState,
    LeftMessage, LoginRequest, LoginResponse, QueueResponse, Role,
};
use assistant_core::pii;
use axum::Json;
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::net::IpAddr;

/// A username as it may appear in logs: masked if it looks like personal data (someone typing their
/// e-mail or phone into the username box), and cut short.
pub fn loggable_username(username: &str) -> String {
    pii::mask(username).text.chars().take(64).collect()
}

/// Signs in; returns the session token (also as a cookie) and the display name. Throttled per username
/// and address; password checks are capped (see `throttle`).
pub async fn sign_in(
    state: &AppState,
    username: &str,
    password: &str,
    ip: IpAddr,
) -> ApiResult<(String, String)> {
    let shown = loggable_username(username);
    if let Err(e) = state.login.check(username, ip) {
        tracing::warn!(username = %shown, %ip, "sign-in refused: locked out");
        audit::record(
            state,
            "-",
            "sign_in_locked_out",
            None,
            Some(ip),
            Some(&shown),
        )
        .await;
        return Err(e);
    }
    let refused = || {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Wrong username or password.",
        )
    };
    if username.len() > 100 || password.len() > 200 || username.contains('\0') {
        state.login.failed(username, ip);
        return Err(refused());
    }
    let permit = state.login.permit()?;
    let (s, u, p) = (state.clone(), username.to_owned(), password.to_owned());
    // argon2 is deliberately slow: keep it off the async workers.
    let account = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        auth::check_login(&s, &u, &p)
    })
    .await
    .map_err(|_| ApiError::internal())?;
    let Some(account) = account else {
        state.login.failed(username, ip);
        tracing::warn!(username = %shown, %ip, "sign-in refused: wrong username or password");
        audit::record(state, "-", "sign_in_refused", None, Some(ip), Some(&shown)).await;
        return Err(refused());
    };
    state.login.succeeded(username);
    let token = auth::new_token();
    state
        .store
        .create_session(
            &auth::sha256_hex(&token),
            &account.username,
            state.config.handoff.session_ttl_s,
        )
        .await?;
    tracing::info!(agent = %account.username, %ip, "signed in");
    audit::record(state, &account.username, "sign_in", None, Some(ip), None).await;
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
    ip: ClientIp,
    ApiJson(req): ApiJson<LoginRequest>,
) -> ApiResult<Response> {
    let (token, agent_name) = sign_in(&state, &req.username, &req.password, ip.0).await?;
    let mut headers = HeaderMap::new();
    headers.insert(
        SET_COOKIE,
        cookie_header(&state, &token, state.config.handoff.session_ttl_s),
    );
    Ok((headers, Json(LoginResponse { token, agent_name })).into_response())
}

pub async fn sign_out(state: &AppState, agent: &Agent, ip: IpAddr) -> ApiResult<()> {
    state
        .store
        .delete_session(&auth::sha256_hex(&agent.token))
        .await?;
    audit::record(state, &agent.username, "sign_out", None, Some(ip), None).await;
    Ok(())
}

pub async fn logout(
    State(state): State<AppState>,
    agent: Agent,
    ip: ClientIp,
) -> ApiResult<Response> {
    sign_out(&state, &agent, ip.0).await?;
    let mut headers = HeaderMap::new();
    headers.insert(SET_COOKIE, cookie_header(&state, "", 0));
    Ok((StatusCode::NO_CONTENT, headers).into_response())
}

#[derive(Debug, Deserialize)]
pub struct PageQuery {
    pub page: Option<u32>,
}

/// One page of the queue (pages count from 1).
pub async fn queue_page(state: &AppState, page: u32) -> ApiResult<QueueResponse> {
    let size = i64::from(state.config.handoff.queue_page_size.max(1));
    let page = page.max(1);
    let offset = i64::from(page - 1) * size;
    let items: Vec<_> = state
        .store
        .open_handoffs(size, offset)
        .await?
        .iter()
        .map(|h| h.item())
        .collect();
    let total = state.store.open_count().await?;
    Ok(QueueResponse {
        next_page: (offset + size < total).then_some(page + 1),
        items,
        total,
    })
}

pub async fn queue(
    State(state): State<AppState>,
    agent: Agent,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<QueueResponse>> {
    agent.may_handle_conversations()?;
    Ok(Json(queue_page(&state, q.page.unwrap_or(1)).await?))
}

#[derive(Debug, Deserialize)]
pub struct LeftQuery {
    pub page: Option<u32>,
    /// `true` lists the handled ones instead.
    pub handled: Option<bool>,
}

pub async fn left_messages(
    State(state): State<AppState>,
    agent: Agent,
    ApiQuery(q): ApiQuery<LeftQuery>,
) -> ApiResult<Json<Vec<LeftMessage>>> {
    agent.may_handle_conversations()?;
    let size = 100;
    let offset = i64::from(q.page.unwrap_or(1).max(1) - 1) * size;
    Ok(Json(
        state
            .store
            .left_messages(q.handled.unwrap_or(false), size, offset)
            .await?,
    ))
}

/// Marks a left message handled.
pub async fn mark_left_handled(
    state: &AppState,
    agent: &Agent,
    conversation_id: &str,
    message_id: &str,
    ip: IpAddr,
) -> ApiResult<()> {
    agent.may_handle_conversations()?;
    check_id("conversation id", conversation_id)?;
    check_id("message id", message_id)?;
    if !state
        .store
        .left_message_handled(conversation_id, message_id, &agent.username)
        .await?
    {
        return Err(ApiError::not_found("No such message."));
    }
    let h = log_id(conversation_id);
    audit::record(
        state,
        &agent.username,
        "left_message_handled",
        Some(&h),
        Some(ip),
        None,
    )
    .await;
    Ok(())
}

pub async fn left_message_handled(
    State(state): State<AppState>,
    agent: Agent,
    ip: ClientIp,
    ApiPath((c, m)): ApiPath<(String, String)>,
) -> ApiResult<StatusCode> {
    mark_left_handled(&state, &agent, &c, &m, ip.0).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn found(state: &AppState, id: &str) -> ApiResult<crate::db::Handoff> {
    check_id("conversation id", id)?;
    state
        .store
        .handoff(id)
        .await?
        .ok_or_else(|| ApiError::not_found("No hand-off for this conversation."))
}

/// A conversation's transcript for an agent (audited as a view).
pub async fn view_conversation(
    state: &AppState,
    agent: &Agent,
    id: &str,
    ip: IpAddr,
) -> ApiResult<(crate::db::Handoff, ConversationView)> {
    agent.may_handle_conversations()?;
    let h = found(state, id).await?;
    let view = ConversationView {
        item: h.item(),
        transcript: state.store.transcript(id).await?,
    };
    audit::record(
        state,
        &agent.username,
        "view",
        Some(&log_id(id)),
        Some(ip),
        None,
    )
    .await;
    Ok((h, view))
}

pub async fn conversation(
    State(state): State<AppState>,
    agent: Agent,
    ip: ClientIp,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<ConversationView>> {
    Ok(Json(view_conversation(&state, &agent, &id, ip.0).await?.1))
}

pub async fn take_conversation(
    state: &AppState,
    agent: &Agent,
    id: &str,
    ip: IpAddr,
) -> ApiResult<()> {
    agent.may_handle_conversations()?;
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
    record_status_by(
        state,
        id,
        HandoffState::Active,
        Some(agent.display_name.clone()),
        Some(&agent.username),
    )
    .await?;
    let h = log_id(id);
    tracing::info!(conversation = %h, agent = %agent.username, "taken");
    audit::record(state, &agent.username, "take", Some(&h), Some(ip), None).await;
    Ok(())
}

pub async fn take(
    State(state): State<AppState>,
    agent: Agent,
    ip: ClientIp,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<StatusCode> {
    take_conversation(&state, &agent, &id, ip.0).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The conversation is active and held by `agent` (or, with `supervisor_too`, the agent is a
/// supervisor).
async fn held(
    state: &AppState,
    agent: &Agent,
    id: &str,
    supervisor_too: bool,
) -> ApiResult<crate::db::Handoff> {
    agent.may_handle_conversations()?;
    let h = found(state, id).await?;
    let mine = h.state == HandoffState::Active && h.agent.as_deref() == Some(&agent.username);
    if mine || (supervisor_too && agent.role == AccountRole::Supervisor) {
        return Ok(h);
    }
    Err(ApiError::conflict(
        "Take the conversation first: only the agent who holds it (or a supervisor) may do this.",
    ))
}

pub async fn send_reply(
    state: &AppState,
    agent: &Agent,
    id: &str,
    text: &str,
    ip: IpAddr,
) -> ApiResult<i64> {
    check_text("text", text)?;
    held(state, agent, id, false).await?;
    let text = pii::mask(text).text;
    let data = serde_json::to_string(&ConversationEvent::Message {
        role: Role::Agent,
        text,
        at: rfc3339(now_ms()),
        agent_name: Some(agent.display_name.clone()),
    })
    .map_err(|_| ApiError::internal())?;
    let (event_id, _) = state
        .store
        .insert_event(
            id,
            "message",
            Some(Role::Agent),
            &data,
            None,
            Some(&agent.username),
        )
        .await?;
    state
        .bus
        .publish(Note::Typing {
            c: id.to_owned(),
            typing: false,
        })
        .await;
    state.bus.publish(Note::Events { c: id.to_owned() }).await;
    audit::record(
        state,
        &agent.username,
        "reply",
        Some(&log_id(id)),
        Some(ip),
        None,
    )
    .await;
    Ok(event_id)
}

pub async fn reply(
    State(state): State<AppState>,
    agent: Agent,
    ip: ClientIp,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<AgentReply>,
) -> ApiResult<(StatusCode, Json<Accepted>)> {
    let event_id = send_reply(&state, &agent, &id, &req.text, ip.0).await?;
    Ok((StatusCode::ACCEPTED, Json(Accepted { event_id })))
}

pub async fn typing(
    State(state): State<AppState>,
    agent: Agent,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<AgentTyping>,
) -> ApiResult<StatusCode> {
    held(&state, &agent, &id, false).await?;
    state
        .bus
        .publish(Note::Typing {
            c: id,
            typing: req.typing,
        })
        .await;
    Ok(StatusCode::NO_CONTENT)
}

/// Closes a conversation: its agent may; a supervisor may close any, waiting ones included.
pub async fn close_conversation(
    state: &AppState,
    agent: &Agent,
    id: &str,
    ip: IpAddr,
) -> ApiResult<()> {
    held(state, agent, id, true).await?;
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
        record_status_by(state, id, HandoffState::Closed, None, Some(&agent.username)).await?;
        let h = log_id(id);
        tracing::info!(conversation = %h, agent = %agent.username, "closed");
        audit::record(state, &agent.username, "close", Some(&h), Some(ip), None).await;
    }
    Ok(())
}

pub async fn close(
    State(state): State<AppState>,
    agent: Agent,
    ip: ClientIp,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<StatusCode> {
    close_conversation(&state, &agent, &id, ip.0).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Puts an active conversation back in the queue for someone else (its agent, or a supervisor).
pub async fn requeue_conversation(
    state: &AppState,
    agent: &Agent,
    id: &str,
    ip: IpAddr,
) -> ApiResult<()> {
    held(state, agent, id, true).await?;
    if state
        .store
        .transition(id, &[HandoffState::Active], HandoffState::Queued, None)
        .await?
    {
        record_status_by(state, id, HandoffState::Queued, None, Some(&agent.username)).await?;
        audit::record(
            state,
            &agent.username,
            "requeue",
            Some(&log_id(id)),
            Some(ip),
            None,
        )
        .await;
    }
    Ok(())
}

pub async fn requeue(
    State(state): State<AppState>,
    agent: Agent,
    ip: ClientIp,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<StatusCode> {
    requeue_conversation(&state, &agent, &id, ip.0).await?;
    Ok(StatusCode::NO_CONTENT)
}
