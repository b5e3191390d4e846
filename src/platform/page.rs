//! The page itself: whether it is hidden, where it was loaded from, what the browser is called,
//! and asking it to keep Hush's storage.

use wasm_bindgen::{JsCast, JsValue};

use super::glue;
use crate::text;

/// Whether the page is hidden (another tab, a minimised window), or has no document.
pub(crate) fn hidden() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .is_none_or(|d| d.hidden())
}

/// The page's origin (`https://host:port`), empty if it has none.
pub(crate) fn origin() -> String {
    web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default()
}

/// The link code in this page's URL (`/?link=<code>`), opened by scanning a QR code.
pub(crate) fn link_code_in_url() -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    let code = search.strip_prefix("?link=")?;
    (!code.is_empty() && code.len() <= 64).then(|| code.to_owned())
}

/// Starts the page over at `/?unlinked` (this browser's data is gone).
pub(crate) fn restart_unlinked() {
    if let Some(window) = web_sys::window() {
        let _ = window.location().replace("/?unlinked");
    }
}

/// "Chrome on Linux": what this browser is called in the account's device list (`pwa.js`
/// reads the browser and the system from the user agent; this words them).
pub(crate) fn browser_name() -> String {
    let parts = glue::call("hushDevice", "name", &JsValue::UNDEFINED).ok();
    let part = |at: u32| {
        parts
            .as_ref()
            .map(|parts| js_sys::Reflect::get_u32(parts, at).unwrap_or(JsValue::NULL))
            .and_then(|name| name.as_string())
    };
    match (part(0), part(1)) {
        (browser, Some(system)) => text::browser_on(
            browser.as_deref().unwrap_or(text::DEFAULT_DEVICE_NAME),
            &system,
        ),
        (Some(browser), None) => text::browser_on(&browser, text::UNKNOWN_SYSTEM),
        (None, None) => text::DEFAULT_DEVICE_NAME.to_owned(),
    }
}

/// Asks the browser not to evict Hush's storage under pressure (`navigator.storage.persist()`,
/// in `pwa.js`): without it, a full disk can silently take the keys and history. `None` if
/// the browser did not answer.
pub(crate) async fn ask_to_persist() -> Option<bool> {
    glue::call_async("hushStorage", "persist", &JsValue::UNDEFINED)
        .await
        .ok()?
        .as_bool()
}

/// Puts the caret in the composer (after choosing Reply or Edit), once it is drawn.
pub(crate) fn focus_composer() {
    focus_by_id("composer");
}

/// Focuses the element with this id once it is drawn (a field a shortcut or a button opens).
pub(crate) fn focus_by_id(id: &'static str) {
    leptos::prelude::request_animation_frame(move || {
        let found = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id(id));
        if let Some(element) = found.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
            let _ = element.focus();
        }
    });
}

/// Whether `event` happened in a field whose own keys include Alt+↑/↓: a select, an input
/// (the search field, a form's field) or a combobox or list (the mention list).
pub(crate) fn in_choice_field(event: &web_sys::Event) -> bool {
    let target = event
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok());
    target.is_some_and(|element| {
        let tag = element.tag_name().to_ascii_lowercase();
        let role = element.get_attribute("role").unwrap_or_default();
        matches!(tag.as_str(), "select" | "input")
            || matches!(role.as_str(), "combobox" | "listbox")
    })
}

/// Whether the chat list is off the screen (a phone showing the open chat instead).
pub(crate) fn chat_list_hidden() -> bool {
    let list = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector("nav.chatlist").ok().flatten())
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    // `display: none` leaves an element without an offset parent.
    list.is_some_and(|list| list.offset_parent().is_none())
}
