//! Index terms for the server's retrieval. Chinese is split into single characters plus overlapping
//! bigrams (the standard dictionary-free approach for short Chinese queries: robust to unknown words,
//! no dictionary to maintain), English into words with a small stop list and plural folding. Input is
//! text already through `assistant_core::normalize`, so traditional characters, full-width letters and
//! case arrive as their simplified, half-width, lower-case forms.

use assistant_core::locale::is_han;

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
