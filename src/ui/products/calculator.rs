//! The small calculators in deposit and loan cards: amount, rate and term typed the way people type
//! them ("10000", "1.5万", "一万", "1年"), a Calculate button, the result as one plain sentence in a
//! status region, and a calm message under the field that is wrong (linked to it with
//! `aria-describedby`, focus moved to it). The worker parses and computes (`calc` request).
//!
//! Why text fields rather than `type="number"`: number inputs refuse "一万" and "1.5万", and the core's
//! parser (`assistant_core::products::input`) understands them or says kindly why it cannot.

use super::{focus_later, uid};
use crate::conversation::Chat;
use crate::wire::worker::Answer;
use assistant_core::locale::Lang;
use assistant_core::protocol::{CalcKind, CalcOutcome, CalcView, ToWorker};
use leptos::prelude::*;

#[component]
pub fn Calculator(calc: CalcView, lang: Lang) -> impl IntoView {
    let n = uid();
    let worker = expect_context::<Chat>().io().worker;
    let field_id = move |key: &str| format!("ba-calc-{n}-{key}");
    let values: Vec<RwSignal<String>> = calc
        .fields
        .iter()
        .map(|f| RwSignal::new(f.value.clone()))
        .collect();
    let result = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<(String, String)>);
    let kind = calc.kind;
    let values_for_submit = values.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let [amount, rate, term] = [0, 1, 2].map(|i| {
            values_for_submit
                .get(i)
                .map(|v| v.get_untracked())
                .unwrap_or_default()
        });
        let msg = |id| ToWorker::Calc {
            id,
            lang,
            kind,
            amount,
            rate,
            term,
        };
        worker.request(msg, move |answer| {
            let Answer::Calculated(outcome) = answer else {
                return;
            };
            match outcome {
                CalcOutcome::Result { text } => {
                    error.try_set(None);
                    result.try_set(Some(text));
                }
                CalcOutcome::Error { field, message } => {
                    result.try_set(None);
                    focus_later(field_id(&field));
                    error.try_set(Some((field, message)));
                }
            }
        });
    };
    let fields = calc
        .fields
        .into_iter()
        .zip(values)
        .map(|(f, value)| {
            let input_id = field_id(&f.key);
            let hint_id = format!("{input_id}-hint");
            let err_id = format!("{input_id}-error");
            let key = f.key.clone();
            let err_for_this = move || error.get().filter(|(ef, _)| *ef == key).map(|(_, m)| m);
            let described = {
                let (hint_id, err_id) = (hint_id.clone(), err_id.clone());
                let err_for_this = err_for_this.clone();
                move || {
                    if err_for_this().is_some() {
                        format!("{err_id} {hint_id}")
                    } else {
                        hint_id.clone()
                    }
                }
            };
            let invalid = {
                let err_for_this = err_for_this.clone();
                move || err_for_this().is_some().to_string()
            };
            view! {
                <div class="ba-field" data-field=f.key>
                    <label for=input_id.clone()>{f.label}</label>
                    <input
                        id=input_id
                        type="text"
                        autocomplete="off"
                        spellcheck="false"
                        bind:value=value
                        aria-invalid=invalid
                        aria-describedby=described
                    />
                    <span id=hint_id class="ba-hint">{f.hint}</span>
                    {move || err_for_this().map(|m| view! {
                        <p id=err_id.clone() class="ba-field-error" role="alert">
                            <span aria-hidden="true">"⚠ "</span>{m}
                        </p>
                    })}
                </div>
            }
        })
        .collect_view();
    let result_note = calc.result_note;
    view! {
        <form class="ba-calc" data-calc=if kind == CalcKind::Loan { "loan" } else { "deposit" } novalidate on:submit=submit>
            <fieldset>
                <legend>{calc.title}</legend>
                {fields}
                <button type="submit" class="ba-calc-go">{calc.calculate}</button>
            </fieldset>
            <div class="ba-calc-result" role="status">
                {move || result.get().map(|r| view! {
                    <p>{r}</p>
                    <p class="ba-example-notice">{result_note.clone()}</p>
                })}
            </div>
        </form>
    }
}
