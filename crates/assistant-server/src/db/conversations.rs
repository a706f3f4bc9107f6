//! Conversations as the server knows them: the hash of each one's secret (and of the claim the browser
//! opened it with), and when its customer was last seen; plus the server's own keys.

use super::{Store, now_ms};
use sqlx::Row;

/// What opening a conversation did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opened {
    /// A new conversation.
    Created,
    /// The same browser asked again (same claim): its secret was replaced.
    Rotated,
    /// The id belongs to someone else.
    Taken,
}

impl Store {
    /// Opens `id` with the hashes of a fresh secret and of the browser's claim.
    pub async fn open_conversation(
        &self,
        id: &str,
        secret_sha256: &str,
        claim_sha256: &str,
    ) -> Result<Opened, sqlx::Error> {
        let now = now_ms();
        let inserted = sqlx::query(
            "INSERT INTO conversations (id, secret_sha256, claim_sha256, created_at, customer_seen_at) \
             VALUES ($1, $2, $3, $4, $4) ON CONFLICT (id) DO NOTHING",
        )
        .bind(id)
        .bind(secret_sha256)
        .bind(claim_sha256)
        .bind(now)
        .execute(&self.write)
        .await?
        .rows_affected();
        if inserted == 1 {
            return Ok(Opened::Created);
        }
        // The claim is compared in SQL on its hash: equal hashes of a 128-bit random value leak nothing.
        let rotated = sqlx::query(
            "UPDATE conversations SET secret_sha256 = $1, customer_seen_at = $2 \
             WHERE id = $3 AND claim_sha256 = $4",
        )
        .bind(secret_sha256)
        .bind(now)
        .bind(id)
        .bind(claim_sha256)
        .execute(&self.write)
        .await?
        .rows_affected();
        Ok(if rotated == 1 {
            Opened::Rotated
        } else {
            Opened::Taken
        })
    }

    /// The SHA-256 (hex) of a conversation's secret, if the conversation exists.
    pub async fn conversation_secret(&self, id: &str) -> Result<Option<String>, sqlx::Error> {
        sqlx::query("SELECT secret_sha256 FROM conversations WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.read)
            .await?
            .map(|r| r.try_get(0))
            .transpose()
    }

    /// Notes that the customer is still there (an open event stream, a message).
    pub async fn customer_seen(&self, id: &str) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE conversations SET customer_seen_at = $1 WHERE id = $2")
            .bind(now_ms())
            .bind(id)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    /// Queued hand-offs whose customer has not been seen since `before` (Unix ms).
    pub async fn gone_from_queue(&self, before: i64) -> Result<Vec<String>, sqlx::Error> {
        sqlx::query(
            "SELECT h.conversation_id FROM handoffs h JOIN conversations c ON c.id = h.conversation_id \
             WHERE h.state = 'queued' AND c.customer_seen_at < $1 ORDER BY h.queued_at LIMIT 500",
        )
        .bind(before)
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(|r| r.try_get(0))
        .collect()
    }

    /// The server's own random key called `name`, made once and shared by every instance on this
    /// database.
    pub async fn server_key(&self, name: &str, fresh: &str) -> Result<String, sqlx::Error> {
        sqlx::query(
            "INSERT INTO server_keys (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(fresh)
        .execute(&self.write)
        .await?;
        sqlx::query("SELECT value FROM server_keys WHERE name = $1")
            .bind(name)
            .fetch_one(&self.write)
            .await?
            .try_get(0)
    }
}
