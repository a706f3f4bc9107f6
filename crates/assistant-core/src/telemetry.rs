//! Counts of in-browser outcomes, the only thing the widget reports about the questions it answers
//! itself (issue #17). A record says *what happened* (which intent, which route, language, text size,
//! how confident, whether the customer then rated it or asked for a person) and never *what was
//! asked*: there is no text field and no id, so a record cannot carry a question or link to a person.
//! The server rejects anything else (`deny_unknown_fields`, known labels only) and only adds the
//! records into per-day counters; it does not store them.

use crate::display::TextSize;
use crate::locale::Lang;
use crate::taxonomy;
use serde::{Deserialize, Serialize};

/// At most this many records in one batch (the widget sends at most one batch a minute).
pub const MAX_RECORDS: usize = 50;
/// At most this many bytes in one batch's body (50 records of ~150 bytes, with room to spare).
pub const MAX_BODY_BYTES: usize = 12 * 1024;
/// Confidence buckets are tenths of the model's top probability: 0 (< 0.1) … 9 (≥ 0.9).
pub const MAX_CONFIDENCE_BUCKET: u8 = 9;

/// How the browser settled a question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Route {
    /// The browser answered from its knowledge base.
    Answered,
    /// Two intents nearly tied: "Did you mean…?".
    DidYouMean,
    /// The browser was unsure and asked the server (the server counts its own answer).
    Server,
    /// The browser offered a person (asked for one, upset, a scam story).
    Person,
}

/// Whether the customer rated the answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rated {
    None,
    Helpful,
    NotHelpful,
}

/// One in-browser outcome. Every field is a small enumeration or a known label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Record {
    pub intent: String,
    pub route: Route,
    pub lang: Lang,
    pub text_step: TextSize,
    pub confidence_bucket: u8,
    pub rated: Rated,
    /// The customer asked for a person within the next two turns.
    pub asked_person_after: bool,
}

/// `POST /v1/telemetry`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Batch {
    pub records: Vec<Record>,
}

/// The bucket of a probability (0–1): its tenths, 1.0 in the top bucket.
pub fn confidence_bucket(p: f32) -> u8 {
    if p.is_nan() {
        return 0;
    }
    ((p.clamp(0.0, 1.0) * 10.0) as u8).min(MAX_CONFIDENCE_BUCKET)
}

/// A label a record may name: an in-scope intent or the model's `out_of_scope`.
pub fn is_label(intent: &str) -> bool {
    intent == taxonomy::OUT_OF_SCOPE || taxonomy::is_intent(intent)
}

/// Why a batch is refused (a sentence for the client's developer; never quotes the submitted values).
pub fn check(batch: &Batch) -> Result<(), String> {
    if batch.records.is_empty() {
        return Err("records is empty.".into());
    }
    if batch.records.len() > MAX_RECORDS {
        return Err(format!("At most {MAX_RECORDS} records in one batch."));
    }
    for (i, r) in batch.records.iter().enumerate() {
        if !is_label(&r.intent) {
            return Err(format!("records[{i}].intent is not a known intent label."));
        }
        if r.confidence_bucket > MAX_CONFIDENCE_BUCKET {
            return Err(format!(
                "records[{i}].confidence_bucket must be 0 to {MAX_CONFIDENCE_BUCKET}."
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> Record {
        Record {
            intent: "card_arrival".into(),
            route: Route::Answered,
            lang: Lang::En,
            text_step: TextSize::Standard,
            confidence_bucket: 8,
            rated: Rated::None,
            asked_person_after: false,
        }
    }

    #[test]
    fn a_record_reads_as_the_widget_writes_it() {
        let json = r#"{"records":[{"intent":"card_arrival","route":"did_you_mean","lang":"zh-CN","text_step":"largest","confidence_bucket":4,"rated":"not_helpful","asked_person_after":true}]}"#;
        let b: Batch = serde_json::from_str(json).unwrap();
        assert_eq!(b.records[0].route, Route::DidYouMean);
        assert_eq!(b.records[0].rated, Rated::NotHelpful);
        assert_eq!(serde_json::to_string(&b).unwrap(), json);
        assert!(check(&b).is_ok());
    }

    #[test]
    fn text_cannot_ride_along() {
        let smuggled = r#"{"records":[{"intent":"card_arrival","route":"answered","lang":"en","text_step":"standard","confidence_bucket":4,"rated":"none","asked_person_after":false,"question":"my card 4111"}]}"#;
        assert!(serde_json::from_str::<Batch>(smuggled).is_err());
        let free_intent = Batch {
            records: vec![Record {
                intent: "where is my card".into(),
                ..record()
            }],
        };
        assert!(check(&free_intent).is_err());
    }

    #[test]
    fn batches_are_bounded() {
        let big = Batch {
            records: vec![record(); MAX_RECORDS + 1],
        };
        assert!(check(&big).is_err());
        assert!(check(&Batch { records: vec![] }).is_err());
        let odd = Batch {
            records: vec![Record {
                confidence_bucket: 10,
                ..record()
            }],
        };
        assert!(check(&odd).is_err());
    }

    #[test]
    fn buckets_are_tenths() {
        assert_eq!(confidence_bucket(0.0), 0);
        assert_eq!(confidence_bucket(0.95), 9);
        assert_eq!(confidence_bucket(1.0), 9);
        assert_eq!(confidence_bucket(0.42), 4);
        assert_eq!(confidence_bucket(f32::NAN), 0);
    }
}
