//! The insights counters read back as the team sees them: a row per day (containment, outcomes,
//! hand-offs and waits), a row per intent (outcomes, "not helpful" rate), and the reasons. Every number
//! is a sum of counters, so the page, its tables, its CSV files and `GET /v1/admin/insights` agree.
//!
//! Definitions (docs/openapi.yaml says them too):
//! - questions: answered in the browser + "did you mean" + a person offered by the browser + every
//!   question the server chatbot got (the browser's `server` route is not added: the server counts it);
//! - settled in the browser: answered there, and the customer did not ask for a person within the next
//!   two turns; settled by the server: the server chatbot answered;
//! - containment: (settled in the browser + settled by the server) / questions.

use crate::db::{Counts, DAY_MS};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DayRow {
    /// `YYYY-MM-DD` (UTC).
    pub day: String,
    pub questions: i64,
    pub settled_in_browser: i64,
    pub settled_by_server: i64,
    pub did_you_mean: i64,
    pub unanswered: i64,
    pub handed_to_person: i64,
    pub abandoned: i64,
    pub helpful: i64,
    pub not_helpful: i64,
    /// Seconds from joining the queue to an agent taking the conversation (hand-offs of that day).
    pub wait_median_s: Option<i64>,
    pub wait_p90_s: Option<i64>,
    /// 0–1; none on a day without questions.
    pub containment: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct IntentRow {
    pub intent: String,
    pub questions: i64,
    pub settled_in_browser: i64,
    pub settled_by_server: i64,
    pub did_you_mean: i64,
    pub person_offered: i64,
    pub unanswered: i64,
    pub helpful: i64,
    pub not_helpful: i64,
    /// not helpful / rated; none when nobody rated.
    pub not_helpful_rate: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReasonCount {
    pub reason: String,
    pub count: i64,
}

/// `GET /v1/admin/insights`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Insights {
    pub from: String,
    pub to: String,
    /// Every day of the range, oldest first (days without anything have zeros).
    pub days: Vec<DayRow>,
    /// Intents with any count, most questions first ('' is "no intent": unanswered questions).
    pub intents: Vec<IntentRow>,
    pub handoff_reasons: Vec<ReasonCount>,
    pub not_helpful_reasons: Vec<ReasonCount>,
}

/// `YYYY-MM-DD` of a day number.
pub fn date(day: i64) -> String {
    chrono::DateTime::from_timestamp_millis(day * DAY_MS)
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

fn ratio(a: i64, b: i64) -> Option<f64> {
    (b > 0).then(|| a as f64 / b as f64)
}

/// The numbers of one group of counters (a day, or an intent over the range).
#[derive(Default)]
struct Sums(BTreeMap<String, i64>);

impl Sums {
    fn get(&self, m: &str) -> i64 {
        self.0.get(m).copied().unwrap_or(0)
    }
    fn prefixed(&self, p: &str) -> i64 {
        self.0
            .iter()
            .filter(|(k, _)| k.starts_with(p))
            .map(|(_, v)| v)
            .sum()
    }
    fn questions(&self) -> i64 {
        self.get("b.route.answered")
            + self.get("b.route.did_you_mean")
            + self.get("b.route.person")
            + self.get("s.answered")
            + self.get("s.unanswered")
    }
    fn settled_in_browser(&self) -> i64 {
        (self.get("b.route.answered") - self.get("b.person_after.answered")).max(0)
    }
}

/// Summarises the counters of `from_day..=to_day`.
pub fn summarise(counts: &Counts, from_day: i64, to_day: i64) -> Insights {
    let mut by_day: BTreeMap<i64, Sums> =
        (from_day..=to_day).map(|d| (d, Sums::default())).collect();
    let mut by_intent: BTreeMap<String, Sums> = BTreeMap::new();
    let mut all = Sums::default();
    for ((day, intent, metric), n) in counts {
        if let Some(s) = by_day.get_mut(day) {
            // Percentiles are per day; they do not add up across intents or days.
            *s.0.entry(metric.clone()).or_insert(0) += n;
        }
        if metric.starts_with("s.wait_") {
            continue;
        }
        *by_intent
            .entry(intent.clone())
            .or_default()
            .0
            .entry(metric.clone())
            .or_insert(0) += n;
        *all.0.entry(metric.clone()).or_insert(0) += n;
    }
    let days = by_day
        .iter()
        .map(|(d, s)| {
            let settled = s.settled_in_browser() + s.get("s.answered");
            DayRow {
                day: date(*d),
                questions: s.questions(),
                settled_in_browser: s.settled_in_browser(),
                settled_by_server: s.get("s.answered"),
                did_you_mean: s.get("b.route.did_you_mean"),
                unanswered: s.get("s.unanswered"),
                handed_to_person: s.prefixed("s.handoff."),
                abandoned: s.get("s.abandoned"),
                helpful: s.get("s.helpful"),
                not_helpful: s.get("s.not_helpful"),
                wait_median_s: s.0.get("s.wait_p50_s").copied(),
                wait_p90_s: s.0.get("s.wait_p90_s").copied(),
                containment: ratio(settled, s.questions()),
            }
        })
        .collect();
    let mut intents: Vec<IntentRow> = by_intent
        .iter()
        .filter(|(_, s)| s.questions() + s.get("s.helpful") + s.get("s.not_helpful") > 0)
        .map(|(i, s)| IntentRow {
            intent: i.clone(),
            questions: s.questions(),
            settled_in_browser: s.settled_in_browser(),
            settled_by_server: s.get("s.answered"),
            did_you_mean: s.get("b.route.did_you_mean"),
            person_offered: s.get("b.route.person"),
            unanswered: s.get("s.unanswered"),
            helpful: s.get("s.helpful"),
            not_helpful: s.get("s.not_helpful"),
            not_helpful_rate: ratio(
                s.get("s.not_helpful"),
                s.get("s.helpful") + s.get("s.not_helpful"),
            ),
        })
        .collect();
    intents.sort_by(|a, b| b.questions.cmp(&a.questions).then(a.intent.cmp(&b.intent)));
    let reasons = |prefix: &str| -> Vec<ReasonCount> {
        let mut v: Vec<ReasonCount> = all
            .0
            .iter()
            .filter_map(|(k, n)| {
                k.strip_prefix(prefix).map(|r| ReasonCount {
                    reason: r.to_owned(),
                    count: *n,
                })
            })
            .filter(|r| r.count > 0)
            .collect();
        v.sort_by(|a, b| b.count.cmp(&a.count).then(a.reason.cmp(&b.reason)));
        v
    };
    Insights {
        from: date(from_day),
        to: date(to_day),
        days,
        intents,
        handoff_reasons: reasons("s.handoff."),
        not_helpful_reasons: reasons("s.reason."),
    }
}

/// The intents with the worst "not helpful" rate (rated at least once), worst first.
pub fn worst_rated(intents: &[IntentRow], n: usize) -> Vec<IntentRow> {
    let mut v: Vec<IntentRow> = intents
        .iter()
        .filter(|i| i.not_helpful > 0)
        .cloned()
        .collect();
    v.sort_by(|a, b| {
        b.not_helpful_rate
            .partial_cmp(&a.not_helpful_rate)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(b.not_helpful.cmp(&a.not_helpful))
            .then(a.intent.cmp(&b.intent))
    });
    v.truncate(n);
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(rows: &[(i64, &str, &str, i64)]) -> Counts {
        rows.iter()
            .map(|(d, i, m, n)| ((*d, (*i).to_owned(), (*m).to_owned()), *n))
            .collect()
    }

    #[test]
    fn containment_counts_a_question_once_and_a_person_after_as_not_settled() {
        let c = counts(&[
            (10, "card_arrival", "b.route.answered", 6),
            (10, "card_arrival", "b.person_after.answered", 1),
            (10, "card_arrival", "b.route.server", 2),
            (10, "card_arrival", "s.answered", 1),
            (10, "", "s.unanswered", 1),
            (10, "", "s.handoff.requested", 2),
            (10, "", "s.wait_p50_s", 30),
        ]);
        let s = summarise(&c, 9, 10);
        assert_eq!(s.days.len(), 2);
        assert_eq!(s.days[0].questions, 0);
        assert_eq!(s.days[0].containment, None);
        let d = &s.days[1];
        assert_eq!(
            d.questions, 8,
            "the browser's server route is the server's question"
        );
        assert_eq!(d.settled_in_browser, 5);
        assert_eq!(d.containment, Some(6.0 / 8.0));
        assert_eq!(d.handed_to_person, 2);
        assert_eq!(d.wait_median_s, Some(30));
        assert_eq!(s.intents[0].intent, "card_arrival");
        assert_eq!(s.intents[0].questions, 7);
    }
}
