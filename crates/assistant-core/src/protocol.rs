//! Messages between the widget (main thread) and the Web Worker that owns the model. JSON over
//! `postMessage`; the types live here so both sides share one definition and it is testable natively.

use crate::answers::Suggestion;
use crate::locale::Lang;
use crate::routing::{Reason, Route};
use serde::{Deserialize, Serialize};

/// Asset URLs the worker loads (hashed names, from the page's asset manifest).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelAssets {
    pub model: String,
    pub meta: String,
    pub answers: String,
    /// The product catalogue and glossary (`kb/products.json`); without it there are no product
    /// cards, comparisons or glossary terms, and everything else still works.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub products: Option<String>,
    /// Subresource Integrity (`sha384-…`) by URL, from the loader's build manifest: the worker fetches
    /// each file with it, so a file changed on the way (or on a CDN) is refused, not used.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub integrity: std::collections::BTreeMap<String, String>,
}

/// Widget → worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ToWorker {
    /// Load the model (sent once, when the page is idle or the panel opens).
    Load { assets: ModelAssets },
    /// Classify one already-masked question.
    Classify {
        id: u32,
        text: String,
        /// The conversation's locale, used when the question itself has no letters to tell by.
        locale: Lang,
        /// Large-text mode prefers the simpler answer wording.
        simple: bool,
        /// Set when the customer tapped a suggestion chip: its intent is known, no guessing needed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        intent: Option<String>,
    },
    /// Build the view of one assistant message (glossary terms marked, product card, comparison).
    /// Answered with [`ViewReply::View`] with the same `id`, once the catalogue has loaded (or failed).
    Render { id: u32, lang: Lang, what: Render },
    /// Run a product card's calculator on what the customer typed; answered with
    /// [`ViewReply::Calculated`].
    Calc {
        id: u32,
        lang: Lang,
        kind: CalcKind,
        amount: String,
        rate: String,
        term: String,
    },
}

/// What a [`ToWorker::Render`] asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Render {
    /// An answer's text: paragraphs (split at blank lines) with glossary terms marked.
    Text { text: String },
    /// The card of product `product` (a `product_*` intent).
    Product { product: String },
    /// Two products side by side.
    Compare { a: String, b: String },
}

/// Loading stages, for the "Getting ready…" status line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Downloading,
    Preparing,
}

/// Worker → widget.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FromWorker {
    /// The worker's code is running and listening (messages sent earlier could be lost).
    Booted,
    Progress {
        stage: Stage,
        loaded: u64,
        total: u64,
    },
    Ready {
        load_ms: f64,
        model_version: String,
    },
    /// The model could not be loaded; the widget falls back to the server for everything.
    Failed {
        message: String,
    },
    Reply(Reply),
}

/// Worker → widget: the answers to [`ToWorker::Render`] and [`ToWorker::Calc`].
///
/// Why apart from [`FromWorker`]: the widget reads these with the browser's `JSON.parse` and a small
/// reader (`src/products/read.rs`) instead of serde, because serde's generated code for the view
/// types cost more in the widget's first load than the product logic moved out of it. So the widget
/// never deserialises a type that contains a [`View`]; the JSON shape here is the contract.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ViewReply {
    /// `None` when there is no catalogue (it failed to load) or the product is unknown; the widget
    /// then shows the plain text.
    View {
        id: u32,
        view: Option<Box<View>>,
    },
    Calculated {
        id: u32,
        outcome: CalcOutcome,
    },
}

/// The worker's answer to one question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reply {
    pub id: u32,
    pub route: Route,
    pub reason: Reason,
    pub intent: Option<String>,
    pub confidence: f32,
    /// Top intents (label, probability), for the server when the route is `server`.
    pub top: Vec<(String, f32)>,
    /// Language of the question, and so of the answer.
    pub lang: Lang,
    /// The knowledge-base answer (only for route `answer`, and for the polite preface of `handoff`).
    pub answer: Option<String>,
    pub suggestions: Vec<Suggestion>,
    pub infer_ms: f64,
    /// "Did you mean…?" (route `clarify`): the candidates, best first, each as a chip to tap.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<Suggestion>,
    /// The second thing a two-part question asked ("…, and cash machine withdrawals?"), offered
    /// after the answer to the first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub also: Option<Suggestion>,
    /// "Compare A and B": the two product ids (then `answer` is the one-line introduction and no
    /// model was run).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compare: Option<(String, String)>,
    /// How to show `answer`: its paragraphs with glossary terms marked, the product's card, or the
    /// comparison (`products::view`). Built with the reply, so an answer appears in one trip; `None`
    /// without a catalogue (the widget shows the plain text) or without an answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub view: Option<Box<View>>,
}

// ---- Views: what the widget renders, built in the worker (`products::view`) ----
//
// Why plain data: the catalogue, glossary, calculators and their wording live in the worker, so the
// widget's first load carries none of them; the widget has one small renderer for these few shapes.

/// A run of text, with the glossary term it is (first mention in its block only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub term: Option<TermNote>,
}

/// A glossary term's inline explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TermNote {
    /// For screen readers, before the explanation: "APR means".
    pub means: String,
    /// One plain sentence.
    pub explain: String,
}

/// Text with glossary terms marked: its spans in order (joined, they give back the text).
pub type Rich = Vec<Span>;

/// The view of one assistant message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum View {
    Text { paragraphs: Vec<Rich> },
    Card(CardView),
    Compare(CompareView),
}

/// A product card: name, risk line, parts (summary, worked example, calculator, then the "tell me
/// more" details), next steps, and the notice and "not advice" lines that never hide.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CardView {
    pub product: String,
    pub name: String,
    /// The one sentence that answers the part asked about ("There is no annual fee."), shown first;
    /// that part then follows the summary (`products::view::card_view` with a facet).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lead: Option<String>,
    pub risk: RiskView,
    pub parts: Vec<Part>,
    pub notice: Option<String>,
    pub disclaimer: String,
    pub words: CardWords,
}

/// "Risk level R2: low to medium risk", its icon (hidden from screen readers) and its meaning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskView {
    /// `data-level`: "R2", "borrowing".
    pub level: String,
    pub icon: String,
    pub label: String,
    pub meaning: String,
}

/// The card's own buttons and headings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardWords {
    pub tell_me_more: String,
    pub previous: String,
    pub next: String,
    /// "{n}" and "{total}" are replaced.
    pub step_of: String,
    pub next_steps: String,
    pub talk_to_person: String,
    pub more_on_site: String,
    pub work_it_out: String,
}

/// One part of a card.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Part {
    /// `data-part` and the heading's id: "summary", "example", "calc", "detail0", …
    pub key: String,
    pub title: String,
    /// Behind "Tell me more" in standard mode.
    pub detail: bool,
    pub blocks: Vec<Block>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Block {
    /// A paragraph; `class` is its CSS class ("" for none).
    Para {
        class: String,
        text: Rich,
    },
    /// "⚠ Risk level R2 …" beside a return or an example.
    RiskNote {
        text: String,
    },
    /// The worked example: caption, rows of label and value, and the note under it.
    Table {
        caption: String,
        rows: Vec<(String, String)>,
        note: String,
    },
    Calc(CalcView),
}

/// Which calculator a card has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CalcKind {
    Deposit,
    Loan,
}

/// A calculator form, filled in with the card's worked example.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalcView {
    pub kind: CalcKind,
    pub title: String,
    /// Amount, rate, term, in that order.
    pub fields: Vec<CalcField>,
    pub calculate: String,
    /// "Example figures only, not an offer.", under each result.
    pub result_note: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalcField {
    /// "amount", "rate", "term": `data-field` and the error's field.
    pub key: String,
    pub label: String,
    pub hint: String,
    pub value: String,
}

/// A calculator's result as one plain sentence, or the calm message for the field that is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CalcOutcome {
    Result { text: String },
    Error { field: String, message: String },
}

/// Two products side by side on the same rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompareView {
    pub a: String,
    pub b: String,
    pub a_name: String,
    pub b_name: String,
    pub caption: String,
    /// The hidden corner heading: "Topic".
    pub topic: String,
    pub rows: Vec<CompareRow>,
    pub notice: Option<String>,
    pub disclaimer: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompareRow {
    /// `data-row`: "risk", "costs", …
    pub key: String,
    pub label: String,
    pub a: Rich,
    pub b: Rich,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_round_trip_as_tagged_json() {
        let m = ToWorker::Classify {
            id: 7,
            text: "hi".into(),
            locale: Lang::ZhCn,
            simple: false,
            intent: None,
        };
        let json = serde_json::to_string(&m).unwrap();
        assert_eq!(
            json,
            r#"{"type":"classify","id":7,"text":"hi","locale":"zh-CN","simple":false}"#
        );
        assert_eq!(serde_json::from_str::<ToWorker>(&json).unwrap(), m);
    }

    #[test]
    fn product_requests_and_views_round_trip() {
        let render = ToWorker::Render {
            id: 3,
            lang: Lang::En,
            what: Render::Compare {
                a: "product_mortgage".into(),
                b: "product_sme_loan".into(),
            },
        };
        let json = serde_json::to_string(&render).unwrap();
        assert_eq!(
            json,
            r#"{"type":"render","id":3,"lang":"en","what":{"kind":"compare","a":"product_mortgage","b":"product_sme_loan"}}"#
        );
        assert_eq!(serde_json::from_str::<ToWorker>(&json).unwrap(), render);
        let calc = ToWorker::Calc {
            id: 4,
            lang: Lang::ZhCn,
            kind: CalcKind::Loan,
            amount: "一万".into(),
            rate: "6".into(),
            term: "1年".into(),
        };
        let json = serde_json::to_string(&calc).unwrap();
        assert_eq!(serde_json::from_str::<ToWorker>(&json).unwrap(), calc);
        let view = ViewReply::View {
            id: 3,
            view: Some(Box::new(View::Text {
                paragraphs: vec![vec![
                    Span {
                        text: "The ".into(),
                        term: None,
                    },
                    Span {
                        text: "APR".into(),
                        term: Some(TermNote {
                            means: "APR means ".into(),
                            explain: "The yearly cost.".into(),
                        }),
                    },
                ]],
            })),
        };
        let json = serde_json::to_string(&view).unwrap();
        assert_eq!(
            json,
            r#"{"type":"view","id":3,"view":{"kind":"text","paragraphs":[[{"text":"The "},{"text":"APR","term":{"means":"APR means ","explain":"The yearly cost."}}]]}}"#
        );
        assert_eq!(serde_json::from_str::<ViewReply>(&json).unwrap(), view);
        let out = ViewReply::Calculated {
            id: 4,
            outcome: CalcOutcome::Error {
                field: "amount".into(),
                message: "Please type an amount.".into(),
            },
        };
        let json = serde_json::to_string(&out).unwrap();
        assert_eq!(
            json,
            r#"{"type":"calculated","id":4,"outcome":{"type":"error","field":"amount","message":"Please type an amount."}}"#
        );
        assert_eq!(serde_json::from_str::<ViewReply>(&json).unwrap(), out);
        // A reply from an older worker (no `compare`, no `view`) still reads.
        let reply = r#"{"type":"reply","id":1,"route":"answer","reason":"confident","intent":"x","confidence":1.0,"top":[],"lang":"en","answer":"a","suggestions":[],"infer_ms":0.0}"#;
        assert!(matches!(
            serde_json::from_str::<FromWorker>(reply).unwrap(),
            FromWorker::Reply(Reply {
                compare: None,
                view: None,
                ..
            })
        ));
    }
}
