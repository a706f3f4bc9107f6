//! Agent and admin authentication. Agents sign in with passwords checked against argon2 hashes from
//! the configuration; a session is a random 256-bit token, stored only as its SHA-256 (a leaked
//! database does not yield usable sessions), sent as an `HttpOnly; SameSite=Strict` cookie for the
//! console and usable as a bearer token for the JSON API. The admin token is compared by its SHA-256 in
//! constant time. Nothing here is reachable anonymously.
//!
//! Accounts have a role (`config::AccountRole`): agents handle conversations, supervisors may also close
//! anyone's, admins read reports and the audit trail but handle no conversations. A state-changing call
//! authenticated by the cookie must come from our own origin (`Origin` equal to the host), which stops a
//! cross-site page from posting with the agent's cookie even where `SameSite` is not honoured; bearer-token
//! calls carry no ambient credential and need no such check.

use crate::config::AccountRole;
use crate::error::ApiError;
use crate::error::ApiResult;
use crate::state::AppState;
use argon2::Argon2;
use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use assistant_core::pii;
use axum::extract::FromRequestParts;
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use sha2::{Digest, Sha256};
use std::net::IpAddr;

pub const COOKIE_NAME: &str = "assistant_agent";

pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("cannot hash: {e}"))
}

pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

pub fn sha256_hex(s: &str) -> String {
    Sha256::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub fn new_token() -> String {
    let mut b = [0u8; 32];
    OsRng.fill_bytes(&mut b);
    b.iter().map(|b| format!("{b:02x}")).collect()
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    subtle::ConstantTimeEq::ct_eq(a, b).into()
}

fn bearer(parts: &Parts) -> Option<&str> {
    parts
        .headers
        .get(AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

pub fn cookie<'a>(headers: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A signed-in account (agent, supervisor or admin).
#[derive(Debug, Clone)]
pub struct Agent {
    pub username: String,
    pub display_name: String,
    pub token: String,
    pub role: AccountRole,
}

/// Whether the request's `Origin` is this server's own (scheme-less comparison with `Host`).
pub fn same_origin(headers: &axum::http::HeaderMap) -> bool {
    let (Some(origin), Some(host)) = (
        headers.get("origin").and_then(|v| v.to_str().ok()),
        headers.get("host").and_then(|v| v.to_str().ok()),
    ) else {
        return false;
    };
    origin.split_once("://").is_some_and(|(_, h)| h == host)
}

impl Agent {
    /// Agents and supervisors handle conversations; admins do not.
    pub fn may_handle_conversations(&self) -> Result<(), ApiError> {
        if self.role == AccountRole::Admin {
            return Err(ApiError::forbidden(
                "Admin accounts do not handle conversations; sign in as an agent.",
            ));
        }
        Ok(())
    }

    pub async fn from_headers(
        state: &AppState,
        headers: &axum::http::HeaderMap,
        bearer_token: Option<&str>,
    ) -> Result<Self, ApiError> {
        let token = bearer_token
            .or_else(|| cookie(headers, COOKIE_NAME))
            .filter(|t| t.len() == 64)
            .ok_or_else(ApiError::unauthorized)?;
        let username = state
            .store
            .session_agent(&sha256_hex(token))
            .await?
            .ok_or_else(ApiError::unauthorized)?;
        let account = state
            .config
            .agents
            .iter()
            .find(|a| a.username == username)
            .ok_or_else(ApiError::unauthorized)?;
        Ok(Agent {
            username,
            display_name: account.display_name.clone(),
            token: token.to_owned(),
            role: account.role,
        })
    }
}

impl FromRequestParts<AppState> for Agent {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let b = bearer(parts).map(str::to_owned);
        let agent = Agent::from_headers(state, &parts.headers, b.as_deref()).await?;
        let writes = !matches!(
            parts.method,
            axum::http::Method::GET | axum::http::Method::HEAD
        );
        if b.is_none() && writes && !same_origin(&parts.headers) {
            return Err(ApiError::forbidden(
                "Cross-site requests are refused: send this from the console's own pages.",
            ));
        }
        Ok(agent)
    }
}

/// An admin: a machine with the bearer token from the configuration, or a person signed in with an
/// admin account. Agents are refused.
pub struct Admin {
    /// The admin account's username, or "token" for the configured bearer token.
    pub who: String,
}

impl FromRequestParts<AppState> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let expected = state.config.admin.token_sha256.trim().to_ascii_lowercase();
        if let Some(given) = bearer(parts)
            && expected.len() == 64
            && constant_time_eq(sha256_hex(given).as_bytes(), expected.as_bytes())
        {
            return Ok(Admin {
                who: "token".into(),
            });
        }
        let agent = Agent::from_request_parts(parts, state).await?;
        if agent.role == AccountRole::Admin {
            Ok(Admin {
                who: agent.username,
            })
        } else {
            Err(ApiError::forbidden("This needs an admin account."))
        }
    }
}

/// A username as it may appear in logs: masked if it looks like personal data (someone typing their
/// e-mail or phone into the username box), and cut short.
pub fn loggable_username(username: &str) -> String {
    pii::mask(username).text.chars().take(64).collect()
}

/// Signs in; returns the session token (also as a cookie) and the display name. Throttled per username
/// and address; password checks are capped (see `throttle`).
pub async fn sign_in(
    state: &AppState,
    username: &str,
    password: &str,
    ip: IpAddr,
) -> ApiResult<(String, String)> {
    let shown = loggable_username(username);
    if let Err(e) = state.login.check(username, ip) {
        tracing::warn!(username = %shown, %ip, "sign-in refused: locked out");
        crate::audit::record(
            state,
            "-",
            "sign_in_locked_out",
            None,
            Some(ip),
            Some(&shown),
        )
        .await;
        return Err(e);
    }
    let refused = || {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Wrong username or password.",
        )
    };
    if username.len() > 100 || password.len() > 200 || username.contains('\0') {
        state.login.failed(username, ip);
        return Err(refused());
    }
    let permit = state.login.permit()?;
    let (s, u, p) = (state.clone(), username.to_owned(), password.to_owned());
    // argon2 is deliberately slow: keep it off the async workers.
    let account = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        check_login(&s, &u, &p)
    })
    .await
    .map_err(|_| ApiError::internal())?;
    let Some(account) = account else {
        state.login.failed(username, ip);
        tracing::warn!(username = %shown, %ip, "sign-in refused: wrong username or password");
        crate::audit::record(state, "-", "sign_in_refused", None, Some(ip), Some(&shown)).await;
        return Err(refused());
    };
    state.login.succeeded(username);
    let token = new_token();
    state
        .store
        .create_session(
            &sha256_hex(&token),
            &account.username,
            state.config.handoff.session_ttl_s,
        )
        .await?;
    tracing::info!(agent = %account.username, %ip, "signed in");
    crate::audit::record(state, &account.username, "sign_in", None, Some(ip), None).await;
    Ok((token, account.display_name))
}

pub fn cookie_header(state: &AppState, token: &str, max_age: i64) -> HeaderValue {
    HeaderValue::from_str(&session_cookie(
        token,
        state.config.security.secure_cookies,
        max_age,
    ))
    .unwrap_or(HeaderValue::from_static(""))
}

pub async fn sign_out(state: &AppState, agent: &Agent, ip: IpAddr) -> ApiResult<()> {
    state
        .store
        .delete_session(&sha256_hex(&agent.token))
        .await?;
    crate::audit::record(state, &agent.username, "sign_out", None, Some(ip), None).await;
    Ok(())
}

/// Checks a username and password; the same work is done for unknown names, so timing does not
/// tell which usernames exist.
pub fn check_login(
    state: &AppState,
    username: &str,
    password: &str,
) -> Option<crate::config::AgentAccount> {
    // A valid hash of a random password, computed once, for unknown usernames.
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash_password(&new_token()).unwrap_or_default());
    match state.config.agents.iter().find(|a| a.username == username) {
        Some(a) if verify_password(password, &a.password_hash) => Some(a.clone()),
        Some(_) => None,
        None => {
            let _ = verify_password(password, dummy);
            None
        }
    }
}

pub fn session_cookie(token: &str, secure: bool, max_age_s: i64) -> String {
    format!(
        "{COOKIE_NAME}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age={max_age_s}{}",
        if secure { "; Secure" } else { "" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_and_verify() {
        let h = hash_password("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("wrong", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn cookies_are_found_among_others() {
        let mut h = axum::http::HeaderMap::new();
        h.insert(COOKIE, "a=1; assistant_agent=abc; b=2".parse().unwrap());
        assert_eq!(cookie(&h, COOKIE_NAME), Some("abc"));
    }
}
