//! The outbox: every request to the bank's server (questions, messages to an agent, hand-off requests,
//! feedback) goes through here, so that none is ever lost.
//!
//! Why: customers ask on phones, in lifts and on trains. A request is first written to `sessionStorage`
//! (which survives reloads and navigations in the same tab), then sent in order. A network failure or a
//! 5xx keeps it and retries with exponential backoff and full jitter (so a recovering server is not hit by
//! every widget at once), and at once when the browser says it is back online. Every request carries a
//! client-made id, and the server is idempotent by it, so a retry after a lost *response* is answered
//! once, the same way: each message is delivered exactly once. A 4xx other than 408/429 is permanent (the
//! request itself is wrong), so it is dropped with a calm note instead of being retried forever.
//!
//! A conversation id is not a key to the conversation: the server opens a conversation once
//! (`POST /v1/conversations` with a random *claim* this tab keeps) and returns a *secret*, which every
//! later request about the conversation carries in the `X-Conversation-Secret` header (never in a URL,
//! never in the queued body). The outbox does this itself, because it sends one request at a time and in
//! order: before the first request of a conversation without a secret it opens the conversation, and it
//! adds the header at send time. The claim and secret live next to the conversation id (this tab's
//! `sessionStorage`, and memory) and are forgotten with the conversation, once nothing queued needs them.
//! Opening again with the same claim (its response was lost) returns a fresh secret; `409` means the id
//! is someone else's, so the conversation gets a new id and claim before anything was sent under the old.

use crate::io::storage::{self, session};
use crate::wire::read as js;
use crate::wire::write::{self as json, Obj};
use assistant_core::api::{ConversationOpened, OpenConversation, SECRET_HEADER};
use leptos::prelude::*;
use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;
use wasm_bindgen::prelude::*;

/// A server response: status, `Retry-After` and the body's text.
pub(crate) struct Fetched {
    pub ok: bool,
    pub status: u16,
    pub retry_after: Option<String>,
    pub body: String,
}

/// `GET url`, or `POST url` with a JSON `body` (and the conversation's `secret` in its header). `Err`
/// when no response came (offline, refused).
///
/// Why not gloo-net: these two shapes are all the widget asks of `fetch`, and gloo-net brought the
/// `http` crate, wasm-streams and `std::io` error texts into the first load for them.
pub(crate) async fn fetch(
    url: &str,
    body: Option<&str>,
    secret: Option<&str>,
) -> Result<Fetched, ()> {
    let init = web_sys::RequestInit::new();
    if let Some(body) = body {
        let headers = web_sys::Headers::new().map_err(|_| ())?;
        headers
            .set("Content-Type", "application/json")
            .map_err(|_| ())?;
        if let Some(secret) = secret {
            headers.set(SECRET_HEADER, secret).map_err(|_| ())?;
        }
        init.set_method("POST");
        init.set_headers(&headers);
        init.set_body(&JsValue::from_str(body));
    }
    let promise = web_sys::window()
        .ok_or(())?
        .fetch_with_str_and_init(url, &init);
    let resp: web_sys::Response = wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map_err(|_| ())?
        .unchecked_into();
    let text = match resp.text() {
        Ok(p) => wasm_bindgen_futures::JsFuture::from(p).await.ok(),
        Err(_) => None,
    };
    Ok(Fetched {
        ok: resp.ok(),
        status: resp.status(),
        retry_after: resp.headers().get("Retry-After").ok().flatten(),
        body: text.and_then(|t| t.as_string()).unwrap_or_default(),
    })
}

/// Conversations refused in a row when opening (409 and other 4xx) before their requests are given up.
const MAX_REFUSED_OPENS: u32 = 3;
const FIRST_RETRY_MS: f64 = 1_000.0;
const MAX_RETRY_MS: f64 = 30_000.0;

/// What a queued request is, so its response can be handled even after a page reload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Chat,
    Handoff,
    CancelHandoff,
    CustomerMessage,
    LeaveMessage,
    Feedback,
}

/// [`Kind`]'s names in the stored outbox (snake_case, as serde wrote them before), both ways.
const KINDS: &[(&str, Kind)] = &[
    ("chat", Kind::Chat),
    ("handoff", Kind::Handoff),
    ("cancel_handoff", Kind::CancelHandoff),
    ("customer_message", Kind::CustomerMessage),
    ("leave_message", Kind::LeaveMessage),
    ("feedback", Kind::Feedback),
];

/// One request waiting to be delivered.
#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    pub kind: Kind,
    /// The client-made id (message id, or a fresh id for feedback and hand-off requests).
    pub id: String,
    /// The conversation the request is about (its secret goes with it); "" for none.
    pub conversation: String,
    /// Path below the server's base URL, e.g. `/v1/chat`.
    pub path: String,
    /// The JSON body, already masked.
    pub body: String,
    /// Sent once more after re-opening its conversation, because the server did not know its secret
    /// (not kept in storage: at most one such retry per page).
    pub reopened: bool,
}

impl Item {
    pub fn new(kind: Kind, id: String, conversation: String, path: String, body: String) -> Item {
        Item {
            kind,
            id,
            conversation,
            path,
            body,
            reopened: false,
        }
    }
}

/// A conversation's credentials: the claim it is opened with and, once opened, the server's secret.
#[derive(Clone, Debug, PartialEq)]
struct Keys {
    id: String,
    claim: String,
    secret: Option<String>,
}

/// How a delivery ended, for the conversation to act on.
pub enum Outcome {
    Delivered {
        body: String,
    },
    /// The server refused the request for good (4xx): `message` is the server's calm explanation.
    Refused {
        code: String,
        message: String,
    },
}

/// The connection as the customer should hear about it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Link {
    /// Nothing waiting, or sending normally.
    Ok,
    /// Requests are waiting for the network or the server, for this reason.
    Waiting { pending: usize, why: Unreached },
}

/// Why the bank's server was not reached: each gets its own calm words for the customer and its own
/// `error` code for the page (issue #14: a missing CORS setting looked like "you seem to be offline").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unreached {
    /// The browser says it has no network.
    Offline,
    /// No response: the server is down, or the address is wrong.
    Unreachable,
    /// The server answered, but not to this page: it does not allow the page's origin (CORS), or a
    /// proxy stands in between. The bank's setting, not the customer's network.
    Blocked,
    /// The server answered with an error (5xx, or a page that is not its answer), or is busy.
    ServerError,
}

impl Unreached {
    /// The page's `error` event code.
    pub fn code(self) -> &'static str {
        match self {
            Unreached::Offline => "offline",
            Unreached::Unreachable => "server_unreachable",
            Unreached::Blocked => "server_blocked",
            Unreached::ServerError => "server_error",
        }
    }
}

/// Why no response came from `base`: the browser's own word that it is offline; else an opaque
/// (`no-cors`) request to the server, which the browser lets through when the server is there but
/// does not allow this page to read its answers; a same-origin server cannot be blocked that way.
async fn why_unreached(base: &str) -> Unreached {
    let Some(window) = web_sys::window() else {
        return Unreached::Unreachable;
    };
    if !window.navigator().on_line() {
        return Unreached::Offline;
    }
    if base.is_empty() {
        return Unreached::Unreachable;
    }
    let init = web_sys::RequestInit::new();
    init.set_mode(web_sys::RequestMode::NoCors);
    let probe = window.fetch_with_str_and_init(&format!("{base}/v1/hours"), &init);
    match wasm_bindgen_futures::JsFuture::from(probe).await {
        Ok(_) => Unreached::Blocked,
        Err(_) => Unreached::Unreachable,
    }
}

/// Hears how each request ended (`start`).
type OnOutcome = Box<dyn Fn(&Item, Outcome)>;

struct State {
    base: String,
    items: Vec<Item>,
    /// This tab's conversation (`None` until first needed, or after "clear conversation").
    current: Option<String>,
    keys: Vec<Keys>,
    /// Opens refused in a row (see `MAX_REFUSED_OPENS`).
    refused_opens: u32,
    sending: bool,
    failures: u32,
    timer: Option<TimeoutHandle>,
    on_outcome: Option<OnOutcome>,
    link: Option<RwSignal<Link>>,
    /// Why the last attempt failed.
    why: Unreached,
}

/// The widget's one outbox (made by `host::mount`, shared through `io::Io`): cheap to clone, every clone
/// the same queue.
#[derive(Clone)]
pub struct Outbox(Rc<RefCell<State>>);

impl Default for Outbox {
    fn default() -> Self {
        Outbox(Rc::new(RefCell::new(State {
            base: String::new(),
            items: Vec::new(),
            current: None,
            keys: Vec::new(),
            refused_opens: 0,
            sending: false,
            failures: 0,
            timer: None,
            on_outcome: None,
            link: None,
            why: Unreached::Unreachable,
        })))
    }
}

#[wasm_bindgen]
extern "C" {
    /// The browser's CSPRNG (`crypto.getRandomValues`). Declared here rather than through web-sys's
    /// `Crypto` binding: one function is all the widget needs.
    #[wasm_bindgen(js_namespace = crypto, js_name = getRandomValues)]
    fn get_random_values(bytes: &mut [u8]);
}

/// `n` bytes from the browser's CSPRNG, as `2n` lower-case hex digits.
pub fn random_hex(n: usize) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut bytes = vec![0u8; n];
    get_random_values(&mut bytes);
    let mut s = String::with_capacity(2 * n);
    for b in bytes {
        s.push(HEX[usize::from(b >> 4)] as char);
        s.push(HEX[usize::from(b & 0xf)] as char);
    }
    s
}

/// A random client-made id for messages, feedback, hand-off requests and conversations: `prefix`, a
/// dash and 128 bits from the CSPRNG (`[A-Za-z0-9_-]`, 16–64 characters for any prefix of ≤ 29).
pub fn new_id(prefix: &str) -> String {
    let mut s = String::from(prefix);
    s.push('-');
    s.push_str(&random_hex(16));
    s
}

fn save(items: &[Item]) {
    let Some(s) = session() else { return };
    if items.is_empty() {
        let _ = s.remove_item(storage::OUTBOX);
    } else {
        let json = json::array(items.iter().map(|item| {
            let name = KINDS
                .iter()
                .find(|(_, k)| *k == item.kind)
                .map_or("", |(n, _)| *n);
            Obj::new()
                .str("kind", name)
                .str("id", &item.id)
                .str("conversation", &item.conversation)
                .str("path", &item.path)
                .str("body", &item.body)
                .done()
        }));
        let _ = s.set_item(storage::OUTBOX, &json);
    }
}

/// Items a previous page in this tab left unsent (none if what is stored is not what `save` wrote).
fn restore() -> Vec<Item> {
    session()
        .and_then(|s| s.get_item(storage::OUTBOX).ok().flatten())
        .and_then(|json| read_items(&json))
        .unwrap_or_default()
}

/// Reads `save`'s JSON with the browser's parser (`wire::read`): an array of items, every field
/// required but `conversation` (an earlier version did not write it: see [`conversation_of`]).
fn read_items(json: &str) -> Option<Vec<Item>> {
    let items = js_sys::JSON::parse(json)
        .ok()?
        .dyn_into::<js_sys::Array>()
        .ok()?;
    items
        .iter()
        .map(|o| {
            let path = js::string(&o, "path")?;
            let body = js::string(&o, "body")?;
            let conversation = match js::opt_string(&o, "conversation")? {
                Some(c) => c,
                None => conversation_of(&path, &body),
            };
            Some(Item {
                kind: js::unit(&o, "kind", KINDS)?,
                id: js::string(&o, "id")?,
                conversation,
                path,
                body,
                reopened: false,
            })
        })
        .collect()
}

/// The conversation of a request queued by a version that did not write it down: its body's
/// `conversation_id`, or the id in a `/v1/conversations/{id}/…` path.
fn conversation_of(path: &str, body: &str) -> String {
    js::parse(body)
        .and_then(|b| js::string(&b, "conversation_id"))
        .or_else(|| {
            let rest = path.strip_prefix("/v1/conversations/")?;
            rest.split('/').next().map(str::to_owned)
        })
        .unwrap_or_default()
}

// The conversation and its keys.

fn stored_conversation() -> Option<String> {
    session()?
        .get_item(storage::CONVERSATION)
        .ok()
        .flatten()
        .filter(|id| !id.is_empty())
}

/// The keys of `conversation`, with a new random claim if it has none yet (written to storage before
/// the claim is ever sent, so a reload asks again with the same claim).
fn keys_for(s: &mut State, conversation: &str) -> Keys {
    if let Some(k) = s.keys.iter().find(|k| k.id == conversation) {
        return k.clone();
    }
    let keys = Keys {
        id: conversation.to_owned(),
        // 256 bits: 64 characters of the 32–128 the server takes.
        claim: random_hex(32),
        secret: None,
    };
    s.keys.push(keys.clone());
    save_keys(&s.keys);
    keys
}

/// Drops the keys of conversations that are neither this tab's current one nor needed by a queued
/// request.
fn prune(s: &mut State) {
    let before = s.keys.len();
    let State {
        keys,
        items,
        current,
        ..
    } = s;
    keys.retain(|k| {
        current.as_deref() == Some(k.id.as_str()) || items.iter().any(|i| i.conversation == k.id)
    });
    if s.keys.len() != before {
        save_keys(&s.keys);
    }
}

fn save_keys(keys: &[Keys]) {
    let Some(s) = session() else { return };
    if keys.is_empty() {
        let _ = s.remove_item(storage::CONVERSATION_KEYS);
        return;
    }
    let json = json::array(keys.iter().map(|k| {
        Obj::new()
            .str("id", &k.id)
            .str("claim", &k.claim)
            .opt_str("secret", k.secret.as_deref())
            .done()
    }));
    let _ = s.set_item(storage::CONVERSATION_KEYS, &json);
}

fn restore_keys() -> Vec<Keys> {
    let read = |json: String| -> Option<Vec<Keys>> {
        js_sys::JSON::parse(&json)
            .ok()?
            .dyn_into::<js_sys::Array>()
            .ok()?
            .iter()
            .map(|o| {
                Some(Keys {
                    id: js::string(&o, "id")?,
                    claim: js::string(&o, "claim")?,
                    secret: js::opt_string(&o, "secret")?,
                })
            })
            .collect()
    };
    session()
        .and_then(|s| s.get_item(storage::CONVERSATION_KEYS).ok().flatten())
        .and_then(read)
        .unwrap_or_default()
}

/// `OpenConversation` as serde writes it (see `wire::write`).
pub(crate) fn open_json(open: &OpenConversation) -> String {
    let OpenConversation {
        conversation_id,
        claim,
    } = open;
    Obj::new()
        .str("conversation_id", conversation_id)
        .str("claim", claim)
        .done()
}

/// A `ConversationOpened` (both fields required). A secret that could not be sent as a header value
/// (anything but `[A-Za-z0-9_-]`) is read as no answer.
pub(crate) fn read_opened(json: &str) -> Option<ConversationOpened> {
    let o = js::parse(json)?;
    let secret = js::string(&o, "secret")?;
    let plain = !secret.is_empty()
        && secret
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    plain.then_some(())?;
    Some(ConversationOpened {
        conversation_id: js::string(&o, "conversation_id")?,
        secret,
    })
}

/// What `pump` sends next.
enum Next {
    /// The first request's conversation has no secret yet: open it first.
    Open(Keys),
    /// The first request, with its conversation's secret.
    Send(Item, Option<String>),
}

/// Moves the conversation `old` to the id `new` (with a new claim): the queued requests about it (their
/// bodies' `conversation_id` and `/v1/conversations/{id}/` paths), its keys, and this tab's current
/// conversation if it was `old`.
fn rename(s: &mut State, old: &str, new: &str) {
    for item in s.items.iter_mut() {
        move_item(item, old, new);
    }
    save(&s.items);
    s.keys.retain(|k| k.id != old);
    keys_for(s, new);
    if s.current.as_deref() == Some(old) {
        s.current = Some(new.to_owned());
        if let Some(st) = session() {
            let _ = st.set_item(storage::CONVERSATION, new);
        }
    }
}

/// Moves one queued request from conversation `old` to `new` (unchanged if it is not about `old`).
/// The body holds `"conversation_id":"<old>"` once, as the key: inside a JSON string every quote is
/// escaped, so the customer's text cannot hold that pattern.
fn move_item(item: &mut Item, old: &str, new: &str) {
    if item.conversation != old {
        return;
    }
    let field = |id: &str| {
        let mut out = String::from("\"conversation_id\":");
        json::quote(&mut out, id);
        out
    };
    let segment = |id: &str| format!("/v1/conversations/{id}/");
    item.conversation = new.to_owned();
    item.body = item.body.replace(&field(old), &field(new));
    item.path = item.path.replace(&segment(old), &segment(new));
}

/// The server's `ErrorBody` (both fields required), or a plain "error".
fn error_body(body: &str) -> (String, String) {
    js::parse(body)
        .and_then(|e| Some((js::string(&e, "error")?, js::string(&e, "message")?)))
        .unwrap_or_else(|| ("error".into(), String::new()))
}

/// `Retry-After` in milliseconds, if the server gave one in seconds.
fn retry_after(r: &Fetched) -> Option<f64> {
    r.retry_after
        .as_ref()
        // The browser's number parser: Rust's `f64::from_str` is ~4 KB of wasm.
        .map(|v| js_sys::parse_float(v.trim()))
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(|s| s * 1000.0)
}

/// 4xx answers other than "timeout" and "too many requests" will not change on a retry.
fn is_permanent(status: u16) -> bool {
    (400..500).contains(&status) && status != 408 && status != 429
}

impl Outbox {
    /// Runs `f` on the state; never across a call out (a callback may come back in).
    fn with<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        f(&mut self.0.borrow_mut())
    }

    /// The full URL of `path` on the bank's server (the base given to [`start`]; "" is this page's origin).
    pub fn url(&self, path: &str) -> String {
        self.with(|s| format!("{}{path}", s.base))
    }

    /// This tab's conversation id, made on first use (so nothing is stored before the customer writes).
    /// Kept in memory too, so a page that clears its storage does not split a conversation in two.
    pub fn conversation(&self) -> String {
        if let Some(id) = self.with(|s| s.current.clone()) {
            return id;
        }
        let id = stored_conversation().unwrap_or_else(|| {
            let id = new_id("c");
            if let Some(s) = session() {
                let _ = s.set_item(storage::CONVERSATION, &id);
            }
            id
        });
        self.with(|s| s.current = Some(id.clone()));
        id
    }

    /// Forgets this tab's conversation ("clear conversation", the page's `reset()`): the next request
    /// starts a new one. Its claim and secret are kept only while requests about it are still queued (the
    /// cancellation of a hand-off), and forgotten as soon as those are delivered.
    pub fn end_conversation(&self) {
        if let Some(s) = session() {
            let _ = s.remove_item(storage::CONVERSATION);
        }
        self.with(|s| {
            s.current = None;
            prune(s);
        });
    }

    /// The secret of `conversation` once the server has opened it (for the live events' stream token).
    pub fn secret(&self, conversation: &str) -> Option<String> {
        self.with(|s| s.keys.iter().find(|k| k.id == conversation)?.secret.clone())
    }

    /// Starts the outbox: `base` is the server's URL ("" for the page's own origin); `on_outcome` hears of
    /// every delivered or refused request; `link` tells the status line whether requests are waiting.
    /// Requests left by an earlier page in this tab are sent again now.
    pub fn start(
        &self,
        base: String,
        link: RwSignal<Link>,
        on_outcome: impl Fn(&Item, Outcome) + 'static,
    ) {
        let current = stored_conversation();
        let keys = restore_keys();
        self.with(|s| {
            s.base = base.trim_end_matches('/').to_owned();
            s.on_outcome = Some(Box::new(on_outcome));
            s.link = Some(link);
            if s.current.is_none() {
                s.current = current;
            }
            for k in keys {
                if !s.keys.iter().any(|m| m.id == k.id) {
                    s.keys.push(k);
                }
            }
            let restored = restore();
            for item in restored {
                if !s
                    .items
                    .iter()
                    .any(|i| i.id == item.id && i.kind == item.kind)
                {
                    s.items.push(item);
                }
            }
            prune(s);
        });
        if let Some(window) = web_sys::window() {
            let this = self.clone();
            let online = Closure::<dyn Fn()>::new(move || this.retry_now());
            let _ =
                window.add_event_listener_with_callback("online", online.as_ref().unchecked_ref());
            online.forget();
        }
        self.pump();
    }

    /// Queues a request (written to storage before any attempt) and sends it as soon as it can.
    pub fn push(&self, item: Item) {
        self.with(|s| {
            s.items.push(item);
            save(&s.items);
        });
        self.pump();
    }

    fn retry_now(&self) {
        self.with(|s| {
            if let Some(t) = s.timer.take() {
                t.clear();
            }
            s.failures = 0;
        });
        self.pump();
    }

    fn set_link(&self) {
        let (link, pending, failures, why) =
            self.with(|s| (s.link, s.items.len(), s.failures, s.why));
        if let Some(link) = link {
            let value = if pending > 0 && failures > 0 {
                Link::Waiting { pending, why }
            } else {
                Link::Ok
            };
            if link.get_untracked() != value {
                link.set(value);
            }
        }
    }

    /// Sends the first waiting request (opening its conversation first if needed), if nothing is in
    /// flight and no retry is scheduled.
    fn pump(&self) {
        let next = self.with(|s| {
            if s.sending || s.timer.is_some() {
                return None;
            }
            let item = s.items.first().cloned()?;
            s.sending = true;
            if item.conversation.is_empty() {
                return Some((s.base.clone(), Next::Send(item, None)));
            }
            let keys = keys_for(s, &item.conversation);
            let next = match keys.secret.clone() {
                Some(secret) => Next::Send(item, Some(secret)),
                None => Next::Open(keys),
            };
            Some((s.base.clone(), next))
        });
        match next {
            None => self.set_link(),
            Some((base, Next::Open(keys))) => {
                leptos::task::spawn_local(self.clone().open(base, keys))
            }
            Some((base, Next::Send(item, secret))) => {
                leptos::task::spawn_local(self.clone().send(base, item, secret))
            }
        }
    }

    /// One attempt is over: why it failed, if it did (a response that is not a success is the server's
    /// error; none at all is found out by `why_unreached`). Still "sending" until then, so nothing else
    /// starts meanwhile.
    async fn attempt_over(&self, base: &str, response: &Result<Fetched, ()>) -> Unreached {
        let why = match response {
            Ok(_) => Unreached::ServerError,
            Err(()) => why_unreached(base).await,
        };
        self.with(|s| s.sending = false);
        why
    }

    /// `POST /v1/conversations`: the secret comes back, and the queue goes on.
    async fn open(self, base: String, keys: Keys) {
        let body = open_json(&OpenConversation {
            conversation_id: keys.id.clone(),
            claim: keys.claim.clone(),
        });
        let response = fetch(&format!("{base}/v1/conversations"), Some(&body), None).await;
        let why = self.attempt_over(&base, &response).await;
        match response {
            Ok(r) if r.ok => match read_opened(&r.body).filter(|o| o.conversation_id == keys.id) {
                Some(opened) => {
                    self.keep_secret(&keys, opened.secret);
                    self.with(|s| {
                        s.failures = 0;
                        s.refused_opens = 0;
                    });
                    self.pump();
                }
                // Not the server's answer (a proxy's page?).
                None => self.failed(None, why),
            },
            Ok(r) if is_permanent(r.status) => self.refused_open(&keys.id, &r.body),
            Ok(r) => self.failed(retry_after(&r), why),
            Err(()) => self.failed(None, why),
        }
    }

    /// Keeps the secret the server returned for `keys` (unless the conversation has moved on meanwhile).
    fn keep_secret(&self, keys: &Keys, secret: String) {
        self.with(|s| {
            if let Some(k) = s
                .keys
                .iter_mut()
                .find(|k| k.id == keys.id && k.claim == keys.claim)
            {
                k.secret = Some(secret);
            }
            save_keys(&s.keys);
        });
    }

    /// Opens `conversation` again with its claim, outside the queue, for the live events: the server
    /// refused a stream token with the secret kept here (stale: e.g. this tab's storage was changed).
    /// Returns whether a fresh secret came back. Requests in the queue then go with the fresh one.
    pub async fn open_again(&self, conversation: &str) -> bool {
        let Some((base, keys)) = self.with(|s| {
            let keys = s.keys.iter().find(|k| k.id == conversation)?.clone();
            Some((s.base.clone(), keys))
        }) else {
            return false;
        };
        let body = open_json(&OpenConversation {
            conversation_id: keys.id.clone(),
            claim: keys.claim.clone(),
        });
        match fetch(&format!("{base}/v1/conversations"), Some(&body), None).await {
            Ok(r) if r.ok => match read_opened(&r.body).filter(|o| o.conversation_id == keys.id) {
                Some(opened) => {
                    self.keep_secret(&keys, opened.secret);
                    true
                }
                None => false,
            },
            _ => false,
        }
    }

    /// The server would not open `old`: `409 conversation_exists` (the id is someone else's) or another
    /// 4xx (it will not take this id or claim). Nothing has been sent under that id (opening comes first),
    /// so its requests move to a new id with a new claim. After [`MAX_REFUSED_OPENS`] refusals in a row
    /// they are given up, each reported with the server's explanation: no endless loop.
    fn refused_open(&self, old: &str, body: &str) {
        let give_up = self.with(|s| {
            s.refused_opens += 1;
            if s.refused_opens > MAX_REFUSED_OPENS {
                s.refused_opens = 0;
                let (gone, kept) = std::mem::take(&mut s.items)
                    .into_iter()
                    .partition(|i| i.conversation == old);
                s.items = kept;
                save(&s.items);
                prune(s);
                return Some(gone);
            }
            rename(s, old, &new_id("c"));
            None
        });
        if let Some(gone) = give_up {
            let (code, message) = error_body(body);
            for item in gone {
                self.notify(
                    &item,
                    Outcome::Refused {
                        code: code.clone(),
                        message: message.clone(),
                    },
                );
            }
        }
        self.pump();
    }

    /// Sends one queued request, with its conversation's secret.
    async fn send(self, base: String, item: Item, secret: Option<String>) {
        let url = format!("{base}{}", item.path);
        let response = fetch(&url, Some(&item.body), secret.as_deref()).await;
        let why = self.attempt_over(&base, &response).await;
        match response {
            Ok(r) if r.ok => self.done(&item, Outcome::Delivered { body: r.body }),
            Ok(r) if is_permanent(r.status) => {
                let (code, message) = error_body(&r.body);
                if r.status == 404
                    && code == "not_found"
                    && !item.conversation.is_empty()
                    && !item.reopened
                {
                    self.reopen(&item);
                } else {
                    self.done(&item, Outcome::Refused { code, message });
                }
            }
            Ok(r) => self.failed(retry_after(&r), why),
            Err(()) => self.failed(None, why),
        }
    }

    /// `404 not_found` for a request about a conversation: the server does not know this secret for it
    /// (stale: opened again elsewhere in this tab; lost with the page's storage; or the server lost the
    /// conversation). Open it again with its claim, which gives a fresh secret (or a new conversation, if
    /// the claim is not the one it was opened with), and send the request once more. A second
    /// `not_found` is the server's answer about the request itself (e.g. no hand-off), and is reported.
    fn reopen(&self, item: &Item) {
        self.with(|s| {
            if let Some(queued) = s
                .items
                .iter_mut()
                .find(|i| i.id == item.id && i.kind == item.kind)
            {
                queued.reopened = true;
            }
            if let Some(k) = s.keys.iter_mut().find(|k| k.id == item.conversation) {
                k.secret = None;
            }
            save_keys(&s.keys);
        });
        self.pump();
    }

    fn done(&self, item: &Item, outcome: Outcome) {
        self.with(|s| {
            if let Some(pos) = s
                .items
                .iter()
                .position(|i| i.id == item.id && i.kind == item.kind)
            {
                s.items.remove(pos);
            }
            s.failures = 0;
            save(&s.items);
            prune(s);
        });
        self.notify(item, outcome);
        self.pump();
    }

    /// Tells the conversation how a request ended.
    fn notify(&self, item: &Item, outcome: Outcome) {
        // Call out without holding the state: the handler may queue more requests.
        let handler = self.with(|s| s.on_outcome.take());
        if let Some(h) = handler {
            h(item, outcome);
            self.with(|s| {
                if s.on_outcome.is_none() {
                    s.on_outcome = Some(h);
                }
            });
        }
    }

    /// Exponential backoff with full jitter: a random wait in [0.5, 1] × min(30 s, 1 s × 2^failures).
    fn failed(&self, retry_after_ms: Option<f64>, why: Unreached) {
        let wait = self.with(|s| {
            s.why = why;
            s.failures = s.failures.saturating_add(1);
            let cap = (FIRST_RETRY_MS * 2f64.powi(s.failures as i32 - 1)).min(MAX_RETRY_MS);
            let jittered = cap * (0.5 + 0.5 * js_sys::Math::random());
            retry_after_ms.unwrap_or(jittered).clamp(200.0, 120_000.0)
        });
        self.set_link();
        let this = self.clone();
        let handle = set_timeout_with_handle(
            move || {
                this.with(|s| s.timer = None);
                this.pump();
            },
            Duration::from_millis(wait as u64),
        )
        .ok();
        self.with(|s| s.timer = handle);
    }
}

/// What the outbox writes by hand reads back through the server's serde types, what it reads is what
/// serde writes, and its ids are what the server takes.
#[cfg(test)]
mod tests {
    use super::*;
    use assistant_core::api::{MAX_ID_CHARS, MIN_ID_CHARS, StreamToken};
    use wasm_bindgen_test::wasm_bindgen_test;

    fn id_chars(s: &str) -> bool {
        s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    }

    #[wasm_bindgen_test]
    fn ids_and_claims_are_long_random_and_of_the_allowed_characters() {
        let ids: Vec<String> = ["c", "m", "f", "h", "x"]
            .iter()
            .flat_map(|p| (0..20).map(move |_| new_id(p)))
            .collect();
        for id in &ids {
            assert!((MIN_ID_CHARS..=MAX_ID_CHARS).contains(&id.len()), "{id}");
            assert!(id_chars(id), "{id}");
            // 128 bits: 32 hex digits after the prefix.
            assert_eq!(id.split_once('-').unwrap().1.len(), 32, "{id}");
        }
        let mut unique = ids.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), ids.len(), "no id twice");
        // Not the same few bytes over and over: every hex digit turns up among 100 × 32 of them.
        for digit in "0123456789abcdef".chars() {
            assert!(ids.iter().any(|id| id[2..].contains(digit)), "{digit}");
        }
        let claim = random_hex(32);
        assert_eq!(claim.len(), 64, "a claim is 32–128 characters");
        assert!(id_chars(&claim));
        assert_ne!(claim, random_hex(32));
    }

    #[wasm_bindgen_test]
    fn open_conversation_reads_back_as_sent() {
        for (id, claim) in [
            ("c-0123456789abcdef0123456789abcdef", random_hex(32)),
            ("\"quoted\" \\ 中文\n", "x".repeat(128)),
        ] {
            let open = OpenConversation {
                conversation_id: id.into(),
                claim,
            };
            let json = open_json(&open);
            let back: OpenConversation = serde_json::from_str(&json).expect(&json);
            assert_eq!(back, open);
            assert_eq!(json, serde_json::to_string(&open).unwrap());
        }
    }

    #[wasm_bindgen_test]
    fn the_servers_secret_and_stream_token_are_read_as_serde_writes_them() {
        let opened = ConversationOpened {
            conversation_id: new_id("c"),
            secret: random_hex(32),
        };
        let json = serde_json::to_string(&opened).unwrap();
        assert_eq!(read_opened(&json), Some(opened.clone()));
        // A secret that could not go in a header, or a missing field, is no answer.
        for bad in [
            r#"{"conversation_id":"c-1","secret":"a\nb"}"#,
            r#"{"conversation_id":"c-1","secret":""}"#,
            r#"{"conversation_id":"c-1"}"#,
            r#"{"secret":"abc"}"#,
            "[]",
            "not json",
        ] {
            assert_eq!(read_opened(bad), None, "{bad}");
        }
        let token = StreamToken {
            token: "t0k3n_-".into(),
            expires_in_s: 600,
        };
        let json = serde_json::to_string(&token).unwrap();
        assert_eq!(crate::io::live::read_token(&json), Some(token));
        assert_eq!(crate::io::live::read_token(r#"{"token":"t"}"#), None);
    }

    #[wasm_bindgen_test]
    fn a_refused_conversation_moves_its_queued_requests_to_the_new_id() {
        let old = "c-0123456789abcdef0123456789abcdef";
        let new = "c-fedcba9876543210fedcba9876543210";
        // The customer's text holds the old id, and even the key pattern: it stays as written.
        let text = format!("{old} \"conversation_id\":\"{old}\"");
        let mut quoted = String::new();
        json::quote(&mut quoted, &text);
        let mut chat = Item::new(
            Kind::Chat,
            "m-1".into(),
            old.into(),
            "/v1/chat".into(),
            format!(r#"{{"conversation_id":"{old}","message_id":"m-1","text":{quoted}}}"#),
        );
        move_item(&mut chat, old, new);
        assert_eq!(chat.conversation, new);
        assert_eq!(
            chat.body,
            format!(r#"{{"conversation_id":"{new}","message_id":"m-1","text":{quoted}}}"#)
        );
        let mut message = Item::new(
            Kind::CustomerMessage,
            "m-2".into(),
            old.into(),
            format!("/v1/conversations/{old}/messages"),
            r#"{"message_id":"m-2","text":"hi"}"#.into(),
        );
        move_item(&mut message, old, new);
        assert_eq!(message.path, format!("/v1/conversations/{new}/messages"));
        assert_eq!(message.body, r#"{"message_id":"m-2","text":"hi"}"#);
        // Another conversation's request is left alone.
        let mut other = Item::new(
            Kind::Feedback,
            "f-1".into(),
            "c-other-conversation-id".into(),
            "/v1/feedback".into(),
            format!(r#"{{"conversation_id":"{old}"}}"#),
        );
        let before = other.clone();
        move_item(&mut other, old, new);
        assert_eq!(other, before);
    }

    #[wasm_bindgen_test]
    fn requests_queued_by_an_earlier_version_find_their_conversation() {
        let json = r#"[{"kind":"chat","id":"m-1","path":"/v1/chat","body":"{\"conversation_id\":\"c-a\",\"text\":\"q\"}"},
            {"kind":"customer_message","id":"m-2","path":"/v1/conversations/c-b/messages","body":"{\"message_id\":\"m-2\"}"},
            {"kind":"feedback","id":"f-1","conversation":"c-c","path":"/v1/feedback","body":"{}"}]"#;
        let items = read_items(json).expect("readable");
        let conversations: Vec<&str> = items.iter().map(|i| i.conversation.as_str()).collect();
        assert_eq!(conversations, ["c-a", "c-b", "c-c"]);
        assert_eq!(items[1].kind, Kind::CustomerMessage);
    }
}
