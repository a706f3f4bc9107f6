//! The intent engine: the ONNX model run with tract-onnx, plus the checks that make a wrong model a typed
//! error instead of wrong answers.
//!
//! The graph (see `training/export.py`) takes padded feature ids and weights, so it needs no ONNX `Loop`:
//! `weights × Gather(idf) → L2-normalise → Gather(int8 table) → Cast → ×weights → ReduceSum → ×scale → +b1
//! → Relu → MatMul → +b2 → /T → Softmax` (TF-IDF happens in the graph, so the featuriser stays simple).
//! The same code runs natively (CLI, server, benchmarks) and in the browser's Web Worker.

use crate::features::{Features, featurise};
use crate::meta::{MetaError, ModelMeta};
use crate::normalize::Normalizer;
use sha2::{Digest, Sha256};
use tract_onnx::prelude::*;

/// Why a model could not be loaded or run.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error(transparent)]
    Meta(#[from] MetaError),
    #[error(
        "model file does not match its metadata (sha256 {actual}, expected {expected}); deploy both files together"
    )]
    Hash { expected: String, actual: String },
    #[error("model file is not a usable ONNX model: {0}")]
    Onnx(String),
    #[error("model outputs {got} classes but its metadata lists {expected} labels")]
    Outputs { expected: usize, got: String },
    #[error("model could not score the question: {0}")]
    Inference(String),
}

type Plan = TypedRunnableModel;

/// A loaded, checked, optimised intent model.
pub struct IntentEngine {
    plan: Arc<Plan>,
    meta: ModelMeta,
    normalizer: Normalizer,
}

/// Intents ranked by probability, highest first.
#[derive(Debug, Clone, PartialEq)]
pub struct Prediction {
    pub ranked: Vec<(String, f32)>,
}

impl Prediction {
    pub fn top(&self) -> (&str, f32) {
        self.ranked
            .first()
            .map_or(("", 0.0), |(l, p)| (l.as_str(), *p))
    }
}

/// Lower-case hex SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl IntentEngine {
    /// Loads the ONNX bytes and their metadata JSON, checking hash, featuriser, labels and output shape.
    pub fn load(onnx: &[u8], meta_json: &str) -> Result<Self, ModelError> {
        let meta = ModelMeta::parse(meta_json)?;
        let actual = sha256_hex(onnx);
        if actual != meta.sha256 {
            return Err(ModelError::Hash {
                expected: meta.sha256.clone(),
                actual,
            });
        }
        let onnx_err = |e: TractError| ModelError::Onnx(format!("{e:#}"));
        let model = crate::onnx_ops::onnx()
            .model_for_read(&mut std::io::Cursor::new(onnx))
            .map_err(onnx_err)?
            .into_optimized()
            .map_err(onnx_err)?;
        let out = model.output_fact(0).map_err(onnx_err)?;
        let classes = out
            .shape
            .last()
            .and_then(|d| d.to_i64().ok())
            .and_then(|n| usize::try_from(n).ok());
        if classes != Some(meta.labels.len()) {
            return Err(ModelError::Outputs {
                expected: meta.labels.len(),
                got: format!("{:?}", out.shape),
            });
        }
        let plan = model.into_runnable().map_err(onnx_err)?;
        Ok(Self {
            plan,
            meta,
            normalizer: Normalizer::new(),
        })
    }

    pub fn meta(&self) -> &ModelMeta {
        &self.meta
    }

    /// `text` as the model reads it: NFKC, simplified Chinese, lower case (`normalize`).
    pub fn normalize(&self, text: &str) -> String {
        self.normalizer.normalize(text)
    }

    /// The features the model sees for `text` (normalised, then featurised).
    pub fn features(&self, text: &str) -> Features {
        featurise(&self.normalizer.normalize(text), &self.meta.featuriser)
    }

    /// Scores `text` against every label.
    pub fn predict(&self, text: &str) -> Result<Prediction, ModelError> {
        let mut f = self.features(text);
        if f.ids.is_empty() {
            // No letters or digits at all: one zero-weight feature gives the model's prior.
            f = Features {
                ids: vec![0],
                weights: vec![0.0],
            };
        }
        let probs = self.run(&f)?;
        let mut ranked: Vec<(String, f32)> = self.meta.labels.iter().cloned().zip(probs).collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
        Ok(Prediction { ranked })
    }

    fn run(&self, f: &Features) -> Result<Vec<f32>, ModelError> {
        let err = |e: TractError| ModelError::Inference(format!("{e:#}"));
        let n = f.ids.len();
        let ids = Tensor::from_shape(&[1, n], &f.ids).map_err(err)?;
        let weights = Tensor::from_shape(&[1, n], &f.weights).map_err(err)?;
        let out = self
            .plan
            .run(tvec![ids.into(), weights.into()])
            .map_err(err)?;
        let probs = out[0].to_plain_array_view::<f32>().map_err(err)?;
        Ok(probs.iter().copied().collect())
    }
}
