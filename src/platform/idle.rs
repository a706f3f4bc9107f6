//! Run something once the page is idle (`requestIdleCallback` where it exists, else shortly after load),
//! so the model download never competes with the host page's own first paint.

use wasm_bindgen::prelude::*;

pub fn on_idle(f: impl FnOnce() + 'static) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let cb = Closure::once_into_js(f);
    let has_idle =
        js_sys::Reflect::has(&window, &JsValue::from_str("requestIdleCallback")).unwrap_or(false);
    if has_idle {
        let opts = web_sys::IdleRequestOptions::new();
        opts.set_timeout(4000);
        let _ = window.request_idle_callback_with_options(cb.unchecked_ref(), &opts);
    } else {
        let _ =
            window.set_timeout_with_callback_and_timeout_and_arguments_0(cb.unchecked_ref(), 1500);
    }
}
