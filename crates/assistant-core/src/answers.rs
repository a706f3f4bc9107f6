//! The answers bundle (`public/kb/answers.json`): the part of the knowledge base the browser downloads.
//! Training phrases stay out of it; they are only needed to train. Built from the TOML sources by
//! `cargo xtask kb` (see `kb`).

use crate::locale::Lang;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The same text in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Texts {
    pub en: String,
    pub zh: String,
}

impl Texts {
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::ZhCn => &self.zh,
        }
    }
}

/// What the assistant says for one intent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntentAnswer {
    pub answer: Texts,
    /// Simpler wording for large-text (elder) mode, where the knowledge base offers it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub short: Option<Texts>,
    /// The question as a suggestion chip.
    pub suggestion: Texts,
    /// Natural follow-up intents.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<String>,
}

/// All answers, by intent label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerBundle {
    pub format: u32,
    pub intents: BTreeMap<String, IntentAnswer>,
}

/// A suggestion chip: what it says, and the intent it asks about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suggestion {
    pub intent: String,
    pub text: String,
}

impl AnswerBundle {
    pub fn parse(json: &str) -> Result<Self, String> {
        serde_json::from_str(json).map_err(|e| format!("answers file is not valid: {e}"))
    }

    /// The answer text for `intent` in `lang` (the simpler one when `simple` and one exists).
    pub fn answer(&self, intent: &str, lang: Lang, simple: bool) -> Option<&str> {
        let a = self.intents.get(intent)?;
        let texts = if simple {
            a.short.as_ref().unwrap_or(&a.answer)
        } else {
            &a.answer
        };
        Some(texts.get(lang))
    }

    /// `intent` as a chip: its suggestion text in `lang`.
    pub fn chip(&self, intent: &str, lang: Lang) -> Option<Suggestion> {
        let s = self.intents.get(intent)?;
        Some(Suggestion {
            intent: intent.to_owned(),
            text: s.suggestion.get(lang).to_owned(),
        })
    }

    /// Follow-up suggestions for `intent` in `lang`, at most `max`.
    pub fn suggestions(&self, intent: &str, lang: Lang, max: usize) -> Vec<Suggestion> {
        let Some(a) = self.intents.get(intent) else {
            return Vec::new();
        };
        a.related
            .iter()
            .filter_map(|r| self.chip(r, lang))
            .take(max)
            .collect()
    }
}
