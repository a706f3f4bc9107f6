//! The server chatbot's retrieval: BM25 over the whole knowledge base (every intent's training phrases
//! and suggestion question, in both languages), combined with the browser model's top intents.
//!
//! Why not tantivy + jieba: the corpus is ~90 short documents, held in memory and rebuilt in
//! milliseconds; a search engine with segment files, a merge policy and a ~20 MB dictionary would cost
//! minutes of compile time on the 2-core build machine and buy nothing here. Chinese is segmented into
//! overlapping character bigrams plus single characters, the standard dictionary-free approach for short
//! Chinese queries (robust to unknown words, no dictionary to maintain); English into words with a small
//! stop list and plural folding. Text goes through `assistant_core::normalize` first, so traditional
//! characters, full-width letters and case match their simplified/half-width forms.
//!
//! Confidence is *coverage*: the share of the question's IDF weight that the best intent's document
//! contains (0–1, comparable across questions, unlike raw BM25). The browser's probability for that
//! intent adds `client_weight` × p. Below `min_confidence` the server answers honestly that it is not
//! sure — it only ever returns knowledge-base text, so it cannot invent bank facts.

use assistant_core::answers::AnswerBundle;
use assistant_core::api::ClientIntent;
use assistant_core::kb::KnowledgeBase;
use assistant_core::locale::is_han;
use assistant_core::normalize::Normalizer;
use std::collections::HashMap;
use std::path::Path;

const K1: f32 = 1.2;
const B: f32 = 0.75;

const STOP: &[&str] = &[
    "a", "an", "the", "i", "me", "my", "you", "your", "is", "are", "am", "be", "to", "of", "in",
    "on", "for", "and", "or", "it", "do", "does", "did", "can", "could", "would", "will", "what",
    "how", "please", "this", "that", "with", "at", "there", "have", "has", "was", "we", "us", "so",
    "just",
];
const ZH_STOP: &[char] = &[
    '的', '了', '吗', '呢', '吧', '啊', '我', '你', '是', '在', '有', '么', '个', '怎', '请', '要',
    '能', '可', '以',
];

/// Splits normalised text into index terms.
pub fn tokenize(norm: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut han: Vec<char> = Vec::new();
    let mut word = String::new();
    let flush_han = |han: &mut Vec<char>, out: &mut Vec<String>| {
        for (i, c) in han.iter().enumerate() {
            if !ZH_STOP.contains(c) {
                out.push(c.to_string());
            }
            if let Some(n) = han.get(i + 1) {
                out.push(format!("{c}{n}"));
            }
        }
        han.clear();
    };
    let flush_word = |word: &mut String, out: &mut Vec<String>| {
        if !word.is_empty() && !STOP.contains(&word.as_str()) {
            let w = if word.len() > 3 && word.ends_with('s') && !word.ends_with("ss") {
                &word[..word.len() - 1]
            } else {
                word.as_str()
            };
            out.push(w.to_owned());
        }
        word.clear();
    };
    for c in norm.chars() {
        if is_han(c) {
            flush_word(&mut word, &mut out);
            han.push(c);
        } else if c.is_alphanumeric() {
            flush_han(&mut han, &mut out);
            word.extend(c.to_lowercase());
        } else {
            flush_han(&mut han, &mut out);
            flush_word(&mut word, &mut out);
        }
    }
    flush_han(&mut han, &mut out);
    flush_word(&mut word, &mut out);
    out
}

/// A retrieval hit.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub intent: String,
    /// Combined confidence, 0–1 (+ client weight).
    pub confidence: f32,
}

/// The in-memory index.
pub struct Index {
    normalizer: Normalizer,
    intents: Vec<String>,
    /// term → (doc, term frequency)
    postings: HashMap<String, Vec<(usize, f32)>>,
    doc_len: Vec<f32>,
    avg_len: f32,
    pub answers: AnswerBundle,
}

impl std::fmt::Debug for Index {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Index({} intents)", self.intents.len())
    }
}

impl Index {
    /// Reads and validates the knowledge base in `dir` and indexes it.
    pub fn load(dir: &Path) -> anyhow::Result<Self> {
        let mut files = Vec::new();
        let intents_dir = dir.join("intents");
        let mut names: Vec<_> = std::fs::read_dir(&intents_dir)
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", intents_dir.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        names.sort();
        for p in names {
            files.push((p.display().to_string(), std::fs::read_to_string(&p)?));
        }
        let oos_path = dir.join("out_of_scope.toml");
        let oos = std::fs::read_to_string(&oos_path)
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", oos_path.display()))?;
        let kb = KnowledgeBase::from_sources(&files, (&oos_path.display().to_string(), &oos))
            .map_err(|errs| {
                let list: Vec<String> = errs.iter().map(|e| e.to_string()).collect();
                anyhow::anyhow!("knowledge base has mistakes:\n{}", list.join("\n"))
            })?;
        Ok(Self::build(&kb))
    }

    pub fn build(kb: &KnowledgeBase) -> Self {
        let normalizer = Normalizer::new();
        let mut postings: HashMap<String, Vec<(usize, f32)>> = HashMap::new();
        let mut doc_len = Vec::new();
        let mut intents = Vec::new();
        for (d, e) in kb.intents.iter().enumerate() {
            let mut text = String::new();
            for p in e.phrases.all_zh().chain(&e.phrases.en) {
                text.push_str(p);
                text.push('\n');
            }
            // Answers are not indexed: they mention many neighbouring topics ("freeze your *card*"
            // in the lost-phone answer) and would blur which question they answer.
            for t in [&e.suggestion.en, &e.suggestion.zh] {
                text.push_str(t);
                text.push('\n');
            }
            let terms = tokenize(&normalizer.normalize(&text));
            let mut tf: HashMap<String, f32> = HashMap::new();
            for t in &terms {
                *tf.entry(t.clone()).or_default() += 1.0;
            }
            for (t, n) in tf {
                postings.entry(t).or_default().push((d, n));
            }
            doc_len.push(terms.len() as f32);
            intents.push(e.label.clone());
        }
        let avg_len = doc_len.iter().sum::<f32>() / doc_len.len().max(1) as f32;
        Self {
            normalizer,
            intents,
            postings,
            doc_len,
            avg_len,
            answers: kb.answer_bundle(),
        }
    }

    fn idf(&self, term: &str) -> f32 {
        let n = self.intents.len() as f32;
        let df = self.postings.get(term).map_or(0.0, |p| p.len() as f32);
        ((n - df + 0.5) / (df + 0.5) + 1.0).ln()
    }

    /// Whether the knowledge base reads the customer's `text` as a scam story (`scam_warning` among
    /// the top three with at least `min_confidence`): the server's own check of a hand-off that claims
    /// to be a possible scam, since that reason puts it first in the queue and any browser can send it.
    pub fn tells_a_scam(&self, text: &str, min_confidence: f32) -> bool {
        let normalized = self.normalize(&assistant_core::pii::mask(text).text);
        self.search(&normalized, &[], 0.0, 3).iter().any(|h| {
            h.intent == assistant_core::taxonomy::SCAM_WARNING && h.confidence >= min_confidence
        })
    }

    /// The best intents for `normalized` (text already through [`Index::normalize`], which the caller
    /// also stores), highest confidence first (at most `k`).
    pub fn search(
        &self,
        normalized: &str,
        client: &[ClientIntent],
        client_weight: f32,
        k: usize,
    ) -> Vec<Hit> {
        let mut q = tokenize(normalized);
        q.sort();
        q.dedup();
        let total_idf: f32 = q.iter().map(|t| self.idf(t)).sum();
        let n = self.intents.len();
        let mut bm25 = vec![0f32; n];
        let mut covered = vec![0f32; n];
        for t in &q {
            let Some(post) = self.postings.get(t) else {
                continue;
            };
            let idf = self.idf(t);
            for &(d, tf) in post {
                let norm =
                    tf * (K1 + 1.0) / (tf + K1 * (1.0 - B + B * self.doc_len[d] / self.avg_len));
                bm25[d] += idf * norm;
                covered[d] += idf;
            }
        }
        let mut hits: Vec<Hit> = (0..n)
            .filter(|&d| bm25[d] > 0.0 || client.iter().any(|c| c.intent == self.intents[d]))
            .map(|d| {
                let coverage = if total_idf > 0.0 {
                    covered[d] / total_idf
                } else {
                    0.0
                };
                let p = client
                    .iter()
                    .find(|c| c.intent == self.intents[d])
                    .map_or(0.0, |c| c.score.clamp(0.0, 1.0));
                // BM25 orders documents with the same coverage (a term repeated in many phrases
                // is stronger evidence); it is squashed so it never outweighs coverage.
                let tie = bm25[d] / (bm25[d] + 10.0) * 0.1;
                Hit {
                    intent: self.intents[d].clone(),
                    confidence: coverage + client_weight * p + tie,
                }
            })
            .collect();
        hits.sort_by(|a, b| b.confidence.total_cmp(&a.confidence));
        hits.truncate(k);
        hits
    }

    /// Normalised form of a question, for grouping the improvement report.
    pub fn normalize(&self, text: &str) -> String {
        self.normalizer.normalize(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_is_split_into_characters_and_bigrams() {
        assert_eq!(tokenize("丢卡"), vec!["丢", "丢卡", "卡"]);
        assert_eq!(tokenize("my cards"), vec!["card"]);
        assert_eq!(tokenize("visa卡"), vec!["visa", "卡"]);
    }
}
