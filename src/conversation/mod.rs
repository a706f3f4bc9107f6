//! The conversation's state: `Chat` (signals the UI reads), its messages and where each comes from
//! (`Origin`). Kept apart from the view code so the flow reads top to bottom: sending a question and
//! the worker's reply are in `ask`, the bank's server (server answers, feedback) in `server`, the
//! hand-off to a person in `handoff`, the history kept for the tab in `history`.

pub(crate) mod ask;
pub(crate) mod handoff;
pub(crate) mod history;
pub(crate) mod server;

use crate::io::Io;
use crate::io::outbox::Link;
use crate::platform::i18n::strings;
use crate::platform::prefs::Prefs;
use assistant_core::answers::Suggestion;
use assistant_core::locale::Lang;
use assistant_core::protocol::{Stage, View};
use leptos::prelude::*;

/// Longest message a customer can send.
pub const MAX_CHARS: usize = 2000;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Author {
    Customer,
    Assistant,
    Agent,
}

/// Where a message in the log comes from: how an answer was reached, or who said it. Its [`name`]
/// (`Origin::name`) is the message's `data-route` in the page, its `route` in the host's events and
/// in the kept history; nothing inside the widget matches on those names.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Origin {
    /// The customer's own message.
    Customer,
    /// The in-browser engine's answer.
    Answer,
    /// The server's knowledge base.
    Kb,
    /// The server's chatbot.
    Server,
    /// A person from the bank's team.
    Agent,
    /// The widget's own notice (masked numbers, errors, a person left, ...).
    Notice,
    /// A complaint or an upset customer: a person is offered (or being connected).
    Handoff,
    /// "Compare A and B": the two product ids, shown side by side.
    Compare { a: String, b: String },
    /// "Did you mean…?": two intents were too close to answer either; the candidates are the chips.
    Clarify,
    /// The server quoted an article of the bank's help centre; the message links it.
    Help { title: String, url: String },
    /// The bank's own chatbot answered (behind ours: the server's `chat.upstream`).
    Upstream,
}

impl Origin {
    /// The name the page, the host's events and the kept history see (`""` for the customer).
    pub fn name(&self) -> &'static str {
        match self {
            Origin::Customer => "",
            Origin::Answer => "answer",
            Origin::Kb => "kb",
            Origin::Server => "server",
            Origin::Agent => "agent",
            Origin::Notice => "notice",
            Origin::Handoff => "handoff",
            Origin::Compare { .. } => "compare",
            Origin::Clarify => "clarify",
            Origin::Help { .. } => "help",
            Origin::Upstream => "upstream",
        }
    }

    /// Reads a [`name`](Origin::name) back (from the kept history); `pair` is the comparison's two
    /// products as they are kept (`"a|b"`, see [`Origin::pair`]). An unknown name is a notice.
    pub fn from_name(name: &str, pair: Option<&str>) -> Origin {
        match name {
            "" => Origin::Customer,
            "answer" => Origin::Answer,
            "kb" => Origin::Kb,
            "server" => Origin::Server,
            "agent" => Origin::Agent,
            "handoff" => Origin::Handoff,
            "clarify" => Origin::Clarify,
            "upstream" => Origin::Upstream,
            "compare" => Origin::compare(pair.unwrap_or_default()),
            "help" => {
                let (url, title) = pair.unwrap_or_default().split_once('|').unwrap_or_default();
                Origin::Help {
                    title: title.to_owned(),
                    url: url.to_owned(),
                }
            }
            _ => Origin::Notice,
        }
    }

    /// A comparison from the worker's and the history's `"a|b"`.
    pub fn compare(pair: &str) -> Origin {
        let (a, b) = pair.split_once('|').unwrap_or_default();
        Origin::Compare {
            a: a.to_owned(),
            b: b.to_owned(),
        }
    }

    /// A comparison's two products as the page, the events and the history carry them (`"a|b"`, in
    /// the message's `intent`, as before there was an `Origin`).
    pub fn pair(&self) -> Option<String> {
        match self {
            Origin::Compare { a, b } => Some(format!("{a}|{b}")),
            // The article's link and title (a URL has no `|` unescaped).
            Origin::Help { title, url } => Some(format!("{url}|{title}")),
            _ => None,
        }
    }
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
    /// How the answer was reached, or who said it.
    pub origin: Origin,
    /// The answer's intent (none for a comparison: its products are in [`Origin::Compare`]).
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
    /// The assistant's name where the bank gave one (`data-title`, `data-title-zh`, `setTitle`): in the
    /// header and on the launcher instead of the default words. English, then Chinese.
    pub names: RwSignal<(Option<String>, Option<String>)>,
    /// The customer wrote in the other language: the widget offers (in theirs) to switch to it.
    pub switch_offer: RwSignal<Option<Lang>>,
    /// How each message is shown, by message id, once known (`None`: as plain text). Answers from
    /// the worker come with theirs; others' are asked for (`ui::products::ready`).
    pub(crate) views: RwSignal<Views>,
    /// What no view watches, in one place (one arena slot: each stored type costs wasm).
    pub(crate) kept: StoredValue<Kept, LocalStorage>,
}

/// The conversation's state that no view watches.
pub(crate) struct Kept {
    /// Questions sent to the worker, by request id: (masked text, message id for the server). Cleared
    /// with the conversation, so a late reply to a forgotten question is dropped.
    pub pending: Vec<(u32, String, String)>,
    /// Messages whose view was asked for (or came with them).
    pub asked: Vec<u32>,
    /// Where the history is kept (`history::persist`, the host's choice).
    pub persist: history::Persist,
    /// The host's "next step" links: product id (or `"*"` for any product) → URL.
    pub product_links: Links,
    /// The offer to switch language was made (once a conversation: never nag).
    pub offered_switch: bool,
    /// A hand-off was just asked for: the stream resumes after the last event this tab saw, so status
    /// events before this hand-off's own `queued` belong to an earlier hand-off in the conversation
    /// (its `cancelled`, recorded after the widget stopped listening) and are skipped.
    pub awaiting_queued: bool,
    /// The worker, the outbox and the event stream: the widget's only I/O handles, made by
    /// `host::mount`.
    pub io: Io,
    next_id: u32,
}

/// What the worker said a message looks like: `None` for plain text. A `BTreeMap`: only looked up by
/// key, and without `HashMap`'s hasher and table code in the first load (~1.7 KB gzip).
pub(crate) type Views = std::collections::BTreeMap<u32, Option<View>>;
/// Product id (or `"*"`) → URL.
pub(crate) type Links = std::collections::BTreeMap<String, String>;

impl Chat {
    pub fn new(
        locale: Lang,
        prefs: Prefs,
        io: Io,
        persist: history::Persist,
        product_links: Links,
    ) -> Self {
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
            names: RwSignal::new((None, None)),
            switch_offer: RwSignal::new(None),
            views: RwSignal::new(Views::new()),
            kept: StoredValue::new_local(Kept {
                pending: Vec::new(),
                asked: Vec::new(),
                persist,
                product_links,
                awaiting_queued: false,
                offered_switch: false,
                io,
                next_id: 1,
            }),
        };
        chat.reset_suggestions();
        chat
    }

    /// The I/O handles (clones of them: cheap).
    pub(crate) fn io(&self) -> Io {
        self.kept.with_value(|k| k.io.clone())
    }

    /// A number unique in this widget: message ids, element ids.
    pub(crate) fn id(&self) -> u32 {
        self.kept
            .try_update_value(|k| {
                k.next_id += 1;
                k.next_id - 1
            })
            .unwrap_or_default()
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

    /// Adds an assistant (or agent) message to the log; returns its id.
    pub(crate) fn say(
        &self,
        text: String,
        lang: Lang,
        origin: Origin,
        intent: Option<String>,
    ) -> u32 {
        self.push(Message {
            id: 0,
            author: if origin == Origin::Agent {
                Author::Agent
            } else {
                Author::Assistant
            },
            text,
            lang,
            origin,
            intent,
            rate: None,
            offer_handoff: false,
        })
    }

    /// The bank's name for the assistant in `lang` (Chinese falls back to the English name: brand
    /// names often go untranslated), if it gave one. Reactive.
    pub fn name(&self, lang: Lang) -> Option<String> {
        self.names.with(|(en, zh)| match lang {
            Lang::En => en.clone(),
            Lang::ZhCn => zh.clone().or_else(|| en.clone()),
        })
    }

    /// Sets the bank's names for the assistant: each trimmed, 1–60 characters, or none.
    pub fn set_names(&self, en: Option<&str>, zh: Option<&str>) -> Result<(), &'static str> {
        let clean = |n: Option<&str>| -> Result<Option<String>, &'static str> {
            match n.map(str::trim).filter(|n| !n.is_empty()) {
                None => Ok(None),
                Some(n) if n.chars().count() <= 60 => Ok(Some(n.to_owned())),
                Some(_) => Err("the assistant's name must be at most 60 characters"),
            }
        };
        let names = (clean(en)?, clean(zh)?);
        self.names.set(names);
        Ok(())
    }

    /// The customer chose the widget's language (the menu, or yes to the offer): switch, and remember
    /// it on this device. (The page's `setLocale` switches without remembering.)
    pub fn choose_locale(&self, lang: Lang) {
        self.switch_offer.set(None);
        crate::platform::prefs::remember_locale(lang);
        if self.locale.get_untracked() != lang {
            self.locale.set(lang);
            self.reset_suggestions();
        }
    }

    /// Records how message `id` is shown (`None`: as plain text); the first answer stays (a view that
    /// arrives after the plain-text wait is dropped: the message is already on screen).
    pub(crate) fn settle_view(&self, id: u32, view: Option<View>) {
        self.views.try_update(|v| {
            v.entry(id).or_insert(view);
        });
    }

    /// Adds a message to the log; returns its id.
    pub(crate) fn push(&self, mut message: Message) -> u32 {
        if message.id == 0 {
            message.id = self.id();
        }
        let id = message.id;
        self.messages.update(|m| m.push(message));
        id
    }
}

#[cfg(test)]
mod tests {
    use super::Origin;
    use wasm_bindgen_test::wasm_bindgen_test;

    /// Each origin's name (the page's `data-route`, the events' and the kept history's `route`) reads
    /// back as the same origin; a comparison keeps its two products as `"a|b"`.
    #[wasm_bindgen_test]
    fn every_origin_reads_back_from_its_name() {
        let compare = Origin::Compare {
            a: "product_mortgage".into(),
            b: "product_sme_loan".into(),
        };
        let all = [
            Origin::Customer,
            Origin::Answer,
            Origin::Kb,
            Origin::Server,
            Origin::Agent,
            Origin::Notice,
            Origin::Handoff,
            Origin::Clarify,
            Origin::Upstream,
            Origin::Help {
                title: "Opening an account for your child".into(),
                url: "https://bank.example/help/child-account?lang=zh-CN".into(),
            },
            compare.clone(),
        ];
        for origin in all {
            let pair = origin.pair();
            assert_eq!(Origin::from_name(origin.name(), pair.as_deref()), origin);
        }
        assert_eq!(
            compare.pair().as_deref(),
            Some("product_mortgage|product_sme_loan")
        );
        assert_eq!(Origin::from_name("something new", None), Origin::Notice);
    }
}
