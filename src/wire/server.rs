//! The bank server's request bodies and responses (`assistant_core::api`, docs/openapi.yaml): bodies
//! written by hand as serde writes them (the server reads them with serde and
//! `deny_unknown_fields`), responses read with the browser's `JSON.parse` (`read`).

use super::read as js;
use super::write::{self as json, Obj};
use assistant_core::answers::{Suggestion, Texts};
use assistant_core::api::*;
use wasm_bindgen::{JsCast, JsValue};

/// A request body as JSON, as serde writes the core's type (see `wire::write`): the server reads these
/// with serde and `deny_unknown_fields`.
pub(crate) trait Body {
    fn json(&self) -> String;
}

impl Body for ChatRequest {
    fn json(&self) -> String {
        let ChatRequest {
            conversation_id,
            message_id,
            text,
            locale,
            client_intents,
            text_size,
            recent,
            chosen,
        } = self;
        let recent = json::array(recent.iter().map(|TranscriptLine { role, text }| {
            Obj::new()
                .str("role", json::role(*role))
                .str("text", text)
                .done()
        }));
        let intents = json::array(client_intents.iter().map(|ClientIntent { intent, score }| {
            Obj::new()
                .str("intent", intent)
                .num("score", f64::from(*score))
                .done()
        }));
        Obj::new()
            .str("conversation_id", conversation_id)
            .str("message_id", message_id)
            .str("text", text)
            .str("locale", locale.tag())
            .raw("client_intents", &intents)
            .str("text_size", json::text_size(*text_size))
            .raw("recent", &recent)
            .opt_str("chosen", chosen.as_deref())
            .done()
    }
}

impl Body for HandoffRequest {
    fn json(&self) -> String {
        let HandoffRequest {
            conversation_id,
            reason,
            locale,
            text_size,
            transcript,
        } = self;
        let transcript = json::array(transcript.iter().map(|TranscriptLine { role, text }| {
            Obj::new()
                .str("role", json::role(*role))
                .str("text", text)
                .done()
        }));
        Obj::new()
            .str("conversation_id", conversation_id)
            .str("reason", json::handoff_reason(*reason))
            .str("locale", locale.tag())
            .str("text_size", json::text_size(*text_size))
            .raw("transcript", &transcript)
            .done()
    }
}

impl Body for CancelHandoffRequest {
    fn json(&self) -> String {
        let CancelHandoffRequest { conversation_id } = self;
        Obj::new().str("conversation_id", conversation_id).done()
    }
}

impl Body for CustomerMessage {
    fn json(&self) -> String {
        let CustomerMessage { message_id, text } = self;
        Obj::new()
            .str("message_id", message_id)
            .str("text", text)
            .done()
    }
}

impl Body for LeaveMessageRequest {
    fn json(&self) -> String {
        let LeaveMessageRequest {
            conversation_id,
            message_id,
            text,
            locale,
        } = self;
        Obj::new()
            .str("conversation_id", conversation_id)
            .str("message_id", message_id)
            .str("text", text)
            .str("locale", locale.tag())
            .done()
    }
}

impl Body for FeedbackRequest {
    fn json(&self) -> String {
        let FeedbackRequest {
            message_id,
            helpful,
            comment,
            conversation_id,
            question,
            intent,
        } = self;
        Obj::new()
            .str("message_id", message_id)
            .bool("helpful", *helpful)
            .opt_str("comment", comment.as_deref())
            .str("conversation_id", conversation_id)
            .opt_str("question", question.as_deref())
            .opt_str("intent", intent.as_deref())
            .done()
    }
}

// The server's responses are read with the browser's `JSON.parse` (`wire::read`), not serde: the
// same fields are required as in the core's types (`assistant_core::api`, docs/openapi.yaml), and a
// response that is not that shape is treated as before, as unreadable.

/// A `ChatResponse`.
pub(crate) fn read_chat_response(json: &str) -> Option<ChatResponse> {
    let o = js::parse(json)?;
    let suggestions = js::get(&o, "suggestions");
    let suggestions = if suggestions.is_undefined() {
        Vec::new()
    } else {
        suggestions
            .dyn_into::<js_sys::Array>()
            .ok()?
            .iter()
            .map(|s| {
                Some(Suggestion {
                    intent: js::string(&s, "intent")?,
                    text: js::string(&s, "text")?,
                })
            })
            .collect::<Option<_>>()?
    };
    Some(ChatResponse {
        message_id: js::string(&o, "message_id")?,
        text: js::string(&o, "text")?,
        source: js::unit(&o, "source", js::SOURCES)?,
        intent: js::opt_string(&o, "intent")?,
        lang: js::unit(&o, "lang", js::LANGS)?,
        suggestions,
        offer_handoff: js::get(&o, "offer_handoff").as_bool()?,
        article: read_article(&o)?,
    })
}

/// A response's optional `article` (`None` inside when absent, `None` outside when malformed).
fn read_article(o: &JsValue) -> Option<Option<ArticleLink>> {
    let a = js::get(o, "article");
    if a.is_undefined() || a.is_null() {
        return Some(None);
    }
    Some(Some(ArticleLink {
        id: js::string(&a, "id")?,
        title: js::string(&a, "title")?,
        url: js::string(&a, "url")?,
    }))
}

/// A `HandoffResponse`.
pub(crate) fn read_handoff_response(json: &str) -> Option<HandoffResponse> {
    let o = js::parse(json)?;
    Some(HandoffResponse {
        ticket_id: js::string(&o, "ticket_id")?,
        position: js::u32(&o, "position")?,
        estimated_wait_s: js::u32(&o, "estimated_wait_s")?,
    })
}

/// The `description` of an `HoursResponse` (the rest of it must be there too: `open`, and
/// `next_open` a string when given).
pub(crate) fn read_hours_description(json: &str) -> Option<Texts> {
    let o = js::parse(json)?;
    js::get(&o, "open").as_bool()?;
    js::opt_string(&o, "next_open")?;
    let d: JsValue = js::obj(&o, "description")?;
    Some(Texts {
        en: js::string(&d, "en")?,
        zh: js::string(&d, "zh")?,
    })
}

/// The server reads the request bodies the widget writes by hand (`Body`, `write`) with serde
/// (`deny_unknown_fields`): each must read back as the request meant.
#[cfg(test)]
mod tests {
    use super::*;
    use assistant_core::locale::Lang;
    use wasm_bindgen_test::wasm_bindgen_test;

    const NASTY: &str = "\"quoted\" \\ back\nline\t\u{0}\u{1f}\u{7f} 中文 🙂 </script> \u{2028}";

    fn reads_back<T>(request: T)
    where
        T: Body + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
    {
        let json = request.json();
        let back: T = serde_json::from_str(&json).expect(&json);
        assert_eq!(back, request, "{json}");
    }

    #[wasm_bindgen_test]
    fn request_bodies_read_back_as_sent() {
        for (intents, text_size) in [
            (vec![], TextSize::Normal),
            (
                vec![
                    ClientIntent {
                        intent: "lost_or_stolen_card".into(),
                        score: 0.9,
                    },
                    ClientIntent {
                        intent: NASTY.into(),
                        score: 1.0e-7,
                    },
                    ClientIntent {
                        intent: "x".into(),
                        score: 1.0,
                    },
                ],
                TextSize::Large,
            ),
        ] {
            reads_back(ChatRequest {
                conversation_id: "c-1".into(),
                message_id: "m-1".into(),
                text: NASTY.into(),
                locale: Lang::ZhCn,
                recent: if text_size == TextSize::Large {
                    vec![
                        TranscriptLine {
                            role: Role::Customer,
                            text: NASTY.into(),
                        },
                        TranscriptLine {
                            role: Role::Assistant,
                            text: "帮助中心：…".into(),
                        },
                    ]
                } else {
                    Vec::new()
                },
                client_intents: intents,
                chosen: (text_size == TextSize::Large).then(|| "help:child-account".into()),
                text_size,
            });
        }
        reads_back(HandoffRequest {
            conversation_id: NASTY.into(),
            reason: HandoffReason::Distress,
            locale: Lang::En,
            text_size: TextSize::Normal,
            transcript: vec![
                TranscriptLine {
                    role: Role::Customer,
                    text: NASTY.into(),
                },
                TranscriptLine {
                    role: Role::Assistant,
                    text: "ok".into(),
                },
                TranscriptLine {
                    role: Role::Agent,
                    text: String::new(),
                },
                TranscriptLine {
                    role: Role::System,
                    text: "s".into(),
                },
            ],
        });
        reads_back(CancelHandoffRequest {
            conversation_id: NASTY.into(),
        });
        reads_back(CustomerMessage {
            message_id: "m".into(),
            text: NASTY.into(),
        });
        reads_back(LeaveMessageRequest {
            conversation_id: "c".into(),
            message_id: "m".into(),
            text: NASTY.into(),
            locale: Lang::ZhCn,
        });
        for full in [false, true] {
            let some = |s: &str| full.then(|| s.to_owned());
            reads_back(FeedbackRequest {
                message_id: "m".into(),
                helpful: full,
                comment: some(NASTY),
                conversation_id: "c-0123456789abcdef".into(),
                question: some("q"),
                intent: some("i"),
            });
        }
        // The conversation is required now: a body without it is refused by the server's reader.
        let json = Obj::new()
            .str("message_id", "m")
            .bool("helpful", true)
            .done();
        assert!(serde_json::from_str::<FeedbackRequest>(&json).is_err());
    }
}
