//! The panel's header: title and close button, then a toolbar with the display settings (text size,
//! high contrast, auto read-aloud), the language switch and the always-visible "talk to a person".
//!
//! Why a disclosure for display settings: older customers do better with fewer choices on screen at a
//! time, so the four text sizes and the toggles sit behind one clearly named button instead of crowding
//! the header, while "talk to a person" never hides.

use crate::conversation::Chat;
use crate::platform::i18n::strings;
use crate::platform::prefs::{Prefs, TextSize};
use crate::platform::speech;
use assistant_core::locale::Lang;
use assistant_core::routing::Reason;
use leptos::prelude::*;

#[component]
pub fn Header(chat: Chat, prefs: Prefs, on_close: Callback<()>) -> impl IntoView {
    let s = move || strings(chat.locale.get());
    let settings_open = RwSignal::new(false);
    let clear_open = RwSignal::new(false);
    let clear_button: NodeRef<leptos::html::Button> = NodeRef::new();
    view! {
        <div class="ba-header">
            <div class="ba-header-row">
                <h2 id="ba-title" class="ba-title">{move || s().title}</h2>
                <button
                    class="ba-header-button ba-close"
                    aria-label=move || s().close
                    on:click=move |_| on_close.run(())
                >
                    <span aria-hidden="true">"✕"</span>
                </button>
            </div>
            <div class="ba-toolbar" role="group" aria-label=move || s().toolbar_label>
                <button
                    class="ba-header-button ba-settings-toggle"
                    aria-expanded=move || settings_open.get().to_string()
                    aria-controls="ba-settings"
                    on:click=move |_| settings_open.update(|o| *o = !*o)
                >
                    <span aria-hidden="true" class="ba-aa">"Aa"</span>
                    <span>{move || s().display_settings}</span>
                </button>
                <button
                    class="ba-header-button ba-language"
                    lang=move || if chat.locale.get() == Lang::En { "zh-CN" } else { "en" }
                    on:click=move |_| {
                        chat.locale.update(|l| *l = if *l == Lang::En { Lang::ZhCn } else { Lang::En });
                        chat.reset_suggestions();
                    }
                >
                    {move || s().switch_language}
                </button>
                <button
                    class="ba-header-button ba-person"
                    on:click=move |_| chat.accept_handoff(Reason::AskedForPerson, chat.locale.get_untracked())
                >
                    {move || s().talk_to_person}
                </button>
                <button
                    node_ref=clear_button
                    class="ba-header-button ba-clear"
                    hidden=move || chat.messages.with(Vec::is_empty)
                    aria-expanded=move || clear_open.get().to_string()
                    aria-controls="ba-clear-confirm"
                    on:click=move |_| clear_open.update(|o| *o = !*o)
                >
                    {move || s().clear}
                </button>
            </div>
            <Settings chat=chat prefs=prefs open=settings_open/>
            <ClearConfirm chat=chat open=clear_open toggle=clear_button/>
        </div>
    }
}

#[component]
fn Settings(chat: Chat, prefs: Prefs, open: RwSignal<bool>) -> impl IntoView {
    let s = move || strings(chat.locale.get());
    let can_speak = speech::available();
    view! {
        <div id="ba-settings" class="ba-settings" hidden=move || !open.get()>
            <div class="ba-size-group" role="group" aria-labelledby="ba-size-label">
                <span id="ba-size-label" class="ba-settings-label">{move || s().text_size}</span>
                {TextSize::ALL
                    .into_iter()
                    .enumerate()
                    .map(|(i, size)| {
                        view! {
                            <button
                                class="ba-size"
                                data-size=size.name()
                                aria-pressed=move || (prefs.text_size.get() == size).to_string()
                                on:click=move |_| prefs.choose_size(size)
                            >
                                {move || s().text_size_names[i]}
                            </button>
                        }
                    })
                    .collect_view()}
            </div>
            <label class="ba-check">
                <input
                    type="checkbox"
                    prop:checked=move || prefs.high_contrast.get()
                    on:change=move |ev| prefs.choose_contrast(event_target_checked(&ev))
                />
                <span>{move || s().high_contrast}</span>
            </label>
            {can_speak.then(|| view! {
                <label class="ba-check">
                    <input
                        type="checkbox"
                        prop:checked=move || prefs.auto_read.get()
                        on:change=move |ev| prefs.choose_auto_read(event_target_checked(&ev))
                    />
                    <span>{move || s().auto_read}</span>
                </label>
            })}
        </div>
    }
}

/// "Clear conversation?" asked in the panel, not with `window.confirm`: WebViews whose app has no UI
/// delegate for dialogs answer "no" to that without showing anything. Focus starts on "Keep it", the
/// choice that loses nothing; after clearing it moves to the question box.
#[component]
fn ClearConfirm(
    chat: Chat,
    open: RwSignal<bool>,
    toggle: NodeRef<leptos::html::Button>,
) -> impl IntoView {
    let s = move || strings(chat.locale.get());
    let keep: NodeRef<leptos::html::Button> = NodeRef::new();
    Effect::new(move |_| {
        if open.get() {
            request_animation_frame(move || {
                if let Some(b) = keep.get_untracked() {
                    let _ = b.focus();
                }
            });
        }
    });
    let clear = move |ev: leptos::ev::MouseEvent| {
        open.set(false);
        chat.clear_conversation();
        // The panel's question box (found from the button: ids are not global inside a shadow root).
        use wasm_bindgen::JsCast;
        let input = ev
            .current_target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|b| b.closest(".ba-panel").ok().flatten())
            .and_then(|p| p.query_selector(".ba-input").ok().flatten())
            .and_then(|i| i.dyn_into::<web_sys::HtmlElement>().ok());
        if let Some(input) = input {
            let _ = input.focus();
        }
    };
    view! {
        <div
            id="ba-clear-confirm"
            class="ba-confirm"
            role="group"
            aria-labelledby="ba-clear-question"
            hidden=move || !open.get() || chat.messages.with(Vec::is_empty)
        >
            <p id="ba-clear-question" class="ba-confirm-question">{move || s().clear_question}</p>
            <div class="ba-confirm-actions">
                <button class="ba-confirm-yes" on:click=clear>{move || s().clear_yes}</button>
                <button
                    node_ref=keep
                    class="ba-confirm-no"
                    on:click=move |_| {
                        open.set(false);
                        if let Some(b) = toggle.get_untracked() {
                            let _ = b.focus();
                        }
                    }
                >
                    {move || s().clear_no}
                </button>
            </div>
        </div>
    }
}
