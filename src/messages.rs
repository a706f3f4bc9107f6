//! The conversation log. One `role="log"` region: screen readers announce each new message once,
//! and the history is never re-announced because existing message nodes are never re-rendered.
//! Assistant messages carry a read-aloud button where the platform can speak; with auto-read on, each
//! new answer is read as it arrives (it always follows the customer's own question, a user action).

use crate::i18n::strings;
use crate::speech::{self, Speaker};
use crate::state::{Author, Chat, Message};
use leptos::prelude::*;

#[component]
pub fn MessageLog(chat: Chat) -> impl IntoView {
    let log: NodeRef<leptos::html::Div> = NodeRef::new();
    // Keep the newest message in view without moving keyboard focus.
    Effect::new(move |_| {
        chat.messages.track();
        if let Some(el) = log.get() {
            el.set_scroll_top(el.scroll_height());
        }
    });
    let speaker = expect_context::<Speaker>();
    let last_read = StoredValue::new(0u32);
    Effect::new(move |_| {
        let newest = chat.messages.with(|m| {
            m.last()
                .filter(|m| m.author == Author::Assistant)
                .map(|m| (m.id, m.text.clone(), m.lang))
        });
        let Some((id, text, lang)) = newest else {
            return;
        };
        if id > last_read.get_value() {
            last_read.set_value(id);
            if chat.prefs.auto_read.get_untracked() && speech::available() {
                speaker.speak(id, &text, lang);
            }
        }
    });
    view! {
        <div node_ref=log class="ba-log" role="log" aria-live="polite" aria-label=move || strings(chat.locale.get()).log_label tabindex="0">
            <p class="ba-message ba-assistant ba-welcome" lang=move || chat.locale.get().tag()>
                {move || strings(chat.locale.get()).welcome}
            </p>
            <For each=move || chat.messages.get() key=|m| m.id let:message>
                <MessageView message=message/>
            </For>
        </div>
    }
}

#[component]
fn MessageView(message: Message) -> impl IntoView {
    let s = strings(message.lang);
    let (class, who) = match message.author {
        Author::Customer => ("ba-message ba-customer", s.you),
        Author::Assistant => ("ba-message ba-assistant", s.assistant),
    };
    // Text is inserted as text nodes, never as HTML: "<script>" shows as typed.
    let paragraphs: Vec<String> = message.text.split("\n\n").map(str::to_owned).collect();
    let read_aloud = (message.author == Author::Assistant && speech::available())
        .then(|| view! { <ReadAloud id=message.id text=message.text.clone() lang=message.lang/> });
    view! {
        <div class=class lang=message.lang.tag() data-route=message.route data-intent=message.intent.unwrap_or_default()>
            <span class="ba-visually-hidden">{who}": "</span>
            {paragraphs.into_iter().map(|p| view! { <p>{p}</p> }).collect_view()}
            {read_aloud}
        </div>
    }
}

/// "Read aloud" / "Stop reading" for one message, in the message's own language.
#[component]
fn ReadAloud(id: u32, text: String, lang: assistant_core::locale::Lang) -> impl IntoView {
    let speaker = expect_context::<Speaker>();
    let s = strings(lang);
    let speaking = move || speaker.speaking.get() == Some(id);
    view! {
        <button
            class="ba-read"
            on:click=move |_| if speaking() { speaker.stop() } else { speaker.speak(id, &text, lang) }
        >
            <span aria-hidden="true">{move || if speaking() { "■ " } else { "🔊 " }}</span>
            {move || if speaking() { s.stop_reading } else { s.read_aloud }}
        </button>
    }
}
