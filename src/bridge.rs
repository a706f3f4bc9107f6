//! The widget's side of the Web Worker: starts it (on idle, or when the panel opens), waits for it to
//! boot, sends it the hashed asset URLs from the asset manifest (given by the loader), and queues questions until then.
//! No model code lives in the widget: this file is the whole cost of the engine on the first load.

use assistant_core::answers::Suggestion;
use assistant_core::protocol::{FromWorker, ModelAssets, Reply, ToWorker};
use serde::Deserialize;
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use web_sys::{MessageEvent, Worker};

/// Asset manifest written into the page by the build (`cargo xtask fingerprint`).
#[derive(Deserialize)]
pub(crate) struct Manifest {
    worker: String,
    #[serde(flatten)]
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
    serde_json::from_str(&json).map_err(|e| format!("asset manifest: {e}"))
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
            stage: js::unit(&o, "stage")?,
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
            route: js::unit(&o, "route")?,
            reason: js::unit(&o, "reason")?,
            intent: js::get(&o, "intent").as_string(),
            confidence: js::get(&o, "confidence").as_f64().unwrap_or(0.0) as f32,
            top: js::list(&o, "top", |t| {
                let t: &js_sys::Array = t.unchecked_ref();
                let p = t.get(1).as_f64().unwrap_or(0.0) as f32;
                (t.get(0).as_string().unwrap_or_default(), p)
            }),
            lang: js::unit(&o, "lang")?,
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

/// Reading JSON from the worker and the server through the browser's own parser: a few bytes per
/// field, against serde's generated visitors (see `read_from_worker`, `products::read`, `live`).
pub(crate) mod js {
    use js_sys::{Array, Reflect};
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

    /// A unit enum variant by its serde name ("answer", "asked_for_person", "zh-CN"): serde's code for
    /// these is small and keeps the names in one place.
    pub fn unit<T: serde::de::DeserializeOwned>(o: &JsValue, key: &str) -> Option<T> {
        let name = get(o, key).as_string()?;
        serde_json::from_str(&format!("{name:?}")).ok()
    }
}

/// The worker listens now: load the model, then send what was waiting.
fn booted() {
    let (worker, load, queue) = BRIDGE.with_borrow_mut(|b| {
        b.booted = true;
        let load = b.assets.take().map(|assets| ToWorker::Load { assets });
        (b.worker.clone(), load, std::mem::take(&mut b.queue))
    });
    let Some(worker) = worker else { return };
    if let Some(load) = load.and_then(|l| serde_json::to_string(&l).ok()) {
        let _ = worker.post_message(&JsValue::from_str(&load));
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
    let Ok(json) = serde_json::to_string(msg) else {
        return;
    };
    BRIDGE.with_borrow_mut(|b| match (&b.worker, b.booted) {
        (Some(w), true) => {
            let _ = w.post_message(&JsValue::from_str(&json));
        }
        _ => b.queue.push(json),
    });
}
