//! Read-aloud with the platform's `speechSynthesis`, where it exists.
//!
//! Why this is careful: Android WebView has no `speechSynthesis`, and some browsers and WebViews have the
//! object but no voice at all, or none for a language: speaking then does nothing and says nothing. The
//! control is shown only where a voice for the message's language exists (voices arrive late in
//! Chromium: the list is read again on `voiceschanged`); speech starts only from a
//! customer action (a click, or a reply to a question they just sent with auto-read on); starting a new
//! utterance or pressing the button again stops the current one. The voice language follows the
//! message's own language (`zh-CN` or `en`), not the page's.

use assistant_core::locale::Lang;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;

/// Whether this platform can read aloud at all.
fn available() -> bool {
    web_sys::window().is_some_and(|w| {
        js_sys::Reflect::has(&w, &JsValue::from_str("speechSynthesis")).unwrap_or(false)
            && js_sys::Reflect::has(&w, &JsValue::from_str("SpeechSynthesisUtterance"))
                .unwrap_or(false)
    })
}

/// Which message is being read (by id), so its button can say "Stop reading", and which languages
/// have a voice.
#[derive(Clone, Copy)]
pub struct Speaker {
    pub speaking: RwSignal<Option<u32>>,
    /// The platform's voices' languages (BCP 47 tags, lower case).
    voices: RwSignal<Vec<String>>,
}

/// The languages of `speechSynthesis.getVoices()` (read through `Reflect`: no web-sys voice bindings).
fn voice_langs() -> Vec<String> {
    let Some(synth) = web_sys::window().and_then(|w| w.speech_synthesis().ok()) else {
        return Vec::new();
    };
    let list = js_sys::Reflect::get(&synth, &JsValue::from_str("getVoices"))
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        .and_then(|f| f.call0(&synth).ok())
        .and_then(|v| v.dyn_into::<js_sys::Array>().ok());
    list.map(|a| {
        a.iter()
            .filter_map(|v| {
                js_sys::Reflect::get(&v, &JsValue::from_str("lang"))
                    .ok()?
                    .as_string()
            })
            .map(|l| l.to_ascii_lowercase().replace('_', "-"))
            .collect()
    })
    .unwrap_or_default()
}

impl Speaker {
    pub fn new() -> Self {
        let speaker = Self {
            speaking: RwSignal::new(None),
            voices: RwSignal::new(if available() {
                voice_langs()
            } else {
                Vec::new()
            }),
        };
        if let Some(synth) = web_sys::window()
            .filter(|_| available())
            .and_then(|w| w.speech_synthesis().ok())
        {
            let voices = speaker.voices;
            let changed = Closure::<dyn Fn()>::new(move || {
                voices.try_set(voice_langs());
            });
            let _ = synth.add_event_listener_with_callback(
                "voiceschanged",
                changed.as_ref().unchecked_ref(),
            );
            changed.forget();
        }
        speaker
    }

    /// Whether a message in `lang` can be read aloud here (the one check: without the API there are no
    /// voices): a voice for the language
    /// (Chinese: any `zh` or `cmn` voice; English: any `en` voice). Reactive: voices arrive late.
    pub fn can_read(self, lang: Lang) -> bool {
        let prefixes: &[&str] = match lang {
            Lang::En => &["en"],
            Lang::ZhCn => &["zh", "cmn"],
        };
        self.voices.with(|v| {
            v.iter()
                .any(|l| prefixes.contains(&l.split('-').next().unwrap_or_default()))
        })
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
