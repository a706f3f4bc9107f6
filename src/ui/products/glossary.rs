//! Glossary terms in running text: each marked term is a real `<button aria-expanded>` that shows its
//! one-sentence explanation inline, right after the term, and hides it again. Works with a mouse, a
//! tap, Enter/Space and screen readers, unlike a hover tooltip; and the explanation stays on screen
//! while the customer reads on. Which words are terms (first mention per block) the worker decides.

use super::uid;
use assistant_core::protocol::{Rich, TermNote};
use leptos::prelude::*;

/// Text with its glossary terms as buttons.
#[component]
pub fn RichText(spans: Rich) -> impl IntoView {
    spans
        .into_iter()
        .map(|s| match s.term {
            Some(note) => view! { <Term text=s.text note=note/> }.into_any(),
            None => s.text.into_any(),
        })
        .collect_view()
}

#[component]
fn Term(text: String, note: TermNote) -> impl IntoView {
    let open = RwSignal::new(false);
    let note_id = format!("ba-term-{}", uid());
    view! {
        <button
            type="button"
            class="ba-term"
            aria-expanded=move || open.get().to_string()
            aria-controls=note_id.clone()
            on:click=move |_| open.update(|o| *o = !*o)
        >
            {text}
        </button>
        <span id=note_id class="ba-term-note" role="note" hidden=move || !open.get()>
            <span class="ba-visually-hidden">{note.means}</span>
            {note.explain}
        </span>
    }
}
