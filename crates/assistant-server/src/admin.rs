//! The admin API (a machine's bearer token, or a person signed in with an admin account): the
//! improvement report, the audit trail, and deleting a conversation for a data-subject request.

use crate::audit;
use crate::auth::Admin;
use crate::client::ClientIp;
use crate::conversations::log_id;
use crate::db::AuditRecord;
use crate::error::{ApiError, ApiPath, ApiQuery, ApiResult, check_id};
use crate::state::AppState;
use assistant_core::api::{HandoffState, ReportResponse};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct ReportQuery {
    pub limit: Option<i64>,
}

pub async fn report(
    State(state): State<AppState>,
    _admin: Admin,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> ApiResult<Json<ReportResponse>> {
    let limit = q.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::bad_request("limit must be between 1 and 1000."));
    }
    let (unanswered, unhelpful) = state.store.report(limit).await?;
    Ok(Json(ReportResponse {
        unanswered,
        unhelpful,
    }))
}

#[derive(Debug, Deserialize)]
pub struct AuditQuery {
    /// Records older than this id (the last id of the previous page).
    pub before: Option<i64>,
    pub limit: Option<i64>,
}

/// `GET /v1/admin/audit`: newest first.
pub async fn audit_trail(
    State(state): State<AppState>,
    _admin: Admin,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> ApiResult<Json<Vec<AuditRecord>>> {
    let limit = q.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::bad_request("limit must be between 1 and 1000."));
    }
    Ok(Json(state.store.audit_records(q.before, limit).await?))
}

/// `DELETE /v1/admin/conversations/{id}`: everything stored about one conversation, for a data-subject
/// request. A conversation still with an agent is closed first, so its customer is told.
pub async fn delete_conversation(
    State(state): State<AppState>,
    admin: Admin,
    ip: ClientIp,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<StatusCode> {
    check_id("conversation id", &id)?;
    if state
        .store
        .transition(
            &id,
            &[HandoffState::Queued, HandoffState::Active],
            HandoffState::Closed,
            None,
        )
        .await?
    {
        crate::handoff::record_status(&state, &id, HandoffState::Closed, None).await?;
    }
    if !state.store.delete_conversation(&id).await? {
        return Err(ApiError::not_found(
            "Nothing is stored for this conversation.",
        ));
    }
    audit::record(
        &state,
        &admin.who,
        "delete",
        Some(&log_id(&id)),
        Some(ip.0),
        None,
    )
    .await;
    Ok(StatusCode::NO_CONTENT)
}
