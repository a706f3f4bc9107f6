//! The assistant's reply to one question, decided in one place: the Web Worker sends it to the widget,
//! and the CLI's `eval` and the native tests (`tests/model.rs`) measure the same function, so what
//! the browser decides is what we measure.
//!
//! In order: "compare A and B" is answered with a side-by-side table, no model run (not for a tapped
//! chip); without the model (it failed to load) everything goes to the server; a chip's intent is
//! taken as chosen, anything else goes through the model and [`decide`]; then the answer text for
//! the route (the knowledge base's own words also before a hand-off the customer asked for or a
//! complaint) and, after an answer, three suggestions in elder mode or four otherwise; and how to show
//! the answer (its card, comparison or marked-up text), so the widget shows it in one trip.

use crate::answers::AnswerBundle;
use crate::engine::IntentEngine;
use crate::locale::Lang;
use crate::products::{ProductBundle, view};
use crate::protocol::{Render, Reply, View};
use crate::routing::{Decision, Reason, Route, decide};
use crate::taxonomy;

/// One masked question, as the widget sends it (`protocol::ToWorker::Classify`).
pub struct Question<'a> {
    pub id: u32,
    pub text: &'a str,
    /// The widget's language; the reply is in the question's own (`Lang::of_text`).
    pub locale: Lang,
    /// Elder mode: simpler answers, fewer suggestions.
    pub simple: bool,
    /// The intent of a tapped suggestion chip: no model run for it.
    pub chip: Option<String>,
}

/// What the assistant has to answer with: the model and its answers (`None` when they failed to load),
/// and the product catalogue (`None` when it is missing or failed: no comparisons).
#[derive(Clone, Copy)]
pub struct Knowledge<'a> {
    pub model: Option<(&'a IntentEngine, &'a AnswerBundle)>,
    pub products: Option<&'a ProductBundle>,
}

/// Suggestions shown after an answer.
pub fn suggestion_count(simple: bool) -> usize {
    if simple { 3 } else { 4 }
}

/// The reply to `q`. `infer_ms` is left at 0: the caller times it. An error is the model's (the
/// worker reports it as `failed`).
pub fn reply(q: &Question, k: Knowledge) -> Result<Reply, String> {
    let lang = Lang::of_text(q.text, q.locale);
    let mut reply = Reply {
        id: q.id,
        route: Route::Server,
        reason: Reason::Unsure,
        intent: None,
        confidence: 0.0,
        top: Vec::new(),
        lang,
        answer: None,
        suggestions: Vec::new(),
        infer_ms: 0.0,
        compare: None,
        view: None,
    };
    // "Compare A and B": a side-by-side table, no model needed (not for a tapped chip).
    if let Some(((a, b), intro)) = k
        .products
        .filter(|_| q.chip.is_none())
        .and_then(|b| view::compare_request(b, q.text, lang))
    {
        let what = Render::Compare {
            a: a.clone(),
            b: b.clone(),
        };
        return Ok(Reply {
            route: Route::Answer,
            reason: Reason::Confident,
            confidence: 1.0,
            answer: Some(intro),
            compare: Some((a, b)),
            view: k
                .products
                .and_then(|p| view::render(p, &what, lang))
                .map(Box::new),
            ..reply
        });
    }
    // The model failed to load: everything goes to the server.
    let Some((engine, answers)) = k.model else {
        return Ok(reply);
    };
    // A chip's intent is known: no need to run the model for it.
    let (d, top) = match q.chip.clone().filter(|i| taxonomy::is_intent(i)) {
        Some(intent) => (chosen(intent), Vec::new()),
        None => {
            let p = engine.predict(q.text).map_err(|e| e.to_string())?;
            let d = decide(&p.ranked, q.text, &engine.meta().thresholds);
            (d, p.ranked.into_iter().take(3).collect())
        }
    };
    let intent = d.intent.as_deref().unwrap_or_default();
    let answer = match d.route {
        Route::Answer => answers.answer(intent, lang, q.simple),
        // A person is offered; the knowledge base's own words for asking/complaining come first.
        Route::Handoff if matches!(intent, "human_agent" | "complaint") => {
            answers.answer(intent, lang, q.simple)
        }
        _ => None,
    };
    if d.route == Route::Answer {
        reply.suggestions = answers.suggestions(intent, lang, suggestion_count(q.simple));
    }
    reply.answer = answer.map(str::to_owned);
    reply.view = shown(k.products, &d, reply.answer.as_deref(), lang);
    Ok(Reply {
        route: d.route,
        reason: d.reason,
        intent: d.intent,
        confidence: d.confidence,
        top,
        ..reply
    })
}

/// How the answer is shown: a product's card for a `product_*` answer, else its paragraphs with glossary
/// terms marked. `None` without an answer or a catalogue (the widget shows the plain text).
fn shown(
    products: Option<&ProductBundle>,
    d: &Decision,
    answer: Option<&str>,
    lang: Lang,
) -> Option<Box<View>> {
    let (products, text) = (products?, answer?);
    let intent = d.intent.as_deref().unwrap_or_default();
    let what = if d.route == Route::Answer && intent.starts_with("product_") {
        Render::Product {
            product: intent.to_owned(),
        }
    } else {
        Render::Text {
            text: text.to_owned(),
        }
    };
    view::render(products, &what, lang).map(Box::new)
}

/// The decision for an intent the customer picked on a suggestion chip.
fn chosen(intent: String) -> Decision {
    let (route, reason) = match intent.as_str() {
        taxonomy::HUMAN_AGENT => (Route::Handoff, Reason::AskedForPerson),
        taxonomy::COMPLAINT => (Route::Handoff, Reason::Complaint),
        _ => (Route::Answer, Reason::Confident),
    };
    Decision {
        route,
        reason,
        intent: Some(intent),
        confidence: 1.0,
    }
}
