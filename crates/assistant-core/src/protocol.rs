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
}
