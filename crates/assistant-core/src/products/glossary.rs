//! The glossary: financial terms (APR / 年化利率, principal / 本金, …) with a one-sentence plain
//! explanation in both languages, and [`Glossary::mark_terms`], which finds them in an answer or a
//! product card so the UI can make each one a small "what does this mean?" disclosure.
//!
//! Why data plus a pure marker: the bank edits the wording in `public/kb/glossary.toml`; the UI only
//! renders segments, so the matching rules (longest match, whole English words, no overlaps) are
//! tested once, here.

use super::catalogue::{CatalogueError, error};
use super::matcher::{PhraseMatcher, fold};
use crate::answers::Texts;
use crate::locale::Lang;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The fewest terms a glossary must have.
pub const MIN_TERMS: usize = 40;

/// All terms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Glossary {
    pub terms: Vec<Term>,
}

/// One term. The first form in each list is how the term is shown; the rest are synonyms and
/// abbreviations that are marked too ("APR", "annual percentage rate"; "年化利率", "年化").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Term {
    pub id: String,
    pub en: Vec<String>,
    pub zh: Vec<String>,
    /// One plain sentence.
    pub explain: Texts,
}

impl Term {
    /// How the term is shown in `lang`.
    pub fn display(&self, lang: Lang) -> &str {
        let forms = match lang {
            Lang::En => &self.en,
            Lang::ZhCn => &self.zh,
        };
        forms.first().map_or("", String::as_str)
    }
}

/// A piece of marked text: plain, or a glossary term (the original wording, and the term's id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Segment {
    Text { text: String },
    Term { text: String, id: String },
}

impl Glossary {
    /// Reads and validates `glossary.toml`.
    #[cfg(feature = "kb-source")]
    pub fn from_toml(text: &str) -> Result<Self, Vec<CatalogueError>> {
        let g = super::source::read_glossary(text)?;
        let errors = g.validate();
        if errors.is_empty() {
            Ok(g)
        } else {
            Err(errors)
        }
    }

    /// The term with this id.
    pub fn term(&self, id: &str) -> Option<&Term> {
        self.terms.iter().find(|t| t.id == id)
    }

    /// The one-sentence explanation of term `id` in `lang`.
    pub fn explain(&self, id: &str, lang: Lang) -> Option<&str> {
        self.term(id).map(|t| t.explain.get(lang))
    }

    /// Splits `text` into plain pieces and glossary terms. English text is matched against the
    /// English forms; Chinese text against the Chinese forms and the English ones (Chinese answers
    /// often say "APR" or "LPR"). Longest match wins, matches never overlap, English forms match
    /// whole words only and ignore case, and a plural "s" is included ("fees"). Joining the
    /// segments' texts gives back `text` exactly.
    pub fn mark_terms(&self, text: &str, lang: Lang) -> Vec<Segment> {
        let forms = self.terms.iter().flat_map(|t| {
            let zh = match lang {
                Lang::ZhCn => t.zh.as_slice(),
                Lang::En => &[],
            };
            t.en.iter()
                .chain(zh)
                .map(move |f| (f.clone(), t.id.clone()))
        });
        let matcher = PhraseMatcher::new(forms, true);
        let mut out = Vec::new();
        let mut at = 0;
        for m in matcher.find_all(text) {
            if m.start > at {
                out.push(Segment::Text {
                    text: text[at..m.start].to_owned(),
                });
            }
            out.push(Segment::Term {
                text: text[m.start..m.end].to_owned(),
                id: m.value,
            });
            at = m.end;
        }
        if at < text.len() {
            out.push(Segment::Text {
                text: text[at..].to_owned(),
            });
        }
        out
    }

    /// Every rule a glossary must follow; empty when it is fine.
    pub fn validate(&self) -> Vec<CatalogueError> {
        let mut errors = Vec::new();
        if self.terms.len() < MIN_TERMS {
            errors.push(error(
                "glossary",
                "term",
                format!("has {} terms, needs at least {MIN_TERMS}", self.terms.len()),
            ));
        }
        let mut ids = BTreeMap::new();
        let mut forms: BTreeMap<String, String> = BTreeMap::new();
        for t in &self.terms {
            let item = format!("term '{}'", t.id);
            if t.id.is_empty() || !t.id.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
                errors.push(error(&item, "id", "must be lower-case letters and _"));
            }
            if ids.insert(t.id.clone(), ()).is_some() {
                errors.push(error(&item, "id", "appears more than once"));
            }
            for (lang, list) in [("en", &t.en), ("zh", &t.zh)] {
                if list.is_empty() {
                    errors.push(error(&item, lang, "is missing or empty"));
                }
                for f in list {
                    let key = fold(f.trim());
                    if key.is_empty() {
                        errors.push(error(&item, lang, "has an empty form"));
                    } else if let Some(other) = forms.insert(key, t.id.clone()) {
                        errors.push(error(
                            &item,
                            lang,
                            format!("'{f}' is also a form of '{other}'"),
                        ));
                    }
                }
            }
            for (lang, s) in [("en", &t.explain.en), ("zh", &t.explain.zh)] {
                let field = format!("explain.{lang}");
                if s.trim().is_empty() {
                    errors.push(error(&item, &field, "is missing or empty"));
                } else if super::readability::sentences(s).len() != 1 {
                    errors.push(error(&item, &field, "must be exactly one sentence"));
                }
            }
        }
        errors
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g() -> Glossary {
        let t = |id: &str, en: &[&str], zh: &[&str]| Term {
            id: id.into(),
            en: en.iter().map(|s| s.to_string()).collect(),
            zh: zh.iter().map(|s| s.to_string()).collect(),
            explain: Texts {
                en: format!("{id} explained."),
                zh: format!("{id}的解释。"),
            },
        };
        Glossary {
            terms: vec![
                t(
                    "apr",
                    &["APR", "annual percentage rate"],
                    &["年化利率", "年化"],
                ),
                t("interest", &["interest"], &["利息"]),
                t("interest_rate", &["interest rate"], &["利率"]),
                t("fee", &["fee"], &["手续费"]),
            ],
        }
    }

    fn terms(segs: &[Segment]) -> Vec<(&str, &str)> {
        segs.iter()
            .filter_map(|s| match s {
                Segment::Term { text, id } => Some((text.as_str(), id.as_str())),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn marks_terms_longest_first_whole_words() {
        let text =
            "The apr is 5%. Interest rates and fees vary; APRIL is not a term, nor is interesting.";
        let segs = g().mark_terms(text, Lang::En);
        assert_eq!(
            terms(&segs),
            [
                ("apr", "apr"),
                ("Interest rates", "interest_rate"),
                ("fees", "fee")
            ]
        );
        let joined: String = segs
            .iter()
            .map(|s| match s {
                Segment::Text { text } | Segment::Term { text, .. } => text.as_str(),
            })
            .collect();
        assert_eq!(joined, text, "segments give back the text exactly");
    }

    #[test]
    fn marks_chinese_terms_and_english_abbreviations_in_chinese() {
        let segs = g().mark_terms("年化利率（APR）就是年化的利率，利息另算。", Lang::ZhCn);
        assert_eq!(
            terms(&segs),
            [
                ("年化利率", "apr"),
                ("APR", "apr"),
                ("年化", "apr"),
                ("利率", "interest_rate"),
                ("利息", "interest")
            ]
        );
        // English text is not searched for Chinese forms, and plain text stays one segment.
        assert_eq!(
            g().mark_terms("nothing here", Lang::En),
            [Segment::Text {
                text: "nothing here".into()
            }]
        );
    }

    #[test]
    fn validation_names_the_term() {
        let mut gl = g();
        gl.terms[1].zh.clear();
        gl.terms[2].explain.en = "One. Two.".into();
        gl.terms[3].en.push("APR".into());
        let msgs: Vec<String> = gl.validate().iter().map(ToString::to_string).collect();
        assert!(msgs.contains(&"glossary: term: has 4 terms, needs at least 40".to_string()));
        assert!(msgs.contains(&"term 'interest': zh: is missing or empty".to_string()));
        assert!(msgs.contains(
            &"term 'interest_rate': explain.en: must be exactly one sentence".to_string()
        ));
        assert!(msgs.contains(&"term 'fee': en: 'APR' is also a form of 'apr'".to_string()));
    }
}
