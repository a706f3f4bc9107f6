//! Request and response bodies of the server's HTTP API (`docs/openapi.yaml` is the contract), shared by
//! the widget (which sends them) and `assistant-server` (which answers them), so the two cannot disagree
//! on a field name. Serde only: no I/O, and it compiles to wasm32 with `default-features = false`.
//!
//! Conventions: JSON field names are `snake_case`; ids made by the client (`conversation_id`,
//! `message_id`) are opaque strings of 16–64 characters from `[A-Za-z0-9_-]`, made from a CSPRNG
//! (`crypto.getRandomValues`; a UUID fits); times are RFC 3339 strings in UTC; texts the customer writes
//! are masked for personal data by the widget and again by the server.
//!
//! A conversation is opened with `POST /v1/conversations` ([`OpenConversation`]), which returns a secret;
//! every later customer call about it carries that secret in the [`SECRET_HEADER`] header (never in the
//! URL). The event stream, which `EventSource` opens without headers, takes a short-lived
//! [`StreamToken`] in its query string instead.

use crate::answers::Suggestion;
use crate::locale::Lang;
use serde::{Deserialize, Serialize};

/// Longest customer or agent message the server accepts, in characters.
pub const MAX_TEXT_CHARS: usize = 2000;
/// Longest client-made id, in characters.
pub const MAX_ID_CHARS: usize = 64;
/// Shortest client-made id, in characters (16 characters of `[A-Za-z0-9_-]` carry ≥ 95 bits).
pub const MIN_ID_CHARS: usize = 16;
/// The header that carries a conversation's secret on every customer call about it.
pub const SECRET_HEADER: &str = "x-conversation-secret";

/// `POST /v1/conversations`: open a conversation with the server before anything else is sent about it.
/// Idempotent by `claim` (a random value the browser tab made and keeps): asking again with the same
/// claim (the first response was lost) returns a new secret, and the one never received stops working.
/// The same id with another claim is refused with 409 `conversation_exists`: pick a new id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenConversation {
    pub conversation_id: String,
    /// 32–128 characters of `[A-Za-z0-9_-]` from a CSPRNG; sent only here.
    pub claim: String,
}

/// The conversation's secret (256 bits, hex). The server keeps only its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationOpened {
    pub conversation_id: String,
    pub secret: String,
}

/// `POST /v1/conversations/{id}/stream-token`: a token for `GET …/events?token=`, valid for opening (and
/// re-opening) the stream for `expires_in_s` seconds; a stream already open stays open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamToken {
    pub token: String,
    pub expires_in_s: u32,
}

/// Text-size preference of the widget; large text asks for simpler wording.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TextSize {
    #[default]
    Normal,
    Large,
}

/// One of the browser model's top intents, sent with a question the browser could not answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClientIntent {
    pub intent: String,
    /// The model's probability, 0–1.
    pub score: f32,
}

/// `POST /v1/chat`: a question the browser could not answer confidently.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChatRequest {
    pub conversation_id: String,
    /// Made by the client; a retried message with the same id gets the same answer, once.
    pub message_id: String,
    pub text: String,
    /// The conversation's locale (`en`, `zh-CN`); the answer follows the language of `text`.
    pub locale: Lang,
    #[serde(default)]
    pub client_intents: Vec<ClientIntent>,
    #[serde(default)]
    pub text_size: TextSize,
    /// The last few lines of the conversation before this question (masked by the widget, oldest
    /// first, at most `MAX_RECENT`), so the server can read a follow-up ("and how much does that
    /// cost?") against the topic before it. Only `customer` and `assistant` lines.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recent: Vec<TranscriptLine>,
    /// The server's suggestion the customer tapped, when the question is one: `help:<article id>` for
    /// a help-centre article the server offered ("Or perhaps you meant…"), answered with that article.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chosen: Option<String>,
}

/// The prefix of a suggestion that names a help-centre article (`help:<article id>`), which only the
/// server can answer.
pub const ARTICLE_CHOICE: &str = "help:";

/// Most lines of `ChatRequest::recent`.
pub const MAX_RECENT: usize = 6;

/// Where an answer came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// A knowledge-base answer (the browser's, or the server's retrieval found one).
    Kb,
    /// The server could not answer from the knowledge base (an honest "not sure").
    Server,
    /// A person at the bank.
    Agent,
    /// An article of the bank's help centre, which only the server searches.
    Help,
    /// The bank's own chatbot behind ours (`chat.upstream` in the server's configuration).
    Upstream,
}

/// The help-centre article an answer quotes, for a "Read the article" link.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArticleLink {
    pub id: String,
    pub title: String,
    /// Absolute or site-relative address of the article on the bank's help centre.
    pub url: String,
}

/// The server's answer to a `ChatRequest`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatResponse {
    pub message_id: String,
    pub text: String,
    pub source: Source,
    /// The knowledge-base intent answered, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intent: Option<String>,
    /// Language of the answer (that of the question).
    pub lang: Lang,
    #[serde(default)]
    pub suggestions: Vec<Suggestion>,
    /// Show the "talk to a person" offer prominently.
    pub offer_handoff: bool,
    /// The help-centre article quoted (with `Source::Help`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub article: Option<ArticleLink>,
}

/// Why a conversation is handed to a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HandoffReason {
    /// The customer asked for a person.
    Requested,
    Complaint,
    /// The customer seems upset.
    Distress,
    /// Neither the browser nor the server could answer.
    Unanswered,
    /// The customer's story is a fraudster's script ("move your money to a safe account"): first in
    /// the agents' queue, before anyone who came earlier for anything else.
    Scam,
}

/// Who wrote a transcript line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Customer,
    Assistant,
    Agent,
    System,
}

/// One line of the transcript the widget sends with a hand-off (already masked by the widget). Only
/// `customer` and `assistant` lines are accepted from a browser (agent and system lines are the server's
/// own records); agents see them as reported by the customer's browser.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TranscriptLine {
    pub role: Role,
    pub text: String,
}

/// `POST /v1/handoff`: put the conversation in the queue for a person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HandoffRequest {
    pub conversation_id: String,
    pub reason: HandoffReason,
    pub locale: Lang,
    #[serde(default)]
    pub text_size: TextSize,
    /// The conversation so far (at most 200 lines).
    #[serde(default)]
    pub transcript: Vec<TranscriptLine>,
}

/// The queue ticket. Asking again for a conversation already queued returns the same ticket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HandoffResponse {
    pub ticket_id: String,
    /// 1 = next in line; 0 = an agent already has the conversation.
    pub position: u32,
    pub estimated_wait_s: u32,
}

/// `POST /v1/handoff/cancel`: the customer goes back to the assistant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CancelHandoffRequest {
    pub conversation_id: String,
}

/// `POST /v1/conversations/{id}/messages`: a customer message while a person has (or will take) the
/// conversation. Idempotent by `message_id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomerMessage {
    pub message_id: String,
    pub text: String,
}

/// Accepted message: the id of the event it became in the conversation's event stream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Accepted {
    pub event_id: i64,
}

/// `POST /v1/leave-message`: outside opening hours (or instead of waiting), a message for the bank.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeaveMessageRequest {
    pub conversation_id: String,
    pub message_id: String,
    pub text: String,
    pub locale: Lang,
}

/// `GET /v1/hours`: are people available now, and when are they next.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HoursResponse {
    pub open: bool,
    /// When people are next available (RFC 3339), when `open` is false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_open: Option<String>,
    /// The opening hours in words, in both languages, for the widget to show as written.
    pub description: crate::answers::Texts,
}

/// `POST /v1/feedback`: helpful / not helpful on one answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedbackRequest {
    /// The answer's message id (the id of the question it answered).
    pub message_id: String,
    pub helpful: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// The conversation the answer belongs to; the call carries its secret, so only the customer who
    /// got the answer can rate it.
    pub conversation_id: String,
    /// For answers the browser gave itself (the server never saw them): the masked question and the
    /// intent answered, so the improvement report can count them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub question: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intent: Option<String>,
}

/// Events on `GET /v1/conversations/{id}/events` (Server-Sent Events). The SSE `event:` field is the
/// `type` below and `data:` is this JSON. Events that are stored (messages, status changes) carry an SSE
/// `id:`; reconnecting with `Last-Event-ID` resumes after it. Queue positions and typing are momentary and
/// carry no id (the current position is sent again on every connect).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ConversationEvent {
    /// Queue position while waiting.
    Queue {
        position: u32,
        estimated_wait_s: u32,
    },
    /// The hand-off changed state.
    Status {
        state: HandoffState,
        /// The agent's display name, once one has taken the conversation.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        agent_name: Option<String>,
    },
    /// A message in the conversation (from the agent, or the customer's own, echoed).
    Message {
        role: Role,
        text: String,
        at: String,
        /// The agent's display name, on an agent's message.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        agent_name: Option<String>,
    },
    /// The agent started or stopped typing.
    Typing { typing: bool },
}

/// States of a hand-off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HandoffState {
    /// Waiting for an agent.
    Queued,
    /// An agent has the conversation.
    Active,
    /// The agent closed the conversation.
    Closed,
    /// The customer went back to the assistant.
    Cancelled,
    /// The customer left before an agent joined (no event stream and no message for a while).
    Abandoned,
}

/// Every error: a stable machine code and a calm sentence for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// e.g. `bad_request`, `invalid_json`, `not_found`, `payload_too_large`, `rate_limited`,
    /// `unauthorized`, `conflict`, `outside_hours`, `internal`.
    pub error: String,
    pub message: String,
}

/// `POST /v1/agent/login`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

/// A signed-in agent's session (also set as an HttpOnly cookie); send as `Authorization: Bearer`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginResponse {
    pub token: String,
    pub agent_name: String,
}

/// One conversation in the agents' queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueueItem {
    pub conversation_id: String,
    pub ticket_id: String,
    pub state: HandoffState,
    pub reason: HandoffReason,
    pub locale: Lang,
    pub text_size: TextSize,
    pub queued_at: String,
    /// Seconds since `queued_at`, when the server answered (0 from a server that did not say).
    #[serde(default)]
    pub waited_s: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent: Option<String>,
    /// What the customer wants, before an agent takes the conversation: their first line of this
    /// hand-off (or, when they said nothing new, their latest line before it), masked again by the
    /// server and cut to about 140 characters. Absent when the customer has said nothing; in the queue
    /// only, not in a conversation's view (which has the whole transcript).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_message: Option<String>,
}

/// `GET /v1/agent/queue?page=N`: waiting and active conversations, oldest first, one page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueueResponse {
    pub items: Vec<QueueItem>,
    /// Waiting and active conversations in all pages.
    #[serde(default)]
    pub total: i64,
    /// The next page's number, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_page: Option<u32>,
}

/// A transcript line as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredLine {
    pub role: Role,
    pub text: String,
    pub at: String,
    /// True for lines the customer's browser reported with the hand-off (its customer and assistant
    /// lines): the server did not see them happen, so an agent must not take them as its own records.
    #[serde(default)]
    pub reported: bool,
}

/// `GET /v1/agent/conversations/{id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConversationView {
    pub item: QueueItem,
    pub transcript: Vec<StoredLine>,
}

/// `POST /v1/agent/conversations/{id}/reply`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgentReply {
    pub text: String,
}

/// `POST /v1/agent/conversations/{id}/typing`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgentTyping {
    pub typing: bool,
}

/// One row of the improvement report: a question and how often.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportRow {
    /// The masked, normalised question.
    pub question: String,
    pub count: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intent: Option<String>,
}

/// `GET /v1/admin/report`: what to improve in the knowledge base, most frequent first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportResponse {
    /// Questions the server could not answer.
    pub unanswered: Vec<ReportRow>,
    /// Questions whose answer was rated not helpful.
    pub unhelpful: Vec<ReportRow>,
}

/// `GET /v1/agent/left-messages`: messages left outside opening hours.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeftMessage {
    pub conversation_id: String,
    pub message_id: String,
    pub text: String,
    pub locale: Lang,
    pub at: String,
    /// When an agent marked it handled, and who.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handled_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handled_by: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chat_request_defaults_and_names() {
        let r: ChatRequest = serde_json::from_str(
            r#"{"conversation_id":"c1","message_id":"m1","text":"hi","locale":"zh-CN"}"#,
        )
        .unwrap();
        assert_eq!(r.text_size, TextSize::Normal);
        assert!(r.client_intents.is_empty());
        assert_eq!(r.locale, Lang::ZhCn);
        assert!(
            serde_json::from_str::<ChatRequest>(
                r#"{"conversation_id":"c1","message_id":"m1","text":"hi","locale":"en","extra":1}"#
            )
            .is_err(),
            "unknown fields are refused, so typos surface"
        );
    }

    #[test]
    fn events_are_tagged() {
        let e = ConversationEvent::Queue {
            position: 2,
            estimated_wait_s: 240,
        };
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            r#"{"type":"queue","position":2,"estimated_wait_s":240}"#
        );
        let s = ConversationEvent::Status {
            state: HandoffState::Active,
            agent_name: Some("Li".into()),
        };
        assert_eq!(
            serde_json::to_string(&s).unwrap(),
            r#"{"type":"status","state":"active","agent_name":"Li"}"#
        );
    }

    #[test]
    fn queue_items_from_older_servers_still_read_and_empty_fields_are_left_out() {
        // An item as servers wrote it before `waited_s` and `first_message`.
        let old = r#"{"conversation_id":"c1","ticket_id":"t1","state":"queued","reason":"complaint",
            "locale":"en","text_size":"large","queued_at":"2026-12-07T10:00:00.000Z"}"#;
        let i: QueueItem = serde_json::from_str(old).unwrap();
        assert_eq!((i.waited_s, i.first_message.as_deref()), (0, None));
        let v = serde_json::to_value(&i).unwrap();
        assert_eq!(v["waited_s"], 0);
        assert!(v.get("first_message").is_none() && v.get("agent").is_none());
        let i = QueueItem {
            waited_s: 125,
            first_message: Some("my card [card ••••1111] was charged twice".into()),
            ..i
        };
        let back: QueueItem = serde_json::from_value(serde_json::to_value(&i).unwrap()).unwrap();
        assert_eq!(back, i);
    }
}
