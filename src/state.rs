//! The conversation's state and what happens when the customer sends a question or the worker replies.
//! Kept apart from the view code so the flow reads top to bottom.

use crate::bridge;
use crate::i18n::strings;
use crate::prefs::Prefs;
use assistant_core::answers::Suggestion;
use assistant_core::locale::Lang;
use assistant_core::pii;
use assistant_core::protocol::{FromWorker, Reply, Stage, ToWorker};
use assistant_core::routing::Route;
use leptos::prelude::*;

/// Longest message a customer can send.
pub const MAX_CHARS: usize = 2000;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Author {
    Customer,
    Assistant,
}

#[derive(Clone, PartialEq, Debug)]
pub struct Message {
    pub id: u32,
    pub author: Author,
    /// Already masked: the transcript never holds personal numbers.
    pub text: String,
    pub lang: Lang,
    /// For assistant messages: how the answer was reached (`answer`, `handoff`, `server`, `notice`).
    pub route: &'static str,
    pub intent: Option<String>,
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

#[derive(Clone, Copy)]
pub struct Chat {
    pub open: RwSignal<bool>,
    pub locale: RwSignal<Lang>,
    pub messages: RwSignal<Vec<Message>>,
    pub engine: RwSignal<Engine>,
    pub suggestions: RwSignal<Vec<Suggestion>>,
    /// Questions sent and not yet answered.
    pub waiting: RwSignal<u32>,
    pub prefs: Prefs,
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
            next_id: StoredValue::new(1),
        };
        chat.reset_suggestions();
        chat
    }

    fn id(&self) -> u32 {
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
        bridge::start(move |msg| self.on_worker(msg));
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

    fn say(&self, text: String, lang: Lang, route: &'static str, intent: Option<String>) {
        let id = self.id();
        self.messages.update(|m| {
            m.push(Message {
                id,
                author: Author::Assistant,
                text,
                lang,
                route,
                intent,
            })
        });
    }

    fn on_reply(self, r: Reply) {
        self.waiting.update(|w| *w = w.saturating_sub(1));
        let s = strings(r.lang);
        let (text, route) = match (r.route, r.answer) {
            (Route::Answer, Some(a)) => (a, "answer"),
            (Route::Handoff, Some(a)) => (format!("{a}\n\n{}", s.handoff_pending), "handoff"),
            (Route::Handoff, None) => (s.handoff_pending.to_owned(), "handoff"),
            _ => (s.server_pending.to_owned(), "server"),
        };
        self.say(text, r.lang, route, r.intent);
        if r.suggestions.is_empty() {
            self.reset_suggestions();
        } else {
            self.suggestions.set(r.suggestions);
        }
    }

    /// Sends a question (`chip_intent`: the intent of a tapped suggestion chip). Returns an error message for the customer, or `Ok(false)` when there was
    /// nothing to send.
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
        self.messages.update(|m| {
            m.push(Message {
                id,
                author: Author::Customer,
                text: masked.text.clone(),
                lang,
                route: "",
                intent: None,
            })
        });
        if !masked.found.is_empty() {
            self.say(strings(lang).masked_notice.into(), lang, "notice", None);
        }
        self.start_engine();
        if self.engine.get_untracked() == Engine::Failed {
            self.say(strings(lang).server_pending.into(), lang, "server", None);
            return Ok(true);
        }
        self.waiting.update(|w| *w += 1);
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
