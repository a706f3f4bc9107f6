//! The audit trail: every agent sign-in and refusal, take, reply (never its text), close, transcript view,
//! re-queue, sign-out, and every deletion, with who, when and from which address — in the log and in
//! the `audit` table, which an admin reads at `GET /v1/admin/audit`.

use crate::state::AppState;
use std::net::IpAddr;

/// Writes one record; a failure to write is logged, never fatal to the action it records.
pub async fn record(
    state: &AppState,
    actor: &str,
    action: &str,
    conversation: Option<&str>,
    ip: Option<IpAddr>,
    detail: Option<&str>,
) {
    let ip = ip.map(|i| i.to_string());
    tracing::info!(target: "audit", actor, action, conversation, ip, detail);
    if let Err(e) = state
        .store
        .audit(actor, action, conversation, ip.as_deref(), detail)
        .await
    {
        tracing::error!(error = %e, action, "could not write the audit record");
    }
}
