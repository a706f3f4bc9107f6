//! The live event stream (Server-Sent Events) of one conversation, for its customer and for agents:
//! stored events (messages, status) after the last id the client saw, then every new one as the bus
//! announces it; the queue position from the positions computed once for everyone (`queue`); typing.
//! Stored events carry their database id, so a reconnecting client resumes exactly after
//! `Last-Event-ID`. A customer's open stream keeps them marked as present (see `jobs`).

use crate::bus::Note;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use assistant_core::api::ConversationEvent;
use axum::http::HeaderMap;
use axum::response::sse::Event;
use futures_util::Stream;
use std::convert::Infallible;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;

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

/// Where to resume: the `Last-Event-ID` header (browsers send it when they reconnect), else the query's
/// `last_event_id`, else the start.
pub fn last_event_id(headers: &HeaderMap, query: Option<i64>) -> ApiResult<i64> {
    match headers.get("last-event-id") {
        Some(v) => v
            .to_str()
            .ok()
            .and_then(|s| s.trim().parse::<i64>().ok())
            .filter(|n| *n >= 0)
            .ok_or_else(|| ApiError::bad_request("Last-Event-ID must be a non-negative integer.")),
        None => Ok(query.unwrap_or(0).max(0)),
    }
}
