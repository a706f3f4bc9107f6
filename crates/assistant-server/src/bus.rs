//! Live notifications between the parts of the server that change a conversation and the SSE streams
//! that watch it. The notification only says *what* changed (a conversation's stored events, the queue,
//! an agent's typing); streams then read the stored events from the database after their last id. So
//! nothing is lost or duplicated when notifications are dropped, arrive late, or a stream lags: the
//! database is the source of truth and the notification is a wake-up.
//!
//! One process (SQLite): a `tokio::sync::broadcast` channel. Several instances on one PostgreSQL: every
//! notification is sent with `pg_notify` and every instance (the sender included) forwards what it
//! hears from `LISTEN` into its own broadcast channel, so a customer connected to instance A hears the
//! agent who replied on instance B.

use serde::{Deserialize, Serialize};
use sqlx::postgres::PgListener;
use tokio::sync::broadcast;

const CHANNEL: &str = "assistant_events";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "t", rename_all = "snake_case")]
pub enum Note {
    /// New stored events in a conversation.
    Events { c: String },
    /// Queue order changed (someone joined, left or was taken).
    Queue,
    /// An agent started/stopped typing.
    Typing { c: String, typing: bool },
}

#[derive(Clone)]
pub struct Bus {
    tx: broadcast::Sender<Note>,
    /// Set on PostgreSQL: notifications go through the database.
    pg: Option<sqlx::AnyPool>,
}

impl Bus {
    pub fn local() -> Self {
        let (tx, _) = broadcast::channel(4096);
        Self { tx, pg: None }
    }

    /// Listens on PostgreSQL and forwards into the local channel; reconnects on its own (PgListener
    /// re-subscribes after a dropped connection; notifications sent meanwhile are covered by streams
    /// re-reading the database on `Lagged` and on reconnect).
    pub async fn postgres(url: &str) -> anyhow::Result<Self> {
        let (tx, _) = broadcast::channel(4096);
        let mut listener = PgListener::connect(url).await?;
        listener.listen(CHANNEL).await?;
        let fwd = tx.clone();
        tokio::spawn(async move {
            loop {
                match listener.recv().await {
                    Ok(n) => {
                        if let Ok(note) = serde_json::from_str::<Note>(n.payload()) {
                            let _ = fwd.send(note);
                        }
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "LISTEN connection lost; retrying");
                        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                    }
                }
            }
        });
        let pool = sqlx::any::AnyPoolOptions::new()
            .max_connections(4)
            .connect(url)
            .await?;
        Ok(Self { tx, pg: Some(pool) })
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Note> {
        self.tx.subscribe()
    }

    pub async fn publish(&self, note: Note) {
        match &self.pg {
            None => {
                let _ = self.tx.send(note);
            }
            Some(pool) => {
                let payload = serde_json::to_string(&note).unwrap_or_default();
                if let Err(e) = sqlx::query("SELECT pg_notify($1, $2)")
                    .bind(CHANNEL)
                    .bind(payload)
                    .execute(pool)
                    .await
                {
                    // Streams still catch up from the database on their next wake-up or reconnect.
                    tracing::warn!(error = %e, "pg_notify failed");
                }
            }
        }
    }
}
