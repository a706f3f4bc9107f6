//! The widget's face to the host page. The loader (`public/embed/assistant.js`, plain JS) owns the
//! page-facing API (`window.BankAssistant`, the `<bank-assistant>` element's methods, queuing calls made
//! before the wasm is ready, CustomEvents, input checks); this module is the small Rust end of it:
//! [`mount`] starts the Leptos app inside the container the loader made in the shadow root, and
//! returns a [`Widget`] whose `command(name, arg)` drives the conversation. Events go back through one
//! JS callback `emit(name, detailJson)`.
//!
//! Why so little here: every byte of this module counts toward the first-load budget, and JS glue in
//! the loader is cheaper than Leptos code. Event payloads are built from the transcript, which holds
//! only masked text (`conversation::Chat::send` masks before keeping anything), so no raw PII leaves.

use crate::conversation::{Author, Chat, Engine, Handoff};
use crate::io::Io;
use crate::io::outbox::{Link, Unreached};
use crate::platform::prefs::{Prefs, TextSize};
use crate::wire::write::Obj;
use assistant_core::locale::Lang;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;

/// What the loader passes to [`mount`] (JSON, camelCase keys): the `data-*` settings of the tag.
struct Config {
    locale: Option<String>,
    text_size: Option<String>,
    theme: Option<String>,
    /// The bank's server; empty for the page's own origin.
    server: String,
    /// `data-persist` (`local`, `none`; default: this tab) and `data-persist-hours`.
    persist: Option<String>,
    persist_hours: Option<String>,
    /// `data-product-links`: JSON, product id (or `"*"`) → URL.
    product_links: Option<String>,
    /// `data-title`, `data-title-zh`: the assistant's name, where the bank gives one.
    title: Option<String>,
    title_zh: Option<String>,
    /// `data-telemetry`: `off` sends no counts (`io::telemetry`).
    telemetry: Option<String>,
}

impl Config {
    /// Reads the loader's JSON with the browser's parser (`wire::read`), as the derived serde reader
    /// did: unknown keys are ignored, a missing (or null) setting is `None`, any other non-string is
    /// an error.
    fn read(json: &str) -> Option<Config> {
        use crate::wire::read::{opt_string, parse};
        let o = parse(json)?;
        Some(Config {
            locale: opt_string(&o, "locale")?,
            text_size: opt_string(&o, "textSize")?,
            theme: opt_string(&o, "theme")?,
            server: opt_string(&o, "server")?.unwrap_or_default(),
            persist: opt_string(&o, "persist")?,
            persist_hours: opt_string(&o, "persistHours")?,
            product_links: opt_string(&o, "productLinks")?,
            title: opt_string(&o, "title")?,
            title_zh: opt_string(&o, "titleZh")?,
            telemetry: opt_string(&o, "telemetry")?,
        })
    }
}

/// A mounted widget; the loader keeps it and calls [`Widget::command`].
#[wasm_bindgen]
pub struct Widget {
    chat: Chat,
    _owner: Owner,
}

/// Mounts the widget into `container` (inside the loader's shadow root). `config` is JSON
/// ([`Config`]), `assets` the hashed asset URLs (JSON, read by `io::worker`), `emit` is called as
/// `emit(event, detailJson)`.
#[wasm_bindgen]
pub fn mount(
    container: web_sys::HtmlElement,
    config: &str,
    assets: String,
    emit: js_sys::Function,
) -> Result<Widget, JsError> {
    let config = Config::read(config)
        .ok_or_else(|| JsError::new("the widget's configuration is not the loader's JSON"))?;
    let persist = crate::conversation::history::persist(
        config.persist.as_deref(),
        config.persist_hours.as_deref(),
    );
    // `data-product-links` comes from the widget's own tag (passed by the loader), never from
    // elsewhere in the page, where user content could plant one. Bad JSON means no links.
    let product_links = config
        .product_links
        .as_deref()
        .and_then(crate::wire::read::parse)
        .and_then(|o| crate::wire::read::string_map(&o))
        .unwrap_or_default();
    // The customer's own earlier choice, else the page's language (its tag's `data-locale`, then the
    // page's `lang`), else the browser's.
    let page_lang = || {
        let lang = web_sys::window()?
            .document()?
            .document_element()?
            .get_attribute("lang")?;
        Lang::from_tag(&lang)
    };
    let locale = crate::platform::prefs::remembered_locale()
        .or_else(|| config.locale.as_deref().and_then(Lang::from_tag))
        .or_else(page_lang)
        .or_else(|| {
            web_sys::window()
                .and_then(|w| w.navigator().language())
                .and_then(|t| Lang::from_tag(&t))
        })
        .unwrap_or_default();
    let owner = Owner::new();
    let chat = owner.with(|| {
        let prefs = Prefs::load(config.text_size.as_deref(), config.theme.as_deref());
        // The widget's only I/O handles, kept by the conversation from here on.
        let io = Io::new(assets);
        io.telemetry
            .set_on(config.telemetry.as_deref() != Some("off"));
        let chat = Chat::new(locale, prefs, io, persist, product_links);
        if let Err(e) = chat.set_names(config.title.as_deref(), config.title_zh.as_deref()) {
            web_sys::console::warn_1(
                &format!("assistant: data-title: {e}; the default name is used").into(),
            );
        }
        // Every component finds the conversation (element ids, the worker for calculators).
        provide_context(chat);
        chat
    });
    let server = config.server;
    owner.with(|| {
        // Mounting also starts Leptos' task executor, which the effects in `watch` need.
        leptos::mount::mount_to(
            container,
            move || leptos::view! { <crate::ui::app::App chat=chat server=server/> },
        )
        .forget();
        watch(chat, emit);
    });
    Ok(Widget {
        chat,
        _owner: owner,
    })
}

#[wasm_bindgen]
impl Widget {
    /// One API call: `open`, `close`, `toggle`, `locale` (a tag), `textSize` (a size name), `ask`
    /// (text), `reset`, `telemetry` (`on` / `off`). Returns an error message for the caller, or undefined.
    pub fn command(&self, name: &str, arg: JsValue) -> Option<String> {
        let chat = self.chat;
        let text = arg.as_string().unwrap_or_default();
        match name {
            "open" => open(chat, true),
            "close" => open(chat, false),
            "toggle" => open(chat, !chat.open.get_untracked()),
            "locale" => match Lang::from_tag(&text) {
                Some(lang) => {
                    chat.locale.set(lang);
                    chat.reset_suggestions();
                }
                None => return Some(format!("unsupported locale {text:?} (use en or zh-CN)")),
            },
            "textSize" => match TextSize::parse(&text) {
                // The host's choice for this page; only the customer's own choice is remembered.
                Some(size) => chat.prefs.text_size.set(size),
                None => return Some(format!("unknown text size {text:?}")),
            },
            "ask" => {
                open(chat, true);
                if let Err(e) = chat.send(&text, None) {
                    return Some(e.to_owned());
                }
            }
            // The same as the customer's "Clear conversation": the transcript kept for the tab and
            // the conversation id go too.
            "reset" => chat.clear_conversation(),
            // `setTelemetry(on)`: the counts of in-browser outcomes (`io::telemetry`).
            "telemetry" => match text.as_str() {
                "on" | "off" => chat.io().telemetry.set_on(text == "on"),
                _ => return Some("setTelemetry takes true or false".to_owned()),
            },
            // `setTitle(name, nameZh)`: JSON `{"title": …, "titleZh": …}` from the loader.
            "title" => {
                use crate::wire::read::{opt_string, parse};
                let names = parse(&text)
                    .and_then(|o| Some((opt_string(&o, "title")?, opt_string(&o, "titleZh")?)));
                let Some((en, zh)) = names else {
                    return Some("setTitle takes one or two strings".to_owned());
                };
                if let Err(e) = chat.set_names(en.as_deref(), zh.as_deref()) {
                    return Some(e.to_owned());
                }
            }
            _ => return Some(format!("unknown command {name:?}")),
        }
        None
    }
}

fn open(chat: Chat, open: bool) {
    if open {
        chat.start_engine();
    }
    chat.open.set(open);
}

/// An event's `detail`, written as JSON by [`Detail::json`] (camelCase keys; `None` fields left out).
#[derive(Default)]
struct Detail<'a> {
    author: Option<&'a str>,
    text: Option<&'a str>,
    lang: Option<&'a str>,
    route: Option<&'a str>,
    /// Present (possibly null) on messages only.
    intent: Option<Option<&'a str>>,
    state: Option<&'a str>,
    position: Option<u32>,
    wait_seconds: Option<u32>,
    agent: Option<&'a str>,
    code: Option<&'a str>,
    message: Option<&'a str>,
}

impl Detail<'_> {
    /// The JSON the loader parses (see `wire::write`; the shape serde wrote before).
    fn json(&self) -> String {
        let mut o = Obj::new()
            .opt_str("author", self.author)
            .opt_str("text", self.text)
            .opt_str("lang", self.lang)
            .opt_str("route", self.route);
        match self.intent {
            Some(Some(intent)) => o = o.str("intent", intent),
            Some(None) => o = o.null("intent"),
            None => {}
        }
        o = o.opt_str("state", self.state);
        if let Some(position) = self.position {
            o = o.uint("position", position);
        }
        if let Some(wait) = self.wait_seconds {
            o = o.uint("waitSeconds", wait);
        }
        o.opt_str("agent", self.agent)
            .opt_str("code", self.code)
            .opt_str("message", self.message)
            .done()
    }
}

/// Turns state changes into the API's events.
fn watch(chat: Chat, emit: js_sys::Function) {
    let send = move |name: &str, detail: Detail| {
        let json = detail.json();
        let _ = emit.call2(
            &JsValue::NULL,
            &JsValue::from_str(name),
            &JsValue::from_str(&json),
        );
    };
    // Changes are compared with the state when `watch` ran (effects first run a tick later, after
    // the loader may already have replayed queued calls).
    let emit_open = send.clone();
    let was_open = StoredValue::new(chat.open.get_untracked());
    Effect::new(move |_| {
        let open = chat.open.get();
        if open != was_open.get_value() {
            was_open.set_value(open);
            emit_open(if open { "open" } else { "close" }, Detail::default());
        }
    });
    let emit_message = send.clone();
    // A conversation restored from an earlier page was reported there: only new messages are events.
    let restored = chat.messages.with_untracked(Vec::len);
    Effect::new(move |seen: Option<usize>| {
        chat.messages.with(|all| {
            for m in all.iter().skip(seen.unwrap_or(restored).min(all.len())) {
                // A comparison's products are its event's intent (`"a|b"`).
                let pair = m.origin.pair();
                let author = match m.author {
                    Author::Customer => "customer",
                    Author::Assistant => "assistant",
                    Author::Agent => "agent",
                };
                emit_message(
                    "message",
                    Detail {
                        author: Some(author),
                        text: Some(&m.text),
                        lang: Some(m.lang.tag()),
                        route: Some(m.origin.name()),
                        intent: Some(pair.as_deref().or(m.intent.as_deref())),
                        ..Detail::default()
                    },
                );
            }
            all.len()
        })
    });
    let emit_handoff = send.clone();
    let was_handoff = StoredValue::new(chat.handoff.get_untracked());
    Effect::new(move |_| {
        let h = chat.handoff.get();
        if h != was_handoff.get_value() {
            let state = |state| Detail {
                state: Some(state),
                ..Detail::default()
            };
            let detail = match &h {
                Handoff::None => state("none"),
                Handoff::Requested => state("requested"),
                Handoff::Queued { position, wait_s } => Detail {
                    position: Some(*position),
                    wait_seconds: Some(*wait_s),
                    ..state("queued")
                },
                Handoff::Active { agent } => Detail {
                    agent: Some(agent),
                    ..state("active")
                },
                Handoff::LeaveMessage => state("leave_message"),
            };
            emit_handoff("handoff", detail);
            was_handoff.set_value(h);
        }
    });
    // The bank's server not reached: one `error` event per reason, with what to do about it.
    let emit_link = send.clone();
    let last_why = StoredValue::new(None);
    Effect::new(move |_| {
        let why = match chat.link.get() {
            Link::Waiting { why, .. } => Some(why),
            Link::Ok => None,
        };
        if why != last_why.get_value() {
            last_why.set_value(why);
            if let Some(why) = why {
                let message = match why {
                    Unreached::Offline => {
                        "the browser is offline; requests wait and are sent when it is back"
                    }
                    Unreached::Unreachable => {
                        "no response from the assistant server (down, or a wrong data-server address); requests wait and are retried"
                    }
                    Unreached::Blocked => {
                        "the assistant server answered but this page may not read its answers: add this page's origin to the server's security.cors_origins (or check a proxy in between)"
                    }
                    Unreached::ServerError => {
                        "the assistant server answered with an error (5xx); requests wait and are retried"
                    }
                };
                emit_link(
                    "error",
                    Detail {
                        code: Some(why.code()),
                        message: Some(message),
                        ..Detail::default()
                    },
                );
            }
        }
    });
    Effect::new(move |_| {
        if chat.engine.get() == Engine::Failed {
            send(
                "error",
                Detail {
                    code: Some("engine_unavailable"),
                    message: Some(
                        "instant answers are unavailable; the bank's server answers instead",
                    ),
                    ..Detail::default()
                },
            );
        }
    });
}
