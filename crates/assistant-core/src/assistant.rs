//! The assistant's reply to one question, decided in one place: the Web Worker sends it to the widget,
//! and the CLI's `eval` and the native tests (`tests/model.rs`) measure the same function, so what
//! the browser decides is what we measure.
//!
//! In order: "compare A and B" is answered with a side-by-side table, no model run (not for a tapped
//! chip); without the model (it failed to load) everything goes to the server; a chip's intent is
//! taken as chosen, anything else goes through the model and [`decide`]; a question that asks two
//! things ([`two_questions`]) is answered for the first and the second is offered (`Reply::also`);
//! then the answer text for the route (the knowledge base's own words also before a hand-off the
//! customer asked for, a complaint or a scam warning), "Did you mean…?" choices for a close call, and,
//! after an answer, three suggestions in elder mode or four otherwise; and how to show the answer (its
//! card, opened at the part asked about (`products::facet`), comparison or marked-up text), so the
//! widget shows it in one trip.

use crate::answers::AnswerBundle;
use crate::engine::IntentEngine;
use crate::locale::Lang;
use crate::products::facet::Facet;
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
        choices: Vec::new(),
        also: None,
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
    let (mut d, top) = match q.chip.clone().filter(|i| taxonomy::is_intent(i)) {
        Some(intent) => (chosen(intent), Vec::new()),
        None => {
            let p = engine.predict(q.text).map_err(|e| e.to_string())?;
            let d = decide(&p.ranked, q.text, &engine.meta().thresholds);
            (d, p.ranked.into_iter().take(3).collect::<Vec<_>>())
        }
    };
    // Two questions in one ("fees for card abroad, and cash machine withdrawals?"): answer the first,
    // offer the second, when each half is clear on its own and they differ.
    if q.chip.is_none() && matches!(d.route, Route::Answer | Route::Clarify) {
        let th = &engine.meta().thresholds;
        let one = |t: &str| -> Result<Decision, String> {
            let p = engine.predict(t).map_err(|e| e.to_string())?;
            Ok(decide(&p.ranked, t, th))
        };
        for (first, second) in two_questions(q.text) {
            let (d1, d2) = (one(first)?, one(second)?);
            if d1.route != Route::Answer || d2.route != Route::Answer || d1.intent == d2.intent {
                continue;
            }
            // The whole question's topic is one of the two: answer it and offer the other; if the
            // whole question was a close call, answer the first half and offer the second.
            let (answered, offered) = if d.intent == d2.intent && d.route == Route::Answer {
                (d.clone(), d1)
            } else if d.intent == d1.intent || d.route == Route::Clarify {
                (d1, d2)
            } else {
                continue;
            };
            reply.also = offered
                .intent
                .as_deref()
                .and_then(|i| answers.chip(i, lang));
            d = answered;
            break;
        }
    }
    let intent = d.intent.as_deref().unwrap_or_default();
    let answer = match d.route {
        Route::Answer => answers.answer(intent, lang, q.simple),
        // A person is offered; the knowledge base's own words (asking, complaining, the scam warning)
        // come first.
        Route::Handoff if matches!(intent, "human_agent" | "complaint" | "scam_warning") => {
            answers.answer(intent, lang, q.simple)
        }
        // Upset, and the question is clear: the answer as well as the offer of a person (a customer
        // who is upset about a blocked PIN still needs to know how to unblock it).
        Route::Handoff
            if d.reason == Reason::Distress
                && d.intent.is_some()
                && d.confidence >= engine.meta().thresholds.answer =>
        {
            answers.answer(intent, lang, q.simple)
        }
        _ => None,
    };
    if d.route == Route::Answer {
        reply.suggestions = answers.suggestions(intent, lang, suggestion_count(q.simple));
    }
    if d.route == Route::Clarify {
        reply.choices = top
            .iter()
            .filter_map(|(l, _)| answers.chip(l, lang))
            .collect();
    }
    // The part of a product asked about ("信用卡年费多少钱"): the card opens there, and its first
    // sentence answers before the general answer.
    let facet = (d.route == Route::Answer && intent.starts_with("product_") && q.chip.is_none())
        .then(|| Facet::detect(&engine.normalize(q.text)))
        .flatten();
    reply.answer = answer.map(str::to_owned);
    reply.view = shown(k.products, &d, reply.answer.as_deref(), lang, facet);
    if let Some(lead) = reply.view.as_deref().and_then(|v| match v {
        View::Card(c) => c.lead.clone(),
        _ => None,
    }) {
        reply.answer = reply.answer.map(|a| format!("{lead}\n\n{a}"));
    }
    Ok(Reply {
        route: d.route,
        reason: d.reason,
        intent: d.intent,
        confidence: d.confidence,
        top,
        ..reply
    })
}

/// Where a question that may ask two things could be split ("…, and …?", "… and how fast …",
/// "…，还有…", "…？…？", "转账要几天 手续费多少"), best joints first; each half long enough to be a
/// question of its own. Whether it really asks two things is the model's call: both halves must be
/// answered with confidence, about different topics (`reply`).
pub fn two_questions(text: &str) -> Vec<(&str, &str)> {
    const JOINTS: [&str; 15] = [
        ", and ",
        "? and ",
        " and also ",
        "? also ",
        ". also ",
        "; also ",
        ", also ",
        ", plus ",
        " and ",
        "，还有",
        "？还有",
        "还有就是",
        " 还有",
        "另外",
        "顺便问",
    ];
    const ENDS: [char; 4] = ['?', '？', '，', ','];
    let lower = text.to_lowercase();
    if lower.len() != text.len() {
        // Lower-casing changed byte offsets: leave the question whole.
        return Vec::new();
    }
    let enough = |s: &str| {
        let s = s.trim_matches(|c: char| !c.is_alphanumeric());
        s.split_whitespace().count() >= 3 || s.chars().filter(|c| !c.is_ascii()).count() >= 4
    };
    let han = |c: Option<char>| c.is_some_and(|c| !c.is_ascii());
    let joints = JOINTS
        .iter()
        .filter_map(|j| lower.find(j).map(|i| (i, j.len())))
        .chain(
            text.char_indices()
                .filter(|(i, c)| ENDS.contains(c) && *i + c.len_utf8() < text.len())
                .map(|(i, c)| (i + c.len_utf8(), 0)),
        )
        // A space between two Chinese clauses ("转账到国外要几天 要收手续费吗").
        .chain(text.char_indices().filter_map(|(i, c)| {
            (c == ' ' && han(text[..i].chars().next_back()) && han(text[i + 1..].chars().next()))
                .then_some((i, 1))
        }));
    let mut found: Vec<(&str, &str)> = Vec::new();
    for (i, len) in joints {
        let (a, b) = (text[..i].trim(), text[i + len..].trim());
        if enough(a) && enough(b) && !found.contains(&(a, b)) {
            found.push((a, b));
        }
    }
    found.truncate(3);
    found
}

/// How the answer is shown: a product's card for a `product_*` answer, else its paragraphs with glossary
/// terms marked. `None` without an answer or a catalogue (the widget shows the plain text).
fn shown(
    products: Option<&ProductBundle>,
    d: &Decision,
    answer: Option<&str>,
    lang: Lang,
    facet: Option<Facet>,
) -> Option<Box<View>> {
    let (products, text) = (products?, answer?);
    let intent = d.intent.as_deref().unwrap_or_default();
    if d.route == Route::Answer && intent.starts_with("product_") {
        return view::card_view(products, intent, lang, facet).map(|c| Box::new(View::Card(c)));
    }
    let what = Render::Text {
        text: text.to_owned(),
    };
    view::render(products, &what, lang).map(Box::new)
}

/// The decision for an intent the customer picked on a suggestion chip.
fn chosen(intent: String) -> Decision {
    let (route, reason) = match intent.as_str() {
        taxonomy::HUMAN_AGENT => (Route::Handoff, Reason::AskedForPerson),
        taxonomy::COMPLAINT => (Route::Handoff, Reason::Complaint),
        taxonomy::SCAM_WARNING => (Route::Handoff, Reason::Scam),
        _ => (Route::Answer, Reason::Confident),
    };
    Decision {
        route,
        reason,
        intent: Some(intent),
        confidence: 1.0,
    }
}

#[cfg(test)]
mod tests {
    use super::two_questions;

    #[test]
    fn two_questions_split_at_their_joints_and_one_stays_whole() {
        let first = |t| two_questions(t).first().copied();
        assert_eq!(
            first("fees for card abroad, and cash machine withdrawals?"),
            Some(("fees for card abroad", "cash machine withdrawals?"))
        );
        assert_eq!(
            first("信用卡年费多少？境外取现收费吗？"),
            Some(("信用卡年费多少？", "境外取现收费吗？"))
        );
        assert_eq!(
            first("how long does a transfer take? also is there a fee for it"),
            Some(("how long does a transfer take", "is there a fee for it"))
        );
        assert!(
            two_questions("转账到国外要几天 要收手续费吗")
                .contains(&("转账到国外要几天", "要收手续费吗"))
        );
        for one in [
            "my card and pin are lost",
            "why?? and where is my card",
            "hello?? is anyone there",
            "card declined in spain, and?",
            "转账多久到账",
        ] {
            assert_eq!(two_questions(one), [], "{one}");
        }
    }
}
