//! Keeps keyboard focus inside the open chat dialog (Tab and Shift+Tab wrap around), as a modal dialog
//! must: otherwise keyboard and switch users tab "behind" a panel that covers the page on a phone.

use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, KeyboardEvent};

const FOCUSABLE: &str = "button:not([disabled]), textarea:not([disabled]), input:not([disabled]), \
     select:not([disabled]), a[href], [tabindex]:not([tabindex='-1'])";

/// The focusable, visible elements inside `root`, in document order.
fn focusables(root: &Element) -> Vec<HtmlElement> {
    let Ok(list) = root.query_selector_all(FOCUSABLE) else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|n| n.dyn_into::<HtmlElement>().ok())
        // Hidden elements (`hidden`, `display: none` ancestors) have no layout boxes.
        .filter(|el| el.get_client_rects().length() > 0)
        .collect()
}

/// Handles Tab inside the dialog `root`: from the last control to the first and back.
pub fn trap_tab(root: &Element, ev: &KeyboardEvent) {
    if ev.key() != "Tab" {
        return;
    }
    let items = focusables(root);
    let (Some(first), Some(last)) = (items.first(), items.last()) else {
        return;
    };
    let active = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.active_element());
    let at = |el: &HtmlElement| active.as_ref() == Some(el.unchecked_ref::<Element>());
    if ev.shift_key() && at(first) {
        ev.prevent_default();
        let _ = last.focus();
    } else if !ev.shift_key() && at(last) {
        ev.prevent_default();
        let _ = first.focus();
    }
}
