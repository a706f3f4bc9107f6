//! Storage: SQLite by default, PostgreSQL when the URL says so, through sqlx's `Any` driver so every
//! query is written once (portable SQL, `$n` placeholders, which SQLite also understands). The
//! migrations differ only in the auto-increment column (see `migrations/`).
//!
//! SQLite allows one writer at a time; rather than let several pooled connections fight over the lock
//! (SQLite's busy handler sleeps in milliseconds, which wrecks tail latency), writes go through a pool
//! of one connection, which sqlx queues fairly, and reads through a pool of several (WAL mode lets
//! them run alongside the writer). On PostgreSQL both are the same pool.

mod audit;
mod conversations;
mod insights;
mod retention;

pub use audit::AuditRecord;
pub use conversations::Opened;
pub use insights::{Counts, FeedbackFacts, HandoffFacts};
pub use retention::Purged;

use assistant_core::api::{
    HandoffReason, HandoffState, QueueItem, ReportRow, Role, StoredLine, TextSize,
};
use assistant_core::locale::Lang;
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Row};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug, Clone)]
pub struct Store {
    pub backend: Backend,
    read: AnyPool,
    write: AnyPool,
    pub url: String,
}

/// A UTC day in Unix milliseconds.
pub const DAY_MS: i64 = 86_400_000;

pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// RFC 3339 (UTC, milliseconds) of Unix milliseconds.
pub fn rfc3339(ms: i64) -> String {
    chrono::DateTime::<chrono::Utc>::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn enum_str<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn parse_enum<T: serde::de::DeserializeOwned>(s: &str) -> Result<T, sqlx::Error> {
    serde_json::from_value(serde_json::Value::String(s.to_owned()))
        .map_err(|e| sqlx::Error::Decode(Box::new(e)))
}

/// A hand-off as stored.
#[derive(Debug, Clone)]
pub struct Handoff {
    pub conversation_id: String,
    pub ticket_id: String,
    pub state: HandoffState,
    pub reason: HandoffReason,
    pub locale: Lang,
    pub text_size: TextSize,
    pub queued_at: i64,
    pub agent: Option<String>,
    pub agent_name: Option<String>,
}

impl Handoff {
    pub fn item(&self) -> QueueItem {
        QueueItem {
            conversation_id: self.conversation_id.clone(),
            ticket_id: self.ticket_id.clone(),
            state: self.state,
            reason: self.reason,
            locale: self.locale,
            text_size: self.text_size,
            queued_at: rfc3339(self.queued_at),
            waited_s: u64::try_from((now_ms() - self.queued_at) / 1000).unwrap_or(0),
            agent: self.agent_name.clone(),
            first_message: None,
        }
    }
}

fn handoff_from(row: &AnyRow) -> Result<Handoff, sqlx::Error> {
    Ok(Handoff {
        conversation_id: row.try_get("conversation_id")?,
        ticket_id: row.try_get("ticket_id")?,
        state: parse_enum(&row.try_get::<String, _>("state")?)?,
        reason: parse_enum(&row.try_get::<String, _>("reason")?)?,
        locale: parse_enum(&row.try_get::<String, _>("locale")?)?,
        text_size: parse_enum(&row.try_get::<String, _>("text_size")?)?,
        queued_at: row.try_get("queued_at")?,
        agent: row.try_get("agent")?,
        agent_name: row.try_get("agent_name")?,
    })
}

/// A hand-off's priority in the queue, for the reason in `reason` (a column or a parameter): 0 for a
/// possible scam (a customer may be moving their savings to a fraudster right now), 1 for everyone else.
macro_rules! priority {
    ($reason:literal) => {
        concat!("(CASE WHEN ", $reason, " = 'scam' THEN 0 ELSE 1 END)")
    };
}
/// Queue order: possible scams first, then first come, first served.
const QUEUE_ORDER: &str = concat!(priority!("reason"), ", queued_at, ticket_id");

const HANDOFF_COLS: &str =
    "conversation_id, ticket_id, state, reason, locale, text_size, queued_at, agent, agent_name";

/// A stored conversation event (messages and status changes).
#[derive(Debug, Clone)]
pub struct StoredEvent {
    pub id: i64,
    pub data: String,
}

/// Per-connection SQLite settings: WAL (readers alongside the writer), fsync at checkpoints only
/// (durable across process crashes; a power cut may lose the last moments), and a busy timeout.
fn sqlite_pragmas<'c>(
    c: &'c mut sqlx::AnyConnection,
    _: sqlx::pool::PoolConnectionMetadata,
) -> futures_util::future::BoxFuture<'c, Result<(), sqlx::Error>> {
    Box::pin(async move {
        sqlx::query("PRAGMA journal_mode = WAL")
            .execute(&mut *c)
            .await?;
        sqlx::query("PRAGMA synchronous = NORMAL")
            .execute(&mut *c)
            .await?;
        sqlx::query("PRAGMA busy_timeout = 5000")
            .execute(&mut *c)
            .await?;
        Ok(())
    })
}

impl Store {
    /// Connects (creating the SQLite file and its directory on first run) and runs the migrations.
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            anyhow::bail!("database_url must start with sqlite: or postgres:");
        };
        let (read, write) = match backend {
            Backend::Sqlite => {
                if let Some(path) = url
                    .strip_prefix("sqlite://")
                    .and_then(|p| p.split('?').next())
                    .map(std::path::Path::new)
                    .and_then(|p| p.parent())
                    .filter(|p| !p.as_os_str().is_empty())
                {
                    std::fs::create_dir_all(path)?;
                }
                let write = AnyPoolOptions::new()
                    .max_connections(1)
                    .acquire_timeout(Duration::from_secs(10))
                    .after_connect(sqlite_pragmas)
                    .connect(url)
                    .await?;
                // Migrate before the readers open the file.
                sqlx::migrate!("migrations/sqlite").run(&write).await?;
                let read = AnyPoolOptions::new()
                    .max_connections(4)
                    .acquire_timeout(Duration::from_secs(10))
                    .after_connect(sqlite_pragmas)
                    .connect(url)
                    .await?;
                (read, write)
            }
            Backend::Postgres => {
                let pool = AnyPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect(url)
                    .await?;
                sqlx::migrate!("migrations/postgres").run(&pool).await?;
                (pool.clone(), pool)
            }
        };
        Ok(Self {
            backend,
            read,
            write,
            url: url.to_owned(),
        })
    }

    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT 1")
            .execute(&self.read)
            .await
            .map(|_| ())
    }

    pub async fn close(&self) {
        self.read.close().await;
        self.write.close().await;
    }

    // ---- chat -------------------------------------------------------------------------------------

    /// Stores a reply unless one exists for this message; true when this call stored it.
    #[allow(clippy::too_many_arguments)]
    pub async fn insert_reply(
        &self,
        conversation_id: &str,
        message_id: &str,
        question: &str,
        question_norm: &str,
        reply: &str,
        source: &str,
        intent: Option<&str>,
        answered: bool,
    ) -> Result<bool, sqlx::Error> {
        let r = sqlx::query(
            "INSERT INTO chat_replies (conversation_id, message_id, question, question_norm, reply, \
             source, intent, answered, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             ON CONFLICT (conversation_id, message_id) DO NOTHING",
        )
        .bind(conversation_id)
        .bind(message_id)
        .bind(question)
        .bind(question_norm)
        .bind(reply)
        .bind(source)
        .bind(intent)
        .bind(answered as i64)
        .bind(now_ms())
        .execute(&self.write)
        .await?;
        Ok(r.rows_affected() == 1)
    }

    /// The stored (question, reply JSON) of a message.
    pub async fn get_reply(
        &self,
        conversation_id: &str,
        message_id: &str,
    ) -> Result<Option<(String, String)>, sqlx::Error> {
        // WAL readers see every committed write, so a concurrent retry's row is visible here.
        let row = sqlx::query(
            "SELECT question, reply FROM chat_replies WHERE conversation_id = $1 AND message_id = $2",
        )
        .bind(conversation_id)
        .bind(message_id)
        .fetch_optional(&self.read)
        .await?;
        row.map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).transpose()
    }

    // ---- hand-off ---------------------------------------------------------------------------------

    pub async fn handoff(&self, conversation_id: &str) -> Result<Option<Handoff>, sqlx::Error> {
        let row = sqlx::query(&format!(
            "SELECT {HANDOFF_COLS} FROM handoffs WHERE conversation_id = $1"
        ))
        .bind(conversation_id)
        .fetch_optional(&self.read)
        .await?;
        row.as_ref().map(handoff_from).transpose()
    }

    /// Queues a conversation (new ticket), replacing an earlier hand-off that has ended (closed,
    /// cancelled, or abandoned by a customer who has now come back).
    pub async fn queue(
        &self,
        conversation_id: &str,
        ticket_id: &str,
        reason: HandoffReason,
        locale: Lang,
        text_size: TextSize,
    ) -> Result<(), sqlx::Error> {
        let now = now_ms();
        sqlx::query(
            "INSERT INTO handoffs (conversation_id, ticket_id, state, reason, locale, text_size, \
             queued_at, agent, agent_name, updated_at) VALUES ($1, $2, 'queued', $3, $4, $5, $6, NULL, NULL, $6) \
             ON CONFLICT (conversation_id) DO UPDATE SET ticket_id = excluded.ticket_id, \
             state = 'queued', reason = excluded.reason, locale = excluded.locale, \
             text_size = excluded.text_size, queued_at = excluded.queued_at, agent = NULL, \
             agent_name = NULL, updated_at = excluded.updated_at \
             WHERE handoffs.state IN ('closed', 'cancelled', 'abandoned')",
        )
        .bind(conversation_id)
        .bind(ticket_id)
        .bind(enum_str(&reason))
        .bind(enum_str(&locale))
        .bind(enum_str(&text_size))
        .bind(now)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    /// 1-based place in the queue of a waiting conversation ([`QUEUE_ORDER`]).
    pub async fn position(&self, h: &Handoff) -> Result<u32, sqlx::Error> {
        let (theirs, mine) = (priority!("reason"), priority!("$3"));
        let n: i64 = sqlx::query(&format!(
            "SELECT COUNT(*) FROM handoffs WHERE state = 'queued' AND \
             ({theirs} < {mine} OR ({theirs} = {mine} AND \
             (queued_at < $1 OR (queued_at = $1 AND ticket_id < $2))))"
        ))
        .bind(h.queued_at)
        .bind(&h.ticket_id)
        .bind(enum_str(&h.reason))
        .fetch_one(&self.read)
        .await?
        .try_get(0)?;
        Ok(n as u32 + 1)
    }

    /// Waiting conversations in queue order.
    pub async fn queued_ids(&self) -> Result<Vec<String>, sqlx::Error> {
        sqlx::query(&format!(
            "SELECT conversation_id FROM handoffs WHERE state = 'queued' ORDER BY {QUEUE_ORDER}"
        ))
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(|r| r.try_get(0))
        .collect()
    }

    /// Waiting and active hand-offs.
    pub async fn open_count(&self) -> Result<i64, sqlx::Error> {
        sqlx::query("SELECT COUNT(*) FROM handoffs WHERE state IN ('queued', 'active')")
            .fetch_one(&self.read)
            .await?
            .try_get(0)
    }

    /// When the longest-waiting customer joined the queue (none when no one waits).
    pub async fn oldest_queued_at(&self) -> Result<Option<i64>, sqlx::Error> {
        sqlx::query("SELECT MIN(queued_at) FROM handoffs WHERE state = 'queued'")
            .fetch_one(&self.read)
            .await?
            .try_get(0)
    }

    pub async fn queue_length(&self) -> Result<i64, sqlx::Error> {
        sqlx::query("SELECT COUNT(*) FROM handoffs WHERE state = 'queued'")
            .fetch_one(&self.read)
            .await?
            .try_get(0)
    }

    /// Waiting and active hand-offs, oldest first, one page; each with its customer's first line of
    /// the hand-off (stored as the customer wrote it, already masked), all in one query: the first
    /// customer line stored since it was queued (the lines the browser sent with it, then what they
    /// wrote while waiting), or else the latest one before (a second hand-off with nothing new said).
    pub async fn open_handoffs(
        &self,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<(Handoff, Option<String>)>, sqlx::Error> {
        let customer_line = "SELECT e.data FROM events e WHERE e.conversation_id = h.conversation_id \
             AND e.kind IN ('transcript', 'message') AND e.role = 'customer'";
        sqlx::query(&format!(
            "SELECT {HANDOFF_COLS}, COALESCE(\
             ({customer_line} AND e.created_at >= h.queued_at ORDER BY e.id LIMIT 1), \
             ({customer_line} AND e.created_at < h.queued_at ORDER BY e.id DESC LIMIT 1)) AS first_line \
             FROM handoffs h WHERE h.state IN ('queued', 'active') \
             ORDER BY {QUEUE_ORDER} LIMIT $1 OFFSET $2"
        ))
        .bind(limit)
        .bind(offset)
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(|row| {
            let data: Option<String> = row.try_get("first_line")?;
            let text = data.and_then(|d| match serde_json::from_str(&d) {
                Ok(assistant_core::api::ConversationEvent::Message { text, .. }) => Some(text),
                _ => None,
            });
            Ok((handoff_from(row)?, text))
        })
        .collect()
    }

    /// Moves a hand-off from one of `from` to `to`; false when it was in none of them.
    pub async fn transition(
        &self,
        conversation_id: &str,
        from: &[HandoffState],
        to: HandoffState,
        agent: Option<(&str, &str)>,
    ) -> Result<bool, sqlx::Error> {
        let states: Vec<String> = from.iter().map(|s| format!("'{}'", enum_str(s))).collect();
        let sql = match agent {
            Some(_) => format!(
                "UPDATE handoffs SET state = $1, updated_at = $2, agent = $4, agent_name = $5 \
                 WHERE conversation_id = $3 AND state IN ({})",
                states.join(", ")
            ),
            None => format!(
                "UPDATE handoffs SET state = $1, updated_at = $2 WHERE conversation_id = $3 AND state IN ({})",
                states.join(", ")
            ),
        };
        let mut q = sqlx::query(&sql)
            .bind(enum_str(&to))
            .bind(now_ms())
            .bind(conversation_id);
        if let Some((a, n)) = agent {
            q = q.bind(a).bind(n);
        }
        Ok(q.execute(&self.write).await?.rows_affected() == 1)
    }

    // ---- events and transcript --------------------------------------------------------------------

    /// Appends an event; with a `client_message_id`, a repeat returns the first one's id.
    pub async fn insert_event(
        &self,
        conversation_id: &str,
        kind: &str,
        role: Option<Role>,
        data: &str,
        client_message_id: Option<&str>,
        actor: Option<&str>,
    ) -> Result<(i64, bool), sqlx::Error> {
        let row = sqlx::query(
            "INSERT INTO events (conversation_id, client_message_id, kind, role, data, created_at, actor) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (conversation_id, client_message_id) DO NOTHING \
             RETURNING id",
        )
        .bind(conversation_id)
        .bind(client_message_id)
        .bind(kind)
        .bind(role.map(|r| enum_str(&r)))
        .bind(data)
        .bind(now_ms())
        .bind(actor)
        .fetch_optional(&self.write)
        .await?;
        if let Some(r) = row {
            return Ok((r.try_get(0)?, true));
        }
        let id: i64 = sqlx::query(
            "SELECT id FROM events WHERE conversation_id = $1 AND client_message_id = $2",
        )
        .bind(conversation_id)
        .bind(client_message_id)
        .fetch_one(&self.read)
        .await?
        .try_get(0)?;
        Ok((id, false))
    }

    /// Stored events after `after` that the customer sees (messages and status), oldest first.
    pub async fn events_after(
        &self,
        conversation_id: &str,
        after: i64,
    ) -> Result<Vec<StoredEvent>, sqlx::Error> {
        sqlx::query(
            "SELECT id, data FROM events WHERE conversation_id = $1 AND id > $2 \
             AND kind IN ('message', 'status') ORDER BY id LIMIT 500",
        )
        .bind(conversation_id)
        .bind(after)
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(|r| {
            Ok(StoredEvent {
                id: r.try_get(0)?,
                data: r.try_get(1)?,
            })
        })
        .collect()
    }

    pub async fn count_transcript(&self, conversation_id: &str) -> Result<i64, sqlx::Error> {
        sqlx::query(
            "SELECT COUNT(*) FROM events WHERE conversation_id = $1 AND kind = 'transcript'",
        )
        .bind(conversation_id)
        .fetch_one(&self.read)
        .await?
        .try_get(0)
    }

    /// The whole transcript: the lines the widget sent with the hand-off, then the messages since.
    pub async fn transcript(&self, conversation_id: &str) -> Result<Vec<StoredLine>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT data, kind FROM events WHERE conversation_id = $1 AND kind IN ('transcript', 'message') \
             ORDER BY id",
        )
        .bind(conversation_id)
        .fetch_all(&self.read)
        .await?;
        let mut out = Vec::new();
        for r in rows {
            let data: String = r.try_get(0)?;
            let kind: String = r.try_get(1)?;
            if let Ok(assistant_core::api::ConversationEvent::Message { role, text, at, .. }) =
                serde_json::from_str(&data)
            {
                // Lines the browser sent with the hand-off: the server did not see them happen.
                out.push(StoredLine {
                    role,
                    text,
                    at,
                    reported: kind == "transcript",
                });
            }
        }
        Ok(out)
    }

    // ---- feedback, left messages, report ---------------------------------------------------------

    /// The normalised question and intent of a server answer in this conversation.
    pub async fn reply_question(
        &self,
        conversation_id: &str,
        message_id: &str,
    ) -> Result<Option<(String, Option<String>)>, sqlx::Error> {
        let row = sqlx::query(
            "SELECT question_norm, intent FROM chat_replies WHERE conversation_id = $1 AND message_id = $2",
        )
        .bind(conversation_id)
        .bind(message_id)
        .fetch_optional(&self.read)
        .await?;
        row.map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).transpose()
    }

    pub async fn upsert_feedback(
        &self,
        message_id: &str,
        conversation_id: &str,
        helpful: bool,
        comment: Option<&str>,
        question_norm: Option<&str>,
        intent: Option<&str>,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO feedback (message_id, conversation_id, helpful, comment, question_norm, intent, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (conversation_id, message_id) DO UPDATE SET \
             helpful = excluded.helpful, comment = excluded.comment, created_at = excluded.created_at",
        )
        .bind(message_id)
        .bind(conversation_id)
        .bind(helpful as i64)
        .bind(comment)
        .bind(question_norm)
        .bind(intent)
        .bind(now_ms())
        .execute(&self.write)
        .await?;
        Ok(())
    }

    pub async fn leave_message(
        &self,
        conversation_id: &str,
        message_id: &str,
        text: &str,
        locale: Lang,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO left_messages (conversation_id, message_id, text, locale, created_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (conversation_id, message_id) DO NOTHING",
        )
        .bind(conversation_id)
        .bind(message_id)
        .bind(text)
        .bind(enum_str(&locale))
        .bind(now_ms())
        .execute(&self.write)
        .await?;
        Ok(())
    }

    /// Messages left, oldest unhandled first (then, with `handled`, the handled ones, newest first).
    pub async fn left_messages(
        &self,
        handled: bool,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<assistant_core::api::LeftMessage>, sqlx::Error> {
        let filter = if handled {
            "handled_at IS NOT NULL ORDER BY handled_at DESC"
        } else {
            "handled_at IS NULL ORDER BY created_at"
        };
        sqlx::query(&format!(
            "SELECT conversation_id, message_id, text, locale, created_at, handled_at, handled_by \
             FROM left_messages WHERE {filter} LIMIT $1 OFFSET $2"
        ))
        .bind(limit)
        .bind(offset)
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(|r| {
            Ok(assistant_core::api::LeftMessage {
                conversation_id: r.try_get(0)?,
                message_id: r.try_get(1)?,
                text: r.try_get(2)?,
                locale: parse_enum(&r.try_get::<String, _>(3)?)?,
                at: rfc3339(r.try_get(4)?),
                handled_at: r.try_get::<Option<i64>, _>(5)?.map(rfc3339),
                handled_by: r.try_get(6)?,
            })
        })
        .collect()
    }

    /// Marks a left message handled; false when there is no such message.
    pub async fn left_message_handled(
        &self,
        conversation_id: &str,
        message_id: &str,
        agent: &str,
    ) -> Result<bool, sqlx::Error> {
        Ok(sqlx::query(
            "UPDATE left_messages SET handled_at = $1, handled_by = $2 \
             WHERE conversation_id = $3 AND message_id = $4",
        )
        .bind(now_ms())
        .bind(agent)
        .bind(conversation_id)
        .bind(message_id)
        .execute(&self.write)
        .await?
        .rows_affected()
            == 1)
    }

    fn rows(rows: Vec<AnyRow>) -> Result<Vec<ReportRow>, sqlx::Error> {
        rows.iter()
            .map(|r| {
                Ok(ReportRow {
                    question: r.try_get(0)?,
                    count: r.try_get(1)?,
                    intent: r.try_get(2)?,
                })
            })
            .collect()
    }

    /// Unanswered and unhelpful questions, most frequent first.
    pub async fn report(
        &self,
        limit: i64,
    ) -> Result<(Vec<ReportRow>, Vec<ReportRow>), sqlx::Error> {
        let unanswered = sqlx::query(
            "SELECT question_norm, COUNT(*) AS n, MAX(intent) FROM chat_replies WHERE answered = 0 \
             GROUP BY question_norm ORDER BY n DESC, question_norm LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        let unhelpful = sqlx::query(
            "SELECT question_norm, COUNT(*) AS n, MAX(intent) FROM feedback WHERE helpful = 0 \
             AND question_norm IS NOT NULL GROUP BY question_norm ORDER BY n DESC, question_norm LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        Ok((Self::rows(unanswered)?, Self::rows(unhelpful)?))
    }

    // ---- agent sessions ---------------------------------------------------------------------------

    pub async fn create_session(
        &self,
        token_sha256: &str,
        agent: &str,
        ttl_s: i64,
    ) -> Result<(), sqlx::Error> {
        sqlx::query("INSERT INTO sessions (token_sha256, agent, expires_at) VALUES ($1, $2, $3)")
            .bind(token_sha256)
            .bind(agent)
            .bind(now_ms() + ttl_s * 1000)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    pub async fn session_agent(&self, token_sha256: &str) -> Result<Option<String>, sqlx::Error> {
        let row =
            sqlx::query("SELECT agent FROM sessions WHERE token_sha256 = $1 AND expires_at > $2")
                .bind(token_sha256)
                .bind(now_ms())
                .fetch_optional(&self.read)
                .await?;
        row.map(|r| r.try_get(0)).transpose()
    }

    pub async fn delete_session(&self, token_sha256: &str) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM sessions WHERE token_sha256 = $1")
            .bind(token_sha256)
            .execute(&self.write)
            .await?;
        Ok(())
    }
}
