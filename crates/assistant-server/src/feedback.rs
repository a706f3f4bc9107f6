//! `POST /v1/feedback`: helpful / not helpful on one answer. The call carries the conversation's secret
//! and feedback is keyed by (conversation, message), so nobody else can rate — or overwrite the rating of
//! — someone's answer by knowing its message id. Everything stored is masked.

use crate::conversations::{Secret, authorize};
use crate::error::{ApiError, ApiJson, ApiResult, check_chars, check_id};
use crate::state::AppState;
use assistant_core::api::FeedbackRequest;
use assistant_core::pii;
use axum::extract::State;
use axum::http::StatusCode;

pub async fn feedback(
    State(state): State<AppState>,
    secret: Secret,
    ApiJson(req): ApiJson<FeedbackRequest>,
) -> ApiResult<StatusCode> {
    authorize(&state, &req.conversation_id, &secret).await?;
    check_id("message_id", &req.message_id)?;
    for (what, v, max) in [
        ("comment", &req.comment, 2000),
        ("question", &req.question, 2000),
        ("intent", &req.intent, 64),
    ] {
        if let Some(v) = v {
            if v.chars().count() > max {
                return Err(ApiError::bad_request(format!(
                    "{what} is longer than {max} characters."
                )));
            }
            check_chars(what, v)?;
        }
    }
    // The server's own answers: the question as stored; the browser's: the masked question it sent.
    let (question, intent) = match state
        .store
        .reply_question(&req.conversation_id, &req.message_id)
        .await?
    {
        Some((q, i)) => (Some(q), i),
        None => (
            req.question
                .as_deref()
                .map(|q| state.index.normalize(&pii::mask(q).text)),
            // An intent is a label, but it is client text all the same: masked like the rest.
            req.intent.as_deref().map(|i| pii::mask(i).text),
        ),
    };
    let comment = req.comment.as_deref().map(|c| pii::mask(c).text);
    state
        .store
        .upsert_feedback(
            &req.message_id,
            &req.conversation_id,
            req.helpful,
            comment.as_deref(),
            question.as_deref(),
            intent.as_deref(),
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
