//! `POST /v1/chat`: the server chatbot, the second tier behind the browser's model. It answers only
//! with text it holds: an intent's answer, or a help-centre article quoted and linked (`retrieval`);
//! a follow-up is read against the customer's previous question. What it cannot answer goes to the
//! bank's own bot when one is configured (`upstream`, masked, grounded); otherwise it says plainly
//! that it is not sure and offers a person. Idempotent by (conversation, message id): the reply is
//! stored before it is returned, and a retry gets the stored reply, so a message is answered once,
//! the same way, even when the first response was lost.

use crate::config::ChatConfig;
use crate::conversations::log_id;
use crate::error::{ApiError, ApiResult, check_chars, check_id, check_text};
use crate::metrics::SourceLabel;
use crate::retrieval::{Found, Hit, Index, Weights, followup};
use crate::state::AppState;
use crate::upstream::{Passage, Speaker, Turn, Upstream, UpstreamOutcome, UpstreamQuestion};
use assistant_core::answers::Suggestion;
use assistant_core::api::{
    ARTICLE_CHOICE, ArticleLink, ChatRequest, ChatResponse, MAX_RECENT, Role, Source, TextSize,
};
use assistant_core::locale::Lang;
use assistant_core::{pii, routing, taxonomy};

const NOT_SURE_EN: &str = "I'm sorry, I'm not sure I can answer that correctly, and I don't want to \
guess when it comes to your money. Would you like to talk to a person?";
const NOT_SURE_ZH: &str =
    "抱歉，这个问题我没有把握答对，涉及您的资金，我不想乱猜。需要为您转接人工客服吗？";
const MAYBE_EN: &str = " Or perhaps you meant one of these:";
const MAYBE_ZH: &str = "您也可以看看是不是想问下面的问题：";

/// Confidence at which the best answer stands whatever the runner-up scores (chosen on the help
/// centre's dev set: 0.9–1.0 change its figures by less than one standard error).
const SURE: f32 = 0.95;

/// Cosine to a known phrase at which a question counts as asked word for word (normalisation aside).
const VERBATIM: f32 = 0.95;

/// Intents whose answer is itself an offer of a person (a scam story the browser's model sent here
/// still gets the warning and a person: issue #15).
const PERSON_INTENTS: &[&str] = &[
    taxonomy::HUMAN_AGENT,
    taxonomy::COMPLAINT,
    taxonomy::SCAM_WARNING,
];

/// What the knowledge base and the help centre have for a question.
pub struct Answer {
    pub response: ChatResponse,
    /// Whether they answered it (otherwise `response` says "not sure" and offers a person).
    pub answered: bool,
    /// The best hits, for a caller that asks further (the bank's own bot gets their passages).
    pub hits: Vec<Hit>,
}

/// Builds the answer, pure given the index: from the masked question, its normalised form and the
/// conversation's recent lines. A follow-up ("and how much does that cost?") is searched with the
/// customer's previous question when its own words are not enough (`followup`).
pub fn answer(
    index: &Index,
    cfg: &ChatConfig,
    req: &ChatRequest,
    masked: &str,
    normalized: &str,
) -> Answer {
    let lang = Lang::of_text(masked, req.locale);
    let weights = Weights {
        client: cfg.client_weight,
        similarity: cfg.similarity_weight,
        article: cfg.article_bonus,
    };
    let search = |text: &str| index.search(text, &req.client_intents, weights, 8);
    let confident = |hits: &[Hit]| {
        hits.first()
            .is_some_and(|h| h.confidence >= cfg.min_confidence)
    };
    let mut hits = search(normalized);
    if let Some(before) = followup::previous_question(masked, &req.recent) {
        let before = index.normalize(&pii::mask(before).text);
        let joined = followup::rerank(
            search(&format!("{before}\n{normalized}")),
            &search(&before),
            &hits,
        );
        // A follow-up leans on the topic before it: the joined search answers when it is confident;
        // otherwise the follow-up's own words stand.
        if confident(&joined) {
            hits = joined;
        }
    }
    hits.truncate(4);
    let distressed = routing::is_distressed(&req.text);
    let bundle = &index.answers;
    let large = req.text_size == TextSize::Large;
    // An intent's chip is its suggestion, which the widget answers itself; an article's is its title,
    // sent back with `chosen` = `help:<id>` (only the server has the article).
    let chips = |hits: &[Hit], floor: f32, max: usize| -> Vec<Suggestion> {
        hits.iter()
            .filter(|h| h.confidence >= floor)
            .filter_map(|h| match &h.found {
                Found::Intent(intent) => bundle.intents.get(intent).map(|a| Suggestion {
                    intent: intent.clone(),
                    text: a.suggestion.get(lang).to_owned(),
                }),
                &Found::Article(i) => Some(Suggestion {
                    intent: format!("{ARTICLE_CHOICE}{}", index.articles[i].id),
                    text: index.articles[i].title.get(lang).to_owned(),
                }),
            })
            .take(max)
            .collect()
    };
    let respond =
        |text: String, source, intent, suggestions, offer_handoff, article| ChatResponse {
            message_id: req.message_id.clone(),
            text,
            source,
            intent,
            lang,
            suggestions,
            offer_handoff,
            article,
        };
    let max_chips = if large { 2 } else { 3 };
    let quote_article = |i: usize, suggestions: Vec<Suggestion>| {
        let article = &index.articles[i];
        respond(
            article.quote(lang, index.best_section(i, normalized)),
            Source::Help,
            None,
            suggestions,
            distressed,
            Some(ArticleLink {
                id: article.id.clone(),
                title: article.title.get(lang).to_owned(),
                url: cfg.help_url.replace("{id}", &article.id)
                    + match lang {
                        Lang::En => "",
                        Lang::ZhCn => "?lang=zh-CN",
                    },
            }),
        )
    };
    // A tapped article chip ("Or perhaps you meant…") is that article; an unknown one is searched.
    let picked = req
        .chosen
        .as_deref()
        .and_then(|c| c.strip_prefix(ARTICLE_CHOICE))
        .and_then(|id| index.articles.iter().position(|a| a.id == id));
    if let Some(i) = picked {
        // Its neighbours stay on offer, in place of the chips it was picked from.
        let others: Vec<Hit> = hits
            .iter()
            .filter(|h| h.found != Found::Article(i))
            .cloned()
            .collect();
        return Answer {
            response: quote_article(i, chips(&others, cfg.min_confidence * 0.5, max_chips)),
            answered: true,
            hits,
        };
    }
    // A close runner-up means the words fit two answers: saying "not sure" (with both as chips) is
    // better than a coin toss about someone's money.
    // A near-complete match needs no margin ("我的卡丢了怎么办" is the lost-card intent even though an
    // article about a card lost abroad scores close behind it).
    let clear = |top: &Hit| {
        top.confidence >= SURE
            || hits
                .get(1)
                .is_none_or(|second| top.confidence - second.confidence >= cfg.min_margin)
    };
    let chosen = hits
        .iter()
        .take(3)
        // A scam story is answered first, as in the browser (`routing`): the warning and a person
        // matter more than the best fit.
        .find(|h| h.intent() == Some(taxonomy::SCAM_WARNING) && h.confidence >= cfg.min_confidence)
        // A question asked word for word as one the bank wrote down is that one, however close
        // another document scores.
        .or_else(|| {
            hits.iter()
                .take(3)
                .filter(|h| h.similarity >= VERBATIM && h.confidence >= cfg.min_confidence)
                .max_by(|a, b| a.similarity.total_cmp(&b.similarity))
        })
        .or_else(|| {
            hits.first()
                .filter(|h| h.confidence >= cfg.min_confidence && clear(h))
        });
    if let Some(top) = chosen {
        match &top.found {
            Found::Intent(intent) => {
                if let Some(text) = bundle.answer(intent, lang, large) {
                    let response = respond(
                        text.to_owned(),
                        Source::Kb,
                        Some(intent.clone()),
                        bundle.suggestions(intent, lang, max_chips),
                        distressed || PERSON_INTENTS.contains(&intent.as_str()),
                        None,
                    );
                    return Answer {
                        response,
                        answered: true,
                        hits,
                    };
                }
            }
            &Found::Article(i) => {
                return Answer {
                    response: quote_article(i, chips(&hits[1..], cfg.min_confidence, max_chips)),
                    answered: true,
                    hits,
                };
            }
        }
    }
    // Not sure: say so, offer a person, and offer the closest intents and articles as chips.
    let suggestions = chips(&hits, cfg.min_confidence * 0.5, 3);
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
    Answer {
        response: respond(text, Source::Server, None, suggestions, true, None),
        answered: false,
        hits,
    }
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
    if let Some(c) = &req.chosen {
        if c.chars().count() > 80 {
            return Err(ApiError::bad_request(
                "chosen is longer than 80 characters.",
            ));
        }
        check_chars("chosen", c)?;
    }
    if req.recent.len() > MAX_RECENT {
        return Err(ApiError::bad_request(format!(
            "recent has more than {MAX_RECENT} lines."
        )));
    }
    for l in &req.recent {
        if !matches!(l.role, Role::Customer | Role::Assistant) {
            return Err(ApiError::bad_request(
                "recent lines may only be the customer's or the assistant's.",
            ));
        }
        check_text("a recent line", &l.text)?;
    }
    Ok(())
}

/// Asks the bank's own bot (`chat.upstream`) with the passages of our best hits (an article's answer
/// and sections, an intent's answer): its answer's text, or `None` when it was not sure or did not
/// answer (the customer then keeps our "not sure" and the offer of a person). The upstream module
/// masks everything it sends and checks a language model's answer against the passages.
async fn ask_upstream(
    state: &AppState,
    upstream: &Upstream,
    req: &ChatRequest,
    hits: &[Hit],
) -> Option<String> {
    let lang = Lang::of_text(&req.text, req.locale);
    let index = &state.index;
    // (id, title, text, url) of each passage, owned here and lent to the question.
    let owned: Vec<(String, String, String, String)> = hits
        .iter()
        .take(3)
        .filter_map(|h| match &h.found {
            &Found::Article(i) => {
                let a = &index.articles[i];
                let mut text = a.answer.get(lang).to_owned();
                for s in &a.sections {
                    text.push_str(&format!("\n{}: {}", s.heading.get(lang), s.text.get(lang)));
                }
                Some((
                    a.id.clone(),
                    a.title.get(lang).to_owned(),
                    text,
                    state.config.chat.help_url.replace("{id}", &a.id),
                ))
            }
            Found::Intent(label) => {
                let answer = index.answers.answer(label, lang, false)?;
                let title = index.answers.intents.get(label)?.suggestion.get(lang);
                Some((
                    format!("intent:{label}"),
                    title.to_owned(),
                    answer.to_owned(),
                    String::new(),
                ))
            }
        })
        .collect();
    let passages: Vec<Passage<'_>> = owned
        .iter()
        .map(|(id, title, text, url)| Passage {
            id,
            title,
            text,
            url,
        })
        .collect();
    let recent: Vec<Turn<'_>> = req
        .recent
        .iter()
        .map(|l| Turn {
            speaker: match l.role {
                Role::Customer => Speaker::Customer,
                _ => Speaker::Assistant,
            },
            text: &l.text,
        })
        .collect();
    let question = UpstreamQuestion {
        conversation_id: &req.conversation_id,
        text: &req.text,
        lang,
        recent: &recent,
        passages: &passages,
    };
    match upstream.ask(&question).await {
        UpstreamOutcome::Answered { text, .. } => Some(text),
        UpstreamOutcome::NotSure | UpstreamOutcome::Unavailable(_) => None,
    }
}

/// Answers `req` once (the caller has checked the conversation's secret): stored before it is
/// returned, and a retry of the same message gets the stored answer.
pub async fn respond(state: &AppState, req: &ChatRequest) -> ApiResult<ChatResponse> {
    validate(req)?;
    // Masked again here: the widget masks too, but the server must not trust it.
    let masked = pii::mask(&req.text).text;
    let normalized = state.index.normalize(&masked);
    let Answer {
        response: mut resp,
        mut answered,
        hits,
    } = answer(&state.index, &state.config.chat, req, &masked, &normalized);
    // What we cannot answer goes to the bank's own bot, when there is one and this message was not
    // answered before (a retry gets the stored answer below, without asking the bot again).
    if !answered
        && let Some(upstream) = &state.upstream
        && state
            .store
            .get_reply(&req.conversation_id, &req.message_id)
            .await?
            .is_none()
        && let Some(bot) = ask_upstream(state, upstream, req, &hits).await
    {
        resp = ChatResponse {
            text: bot,
            source: Source::Upstream,
            suggestions: Vec::new(),
            offer_handoff: routing::is_distressed(&req.text),
            ..resp
        };
        answered = true;
    }
    let json = serde_json::to_string(&resp).map_err(|_| ApiError::internal())?;
    let source = match resp.source {
        Source::Help => "help",
        Source::Upstream => "upstream",
        _ if answered => "kb",
        _ => "server",
    };
    // What the report and the insights page count this answer under: its intent, the article
    // quoted (`help:<id>`), or the bank's bot.
    let counted_as = match (&resp.source, &resp.article) {
        (Source::Help, Some(a)) => Some(format!("help:{}", a.id)),
        (Source::Upstream, _) => Some("upstream".to_owned()),
        _ => resp.intent.clone(),
    };
    let inserted = state
        .store
        .insert_reply(
            &req.conversation_id,
            &req.message_id,
            &masked,
            &normalized,
            &json,
            source,
            counted_as.as_deref(),
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
