//! Reads the worker's product views (on a `Reply` and in a `ViewReply`) and calculator results (JSON) with the browser's `JSON.parse` and property look-ups, into the protocol's own types.
//!
//! Why not serde: serde's derived deserialisers for the dozen view types (and the buffering that
//! tagged enums need) were ~75 KB of the widget's wasm before optimisation, more than the product
//! logic the worker took over. These look-ups are a few bytes each. The JSON shape is fixed by
//! `ViewReply` and checked by the core's protocol tests; the browser tests render every card,
//! comparison and calculator through this reader.

use super::read::{get, list, obj, s};
use super::worker::Answer;
use assistant_core::protocol::{
    Block, CalcField, CalcKind, CalcOutcome, CalcView, CardView, CardWords, CompareRow,
    CompareView, Part, Rich, RiskView, Span, TermNote, View,
};
use js_sys::Array;
use wasm_bindgen::{JsCast, JsValue};

/// A view or calculator reply's content (`ViewReply`), from the message `o` of type `kind`; `None`
/// for any other type.
pub(crate) fn answer(o: &JsValue, kind: &str) -> Option<Answer> {
    Some(match kind {
        "view" => Answer::View(obj(o, "view").and_then(|v| view(&v))),
        "calculated" => {
            let out = get(o, "outcome");
            Answer::Calculated(match s(&out, "type").as_str() {
                "result" => CalcOutcome::Result {
                    text: s(&out, "text"),
                },
                _ => CalcOutcome::Error {
                    field: s(&out, "field"),
                    message: s(&out, "message"),
                },
            })
        }
        _ => return None,
    })
}

fn rich(v: &JsValue) -> Rich {
    v.clone()
        .dyn_into::<Array>()
        .map(|a| {
            a.iter()
                .map(|span| Span {
                    text: s(&span, "text"),
                    term: obj(&span, "term").map(|t| TermNote {
                        means: s(&t, "means"),
                        explain: s(&t, "explain"),
                    }),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A `View` (a reply's, or a view reply's).
pub(crate) fn view(v: &JsValue) -> Option<View> {
    Some(match s(v, "kind").as_str() {
        "text" => View::Text {
            paragraphs: list(v, "paragraphs", rich),
        },
        "card" => View::Card(card(v)),
        "compare" => View::Compare(CompareView {
            a: s(v, "a"),
            b: s(v, "b"),
            a_name: s(v, "a_name"),
            b_name: s(v, "b_name"),
            caption: s(v, "caption"),
            topic: s(v, "topic"),
            rows: list(v, "rows", |r| CompareRow {
                key: s(r, "key"),
                label: s(r, "label"),
                a: rich(&get(r, "a")),
                b: rich(&get(r, "b")),
            }),
            notice: get(v, "notice").as_string(),
            disclaimer: s(v, "disclaimer"),
        }),
        _ => return None,
    })
}

fn card(v: &JsValue) -> CardView {
    let risk = get(v, "risk");
    let w = get(v, "words");
    CardView {
        product: s(v, "product"),
        lead: get(v, "lead").as_string(),
        name: s(v, "name"),
        risk: RiskView {
            level: s(&risk, "level"),
            icon: s(&risk, "icon"),
            label: s(&risk, "label"),
            meaning: s(&risk, "meaning"),
        },
        parts: list(v, "parts", |p| Part {
            key: s(p, "key"),
            title: s(p, "title"),
            detail: get(p, "detail").as_bool().unwrap_or(false),
            blocks: list(p, "blocks", block),
        }),
        notice: get(v, "notice").as_string(),
        disclaimer: s(v, "disclaimer"),
        words: CardWords {
            tell_me_more: s(&w, "tell_me_more"),
            previous: s(&w, "previous"),
            next: s(&w, "next"),
            step_of: s(&w, "step_of"),
            next_steps: s(&w, "next_steps"),
            talk_to_person: s(&w, "talk_to_person"),
            more_on_site: s(&w, "more_on_site"),
            work_it_out: s(&w, "work_it_out"),
        },
    }
}

fn block(b: &JsValue) -> Block {
    match s(b, "type").as_str() {
        "risk_note" => Block::RiskNote { text: s(b, "text") },
        "table" => Block::Table {
            caption: s(b, "caption"),
            rows: list(b, "rows", |r| {
                let r: &Array = r.unchecked_ref();
                (
                    r.get(0).as_string().unwrap_or_default(),
                    r.get(1).as_string().unwrap_or_default(),
                )
            }),
            note: s(b, "note"),
        },
        "calc" => Block::Calc(CalcView {
            kind: if s(b, "kind") == "loan" {
                CalcKind::Loan
            } else {
                CalcKind::Deposit
            },
            title: s(b, "title"),
            fields: list(b, "fields", |f| CalcField {
                key: s(f, "key"),
                label: s(f, "label"),
                hint: s(f, "hint"),
                value: s(f, "value"),
            }),
            calculate: s(b, "calculate"),
            result_note: s(b, "result_note"),
        }),
        _ => Block::Para {
            class: s(b, "class"),
            text: rich(&get(b, "text")),
        },
    }
}
