//! The conversation's dealings with the bank's server: answers the in-browser model could not give,
//! feedback on answers, and the outcomes of every request (the hand-off's own flow is in `handoff`).
//!
//! Every request goes through the `outbox` (kept in sessionStorage, retried with backoff, idempotent by
//! id), so nothing the customer sends is lost when the network or the server is down; responses come
//! back here by request kind, even after a reload.

use super::handoff::remember_handoff;
use crate::conversation::{Author, Chat, Handoff, Message, Origin, Rateable};
use crate::io::outbox::{Item, Kind, Outcome};
use crate::io::storage::{self, session};
use crate::platform::i18n::strings;
use crate::wire::read as js;
use crate::wire::server::{Body, read_chat_response, read_handoff_response};
use assistant_core::api::{
    ChatRequest, ClientIntent, FeedbackRequest, MAX_RECENT, Role, Source, TextSize, TranscriptLine,
};
use assistant_core::locale::Lang;
use leptos::prelude::*;

pub use crate::io::outbox::new_id;

pub(super) fn api_text_size(chat: &Chat) -> TextSize {
    if chat.prefs.elder() {
        TextSize::Large
    } else {
        TextSize::Normal
    }
}

/// The conversation before `question`, for the server to read a follow-up against ("and how much
/// does that cost?"): the customer's and the assistant's last lines (already masked, as the
/// transcript always is), at most `MAX_RECENT`, each cut to `RECENT_CHARS`.
pub(super) fn recent_lines(messages: &[Message], question: &str) -> Vec<TranscriptLine> {
    let mut lines = super::handoff::handoff_transcript(messages);
    if lines
        .last()
        .is_some_and(|l| l.role == Role::Customer && l.text == question)
    {
        lines.pop();
    }
    let lines: Vec<TranscriptLine> = lines
        .into_iter()
        .filter(|l| !l.text.trim().is_empty())
        .map(|l| TranscriptLine {
            role: l.role,
            text: l.text.chars().take(RECENT_CHARS).collect(),
        })
        .collect();
    lines[lines.len().saturating_sub(MAX_RECENT)..].to_vec()
}

/// The longest line of the recent conversation sent with a server question.
const RECENT_CHARS: usize = 500;

/// The longest comment sent with a rating.
pub const COMMENT_CHARS: usize = 300;

impl Chat {
    /// This tab's conversation id, made on first use (so nothing is stored before the customer writes).
    pub fn conversation_id(&self) -> String {
        self.io().outbox.conversation()
    }

    /// Queues a request about this tab's conversation (the outbox opens it and adds its secret).
    pub(super) fn queue<T: Body>(&self, kind: Kind, id: String, path: String, body: &T) {
        let conversation = self.conversation_id();
        let io = self.io();
        io.outbox
            .push(Item::new(kind, id, conversation, path, body.json()));
        // The counts of in-browser outcomes go with the next server call (at most once a minute).
        io.telemetry.flush(false);
    }

    /// Connects to the server at `base` ("" = this page's origin): sends what an earlier page in this
    /// tab left unsent, and picks a hand-off back up.
    pub fn connect(self, base: String) {
        let io = self.io();
        io.outbox.start(base, self.link, move |item, outcome| {
            self.on_outcome(item, outcome)
        });
        io.telemetry.start(io.outbox.url("/v1/telemetry"));
        let stored = |key| session().and_then(|s| s.get_item(key).ok().flatten());
        if stored(storage::HANDOFF).is_some() {
            // As it was on the last page; the stream resumes after the last event seen there.
            self.handoff.set(match stored(storage::HANDOFF_AGENT) {
                Some(agent) => Handoff::Active { agent },
                None => Handoff::Requested,
            });
            self.kept.update_value(|k| k.awaiting_queued = false);
            self.listen();
        }
    }

    /// Asks the server chatbot (the model was unsure, or is unavailable on this device).
    pub(crate) fn ask_server(
        self,
        message_id: String,
        text: String,
        lang: Lang,
        top: Vec<(String, f32)>,
        chosen: Option<String>,
    ) {
        let recent = self.messages.with_untracked(|m| recent_lines(m, &text));
        let request = ChatRequest {
            conversation_id: self.conversation_id(),
            message_id: message_id.clone(),
            text,
            recent,
            locale: lang,
            client_intents: top
                .into_iter()
                .map(|(intent, score)| ClientIntent { intent, score })
                .collect(),
            text_size: api_text_size(&self),
            chosen,
        };
        self.queue(Kind::Chat, message_id, "/v1/chat".into(), &request);
    }

    /// "Helpful" / "not helpful" on an answer, with an optional reason.
    /// Rates an answer: `reason` is one of the offered reasons, `comment` what the customer typed
    /// (masked here and cut to `COMMENT_CHARS`). The question of an answer the browser gave itself goes
    /// with the rating only when the customer wrote a comment: a tap on "not helpful" alone sends the
    /// answer's intent, never the customer's words.
    pub fn rate(self, rate: &Rateable, helpful: bool, reason: Option<&str>, comment: Option<&str>) {
        self.io().telemetry.rated(&rate.message_id, helpful);
        let comment = comment.map(str::trim).filter(|c| !c.is_empty()).map(|c| {
            assistant_core::pii::mask(&c.chars().take(COMMENT_CHARS).collect::<String>()).text
        });
        let question = comment.is_some().then(|| rate.question.clone());
        let comment = match (reason, comment) {
            (Some(r), Some(c)) => Some(format!("{r}: {c}")),
            (Some(r), None) => Some(r.to_owned()),
            (None, c) => c,
        };
        let body = FeedbackRequest {
            message_id: rate.message_id.clone(),
            helpful,
            comment,
            conversation_id: self.conversation_id(),
            question,
            intent: rate.intent.clone(),
        };
        self.queue(Kind::Feedback, new_id("f"), "/v1/feedback".into(), &body);
    }

    fn on_outcome(self, item: &Item, outcome: Outcome) {
        let lang = self.locale.get_untracked();
        let s = strings(lang);
        match (item.kind, outcome) {
            (Kind::Chat, Outcome::Delivered { body, .. }) => {
                self.waiting.update(|w| *w = w.saturating_sub(1));
                let Some(r) = read_chat_response(&body) else {
                    {
                        self.say(s.server_error.into(), lang, Origin::Notice, None);
                        return;
                    }
                };
                // The question, from the request this answers (the outbox keeps its JSON).
                let question = js::parse(&item.body)
                    .and_then(|q| js::string(&q, "text"))
                    .unwrap_or_default();
                self.push(Message {
                    id: 0,
                    author: Author::Assistant,
                    text: r.text,
                    lang: r.lang,
                    origin: match (r.source, r.article) {
                        (Source::Help, Some(a)) => Origin::Help {
                            title: a.title,
                            // The server's own rendering is relative to the server, not this page.
                            url: if a.url.starts_with('/') {
                                self.io().outbox.url(&a.url)
                            } else {
                                a.url
                            },
                        },
                        (Source::Upstream, _) => Origin::Upstream,
                        (Source::Agent, _) => Origin::Agent,
                        (Source::Server, _) => Origin::Server,
                        (Source::Kb | Source::Help, _) => Origin::Kb,
                    },
                    intent: r.intent.clone(),
                    rate: Some(Rateable {
                        message_id: r.message_id,
                        question,
                        intent: r.intent,
                    }),
                    offer_handoff: r.offer_handoff,
                });
                if !r.suggestions.is_empty() {
                    self.suggestions.set(r.suggestions);
                }
            }
            (Kind::Handoff, Outcome::Delivered { body, .. }) => {
                // Cancelled (or the conversation cleared) while the request was on its way: the
                // cancellation follows it in the outbox, so there is nothing to listen to.
                let cancelled = self.handoff.get_untracked() == Handoff::None;
                if let Some(t) = read_handoff_response(&body)
                    && !cancelled
                {
                    remember_handoff(&t.ticket_id);
                    if matches!(self.handoff.get_untracked(), Handoff::Requested) {
                        self.handoff.set(Handoff::Queued {
                            position: t.position,
                            wait_s: t.estimated_wait_s,
                        });
                    }
                    self.kept.update_value(|k| k.awaiting_queued = true);
                    self.listen();
                }
            }
            (Kind::Handoff, Outcome::Refused { code, .. }) if code == "outside_hours" => {
                self.outside_hours();
            }
            (Kind::LeaveMessage, Outcome::Delivered { .. }) => {
                self.say(s.message_left.into(), lang, Origin::Notice, None);
            }
            (Kind::Chat, Outcome::Refused { code, message }) => {
                self.waiting.update(|w| *w = w.saturating_sub(1));
                self.refused(&code, message);
            }
            (Kind::Handoff, Outcome::Refused { code, message }) => {
                self.handoff.set(Handoff::None);
                self.refused(&code, message);
            }
            (Kind::CustomerMessage | Kind::LeaveMessage, Outcome::Refused { code, message }) => {
                self.refused(&code, message)
            }
            // Feedback, cancel and accepted messages need no words.
            _ => {}
        }
    }

    /// A request the server will never accept: say so calmly, with the server's own explanation.
    /// `not_found` (the conversation or its hand-off is not there for this tab any more, even after
    /// opening it again: see `outbox::reopen`) gets the plain apology: its explanation is for developers.
    fn refused(self, code: &str, message: String) {
        let lang = self.locale.get_untracked();
        let s = strings(lang);
        let text = if message.is_empty() || code == "not_found" {
            s.server_error.to_owned()
        } else {
            format!("{} {message}", s.not_sent)
        };
        self.say(text, lang, Origin::Notice, None);
    }
}
