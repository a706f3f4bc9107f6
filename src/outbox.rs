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

use crate::bridge::js;
use crate::json::{self, Obj};
use leptos::prelude::*;
use std::cell::RefCell;
use std::time::Duration;
use wasm_bindgen::prelude::*;

/// A server response: status, `Retry-After` and the body's text.
pub(crate) struct Fetched {
    pub ok: bool,
    pub status: u16,
    pub retry_after: Option<String>,
    pub body: String,
}

/// `GET url`, or `POST url` with a JSON `body`. `Err` when no response came (offline, refused).
///
/// Why not gloo-net: these two shapes are all the widget asks of `fetch`, and gloo-net brought the
/// `http` crate, wasm-streams and `std::io` error texts into the first load for them.
pub(crate) async fn fetch(url: &str, body: Option<&str>) -> Result<Fetched, ()> {
    let init = web_sys::RequestInit::new();
    if let Some(body) = body {
        let headers = web_sys::Headers::new().map_err(|_| ())?;
        headers
            .set("Content-Type", "application/json")
            .map_err(|_| ())?;
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

const STORAGE_KEY: &str = "bank-assistant.outbox";
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
    /// Path below the server's base URL, e.g. `/v1/chat`.
    pub path: String,
    /// The JSON body, already masked.
    pub body: String,
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
    /// Requests are waiting for the network or the server.
    Waiting { pending: usize },
}

struct State {
    base: String,
    items: Vec<Item>,
    sending: bool,
    failures: u32,
    timer: Option<TimeoutHandle>,
    on_outcome: Option<Box<dyn Fn(&Item, Outcome)>>,
    link: Option<RwSignal<Link>>,
}

thread_local! {
    static STATE: RefCell<State> = RefCell::new(State {
        base: String::new(),
        items: Vec::new(),
        sending: false,
        failures: 0,
        timer: None,
        on_outcome: None,
        link: None,
    });
}

/// The full URL of `path` on the bank's server (the base given to [`start`]; "" is this page's origin).
pub fn url(path: &str) -> String {
    STATE.with_borrow(|s| format!("{}{path}", s.base))
}

pub(crate) fn session() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok()?
}

fn save(items: &[Item]) {
    let Some(s) = session() else { return };
    if items.is_empty() {
        let _ = s.remove_item(STORAGE_KEY);
    } else {
        let json = json::array(items.iter().map(|item| {
            let name = KINDS
                .iter()
                .find(|(_, k)| *k == item.kind)
                .map_or("", |(n, _)| *n);
            Obj::new()
                .str("kind", name)
                .str("id", &item.id)
                .str("path", &item.path)
                .str("body", &item.body)
                .done()
        }));
        let _ = s.set_item(STORAGE_KEY, &json);
    }
}

/// Items a previous page in this tab left unsent (none if what is stored is not what `save` wrote).
fn restore() -> Vec<Item> {
    session()
        .and_then(|s| s.get_item(STORAGE_KEY).ok().flatten())
        .and_then(|json| read_items(&json))
        .unwrap_or_default()
}

/// Reads `save`'s JSON with the browser's parser (`bridge::js`): an array of items, every field
/// required.
fn read_items(json: &str) -> Option<Vec<Item>> {
    let items = js_sys::JSON::parse(json)
        .ok()?
        .dyn_into::<js_sys::Array>()
        .ok()?;
    items
        .iter()
        .map(|o| {
            Some(Item {
                kind: js::unit(&o, "kind", KINDS)?,
                id: js::string(&o, "id")?,
                path: js::string(&o, "path")?,
                body: js::string(&o, "body")?,
            })
        })
        .collect()
}

/// Starts the outbox: `base` is the server's URL ("" for the page's own origin); `on_outcome` hears of
/// every delivered or refused request; `link` tells the status line whether requests are waiting.
/// Requests left by an earlier page in this tab are sent again now.
pub fn start(base: String, link: RwSignal<Link>, on_outcome: impl Fn(&Item, Outcome) + 'static) {
    STATE.with_borrow_mut(|s| {
        s.base = base.trim_end_matches('/').to_owned();
        s.on_outcome = Some(Box::new(on_outcome));
        s.link = Some(link);
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
    });
    if let Some(window) = web_sys::window() {
        let online = Closure::<dyn Fn()>::new(|| retry_now());
        let _ = window.add_event_listener_with_callback("online", online.as_ref().unchecked_ref());
        online.forget();
    }
    pump();
}

/// Queues a request (written to storage before any attempt) and sends it as soon as it can.
pub fn push(item: Item) {
    STATE.with_borrow_mut(|s| {
        s.items.push(item);
        save(&s.items);
    });
    pump();
}

fn retry_now() {
    STATE.with_borrow_mut(|s| {
        if let Some(t) = s.timer.take() {
            t.clear();
        }
        s.failures = 0;
    });
    pump();
}

fn set_link() {
    let (link, pending, failures) = STATE.with_borrow(|s| (s.link, s.items.len(), s.failures));
    if let Some(link) = link {
        let value = if pending > 0 && failures > 0 {
            Link::Waiting { pending }
        } else {
            Link::Ok
        };
        if link.get_untracked() != value {
            link.set(value);
        }
    }
}

/// Sends the first waiting request, if nothing is in flight and no retry is scheduled.
fn pump() {
    let next = STATE.with_borrow_mut(|s| {
        if s.sending || s.timer.is_some() {
            return None;
        }
        let item = s.items.first().cloned()?;
        s.sending = true;
        Some((format!("{}{}", s.base, item.path), item))
    });
    let Some((url, item)) = next else {
        set_link();
        return;
    };
    leptos::task::spawn_local(async move {
        let response = fetch(&url, Some(&item.body)).await;
        STATE.with_borrow_mut(|s| s.sending = false);
        match response {
            Ok(r) if r.ok => done(&item, Outcome::Delivered { body: r.body }),
            Ok(r) if is_permanent(r.status) => {
                // The server's `ErrorBody` (both fields required).
                let (code, message) = js::parse(&r.body)
                    .and_then(|e| Some((js::string(&e, "error")?, js::string(&e, "message")?)))
                    .unwrap_or_else(|| ("error".into(), String::new()));
                done(&item, Outcome::Refused { code, message });
            }
            Ok(r) => {
                let retry_after = r
                    .retry_after
                    // The browser's number parser: Rust's `f64::from_str` is ~4 KB of wasm.
                    .map(|v| js_sys::parse_float(v.trim()))
                    .filter(|s| s.is_finite() && *s >= 0.0)
                    .map(|s| s * 1000.0);
                failed(retry_after);
            }
            Err(()) => failed(None),
        }
    });
}

/// 4xx answers other than "timeout" and "too many requests" will not change on a retry.
fn is_permanent(status: u16) -> bool {
    (400..500).contains(&status) && status != 408 && status != 429
}

fn done(item: &Item, outcome: Outcome) {
    STATE.with_borrow_mut(|s| {
        if let Some(pos) = s
            .items
            .iter()
            .position(|i| i.id == item.id && i.kind == item.kind)
        {
            s.items.remove(pos);
        }
        s.failures = 0;
        save(&s.items);
    });
    // Call out without holding the state: the handler may queue more requests.
    let handler = STATE.with_borrow_mut(|s| s.on_outcome.take());
    if let Some(h) = handler {
        h(item, outcome);
        STATE.with_borrow_mut(|s| {
            if s.on_outcome.is_none() {
                s.on_outcome = Some(h);
            }
        });
    }
    pump();
}

/// Exponential backoff with full jitter: a random wait in [0.5, 1] × min(30 s, 1 s × 2^failures).
fn failed(retry_after_ms: Option<f64>) {
    let wait = STATE.with_borrow_mut(|s| {
        s.failures = s.failures.saturating_add(1);
        let cap = (FIRST_RETRY_MS * 2f64.powi(s.failures as i32 - 1)).min(MAX_RETRY_MS);
        let jittered = cap * (0.5 + 0.5 * js_sys::Math::random());
        retry_after_ms.unwrap_or(jittered).clamp(200.0, 120_000.0)
    });
    set_link();
    let handle = set_timeout_with_handle(
        || {
            STATE.with_borrow_mut(|s| s.timer = None);
            pump();
        },
        Duration::from_millis(wait as u64),
    )
    .ok();
    STATE.with_borrow_mut(|s| s.timer = handle);
}
