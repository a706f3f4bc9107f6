//! Routing policy: what the widget does with a question once the model has scored it.
//!
//! - a confident in-scope intent → answer from the knowledge base, at once, with no network;
//! - the customer asks for a person, complains, or is clearly upset → offer a person (hand-off);
//! - a customer being steered by a fraudster → the warning at once, and a person offered (scam first);
//! - two intents nearly tied → "Did you mean…?" with the candidates, instead of a confident wrong answer;
//! - unsure, or out of scope → ask the bank's server chatbot (with the masked text and top intents).
//!
//! Thresholds ship in the model metadata; training chooses them on held-out training data.

pub use crate::distress::is_distressed;
use crate::taxonomy::{COMPLAINT, HUMAN_AGENT, OUT_OF_SCOPE, SCAM_WARNING};
use serde::{Deserialize, Serialize};

/// Where a question goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Route {
    /// Answer from the knowledge base in the browser.
    Answer,
    /// Offer a human agent.
    Handoff,
    /// Ask the server chatbot.
    Server,
    /// Ask "Did you mean…?" with the top candidates (two intents nearly tied).
    Clarify,
}

/// Why a route was chosen (for the UI's wording, for metrics, and for tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    Confident,
    AskedForPerson,
    Complaint,
    Distress,
    OutOfScope,
    Unsure,
    /// The customer's story is a fraudster's script: warn, and offer a person first in the queue.
    Scam,
    /// The top two intents were too close to answer either with confidence.
    CloseCall,
}

impl Reason {
    /// Whether a hand-off reply with this reason starts the hand-off at once (the customer asked for a
    /// person). Any other hand-off reason (a complaint, an upset customer) only offers one, and its
    /// words must say so: see [`promises_a_person`].
    pub fn starts_handoff(self) -> bool {
        self == Reason::AskedForPerson
    }
}

/// Whether `text` tells the customer that a person is being connected now, rather than offering one.
/// Such words may only come with a hand-off that starts (`Reason::starts_handoff`): a customer told "I'll
/// connect you" who is then not queued waits for nobody. The widget's and the knowledge base's words
/// are checked with it (tests in `tests/model.rs` and the widget's `conversation::ask`).
pub fn promises_a_person(text: &str) -> bool {
    const PROMISES: [&str; 11] = [
        "i'll connect you",
        "i will connect you",
        "connecting you",
        "i'm connecting",
        "will be with you",
        "is on the way",
        "现在为您转接",
        "正在为您转接",
        "马上为您转接",
        "马上转接",
        "正在转接",
    ];
    let lower = text.to_lowercase().replace('’', "'");
    PROMISES.iter().any(|p| lower.contains(p))
}

/// Probability thresholds, from the model metadata.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Thresholds {
    /// Minimum top-intent probability to answer from the knowledge base.
    pub answer: f32,
    /// Minimum probability of `human_agent` / `complaint` to offer a person.
    pub handoff: f32,
    /// "Did you mean…?" when the top two intents' probabilities are closer than this (0: never).
    /// Chosen by training on dev data (`training/train.py`), never on a test set.
    #[serde(default)]
    pub margin: f32,
}

/// A scam story is warned about when `scam_warning` is among the top three with at least this
/// probability, even if another topic scores higher: the story ("the police called, move my money")
/// also reads as a transfer question, and a needless warning costs a sentence where a missed one can
/// cost a life's savings. At 0.2 on the customers'-words dev set (`training/customer/dev.csv`): 26 of
/// 32 scam stories warned, none of the 413 other questions (other values not tried).
pub const SCAM_ANYWHERE: f32 = 0.2;

/// The routing decision for one question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    pub route: Route,
    pub reason: Reason,
    /// The top in-scope intent, if any.
    pub intent: Option<String>,
    pub confidence: f32,
}

/// Decides the route from the ranked intents (highest first) and the customer's own words.
pub fn decide(ranked: &[(String, f32)], raw_text: &str, th: &Thresholds) -> Decision {
    let (top, p) = ranked
        .first()
        .map_or((OUT_OF_SCOPE, 0.0), |(l, p)| (l.as_str(), *p));
    let intent = (top != OUT_OF_SCOPE).then(|| top.to_owned());
    let decision = |route, reason| Decision {
        route,
        reason,
        intent: intent.clone(),
        confidence: p,
    };
    let scam = ranked
        .iter()
        .take(3)
        .any(|(l, q)| l == SCAM_WARNING && *q >= SCAM_ANYWHERE);
    if scam {
        return Decision {
            intent: Some(SCAM_WARNING.to_owned()),
            ..decision(Route::Handoff, Reason::Scam)
        };
    }
    if is_distressed(raw_text) {
        return decision(Route::Handoff, Reason::Distress);
    }
    if top == HUMAN_AGENT && p >= th.handoff {
        return decision(Route::Handoff, Reason::AskedForPerson);
    }
    if top == COMPLAINT && p >= th.handoff {
        return decision(Route::Handoff, Reason::Complaint);
    }
    if top == OUT_OF_SCOPE {
        return decision(Route::Server, Reason::OutOfScope);
    }
    if p < th.answer {
        return decision(Route::Server, Reason::Unsure);
    }
    match ranked.get(1) {
        Some((second, q)) if second != OUT_OF_SCOPE && p - q < th.margin => {
            decision(Route::Clarify, Reason::CloseCall)
        }
        _ => decision(Route::Answer, Reason::Confident),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TH: Thresholds = Thresholds {
        answer: 0.5,
        handoff: 0.4,
        margin: 0.0,
    };

    fn ranked(top: &str, p: f32) -> Vec<(String, f32)> {
        vec![(top.to_owned(), p), ("card_arrival".to_owned(), 1.0 - p)]
    }

    #[test]
    fn confident_intent_is_answered() {
        let d = decide(&ranked("lost_or_stolen_card", 0.9), "I lost my card", &TH);
        assert_eq!((d.route, d.reason), (Route::Answer, Reason::Confident));
        assert_eq!(d.intent.as_deref(), Some("lost_or_stolen_card"));
    }

    #[test]
    fn unsure_or_out_of_scope_goes_to_server() {
        assert_eq!(
            decide(&ranked("card_arrival", 0.3), "hmm", &TH).route,
            Route::Server
        );
        let d = decide(&ranked(OUT_OF_SCOPE, 0.99), "weather in Paris", &TH);
        assert_eq!(
            (d.route, d.reason, d.intent),
            (Route::Server, Reason::OutOfScope, None)
        );
        assert_eq!(decide(&[], "", &TH).route, Route::Server);
    }

    #[test]
    fn person_complaint_and_distress_offer_a_person() {
        assert_eq!(
            decide(&ranked(HUMAN_AGENT, 0.6), "agent please", &TH).reason,
            Reason::AskedForPerson
        );
        assert_eq!(
            decide(&ranked(COMPLAINT, 0.6), "I want to complain", &TH).reason,
            Reason::Complaint
        );
        let d = decide(
            &ranked("card_arrival", 0.95),
            "WHERE IS MY CARD I AM WAITING FOR WEEKS",
            &TH,
        );
        assert_eq!(d.reason, Reason::Distress);
        assert_eq!(
            decide(&ranked("card_arrival", 0.95), "卡还没到，气死我了", &TH).route,
            Route::Handoff
        );
    }

    #[test]
    fn ordinary_questions_are_not_distress() {
        for q in [
            "I lost my card!",
            "My card was stolen",
            "Is there an ATM near me?",
            "我的卡丢了！",
            "PIN",
        ] {
            assert!(!is_distressed(q), "{q}");
        }
    }

    #[test]
    fn a_scam_story_is_warned_about_even_when_another_topic_scores_higher() {
        let ranked = vec![
            ("transfer_into_account".to_owned(), 0.5),
            (SCAM_WARNING.to_owned(), 0.25),
            ("pending_transfer".to_owned(), 0.1),
        ];
        let d = decide(
            &ranked,
            "the police said move my money to a safe account",
            &TH,
        );
        assert_eq!((d.route, d.reason), (Route::Handoff, Reason::Scam));
        assert_eq!(d.intent.as_deref(), Some(SCAM_WARNING));
        assert!(!d.reason.starts_handoff(), "a scam warning offers a person");
        // Fourth place, or too weak: an ordinary answer.
        let weak = vec![
            ("transfer_into_account".to_owned(), 0.9),
            (SCAM_WARNING.to_owned(), 0.05),
        ];
        assert_eq!(decide(&weak, "how do I transfer", &TH).route, Route::Answer);
    }

    #[test]
    fn a_close_call_asks_did_you_mean_and_a_clear_one_answers() {
        let th = Thresholds { margin: 0.2, ..TH };
        let close = vec![
            ("declined_card_payment".to_owned(), 0.55),
            ("declined_transfer".to_owned(), 0.40),
        ];
        let d = decide(&close, "declined in spain", &th);
        assert_eq!((d.route, d.reason), (Route::Clarify, Reason::CloseCall));
        let clear = vec![
            ("declined_card_payment".to_owned(), 0.85),
            ("declined_transfer".to_owned(), 0.10),
        ];
        assert_eq!(decide(&clear, "card declined", &th).route, Route::Answer);
        // Close to out-of-scope is not a choice between two topics.
        let oos = vec![
            ("declined_card_payment".to_owned(), 0.55),
            (OUT_OF_SCOPE.to_owned(), 0.45),
        ];
        assert_eq!(decide(&oos, "x", &th).route, Route::Answer);
        // Margin 0 (an older model's metadata): never asks.
        assert_eq!(
            decide(&close, "declined in spain", &TH).route,
            Route::Answer
        );
    }
}
