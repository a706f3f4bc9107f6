//! Traditional → simplified Chinese, with OpenCC's own `t2s` tables and OpenCC's matching rule.
//!
//! Why not a crate: `ferrous-opencc` (which this replaces, and which the tests still use as the
//! reference) compiles in its tables as FSTs plus rkyv metadata, including the simplified → traditional
//! character table that `t2s` never reads: about 70 KiB of the Web Worker's gzip size. OpenCC's two
//! `t2s` text files compress to about 25 KiB, and the conversion itself is a short longest-match loop.
//!
//! The tables are `data/opencc/TSPhrases.txt` and `TSCharacters.txt`, unchanged from OpenCC 1.1
//! (Apache-2.0, as shipped in ferrous-opencc 0.4.0). OpenCC's `t2s.json` converts with the group
//! [TSPhrases, TSCharacters]: at each position the longest key of either table that starts there is
//! replaced by its first value (on equal length the phrase wins); where no key matches, the character is
//! kept. Output must stay byte-identical to `ferrous-opencc`'s `T2s`, or the model's features shift:
//! `tests/t2s_parity.rs` checks that over the knowledge base, the datasets and every table entry.

use std::collections::HashMap;

const PHRASES: &str = include_str!("../data/opencc/TSPhrases.txt");
const CHARACTERS: &str = include_str!("../data/opencc/TSCharacters.txt");

/// OpenCC's `t2s` conversion.
pub struct T2s {
    /// Key → first value, characters and phrases together (a phrase replaces a character key it equals).
    table: HashMap<&'static str, &'static str>,
    /// The longest key, in characters.
    max_key_chars: usize,
}

impl T2s {
    /// Parses the embedded tables (about 4,400 lines; well under a millisecond natively).
    pub fn new() -> Self {
        let mut table = HashMap::with_capacity(4_500);
        let mut max_key_chars = 0;
        // Characters first, so that a phrase with the same key wins, as in OpenCC's dictionary group.
        for text in [CHARACTERS, PHRASES] {
            for (key, value) in entries(text) {
                max_key_chars = max_key_chars.max(key.chars().count());
                table.insert(key, value);
            }
        }
        Self {
            table,
            max_key_chars,
        }
    }

    /// The simplified form of `text`.
    pub fn convert(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(first) = rest.chars().next() {
            // Byte ends of the first 1..=max_key_chars characters, longest first.
            let ends: Vec<usize> = rest
                .char_indices()
                .skip(1)
                .map(|(i, _)| i)
                .chain(std::iter::once(rest.len()))
                .take(self.max_key_chars)
                .collect();
            let hit = ends
                .iter()
                .rev()
                .find_map(|&end| self.table.get(&rest[..end]).map(|v| (end, *v)));
            match hit {
                Some((end, value)) => {
                    out.push_str(value);
                    rest = &rest[end..];
                }
                None => {
                    out.push(first);
                    rest = &rest[first.len_utf8()..];
                }
            }
        }
        out
    }
}

impl Default for T2s {
    fn default() -> Self {
        Self::new()
    }
}

/// `key<TAB>value value…` lines, as OpenCC's dictionary compiler reads them: blank and `#` lines are
/// skipped, so are lines without exactly one tab or with an empty value; a later line replaces an
/// earlier one with the same key. Yields each key with its first value.
fn entries(text: &'static str) -> impl Iterator<Item = (&'static str, &'static str)> {
    text.lines().filter_map(|line| {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            return None;
        }
        let (key, values) = line.split_once('\t')?;
        if values.contains('\t') || key.is_empty() || values.split(' ').any(str::is_empty) {
            return None;
        }
        values.split(' ').next().map(|first| (key, first))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn banking_words_become_simplified() {
        let t = T2s::new();
        for (traditional, simplified) in [
            ("銀行卡", "银行卡"),
            ("轉賬", "转账"),
            ("餘額", "余额"),
            ("開戶", "开户"),
            ("帳戶", "帐户"),
            ("賬戶", "账户"),
            ("我的銀行卡不見了", "我的银行卡不见了"),
            ("為什麼我的付款被拒絕", "为什么我的付款被拒绝"),
        ] {
            assert_eq!(t.convert(traditional), simplified, "{traditional}");
        }
    }

    #[test]
    fn phrases_win_over_characters() {
        let t = T2s::new();
        // TSCharacters keeps 瞭 (its first value); the phrase table turns 瞭解 and 一目瞭然 into 了.
        assert_eq!(t.convert("瞭"), "瞭");
        assert_eq!(t.convert("我不瞭解"), "我不了解");
        assert_eq!(t.convert("一目瞭然"), "一目了然");
    }

    #[test]
    fn other_text_is_kept() {
        let t = T2s::new();
        assert_eq!(t.convert(""), "");
        assert_eq!(t.convert("card 1234 ✓ é"), "card 1234 ✓ é");
        assert_eq!(t.convert("已经是简体"), "已经是简体");
    }

    #[test]
    fn tables_are_loaded() {
        let t = T2s::new();
        assert!(t.table.len() > 4_000, "{}", t.table.len());
        assert!(t.max_key_chars >= 4);
    }
}
