//! The widget's entry point: mounts the assistant into `#bank-assistant` (or the end of `<body>`).
//! The conversation's language comes from the mount element's `data-locale`, else the browser's.
//!
//! Modules: `app` (launcher + dialog), `header` (title, toolbar, display settings), `messages` (the
//! log), `composer` (chips and input), `state` (conversation flow), `bridge` (the Web Worker that owns
//! the model), `prefs` (text size, contrast, auto-read), `history` (the
//! conversation kept for the tab), `speech` (read aloud), `focus` (dialog focus
//! trap), `i18n`, `idle`, `viewport` (the on-screen
//! keyboard).

mod app;
mod bridge;
mod composer;
mod focus;
mod header;
mod history;
mod i18n;
mod idle;
mod live;
mod messages;
mod outbox;
mod prefs;
mod products;
mod service;
mod speech;
mod state;
mod viewport;

use assistant_core::locale::Lang;
use wasm_bindgen::JsCast;

fn main() {
    console_error_panic_hook::set_once();
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let host = document.get_element_by_id("bank-assistant");
    let locale = host
        .as_ref()
        .and_then(|h| h.get_attribute("data-locale"))
        .or_else(|| web_sys::window().and_then(|w| w.navigator().language()))
        .and_then(|tag| Lang::from_tag(&tag))
        .unwrap_or_default();
    let attr = |name: &str| host.as_ref().and_then(|h| h.get_attribute(name));
    let prefs = prefs::Prefs::load(
        attr("data-text-size").as_deref(),
        attr("data-theme").as_deref(),
    );
    history::configure(
        attr("data-persist").as_deref(),
        attr("data-persist-hours").as_deref(),
    );
    // The bank's server; by default the page's own origin (the server also serves the widget).
    let server = attr("data-server").unwrap_or_default();
    let mount = match host {
        Some(el) => el.unchecked_into::<web_sys::HtmlElement>(),
        None => document.body().expect("a page has a body"),
    };
    leptos::mount::mount_to(
        mount,
        move || leptos::view! { <app::App locale=locale prefs=prefs server=server/> },
    )
    .forget();
}
