//! The Web Worker that owns tract-onnx, the intent model and the knowledge-base answers.
//!
//! Why a worker: tract and the model are ~2 MB compressed, far more than the widget itself. Keeping them
//! here means the widget's first load carries neither, the page never stutters while the model is
//! optimised, and the widget keeps working (through the server) if this worker fails to load.
//!
//! Protocol (`assistant_core::protocol`): the widget waits for `booted`, sends `load` with the hashed
//! asset URLs, receives `progress` then `ready` (or `failed`), and sends `classify` for each masked
//! question; each gets one `reply`. Questions that arrive while loading wait here, in order. What the
//! reply says is decided by `assistant_core::assistant::reply` (the same function the CLI's `eval`
//! and the native tests measure): this crate is the message loop and the fetches.
//!
//! Products (issue #5) live here too: the worker loads the catalogue and glossary (`kb/products.json`)
//! before the model, answers "compare A and B" itself, and builds the views the widget renders
//! (`render` → `view`: product cards, comparisons, answers with glossary terms marked) and the
//! calculators' results (`calc` → `calculated`). A missing or broken catalogue only costs those: the
//! widget then shows plain text, and the model still loads.

use assistant_core::answers::AnswerBundle;
use assistant_core::assistant::{self, Knowledge, Question};
use assistant_core::engine::IntentEngine;
use assistant_core::products::{ProductBundle, view};
use assistant_core::protocol::{FromWorker, ModelAssets, Stage, ToWorker, ViewReply};
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent, Response};

#[derive(Default)]
struct State {
    loaded: Option<(IntentEngine, AnswerBundle)>,
    loading: bool,
    failed: Option<String>,
    waiting: Vec<ToWorker>,
    /// `None` until the catalogue has loaded or failed; `Some(None)` when it failed.
    products: Option<Option<ProductBundle>>,
    /// Render requests that arrived before the catalogue.
    waiting_views: Vec<ToWorker>,
}

thread_local! {
    static STATE: RefCell<State> = RefCell::new(State::default());
}

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

fn post(msg: &FromWorker) {
    post_json(msg);
}

fn post_json(msg: &impl serde::Serialize) {
    if let Ok(json) = serde_json::to_string(msg) {
        let _ = scope().post_message(&JsValue::from_str(&json));
    }
}

fn now_ms() -> f64 {
    scope().performance().map_or(0.0, |p| p.now())
}

fn main() {
    console_error_panic_hook::set_once();
    let onmessage = Closure::<dyn FnMut(MessageEvent)>::new(|ev: MessageEvent| {
        let Some(text) = ev.data().as_string() else {
            return;
        };
        match serde_json::from_str::<ToWorker>(&text) {
            Ok(msg) => handle(msg),
            Err(e) => post(&FromWorker::Failed {
                message: format!("unreadable request: {e}"),
            }),
        }
    });
    scope().set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    onmessage.forget();
    post(&FromWorker::Booted);
}

fn handle(msg: ToWorker) {
    match msg {
        ToWorker::Load { assets } => {
            let start = STATE.with_borrow_mut(|s| !std::mem::replace(&mut s.loading, true));
            if start {
                wasm_bindgen_futures::spawn_local(load(assets));
            }
        }
        ToWorker::Calc {
            id,
            lang,
            kind,
            amount,
            rate,
            term,
        } => post_json(&ViewReply::Calculated {
            id,
            outcome: view::calculate(kind, &amount, &rate, &term, lang),
        }),
        render @ ToWorker::Render { .. } => {
            let queued = STATE.with_borrow_mut(|s| {
                let queue = s.products.is_none();
                if queue {
                    s.waiting_views.push(render.clone());
                }
                queue
            });
            if !queued {
                render_view(render);
            }
        }
        classify @ ToWorker::Classify { .. } => {
            let queued = STATE.with_borrow_mut(|s| {
                let queue = s.loaded.is_none() && s.failed.is_none();
                if queue {
                    s.waiting.push(classify.clone());
                }
                queue
            });
            if !queued {
                answer(classify);
            }
        }
    }
}

async fn load(assets: ModelAssets) {
    let start = now_ms();
    // The catalogue first: it is small, and views wait for it.
    let products = match &assets.products {
        Some(url) => fetch_bytes(url, &assets.integrity)
            .await
            .and_then(|b| String::from_utf8(b).map_err(|e| e.to_string()))
            .and_then(|json| ProductBundle::parse(&json)),
        None => Err("the page names no products file".to_owned()),
    };
    let products = products
        .inspect_err(|e| {
            web_sys::console::warn_1(&format!("assistant: product cards unavailable: {e}").into())
        })
        .ok();
    let views = STATE.with_borrow_mut(|s| {
        s.products = Some(products);
        std::mem::take(&mut s.waiting_views)
    });
    views.into_iter().for_each(render_view);
    let result = load_inner(&assets).await;
    let message = match result {
        Ok((engine, answers)) => {
            let model_version = engine.meta().model_version.clone();
            STATE.with_borrow_mut(|s| s.loaded = Some((engine, answers)));
            FromWorker::Ready {
                load_ms: now_ms() - start,
                model_version,
            }
        }
        Err(message) => {
            STATE.with_borrow_mut(|s| s.failed = Some(message.clone()));
            FromWorker::Failed { message }
        }
    };
    post(&message);
    let waiting = STATE.with_borrow_mut(|s| std::mem::take(&mut s.waiting));
    waiting.into_iter().for_each(answer);
}

async fn load_inner(assets: &ModelAssets) -> Result<(IntentEngine, AnswerBundle), String> {
    let total = 3;
    post(&FromWorker::Progress {
        stage: Stage::Downloading,
        loaded: 0,
        total,
    });
    let model = fetch_bytes(&assets.model, &assets.integrity).await?;
    post(&FromWorker::Progress {
        stage: Stage::Downloading,
        loaded: 1,
        total,
    });
    let meta = String::from_utf8(fetch_bytes(&assets.meta, &assets.integrity).await?)
        .map_err(|e| e.to_string())?;
    post(&FromWorker::Progress {
        stage: Stage::Downloading,
        loaded: 2,
        total,
    });
    let answers = String::from_utf8(fetch_bytes(&assets.answers, &assets.integrity).await?)
        .map_err(|e| e.to_string())?;
    post(&FromWorker::Progress {
        stage: Stage::Preparing,
        loaded: 3,
        total,
    });
    let answers = AnswerBundle::parse(&answers)?;
    let engine = IntentEngine::load(&model, &meta).map_err(|e| e.to_string())?;
    Ok((engine, answers))
}

/// Downloads `url`, with its Subresource Integrity from `integrity` when the loader gave one (the browser
/// then refuses bytes that do not match).
async fn fetch_bytes(
    url: &str,
    integrity: &std::collections::BTreeMap<String, String>,
) -> Result<Vec<u8>, String> {
    let failed = |e: JsValue| {
        format!(
            "could not download {url}: {}",
            e.as_string().unwrap_or_else(|| format!("{e:?}"))
        )
    };
    let init = web_sys::RequestInit::new();
    if let Some(hash) = integrity.get(url) {
        init.set_integrity(hash);
    }
    let resp: Response = JsFuture::from(scope().fetch_with_str_and_init(url, &init))
        .await
        .map_err(failed)?
        .unchecked_into();
    if !resp.ok() {
        return Err(format!("could not download {url}: HTTP {}", resp.status()));
    }
    let buf = JsFuture::from(resp.array_buffer().map_err(failed)?)
        .await
        .map_err(failed)?;
    Ok(js_sys::Uint8Array::new(&buf).to_vec())
}

/// Answers one render request (the catalogue has loaded or failed).
fn render_view(msg: ToWorker) {
    let ToWorker::Render { id, lang, what } = msg else {
        return;
    };
    let view = STATE.with_borrow(|s| {
        let bundle = s.products.as_ref()?.as_ref()?;
        view::render(bundle, &what, lang).map(Box::new)
    });
    post_json(&ViewReply::View { id, view });
}

fn answer(msg: ToWorker) {
    let ToWorker::Classify {
        id,
        text,
        locale,
        simple,
        intent: chip,
    } = msg
    else {
        return;
    };
    let started = now_ms();
    let question = Question {
        id,
        text: &text,
        locale,
        simple,
        chip,
    };
    let reply = STATE.with_borrow(|s| {
        let knowledge = Knowledge {
            model: s.loaded.as_ref().map(|(engine, answers)| (engine, answers)),
            products: s.products.as_ref().and_then(Option::as_ref),
        };
        let timed = knowledge.model.is_some();
        assistant::reply(&question, knowledge).map(|r| (r, timed))
    });
    match reply {
        Ok((mut r, timed)) => {
            // Not timed when the model failed to load (the server answers), as before.
            if timed || r.compare.is_some() {
                r.infer_ms = now_ms() - started;
            }
            post(&FromWorker::Reply(r))
        }
        Err(message) => post(&FromWorker::Failed { message }),
    }
}
