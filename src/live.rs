//! Live events of a handed-off conversation (queue position, agent joined, agent typing, agent messages)
//! over Server-Sent Events.
//!
//! Why `EventSource`: it reconnects by itself and sends `Last-Event-ID`, so the server resumes after the
//! last stored event and no agent message is missed or shown twice across a dropped connection. When the
//! browser gives up (the server was down for long), we open a new one after a pause, and the server still
//! resumes from the id we saw last (sent as `?last_event_id=`, since a new `EventSource` cannot set the
//! header).

use assistant_core::api::ConversationEvent;
use std::cell::RefCell;
use std::time::Duration;
use wasm_bindgen::prelude::*;
use web_sys::{EventSource, MessageEvent};

const EVENT_TYPES: [&str; 4] = ["queue", "status", "message", "typing"];

struct Live {
    source: Option<EventSource>,
    url: String,
    last_id: Option<String>,
    handler: Option<std::rc::Rc<dyn Fn(ConversationEvent)>>,
}

thread_local! {
    static LIVE: RefCell<Live> = const { RefCell::new(Live { source: None, url: String::new(), last_id: None, handler: None }) };
}

/// Listens to `url` (the conversation's events) until `stop`; `on_event` gets each event once.
pub fn listen(url: String, on_event: impl Fn(ConversationEvent) + 'static) {
    stop();
    LIVE.with_borrow_mut(|l| {
        l.url = url;
        l.handler = Some(std::rc::Rc::new(on_event));
    });
    open();
}

/// Closes the stream (hand-off over, cancelled, or conversation cleared).
pub fn stop() {
    LIVE.with_borrow_mut(|l| {
        if let Some(s) = l.source.take() {
            s.close();
        }
        l.handler = None;
        l.last_id = None;
    });
}

fn open() {
    let (url, last) = LIVE.with_borrow(|l| (l.url.clone(), l.last_id.clone()));
    let full = match last {
        Some(id) => format!(
            "{url}{}last_event_id={}",
            if url.contains('?') { '&' } else { '?' },
            js_sys::encode_uri_component(&id)
        ),
        None => url,
    };
    let Ok(source) = EventSource::new(&full) else {
        return;
    };
    for kind in EVENT_TYPES {
        let cb = Closure::<dyn Fn(MessageEvent)>::new(move |ev: MessageEvent| {
            let id = ev.last_event_id();
            let Some(data) = ev.data().as_string() else {
                return;
            };
            let Some(event) = read_event(&data) else {
                return;
            };
            let handler = LIVE.with_borrow_mut(|l| {
                if !id.is_empty() {
                    l.last_id = Some(id);
                }
                l.handler.clone()
            });
            if let Some(h) = handler {
                h(event);
            }
        });
        let _ = source.add_event_listener_with_callback(kind, cb.as_ref().unchecked_ref());
        cb.forget();
    }
    let on_error = Closure::<dyn Fn()>::new(move || {
        // CLOSED (2): the browser stopped retrying; try again ourselves in a few seconds.
        let closed = LIVE.with_borrow(|l| l.source.as_ref().is_some_and(|s| s.ready_state() == 2));
        if closed {
            leptos::prelude::set_timeout(
                || {
                    if LIVE.with_borrow(|l| l.handler.is_some()) {
                        open();
                    }
                },
                Duration::from_secs(3),
            );
        }
    });
    source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    on_error.forget();
    LIVE.with_borrow_mut(|l| {
        if let Some(old) = l.source.replace(source) {
            old.close();
        }
    });
}

/// Reads one event with the browser's `JSON.parse` (see `bridge::js`: serde's code for this internally
/// tagged enum was ~12 KB of the widget's wasm before optimisation). The shape is the server's
/// `ConversationEvent` (docs/openapi.yaml).
fn read_event(data: &str) -> Option<ConversationEvent> {
    use crate::bridge::js;
    let o = js::parse(data)?;
    let num = |k| js::get(&o, k).as_f64().map(|n| n as u32);
    Some(match js::s(&o, "type").as_str() {
        "queue" => ConversationEvent::Queue {
            position: num("position")?,
            estimated_wait_s: num("estimated_wait_s")?,
        },
        "status" => ConversationEvent::Status {
            state: js::unit(&o, "state", js::HANDOFF_STATES)?,
            agent_name: js::get(&o, "agent_name").as_string(),
        },
        "message" => ConversationEvent::Message {
            role: js::unit(&o, "role", js::ROLES)?,
            text: js::s(&o, "text"),
            at: js::s(&o, "at"),
        },
        "typing" => ConversationEvent::Typing {
            typing: js::get(&o, "typing").as_bool()?,
        },
        _ => return None,
    })
}
