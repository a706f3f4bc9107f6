//! The widget's side of the Web Worker: starts it (on idle, or when the panel opens), waits for it to
//! boot, sends it the hashed asset URLs from the asset manifest (given by the loader), and queues questions until then.
//! No model code lives in the widget: this file is the whole cost of the engine on the first load.

use assistant_core::answers::Suggestion;
use assistant_core::protocol::{FromWorker, ModelAssets, Render, Reply, ToWorker};
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use web_sys::{MessageEvent, Worker};

/// Asset manifest written into the page by the build (`cargo xtask fingerprint`): the worker's URL
/// next to the fields of [`ModelAssets`].
pub(crate) struct Manifest {
    worker: String,
    assets: ModelAssets,
}

#[derive(Default)]
struct Bridge {
    worker: Option<Worker>,
    booted: bool,
    queue: Vec<String>,
    assets: Option<ModelAssets>,
}

thread_local! {
    static BRIDGE: RefCell<Bridge> = RefCell::new(Bridge::default());
}

thread_local! {
    static MANIFEST: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// The asset manifest (JSON: hashed, absolute URLs of the worker, model, answers and products), given
/// by the loader through `host::mount`.
pub(crate) fn set_manifest(json: String) {
    MANIFEST.with_borrow_mut(|m| *m = Some(json));
}

pub(crate) fn manifest() -> Result<Manifest, String> {
    let json = MANIFEST
        .with_borrow(|m| m.clone())
        .ok_or("no asset manifest (the widget was not mounted by its loader)")?;
    read_manifest(&json).ok_or_else(|| "asset manifest: not the loader's JSON".to_owned())
}

/// Reads the manifest as serde read it before (`worker`, `model`, `meta` and `answers` strings,
/// optional `products`, optional `integrity` object of strings; other keys ignored), with the
/// browser's `JSON.parse` (see [`js`]).
fn read_manifest(json: &str) -> Option<Manifest> {
    let o = js::parse(json)?;
    let integrity = js::get(&o, "integrity");
    let integrity = if integrity.is_undefined() {
        Default::default()
    } else {
        js::string_map(&integrity)?
    };
    Some(Manifest {
        worker: js::string(&o, "worker")?,
        assets: ModelAssets {
            model: js::string(&o, "model")?,
            meta: js::string(&o, "meta")?,
            answers: js::string(&o, "answers")?,
            products: js::opt_string(&o, "products")?,
            integrity,
        },
    })
}

/// Starts the worker once; later calls do nothing. `on_message` receives everything the worker says.
pub fn start(on_message: impl Fn(FromWorker) + 'static) {
    if BRIDGE.with_borrow(|b| b.worker.is_some()) {
        return;
    }
    let result = manifest().and_then(|m| {
        let worker = Worker::new(&m.worker).map_err(|e| format!("{e:?}"))?;
        Ok((worker, m.assets))
    });
    let (worker, assets) = match result {
        Ok(ok) => ok,
        Err(message) => return on_message(FromWorker::Failed { message }),
    };
    let onmessage = Closure::<dyn Fn(MessageEvent)>::new(move |ev: MessageEvent| {
        let Some(text) = ev.data().as_string() else {
            return;
        };
        // Product views and calculator results (issue #5) are read without serde, see `products`.
        if crate::products::on_message(&text) {
            return;
        }
        let Some(msg) = read_from_worker(&text) else {
            return;
        };
        if msg == FromWorker::Booted {
            booted();
        }
        on_message(msg);
    });
    worker.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    onmessage.forget();
    BRIDGE.with_borrow_mut(|b| {
        b.worker = Some(worker);
        b.assets = Some(assets);
    });
}

/// Reads a worker message with the browser's `JSON.parse` and property look-ups.
///
/// Why not `serde_json::from_str::<FromWorker>`: serde's code for an internally tagged enum buffers
/// the whole message first and was ~17 KB of the widget's wasm (before optimisation) on its own; the
/// shape is fixed by `FromWorker` and its tests in the core.
fn read_from_worker(text: &str) -> Option<FromWorker> {
    let o = js::parse(text)?;
    Some(match js::s(&o, "type").as_str() {
        "booted" => FromWorker::Booted,
        "progress" => FromWorker::Progress {
            stage: js::unit(&o, "stage", js::STAGES)?,
            loaded: js::get(&o, "loaded").as_f64()? as u64,
            total: js::get(&o, "total").as_f64()? as u64,
        },
        "ready" => FromWorker::Ready {
            load_ms: js::get(&o, "load_ms").as_f64().unwrap_or(0.0),
            model_version: js::s(&o, "model_version"),
        },
        "failed" => FromWorker::Failed {
            message: js::s(&o, "message"),
        },
        "reply" => FromWorker::Reply(Reply {
            id: js::get(&o, "id").as_f64()? as u32,
            route: js::unit(&o, "route", js::ROUTES)?,
            reason: js::unit(&o, "reason", js::REASONS)?,
            intent: js::get(&o, "intent").as_string(),
            confidence: js::get(&o, "confidence").as_f64().unwrap_or(0.0) as f32,
            top: js::list(&o, "top", |t| {
                let t: &js_sys::Array = t.unchecked_ref();
                let p = t.get(1).as_f64().unwrap_or(0.0) as f32;
                (t.get(0).as_string().unwrap_or_default(), p)
            }),
            lang: js::unit(&o, "lang", js::LANGS)?,
            answer: js::get(&o, "answer").as_string(),
            suggestions: js::list(&o, "suggestions", |s| Suggestion {
                intent: js::s(s, "intent"),
                text: js::s(s, "text"),
            }),
            infer_ms: js::get(&o, "infer_ms").as_f64().unwrap_or(0.0),
            compare: js::get(&o, "compare").as_string(),
        }),
        _ => return None,
    })
}

/// Reading JSON from the worker, the server, the loader and storage through the browser's own parser:
/// a few bytes per field, against serde's generated visitors and serde_json's parser (see
/// `read_from_worker`, `products::read`, `live`, `service`, `outbox`, `history`, `host`). Writing is
/// in `json`.
pub(crate) mod js {
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
    ];
    pub const REASONS: &[(&str, Reason)] = &[
        ("confident", Reason::Confident),
        ("asked_for_person", Reason::AskedForPerson),
        ("complaint", Reason::Complaint),
        ("distress", Reason::Distress),
        ("out_of_scope", Reason::OutOfScope),
        ("unsure", Reason::Unsure),
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
    ];
}

/// The worker listens now: load the model, then send what was waiting.
fn booted() {
    let (worker, load, queue) = BRIDGE.with_borrow_mut(|b| {
        b.booted = true;
        let load = b.assets.take().map(|assets| ToWorker::Load { assets });
        (b.worker.clone(), load, std::mem::take(&mut b.queue))
    });
    let Some(worker) = worker else { return };
    if let Some(load) = load {
        let _ = worker.post_message(&JsValue::from_str(&to_json(&load)));
    }
    for msg in queue {
        let _ = worker.post_message(&JsValue::from_str(&msg));
    }
}

/// Whether the worker was started (it may still be booting).
pub fn alive() -> bool {
    BRIDGE.with_borrow(|b| b.worker.is_some())
}

/// Whether the worker has booted and listens (messages are no longer queued).
pub fn listening() -> bool {
    BRIDGE.with_borrow(|b| b.booted)
}

/// Sends a message now, or as soon as the worker has booted.
pub fn send(msg: &ToWorker) {
    let json = to_json(msg);
    BRIDGE.with_borrow_mut(|b| match (&b.worker, b.booted) {
        (Some(w), true) => {
            let _ = w.post_message(&JsValue::from_str(&json));
        }
        _ => b.queue.push(json),
    });
}

/// A message to the worker as JSON, as serde writes `ToWorker` (tagged by `type`, snake_case), which
/// is how the worker reads it (see `json`).
fn to_json(msg: &ToWorker) -> String {
    use crate::json::{self, Obj};
    match msg {
        ToWorker::Load { assets } => Obj::new()
            .str("type", "load")
            .raw("assets", &assets_json(assets))
            .done(),
        ToWorker::Classify {
            id,
            text,
            locale,
            simple,
            intent,
        } => Obj::new()
            .str("type", "classify")
            .uint("id", *id)
            .str("text", text)
            .str("locale", locale.tag())
            .bool("simple", *simple)
            .opt_str("intent", intent.as_deref())
            .done(),
        ToWorker::Render { id, lang, what } => {
            let what = match what {
                Render::Text { text } => Obj::new().str("kind", "text").str("text", text),
                Render::Product { product } => {
                    Obj::new().str("kind", "product").str("product", product)
                }
                Render::Compare { a, b } => {
                    Obj::new().str("kind", "compare").str("a", a).str("b", b)
                }
            };
            Obj::new()
                .str("type", "render")
                .uint("id", *id)
                .str("lang", lang.tag())
                .raw("what", &what.done())
                .done()
        }
        ToWorker::Calc {
            id,
            lang,
            kind,
            amount,
            rate,
            term,
        } => Obj::new()
            .str("type", "calc")
            .uint("id", *id)
            .str("lang", lang.tag())
            .str("kind", json::calc_kind(*kind))
            .str("amount", amount)
            .str("rate", rate)
            .str("term", term)
            .done(),
    }
}

/// `ModelAssets` as serde writes it: `products` left out when `None`, `integrity` when empty.
fn assets_json(assets: &ModelAssets) -> String {
    use crate::json::Obj;
    let ModelAssets {
        model,
        meta,
        answers,
        products,
        integrity,
    } = assets;
    let mut o = Obj::new()
        .str("model", model)
        .str("meta", meta)
        .str("answers", answers)
        .opt_str("products", products.as_deref());
    if !integrity.is_empty() {
        let map = integrity
            .iter()
            .fold(Obj::new(), |m, (url, sri)| m.str(url, sri));
        o = o.raw("integrity", &map.done());
    }
    o.done()
}

/// The worker reads what the widget writes by hand (`to_json`, `crate::json`) with serde: each message
/// must read back as the one sent, and be exactly what serde itself would have written.
#[cfg(test)]
mod tests {
    use super::*;
    use assistant_core::locale::Lang;
    use assistant_core::protocol::CalcKind;
    use wasm_bindgen_test::wasm_bindgen_test;

    /// Quotes, backslashes, control characters (C0 and DEL), non-ASCII, emoji, markup.
    const NASTY: &str = "\"quoted\" \\ back\\slash\nnew\tline\r\u{8}\u{c}\u{0}\u{1f}\u{7f} 中文 繁體 🙂 </script> \u{2028}";

    #[wasm_bindgen_test]
    fn worker_messages_read_back_as_sent_and_as_serde_writes_them() {
        let assets = |products: Option<&str>, integrity: &[(&str, &str)]| ModelAssets {
            model: format!("/m{NASTY}.onnx"),
            meta: "/meta.json".into(),
            answers: "/answers.json".into(),
            products: products.map(str::to_owned),
            integrity: integrity
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        };
        let messages = [
            ToWorker::Load {
                assets: assets(None, &[]),
            },
            ToWorker::Load {
                assets: assets(
                    Some("/p.json"),
                    &[("/m.onnx", "sha384-a"), ("/p.json", NASTY)],
                ),
            },
            ToWorker::Classify {
                id: u32::MAX,
                text: NASTY.into(),
                locale: Lang::ZhCn,
                simple: true,
                intent: None,
            },
            ToWorker::Classify {
                id: 0,
                text: String::new(),
                locale: Lang::En,
                simple: false,
                intent: Some("lost_or_stolen_card".into()),
            },
            ToWorker::Render {
                id: 7,
                lang: Lang::En,
                what: Render::Text { text: NASTY.into() },
            },
            ToWorker::Render {
                id: 8,
                lang: Lang::ZhCn,
                what: Render::Product {
                    product: "product_fixed_deposit".into(),
                },
            },
            ToWorker::Render {
                id: 9,
                lang: Lang::En,
                what: Render::Compare {
                    a: "a".into(),
                    b: NASTY.into(),
                },
            },
            ToWorker::Calc {
                id: 10,
                lang: Lang::ZhCn,
                kind: CalcKind::Loan,
                amount: "１０,000".into(),
                rate: NASTY.into(),
                term: "12".into(),
            },
            ToWorker::Calc {
                id: 11,
                lang: Lang::En,
                kind: CalcKind::Deposit,
                amount: "1".into(),
                rate: "2".into(),
                term: "3".into(),
            },
        ];
        for message in messages {
            let json = to_json(&message);
            let back: ToWorker = serde_json::from_str(&json).expect(&json);
            assert_eq!(back, message);
            assert_eq!(json, serde_json::to_string(&message).unwrap());
        }
    }

    /// Each name table `js` reads with: every variant there (the `match`es below stop compiling when
    /// the core gains one), under the name serde writes for it.
    #[wasm_bindgen_test]
    fn the_enum_names_read_are_the_ones_serde_writes_for_every_variant() {
        use assistant_core::api::{HandoffState, Role, Source};
        use assistant_core::protocol::Stage;
        use assistant_core::routing::{Reason, Route};
        fn check<T: serde::Serialize + PartialEq + std::fmt::Debug>(
            table: &[(&str, T)],
            all: &[T],
        ) {
            assert_eq!(table.len(), all.len(), "{all:?}");
            for v in all {
                let (name, _) = table.iter().find(|(_, t)| t == v).expect("in the table");
                assert_eq!(serde_json::to_string(v).unwrap(), format!("\"{name}\""));
            }
        }
        let stage = |s| match s {
            Stage::Downloading | Stage::Preparing => s,
        };
        check(
            js::STAGES,
            &[Stage::Downloading, Stage::Preparing].map(stage),
        );
        let route = |r| match r {
            Route::Answer | Route::Handoff | Route::Server => r,
        };
        check(
            js::ROUTES,
            &[Route::Answer, Route::Handoff, Route::Server].map(route),
        );
        let reason = |r| match r {
            Reason::Confident
            | Reason::AskedForPerson
            | Reason::Complaint
            | Reason::Distress
            | Reason::OutOfScope
            | Reason::Unsure => r,
        };
        let reasons = [
            Reason::Confident,
            Reason::AskedForPerson,
            Reason::Complaint,
            Reason::Distress,
            Reason::OutOfScope,
            Reason::Unsure,
        ];
        check(js::REASONS, &reasons.map(reason));
        let lang = |l| match l {
            Lang::En | Lang::ZhCn => l,
        };
        check(js::LANGS, &[Lang::En, Lang::ZhCn].map(lang));
        let state = |h| match h {
            HandoffState::Queued
            | HandoffState::Active
            | HandoffState::Closed
            | HandoffState::Cancelled
            | HandoffState::Abandoned => h,
        };
        let states = [
            HandoffState::Queued,
            HandoffState::Active,
            HandoffState::Closed,
            HandoffState::Cancelled,
            HandoffState::Abandoned,
        ];
        check(js::HANDOFF_STATES, &states.map(state));
        let role = |r| match r {
            Role::Customer | Role::Assistant | Role::Agent | Role::System => r,
        };
        check(
            js::ROLES,
            &[Role::Customer, Role::Assistant, Role::Agent, Role::System].map(role),
        );
        let source = |s| match s {
            Source::Kb | Source::Server | Source::Agent => s,
        };
        check(
            js::SOURCES,
            &[Source::Kb, Source::Server, Source::Agent].map(source),
        );
    }
}
