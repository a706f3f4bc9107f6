//! Which part of a product the customer asked about: "信用卡年费多少钱" asks about fees, "我想提前还房贷"
//! about getting out early. The card then opens at that part, with its first sentence as the answer.
//!
//! Why words and not the model: a facet cuts across all nine products (a fee question about a credit
//! card and one about a fund share their words, not their intent), the cues are few and plain in both
//! languages, and a miss costs nothing worse than today's general card. Input is normalised text
//! (lower case, simplified Chinese: `normalize::Normalizer`), so traditional input matches too.
//! Measured on the customers'-words dev set (`assistant eval training/customer/dev.csv`).

use super::card::SectionKey;
use serde::{Deserialize, Serialize};

/// A part of a product a question can be about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Facet {
    Fees,
    Rate,
    Risk,
    /// Early withdrawal or early repayment.
    EarlyExit,
    Eligibility,
    HowToApply,
    HowLong,
}

/// Cues per facet, in the order they are tried: the more specific first ("early repayment fee" is
/// about getting out early, "interest-free period" about how long, before "fee" and "interest").
const CUES: [(Facet, &[&str]); 7] = [
    (
        Facet::EarlyExit,
        &[
            "early",
            "before it ends",
            "before the end",
            "before maturity",
            "pay off",
            "pay it off",
            "paying off",
            "overpay",
            "take my money out",
            "take money out",
            "take it out",
            "get my money out",
            "withdraw before",
            "cash out",
            "break the",
            "cancel it",
            "提前",
            "中途",
            "没到期",
            "未到期",
            "还没到期",
            "取出来",
            "赎回",
            "退出",
            "一次性还清",
            "还清",
        ],
    ),
    (
        Facet::HowLong,
        &[
            "how long",
            "how many years",
            "how many months",
            "what term",
            "which terms",
            "interest-free period",
            "interest free period",
            "grace period",
            "maximum term",
            "how many weeks",
            "how many days",
            "多久",
            "多长时间",
            "几年",
            "几个月",
            "几天",
            "几周",
            "期限",
            "存期",
            "免息期",
            "最长",
            "多少年",
        ],
    ),
    (
        Facet::Fees,
        &[
            "fee",
            "charge",
            "cost",
            "commission",
            "how much does it cost",
            "pay anything",
            "free?",
            "is it free",
            "年费",
            "手续费",
            "费用",
            "收费",
            "管理费",
            "要钱吗",
            "收钱",
            "免费吗",
            "扣钱",
        ],
    ),
    (
        Facet::Rate,
        &[
            "interest",
            "rate",
            "apr",
            "apy",
            "return",
            "yield",
            "how much will i earn",
            "how much do i get",
            "利率",
            "利息",
            "收益",
            "回报",
            "年化",
            "能赚",
            "赚多少",
        ],
    ),
    (
        Facet::Risk,
        &[
            "risk",
            "safe",
            "lose",
            "losing",
            "loss",
            "guaranteed",
            "protected",
            "insured",
            "风险",
            "安全吗",
            "亏",
            "保本",
            "靠谱",
            "稳不稳",
            "会不会赔",
            "赔钱",
            "损失",
        ],
    ),
    (
        Facet::Eligibility,
        &[
            "eligible",
            "eligibility",
            "qualify",
            "requirement",
            "who can",
            "can i get",
            "am i able",
            "can i have",
            "can i apply",
            "could i apply",
            "credit score",
            "too old",
            "retired",
            "条件",
            "资格",
            "要求",
            "能不能办",
            "可以办吗",
            "能办吗",
            "能申请",
            "可以申请",
            "才能",
            "谁能",
            "适合",
            "门槛",
            "够不够",
            "退休",
        ],
    ),
    (
        Facet::HowToApply,
        &[
            "apply",
            "application",
            "sign up",
            "how do i get",
            "how to get",
            "how can i get",
            "how do i open",
            "open one",
            "where do i",
            "申请",
            "怎么办理",
            "如何办理",
            "怎么办",
            "办理",
            "在哪办",
            "怎么开",
            "怎么买",
            "怎么存",
            "怎么申请",
        ],
    ),
];

impl Facet {
    /// The facet `normalized` asks about, if any.
    pub fn detect(normalized: &str) -> Option<Facet> {
        CUES.iter()
            .find(|(_, cues)| cues.iter().any(|c| has_cue(normalized, c)))
            .map(|(f, _)| *f)
    }

    /// The card section that answers it.
    pub fn section(self) -> SectionKey {
        match self {
            Facet::Fees => SectionKey::Costs,
            Facet::Rate => SectionKey::Returns,
            Facet::Risk => SectionKey::Risk,
            Facet::EarlyExit => SectionKey::GetOut,
            Facet::Eligibility => SectionKey::Suits,
            Facet::HowToApply | Facet::HowLong => SectionKey::GetIt,
        }
    }

    /// The name used in data files and `data-facet`.
    pub fn name(self) -> &'static str {
        match self {
            Facet::Fees => "fees",
            Facet::Rate => "rate",
            Facet::Risk => "risk",
            Facet::EarlyExit => "early_exit",
            Facet::Eligibility => "eligibility",
            Facet::HowToApply => "how_to_apply",
            Facet::HowLong => "how_long",
        }
    }
}

/// Whether `cue` occurs in `text`; an English cue only at the start of a word ("apr" is not in
/// "appropriate"; "fee" is in "fees").
fn has_cue(text: &str, cue: &str) -> bool {
    if !cue.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return text.contains(cue);
    }
    text.match_indices(cue).any(|(i, _)| {
        !text[..i]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric())
    })
}

/// The first sentence of `text` (up to and including its full stop), for the one-sentence answer.
pub fn first_sentence(text: &str) -> &str {
    let line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let end = line
        .char_indices()
        .find(|&(i, c)| {
            matches!(c, '。' | '！' | '？')
                || (matches!(c, '.' | '!' | '?')
                    && line[i + 1..].chars().next().is_none_or(char::is_whitespace)
                    && !line[..i].ends_with("e.g")
                    && !line[..i].ends_with("i.e"))
        })
        .map_or(line.len(), |(i, c)| i + c.len_utf8());
    line[..end].trim()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn customers_questions_find_their_facet() {
        for (q, f) in [
            ("信用卡年费多少钱", Facet::Fees),
            ("credit card, is there an annual fee?", Facet::Fees),
            ("我想提前还房贷", Facet::EarlyExit),
            (
                "can i pay off my mortgage early without a fee",
                Facet::EarlyExit,
            ),
            ("what's the interest rate on a fixed deposit", Facet::Rate),
            ("理财会不会亏本", Facet::Risk),
            ("is the money market fund safe", Facet::Risk),
            ("how do i apply for a credit card", Facet::HowToApply),
            ("贷款要什么条件", Facet::Eligibility),
            ("定期最长能存几年", Facet::HowLong),
        ] {
            assert_eq!(Facet::detect(q), Some(f), "{q}");
        }
        assert_eq!(Facet::detect("tell me about mortgages"), None);
        assert_eq!(Facet::detect("房贷是什么"), None);
        assert_eq!(Facet::detect("is it appropriate for me"), None);
    }

    #[test]
    fn the_first_sentence_ends_at_its_full_stop() {
        assert_eq!(
            first_sentence("There is no fee. The cost is lower interest."),
            "There is no fee."
        );
        assert_eq!(first_sentence("不收年费。刷卡满6次免年费。"), "不收年费。");
        assert_eq!(
            first_sentence("About 0.3% a year, e.g. on ¥1.50"),
            "About 0.3% a year, e.g. on ¥1.50"
        );
    }
}
