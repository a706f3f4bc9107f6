//! The widget's view: a launcher button and the chat panel (a labelled modal dialog with the header and
//! toolbar, the conversation log, a status line, suggestion chips and the composer).
//!
//! Display preferences live on the root element as `data-*` attributes only (no inline styles, which a
//! strict Content-Security-Policy forbids), so every size and colour rule stays in the stylesheet where a
//! tester can read it.

use crate::conversation::{Chat, Engine, Handoff};
use crate::io::outbox::{Link, Unreached};
use crate::platform::i18n::strings;
use crate::platform::speech::Speaker;
use assistant_core::protocol::Stage;
use leptos::ev::KeyboardEvent;
use leptos::html;
use leptos::prelude::*;

#[component]
pub fn App(chat: Chat, server: String) -> impl IntoView {
    let prefs = chat.prefs;
    chat.connect(server);
    crate::conversation::history::keep(chat);
    provide_context(Speaker::new());
    let root: NodeRef<html::Div> = NodeRef::new();
    crate::platform::viewport::follow(root);
    let launcher: NodeRef<html::Button> = NodeRef::new();
    let panel: NodeRef<html::Section> = NodeRef::new();
    let input: NodeRef<html::Textarea> = NodeRef::new();
    let s = move || strings(chat.locale.get());

    let open_panel = move || {
        chat.open.set(true);
        chat.start_engine();
    };
    let close_panel = move || chat.open.set(false);
    // Focus follows the panel however it opened or closed (launcher, Escape, or the page's JS API):
    // into the composer, or back to the launcher once it is shown again.
    let was_open = StoredValue::new(chat.open.get_untracked());
    Effect::new(move |_| {
        let open = chat.open.get();
        if open != was_open.get_value() {
            was_open.set_value(open);
            request_animation_frame(move || {
                let _ = if open {
                    input.get_untracked().map(|el| el.focus())
                } else {
                    launcher.get_untracked().map(|el| el.focus())
                };
            });
        }
    });
    crate::platform::idle::on_idle(move || chat.start_engine());

    view! {
        <div
            node_ref=root
            class="ba-root"
            lang=move || chat.locale.get().tag()
            data-text-size=move || prefs.text_size.get().name()
            data-elder=move || prefs.elder().to_string()
            data-contrast=move || if prefs.high_contrast.get() { "more" } else { "normal" }
        >
            <button
                node_ref=launcher
                class="ba-launcher"
                aria-haspopup="dialog"
                aria-expanded=move || chat.open.get().to_string()
                aria-controls="ba-panel"
                hidden=move || chat.open.get()
                on:click=move |_| open_panel()
            >
                <svg class="ba-icon ba-launcher-icon" aria-hidden="true" viewBox="0 0 24 24" width="26" height="26">
                    <path fill="currentColor" d="M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zm3 6v2h2V9H7zm4 0v2h2V9h-2zm4 0v2h2V9h-2z"/>
                </svg>
                <span>{move || chat.name(chat.locale.get()).unwrap_or_else(|| s().launcher.to_owned())}</span>
            </button>
            <section
                id="ba-panel"
                node_ref=panel
                class="ba-panel"
                role="dialog"
                aria-modal="true"
                aria-labelledby="ba-title"
                hidden=move || !chat.open.get()
                on:keydown=move |ev: KeyboardEvent| {
                    if ev.key() == "Escape" {
                        ev.prevent_default();
                        close_panel();
                    } else if let Some(root) = panel.get_untracked() {
                        crate::platform::focus::trap_tab(&root, &ev);
                    }
                }
            >
                <crate::ui::header::Header chat=chat prefs=prefs on_close=Callback::new(move |_| close_panel())/>
                <crate::ui::messages::MessageLog chat=chat/>
                <StatusLine chat=chat/>
                <HandoffBar chat=chat/>
                <crate::ui::composer::LanguageOffer chat=chat/>
                <crate::ui::composer::Suggestions chat=chat input=input/>
                <crate::ui::composer::Composer chat=chat input=input/>
            </section>
        </div>
    }
}

#[component]
fn StatusLine(chat: Chat) -> impl IntoView {
    let text = move || {
        let s = strings(chat.locale.get());
        if let Link::Waiting { why, .. } = chat.link.get() {
            return match why {
                Unreached::Offline => s.offline,
                Unreached::Unreachable => s.unreachable,
                Unreached::ServerError => s.server_down,
                Unreached::Blocked => s.blocked,
            }
            .to_owned();
        }
        match chat.handoff.get() {
            Handoff::Requested => return s.requesting.to_owned(),
            Handoff::Queued { position, wait_s } => {
                return if position <= 1 {
                    s.queue_soon.to_owned()
                } else {
                    s.queue_position
                        .replace("{position}", &position.to_string())
                        .replace("{minutes}", &wait_s.div_ceil(60).max(1).to_string())
                };
            }
            Handoff::Active { agent } => {
                let with = s.chatting_with.replace("{agent}", &agent);
                return if chat.agent_typing.get() {
                    format!("{with} {agent} {}", s.agent_typing)
                } else {
                    with
                };
            }
            Handoff::LeaveMessage => return s.leave_message_mode.to_owned(),
            Handoff::None => {}
        }
        let text = match chat.engine.get() {
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
        };
        text.to_owned()
    };
    let progress = move || match chat.engine.get() {
        Engine::Loading { loaded, total, .. } => Some((loaded, total)),
        _ => None,
    };
    // "Ready" with nothing going on is said to screen readers but takes no room on screen: the
    // conversation needs it more (issue #14). Loading, thinking, waiting and offline are shown.
    let quiet = move || {
        chat.engine.get() == Engine::Ready
            && chat.waiting.get() == 0
            && chat.handoff.get() == Handoff::None
            && !matches!(chat.link.get(), Link::Waiting { .. })
    };
    view! {
        <div
            class="ba-status"
            role="status"
            data-engine=move || chat.engine.get().name()
            data-quiet=move || quiet().to_string()
        >
            <span>{text}</span>
            {move || (chat.waiting.get() > 0 || chat.agent_typing.get()).then(|| view! {
                <span class="ba-typing" aria-hidden="true"><span></span><span></span><span></span></span>
            })}
            {move || progress().map(|(loaded, total)| view! {
                <progress class="ba-progress" max=total value=loaded aria-hidden="true"></progress>
            })}
        </div>
    }
}

/// While a person has (or will take) the conversation: how to go back to the assistant.
#[component]
fn HandoffBar(chat: Chat) -> impl IntoView {
    view! {
        {move || {
            let s = strings(chat.locale.get());
            let label = match chat.handoff.get() {
                Handoff::None => return None,
                Handoff::Active { .. } => s.end_chat,
                _ => s.cancel_waiting,
            };
            Some(view! {
                <div class="ba-handoff-bar">
                    <button class="ba-cancel-handoff" on:click=move |_| chat.cancel_handoff()>{label}</button>
                </div>
            })
        }}
    }
}
