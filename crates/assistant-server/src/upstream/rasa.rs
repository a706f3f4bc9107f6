//! The Rasa REST channel (`rasa.core.channels.rest`, `POST /webhooks/rest/webhook`), which most
//! self-hosted bank bots speak or can be made to speak: `{sender, message, metadata}` in, a JSON array
//! of bot messages out (`[{"recipient_id", "text"?, "buttons"?, "image"?, "custom"?}]`). The texts are
//! joined; buttons become suggestion chips; images and custom payloads are dropped (the widget shows
//! text). An empty array is Rasa's "nothing to say", so it is "not sure", not an error.

use super::{Button, Failure, Outgoing, Speaker, UpstreamOutcome, send};
use serde::{Deserialize, Serialize};

pub(crate) struct Rasa {
    url: reqwest::Url,
}

#[derive(Serialize)]
struct Request<'a> {
    sender: &'a str,
    message: &'a str,
    metadata: Metadata<'a>,
}

#[derive(Serialize)]
struct Metadata<'a> {
    locale: &'static str,
    /// Oldest first, masked.
    recent: Vec<Recent<'a>>,
}

#[derive(Serialize)]
struct Recent<'a> {
    from: &'static str,
    text: &'a str,
}

#[derive(Deserialize)]
struct Message {
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    buttons: Option<Vec<RasaButton>>,
}

#[derive(Deserialize)]
struct RasaButton {
    title: String,
    #[serde(default)]
    payload: Option<String>,
}

impl Rasa {
    pub fn new(url: &str) -> anyhow::Result<Self> {
        Ok(Self {
            url: reqwest::Url::parse(url)?,
        })
    }

    pub async fn ask(
        &self,
        client: &reqwest::Client,
        q: &Outgoing<'_>,
    ) -> Result<UpstreamOutcome, Failure> {
        let body = Request {
            sender: &q.sender,
            message: &q.text,
            metadata: Metadata {
                locale: q.lang.tag(),
                recent: q
                    .recent
                    .iter()
                    .map(|(who, text)| Recent {
                        from: match who {
                            Speaker::Customer => "customer",
                            Speaker::Assistant => "assistant",
                        },
                        text,
                    })
                    .collect(),
            },
        };
        let (status, reply) = send(client.post(self.url.clone()).json(&body)).await?;
        if !status.is_success() {
            return Err(Failure::Error(format!("status {status}")));
        }
        let messages: Vec<Message> = serde_json::from_slice(&reply)
            .map_err(|_| Failure::Error(format!("status {status}, not a Rasa reply")))?;
        let texts: Vec<&str> = messages
            .iter()
            .filter_map(|m| m.text.as_deref().map(str::trim))
            .filter(|t| !t.is_empty())
            .collect();
        if texts.is_empty() {
            return Ok(UpstreamOutcome::NotSure);
        }
        let buttons = messages
            .iter()
            .flat_map(|m| m.buttons.iter().flatten())
            .filter(|b| !b.title.trim().is_empty())
            .map(|b| Button {
                title: b.title.trim().to_owned(),
                payload: b.payload.clone().unwrap_or_else(|| b.title.clone()),
            })
            .collect();
        Ok(UpstreamOutcome::Answered {
            text: texts.join("\n\n"),
            buttons,
            cited: Vec::new(),
        })
    }
}
