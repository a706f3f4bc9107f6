//! What the customer's browser calls: open a conversation, ask the server chatbot, hand off, cancel,
//! send messages to a person, follow the live events, leave a message, rate an answer, opening hours.
//! Every call about a conversation carries its secret (`conversations::access`); the event stream, which
//! `EventSource` opens without headers, a stream token.

use crate::client::ClientIp;
use crate::conversations::access::{self, stream_token_valid, unix_now};
use crate::conversations::{self, Secret, authorize, log_id};
use crate::error::{
    ApiError, ApiJson, ApiPath, ApiQuery, ApiResult, check_chars, check_id, check_text,
};
use crate::state::AppState;
use crate::stream::{last_event_id, stream};
use assistant_core::api::{
    Accepted, CancelHandoffRequest, ChatRequest, ChatResponse, ConversationOpened, CustomerMessage,
    FeedbackRequest, HandoffRequest, HandoffResponse, HoursResponse, LeaveMessageRequest,
    OpenConversation, StreamToken,
};
use assistant_core::pii;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::routing::{get, post};
use axum::{Json, Router};
use futures_util::Stream;
use serde::Deserialize;
use std::convert::Infallible;
use std::time::Duration;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/conversations", post(open))
        .route("/v1/conversations/{id}/stream-token", post(stream_token))
        .route("/v1/conversations/{id}/messages", post(customer_message))
        .route("/v1/conversations/{id}/events", get(events))
        .route("/v1/chat", post(chat))
        .route("/v1/handoff", post(handoff))
        .route("/v1/handoff/cancel", post(cancel))
        .route("/v1/leave-message", post(leave_message))
        .route("/v1/feedback", post(feedback))
        .route("/v1/hours", get(hours))
        .route("/v1/telemetry", post(telemetry))
}

/// Counts of in-browser outcomes (no text; `insights::ingest`). Limited per address; a server that
/// takes none (`limits.telemetry_per_ip_per_hour = 0`) says so with 403, which the widget ignores.
async fn telemetry(
    State(state): State<AppState>,
    ip: ClientIp,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> ApiResult<StatusCode> {
    match state.limits.telemetry(ip.0) {
        None => {
            return Err(ApiError::forbidden("This server does not take telemetry."));
        }
        Some(limit) => limit?,
    }
    let content_type = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    crate::insights::ingest(&state, content_type, &body).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn open(
    State(state): State<AppState>,
    ip: ClientIp,
    ApiJson(req): ApiJson<OpenConversation>,
) -> ApiResult<(StatusCode, Json<ConversationOpened>)> {
    let opened = access::open(&state, ip.0, req).await?;
    Ok((StatusCode::CREATED, Json(opened)))
}

async fn stream_token(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    secret: Secret,
) -> ApiResult<Json<StreamToken>> {
    Ok(Json(access::stream_token(&state, &id, &secret).await?))
}

async fn chat(
    State(state): State<AppState>,
    secret: Secret,
    ApiJson(req): ApiJson<ChatRequest>,
) -> ApiResult<Json<ChatResponse>> {
    authorize(&state, &req.conversation_id, &secret).await?;
    Ok(Json(crate::chat::respond(&state, &req).await?))
}

async fn handoff(
    State(state): State<AppState>,
    ip: ClientIp,
    secret: Secret,
    ApiJson(req): ApiJson<HandoffRequest>,
) -> ApiResult<Json<HandoffResponse>> {
    authorize(&state, &req.conversation_id, &secret).await?;
    Ok(Json(conversations::hand_off(&state, ip.0, &req).await?))
}

async fn cancel(
    State(state): State<AppState>,
    secret: Secret,
    ApiJson(req): ApiJson<CancelHandoffRequest>,
) -> ApiResult<StatusCode> {
    authorize(&state, &req.conversation_id, &secret).await?;
    conversations::cancel(&state, &req.conversation_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn customer_message(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    secret: Secret,
    ApiJson(req): ApiJson<CustomerMessage>,
) -> ApiResult<(StatusCode, Json<Accepted>)> {
    authorize(&state, &id, &secret).await?;
    let event_id = conversations::post_customer(&state, &id, &req.message_id, &req.text).await?;
    Ok((StatusCode::ACCEPTED, Json(Accepted { event_id })))
}

async fn leave_message(
    State(state): State<AppState>,
    ip: ClientIp,
    secret: Secret,
    ApiJson(req): ApiJson<LeaveMessageRequest>,
) -> ApiResult<(StatusCode, Json<Accepted>)> {
    authorize(&state, &req.conversation_id, &secret).await?;
    check_id("message_id", &req.message_id)?;
    check_text("text", &req.text)?;
    state.limits.leave_message(ip.0, &req.conversation_id)?;
    let text = pii::mask(&req.text).text;
    state
        .store
        .leave_message(&req.conversation_id, &req.message_id, &text, req.locale)
        .await?;
    tracing::info!(conversation = %log_id(&req.conversation_id), "message left");
    Ok((StatusCode::ACCEPTED, Json(Accepted { event_id: 0 })))
}

async fn hours(State(state): State<AppState>) -> Json<HoursResponse> {
    let h = &state.config.hours;
    let now = chrono::Utc::now();
    Json(HoursResponse {
        open: h.is_open(now),
        next_open: h.next_open(now).map(|t| t.to_rfc3339()),
        description: h.description(),
    })
}

/// Helpful / not helpful on one answer. Feedback is keyed by (conversation, message) and the call
/// carries the conversation's secret, so nobody else can rate — or overwrite the rating of — someone's
/// answer by knowing its message id. Everything stored is masked.
async fn feedback(
    State(state): State<AppState>,
    secret: Secret,
    ApiJson(req): ApiJson<FeedbackRequest>,
) -> ApiResult<StatusCode> {
    authorize(&state, &req.conversation_id, &secret).await?;
    check_id("message_id", &req.message_id)?;
    for (what, v, max) in [
        ("comment", &req.comment, 2000),
        ("question", &req.question, 2000),
        ("intent", &req.intent, 64),
    ] {
        if let Some(v) = v {
            if v.chars().count() > max {
                return Err(ApiError::bad_request(format!(
                    "{what} is longer than {max} characters."
                )));
            }
            check_chars(what, v)?;
        }
    }
    // The server's own answers: the question as stored; the browser's: the masked question it sent.
    let (question, intent) = match state
        .store
        .reply_question(&req.conversation_id, &req.message_id)
        .await?
    {
        Some((q, i)) => (Some(q), i),
        None => (
            req.question
                .as_deref()
                .map(|q| state.index.normalize(&pii::mask(q).text)),
            // An intent is a label, but it is client text all the same: masked like the rest.
            req.intent.as_deref().map(|i| pii::mask(i).text),
        ),
    };
    let comment = req.comment.as_deref().map(|c| pii::mask(c).text);
    state
        .store
        .upsert_feedback(
            &req.message_id,
            &req.conversation_id,
            req.helpful,
            comment.as_deref(),
            question.as_deref(),
            intent.as_deref(),
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize)]
struct EventsQuery {
    last_event_id: Option<i64>,
    token: Option<String>,
}

/// The customer's stream: opened with a stream token, capped per conversation and per address.
async fn events(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ip: ClientIp,
    ApiQuery(q): ApiQuery<EventsQuery>,
    headers: HeaderMap,
) -> ApiResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    check_id("conversation id", &id)?;
    let valid = q
        .token
        .as_deref()
        .is_some_and(|t| stream_token_valid(&state.stream_key, &id, t, unix_now()));
    if !valid {
        return Err(access::unknown());
    }
    let last = last_event_id(&headers, q.last_event_id)?;
    if state.store.handoff(&id).await?.is_none() {
        return Err(ApiError::not_found("No hand-off for this conversation."));
    }
    let slot = state.limits.stream(ip.0, &id)?;
    state.store.customer_seen(&id).await?;
    Ok(Sse::new(stream(state, id, last, true, Some(slot)))
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}
