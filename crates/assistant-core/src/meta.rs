//! The model's metadata file (`intent-model.json`), shipped beside the ONNX file. The engine checks it
//! before trusting the model: right featuriser, right labels, right bytes. A model trained for another
//! featuriser would load fine in tract and then answer nonsense, so this check is what prevents silent
//! garbage after a partial deploy.

use crate::features::{FEATURISER_VERSION, FeaturiserConfig};
use crate::routing::Thresholds;
use crate::taxonomy::{self, OUT_OF_SCOPE};
use serde::{Deserialize, Serialize};

/// Current metadata format.
pub const META_FORMAT: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelMeta {
    pub format: u32,
    /// Human-readable version of this trained model, e.g. `2026-11-23.1`.
    pub model_version: String,
    /// Lower-case hex SHA-256 of the ONNX file.
    pub sha256: String,
    pub featuriser: FeaturiserConfig,
    /// Output classes, in the model's output order: the 98 intents and `out_of_scope`.
    pub labels: Vec<String>,
    pub thresholds: Thresholds,
    /// Softmax temperature baked into the graph (kept for the record).
    pub temperature: f32,
    /// How the model was trained and what it scored (free-form, for people).
    #[serde(default)]
    pub training: serde_json::Value,
}

/// Why metadata was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MetaError {
    #[error("model metadata is not valid JSON for this version: {0}")]
    Parse(String),
    #[error("model metadata format {found} is not supported (expected {expected})")]
    Format { found: u32, expected: u32 },
    #[error(
        "model was trained for featuriser '{model}', but this build has '{code}'; retrain the model"
    )]
    Featuriser { model: String, code: String },
    #[error("model labels do not match the intent taxonomy: {0}")]
    Labels(String),
    #[error("model thresholds must be probabilities between 0 and 1")]
    Thresholds,
}

impl ModelMeta {
    /// Parses and checks metadata against this build's featuriser and taxonomy.
    pub fn parse(json: &str) -> Result<Self, MetaError> {
        let meta: ModelMeta =
            serde_json::from_str(json).map_err(|e| MetaError::Parse(e.to_string()))?;
        meta.check()?;
        Ok(meta)
    }

    fn check(&self) -> Result<(), MetaError> {
        if self.format != META_FORMAT {
            return Err(MetaError::Format {
                found: self.format,
                expected: META_FORMAT,
            });
        }
        if self.featuriser.version != FEATURISER_VERSION {
            return Err(MetaError::Featuriser {
                model: self.featuriser.version.clone(),
                code: FEATURISER_VERSION.to_owned(),
            });
        }
        let mut seen = std::collections::HashSet::new();
        for l in &self.labels {
            if !seen.insert(l.as_str()) {
                return Err(MetaError::Labels(format!("'{l}' appears twice")));
            }
            if l != OUT_OF_SCOPE && !taxonomy::is_intent(l) {
                return Err(MetaError::Labels(format!("'{l}' is not in the taxonomy")));
            }
        }
        let missing: Vec<_> = taxonomy::intents()
            .chain([OUT_OF_SCOPE])
            .filter(|l| !seen.contains(l))
            .collect();
        if !missing.is_empty() {
            return Err(MetaError::Labels(format!("missing {}", missing.join(", "))));
        }
        let ok = |p: f32| (0.0..=1.0).contains(&p);
        if !ok(self.thresholds.answer) || !ok(self.thresholds.handoff) {
            return Err(MetaError::Thresholds);
        }
        Ok(())
    }
}
