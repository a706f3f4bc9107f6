//! Text normalisation shared by training and inference, so that "ＣＡＲＤ", "card" and "Card", or
//! "銀行卡" and "银行卡", reach the featuriser as the same string.
//!
//! Steps, in order: Unicode NFKC (which also turns full-width Latin letters, digits and punctuation into
//! their half-width forms), removal of control and zero-width characters, traditional → simplified
//! Chinese with OpenCC's `t2s` tables (see `t2s`), lower-casing, and collapsing whitespace. The
//! featuriser version (see `features`) must change whenever this output changes.

use crate::t2s::T2s;
use unicode_normalization::UnicodeNormalization;

/// Normalises customer text. Building one parses the OpenCC tables, so build it once and reuse it.
pub struct Normalizer {
    t2s: T2s,
}

impl std::fmt::Debug for Normalizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Normalizer")
    }
}

impl Normalizer {
    /// Loads the traditional → simplified conversion tables.
    pub fn new() -> Self {
        Self { t2s: T2s::new() }
    }

    /// The normalised form of `text`.
    pub fn normalize(&self, text: &str) -> String {
        let nfkc: String = text
            .nfkc()
            .filter(|c| !is_invisible(*c))
            .map(|c| if c.is_whitespace() { ' ' } else { c })
            .collect();
        // OpenCC's tables chain a few characters (薴 → 苧 → 苎): convert until nothing changes, so that
        // normalising normalised text changes nothing (the widget normalises, then the server again).
        let mut simplified = self.t2s.convert(&nfkc);
        for _ in 0..3 {
            let again = self.t2s.convert(&simplified);
            if again == simplified {
                break;
            }
            simplified = again;
        }
        let lower = simplified.to_lowercase();
        let mut out = String::with_capacity(lower.len());
        for word in lower.split_whitespace() {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(word);
        }
        out
    }
}

impl Default for Normalizer {
    fn default() -> Self {
        Self::new()
    }
}

/// Control and format characters (zero-width spaces, joiners, direction marks) carry no meaning for
/// intent detection and are a common source of "same text, different bytes".
fn is_invisible(c: char) -> bool {
    (c.is_control() && !c.is_whitespace())
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_and_case_are_folded() {
        let n = Normalizer::new();
        assert_eq!(
            n.normalize("ＭＹ　ＣＡＲＤ　ｉｓ　ＬＯＳＴ！"),
            "my card is lost!"
        );
    }

    #[test]
    fn traditional_becomes_simplified() {
        let n = Normalizer::new();
        assert_eq!(n.normalize("我的銀行卡丟了"), "我的银行卡丢了");
        assert_eq!(n.normalize("轉賬失敗怎麼辦"), n.normalize("转账失败怎么办"));
        assert_eq!(n.normalize("我的銀行卡不見了"), "我的银行卡不见了");
        assert_eq!(n.normalize("餘額 開戶 帳戶 賬戶"), "余额 开户 帐户 账户");
        assert_eq!(n.normalize("ＡＴＭ取不了錢"), "atm取不了钱");
    }

    #[test]
    fn chained_conversions_settle_so_normalising_twice_changes_nothing() {
        let n = Normalizer::new();
        let once = n.normalize("薴");
        assert_eq!(n.normalize(&once), once);
    }

    #[test]
    fn whitespace_and_invisible_characters_collapse() {
        let n = Normalizer::new();
        assert_eq!(n.normalize("  lost\u{200B} \t card \n "), "lost card");
        assert_eq!(n.normalize(""), "");
    }
}
