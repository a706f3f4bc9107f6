//! What the bank's service team learns from the assistant (issue #17): how many questions it settled,
//! which answers fail, how long people waited for a person. Numbers only, per UTC day and intent, in
//! `insight_counts`:
//!
//! - the browser's telemetry (`ingest`): one record per in-browser outcome, no text, added as it
//!   arrives under `b.*` names (the server cannot check them, so they are kept apart from its own);
//! - what the server knows itself (`roll_up`): its chatbot's answers, hand-offs by reason with their
//!   waits and abandonment, ratings with their reasons, recomputed under `s.*` names from its own tables
//!   for the days those still hold whole (retention deletes rows day by day; a day's counts are frozen
//!   once its first rows could be gone), so nothing is counted twice and the counts outlive the rows.
//!
//! `summary` turns the counters into what `GET /v1/admin/insights` and the page (`page`: `/admin`,
//! SVG charts from `svg`, each with its table and CSV from `tables`) show.

pub mod clusters;
pub mod page;
pub mod summary;
mod svg;
pub mod tables;
pub mod unanswered;

use crate::db::{Counts, DAY_MS, FeedbackFacts, HandoffFacts, now_ms};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use assistant_core::telemetry::{self, Batch, Rated};
use axum::http::StatusCode;
use std::collections::BTreeMap;

/// Today as a day number (days since 1970-01-01, UTC).
pub fn today() -> i64 {
    now_ms() / DAY_MS
}

/// A serde enum's wire name (`did_you_mean`, `zh-CN`, `largest`).
fn name<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The counters one batch adds, all on `day`.
pub fn batch_counts(day: i64, batch: &Batch) -> Counts {
    let mut c = Counts::new();
    for r in &batch.records {
        let route = name(&r.route);
        let mut add = |metric: String| {
            *c.entry((day, r.intent.clone(), metric)).or_insert(0) += 1;
        };
        add(format!("b.route.{route}"));
        add(format!("b.lang.{}", name(&r.lang)));
        add(format!("b.text.{}", name(&r.text_step)));
        add(format!("b.conf.{}", r.confidence_bucket));
        if r.rated != Rated::None {
            add(format!("b.rated.{}", name(&r.rated)));
        }
        if r.asked_person_after {
            add(format!("b.person_after.{route}"));
        }
    }
    c
}

/// `POST /v1/telemetry`: checks a batch (size, shape, known labels only) and adds it to today's
/// counters. The body is JSON sent as `application/json` or, by `navigator.sendBeacon`, `text/plain`.
pub async fn ingest(state: &AppState, content_type: Option<&str>, body: &[u8]) -> ApiResult<()> {
    let json = content_type
        .and_then(|t| t.split(';').next())
        .map(str::trim)
        .is_some_and(|t| {
            t.eq_ignore_ascii_case("application/json") || t.eq_ignore_ascii_case("text/plain")
        });
    if !json {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Send the batch as JSON (application/json or text/plain).",
        ));
    }
    if body.len() > telemetry::MAX_BODY_BYTES {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!(
                "A telemetry batch is at most {} bytes.",
                telemetry::MAX_BODY_BYTES
            ),
        ));
    }
    let batch: Batch = serde_json::from_slice(body).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_body",
            format!(
                "A telemetry batch is {{\"records\": [...]}} with only the documented fields{}.",
                crate::error::safe_detail(&e.to_string())
            ),
        )
    })?;
    telemetry::check(&batch).map_err(ApiError::bad_request)?;
    state
        .store
        .add_counts(&batch_counts(today(), &batch))
        .await?;
    Ok(())
}

/// The reasons the widget offers under "not helpful" (`src/platform/i18n.rs`, both languages), as the
/// feedback's comment starts with them (`"<reason>"` or `"<reason>: <comment>"`), and their keys.
const REASONS: [(&str, &str); 6] = [
    ("Did not answer my question", "not_answered"),
    ("Hard to understand", "hard_to_understand"),
    ("Wrong or out of date", "wrong_or_outdated"),
    ("没回答我的问题", "not_answered"),
    ("看不懂", "hard_to_understand"),
    ("内容不对或过时", "wrong_or_outdated"),
];

/// The reason key of a "not helpful" comment: one of the offered reasons, `other` for words of the
/// customer's own, `none` without a comment. The comment's text is never counted.
pub fn reason_key(comment: Option<&str>) -> &'static str {
    let Some(c) = comment.map(str::trim).filter(|c| !c.is_empty()) else {
        return "none";
    };
    REASONS
        .iter()
        .find(|(text, _)| {
            c.strip_prefix(text)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with(':'))
        })
        .map_or("other", |(_, key)| key)
}

/// The nearest-rank percentile `p` (0–100) of sorted values.
pub fn percentile(sorted: &[i64], p: u32) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (sorted.len() * p as usize).div_ceil(100).max(1);
    sorted.get(rank - 1).copied()
}

/// The server's own counters from its facts (each fact on the UTC day it began).
pub fn server_counts(
    replies: &[(i64, String, bool, i64)],
    handoffs: &[HandoffFacts],
    feedback: &[FeedbackFacts],
) -> Counts {
    let mut c = Counts::new();
    let mut add = |day: i64, intent: &str, metric: String, n: i64| {
        *c.entry((day, intent.to_owned(), metric)).or_insert(0) += n;
    };
    for (day, intent, answered, n) in replies {
        let m = if *answered {
            "s.answered"
        } else {
            "s.unanswered"
        };
        add(*day, intent, m.into(), *n);
    }
    let mut waits: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for h in handoffs {
        let day = h.queued_at / DAY_MS;
        add(day, "", format!("s.handoff.{}", h.reason), 1);
        if h.state == "abandoned" {
            add(day, "", "s.abandoned".into(), 1);
        }
        if h.state == "cancelled" && h.taken_at.is_none() {
            add(day, "", "s.cancelled_waiting".into(), 1);
        }
        if let Some(t) = h.taken_at {
            add(day, "", "s.taken".into(), 1);
            waits
                .entry(day)
                .or_default()
                .push((t - h.queued_at).max(0) / 1000);
        }
    }
    for f in feedback {
        let day = f.at / DAY_MS;
        if f.helpful {
            add(day, &f.intent, "s.helpful".into(), 1);
        } else {
            add(day, &f.intent, "s.not_helpful".into(), 1);
            let key = reason_key(f.comment.as_deref());
            add(day, &f.intent, format!("s.reason.{key}"), 1);
        }
    }
    for (day, mut w) in waits {
        w.sort_unstable();
        for p in [50, 90] {
            if let Some(v) = percentile(&w, p) {
                add(day, "", format!("s.wait_p{p}_s"), v);
            }
        }
    }
    c
}

/// The first day whose rows the server still holds whole: retention deletes chat replies, hand-offs
/// and feedback after `conversation_days`, unanswered questions and comments after `unanswered_days`.
pub fn first_whole_day(state: &AppState) -> i64 {
    let r = &state.config.retention;
    let keep = i64::from(r.conversation_days.min(r.unanswered_days));
    (now_ms() - keep * DAY_MS).div_euclid(DAY_MS) + 1
}

/// Recomputes the server's own counters from `from_day` on (never before the first whole day).
pub async fn roll_up(state: &AppState, from_day: i64) -> Result<(), sqlx::Error> {
    let from_day = from_day.max(first_whole_day(state));
    let from_ms = from_day * DAY_MS;
    let store = &state.store;
    let counts = server_counts(
        &store.reply_counts(from_ms).await?,
        &store.handoff_facts(from_ms).await?,
        &store.feedback_facts(from_ms).await?,
    );
    store.replace_server_counts(from_day, &counts).await
}

/// The summary of the last `days` days (1–366, default 30), today's and yesterday's server counts
/// recomputed first.
pub async fn current(state: &AppState, days: Option<i64>) -> ApiResult<summary::Insights> {
    let days = days.unwrap_or(30);
    if !(1..=366).contains(&days) {
        return Err(ApiError::bad_request("days must be between 1 and 366."));
    }
    let to = today();
    roll_up(state, to - 1).await?;
    let from = to - days + 1;
    let counts = state.store.counts(from, to).await?;
    Ok(summary::summarise(&counts, from, to))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_counted_never_the_words() {
        assert_eq!(reason_key(None), "none");
        assert_eq!(reason_key(Some("Hard to understand")), "hard_to_understand");
        assert_eq!(reason_key(Some("看不懂: 太长了")), "hard_to_understand");
        assert_eq!(reason_key(Some("Hard to understand why")), "other");
        assert_eq!(reason_key(Some("my own words")), "other");
    }

    #[test]
    fn the_offered_reasons_are_the_widgets() {
        let widget = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../src/platform/i18n.rs"),
        )
        .unwrap();
        for (text, _) in REASONS {
            assert!(widget.contains(&format!("\"{text}\"")), "{text}");
        }
    }

    #[test]
    fn percentiles_take_the_nearest_rank() {
        assert_eq!(percentile(&[], 50), None);
        assert_eq!(percentile(&[7], 90), Some(7));
        let w: Vec<i64> = (1..=10).collect();
        assert_eq!(percentile(&w, 50), Some(5));
        assert_eq!(percentile(&w, 90), Some(9));
    }
}
