//! The product card shown for a `product_*` answer: the name, the summary, the risk line (text and an
//! icon, never colour alone), the worked example as a short table, a calculator where one helps, the
//! details behind "Tell me more" one step at a time, next steps, and the notice and "not advice" line.
//! The worker builds the card's content (`CardView`); this file only lays it out.
//!
//! Why two layouts: in standard mode the summary, risk and example are visible and each "Tell me more"
//! adds the next section (focus moves to its heading). In elder (large-text) mode the card shows one
//! page at a time with "Previous" / "Next", because a screen of 30 px text holds little and older
//! customers do better with one thing at a time; but a few longer pages (the summary with its worked
//! example, the calculator, then the details three at a time: about 5 pages instead of 12) mean fewer
//! taps and less "where was I" (issue #14). In both, the risk line, the example-content notice and
//! the "not advice" line never hide, so a return is never on screen without its risk.

use super::calculator::Calculator;
use super::{RichText, focus_later, host_link};
use crate::conversation::Chat;
use assistant_core::locale::Lang;
use assistant_core::protocol::{Block, CardView, Part};
use assistant_core::routing::Reason;
use leptos::prelude::*;

fn block_view(block: Block, lang: Lang) -> AnyView {
    match block {
        Block::Para { class, text } => {
            view! { <p class=class><RichText spans=text/></p> }.into_any()
        }
        Block::RiskNote { text } => {
            view! { <p class="ba-risk-note"><span aria-hidden="true">"⚠ "</span>{text}</p> }
                .into_any()
        }
        Block::Table {
            caption,
            rows,
            note,
        } => {
            let rows = rows
                .into_iter()
                .map(|(label, value)| view! { <tr><th scope="row">{label}</th><td>{value}</td></tr> })
                .collect_view();
            view! {
                <table class="ba-table ba-example">
                    <caption>{caption}</caption>
                    <tbody>{rows}</tbody>
                </table>
                <p class="ba-example-note">{note}</p>
            }
            .into_any()
        }
        Block::Calc(calc) => view! { <Calculator calc=calc lang=lang/> }.into_any(),
    }
}

/// Elder mode's pages, as indices into `parts`: the parts before the calculator and the details (the
/// summary and the worked example) together, the calculator alone, then the details three at a time.
fn elder_pages(parts: &[Part]) -> Vec<Vec<usize>> {
    let mut pages: Vec<Vec<usize>> = Vec::new();
    let first: Vec<usize> = (0..parts.len())
        .filter(|&i| !parts[i].detail && parts[i].key != "calc")
        .collect();
    if !first.is_empty() {
        pages.push(first);
    }
    if let Some(calc) = parts.iter().position(|p| p.key == "calc") {
        pages.push(vec![calc]);
    }
    let details: Vec<usize> = (0..parts.len()).filter(|&i| parts[i].detail).collect();
    pages.extend(details.chunks(3).map(<[usize]>::to_vec));
    if pages.is_empty() {
        pages.push(Vec::new());
    }
    pages
}

#[component]
pub fn ProductCardView(chat: Chat, card: CardView, lang: Lang, uid: u32) -> impl IntoView {
    let CardView {
        product,
        lead,
        name,
        risk,
        parts,
        notice,
        disclaimer,
        words: w,
    } = card;
    let link = host_link(&product);
    let name_id = format!("ba-card-{uid}");
    let heading_id = move |key: &str| format!("ba-card-{uid}-{key}");
    let first_detail = parts.iter().position(|p| p.detail).unwrap_or(parts.len());
    let pages = StoredValue::new(elder_pages(&parts));
    let calc_at = parts.iter().position(|p| p.key == "calc");
    let parts = StoredValue::new(parts);
    let w = StoredValue::new(w);

    // Standard mode: how many details are open, and whether the calculator is. Elder mode: which part.
    let shown = RwSignal::new(0usize);
    let calc_open = RwSignal::new(false);
    let step = RwSignal::new(0usize);

    let render = move |at: usize, with_heading: bool| -> AnyView {
        let Part {
            key, title, blocks, ..
        } = parts.with_value(|p| p[at].clone());
        let head = with_heading.then(
            || view! { <h4 id=heading_id(&key) class="ba-part-title" tabindex="-1">{title}</h4> },
        );
        let body = blocks
            .into_iter()
            .map(|b| block_view(b, lang))
            .collect_view();
        view! { <section class="ba-part" data-part=key>{head}{body}</section> }.into_any()
    };

    let standard = move || {
        let total = parts.with_value(Vec::len);
        let calc_part = calc_at.map(|at| {
            let region = format!("ba-card-{uid}-calc-region");
            view! {
                <button
                    type="button"
                    class="ba-card-button ba-calc-toggle"
                    aria-expanded=move || calc_open.get().to_string()
                    aria-controls=region.clone()
                    on:click=move |_| calc_open.update(|o| *o = !*o)
                >
                    {w.with_value(|w| w.work_it_out.clone())}
                </button>
                <div id=region hidden=move || !calc_open.get()>
                    {move || calc_open.get().then(|| render(at, false))}
                </div>
            }
        });
        // The parts always shown, in order: the summary (no heading of its own), the part asked about
        // (a fee question: "What it costs"), the worked example.
        let shown_always = parts.with_value(|p| {
            (0..p.len())
                .filter(|&i| !p[i].detail && p[i].key != "calc")
                .collect::<Vec<_>>()
        });
        view! {
            {shown_always.into_iter().map(|i| render(i, i > 0)).collect_view()}
            {calc_part}
            {move || (first_detail..first_detail + shown.get()).map(|i| render(i, true)).collect_view()}
            {move || {
                let next = first_detail + shown.get();
                (next < total).then(|| {
                    let (title, key) = parts.with_value(|p| (p[next].title.clone(), p[next].key.clone()));
                    view! {
                        <button
                            type="button"
                            class="ba-card-button ba-more"
                            on:click=move |_| {
                                shown.update(|s| *s += 1);
                                focus_later(heading_id(&key));
                            }
                        >
                            {w.with_value(|w| w.tell_me_more.clone())}
                            <span class="ba-more-next">": "{title}</span>
                        </button>
                    }
                })
            }}
        }
    };

    let elder = move || {
        let total = pages.with_value(Vec::len);
        let at = step.get().min(total - 1);
        let go = move |to: usize| {
            step.set(to);
            let first = pages.with_value(|p| p[to][0]);
            focus_later(heading_id(&parts.with_value(|p| p[first].key.clone())));
        };
        let (previous, next, position) = w.with_value(|w| {
            let position = w
                .step_of
                .replace("{n}", &(at + 1).to_string())
                .replace("{total}", &total.to_string());
            (w.previous.clone(), w.next.clone(), position)
        });
        view! {
            {pages.with_value(|p| p[at].clone()).into_iter().map(|i| render(i, true)).collect_view()}
            <div class="ba-step-nav">
                {(at > 0).then(|| view! {
                    <button type="button" class="ba-card-button ba-prev" on:click=move |_| go(at - 1)>
                        <span aria-hidden="true">"← "</span>{previous}
                    </button>
                })}
                <span class="ba-step-position">{position}</span>
                {(at + 1 < total).then(|| view! {
                    <button type="button" class="ba-card-button ba-next" on:click=move |_| go(at + 1)>
                        {next}<span aria-hidden="true">" →"</span>
                    </button>
                })}
            </div>
        }
    };

    let next_id = format!("ba-card-{uid}-next");
    let (labelled_by, next_labelled_by) = (name_id.clone(), next_id.clone());
    let (next_steps, talk, more_on_site) = w.with_value(|w| {
        (
            w.next_steps.clone(),
            w.talk_to_person.clone(),
            w.more_on_site.clone(),
        )
    });
    view! {
        <article class="ba-card" data-product=product aria-labelledby=labelled_by>
            {lead.map(|l| view! { <p class="ba-card-lead">{l}</p> })}
            <h3 id=name_id class="ba-card-name">{name}</h3>
            <p class="ba-risk" data-level=risk.level>
                <span class="ba-risk-icon" aria-hidden="true">{risk.icon}</span>
                " "
                <strong class="ba-risk-label">{risk.label}</strong>
                " "
                <span class="ba-risk-meaning">{risk.meaning}</span>
            </p>
            <div class="ba-card-body">
                {move || if chat.prefs.elder() { elder().into_any() } else { standard().into_any() }}
            </div>
            <section class="ba-next-steps" aria-labelledby=next_labelled_by>
                <h4 id=next_id class="ba-part-title">{next_steps}</h4>
                <ul>
                    <li>
                        <button type="button" class="ba-card-button ba-card-person" on:click=move |_| chat.accept_handoff(Reason::AskedForPerson, lang)>
                            {talk}
                        </button>
                    </li>
                    {link.map(|href| view! { <li><a class="ba-card-link" href=href>{more_on_site}</a></li> })}
                </ul>
            </section>
            {notice.map(|n| view! { <p class="ba-example-notice">{n}</p> })}
            <p class="ba-disclaimer">{disclaimer}</p>
        </article>
    }
}
