//! Bank products in the conversation (issue #5): product cards for `product_*` answers, side-by-side
//! comparisons, glossary terms that explain themselves, and small calculators.
//!
//! Why loaded lazily: the catalogue and glossary (`kb/products.json`, ~56 KB) are not needed to show
//! the widget, so they are fetched with the worker (on idle or when the panel opens), never in the host
//! page's first load. All rules (what a card shows, the honesty lines, matching terms and product
//! names, the arithmetic) live in `assistant_core::products`; this module only renders them.
//!
//! Hook points into the rest of the widget (kept to one line each): `preload()` from
//! `Chat::start_engine`, `answer_compare()` from `Chat::send`, and `<Body>` for a message's text in
//! `messages.rs`.

mod calculator;
mod card;
mod compare;
mod glossary;
mod words;

use crate::state::{Author, Chat, Message};
use assistant_core::locale::Lang;
use assistant_core::products::ProductBundle;
use leptos::prelude::*;
use std::cell::Cell;
use std::sync::Arc;
use wasm_bindgen::JsCast;

pub use glossary::Marked;
pub use words::words;

/// Where the product bundle is.
#[derive(Clone)]
enum Load {
    Idle,
    Loading,
    Ready(Arc<ProductBundle>),
    Failed,
}

thread_local! {
    static STATE: RwSignal<Load> = RwSignal::new(Load::Idle);
    static NEXT_UID: Cell<u32> = const { Cell::new(1) };
}

fn state() -> RwSignal<Load> {
    STATE.with(|s| *s)
}

/// The bundle, if loaded (tracked: views that read it update once it arrives).
fn bundle() -> Option<Arc<ProductBundle>> {
    match state().get() {
        Load::Ready(b) => Some(b),
        _ => None,
    }
}

fn bundle_untracked() -> Option<Arc<ProductBundle>> {
    match state().get_untracked() {
        Load::Ready(b) => Some(b),
        _ => None,
    }
}

/// A page-unique number for element ids.
pub(crate) fn uid() -> u32 {
    NEXT_UID.with(|n| {
        let id = n.get();
        n.set(id + 1);
        id
    })
}

/// The bundle's URL: its hashed name from the page's asset manifest, else the unhashed path.
fn bundle_url() -> String {
    crate::bridge::manifest()
        .ok()
        .and_then(|m| m.products)
        .unwrap_or_else(|| "kb/products.json".to_owned())
}

/// Starts loading the catalogue and glossary once (idempotent; a failed load is tried again).
pub fn preload() {
    if matches!(state().get_untracked(), Load::Loading | Load::Ready(_)) {
        return;
    }
    state().set(Load::Loading);
    leptos::task::spawn_local(async {
        let result = async {
            let resp = gloo_net::http::Request::get(&bundle_url())
                .send()
                .await
                .map_err(|e| e.to_string())?;
            if !resp.ok() {
                return Err(format!("HTTP {}", resp.status()));
            }
            let text = resp.text().await.map_err(|e| e.to_string())?;
            ProductBundle::parse(&text)
        }
        .await;
        match result {
            Ok(b) => state().set(Load::Ready(Arc::new(b))),
            Err(e) => {
                web_sys::console::warn_1(
                    &format!("assistant: product cards unavailable: {e}").into(),
                );
                state().set(Load::Failed);
            }
        }
    });
}

/// "Compare fixed deposit and certificate of deposit": answers with a side-by-side table instead of
/// asking the model. Returns whether it answered.
pub fn answer_compare(chat: &Chat, text: &str, lang: Lang) -> bool {
    let Some(b) = bundle_untracked() else {
        return false;
    };
    let Some((a, bb)) = assistant_core::products::compare::detect_compare(text, &b.catalogue)
    else {
        return false;
    };
    let Some(cmp) = b.catalogue.compare(&a, &bb, lang) else {
        return false;
    };
    let intro = words(lang)
        .compare_intro
        .replace("{a}", &cmp.a.name)
        .replace("{b}", &cmp.b.name);
    chat.say(intro, lang, "compare", Some(format!("{a}|{bb}")));
    true
}

/// Links the host page configures for "next steps": `data-product-links` on the mount element, a
/// JSON object from product id (or `"*"` for any product) to a URL.
fn host_link(product: &str) -> Option<String> {
    let attr = web_sys::window()?
        .document()?
        .get_element_by_id("bank-assistant")?
        .get_attribute("data-product-links")?;
    let links: std::collections::HashMap<String, String> = serde_json::from_str(&attr).ok()?;
    links.get(product).or_else(|| links.get("*")).cloned()
}

/// Moves keyboard focus to the element with `id` once it is on the page (after the next frame).
fn focus_later(id: String) {
    request_animation_frame(move || {
        if let Some(el) = crate::host::element_by_id(&id) {
            let _ = el.unchecked_into::<web_sys::HtmlElement>().focus();
        }
    });
}

/// A message's text: a product card for a product answer, a comparison for a compare answer, else
/// the paragraphs (with glossary terms marked in the assistant's words).
#[component]
pub fn Body(chat: Chat, message: Message) -> impl IntoView {
    let paragraphs: Vec<String> = message.text.split("\n\n").map(str::to_owned).collect();
    let lang = message.lang;
    if message.author == Author::Customer {
        return paragraphs
            .into_iter()
            .map(|p| view! { <p>{p}</p> })
            .collect_view()
            .into_any();
    }
    let intent = message.intent.clone().unwrap_or_default();
    let is_product = message.author == Author::Assistant
        && intent.starts_with("product_")
        && matches!(message.route, "answer" | "server" | "kb");
    let is_compare = message.route == "compare";
    if is_product || is_compare {
        preload();
    }
    let mark = message.author == Author::Assistant;
    let plain = move |paragraphs: Vec<String>| {
        paragraphs
            .into_iter()
            .map(|p| {
                if mark {
                    view! { <p><Marked text=p lang=lang/></p> }.into_any()
                } else {
                    view! { <p>{p}</p> }.into_any()
                }
            })
            .collect_view()
    };
    let id = message.id;
    (move || {
        let b = if is_product || is_compare {
            bundle()
        } else {
            None
        };
        match b {
            Some(b) if is_compare => {
                let (a, bb) = intent.split_once('|').unwrap_or_default();
                match b.catalogue.compare(a, bb, lang) {
                    Some(cmp) => view! {
                        <p>{message.text.clone()}</p>
                        <compare::ComparisonView cmp=cmp/>
                    }
                    .into_any(),
                    None => plain(paragraphs.clone()).into_any(),
                }
            }
            Some(b) => match b.catalogue.card(&intent, lang) {
                Some(c) => {
                    view! { <card::ProductCardView chat=chat card=c bundle=b.clone() uid=id/> }
                        .into_any()
                }
                None => plain(paragraphs.clone()).into_any(),
            },
            // Not loaded (yet, or it failed): the answer's text, and for a product still the
            // "not advice" line.
            None => {
                let note = is_product
                    .then(|| view! { <p class="ba-disclaimer">{words(lang).general_info}</p> });
                view! { {plain(paragraphs.clone())} {note} }.into_any()
            }
        }
    })
    .into_any()
}
