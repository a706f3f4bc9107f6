//! The small calculators in deposit and loan cards: amount, rate and term typed the way people type
//! them ("10000", "1.5万", "一万", "1年"), a Calculate button, the result as one plain sentence in a
//! status region, and a calm message under the field that is wrong (linked to it with
//! `aria-describedby`, focus moved to it).
//!
//! Why text fields rather than `type="number"`: number inputs refuse "一万" and "1.5万", and the core's
//! parser (`assistant_core::products::input`) understands them or says kindly why it cannot.

use super::{uid, words};
use assistant_core::locale::Lang;
use assistant_core::products::calculator::{
    Field, FieldError, deposit_from_text, describe_deposit, describe_loan, loan_from_text,
};
use assistant_core::products::input::{parse_rate, parse_term};
use leptos::prelude::*;

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum CalcKind {
    Deposit,
    Loan,
}

/// What the form starts with: the card's worked example.
#[derive(Clone)]
pub struct Prefill {
    pub amount: String,
    pub rate: String,
    pub months: String,
}

fn compute(
    kind: CalcKind,
    amount: &str,
    rate: &str,
    term: &str,
    lang: Lang,
) -> Result<String, FieldError> {
    match kind {
        CalcKind::Deposit => {
            let r = deposit_from_text(amount, rate, term, lang)?;
            let (rate, months) = (
                parse_rate(rate, lang).unwrap_or(0.0),
                parse_term(term, lang).unwrap_or(0),
            );
            Ok(describe_deposit(&r, rate, months, lang))
        }
        CalcKind::Loan => {
            let r = loan_from_text(amount, rate, term, lang)?;
            Ok(describe_loan(
                &r,
                parse_rate(rate, lang).unwrap_or(0.0),
                lang,
            ))
        }
    }
}

#[component]
pub fn Calculator(kind: CalcKind, lang: Lang, prefill: Prefill) -> impl IntoView {
    let w = words(lang);
    let n = uid();
    let field_id = move |f: Field| format!("ba-calc-{n}-{f:?}").to_lowercase();
    let amount = RwSignal::new(prefill.amount);
    let rate = RwSignal::new(prefill.rate);
    let term = RwSignal::new(prefill.months);
    let result = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<(Field, String)>);
    let (title, rate_label) = match kind {
        CalcKind::Deposit => (w.deposit_calc, w.rate_deposit),
        CalcKind::Loan => (w.loan_calc, w.rate_loan),
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match compute(
            kind,
            &amount.get_untracked(),
            &rate.get_untracked(),
            &term.get_untracked(),
            lang,
        ) {
            Ok(text) => {
                error.set(None);
                result.set(Some(text));
            }
            Err(e) => {
                result.set(None);
                error.set(Some((e.field, e.message(lang))));
                super::focus_later(field_id(e.field));
            }
        }
    };
    let field =
        move |f: Field, label: &'static str, hint: &'static str, value: RwSignal<String>| {
            let input_id = field_id(f);
            let hint_id = format!("{input_id}-hint");
            let err_id = format!("{input_id}-error");
            let err_for_this = move || error.get().filter(|(ef, _)| *ef == f).map(|(_, m)| m);
            let described = {
                let (hint_id, err_id) = (hint_id.clone(), err_id.clone());
                move || {
                    if err_for_this().is_some() {
                        format!("{err_id} {hint_id}")
                    } else {
                        hint_id.clone()
                    }
                }
            };
            view! {
                <div class="ba-field" data-field=format!("{f:?}").to_lowercase()>
                    <label for=input_id.clone()>{label}</label>
                    <input
                        id=input_id
                        type="text"
                        autocomplete="off"
                        spellcheck="false"
                        bind:value=value
                        aria-invalid=move || err_for_this().is_some().to_string()
                        aria-describedby=described
                    />
                    <span id=hint_id class="ba-hint">{hint}</span>
                    {move || err_for_this().map(|m| view! {
                        <p id=err_id.clone() class="ba-field-error" role="alert">
                            <span aria-hidden="true">"⚠ "</span>{m}
                        </p>
                    })}
                </div>
            }
        };
    view! {
        <form class="ba-calc" data-calc=if kind == CalcKind::Loan { "loan" } else { "deposit" } novalidate on:submit=submit>
            <fieldset>
                <legend>{title}</legend>
                {field(Field::Amount, w.amount, w.amount_hint, amount)}
                {field(Field::Rate, rate_label, w.rate_hint, rate)}
                {field(Field::Term, w.term, w.term_hint, term)}
                <button type="submit" class="ba-calc-go">{w.calculate}</button>
            </fieldset>
            <div class="ba-calc-result" role="status">
                {move || result.get().map(|r| view! {
                    <p>{r}</p>
                    <p class="ba-example-notice">{w.result_note}</p>
                })}
            </div>
        </form>
    }
}
