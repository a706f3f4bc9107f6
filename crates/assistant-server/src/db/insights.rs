//! The insights counters (`insight_counts`): per UTC day and intent, numbers only. The browser's
//! telemetry is added as it arrives (`add_counts`); what the server knows itself is recomputed from its
//! own tables by `roll_up` for the days those tables still hold whole, so a count is never taken twice
//! and survives the retention job deleting the rows it came from. See `crate::insights` for the names.

use super::{DAY_MS, Store};
use sqlx::Row;
use std::collections::BTreeMap;

/// One counter: (day, intent, metric) → n.
pub type Counts = BTreeMap<(i64, String, String), i64>;

/// A hand-off as the roll-up needs it.
#[derive(Debug, Clone)]
pub struct HandoffFacts {
    pub queued_at: i64,
    pub state: String,
    pub reason: String,
    /// When an agent first took it (its first `active` status event), if one did.
    pub taken_at: Option<i64>,
}

/// A rating as the roll-up needs it.
#[derive(Debug, Clone)]
pub struct FeedbackFacts {
    pub at: i64,
    pub intent: String,
    pub helpful: bool,
    pub comment: Option<String>,
}

/// What [`write_counts`] does with a counter that is already there.
enum Existing {
    /// Adds the new count to it.
    Add,
    /// Overwrites it with the new count.
    Replace,
}

/// Writes `counts` into `insight_counts` on `c` (the caller's transaction).
async fn write_counts(
    c: &mut sqlx::AnyConnection,
    counts: &Counts,
    existing: Existing,
) -> Result<(), sqlx::Error> {
    let sql = format!(
        "INSERT INTO insight_counts (day, intent, metric, n) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (day, intent, metric) DO UPDATE SET n = {}",
        match existing {
            Existing::Add => "insight_counts.n + excluded.n",
            Existing::Replace => "excluded.n",
        }
    );
    for ((day, intent, metric), n) in counts {
        sqlx::query(&sql)
            .bind(*day)
            .bind(intent)
            .bind(metric)
            .bind(*n)
            .execute(&mut *c)
            .await?;
    }
    Ok(())
}

impl Store {
    /// Adds counts (the browser's telemetry) in one transaction.
    pub async fn add_counts(&self, counts: &Counts) -> Result<(), sqlx::Error> {
        let mut tx = self.write.begin().await?;
        write_counts(&mut tx, counts, Existing::Add).await?;
        tx.commit().await
    }

    /// Replaces the server's own counts (`s.*`) from `from_day` on with `counts`, in one transaction.
    pub async fn replace_server_counts(
        &self,
        from_day: i64,
        counts: &Counts,
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.write.begin().await?;
        sqlx::query("DELETE FROM insight_counts WHERE day >= $1 AND metric LIKE 's.%'")
            .bind(from_day)
            .execute(&mut *tx)
            .await?;
        // Two instances (or the job and a page view) may replace the same days at once: both
        // computed the same numbers, so the later one writes them again instead of failing.
        write_counts(&mut tx, counts, Existing::Replace).await?;
        tx.commit().await
    }

    /// Every counter of the days `from_day..=to_day`.
    pub async fn counts(&self, from_day: i64, to_day: i64) -> Result<Counts, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT day, intent, metric, n FROM insight_counts WHERE day >= $1 AND day <= $2",
        )
        .bind(from_day)
        .bind(to_day)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| Ok(((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?), r.try_get(3)?)))
            .collect()
    }

    /// Server chatbot replies since `from_ms`: (day, intent or '', answered, count).
    pub async fn reply_counts(
        &self,
        from_ms: i64,
    ) -> Result<Vec<(i64, String, bool, i64)>, sqlx::Error> {
        let rows = sqlx::query(&format!(
            "SELECT created_at / {DAY_MS} AS d, COALESCE(intent, '') AS i, answered, COUNT(*) \
             FROM chat_replies WHERE created_at >= $1 GROUP BY d, i, answered"
        ))
        .bind(from_ms)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get(0)?,
                    r.try_get(1)?,
                    r.try_get::<i64, _>(2)? != 0,
                    r.try_get(3)?,
                ))
            })
            .collect()
    }

    /// Hand-offs queued since `from_ms`, with when an agent first took each.
    pub async fn handoff_facts(&self, from_ms: i64) -> Result<Vec<HandoffFacts>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT h.queued_at, h.state, h.reason, (SELECT MIN(e.created_at) FROM events e \
             WHERE e.conversation_id = h.conversation_id AND e.kind = 'status' \
             AND e.data LIKE '%\"state\":\"active\"%' AND e.created_at >= h.queued_at) AS taken_at \
             FROM handoffs h WHERE h.queued_at >= $1",
        )
        .bind(from_ms)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(HandoffFacts {
                    queued_at: r.try_get(0)?,
                    state: r.try_get(1)?,
                    reason: r.try_get(2)?,
                    taken_at: r.try_get(3)?,
                })
            })
            .collect()
    }

    /// Ratings given since `from_ms`.
    pub async fn feedback_facts(&self, from_ms: i64) -> Result<Vec<FeedbackFacts>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT created_at, COALESCE(intent, ''), helpful, comment FROM feedback WHERE created_at >= $1",
        )
        .bind(from_ms)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(FeedbackFacts {
                    at: r.try_get(0)?,
                    intent: r.try_get(1)?,
                    helpful: r.try_get::<i64, _>(2)? != 0,
                    comment: r.try_get(3)?,
                })
            })
            .collect()
    }

    /// Records the team's decision about unanswered questions (replacing an earlier one).
    pub async fn decide(
        &self,
        questions: &[String],
        decision: &str,
        by: &str,
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.write.begin().await?;
        for q in questions {
            sqlx::query(
                "INSERT INTO cluster_decisions (question_norm, decision, decided_by, decided_at) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (question_norm) DO UPDATE SET \
                 decision = excluded.decision, decided_by = excluded.decided_by, decided_at = excluded.decided_at",
            )
            .bind(q)
            .bind(decision)
            .bind(by)
            .bind(super::now_ms())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await
    }

    /// Every decision: (question, decision), oldest first.
    pub async fn decisions(&self) -> Result<Vec<(String, String)>, sqlx::Error> {
        sqlx::query("SELECT question_norm, decision FROM cluster_decisions ORDER BY decided_at, question_norm")
            .fetch_all(&self.read)
            .await?
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect()
    }
}
