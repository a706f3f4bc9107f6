//! The knowledge base's source files (`public/kb/intents/*.toml`, `public/kb/out_of_scope.toml`):
//! parsing and validation. Every mistake names the file, the intent and the field, because the people
//! who edit these files are content writers, not Rust programmers. The core does no I/O: callers read the
//! files and pass their names and contents.

use crate::answers::{AnswerBundle, IntentAnswer, Texts};
use crate::normalize::Normalizer;
use crate::taxonomy;
use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};

/// Minimum training phrases per intent and language.
pub const MIN_PHRASES: usize = 25;
/// Minimum phrases per intent written in traditional characters.
pub const MIN_TRADITIONAL: usize = 2;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct IntentFile {
    #[serde(default)]
    intent: Vec<IntentEntry>,
}

/// One intent as written in a source file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntentEntry {
    pub label: String,
    #[serde(default)]
    pub related: Vec<String>,
    pub answer: Texts,
    #[serde(default)]
    pub short: Option<Texts>,
    pub suggestion: Texts,
    pub phrases: Phrases,
}

/// Training phrases written by us.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Phrases {
    #[serde(default)]
    pub zh: Vec<String>,
    #[serde(default)]
    pub en: Vec<String>,
    /// More Chinese phrases, used for training only. The Chinese test part (held out to report the
    /// model's accuracy) is drawn from `zh` alone, so phrases added here do not redraw it and the
    /// reported figures stay comparable between models.
    #[serde(default)]
    pub zh_train: Vec<String>,
}

impl Phrases {
    /// Every Chinese phrase: `zh`, then `zh_train`.
    pub fn all_zh(&self) -> impl Iterator<Item = &String> {
        self.zh.iter().chain(&self.zh_train)
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct OutOfScopeFile {
    out_of_scope: Phrases,
}

/// A validated knowledge base.
#[derive(Debug, Clone)]
pub struct KnowledgeBase {
    /// Intents in taxonomy order.
    pub intents: Vec<IntentEntry>,
    pub out_of_scope: Phrases,
}

/// A mistake in a knowledge-base file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {}{field}: {message}", intent.as_ref().map(|i| format!("intent '{i}': ")).unwrap_or_default())]
pub struct KbError {
    pub file: String,
    pub intent: Option<String>,
    pub field: String,
    pub message: String,
}

fn err(file: &str, intent: Option<&str>, field: &str, message: impl Into<String>) -> KbError {
    KbError {
        file: file.into(),
        intent: intent.map(Into::into),
        field: field.into(),
        message: message.into(),
    }
}

impl KnowledgeBase {
    /// Parses and validates the intent files and the out-of-scope file. Returns every mistake found,
    /// not just the first, so a writer can fix them in one go.
    pub fn from_sources(
        intent_files: &[(String, String)],
        out_of_scope: (&str, &str),
    ) -> Result<Self, Vec<KbError>> {
        let normalizer = Normalizer::new();
        let mut errors = Vec::new();
        let mut by_label: BTreeMap<String, (String, IntentEntry)> = BTreeMap::new();
        for (name, text) in intent_files {
            let parsed: IntentFile = match toml::from_str(text) {
                Ok(p) => p,
                Err(e) => {
                    errors.push(err(name, None, "toml", e.to_string().trim().to_owned()));
                    continue;
                }
            };
            for entry in parsed.intent {
                check_entry(name, &entry, &normalizer, &mut errors);
                if let Some((other, _)) = by_label.get(&entry.label) {
                    errors.push(err(
                        name,
                        Some(&entry.label),
                        "label",
                        format!("already defined in {other}"),
                    ));
                } else {
                    by_label.insert(entry.label.clone(), (name.clone(), entry));
                }
            }
        }
        for label in taxonomy::intents() {
            if !by_label.contains_key(label) {
                errors.push(err(
                    "public/kb/intents",
                    Some(label),
                    "label",
                    "no file defines this intent",
                ));
            }
        }
        for (file, entry) in by_label.values() {
            for r in &entry.related {
                if !taxonomy::is_intent(r) || r == &entry.label {
                    errors.push(err(
                        file,
                        Some(&entry.label),
                        "related",
                        format!("'{r}' is not another intent"),
                    ));
                }
            }
        }
        let oos = match toml::from_str::<OutOfScopeFile>(out_of_scope.1) {
            Ok(f) => {
                if f.out_of_scope.zh.len() < 100 || f.out_of_scope.en.is_empty() {
                    errors.push(err(
                        out_of_scope.0,
                        None,
                        "out_of_scope",
                        "needs at least 100 zh and some en phrases",
                    ));
                }
                f.out_of_scope
            }
            Err(e) => {
                errors.push(err(
                    out_of_scope.0,
                    None,
                    "toml",
                    e.to_string().trim().to_owned(),
                ));
                Phrases::default()
            }
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        let mut entries: BTreeMap<String, IntentEntry> =
            by_label.into_iter().map(|(k, (_, e))| (k, e)).collect();
        let intents = taxonomy::intents()
            .filter_map(|l| entries.remove(l))
            .collect();
        Ok(Self {
            intents,
            out_of_scope: oos,
        })
    }

    /// The browser's answers bundle.
    pub fn answer_bundle(&self) -> AnswerBundle {
        let intents = self
            .intents
            .iter()
            .map(|e| {
                let a = IntentAnswer {
                    answer: trimmed(&e.answer),
                    short: e.short.as_ref().map(trimmed),
                    suggestion: trimmed(&e.suggestion),
                    related: e.related.clone(),
                };
                (e.label.clone(), a)
            })
            .collect();
        AnswerBundle { format: 1, intents }
    }
}

fn trimmed(t: &Texts) -> Texts {
    Texts {
        en: t.en.trim().to_owned(),
        zh: t.zh.trim().to_owned(),
    }
}

fn check_entry(file: &str, e: &IntentEntry, normalizer: &Normalizer, errors: &mut Vec<KbError>) {
    let label = Some(e.label.as_str());
    if !taxonomy::is_intent(&e.label) {
        errors.push(err(
            file,
            label,
            "label",
            "not in the intent taxonomy (see ARCHITECTURE.md)",
        ));
    }
    let texts = [
        ("answer", Some(&e.answer)),
        ("short", e.short.as_ref()),
        ("suggestion", Some(&e.suggestion)),
    ];
    for (field, t) in texts {
        if let Some(t) = t {
            for (lang, s) in [("en", &t.en), ("zh", &t.zh)] {
                if s.trim().is_empty() {
                    errors.push(err(file, label, &format!("{field}.{lang}"), "is empty"));
                }
            }
        }
    }
    let check_list = |lang: &str, list: &[String], required: bool, errors: &mut Vec<KbError>| {
        let field = format!("phrases.{lang}");
        if required && list.len() < MIN_PHRASES {
            errors.push(err(
                file,
                label,
                &field,
                format!("has {} phrases, needs at least {MIN_PHRASES}", list.len()),
            ));
        }
        let mut seen = HashSet::new();
        for p in list {
            if p.trim().is_empty() {
                errors.push(err(file, label, &field, "contains an empty phrase"));
            } else if !seen.insert(normalizer.normalize(p)) {
                errors.push(err(file, label, &field, format!("'{p}' appears twice")));
            }
        }
    };
    check_list("zh", &e.phrases.zh, true, errors);
    check_list("zh_train", &e.phrases.zh_train, false, errors);
    // A training-only phrase that repeats a `zh` phrase could be one of the held-out test phrases.
    let zh: HashSet<String> = e
        .phrases
        .zh
        .iter()
        .map(|p| normalizer.normalize(p))
        .collect();
    for p in &e.phrases.zh_train {
        if zh.contains(&normalizer.normalize(p)) {
            errors.push(err(
                file,
                label,
                "phrases.zh_train",
                format!("'{p}' is already in phrases.zh"),
            ));
        }
    }
    check_list(
        "en",
        &e.phrases.en,
        !taxonomy::is_banking77(&e.label),
        errors,
    );
    let traditional = e
        .phrases
        .zh
        .iter()
        .filter(|p| normalizer.normalize(p) != p.to_lowercase().trim())
        .count();
    if traditional < MIN_TRADITIONAL {
        errors.push(err(
            file,
            label,
            "phrases.zh",
            format!("needs at least {MIN_TRADITIONAL} phrases in traditional characters"),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(label: &str, zh: usize) -> String {
        let phrases: Vec<String> = (0..zh).map(|i| format!("\"我的卡丢了{i}\"")).collect();
        format!(
            "[[intent]]\nlabel = \"{label}\"\n[intent.answer]\nen = \"a\"\nzh = \"b\"\n[intent.suggestion]\nen = \"c\"\nzh = \"d\"\n[intent.phrases]\nzh = [{}, \"銀行卡丟了\", \"帳戶凍結\"]\n",
            phrases.join(", ")
        )
    }

    const OOS: &str = "[out_of_scope]\nzh = []\nen = []\n";

    #[test]
    fn errors_name_file_intent_and_field() {
        let files = vec![("cards.toml".to_owned(), one("lost_or_stolen_card", 3))];
        let errs = KnowledgeBase::from_sources(&files, ("oos.toml", OOS)).unwrap_err();
        let msg: Vec<String> = errs.iter().map(ToString::to_string).collect();
        assert!(msg.iter().any(|m| m == "cards.toml: intent 'lost_or_stolen_card': phrases.zh: has 5 phrases, needs at least 25"), "{msg:?}");
        assert!(
            msg.iter()
                .any(|m| m.contains("intent 'card_arrival': label: no file defines this intent"))
        );
        assert!(msg.iter().any(|m| m.starts_with("oos.toml: out_of_scope")));
    }

    #[test]
    fn typos_in_field_names_are_reported_with_location() {
        let bad = one("card_arrival", 30).replace("[intent.answer]", "[intent.anwser]");
        let errs = KnowledgeBase::from_sources(&[("x.toml".to_owned(), bad)], ("oos.toml", OOS))
            .unwrap_err();
        assert!(
            errs[0].to_string().starts_with("x.toml: toml:"),
            "{}",
            errs[0]
        );
        assert!(errs[0].to_string().contains("anwser"));
    }

    #[test]
    fn training_only_phrases_must_not_repeat_zh_phrases() {
        let with_extra = |extra: &str| {
            one("card_arrival", 30).replace(
                "[intent.phrases]\n",
                &format!("[intent.phrases]\nzh_train = [\"卡到哪了\", {extra}]\n"),
            )
        };
        let errs = KnowledgeBase::from_sources(
            &[("x.toml".to_owned(), with_extra("\"我的卡丢了7 \""))],
            ("oos.toml", OOS),
        )
        .unwrap_err();
        let msg: Vec<String> = errs.iter().map(ToString::to_string).collect();
        assert!(msg.contains(&"x.toml: intent 'card_arrival': phrases.zh_train: '我的卡丢了7 ' is already in phrases.zh".to_owned()), "{msg:?}");
        let errs = KnowledgeBase::from_sources(
            &[("x.toml".to_owned(), with_extra("\"卡到哪了\""))],
            ("oos.toml", OOS),
        )
        .unwrap_err();
        let msg: Vec<String> = errs.iter().map(ToString::to_string).collect();
        assert!(
            msg.iter().any(|m| m
                == "x.toml: intent 'card_arrival': phrases.zh_train: '卡到哪了' appears twice"),
            "{msg:?}"
        );
    }

    #[test]
    fn unknown_labels_and_duplicates_are_errors() {
        let files = vec![
            ("a.toml".to_owned(), one("card_arival", 30)),
            ("b.toml".to_owned(), one("card_arrival", 30)),
            ("c.toml".to_owned(), one("card_arrival", 30)),
        ];
        let errs = KnowledgeBase::from_sources(&files, ("oos.toml", OOS)).unwrap_err();
        let msg: Vec<String> = errs.iter().map(ToString::to_string).collect();
        assert!(
            msg.iter()
                .any(|m| m.contains("'card_arival': label: not in the intent taxonomy"))
        );
        assert!(
            msg.iter()
                .any(|m| m == "c.toml: intent 'card_arrival': label: already defined in b.toml")
        );
    }
}
