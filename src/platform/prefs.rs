//! Display preferences: text size (whose larger steps are the elder-friendly "large-text mode"), high
//! contrast and automatic read-aloud.
//!
//! Why a module of its own: the same preferences come from three places (the host page's `data-*`
//! attributes, the customer's own choice remembered on this device, and later the JS / WebView bridge),
//! and the rules for combining them live here rather than in view code. The customer's choice wins over
//! the host's default, and nothing is written to storage until the customer changes a setting.

use crate::io::storage;
pub use assistant_core::display::TextSize;
use leptos::prelude::*;

/// The customer's display preferences as reactive signals.
#[derive(Clone, Copy)]
pub struct Prefs {
    pub text_size: RwSignal<TextSize>,
    pub high_contrast: RwSignal<bool>,
    pub auto_read: RwSignal<bool>,
}

impl Prefs {
    /// The host's defaults (`data-text-size`, `data-theme="high-contrast"`), overridden by what the
    /// customer chose earlier on this device.
    pub fn load(host_size: Option<&str>, host_theme: Option<&str>) -> Self {
        let size = stored(storage::TEXT_SIZE)
            .as_deref()
            .and_then(TextSize::parse)
            .or_else(|| host_size.and_then(TextSize::parse))
            .unwrap_or_default();
        let contrast = stored(storage::HIGH_CONTRAST)
            .map(|v| v == "true")
            .unwrap_or(matches!(host_theme, Some("high-contrast")));
        let auto_read = stored(storage::AUTO_READ).is_some_and(|v| v == "true");
        Self {
            text_size: RwSignal::new(size),
            high_contrast: RwSignal::new(contrast),
            auto_read: RwSignal::new(auto_read),
        }
    }

    /// The customer changed the text size: apply and remember it on this device.
    pub fn choose_size(&self, size: TextSize) {
        self.text_size.set(size);
        store(storage::TEXT_SIZE, size.name());
    }

    pub fn choose_contrast(&self, on: bool) {
        self.high_contrast.set(on);
        store(storage::HIGH_CONTRAST, if on { "true" } else { "false" });
    }

    pub fn choose_auto_read(&self, on: bool) {
        self.auto_read.set(on);
        store(storage::AUTO_READ, if on { "true" } else { "false" });
    }

    pub fn elder(&self) -> bool {
        self.text_size.get().elder()
    }
}

/// The widget's language the customer chose earlier on this device (the menu's language button, or
/// yes to the offer to switch), which wins over the page's.
pub fn remembered_locale() -> Option<assistant_core::locale::Lang> {
    stored(storage::LOCALE).and_then(|t| assistant_core::locale::Lang::from_tag(&t))
}

/// Remembers the customer's choice of language on this device.
pub fn remember_locale(lang: assistant_core::locale::Lang) {
    store(storage::LOCALE, lang.tag());
}

fn stored(key: &str) -> Option<String> {
    storage::local()?.get_item(key).ok()?
}

/// Storage can be full or blocked (private mode, a WebView without DOM storage): the setting then lasts
/// for this page only, which is the best we can do, so errors are ignored.
fn store(key: &str, value: &str) {
    if let Some(s) = storage::local() {
        let _ = s.set_item(key, value);
    }
}
