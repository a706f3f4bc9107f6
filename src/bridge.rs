//! The widget's side of the Web Worker: starts it (on idle, or when the panel opens), waits for it to
//! boot, sends it the hashed asset URLs from the asset manifest (given by the loader), and queues questions until then.
//! No model code lives in the widget: this file is the whole cost of the engine on the first load.

use assistant_core::protocol::{FromWorker, ModelAssets, ToWorker};
use serde::Deserialize;
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use web_sys::{MessageEvent, Worker};

/// Asset manifest written into the page by the build (`cargo xtask fingerprint`).
#[derive(Deserialize)]
pub(crate) struct Manifest {
    worker: String,
    /// The product catalogue and glossary bundle (read by `products`).
    #[serde(default)]
    pub products: Option<String>,
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
        let Ok(msg) = serde_json::from_str::<FromWorker>(&text) else {
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
    if let Some(load) = load.and_then(|l| serde_json::to_string(&l).ok()) {
        let _ = worker.post_message(&JsValue::from_str(&load));
    }
    for msg in queue {
        let _ = worker.post_message(&JsValue::from_str(&msg));
    }
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
