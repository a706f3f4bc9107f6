//! The messages between the widget and its Web Worker (`assistant_core::protocol`): written by hand
//! as serde writes them (the worker reads them with serde), read with the browser's `JSON.parse`.

use super::read as js;
use super::write::{self as json, Obj};
use assistant_core::answers::Suggestion;
use assistant_core::protocol::{
    CalcOutcome, FromWorker, ModelAssets, Render, Reply, ToWorker, View,
};
use wasm_bindgen::{JsCast, JsValue};

/// What the worker said: about itself (booted, loading, ready, failed), or the answer to request `id`.
pub(crate) enum Incoming {
    Status(FromWorker),
    Answer(u32, Answer),
}

/// The answer to one request: a question's reply, a view, a calculator's result.
pub(crate) enum Answer {
    Reply(Reply),
    View(Option<View>),
    Calculated(CalcOutcome),
}

/// Reads a worker message once, with the browser's `JSON.parse` and property look-ups, and sorts it by
/// its `type`.
///
/// Why not `serde_json::from_str::<FromWorker>`: serde's code for an internally tagged enum buffers
/// the whole message first and was ~17 KB of the widget's wasm (before optimisation) on its own; the
/// shape is fixed by `FromWorker` and `ViewReply` and their tests in the core.
pub(crate) fn read(text: &str) -> Option<Incoming> {
    let o = js::parse(text)?;
    let kind = js::s(&o, "type");
    Some(Incoming::Status(match kind.as_str() {
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
        "reply" => {
            let reply = read_reply(&o)?;
            return Some(Incoming::Answer(reply.id, Answer::Reply(reply)));
        }
        other => {
            let id = js::get(&o, "id").as_f64()? as u32;
            return Some(Incoming::Answer(id, super::view::answer(&o, other)?));
        }
    }))
}

fn read_reply(o: &JsValue) -> Option<Reply> {
    let pair = js::get(o, "compare");
    let compare = pair.dyn_ref::<js_sys::Array>().and_then(|p| {
        let (a, b) = (p.get(0).as_string()?, p.get(1).as_string()?);
        Some((a, b))
    });
    Some(Reply {
        id: js::get(o, "id").as_f64()? as u32,
        route: js::unit(o, "route", js::ROUTES)?,
        reason: js::unit(o, "reason", js::REASONS)?,
        intent: js::get(o, "intent").as_string(),
        confidence: js::get(o, "confidence").as_f64().unwrap_or(0.0) as f32,
        top: js::list(o, "top", |t| {
            let t: &js_sys::Array = t.unchecked_ref();
            let p = t.get(1).as_f64().unwrap_or(0.0) as f32;
            (t.get(0).as_string().unwrap_or_default(), p)
        }),
        lang: js::unit(o, "lang", js::LANGS)?,
        answer: js::get(o, "answer").as_string(),
        suggestions: js::list(o, "suggestions", chip),
        infer_ms: js::get(o, "infer_ms").as_f64().unwrap_or(0.0),
        choices: js::list(o, "choices", chip),
        also: js::obj(o, "also").map(|s| chip(&s)),
        compare,
        view: js::obj(o, "view")
            .and_then(|v| super::view::view(&v))
            .map(Box::new),
    })
}

fn chip(s: &JsValue) -> Suggestion {
    Suggestion {
        intent: js::s(s, "intent"),
        text: js::s(s, "text"),
    }
}

/// A message to the worker as JSON, as serde writes `ToWorker` (tagged by `type`, snake_case), which
/// is how the worker reads it (see `wire::write`).
pub(crate) fn to_json(msg: &ToWorker) -> String {
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
