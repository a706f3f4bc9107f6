//! `assistant-server eval FILE`: scores the server chatbot on a written evaluation set
//! (`public/kb/help/eval/{dev,test}.csv`, columns `text,lang,expect`; see its README). Each question
//! goes through the same `chat::answer` as a live one, with no browser intents (the question reached
//! the server because the browser was unsure), and counts as answered correctly, answered wrongly, or
//! "not sure"; for a "not sure", whether its chips offered the expected answer (one tap away).
//! Reported per language and per kind of question, each rate with its binomial standard error, so a
//! change to retrieval or content is measured rather than guessed.

use crate::chat::{self, Answer};
use crate::config::ChatConfig;
use crate::retrieval::Index;
use assistant_core::api::{ARTICLE_CHOICE, ChatRequest, TextSize};
use assistant_core::locale::Lang;
use assistant_core::pii;

/// What one question should get.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expect {
    Article(String),
    Intent(String),
    /// Out of scope: the right answer is "not sure".
    Nothing,
}

impl Expect {
    pub fn parse(s: &str) -> Self {
        match s {
            "none" => Self::Nothing,
            _ => match s.strip_prefix("intent:") {
                Some(label) => Self::Intent(label.to_owned()),
                None => Self::Article(s.to_owned()),
            },
        }
    }

    fn kind(&self) -> usize {
        match self {
            Self::Article(_) => 0,
            Self::Intent(_) => 1,
            Self::Nothing => 2,
        }
    }
}

const KINDS: [&str; 3] = [
    "help-centre questions",
    "intent questions",
    "out of scope (correct = not sure)",
];

/// How one question went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Correct,
    Wrong,
    NotSure,
}

/// What the server said, as an `expect` value (`none` for not sure). `chat::answer` answers only
/// with an article's quote (its link set) or an intent's answer (its intent set).
pub fn said(a: &Answer) -> String {
    match (a.answered, &a.response.article, &a.response.intent) {
        (false, _, _) => "none".into(),
        (true, Some(article), _) => article.id.clone(),
        (true, None, Some(intent)) => format!("intent:{intent}"),
        (true, None, None) => {
            unreachable!("chat::answer answered with neither an article nor an intent")
        }
    }
}

/// Scores one question.
pub fn judge(expect: &Expect, said: &str) -> Outcome {
    match (expect, said) {
        (Expect::Nothing, "none") => Outcome::Correct,
        (Expect::Nothing, _) => Outcome::Wrong,
        (_, "none") => Outcome::NotSure,
        (Expect::Article(id), s) if s == id => Outcome::Correct,
        (Expect::Intent(label), s) if s.strip_prefix("intent:") == Some(label) => Outcome::Correct,
        _ => Outcome::Wrong,
    }
}

/// Answers `text` as the server would a question the browser sent with no intents of its own.
pub fn ask(index: &Index, cfg: &ChatConfig, text: &str, lang: Lang) -> Answer {
    let masked = pii::mask(text).text;
    let req = ChatRequest {
        conversation_id: "eval".into(),
        message_id: "eval".into(),
        text: text.to_owned(),
        locale: lang,
        client_intents: Vec::new(),
        text_size: TextSize::Normal,
        recent: Vec::new(),
        chosen: None,
    };
    chat::answer(index, cfg, &req, &masked, &index.normalize(&masked))
}

/// Whether a "not sure" offered the expected answer among its chips ("Or perhaps you meant…"): one
/// tap away for the customer.
pub fn offered(expect: &Expect, a: &Answer) -> bool {
    a.response.suggestions.iter().any(|s| match expect {
        Expect::Article(id) => s.intent.strip_prefix(ARTICLE_CHOICE) == Some(id),
        Expect::Intent(label) => &s.intent == label,
        Expect::Nothing => false,
    })
}

/// Scores every row with `cfg`: the tally, and one line per question not answered correctly (what
/// was expected, what was said, the best three hits).
pub fn score(index: &Index, cfg: &ChatConfig, rows: &[(String, Lang, Expect)]) -> (Tally, String) {
    let mut tally = Tally::default();
    let mut missed = String::new();
    for (text, lang, expect) in rows {
        let answer = ask(index, cfg, text, *lang);
        let said = said(&answer);
        let outcome = judge(expect, &said);
        if outcome != Outcome::Correct {
            let top: Vec<String> = answer
                .hits
                .iter()
                .take(3)
                .map(|h| format!("{:?} {:.2}", h.found, h.confidence))
                .collect();
            missed.push_str(&format!(
                "{outcome:?}\t{text}\texpected {expect:?}\tsaid {said}\t{}\n",
                top.join(", ")
            ));
        }
        tally.add(*lang, expect, outcome);
        if outcome == Outcome::NotSure && offered(expect, &answer) {
            tally.offered[lang_index(*lang)][expect.kind()] += 1;
        }
    }
    (tally, missed)
}

/// The grid the chat defaults were chosen on (dev set only): similarity weight, margin, threshold
/// and article bonus, with the share of help-centre and intent questions answered correctly and
/// wrongly and of out-of-scope questions left unanswered.
pub fn sweep(index: &Index, cfg: &ChatConfig, rows: &[(String, Lang, Expect)]) -> String {
    let mut out = String::from(
        "similarity margin threshold article | help: correct wrong | intents: correct wrong | out of scope: not sure\n",
    );
    let mut chat = cfg.clone();
    for similarity in [0.3, 0.5, 0.7] {
        for margin in [0.0, 0.06, 0.1] {
            for threshold in [0.5, 0.55, 0.6] {
                for article in [0.0, 0.1] {
                    chat.similarity_weight = similarity;
                    chat.min_margin = margin;
                    chat.min_confidence = threshold;
                    chat.article_bonus = article;
                    let (tally, _) = score(index, &chat, rows);
                    let pct = |[k, _, _, n]: [usize; 4]| 100.0 * k as f64 / n.max(1) as f64;
                    let wrong = |[_, w, _, n]: [usize; 4]| 100.0 * w as f64 / n.max(1) as f64;
                    out.push_str(&format!(
                        "{similarity:.2} {margin:.2} {threshold:.2} {article:.2} | {:.1} {:.1} | {:.1} {:.1} | {:.1}\n",
                        pct(tally.of(None, 0)),
                        wrong(tally.of(None, 0)),
                        pct(tally.of(None, 1)),
                        wrong(tally.of(None, 1)),
                        pct(tally.of(None, 2)),
                    ));
                }
            }
        }
    }
    out
}

/// Counts per (language, kind): correct, wrong, not sure; and of the "not sure", those whose chips
/// offered the expected answer.
#[derive(Debug, Default, Clone)]
pub struct Tally {
    pub counts: [[[usize; 3]; 3]; 2],
    pub offered: [[usize; 3]; 2],
}

fn lang_index(lang: Lang) -> usize {
    match lang {
        Lang::En => 0,
        Lang::ZhCn => 1,
    }
}

impl Tally {
    pub fn add(&mut self, lang: Lang, expect: &Expect, outcome: Outcome) {
        let l = lang_index(lang);
        let o = match outcome {
            Outcome::Correct => 0,
            Outcome::Wrong => 1,
            Outcome::NotSure => 2,
        };
        self.counts[l][expect.kind()][o] += 1;
    }

    /// (correct, wrong, not sure, total) for one kind, over both languages when `lang` is `None`.
    pub fn of(&self, lang: Option<usize>, kind: usize) -> [usize; 4] {
        let mut out = [0; 4];
        for l in 0..2 {
            if lang.is_some_and(|x| x != l) {
                continue;
            }
            for o in 0..3 {
                out[o] += self.counts[l][kind][o];
                out[3] += self.counts[l][kind][o];
            }
        }
        out
    }

    /// The report table.
    pub fn report(&self) -> String {
        let mut s = String::from(
            "| language | questions | n | correct | wrong | not sure | not sure, the right one offered |\n\
             |---|---|---|---|---|---|---|\n",
        );
        for (lang, name) in [(Some(0), "en"), (Some(1), "zh"), (None, "both")] {
            for (kind, kname) in KINDS.iter().enumerate() {
                let [c, w, u, n] = self.of(lang, kind);
                let offered: usize = (0..2)
                    .filter(|l| lang.is_none_or(|x| x == *l))
                    .map(|l| self.offered[l][kind])
                    .sum();
                s.push_str(&format!(
                    "| {name} | {kname} | {n} | {} | {} | {} | {} |\n",
                    with_se(c, n),
                    with_se(w, n),
                    with_se(u, n),
                    if kind == 2 {
                        "–".into()
                    } else {
                        with_se(offered, n)
                    },
                ));
            }
        }
        s
    }
}

/// `k` of `n` as a percentage with its binomial standard error.
pub fn with_se(k: usize, n: usize) -> String {
    if n == 0 {
        return "n/a".into();
    }
    let p = k as f64 / n as f64;
    let se = (p * (1.0 - p) / n as f64).sqrt();
    format!("{:.1}% ± {:.1}", 100.0 * p, 100.0 * se)
}

/// Reads `text,lang,expect` rows (with a header line).
pub fn read_rows(csv_text: &str) -> anyhow::Result<Vec<(String, Lang, Expect)>> {
    let mut rows = Vec::new();
    for (n, record) in csv::Reader::from_reader(csv_text.as_bytes())
        .records()
        .enumerate()
    {
        let record = record?;
        let (Some(text), Some(lang), Some(expect)) = (record.get(0), record.get(1), record.get(2))
        else {
            anyhow::bail!("row {}: expected text,lang,expect", n + 1);
        };
        let lang = match lang {
            "en" => Lang::En,
            "zh" => Lang::ZhCn,
            other => anyhow::bail!("row {}: unknown language {other:?}", n + 1),
        };
        rows.push((text.to_owned(), lang, Expect::parse(expect)));
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_to_an_out_of_scope_question_is_wrong() {
        assert_eq!(judge(&Expect::Nothing, "child-account"), Outcome::Wrong);
        assert_eq!(judge(&Expect::Nothing, "none"), Outcome::Correct);
        assert_eq!(
            judge(
                &Expect::Intent("card_arrival".into()),
                "intent:card_arrival"
            ),
            Outcome::Correct
        );
        assert_eq!(
            judge(&Expect::Article("child-account".into()), "none"),
            Outcome::NotSure
        );
    }
}
