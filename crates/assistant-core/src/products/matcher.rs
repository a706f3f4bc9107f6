//! Finding known phrases (glossary terms, product names) in running text: longest match first, no
//! overlaps, case-insensitive for Latin letters, and whole words only where a phrase starts or ends
//! with a Latin letter or digit ("APR" is found in "the APR is" but not in "APRIL"). Chinese has no
//! spaces, so Chinese phrases match anywhere; longest-first keeps "大额存单" from being read as "存单".
//!
//! Why hand-written: an Aho-Corasick crate would be faster, but the lists are ~200 short phrases and
//! texts are a few sentences; a plain scan is small in wasm and easy to follow.

/// A phrase list ready for matching. `T` is what a match stands for (a term id, a product id).
#[derive(Debug, Clone)]
pub struct PhraseMatcher<T> {
    /// (lower-cased phrase, value), longest first.
    phrases: Vec<(String, T)>,
    /// Whether an English plural "s"/"es" may follow a phrase that ends in a letter.
    plurals: bool,
}

/// One match: byte range in the searched text and the phrase's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match<T> {
    pub start: usize,
    pub end: usize,
    pub value: T,
}

impl<T: Clone> PhraseMatcher<T> {
    /// Builds a matcher; empty phrases are ignored.
    pub fn new(phrases: impl IntoIterator<Item = (String, T)>, plurals: bool) -> Self {
        let mut phrases: Vec<(String, T)> = phrases
            .into_iter()
            .map(|(p, v)| (p.trim().to_ascii_lowercase(), v))
            .filter(|(p, _)| !p.is_empty())
            .collect();
        phrases.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
        Self { phrases, plurals }
    }

    /// Every non-overlapping match in `text`, left to right, longest at each position.
    pub fn find_all(&self, text: &str) -> Vec<Match<T>> {
        let lower = text.to_ascii_lowercase();
        let bytes = lower.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if !lower.is_char_boundary(i) {
                i += 1;
                continue;
            }
            let found = self.phrases.iter().find_map(|(p, v)| {
                if !lower[i..].starts_with(p.as_str()) {
                    return None;
                }
                let first = p.chars().next()?;
                if is_word(first) && i > 0 && lower[..i].chars().next_back().is_some_and(is_word) {
                    return None;
                }
                let mut end = i + p.len();
                let last = p.chars().next_back()?;
                if self.plurals && last.is_ascii_alphabetic() {
                    let rest = &lower[end..];
                    if rest.starts_with("es") && !rest[2..].starts_with(is_word) {
                        end += 2;
                    } else if rest.starts_with('s') && !rest[1..].starts_with(is_word) {
                        end += 1;
                    }
                }
                if is_word(last) && lower[end..].starts_with(is_word) {
                    return None;
                }
                Some(Match {
                    start: i,
                    end,
                    value: v.clone(),
                })
            });
            match found {
                Some(m) => {
                    i = m.end;
                    out.push(m);
                }
                None => i += 1,
            }
        }
        out
    }
}

fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric()
}

/// Folds free text for product detection without the `text` feature's OpenCC tables (the widget's UI
/// thread does not carry them): full-width → ASCII, lower-case, and traditional → simplified for the
/// characters that occur in product names and compare words. A test checks this table against OpenCC.
pub fn fold(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => TRAD_SIMP
                .iter()
                .find(|(t, _)| *t == c)
                .map_or(c, |(_, s)| *s),
        })
        .flat_map(char::to_lowercase)
        .collect()
}

/// Traditional → simplified for product names and compare words.
pub(crate) const TRAD_SIMP: &[(char, char)] = &[
    ('額', '额'),
    ('單', '单'),
    ('貸', '贷'),
    ('財', '财'),
    ('貨', '货'),
    ('幣', '币'),
    ('儲', '储'),
    ('銀', '银'),
    ('較', '较'),
    ('別', '别'),
    ('區', '区'),
    ('與', '与'),
    ('還', '还'),
    ('費', '费'),
    ('業', '业'),
    ('經', '经'),
    ('營', '营'),
    ('險', '险'),
    ('產', '产'),
    ('類', '类'),
    ('個', '个'),
    ('麼', '么'),
    ('帳', '账'),
    ('賬', '账'),
    ('戶', '户'),
    ('樓', '楼'),
    ('車', '车'),
    ('種', '种'),
    ('對', '对'),
    ('這', '这'),
    ('們', '们'),
    ('兩', '两'),
    ('間', '间'),
    ('購', '购'),
    ('買', '买'),
    ('資', '资'),
    ('務', '务'),
    ('樣', '样'),
    ('嗎', '吗'),
    ('優', '优'),
    ('點', '点'),
    ('開', '开'),
    ('辦', '办'),
    ('適', '适'),
    ('當', '当'),
    ('試', '试'),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn m() -> PhraseMatcher<&'static str> {
        PhraseMatcher::new(
            [
                ("APR".to_owned(), "apr"),
                ("interest".to_owned(), "interest"),
                ("interest rate".to_owned(), "rate"),
                ("存单".to_owned(), "cd"),
                ("大额存单".to_owned(), "lcd"),
            ],
            true,
        )
    }

    #[test]
    fn longest_match_whole_words() {
        let found = m().find_all("The APR and interest rates; April interests? 大额存单和存单");
        let v: Vec<_> = found.iter().map(|x| x.value).collect();
        assert_eq!(v, ["apr", "rate", "interest", "lcd", "cd"]);
        let text = "The APR and interest rates; April interests? 大额存单和存单";
        assert_eq!(&text[found[1].start..found[1].end], "interest rates");
        assert!(
            m().find_all("aprx, disinterested, interesting, 1apr")
                .is_empty()
        );
    }
}
