//! From unanswered to answered (issue #17, item 4): the questions the server could not answer (masked,
//! as stored) grouped into clusters of similar questions, biggest first, each with its closest intents;
//! the team assigns a cluster to an intent (its questions become training phrases) or marks it a new
//! topic; the accepted changes are exported as a unified diff to `public/kb/intents/*.toml` (a file to
//! review and commit, never a live edit), which `cargo xtask train` takes from there.
//!
//! Similarity is the browser model's own featuriser (`assistant_core::features`) and cosine similarity:
//! a question joins the most similar cluster (cosine with its centroid ≥ [`JOIN`]), else starts one.
//! Intents are compared through the centroid of their training phrases. Only the featuriser's word
//! 1–2-grams are used (each Han character is a word, so Chinese too): its character n-grams, which
//! the model needs for typos, make every short question look about a third alike (single letters).

use assistant_core::features::{Features, FeaturiserConfig, featurise};
use assistant_core::kb::IntentEntry;
use assistant_core::normalize::Normalizer;
use std::collections::BTreeMap;
use std::path::Path;

/// The cosine a question needs with a cluster's centroid to join it.
pub const JOIN: f32 = 0.35;
/// The decision that marks a cluster as a topic the knowledge base lacks.
pub const NEW_TOPIC: &str = "*new_topic";

/// A sparse vector: id → weight.
type Vector = BTreeMap<i64, f32>;

fn vector(f: &Features) -> Vector {
    f.ids
        .iter()
        .copied()
        .zip(f.weights.iter().copied())
        .collect()
}

fn cosine(a: &Vector, b: &Vector) -> f32 {
    let dot: f32 = a.iter().filter_map(|(k, v)| b.get(k).map(|w| v * w)).sum();
    let norm = |v: &Vector| v.values().map(|x| x * x).sum::<f32>().sqrt();
    let n = norm(a) * norm(b);
    if n > 0.0 { dot / n } else { 0.0 }
}

fn add(into: &mut Vector, v: &Vector, times: f32) {
    for (k, w) in v {
        *into.entry(*k).or_default() += w * times;
    }
}

/// Featurises text as the browser model does.
pub struct Featuriser {
    normalizer: Normalizer,
    config: FeaturiserConfig,
}

impl Default for Featuriser {
    fn default() -> Self {
        Self {
            normalizer: Normalizer::new(),
            config: FeaturiserConfig::default(),
        }
    }
}

impl Featuriser {
    fn vector(&self, text: &str) -> Vector {
        let words = i64::from(self.config.word_buckets);
        let mut v = vector(&featurise(&self.normalizer.normalize(text), &self.config));
        v.retain(|id, _| *id < words);
        v
    }
}

/// A group of similar unanswered questions.
#[derive(Debug, Clone, PartialEq)]
pub struct Cluster {
    /// Stable while its most asked question is (the form's key).
    pub key: String,
    /// (question, times asked), most asked first.
    pub questions: Vec<(String, i64)>,
    pub total: i64,
    /// The three closest intents with their cosine similarity.
    pub closest: Vec<(String, f32)>,
    /// What the team decided for its questions, if they all share one decision.
    pub decision: Option<String>,
}

/// Each intent's centroids, English and Chinese apart (its phrases and suggestion in each language):
/// many intents have far more Chinese phrases than English ones (BANKING77's English phrases are in the
/// training data, not the sources), and one mixed centroid would hide the few English ones.
pub fn intent_centroids(f: &Featuriser, intents: &[IntentEntry]) -> Vec<(String, [Vector; 2])> {
    intents
        .iter()
        .map(|e| {
            let centroid = |texts: &mut dyn Iterator<Item = &String>| {
                let mut c = Vector::new();
                for p in texts {
                    add(&mut c, &f.vector(p), 1.0);
                }
                c
            };
            let en = centroid(&mut e.phrases.en.iter().chain([&e.suggestion.en]));
            let zh = centroid(&mut e.phrases.all_zh().chain([&e.suggestion.zh]));
            (e.label.clone(), [en, zh])
        })
        .collect()
}

/// Groups `questions` ((question, count), any order) into clusters, biggest first.
pub fn cluster(
    f: &Featuriser,
    questions: &[(String, i64)],
    intents: &[(String, [Vector; 2])],
    decisions: &BTreeMap<String, String>,
) -> Vec<Cluster> {
    let mut sorted = questions.to_vec();
    sorted.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut groups: Vec<(Vector, Vec<(String, i64)>)> = Vec::new();
    for (q, n) in sorted {
        let v = f.vector(&q);
        let best = groups
            .iter()
            .enumerate()
            .map(|(i, (c, _))| (i, cosine(c, &v)))
            .filter(|(_, s)| *s >= JOIN)
            .max_by(|a, b| a.1.total_cmp(&b.1));
        match best {
            Some((i, _)) => {
                add(&mut groups[i].0, &v, n as f32);
                groups[i].1.push((q, n));
            }
            None => {
                let mut c = Vector::new();
                add(&mut c, &v, n as f32);
                groups.push((c, vec![(q, n)]));
            }
        }
    }
    let mut out: Vec<Cluster> = groups
        .into_iter()
        .map(|(centroid, questions)| {
            let mut closest: Vec<(String, f32)> = intents
                .iter()
                .map(|(label, [en, zh])| {
                    (
                        label.clone(),
                        cosine(&centroid, en).max(cosine(&centroid, zh)),
                    )
                })
                .collect();
            closest.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            closest.truncate(3);
            let mut decided = questions.iter().map(|(q, _)| decisions.get(q));
            let first = decided.next().flatten().cloned();
            let decision = first.filter(|d| decided.all(|o| o == Some(d)));
            Cluster {
                key: crate::auth::sha256_hex(&questions[0].0)[..16].to_owned(),
                total: questions.iter().map(|(_, n)| n).sum(),
                questions,
                closest,
                decision,
            }
        })
        .collect();
    out.sort_by(|a, b| b.total.cmp(&a.total).then(a.key.cmp(&b.key)));
    out
}

/// The intents of the knowledge base's sources in `kb_dir` (validated as the server loads them).
pub fn load_intents(kb_dir: &Path) -> anyhow::Result<Vec<IntentEntry>> {
    Ok(crate::retrieval::load_knowledge_base(kb_dir)?.intents)
}

/// A string as a TOML basic string.
fn toml_string(s: &str) -> String {
    let mut o = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            c if c.is_control() => o.push_str(&format!("\\u{:04X}", c as u32)),
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

/// Where in a source file the phrases of `label` go for `key` (`en` or `zh_train`): the line to insert
/// before, and whether the array must be opened (it does not exist yet).
fn place(lines: &[&str], label: &str, key: &str) -> Option<(usize, bool)> {
    let start = lines
        .iter()
        .position(|l| l.trim() == format!("label = \"{label}\""))?;
    let end = lines[start + 1..]
        .iter()
        .position(|l| l.trim() == "[[intent]]")
        .map_or(lines.len(), |i| start + 1 + i);
    let phrases = (start..end).find(|&i| lines[i].trim() == "[intent.phrases]")?;
    let opening = format!("{key} = [");
    match (phrases..end).find(|&i| lines[i].trim_start().starts_with(&opening)) {
        Some(open) if lines[open].trim() == opening => (open + 1..end)
            .find(|&i| lines[i].trim() == "]")
            .map(|i| (i, false)),
        // A one-line array (`en = []`): not rewritten; the phrases are listed for a person instead.
        Some(_) => None,
        None => Some((phrases + 1, true)),
    }
}

/// Lines to insert before the line at an index.
type Insert = (usize, Vec<String>);

/// A hunk: the old lines `from..to` and the insertions among them.
struct Hunk {
    from: usize,
    to: usize,
    inserts: Vec<Insert>,
}

/// The unified diff of `old` → `old` with `inserts`.
fn unified(path: &str, old: &[&str], mut inserts: Vec<Insert>) -> String {
    const CONTEXT: usize = 3;
    inserts.sort_by_key(|(i, _)| *i);
    // Hunks: runs of insertions whose context windows touch.
    let mut hunks: Vec<Hunk> = Vec::new();
    for (at, lines) in inserts {
        let (from, to) = (at.saturating_sub(CONTEXT), (at + CONTEXT).min(old.len()));
        match hunks.last_mut() {
            Some(h) if from <= h.to => {
                h.to = h.to.max(to);
                h.inserts.push((at, lines));
            }
            _ => hunks.push(Hunk {
                from,
                to,
                inserts: vec![(at, lines)],
            }),
        }
    }
    let mut out = format!("--- a/{path}\n+++ b/{path}\n");
    let mut added_before = 0;
    for Hunk { from, to, inserts } in hunks {
        let added: usize = inserts.iter().map(|(_, l)| l.len()).sum();
        out.push_str(&format!(
            "@@ -{},{} +{},{} @@\n",
            from + 1,
            to - from,
            from + 1 + added_before,
            to - from + added
        ));
        // Each old line of the hunk, the insertions before it first; then those at its end.
        for (i, line) in old
            .iter()
            .enumerate()
            .take(to)
            .skip(from)
            .map(|(i, l)| (i, Some(l)))
            .chain([(to, None)])
        {
            for (_, lines) in inserts.iter().filter(|(at, _)| *at == i) {
                for l in lines {
                    out.push_str(&format!("+{l}\n"));
                }
            }
            if let Some(line) = line {
                out.push_str(&format!(" {line}\n"));
            }
        }
        added_before += added;
    }
    out
}

/// The patch adding every assigned question to its intent's training phrases (`en`, or `zh_train` for
/// Chinese), skipping questions already there; new topics and questions that could not be placed are
/// listed in the preamble (which `git apply` and `patch` ignore). `intents_dir` is the knowledge base's
/// `intents/` directory; paths in the diff are `public/kb/intents/<file>`.
pub fn patch(
    intents_dir: &Path,
    intents: &[IntentEntry],
    decisions: &[(String, String)],
) -> std::io::Result<String> {
    let mut by_intent: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut new_topics = Vec::new();
    for (q, d) in decisions {
        if d == NEW_TOPIC {
            new_topics.push(q.as_str());
        } else if let Some(e) = intents.iter().find(|e| &e.label == d) {
            let known = e.phrases.all_zh().chain(&e.phrases.en).any(|p| p == q);
            if !known {
                by_intent.entry(e.label.as_str()).or_default().push(q);
            }
        }
    }
    let mut files: Vec<_> = std::fs::read_dir(intents_dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    let mut diff = String::new();
    let mut unplaced = Vec::new();
    let mut placed = 0;
    for file in files {
        let text = std::fs::read_to_string(&file)?;
        let lines: Vec<&str> = text.lines().collect();
        let mut inserts = Vec::new();
        for (label, questions) in &by_intent {
            for (key, chinese) in [("en", false), ("zh_train", true)] {
                let qs: Vec<&&str> = questions
                    .iter()
                    .filter(|q| q.chars().any(assistant_core::locale::is_han) == chinese)
                    .collect();
                if qs.is_empty()
                    || !lines
                        .iter()
                        .any(|l| l.trim() == format!("label = \"{label}\""))
                {
                    continue;
                }
                match place(&lines, label, key) {
                    Some((at, open)) => {
                        let mut add: Vec<String> = qs
                            .iter()
                            .map(|q| format!("  {},", toml_string(q)))
                            .collect();
                        if open {
                            add.insert(0, format!("{key} = ["));
                            add.push("]".into());
                        }
                        placed += qs.len();
                        inserts.push((at, add));
                    }
                    None => unplaced.extend(qs.iter().map(|q| format!("{label}: {q}"))),
                }
            }
        }
        if !inserts.is_empty() {
            let name = file.file_name().unwrap_or_default().to_string_lossy();
            diff.push_str(&unified(
                &format!("public/kb/intents/{name}"),
                &lines,
                inserts,
            ));
        }
    }
    let mut out = format!(
        "Training phrases from unanswered questions (issue #17), exported from /admin.\n\
         {placed} question(s) added as training phrases. Review, then:\n\
         \x20 git apply this.patch && cargo xtask kb && cargo xtask train\n"
    );
    if !new_topics.is_empty() {
        out.push_str("\nMarked \"new topic\" (the knowledge base has no intent for them yet):\n");
        for q in &new_topics {
            out.push_str(&format!("  - {q}\n"));
        }
    }
    if !unplaced.is_empty() {
        out.push_str("\nNot placed (add by hand):\n");
        for q in &unplaced {
            out.push_str(&format!("  - {q}\n"));
        }
    }
    out.push('\n');
    out.push_str(&diff);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn similar_questions_share_a_cluster_and_the_biggest_comes_first() {
        let f = Featuriser::default();
        let qs = [
            ("can i pay council tax by card", 3),
            ("pay council tax with my card", 2),
            ("council tax card payment", 1),
            ("do you sell travel insurance", 4),
        ]
        .map(|(q, n)| (q.to_owned(), n));
        let c = cluster(&f, &qs, &[], &BTreeMap::new());
        assert_eq!(c.len(), 2, "{c:?}");
        assert_eq!(c[0].total, 6);
        assert_eq!(c[0].questions[0].0, "can i pay council tax by card");
        assert_eq!(c[1].total, 4);
    }

    #[test]
    fn a_diff_inserts_with_context() {
        let old = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"];
        let d = unified("x.toml", &old, vec![(5, vec!["new".into()])]);
        assert_eq!(
            d,
            "--- a/x.toml\n+++ b/x.toml\n@@ -3,6 +3,7 @@\n c\n d\n e\n+new\n f\n g\n h\n"
        );
        assert_eq!(toml_string("say \"hi\" \\ now"), r#""say \"hi\" \\ now""#);
    }
}
#[cfg(test)]
mod kb_tests {
    use super::*;

    /// The closest intents come from the phrases: a question about a card that has not come is closest
    /// to `card_arrival`, and a topic the bank lacks is close to nothing.
    #[test]
    fn closest_intents_are_the_ones_whose_phrases_look_alike() {
        let f = Featuriser::default();
        let kb = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../public/kb");
        let centroids = intent_centroids(&f, &load_intents(&kb).unwrap());
        let qs = [
            ("my new card still has not arrived".to_owned(), 2),
            ("ski chalet vouchers".to_owned(), 1),
        ];
        let c = cluster(&f, &qs, &centroids, &BTreeMap::new());
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].closest[0].0, "card_arrival", "{:?}", c[0].closest);
        assert!(c[1].closest[0].1 < 0.2, "{:?}", c[1].closest);
    }
}
