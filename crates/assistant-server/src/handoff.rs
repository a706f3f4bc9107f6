//! The customer's side of a hand-off to a person: joining the queue, cancelling, messages while with
//! an agent, leaving a message, opening hours, and the live event stream (SSE) that carries queue
//! position, agent typing and agent messages. Stored events have database ids, so a reconnecting
//! stream resumes exactly after `Last-Event-ID`.
//!
//! Every call here carries the conversation's secret (see `conversations`); the stream, which
//! `EventSource` opens without headers, a stream token. Hand-offs and left messages are limited per
//! address and per conversation (`limits`), and event streams are capped per conversation and address.

use crate::bus::Note;
use crate::client::ClientIp;
use crate::conversations::{Secret, authorize, log_id, stream_token_valid, unix_now};
use crate::db::{Handoff, now_ms, rfc3339};
use crate::error::{ApiError, ApiJson, ApiPath, ApiResult, check_id, check_text};
use crate::state::AppState;
use assistant_core::api::{
    Accepted, CancelHandoffRequest, ConversationEvent, CustomerMessage, HandoffRequest,
    HandoffResponse, HandoffState, HoursResponse, LeaveMessageRequest, Role,
};
use assistant_core::pii;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use serde::Deserialize;
use std::convert::Infallible;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;

pub async fn hours(State(state): State<AppState>) -> Json<HoursResponse> {
    let h = &state.config.hours;
    let now = chrono::Utc::now();
    Json(HoursResponse {
        open: h.is_open(now),
        next_open: h.next_open(now).map(|t| t.to_rfc3339()),
        description: h.description(),
    })
}

fn message_json(role: Role, text: &str) -> String {
    serde_json::to_string(&ConversationEvent::Message {
        role,
        text: text.to_owned(),
        at: rfc3339(now_ms()),
        agent_name: None,
    })
    .unwrap_or_default()
}

fn status_json(state: HandoffState, agent_name: Option<String>) -> String {
    serde_json::to_string(&ConversationEvent::Status { state, agent_name }).unwrap_or_default()
}

/// Records a state change as a stored event and wakes the streams.
pub async fn record_status(
    state: &AppState,
    conversation_id: &str,
    s: HandoffState,
    agent_name: Option<String>,
) -> ApiResult<()> {
    record_status_by(state, conversation_id, s, agent_name, None).await
}

/// [`record_status`], naming the agent (username) who caused it.
pub async fn record_status_by(
    state: &AppState,
    conversation_id: &str,
    s: HandoffState,
    agent_name: Option<String>,
    actor: Option<&str>,
) -> ApiResult<()> {
    state
        .store
        .insert_event(
            conversation_id,
            "status",
            None,
            &status_json(s, agent_name),
            None,
            actor,
        )
        .await?;
    state
        .bus
        .publish(Note::Events {
            c: conversation_id.to_owned(),
        })
        .await;
    state.bus.publish(Note::Queue).await;
    Ok(())
}

async fn ticket(state: &AppState, h: &Handoff) -> ApiResult<HandoffResponse> {
    let position = if h.state == HandoffState::Queued {
        state.store.position(h).await?
    } else {
        0
    };
    Ok(HandoffResponse {
        ticket_id: h.ticket_id.clone(),
        position,
        estimated_wait_s: position * state.config.handoff.seconds_per_customer,
    })
}

pub async fn handoff(
    State(state): State<AppState>,
    ip: ClientIp,
    secret: Secret,
    ApiJson(req): ApiJson<HandoffRequest>,
) -> ApiResult<Json<HandoffResponse>> {
    authorize(&state, &req.conversation_id, &secret).await?;
    if req.transcript.len() > 200 {
        return Err(ApiError::bad_request("transcript has more than 200 lines."));
    }
    for l in &req.transcript {
        // The browser reports what the customer wrote and what the assistant answered; agent and system
        // lines are the server's own records, never taken from a client.
        if !matches!(l.role, Role::Customer | Role::Assistant) {
            return Err(ApiError::bad_request(
                "transcript lines may only be the customer's or the assistant's.",
            ));
        }
        if l.text.chars().count() > assistant_core::api::MAX_TEXT_CHARS {
            return Err(ApiError::bad_request(
                "a transcript line is longer than 2000 characters.",
            ));
        }
        crate::error::check_chars("a transcript line", &l.text)?;
    }
    let c = &req.conversation_id;
    state.store.customer_seen(c).await?;
    if let Some(h) = state.store.handoff(c).await?
        && matches!(h.state, HandoffState::Queued | HandoffState::Active)
    {
        return Ok(Json(ticket(&state, &h).await?));
    }
    state.limits.handoff(ip.0, c)?;
    if !state.config.hours.is_open(chrono::Utc::now()) {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "outside_hours",
            "Our people are not available right now; see /v1/hours, or leave a message.",
        ));
    }
    let ticket_id = uuid::Uuid::new_v4().simple().to_string();
    state
        .store
        .queue(c, &ticket_id, req.reason, req.locale, req.text_size)
        .await?;
    // The transcript so far, masked again; on a second hand-off only the lines not stored yet.
    let stored = state.store.count_transcript(c).await? as usize;
    for line in req.transcript.iter().skip(stored) {
        let text = pii::mask(&line.text).text;
        state
            .store
            .insert_event(
                c,
                "transcript",
                Some(line.role),
                &message_json(line.role, &text),
                None,
                None,
            )
            .await?;
    }
    record_status(&state, c, HandoffState::Queued, None).await?;
    let h = state
        .store
        .handoff(c)
        .await?
        .ok_or_else(ApiError::internal)?;
    tracing::info!(conversation = %log_id(c), reason = ?req.reason, "handed off");
    Ok(Json(ticket(&state, &h).await?))
}

pub async fn cancel(
    State(state): State<AppState>,
    secret: Secret,
    ApiJson(req): ApiJson<CancelHandoffRequest>,
) -> ApiResult<StatusCode> {
    authorize(&state, &req.conversation_id, &secret).await?;
    if state.store.handoff(&req.conversation_id).await?.is_none() {
        return Err(ApiError::not_found("No hand-off for this conversation."));
    }
    if state
        .store
        .transition(
            &req.conversation_id,
            &[HandoffState::Queued, HandoffState::Active],
            HandoffState::Cancelled,
            None,
        )
        .await?
    {
        record_status(&state, &req.conversation_id, HandoffState::Cancelled, None).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}

pub async fn customer_message(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    secret: Secret,
    ApiJson(req): ApiJson<CustomerMessage>,
) -> ApiResult<(StatusCode, Json<Accepted>)> {
    authorize(&state, &id, &secret).await?;
    check_id("message_id", &req.message_id)?;
    check_text("text", &req.text)?;
    let h = state
        .store
        .handoff(&id)
        .await?
        .ok_or_else(|| ApiError::not_found("No hand-off for this conversation."))?;
    if !matches!(h.state, HandoffState::Queued | HandoffState::Active) {
        return Err(ApiError::conflict(
            "This conversation is no longer with a person; ask the assistant or hand off again.",
        ));
    }
    let text = pii::mask(&req.text).text;
    let (event_id, new) = state
        .store
        .insert_event(
            &id,
            "message",
            Some(Role::Customer),
            &message_json(Role::Customer, &text),
            Some(&req.message_id),
            None,
        )
        .await?;
    state.store.customer_seen(&id).await?;
    if new {
        state.bus.publish(Note::Events { c: id }).await;
    }
    Ok((StatusCode::ACCEPTED, Json(Accepted { event_id })))
}

pub async fn leave_message(
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

#[derive(Debug, Deserialize)]
pub struct EventsQuery {
    pub last_event_id: Option<i64>,
    /// The stream token (customers; see `conversations`).
    pub token: Option<String>,
}

/// Counts open streams in the metrics for as long as it lives.
struct Gauge(prometheus_client::metrics::gauge::Gauge);
impl Drop for Gauge {
    fn drop(&mut self) {
        self.0.dec();
    }
}

fn stored_event(id: i64, data: String) -> Event {
    let kind = serde_json::from_str::<serde_json::Value>(&data)
        .ok()
        .and_then(|v| v.get("type").and_then(|t| t.as_str()).map(str::to_owned))
        .unwrap_or_else(|| "message".into());
    Event::default().id(id.to_string()).event(kind).data(data)
}

fn momentary(e: &ConversationEvent) -> Event {
    let kind = match e {
        ConversationEvent::Queue { .. } => "queue",
        ConversationEvent::Typing { .. } => "typing",
        ConversationEvent::Status { .. } => "status",
        ConversationEvent::Message { .. } => "message",
    };
    Event::default()
        .event(kind)
        .data(serde_json::to_string(e).unwrap_or_default())
}

/// How often an open customer stream tells the database the customer is still there: three times per
/// `abandon_after_s`, at most every 30 s.
fn seen_every(state: &AppState) -> Duration {
    Duration::from_secs((state.config.handoff.abandon_after_s / 3).clamp(1, 30))
}

/// The live stream of one conversation, resuming after `last`. `customer` streams keep the customer
/// marked as present while open (so they are not taken out of the queue).
pub fn stream(
    state: AppState,
    c: String,
    mut last: i64,
    customer: bool,
    slot: Option<crate::limits::StreamSlot>,
) -> impl Stream<Item = Result<Event, Infallible>> {
    let mut rx = state.bus.subscribe();
    let mut positions = state.positions.clone();
    let mut shutdown = state.shutdown.clone();
    state.metrics.sse_connections.inc();
    let guard = Gauge(state.metrics.sse_connections.clone());
    async_stream::stream! {
        let _guard = guard;
        let _slot = slot;
        let mut last_pos: Option<u32> = None;
        let mut refresh = true;
        let mut seen = tokio::time::interval(seen_every(&state));
        seen.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            if refresh {
                refresh = false;
                match state.store.events_after(&c, last).await {
                    Ok(events) => for e in events {
                        last = e.id;
                        yield Ok(stored_event(e.id, e.data));
                    },
                    Err(e) => tracing::warn!(error = %e, "reading events failed"),
                }
            }
            // The queue position, from the positions computed once for everyone.
            let pos = positions.borrow_and_update().get(&c).copied();
            if pos != last_pos {
                last_pos = pos;
                if let Some(pos) = pos {
                    yield Ok(momentary(&ConversationEvent::Queue {
                        position: pos,
                        estimated_wait_s: pos * state.config.handoff.seconds_per_customer,
                    }));
                }
            }
            let note = tokio::select! {
                note = rx.recv() => Some(note),
                changed = positions.changed() => { if changed.is_err() { break; } None }
                _ = seen.tick(), if customer => {
                    if let Err(e) = state.store.customer_seen(&c).await {
                        tracing::warn!(error = %e, "noting the customer's presence failed");
                    }
                    None
                }
                _ = shutdown.changed() => break,
            };
            match note {
                Some(Ok(Note::Events { c: cc })) if cc == c => refresh = true,
                Some(Ok(Note::Typing { c: cc, typing })) if cc == c => {
                    yield Ok(momentary(&ConversationEvent::Typing { typing }));
                }
                Some(Err(RecvError::Lagged(_))) => refresh = true,
                Some(Err(RecvError::Closed)) => break,
                _ => {}
            }
        }
    }
}

fn last_event_id(headers: &HeaderMap, q: &EventsQuery) -> ApiResult<i64> {
    match headers.get("last-event-id") {
        Some(v) => v
            .to_str()
            .ok()
            .and_then(|s| s.trim().parse::<i64>().ok())
            .filter(|n| *n >= 0)
            .ok_or_else(|| ApiError::bad_request("Last-Event-ID must be a non-negative integer.")),
        None => Ok(q.last_event_id.unwrap_or(0).max(0)),
    }
}

/// The customer's stream: opened with a stream token (`EventSource` sends no headers), capped per
/// conversation and per address.
pub async fn events(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ip: ClientIp,
    crate::error::ApiQuery(q): crate::error::ApiQuery<EventsQuery>,
    headers: HeaderMap,
) -> ApiResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    check_id("conversation id", &id)?;
    let valid = q
        .token
        .as_deref()
        .is_some_and(|t| stream_token_valid(&state.stream_key, &id, t, unix_now()));
    if !valid {
        return Err(crate::conversations::unknown());
    }
    let last = last_event_id(&headers, &q)?;
    if state.store.handoff(&id).await?.is_none() {
        return Err(ApiError::not_found("No hand-off for this conversation."));
    }
    let slot = state.limits.stream(ip.0, &id)?;
    state.store.customer_seen(&id).await?;
    Ok(Sse::new(stream(state, id, last, true, Some(slot)))
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}

/// The same stream for a signed-in agent (the console's live transcript).
pub async fn agent_events(
    agent: crate::auth::Agent,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    crate::error::ApiQuery(q): crate::error::ApiQuery<EventsQuery>,
    headers: HeaderMap,
) -> ApiResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    agent.may_handle_conversations()?;
    check_id("conversation id", &id)?;
    let last = last_event_id(&headers, &q)?;
    if state.store.handoff(&id).await?.is_none() {
        return Err(ApiError::not_found("No hand-off for this conversation."));
    }
    Ok(Sse::new(stream(state, id, last, false, None))
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}
