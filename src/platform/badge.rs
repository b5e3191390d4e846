//! The unread count outside the page: in the tab's title ("(3) Hush") and, where the browser
//! has the Badging API (an installed app), on the app's icon. Feature-checked, never required.

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use crate::text;

/// The title for `unread` messages.
pub(crate) fn title(unread: u32) -> String {
    match unread {
        0 => text::APP_NAME.to_owned(),
        n => text::title_with_unread(n),
    }
}

/// Shows `unread` in the title and on the app badge (cleared at 0).
pub(crate) fn show(unread: u32) {
    let Some(window) = web_sys::window() else {
        return;
    };
    if let Some(document) = window.document() {
        document.set_title(&title(unread));
    }
    let navigator = window.navigator();
    let (name, args) = match unread {
        0 => ("clearAppBadge", js_sys::Array::new()),
        n => ("setAppBadge", js_sys::Array::of1(&JsValue::from(n))),
    };
    let Ok(call) = Reflect::get(&navigator, &JsValue::from_str(name)) else {
        return;
    };
    let Ok(call) = call.dyn_into::<Function>() else {
        return;
    };
    // A browser may refuse (not installed, no permission): the title still shows the count.
    if let Ok(promise) = call.apply(&navigator, &args) {
        if let Ok(promise) = promise.dyn_into::<Promise>() {
            leptos::task::spawn_local(async move {
                let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
            });
        }
    }
}
