//! Suggestion chips (one row that scrolls sideways; none while a person is on the way or talking: the
//! customer then talks to them, and "Talk to a person" would offer what is already happening) and the
//! composer: a multi-line input (Enter sends, Shift+Enter adds a line, and
//! Enter while an IME is composing Chinese never sends), a send button and a character counter.

use crate::conversation::{Chat, Handoff, MAX_CHARS};
use crate::platform::i18n::strings;
use leptos::ev::KeyboardEvent;
use leptos::html;
use leptos::prelude::*;

#[component]
pub fn Suggestions(chat: Chat, input: NodeRef<html::Textarea>) -> impl IntoView {
    view! {
        <ul
            class="ba-chips"
            aria-label=move || strings(chat.locale.get()).suggestions_label
            hidden=move || chat.handoff.get() != Handoff::None
        >
            // Elder mode offers fewer choices at a time: at most three chips.
            <For
                each=move || {
                    let limit = if chat.prefs.elder() { 3 } else { 4 };
                    chat.suggestions.get().into_iter().take(limit).collect::<Vec<_>>()
                }
                key=|s| s.text.clone()
                let:suggestion
            >
                <li>
                    <button class="ba-chip" data-intent=suggestion.intent.clone() on:click={
                        let (text, intent) = (suggestion.text.clone(), suggestion.intent.clone());
                        move |_| {
                            let _ = chat.send(&text, Some(intent.clone()));
                            if let Some(el) = input.get_untracked() {
                                let _ = el.focus();
                            }
                        }
                    }>
                        {suggestion.text.clone()}
                    </button>
                </li>
            </For>
        </ul>
    }
}

/// "You are writing in Chinese: show the chat in Chinese?", in the customer's language, with one tap to
/// switch (remembered) or to say no. Shown once a conversation, and only when asked for by the text.
#[component]
pub fn LanguageOffer(chat: Chat) -> impl IntoView {
    move || {
        chat.switch_offer.get().map(|lang| {
            let s = strings(lang);
            view! {
                <div class="ba-switch" lang=lang.tag() role="group" aria-label=s.switch_offer>
                    <p class="ba-switch-text">{s.switch_offer}</p>
                    <button class="ba-switch-yes" on:click=move |_| chat.choose_locale(lang)>{s.switch_yes}</button>
                    <button class="ba-switch-no" on:click=move |_| chat.switch_offer.set(None)>{s.switch_no}</button>
                </div>
            }
        })
    }
}

#[component]
pub fn Composer(chat: Chat, input: NodeRef<html::Textarea>) -> impl IntoView {
    let draft = RwSignal::new(String::new());
    let error = RwSignal::new(None::<&'static str>);
    let count = move || draft.with(|d| d.chars().count());
    let counter_class = move || {
        if count() > MAX_CHARS - 200 {
            "ba-counter ba-counter-near"
        } else {
            "ba-counter"
        }
    };
    let submit = move || match chat.send(&draft.get_untracked(), None) {
        Ok(true) => {
            draft.set(String::new());
            error.set(None);
        }
        Ok(false) => {}
        Err(e) => error.set(Some(e)),
    };
    view! {
        <form class="ba-composer" on:submit=move |ev| { ev.prevent_default(); submit(); }>
            <label for="ba-input" class="ba-visually-hidden">{move || strings(chat.locale.get()).input_label}</label>
            <textarea
                id="ba-input"
                node_ref=input
                class="ba-input"
                rows="2"
                maxlength=MAX_CHARS.to_string()
                aria-describedby="ba-counter ba-error"
                placeholder=move || strings(chat.locale.get()).placeholder
                prop:value=move || draft.get()
                on:input=move |ev| draft.set(event_target_value(&ev))
                on:keydown=move |ev: KeyboardEvent| {
                    if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() && ev.key_code() != 229 {
                        ev.prevent_default();
                        submit();
                    }
                }
            ></textarea>
            <button type="submit" class="ba-send">{move || strings(chat.locale.get()).send}</button>
            <div class="ba-composer-meta">
                <span id="ba-error" class="ba-error" role="alert">{move || error.get().unwrap_or("")}</span>
                <span id="ba-counter" class=counter_class>
                    {move || format!("{} / {MAX_CHARS}", count())}
                </span>
            </div>
        </form>
    }
}
