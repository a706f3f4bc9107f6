//! The widget's wasm module. It does nothing when loaded: the loader (`public/embed/assistant.js`)
//! creates the `<bank-assistant>` element and its shadow root, then calls [`host::mount`] with the
//! configuration and the hashed asset URLs. See docs/EMBEDDING.md.
//!
//! Modules: `host` (the mount function and the commands/events behind the page's JS API), `app`
//! (launcher + dialog), `header` (title, toolbar, display settings), `messages` (the log), `composer`
//! (chips and input), `state` (conversation flow), `bridge` (the Web Worker that owns the model),
//! `prefs` (text size, contrast, auto-read), `history` (the conversation kept for the tab), `speech` (read aloud), `focus` (dialog focus trap inside
//! the shadow root), `i18n`, `idle`, `viewport`
//! (the on-screen keyboard), `wire` (the JSON the widget reads and writes, without serde: `wire::read`
//! through the browser's `JSON.parse`, `wire::write` by hand, `wire::worker` the worker's messages).

mod app;
mod bridge;
mod composer;
mod focus;
mod header;
mod history;
mod host;
mod i18n;
mod idle;
mod io;
mod live;
mod messages;
mod outbox;
mod prefs;
mod products;
mod service;
mod speech;
mod state;
mod viewport;
mod wire;

/// wasm-bindgen runs this when the module is instantiated; mounting waits for the loader's call.
fn main() {
    console_error_panic_hook::set_once();
}
