//! Two products side by side: one table, the same rows for both (type, in short, risk, returns,
//! example, costs, getting out, who it suits and does not), with the "not advice" line and the
//! example-content notice under it.
//!
//! Why a real table with row and column headers: a screen reader then reads "Risk, Fixed deposit:
//! …" for each cell, which is what comparing means. On narrow screens the table scrolls inside a
//! focusable, labelled region instead of squeezing three columns.

use super::{RichText, uid};
use assistant_core::protocol::CompareView;
use leptos::prelude::*;

#[component]
pub fn ComparisonView(cmp: CompareView) -> impl IntoView {
    let caption_id = format!("ba-compare-{}", uid());
    let labelled_by = caption_id.clone();
    let rows = cmp
        .rows
        .into_iter()
        .map(|r| {
            view! {
                <tr data-row=r.key>
                    <th scope="row">{r.label}</th>
                    <td><RichText spans=r.a/></td>
                    <td><RichText spans=r.b/></td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="ba-compare" data-a=cmp.a data-b=cmp.b>
            <div class="ba-table-scroll" role="region" aria-labelledby=labelled_by tabindex="0">
                <table class="ba-table ba-compare-table">
                    <caption id=caption_id>{cmp.caption}</caption>
                    <thead>
                        <tr>
                            <th scope="col" class="ba-corner"><span class="ba-visually-hidden">{cmp.topic}</span></th>
                            <th scope="col">{cmp.a_name}</th>
                            <th scope="col">{cmp.b_name}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            {cmp.notice.map(|n| view! { <p class="ba-example-notice">{n}</p> })}
            <p class="ba-disclaimer">{cmp.disclaimer}</p>
        </div>
    }
}
