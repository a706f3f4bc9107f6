//! Glossary terms in running text: each marked term is a real `<button aria-expanded>` that shows its
//! one-sentence explanation inline, right after the term, and hides it again. Works with a mouse, a
//! tap, Enter/Space and screen readers, unlike a hover tooltip; and the explanation stays on screen
//! while the customer reads on.
//!
//! Why only the first mention of a term in a block: a paragraph that says "interest" four times would
//! otherwise have four buttons, which is noise for screen-reader and keyboard users.

use super::{bundle, uid, words};
use assistant_core::locale::Lang;
use assistant_core::products::glossary::Segment;
use leptos::prelude::*;

/// `text` with its glossary terms marked (plain text until the glossary has loaded).
#[component]
pub fn Marked(#[prop(into)] text: String, lang: Lang) -> impl IntoView {
    move || {
        let Some(b) = bundle() else {
            return text.clone().into_any();
        };
        let mut seen: Vec<String> = Vec::new();
        b.glossary
            .mark_terms(&text, lang)
            .into_iter()
            .map(|seg| match seg {
                Segment::Term { text, id } if !seen.contains(&id) => {
                    let explain = b.glossary.explain(&id, lang).unwrap_or_default().to_owned();
                    seen.push(id);
                    view! { <Term text=text explain=explain lang=lang/> }.into_any()
                }
                Segment::Term { text, .. } | Segment::Text { text } => text.into_any(),
            })
            .collect_view()
            .into_any()
    }
}

#[component]
fn Term(text: String, explain: String, lang: Lang) -> impl IntoView {
    let open = RwSignal::new(false);
    let note = format!("ba-term-{}", uid());
    let means = format!("{} {} ", text, words(lang).term_means);
    view! {
        <button
            type="button"
            class="ba-term"
            aria-expanded=move || open.get().to_string()
            aria-controls=note.clone()
            on:click=move |_| open.update(|o| *o = !*o)
        >
            {text}
        </button>
        <span id=note class="ba-term-note" role="note" hidden=move || !open.get()>
            <span class="ba-visually-hidden">{means}</span>
            {explain}
        </span>
    }
}
