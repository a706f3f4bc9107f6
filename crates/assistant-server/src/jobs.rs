//! Background jobs: customers who left the queue, retention, and forgetting idle rate-limit keys. Each
//! runs on its own timer for as long as the server does (they hold only clones of the state's handles).
//! `serve` starts them; tests start them on their own servers too.

use crate::state::AppState;
use std::time::Duration;

pub fn start(state: &AppState) {
    let s = state.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_secs(60)).await;
            if let Some(l) = &s.limiter {
                l.retain_recent();
                l.shrink_to_fit();
            }
            s.limits.forget_idle();
        }
    });
    let s = state.clone();
    let every = Duration::from_secs((s.config.handoff.abandon_after_s / 4).clamp(1, 30));
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(every).await;
            if let Err(e) = abandon_gone(&s).await {
                tracing::warn!(error = %e.message, "checking for customers who left failed");
            }
        }
    });
    let s = state.clone();
    tokio::spawn(async move {
        let every = Duration::from_secs(s.config.retention.run_every_s.max(60));
        loop {
            if let Err(e) = retain(&s).await {
                tracing::warn!(error = %e, "retention run failed");
            }
            tokio::time::sleep(every).await;
        }
    });
}

/// Takes out of the queue every customer who has gone (see `conversations::abandon_gone`).
pub async fn abandon_gone(state: &AppState) -> crate::error::ApiResult<usize> {
    crate::conversations::abandon_gone(state).await
}

/// One retention run (see docs/PRIVACY.md).
pub async fn retain(state: &AppState) -> Result<crate::db::Purged, sqlx::Error> {
    let r = &state.config.retention;
    // Count first, while the rows are all there.
    crate::insights::roll_up(state, i64::MIN / 2).await?;
    let purged = state
        .store
        .purge(r.conversation_days, r.unanswered_days, r.audit_days)
        .await?;
    if purged != crate::db::Purged::default() {
        tracing::info!(?purged, "retention: deleted what was past its time");
    }
    let counters = state.store.purge_insights(r.insights_days).await?;
    if counters > 0 {
        tracing::info!(
            counters,
            "retention: deleted insights counters past their time"
        );
    }
    Ok(purged)
}
