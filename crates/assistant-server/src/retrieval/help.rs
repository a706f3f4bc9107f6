//! The help centre (`public/kb/help/*.toml`, format in its README): articles the server searches for
//! questions the browser's intents do not cover (children's accounts, SWIFT codes, bereavement…).
//! Only the server reads it; the browser never downloads it, so it can grow without costing a
//! customer's first load.
//!
//! An answer quotes an article: its short answer, then the one section that best matches what was
//! asked ("how much does a standing order cost?" quotes the fees section), and links the article.

use assistant_core::answers::Texts;
use assistant_core::locale::Lang;
use serde::Deserialize;
use std::path::Path;

/// The ways customers ask for an article, per language (searched, never shown).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Asks {
    #[serde(default)]
    pub en: Vec<String>,
    #[serde(default)]
    pub zh: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Section {
    pub heading: Texts,
    pub text: Texts,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Article {
    pub id: String,
    pub topic: String,
    pub title: Texts,
    pub answer: Texts,
    #[serde(default)]
    pub asks: Asks,
    #[serde(default, rename = "section")]
    pub sections: Vec<Section>,
}

impl Article {
    /// Everything searched for this article, in both languages. The title is there twice: it names
    /// the topic in the bank's own words, the strongest evidence an article has.
    pub fn searchable(&self) -> String {
        let mut text = String::new();
        for t in [&self.title, &self.title, &self.answer] {
            for s in [&t.en, &t.zh] {
                text.push_str(s);
                text.push('\n');
            }
        }
        for a in self.asks.en.iter().chain(&self.asks.zh) {
            text.push_str(a);
            text.push('\n');
        }
        for s in &self.sections {
            for t in [&s.heading, &s.text] {
                text.push_str(&t.en);
                text.push('\n');
                text.push_str(&t.zh);
                text.push('\n');
            }
        }
        text
    }

    /// A section's searchable text (heading and text, both languages).
    pub fn section_text(&self, i: usize) -> String {
        let s = &self.sections[i];
        format!(
            "{}\n{}\n{}\n{}",
            s.heading.en, s.text.en, s.heading.zh, s.text.zh
        )
    }

    /// The customer-facing quote: the article's answer, then section `best` when one matched.
    pub fn quote(&self, lang: Lang, best: Option<usize>) -> String {
        let (lead, colon) = match lang {
            Lang::En => ("From our help centre: ", ": "),
            Lang::ZhCn => ("帮助中心：", "："),
        };
        let mut text = format!("{lead}{}", self.answer.get(lang));
        if let Some(s) = best.and_then(|i| self.sections.get(i)) {
            text.push_str("\n\n");
            text.push_str(s.heading.get(lang));
            text.push_str(colon);
            text.push_str(s.text.get(lang));
        }
        text
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    article: Vec<Article>,
}

/// Reads every `*.toml` in `dir` (sorted by name). A missing folder is an empty help centre (a bank
/// may run without one); a malformed file or a repeated id is an error that names the file.
pub fn load(dir: &Path) -> anyhow::Result<Vec<Article>> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(Vec::new());
    };
    let mut paths: Vec<_> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    let mut articles: Vec<Article> = Vec::new();
    for p in paths {
        let text = std::fs::read_to_string(&p)?;
        let file: File =
            toml::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))?;
        for a in file.article {
            anyhow::ensure!(
                !articles.iter().any(|b| b.id == a.id),
                "{}: article id {:?} is used twice",
                p.display(),
                a.id
            );
            articles.push(a);
        }
    }
    Ok(articles)
}
