//! Live events of a handed-off conversation (queue position, agent joined, agent typing, agent messages)
//! over Server-Sent Events.
//!
//! Why `EventSource`: it reconnects by itself and sends `Last-Event-ID`, so the server resumes after the
//! last stored event and no agent message is missed or shown twice across a dropped connection. When the
//! browser gives up (the server was down for long, or the stream's token has expired), we open a new one
//! after a pause, and the server still resumes from the id we saw last (sent as `?last_event_id=`, since
//! a new `EventSource` cannot set the header). The last id seen is kept with the conversation in this
//! tab's `sessionStorage` too, so the next page (after a navigation) and the next hand-off in the same
//! conversation resume after it instead of replaying what is already in the log.
//!
//! `EventSource` cannot send the conversation's secret header either, so each (re-)opening first asks
//! for a short-lived stream token (`POST /v1/conversations/{id}/stream-token`, with the secret) and puts
//! that in the URL; the secret itself never appears in a URL. The token is fetched directly, not through
//! the outbox: it is good for minutes and worthless after, so it is never queued. While it cannot be had
//! (offline, server down) we retry with backoff and jitter; if the server refuses it for good (the
//! conversation or its secret is gone), we stop and say so.

use crate::io::outbox::{self, Outbox};
use crate::io::storage;
use assistant_core::api::{ConversationEvent, StreamToken};
use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;
use wasm_bindgen::prelude::*;
use web_sys::{EventSource, MessageEvent};

const EVENT_TYPES: [&str; 4] = ["queue", "status", "message", "typing"];
const FIRST_RETRY_MS: f64 = 1_000.0;
const MAX_RETRY_MS: f64 = 30_000.0;

struct State {
    source: Option<EventSource>,
    conversation: String,
    last_id: Option<String>,
    handler: Option<Rc<dyn Fn(ConversationEvent)>>,
    on_gone: Option<Rc<dyn Fn()>>,
    /// Tries in a row that got no open stream (token refused for now, or the stream failed before it
    /// opened): the backoff's exponent.
    failures: u32,
    /// Counts `listen` and `stop` calls: a token or timer from an earlier stream is dropped.
    generation: u32,
    /// The conversation was opened again after a refused token (once per `listen`).
    reopened: bool,
}

/// The hand-off's event stream (made by `host::mount`, shared through `io::Io`): cheap to clone, every
/// clone the same stream. It asks the outbox for the conversation's secret and the server's address.
#[derive(Clone)]
pub struct Live {
    state: Rc<RefCell<State>>,
    outbox: Outbox,
}

/// Why no token came.
enum NoToken {
    /// Offline, the server down or busy, the conversation not open yet: ask again later.
    ForNow,
    /// The server refused (4xx): the conversation, or its secret, is not there any more.
    ForGood,
}

/// A `StreamToken` (both fields required), read with the browser's `JSON.parse` (see `wire::read`).
pub(crate) fn read_token(json: &str) -> Option<StreamToken> {
    use crate::wire::read as js;
    let o = js::parse(json)?;
    Some(StreamToken {
        token: js::string(&o, "token")?,
        expires_in_s: js::u32(&o, "expires_in_s")?,
    })
}

/// Reads one event with the browser's `JSON.parse` (see `wire::read`: serde's code for this internally
/// tagged enum was ~12 KB of the widget's wasm before optimisation). The shape is the server's
/// `ConversationEvent` (docs/openapi.yaml).
fn read_event(data: &str) -> Option<ConversationEvent> {
    use crate::wire::read as js;
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
            agent_name: js::get(&o, "agent_name").as_string(),
        },
        "typing" => ConversationEvent::Typing {
            typing: js::get(&o, "typing").as_bool()?,
        },
        _ => return None,
    })
}

impl Live {
    pub fn new(outbox: Outbox) -> Live {
        Live {
            state: Rc::new(RefCell::new(State {
                source: None,
                conversation: String::new(),
                last_id: None,
                handler: None,
                on_gone: None,
                failures: 0,
                generation: 0,
                reopened: false,
            })),
            outbox,
        }
    }

    /// Runs `f` on the state; never across a call out (a callback may come back in).
    fn with<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        f(&mut self.state.borrow_mut())
    }

    /// Listens to the events of `conversation` until `stop`; `on_event` gets each event once. `on_gone`
    /// is called (once, after stopping) if the server refuses the stream for good.
    pub fn listen(
        &self,
        conversation: String,
        on_event: impl Fn(ConversationEvent) + 'static,
        on_gone: impl Fn() + 'static,
    ) {
        self.stop();
        let last = storage::session()
            .and_then(|s| s.get_item(storage::LAST_EVENT).ok().flatten())
            .and_then(|v| {
                let (c, id) = v.split_once(' ')?;
                (c == conversation).then(|| id.to_owned())
            });
        self.with(|l| {
            l.last_id = last;
            l.conversation = conversation;
            l.handler = Some(Rc::new(on_event));
            l.on_gone = Some(Rc::new(on_gone));
            l.failures = 0;
            l.reopened = false;
        });
        self.connect();
    }

    /// Closes the stream (hand-off over, cancelled, or conversation cleared).
    pub fn stop(&self) {
        self.with(|l| {
            if let Some(s) = l.source.take() {
                s.close();
            }
            l.handler = None;
            l.on_gone = None;
            l.last_id = None;
            l.generation = l.generation.wrapping_add(1);
        });
    }

    /// Whether `generation` is still the stream being listened to.
    fn current(&self, generation: u32) -> bool {
        self.with(|l| l.generation == generation && l.handler.is_some())
    }

    /// A fresh stream token for `conversation`, asked with its secret.
    async fn token(&self, conversation: &str) -> Result<String, NoToken> {
        let secret = self.outbox.secret(conversation).ok_or(NoToken::ForNow)?;
        let url = self
            .outbox
            .url(&format!("/v1/conversations/{conversation}/stream-token"));
        match outbox::fetch(&url, Some("{}"), Some(&secret)).await {
            Ok(r) if r.ok => read_token(&r.body).map(|t| t.token).ok_or(NoToken::ForNow),
            Ok(r) if (400..500).contains(&r.status) && r.status != 408 && r.status != 429 => {
                Err(NoToken::ForGood)
            }
            _ => Err(NoToken::ForNow),
        }
    }

    /// Gets a token, then opens the stream with it; retries with backoff while no token can be had.
    fn connect(&self) {
        let (generation, conversation) = self.with(|l| (l.generation, l.conversation.clone()));
        let this = self.clone();
        leptos::task::spawn_local(async move {
            let this = &this;
            let got = this.token(&conversation).await;
            if !this.current(generation) {
                return;
            }
            match got {
                Ok(token) => this.open(&conversation, &token),
                Err(NoToken::ForNow) => this.retry(generation),
                // The secret kept here may be stale: open the conversation again with its claim (a fresh
                // secret), once, and ask again.
                Err(NoToken::ForGood) if !this.with(|l| l.reopened) => {
                    this.with(|l| l.reopened = true);
                    if this.outbox.open_again(&conversation).await && this.current(generation) {
                        this.connect();
                    } else if this.current(generation) {
                        this.gone();
                    }
                }
                Err(NoToken::ForGood) => this.gone(),
            }
        });
    }

    /// The server refuses the stream for good: stop, and tell the conversation.
    fn gone(&self) {
        let on_gone = self.with(|l| l.on_gone.clone());
        self.stop();
        if let Some(on_gone) = on_gone {
            on_gone();
        }
    }

    /// Tries again after a wait in [0.5, 1] × min(30 s, 1 s × 2^failures) (full jitter, as the outbox).
    fn retry(&self, generation: u32) {
        let wait = self.with(|l| {
            l.failures = l.failures.saturating_add(1);
            let cap = (FIRST_RETRY_MS * 2f64.powi(l.failures as i32 - 1)).min(MAX_RETRY_MS);
            cap * (0.5 + 0.5 * js_sys::Math::random())
        });
        let this = self.clone();
        leptos::prelude::set_timeout(
            move || {
                if this.current(generation) {
                    this.connect();
                }
            },
            Duration::from_millis(wait as u64),
        );
    }

    fn open(&self, conversation: &str, token: &str) {
        let (last, generation) = self.with(|l| (l.last_id.clone(), l.generation));
        let mut path = format!(
            "/v1/conversations/{conversation}/events?token={}",
            js_sys::encode_uri_component(token)
        );
        if let Some(id) = last {
            path.push_str("&last_event_id=");
            path.push_str(&String::from(js_sys::encode_uri_component(&id)));
        }
        let Ok(source) = EventSource::new(&self.outbox.url(&path)) else {
            return self.retry(generation);
        };
        for kind in EVENT_TYPES {
            let this = self.clone();
            let cb = Closure::<dyn Fn(MessageEvent)>::new(move |ev: MessageEvent| {
                let id = ev.last_event_id();
                let Some(data) = ev.data().as_string() else {
                    return;
                };
                let Some(event) = read_event(&data) else {
                    return;
                };
                let handler = this.with(|l| {
                    if !id.is_empty() {
                        if let Some(s) = storage::session() {
                            let _ = s
                                .set_item(storage::LAST_EVENT, &format!("{} {id}", l.conversation));
                        }
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
        // Open: the next failure starts the backoff afresh.
        let this = self.clone();
        let on_open = Closure::<dyn Fn()>::new(move || {
            this.with(|l| {
                if l.generation == generation {
                    l.failures = 0;
                }
            })
        });
        source.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        on_open.forget();
        let this = self.clone();
        let on_error = Closure::<dyn Fn()>::new(move || {
            // CLOSED (2): the browser stopped retrying (the server refused the stream: most often the token
            // expired). A fresh token, then the stream again from the last event seen.
            let closed = this.with(|l| {
                l.generation == generation
                    && l.source.as_ref().is_some_and(|s| s.ready_state() == 2)
            });
            if closed {
                this.retry(generation);
            }
        });
        source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        on_error.forget();
        self.with(|l| {
            if let Some(old) = l.source.replace(source) {
                old.close();
            }
        });
    }
}
