//! Native benchmark of the committed model: load + optimise, and one question end to end (mask,
//! normalise, featurise, run, rank). `cargo bench -p assistant-cli` (or `cargo xtask bench`).

use assistant_core::engine::IntentEngine;
use assistant_core::pii;
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

const MODEL: &[u8] = include_bytes!("../../../public/model/intent-model.onnx");
const META: &str = include_str!("../../../public/model/intent-model.json");

fn bench(c: &mut Criterion) {
    c.bench_function("load_and_optimise", |b| {
        b.iter(|| IntentEngine::load(black_box(MODEL), META).unwrap())
    });
    let engine = IntentEngine::load(MODEL, META).unwrap();
    for (name, q) in [
        (
            "classify_en",
            "I still haven't received my new card, it's been two weeks",
        ),
        (
            "classify_zh",
            "我的银行卡丢了怎么办，卡号4111 1111 1111 1111",
        ),
    ] {
        c.bench_function(name, |b| {
            b.iter(|| engine.predict(&pii::mask(black_box(q)).text).unwrap())
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
