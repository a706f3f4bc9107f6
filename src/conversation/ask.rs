//! Asking the in-browser assistant: a question is masked and sent to the worker (`Chat::send`), and
//! its reply becomes a message, a hand-off or a question for the bank's server (`Chat::on_reply`).

use super::{Author, Chat, Engine, MAX_CHARS, Message, Origin, Rateable};
use crate::io::telemetry::Record;
use crate::platform::i18n::strings;
use crate::wire::worker::Answer;
use assistant_core::answers::Suggestion;
use assistant_core::api::ARTICLE_CHOICE;
use assistant_core::locale::Lang;
use assistant_core::pii;
use assistant_core::protocol::{FromWorker, Reply, Stage, ToWorker, View};
use assistant_core::routing::Route;
use leptos::prelude::*;

impl Chat {
    /// Starts the engine's worker (idempotent).
    pub fn start_engine(self) {
        if self.engine.get_untracked() != Engine::Idle {
            return;
        }
        self.engine.set(Engine::Loading {
            stage: Stage::Downloading,
            loaded: 0,
            total: 3,
        });
        self.io().worker.start(move |msg| self.on_worker(msg));
    }

    fn on_worker(self, msg: FromWorker) {
        match msg {
            FromWorker::Booted => {}
            FromWorker::Progress {
                stage,
                loaded,
                total,
            } => self.engine.set(Engine::Loading {
                stage,
                loaded,
                total,
            }),
            FromWorker::Ready { .. } => self.engine.set(Engine::Ready),
            FromWorker::Failed { message } => {
                web_sys::console::warn_1(
                    &format!("assistant: instant answers unavailable: {message}").into(),
                );
                self.engine.set(Engine::Failed);
                // Questions already sent are still answered: after a failed load the worker replies
                // to each with the server route, so nothing is said twice here.
            }
            // Replies go to their questions' callbacks (`send`), never here.
            FromWorker::Reply(_) => {}
        }
    }

    /// The masked question and its server message id, for a worker reply.
    fn take_pending(&self, id: u32) -> Option<(String, String)> {
        let mut found = None;
        self.kept.update_value(|k| {
            let p = &mut k.pending;
            if let Some(i) = p.iter().position(|(pid, _, _)| *pid == id) {
                let (_, text, mid) = p.remove(i);
                found = Some((text, mid));
            }
        });
        found
    }

    /// Shows a message with the view that came with its reply (plain text if none): known before the
    /// message joins the log, so it is shown (and announced) once, complete.
    fn show(self, message: Message, view: Option<Box<View>>) {
        let id = if message.id == 0 {
            self.id()
        } else {
            message.id
        };
        self.settle_view(id, view.map(|v| *v));
        self.kept.update_value(|k| k.asked.push(id));
        self.push(Message { id, ..message });
    }

    fn on_reply(self, r: Reply) {
        let Some((question, message_id)) = self.take_pending(r.id) else {
            return;
        };
        let outcome = outcome(&r, &message_id, self.prefs.text_size.get_untracked());
        let view = r.view;
        match (r.route, r.answer, r.compare) {
            // "Compare A and B" (issue #5): the worker's introduction, then a side-by-side table.
            (_, Some(intro), Some((a, b))) => {
                self.waiting.update(|w| *w = w.saturating_sub(1));
                self.show(
                    Message {
                        id: 0,
                        author: Author::Assistant,
                        text: intro,
                        lang: r.lang,
                        origin: Origin::Compare { a, b },
                        intent: None,
                        rate: None,
                        offer_handoff: false,
                    },
                    view,
                );
            }
            (Route::Answer, Some(answer), _) => {
                self.waiting.update(|w| *w = w.saturating_sub(1));
                self.show(
                    Message {
                        id: 0,
                        author: Author::Assistant,
                        text: answer,
                        lang: r.lang,
                        origin: Origin::Answer,
                        intent: r.intent.clone(),
                        rate: Some(Rateable {
                            message_id,
                            question,
                            intent: r.intent,
                        }),
                        offer_handoff: false,
                    },
                    view,
                );
            }
            // The customer asked for a person: they get one.
            (Route::Handoff, _, _) if r.reason.starts_handoff() => {
                self.waiting.update(|w| *w = w.saturating_sub(1));
                self.accept_handoff(r.reason, r.lang);
            }
            // A complaint or an upset customer: the answer, and a person offered.
            (Route::Handoff, answer, _) => {
                self.waiting.update(|w| *w = w.saturating_sub(1));
                self.show(
                    Message {
                        id: 0,
                        author: Author::Assistant,
                        text: offer_words(answer, r.lang),
                        lang: r.lang,
                        origin: Origin::Handoff,
                        intent: r.intent,
                        rate: None,
                        offer_handoff: true,
                    },
                    view,
                );
            }
            // Two topics nearly tied: ask which, with the candidates as the chips (issue #15).
            (Route::Clarify, _, _) if !r.choices.is_empty() => {
                self.waiting.update(|w| *w = w.saturating_sub(1));
                let s = strings(r.lang);
                let text = s
                    .did_you_mean
                    .replace("{choices}", &quoted(&r.choices, r.lang));
                self.say(text, r.lang, Origin::Clarify, None);
                self.suggestions.set(r.choices);
                self.io().telemetry.record(outcome);
                return;
            }
            // Unsure or out of scope: the bank's server chatbot answers (still waiting).
            _ => self.ask_server(message_id, question, r.lang, r.top, None),
        }
        // After a hand-off it started: asking for a person now is this outcome, not one after it.
        self.io().telemetry.record(outcome);
        // A two-part question: the second part is offered first among the chips.
        let mut chips = r.suggestions;
        if let Some(also) = r.also {
            let s = strings(r.lang);
            let one = quoted(std::slice::from_ref(&also), r.lang);
            self.say(
                s.also_asked.replace("{question}", &one),
                r.lang,
                Origin::Notice,
                None,
            );
            chips.retain(|c| c.intent != also.intent);
            chips.insert(0, also);
        }
        if chips.is_empty() {
            self.reset_suggestions();
        } else {
            self.suggestions.set(chips);
        }
    }

    /// Sends a question (`chip_intent`: the intent of a tapped suggestion chip). Returns an error message
    /// for the customer, or `Ok(false)` when there was nothing to send.
    pub fn send(self, raw: &str, chip_intent: Option<String>) -> Result<bool, &'static str> {
        let text = raw.trim();
        if text.is_empty() {
            return Ok(false);
        }
        let locale = self.locale.get_untracked();
        if text.chars().count() > MAX_CHARS {
            return Err(strings(locale).too_long);
        }
        let masked = pii::mask(text);
        let lang = Lang::of_text(&masked.text, locale);
        // Written in the other language: offer (in theirs, once) to switch; never switch unasked.
        if lang != locale && !self.kept.with_value(|k| k.offered_switch) {
            self.kept.update_value(|k| k.offered_switch = true);
            self.switch_offer.set(Some(lang));
        }
        let id = self.id();
        self.push(Message {
            id,
            author: Author::Customer,
            text: masked.text.clone(),
            lang,
            origin: Origin::Customer,
            intent: None,
            rate: None,
            offer_handoff: false,
        });
        if !masked.found.is_empty() {
            self.say(
                strings(lang).masked_notice.into(),
                lang,
                Origin::Notice,
                None,
            );
        }
        let message_id = crate::io::outbox::new_id("m");
        // With a person (or waiting for one, or leaving a message): the text goes to the bank's team.
        if self.to_people(&message_id, &masked.text, lang) {
            return Ok(true);
        }
        self.start_engine();
        self.waiting.update(|w| *w += 1);
        // A help-centre article the server offered: only the server has it. No instant answers on
        // this device: the server answers everything.
        let article = chip_intent
            .clone()
            .filter(|c| c.starts_with(ARTICLE_CHOICE));
        if article.is_some() || self.engine.get_untracked() == Engine::Failed {
            self.ask_server(message_id, masked.text, lang, Vec::new(), article);
            return Ok(true);
        }
        let simple = self.prefs.text_size.get_untracked().elder();
        let question = masked.text.clone();
        self.io().worker.request(
            |rid| {
                self.kept
                    .update_value(|k| k.pending.push((rid, question, message_id)));
                ToWorker::Classify {
                    id: rid,
                    text: masked.text,
                    locale,
                    simple,
                    intent: chip_intent,
                }
            },
            move |answer| {
                if let Answer::Reply(reply) = answer {
                    self.on_reply(reply);
                }
            },
        );
        Ok(true)
    }
}

/// The telemetry record of a reply (`io::telemetry`): which route `on_reply` takes, as counts. An
/// intent outside the taxonomy (never expected) is sent as `out_of_scope`, so the batch is not refused.
fn outcome(r: &Reply, message_id: &str, text_step: assistant_core::display::TextSize) -> Record {
    use assistant_core::telemetry::{Route as Counted, is_label};
    let route = match (&r.route, &r.answer, &r.compare) {
        (_, Some(_), Some(_)) | (Route::Answer, Some(_), _) => Counted::Answered,
        (Route::Handoff, _, _) => Counted::Person,
        (Route::Clarify, _, _) if !r.choices.is_empty() => Counted::DidYouMean,
        _ => Counted::Server,
    };
    let intent = r
        .intent
        .clone()
        .or_else(|| r.top.first().map(|(i, _)| i.clone()))
        .filter(|i| is_label(i))
        .unwrap_or_else(|| assistant_core::taxonomy::OUT_OF_SCOPE.into());
    Record::new(
        intent,
        route,
        r.lang,
        text_step,
        r.confidence,
        message_id.to_owned(),
    )
}

/// The chips' words in quotes, "or" before the last: “A”, “B” or “C” / “A”、“B”还是“C” (without
/// each chip's own question mark: the sentence has one).
fn quoted(chips: &[Suggestion], lang: Lang) -> String {
    let q: Vec<String> = chips
        .iter()
        .map(|c| format!("“{}”", c.text.trim_end_matches(['?', '？'])))
        .collect();
    let (sep, or) = match lang {
        Lang::En => (", ", format!(" {} ", strings(lang).or)),
        Lang::ZhCn => ("、", strings(lang).or.to_owned()),
    };
    match q.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{}{or}{last}", rest.join(sep)),
        _ => q.concat(),
    }
}

/// The words that come with a hand-off offer (a complaint, an upset customer): the knowledge base's
/// answer, or the widget's own. Only an offer: nobody is connected until the customer taps the button.
fn offer_words(answer: Option<String>, lang: Lang) -> String {
    answer.unwrap_or_else(|| strings(lang).handoff_offer.to_owned())
}

#[cfg(test)]
mod tests {
    use super::offer_words;
    use crate::platform::i18n::strings;
    use assistant_core::locale::Lang;
    use assistant_core::routing::promises_a_person;
    use wasm_bindgen_test::wasm_bindgen_test;

    /// Issue #14: an upset customer was told "I'll connect you with a member of our team now" and nobody
    /// came. The widget's words match its action: a promise only where the hand-off starts.
    #[wasm_bindgen_test]
    fn an_offer_never_says_a_person_is_coming_and_starting_one_does() {
        for lang in [Lang::En, Lang::ZhCn] {
            let offer = offer_words(None, lang);
            assert!(!promises_a_person(&offer), "{lang:?} offer: {offer}");
            assert!(
                promises_a_person(strings(lang).connecting),
                "{lang:?} connecting"
            );
        }
    }
}
