//! The panel's header: title and close button, then a toolbar with the display settings (text size,
//! high contrast, auto read-aloud), the language switch and the always-visible "talk to a person".
//!
//! Why a disclosure for display settings: older customers do better with fewer choices on screen at a
//! time, so the four text sizes and the toggles sit behind one clearly named button instead of crowding
//! the header, while "talk to a person" never hides.

use crate::i18n::strings;
use crate::prefs::{Prefs, TextSize};
use crate::speech;
use crate::state::Chat;
use assistant_core::locale::Lang;
use assistant_core::routing::Reason;
use leptos::prelude::*;

#[component]
pub fn Header(chat: Chat, prefs: Prefs, on_close: Callback<()>) -> impl IntoView {
    let s = move || strings(chat.locale.get());
    let settings_open = RwSignal::new(false);
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
            </div>
            <Settings chat=chat prefs=prefs open=settings_open/>
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
