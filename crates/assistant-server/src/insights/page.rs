//! `/admin`: the insights page for the bank's service team (issue #17), server-rendered like the agent
//! console and signed in the same way (the console's form and session cookie; an admin account, agents
//! are refused). Four charts (containment over time, outcomes by intent, the worst "not helpful"
//! rates, hand-offs and waits), each an SVG image followed by its table and a CSV download of the same
//! rows (`tables`). No script at all; styles from one file; nothing from another origin.

use super::svg;
use super::tables::{self, Table, intent_name, percent};
use crate::auth::Agent;
use crate::config::AccountRole;
use crate::console::esc;
use crate::error::{ApiError, ApiQuery};
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

const CSS: &str = include_str!("../../assets/insights.css");

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(super::unanswered::routes())
        .route("/admin", get(home))
        .route("/admin/insights.csv", get(csv))
        .route(
            "/admin/insights.css",
            get(|| async { ([(CONTENT_TYPE, "text/css; charset=utf-8")], CSS) }),
        )
}

#[derive(Deserialize)]
struct Query {
    days: Option<i64>,
    table: Option<String>,
}

pub(super) fn page(title: &str, body: &str, status: StatusCode) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>{} · Lakeside assistant insights</title><link rel=\"stylesheet\" href=\"/admin/insights.css\">\
</head><body><main id=\"main\">{body}</main></body></html>",
        esc(title)
    );
    (status, [(CACHE_CONTROL, "no-store")], Html(html)).into_response()
}

/// The signed-in admin, or the page to show instead (the sign-in form, or a refusal for agents).
pub(super) async fn admin(state: &AppState, headers: &HeaderMap) -> Result<Agent, Response> {
    let Ok(agent) = Agent::from_headers(state, headers, None).await else {
        return Err(page(
            "Sign in",
            "<h1>Assistant insights</h1><p>Sign in with an admin account.</p>\
<form method=\"post\" action=\"/agent/login\">\
<p><label for=\"username\">Username</label><input id=\"username\" name=\"username\" autocomplete=\"username\" required></p>\
<p><label for=\"password\">Password</label><input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required></p>\
<p><button type=\"submit\">Sign in</button></p></form>",
            StatusCode::UNAUTHORIZED,
        ));
    };
    if agent.role != AccountRole::Admin {
        return Err(page(
            "Not for agents",
            "<h1>Assistant insights</h1><p role=\"alert\">This page needs an admin account. \
<a href=\"/agent\">Back to the agent console</a></p>",
            StatusCode::FORBIDDEN,
        ));
    }
    Ok(agent)
}

fn html_table(t: &Table, days: i64) -> String {
    let head: String = t
        .head
        .iter()
        .map(|h| format!("<th scope=\"col\">{}</th>", esc(h)))
        .collect();
    let rows: String = t
        .rows
        .iter()
        .map(|r| {
            let cells: String = r
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    if i == 0 {
                        format!("<th scope=\"row\">{}</th>", esc(c))
                    } else {
                        format!("<td>{}</td>", esc(c))
                    }
                })
                .collect();
            format!("<tr>{cells}</tr>")
        })
        .collect();
    let body = if t.rows.is_empty() {
        format!(
            "<tr><td colspan=\"{}\">Nothing in this period.</td></tr>",
            t.head.len()
        )
    } else {
        rows
    };
    format!(
        "<div class=\"scroll\"><table id=\"table-{name}\"><caption>{caption}</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>\
<p><a href=\"/admin/insights.csv?table={name}&amp;days={days}\" download=\"insights-{name}.csv\">Download “{caption}” as CSV</a></p>",
        name = t.name,
        caption = esc(&t.caption),
    )
}

fn figure(id: &str, title: &str, desc: &str, chart: &str) -> String {
    format!(
        "<figure><figcaption id=\"{id}\"><strong>{}</strong> {}</figcaption>{chart}</figure>",
        esc(title),
        esc(desc)
    )
}

async fn home(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<Query>,
) -> Result<Response, ApiError> {
    let me = match admin(&state, &headers).await {
        Ok(a) => a,
        Err(page) => return Ok(page),
    };
    let days = q.days.unwrap_or(30);
    let s = super::current(&state, Some(days)).await?;
    let t = |name| tables::table(name, &s).expect("known table");
    let total = |f: fn(&super::summary::DayRow) -> i64| s.days.iter().map(f).sum::<i64>();
    let (questions, settled) = (
        total(|d| d.questions),
        total(|d| d.settled_in_browser + d.settled_by_server),
    );
    let containment = percent((questions > 0).then(|| settled as f64 / questions as f64));
    let ranges: String = [7, 30, 90]
        .iter()
        .map(|n| {
            if *n == days {
                format!("<li><a href=\"/admin?days={n}\" aria-current=\"page\">{n} days</a></li>")
            } else {
                format!("<li><a href=\"/admin?days={n}\">{n} days</a></li>")
            }
        })
        .collect();

    let day_bars = s
        .days
        .iter()
        .map(|d| {
            (
                d.day.clone(),
                d.containment.map(|c| c * 100.0),
                format!("{} contained of {}", percent(d.containment), d.questions),
            )
        })
        .collect::<Vec<_>>();
    let chart1 = svg::day_bars("fig-containment", &day_bars, 100.0, "100%");

    let top: Vec<_> = s.intents.iter().take(12).collect();
    let max_q = top.iter().map(|i| i.questions).max().unwrap_or(0) as f64;
    let rows: Vec<(String, Vec<(&str, f64)>)> = top
        .iter()
        .map(|i| {
            (
                intent_name(&i.intent),
                vec![
                    ("seg-browser", i.settled_in_browser as f64),
                    ("seg-server", i.settled_by_server as f64),
                    ("seg-clarify", i.did_you_mean as f64),
                    ("seg-person", i.person_offered as f64),
                    ("seg-unanswered", i.unanswered as f64),
                ],
            )
        })
        .collect();
    let chart2 = svg::stacked_rows("fig-intents", &rows, max_q);

    let worst = super::summary::worst_rated(&s.intents, tables::WORST);
    let rows: Vec<(String, Vec<(&str, f64)>)> = worst
        .iter()
        .map(|i| {
            (
                intent_name(&i.intent),
                vec![("seg-unanswered", i.not_helpful_rate.unwrap_or(0.0) * 100.0)],
            )
        })
        .collect();
    let chart3 = svg::stacked_rows("fig-worst", &rows, 100.0);

    let max_h = s.days.iter().map(|d| d.handed_to_person).max().unwrap_or(0);
    let hand_bars = s
        .days
        .iter()
        .map(|d| {
            (
                d.day.clone(),
                Some(d.handed_to_person as f64),
                format!(
                    "{} hand-offs, median wait {} s",
                    d.handed_to_person,
                    d.wait_median_s.map_or("–".into(), |w| w.to_string())
                ),
            )
        })
        .collect::<Vec<_>>();
    let chart4 = svg::day_bars("fig-handoffs", &hand_bars, max_h as f64, &max_h.to_string());

    let body = format!(
        "<header><p>Signed in as {who} (admin)</p><form method=\"post\" action=\"/agent/logout\"><button type=\"submit\">Sign out</button></form></header>\
<h1>Assistant insights</h1>\
<p>{from} to {to} (UTC). Counts only: the browser reports what it settled without any text; the rest is what this server saw.</p>\
<nav aria-label=\"Period\"><ul class=\"ranges\">{ranges}</ul></nav>\
<p><a href=\"/admin/unanswered\">Unanswered questions, grouped: assign them to intents and export a patch</a></p>\
<dl class=\"totals\"><div><dt>Questions</dt><dd id=\"total-questions\">{questions}</dd></div>\
<div><dt>Settled by the assistant</dt><dd id=\"total-settled\">{settled}</dd></div>\
<div><dt>Containment</dt><dd id=\"total-containment\">{containment}</dd></div>\
<div><dt>Handed to a person</dt><dd id=\"total-handoffs\">{handoffs}</dd></div></dl>\
<section aria-labelledby=\"h-containment\"><h2 id=\"h-containment\">Containment over time</h2>{f1}{t1}</section>\
<section aria-labelledby=\"h-intents\"><h2 id=\"h-intents\">Outcomes by intent</h2>\
<ul class=\"legend\"><li><span class=\"key seg-browser\"></span>settled in the browser</li><li><span class=\"key seg-server\"></span>settled by the server</li>\
<li><span class=\"key seg-clarify\"></span>did you mean</li><li><span class=\"key seg-person\"></span>person offered</li><li><span class=\"key seg-unanswered\"></span>unanswered</li></ul>{f2}{t2}</section>\
<section aria-labelledby=\"h-worst\"><h2 id=\"h-worst\">Answers rated “not helpful”</h2>{f3}{t3}</section>\
<section aria-labelledby=\"h-handoffs\"><h2 id=\"h-handoffs\">Hand-offs and waits</h2>{f4}{t4}{t5}</section>\
<p class=\"note\">Definitions: questions are those settled in the browser, “did you mean”, a person offered by the browser, and every question the server chatbot got. \
Settled in the browser: answered there, without the customer asking for a person within the next two questions. Containment: settled (browser or server) ÷ questions. \
Waits: from joining the queue to an agent taking the conversation.</p>",
        who = esc(&me.display_name),
        from = esc(&s.from),
        to = esc(&s.to),
        handoffs = total(|d| d.handed_to_person),
        f1 = figure(
            "fig-containment",
            "Containment per day.",
            "Share of questions settled by the assistant, one bar per day; the table below has the numbers.",
            &chart1
        ),
        t1 = html_table(&t("days"), days),
        f2 = figure(
            "fig-intents",
            "Outcomes of the most asked intents.",
            "Stacked bars per intent; the table below has every intent.",
            &chart2
        ),
        t2 = html_table(&t("intents"), days),
        f3 = figure(
            "fig-worst",
            "Intents with the highest “not helpful” rate.",
            "Longest bar first; the table below has the numbers.",
            &chart3
        ),
        t3 = html_table(&t("worst"), days),
        f4 = figure(
            "fig-handoffs",
            "Hand-offs to a person per day.",
            "The table below has the waits.",
            &chart4
        ),
        t4 = html_table(&t("handoffs"), days),
        t5 = html_table(&t("reasons"), days),
    );
    Ok(page("Insights", &body, StatusCode::OK))
}

/// `/admin/insights.csv?table=<name>&days=<n>`: one table of the page as CSV.
async fn csv(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<Query>,
) -> Result<Response, ApiError> {
    if let Err(page) = admin(&state, &headers).await {
        return Ok(page);
    }
    let name = q.table.as_deref().unwrap_or("days");
    if !tables::NAMES.contains(&name) {
        return Err(ApiError::not_found(format!(
            "No such table; one of {}.",
            tables::NAMES.join(", ")
        )));
    }
    let s = super::current(&state, q.days).await?;
    let t = tables::table(name, &s).ok_or_else(ApiError::internal)?;
    Ok((
        [
            (CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (CACHE_CONTROL, "no-store".to_owned()),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"insights-{name}.csv\""),
            ),
        ],
        tables::csv(&t),
    )
        .into_response())
}
