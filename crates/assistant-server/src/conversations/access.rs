//! Who may act on a conversation. A conversation id alone is no key: the browser opens a conversation
//! (`POST /v1/conversations`) and gets a 256-bit secret from the server's CSPRNG; every later customer
//! call about it carries the secret in the `X-Conversation-Secret` header (never the URL, so it stays out
//! of proxy and server logs). The server keeps only the secret's SHA-256 and compares in constant time.
//! A call without the right secret gets the same 404 as an unknown conversation, so nothing tells an
//! attacker whether an id exists.
//!
//! Why a header and not a cookie: the widget is usually embedded on the bank's site while the API may be
//! on another origin, where browsers block third-party cookies. Why a stream token: `EventSource` cannot
//! set headers, so the event stream takes a short-lived HMAC-signed token in its query string, made with
//! the secret by `POST /v1/conversations/{id}/stream-token`; it expires in minutes and names one
//! conversation, so a token seen in a log is worth little.
//!
//! Opening is idempotent by a `claim` the tab made: a retry after a lost response (same claim) replaces
//! the secret, and the same id with another claim is refused (409): ids are 128-bit random values, so that
//! only happens to someone guessing.

use crate::auth::sha256_hex;
use crate::db::Opened;
use crate::error::{ApiError, ApiResult, check_id};
use crate::state::AppState;
use assistant_core::api::{ConversationOpened, OpenConversation, SECRET_HEADER, StreamToken};
use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

pub use crate::pseudonym::log_id;

/// The secret a customer call carries (the header's value; empty when absent).
pub struct Secret(pub String);

impl<S: Send + Sync> FromRequestParts<S> for Secret {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        Ok(Secret(
            parts
                .headers
                .get(SECRET_HEADER)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .trim()
                .to_owned(),
        ))
    }
}

/// What every refused or unknown conversation gets.
pub fn unknown() -> ApiError {
    ApiError::not_found("No such conversation. Open one with POST /v1/conversations first.")
}

/// Checks that `secret` opens conversation `id`; 404 otherwise (unknown id, no secret, wrong secret).
pub async fn authorize(state: &AppState, id: &str, secret: &Secret) -> ApiResult<()> {
    check_id("conversation id", id)?;
    if secret.0.len() != 64 {
        return Err(unknown());
    }
    let given = sha256_hex(&secret.0);
    // Recently verified pairs are not read from the database again (`state::Verified`).
    if state.verified.holds(id, &given) {
        return Ok(());
    }
    match state.store.conversation_secret(id).await? {
        Some(s) if bool::from(s.as_bytes().ct_eq(given.as_bytes())) => {
            state.verified.remember(id, given);
            Ok(())
        }
        _ => Err(unknown()),
    }
}

fn check_claim(claim: &str) -> ApiResult<()> {
    let ok = (32..=128).contains(&claim.len())
        && claim
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(ApiError::bad_request(
            "claim must be 32–128 characters of letters, digits, '-' or '_'.",
        ))
    }
}

/// Opens a conversation for the browser that made `req` (`POST /v1/conversations`).
pub async fn open(
    state: &AppState,
    ip: std::net::IpAddr,
    req: OpenConversation,
) -> ApiResult<ConversationOpened> {
    check_id("conversation_id", &req.conversation_id)?;
    check_claim(&req.claim)?;
    state.limits.open_conversation(ip)?;
    let secret = crate::auth::new_token();
    let opened = state
        .store
        .open_conversation(
            &req.conversation_id,
            &sha256_hex(&secret),
            &sha256_hex(&req.claim),
        )
        .await?;
    if opened == Opened::Rotated {
        state.verified.forget(&req.conversation_id);
    }
    if opened == Opened::Taken {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "conversation_exists",
            "This conversation id is taken; make a new random one and open again.",
        ));
    }
    tracing::info!(conversation = %log_id(&req.conversation_id), ?opened, "conversation opened");
    Ok(ConversationOpened {
        conversation_id: req.conversation_id,
        secret,
    })
}

type HmacSha256 = Hmac<Sha256>;

fn signature(key: &[u8], id: &str, expires: u64) -> Vec<u8> {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(format!("events\n{id}\n{expires}").as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// A token for opening conversation `id`'s event stream until `expires` (Unix seconds).
pub fn make_stream_token(key: &[u8], id: &str, expires: u64) -> String {
    format!(
        "{expires}.{}",
        URL_SAFE_NO_PAD.encode(signature(key, id, expires))
    )
}

/// Whether `token` opens `id`'s stream at `now` (Unix seconds).
pub fn stream_token_valid(key: &[u8], id: &str, token: &str, now: u64) -> bool {
    let Some((exp, sig)) = token.split_once('.') else {
        return false;
    };
    let (Ok(expires), Ok(sig)) = (exp.parse::<u64>(), URL_SAFE_NO_PAD.decode(sig)) else {
        return false;
    };
    expires >= now && bool::from(signature(key, id, expires).as_slice().ct_eq(&sig))
}

pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// A stream token for conversation `id`, whose secret the caller has shown.
pub async fn stream_token(state: &AppState, id: &str, secret: &Secret) -> ApiResult<StreamToken> {
    authorize(state, id, secret).await?;
    let ttl = state.config.limits.stream_token_ttl_s;
    Ok(StreamToken {
        token: make_stream_token(&state.stream_key, id, unix_now() + u64::from(ttl)),
        expires_in_s: ttl,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_tokens_name_one_conversation_and_expire() {
        let key = b"0123456789abcdef0123456789abcdef";
        let t = make_stream_token(key, "conversation-aaaaaaaa", 1_000);
        assert!(stream_token_valid(key, "conversation-aaaaaaaa", &t, 999));
        assert!(stream_token_valid(key, "conversation-aaaaaaaa", &t, 1_000));
        assert!(!stream_token_valid(key, "conversation-aaaaaaaa", &t, 1_001));
        assert!(!stream_token_valid(key, "conversation-bbbbbbbb", &t, 999));
        assert!(!stream_token_valid(
            b"another key",
            "conversation-aaaaaaaa",
            &t,
            999
        ));
        // A later expiry with the old signature is refused.
        let forged = t.replacen("1000", "9000", 1);
        assert!(!stream_token_valid(
            key,
            "conversation-aaaaaaaa",
            &forged,
            999
        ));
        assert!(!stream_token_valid(key, "conversation-aaaaaaaa", "", 0));
        assert!(!stream_token_valid(
            key,
            "conversation-aaaaaaaa",
            "1000.",
            0
        ));
    }

    #[test]
    fn log_ids_are_short_stable_and_not_the_id() {
        let a = log_id("c-0123456789abcdef");
        assert_eq!(a.len(), 12);
        assert_eq!(a, log_id("c-0123456789abcdef"));
        assert_ne!(a, log_id("c-0123456789abcdeg"));
        assert!(!a.contains("0123456789abcdef"));
    }
}
