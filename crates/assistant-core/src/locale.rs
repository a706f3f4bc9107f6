//! Languages of the conversation and of each question. A conversation has a chosen locale (for the UI),
//! but every answer comes in the language the customer actually typed in: someone who writes "我的卡丢了"
//! in an English conversation gets a Chinese answer.

use serde::{Deserialize, Serialize};

/// The two languages the assistant speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum Lang {
    #[default]
    #[serde(rename = "en")]
    En,
    #[serde(rename = "zh-CN")]
    ZhCn,
}

impl Lang {
    /// BCP 47 tag, for `lang` attributes and speech synthesis.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::ZhCn => "zh-CN",
        }
    }

    /// Parses a locale such as `zh`, `zh-CN`, `zh-Hant-TW`, `en-GB`; anything else is `None`.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "zh" => Some(Lang::ZhCn),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The language `text` is written in, or `fallback` when it has no letters to tell by
    /// (numbers, emoji, punctuation only).
    pub fn of_text(text: &str, fallback: Lang) -> Lang {
        let (mut han, mut latin) = (0usize, 0usize);
        for c in text.chars() {
            if is_han(c) {
                han += 1;
            } else if c.is_ascii_alphabetic() || ('\u{FF21}'..='\u{FF5A}').contains(&c) {
                latin += 1;
            }
        }
        // A Chinese sentence with a few English words ("我的visa卡丢了") is still Chinese; each Han
        // character carries about a word's worth of meaning, so weigh it like ~3 Latin letters.
        match (han, latin) {
            (0, 0) => fallback,
            (h, l) if h * 3 >= l => Lang::ZhCn,
            _ => Lang::En,
        }
    }
}

/// Han characters (CJK unified ideographs and extensions).
pub fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2EBEF)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_of_questions() {
        assert_eq!(Lang::of_text("I lost my card", Lang::ZhCn), Lang::En);
        assert_eq!(Lang::of_text("我的银行卡丢了", Lang::En), Lang::ZhCn);
        assert_eq!(Lang::of_text("我的visa卡丢了怎么办", Lang::En), Lang::ZhCn);
        assert_eq!(Lang::of_text("我的銀行卡不見了", Lang::En), Lang::ZhCn);
        assert_eq!(Lang::of_text("👍 123", Lang::ZhCn), Lang::ZhCn);
    }

    #[test]
    fn tags() {
        assert_eq!(Lang::from_tag("zh-Hant-TW"), Some(Lang::ZhCn));
        assert_eq!(Lang::from_tag("en_GB"), Some(Lang::En));
        assert_eq!(Lang::from_tag("fr"), None);
        assert_eq!(serde_json::to_string(&Lang::ZhCn).unwrap(), "\"zh-CN\"");
    }
}
