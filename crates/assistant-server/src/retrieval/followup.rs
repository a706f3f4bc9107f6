//! Follow-up questions. "And how much does that cost?", "what about my other card?", "那提前取呢？"
//! name no topic: they lean on the question before. The widget sends the last few lines of the
//! conversation (masked) with a server question; when a question reads as a follow-up, the server
//! searches it together with the customer's previous question, so the topic comes from there and
//! the part asked about ("cost", "提前取") from the follow-up.
//!
//! Reading a follow-up is a rule, not a model: it must work the same in both languages on a few
//! words, and a wrong guess costs little: the joined search still has to be confident, and its
//! answers are ranked with the follow-up's own words counting too (`rerank`).

use super::Hit;
use assistant_core::api::{Role, TranscriptLine};
use assistant_core::locale::is_han;

/// English openings of a question that continues the previous one.
const EN_OPENINGS: &[&str] = &[
    "and ",
    "what about",
    "how about",
    "what if",
    "also ",
    "but ",
    "so ",
    "ok and",
    "ok so",
    "same for",
    "is that",
    "does that",
    "does it",
    "is it",
    "can i do that",
    "how do i do that",
];
/// English words that point back at something said before.
const EN_POINTERS: &[&str] = &["that", "it", "this", "them", "those", "these", "one"];
/// Chinese openings, endings and pointers.
const ZH_OPENINGS: &[&str] = &[
    "那",
    "那么",
    "还有",
    "另外",
    "如果",
    "要是",
    "那如果",
    "再问",
];
const ZH_POINTERS: &[&str] = &["这个", "那个", "它", "这些", "那些", "这样", "上面"];

/// Whether `text` (the customer's question, any case) reads as a follow-up.
pub fn reads_as_follow_up(text: &str) -> bool {
    let t = text.trim().to_lowercase();
    let han = t.chars().filter(|&c| is_han(c)).count();
    if han > 0 {
        let core: String = t
            .chars()
            .filter(|c| !c.is_ascii_punctuation() && !"？！。，、 ".contains(*c))
            .collect();
        return ZH_OPENINGS.iter().any(|o| core.starts_with(o))
            || core.ends_with('呢')
            || ZH_POINTERS.iter().any(|p| core.contains(p))
            || han <= 4;
    }
    let words: Vec<&str> = t
        .split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|w| !w.is_empty())
        .collect();
    EN_OPENINGS.iter().any(|o| t.starts_with(o))
        || (words.len() <= 8 && words.iter().any(|w| EN_POINTERS.contains(w)))
        || words.len() <= 3
}

/// When `text` reads as a follow-up and the conversation has an earlier customer question, that
/// question: the follow-up is searched joined to it.
pub fn previous_question<'a>(text: &str, recent: &'a [TranscriptLine]) -> Option<&'a str> {
    if !reads_as_follow_up(text) {
        return None;
    }
    recent
        .iter()
        .rev()
        .find(|l| l.role == Role::Customer && l.text.trim() != text.trim())
        .map(|l| l.text.as_str())
}

/// How much a follow-up's own words count when the joined question's answers are ranked.
const OWN_WORDS: f32 = 0.25;

/// Ranks the joined question's hits: the topic comes from the question `before` (only what it
/// found stays in the running, when any of that is in the joined hits: "how much does that cost?"
/// after a standing order is about standing orders, not the general fees page), the part asked
/// about from the follow-up's `own` words ("定期存款" then "那提前取呢" is early withdrawal from a
/// fixed deposit, not fixed deposits in general).
pub fn rerank(joined: Vec<Hit>, before: &[Hit], own: &[Hit]) -> Vec<Hit> {
    let on_topic = |h: &Hit| before.iter().any(|b| b.found == h.found);
    let keep_all = !joined.iter().any(on_topic);
    let mut hits: Vec<Hit> = joined
        .into_iter()
        .filter(|h| keep_all || on_topic(h))
        .map(|mut h| {
            let alone = own
                .iter()
                .find(|o| o.found == h.found)
                .map_or(0.0, |o| o.confidence);
            h.confidence += OWN_WORDS * alone;
            h
        })
        .collect();
    hits.sort_by(|a, b| b.confidence.total_cmp(&a.confidence));
    hits
}

#[cfg(test)]
mod tests {
    use super::*;

    fn customer(text: &str) -> TranscriptLine {
        TranscriptLine {
            role: Role::Customer,
            text: text.into(),
        }
    }

    #[test]
    fn follow_ups_in_both_languages_are_read_as_such() {
        for q in [
            "and how much does that cost?",
            "what about my other card?",
            "那提前取呢？",
            "那手续费呢",
            "is it free?",
            "how long?",
        ] {
            assert!(reads_as_follow_up(q), "{q}");
        }
    }

    #[test]
    fn questions_that_name_their_topic_are_not() {
        for q in [
            "how do I set up a standing order to pay my rent every month",
            "what is the SWIFT code for sending money to Lakeside Bank",
            "我想给父母办一张银行卡需要带什么材料",
        ] {
            assert!(!reads_as_follow_up(q), "{q}");
        }
    }

    #[test]
    fn the_previous_customer_question_gives_the_topic() {
        let recent = [
            customer("how do I set up a standing order?"),
            TranscriptLine {
                role: Role::Assistant,
                text: "From our help centre: …".into(),
            },
        ];
        assert_eq!(
            previous_question("and how much does that cost?", &recent),
            Some("how do I set up a standing order?")
        );
        assert_eq!(previous_question("and how much does that cost?", &[]), None);
        assert_eq!(
            previous_question("how do I set up a standing order?", &recent),
            None,
            "a question that names its topic stands alone"
        );
    }
}
