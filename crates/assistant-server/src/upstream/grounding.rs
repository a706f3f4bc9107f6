//! The check every language model answer passes before a customer sees it: it must cite one of the
//! passages it was given (`[P1]`), cite none it was not given, and every number in it must appear in a
//! passage it cites. Anything else is "not sure" and the customer is offered a person.
//!
//! Why in Rust and not only in the prompt: the prompt asks the model to answer only from the passages,
//! but a model can still invent a fee, a rate or a phone number, and in a bank a wrong number is the
//! costly mistake. A citation proves nothing on its own; the numbers are what a customer acts on, so
//! they are checked against the cited text. Pure functions, so they are tested without a network.
//!
//! Numbers: runs of digits (ASCII or full-width) with `.`/`,` between digits (`0.5`, `1,000`), so
//! `0.5%`, `£25`, `24/7` (two numbers) and `5万` are all checked by their digits; a number followed by
//! 万/萬 (×10⁴) or 亿/億 (×10⁸) also counts as its value, so `5万` is supported by `50,000` and the
//! other way round. Numbers spelled in Chinese characters (五十) are not recognised: models quoting a
//! passage keep its digits, and reading every 一 in 一下 as "1" would refuse good answers.

/// A checked answer: the text without citation markers, and which passages (by index) it cited.
#[derive(Debug, Clone, PartialEq)]
pub struct Grounded {
    pub text: String,
    pub cited: Vec<usize>,
}

/// The reply a model gives when the passages do not answer the question.
pub const NOT_SURE: &str = "NOT_SURE";

/// The marker for the `i`-th passage (0-based) in the prompt.
pub fn marker(i: usize) -> String {
    format!("P{}", i + 1)
}

/// Checks `answer` against the `passages` it was given (their texts, in prompt order). `None`: not
/// sure (a refusal, no citation, a citation of a passage not given, or a number no cited passage has).
pub fn check(answer: &str, passages: &[&str]) -> Option<Grounded> {
    let answer = answer.trim();
    if answer.is_empty() || answer.contains(NOT_SURE) {
        return None;
    }
    let (text, cited) = strip_citations(answer, passages.len())?;
    if cited.is_empty() || text.is_empty() {
        return None;
    }
    let supported: Vec<f64> = cited
        .iter()
        .flat_map(|&i| numbers(passages[i]))
        .flatten()
        .collect();
    let all_supported = numbers(&text).iter().all(|values| {
        values.iter().any(|n| {
            supported
                .iter()
                .any(|s| (s - n).abs() <= 1e-9 * n.abs().max(1.0))
        })
    });
    all_supported.then_some(Grounded { text, cited })
}

fn fold(c: char) -> char {
    match c {
        '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
        '．' => '.',
        '，' => ',',
        _ => c,
    }
}

/// Removes `[P1]`, `[P1, P2]`, `[P1][P3]`, `【P1】`, `［P1］` markers (and a space before one), returning
/// the text and the cited passage indices, in order of first citation. `None` when a marker names a
/// passage that was not given (the model invented a source). Brackets that are not markers stay.
fn strip_citations(answer: &str, n: usize) -> Option<(String, Vec<usize>)> {
    let chars: Vec<char> = answer.chars().collect();
    let mut out = String::with_capacity(answer.len());
    let mut cited = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if matches!(chars[i], '[' | '【' | '［')
            && let Some(end) = chars[i + 1..]
                .iter()
                .position(|c| matches!(c, ']' | '】' | '］'))
        {
            let inner: String = chars[i + 1..i + 1 + end].iter().collect();
            if let Some(ids) = marker_ids(&inner) {
                for id in ids {
                    if id == 0 || id > n {
                        return None;
                    }
                    if !cited.contains(&(id - 1)) {
                        cited.push(id - 1);
                    }
                }
                while out.ends_with([' ', '\u{3000}']) {
                    out.pop();
                }
                i += end + 2;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    Some((out.trim().to_owned(), cited))
}

/// `P1`, `P1, P2`, `P1 P2`, `p1；P2` → [1, 2]; anything else is not a marker.
fn marker_ids(inner: &str) -> Option<Vec<usize>> {
    let ids: Vec<usize> = inner
        .split([',', ';', ' ', '，', '；', '、'])
        .filter(|t| !t.is_empty())
        .map(|t| {
            let t: String = t.chars().map(fold).collect();
            t.strip_prefix(['P', 'p', 'Ｐ'])?.parse().ok()
        })
        .collect::<Option<_>>()?;
    (!ids.is_empty()).then_some(ids)
}

/// Every number in `text`, each as the values it may mean: its digits, and with 万/亿 after it also
/// its value (`5万` → [5, 50000]).
fn numbers(text: &str) -> Vec<Vec<f64>> {
    let c: Vec<char> = text.chars().map(fold).collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < c.len() {
        if !c[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let mut s = String::new();
        while i < c.len() {
            let ch = c[i];
            let joins = matches!(ch, '.' | ',')
                && c.get(i + 1).is_some_and(char::is_ascii_digit)
                && !s.is_empty();
            if ch.is_ascii_digit() || joins {
                if ch != ',' {
                    s.push(ch);
                }
                i += 1;
            } else {
                break;
            }
        }
        let Ok(v) = s.parse::<f64>() else { continue };
        out.push(match c.get(i) {
            Some('万' | '萬') => vec![v, v * 1e4],
            Some('亿' | '億') => vec![v, v * 1e8],
            _ => vec![v],
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const FEES: &str = "Sending money abroad costs £25 per payment. Our phone line is open 24/7.";
    const RATE: &str = "The easy saver pays 0.5% a year on balances up to £10,000.";
    const ZH: &str = "每笔境外汇款手续费 25 元。大额存单起存金额为 20万 元，年利率 1.5%。";

    #[test]
    fn a_cited_answer_with_numbers_from_its_passage_is_shown_without_markers() {
        let g = check(
            "Sending money abroad costs £25 per payment [P1]. We answer 24/7 [P1].",
            &[FEES, RATE],
        )
        .unwrap();
        assert_eq!(
            g.text,
            "Sending money abroad costs £25 per payment. We answer 24/7."
        );
        assert_eq!(g.cited, vec![0]);
        let g = check("It pays 0.5% [P2][P1] on up to £10,000.", &[FEES, RATE]).unwrap();
        assert_eq!(g.cited, vec![1, 0]);
        assert_eq!(g.text, "It pays 0.5% on up to £10,000.");
    }

    #[test]
    fn an_answer_citing_nothing_or_a_passage_not_given_is_not_sure() {
        assert_eq!(check("Sending money abroad costs £25.", &[FEES]), None);
        assert_eq!(check("It costs £25 [P3].", &[FEES, RATE]), None);
        assert_eq!(check("It costs £25 [P0].", &[FEES]), None);
        assert_eq!(check("[P1]", &[FEES]), None, "a marker alone says nothing");
    }

    #[test]
    fn a_number_not_in_a_cited_passage_is_not_sure() {
        assert_eq!(check("It costs £20 [P1].", &[FEES]), None);
        assert_eq!(check("It pays 0.75% [P2].", &[FEES, RATE]), None);
        assert_eq!(
            check("It pays 0.5% [P1].", &[FEES, RATE]),
            None,
            "0.5% is in a passage, but not the one cited"
        );
        assert_eq!(
            check("Call us on 0800 123 456 [P1].", &[FEES]),
            None,
            "an invented phone number"
        );
        assert_eq!(
            check("It costs £2 [P1].", &[FEES]),
            None,
            "2 is not 25 or 24"
        );
    }

    #[test]
    fn refusals_and_empty_answers_are_not_sure() {
        assert_eq!(check("NOT_SURE", &[FEES]), None);
        assert_eq!(check("  NOT_SURE.  ", &[FEES]), None);
        assert_eq!(check("", &[FEES]), None);
        assert_eq!(check("I'm not sure. NOT_SURE [P1]", &[FEES]), None);
    }

    #[test]
    fn brackets_that_are_not_markers_stay_and_markers_come_in_several_forms() {
        let g = check("Choose [Transfer] then [Abroad] [P1, P2].", &[FEES, RATE]).unwrap();
        assert_eq!(g.text, "Choose [Transfer] then [Abroad].");
        assert_eq!(g.cited, vec![0, 1]);
    }

    #[test]
    fn chinese_answers_are_checked_by_their_digits() {
        let g = check("境外汇款每笔手续费25元【P1】。", &[ZH]).unwrap();
        assert_eq!(g.text, "境外汇款每笔手续费25元。");
        assert_eq!(g.cited, vec![0]);
        assert!(check("大额存单20万元起存［P1］，年利率1.5%。", &[ZH]).is_some());
        assert!(
            check("大额存单２０万元起存[P1]。", &[ZH]).is_some(),
            "full-width digits"
        );
        assert_eq!(check("手续费50元【P1】。", &[ZH]), None);
        assert_eq!(check("年利率2.5%【P1】。", &[ZH]), None);
        assert_eq!(check("手续费25元。", &[ZH]), None, "no citation");
    }

    #[test]
    fn wan_and_yi_match_the_same_amount_written_in_digits() {
        let p = "Fixed deposits start at 200,000 yuan.";
        assert!(check("大额存单20万元起存【P1】。", &[p]).is_some());
        assert_eq!(check("大额存单5万元起存【P1】。", &[p]), None);
        assert!(check("Deposits start at 200,000 yuan [P1].", &[ZH]).is_some());
        assert!(check("1亿 [P1]", &["100,000,000"]).is_some());
    }
}
