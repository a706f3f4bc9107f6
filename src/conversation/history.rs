//! The conversation's lifetime: the transcript is kept for this tab in `sessionStorage`, so it is still
//! there after the customer follows a link to another page of the bank's site, and it is gone when the tab
//! closes. "Clear conversation" (and the JS API's `reset()`) removes it at once.
//!
//! Why this shape: a customer who asks about a fee and then opens the fees page should not lose the
//! answer, but a bank must not leave a conversation on a shared computer after the tab is closed. So:
//! - only the messages are kept (masked text, as shown; product cards and comparisons come back from their
//!   intent), not ratings or the engine's state;
//! - nothing is written until there is a message, i.e. after the customer first opens the widget and
//!   asks (display preferences are written only when the customer changes one, see `prefs`);
//! - the host can opt in to keeping it across tabs and restarts with `data-persist="local"` (localStorage,
//!   for `data-persist-hours`, default 24, after the last message), or opt out of keeping it at all with
//!   `data-persist="none"`.
//!
//! Written as JSON by hand (`Saved::json`, see `wire::write`), read back with the browser's `JSON.parse`
//! (`read_saved`, see `wire::read`): no serde code in the widget. Numbers in
//! `data-persist-hours` are read by the browser too (`decimal`), not by Rust's float parser.

use crate::conversation::{Author, Chat, Handoff, Message, Origin};
use crate::io::storage;
use crate::wire::read as js;
use crate::wire::write::{self as json, Obj};
use assistant_core::locale::Lang;
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

/// Kept messages; older ones are dropped first (a long chat stays well inside storage quotas).
const MAX_MESSAGES: usize = 200;
const DEFAULT_HOURS: f64 = 24.0;

/// Where the transcript is kept (`data-persist`).
#[derive(Clone, Copy, PartialEq, Debug)]
pub enum Persist {
    /// This tab only (the default).
    Session,
    /// This browser, until `hours` after the last message.
    Local { hours: f64 },
    /// Not kept: a new page starts a new conversation.
    Off,
}

/// The host's choice: `data-persist` ("session", "local", "none") and `data-persist-hours`.
pub fn persist(persist: Option<&str>, hours: Option<&str>) -> Persist {
    match persist.map(str::trim) {
        None | Some("" | "session") => Persist::Session,
        Some("none") => Persist::Off,
        Some("local") => Persist::Local {
            hours: hours
                .and_then(|h| decimal(h.trim()))
                .filter(|h| h.is_finite() && *h > 0.0)
                .unwrap_or(DEFAULT_HOURS),
        },
        Some(other) => {
            web_sys::console::warn_1(
                &format!(
                    "assistant: data-persist={other:?} is not one of session, local, none; keeping the \
                     conversation for this tab only"
                )
                .into(),
            );
            Persist::Session
        }
    }
}

/// A decimal number such as `24`, `0.5` or `1e3`, as `str::parse::<f64>` reads it, by the browser's
/// `+s` (`Number(s)`; Rust's float parser and its tables are several KB of wasm). Only digits, signs,
/// `.` and `e` get that far, so what `Number()` reads beyond Rust (`0x10`, `Infinity`, blanks) stays
/// unread.
fn decimal(s: &str) -> Option<f64> {
    let plain = !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b));
    let n = wasm_bindgen::JsValue::from_str(s).unchecked_into_f64();
    (plain && !n.is_nan()).then_some(n)
}

/// One kept message. Short field names: this is written after every message. `r`, `i` and `h` are
/// left out when empty, `None` and `false` (`Saved::json`).
struct Line {
    /// c(ustomer), a(ssistant), g (agent)
    a: char,
    t: String,
    l: String,
    r: String,
    i: Option<String>,
    h: bool,
}

struct Saved {
    /// Milliseconds since the epoch after which a `local` history is stale (0: never, session).
    until: f64,
    lines: Vec<Line>,
}

impl Saved {
    /// As JSON (see `wire::write`); the shape serde wrote before, so a history kept by an earlier version
    /// is still read.
    fn json(&self) -> String {
        let lines = json::array(self.lines.iter().map(|l| {
            let mut o = Obj::new()
                .str("a", l.a.encode_utf8(&mut [0; 4]))
                .str("t", &l.t)
                .str("l", &l.l);
            if !l.r.is_empty() {
                o = o.str("r", &l.r);
            }
            o = o.opt_str("i", l.i.as_deref());
            if l.h {
                o = o.bool("h", true);
            }
            o.done()
        }));
        Obj::new()
            .num("until", self.until)
            .raw("lines", &lines)
            .done()
    }
}

/// Reads what [`save`] wrote. Anything else (another version's format) is `None`, as a whole: the
/// same fields are required, optional and defaulted as in the derived serde reader this replaces.
fn read_saved(json: &str) -> Option<Saved> {
    let o = js::parse(json)?;
    let until = js::get(&o, "until");
    let until = if until.is_undefined() {
        0.0
    } else {
        until.as_f64()?
    };
    let lines = js::get(&o, "lines").dyn_into::<js_sys::Array>().ok()?;
    let lines = lines.iter().map(|l| read_line(&l)).collect::<Option<_>>()?;
    Some(Saved { until, lines })
}

fn read_line(o: &JsValue) -> Option<Line> {
    let a = js::string(o, "a")?;
    let mut chars = a.chars();
    let (Some(a), None) = (chars.next(), chars.next()) else {
        return None;
    };
    let h = js::get(o, "h");
    Some(Line {
        a,
        t: js::string(o, "t")?,
        l: js::string(o, "l")?,
        r: js::opt_string(o, "r")?.unwrap_or_default(),
        i: js::opt_string(o, "i")?,
        h: if h.is_undefined() {
            false
        } else {
            h.as_bool()?
        },
    })
}

fn storage(mode: Persist) -> Option<web_sys::Storage> {
    match mode {
        Persist::Session => storage::session(),
        Persist::Local { .. } => storage::local(),
        Persist::Off => None,
    }
}

fn to_line(m: &Message) -> Line {
    Line {
        a: match m.author {
            Author::Customer => 'c',
            Author::Assistant => 'a',
            Author::Agent => 'g',
        },
        t: m.text.clone(),
        l: m.lang.tag().to_owned(),
        r: m.origin.name().to_owned(),
        // A comparison's products are kept as its intent (`"a|b"`), as before `Origin`.
        i: m.origin.pair().or_else(|| m.intent.clone()),
        h: m.offer_handoff,
    }
}

fn to_message(l: Line) -> Message {
    let origin = Origin::from_name(&l.r, l.i.as_deref());
    let intent = if origin.pair().is_some() { None } else { l.i };
    Message {
        id: 0,
        author: match l.a {
            'c' => Author::Customer,
            'g' => Author::Agent,
            _ => Author::Assistant,
        },
        text: l.t,
        lang: Lang::from_tag(&l.l).unwrap_or_default(),
        origin,
        intent,
        // Ratings are not kept: the customer rates an answer while reading it.
        rate: None,
        offer_handoff: l.h,
    }
}

/// Restores this tab's conversation into `chat` and keeps it from now on. Call once, when the widget
/// mounts.
pub fn keep(chat: Chat) {
    let mode = chat.kept.with_value(|k| k.persist);
    let restored = load(mode);
    if !restored.is_empty() {
        // Restored answers are rendered by the worker (product cards, glossary terms): start it now
        // rather than on idle, so the conversation is back as it was.
        chat.start_engine();
    }
    for message in restored {
        chat.push(message);
    }
    Effect::new(move |_| {
        let lines: Vec<Line> = chat.messages.with(|m| {
            let skip = m.len().saturating_sub(MAX_MESSAGES);
            m.iter().skip(skip).map(to_line).collect()
        });
        save(mode, lines);
    });
}

fn load(mode: Persist) -> Vec<Message> {
    let Some(s) = storage(mode) else {
        return Vec::new();
    };
    let Some(saved) = s
        .get_item(storage::HISTORY)
        .ok()
        .flatten()
        .and_then(|json| read_saved(&json))
    else {
        // Nothing, or unreadable (written by another version): start afresh.
        let _ = s.remove_item(storage::HISTORY);
        return Vec::new();
    };
    if saved.until > 0.0 && saved.until < js_sys::Date::now() {
        let _ = s.remove_item(storage::HISTORY);
        return Vec::new();
    }
    saved.lines.into_iter().map(to_message).collect()
}

/// Writes the transcript; an empty one removes the key, so nothing is written before the first message.
/// Storage can be full or blocked (private mode, a WebView without DOM storage): the conversation then
/// lasts for this page only, so errors are ignored.
fn save(mode: Persist, lines: Vec<Line>) {
    let Some(s) = storage(mode) else { return };
    if lines.is_empty() {
        let _ = s.remove_item(storage::HISTORY);
        return;
    }
    let until = match mode {
        Persist::Local { hours } => js_sys::Date::now() + hours * 3_600_000.0,
        _ => 0.0,
    };
    let _ = s.set_item(storage::HISTORY, &Saved { until, lines }.json());
}

impl Chat {
    /// "Clear conversation" and the JS API's `reset()`: ends a hand-off, forgets the transcript here and
    /// in storage, and starts a new conversation (a new id, claim and secret for the server). Requests
    /// already waiting in the outbox are still delivered: nothing the customer sent is lost.
    pub fn clear_conversation(self) {
        if self.handoff.get_untracked() != Handoff::None {
            self.cancel_handoff();
        }
        self.kept.update_value(|k| k.pending.clear());
        self.waiting.set(0);
        self.messages.set(Vec::new());
        save(self.kept.with_value(|k| k.persist), Vec::new());
        // Also a copy kept under another `data-persist` setting (another page of the site, another
        // tab), and the last event seen.
        storage::forget_conversation();
        // A new conversation id next time; this one's claim and secret are forgotten once nothing
        // queued needs them (the hand-off's cancellation above).
        self.io().outbox.end_conversation();
        self.reset_suggestions();
    }
}
