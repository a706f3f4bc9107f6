//! One error type for every endpoint: a status and a JSON `ErrorBody` with a stable code and a calm
//! sentence. Extractor rejections (bad JSON, wrong types, oversized bodies) are mapped here too, so a
//! client never sees axum's plain-text errors, an empty 500 or a panic.

use assistant_core::api::ErrorBody;
use axum::extract::FromRequest;
use axum::extract::rejection::{FormRejection, JsonRejection, PathRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// Seconds for a `Retry-After` header (429, 503).
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            retry_after: None,
        }
    }
    pub fn with_retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds.max(1));
        self
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
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
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
        let mut r = (self.status, axum::Json(body)).into_response();
        if let Some(s) = self.retry_after {
            r.headers_mut()
                .insert(axum::http::header::RETRY_AFTER, s.into());
        }
        r
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
        // Where it went wrong helps client developers; serde's own text can quote the submitted value
        // (`invalid type: string "4111 1111 1111 1111"`), so only the field name and position are kept.
        let detail = match &r {
            JsonRejection::JsonSyntaxError(_) | JsonRejection::JsonDataError(_) => {
                safe_detail(&r.body_text())
            }
            _ => String::new(),
        };
        Self::new(r.status(), code, format!("{message}{detail}"))
    }
}

/// The parts of serde's message that never carry the submitted value: the field (`unknown field
/// `x``, `missing field `x``) and the position (`at line 1 column 20`).
pub(crate) fn safe_detail(text: &str) -> String {
    let mut parts = Vec::new();
    for marker in ["unknown field `", "missing field `"] {
        if let Some(i) = text.find(marker) {
            let rest = &text[i + marker.len()..];
            if let Some(end) = rest.find('`') {
                let name: String = rest[..end]
                    .chars()
                    .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .take(40)
                    .collect();
                parts.push(format!("{} '{name}'", marker.trim_end_matches(" `")));
            }
        }
    }
    if let Some(i) = text.rfind(" at line ") {
        let pos: String = text[i + 1..]
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == ' ')
            .collect();
        parts.push(pos);
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(" ({})", parts.join(", "))
    }
}

impl From<QueryRejection> for ApiError {
    fn from(_: QueryRejection) -> Self {
        Self::bad_request("The query string is not valid for this address.")
    }
}

impl From<PathRejection> for ApiError {
    fn from(_: PathRejection) -> Self {
        Self::bad_request("The address is not valid (check the id in the path).")
    }
}

impl From<FormRejection> for ApiError {
    fn from(r: FormRejection) -> Self {
        match r {
            FormRejection::InvalidFormContentType(_) => Self::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "Send the form as application/x-www-form-urlencoded.",
            ),
            _ if r.status() == StatusCode::PAYLOAD_TOO_LARGE => Self::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                "The body is too large.",
            ),
            _ => Self::bad_request("The form is missing a field or could not be read."),
        }
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

/// `axum::extract::Path` with our error body on rejection (e.g. `%FF` in a path).
#[derive(axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct ApiPath<T>(pub T);

/// `axum::Form` with our error body on rejection.
#[derive(FromRequest)]
#[from_request(via(axum::Form), rejection(ApiError))]
pub struct ApiForm<T>(pub T);

pub type ApiResult<T> = Result<T, ApiError>;

/// Client-made ids: 16–64 characters from `[A-Za-z0-9_-]` (made from a CSPRNG by the client).
pub fn check_id(what: &str, id: &str) -> ApiResult<()> {
    let ok = id.len() >= assistant_core::api::MIN_ID_CHARS
        && id.chars().count() <= assistant_core::api::MAX_ID_CHARS
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if ok {
        Ok(())
    } else {
        Err(ApiError::bad_request(format!(
            "{what} must be 16–64 characters of letters, digits, '-' or '_'."
        )))
    }
}

/// Refuses NUL and other C0 controls but tab and line breaks: PostgreSQL cannot store NUL in text, and
/// no customer types the others; refused on both databases alike.
pub fn check_chars(what: &str, text: &str) -> ApiResult<()> {
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r') && (c as u32) < 0x20)
    {
        return Err(ApiError::bad_request(format!(
            "{what} contains control characters."
        )));
    }
    Ok(())
}

/// Message texts: not blank, no NUL or control characters, at most `MAX_TEXT_CHARS`.
pub fn check_text(what: &str, text: &str) -> ApiResult<()> {
    check_chars(what, text)?;
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
