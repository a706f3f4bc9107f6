//! The conversation's state and what happens when the customer sends a question or the worker replies.
//! Kept apart from the view code so the flow reads top to bottom. What involves the bank's server (server
//! answers, hand-off to a person, feedback) is in `service`.

use crate::bridge;
use crate::i18n::strings;
use crate::outbox::Link;
use crate::prefs::Prefs;
use assistant_core::answers::Suggestion;
use assistant_core::locale::Lang;
use assistant_core::pii;
use assistant_core::protocol::{FromWorker, Reply, Stage, ToWorker};
use assistant_core::routing::{Reason, Route};
use leptos::prelude::*;

/// Longest message a customer can send.
pub const MAX_CHARS: usize = 2000;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Author {
    Customer,
    Assistant,
    Agent,
}

/// What a "helpful / not helpful" rating of an answer refers to.
#[derive(Clone, PartialEq, Debug)]
pub struct Rateable {
    /// The id of the question this message answers (the server knows answers by it).
    pub message_id: String,
    /// The masked question, for answers the browser gave itself (the server never saw them).
    pub question: String,
    pub intent: Option<String>,
}

#[derive(Clone, PartialEq, Debug)]
pub struct Message {
    pub id: u32,
    pub author: Author,
    /// Already masked: the transcript never holds personal numbers.
    pub text: String,
    pub lang: Lang,
    /// For assistant messages: how the answer was reached (`answer`, `handoff`, `server`, `kb`, `agent`,
    /// `notice`).
    pub route: &'static str,
    pub intent: Option<String>,
    /// Answers can be rated.
    pub rate: Option<Rateable>,
    /// Show a "talk to a person" button with this message.
    pub offer_handoff: bool,
}

/// Where the in-browser engine is.
#[derive(Clone, Copy, PartialEq, Debug)]
pub enum Engine {
    Idle,
    Loading {
        stage: Stage,
        loaded: u64,
        total: u64,
    },
    Ready,
    Failed,
}

impl Engine {
    /// The state's name for the status line's `data-engine` (tests and styles read it): the variant in
    /// lower case.
    pub fn name(&self) -> &'static str {
        match self {
            Engine::Idle => "idle",
            Engine::Loading { .. } => "loading",
            Engine::Ready => "ready",
            Engine::Failed => "failed",
        }
    }
}

/// Where a hand-off to a person is.
#[derive(Clone, PartialEq, Debug, Default)]
pub enum Handoff {
    #[default]
    None,
    /// Asked for; waiting for the server to queue it.
    Requested,
    Queued {
        position: u32,
        wait_s: u32,
    },
    Active {
        agent: String,
    },
    /// Outside opening hours: the next message the customer sends is left for the team.
    LeaveMessage,
}

#[derive(Clone, Copy)]
pub struct Chat {
    pub open: RwSignal<bool>,
    pub locale: RwSignal<Lang>,
    pub messages: RwSignal<Vec<Message>>,
    pub engine: RwSignal<Engine>,
    pub suggestions: RwSignal<Vec<Suggestion>>,
    /// Questions sent and not yet answered (by the worker or the server).
    pub waiting: RwSignal<u32>,
    pub prefs: Prefs,
    pub handoff: RwSignal<Handoff>,
    pub agent_typing: RwSignal<bool>,
    /// Whether requests to the server are waiting for the network.
    pub link: RwSignal<Link>,
    /// Questions the worker has routed, by widget message id: (masked text, message id for the server).
    pub(crate) pending: StoredValue<Vec<(u32, String, String)>>,
    next_id: StoredValue<u32>,
}

impl Chat {
    pub fn new(locale: Lang, prefs: Prefs) -> Self {
        let chat = Self {
            prefs,
            open: RwSignal::new(false),
            locale: RwSignal::new(locale),
            messages: RwSignal::new(Vec::new()),
            engine: RwSignal::new(Engine::Idle),
            suggestions: RwSignal::new(Vec::new()),
            waiting: RwSignal::new(0),
            handoff: RwSignal::new(Handoff::None),
            agent_typing: RwSignal::new(false),
            link: RwSignal::new(Link::Ok),
            pending: StoredValue::new(Vec::new()),
            next_id: StoredValue::new(1),
        };
        chat.reset_suggestions();
        chat
    }

    pub(crate) fn id(&self) -> u32 {
        let id = self.next_id.get_value();
        self.next_id.set_value(id + 1);
        id
    }

    pub fn reset_suggestions(&self) {
        let s = strings(self.locale.get_untracked());
        self.suggestions.set(
            s.starters
                .iter()
                .map(|(intent, text)| Suggestion {
                    intent: (*intent).into(),
                    text: (*text).into(),
                })
                .collect(),
        );
    }

    /// Starts the engine's worker (idempotent).
    pub fn start_engine(self) {
        if self.engine.get_untracked() != Engine::Idle {
            return;
        }
        self.engine.set(Engine::Loading {
            stage: Stage::Downloading,
            loaded: 0,
            total: 3,
        });
        bridge::start(crate::products::on_message, move |msg| self.on_worker(msg));
    }

    fn on_worker(self, msg: FromWorker) {
        match msg {
            FromWorker::Booted => {}
            FromWorker::Progress {
                stage,
                loaded,
                total,
            } => self.engine.set(Engine::Loading {
                stage,
                loaded,
                total,
            }),
            FromWorker::Ready { .. } => self.engine.set(Engine::Ready),
            FromWorker::Failed { message } => {
                web_sys::console::warn_1(
                    &format!("assistant: instant answers unavailable: {message}").into(),
                );
                self.engine.set(Engine::Failed);
                // Questions already sent are still answered: after a failed load the worker replies
                // to each with the server route, so nothing is said twice here.
            }
            FromWorker::Reply(reply) => self.on_reply(reply),
        }
    }

    /// Adds an assistant (or agent) message to the log.
    pub(crate) fn say(
        &self,
        text: String,
        lang: Lang,
        route: &'static str,
        intent: Option<String>,
    ) {
        self.push(Message {
            id: 0,
            author: if route == "agent" {
                Author::Agent
            } else {
                Author::Assistant
            },
            text,
            lang,
            route,
            intent,
            rate: None,
            offer_handoff: false,
        });
    }

    pub(crate) fn push(&self, mut message: Message) {
        if message.id == 0 {
            message.id = self.id();
        }
        self.messages.update(|m| m.push(message));
    }

    /// The masked question and its server message id, for a worker reply.
    fn take_pending(&self, id: u32) -> Option<(String, String)> {
        let mut found = None;
        self.pending.update_value(|p| {
            if let Some(i) = p.iter().position(|(pid, _, _)| *pid == id) {
                let (_, text, mid) = p.remove(i);
                found = Some((text, mid));
            }
        });
        found
    }

    fn on_reply(self, r: Reply) {
        let Some((question, message_id)) = self.take_pending(r.id) else {
            return;
        };
        match (r.route, r.answer) {
            // "Compare A and B" (issue #5): the worker's introduction, then a side-by-side table.
            (_, Some(intro)) if r.compare.is_some() => {
                self.waiting.update(|w| *w = w.saturating_sub(1));
                self.say(intro, r.lang, "compare", r.compare);
            }
            (Route::Answer, Some(answer)) => {
                self.waiting.update(|w| *w = w.saturating_sub(1));
                self.push(Message {
                    id: 0,
                    author: Author::Assistant,
                    text: answer,
                    lang: r.lang,
                    route: "answer",
                    intent: r.intent.clone(),
                    rate: Some(Rateable {
                        message_id,
                        question,
                        intent: r.intent,
                    }),
                    offer_handoff: false,
                });
            }
            // The customer asked for a person: they get one.
            (Route::Handoff, _) if r.reason == Reason::AskedForPerson => {
                self.waiting.update(|w| *w = w.saturating_sub(1));
                self.accept_handoff(r.reason, r.lang);
            }
            // A complaint or an upset customer: the answer, and a person offered.
            (Route::Handoff, answer) => {
                self.waiting.update(|w| *w = w.saturating_sub(1));
                self.push(Message {
                    id: 0,
                    author: Author::Assistant,
                    text: answer.unwrap_or_else(|| strings(r.lang).connecting.to_owned()),
                    lang: r.lang,
                    route: "handoff",
                    intent: r.intent,
                    rate: None,
                    offer_handoff: true,
                });
            }
            // Unsure or out of scope: the bank's server chatbot answers (still waiting).
            _ => self.ask_server(message_id, question, r.lang, r.top),
        }
        if r.suggestions.is_empty() {
            self.reset_suggestions();
        } else {
            self.suggestions.set(r.suggestions);
        }
    }

    /// Sends a question (`chip_intent`: the intent of a tapped suggestion chip). Returns an error message
    /// for the customer, or `Ok(false)` when there was nothing to send.
    pub fn send(self, raw: &str, chip_intent: Option<String>) -> Result<bool, &'static str> {
        let text = raw.trim();
        if text.is_empty() {
            return Ok(false);
        }
        let locale = self.locale.get_untracked();
        if text.chars().count() > MAX_CHARS {
            return Err(strings(locale).too_long);
        }
        let masked = pii::mask(text);
        let lang = Lang::of_text(&masked.text, locale);
        let id = self.id();
        self.push(Message {
            id,
            author: Author::Customer,
            text: masked.text.clone(),
            lang,
            route: "",
            intent: None,
            rate: None,
            offer_handoff: false,
        });
        if !masked.found.is_empty() {
            self.say(strings(lang).masked_notice.into(), lang, "notice", None);
        }
        let message_id = crate::outbox::new_id("m");
        // With a person (or waiting for one, or leaving a message): the text goes to the bank's team.
        if self.to_people(&message_id, &masked.text, lang) {
            return Ok(true);
        }
        self.start_engine();
        self.waiting.update(|w| *w += 1);
        if self.engine.get_untracked() == Engine::Failed {
            // No instant answers on this device: the server answers everything.
            self.ask_server(message_id, masked.text, lang, Vec::new());
            return Ok(true);
        }
        self.pending
            .update_value(|p| p.push((id, masked.text.clone(), message_id)));
        bridge::send(&ToWorker::Classify {
            id,
            text: masked.text,
            locale,
            simple: self.prefs.text_size.get_untracked().elder(),
            intent: chip_intent,
        });
        Ok(true)
    }
}
