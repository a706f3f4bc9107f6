//! Routing policy: what the widget does with a question once the model has scored it.
//!
//! - a confident in-scope intent → answer from the knowledge base, at once, with no network;
//! - the customer asks for a person, complains, or is clearly upset → offer a person (hand-off);
//! - unsure, or out of scope → ask the bank's server chatbot (with the masked text and top intents).
//!
//! Thresholds ship in the model metadata; training chooses them on held-out training data.

pub use crate::distress::is_distressed;
use crate::taxonomy::{COMPLAINT, HUMAN_AGENT, OUT_OF_SCOPE};
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
}

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
    decision(Route::Answer, Reason::Confident)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TH: Thresholds = Thresholds {
        answer: 0.5,
        handoff: 0.4,
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
}
