//! The worker reads what the widget writes by hand (`worker::to_json`, `write`) with serde: each message
//! must read back as the one sent, and be exactly what serde itself would have written.

use super::read as js;
use super::worker::to_json;
use assistant_core::locale::Lang;
use assistant_core::protocol::CalcKind;
use assistant_core::protocol::{ModelAssets, Render, ToWorker};
use wasm_bindgen_test::wasm_bindgen_test;

/// Quotes, backslashes, control characters (C0 and DEL), non-ASCII, emoji, markup.
const NASTY: &str = "\"quoted\" \\ back\\slash\nnew\tline\r\u{8}\u{c}\u{0}\u{1f}\u{7f} 中文 繁體 🙂 </script> \u{2028}";

#[wasm_bindgen_test]
fn worker_messages_read_back_as_sent_and_as_serde_writes_them() {
    let assets = |products: Option<&str>, integrity: &[(&str, &str)]| ModelAssets {
        model: format!("/m{NASTY}.onnx"),
        meta: "/meta.json".into(),
        answers: "/answers.json".into(),
        products: products.map(str::to_owned),
        integrity: integrity
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    };
    let messages = [
        ToWorker::Load {
            assets: assets(None, &[]),
        },
        ToWorker::Load {
            assets: assets(
                Some("/p.json"),
                &[("/m.onnx", "sha384-a"), ("/p.json", NASTY)],
            ),
        },
        ToWorker::Classify {
            id: u32::MAX,
            text: NASTY.into(),
            locale: Lang::ZhCn,
            simple: true,
            intent: None,
        },
        ToWorker::Classify {
            id: 0,
            text: String::new(),
            locale: Lang::En,
            simple: false,
            intent: Some("lost_or_stolen_card".into()),
        },
        ToWorker::Render {
            id: 7,
            lang: Lang::En,
            what: Render::Text { text: NASTY.into() },
        },
        ToWorker::Render {
            id: 8,
            lang: Lang::ZhCn,
            what: Render::Product {
                product: "product_fixed_deposit".into(),
            },
        },
        ToWorker::Render {
            id: 9,
            lang: Lang::En,
            what: Render::Compare {
                a: "a".into(),
                b: NASTY.into(),
            },
        },
        ToWorker::Calc {
            id: 10,
            lang: Lang::ZhCn,
            kind: CalcKind::Loan,
            amount: "１０,000".into(),
            rate: NASTY.into(),
            term: "12".into(),
        },
        ToWorker::Calc {
            id: 11,
            lang: Lang::En,
            kind: CalcKind::Deposit,
            amount: "1".into(),
            rate: "2".into(),
            term: "3".into(),
        },
    ];
    for message in messages {
        let json = to_json(&message);
        let back: ToWorker = serde_json::from_str(&json).expect(&json);
        assert_eq!(back, message);
        assert_eq!(json, serde_json::to_string(&message).unwrap());
    }
}

/// Each name table `js` reads with: every variant there (the `match`es below stop compiling when
/// the core gains one), under the name serde writes for it.
#[wasm_bindgen_test]
fn the_enum_names_read_are_the_ones_serde_writes_for_every_variant() {
    use assistant_core::api::{HandoffState, Role, Source};
    use assistant_core::protocol::Stage;
    use assistant_core::routing::{Reason, Route};
    fn check<T: serde::Serialize + PartialEq + std::fmt::Debug>(table: &[(&str, T)], all: &[T]) {
        assert_eq!(table.len(), all.len(), "{all:?}");
        for v in all {
            let (name, _) = table.iter().find(|(_, t)| t == v).expect("in the table");
            assert_eq!(serde_json::to_string(v).unwrap(), format!("\"{name}\""));
        }
    }
    let stage = |s| match s {
        Stage::Downloading | Stage::Preparing => s,
    };
    check(
        js::STAGES,
        &[Stage::Downloading, Stage::Preparing].map(stage),
    );
    let route = |r| match r {
        Route::Answer | Route::Handoff | Route::Server | Route::Clarify => r,
    };
    check(
        js::ROUTES,
        &[Route::Answer, Route::Handoff, Route::Server, Route::Clarify].map(route),
    );
    let reason = |r| match r {
        Reason::Confident
        | Reason::AskedForPerson
        | Reason::Complaint
        | Reason::Distress
        | Reason::OutOfScope
        | Reason::Unsure
        | Reason::Scam
        | Reason::CloseCall => r,
    };
    let reasons = [
        Reason::Confident,
        Reason::AskedForPerson,
        Reason::Complaint,
        Reason::Distress,
        Reason::OutOfScope,
        Reason::Unsure,
        Reason::Scam,
        Reason::CloseCall,
    ];
    check(js::REASONS, &reasons.map(reason));
    let lang = |l| match l {
        Lang::En | Lang::ZhCn => l,
    };
    check(js::LANGS, &[Lang::En, Lang::ZhCn].map(lang));
    let state = |h| match h {
        HandoffState::Queued
        | HandoffState::Active
        | HandoffState::Closed
        | HandoffState::Cancelled
        | HandoffState::Abandoned => h,
    };
    let states = [
        HandoffState::Queued,
        HandoffState::Active,
        HandoffState::Closed,
        HandoffState::Cancelled,
        HandoffState::Abandoned,
    ];
    check(js::HANDOFF_STATES, &states.map(state));
    let role = |r| match r {
        Role::Customer | Role::Assistant | Role::Agent | Role::System => r,
    };
    check(
        js::ROLES,
        &[Role::Customer, Role::Assistant, Role::Agent, Role::System].map(role),
    );
    let source = |s| match s {
        Source::Kb | Source::Server | Source::Agent | Source::Help | Source::Upstream => s,
    };
    check(
        js::SOURCES,
        &[
            Source::Kb,
            Source::Server,
            Source::Agent,
            Source::Help,
            Source::Upstream,
        ]
        .map(source),
    );
}

/// A question's reply comes with its view (one trip): what serde writes in the worker reads back here
/// as the same `Reply`, the comparison's two products and the marked-up text included.
#[wasm_bindgen_test]
fn a_reply_with_its_view_reads_back_as_serde_wrote_it() {
    use super::worker::{Answer, Incoming, read};
    use assistant_core::answers::Suggestion;
    use assistant_core::protocol::{FromWorker, Reply, Span, TermNote, View};
    use assistant_core::routing::{Reason, Route};
    let reply = Reply {
        id: 41,
        route: Route::Answer,
        reason: Reason::Confident,
        intent: Some("product_fixed_deposit".into()),
        confidence: 0.5,
        top: vec![("product_fixed_deposit".into(), 0.5)],
        lang: Lang::ZhCn,
        answer: Some(NASTY.into()),
        suggestions: vec![Suggestion {
            intent: "card_lost".into(),
            text: NASTY.into(),
        }],
        infer_ms: 1.5,
        choices: vec![
            Suggestion {
                intent: "declined_transfer".into(),
                text: NASTY.into(),
            },
            Suggestion {
                intent: "declined_card_payment".into(),
                text: "卡被拒".into(),
            },
        ],
        also: Some(Suggestion {
            intent: "atm_support".into(),
            text: NASTY.into(),
        }),
        compare: Some(("product_a".into(), NASTY.into())),
        view: Some(Box::new(View::Text {
            paragraphs: vec![vec![
                Span {
                    text: NASTY.into(),
                    term: None,
                },
                Span {
                    text: "APR".into(),
                    term: Some(TermNote {
                        means: "APR means".into(),
                        explain: NASTY.into(),
                    }),
                },
            ]],
        })),
    };
    for reply in [
        reply.clone(),
        Reply {
            compare: None,
            view: None,
            intent: None,
            choices: Vec::new(),
            also: None,
            ..reply
        },
    ] {
        let json = serde_json::to_string(&FromWorker::Reply(reply.clone())).unwrap();
        let Some(Incoming::Answer(id, Answer::Reply(read_back))) = read(&json) else {
            panic!("not read as a reply: {json}");
        };
        assert_eq!((id, read_back), (reply.id, reply));
    }
}
