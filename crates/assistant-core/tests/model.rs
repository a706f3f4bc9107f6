//! The committed model (public/model) natively: parity with the training framework, routing of the demo
//! questions, and refusal of a tampered or mismatched model with a typed error.

use assistant_core::engine::{IntentEngine, ModelError};
use assistant_core::meta::MetaError;
use assistant_core::routing::{Route, decide};
use assistant_core::taxonomy;

const MODEL: &[u8] = include_bytes!("../../../public/model/intent-model.onnx");
const META: &str = include_str!("../../../public/model/intent-model.json");
const PARITY: &str = include_str!("../../../training/parity.json");

fn engine() -> IntentEngine {
    IntentEngine::load(MODEL, META).expect("committed model loads")
}

/// The answers and the product catalogue the browser downloads.
fn bundles() -> (
    assistant_core::answers::AnswerBundle,
    assistant_core::products::ProductBundle,
) {
    (
        assistant_core::answers::AnswerBundle::parse(include_str!(
            "../../../public/kb/answers.json"
        ))
        .unwrap(),
        assistant_core::products::ProductBundle::parse(include_str!(
            "../../../public/kb/products.json"
        ))
        .unwrap(),
    )
}

/// A question as the widget sends it (English locale; the reply follows the text's own language).
fn question<'a>(
    text: &'a str,
    simple: bool,
    chip: Option<&str>,
) -> assistant_core::assistant::Question<'a> {
    assistant_core::assistant::Question {
        id: 7,
        text,
        locale: assistant_core::locale::Lang::En,
        simple,
        chip: chip.map(str::to_owned),
    }
}

#[test]
fn same_top_intent_as_the_training_framework() {
    #[derive(serde::Deserialize)]
    struct Case {
        text: String,
        top: String,
    }
    let cases: Vec<Case> = serde_json::from_str(PARITY).unwrap();
    assert!(cases.len() >= 50, "parity sample is too small");
    let e = engine();
    let mismatches: Vec<_> = cases
        .iter()
        .filter(|c| e.predict(&c.text).unwrap().top().0 != c.top)
        .map(|c| format!("{} (expected {})", c.text, c.top))
        .collect();
    assert!(
        mismatches.is_empty(),
        "tract disagrees with onnxruntime on: {mismatches:#?}"
    );
}

#[test]
fn demo_questions_route_as_promised() {
    let e = engine();
    let route = |q: &str| {
        let p = e.predict(q).unwrap();
        (
            p.top().0.to_owned(),
            decide(&p.ranked, q, &e.meta().thresholds).route,
        )
    };
    assert_eq!(
        route("I lost my card"),
        ("lost_or_stolen_card".into(), Route::Answer)
    );
    assert_eq!(
        route("我的银行卡丢了"),
        ("lost_or_stolen_card".into(), Route::Answer)
    );
    // Traditional input goes through t2s first (the browser test asks the same question).
    assert_eq!(route("我的銀行卡不見了").0, "lost_or_stolen_card");
    assert_eq!(route("what's the weather in Paris").1, Route::Server);
    assert_eq!(route("I want to talk to a real person").1, Route::Handoff);
    assert_eq!(route("转人工").1, Route::Handoff);
}

#[test]
fn probabilities_are_a_distribution() {
    let p = engine().predict("how do I top up").unwrap();
    let sum: f32 = p.ranked.iter().map(|(_, p)| p).sum();
    assert!((sum - 1.0).abs() < 1e-3);
    assert!(p.ranked.windows(2).all(|w| w[0].1 >= w[1].1));
    assert_eq!(p.ranked.len(), taxonomy::INTENT_COUNT + 1);
}

#[test]
fn empty_and_symbol_only_text_still_gets_a_prediction() {
    let e = engine();
    for q in ["", "   ", "???", "🙂🙂"] {
        assert_eq!(
            e.predict(q).unwrap().ranked.len(),
            taxonomy::INTENT_COUNT + 1,
            "{q:?}"
        );
    }
}

#[test]
fn tampered_model_bytes_are_refused() {
    let mut bytes = MODEL.to_vec();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    assert!(matches!(
        IntentEngine::load(&bytes, META),
        Err(ModelError::Hash { .. })
    ));
}

#[test]
fn wrong_featuriser_version_is_refused() {
    let meta = META.replace("hashed-ngrams-v1", "hashed-ngrams-v0");
    let err = IntentEngine::load(MODEL, &meta).err().unwrap();
    assert!(
        matches!(err, ModelError::Meta(MetaError::Featuriser { .. })),
        "{err}"
    );
    assert!(err.to_string().contains("retrain the model"));
}

#[test]
fn labels_not_matching_the_taxonomy_are_refused() {
    let meta = META.replace("\"card_arrival\"", "\"card_arrivals\"");
    assert!(matches!(
        IntentEngine::load(MODEL, &meta),
        Err(ModelError::Meta(MetaError::Labels(_)))
    ));
}

#[test]
fn garbage_is_an_error_not_a_panic() {
    assert!(matches!(
        IntentEngine::load(MODEL, "{"),
        Err(ModelError::Meta(MetaError::Parse(_)))
    ));
    let mut meta: serde_json::Value = serde_json::from_str(META).unwrap();
    let garbage = b"not an onnx model";
    meta["sha256"] = assistant_core::engine::sha256_hex(garbage).into();
    let err = IntentEngine::load(garbage, &meta.to_string())
        .err()
        .unwrap();
    assert!(matches!(err, ModelError::Onnx(_)), "{err}");
}

/// `assistant::reply`, the function the browser's worker answers with (and the CLI's `eval` measures),
/// with the committed model, answers and catalogue.
#[test]
fn the_reply_the_browser_gets() {
    use assistant_core::assistant::{Knowledge, reply};
    use assistant_core::locale::Lang;
    use assistant_core::protocol::View;
    use assistant_core::routing::Reason;
    let e = engine();
    let (answers, products) = bundles();
    let all = Knowledge {
        model: Some((&e, &answers)),
        products: Some(&products),
    };
    let ask = |text: &str, simple: bool, chip: Option<&str>, k: Knowledge| {
        reply(&question(text, simple, chip), k).unwrap()
    };

    let r = ask("I lost my card", false, None, all);
    assert_eq!(
        (r.id, r.route, r.reason),
        (7, Route::Answer, Reason::Confident)
    );
    assert_eq!(r.intent.as_deref(), Some("lost_or_stolen_card"));
    assert!(r.answer.is_some() && r.compare.is_none());
    // The answer's paragraphs come with the reply (glossary terms marked), not in a second trip.
    assert!(matches!(r.view.as_deref(), Some(View::Text { paragraphs }) if !paragraphs.is_empty()));
    assert_eq!(r.top.len(), 3);
    // Four suggestions after an answer, three in elder mode (as many as the answers have).
    let suggestions = |n| answers.suggestions("lost_or_stolen_card", Lang::En, n);
    assert!(!r.suggestions.is_empty());
    assert_eq!(r.suggestions, suggestions(4));
    let simple = ask("I lost my card", true, None, all);
    assert_eq!(simple.suggestions, suggestions(3));
    assert_eq!(ask("我的银行卡丢了", false, None, all).lang, Lang::ZhCn);

    // A chip's intent is taken as chosen, without the model.
    let r = ask("Talk to a person", false, Some("human_agent"), all);
    assert_eq!(
        (r.route, r.reason),
        (Route::Handoff, Reason::AskedForPerson)
    );
    assert!(r.top.is_empty() && r.suggestions.is_empty());

    // "Compare A and B": the table, no model run; not for a chip, not without the catalogue.
    let compare = "compare fixed deposit and certificate of deposit";
    let r = ask(compare, false, None, all);
    assert_eq!(r.route, Route::Answer);
    let (a, b) = r.compare.clone().expect("a comparison");
    assert_eq!(
        (a.as_str(), b.as_str()),
        ("product_fixed_deposit", "product_certificate_of_deposit")
    );
    // Shown in the same reply: the table of those two products.
    let Some(View::Compare(table)) = r.view.as_deref() else {
        panic!("no comparison view: {:?}", r.view)
    };
    assert!(!table.rows.is_empty());
    assert!(r.top.is_empty());
    let no_catalogue = Knowledge {
        products: None,
        ..all
    };
    assert!(ask(compare, false, None, no_catalogue).compare.is_none());

    // A product answer comes with its card; without the catalogue, with no view (plain text).
    let r = ask("chips", false, Some("product_fixed_deposit"), all);
    assert_eq!(r.route, Route::Answer);
    assert!(
        matches!(r.view.as_deref(), Some(View::Card(_))),
        "{:?}",
        r.view
    );
    let r = ask("chips", false, Some("product_fixed_deposit"), no_catalogue);
    assert!(r.answer.is_some() && r.view.is_none());

    // Without the model everything goes to the server.
    let nothing = Knowledge {
        model: None,
        products: None,
    };
    let r = ask("I lost my card", false, None, nothing);
    assert_eq!((r.route, r.reason), (Route::Server, Reason::Unsure));
    assert!(r.answer.is_none() && r.intent.is_none());
}

/// Issue #14: a customer told "I'll connect you" who is then not queued waits for nobody. For every
/// intent, in both languages and both text modes, an answer whose words say a person is being
/// connected comes only with a hand-off that starts; a complaint's or an upset customer's answer offers
/// one (with the button) instead.
#[test]
fn answers_that_say_a_person_is_coming_start_the_hand_off() {
    use assistant_core::answers::AnswerBundle;
    use assistant_core::assistant::{Knowledge, Question, reply};
    use assistant_core::locale::Lang;
    use assistant_core::routing::promises_a_person;
    use assistant_core::taxonomy;
    let e = engine();
    let answers = AnswerBundle::parse(include_str!("../../../public/kb/answers.json")).unwrap();
    let k = Knowledge {
        model: Some((&e, &answers)),
        products: None,
    };
    let mut checked = 0;
    for intent in taxonomy::intents() {
        for (locale, text) in [(Lang::En, "tap"), (Lang::ZhCn, "点")] {
            for simple in [false, true] {
                let q = Question {
                    id: 1,
                    text,
                    locale,
                    simple,
                    chip: Some(intent.to_owned()),
                };
                let r = reply(&q, k).unwrap();
                let Some(words) = r.answer.as_deref() else {
                    continue;
                };
                checked += 1;
                if promises_a_person(words) {
                    assert!(
                        r.route == Route::Handoff && r.reason.starts_handoff(),
                        "{intent} ({locale:?}, simple {simple}) says a person is coming but only \
                         {:?}/{:?}: {words:?}",
                        r.route,
                        r.reason
                    );
                }
            }
        }
    }
    assert!(checked > 300, "only {checked} answers checked");
    // The check itself sees the promise in both languages, and not an offer.
    assert!(promises_a_person(
        "I'll connect you with a member of our team now."
    ));
    assert!(promises_a_person("我现在为您转接人工客服。"));
    assert!(!promises_a_person(
        "To talk to them now, tap \"Talk to a person\" below."
    ));
    assert!(!promises_a_person("需要为您转接人工客服吗？"));
}

/// Issue #15, through the same `reply` the browser gets: scam stories (told without the word "scam")
/// are warned about with a person offered; a question about one part of a product opens its card
/// there with that part's first sentence first.
#[test]
fn customers_questions_in_their_own_words() {
    use assistant_core::assistant::{Knowledge, reply};
    use assistant_core::protocol::View;
    use assistant_core::routing::Reason;
    let e = engine();
    let (answers, products) = bundles();
    let k = Knowledge {
        model: Some((&e, &answers)),
        products: Some(&products),
    };
    let ask = |text: &str| reply(&question(text, false, None), k).unwrap();
    for story in [
        "the police called and said my account is involved in a case, they want me to move my money",
        "someone from the bank rang and asked me for the code in the text message they sent",
        "警察打电话说我涉嫌洗钱 让我把钱转到安全账户",
        "群里老师带我们炒股 说稳赚 让我先转三万进去",
    ] {
        let r = ask(story);
        assert_eq!(
            (r.route, r.reason, r.intent.as_deref()),
            (Route::Handoff, Reason::Scam, Some("scam_warning")),
            "{story}"
        );
        assert!(!r.reason.starts_handoff(), "offered, not started: {story}");
        assert_eq!(
            r.answer.as_deref(),
            answers.answer("scam_warning", r.lang, false),
            "the warning first: {story}"
        );
    }
    for (question, product, part) in [
        ("信用卡年费多少钱", "product_credit_card", "facet-fees"),
        (
            "credit card, is there an annual fee?",
            "product_credit_card",
            "facet-fees",
        ),
        ("我想提前还房贷", "product_mortgage", "facet-early_exit"),
    ] {
        let r = ask(question);
        assert_eq!(r.intent.as_deref(), Some(product), "{question}");
        let Some(View::Card(card)) = r.view.as_deref() else {
            panic!("{question}: no card: {:?}", r.view)
        };
        assert_eq!(card.parts[1].key, part, "{question}");
        let lead = card.lead.clone().expect("a lead sentence");
        assert!(r.answer.unwrap().starts_with(&lead), "{question}");
    }
}
