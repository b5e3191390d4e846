//! Brings a message of the open chat into view and marks it for a moment (a reply's quote
//! leads to its original).

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// How long the original stays marked.
const HIGHLIGHT_MS: i32 = 2000;

/// Scrolls the row whose `data-message` is `key` to the middle of the log and highlights it
/// (with `focus`, focusing it too). False if it is not on screen (not loaded, or gone).
pub(crate) fn reveal_message(key: &str, focus: bool) -> bool {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return false;
    };
    let selector = format!("[data-message=\"{key}\"]");
    let Ok(Some(row)) = document.query_selector(&selector) else {
        return false;
    };
    let options = web_sys::ScrollIntoViewOptions::new();
    options.set_block(web_sys::ScrollLogicalPosition::Center);
    row.scroll_into_view_with_scroll_into_view_options(&options);
    let classes = row.class_list();
    let _ = classes.add_1("highlight");
    if let Some(row) = row.dyn_ref::<web_sys::HtmlElement>().filter(|_| focus) {
        let _ = row.focus();
    }
    let unmark = Closure::once_into_js(move || {
        let _ = classes.remove_1("highlight");
    });
    super::timer::set_timeout(unmark, HIGHLIGHT_MS);
    true
}

/// Scrolls the element with this id to the top of its scrolling box, if it is on screen.
pub(crate) fn reveal_start(id: &str) {
    let document = web_sys::window().and_then(|w| w.document());
    let Some(element) = document.and_then(|d| d.get_element_by_id(id)) else {
        return;
    };
    let options = web_sys::ScrollIntoViewOptions::new();
    options.set_block(web_sys::ScrollLogicalPosition::Start);
    element.scroll_into_view_with_scroll_into_view_options(&options);
}
