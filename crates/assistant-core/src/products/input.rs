//! Reading what a customer types into a calculator: amounts ("10,000", "¥1.5万", "一万五千", "3k",
//! full-width "１００００"), rates ("3.5%") and terms ("1年", "18 months", "半年"), with calm, typed errors
//! in both languages.
//!
//! Why hand-written rather than a crate: no maintained crate parses colloquial Chinese amounts
//! ("一万五" = 15,000, "两千五" = 2,500) together with Western grouping, and the rules are short enough to
//! test completely here.
//!
//! Decisions: "k"/"K" means thousand and "w"/"W" means 万 (both common in chat); "m" is refused as
//! ambiguous (million or months). A bare number of months has no unit word: `parse_term` reads "12" as
//! 12 months, so the UI should label that field "months".

use super::money::Money;
use crate::locale::Lang;
use serde::{Deserialize, Serialize};

/// The largest amount the calculators accept: ¥100,000,000 (一亿).
pub const MAX_AMOUNT: Money = Money::from_fen(100_000_000 * 100);
/// The longest term the calculators accept: 30 years.
pub const MAX_TERM_MONTHS: u32 = 360;
/// The highest yearly rate accepted (well above any legal consumer rate in China).
pub const MAX_RATE_PCT: f64 = 36.0;
/// The highest daily rate accepted (0.1% a day = 36.5% a year).
pub const MAX_DAILY_RATE_PCT: f64 = 0.1;

/// Why an input was refused. [`InputError::message`] says it kindly in either language.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "error", rename_all = "snake_case")]
pub enum InputError {
    #[error("empty")]
    Empty,
    #[error("not a number")]
    NotANumber,
    #[error("negative")]
    Negative,
    #[error("zero")]
    Zero,
    #[error("more than two decimal places")]
    TooManyDecimals,
    #[error("above the maximum")]
    TooLarge { max: Money },
    #[error("term too long")]
    TermTooLong { max_months: u32 },
    #[error("rate too high")]
    RateTooHigh { max_pct: f64 },
    #[error("no unit")]
    MissingUnit,
}

impl InputError {
    /// A friendly sentence for the customer.
    pub fn message(&self, lang: Lang) -> String {
        use InputError::*;
        match (self, lang) {
            (Empty, Lang::En) => "Please enter a number.".into(),
            (Empty, Lang::ZhCn) => "请输入一个数字。".into(),
            (NotANumber, Lang::En) => {
                "Sorry, I could not read that as a number. Try something like 10000 or 1.5万."
                    .into()
            }
            (NotANumber, Lang::ZhCn) => "抱歉，没看懂这个数字。可以写成10000或1.5万。".into(),
            (Negative, Lang::En) => {
                "Please enter a number above zero, without a minus sign.".into()
            }
            (Negative, Lang::ZhCn) => "请输入大于0的数，不要带负号。".into(),
            (Zero, Lang::En) => "Please enter a number greater than zero.".into(),
            (Zero, Lang::ZhCn) => "请输入大于0的数。".into(),
            (TooManyDecimals, Lang::En) => "Please use at most two decimal places.".into(),
            (TooManyDecimals, Lang::ZhCn) => "小数点后最多两位。".into(),
            (TooLarge { max }, Lang::En) => format!(
                "That is more than this calculator handles. Please enter up to {}.",
                max.format_short()
            ),
            (TooLarge { max }, Lang::ZhCn) => {
                format!("金额太大了，请输入不超过{}的金额。", max.format_short())
            }
            (TermTooLong { max_months }, Lang::En) => {
                format!("Please enter a term of up to {} years.", max_months / 12)
            }
            (TermTooLong { max_months }, Lang::ZhCn) => {
                format!("期限最长{}年，请重新输入。", max_months / 12)
            }
            (RateTooHigh { max_pct }, Lang::En) => {
                format!("That rate looks too high. Please enter up to {max_pct}%.")
            }
            (RateTooHigh { max_pct }, Lang::ZhCn) => {
                format!("利率好像太高了，请输入不超过{max_pct}%的数。")
            }
            (MissingUnit, Lang::En) => {
                "Please say months or years, such as 6 months or 2 years.".into()
            }
            (MissingUnit, Lang::ZhCn) => "请写明是几个月还是几年，比如6个月或2年。".into(),
        }
    }
}

/// Reads an amount of yuan. Accepts grouping commas, a yuan sign or word (¥ ￥ 元 块 RMB CNY 人民币),
/// full-width digits, Chinese numerals (一万五千, 两万, 十万, 壹万), 万/亿 with digits (1.5万, 1万5),
/// and k/w suffixes (3k, 2w). Checks it is above zero and at most [`MAX_AMOUNT`]. `lang` is unused by
/// the parser itself (both forms are always understood) but kept so callers state whose input it is.
pub fn parse_amount(text: &str, _lang: Lang) -> Result<Money, InputError> {
    let (negative, body) = strip_sign(&fold_width(text));
    let body = strip_currency(&body);
    if body.is_empty() {
        return Err(if negative {
            InputError::NotANumber
        } else {
            InputError::Empty
        });
    }
    let value = parse_number(&body)?;
    if negative && value > 0.0 {
        return Err(InputError::Negative);
    }
    if value == 0.0 {
        return Err(InputError::Zero);
    }
    if value > MAX_AMOUNT.yuan() {
        return Err(InputError::TooLarge { max: MAX_AMOUNT });
    }
    Ok(Money::from_yuan(value))
}

/// Reads a yearly rate in percent: "3.5", "3.5%", "年化3.5%", "３.５％". Zero is allowed (interest-free).
pub fn parse_rate(text: &str, _lang: Lang) -> Result<f64, InputError> {
    let (negative, body) = strip_sign(&fold_width(text));
    let body: String = body
        .trim_start_matches("年化利率")
        .trim_start_matches("年利率")
        .trim_start_matches("年化")
        .trim_end_matches('%')
        .trim()
        .to_owned();
    if body.is_empty() {
        return Err(InputError::Empty);
    }
    if !body.chars().all(|c| c.is_ascii_digit() || c == '.') || body.matches('.').count() > 1 {
        return Err(InputError::NotANumber);
    }
    let v: f64 = body.parse().map_err(|_| InputError::NotANumber)?;
    if negative && v > 0.0 {
        return Err(InputError::Negative);
    }
    if v > MAX_RATE_PCT {
        return Err(InputError::RateTooHigh {
            max_pct: MAX_RATE_PCT,
        });
    }
    Ok(v)
}

/// Reads a term and returns months: "12", "12 months", "18个月", "1 year", "2 yrs", "1年", "一年",
/// "半年", "两年半", "3年6个月". A bare number is months. Checks 1..=[`MAX_TERM_MONTHS`].
pub fn parse_term(text: &str, _lang: Lang) -> Result<u32, InputError> {
    let (negative, body) = strip_sign(&fold_width(text));
    let s = body.to_lowercase();
    if s.is_empty() {
        return Err(InputError::Empty);
    }
    let mut months = 0.0;
    let mut rest = s.as_str();
    let mut any = false;
    while !rest.is_empty() {
        rest = rest.trim_start();
        if let Some(r) = rest.strip_prefix("半年") {
            months += 6.0;
            rest = r;
            any = true;
            continue;
        }
        let end = rest
            .char_indices()
            .find(|(_, c)| !(c.is_ascii_digit() || *c == '.' || is_cn_numeral(*c)))
            .map_or(rest.len(), |(i, _)| i);
        if end == 0 {
            return Err(InputError::NotANumber);
        }
        let n = parse_number(&rest[..end])?;
        let after = rest[end..].trim_start();
        const YEARS: [&str; 7] = ["years", "year", "yrs", "yr", "y", "年期", "年"];
        const MONTHS: [&str; 8] = ["months", "month", "mos", "mo", "个月", "個月", "月", "期"];
        let unit = |words: &[&'static str]| words.iter().find(|w| after.starts_with(**w)).copied();
        if let Some(w) = unit(&YEARS) {
            months += n * 12.0;
            rest = &after[w.len()..];
            if let Some(r) = rest.strip_prefix('半') {
                months += 6.0;
                rest = r;
            }
        } else if let Some(w) = unit(&MONTHS) {
            months += n;
            rest = &after[w.len()..];
        } else if after.is_empty() && !any {
            months += n;
            rest = after;
        } else {
            return Err(InputError::MissingUnit);
        }
        any = true;
    }
    if negative && months > 0.0 {
        return Err(InputError::Negative);
    }
    if months == 0.0 {
        return Err(InputError::Zero);
    }
    if months.fract() != 0.0 {
        return Err(InputError::MissingUnit);
    }
    if months > MAX_TERM_MONTHS as f64 {
        return Err(InputError::TermTooLong {
            max_months: MAX_TERM_MONTHS,
        });
    }
    Ok(months as u32)
}

/// Full-width digits, letters and punctuation to ASCII; trims.
fn fold_width(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            '\u{2212}' | '\u{2013}' | '\u{2014}' => '-',
            '。' => '.',
            _ => c,
        })
        .collect::<String>()
        .trim()
        .to_owned()
}

fn strip_sign(s: &str) -> (bool, String) {
    let s = s.trim();
    for p in ["-", "负", "負"] {
        if let Some(r) = s.strip_prefix(p) {
            return (true, r.trim().to_owned());
        }
    }
    (false, s.strip_prefix('+').unwrap_or(s).trim().to_owned())
}

fn strip_currency(s: &str) -> String {
    let mut t = s.to_lowercase();
    for w in [
        "人民币",
        "人民幣",
        "rmb",
        "cny",
        "¥",
        "￥",
        "块钱",
        "塊錢",
        "元",
        "块",
        "塊",
        "圆",
        "圓",
    ] {
        t = t.replace(w, "");
    }
    t.chars()
        .filter(|c| !c.is_whitespace() && *c != ',' && *c != '_')
        .collect()
}

fn cn_digit(c: char) -> Option<u32> {
    Some(match c {
        '零' | '〇' => 0,
        '一' | '壹' | '幺' => 1,
        '二' | '两' | '兩' | '贰' | '貳' => 2,
        '三' | '叁' | '參' => 3,
        '四' | '肆' => 4,
        '五' | '伍' => 5,
        '六' | '陆' | '陸' => 6,
        '七' | '柒' => 7,
        '八' | '捌' => 8,
        '九' | '玖' => 9,
        _ => return None,
    })
}

fn cn_small_unit(c: char) -> Option<f64> {
    Some(match c {
        '十' | '拾' => 10.0,
        '百' | '佰' => 100.0,
        '千' | '仟' | 'k' => 1000.0,
        _ => return None,
    })
}

fn cn_big_unit(c: char) -> Option<f64> {
    Some(match c {
        '万' | '萬' | 'w' => 1e4,
        '亿' | '億' => 1e8,
        _ => return None,
    })
}

fn is_cn_numeral(c: char) -> bool {
    cn_digit(c).is_some() || cn_small_unit(c).is_some() || cn_big_unit(c).is_some()
}

/// A number written with ASCII digits and/or Chinese numerals and units. Lower-case input.
fn parse_number(s: &str) -> Result<f64, InputError> {
    let s = s.to_lowercase();
    if s.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return plain_decimal(&s);
    }
    if !s
        .chars()
        .all(|c| c.is_ascii_digit() || c == '.' || is_cn_numeral(c))
    {
        return Err(InputError::NotANumber);
    }
    // Sections: `total` holds whole 亿/万 groups, `section` the part below 万, `cur` the last number.
    let (mut total, mut section) = (0.0f64, 0.0f64);
    let mut cur: Option<f64> = None;
    let mut last_unit = 1.0; // the unit just used, for colloquial "一万五" (= 15,000)
    let mut after_zero = false;
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_ascii_digit() || c == '.' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            let digits: String = chars[start..i].iter().collect();
            if cur.is_some() {
                return Err(InputError::NotANumber);
            }
            cur = Some(plain_decimal(&digits)?);
            continue;
        }
        if let Some(d) = cn_digit(c) {
            if d == 0 {
                after_zero = true;
            } else {
                if cur.is_some() {
                    return Err(InputError::NotANumber);
                }
                cur = Some(d as f64);
            }
        } else if let Some(u) = cn_small_unit(c) {
            // "十万" and "十五": a bare 十 means one ten.
            section += cur.take().unwrap_or(if u == 10.0 { 1.0 } else { f64::NAN }) * u;
            last_unit = u;
            after_zero = false;
        } else if let Some(u) = cn_big_unit(c) {
            let group = section + cur.take().unwrap_or(0.0);
            if group == 0.0 && total == 0.0 {
                return Err(InputError::NotANumber);
            }
            if u == 1e8 {
                total = (total + group) * u;
            } else {
                total += group * u;
            }
            section = 0.0;
            last_unit = u;
            after_zero = false;
        }
        i += 1;
    }
    if let Some(n) = cur {
        // A trailing digit right after a unit is one step smaller: 一万五 = 15,000, 两千五 = 2,500.
        if last_unit > 1.0 && !after_zero && n < 10.0 && n.fract() == 0.0 {
            let step = if last_unit == 1e4 {
                1000.0
            } else if last_unit == 1e8 {
                1e7
            } else {
                last_unit / 10.0
            };
            section += n * step;
        } else {
            section += n;
        }
    }
    let v = total + section;
    if v.is_nan() {
        return Err(InputError::NotANumber);
    }
    Ok(v)
}

/// "10000", "10000.5", ".5": at most two decimals.
fn plain_decimal(s: &str) -> Result<f64, InputError> {
    if s.is_empty() || s == "." || s.matches('.').count() > 1 {
        return Err(InputError::NotANumber);
    }
    if s.split('.').nth(1).is_some_and(|d| d.len() > 2) {
        return Err(InputError::TooManyDecimals);
    }
    s.parse().map_err(|_| InputError::NotANumber)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn amount(s: &str) -> Result<i64, InputError> {
        parse_amount(s, Lang::ZhCn).map(|m| m.fen / 100)
    }

    #[test]
    fn western_amounts() {
        assert_eq!(amount("10000"), Ok(10_000));
        assert_eq!(amount("10,000"), Ok(10_000));
        assert_eq!(amount("¥10,000"), Ok(10_000));
        assert_eq!(amount(" ￥ 10,000 元 "), Ok(10_000));
        assert_eq!(amount("RMB 5000"), Ok(5_000));
        assert_eq!(amount("１００００"), Ok(10_000));
        assert_eq!(amount("3k"), Ok(3_000));
        assert_eq!(amount("1.5K"), Ok(1_500));
        assert_eq!(
            parse_amount("10000.50", Lang::En).unwrap(),
            Money::from_fen(1_000_050)
        );
    }

    #[test]
    fn chinese_amounts() {
        assert_eq!(amount("1万"), Ok(10_000));
        assert_eq!(amount("一万"), Ok(10_000));
        assert_eq!(amount("一万五千"), Ok(15_000));
        assert_eq!(amount("一万五"), Ok(15_000));
        assert_eq!(amount("1.5万"), Ok(15_000));
        assert_eq!(amount("1万5千"), Ok(15_000));
        assert_eq!(amount("十万"), Ok(100_000));
        assert_eq!(amount("十五万"), Ok(150_000));
        assert_eq!(amount("两万"), Ok(20_000));
        assert_eq!(amount("两千五"), Ok(2_500));
        assert_eq!(amount("一百二十万"), Ok(1_200_000));
        assert_eq!(amount("一万零五"), Ok(10_005));
        assert_eq!(amount("三千块"), Ok(3_000));
        assert_eq!(amount("壹万贰仟"), Ok(12_000));
        assert_eq!(amount("2w"), Ok(20_000));
        assert_eq!(amount("一亿"), Ok(100_000_000));
        assert_eq!(amount("五百"), Ok(500));
    }

    #[test]
    fn bad_amounts_get_friendly_errors() {
        assert_eq!(amount(""), Err(InputError::Empty));
        assert_eq!(amount("  "), Err(InputError::Empty));
        assert_eq!(amount("-100"), Err(InputError::Negative));
        assert_eq!(amount("−100"), Err(InputError::Negative));
        assert_eq!(amount("负一万"), Err(InputError::Negative));
        assert_eq!(amount("0"), Err(InputError::Zero));
        assert_eq!(amount("零"), Err(InputError::Zero));
        assert_eq!(amount("abc"), Err(InputError::NotANumber));
        assert_eq!(amount("lots"), Err(InputError::NotANumber));
        assert_eq!(amount("很多钱"), Err(InputError::NotANumber));
        assert_eq!(amount("1.2.3"), Err(InputError::NotANumber));
        assert_eq!(amount("万"), Err(InputError::NotANumber));
        assert_eq!(amount("10.555"), Err(InputError::TooManyDecimals));
        assert_eq!(amount("2m"), Err(InputError::NotANumber));
        assert!(matches!(amount("2亿"), Err(InputError::TooLarge { .. })));
        assert!(matches!(
            amount("999999999999"),
            Err(InputError::TooLarge { .. })
        ));
        let e = amount("2亿").unwrap_err();
        assert_eq!(
            e.message(Lang::En),
            "That is more than this calculator handles. Please enter up to ¥100,000,000."
        );
        assert_eq!(
            e.message(Lang::ZhCn),
            "金额太大了，请输入不超过¥100,000,000的金额。"
        );
        assert_eq!(
            InputError::Negative.message(Lang::ZhCn),
            "请输入大于0的数，不要带负号。"
        );
    }

    #[test]
    fn rates() {
        assert_eq!(parse_rate("3.5", Lang::En), Ok(3.5));
        assert_eq!(parse_rate("3.5%", Lang::En), Ok(3.5));
        assert_eq!(parse_rate("年化3.5%", Lang::ZhCn), Ok(3.5));
        assert_eq!(parse_rate("３．５％", Lang::ZhCn), Ok(3.5));
        assert_eq!(parse_rate("0", Lang::En), Ok(0.0));
        assert_eq!(parse_rate("-2", Lang::En), Err(InputError::Negative));
        assert_eq!(parse_rate("abc", Lang::En), Err(InputError::NotANumber));
        assert!(matches!(
            parse_rate("99", Lang::En),
            Err(InputError::RateTooHigh { .. })
        ));
    }

    #[test]
    fn terms() {
        let t = |s| parse_term(s, Lang::En);
        assert_eq!(t("12"), Ok(12));
        assert_eq!(t("12 months"), Ok(12));
        assert_eq!(t("1 year"), Ok(12));
        assert_eq!(t("2 yrs"), Ok(24));
        assert_eq!(t("1年"), Ok(12));
        assert_eq!(t("一年"), Ok(12));
        assert_eq!(t("三个月"), Ok(3));
        assert_eq!(t("18个月"), Ok(18));
        assert_eq!(t("半年"), Ok(6));
        assert_eq!(t("两年半"), Ok(30));
        assert_eq!(t("3年6个月"), Ok(42));
        assert_eq!(t("30年"), Ok(360));
        assert_eq!(t("12期"), Ok(12));
        assert_eq!(t("0"), Err(InputError::Zero));
        assert_eq!(t("-1 year"), Err(InputError::Negative));
        assert_eq!(t("forever"), Err(InputError::NotANumber));
        assert_eq!(t("3 weeks"), Err(InputError::MissingUnit));
        assert!(matches!(t("31年"), Err(InputError::TermTooLong { .. })));
    }
}
