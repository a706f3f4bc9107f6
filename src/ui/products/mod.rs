//! Bank products in the conversation (issue #5): product cards for `product_*` answers, side-by-side
//! comparisons, glossary terms that explain themselves, and small calculators.
//!
//! Why only a renderer here: the catalogue, glossary, matching, calculators and their wording live in
//! the Web Worker (`assistant_core::products::view`), which sends each assistant message's view as
//! plain data (`assistant_core::protocol::View`) and computes calculator results on request. The
//! widget's first load carries none of it. The worker's own answers come with their view (one trip);
//! a server's answer or a restored history joins the log once its view arrives (a round trip to the
//! already running worker), so the log announces each message once and never re-renders it; if the
//! worker is not there (it failed to start) or is slow, the plain text is shown after at most a
//! second, and a product answer then still gets the "not advice" line.
//!
//! Hook points into the rest of the widget (one line each): `ready()` for the log's list of messages
//! and `<Body>` for a message's text in `messages.rs`. Requests to the worker go through
//! the widget's `io::worker::WorkerClient`, which reads the answers (`wire::worker`).

mod calculator;
mod card;
mod compare;
mod glossary;

use crate::conversation::{Author, Chat, Message, Origin};
use crate::wire::worker::Answer;
use assistant_core::protocol::{Render, ToWorker, View};
use leptos::prelude::*;
use std::time::Duration;
use wasm_bindgen::JsCast;

pub use glossary::RichText;

/// A number unique in this widget, for element ids. Called while a component is built (the widget's
/// `Chat` is the context of every component).
pub(crate) fn uid() -> u32 {
    expect_context::<Chat>().id()
}

/// The host's link for a product's "next steps", if it gave one (`data-product-links`, see
/// `host::mount`). Called while a component is built.
fn host_link(product: &str) -> Option<String> {
    let chat = use_context::<Chat>()?;
    chat.kept.with_value(|k| {
        let l = &k.product_links;
        l.get(product).or_else(|| l.get("*")).cloned()
    })
}

/// Moves keyboard focus to the element with `id` once it is on the page (after the next frame).
fn focus_later(id: String) {
    request_animation_frame(move || {
        if let Some(el) = crate::platform::focus::element_by_id(&id) {
            let _ = el.unchecked_into::<web_sys::HtmlElement>().focus();
        }
    });
}

fn plain(text: &str) -> impl IntoView + use<> {
    text.split("\n\n")
        .map(|p| view! { <p>{p.to_owned()}</p> })
        .collect_view()
}

/// The messages that can be shown: in order, up to the first whose view is not known yet. Asks the
/// worker for the view of each new assistant message that came without one (a server's or agent's
/// answer, a restored history); others are ready at once.
pub fn ready(chat: Chat, messages: Vec<Message>) -> Vec<Message> {
    for m in &messages {
        let new = chat.kept.try_update_value(|k| {
            let asked = &mut k.asked;
            let new = !asked.contains(&m.id);
            if new {
                asked.push(m.id);
            }
            new
        });
        if new == Some(true) {
            ask_view(chat, m);
        }
    }
    chat.views.with(|v| {
        messages
            .into_iter()
            .take_while(|m| v.contains_key(&m.id))
            .collect()
    })
}

fn ask_view(chat: Chat, message: &Message) {
    let id = message.id;
    let worker = chat.io().worker;
    if message.author != Author::Assistant || !worker.alive() {
        // Not during the current update: `ready` runs inside the log's render.
        set_timeout(move || chat.settle_view(id, None), Duration::ZERO);
        return;
    }
    let intent = message.intent.clone().unwrap_or_default();
    let what = if let Origin::Compare { a, b } = &message.origin {
        Render::Compare {
            a: a.clone(),
            b: b.clone(),
        }
    } else if is_product(message) {
        Render::Product { product: intent }
    } else {
        Render::Text {
            text: message.text.clone(),
        }
    };
    let lang = message.lang;
    worker.request(
        |rid| ToWorker::Render {
            id: rid,
            lang,
            what,
        },
        move |msg| {
            if let Answer::View(view) = msg {
                chat.settle_view(id, view);
            }
        },
    );
    // A slow or broken worker: the plain text after a second (a few more while it still boots, as on
    // a page that restores a conversation before the worker has started).
    let wait = if worker.listening() { 1 } else { 5 };
    set_timeout(
        move || chat.settle_view(id, None),
        Duration::from_secs(wait),
    );
}

fn is_product(message: &Message) -> bool {
    message.author == Author::Assistant
        && message
            .intent
            .as_deref()
            .is_some_and(|i| i.starts_with("product_"))
        && matches!(message.origin, Origin::Answer | Origin::Server | Origin::Kb)
}

/// A message's text: a product card for a product answer, a comparison for a compare answer, else
/// the paragraphs (with glossary terms marked in the assistant's words), as the worker built it.
#[component]
pub fn Body(chat: Chat, message: Message) -> impl IntoView {
    let lang = message.lang;
    let shown = chat
        .views
        .with_untracked(|v| v.get(&message.id).cloned().flatten());
    match shown {
        Some(View::Text { paragraphs }) => paragraphs
            .into_iter()
            .map(|p| view! { <p><RichText spans=p/></p> })
            .collect_view()
            .into_any(),
        Some(View::Card(card)) => {
            view! { <card::ProductCardView chat=chat card=card lang=lang uid=message.id/> }
                .into_any()
        }
        Some(View::Compare(cmp)) => view! {
            <p>{message.text}</p>
            <compare::ComparisonView cmp=cmp/>
        }
        .into_any(),
        // No view (no catalogue, no worker, or not a message the worker renders): the text, and
        // for a product still the "not advice" line.
        None => {
            let note = is_product(&message)
                .then(|| view! { <p class="ba-disclaimer">{crate::platform::i18n::strings(lang).general_info}</p> });
            view! { {plain(&message.text)} {note} }.into_any()
        }
    }
}
