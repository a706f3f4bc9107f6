//! The widget's side of the Web Worker: starts it (on idle, or when the panel opens), waits for it to
//! boot, sends it the hashed asset URLs from the asset manifest (given by the loader), and queues requests
//! until then. Every request (a question, a view, a calculation) gets an id from one counter and its
//! answer goes to the callback it was sent with; each worker message is read once (`wire::worker::read`).
//! No model code lives in the widget: this file is the whole cost of the engine on the first load.

use crate::wire::read as js;
use crate::wire::worker::{Answer, Incoming, read, to_json};
use assistant_core::protocol::{FromWorker, ModelAssets, ToWorker};
use std::cell::RefCell;
use std::rc::Rc;
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
    /// The asset manifest (JSON: hashed, absolute URLs of the worker, model, answers and products),
    /// given by the loader through `host::mount`.
    manifest: Option<String>,
    /// The last request id given out: questions, views and calculations share one id space.
    last_id: u32,
    /// Requests sent, by id, with what to do with the answer.
    waiting: Vec<(u32, Callback)>,
}

type Callback = Box<dyn FnOnce(Answer)>;

/// The widget's one connection to its worker (made by `host::mount`, shared through `io::Io`): cheap to
/// clone, every clone the same worker.
#[derive(Clone, Default)]
pub struct WorkerClient(Rc<RefCell<Bridge>>);

impl WorkerClient {
    pub fn new(manifest: String) -> WorkerClient {
        let client = WorkerClient::default();
        client.0.borrow_mut().manifest = Some(manifest);
        client
    }

    fn manifest(&self) -> Result<Manifest, String> {
        let json = self
            .0
            .borrow()
            .manifest
            .clone()
            .ok_or("no asset manifest (the widget was not mounted by its loader)")?;
        read_manifest(&json).ok_or_else(|| "asset manifest: not the loader's JSON".to_owned())
    }

    /// Starts the worker once; later calls do nothing. `on_status` hears what the worker says about
    /// itself (booted, loading, ready, failed); answers go to their requests' callbacks.
    pub fn start(&self, on_status: impl Fn(FromWorker) + 'static) {
        if self.alive() {
            return;
        }
        let result = self.manifest().and_then(|m| {
            let worker = Worker::new(&m.worker).map_err(|e| format!("{e:?}"))?;
            Ok((worker, m.assets))
        });
        let (worker, assets) = match result {
            Ok(ok) => ok,
            Err(message) => return on_status(FromWorker::Failed { message }),
        };
        let this = self.clone();
        let onmessage = Closure::<dyn Fn(MessageEvent)>::new(move |ev: MessageEvent| {
            let Some(text) = ev.data().as_string() else {
                return;
            };
            match read(&text) {
                Some(Incoming::Answer(id, answer)) => this.answered(id, answer),
                Some(Incoming::Status(status)) => {
                    if matches!(status, FromWorker::Booted) {
                        this.booted();
                    }
                    on_status(status);
                }
                None => {}
            }
        });
        worker.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
        onmessage.forget();
        let mut b = self.0.borrow_mut();
        b.worker = Some(worker);
        b.assets = Some(assets);
    }

    /// The worker listens now: load the model, then send what was waiting.
    fn booted(&self) {
        let (worker, load, queue) = {
            let mut b = self.0.borrow_mut();
            b.booted = true;
            let load = b.assets.take().map(|assets| ToWorker::Load { assets });
            (b.worker.clone(), load, std::mem::take(&mut b.queue))
        };
        let Some(worker) = worker else { return };
        if let Some(load) = load {
            let _ = worker.post_message(&JsValue::from_str(&to_json(&load)));
        }
        for msg in queue {
            let _ = worker.post_message(&JsValue::from_str(&msg));
        }
    }

    /// Sends the request `make(id)` (a question, a view, a calculation) with a fresh id, now or once
    /// the worker has booted; `then` gets the worker's answer to it. Returns the id.
    pub fn request(
        &self,
        make: impl FnOnce(u32) -> ToWorker,
        then: impl FnOnce(Answer) + 'static,
    ) -> u32 {
        let id = {
            let mut b = self.0.borrow_mut();
            b.last_id += 1;
            let id = b.last_id;
            b.waiting.push((id, Box::new(then)));
            id
        };
        self.send(&make(id));
        id
    }

    /// Hands an answer to its request (once; an answer nobody waits for is dropped).
    fn answered(&self, id: u32, answer: Answer) {
        let then = {
            let mut b = self.0.borrow_mut();
            b.waiting
                .iter()
                .position(|(wid, _)| *wid == id)
                .map(|i| b.waiting.remove(i).1)
        };
        if let Some(then) = then {
            then(answer);
        }
    }

    /// Whether the worker was started (it may still be booting).
    pub fn alive(&self) -> bool {
        self.0.borrow().worker.is_some()
    }

    /// Whether the worker has booted and listens (messages are no longer queued).
    pub fn listening(&self) -> bool {
        self.0.borrow().booted
    }

    /// Sends a message now, or as soon as the worker has booted.
    fn send(&self, msg: &ToWorker) {
        let json = to_json(msg);
        let mut b = self.0.borrow_mut();
        match (&b.worker, b.booted) {
            (Some(w), true) => {
                let _ = w.post_message(&JsValue::from_str(&json));
            }
            _ => b.queue.push(json),
        }
    }
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
