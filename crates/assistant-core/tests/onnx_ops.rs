//! The trimmed ONNX operator registry (`onnx_ops`) against tract-onnx's full one: it must cover every
//! operator of the committed model and give bit-identical probabilities, or the worker's smaller wasm
//! would answer differently from the CLI, the server and training's parity check.

use assistant_core::engine::IntentEngine;
use assistant_core::onnx_ops::{self, SUPPORTED};
use tract_onnx::prelude::*;

const MODEL: &[u8] = include_bytes!("../../../public/model/intent-model.onnx");
const META: &str = include_str!("../../../public/model/intent-model.json");

#[test]
fn every_operator_of_the_committed_model_is_registered() {
    let proto = onnx_ops::onnx()
        .proto_model_for_read(&mut std::io::Cursor::new(MODEL))
        .unwrap();
    let graph = proto.graph.expect("model has a graph");
    assert!(!graph.node.is_empty());
    let missing: Vec<_> = graph
        .node
        .iter()
        .map(|n| n.op_type.as_str())
        .filter(|op| !SUPPORTED.contains(op))
        .collect();
    assert!(
        missing.is_empty(),
        "add these operators to onnx_ops::onnx(): {missing:?}"
    );
}

#[test]
fn same_probabilities_as_tract_onnx_full_registry() {
    let engine = IntentEngine::load(MODEL, META).unwrap();
    let full = tract_onnx::onnx()
        .model_for_read(&mut std::io::Cursor::new(MODEL))
        .unwrap()
        .into_optimized()
        .unwrap()
        .into_runnable()
        .unwrap();
    for text in [
        "I lost my card",
        "my card payment was declined twice",
        "how do I top up with Apple Pay?",
        "我的銀行卡不見了",
        "转账失败怎么办",
        "what's the weather in Paris",
        "!!!",
    ] {
        let f = engine.features(text);
        let (ids, weights) = if f.ids.is_empty() {
            (vec![0], vec![0.0])
        } else {
            (f.ids, f.weights)
        };
        let n = ids.len();
        let out = full
            .run(tvec![
                Tensor::from_shape(&[1, n], &ids).unwrap().into(),
                Tensor::from_shape(&[1, n], &weights).unwrap().into(),
            ])
            .unwrap();
        let probs = out[0].to_plain_array_view::<f32>().unwrap();
        let mut expected: Vec<(String, f32)> = engine
            .meta()
            .labels
            .iter()
            .cloned()
            .zip(probs.iter().copied())
            .collect();
        expected.sort_by(|a, b| b.1.total_cmp(&a.1));
        assert_eq!(engine.predict(text).unwrap().ranked, expected, "{text}");
    }
}

#[test]
fn an_unregistered_operator_is_a_typed_error() {
    // Drop `Softmax` from the registry: the committed model must then fail to load, not panic.
    let mut onnx = onnx_ops::onnx();
    onnx.op_register.0.remove("Softmax");
    let Err(err) = onnx
        .model_for_read(&mut std::io::Cursor::new(MODEL))
        .and_then(|m| m.into_optimized())
    else {
        panic!("a model with an unknown operator must be refused");
    };
    assert!(format!("{err:#}").contains("Softmax"), "{err:#}");
}
