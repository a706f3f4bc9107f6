//! The conversation log. One `role="log"` region: screen readers announce each new message once,
//! and the history is never re-announced because existing message nodes are never re-rendered.
//! Assistant messages carry a read-aloud button where the platform can speak; with auto-read on, each
//! new answer is read as it arrives (it always follows the customer's own question, a user action).
//!
//! Where the log scrolls: to the end after the customer's own message, but to the *start* of each new
//! answer, so the customer reads it from its first line (a product card at 30 px is taller than the
//! log). Only the newest answer asks "Was this helpful?": one rating row under every answer took the
//! room the conversation needs.

use crate::conversation::server::COMMENT_CHARS;
use crate::conversation::{Author, Chat, Handoff, Message, Origin, Rateable};
use crate::platform::i18n::strings;
use crate::platform::speech::Speaker;
use assistant_core::routing::Reason;
use leptos::prelude::*;

#[component]
pub fn MessageLog(chat: Chat) -> impl IntoView {
    let log: NodeRef<leptos::html::Div> = NodeRef::new();
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
            if chat.prefs.auto_read.get_untracked() && speaker.can_read(lang) {
                speaker.speak(id, &text, lang);
            }
        }
    });
    view! {
        <div node_ref=log class="ba-log" role="log" aria-live="polite" aria-label=move || strings(chat.locale.get()).log_label tabindex="0">
            <p class="ba-message ba-assistant ba-welcome" lang=move || chat.locale.get().tag()>
                {move || strings(chat.locale.get()).welcome}
            </p>
            // A message joins the log once its text (or product card) is ready, whole, so the log
            // announces it once and never changes it (issue #5's views come from the worker).
            <For each=move || crate::ui::products::ready(chat, chat.messages.get()) key=|m| m.id let:message>
                <MessageView chat=chat message=message log=log/>
            </For>
        </div>
    }
}

#[component]
fn MessageView(chat: Chat, message: Message, log: NodeRef<leptos::html::Div>) -> impl IntoView {
    let s = strings(message.lang);
    let (class, who) = match message.author {
        Author::Customer => ("ba-message ba-customer", s.you),
        Author::Assistant => ("ba-message ba-assistant", s.assistant),
        Author::Agent => ("ba-message ba-assistant ba-agent", s.agent),
    };
    // Only where a voice for the message's language exists (a WebView may have none).
    let read_aloud = (message.author != Author::Customer).then(|| {
        let (id, text, lang) = (message.id, message.text.clone(), message.lang);
        let speaker = expect_context::<Speaker>();
        move || {
            speaker
                .can_read(lang)
                .then(|| view! { <ReadAloud id=id text=text.clone() lang=lang/> })
        }
    });
    let offer = message.offer_handoff.then(|| {
        // Why a person is wanted, for the agents' queue (a possible scam goes first).
        let reason = match (&message.origin, message.intent.as_deref()) {
            (_, Some(assistant_core::taxonomy::SCAM_WARNING)) => Reason::Scam,
            (Origin::Handoff, Some(assistant_core::taxonomy::COMPLAINT)) => Reason::Complaint,
            (Origin::Handoff, _) => Reason::Distress,
            _ => Reason::Unsure,
        };
        view! {
            <button class="ba-offer" on:click=move |_| chat.accept_handoff(reason, chat.locale.get_untracked())>
                {s.talk_to_person}
            </button>
        }
    });
    // Where the answer came from, when that is not this assistant: the bank's own chatbot (said
    // first), or the help centre's article (linked after it, opened in a new tab so the
    // conversation stays).
    let from_bot = (message.origin == Origin::Upstream)
        .then(|| view! { <p class="ba-from">{s.from_bank_bot}</p> });
    let article = match &message.origin {
        Origin::Help { title, url } => Some(view! {
            <a class="ba-article" href=url.clone() target="_blank" rel="noopener noreferrer">
                {s.read_article}{title.clone()}
            </a>
        }),
        _ => None,
    };
    let id = message.id;
    let latest = Signal::derive(move || {
        chat.messages
            .with(|m| m.iter().rev().find(|m| m.rate.is_some()).map(|m| m.id))
            == Some(id)
    });
    let rating = message
        .rate
        .clone()
        .map(|rate| view! { <Rating chat=chat rate=rate lang=message.lang latest=latest/> });
    // Once shown (without moving keyboard focus): the customer's own message at the end of the log,
    // an answer from its first line.
    let node: NodeRef<leptos::html::Div> = NodeRef::new();
    let from_start = message.author != Author::Customer;
    Effect::new(move |_| {
        if let (Some(log), Some(el)) = (log.get_untracked(), node.get()) {
            let top = if from_start {
                el.offset_top() - 12
            } else {
                log.scroll_height()
            };
            log.set_scroll_top(top);
        }
    });
    view! {
        <div node_ref=node class=class lang=message.lang.tag() data-route=message.origin.name() data-intent=message.origin.pair().or_else(|| message.intent.clone()).unwrap_or_default()>
            <span class="ba-visually-hidden">{who}": "</span>
            // Text as text nodes, never HTML; product cards, comparisons and glossary terms (issue #5).
            {from_bot}
            <crate::ui::products::Body chat=chat message=message.clone()/>
            {article}
            <div class="ba-message-actions">
                {read_aloud}
                {offer}
                {rating}
            </div>
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
            <svg class="ba-icon" aria-hidden="true" viewBox="0 0 24 24" width="20" height="20">
                <path fill="currentColor" d="M3 9v6h4l5 4V5L7 9H3zm13.5 3a4.5 4.5 0 0 0-2.5-4v8a4.5 4.5 0 0 0 2.5-4zM14 3.2v2.1a7 7 0 0 1 0 13.4v2.1a9 9 0 0 0 0-17.6z"/>
            </svg>
            {move || if speaking() { s.stop_reading } else { s.read_aloud }}
        </button>
    }
}

/// "Was this helpful?" with a reason on "not helpful". The rating goes through the outbox, so it is
/// never lost; the row then says thank you (one short addition the log announces). Shown on the newest
/// answer only (and on an older one while its reason is being chosen).
#[component]
fn Rating(
    chat: Chat,
    rate: Rateable,
    lang: assistant_core::locale::Lang,
    latest: Signal<bool>,
) -> impl IntoView {
    #[derive(Clone, Copy, PartialEq)]
    enum Step {
        Ask,
        Why,
        Done,
    }
    let s = strings(lang);
    let step = RwSignal::new(Step::Ask);
    let helpful_said = RwSignal::new(true);
    let comment = RwSignal::new(String::new());
    let rate = StoredValue::new(rate);
    let send = move |helpful: bool, reason: Option<&str>| {
        let typed = comment.get_untracked();
        rate.with_value(|r| chat.rate(r, helpful, reason, Some(typed.as_str())));
        helpful_said.set(helpful);
        step.set(Step::Done);
    };
    let comment_id = format!("ba-comment-{}", chat.id());
    view! {
        <div
            class="ba-rating"
            role="group"
            aria-label=s.helpful_question
            hidden=move || !latest.get() && step.get() != Step::Why
        >
            {move || match step.get() {
                Step::Ask => view! {
                    <span class="ba-rating-label" aria-hidden="true">{s.helpful_question}</span>
                    <button class="ba-rate" data-helpful="true" on:click=move |_| send(true, None)>
                        {s.helpful}
                    </button>
                    <button class="ba-rate" data-helpful="false" on:click=move |_| step.set(Step::Why)>
                        {s.not_helpful}
                    </button>
                }.into_any(),
                Step::Why => view! {
                    <span class="ba-rating-label">{s.why_not_helpful}</span>
                    {s.reasons.into_iter().map(|r| view! {
                        <button class="ba-rate ba-reason" on:click=move |_| send(false, Some(r))>{r}</button>
                    }).collect_view()}
                    <label class="ba-comment-label" for=comment_id.clone()>{s.comment_label}</label>
                    <textarea
                        id=comment_id.clone()
                        class="ba-comment"
                        rows="2"
                        maxlength=COMMENT_CHARS.to_string()
                        prop:value=move || comment.get()
                        on:input=move |ev| comment.set(event_target_value(&ev))
                    ></textarea>
                    <button class="ba-rate" on:click=move |_| send(false, None)>
                        {move || if comment.with(|c| c.trim().is_empty()) { s.skip } else { s.send }}
                    </button>
                }.into_any(),
                // After "not helpful", a person is one tap away (unless one is already on the way).
                Step::Done => view! {
                    <span class="ba-rating-done">{s.feedback_thanks}</span>
                    {move || (!helpful_said.get() && chat.handoff.get() == Handoff::None).then(|| view! {
                        <button class="ba-offer" on:click=move |_| chat.accept_handoff(Reason::Unsure, lang)>
                            {s.talk_to_person}
                        </button>
                    })}
                }.into_any(),
            }}
        </div>
    }
}
