//! Everything the widget keeps in the browser: every storage key (all under `bank-assistant.`, the
//! e2e tests read some of them), which storage holds it, and [`forget_conversation`].
//!
//! sessionStorage (this tab, across the site's pages): the conversation's id, keys and queued
//! requests (`outbox`), the hand-off (`conversation::server`), the last event seen (`live`), and by
//! default the history (`conversation::history`; `data-persist=local` keeps it in localStorage, `none` nowhere).
//! localStorage: the display settings (`prefs`), which belong to the customer, not a conversation.
//! Storage can be full or blocked (private mode, a WebView without DOM storage): every write here
//! ignores errors, and the setting or conversation then lasts for this page only.

use web_sys::Storage;

/// The kept conversation (`conversation::history`).
pub const HISTORY: &str = "bank-assistant.history";
/// Requests not yet delivered to the server (`outbox`).
pub const OUTBOX: &str = "bank-assistant.outbox";
/// This tab's conversation id (the e2e tests read it too).
pub const CONVERSATION: &str = "bank-assistant.conversation";
/// The claims and secrets of this tab's conversations: the current one, and an earlier one while
/// requests about it are still queued (a hand-off cancelled by "clear conversation").
pub const CONVERSATION_KEYS: &str = "bank-assistant.conversation-keys";
/// `<conversation id> <last event id>` of the hand-off's event stream (`live`).
pub const LAST_EVENT: &str = "bank-assistant.last-event";
/// The hand-off's ticket, so a new page of the site picks the hand-off back up (`conversation::server`).
pub const HANDOFF: &str = "bank-assistant.handoff";
/// The agent who has the conversation, so a new page shows the hand-off as it was.
pub const HANDOFF_AGENT: &str = "bank-assistant.handoff-agent";
/// The language the customer chose for the widget (`platform::prefs`), in localStorage.
pub const LOCALE: &str = "bank-assistant.locale";
/// Display settings (`platform::prefs`), in localStorage.
pub const TEXT_SIZE: &str = "bank-assistant.text-size";
pub const HIGH_CONTRAST: &str = "bank-assistant.high-contrast";
pub const AUTO_READ: &str = "bank-assistant.auto-read";

/// This tab's storage.
pub fn session() -> Option<Storage> {
    web_sys::window()?.session_storage().ok()?
}

/// This site's storage, kept across tabs and visits.
pub fn local() -> Option<Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// Forgets what is kept of the conversation ("clear conversation", the page's `reset()`): its history
/// in both storages (a copy kept under another `data-persist` setting: another page of the site,
/// another tab) and the last event seen. The conversation's id, keys and queued requests are the
/// outbox's to forget (`outbox::end_conversation`): requests still queued are delivered first.
pub fn forget_conversation() {
    for s in [session(), local()].into_iter().flatten() {
        let _ = s.remove_item(HISTORY);
    }
    if let Some(s) = session() {
        let _ = s.remove_item(LAST_EVENT);
    }
}
