//! Two products side by side: the same rows for both (type, in short, risk, returns, example, costs,
//! getting out, who it suits and does not), with the "not advice" line and the example-content notice
//! under it.
//!
//! Two layouts of the same rows, one shown at a time by the stylesheet (a container query on the
//! comparison's own width, style/products.css): a real table with row and column headers where it fits
//! (a screen reader then reads "Risk, Fixed deposit: …" for each cell, which is what comparing means),
//! and else one card per product with the same rows in the same order, as a description list. A table
//! squeezed or scrolled sideways in a phone's bubble (900 px of table in 286 px at the largest size)
//! cannot be read; the one not shown is `display: none`, so nobody hears both.

use super::{RichText, uid};
use assistant_core::protocol::CompareView;
use leptos::prelude::*;

#[component]
pub fn ComparisonView(cmp: CompareView) -> impl IntoView {
    let id = uid();
    let caption_id = format!("ba-compare-{id}");
    let labelled_by = caption_id.clone();
    let rows = cmp
        .rows
        .iter()
        .cloned()
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
    let card = |side: usize, name: String| {
        let heading = format!("ba-compare-{id}-{side}");
        let labelled_by = heading.clone();
        let items = cmp
            .rows
            .iter()
            .map(|r| {
                let value = if side == 0 { r.a.clone() } else { r.b.clone() };
                view! {
                    <div class="ba-compare-item" data-item=r.key.clone()>
                        <dt>{r.label.clone()}</dt>
                        <dd><RichText spans=value/></dd>
                    </div>
                }
            })
            .collect_view();
        view! {
            <section class="ba-compare-product" aria-labelledby=labelled_by>
                <h4 id=heading class="ba-compare-name">{name}</h4>
                <dl>{items}</dl>
            </section>
        }
    };
    let cards = view! {
        <div class="ba-compare-cards">
            <p class="ba-compare-caption">{cmp.caption.clone()}</p>
            {card(0, cmp.a_name.clone())}
            {card(1, cmp.b_name.clone())}
        </div>
    };
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
            {cards}
            {cmp.notice.map(|n| view! { <p class="ba-example-notice">{n}</p> })}
            <p class="ba-disclaimer">{cmp.disclaimer}</p>
        </div>
    }
}
