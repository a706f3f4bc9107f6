//! The agent console: plain server-rendered HTML pages and forms (works without JavaScript, passes a
//! CSP with `script-src 'self'`), plus one small static script that appends new messages live from
//! the conversation's event stream. Signing in sets the same session cookie the JSON API accepts.
//! Forms are protected from cross-site posting by the `SameSite=Strict` cookie and a required
//! same-origin `Origin` header (a form post without one is refused too). Every action goes through the
//! same functions as the JSON API (`agent`), so roles, throttling and the audit trail are the same.

use crate::auth::Agent;
use crate::client::ClientIp;
use crate::conversations;
use crate::error::{ApiError, ApiForm, ApiPath, ApiQuery};
use crate::state::AppState;
use assistant_core::api::{HandoffState, Role};
use axum::Router;
use axum::extract::{FromRequestParts, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, LOCATION, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;

const JS: &str = include_str!("../assets/console.js");
const CSS: &str = include_str!("../assets/console.css");

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/agent", get(home))
        .route("/agent/login", post(login))
        .route("/agent/logout", post(logout))
        .route("/agent/c/{id}", get(conversation))
        .route("/agent/c/{id}/take", post(take))
        .route("/agent/c/{id}/reply", post(reply))
        .route("/agent/c/{id}/close", post(close))
        .route("/agent/c/{id}/requeue", post(requeue))
        .route("/agent/left/{c}/{m}/handled", post(left_handled))
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
    login_page_with(error, StatusCode::UNAUTHORIZED)
}

fn login_page_with(error: Option<&str>, status: StatusCode) -> Response {
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
        *r.status_mut() = status;
    }
    r
}

fn redirect(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(LOCATION, to.to_owned())]).into_response()
}

/// Refuses form posts from other sites, and posts that do not say where they come from (every browser
/// sends `Origin` on a form POST; its absence means a non-browser client or an old proxy stripping it).
fn same_origin(headers: &HeaderMap) -> Result<(), ApiError> {
    if crate::auth::same_origin(headers) {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "Cross-site (or unidentified) form posts are refused.",
        ))
    }
}

async fn signed_in(state: &AppState, headers: &HeaderMap) -> Option<Agent> {
    Agent::from_headers(state, headers, None).await.ok()
}

fn reason_words(r: assistant_core::api::HandoffReason) -> &'static str {
    use assistant_core::api::HandoffReason::*;
    match r {
        Requested => "asked for a person",
        Complaint => "complaint",
        Distress => "upset",
        Unanswered => "unanswered",
        Scam => "possible scam: first in queue",
    }
}

/// How long someone has waited, as an agent reads it at a glance: "45 s", "2 min", "1 h 5 min".
fn wait_words(s: u64) -> String {
    match s {
        0..60 => format!("{s} s"),
        60..3600 => format!("{} min", s / 60),
        _ if s % 3600 / 60 == 0 => format!("{} h", s / 3600),
        _ => format!("{} h {} min", s / 3600, s % 3600 / 60),
    }
}

fn state_words(s: HandoffState) -> &'static str {
    match s {
        HandoffState::Queued => "waiting",
        HandoffState::Active => "with an agent",
        HandoffState::Closed => "closed",
        HandoffState::Cancelled => "went back to the assistant",
        HandoffState::Abandoned => "left before an agent joined",
    }
}

#[derive(Deserialize)]
struct HomeQuery {
    page: Option<u32>,
}

async fn home(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<HomeQuery>,
) -> Result<Response, ApiError> {
    let Some(agent) = signed_in(&state, &headers).await else {
        return Ok(login_page(None));
    };
    if agent.role == crate::config::AccountRole::Admin {
        // Admins handle no conversations: their page is the insights page.
        return Ok(redirect("/admin"));
    }
    let page_no = q.page.unwrap_or(1).max(1);
    let queue = crate::routes::agent::queue_page(&state, page_no).await?;
    let mut rows = String::new();
    for h in &queue.items {
        let action = if h.state == HandoffState::Queued {
            format!(
                "<form method=\"post\" action=\"/agent/c/{id}/take\"><button type=\"submit\">Take</button></form>",
                id = esc(&h.conversation_id)
            )
        } else {
            format!("with {}", esc(h.agent.as_deref().unwrap_or("")))
        };
        // The customer's words were masked by the server (`routes::agent::queue_page`); they are
        // still the customer's text, so escaped like every other.
        let said = match &h.first_message {
            Some(t) => format!("<q>{}</q>", esc(t)),
            None => "<span class=\"none\">nothing yet</span>".to_owned(),
        };
        rows.push_str(&format!(
            "<tr><td><a href=\"/agent/c/{id}\">{short}</a></td><td>{state}</td><td>{reason}</td><td class=\"said\">{said}</td><td>{lang}</td><td>{size:?}</td><td><time datetime=\"{at}\" title=\"Queued at {at}\">{waited}</time></td><td>{action}</td></tr>",
            id = esc(&h.conversation_id),
            short = esc(&crate::conversations::log_id(&h.conversation_id)),
            state = state_words(h.state),
            reason = reason_words(h.reason),
            lang = h.locale.tag(),
            size = h.text_size,
            at = esc(&h.queued_at),
            waited = wait_words(h.waited_s),
        ));
    }
    let queue_html = if queue.items.is_empty() {
        "<p>No one is waiting.</p>".to_owned()
    } else {
        format!(
            "<table><caption>Waiting and active conversations, oldest first ({total} in all)</caption><thead><tr><th scope=\"col\">Conversation</th><th scope=\"col\">State</th><th scope=\"col\">Reason</th><th scope=\"col\">First message</th><th scope=\"col\">Language</th><th scope=\"col\">Text size</th><th scope=\"col\">Waited</th><th scope=\"col\">Action</th></tr></thead><tbody>{rows}</tbody></table>",
            total = queue.total
        )
    };
    let mut pager = String::new();
    if page_no > 1 {
        pager.push_str(&format!(
            "<a href=\"/agent?page={}\">← Earlier page</a> ",
            page_no - 1
        ));
    }
    if let Some(n) = queue.next_page {
        pager.push_str(&format!("<a href=\"/agent?page={n}\">Next page →</a>"));
    }
    let left = state.store.left_messages(false, 100, 0).await?;
    let left_html: String = left
        .iter()
        .map(|m| {
            format!(
                "<li><time>{}</time> [{}] conversation {}: {}<form method=\"post\" action=\"/agent/left/{c}/{m}/handled\"><button type=\"submit\">Mark handled</button></form></li>",
                esc(&m.at),
                m.locale.tag(),
                esc(&crate::conversations::log_id(&m.conversation_id)),
                esc(&m.text),
                c = esc(&m.conversation_id),
                m = esc(&m.message_id),
            )
        })
        .collect();
    Ok(page(
        "Queue",
        &format!(
            "<header><p>Signed in as {name}</p><form method=\"post\" action=\"/agent/logout\"><button type=\"submit\">Sign out</button></form></header>\
<h1>Queue</h1><div id=\"queue\" data-live=\"queue\">{queue_html}</div><p>{pager}</p><p><a href=\"/agent\">Refresh</a></p>\
<h2>Messages left, not yet handled</h2><ul>{left}</ul>",
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
    ip: ClientIp,
    headers: HeaderMap,
    ApiForm(f): ApiForm<LoginForm>,
) -> Result<Response, ApiError> {
    same_origin(&headers)?;
    match crate::auth::sign_in(&state, &f.username, &f.password, ip.0).await {
        Ok((token, _)) => {
            let mut r = redirect("/agent");
            r.headers_mut().insert(
                SET_COOKIE,
                crate::auth::cookie_header(&state, &token, state.config.handoff.session_ttl_s),
            );
            Ok(r)
        }
        Err(e) if e.status == StatusCode::UNAUTHORIZED => {
            Ok(login_page(Some("Wrong username or password.")))
        }
        Err(e) if e.retry_after.is_some() => {
            let wait = e.retry_after.unwrap_or(1);
            let mut r = login_page_with(Some(&format!("{} (about {wait} s)", e.message)), e.status);
            r.headers_mut()
                .insert(axum::http::header::RETRY_AFTER, wait.into());
            Ok(r)
        }
        Err(e) => Err(e),
    }
}

async fn logout(
    State(state): State<AppState>,
    ip: ClientIp,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    same_origin(&headers)?;
    if let Some(a) = signed_in(&state, &headers).await {
        crate::auth::sign_out(&state, &a, ip.0).await?;
    }
    let mut r = redirect("/agent");
    r.headers_mut()
        .insert(SET_COOKIE, crate::auth::cookie_header(&state, "", 0));
    Ok(r)
}

async fn conversation(
    State(state): State<AppState>,
    ip: ClientIp,
    headers: HeaderMap,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, ApiError> {
    let Some(agent) = signed_in(&state, &headers).await else {
        return Ok(redirect("/agent"));
    };
    let (h, view) = conversations::view(&state, &agent, &id, ip.0).await?;
    let lines: String = view
        .transcript
        .iter()
        .map(|l| {
            let (class, who) = match l.role {
                Role::Customer => ("Customer", "Customer"),
                Role::Assistant => ("Assistant", "Assistant"),
                Role::Agent => ("Agent", "Agent"),
                Role::System => ("System", "System"),
            };
            // Lines the browser sent with the hand-off are the customer's browser's account of what
            // happened, not the server's record: say so, so no agent takes them as ours.
            let (class, who) = if l.reported {
                (
                    format!("{class} reported"),
                    format!(
                        "{who} <span class=\"source\">(reported by the customer's browser)</span>"
                    ),
                )
            } else {
                (class.to_owned(), who.to_owned())
            };
            format!(
                "<li class=\"{class}\"><strong>{who}</strong> <time>{}</time><p>{}</p></li>",
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
<form method=\"post\" action=\"/agent/c/{id}/close\"><button type=\"submit\">Close conversation</button></form>\
<form method=\"post\" action=\"/agent/c/{id}/requeue\"><button type=\"submit\">Put back in the queue</button></form>",
            id = esc(&id)
        )
    } else if h.state == HandoffState::Queued {
        format!(
            "<form method=\"post\" action=\"/agent/c/{id}/take\"><button type=\"submit\">Take this conversation</button></form>",
            id = esc(&id)
        )
    } else {
        format!("<p>This conversation is {}.</p>", state_words(h.state))
    };
    Ok(page(
        "Conversation",
        &format!(
            "<p><a href=\"/agent\">← Queue</a></p><h1>Conversation {short}</h1>\
<p>Reason: {reason} · Language: {lang} · Text size: {size:?}</p>\
<h2>Transcript</h2><ol id=\"transcript\" data-conversation=\"{id}\" aria-live=\"polite\">{lines}</ol>{actions}",
            id = esc(&id),
            short = esc(&crate::conversations::log_id(&id)),
            reason = reason_words(h.reason),
            lang = h.locale.tag(),
            size = h.text_size,
        ),
    ))
}

async fn take(
    State(state): State<AppState>,
    ip: ClientIp,
    ConsoleAgent(agent): ConsoleAgent,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, ApiError> {
    conversations::take(&state, &agent, &id, ip.0).await?;
    Ok(redirect(&format!("/agent/c/{id}")))
}

#[derive(Deserialize)]
struct ReplyForm {
    text: String,
}

async fn reply(
    State(state): State<AppState>,
    ip: ClientIp,
    ConsoleAgent(agent): ConsoleAgent,
    ApiPath(id): ApiPath<String>,
    ApiForm(f): ApiForm<ReplyForm>,
) -> Result<Response, ApiError> {
    conversations::post_agent(&state, &agent, &id, &f.text, ip.0).await?;
    Ok(redirect(&format!("/agent/c/{id}")))
}

async fn close(
    State(state): State<AppState>,
    ip: ClientIp,
    ConsoleAgent(agent): ConsoleAgent,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, ApiError> {
    conversations::close(&state, &agent, &id, ip.0).await?;
    Ok(redirect("/agent"))
}

async fn requeue(
    State(state): State<AppState>,
    ip: ClientIp,
    ConsoleAgent(agent): ConsoleAgent,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, ApiError> {
    conversations::requeue(&state, &agent, &id, ip.0).await?;
    Ok(redirect("/agent"))
}

async fn left_handled(
    State(state): State<AppState>,
    ip: ClientIp,
    ConsoleAgent(agent): ConsoleAgent,
    ApiPath((c, m)): ApiPath<(String, String)>,
) -> Result<Response, ApiError> {
    crate::routes::agent::mark_left_handled(&state, &agent, &c, &m, ip.0).await?;
    Ok(redirect("/agent"))
}

/// The signed-in agent behind a console form post: the session cookie, and an `Origin` that is ours.
pub struct ConsoleAgent(pub Agent);

impl FromRequestParts<AppState> for ConsoleAgent {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        same_origin(&parts.headers)?;
        signed_in(state, &parts.headers)
            .await
            .map(ConsoleAgent)
            .ok_or_else(ApiError::unauthorized)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_read_at_a_glance() {
        let cases = [
            (0, "0 s"),
            (45, "45 s"),
            (59, "59 s"),
            (60, "1 min"),
            (125, "2 min"),
            (3599, "59 min"),
            (3600, "1 h"),
            (3900, "1 h 5 min"),
            (26 * 3600 + 59, "26 h"),
        ];
        for (s, words) in cases {
            assert_eq!(wait_words(s), words, "{s} s");
        }
    }

    #[test]
    fn reasons_use_the_words_agents_know() {
        use assistant_core::api::HandoffReason::*;
        let words = [Requested, Complaint, Distress, Unanswered, Scam].map(reason_words);
        assert_eq!(
            words,
            [
                "asked for a person",
                "complaint",
                "upset",
                "unanswered",
                "possible scam: first in queue"
            ]
        );
    }
}
