//! Queue positions, computed once per change for everyone. Each waiting customer's event stream used
//! to ask the database for its own position on every change to the queue (n streams × n changes); now
//! one task reads the whole queue in one query when it changes and publishes the positions in a `watch`
//! channel that every stream reads.

use crate::bus::{Bus, Note};
use crate::db::Store;
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::watch;

/// 1-based place in the queue of each waiting conversation.
pub type Positions = HashMap<String, u32>;

async fn read(store: &Store) -> Option<Positions> {
    match store.queued_ids().await {
        Ok(ids) => Some(
            ids.into_iter()
                .enumerate()
                .map(|(i, id)| (id, i as u32 + 1))
                .collect(),
        ),
        Err(e) => {
            tracing::warn!(error = %e, "reading the queue failed");
            None
        }
    }
}

/// Starts the task and returns the channel streams read.
pub async fn watch_positions(store: Store, bus: Bus) -> watch::Receiver<Arc<Positions>> {
    let mut rx = bus.subscribe();
    let (tx, out) = watch::channel(Arc::new(read(&store).await.unwrap_or_default()));
    tokio::spawn(async move {
        loop {
            match rx.recv().await {
                Ok(Note::Queue) | Err(RecvError::Lagged(_)) => {
                    // Changes that arrived meanwhile are covered by this one read.
                    while rx.try_recv().is_ok() {}
                    if let Some(p) = read(&store).await
                        && tx.send(Arc::new(p)).is_err()
                    {
                        break;
                    }
                }
                Ok(_) => {}
                Err(RecvError::Closed) => break,
            }
        }
    });
    out
}
