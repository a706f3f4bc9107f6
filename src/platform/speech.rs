//! Read-aloud with the platform's `speechSynthesis`, where it exists.
//!
//! Why this is careful: Android WebView has no `speechSynthesis`, and some browsers have the object but
//! no voice for a language. The control is shown only when the API exists; speech starts only from a
//! customer action (a click, or a reply to a question they just sent with auto-read on); starting a new
//! utterance or pressing the button again stops the current one. The voice language follows the
//! message's own language (`zh-CN` or `en`), not the page's.

use assistant_core::locale::Lang;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;

/// Whether this platform can read aloud at all.
pub fn available() -> bool {
    web_sys::window().is_some_and(|w| {
        js_sys::Reflect::has(&w, &JsValue::from_str("speechSynthesis")).unwrap_or(false)
            && js_sys::Reflect::has(&w, &JsValue::from_str("SpeechSynthesisUtterance"))
                .unwrap_or(false)
    })
}

/// Which message is being read (by id), so its button can say "Stop reading".
#[derive(Clone, Copy)]
pub struct Speaker {
    pub speaking: RwSignal<Option<u32>>,
}

impl Speaker {
    pub fn new() -> Self {
        Self {
            speaking: RwSignal::new(None),
        }
    }

    /// Reads `text` aloud in `lang`, replacing anything being read now.
    pub fn speak(self, id: u32, text: &str, lang: Lang) {
        let Some(synth) = web_sys::window().and_then(|w| w.speech_synthesis().ok()) else {
            return;
        };
        synth.cancel();
        let Ok(utterance) = web_sys::SpeechSynthesisUtterance::new_with_text(text) else {
            return;
        };
        utterance.set_lang(lang.tag());
        let speaking = self.speaking;
        let done = Closure::<dyn Fn()>::new(move || {
            // Only clear if this utterance is still the current one.
            if speaking.get_untracked() == Some(id) {
                speaking.set(None);
            }
        });
        utterance.set_onend(Some(done.as_ref().unchecked_ref()));
        utterance.set_onerror(Some(done.as_ref().unchecked_ref()));
        done.forget();
        self.speaking.set(Some(id));
        synth.speak(&utterance);
    }

    pub fn stop(self) {
        if let Some(synth) = web_sys::window().and_then(|w| w.speech_synthesis().ok()) {
            synth.cancel();
        }
        self.speaking.set(None);
    }
}
