//! The widget's wasm module. It does nothing when loaded: the loader (`public/embed/assistant.js`)
//! creates the `<bank-assistant>` element and its shadow root, then calls [`host::mount`] with the
//! configuration and the hashed asset URLs. See docs/EMBEDDING.md.
//!
//! Layers, each using only the ones below it (`xtask/src/layout.rs` checks there is no import circle
//! of more than three files):
//! - `host`: the mount function and the commands/events behind the page's JS API;
//! - `ui`: the Leptos components (launcher + dialog, header, log, composer, product renderers);
//! - `conversation`: the conversation's state (`Chat`, signals) and flow: asking the worker, the bank's
//!   server and hand-offs (`server`), the history kept for the tab (`history`);
//! - `io`: the Web Worker (`worker`), server requests (`outbox`), the hand-off's event stream (`live`),
//!   every storage key (`storage`);
//! - `wire`: the JSON the widget reads and writes, without serde (`read` through the browser's
//!   `JSON.parse`, `write` by hand, `worker` the worker's messages);
//! - `platform`: the browser's features the UI needs (display preferences, speech, focus trap, idle
//!   start, on-screen keyboard) and every UI string (`i18n`).

mod conversation;
mod host;
mod io;
mod platform;
mod ui;
mod wire;

/// wasm-bindgen runs this when the module is instantiated; mounting waits for the loader's call.
fn main() {
    console_error_panic_hook::set_once();
}
