//! The conversation's dealings with the bank's server: answers the in-browser model could not give,
//! the hand-off to a person (queue, live agent messages, cancel, leaving a message outside opening
//! hours) and feedback on answers.
//!
//! Every request goes through the `outbox` (kept in sessionStorage, retried with backoff, idempotent by
//! id), so nothing the customer sends is lost when the network or the server is down; responses come
//! back here by request kind, even after a reload.

use crate::conversation::{Author, Chat, Handoff, Message, Origin, Rateable};
use crate::io::live;
use crate::io::outbox::{self, Item, Kind, Outcome};
use crate::io::storage::{self, session};
use crate::platform::i18n::strings;
use crate::wire::read as js;
use crate::wire::server::{
    Body, read_chat_response, read_handoff_response, read_hours_description,
};
use assistant_core::api::{
    CancelHandoffRequest, ChatRequest, ClientIntent, ConversationEvent, CustomerMessage,
    FeedbackRequest, HandoffReason, HandoffRequest, HandoffState, LeaveMessageRequest, Role,
    Source, TextSize, TranscriptLine,
};
use assistant_core::locale::Lang;
use assistant_core::routing::Reason;
use leptos::prelude::*;

thread_local! {
    /// A hand-off was just asked for: the stream resumes after the last event this tab saw, so status
    /// events before this hand-off's own `queued` belong to an earlier hand-off in the conversation
    /// (its `cancelled`, recorded after the widget stopped listening) and are skipped.
    static AWAITING_QUEUED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

pub use crate::io::outbox::new_id;

/// This tab's conversation id, made on first use (so nothing is stored before the customer writes).
pub fn conversation_id() -> String {
    outbox::conversation()
}

fn api_text_size(chat: &Chat) -> TextSize {
    if chat.prefs.elder() {
        TextSize::Large
    } else {
        TextSize::Normal
    }
}

/// Queues a request about this tab's conversation (the outbox opens it and adds its secret).
fn queue<T: Body>(kind: Kind, id: String, path: String, body: &T) {
    outbox::push(Item::new(kind, id, conversation_id(), path, body.json()));
}

impl Chat {
    /// Connects to the server at `base` ("" = this page's origin): sends what an earlier page in this
    /// tab left unsent, and picks a hand-off back up.
    pub fn connect(self, base: String) {
        outbox::start(base, self.link, move |item, outcome| {
            self.on_outcome(item, outcome)
        });
        let stored = |key| session().and_then(|s| s.get_item(key).ok().flatten());
        if stored(storage::HANDOFF).is_some() {
            // As it was on the last page; the stream resumes after the last event seen there.
            self.handoff.set(match stored(storage::HANDOFF_AGENT) {
                Some(agent) => Handoff::Active { agent },
                None => Handoff::Requested,
            });
            AWAITING_QUEUED.set(false);
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
    ) {
        let request = ChatRequest {
            conversation_id: conversation_id(),
            message_id: message_id.clone(),
            text,
            locale: lang,
            client_intents: top
                .into_iter()
                .map(|(intent, score)| ClientIntent { intent, score })
                .collect(),
            text_size: api_text_size(&self),
        };
        queue(Kind::Chat, message_id, "/v1/chat".into(), &request);
    }

    /// The customer wants a person (a "talk to a person" button, or the model heard them ask): say so
    /// and join the queue. Once: asking again while waiting for or talking to someone changes nothing.
    pub fn accept_handoff(self, reason: Reason, lang: Lang) {
        if self.handoff.get_untracked() != Handoff::None {
            return;
        }
        self.say(strings(lang).connecting.into(), lang, Origin::Handoff, None);
        self.request_handoff(reason, lang);
    }

    /// Puts the conversation in the queue for a person.
    fn request_handoff(self, reason: Reason, lang: Lang) {
        self.handoff.set(Handoff::Requested);
        let transcript = self.messages.with_untracked(|m| handoff_transcript(m));
        let request = HandoffRequest {
            conversation_id: conversation_id(),
            reason: match reason {
                Reason::Complaint => HandoffReason::Complaint,
                Reason::Distress => HandoffReason::Distress,
                Reason::AskedForPerson => HandoffReason::Requested,
                _ => HandoffReason::Unanswered,
            },
            locale: lang,
            text_size: api_text_size(&self),
            transcript,
        };
        queue(Kind::Handoff, new_id("h"), "/v1/handoff".into(), &request);
    }

    /// The customer goes back to the assistant.
    pub fn cancel_handoff(self) {
        let lang = self.locale.get_untracked();
        live::stop();
        forget_handoff();
        self.handoff.set(Handoff::None);
        self.agent_typing.set(false);
        let request = CancelHandoffRequest {
            conversation_id: conversation_id(),
        };
        queue(
            Kind::CancelHandoff,
            new_id("x"),
            "/v1/handoff/cancel".into(),
            &request,
        );
        self.say(
            strings(lang).back_to_assistant.into(),
            lang,
            Origin::Notice,
            None,
        );
    }

    /// While a person has (or will take) the conversation, or a message is being left, the customer's
    /// text goes to the team. Returns whether it did.
    pub(crate) fn to_people(self, message_id: &str, text: &str, lang: Lang) -> bool {
        match self.handoff.get_untracked() {
            Handoff::Queued { .. } | Handoff::Active { .. } | Handoff::Requested => {
                let body = CustomerMessage {
                    message_id: message_id.into(),
                    text: text.into(),
                };
                let path = format!("/v1/conversations/{}/messages", conversation_id());
                queue(Kind::CustomerMessage, message_id.into(), path, &body);
                true
            }
            Handoff::LeaveMessage => {
                let body = LeaveMessageRequest {
                    conversation_id: conversation_id(),
                    message_id: message_id.into(),
                    text: text.into(),
                    locale: lang,
                };
                queue(
                    Kind::LeaveMessage,
                    message_id.into(),
                    "/v1/leave-message".into(),
                    &body,
                );
                self.handoff.set(Handoff::None);
                true
            }
            Handoff::None => false,
        }
    }

    /// "Helpful" / "not helpful" on an answer, with an optional reason.
    pub fn rate(self, rate: &Rateable, helpful: bool, comment: Option<String>) {
        let body = FeedbackRequest {
            message_id: rate.message_id.clone(),
            helpful,
            comment,
            conversation_id: conversation_id(),
            question: Some(rate.question.clone()),
            intent: rate.intent.clone(),
        };
        queue(Kind::Feedback, new_id("f"), "/v1/feedback".into(), &body);
    }

    fn on_outcome(self, item: &Item, outcome: Outcome) {
        let lang = self.locale.get_untracked();
        let s = strings(lang);
        match (item.kind, outcome) {
            (Kind::Chat, Outcome::Delivered { body, .. }) => {
                self.waiting.update(|w| *w = w.saturating_sub(1));
                let Some(r) = read_chat_response(&body) else {
                    return self.say(s.server_error.into(), lang, Origin::Notice, None);
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
                    origin: match r.source {
                        Source::Kb => Origin::Kb,
                        Source::Agent => Origin::Agent,
                        Source::Server => Origin::Server,
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
                    AWAITING_QUEUED.set(true);
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

    /// Nobody is available now: say when people are back, and offer to leave a message.
    fn outside_hours(self) {
        self.handoff.set(Handoff::LeaveMessage);
        let hours_url = outbox::url("/v1/hours");
        leptos::task::spawn_local(async move {
            let lang = self.locale.get_untracked();
            let s = strings(lang);
            let hours = match outbox::fetch(&hours_url, None, None).await {
                Ok(r) if r.ok => read_hours_description(&r.body),
                _ => None,
            };
            let when = hours.map(|h| h.get(lang).to_owned()).unwrap_or_default();
            self.say(
                format!("{} {when}\n\n{}", s.closed_now, s.leave_message_prompt),
                lang,
                Origin::Notice,
                None,
            );
        });
    }

    fn listen(self) {
        live::listen(
            conversation_id(),
            move |event| self.on_event(event),
            move || self.lost_handoff(),
        );
    }

    /// The server would not give the hand-off's events any more (the conversation or its secret is
    /// gone): the widget stops waiting, says so calmly, and the customer can ask for a person again.
    fn lost_handoff(self) {
        forget_handoff();
        self.agent_typing.set(false);
        if self.handoff.get_untracked() != Handoff::None {
            self.handoff.set(Handoff::None);
            let lang = self.locale.get_untracked();
            self.say(
                strings(lang).server_error.into(),
                lang,
                Origin::Notice,
                None,
            );
        }
    }

    fn on_event(self, event: ConversationEvent) {
        let lang = self.locale.get_untracked();
        let s = strings(lang);
        match event {
            ConversationEvent::Queue {
                position,
                estimated_wait_s,
            } => {
                if !matches!(self.handoff.get_untracked(), Handoff::Active { .. }) {
                    self.handoff.set(Handoff::Queued {
                        position,
                        wait_s: estimated_wait_s,
                    });
                }
            }
            ConversationEvent::Status { state, .. }
                if AWAITING_QUEUED.get() && state != HandoffState::Queued => {}
            ConversationEvent::Status { state, agent_name } => match state {
                HandoffState::Queued => AWAITING_QUEUED.set(false),
                HandoffState::Active => {
                    let agent = agent_name.unwrap_or_else(|| s.an_agent.to_owned());
                    if let Some(st) = session() {
                        let _ = st.set_item(storage::HANDOFF_AGENT, &agent);
                    }
                    if !matches!(self.handoff.get_untracked(), Handoff::Active { .. }) {
                        self.say(
                            s.agent_joined.replace("{agent}", &agent),
                            lang,
                            Origin::Notice,
                            None,
                        );
                    }
                    self.handoff.set(Handoff::Active { agent });
                }
                // Taken out of the queue while away (no event stream, no message for a while).
                HandoffState::Abandoned => {
                    live::stop();
                    forget_handoff();
                    self.agent_typing.set(false);
                    if !matches!(self.handoff.get_untracked(), Handoff::None) {
                        self.handoff.set(Handoff::None);
                        self.say(s.abandoned.into(), lang, Origin::Notice, None);
                    }
                }
                HandoffState::Closed | HandoffState::Cancelled => {
                    live::stop();
                    forget_handoff();
                    self.agent_typing.set(false);
                    if !matches!(self.handoff.get_untracked(), Handoff::None) {
                        self.handoff.set(Handoff::None);
                        self.say(s.agent_left.into(), lang, Origin::Notice, None);
                    }
                }
            },
            ConversationEvent::Typing { typing } => self.agent_typing.set(typing),
            ConversationEvent::Message { role, text, .. } => {
                // The customer's own messages come back too; they are in the log already.
                if role == Role::Agent {
                    self.agent_typing.set(false);
                    // Masked like everything else the widget keeps, shows or reports to the page: an
                    // agent may paste a full card or phone number.
                    let text = assistant_core::pii::mask(&text).text;
                    let msg_lang = Lang::of_text(&text, lang);
                    self.say(text, msg_lang, Origin::Agent, None);
                }
            }
        }
    }
}

/// The transcript sent with a hand-off: the customer's and the assistant's lines only, the last 200
/// of them. The server refuses agent and system lines from a browser (an agent's words are the
/// server's own records already).
fn handoff_transcript(messages: &[Message]) -> Vec<TranscriptLine> {
    let lines: Vec<TranscriptLine> = messages
        .iter()
        .filter_map(|m| {
            let role = match m.author {
                Author::Customer => Role::Customer,
                Author::Assistant => Role::Assistant,
                Author::Agent => return None,
            };
            Some(TranscriptLine {
                role,
                text: m.text.clone(),
            })
        })
        .collect();
    lines[lines.len().saturating_sub(200)..].to_vec()
}

fn remember_handoff(ticket: &str) {
    if let Some(s) = session() {
        let _ = s.set_item(storage::HANDOFF, ticket);
    }
}

fn forget_handoff() {
    if let Some(s) = session() {
        let _ = s.remove_item(storage::HANDOFF);
        let _ = s.remove_item(storage::HANDOFF_AGENT);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn a_handoff_transcript_holds_only_the_customers_and_the_assistants_lines() {
        let message = |author, text: &str| Message {
            id: 0,
            author,
            text: text.into(),
            lang: Lang::En,
            origin: Origin::Customer,
            intent: None,
            rate: None,
            offer_handoff: false,
        };
        let mut log = vec![
            message(Author::Customer, "my card"),
            message(Author::Assistant, "freeze it"),
            message(Author::Agent, "hello, this is Li"),
            message(Author::Customer, "thanks"),
        ];
        let lines = handoff_transcript(&log);
        assert_eq!(
            lines,
            vec![
                TranscriptLine {
                    role: Role::Customer,
                    text: "my card".into()
                },
                TranscriptLine {
                    role: Role::Assistant,
                    text: "freeze it".into()
                },
                TranscriptLine {
                    role: Role::Customer,
                    text: "thanks".into()
                },
            ]
        );
        // The last 200 of them, agent lines not counted.
        log = (0..300)
            .map(|i| {
                message(
                    if i % 2 == 0 {
                        Author::Agent
                    } else {
                        Author::Customer
                    },
                    &i.to_string(),
                )
            })
            .collect();
        let lines = handoff_transcript(&log);
        assert_eq!(lines.len(), 150);
        assert!(lines.iter().all(|l| l.role == Role::Customer));
        log.extend((0..300).map(|i| message(Author::Assistant, &format!("a{i}"))));
        let lines = handoff_transcript(&log);
        assert_eq!(lines.len(), 200);
        assert_eq!(lines[0].text, "a100");
        assert_eq!(lines[199].text, "a299");
    }
}
