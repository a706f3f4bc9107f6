//! The widget's side of the Web Worker: starts it (on idle, or when the panel opens), waits for it to
//! boot, sends it the hashed asset URLs from the asset manifest (given by the loader), and queues questions until then.
//! No model code lives in the widget: this file is the whole cost of the engine on the first load.

use crate::wire::read as js;
use crate::wire::view::{self, Answer};
use crate::wire::worker::{read_from_worker, to_json};
use assistant_core::protocol::{FromWorker, ModelAssets, ToWorker};
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
    /// View and calculator requests sent (`request`), by id, with what to do with the answer.
    waiting: Vec<(u32, Callback)>,
}

type Callback = Box<dyn FnOnce(Answer)>;

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
/// browser's `JSON.parse` (see `wire::read`).
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

/// Starts the worker once; later calls do nothing. `on_message` receives everything the worker says,
/// except the answers to [`request`]s.
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
        // Product views and calculator results (issue #5), see `wire::view`.
        if on_view(&text) {
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

/// Sends a view or calculator request `msg` (whose id is `id`) to the worker; `then` gets the worker's
/// answer.
pub fn request(id: u32, msg: ToWorker, then: impl FnOnce(Answer) + 'static) {
    BRIDGE.with_borrow_mut(|b| b.waiting.push((id, Box::new(then))));
    send(&msg);
}

/// Hands a worker message to its request if it answers a view or calculator request; returns whether
/// it did.
fn on_view(text: &str) -> bool {
    let Some((id, answer)) = view::reply(text) else {
        return false;
    };
    let then = BRIDGE.with_borrow_mut(|b| {
        let i = b.waiting.iter().position(|(wid, _)| *wid == id)?;
        Some(b.waiting.remove(i).1)
    });
    if let Some(then) = then {
        then(answer);
    }
    true
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
