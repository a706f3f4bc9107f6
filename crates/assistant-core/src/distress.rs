//! Distress detection: whether a customer's own words show they are upset (angry, anxious or
//! frightened), so that the widget offers a person whatever the intent model says.
//!
//! It lives apart from [`crate::routing`] because it is a policy of its own with its own labelled
//! evaluation set (`tests/data/distress/`, measured with `assistant distress FILE.csv`): the routing
//! decision only asks it a yes/no question. It runs on the UI thread before any model, so it is plain
//! string matching, with no dependencies beyond `std`.

/// Words that, on their own, show a customer is angry or in distress. Deliberately short and strong:
/// "lost" or "stolen" are topics, not distress; a false alarm only offers a person, it hides nothing.
const DISTRESS_MARKERS: &[&str] = &[
    "furious",
    "outraged",
    "livid",
    "disgusted",
    "disgusting",
    "unacceptable",
    "ridiculous",
    "pathetic",
    "useless bank",
    "worst bank",
    "i hate",
    "fed up",
    "sick of",
    "scammed",
    "scammers",
    "lawyer",
    "sue you",
    "desperate",
    "panicking",
    "panic",
    "气死",
    "太差",
    "垃圾",
    "骗子",
    "受不了",
    "崩溃",
    "愤怒",
    "火大",
    "无语",
    "坑人",
    "太过分",
    "什么破",
    "急死",
    "绝望",
    "要疯了",
    "欺负人",
    "氣死",
    "垃圾銀行",
    "騙子",
    "崩潰",
    "憤怒",
    "太過分",
    "絕望",
];

/// Clear signs of anger or distress: a strong marker word, a run of `!!!`, or shouting in capitals.
pub fn is_distressed(raw_text: &str) -> bool {
    let lower = raw_text.to_lowercase();
    if DISTRESS_MARKERS.iter().any(|m| lower.contains(m)) {
        return true;
    }
    if lower.contains("!!!") || lower.contains("！！！") {
        return true;
    }
    let shouted = raw_text
        .split_whitespace()
        .filter(|w| w.chars().filter(|c| c.is_alphabetic()).count() >= 3)
        .filter(|w| w.chars().all(|c| !c.is_alphabetic() || c.is_uppercase()))
        .count();
    shouted >= 4
}
