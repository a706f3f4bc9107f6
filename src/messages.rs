//! The conversation log. One `role="log"` region: screen readers announce each new message once,
//! and the history is never re-announced because existing message nodes are never re-rendered.

use crate::i18n::strings;
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
    view! {
        <div class=class lang=message.lang.tag() data-route=message.route data-intent=message.intent.unwrap_or_default()>
            <span class="ba-visually-hidden">{who}": "</span>
            {paragraphs.into_iter().map(|p| view! { <p>{p}</p> }).collect_view()}
        </div>
    }
}
