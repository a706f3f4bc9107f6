//! The core compiled to wasm32 and run in Node (`wasm-bindgen-test-runner`): masking, normalisation and
//! the committed model give the same results in WebAssembly as natively. Native builds skip this file.
#![cfg(target_arch = "wasm32")]

use assistant_core::engine::IntentEngine;
use assistant_core::pii;
use assistant_core::routing::{Route, decide};
use wasm_bindgen_test::wasm_bindgen_test;

const MODEL: &[u8] = include_bytes!("../../../public/model/intent-model.onnx");
const META: &str = include_str!("../../../public/model/intent-model.json");

#[wasm_bindgen_test]
fn masking_works_in_wasm() {
    assert_eq!(
        pii::mask("卡号4111 1111 1111 1111").text,
        "卡号[card ••••1111]"
    );
}

#[wasm_bindgen_test]
fn committed_model_answers_in_wasm() {
    let engine = IntentEngine::load(MODEL, META).expect("committed model loads in wasm");
    for q in ["I lost my card", "我的银行卡丢了", "我的銀行卡不見了"] {
        let p = engine.predict(q).unwrap();
        assert_eq!(p.top().0, "lost_or_stolen_card", "{q}");
        assert_eq!(
            decide(&p.ranked, q, &engine.meta().thresholds).route,
            Route::Answer
        );
    }
    let p = engine.predict("what's the weather in Paris").unwrap();
    assert_eq!(
        decide(&p.ranked, "", &engine.meta().thresholds).route,
        Route::Server
    );
}
