//! Readability measures for the product and glossary texts, so "plain words, short sentences" is a
//! test, not a hope.
//!
//! - English: Flesch reading ease, `206.835 − 1.015 × (words / sentences) − 84.6 × (syllables / words)`
//!   (Flesch 1948; 60–70 is "plain English"), and the average sentence length in words.
//! - Chinese: the average sentence length in characters (Han characters, letters and digits; not
//!   punctuation or spaces). There is no widely agreed Chinese formula; sentence length is the measure
//!   most Chinese plain-language guides use.
//!
//! Syllables are estimated, as in most Flesch tools: each run of vowels (a e i o u y) is one syllable; a
//! final silent "e" is dropped ("rate" = 1) unless the word ends in consonant + "le" ("simple" = 2); a
//! word has at least one. Abbreviations in capitals (APR, LPR) are spelled out, one syllable a letter.
//! A token with digits ("¥10,000", "1.5%") counts as one word of two syllables: numbers are read
//! easily, but not in one beat.
//!
//! Sentences end at . ! ? 。 ！ ？ and at line breaks; a "." only ends one when followed by a space or
//! the end, so "1.5%" stays whole.

/// The sentences of `text`, trimmed, without empty ones.
pub fn sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    for (k, &(i, c)) in chars.iter().enumerate() {
        let next = chars.get(k + 1).map(|&(_, n)| n);
        let ends = match c {
            '!' | '?' | '。' | '！' | '？' | '\n' => true,
            '.' => next.is_none_or(|n| n.is_whitespace() || n == '"' || n == ')'),
            _ => false,
        };
        if ends {
            let end = i + c.len_utf8();
            push(&mut out, &text[start..end]);
            start = end;
        }
    }
    push(&mut out, &text[start..]);
    out
}

fn push<'a>(out: &mut Vec<&'a str>, s: &'a str) {
    let s = s.trim();
    if s.chars().any(|c| c.is_alphanumeric()) {
        out.push(s);
    }
}

/// The words of an English text.
pub fn words(text: &str) -> Vec<&str> {
    text.split(|c: char| c.is_whitespace() || c == '/' || c == '—')
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|w| !w.is_empty())
        .collect()
}

/// Estimated syllables in one English word (see the module documentation).
pub fn syllables(word: &str) -> usize {
    if word.chars().any(|c| c.is_ascii_digit()) {
        return 2;
    }
    let letters: Vec<char> = word.chars().filter(|c| c.is_alphabetic()).collect();
    if letters.is_empty() {
        return 1;
    }
    if letters.len() <= 5 && letters.len() > 1 && letters.iter().all(|c| c.is_uppercase()) {
        return letters.len();
    }
    let w: Vec<char> = letters.iter().map(|c| c.to_ascii_lowercase()).collect();
    let vowel = |c: char| "aeiouy".contains(c);
    let mut count = 0;
    let mut prev = false;
    for &c in &w {
        let v = vowel(c);
        if v && !prev {
            count += 1;
        }
        prev = v;
    }
    let n = w.len();
    if n > 2 && w[n - 1] == 'e' && !vowel(w[n - 2]) {
        let le = w[n - 2] == 'l' && n > 3 && !vowel(w[n - 3]);
        if !le {
            count -= 1;
        }
    }
    count.max(1)
}

/// English readability of a text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EnglishScore {
    pub sentences: usize,
    pub words: usize,
    pub syllables: usize,
    /// Flesch reading ease (higher is easier; ≥ 60 is plain English).
    pub flesch: f64,
    pub words_per_sentence: f64,
}

/// Flesch reading ease and sentence length of an English text.
pub fn english(text: &str) -> EnglishScore {
    let ss = sentences(text);
    let ws: Vec<&str> = ss.iter().flat_map(|s| words(s)).collect();
    let syl: usize = ws.iter().map(|w| syllables(w)).sum();
    let (s, w) = (ss.len().max(1) as f64, ws.len().max(1) as f64);
    EnglishScore {
        sentences: ss.len(),
        words: ws.len(),
        syllables: syl,
        flesch: 206.835 - 1.015 * (w / s) - 84.6 * (syl as f64 / w),
        words_per_sentence: w / s,
    }
}

/// Average Chinese sentence length in characters (Han, letters, digits).
pub fn chinese_chars_per_sentence(text: &str) -> f64 {
    let ss = sentences(text);
    let chars: usize = ss
        .iter()
        .map(|s| s.chars().filter(|c| c.is_alphanumeric()).count())
        .sum();
    chars as f64 / ss.len().max(1) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syllable_heuristic() {
        for (w, n) in [
            ("rate", 1),
            ("simple", 2),
            ("interest", 3),
            ("deposit", 3),
            ("money", 2),
            ("APR", 3),
            ("the", 1),
            ("¥10,000", 2),
            ("year", 1),
        ] {
            assert_eq!(syllables(w), n, "{w}");
        }
    }

    #[test]
    fn sentences_and_scores() {
        assert_eq!(
            sentences("It pays 1.5% a year. Is it safe? Yes!"),
            ["It pays 1.5% a year.", "Is it safe?", "Yes!"]
        );
        assert_eq!(
            sentences("存款安全。利息固定！\n随时可取"),
            ["存款安全。", "利息固定！", "随时可取"]
        );
        let easy = english("The cat sat on the mat. It was a fat cat.");
        assert!(easy.flesch > 100.0, "{easy:?}");
        let hard = english(
            "Notwithstanding contractual obligations, remuneration considerations necessitate comprehensive institutional documentation.",
        );
        assert!(hard.flesch < 0.0, "{hard:?}");
        assert_eq!(chinese_chars_per_sentence("存款安全。利息固定。"), 4.0);
    }
}
