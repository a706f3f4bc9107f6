//! The featuriser: normalised text → sparse, weighted feature ids for the model's embedding table.
//!
//! One featuriser serves English and Chinese: hashed word 1–2-grams and character 1–5-grams. Chinese has
//! no spaces, so every Han character is its own "word" (word bigrams are then character bigrams), and
//! character n-grams catch words, typos and mixed 中英 alike. Digits are folded to `0` so "5 days" and
//! "3 days" look alike. Each feature's weight is `1 + ln(count)`, and the vector is L2-normalised.
//!
//! This is the single source of truth for features: training asks the native CLI for feature ids
//! (`assistant features`) instead of re-implementing this in Python, so browser, CLI and training agree
//! byte for byte. Any change to the output must bump [`FEATURISER_VERSION`]; the engine refuses a model
//! whose metadata names another version.

use crate::locale::is_han;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Version of the featurisation algorithm (normalisation included).
pub const FEATURISER_VERSION: &str = "hashed-ngrams-v1";

/// Settings of the featuriser; they travel in the model metadata.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeaturiserConfig {
    pub version: String,
    /// Buckets for word n-grams: ids `0..word_buckets`.
    pub word_buckets: u32,
    /// Buckets for character n-grams: ids `word_buckets..word_buckets + char_buckets`.
    pub char_buckets: u32,
    pub word_ngram_max: u8,
    pub char_ngram_min: u8,
    pub char_ngram_max: u8,
}

impl Default for FeaturiserConfig {
    fn default() -> Self {
        Self {
            version: FEATURISER_VERSION.to_owned(),
            word_buckets: 8_192,
            char_buckets: 8_192,
            word_ngram_max: 2,
            char_ngram_min: 1,
            char_ngram_max: 5,
        }
    }
}

impl FeaturiserConfig {
    /// Rows of the embedding table the model needs.
    pub fn table_rows(&self) -> u32 {
        self.word_buckets + self.char_buckets
    }
}

/// Sparse features, sorted by id, ids unique.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Features {
    pub ids: Vec<i64>,
    pub weights: Vec<f32>,
}

/// Featurises already-normalised text (see [`crate::normalize::Normalizer`]).
pub fn featurise(normalized: &str, cfg: &FeaturiserConfig) -> Features {
    let mut counts: BTreeMap<i64, u32> = BTreeMap::new();
    let tokens = words(normalized);
    for n in 1..=cfg.word_ngram_max as usize {
        for gram in tokens.windows(n) {
            let h = fnv1a(b"w", gram.iter().flat_map(|t| t.bytes().chain([0x1f])));
            *counts
                .entry((h % u64::from(cfg.word_buckets)) as i64)
                .or_default() += 1;
        }
    }
    let chars = char_stream(normalized);
    for n in cfg.char_ngram_min as usize..=cfg.char_ngram_max as usize {
        for gram in chars.windows(n) {
            if n == 1 && gram[0] == ' ' {
                continue;
            }
            let mut buf = [0u8; 4];
            let h = fnv1a(
                b"c",
                gram.iter()
                    .flat_map(|c| c.encode_utf8(&mut buf).as_bytes().to_vec()),
            );
            let id = u64::from(cfg.word_buckets) + h % u64::from(cfg.char_buckets);
            *counts.entry(id as i64).or_default() += 1;
        }
    }
    let mut ids = Vec::with_capacity(counts.len());
    let mut weights = Vec::with_capacity(counts.len());
    for (id, count) in counts {
        ids.push(id);
        weights.push(1.0 + (count as f32).ln());
    }
    let norm = weights.iter().map(|w| w * w).sum::<f32>().sqrt();
    if norm > 0.0 {
        weights.iter_mut().for_each(|w| *w /= norm);
    }
    Features { ids, weights }
}

fn fold_digit(c: char) -> char {
    if c.is_ascii_digit() { '0' } else { c }
}

/// Words: runs of letters/digits; every Han character stands alone.
fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for c in text.chars() {
        if is_han(c) {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            out.push(c.to_string());
        } else if c.is_alphanumeric() {
            cur.push(fold_digit(c));
        } else if !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// The text as characters, punctuation and spaces collapsed to single spaces, padded with a space each
/// side so that n-grams see word starts and ends.
fn char_stream(text: &str) -> Vec<char> {
    let mut out = vec![' '];
    for c in text.chars() {
        let c = if c.is_alphanumeric() {
            fold_digit(c)
        } else {
            ' '
        };
        if c == ' ' && out.last() == Some(&' ') {
            continue;
        }
        out.push(c);
    }
    if out.last() != Some(&' ') {
        out.push(' ');
    }
    out
}

/// 64-bit FNV-1a with a namespace prefix. Written here (ten lines) rather than taken from a crate because
/// the exact function is part of the model's contract and must never change under a dependency update.
fn fnv1a(namespace: &[u8], bytes: impl IntoIterator<Item = u8>) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in namespace.iter().copied().chain(bytes) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_sorted_unique_and_in_range() {
        let cfg = FeaturiserConfig::default();
        let f = featurise("i lost my card lost card", &cfg);
        assert!(f.ids.windows(2).all(|w| w[0] < w[1]));
        assert!(
            f.ids
                .iter()
                .all(|&id| id >= 0 && id < i64::from(cfg.table_rows()))
        );
        let norm: f32 = f.weights.iter().map(|w| w * w).sum();
        assert!((norm - 1.0).abs() < 1e-5);
    }

    #[test]
    fn chinese_uses_characters_as_words() {
        assert_eq!(
            words("我的卡丢了 card2"),
            vec!["我", "的", "卡", "丢", "了", "card0"]
        );
    }

    #[test]
    fn empty_text_has_no_features() {
        assert_eq!(
            featurise("", &FeaturiserConfig::default()),
            Features::default()
        );
    }

    #[test]
    fn hashing_is_stable_across_releases() {
        // Pinned values: a change here means committed models no longer match their featuriser.
        let f = featurise("lost card", &FeaturiserConfig::default());
        // 3 word ids ("lost", "card", "lost card") + 42 distinct character n-grams of " lost card ".
        assert_eq!(f.ids.len(), 45);
        assert_eq!(&f.ids[..4], &[1004, 2081, 4793, 8228]);
        assert_eq!(fnv1a(b"", *b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
