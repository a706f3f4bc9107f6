//! The server chatbot's retrieval: one BM25 index over everything the server knows — every intent of
//! the knowledge base (its training phrases and suggestion question, both languages) and every
//! article of the help centre (`help`; title, answer, the ways customers ask, sections) — combined
//! with the browser model's top intents.
//!
//! One index, not two: a question is matched against intents and articles with the same term
//! statistics, so their confidences compare directly and the best of either answers.
//!
//! Why not tantivy + jieba: the corpus is ~270 short documents, held in memory and built in
//! milliseconds; a search engine with segment files, a merge policy and a ~20 MB dictionary would cost
//! minutes of compile time on the 2-core build machine and buy nothing here. Terms: see `tokenize`.
//!
//! Confidence is *coverage*: the share of the question's IDF weight that a document contains (0–1,
//! comparable across questions, unlike raw BM25). The browser's probability for an intent adds
//! `client_weight` × p. Below `min_confidence` the server answers honestly that it is not sure — it
//! only ever returns knowledge-base or help-centre text, so it cannot invent bank facts.

pub mod followup;
pub mod help;
mod tokenize;

pub use tokenize::tokenize;

use assistant_core::answers::AnswerBundle;
use assistant_core::api::ClientIntent;
use assistant_core::kb::KnowledgeBase;
use assistant_core::normalize::Normalizer;
use help::Article;
use std::collections::HashMap;
use std::path::Path;

const K1: f32 = 1.2;
const B: f32 = 0.75;

/// What a document is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// An intent of the knowledge base (its label).
    Intent(String),
    /// A help-centre article (its position in `Index::articles`).
    Article(usize),
}

/// How the evidence is weighed (from `config::ChatConfig`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Weights {
    /// Of the browser model's probability for an intent.
    pub client: f32,
    /// Of the cosine to the nearest single phrase, against (1 − this) the document's coverage.
    pub similarity: f32,
    /// Added to a help-centre article's confidence: an article answers one specific question, an
    /// intent a whole topic, so when both fit the article is the closer answer.
    pub article: f32,
}

/// A retrieval hit.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub found: Found,
    /// Combined confidence, 0–1 (+ client weight).
    pub confidence: f32,
    /// The cosine between the question and the document's nearest single phrase (1: word for word).
    pub similarity: f32,
}

impl Hit {
    /// The intent's label, when the hit is an intent.
    pub fn intent(&self) -> Option<&str> {
        match &self.found {
            Found::Intent(label) => Some(label),
            Found::Article(_) => None,
        }
    }
}

/// Term statistics of a set of documents, and BM25 + coverage scores over them.
struct Terms {
    /// term → (doc, term frequency)
    postings: HashMap<String, Vec<(usize, f32)>>,
    doc_len: Vec<f32>,
    avg_len: f32,
}

impl Terms {
    fn build(docs: &[Vec<String>]) -> Self {
        let mut postings: HashMap<String, Vec<(usize, f32)>> = HashMap::new();
        let mut doc_len = Vec::new();
        for (d, terms) in docs.iter().enumerate() {
            let mut tf: HashMap<&str, f32> = HashMap::new();
            for t in terms {
                *tf.entry(t).or_default() += 1.0;
            }
            for (t, n) in tf {
                postings.entry(t.to_owned()).or_default().push((d, n));
            }
            doc_len.push(terms.len() as f32);
        }
        let avg_len = doc_len.iter().sum::<f32>() / doc_len.len().max(1) as f32;
        Self {
            postings,
            doc_len,
            avg_len,
        }
    }

    fn idf(&self, term: &str) -> f32 {
        let n = self.doc_len.len() as f32;
        let df = self.postings.get(term).map_or(0.0, |p| p.len() as f32);
        ((n - df + 0.5) / (df + 0.5) + 1.0).ln()
    }

    /// Per document: (BM25, coverage) of the deduplicated query terms `q`.
    fn score(&self, q: &[String]) -> (Vec<f32>, Vec<f32>) {
        let total_idf: f32 = q.iter().map(|t| self.idf(t)).sum();
        let n = self.doc_len.len();
        let mut bm25 = vec![0f32; n];
        let mut covered = vec![0f32; n];
        for t in q {
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
        if total_idf > 0.0 {
            for c in &mut covered {
                *c /= total_idf;
            }
        }
        (bm25, covered)
    }
}

/// Every single question a document holds (an intent's training phrases and suggestion, an
/// article's title and the ways customers ask), as TF-IDF vectors. A customer's question is usually a
/// paraphrase of *one* of them; its cosine to the nearest one is sharper evidence than the whole
/// document's coverage, which grows with the document's length.
struct Phrases {
    /// Which document each phrase belongs to.
    doc: Vec<usize>,
    /// Each phrase's vector length.
    norm: Vec<f32>,
    /// term → (phrase, weight)
    postings: HashMap<String, Vec<(usize, f32)>>,
    idf: HashMap<String, f32>,
}

impl Phrases {
    fn build(phrases: &[(usize, Vec<String>)]) -> Self {
        let mut df: HashMap<&str, f32> = HashMap::new();
        let mut tfs = Vec::with_capacity(phrases.len());
        for (_, terms) in phrases {
            let mut tf: HashMap<&str, f32> = HashMap::new();
            for t in terms {
                *tf.entry(t).or_default() += 1.0;
            }
            for t in tf.keys() {
                *df.entry(t).or_default() += 1.0;
            }
            tfs.push(tf);
        }
        let n = phrases.len() as f32;
        let idf: HashMap<String, f32> = df
            .into_iter()
            .map(|(t, d)| (t.to_owned(), (n / d).ln() + 1.0))
            .collect();
        let mut postings: HashMap<String, Vec<(usize, f32)>> = HashMap::new();
        let mut norm = Vec::with_capacity(phrases.len());
        for (p, tf) in tfs.into_iter().enumerate() {
            let mut sq = 0.0;
            for (t, n) in tf {
                let w = (1.0 + n.ln()) * idf[t];
                sq += w * w;
                postings.entry(t.to_owned()).or_default().push((p, w));
            }
            norm.push(f32::sqrt(sq).max(1e-6));
        }
        Self {
            doc: phrases.iter().map(|(d, _)| *d).collect(),
            norm,
            postings,
            idf,
        }
    }

    /// Per document: the highest cosine between the query terms `q` and one of its phrases.
    fn nearest(&self, q: &[String], docs: usize) -> Vec<f32> {
        let mut dot = vec![0f32; self.doc.len()];
        let mut q_sq = 0.0;
        for t in q {
            // A term no phrase has still makes the question longer (less like any phrase).
            let w = self
                .idf
                .get(t)
                .copied()
                .unwrap_or(1.0 + (self.doc.len() as f32).ln());
            q_sq += w * w;
            for &(p, pw) in self.postings.get(t).map_or(&[][..], Vec::as_slice) {
                dot[p] += w * pw;
            }
        }
        let q_norm = f32::sqrt(q_sq).max(1e-6);
        let mut best = vec![0f32; docs];
        for (p, d) in dot.into_iter().enumerate() {
            let cos = d / (q_norm * self.norm[p]);
            let b = &mut best[self.doc[p]];
            *b = b.max(cos);
        }
        best
    }
}

/// The query's distinct terms.
fn query_terms(normalized: &str) -> Vec<String> {
    let mut q = tokenize(normalized);
    q.sort();
    q.dedup();
    q
}

/// The distinct terms of `text`, sorted.
fn distinct_terms(normalizer: &Normalizer, text: &str) -> Vec<String> {
    let mut t = tokenize(&normalizer.normalize(text));
    t.sort();
    t.dedup();
    t
}

/// Per section of `a`: its distinct terms that the article's answer (either language) lacks, sorted.
fn section_terms(normalizer: &Normalizer, a: &Article) -> Vec<Vec<String>> {
    let answer = distinct_terms(normalizer, &format!("{}\n{}", a.answer.en, a.answer.zh));
    (0..a.sections.len())
        .map(|i| {
            let mut sec = distinct_terms(normalizer, &a.section_text(i));
            sec.retain(|t| answer.binary_search(t).is_err());
            sec
        })
        .collect()
}

/// The in-memory index.
pub struct Index {
    normalizer: Normalizer,
    /// What each document is, in index order: intents first, then articles.
    docs: Vec<Found>,
    terms: Terms,
    phrases: Phrases,
    /// Per article, per section: the section's distinct terms that the article's answer lacks
    /// (sorted), for [`Index::best_section`].
    section_terms: Vec<Vec<Vec<String>>>,
    pub answers: AnswerBundle,
    pub articles: Vec<Article>,
}

impl std::fmt::Debug for Index {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Index({} intents, {} articles)",
            self.docs.len() - self.articles.len(),
            self.articles.len()
        )
    }
}

/// Reads and validates the knowledge base's sources in `dir` (`intents/*.toml`, sorted, and
/// `out_of_scope.toml`), naming every mistake.
pub fn load_knowledge_base(dir: &Path) -> anyhow::Result<KnowledgeBase> {
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
    KnowledgeBase::from_sources(&files, (&oos_path.display().to_string(), &oos)).map_err(|errs| {
        let list: Vec<String> = errs.iter().map(|e| e.to_string()).collect();
        anyhow::anyhow!("knowledge base has mistakes:\n{}", list.join("\n"))
    })
}

impl Index {
    /// Reads and validates the knowledge base in `dir` and its help centre (`dir/help`), and
    /// indexes both.
    pub fn load(dir: &Path) -> anyhow::Result<Self> {
        let kb = load_knowledge_base(dir)?;
        let articles = help::load(&dir.join("help"))?;
        Ok(Self::build(&kb, articles))
    }

    pub fn build(kb: &KnowledgeBase, articles: Vec<Article>) -> Self {
        let normalizer = Normalizer::new();
        let mut docs = Vec::new();
        let mut texts = Vec::new();
        let mut phrases = Vec::new();
        let mut phrase = |d: usize, text: &str| {
            phrases.push((d, tokenize(&normalizer.normalize(text))));
        };
        for e in &kb.intents {
            let d = docs.len();
            for p in e.phrases.all_zh().chain(&e.phrases.en) {
                phrase(d, p);
            }
            for t in [&e.suggestion.en, &e.suggestion.zh] {
                phrase(d, t);
            }
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
            texts.push(tokenize(&normalizer.normalize(&text)));
            docs.push(Found::Intent(e.label.clone()));
        }
        for (i, a) in articles.iter().enumerate() {
            let d = docs.len();
            for t in [&a.title.en, &a.title.zh]
                .into_iter()
                .chain(&a.asks.en)
                .chain(&a.asks.zh)
            {
                phrase(d, t);
            }
            texts.push(tokenize(&normalizer.normalize(&a.searchable())));
            docs.push(Found::Article(i));
        }
        let section_terms = articles
            .iter()
            .map(|a| section_terms(&normalizer, a))
            .collect();
        Self {
            normalizer,
            docs,
            terms: Terms::build(&texts),
            phrases: Phrases::build(&phrases),
            section_terms,
            answers: kb.answer_bundle(),
            articles,
        }
    }

    /// Whether the knowledge base reads the customer's `text` as a scam story (`scam_warning` among
    /// the top three with at least `min_confidence`): the server's own check of a hand-off that claims
    /// to be a possible scam, since that reason puts it first in the queue and any browser can send it.
    pub fn tells_a_scam(&self, text: &str, min_confidence: f32) -> bool {
        let normalized = self.normalize(&assistant_core::pii::mask(text).text);
        let weights = Weights {
            client: 0.0,
            similarity: 0.0,
            article: 0.0,
        };
        self.search(&normalized, &[], weights, 3).iter().any(|h| {
            h.intent() == Some(assistant_core::taxonomy::SCAM_WARNING)
                && h.confidence >= min_confidence
        })
    }

    /// The best intents and articles for `normalized` (text already through [`Index::normalize`],
    /// which the caller also stores), highest confidence first (at most `k`).
    pub fn search(
        &self,
        normalized: &str,
        client: &[ClientIntent],
        weights: Weights,
        k: usize,
    ) -> Vec<Hit> {
        let q = query_terms(normalized);
        let (bm25, coverage) = self.terms.score(&q);
        let nearest = self.phrases.nearest(&q, self.docs.len());
        let client_p = |d: usize| match &self.docs[d] {
            Found::Intent(label) => client
                .iter()
                .find(|c| &c.intent == label)
                .map(|c| c.score.clamp(0.0, 1.0)),
            Found::Article(_) => None,
        };
        let mut hits: Vec<Hit> = (0..self.docs.len())
            .filter(|&d| bm25[d] > 0.0 || client_p(d).is_some())
            .map(|d| {
                // BM25 orders documents with the same coverage (a term repeated in many phrases
                // is stronger evidence); it is squashed so it never outweighs coverage.
                let tie = bm25[d] / (bm25[d] + 10.0) * 0.1;
                Hit {
                    found: self.docs[d].clone(),
                    confidence: weights.similarity * nearest[d]
                        + (1.0 - weights.similarity) * coverage[d]
                        + weights.client * client_p(d).unwrap_or(0.0)
                        + match self.docs[d] {
                            Found::Article(_) => weights.article,
                            Found::Intent(_) => 0.0,
                        }
                        + tie,
                    similarity: nearest[d],
                }
            })
            .collect();
        hits.sort_by(|a, b| b.confidence.total_cmp(&a.confidence));
        hits.truncate(k);
        hits
    }

    /// The section of `article` that best matches `normalized` beyond what its answer already says,
    /// if any section shares a term with the question that the answer lacks.
    pub fn best_section(&self, article: usize, normalized: &str) -> Option<usize> {
        let q = query_terms(normalized);
        self.section_terms[article]
            .iter()
            .map(|sec| -> f32 {
                q.iter()
                    .filter(|t| sec.binary_search(t).is_ok())
                    .map(|t| self.terms.idf(t))
                    .sum()
            })
            .enumerate()
            .filter(|&(_, s)| s > 0.0)
            .max_by(|x, y| x.1.total_cmp(&y.1))
            .map(|(i, _)| i)
    }

    /// Normalised form of a question, for grouping the improvement report.
    pub fn normalize(&self, text: &str) -> String {
        self.normalizer.normalize(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `best_section` as it was before the section terms were computed once in `Index::build`: the
    /// article's answer and sections tokenised on every call.
    fn best_section_on_the_fly(index: &Index, article: usize, normalized: &str) -> Option<usize> {
        let a = &index.articles[article];
        let q = query_terms(normalized);
        let terms_of = |text: &str| distinct_terms(&index.normalizer, text);
        let answer = terms_of(&format!("{}\n{}", a.answer.en, a.answer.zh));
        let score = |i: usize| -> f32 {
            let sec = terms_of(&a.section_text(i));
            q.iter()
                .filter(|t| sec.binary_search(t).is_ok() && answer.binary_search(t).is_err())
                .map(|t| index.terms.idf(t))
                .sum()
        };
        (0..a.sections.len())
            .map(|i| (i, score(i)))
            .filter(|&(_, s)| s > 0.0)
            .max_by(|x, y| x.1.total_cmp(&y.1))
            .map(|(i, _)| i)
    }

    /// The precomputed section terms pick the same section as tokenising on every request, for the
    /// dev set's questions against every article among their hits, and for each section's own words.
    #[test]
    fn the_best_section_is_the_same_as_when_sections_were_tokenised_per_request() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let index = Index::load(&root.join("public/kb")).unwrap();
        let csv = std::fs::read_to_string(root.join("public/kb/help/eval/dev.csv")).unwrap();
        let weights = Weights {
            client: 0.0,
            similarity: 0.5,
            article: 0.0,
        };
        let mut compared = 0;
        let mut with_section = 0;
        let mut check = |article: usize, normalized: &str| {
            let found = index.best_section(article, normalized);
            assert_eq!(
                found,
                best_section_on_the_fly(&index, article, normalized),
                "article {} for {normalized:?}",
                index.articles[article].id
            );
            compared += 1;
            with_section += usize::from(found.is_some());
        };
        for record in csv::Reader::from_reader(csv.as_bytes()).records() {
            let normalized = index.normalize(&record.unwrap()[0]);
            for hit in index.search(&normalized, &[], weights, 8) {
                if let Found::Article(i) = hit.found {
                    check(i, &normalized);
                }
            }
        }
        for (i, a) in index.articles.iter().enumerate() {
            for s in &a.sections {
                for text in [&s.heading.en, &s.heading.zh, &s.text.en, &s.text.zh] {
                    check(i, &index.normalize(text));
                }
            }
        }
        assert!(
            compared > 1000 && with_section > 100,
            "{compared} {with_section}"
        );
    }
}
