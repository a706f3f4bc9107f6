//! Keeps keyboard focus inside the open chat dialog (Tab and Shift+Tab wrap around), as a modal dialog
//! must: otherwise keyboard and switch users tab "behind" a panel that covers the page on a phone.
//!
//! The widget lives in a shadow root (see `host`), where `document.activeElement` is the *host element*
//! (`<bank-assistant>`), not the focused control: focus inside a shadow tree is retargeted for the outer
//! document. The focused control is `shadowRoot.activeElement`, so the root node of the dialog is asked
//! (`getRootNode()`: the shadow root, or the document when mounted without one).

use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, KeyboardEvent};

/// An element of the widget by id. Ids are scoped to the loader's shadow root (of the page's
/// `<bank-assistant>` element), so `document.getElementById` does not see them; the root is found
/// from the page each time rather than kept in a module global.
pub fn element_by_id(id: &str) -> Option<Element> {
    let doc = web_sys::window()?.document()?;
    if let Some(el) = doc.get_element_by_id(id) {
        return Some(el);
    }
    let hosts = doc.query_selector_all("bank-assistant").ok()?;
    (0..hosts.length())
        .filter_map(|i| hosts.item(i)?.dyn_into::<Element>().ok()?.shadow_root())
        .find_map(|root| root.get_element_by_id(id))
}

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

/// The focused element in `el`'s tree: `shadowRoot.activeElement` inside a shadow root, else
/// `document.activeElement`.
fn active_in_tree_of(el: &Element) -> Option<Element> {
    let root = el.get_root_node();
    match root.dyn_ref::<web_sys::ShadowRoot>() {
        Some(shadow) => shadow.active_element(),
        None => root.dyn_ref::<web_sys::Document>()?.active_element(),
    }
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
    let active = active_in_tree_of(root);
    let at = |el: &HtmlElement| active.as_ref() == Some(el.unchecked_ref::<Element>());
    if ev.shift_key() && at(first) {
        ev.prevent_default();
        let _ = last.focus();
    } else if !ev.shift_key() && at(last) {
        ev.prevent_default();
        let _ = first.focus();
    }
}
