//! Reading JSON from the worker, the server, the loader and storage through the browser's own parser:
//! a few bytes per field, against serde's generated visitors and serde_json's parser (see
//! `worker`, `view`, `io::live`, `conversation::server`, `io::outbox`, `conversation::history`, `host`). Writing is in
//! [`super::write`].

use assistant_core::api::{HandoffState, Role, Source};
use assistant_core::locale::Lang;
use assistant_core::protocol::Stage;
use assistant_core::routing::{Reason, Route};
use js_sys::{Array, Reflect};
use std::collections::BTreeMap;
use wasm_bindgen::{JsCast, JsValue};

pub fn parse(text: &str) -> Option<JsValue> {
    js_sys::JSON::parse(text).ok().filter(JsValue::is_object)
}

pub fn get(o: &JsValue, key: &str) -> JsValue {
    Reflect::get(o, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// A string field, or "".
pub fn s(o: &JsValue, key: &str) -> String {
    get(o, key).as_string().unwrap_or_default()
}

pub fn obj(o: &JsValue, key: &str) -> Option<JsValue> {
    Some(get(o, key)).filter(JsValue::is_object)
}

pub fn list<T>(o: &JsValue, key: &str, f: impl Fn(&JsValue) -> T) -> Vec<T> {
    get(o, key)
        .dyn_into::<Array>()
        .map(|a| a.iter().map(|v| f(&v)).collect())
        .unwrap_or_default()
}

/// A string field that must be there.
pub fn string(o: &JsValue, key: &str) -> Option<String> {
    get(o, key).as_string()
}

/// An optional string field as serde reads `Option<String>`: missing or null is `Some(None)`, a
/// string `Some(Some(_))`, anything else `None` (not the expected shape).
pub fn opt_string(o: &JsValue, key: &str) -> Option<Option<String>> {
    let v = get(o, key);
    if v.is_undefined() || v.is_null() {
        Some(None)
    } else {
        v.as_string().map(Some)
    }
}

/// A whole number that fits a `u32` (serde's `u32`: no fraction, no sign, no overflow).
pub fn u32(o: &JsValue, key: &str) -> Option<u32> {
    let n = get(o, key).as_f64()?;
    (n.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&n)).then_some(n as u32)
}

/// An object whose values are all strings (a `BTreeMap<String, String>` to serde). Built by
/// inserting: `collect()` into a `BTreeMap` would link a stable sort (~4 KB) for the bulk build.
pub fn string_map(o: &JsValue) -> Option<BTreeMap<String, String>> {
    if !o.is_object() || Array::is_array(o) {
        return None;
    }
    let mut map = BTreeMap::new();
    for pair in js_sys::Object::entries(o.unchecked_ref()).iter() {
        let pair: &Array = pair.unchecked_ref();
        map.insert(pair.get(0).as_string()?, pair.get(1).as_string()?);
    }
    Some(map)
}

/// A unit enum variant by its serde name ("answer", "asked_for_person", "zh-CN"), from one of the
/// name tables below.
pub fn unit<T: Copy>(o: &JsValue, key: &str, names: &[(&str, T)]) -> Option<T> {
    let name = get(o, key).as_string()?;
    names.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
}

// The serde names of the core's unit enums the widget reads (`rename_all = "snake_case"`, and
// `Lang`'s renames). A variant missing here is read as a malformed message, never as another one.
pub const STAGES: &[(&str, Stage)] = &[
    ("downloading", Stage::Downloading),
    ("preparing", Stage::Preparing),
];
pub const ROUTES: &[(&str, Route)] = &[
    ("answer", Route::Answer),
    ("handoff", Route::Handoff),
    ("server", Route::Server),
    ("clarify", Route::Clarify),
];
pub const REASONS: &[(&str, Reason)] = &[
    ("confident", Reason::Confident),
    ("asked_for_person", Reason::AskedForPerson),
    ("complaint", Reason::Complaint),
    ("distress", Reason::Distress),
    ("out_of_scope", Reason::OutOfScope),
    ("unsure", Reason::Unsure),
    ("scam", Reason::Scam),
    ("close_call", Reason::CloseCall),
];
pub const LANGS: &[(&str, Lang)] = &[("en", Lang::En), ("zh-CN", Lang::ZhCn)];
pub const HANDOFF_STATES: &[(&str, HandoffState)] = &[
    ("queued", HandoffState::Queued),
    ("active", HandoffState::Active),
    ("closed", HandoffState::Closed),
    ("cancelled", HandoffState::Cancelled),
    ("abandoned", HandoffState::Abandoned),
];
pub const ROLES: &[(&str, Role)] = &[
    ("customer", Role::Customer),
    ("assistant", Role::Assistant),
    ("agent", Role::Agent),
    ("system", Role::System),
];
pub const SOURCES: &[(&str, Source)] = &[
    ("kb", Source::Kb),
    ("server", Source::Server),
    ("agent", Source::Agent),
    ("help", Source::Help),
    ("upstream", Source::Upstream),
];
