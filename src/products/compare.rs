//! Two products side by side: one table, the same rows for both (type, in short, risk, returns,
//! example, costs, getting out, who it suits and does not), with the "not advice" line and the
//! example-content notice under it.
//!
//! Why a real table with row and column headers: a screen reader then reads "Risk, Fixed deposit:
//! …" for each cell, which is what comparing means. On narrow screens the table scrolls inside a
//! focusable, labelled region instead of squeezing three columns.

use super::{Marked, uid, words};
use assistant_core::products::compare::Comparison;
use leptos::prelude::*;

#[component]
pub fn ComparisonView(cmp: Comparison) -> impl IntoView {
    let lang = cmp.lang;
    let w = words(lang);
    let caption = w
        .compare_caption
        .replace("{a}", &cmp.a.name)
        .replace("{b}", &cmp.b.name);
    let caption_id = format!("ba-compare-{}", uid());
    let labelled_by = caption_id.clone();
    let rows = cmp
        .rows
        .into_iter()
        .map(|r| {
            let key = format!("{:?}", r.key).to_lowercase();
            view! {
                <tr data-row=key>
                    <th scope="row">{r.label}</th>
                    <td><Marked text=r.a lang=lang/></td>
                    <td><Marked text=r.b lang=lang/></td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="ba-compare" data-a=cmp.a.id.clone() data-b=cmp.b.id.clone()>
            <div class="ba-table-scroll" role="region" aria-labelledby=labelled_by tabindex="0">
                <table class="ba-table ba-compare-table">
                    <caption id=caption_id>{caption}</caption>
                    <thead>
                        <tr>
                            <th scope="col" class="ba-corner"><span class="ba-visually-hidden">{w.topic}</span></th>
                            <th scope="col">{cmp.a.name}</th>
                            <th scope="col">{cmp.b.name}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            {cmp.example_notice.map(|n| view! { <p class="ba-example-notice">{n}</p> })}
            <p class="ba-disclaimer">{cmp.disclaimer}</p>
        </div>
    }
}
