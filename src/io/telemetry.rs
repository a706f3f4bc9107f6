//! Counts of the questions the browser settles itself, for the bank's insights page (issue #17).
//!
//! Why: most questions are answered here and never reach the server, so without this the bank cannot
//! tell how many questions the assistant settled or which answers fail. What is sent is a record per
//! outcome of *what happened*, never *what was asked*: the intent label, the route (answered, "did you
//! mean", server, person), the language, the text-size step, the model's confidence in tenths, whether
//! the customer then rated it and whether they asked for a person within the next two turns. No text,
//! no conversation or message id (the message id is kept here in memory only, to find the record a
//! rating belongs to). The server refuses anything else (`assistant_core::telemetry`).
//!
//! Sending: records wait in memory (nothing is stored) and go as one small batch by
//! `navigator.sendBeacon` when the page is hidden, or with the next request to the bank's server, at most
//! once a minute. Offline, or when the browser will not queue the beacon, the batch is dropped: counts
//! are not worth a retry. Off with `data-telemetry="off"` or `BankAssistant.setTelemetry(false)`, which
//! also forgets what was waiting. Like the other handles it lives in `io::Io`; no module globals.

use crate::wire::write::{Obj, array};
use assistant_core::display::TextSize;
use assistant_core::locale::Lang;
use assistant_core::telemetry::{MAX_RECORDS, Rated, Route, confidence_bucket};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

/// At most one batch a minute.
const MIN_INTERVAL_MS: f64 = 60_000.0;
/// A record stays open for a rating or a request for a person this many questions after its own.
const FOLLOW_TURNS: u8 = 2;

/// One in-browser outcome, as it will be sent (plus the message id, which is not).
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    pub intent: String,
    pub route: Route,
    pub lang: Lang,
    pub text_step: TextSize,
    pub confidence: f32,
    pub rated: Rated,
    pub asked_person_after: bool,
    /// The answer's message id, to find this record when the customer rates it. Never sent.
    pub message_id: String,
    /// Questions asked since this one.
    turns: u8,
    /// When it was made (`Date.now()`).
    at: f64,
}

impl Record {
    pub fn new(
        intent: String,
        route: Route,
        lang: Lang,
        text_step: TextSize,
        confidence: f32,
        message_id: String,
    ) -> Record {
        Record {
            intent,
            route,
            lang,
            text_step,
            confidence,
            rated: Rated::None,
            asked_person_after: false,
            message_id,
            turns: 0,
            at: js_sys::Date::now(),
        }
    }
}

fn route_name(r: Route) -> &'static str {
    match r {
        Route::Answered => "answered",
        Route::DidYouMean => "did_you_mean",
        Route::Server => "server",
        Route::Person => "person",
    }
}

fn rated_name(r: Rated) -> &'static str {
    match r {
        Rated::None => "none",
        Rated::Helpful => "helpful",
        Rated::NotHelpful => "not_helpful",
    }
}

/// `{"records":[…]}` as serde writes `assistant_core::telemetry::Batch` (the message id left out).
pub fn batch_json(records: &[Record]) -> String {
    let items = records.iter().map(|r| {
        Obj::new()
            .str("intent", &r.intent)
            .str("route", route_name(r.route))
            .str("lang", r.lang.tag())
            .str("text_step", r.text_step.name())
            .uint(
                "confidence_bucket",
                u32::from(confidence_bucket(r.confidence)),
            )
            .str("rated", rated_name(r.rated))
            .bool("asked_person_after", r.asked_person_after)
            .done()
    });
    Obj::new().raw("records", &array(items)).done()
}

struct State {
    on: bool,
    /// The server's `/v1/telemetry` URL (set when the outbox starts).
    url: Option<String>,
    records: Vec<Record>,
    /// When the last batch went (`Date.now()`), or never.
    last_sent: Option<f64>,
    listening: bool,
}

/// The widget's telemetry handle (one per mounted widget, in `io::Io`); clones share it.
#[derive(Clone)]
pub struct Telemetry(Rc<RefCell<State>>);

impl Default for Telemetry {
    fn default() -> Self {
        Telemetry(Rc::new(RefCell::new(State {
            on: true,
            url: None,
            records: Vec::new(),
            last_sent: None,
            listening: false,
        })))
    }
}

impl Telemetry {
    /// Turns telemetry on or off (`data-telemetry`, `setTelemetry`); off forgets what was waiting.
    pub fn set_on(&self, on: bool) {
        let mut s = self.0.borrow_mut();
        s.on = on;
        if !on {
            s.records.clear();
        }
    }

    /// Starts sending to `url` (the server's `/v1/telemetry`): when the page is hidden from now on.
    pub fn start(&self, url: String) {
        let listen = {
            let mut s = self.0.borrow_mut();
            s.url = Some(url);
            !std::mem::replace(&mut s.listening, true)
        };
        if !listen {
            return;
        }
        let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        let this = self.clone();
        let on_visibility = Closure::<dyn Fn()>::new(move || {
            let hidden = web_sys::window()
                .and_then(|w| w.document())
                .is_some_and(|d| d.hidden());
            if hidden {
                this.flush(true);
            }
        });
        let _ = doc.add_event_listener_with_callback(
            "visibilitychange",
            on_visibility.as_ref().unchecked_ref(),
        );
        on_visibility.forget();
    }

    /// Records one outcome; the records before it are a turn older.
    pub fn record(&self, record: Record) {
        let mut s = self.0.borrow_mut();
        if !s.on {
            return;
        }
        for r in s.records.iter_mut() {
            r.turns = r.turns.saturating_add(1);
        }
        s.records.push(record);
    }

    /// The customer rated the answer to `message_id`.
    pub fn rated(&self, message_id: &str, helpful: bool) {
        let mut s = self.0.borrow_mut();
        if let Some(r) = s.records.iter_mut().find(|r| r.message_id == message_id) {
            r.rated = if helpful {
                Rated::Helpful
            } else {
                Rated::NotHelpful
            };
        }
    }

    /// The customer asked for a person: every outcome of the last two turns counts it.
    pub fn asked_for_person(&self) {
        let mut s = self.0.borrow_mut();
        for r in s.records.iter_mut().filter(|r| r.turns <= FOLLOW_TURNS) {
            r.asked_person_after = true;
        }
    }

    /// Sends a batch if a minute has passed since the last: every record when the page is being
    /// hidden (`leaving`); else (with a server call) those past their two turns, once the oldest has
    /// waited a minute (so a busy conversation does not send a beacon per question). Dropped silently
    /// when offline or when the beacon is not queued.
    pub fn flush(&self, leaving: bool) {
        let now = js_sys::Date::now();
        let (url, body) = {
            let mut s = self.0.borrow_mut();
            let due = s.last_sent.is_none_or(|t| now - t >= MIN_INTERVAL_MS);
            let Some(url) = s.url.clone().filter(|_| s.on && due) else {
                return;
            };
            let ready = if leaving {
                s.records.len()
            } else {
                s.records
                    .iter()
                    .take_while(|r| r.turns > FOLLOW_TURNS)
                    .count()
            }
            .min(MAX_RECORDS);
            let collected = leaving
                || s.records
                    .first()
                    .is_some_and(|r| now - r.at >= MIN_INTERVAL_MS);
            if ready == 0 || !collected {
                return;
            }
            let batch: Vec<Record> = s.records.drain(..ready).collect();
            s.last_sent = Some(now);
            (url, batch_json(&batch))
        };
        let Some(nav) = web_sys::window().map(|w| w.navigator()) else {
            return;
        };
        if nav.on_line() {
            // A string body goes as text/plain, which needs no CORS preflight; the server reads it as JSON.
            let _ = nav.send_beacon_with_opt_str(&url, Some(&body));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn a_batch_is_what_the_server_reads_and_carries_no_id() {
        let mut a = Record::new(
            "card_arrival".into(),
            Route::DidYouMean,
            Lang::ZhCn,
            TextSize::Largest,
            0.87,
            "m-0123456789abcdef".into(),
        );
        a.rated = Rated::NotHelpful;
        a.asked_person_after = true;
        let json = batch_json(&[a]);
        let batch: assistant_core::telemetry::Batch = serde_json::from_str(&json).unwrap();
        assert_eq!(serde_json::to_string(&batch).unwrap(), json);
        assert_eq!(batch.records[0].confidence_bucket, 8);
        assert!(assistant_core::telemetry::check(&batch).is_ok());
        assert!(!json.contains("0123456789abcdef"), "{json}");
    }

    #[wasm_bindgen_test]
    fn follow_ups_count_for_two_turns_and_off_forgets() {
        let t = Telemetry::default();
        let rec = |id: &str| {
            Record::new(
                "card_arrival".into(),
                Route::Answered,
                Lang::En,
                TextSize::Standard,
                0.9,
                id.into(),
            )
        };
        for id in ["a", "b", "c", "d"] {
            t.record(rec(id));
        }
        t.rated("b", true);
        t.asked_for_person();
        let s = t.0.borrow();
        let person: Vec<bool> = s.records.iter().map(|r| r.asked_person_after).collect();
        assert_eq!(person, [false, true, true, true], "a is three turns old");
        assert_eq!(s.records[1].rated, Rated::Helpful);
        drop(s);
        t.set_on(false);
        t.record(rec("e"));
        assert!(t.0.borrow().records.is_empty());
    }
}
