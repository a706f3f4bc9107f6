//! The cost of each part of one `POST /v1/chat` (issue #18), so the next optimisation has a target:
//! masking (`assistant_core::pii::mask`), normalising (`retrieval::Index::normalize`), retrieval
//! (`retrieval::Index::search` on the committed `public/kb`), encoding the reply JSON, and storing it
//! (`db::Store::insert_reply`, SQLite in a temporary file; PostgreSQL too when `BENCH_DATABASE_URL` names
//! one, as `cargo xtask bench` does with a throwaway cluster). Only public functions are called, in the
//! order `chat::respond` calls them. Also the browser model's featuriser (`model_featurise`), which is no
//! server part: bench-runtime.mjs's comparison with onnxruntime-web needs its native cost.
//!
//! `cargo bench -p assistant-server --bench parts` (or `cargo xtask bench --server`).

use assistant_core::answers::Suggestion;
use assistant_core::api::{ChatRequest, ChatResponse, Source, TextSize};
use assistant_core::features::{FeaturiserConfig, featurise};
use assistant_core::locale::Lang;
use assistant_core::normalize::Normalizer;
use assistant_core::pii;
use assistant_server::config::Config;
use assistant_server::db::Store;
use assistant_server::retrieval::{Index, Weights};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

/// The questions of `bench/chat.lua` (the wrk load), English and Chinese, answerable and not, one with a
/// card number to mask.
const QUESTIONS: &[&str] = &[
    "I lost my card",
    "我的卡丢了怎么办",
    "how do I top up by bank transfer",
    "定期存款利率多少",
    "why was my transfer declined",
    "what is the weather in paris tomorrow",
    "我的銀行卡不見了",
    "can I get a mortgage",
    "how much is bitcoin",
    "我想换一张新卡",
    "my card 4111 1111 1111 1111 was stolen, call me on 07700 900123",
];

fn index() -> Index {
    let kb = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../public/kb");
    Index::load(&kb).expect("public/kb loads")
}

fn reply(intent: Option<String>) -> ChatResponse {
    ChatResponse {
        message_id: "m-1234-5678-bench".into(),
        text: "If your card is lost or stolen, freeze it at once in the app (Cards → Freeze), then order a \
               replacement. Frozen cards cannot be used for payments or cash withdrawals; you can unfreeze \
               it if you find it. If you see payments you do not recognise, tell us straight away."
            .into(),
        source: Source::Kb,
        intent,
        lang: Lang::En,
        suggestions: vec![
            Suggestion {
                intent: "card_arrival".into(),
                text: "When will my new card arrive?".into(),
            },
            Suggestion {
                intent: "activate_my_card".into(),
                text: "How do I activate my card?".into(),
            },
        ],
        offer_handoff: false,
        article: None,
    }
}

fn bench(c: &mut Criterion) {
    let index = index();
    let masked: Vec<String> = QUESTIONS.iter().map(|q| pii::mask(q).text).collect();
    let normalized: Vec<String> = masked.iter().map(|m| index.normalize(m)).collect();
    let chat = Config::default().chat;
    let weights = Weights {
        client: chat.client_weight,
        similarity: chat.similarity_weight,
        article: chat.article_bonus,
    };
    let mut g = c.benchmark_group("chat_parts");
    // Each figure is for all 11 questions: divide by 11 for one request.
    g.bench_function("mask_x11", |b| {
        b.iter(|| {
            for q in QUESTIONS {
                black_box(pii::mask(black_box(q)));
            }
        })
    });
    g.bench_function("normalize_x11", |b| {
        b.iter(|| {
            for m in &masked {
                black_box(index.normalize(black_box(m)));
            }
        })
    });
    g.bench_function("retrieval_search_x11", |b| {
        b.iter(|| {
            for n in &normalized {
                black_box(index.search(black_box(n), &[], weights, 4));
            }
        })
    });
    // Not a server part: the browser model's featuriser (normalise + hashed n-grams), natively, for the
    // tract-against-onnxruntime-web comparison (bench-runtime.mjs), where our worker's time includes it.
    let normalizer = Normalizer::new();
    let cfg = FeaturiserConfig::default();
    g.bench_function("model_featurise_x11", |b| {
        b.iter(|| {
            for m in &masked {
                black_box(featurise(&normalizer.normalize(black_box(m)), &cfg));
            }
        })
    });
    let intent = index
        .search(&normalized[0], &[], weights, 4)
        .first()
        .and_then(|h| h.intent().map(str::to_owned));
    let resp = reply(intent);
    g.bench_function("json_encode_x11", |b| {
        b.iter(|| {
            for _ in QUESTIONS {
                black_box(serde_json::to_string(black_box(&resp)).unwrap());
            }
        })
    });
    g.bench_function("mask_normalize_search_encode_x11", |b| {
        b.iter(|| {
            for q in QUESTIONS {
                let m = pii::mask(q).text;
                let n = index.normalize(&m);
                black_box(index.search(&n, &[], weights, 4));
                black_box(serde_json::to_string(&resp).unwrap());
            }
        })
    });
    // The whole answer as `/v1/chat` builds it (retrieval, the margin and scam rules, the quoted
    // article's best section), without storage.
    g.bench_function("chat_answer_x11", |b| {
        b.iter(|| {
            for (q, m) in QUESTIONS.iter().zip(&masked) {
                let req = ChatRequest {
                    conversation_id: "bench-conversation".into(),
                    message_id: "m-1234-5678-bench".into(),
                    text: (*q).to_owned(),
                    locale: Lang::En,
                    client_intents: Vec::new(),
                    text_size: TextSize::Normal,
                    recent: Vec::new(),
                    chosen: None,
                };
                black_box(assistant_server::chat::answer(
                    &index,
                    &chat,
                    &req,
                    m,
                    &index.normalize(m),
                ));
            }
        })
    });
    g.finish();

    // Storage: one insert per iteration (each a new message, as wrk's load sends).
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let json = serde_json::to_string(&resp).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut stores = vec![(
        "sqlite",
        format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("bench.db").display()
        ),
    )];
    if let Ok(url) = std::env::var("BENCH_DATABASE_URL") {
        stores.push(("postgres", url));
    }
    let n = AtomicU64::new(0);
    let mut g = c.benchmark_group("chat_storage");
    for (name, url) in stores {
        let store = rt.block_on(Store::connect(&url)).expect("store connects");
        g.bench_function(format!("insert_reply_{name}"), |b| {
            b.iter_batched(
                || format!("m-{}-bench", n.fetch_add(1, Ordering::Relaxed)),
                |id| {
                    rt.block_on(store.insert_reply(
                        "bench-conversation",
                        &id,
                        &masked[0],
                        &normalized[0],
                        &json,
                        "kb",
                        resp.intent.as_deref(),
                        true,
                    ))
                    .unwrap()
                },
                BatchSize::SmallInput,
            )
        });
        rt.block_on(store.close());
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
