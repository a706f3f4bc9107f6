//! A conversation's life with people, in one place: handing off, cancelling, the customer's and the
//! agent's messages, typing, taking, closing, re-queueing, customers who left, deletion. Every change
//! is written with [`append`], which stores the event (the only place event JSON is made) and wakes the
//! streams that watch it; every agent action is audited. HTTP lives in `routes`, the console in
//! `console`: both call these functions, so the JSON API and the console cannot behave differently.
//!
//! Who may touch a conversation is `access`: the customer's secret, stream tokens, log ids.

pub mod access;

pub use access::{Secret, authorize, log_id};

use crate::audit;
use crate::auth::Agent;
use crate::bus::Note;
use crate::config::AccountRole;
use crate::db::{Handoff, now_ms, rfc3339};
use crate::error::{ApiError, ApiResult, check_chars, check_id, check_text};
use crate::state::AppState;
use assistant_core::api::{
    ConversationEvent, ConversationView, HandoffReason, HandoffRequest, HandoffResponse,
    HandoffState, Role,
};
use assistant_core::pii;
use axum::http::StatusCode;
use std::net::IpAddr;

/// How a stored event counts: the browser's report sent with a hand-off, a message the server
/// received or an agent wrote, or a change of state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Transcript,
    Message,
    Status,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Transcript => "transcript",
            Kind::Message => "message",
            Kind::Status => "status",
        }
    }
}

/// A message event, stamped now.
pub fn message(role: Role, text: String, agent_name: Option<String>) -> ConversationEvent {
    ConversationEvent::Message {
        role,
        text,
        at: rfc3339(now_ms()),
        agent_name,
    }
}

/// Stores an event of conversation `c` (once per `client_message_id`, when given) and wakes the
/// streams: the conversation's, and for a status change the queue's. Returns the event id and whether
/// this call stored it.
pub async fn append(
    state: &AppState,
    c: &str,
    kind: Kind,
    event: &ConversationEvent,
    client_message_id: Option<&str>,
    actor: Option<&str>,
) -> ApiResult<(i64, bool)> {
    let role = match event {
        ConversationEvent::Message { role, .. } => Some(*role),
        _ => None,
    };
    let data = serde_json::to_string(event).map_err(|_| ApiError::internal())?;
    let (id, new) = state
        .store
        .insert_event(c, kind.as_str(), role, &data, client_message_id, actor)
        .await?;
    if new {
        state.bus.publish(Note::Events { c: c.to_owned() }).await;
        if kind == Kind::Status {
            state.bus.publish(Note::Queue).await;
        }
    }
    Ok((id, new))
}

/// Moves the hand-off from one of `from` to `to` and records it; false when it was in none of them.
async fn change(
    state: &AppState,
    c: &str,
    from: &[HandoffState],
    to: HandoffState,
    agent: Option<&Agent>,
) -> ApiResult<bool> {
    let taking = agent
        .filter(|_| to == HandoffState::Active)
        .map(|a| (a.username.as_str(), a.display_name.as_str()));
    if !state.store.transition(c, from, to, taking).await? {
        return Ok(false);
    }
    let status = ConversationEvent::Status {
        state: to,
        agent_name: taking.map(|(_, name)| name.to_owned()),
    };
    append(
        state,
        c,
        Kind::Status,
        &status,
        None,
        agent.map(|a| a.username.as_str()),
    )
    .await?;
    Ok(true)
}

/// Characters of a customer's line shown in the agents' queue.
pub const PREVIEW_CHARS: usize = 140;

/// A customer's line as the agents' queue shows it: masked again (stored lines were masked when they
/// arrived, but the queue must not rely on that), on one line, and cut on a character boundary to
/// [`PREVIEW_CHARS`] characters, then "…". Masking comes first, so a cut never leaves part of a
/// number unmasked.
pub fn preview(text: &str) -> String {
    let masked = pii::mask(text).text;
    let one_line = masked.split_whitespace().collect::<Vec<_>>().join(" ");
    match one_line.char_indices().nth(PREVIEW_CHARS) {
        None => one_line,
        Some((cut, _)) => format!("{}…", one_line[..cut].trim_end()),
    }
}

// ---- the customer's side ---------------------------------------------------------------------------

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

/// Puts the conversation in the queue with the transcript the browser reports (customer and assistant
/// lines only, masked again); asking again while queued or with an agent returns the same ticket.
pub async fn hand_off(
    state: &AppState,
    ip: IpAddr,
    req: &HandoffRequest,
) -> ApiResult<HandoffResponse> {
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
        check_chars("a transcript line", &l.text)?;
    }
    let c = &req.conversation_id;
    state.store.customer_seen(c).await?;
    if let Some(h) = state.store.handoff(c).await?
        && matches!(h.state, HandoffState::Queued | HandoffState::Active)
    {
        return ticket(state, &h).await;
    }
    state.limits.handoff(ip, c)?;
    if !state.config.hours.is_open(chrono::Utc::now()) {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "outside_hours",
            "Our people are not available right now; see /v1/hours, or leave a message.",
        ));
    }
    // "scam" goes first in the queue, so the server checks it: without a customer line that its own
    // knowledge base reads as a scam story, it is an ordinary request for a person.
    let reason = match req.reason {
        HandoffReason::Scam
            if !req.transcript.iter().any(|l| {
                l.role == Role::Customer
                    && state
                        .index
                        .tells_a_scam(&l.text, state.config.chat.min_confidence * 0.5)
            }) =>
        {
            HandoffReason::Requested
        }
        r => r,
    };
    let ticket_id = uuid::Uuid::new_v4().simple().to_string();
    state
        .store
        .queue(c, &ticket_id, reason, req.locale, req.text_size)
        .await?;
    // The transcript so far, masked again; on a second hand-off only the lines not stored yet.
    let stored = state.store.count_transcript(c).await? as usize;
    for line in req.transcript.iter().skip(stored) {
        let event = message(line.role, pii::mask(&line.text).text, None);
        append(state, c, Kind::Transcript, &event, None, None).await?;
    }
    let queued = ConversationEvent::Status {
        state: HandoffState::Queued,
        agent_name: None,
    };
    append(state, c, Kind::Status, &queued, None, None).await?;
    let h = state
        .store
        .handoff(c)
        .await?
        .ok_or_else(ApiError::internal)?;
    tracing::info!(conversation = %log_id(c), reason = ?req.reason, "handed off");
    ticket(state, &h).await
}

/// The customer goes back to the assistant.
pub async fn cancel(state: &AppState, c: &str) -> ApiResult<()> {
    if state.store.handoff(c).await?.is_none() {
        return Err(ApiError::not_found("No hand-off for this conversation."));
    }
    change(
        state,
        c,
        &[HandoffState::Queued, HandoffState::Active],
        HandoffState::Cancelled,
        None,
    )
    .await?;
    Ok(())
}

/// A customer's message while a person has (or will take) the conversation; once per message id.
pub async fn post_customer(
    state: &AppState,
    c: &str,
    message_id: &str,
    text: &str,
) -> ApiResult<i64> {
    check_id("message_id", message_id)?;
    check_text("text", text)?;
    let h = state
        .store
        .handoff(c)
        .await?
        .ok_or_else(|| ApiError::not_found("No hand-off for this conversation."))?;
    if !matches!(h.state, HandoffState::Queued | HandoffState::Active) {
        return Err(ApiError::conflict(
            "This conversation is no longer with a person; ask the assistant or hand off again.",
        ));
    }
    let event = message(Role::Customer, pii::mask(text).text, None);
    let (id, _) = append(state, c, Kind::Message, &event, Some(message_id), None).await?;
    state.store.customer_seen(c).await?;
    Ok(id)
}

// ---- the agent's side ------------------------------------------------------------------------------

async fn found(state: &AppState, c: &str) -> ApiResult<Handoff> {
    check_id("conversation id", c)?;
    state
        .store
        .handoff(c)
        .await?
        .ok_or_else(|| ApiError::not_found("No hand-off for this conversation."))
}

/// The conversation is active and held by `agent` (or, with `supervisor_too`, the agent is a
/// supervisor).
async fn held(
    state: &AppState,
    agent: &Agent,
    c: &str,
    supervisor_too: bool,
) -> ApiResult<Handoff> {
    agent.may_handle_conversations()?;
    let h = found(state, c).await?;
    let mine = h.state == HandoffState::Active && h.agent.as_deref() == Some(&agent.username);
    if mine || (supervisor_too && agent.role == AccountRole::Supervisor) {
        return Ok(h);
    }
    Err(ApiError::conflict(
        "Take the conversation first: only the agent who holds it (or a supervisor) may do this.",
    ))
}

/// A conversation's transcript for an agent (audited as a view).
pub async fn view(
    state: &AppState,
    agent: &Agent,
    c: &str,
    ip: IpAddr,
) -> ApiResult<(Handoff, ConversationView)> {
    agent.may_handle_conversations()?;
    let h = found(state, c).await?;
    let view = ConversationView {
        item: h.item(),
        transcript: state.store.transcript(c).await?,
    };
    audit::record(
        state,
        &agent.username,
        "view",
        Some(&log_id(c)),
        Some(ip),
        None,
    )
    .await;
    Ok((h, view))
}

pub async fn take(state: &AppState, agent: &Agent, c: &str, ip: IpAddr) -> ApiResult<()> {
    agent.may_handle_conversations()?;
    let h = found(state, c).await?;
    if h.state == HandoffState::Active && h.agent.as_deref() == Some(&agent.username) {
        return Ok(());
    }
    if !change(
        state,
        c,
        &[HandoffState::Queued],
        HandoffState::Active,
        Some(agent),
    )
    .await?
    {
        return Err(ApiError::conflict(
            "This conversation is not waiting any more.",
        ));
    }
    let h = log_id(c);
    tracing::info!(conversation = %h, agent = %agent.username, "taken");
    audit::record(state, &agent.username, "take", Some(&h), Some(ip), None).await;
    Ok(())
}

/// The agent's message (masked), carrying their name; returns its event id.
pub async fn post_agent(
    state: &AppState,
    agent: &Agent,
    c: &str,
    text: &str,
    ip: IpAddr,
) -> ApiResult<i64> {
    check_text("text", text)?;
    held(state, agent, c, false).await?;
    let event = message(
        Role::Agent,
        pii::mask(text).text,
        Some(agent.display_name.clone()),
    );
    state
        .bus
        .publish(Note::Typing {
            c: c.to_owned(),
            typing: false,
        })
        .await;
    let (id, _) = append(state, c, Kind::Message, &event, None, Some(&agent.username)).await?;
    audit::record(
        state,
        &agent.username,
        "reply",
        Some(&log_id(c)),
        Some(ip),
        None,
    )
    .await;
    Ok(id)
}

pub async fn typing(state: &AppState, agent: &Agent, c: &str, typing: bool) -> ApiResult<()> {
    held(state, agent, c, false).await?;
    state
        .bus
        .publish(Note::Typing {
            c: c.to_owned(),
            typing,
        })
        .await;
    Ok(())
}

/// Closes a conversation: its agent may; a supervisor may close any, waiting ones included.
pub async fn close(state: &AppState, agent: &Agent, c: &str, ip: IpAddr) -> ApiResult<()> {
    held(state, agent, c, true).await?;
    if change(
        state,
        c,
        &[HandoffState::Queued, HandoffState::Active],
        HandoffState::Closed,
        Some(agent),
    )
    .await?
    {
        let h = log_id(c);
        tracing::info!(conversation = %h, agent = %agent.username, "closed");
        audit::record(state, &agent.username, "close", Some(&h), Some(ip), None).await;
    }
    Ok(())
}

/// Puts an active conversation back in the queue for someone else (its agent, or a supervisor).
pub async fn requeue(state: &AppState, agent: &Agent, c: &str, ip: IpAddr) -> ApiResult<()> {
    held(state, agent, c, true).await?;
    if change(
        state,
        c,
        &[HandoffState::Active],
        HandoffState::Queued,
        Some(agent),
    )
    .await?
    {
        audit::record(
            state,
            &agent.username,
            "requeue",
            Some(&log_id(c)),
            Some(ip),
            None,
        )
        .await;
    }
    Ok(())
}

// ---- the server's own ------------------------------------------------------------------------------

/// Takes out of the queue every customer with no event stream open and no message for
/// `handoff.abandon_after_s`; the agents see them as "left before an agent joined". Returns how many.
pub async fn abandon_gone(state: &AppState) -> ApiResult<usize> {
    let before = now_ms() - (state.config.handoff.abandon_after_s as i64) * 1000;
    let mut n = 0;
    for c in state.store.gone_from_queue(before).await? {
        if change(
            state,
            &c,
            &[HandoffState::Queued],
            HandoffState::Abandoned,
            None,
        )
        .await?
        {
            let h = log_id(&c);
            audit::record(state, "-", "abandon", Some(&h), None, None).await;
            tracing::info!(conversation = %h, "customer left the queue before an agent joined");
            n += 1;
        }
    }
    Ok(n)
}

/// Deletes everything stored about a conversation (a data-subject request); one still open is closed
/// first, so its customer is told. False when nothing was stored.
pub async fn delete(state: &AppState, who: &str, c: &str, ip: IpAddr) -> ApiResult<bool> {
    check_id("conversation id", c)?;
    change(
        state,
        c,
        &[HandoffState::Queued, HandoffState::Active],
        HandoffState::Closed,
        None,
    )
    .await?;
    if !state.store.delete_conversation(c).await? {
        return Ok(false);
    }
    audit::record(state, who, "delete", Some(&log_id(c)), Some(ip), None).await;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn previews_are_masked_one_line_and_cut_on_a_character_boundary() {
        // Masked again even when the stored line was not (an older row, a browser that did not mask).
        let p = preview("card 4111 1111 1111 1111\n\n  please   help");
        assert_eq!(p, "card [card ••••1111] please help");
        // Short lines are kept whole; long ones are cut to 140 characters (not bytes) and marked.
        assert_eq!(preview("你好"), "你好");
        let long = "我".repeat(300);
        let p = preview(&long);
        assert_eq!(p.chars().count(), PREVIEW_CHARS + 1);
        assert!(p.ends_with("我…"));
        let exact = "a".repeat(PREVIEW_CHARS);
        assert_eq!(preview(&exact), exact, "exactly 140 is not cut");
        // A number at the cut is masked before cutting, so no part of it shows.
        let at_cut = format!("{} 4111 1111 1111 1111", "x".repeat(130));
        assert!(!preview(&at_cut).contains("4111"), "{}", preview(&at_cut));
        assert_eq!(preview("   "), "");
    }
}
