//! The product card shown for a `product_*` answer: the name, the summary, the risk line (text and an
//! icon, never colour alone), the worked example as a short table, a calculator where one helps, the
//! details behind "Tell me more" one step at a time, next steps, and the notice and "not advice" line.
//!
//! Why two layouts: in standard mode the summary, risk and example are visible and each "Tell me more"
//! adds the next section (focus moves to its heading). In elder (large-text) mode the card shows one
//! part at a time with "Previous" / "Next", because a screen of 30 px text holds little and older
//! customers do better with one thing at a time. In both, the risk line, the example-content notice and
//! the "not advice" line never hide, so a return is never on screen without its risk.

use super::calculator::{CalcKind, Calculator, Prefill};
use super::{Marked, focus_later, host_link, words};
use crate::state::Chat;
use assistant_core::locale::Lang;
use assistant_core::products::ProductBundle;
use assistant_core::products::card::{ProductCard, RiskLine, SectionKey};
use assistant_core::products::catalogue::{RiskLevel, WorkedExample};
use assistant_core::products::money::format_rate;
use assistant_core::routing::Reason;
use leptos::prelude::*;
use std::sync::Arc;

/// One part of the card, as elder mode steps through them.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Part {
    Summary,
    Example,
    Calc,
    /// Index into the card's "tell me more" sections (the worked example's own section excluded: the
    /// table shows it).
    Detail(usize),
}

/// The calculator that fits a product, filled in with its worked example.
fn calculator_for(bundle: &ProductBundle, id: &str) -> Option<(CalcKind, Prefill)> {
    let yuan = |m: assistant_core::products::Money| format!("{}", m.yuan());
    match &bundle.catalogue.product(id)?.example {
        WorkedExample::Deposit {
            amount,
            rate_pct,
            months,
            ..
        } => Some((
            CalcKind::Deposit,
            Prefill {
                amount: yuan(*amount),
                rate: format_rate(*rate_pct),
                months: months.to_string(),
            },
        )),
        WorkedExample::Loan {
            amount,
            apr_pct,
            months,
            ..
        } => Some((
            CalcKind::Loan,
            Prefill {
                amount: yuan(*amount),
                rate: format_rate(*apr_pct),
                months: months.to_string(),
            },
        )),
        _ => None,
    }
}

/// "Risk level R2: low to medium risk" with a level meter icon; the meaning follows in words.
fn risk_view(risk: &RiskLine, lang: Lang) -> impl IntoView + use<> {
    let (icon, label) = match (risk.level, lang) {
        (RiskLevel::Borrowing, Lang::En) => (
            "⚠".to_owned(),
            format!("Risk: {} ({})", risk.code, risk.name),
        ),
        (RiskLevel::Borrowing, Lang::ZhCn) => (
            "⚠".to_owned(),
            format!("风险：{}（{}）", risk.code, risk.name),
        ),
        (level, _) => {
            let n = RiskLevel::ALL.iter().position(|l| *l == level).unwrap_or(0) + 1;
            let meter: String = (1..=5).map(|i| if i <= n { '▮' } else { '▯' }).collect();
            let label = match lang {
                Lang::En => format!("{} {}: {}", words(lang).risk_label, risk.code, risk.name),
                Lang::ZhCn => format!("{}{}：{}", words(lang).risk_label, risk.code, risk.name),
            };
            (meter, label)
        }
    };
    view! {
        <p class="ba-risk" data-level=risk.level.code()>
            <span class="ba-risk-icon" aria-hidden="true">{icon}</span>
            " "
            <strong class="ba-risk-label">{label}</strong>
            " "
            <span class="ba-risk-meaning">{risk.meaning.clone()}</span>
        </p>
    }
}

#[component]
pub fn ProductCardView(
    chat: Chat,
    card: ProductCard,
    bundle: Arc<ProductBundle>,
    uid: u32,
) -> impl IntoView {
    let lang = card.lang;
    let w = words(lang);
    let calc = calculator_for(&bundle, &card.id);
    let details: Vec<usize> = card
        .sections
        .iter()
        .enumerate()
        .filter(|(_, s)| s.key != SectionKey::Example)
        .map(|(i, _)| i)
        .collect();
    let mut parts = vec![Part::Summary, Part::Example];
    if calc.is_some() {
        parts.push(Part::Calc);
    }
    parts.extend((0..details.len()).map(Part::Detail));
    let parts = StoredValue::new(parts);
    let details = StoredValue::new(details);
    let calc = StoredValue::new(calc);
    let link = host_link(&card.id);
    let name_id = format!("ba-card-{uid}");
    let heading_id = move |p: Part| {
        format!("ba-card-{uid}-{p:?}")
            .to_lowercase()
            .replace(['(', ')'], "")
    };
    let card = StoredValue::new(card);

    // Standard mode: how many details are open, and whether the calculator is. Elder mode: which part.
    let shown = RwSignal::new(0usize);
    let calc_open = RwSignal::new(false);
    let step = RwSignal::new(0usize);

    let heading = move |p: Part, title: String| {
        view! { <h4 id=heading_id(p) class="ba-part-title" tabindex="-1">{title}</h4> }
    };
    let render = move |p: Part, with_heading: bool| -> AnyView {
        let title = card.with_value(|c| match p {
            Part::Summary => SectionKey::Summary.title(lang).to_owned(),
            Part::Example => SectionKey::Example.title(lang).to_owned(),
            Part::Calc => w.work_it_out.to_owned(),
            Part::Detail(i) => c.sections[details.with_value(|d| d[i])].title.clone(),
        });
        let head = with_heading.then(|| heading(p, title));
        let body = match p {
            Part::Summary => {
                let s = card.with_value(|c| c.summary.clone());
                view! { <p class="ba-card-summary"><Marked text=s lang=lang/></p> }.into_any()
            }
            Part::Example => card.with_value(|c| {
                let rows = c
                    .example
                    .rows
                    .iter()
                    .map(|r| view! { <tr><th scope="row">{r.label.clone()}</th><td>{r.value.clone()}</td></tr> })
                    .collect_view();
                let note = c.example.note.clone();
                view! {
                    <table class="ba-table ba-example">
                        <caption>{w.example_caption}</caption>
                        <tbody>{rows}</tbody>
                    </table>
                    <p class="ba-example-note">{note}</p>
                }
                .into_any()
            }),
            Part::Calc => match calc.get_value() {
                Some((kind, prefill)) => view! { <Calculator kind=kind lang=lang prefill=prefill/> }.into_any(),
                None => ().into_any(),
            },
            Part::Detail(i) => card.with_value(|c| {
                let s = &c.sections[details.with_value(|d| d[i])];
                let paras = s
                    .body
                    .split('\n')
                    .filter(|l| !l.trim().is_empty())
                    .map(|l| view! { <p><Marked text=l.to_owned() lang=lang/></p> })
                    .collect_view();
                let note = s.risk_note.clone().map(|n| view! { <p class="ba-risk-note"><span aria-hidden="true">"⚠ "</span>{n}</p> });
                view! { {paras} {note} }.into_any()
            }),
        };
        let key = format!("{p:?}").to_lowercase().replace(['(', ')'], "");
        view! { <section class="ba-part" data-part=key>{head}{body}</section> }.into_any()
    };

    let standard = move || {
        let n = details.with_value(Vec::len);
        let calc_part = calc.with_value(Option::is_some).then(|| {
            let region = format!("ba-card-{uid}-calc-region");
            view! {
                <button
                    type="button"
                    class="ba-card-button ba-calc-toggle"
                    aria-expanded=move || calc_open.get().to_string()
                    aria-controls=region.clone()
                    on:click=move |_| calc_open.update(|o| *o = !*o)
                >
                    {w.work_it_out}
                </button>
                <div id=region hidden=move || !calc_open.get()>
                    {move || calc_open.get().then(|| render(Part::Calc, false))}
                </div>
            }
        });
        view! {
            {render(Part::Summary, false)}
            {render(Part::Example, true)}
            {calc_part}
            {move || (0..shown.get()).map(|i| render(Part::Detail(i), true)).collect_view()}
            {move || {
                let next = shown.get();
                (next < n).then(|| {
                    let title = card.with_value(|c| c.sections[details.with_value(|d| d[next])].title.clone());
                    view! {
                        <button
                            type="button"
                            class="ba-card-button ba-more"
                            on:click=move |_| {
                                shown.set(next + 1);
                                focus_later(heading_id(Part::Detail(next)));
                            }
                        >
                            {w.tell_me_more}
                            <span class="ba-more-next">": "{title}</span>
                        </button>
                    }
                })
            }}
        }
    };

    let elder = move || {
        let total = parts.with_value(Vec::len);
        let at = step.get().min(total - 1);
        let part = parts.with_value(|p| p[at]);
        let go = move |to: usize| {
            step.set(to);
            let p = parts.with_value(|p| p[to]);
            focus_later(heading_id(p));
        };
        let position = w
            .step_of
            .replace("{n}", &(at + 1).to_string())
            .replace("{total}", &total.to_string());
        view! {
            {render(part, true)}
            <div class="ba-step-nav">
                {(at > 0).then(|| view! {
                    <button type="button" class="ba-card-button ba-prev" on:click=move |_| go(at - 1)>
                        <span aria-hidden="true">"← "</span>{w.previous}
                    </button>
                })}
                <span class="ba-step-position">{position}</span>
                {(at + 1 < total).then(|| view! {
                    <button type="button" class="ba-card-button ba-next" on:click=move |_| go(at + 1)>
                        {w.next}<span aria-hidden="true">" →"</span>
                    </button>
                })}
            </div>
        }
    };

    let (id, name, risk, notice, disclaimer) = card.with_value(|c| {
        (
            c.id.clone(),
            c.name.clone(),
            c.risk.clone(),
            c.example_notice.clone(),
            c.disclaimer.clone(),
        )
    });
    let next_id = format!("ba-card-{uid}-next");
    let (labelled_by, next_labelled_by) = (name_id.clone(), next_id.clone());
    view! {
        <article class="ba-card" data-product=id aria-labelledby=labelled_by>
            <h3 id=name_id class="ba-card-name">{name}</h3>
            {risk_view(&risk, lang)}
            <div class="ba-card-body">
                {move || if chat.prefs.elder() { elder().into_any() } else { standard().into_any() }}
            </div>
            <section class="ba-next-steps" aria-labelledby=next_labelled_by>
                <h4 id=next_id class="ba-part-title">{w.next_steps}</h4>
                <ul>
                    <li>
                        <button type="button" class="ba-card-button ba-card-person" on:click=move |_| chat.accept_handoff(Reason::AskedForPerson, lang)>
                            {w.talk_to_person}
                        </button>
                    </li>
                    {link.map(|href| view! { <li><a class="ba-card-link" href=href>{w.more_on_site}</a></li> })}
                </ul>
            </section>
            {notice.map(|n| view! { <p class="ba-example-notice">{n}</p> })}
            <p class="ba-disclaimer">{disclaimer}</p>
        </article>
    }
}
