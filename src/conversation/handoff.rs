//! The hand-off to a person: asking for one (or being given one when the model heard the customer
//! ask), the queue and the live conversation with an agent (its events through `io::live`), going
//! back to the assistant, and leaving a message outside opening hours. The requests go through the
//! outbox like every other (`server`), which hands their outcomes back to `Chat::on_outcome`.

use super::server::api_text_size;
use crate::conversation::{Author, Chat, Handoff, Message, Origin};
use crate::io::outbox::{Kind, new_id};
use crate::io::storage::{self, session};
use crate::platform::i18n::strings;
use crate::wire::server::read_hours_description;
use assistant_core::api::{
    CancelHandoffRequest, ConversationEvent, CustomerMessage, HandoffReason, HandoffRequest,
    HandoffState, LeaveMessageRequest, Role, TranscriptLine,
};
use assistant_core::locale::Lang;
use assistant_core::routing::Reason;
use leptos::prelude::*;

impl Chat {
    /// The customer wants a person (a "talk to a person" button, or the model heard them ask): say so
    /// and join the queue. Once: asking again while waiting for or talking to someone changes nothing.
    pub fn accept_handoff(self, reason: Reason, lang: Lang) {
        if self.handoff.get_untracked() != Handoff::None {
            return;
        }
        self.io().telemetry.asked_for_person();
        self.say(strings(lang).connecting.into(), lang, Origin::Handoff, None);
        self.request_handoff(reason, lang);
    }

    /// Puts the conversation in the queue for a person.
    pub(super) fn request_handoff(self, reason: Reason, lang: Lang) {
        self.handoff.set(Handoff::Requested);
        let transcript = self.messages.with_untracked(|m| handoff_transcript(m));
        let request = HandoffRequest {
            conversation_id: self.conversation_id(),
            reason: match reason {
                Reason::Complaint => HandoffReason::Complaint,
                Reason::Distress => HandoffReason::Distress,
                Reason::AskedForPerson => HandoffReason::Requested,
                Reason::Scam => HandoffReason::Scam,
                _ => HandoffReason::Unanswered,
            },
            locale: lang,
            text_size: api_text_size(&self),
            transcript,
        };
        self.queue(Kind::Handoff, new_id("h"), "/v1/handoff".into(), &request);
    }

    /// The customer goes back to the assistant.
    pub fn cancel_handoff(self) {
        let lang = self.locale.get_untracked();
        self.io().live.stop();
        forget_handoff();
        self.handoff.set(Handoff::None);
        self.agent_typing.set(false);
        let request = CancelHandoffRequest {
            conversation_id: self.conversation_id(),
        };
        self.queue(
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
                let path = format!("/v1/conversations/{}/messages", self.conversation_id());
                self.queue(Kind::CustomerMessage, message_id.into(), path, &body);
                true
            }
            Handoff::LeaveMessage => {
                let body = LeaveMessageRequest {
                    conversation_id: self.conversation_id(),
                    message_id: message_id.into(),
                    text: text.into(),
                    locale: lang,
                };
                self.queue(
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

    /// Nobody is available now: say when people are back, and offer to leave a message.
    pub(super) fn outside_hours(self) {
        self.handoff.set(Handoff::LeaveMessage);
        let hours_url = self.io().outbox.url("/v1/hours");
        leptos::task::spawn_local(async move {
            let lang = self.locale.get_untracked();
            let s = strings(lang);
            let hours = match crate::io::outbox::fetch(&hours_url, None, None).await {
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

    pub(super) fn listen(self) {
        self.io().live.listen(
            self.conversation_id(),
            move |event| self.on_event(event),
            move || self.lost_handoff(),
        );
    }

    /// The server would not give the hand-off's events any more (the conversation or its secret is
    /// gone): the widget stops waiting, says so calmly, and the customer can ask for a person again.
    pub(super) fn lost_handoff(self) {
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

    pub(super) fn on_event(self, event: ConversationEvent) {
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
                if self.kept.with_value(|k| k.awaiting_queued) && state != HandoffState::Queued => {
            }
            ConversationEvent::Status { state, agent_name } => match state {
                HandoffState::Queued => self.kept.update_value(|k| k.awaiting_queued = false),
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
                    self.io().live.stop();
                    forget_handoff();
                    self.agent_typing.set(false);
                    if !matches!(self.handoff.get_untracked(), Handoff::None) {
                        self.handoff.set(Handoff::None);
                        self.say(s.abandoned.into(), lang, Origin::Notice, None);
                    }
                }
                HandoffState::Closed | HandoffState::Cancelled => {
                    self.io().live.stop();
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
pub(super) fn handoff_transcript(messages: &[Message]) -> Vec<TranscriptLine> {
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

pub(super) fn remember_handoff(ticket: &str) {
    if let Some(s) = session() {
        let _ = s.set_item(storage::HANDOFF, ticket);
    }
}

pub(super) fn forget_handoff() {
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
