//! Forgetting: the retention job's deletions by age, and deleting one conversation on request (a
//! data-subject request). What is kept and for how long is in docs/PRIVACY.md.

use super::{DAY_MS, Store, now_ms};

/// Rows removed by one retention run, per kind.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Purged {
    pub conversations: u64,
    pub events: u64,
    pub replies: u64,
    pub unanswered: u64,
    pub feedback: u64,
    pub left_messages: u64,
    pub handoffs: u64,
    pub sessions: u64,
    pub audit: u64,
}

impl Store {
    async fn exec(&self, sql: &str, binds: &[i64]) -> Result<u64, sqlx::Error> {
        let mut q = sqlx::query(sql);
        for b in binds {
            q = q.bind(*b);
        }
        Ok(q.execute(&self.write).await?.rows_affected())
    }

    /// Deletes what is older than its retention: conversations and everything in them after
    /// `conversation_days`, the text of unanswered questions (and the team's decisions about them) after
    /// `unanswered_days`, expired agent
    /// sessions at once, audit records after `audit_days`. A hand-off still waiting or with an agent is
    /// kept whatever its age.
    pub async fn purge(
        &self,
        conversation_days: u32,
        unanswered_days: u32,
        audit_days: u32,
    ) -> Result<Purged, sqlx::Error> {
        let now = now_ms();
        let old = now - i64::from(conversation_days) * DAY_MS;
        let unanswered_before = now - i64::from(unanswered_days) * DAY_MS;
        let audit_before = now - i64::from(audit_days) * DAY_MS;
        let open = "SELECT conversation_id FROM handoffs WHERE state IN ('queued', 'active')";
        // Whole rows past their time first, then the text of what is left past the shorter period.
        let events = self
            .exec(
                &format!(
                    "DELETE FROM events WHERE created_at < $1 AND conversation_id NOT IN ({open})"
                ),
                &[old],
            )
            .await?;
        let replies = self
            .exec("DELETE FROM chat_replies WHERE created_at < $1", &[old])
            .await?;
        let feedback = self
            .exec("DELETE FROM feedback WHERE created_at < $1", &[old])
            .await?;
        let left_messages = self
            .exec("DELETE FROM left_messages WHERE created_at < $1", &[old])
            .await?;
        let handoffs = self
            .exec(
                "DELETE FROM handoffs WHERE updated_at < $1 AND state NOT IN ('queued', 'active')",
                &[old],
            )
            .await?;
        let conversations = self
            .exec(
                &format!("DELETE FROM conversations WHERE created_at < $1 AND id NOT IN ({open})"),
                &[old],
            )
            .await?;
        let unanswered = self
            .exec(
                "DELETE FROM chat_replies WHERE answered = 0 AND created_at < $1",
                &[unanswered_before],
            )
            .await?
            + self
                .exec(
                    "UPDATE feedback SET question_norm = NULL, comment = NULL \
                     WHERE created_at < $1 AND (question_norm IS NOT NULL OR comment IS NOT NULL)",
                    &[unanswered_before],
                )
                .await?
            + self
                .exec(
                    "DELETE FROM cluster_decisions WHERE decided_at < $1",
                    &[unanswered_before],
                )
                .await?;
        let sessions = self
            .exec("DELETE FROM sessions WHERE expires_at < $1", &[now])
            .await?;
        let audit = self
            .exec("DELETE FROM audit WHERE at < $1", &[audit_before])
            .await?;
        Ok(Purged {
            conversations,
            events,
            replies,
            unanswered,
            feedback,
            left_messages,
            handoffs,
            sessions,
            audit,
        })
    }

    /// Deletes the insights counters of days before the last `keep_days` (counts only, no text; kept
    /// longer than the rows they came from so a year can be compared with the one before).
    pub async fn purge_insights(&self, keep_days: u32) -> Result<u64, sqlx::Error> {
        let first_kept = now_ms() / DAY_MS - i64::from(keep_days);
        self.exec("DELETE FROM insight_counts WHERE day < $1", &[first_kept])
            .await
    }

    /// Deletes everything stored about one conversation; true when there was anything.
    pub async fn delete_conversation(&self, id: &str) -> Result<bool, sqlx::Error> {
        let mut n = 0;
        for table in [
            "DELETE FROM events WHERE conversation_id = $1",
            "DELETE FROM chat_replies WHERE conversation_id = $1",
            "DELETE FROM feedback WHERE conversation_id = $1",
            "DELETE FROM left_messages WHERE conversation_id = $1",
            "DELETE FROM handoffs WHERE conversation_id = $1",
            "DELETE FROM conversations WHERE id = $1",
        ] {
            n += sqlx::query(table)
                .bind(id)
                .execute(&self.write)
                .await?
                .rows_affected();
        }
        Ok(n > 0)
    }
}
