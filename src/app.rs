//! The widget's view: a launcher button and the chat panel (a labelled dialog with the conversation log,
//! suggestion chips, a status line and the composer).

use crate::i18n::strings;
use crate::state::{Chat, Engine};
use assistant_core::locale::Lang;
use assistant_core::protocol::Stage;
use leptos::ev::KeyboardEvent;
use leptos::html;
use leptos::prelude::*;

#[component]
pub fn App(locale: Lang) -> impl IntoView {
    let chat = Chat::new(locale);
    let launcher: NodeRef<html::Button> = NodeRef::new();
    let input: NodeRef<html::Textarea> = NodeRef::new();
    let s = move || strings(chat.locale.get());

    let open_panel = move || {
        chat.open.set(true);
        chat.start_engine();
        request_animation_frame(move || {
            if let Some(el) = input.get_untracked() {
                let _ = el.focus();
            }
        });
    };
    let close_panel = move || {
        chat.open.set(false);
        // After the launcher is shown again.
        request_animation_frame(move || {
            if let Some(el) = launcher.get_untracked() {
                let _ = el.focus();
            }
        });
    };
    crate::idle::on_idle(move || chat.start_engine());

    view! {
        <div class="ba-root" lang=move || chat.locale.get().tag()>
            <button
                node_ref=launcher
                class="ba-launcher"
                aria-haspopup="dialog"
                aria-expanded=move || chat.open.get().to_string()
                aria-controls="ba-panel"
                hidden=move || chat.open.get()
                on:click=move |_| open_panel()
            >
                <span aria-hidden="true" class="ba-launcher-icon">"💬"</span>
                <span>{move || s().launcher}</span>
            </button>
            <section
                id="ba-panel"
                class="ba-panel"
                role="dialog"
                aria-labelledby="ba-title"
                hidden=move || !chat.open.get()
                on:keydown=move |ev: KeyboardEvent| {
                    if ev.key() == "Escape" {
                        ev.prevent_default();
                        close_panel();
                    }
                }
            >
                <div class="ba-header">
                    <h2 id="ba-title" class="ba-title">{move || s().title}</h2>
                    <button
                        class="ba-header-button"
                        lang=move || if chat.locale.get() == Lang::En { "zh-CN" } else { "en" }
                        on:click=move |_| {
                            chat.locale.update(|l| *l = if *l == Lang::En { Lang::ZhCn } else { Lang::En });
                            chat.reset_suggestions();
                        }
                    >
                        {move || s().switch_language}
                    </button>
                    <button class="ba-header-button ba-close" aria-label=move || s().close on:click=move |_| close_panel()>
                        <span aria-hidden="true">"✕"</span>
                    </button>
                </div>
                <crate::messages::MessageLog chat=chat/>
                <StatusLine chat=chat/>
                <crate::composer::Suggestions chat=chat input=input/>
                <crate::composer::Composer chat=chat input=input/>
            </section>
        </div>
    }
}

#[component]
fn StatusLine(chat: Chat) -> impl IntoView {
    let text = move || {
        let s = strings(chat.locale.get());
        match chat.engine.get() {
            Engine::Idle => s.getting_ready,
            Engine::Loading {
                stage: Stage::Downloading,
                ..
            } => s.downloading,
            Engine::Loading {
                stage: Stage::Preparing,
                ..
            } => s.preparing,
            Engine::Ready if chat.waiting.get() > 0 => s.thinking,
            Engine::Ready => s.ready,
            Engine::Failed => s.offline_model,
        }
    };
    let progress = move || match chat.engine.get() {
        Engine::Loading { loaded, total, .. } => Some((loaded, total)),
        _ => None,
    };
    view! {
        <div class="ba-status" role="status" data-engine=move || format!("{:?}", chat.engine.get()).split([' ', '{']).next().unwrap_or("").to_lowercase()>
            <span>{text}</span>
            {move || progress().map(|(loaded, total)| view! {
                <progress class="ba-progress" max=total value=loaded aria-hidden="true"></progress>
            })}
        </div>
    }
}
