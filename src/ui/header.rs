//! The panel's header: one row with the title, "talk to a person", one menu button and close. The menu
//! holds the rest: display settings (text size, high contrast, auto read-aloud), the language switch and
//! "clear conversation" (with its confirmation).
//!
//! Why one row and one menu: at the largest text size on a phone, a header with every control on show
//! took three rows (206 px of 812) and left the conversation a quarter of the screen. Older customers
//! also do better with fewer choices on screen at a time, so the settings sit behind one clearly named
//! button, while "talk to a person" never hides. Where there is no room for their words (phones, the
//! two largest sizes) the two buttons show an icon and keep their names for screen readers.

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
    let menu_open = RwSignal::new(false);
    view! {
        <div class="ba-header">
            <div class="ba-header-row">
                <h2 id="ba-title" class="ba-title">{move || chat.name(chat.locale.get()).unwrap_or_else(|| s().title.to_owned())}</h2>
                <button
                    class="ba-header-button ba-person"
                    on:click=move |_| chat.accept_handoff(Reason::AskedForPerson, chat.locale.get_untracked())
                >
                    <svg class="ba-icon ba-person-icon" aria-hidden="true" viewBox="0 0 24 24" width="24" height="24">
                        <path fill="currentColor" d="M12 12a4.5 4.5 0 1 0 0-9 4.5 4.5 0 0 0 0 9zm0 2c-4.7 0-8.5 2.5-8.5 5.5V21h17v-1.5c0-3-3.8-5.5-8.5-5.5z"/>
                    </svg>
                    <span class="ba-button-label ba-person-label">{move || s().talk_to_person}</span>
                </button>
                <button
                    class="ba-header-button ba-settings-toggle"
                    aria-expanded=move || menu_open.get().to_string()
                    aria-controls="ba-settings"
                    on:click=move |_| menu_open.update(|o| *o = !*o)
                >
                    <svg class="ba-icon" aria-hidden="true" viewBox="0 0 24 24" width="24" height="24">
                        <path fill="currentColor" d="M3 5h18v2.5H3zm0 5.75h18v2.5H3zM3 16.5h18V19H3z"/>
                    </svg>
                    <span class="ba-button-label ba-menu-label">{move || s().menu}</span>
                </button>
                <button
                    class="ba-header-button ba-close"
                    aria-label=move || s().close
                    on:click=move |_| on_close.run(())
                >
                    <span aria-hidden="true">"✕"</span>
                </button>
            </div>
            <Settings chat=chat prefs=prefs open=menu_open/>
        </div>
    }
}

#[component]
fn Settings(chat: Chat, prefs: Prefs, open: RwSignal<bool>) -> impl IntoView {
    let s = move || strings(chat.locale.get());
    // Auto-read is offered where something can be read: a voice in either language.
    let speaker = expect_context::<speech::Speaker>();
    let can_speak = move || speaker.can_read(Lang::En) || speaker.can_read(Lang::ZhCn);
    let clear_open = RwSignal::new(false);
    let clear_button: NodeRef<leptos::html::Button> = NodeRef::new();
    view! {
        <div id="ba-settings" class="ba-settings" role="group" aria-label=move || s().menu hidden=move || !open.get()>
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
            {move || can_speak().then(|| view! {
                <label class="ba-check">
                    <input
                        type="checkbox"
                        prop:checked=move || prefs.auto_read.get()
                        on:change=move |ev| prefs.choose_auto_read(event_target_checked(&ev))
                    />
                    <span>{move || s().auto_read}</span>
                </label>
            })}
            <div class="ba-menu-actions">
                <button
                    class="ba-menu-button ba-language"
                    lang=move || if chat.locale.get() == Lang::En { "zh-CN" } else { "en" }
                    on:click=move |_| {
                        let other = if chat.locale.get_untracked() == Lang::En { Lang::ZhCn } else { Lang::En };
                        chat.choose_locale(other);
                    }
                >
                    {move || s().switch_language}
                </button>
                <button
                    node_ref=clear_button
                    class="ba-menu-button ba-clear"
                    hidden=move || chat.messages.with(Vec::is_empty)
                    aria-expanded=move || clear_open.get().to_string()
                    aria-controls="ba-clear-confirm"
                    on:click=move |_| clear_open.update(|o| *o = !*o)
                >
                    {move || s().clear}
                </button>
            </div>
            <ClearConfirm chat=chat open=clear_open toggle=clear_button menu=open/>
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
    menu: RwSignal<bool>,
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
        menu.set(false);
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
