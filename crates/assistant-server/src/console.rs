//! The agent console: plain server-rendered HTML pages and forms (works without JavaScript, passes a
//! CSP with `script-src 'self'`), plus one small static script that appends new messages live from
//! the conversation's event stream. Signing in sets the same session cookie the JSON API accepts.
//! Forms are protected from cross-site posting by the `SameSite=Strict` cookie and an `Origin` check.

use crate::agent;
use crate::app::AppState;
use crate::auth::Agent;
use crate::error::ApiError;
use assistant_core::api::{HandoffState, Role};
use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

const JS: &str = include_str!("../assets/console.js");
const CSS: &str = include_str!("../assets/console.css");

pub fn routes(_state: AppState) -> Router<AppState> {
    Router::new()
        .route("/agent", get(home))
        .route("/agent/login", post(login))
        .route("/agent/logout", post(logout))
        .route("/agent/c/{id}", get(conversation))
        .route("/agent/c/{id}/take", post(take))
        .route("/agent/c/{id}/reply", post(reply))
        .route("/agent/c/{id}/close", post(close))
        .route(
            "/agent/console.js",
            get(|| async { ([(CONTENT_TYPE, "text/javascript; charset=utf-8")], JS) }),
        )
        .route(
            "/agent/console.css",
            get(|| async { ([(CONTENT_TYPE, "text/css; charset=utf-8")], CSS) }),
        )
}

pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            _ => o.push(c),
        }
    }
    o
}

fn page(title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>{} · Lakeside agent console</title><link rel=\"stylesheet\" href=\"/agent/console.css\">\
<script src=\"/agent/console.js\" defer></script></head><body><main id=\"main\">{}</main></body></html>",
        esc(title),
        body
    );
    ([(CACHE_CONTROL, "no-store")], Html(html)).into_response()
}

fn login_page(error: Option<&str>) -> Response {
    let err = error
        .map(|e| format!("<p role=\"alert\" class=\"error\">{}</p>", esc(e)))
        .unwrap_or_default();
    let mut r = page(
        "Sign in",
        &format!(
            "<h1>Agent sign-in</h1>{err}<form method=\"post\" action=\"/agent/login\">\
<p><label for=\"username\">Username</label><input id=\"username\" name=\"username\" autocomplete=\"username\" required autofocus></p>\
<p><label for=\"password\">Password</label><input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required></p>\
<p><button type=\"submit\">Sign in</button></p></form>"
        ),
    );
    if error.is_some() {
        *r.status_mut() = StatusCode::UNAUTHORIZED;
    }
    r
}

fn redirect(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(LOCATION, to.to_owned())]).into_response()
}

/// Refuses form posts from other sites (defence in depth next to SameSite=Strict).
fn same_origin(headers: &HeaderMap) -> Result<(), ApiError> {
    let (Some(origin), Some(host)) = (
        headers.get("origin").and_then(|v| v.to_str().ok()),
        headers.get("host").and_then(|v| v.to_str().ok()),
    ) else {
        return Ok(());
    };
    let origin_host = origin.split("://").nth(1).unwrap_or("");
    if origin_host == host {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "Cross-site form posts are refused.",
        ))
    }
}

async fn signed_in(state: &AppState, headers: &HeaderMap) -> Option<Agent> {
    Agent::from_headers(state, headers, None).await.ok()
}

async fn home(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    let Some(agent) = signed_in(&state, &headers).await else {
        return Ok(login_page(None));
    };
    let items = state.store.open_handoffs().await?;
    let mut rows = String::new();
    for h in &items {
        let action = if h.state == HandoffState::Queued {
            format!(
                "<form method=\"post\" action=\"/agent/c/{id}/take\"><button type=\"submit\">Take</button></form>",
                id = esc(&h.conversation_id)
            )
        } else {
            format!("with {}", esc(h.agent_name.as_deref().unwrap_or("")))
        };
        rows.push_str(&format!(
            "<tr><td><a href=\"/agent/c/{id}\">{id}</a></td><td>{state:?}</td><td>{reason:?}</td><td>{lang}</td><td>{size:?}</td><td>{at}</td><td>{action}</td></tr>",
            id = esc(&h.conversation_id),
            state = h.state,
            reason = h.reason,
            lang = h.locale.tag(),
            size = h.text_size,
            at = crate::db::rfc3339(h.queued_at),
        ));
    }
    let queue = if items.is_empty() {
        "<p>No one is waiting.</p>".to_owned()
    } else {
        format!(
            "<table><caption>Waiting and active conversations, oldest first</caption><thead><tr><th scope=\"col\">Conversation</th><th scope=\"col\">State</th><th scope=\"col\">Reason</th><th scope=\"col\">Language</th><th scope=\"col\">Text size</th><th scope=\"col\">Queued at</th><th scope=\"col\">Action</th></tr></thead><tbody>{rows}</tbody></table>"
        )
    };
    let left = state.store.left_messages().await?;
    let left_html: String = left
        .iter()
        .map(|m| {
            format!(
                "<li><time>{}</time> [{}] {}: {}</li>",
                esc(&m.at),
                m.locale.tag(),
                esc(&m.conversation_id),
                esc(&m.text)
            )
        })
        .collect();
    Ok(page(
        "Queue",
        &format!(
            "<header><p>Signed in as {name}</p><form method=\"post\" action=\"/agent/logout\"><button type=\"submit\">Sign out</button></form></header>\
<h1>Queue</h1><div id=\"queue\" data-live=\"queue\">{queue}</div><p><a href=\"/agent\">Refresh</a></p>\
<h2>Messages left</h2><ul>{left}</ul>",
            name = esc(&agent.display_name),
            left = if left_html.is_empty() {
                "<li>None.</li>".into()
            } else {
                left_html
            },
        ),
    ))
}

#[derive(Deserialize)]
struct LoginForm {
    username: String,
    password: String,
}

async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Result<Response, ApiError> {
    same_origin(&headers)?;
    match agent::sign_in(&state, &f.username, &f.password).await {
        Ok((token, _)) => {
            let mut r = redirect("/agent");
            r.headers_mut().insert(
                SET_COOKIE,
                agent::cookie_header(&state, &token, state.config.handoff.session_ttl_s),
            );
            Ok(r)
        }
        Err(e) if e.status == StatusCode::UNAUTHORIZED => {
            Ok(login_page(Some("Wrong username or password.")))
        }
        Err(e) => Err(e),
    }
}

async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    same_origin(&headers)?;
    if let Some(a) = signed_in(&state, &headers).await {
        state
            .store
            .delete_session(&crate::auth::sha256_hex(&a.token))
            .await?;
    }
    let mut r = redirect("/agent");
    r.headers_mut()
        .insert(SET_COOKIE, agent::cookie_header(&state, "", 0));
    Ok(r)
}

async fn conversation(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let Some(agent) = signed_in(&state, &headers).await else {
        return Ok(redirect("/agent"));
    };
    crate::error::check_id("conversation id", &id)?;
    let h = state
        .store
        .handoff(&id)
        .await?
        .ok_or_else(|| ApiError::not_found("No hand-off for this conversation."))?;
    let lines: String = state
        .store
        .transcript(&id)
        .await?
        .iter()
        .map(|l| {
            let who = match l.role {
                Role::Customer => "Customer",
                Role::Assistant => "Assistant",
                Role::Agent => "Agent",
                Role::System => "System",
            };
            format!(
                "<li class=\"{who}\"><strong>{who}</strong> <time>{}</time><p>{}</p></li>",
                esc(&l.at),
                esc(&l.text)
            )
        })
        .collect();
    let mine = h.state == HandoffState::Active && h.agent.as_deref() == Some(&agent.username);
    let actions = if mine {
        format!(
            "<form method=\"post\" action=\"/agent/c/{id}/reply\" id=\"reply\"><p><label for=\"text\">Reply to the customer</label>\
<textarea id=\"text\" name=\"text\" rows=\"3\" maxlength=\"2000\" required></textarea></p><p><button type=\"submit\">Send</button></p></form>\
<form method=\"post\" action=\"/agent/c/{id}/close\"><button type=\"submit\">Close conversation</button></form>",
            id = esc(&id)
        )
    } else if h.state == HandoffState::Queued {
        format!(
            "<form method=\"post\" action=\"/agent/c/{id}/take\"><button type=\"submit\">Take this conversation</button></form>",
            id = esc(&id)
        )
    } else {
        format!("<p>This conversation is {:?}.</p>", h.state)
    };
    Ok(page(
        "Conversation",
        &format!(
            "<p><a href=\"/agent\">← Queue</a></p><h1>Conversation {id}</h1>\
<p>Reason: {reason:?} · Language: {lang} · Text size: {size:?}</p>\
<h2>Transcript</h2><ol id=\"transcript\" data-conversation=\"{id}\" aria-live=\"polite\">{lines}</ol>{actions}",
            id = esc(&id),
            reason = h.reason,
            lang = h.locale.tag(),
            size = h.text_size,
        ),
    ))
}

async fn take(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    same_origin(&headers)?;
    let agent = signed_in(&state, &headers)
        .await
        .ok_or_else(ApiError::unauthorized)?;
    agent::take_conversation(&state, &agent, &id).await?;
    Ok(redirect(&format!("/agent/c/{id}")))
}

#[derive(Deserialize)]
struct ReplyForm {
    text: String,
}

async fn reply(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<ReplyForm>,
) -> Result<Response, ApiError> {
    same_origin(&headers)?;
    let agent = signed_in(&state, &headers)
        .await
        .ok_or_else(ApiError::unauthorized)?;
    agent::send_reply(&state, &agent, &id, &f.text).await?;
    Ok(redirect(&format!("/agent/c/{id}")))
}

async fn close(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    same_origin(&headers)?;
    let agent = signed_in(&state, &headers)
        .await
        .ok_or_else(ApiError::unauthorized)?;
    agent::close_conversation(&state, &agent, &id).await?;
    Ok(redirect("/agent"))
}
