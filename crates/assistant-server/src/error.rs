//! One error type for every endpoint: a status and a JSON `ErrorBody` with a stable code and a calm
//! sentence. Extractor rejections (bad JSON, wrong types, oversized bodies) are mapped here too, so a
//! client never sees axum's plain-text errors, an empty 500 or a panic.

use assistant_core::api::ErrorBody;
use axum::extract::FromRequest;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "conflict", message)
    }
    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Sign in first: this needs valid credentials.",
        )
    }
    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Something went wrong on our side. Please try again in a moment.",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: self.code.into(),
            message: self.message,
        };
        (self.status, axum::Json(body)).into_response()
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> Self {
        tracing::error!(error = %e, "database error");
        Self::internal()
    }
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> Self {
        let (code, message) = match &r {
            JsonRejection::JsonSyntaxError(_) => ("invalid_json", "The body is not valid JSON."),
            JsonRejection::JsonDataError(_) => (
                "invalid_body",
                "The JSON has a missing field, a wrong type or an unknown field.",
            ),
            JsonRejection::MissingJsonContentType(_) => (
                "unsupported_media_type",
                "Send the body as JSON with Content-Type: application/json.",
            ),
            _ if r.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                ("payload_too_large", "The body is too large.")
            }
            _ => ("bad_request", "The body could not be read."),
        };
        // The serde detail (field name and position, never the value) helps client developers.
        let detail = match &r {
            JsonRejection::JsonSyntaxError(_) | JsonRejection::JsonDataError(_) => {
                format!(" ({})", r.body_text().rsplit(": ").next().unwrap_or(""))
            }
            _ => String::new(),
        };
        Self::new(r.status(), code, format!("{message}{detail}"))
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> Self {
        Self::bad_request(format!("Invalid query string: {}", r.body_text()))
    }
}

/// `axum::Json` with our error body on rejection.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct ApiJson<T>(pub T);

/// `axum::extract::Query` with our error body on rejection.
#[derive(axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct ApiQuery<T>(pub T);

pub type ApiResult<T> = Result<T, ApiError>;

/// Client-made ids: 1–64 characters from `[A-Za-z0-9_-]`.
pub fn check_id(what: &str, id: &str) -> ApiResult<()> {
    let ok = !id.is_empty()
        && id.chars().count() <= assistant_core::api::MAX_ID_CHARS
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if ok {
        Ok(())
    } else {
        Err(ApiError::bad_request(format!(
            "{what} must be 1–64 characters of letters, digits, '-' or '_'."
        )))
    }
}

/// Message texts: not blank, at most `MAX_TEXT_CHARS`.
pub fn check_text(what: &str, text: &str) -> ApiResult<()> {
    if text.trim().is_empty() {
        return Err(ApiError::bad_request(format!("{what} is empty.")));
    }
    if text.chars().count() > assistant_core::api::MAX_TEXT_CHARS {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "text_too_long",
            format!(
                "{what} is longer than {} characters.",
                assistant_core::api::MAX_TEXT_CHARS
            ),
        ));
    }
    Ok(())
}
