//! The admin API (a machine's bearer token, or a person signed in with an admin account): the
//! improvement report, the audit trail, and deleting a conversation for a data-subject request.
//! Responses are never cached (`no-store`).

use crate::auth::Admin;
use crate::client::ClientIp;
use crate::db::AuditRecord;
use crate::error::{ApiError, ApiPath, ApiQuery, ApiResult};
use crate::state::AppState;
use assistant_core::api::ReportResponse;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, get};
use axum::{Json, Router};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/admin/report", get(report))
        .route("/v1/admin/audit", get(audit_trail))
        .route("/v1/admin/insights", get(insights))
        .route("/v1/admin/conversations/{id}", delete(delete_conversation))
        .layer(super::no_store())
}

#[derive(Debug, Deserialize)]
pub struct ReportQuery {
    pub limit: Option<i64>,
}

async fn report(
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
pub struct InsightsQuery {
    /// The last this many days, today included (1–366, default 30).
    pub days: Option<i64>,
}

/// `GET /v1/admin/insights`: the counters of the last `days` days, summarised (`insights::summary`).
/// Today's and yesterday's server counts are recomputed first, so the page is current.
async fn insights(
    State(state): State<AppState>,
    _admin: Admin,
    ApiQuery(q): ApiQuery<InsightsQuery>,
) -> ApiResult<Json<crate::insights::summary::Insights>> {
    Ok(Json(crate::insights::current(&state, q.days).await?))
}

#[derive(Debug, Deserialize)]
pub struct AuditQuery {
    /// Records older than this id (the last id of the previous page).
    pub before: Option<i64>,
    pub limit: Option<i64>,
}

/// `GET /v1/admin/audit`: newest first.
async fn audit_trail(
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
async fn delete_conversation(
    State(state): State<AppState>,
    admin: Admin,
    ip: ClientIp,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<StatusCode> {
    if !crate::conversations::delete(&state, &admin.who, &id, ip.0).await? {
        return Err(ApiError::not_found(
            "Nothing is stored for this conversation.",
        ));
    }
    Ok(StatusCode::NO_CONTENT)
}
