//! An OpenAI-compatible chat-completions API (`POST {url}/chat/completions`: OpenAI, Azure OpenAI's
//! v1 endpoint, vLLM, Ollama, llama.cpp's server…), used *grounded*: the system prompt holds only the
//! passages our retrieval found, labelled `[P1]`, `[P2]`…, and tells the model to answer from them
//! alone, cite them, and say exactly `NOT_SURE` otherwise. The reply is then checked in Rust
//! ([`super::grounding`]), because a prompt is a request, not a guarantee.
//!
//! Also "not sure": `finish_reason` `content_filter` (the provider withheld the answer) or `length`
//! (cut off mid-sentence: half an answer about money is worse than none), and a `refusal`.
//! Error replies (`{"error": {"message", "type", "code"}}`) are failures; only their type and code are
//! logged, as the message can echo part of the key.

use super::grounding::{self, NOT_SURE};
use super::{Failure, Outgoing, Speaker, UpstreamOutcome, send};
use crate::config::UpstreamConfig;
use assistant_core::locale::Lang;
use serde::{Deserialize, Serialize};

pub(crate) struct Openai {
    url: reqwest::Url,
    api_key: String,
    model: String,
    max_tokens: u32,
}

#[derive(Serialize)]
struct Request<'a> {
    model: &'a str,
    messages: Vec<Message>,
    temperature: f32,
    max_tokens: u32,
    /// OpenAI's end-user id for abuse monitoring: the conversation's hash.
    user: &'a str,
}

#[derive(Serialize)]
struct Message {
    role: &'static str,
    content: String,
}

#[derive(Deserialize)]
struct Completion {
    #[serde(default)]
    choices: Vec<Choice>,
}

#[derive(Deserialize)]
struct Choice {
    #[serde(default)]
    message: Option<Reply>,
    #[serde(default)]
    finish_reason: Option<String>,
}

#[derive(Deserialize)]
struct Reply {
    #[serde(default)]
    content: Option<String>,
    #[serde(default)]
    refusal: Option<String>,
}

#[derive(Deserialize)]
struct ErrorReply {
    error: ErrorDetail,
}

#[derive(Deserialize)]
struct ErrorDetail {
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    code: Option<serde_json::Value>,
}

/// The system prompt: the rules, then the passages and nothing else.
pub(crate) fn system_prompt(lang: Lang, passages: &[super::Passage<'_>]) -> String {
    let language = match lang {
        Lang::En => "English",
        Lang::ZhCn => "Simplified Chinese",
    };
    let mut p = format!(
        "You answer a bank customer's last message using ONLY the passages below from the bank's \
help centre. Do not use anything else you know. After each sentence, cite the passage it comes from \
by its label in square brackets, for example [P1]. Copy every number (fees, rates, limits, times, \
phone numbers) exactly as the passage writes it. If the passages do not answer the question, reply \
exactly {NOT_SURE} and nothing else. Reply in {language}, in at most three short sentences.\n\nPassages:\n"
    );
    for (i, passage) in passages.iter().enumerate() {
        p.push_str(&format!(
            "\n[{}] {}\n{}\n",
            grounding::marker(i),
            passage.title.trim(),
            passage.text.trim()
        ));
    }
    p
}

impl Openai {
    pub fn new(cfg: &UpstreamConfig) -> anyhow::Result<Self> {
        let mut url = reqwest::Url::parse(&cfg.url)?;
        url.path_segments_mut()
            .map_err(|_| anyhow::anyhow!("chat.upstream.url cannot be a base URL"))?
            .pop_if_empty()
            .extend(["chat", "completions"]);
        Ok(Self {
            url,
            api_key: cfg.api_key.0.clone(),
            model: cfg.model.clone(),
            max_tokens: cfg.max_tokens,
        })
    }

    pub async fn ask(
        &self,
        client: &reqwest::Client,
        q: &Outgoing<'_>,
    ) -> Result<UpstreamOutcome, Failure> {
        let mut messages = vec![Message {
            role: "system",
            content: system_prompt(q.lang, q.passages),
        }];
        messages.extend(q.recent.iter().map(|(who, text)| Message {
            role: match who {
                Speaker::Customer => "user",
                Speaker::Assistant => "assistant",
            },
            content: text.clone(),
        }));
        messages.push(Message {
            role: "user",
            content: q.text.clone(),
        });
        let body = Request {
            model: &self.model,
            messages,
            temperature: 0.0,
            max_tokens: self.max_tokens,
            user: &q.sender,
        };
        let mut req = client.post(self.url.clone()).json(&body);
        if !self.api_key.is_empty() {
            req = req.bearer_auth(&self.api_key);
        }
        let (status, reply) = send(req).await?;
        if !status.is_success() {
            let detail = serde_json::from_slice::<ErrorReply>(&reply)
                .map(|e| {
                    let code = e.error.code.map(|c| c.to_string()).unwrap_or_default();
                    format!(" {} {code}", e.error.kind.unwrap_or_default())
                })
                .unwrap_or_default();
            return Err(Failure::Error(format!("status {status}{detail}")));
        }
        let completion: Completion = serde_json::from_slice(&reply)
            .map_err(|_| Failure::Error(format!("status {status}, not a completion")))?;
        let Some(choice) = completion.choices.into_iter().next() else {
            return Err(Failure::Error("a completion without choices".into()));
        };
        if matches!(
            choice.finish_reason.as_deref(),
            Some("content_filter" | "length")
        ) {
            return Ok(UpstreamOutcome::NotSure);
        }
        let Some(reply) = choice.message else {
            return Ok(UpstreamOutcome::NotSure);
        };
        if reply.refusal.is_some_and(|r| !r.is_empty()) {
            return Ok(UpstreamOutcome::NotSure);
        }
        let texts: Vec<String> = q
            .passages
            .iter()
            .map(|p| format!("{}\n{}", p.title, p.text))
            .collect();
        let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
        Ok(
            match grounding::check(reply.content.as_deref().unwrap_or(""), &texts) {
                Some(g) => UpstreamOutcome::Answered {
                    text: g.text,
                    buttons: Vec::new(),
                    cited: g
                        .cited
                        .iter()
                        .map(|&i| q.passages[i].id.to_owned())
                        .collect(),
                },
                None => UpstreamOutcome::NotSure,
            },
        )
    }
}
