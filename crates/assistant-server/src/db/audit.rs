//! The audit trail: who did what to which conversation, when, from where. Never message text.

use super::{Store, now_ms, rfc3339};
use serde::Serialize;
use sqlx::Row;

/// One audit record, as an admin reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditRecord {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conversation: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl Store {
    pub async fn audit(
        &self,
        actor: &str,
        action: &str,
        conversation: Option<&str>,
        ip: Option<&str>,
        detail: Option<&str>,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO audit (at, actor, action, conversation, ip, detail) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(now_ms())
        .bind(actor)
        .bind(action)
        .bind(conversation)
        .bind(ip)
        .bind(detail)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    /// Records newest first, before `before_id` (paging), at most `limit`.
    pub async fn audit_records(
        &self,
        before_id: Option<i64>,
        limit: i64,
    ) -> Result<Vec<AuditRecord>, sqlx::Error> {
        sqlx::query(
            "SELECT id, at, actor, action, conversation, ip, detail FROM audit WHERE id < $1 \
             ORDER BY id DESC LIMIT $2",
        )
        .bind(before_id.unwrap_or(i64::MAX))
        .bind(limit)
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(|r| {
            Ok(AuditRecord {
                id: r.try_get(0)?,
                at: rfc3339(r.try_get(1)?),
                actor: r.try_get(2)?,
                action: r.try_get(3)?,
                conversation: r.try_get(4)?,
                ip: r.try_get(5)?,
                detail: r.try_get(6)?,
            })
        })
        .collect()
    }
}
