//! `POST /v1/chat`: the server chatbot. It answers only with knowledge-base text found by retrieval
//! (see `retrieval`); when nothing fits well it says so plainly and offers a person. Idempotent by
//! (conversation, message id): the reply is stored before it is returned, and a retry gets the stored
//! reply, so a message is answered once, the same way, even when the first response was lost.

use crate::conversations::log_id;
use crate::error::{ApiError, ApiResult, check_chars, check_id, check_text};
use crate::metrics::SourceLabel;
use crate::state::AppState;
use assistant_core::answers::Suggestion;
use assistant_core::api::{ChatRequest, ChatResponse, Source, TextSize};
use assistant_core::locale::Lang;
use assistant_core::{pii, routing, taxonomy};

const NOT_SURE_EN: &str = "I'm sorry, I'm not sure I can answer that correctly, and I don't want to \
guess when it comes to your money. Would you like to talk to a person?";
const NOT_SURE_ZH: &str =
    "抱歉，这个问题我没有把握答对，涉及您的资金，我不想乱猜。需要为您转接人工客服吗？";
const MAYBE_EN: &str = " Or perhaps you meant one of these:";
const MAYBE_ZH: &str = "您也可以看看是不是想问下面的问题：";

/// Intents whose answer is itself an offer of a person (a scam story the browser's model sent here
/// still gets the warning and a person: issue #15).
const PERSON_INTENTS: &[&str] = &[
    taxonomy::HUMAN_AGENT,
    taxonomy::COMPLAINT,
    taxonomy::SCAM_WARNING,
];

/// Builds the answer (pure given the index) from the masked question and its normalised form: the
/// response and whether the knowledge base answered.
pub fn answer(
    state: &AppState,
    req: &ChatRequest,
    masked: &str,
    normalized: &str,
) -> (ChatResponse, bool) {
    let lang = Lang::of_text(masked, req.locale);
    let cfg = &state.config.chat;
    let hits = state
        .index
        .search(normalized, &req.client_intents, cfg.client_weight, 4);
    let distressed = routing::is_distressed(&req.text);
    let bundle = &state.index.answers;
    if let Some(top) = hits.first().filter(|h| h.confidence >= cfg.min_confidence)
        && let Some(text) = bundle.answer(&top.intent, lang, req.text_size == TextSize::Large)
    {
        {
            let max = if req.text_size == TextSize::Large {
                2
            } else {
                3
            };
            return (
                ChatResponse {
                    message_id: req.message_id.clone(),
                    text: text.to_owned(),
                    source: Source::Kb,
                    intent: Some(top.intent.clone()),
                    lang,
                    suggestions: bundle.suggestions(&top.intent, lang, max),
                    offer_handoff: distressed || PERSON_INTENTS.contains(&top.intent.as_str()),
                },
                true,
            );
        }
    }
    // Not sure: say so, offer a person, and offer the closest knowledge-base questions as chips.
    let suggestions: Vec<Suggestion> = hits
        .iter()
        .filter(|h| h.confidence >= cfg.min_confidence * 0.5)
        .filter_map(|h| {
            bundle.intents.get(&h.intent).map(|a| Suggestion {
                intent: h.intent.clone(),
                text: a.suggestion.get(lang).to_owned(),
            })
        })
        .take(3)
        .collect();
    let mut text = match lang {
        Lang::En => NOT_SURE_EN.to_owned(),
        Lang::ZhCn => NOT_SURE_ZH.to_owned(),
    };
    if !suggestions.is_empty() {
        text.push_str(match lang {
            Lang::En => MAYBE_EN,
            Lang::ZhCn => MAYBE_ZH,
        });
    }
    (
        ChatResponse {
            message_id: req.message_id.clone(),
            text,
            source: Source::Server,
            intent: None,
            lang,
            suggestions,
            offer_handoff: true,
        },
        false,
    )
}

fn validate(req: &ChatRequest) -> ApiResult<()> {
    check_id("message_id", &req.message_id)?;
    check_text("text", &req.text)?;
    if req.client_intents.len() > 10 {
        return Err(ApiError::bad_request(
            "client_intents has more than 10 entries.",
        ));
    }
    if req
        .client_intents
        .iter()
        .any(|c| !(0.0..=1.0).contains(&c.score) || c.intent.len() > 64)
    {
        return Err(ApiError::bad_request(
            "client_intents scores must be between 0 and 1, intents at most 64 characters.",
        ));
    }
    for c in &req.client_intents {
        check_chars("client_intents", &c.intent)?;
    }
    Ok(())
}

/// Answers `req` once (the caller has checked the conversation's secret): stored before it is
/// returned, and a retry of the same message gets the stored answer.
pub async fn respond(state: &AppState, req: &ChatRequest) -> ApiResult<ChatResponse> {
    validate(req)?;
    // Masked again here: the widget masks too, but the server must not trust it.
    let masked = pii::mask(&req.text).text;
    let normalized = state.index.normalize(&masked);
    let (resp, answered) = answer(state, req, &masked, &normalized);
    let json = serde_json::to_string(&resp).map_err(|_| ApiError::internal())?;
    let source = if answered { "kb" } else { "server" };
    let inserted = state
        .store
        .insert_reply(
            &req.conversation_id,
            &req.message_id,
            &masked,
            &normalized,
            &json,
            source,
            resp.intent.as_deref(),
            answered,
        )
        .await?;
    if inserted {
        state
            .metrics
            .answers
            .get_or_create(&SourceLabel {
                source: source.into(),
            })
            .inc();
        tracing::info!(conversation = %log_id(&req.conversation_id), source, intent = resp.intent.as_deref().unwrap_or(""), "chat answered");
        return Ok(resp);
    }
    // A retry (or a concurrent duplicate): the stored reply, if it is the same message.
    let (question, stored) = state
        .store
        .get_reply(&req.conversation_id, &req.message_id)
        .await?
        .ok_or_else(ApiError::internal)?;
    if question != masked {
        return Err(ApiError::conflict(
            "This message_id was already used for a different message in this conversation.",
        ));
    }
    serde_json::from_str(&stored).map_err(|_| ApiError::internal())
}
