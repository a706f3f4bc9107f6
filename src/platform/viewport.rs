//! The on-screen keyboard must not cover the question box. On phones the panel fills the screen, but
//! when the keyboard opens most mobile browsers (and WebViews) shrink only the *visual* viewport: a
//! fixed panel stays as tall as the page and its composer ends up under the keyboard. So we follow
//! `window.visualViewport` and give the stylesheet two custom properties on the widget's root,
//! `--ba-viewport-height` (what is visible) and `--ba-keyboard` (how much of the bottom is covered);
//! style/widget.css sizes the panel with them. If what is left is too short for the whole panel, the
//! panel scrolls to its end so the question box stays in view.
//!
//! Set through CSSOM (`style.setProperty`), which a strict Content-Security-Policy allows, unlike
//! `style="…"` attributes in markup. While the customer pinch-zooms, the visual viewport is small for
//! another reason, so the properties are removed and the panel keeps its normal size.
//!
//! The pixel values are written by the browser's number-to-string (`px`): Rust's float formatting and
//! its tables cost the first load more than this whole module.

use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;

pub fn follow(root: NodeRef<html::Div>) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let Some(viewport) = window.visual_viewport() else {
        return;
    };
    let vv = viewport.clone();
    let update = Closure::<dyn Fn()>::new(move || {
        let Some(el) = root.get_untracked() else {
            return;
        };
        let style = web_sys::HtmlElement::style(&el);
        let layout = window
            .inner_height()
            .ok()
            .and_then(|h| h.as_f64())
            .unwrap_or(0.0);
        let keyboard = (layout - vv.offset_top() - vv.height()).max(0.0);
        if vv.scale() > 1.01 || keyboard < 1.0 {
            let _ = style.remove_property("--ba-viewport-height");
            let _ = style.remove_property("--ba-keyboard");
        } else {
            let _ = style.set_property("--ba-viewport-height", &px(vv.height()));
            let _ = style.set_property("--ba-keyboard", &px(keyboard));
            // What is left may be shorter than the panel's content; the panel then scrolls as a
            // whole, and the composer (its last part) is what the customer is typing into.
            if let Ok(Some(panel)) = el.query_selector(".ba-panel") {
                panel.set_scroll_top(panel.scroll_height());
            }
        }
    });
    for event in ["resize", "scroll"] {
        let _ = viewport.add_event_listener_with_callback(event, update.as_ref().unchecked_ref());
    }
    update.forget();
}

/// A CSS length in pixels, the number written by the browser (`String(n)`): the same digits as Rust's
/// `{}` for every size a screen has (no exponent between 1e-6 and 1e21), without linking Rust's float
/// formatting (~10 KB of wasm) for it.
fn px(n: f64) -> String {
    let mut s = String::from(
        js_sys::Number::from(n)
            .to_string_with_radix(10)
            .unwrap_or_default(),
    );
    s.push_str("px");
    s
}
