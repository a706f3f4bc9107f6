//! The agents' JSON API: sign in and out, the queue (paged), a conversation's transcript and live
//! events, take, reply, typing, close, re-queue, and messages left. Every handler but sign-in takes an
//! `Agent` (a session), so none is reachable anonymously; admins are refused here. Responses are never
//! cached (`no-store`).

use crate::auth::{self, Agent};
use crate::client::ClientIp;
use crate::conversations::{self, log_id};
use crate::error::{ApiError, ApiJson, ApiPath, ApiQuery, ApiResult, check_id};
use crate::state::AppState;
use crate::stream::{last_event_id, stream};
use assistant_core::api::{
    Accepted, AgentReply, AgentTyping, ConversationView, LeftMessage, LoginRequest, LoginResponse,
    QueueItem, QueueResponse,
};
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use futures_util::Stream;
use serde::Deserialize;
use std::convert::Infallible;
use std::net::IpAddr;
use std::time::Duration;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/agent/login", post(login))
        .route("/v1/agent/logout", post(logout))
        .route("/v1/agent/queue", get(queue))
        .route("/v1/agent/left-messages", get(left_messages))
        .route(
            "/v1/agent/left-messages/{conversation}/{message}/handled",
            post(left_message_handled),
        )
        .route("/v1/agent/conversations/{id}", get(conversation))
        .route("/v1/agent/conversations/{id}/events", get(events))
        .route("/v1/agent/conversations/{id}/take", post(take))
        .route("/v1/agent/conversations/{id}/reply", post(reply))
        .route("/v1/agent/conversations/{id}/typing", post(typing))
        .route("/v1/agent/conversations/{id}/close", post(close))
        .route("/v1/agent/conversations/{id}/requeue", post(requeue))
        .layer(super::no_store())
}

async fn login(
    State(state): State<AppState>,
    ip: ClientIp,
    ApiJson(req): ApiJson<LoginRequest>,
) -> ApiResult<Response> {
    let (token, agent_name) = auth::sign_in(&state, &req.username, &req.password, ip.0).await?;
    let mut headers = HeaderMap::new();
    headers.insert(
        SET_COOKIE,
        auth::cookie_header(&state, &token, state.config.handoff.session_ttl_s),
    );
    Ok((headers, Json(LoginResponse { token, agent_name })).into_response())
}

async fn logout(State(state): State<AppState>, agent: Agent, ip: ClientIp) -> ApiResult<Response> {
    auth::sign_out(&state, &agent, ip.0).await?;
    let mut headers = HeaderMap::new();
    headers.insert(SET_COOKIE, auth::cookie_header(&state, "", 0));
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
        .into_iter()
        .map(|(h, first)| QueueItem {
            first_message: first
                .as_deref()
                .map(conversations::preview)
                .filter(|p| !p.is_empty()),
            ..h.item()
        })
        .collect();
    let total = state.store.open_count().await?;
    Ok(QueueResponse {
        next_page: (offset + size < total).then_some(page + 1),
        items,
        total,
    })
}

async fn queue(
    State(state): State<AppState>,
    agent: Agent,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<QueueResponse>> {
    agent.may_handle_conversations()?;
    Ok(Json(queue_page(&state, q.page.unwrap_or(1)).await?))
}

#[derive(Debug, Deserialize)]
struct LeftQuery {
    page: Option<u32>,
    /// `true` lists the handled ones instead.
    handled: Option<bool>,
}

async fn left_messages(
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

/// Marks a left message handled (audited).
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
    crate::audit::record(
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

async fn left_message_handled(
    State(state): State<AppState>,
    agent: Agent,
    ip: ClientIp,
    ApiPath((c, m)): ApiPath<(String, String)>,
) -> ApiResult<StatusCode> {
    mark_left_handled(&state, &agent, &c, &m, ip.0).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn conversation(
    State(state): State<AppState>,
    agent: Agent,
    ip: ClientIp,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<ConversationView>> {
    Ok(Json(
        conversations::view(&state, &agent, &id, ip.0).await?.1,
    ))
}

async fn take(
    State(state): State<AppState>,
    agent: Agent,
    ip: ClientIp,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<StatusCode> {
    conversations::take(&state, &agent, &id, ip.0).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn reply(
    State(state): State<AppState>,
    agent: Agent,
    ip: ClientIp,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<AgentReply>,
) -> ApiResult<(StatusCode, Json<Accepted>)> {
    let event_id = conversations::post_agent(&state, &agent, &id, &req.text, ip.0).await?;
    Ok((StatusCode::ACCEPTED, Json(Accepted { event_id })))
}

async fn typing(
    State(state): State<AppState>,
    agent: Agent,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<AgentTyping>,
) -> ApiResult<StatusCode> {
    conversations::typing(&state, &agent, &id, req.typing).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn close(
    State(state): State<AppState>,
    agent: Agent,
    ip: ClientIp,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<StatusCode> {
    conversations::close(&state, &agent, &id, ip.0).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn requeue(
    State(state): State<AppState>,
    agent: Agent,
    ip: ClientIp,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<StatusCode> {
    conversations::requeue(&state, &agent, &id, ip.0).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize)]
struct EventsQuery {
    last_event_id: Option<i64>,
}

/// The conversation's live stream for a signed-in agent (the console's live transcript).
async fn events(
    agent: Agent,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<EventsQuery>,
    headers: HeaderMap,
) -> ApiResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    agent.may_handle_conversations()?;
    check_id("conversation id", &id)?;
    let last = last_event_id(&headers, q.last_event_id)?;
    if state.store.handoff(&id).await?.is_none() {
        return Err(ApiError::not_found("No hand-off for this conversation."));
    }
    Ok(Sse::new(stream(state, id, last, false, None))
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}
