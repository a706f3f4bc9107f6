//! `GET /help/{id}`: a plain page for a help-centre article, so the link under a quoted answer goes
//! somewhere when the bank has no help centre of its own on the web (`chat.help_url` points a real
//! bank at its own). Public like the articles themselves; text is escaped, nothing is scripted, and
//! the page works at any text size.

use crate::console::esc;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use assistant_core::locale::Lang;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::Html;
use axum::routing::get;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new().route("/help/{id}", get(article))
}

#[derive(Debug, Deserialize)]
struct Params {
    lang: Option<String>,
}

async fn article(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(params): Query<Params>,
) -> ApiResult<Html<String>> {
    let a = state
        .index
        .articles
        .iter()
        .find(|a| a.id == id)
        .ok_or_else(|| ApiError::not_found("There is no help-centre article with this id."))?;
    let lang = match params.lang.as_deref() {
        Some(l) if l.starts_with("zh") => Lang::ZhCn,
        _ => Lang::En,
    };
    let mut sections = String::new();
    for s in &a.sections {
        sections.push_str(&format!(
            "<h2>{}</h2>\n<p>{}</p>\n",
            esc(s.heading.get(lang)),
            esc(s.text.get(lang))
        ));
    }
    let (note, tag) = match lang {
        Lang::En => ("Example content for the fictional Lakeside Bank.", "en"),
        Lang::ZhCn => ("示例内容，湖畔银行为虚构银行。", "zh-CN"),
    };
    Ok(Html(format!(
        "<!doctype html>\n<html lang=\"{tag}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title></head>\n<body><main>\n<h1>{title}</h1>\n<p><strong>{answer}</strong></p>\n\
         {sections}<p><small>{note}</small></p>\n</main></body></html>\n",
        title = esc(a.title.get(lang)),
        answer = esc(a.answer.get(lang)),
    )))
}
